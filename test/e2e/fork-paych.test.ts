// A payment channel on a fork of a network with calibnet's actor code CIDs: the upstream (a devnet
// behind a proxy that answers as a calibnet Lotus node would) has a channel from a BLS key to a
// secp256k1 key with a voucher redeemed on lane 0; the fork reads it (its State as the upstream's,
// its lanes from the LaneStates AMT through ChainReadObj), redeems later vouchers against those
// lanes, settles and collects it, while the upstream keeps its channel; and Init's Exec of
// calibnet's paymentchannel code opens a new one on the fork. Keys move with WalletExport/WalletImport.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { CID, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, hex, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { CALIBNET_CODES } from '../helpers/calibnet-codes.js';
import { lotusUpstreamProxy } from '../helpers/lotus-upstream-proxy.js';

const FIL = 10n ** 18n;
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Sends a message from a key the node holds and waits for its receipt. */
async function push(url: string, message: { From: string; To: string; Method: number; Value?: bigint; Params?: Uint8Array }) {
  const { Value = 0n, Params } = message;
  const signed = await rpc(url, 'Filecoin.MpoolPushMessage', [{ ...message, Value: Value.toString(), Params: Params ? base64(Params) : null }, null]);
  return (await rpc(url, 'Filecoin.StateWaitMsg', [signed.CID, 1, -1, true])).Receipt as { ExitCode: number; Return: string };
}

/** A voucher on `lane` for `amount` in total, signed by `payer` with the node's WalletSign over its signing bytes. */
async function voucher(url: string, payer: string, channel: string, lane: number, nonce: number, amount: bigint): Promise<unknown[]> {
  const fields = [FilAddress.parse(channel).bytes, 0, 0, new Uint8Array(), null, lane, nonce, encodeBigInt(amount), 0, []];
  const { Type, Data } = await rpc(url, 'Filecoin.WalletSign', [payer, base64(encodeCbor([...fields, null]))]);
  return [...fields, new Uint8Array([Type, ...Buffer.from(Data, 'base64')])];
}

const redeem = (url: string, payee: string, channel: string, sv: unknown[]) => push(url, { From: payee, To: channel, Method: 2, Params: encodeCbor([sv, new Uint8Array()]) });

describe("a payment channel on a fork of a network with calibnet's code CIDs", () => {
  let upstream: DevnetProcess | undefined;
  let proxy: { url: string; close: () => Promise<void> } | undefined;
  let fork: DevnetProcess | undefined;
  let payer: string;
  let payee: string;
  let channel: string;

  useForkSuite('fvm-fork-paych-', () => [fork, proxy, upstream]);

  before(async () => {
    upstream = await startDevnet();
    payee = await rpc(upstream.url, 'Filecoin.WalletDefaultAddress');
    payer = await rpc(upstream.url, 'Filecoin.WalletNew', ['bls']);
    assert.equal((await push(upstream.url, { From: payee, To: payer, Method: 0, Value: 100n * FIL })).ExitCode, 0);
    // The upstream's own paymentchannel code (its identity CID), which the proxy shows as calibnet's.
    const code = (await rpc(upstream.url, 'Filecoin.StateActorCodeCIDs', [28])).paymentchannel;
    const params = encodeCbor([CID.parse(code['/']), encodeCbor([FilAddress.parse(payer).bytes, FilAddress.parse(payee).bytes])]);
    const opened = await push(upstream.url, { From: payer, To: 't01', Method: 2, Value: 10n * FIL, Params: params });
    assert.equal(opened.ExitCode, 0);
    channel = FilAddress.fromBytes(decodeCbor<[Uint8Array, Uint8Array]>(Buffer.from(opened.Return, 'base64'))[1]).toString('t');
    assert.equal((await redeem(upstream.url, payee, channel, await voucher(upstream.url, payer, channel, 0, 1, 2n * FIL))).ExitCode, 0);
    // The fork point, and an empty tipset after it: the devnet's state there is Lotus's parent state of it.
    await rpc(upstream.url, 'anvil_mine', [hex(2)]);
    proxy = await lotusUpstreamProxy(upstream.url, { codes: CALIBNET_CODES });
    fork = await startDevnet(['--fork-url', proxy.url, '--fork-block-number', String((await head(upstream.url)) - 1), '--storage-providers', '0']);
    for (const key of [payer, payee]) await rpc(fork.url, 'Filecoin.WalletImport', [await rpc(upstream.url, 'Filecoin.WalletExport', [key])]);
  });

  test("the upstream's channel is read as the upstream has it: calibnet's Code, its State and Head, its lanes", async () => {
    const [ours, theirs] = await Promise.all([fork!.url, proxy!.url].map((url) => rpc(url, 'Filecoin.StateReadState', [channel, null])));
    assert.deepEqual(ours.Code, { '/': CALIBNET_CODES.paymentchannel });
    assert.deepEqual(ours.State, theirs.State);
    assert.equal(ours.State.ToSend, (2n * FIL).toString());
    assert.deepEqual((await rpc(fork!.url, 'Filecoin.StateGetActor', [channel, null])).Head, (await rpc(proxy!.url, 'Filecoin.StateGetActor', [channel, null])).Head);
  });

  test('on the fork: vouchers against its lanes, settle, collect; the upstream keeps its channel', async () => {
    // Lane 0's nonce 1 is spent upstream: the fork knows it (its gas estimate fails as builtin-actors refuses it).
    await assert.rejects(redeem(fork!.url, payee, channel, await voucher(fork!.url, payer, channel, 0, 1, 3n * FIL)), /voucher has an outdated nonce, existing: 1, voucher: 1/);
    assert.equal((await redeem(fork!.url, payee, channel, await voucher(fork!.url, payer, channel, 0, 2, 5n * FIL))).ExitCode, 0);
    assert.equal((await redeem(fork!.url, payee, channel, await voucher(fork!.url, payer, channel, 1, 1, 1n * FIL))).ExitCode, 0);
    assert.equal((await rpc(fork!.url, 'Filecoin.StateReadState', [channel, null])).State.ToSend, (6n * FIL).toString());

    assert.equal((await push(fork!.url, { From: payer, To: channel, Method: 3 })).ExitCode, 0);
    const { SettlingAt } = (await rpc(fork!.url, 'Filecoin.StateReadState', [channel, null])).State;
    await rpc(fork!.url, 'anvil_mine', [hex(SettlingAt - (await head(fork!.url)))]);
    const payeeBefore = BigInt(await rpc(fork!.url, 'Filecoin.WalletBalance', [payee]));
    assert.equal((await push(fork!.url, { From: payer, To: channel, Method: 4 })).ExitCode, 0);
    // The payee, who sent nothing, gets ToSend exactly; the channel is gone on the fork only.
    assert.equal(BigInt(await rpc(fork!.url, 'Filecoin.WalletBalance', [payee])), payeeBefore + 6n * FIL);
    await assert.rejects(rpc(fork!.url, 'Filecoin.StateGetActor', [channel, null]), /actor not found/);
    assert.equal((await rpc(proxy!.url, 'Filecoin.StateGetActor', [channel, null])).Balance, (10n * FIL).toString());
  });

  test("Init's Exec of calibnet's paymentchannel code opens a channel on the fork", async () => {
    const params = encodeCbor([CID.parse(CALIBNET_CODES.paymentchannel!), encodeCbor([FilAddress.parse(payer).bytes, FilAddress.parse(payee).bytes])]);
    const opened = await push(fork!.url, { From: payer, To: 't01', Method: 2, Value: 1n * FIL, Params: params });
    assert.equal(opened.ExitCode, 0);
    const [id] = decodeCbor<[Uint8Array, Uint8Array]>(Buffer.from(opened.Return, 'base64'));
    const made = await rpc(fork!.url, 'Filecoin.StateGetActor', [FilAddress.fromBytes(id).toString('t'), null]);
    assert.deepEqual([made.Code, made.Balance], [{ '/': CALIBNET_CODES.paymentchannel }, (1n * FIL).toString()]);
  });
});
