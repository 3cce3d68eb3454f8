// A payment channel of the upstream, forked from a public gateway (--gateway-only): its State comes
// from StateReadState and its lanes from the LaneStates AMT through ChainReadObj, both of which a
// gateway serves; on the fork, a later voucher (its lane's spent nonce refused first) is redeemed by
// the payee, signing the message with its key and pushing it with MpoolPush, on the fork only.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { NativeWallet } from '../../src/devnet/wallet.js';
import { codeCid, INIT_ACTOR_ID } from '../../src/fevm/actor.js';
import { InitMethod } from '../../src/fevm/actors/init.js';
import { PaychMethod } from '../../src/fevm/actors/paych/state.js';
import { signedMessageCid, type Message } from '../../src/fevm/message.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { nativeKey, nativeMessage as message } from '../helpers/hostile.js';
import { rpc } from '../helpers/fork-calls.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const FIL = 10n ** 18n;
const PAYER_SECRET = new Uint8Array(32).fill(41);
const payerKeys = new NativeWallet();
const payer = payerKeys.import('secp256k1', PAYER_SECRET);
const payee = nativeKey(42);

/** UpdateChannelStateParams of a voucher on `lane` for `amount` in total, signed by the payer over its signing bytes. */
function update(channel: FilAddress, lane: number, nonce: number, amount: bigint): unknown[] {
  const fields = [channel.bytes, 0, 0, new Uint8Array(), null, lane, nonce, encodeBigInt(amount), 0, []];
  const signature = payerKeys.sign(payer, encodeCbor([...fields, null]));
  return [[...fields, new Uint8Array([signature.type, ...signature.data])], new Uint8Array()];
}

/** A gateway upstream holding a channel of 10 FIL from the payer to the payee, 2 FIL redeemed on lane 0. */
async function upstreamWithChannel(t: TestContext) {
  const upstream = await startDevnet(testConfig({ gatewayOnly: true }));
  t.after(() => upstream.close());
  await upstream.devnet.wallet.import('secp256k1', PAYER_SECRET);
  await upstream.devnet.wallet.import('secp256k1', new Uint8Array(32).fill(42));
  for (const address of [payer, payee.address]) await upstream.devnet.cheats.fundNative(address, 100n * FIL);
  const mined = async (msg: Message) => {
    const signed = await upstream.devnet.pushWithWallet(msg);
    const { message: included } = await upstream.devnet.waitForMessage(signedMessageCid(signed));
    assert.equal(included.receipt.exitCode, 0);
    return included.receipt.returnData;
  };
  const exec = [codeCid('paymentchannel'), encodeCbor([payer.bytes, payee.address.bytes])];
  const [idBytes] = decodeCbor<[Uint8Array, Uint8Array]>(await mined(message(payer, FilAddress.fromId(INIT_ACTOR_ID), InitMethod.Exec, exec, 10n * FIL)));
  const channel = FilAddress.fromBytes(idBytes);
  await mined(message(payee.address, channel, PaychMethod.UpdateChannelState, update(channel, 0, 1, 2n * FIL)));
  return { upstream, channel, epoch: upstream.devnet.head.epoch };
}

describe('fork: a payment channel of a gateway upstream', () => {
  test("reads as the upstream's (State, Head, lanes); a later voucher is redeemed on the fork only", async (t) => {
    const { upstream, channel, epoch } = await upstreamWithChannel(t);
    const { result } = await setupRpc(t, { fork: { url: upstream.url, blockNumber: epoch } });
    const theirs = await rpc(upstream.url, 'Filecoin.StateReadState', [channel.toString(), null]);
    assert.equal(theirs.State.ToSend, (2n * FIL).toString());
    assert.deepEqual(await result('Filecoin.StateReadState', [channel.toString(), null]), theirs);

    /** The payee's UpdateChannelState, signed with its key and pushed (MpoolPush), and its receipt's exit code. */
    const redeem = async (params: unknown[]) => {
      const nonce = await result('Filecoin.MpoolGetNonce', [payee.address.toString()]);
      const cid = await result('Filecoin.MpoolPush', [payee.sign(message(payee.address, channel, PaychMethod.UpdateChannelState, params, 0n, nonce))]);
      return (await result('Filecoin.StateWaitMsg', [cid, 1, -1, true])).Receipt.ExitCode;
    };
    // Lane 0's nonce 1 is spent upstream: the fork read the lane, and builtin-actors' check refuses it (16).
    const stale = update(channel, 0, 1, 3n * FIL);
    const lotusMessage = { Version: 0, To: channel.toString(), From: payee.address.toString(), Nonce: 0, Value: '0', GasLimit: 0, GasFeeCap: '0', GasPremium: '0', Method: PaychMethod.UpdateChannelState, Params: Buffer.from(encodeCbor(stale)).toString('base64') };
    assert.match((await result('Filecoin.StateCall', [lotusMessage, null])).Error, /voucher has an outdated nonce, existing: 1, voucher: 1/);
    assert.equal(await redeem(stale), 16);
    assert.equal(await redeem(update(channel, 0, 2, 5n * FIL)), 0);
    assert.equal((await result('Filecoin.StateReadState', [channel.toString(), null])).State.ToSend, (5n * FIL).toString());
    assert.equal((await rpc(upstream.url, 'Filecoin.StateReadState', [channel.toString(), null])).State.ToSend, (2n * FIL).toString());
  });

  test('the payment channel manager on the fork: a voucher on the upstream channel added (its lanes read from the upstream), a new channel opened', async (t) => {
    const { upstream, channel, epoch } = await upstreamWithChannel(t);
    const { result, devnet } = await setupRpc(t, { fork: { url: upstream.url, blockNumber: epoch } });
    await devnet.wallet.import('secp256k1', PAYER_SECRET);
    await devnet.wallet.import('secp256k1', new Uint8Array(32).fill(42));
    // The payee's node learns the channel from a voucher: 5 FIL on lane 0, where the upstream redeemed 2.
    const [voucher] = update(channel, 0, 2, 5n * FIL) as [unknown[]];
    const signature = voucher[10] as Uint8Array;
    const json = { ChannelAddr: channel.toString(), TimeLockMin: 0, TimeLockMax: 0, SecretHash: null, Extra: null, Lane: 0, Nonce: 2, Amount: (5n * FIL).toString(), MinSettleHeight: 0, Merges: null, Signature: { Type: signature[0], Data: Buffer.from(signature.subarray(1)).toString('base64') } };
    assert.equal(await result('Filecoin.PaychVoucherAdd', [channel.toString(), json, null, '0']), (3n * FIL).toString());
    assert.deepEqual(await result('Filecoin.PaychStatus', [channel.toString()]), { ControlAddr: payee.address.toString(), Direction: 1 });
    // The payer opens a channel of its own on the fork.
    const opened = await result('Filecoin.PaychGet', [payer.toString(), payee.address.toString(), '1000', null]);
    const created = await result('Filecoin.PaychGetWaitReady', [opened.WaitSentinel]);
    assert.equal((await result('Filecoin.PaychAvailableFunds', [created])).ConfirmedAmt, '1000');
  });
});
