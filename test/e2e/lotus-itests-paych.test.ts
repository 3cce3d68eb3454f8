// Lotus's payment channel API integration tests ported (at b835fab70): itests/paych_api_test.go and
// the API calls behind itests/paych_cli_test.go's `lotus paych` commands (add-funds: PaychFund then
// PaychGetWaitReady; status: PaychAvailableFunds(ByFromTo); voucher create / list / best-spendable /
// add / submit: PaychVoucherCreate, PaychVoucherList + PaychVoucherCheckSpendable, PaychVoucherAdd,
// PaychVoucherSubmit), over raw JSON-RPC as Lotus's kit calls a node. Each test names what it ports.
//
// Lotus runs a creator node and a receiver node; the devnet is one node holding both keys. The
// creator's side runs as in the itests (PaychGet / PaychFund, vouchers made with PaychVoucherCreate).
// The receiver's side needs a node that did not make the vouchers (one that did answers a voucher
// added again with 0, Lotus's "voucher re-added"): it runs on a channel opened by Init Exec outside
// the manager, vouchers signed with WalletSign over their signing bytes, which is what the receiver's
// node sees, and its settler submits the best vouchers once the channel settles. The CLI tests' channel
// of 100000 FIL is 1000 FIL here (the default wallet holds less); the vouchers are the itests'.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { pollUntil } from '../helpers/devnet-process.js';
import { openChannelByExec, signedVoucherJson } from '../helpers/paych.js';
import { rawRpc } from '../helpers/raw-rpc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const FIL = 10n ** 18n;
/** builtin-actors paych SETTLE_DELAY (policy.PaychSettleDelay). */
const SETTLE_DELAY = 1440;

interface VoucherJson {
  ChannelAddr: string;
  Lane: number;
  Nonce: number;
  Amount: string;
  Signature: { Type: number; Data: string } | null;
  [field: string]: unknown;
}

describe('Lotus paych itests (paych_api_test.go, paych_cli_test.go)', () => {
  const node = useDevnet();
  let ok: ReturnType<typeof rawRpc>['ok'];
  let failure: ReturnType<typeof rawRpc>['failure'];
  let creator: string;

  before(async () => {
    ({ ok, failure } = rawRpc(`${node.url}/rpc/v1`));
    creator = await ok('Filecoin.WalletDefaultAddress');
  });

  /** kit.SendFunds: a send from the default wallet, waited for. */
  async function sendFunds(to: string, value: bigint) {
    const signed = await ok('Filecoin.MpoolPushMessage', { From: creator, To: to, Value: value.toString(), Method: 0 }, null);
    assert.equal((await ok('Filecoin.StateWaitMsg', signed.CID, 1, -1, true)).Receipt.ExitCode, 0);
  }
  async function newReceiver() {
    const receiver = await ok('Filecoin.WalletNew', 'secp256k1');
    await sendFunds(receiver, FIL);
    return receiver;
  }
  const waitOk = async (cid: unknown) => assert.equal((await ok('Filecoin.StateWaitMsg', cid, 1, -1, true)).Receipt.ExitCode, 0);

  /** A channel from the creator the node's manager never saw (as the receiver's node sees the creator's). */
  const openOutsideManager = (to: string, amount: bigint) => openChannelByExec(ok, creator, to, amount);
  /** paychtypes.SignedVoucher{ChannelAddr, Amount, Lane, Nonce} signed by the creator, as the itest signs its excess voucher. */
  const creatorVoucher = (channel: string, amount: bigint, lane: number, nonce: number): Promise<VoucherJson> => signedVoucherJson(ok, creator, channel, { amount, lane, nonce });

  /** cli paych voucher best-spendable (paychmgr.BestSpendableByLane): per lane the largest spendable voucher. */
  async function bestSpendable(channel: string): Promise<Map<number, string>> {
    const best = new Map<number, string>();
    for (const v of await ok<VoucherJson[]>('Filecoin.PaychVoucherList', channel)) {
      if (!(await ok('Filecoin.PaychVoucherCheckSpendable', channel, v, null, null))) continue;
      const held = best.get(v.Lane);
      if (held === undefined || BigInt(v.Amount) > BigInt(held)) best.set(v.Lane, v.Amount);
    }
    return best;
  }

  test('itests/paych_api_test.go:TestPaymentChannelsAPI, the creator node: PaychGet, lanes, vouchers and their shortfall, settle', async () => {
    const receiver = await newReceiver();
    const info = await ok('Filecoin.PaychGet', creator, receiver, '7000', { OffChain: false });
    assert.equal(info.Channel, '<empty>');
    const channel = await ok<string>('Filecoin.PaychGetWaitReady', info.WaitSentinel);
    assert.match(channel, /^t2/);
    assert.deepEqual(await ok('Filecoin.PaychStatus', channel), { ControlAddr: creator, Direction: 2 });

    const lanes = [];
    for (let i = 0; i < 3; i++) lanes.push(await ok<number>('Filecoin.PaychAllocateLane', channel));
    assert.deepEqual(lanes, [0, 1, 2]);
    for (const lane of lanes) {
      const vouch1 = await ok('Filecoin.PaychVoucherCreate', channel, '1000', lane);
      assert.notEqual(vouch1.Voucher, null);
      const vouch2 = await ok('Filecoin.PaychVoucherCreate', channel, '2000', lane);
      assert.notEqual(vouch2.Voucher, null);
      // The second has the higher nonce, so it supersedes the first.
      assert.deepEqual([vouch1.Voucher.Nonce, vouch2.Voucher.Nonce, vouch2.Voucher.Lane, vouch2.Voucher.Signature.Type], [1, 2, lane, 1]);
      // The receiver's PaychVoucherAdd on this node, which made the voucher: Lotus's "voucher re-added" adds nothing.
      assert.equal(await ok('Filecoin.PaychVoucherAdd', channel, vouch1.Voucher, null, '1000'), '0');
    }
    // Lane 3 takes the last 1000; lane 4's voucher would exceed the channel's balance.
    assert.notEqual((await ok('Filecoin.PaychVoucherCreate', channel, '1000', 3)).Voucher, null);
    assert.deepEqual(await ok('Filecoin.PaychVoucherCreate', channel, '1000', 4), { Voucher: null, Shortfall: '1000' });
    const funds = await ok('Filecoin.PaychAvailableFunds', channel);
    assert.deepEqual([funds.ConfirmedAmt, funds.NonReservedAmt, funds.VoucherReedeemedAmt, funds.PendingWaitSentinel], ['7000', '0', '7000', null]);

    // Settling: the channel is no longer the pair's active one.
    await waitOk(await ok('Filecoin.PaychSettle', channel));
    assert.ok((await ok('Filecoin.StateReadState', channel, null)).State.SettlingAt > 0);
    assert.equal((await ok('Filecoin.PaychAvailableFundsByFromTo', creator, receiver)).Channel, null);
  });

  test('itests/paych_api_test.go:TestPaymentChannelsAPI, the receiver node: vouchers added, the settler submits them, collect refunds the rest', async () => {
    const receiver = await newReceiver();
    const channel = await openOutsideManager(receiver, 7000n);
    for (const lane of [0, 1, 2]) {
      const vouch1 = await creatorVoucher(channel, 1000n, lane, 1);
      const vouch2 = await creatorVoucher(channel, 2000n, lane, 2);
      assert.equal(await ok('Filecoin.PaychVoucherAdd', channel, vouch1, null, '1000'), '1000', "voucher didn't have the right amount");
      assert.equal(await ok('Filecoin.PaychVoucherAdd', channel, vouch2, null, '1000'), '1000', "voucher didn't have the right amount");
    }
    assert.deepEqual(await ok('Filecoin.PaychStatus', channel), { ControlAddr: receiver, Direction: 1 });

    // The creator settles (its node's PaychSettle: Settle from its key).
    const settle = await ok('Filecoin.MpoolPushMessage', { From: creator, To: channel, Value: '0', Method: 3 }, null);
    await waitOk(settle.CID);
    // The receiver's settler submits each lane's best voucher: wait for ToSend to reach 6000.
    const toSend = await pollUntil('the settler to submit the vouchers', async () => {
      const sent = BigInt((await ok('Filecoin.StateReadState', channel, null)).State.ToSend);
      return sent >= 6000n ? sent : undefined;
    });
    assert.equal(toSend, 6000n);
    assert.deepEqual(
      (await ok<VoucherJson[]>('Filecoin.PaychVoucherList', channel)).map((v) => v.Nonce),
      [1, 2, 1, 2, 1, 2],
    );

    const vouch3 = await creatorVoucher(channel, 1000n, 3, 1);
    assert.equal(await ok('Filecoin.PaychVoucherAdd', channel, vouch3, null, '1000'), '1000', "voucher didn't have the right amount");
    const excess = await failure('Filecoin.PaychVoucherAdd', channel, await creatorVoucher(channel, 1000n, 4, 1), null, '1000');
    assert.equal(excess.message, 'not enough funds in channel to cover voucher - shortfall: 1000');

    const head = await ok('Filecoin.ChainHead');
    await ok('anvil_mine', `0x${(SETTLE_DELAY + 5).toString(16)}`);
    assert.ok((await ok('Filecoin.ChainHead')).Height >= head.Height + SETTLE_DELAY + 5);
    const before = BigInt(await ok('Filecoin.WalletBalance', creator));
    await waitOk(await ok('Filecoin.PaychCollect', channel));
    // channel amount - the highest voucher of each lane (3 × 2000).
    assert.equal(BigInt(await ok('Filecoin.WalletBalance', creator)) - before, 1000n);
  });

  test('itests/paych_cli_test.go:TestPaymentChannelsBasic: add-funds, voucher create, settle, collect once settled', async () => {
    const receiver = await newReceiver();
    const funded = await ok('Filecoin.PaychFund', creator, receiver, (1000n * FIL).toString());
    const channel = await ok<string>('Filecoin.PaychGetWaitReady', funded.WaitSentinel);
    const created = await ok('Filecoin.PaychVoucherCreate', channel, (100n * FIL).toString(), 0);
    assert.notEqual(created.Voucher, null);
    assert.match(await ok<string>('Filecoin.StateLookupID', channel, null), /^t0\d+$/);
    await waitOk(await ok('Filecoin.PaychSettle', channel));
    const settlingAt = (await ok('Filecoin.StateReadState', channel, null)).State.SettlingAt;
    const head = (await ok('Filecoin.ChainHead')).Height;
    await ok('anvil_mine', `0x${(settlingAt - head).toString(16)}`);
    await waitOk(await ok('Filecoin.PaychCollect', channel));
    // Collected: the channel is gone; the node still lists it, and its funds read fails as Lotus's GetPaychState.
    const gone = `resolution lookup failed (${channel}): resolve address ${channel}: actor not found`;
    assert.equal((await failure('Filecoin.StateGetActor', channel, null)).message, gone);
    assert.ok((await ok<string[]>('Filecoin.PaychList')).includes(channel));
    assert.equal((await failure('Filecoin.PaychAvailableFunds', channel)).message, gone);
  });

  test('itests/paych_cli_test.go:TestPaymentChannelStatus: no channel, then its funds confirmed, then a voucher redeemed', async () => {
    const receiver = await newReceiver();
    const none = await ok('Filecoin.PaychAvailableFundsByFromTo', creator, receiver);
    assert.deepEqual(none, {
      Channel: null,
      From: creator,
      To: receiver,
      ConfirmedAmt: '0',
      PendingAmt: '0',
      NonReservedAmt: '0',
      PendingAvailableAmt: '0',
      PendingWaitSentinel: null,
      QueuedAmt: '0',
      VoucherReedeemedAmt: '0',
    });
    const amount = (100n * FIL).toString();
    const info = await ok('Filecoin.PaychFund', creator, receiver, amount);
    const channel = await ok<string>('Filecoin.PaychGetWaitReady', info.WaitSentinel);
    const status = await ok('Filecoin.PaychAvailableFunds', channel);
    assert.deepEqual([status.Channel, status.ConfirmedAmt, status.NonReservedAmt, status.PendingAmt], [channel, amount, amount, '0']);
    await ok('Filecoin.PaychVoucherCreate', channel, (10n * FIL).toString(), 0);
    assert.equal((await ok('Filecoin.PaychAvailableFunds', channel)).VoucherReedeemedAmt, (10n * FIL).toString());
  });

  test('itests/paych_cli_test.go:TestPaymentChannelVouchers: list and best spendable on both sides, submitted vouchers drop out', async () => {
    const receiver = await newReceiver();
    // The creator's node: add-funds, vouchers on lanes 0 and 5.
    const funded = await ok('Filecoin.PaychFund', creator, receiver, (1000n * FIL).toString());
    const outbound = await ok<string>('Filecoin.PaychGetWaitReady', funded.WaitSentinel);
    const specs: [number, bigint][] = [
      [0, 100n],
      [5, 50n],
      [5, 70n],
      [5, 80n],
    ];
    for (const [lane, amount] of specs) assert.notEqual((await ok('Filecoin.PaychVoucherCreate', outbound, (amount * FIL).toString(), lane)).Voucher, null);
    const listed = await ok<VoucherJson[]>('Filecoin.PaychVoucherList', outbound);
    assert.deepEqual(
      listed.map((v) => [v.Lane, BigInt(v.Amount) / FIL]),
      specs,
    );
    assert.deepEqual(await bestSpendable(outbound), new Map([[0, (100n * FIL).toString()], [5, (80n * FIL).toString()]]));

    // The receiver's node: the same vouchers (signed by the creator) on a channel it learns from them.
    const inbound = await openOutsideManager(receiver, 1000n * FIL);
    const vouchers = [];
    const nonces = new Map<number, number>();
    for (const [lane, amount] of specs) {
      const nonce = (nonces.get(lane) ?? 0) + 1;
      nonces.set(lane, nonce);
      vouchers.push(await creatorVoucher(inbound, amount * FIL, lane, nonce));
    }
    for (const v of vouchers) await ok('Filecoin.PaychVoucherAdd', inbound, v, null, '0');
    assert.deepEqual(
      (await ok<VoucherJson[]>('Filecoin.PaychVoucherList', inbound)).map((v) => [v.Lane, BigInt(v.Amount) / FIL]),
      specs,
    );
    assert.deepEqual(await bestSpendable(inbound), new Map([[0, (100n * FIL).toString()], [5, (80n * FIL).toString()]]));
    await waitOk(await ok('Filecoin.PaychVoucherSubmit', inbound, vouchers[0], null, null));
    assert.deepEqual(await bestSpendable(inbound), new Map([[5, (80n * FIL).toString()]]));
    // Submitting lane 5's 50 leaves its 80 the best.
    await waitOk(await ok('Filecoin.PaychVoucherSubmit', inbound, vouchers[1], null, null));
    assert.deepEqual(await bestSpendable(inbound), new Map([[5, (80n * FIL).toString()]]));
    await waitOk(await ok('Filecoin.PaychVoucherSubmit', inbound, vouchers[3], null, null));
    assert.deepEqual(await bestSpendable(inbound), new Map());
    const again = await failure('Filecoin.PaychVoucherSubmit', inbound, vouchers[3], null, null);
    assert.equal(again.message, 'cannot submit voucher that has already been submitted');
  });

  test('itests/paych_cli_test.go:TestPaymentChannelVoucherCreateShortfall: 60 then 70 in a 100 channel falls 30 short', async () => {
    const receiver = await newReceiver();
    const funded = await ok('Filecoin.PaychFund', creator, receiver, (100n * FIL).toString());
    const channel = await ok<string>('Filecoin.PaychGetWaitReady', funded.WaitSentinel);
    assert.notEqual((await ok('Filecoin.PaychVoucherCreate', channel, (60n * FIL).toString(), 1)).Voucher, null);
    assert.deepEqual(await ok('Filecoin.PaychVoucherCreate', channel, (70n * FIL).toString(), 2), { Voucher: null, Shortfall: (30n * FIL).toString() });
  });

  test('a channel whose creation evm_revert undid is no longer listed, and PaychGet opens another', async () => {
    const receiver = await newReceiver();
    const snapshot = await ok('evm_snapshot');
    const info = await ok('Filecoin.PaychGet', creator, receiver, '500', null);
    const channel = await ok<string>('Filecoin.PaychGetWaitReady', info.WaitSentinel);
    assert.ok((await ok<string[]>('Filecoin.PaychList')).includes(channel));
    assert.equal(await ok('evm_revert', snapshot), true);
    assert.ok(!(await ok<string[]>('Filecoin.PaychList')).includes(channel));
    assert.equal((await ok('Filecoin.PaychAvailableFundsByFromTo', creator, receiver)).Channel, null);
    assert.equal((await failure('Filecoin.PaychStatus', channel)).message, 'channel not tracked');
    const reopened = await ok('Filecoin.PaychGet', creator, receiver, '500', null);
    assert.equal(reopened.Channel, '<empty>');
    assert.match(await ok<string>('Filecoin.PaychGetWaitReady', reopened.WaitSentinel), /^t2/);
  });
});

describe('itests/paych_api_test.go:TestPaymentChannelsAPIDisabled (--no-paych-manager, Lotus\'s default config)', () => {
  const node = useDevnet(['--no-paych-manager']);

  test('every Paych* call answers ErrPaymentChannelDisabled (code 13), its params as the itest sends them', async () => {
    const { failure } = rawRpc(`${node.url}/rpc/v1`);
    // go-address's TestAddress and TestAddress2 (constants.go: NewActorAddress of "satoshi" and "nakamoto"), and Go's
    // JSON of an empty SignedVoucher, cid.Undef and nil slices.
    const [a, b] = ['t2i4llai5x72clnz643iydyplvjmni74x4vyme7ny', 't2ydigmboo6yjmbyqxyy3eyxifnreamnhdjzybfuy'];
    const emptyVoucher = { ChannelAddr: '<empty>', TimeLockMin: 0, TimeLockMax: 0, SecretHash: null, Extra: null, Lane: 0, Nonce: 0, Amount: '0', MinSettleHeight: 0, Merges: null, Signature: null };
    const calls: [string, unknown[]][] = [
      ['PaychGet', [a, b, '0', { OffChain: false }]],
      ['PaychFund', [a, b, '0']],
      ['PaychAvailableFunds', [a]],
      ['PaychAvailableFundsByFromTo', [a, b]],
      ['PaychGetWaitReady', [null]],
      ['PaychAllocateLane', [a]],
      ['PaychNewPayment', [a, b, null]],
      ['PaychList', []],
      ['PaychStatus', [a]],
      ['PaychSettle', [a]],
      ['PaychCollect', [a]],
      ['PaychVoucherCheckValid', [a, emptyVoucher]],
      ['PaychVoucherCheckSpendable', [a, emptyVoucher, null, null]],
      ['PaychVoucherAdd', [a, emptyVoucher, null, '0']],
      ['PaychVoucherCreate', [a, '0', 0]],
      ['PaychVoucherList', [a]],
      ['PaychVoucherSubmit', [a, emptyVoucher, null, null]],
    ];
    for (const [method, params] of calls) {
      assert.deepEqual(await failure(`Filecoin.${method}`, ...params), { code: 13, message: 'payment channels disabled (EnablePaymentChannelManager=false)' }, method);
    }
  });

  test('a parameter that does not decode is refused before the stub answers, as go-jsonrpc decodes the PaychAPI types first (handler.go)', async () => {
    const { failure } = rawRpc(`${node.url}/rpc/v1`);
    const a = 't2i4llai5x72clnz643iydyplvjmni74x4vyme7ny';
    const refused: [string, unknown[], string][] = [
      ['PaychStatus', ['not-an-address'], 'pch'],
      ['PaychGet', [a, a, 'ten', { OffChain: false }], 'amt'],
      ['PaychGetWaitReady', [{ '/': 'not-a-cid' }], 'sentinel'],
      ['PaychNewPayment', [a, a, 'x'], 'vouchers'],
      ['PaychVoucherCheckValid', [a, 'not-a-voucher'], 'sv'],
      ['PaychVoucherCreate', [a, '1', -1], 'lane'],
    ];
    for (const [method, params, name] of refused) {
      const { code, message } = await failure(`Filecoin.${method}`, ...params);
      assert.equal(code, -32602, method);
      assert.ok(message.startsWith(`invalid argument '${name}`), `${method}: ${message}`);
    }
  });
});
