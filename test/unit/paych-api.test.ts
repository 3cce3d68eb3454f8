// The Filecoin.Paych* methods through the JSON-RPC server: the manager's refusals in Lotus's words
// (paychmgr), the funds of a channel whose create message waits for its confidence (manual mining),
// PaychNewPayment, and what a rewind leaves of the store.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { openChannelByExec, signedVoucherJson, type OkCall } from '../helpers/paych.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const FIL = 10n ** 18n;
const CREATOR = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
/** An actor address no actor has. */
const STRANGER = FilAddress.fromPayload(Protocol.Actor, new Uint8Array(20).fill(7)).toString();

/** A devnet with a funded receiver key the node holds, and a channel creator → receiver holding 1000 attoFIL. */
async function paychNode(t: TestContext) {
  const rpc = await setupRpc(t);
  const { result } = rpc;
  const receiver = await result('Filecoin.WalletNew', ['secp256k1']);
  await result('Filecoin.MpoolPushMessage', [{ From: CREATOR, To: receiver, Value: FIL.toString(), Method: 0 }, null]);
  const info = await result('Filecoin.PaychGet', [CREATOR, receiver, '1000', { OffChain: false }]);
  const channel: string = await result('Filecoin.PaychGetWaitReady', [info.WaitSentinel]);
  const ok: OkCall = (method, ...params) => result(method, params);
  /** A voucher on `channel` (unless `on` names another) signed by `signer` with WalletSign, in Lotus's JSON. */
  const voucher = (signer: string, { on = channel, amount = 100n, ...fields }: { lane?: number; nonce?: number; amount?: bigint; timeLockMin?: number; on?: string } = {}) =>
    signedVoucherJson(ok, signer, on, { amount, ...fields });
  /** A channel CREATOR → `to` of 1000 attoFIL the manager never sees. */
  const openOutsideManager = (to: string) => openChannelByExec(ok, CREATOR, to, 1000n);
  return { ...rpc, receiver, channel, voucher, openOutsideManager };
}

describe('Paych* refusals in Lotus words', () => {
  test('an untracked channel, an unknown sentinel, a proof, off-chain requests', async (t) => {
    const { error, result, receiver, channel } = await paychNode(t);
    for (const [method, params] of [
      ['Filecoin.PaychStatus', [STRANGER]],
      ['Filecoin.PaychAvailableFunds', [STRANGER]],
      ['Filecoin.PaychAllocateLane', [STRANGER]],
      ['Filecoin.PaychVoucherList', [STRANGER]],
      ['Filecoin.PaychVoucherCreate', [STRANGER, '1', 0]],
      ['Filecoin.PaychSettle', [STRANGER]],
      ['Filecoin.PaychCollect', [STRANGER]],
    ] as const) {
      assert.deepEqual(await error(method, [...params]), { code: 1, message: 'channel not tracked' }, method);
    }
    const sentinel = { '/': 'bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4' };
    assert.equal((await error('Filecoin.PaychGetWaitReady', [sentinel])).message, `Could not find wait msg cid ${sentinel['/']}`);
    assert.equal((await error('Filecoin.PaychVoucherAdd', [channel, {}, 'AQ==', '0'])).code, -32602);
    const other = await result('Filecoin.WalletNew', ['secp256k1']);
    assert.equal(
      (await error('Filecoin.PaychGet', [CREATOR, other, '5', { OffChain: true }])).message,
      `payment channel doesn't exist, create with 'lotus paych add-funds ${CREATOR} ${other} 0.000000000000000005'`,
    );
    // The channel's 1000 are reserved by the PaychGet that opened it: none is available off-chain.
    assert.equal(
      (await error('Filecoin.PaychGet', [CREATOR, receiver, '5', { OffChain: true }])).message,
      `not enough funds available in the payment channel ${channel}; add funds with 'lotus paych add-funds ${CREATOR} ${receiver} 0.000000000000000005'`,
    );
    // PaychFund adds funds PaychGet then reserves without a message.
    const funded = await result('Filecoin.PaychFund', [CREATOR, receiver, '300']);
    assert.equal(funded.Channel, channel);
    await result('Filecoin.PaychGetWaitReady', [funded.WaitSentinel]);
    assert.deepEqual(await result('Filecoin.PaychGet', [CREATOR, receiver, '200', { OffChain: true }]), { Channel: channel, WaitSentinel: null });
    const funds = await result('Filecoin.PaychAvailableFunds', [channel]);
    assert.deepEqual([funds.ConfirmedAmt, funds.NonReservedAmt], ['1300', '100']);
  });

  test('vouchers: locks, signer, nonce, minimum delta, a channel whose payee the wallet lacks, proofs', async (t) => {
    const { error, result, receiver, channel, voucher, openOutsideManager } = await paychNode(t);
    const check = async (v: unknown) => (await error('Filecoin.PaychVoucherCheckValid', [channel, v])).message;
    assert.equal(await check(await voucher(CREATOR, { timeLockMin: 5 })), 'voucher is Min Time Locked');
    assert.equal(await check(await voucher(receiver)), 'signature did not match');
    assert.match(await check(await voucher(CREATOR, { on: STRANGER })), new RegExp(`^voucher ChannelAddr doesn't match channel address, got ${STRANGER}, expected ${channel}$`));
    assert.equal(await result('Filecoin.PaychVoucherCheckValid', [channel, await voucher(CREATOR)]), null);
    assert.equal(await result('Filecoin.PaychVoucherAdd', [channel, await voucher(CREATOR, { amount: 400n }), null, '0']), '400');
    assert.equal(await check(await voucher(CREATOR, { amount: 500n })), 'nonce too low');
    assert.equal(await check(await voucher(CREATOR, { nonce: 2, amount: 300n })), 'voucher amount is lower than amount for voucher with lower nonce');
    assert.equal(
      (await error('Filecoin.PaychVoucherAdd', [channel, await voucher(CREATOR, { nonce: 2, amount: 450n }), null, '100'])).message,
      'addVoucher: supplied token amount too low; minD=100, D=50; laneAmt=400; v.Amt=450',
    );
    assert.equal((await error('Filecoin.PaychVoucherAdd', [channel, await voucher(CREATOR, { nonce: 2 }), 'AQ==', '0'])).message, 'payment channel proof parameter is not supported');
    assert.equal((await error('Filecoin.PaychVoucherCheckSpendable', [channel, await voucher(CREATOR, { nonce: 9 }), null, null])).message, 'cannot submit voucher that has not been added to channel');

    // A channel the store does not know (opened by a plain Init Exec) to a key the wallet does not hold: refused.
    const other = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('Filecoin.WalletDelete', [other]);
    const theirs = await openOutsideManager(other);
    assert.equal(
      (await error('Filecoin.PaychVoucherAdd', [theirs, await voucher(CREATOR, { on: theirs }), null, '0'])).message,
      `cannot add voucher for channel ${theirs}: wallet does not have key for address ${other}`,
    );
  });

  test('PaychNewPayment: a new lane on the pair\'s channel with a voucher per spec; a pair without a channel fails as Lotus\'s', async (t) => {
    const { error, result, receiver, channel } = await paychNode(t);
    await result('Filecoin.PaychFund', [CREATOR, receiver, '500']);
    const payment = await result('Filecoin.PaychNewPayment', [CREATOR, receiver, [{ Amount: '100' }, { Amount: '250', MinSettle: 7 }]]);
    assert.equal(payment.Channel, channel);
    assert.deepEqual(
      payment.Vouchers.map((v: any) => [v.Lane, v.Nonce, v.Amount, v.MinSettleHeight]),
      [
        [0, 1, '100', 0],
        [0, 2, '250', 7],
      ],
    );
    const other = await result('Filecoin.WalletNew', ['secp256k1']);
    assert.equal((await error('Filecoin.PaychNewPayment', [CREATOR, other, [{ Amount: '1' }]])).message, 'channel not tracked');
    // A spec's epoch fields are Go int64s (abi.ChainEpoch): a fraction is refused before any channel is looked up.
    assert.deepEqual(await error('Filecoin.PaychNewPayment', [CREATOR, receiver, [{ Amount: '1' }, { Amount: '2', TimeLockMax: 1.5 }]]), {
      code: -32602,
      message: "invalid argument 'vouchers[1].TimeLockMax': expected an integer",
    });
    // No spec (null is Go's nil slice): Lotus's PaychNewPayment reads vouchers[len(vouchers)-1] first and panics,
    // which go-jsonrpc answers with code 0 (node/impl/paych/paych.go; go-jsonrpc handler.go doCall).
    for (const specs of [[], null]) {
      assert.deepEqual(await error('Filecoin.PaychNewPayment', [CREATOR, receiver, specs]), {
        code: 0,
        message: "fatal error calling 'Filecoin.PaychNewPayment': panic in rpc method 'Filecoin.PaychNewPayment': runtime error: index out of range [-1]",
      });
    }
    assert.equal((await error('Filecoin.PaychNewPayment', [CREATOR, receiver, 'x'])).code, -32602);
  });

  test('a null wait sentinel is cid.Undef, which no message has: "Could not find wait msg cid b" (paychmgr/manager.go GetPaychWaitReady)', async (t) => {
    const { error } = await setupRpc(t);
    assert.deepEqual(await error('Filecoin.PaychGetWaitReady', [null]), { code: 1, message: 'Could not find wait msg cid b' });
  });
});

describe('/rpc/v0', () => {
  test("v0's PaychGet takes from, to and amount and funds without reserving, as v0api's wrapper calls v1's PaychFund", async (t) => {
    const { app, result } = await setupRpc(t);
    const receiver = await result('Filecoin.WalletNew', ['secp256k1']);
    const v0 = async (method: string, params: unknown[]) => (await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method, params } })).json();
    const got = await v0('Filecoin.PaychGet', [CREATOR, receiver, '400']);
    assert.equal(got.result.Channel, '<empty>');
    const channel = await result('Filecoin.PaychGetWaitReady', [got.result.WaitSentinel]);
    const funds = await result('Filecoin.PaychAvailableFunds', [channel]);
    assert.deepEqual([funds.ConfirmedAmt, funds.NonReservedAmt], ['400', '400']);
    assert.equal((await v0('Filecoin.PaychGet', [CREATOR, receiver, '1', { OffChain: true }])).error.code, -32602);
  });
});

describe('Paych* and the chain', () => {
  test('manual mining: the create message pending, then ready MessageConfidence (5) epochs after it landed', async (t) => {
    const { result } = await setupRpc(t);
    const receiver = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('evm_setAutomine', [false]);
    const info = await result('Filecoin.PaychGet', [CREATOR, receiver, '700', null]);
    assert.equal(info.Channel, '<empty>');
    const pending = await result('Filecoin.PaychAvailableFundsByFromTo', [CREATOR, receiver]);
    assert.deepEqual([pending.Channel, pending.PendingAmt, pending.ConfirmedAmt, pending.PendingWaitSentinel], [null, '700', '0', info.WaitSentinel]);
    assert.deepEqual(await result('Filecoin.PaychList'), []);
    await result('evm_mine');
    const ready = result('Filecoin.PaychGetWaitReady', [info.WaitSentinel]);
    await result('anvil_mine', ['0x5']);
    const channel = await ready;
    assert.deepEqual(await result('Filecoin.PaychList'), [channel]);
    const funds = await result('Filecoin.PaychAvailableFunds', [channel]);
    assert.deepEqual([funds.ConfirmedAmt, funds.PendingAmt, funds.PendingWaitSentinel], ['700', '0', null]);
  });

  test('requests queued behind a pending create are merged into one add-funds message (QueuedAmt while they wait)', async (t) => {
    const { result, error } = await setupRpc(t);
    const receiver = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('evm_setAutomine', [false]);
    const first = await result('Filecoin.PaychGet', [CREATOR, receiver, '700', null]);
    const second = result('Filecoin.PaychGet', [CREATOR, receiver, '300', null]);
    const third = result('Filecoin.PaychFund', [CREATOR, receiver, '200']);
    const offChain = error('Filecoin.PaychGet', [CREATOR, receiver, '5', { OffChain: true }]);
    const queued = await result('Filecoin.PaychAvailableFundsByFromTo', [CREATOR, receiver]);
    assert.deepEqual([queued.PendingAmt, queued.QueuedAmt, queued.PendingWaitSentinel], ['700', '505', first.WaitSentinel]);
    await result('anvil_mine', ['0x6']);
    const channel = await result('Filecoin.PaychGetWaitReady', [first.WaitSentinel]);
    // The off-chain request finds nothing available (the 700 are reserved) and fails; the other two share one message.
    assert.match((await offChain).message, /^not enough funds available in the payment channel/);
    const [added, funded] = await Promise.all([second, third]);
    assert.deepEqual(added, funded);
    assert.equal(added.Channel, channel);
    const pending = await result('Filecoin.PaychAvailableFunds', [channel]);
    assert.deepEqual([pending.PendingAmt, pending.PendingAvailableAmt, pending.PendingWaitSentinel], ['500', '200', added.WaitSentinel]);
    await result('anvil_mine', ['0x6']);
    assert.equal(await result('Filecoin.PaychGetWaitReady', [added.WaitSentinel]), channel);
    const funds = await result('Filecoin.PaychAvailableFunds', [channel]);
    assert.deepEqual([funds.ConfirmedAmt, funds.NonReservedAmt, funds.QueuedAmt], ['1200', '200', '0']);
  });

  test('evm_revert takes back a Settle and a voucher submission (review R46): the channel is the pair\'s again, the voucher submits again', async (t) => {
    const { result, receiver, channel, voucher, openOutsideManager } = await paychNode(t);
    // An inbound channel (opened outside the manager, learnt from a voucher), whose payee submits.
    const inbound = await openOutsideManager(receiver);
    const v = await voucher(CREATOR, { amount: 300n, on: inbound });
    assert.equal(await result('Filecoin.PaychVoucherAdd', [inbound, v, null, '0']), '300');
    const snapshot = await result('evm_snapshot');
    await result('Filecoin.PaychSettle', [channel]);
    await result('Filecoin.PaychVoucherSubmit', [inbound, v, null, null]);
    assert.equal(await result('Filecoin.PaychVoucherCheckSpendable', [inbound, v, null, null]), false);
    assert.equal((await result('Filecoin.PaychAvailableFundsByFromTo', [CREATOR, receiver])).Channel, null);
    await result('evm_revert', [snapshot]);
    assert.equal((await result('Filecoin.PaychAvailableFundsByFromTo', [CREATOR, receiver])).Channel, channel);
    assert.deepEqual(await result('Filecoin.PaychGet', [CREATOR, receiver, '0', null]), { Channel: channel, WaitSentinel: null });
    assert.equal(await result('Filecoin.PaychVoucherCheckSpendable', [inbound, v, null, null]), true);
    const again = await result('Filecoin.PaychVoucherSubmit', [inbound, v, null, null]);
    assert.equal((await result('Filecoin.StateSearchMsg', [null, again, -1, true])).Receipt.ExitCode, 0);
  });

  test('a Settle still pending in the pool across evm_revert stays (review R49): the channel is still settling', async (t) => {
    const { result, receiver, channel } = await paychNode(t);
    const snapshot = await result('evm_snapshot');
    await result('anvil_mine', ['0x1']);
    await result('evm_setAutomine', [false]);
    const settle = await result('Filecoin.PaychSettle', [channel]);
    await result('evm_revert', [snapshot]);
    assert.equal((await result('Filecoin.PaychAvailableFundsByFromTo', [CREATOR, receiver])).Channel, null);
    await result('evm_mine');
    assert.equal((await result('Filecoin.StateSearchMsg', [null, settle, -1, true])).Receipt.ExitCode, 0);
    assert.equal((await result('Filecoin.PaychAvailableFundsByFromTo', [CREATOR, receiver])).Channel, null);
  });

  test('evm_revert takes back an add-funds message; anvil_reset forgets the channel', async (t) => {
    const { result, error } = await setupRpc(t);
    const receiver = await result('Filecoin.WalletNew', ['secp256k1']);
    const info = await result('Filecoin.PaychFund', [CREATOR, receiver, '700']);
    const channel = await result('Filecoin.PaychGetWaitReady', [info.WaitSentinel]);
    const snapshot = await result('evm_snapshot');
    const added = await result('Filecoin.PaychFund', [CREATOR, receiver, '300']);
    await result('Filecoin.PaychGetWaitReady', [added.WaitSentinel]);
    assert.equal((await result('Filecoin.PaychAvailableFunds', [channel])).ConfirmedAmt, '1000');
    await result('evm_revert', [snapshot]);
    const funds = await result('Filecoin.PaychAvailableFunds', [channel]);
    assert.deepEqual([funds.ConfirmedAmt, funds.NonReservedAmt], ['700', '700']);
    assert.equal((await error('Filecoin.PaychGetWaitReady', [added.WaitSentinel])).message, `Could not find wait msg cid ${added.WaitSentinel['/']}`);
    await result('anvil_reset');
    assert.deepEqual(await result('Filecoin.PaychList'), []);
  });
});
