// Lotus's v0 Msig* methods at /rpc/v0, through Glif's Lotus client: where v1 answers a
// MessagePrototype, v0 signs the message with the node's wallet, pushes it and answers its CID, which
// v0's StateWaitMsg(cid, confidence) and StateSearchMsg(cid) then find. A 2-of-2 multisig of two keys
// the node holds is created, pays out through propose and approve, and gains a signer through
// MsigAddPropose and MsigAddApprove. v1 at the same time still only builds the message.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';
import { glifClient, type LotusClient } from '../helpers/glif.js';
import { useDevnet } from '../helpers/use-devnet.js';

const FIL = 10n ** 18n;
const returned = (receipt: { Return: string }) => Buffer.from(receipt.Return, 'base64');

describe('Msig* at /rpc/v0: pushed from the node wallet, answered by CID (Glif client)', () => {
  const node = useDevnet();
  let v0: LotusClient;
  let v1: LotusClient;

  before(() => {
    v0 = glifClient(node.url, '/rpc/v0');
    v1 = glifClient(node.url);
  });

  /** Waits with v0's StateWaitMsg(cid, confidence), checks v0's StateSearchMsg(cid) agrees, and answers the receipt. */
  const landed = async (cid: { '/': string }) => {
    assert.match(cid['/'], /^bafy2bz/);
    const waited = await v0.request('StateWaitMsg', cid, 1);
    // The same lookup, but for ReturnDec: only StateWaitMsg decodes the return, as Lotus (F16).
    assert.deepEqual(await v0.request('StateSearchMsg', cid), { ...waited, ReturnDec: null });
    assert.deepEqual(waited.Message, cid);
    return waited.Receipt;
  };

  // Glif's client defaults to /rpc/v0; the lotus CLI checks this version (cli/miner/init.go: "Remote API version didn't match") (W4).
  test('Version answers v0\'s API version (1.5.0) at /rpc/v0 and v1\'s (2.3.0) at /rpc/v1, as Lotus', async () => {
    const [atV0, atV1] = [await v0.request('Version'), await v1.request('Version')];
    assert.equal(atV0.APIVersion, 0x010500);
    assert.equal(atV1.APIVersion, 0x020300);
    assert.equal(atV0.Version, atV1.Version);
  });

  test('create, propose, approve and add a signer, each one call', async () => {
    const a = await v0.request('WalletDefaultAddress');
    const b = await v0.request('WalletNew', 'secp256k1');
    const newSigner = await v0.request('WalletNew', 'secp256k1');
    const funded = await v0.request('MpoolPushMessage', { From: a, To: b, Value: (10n * FIL).toString(), Method: 0 }, null);
    assert.equal((await landed(funded.CID)).ExitCode, 0);

    // v1 builds the message and pushes nothing: the sender's nonce does not move.
    const nonce = await v1.request('MpoolGetNonce', a);
    const prototype = await v1.request('MsigCreate', 2, [a, b], 0, (5n * FIL).toString(), a, '0');
    assert.equal(prototype.ValidNonce, false);
    assert.equal(await v1.request('MpoolGetNonce', a), nonce);

    // v0 pushes it from A and answers the CID of the signed message.
    const createReceipt = await landed(await v0.request('MsigCreate', 2, [a, b], 0, (5n * FIL).toString(), a, '0'));
    assert.equal(createReceipt.ExitCode, 0);
    assert.equal(await v1.request('MpoolGetNonce', a), nonce + 1);
    const [idBytes] = decodeCbor<[Uint8Array, Uint8Array]>(returned(createReceipt));
    const msig = FilAddress.fromBytes(idBytes).toString('t');
    assert.equal(await v0.request('WalletBalance', msig), (5n * FIL).toString());

    // A proposes paying B 2 FIL; B approves by transaction ID, and the multisig pays.
    assert.equal((await landed(await v0.request('MsigPropose', msig, b, (2n * FIL).toString(), a, 0, null))).ExitCode, 0);
    const [pending] = await v0.request('MsigGetPending', msig, null);
    assert.deepEqual([pending.ID, pending.To, pending.Value], [0, b, (2n * FIL).toString()]);
    const approved = await landed(await v0.request('MsigApprove', msig, 0, b));
    assert.equal(approved.ExitCode, 0);
    assert.deepEqual(decodeCbor(returned(approved)), [true, 0, new Uint8Array()]);
    assert.equal(await v0.request('WalletBalance', msig), (3n * FIL).toString());
    assert.deepEqual(await v0.request('MsigGetPending', msig, null), []);

    // A proposes a third signer; B approves it with the proposal's hash (MsigAddApprove names the proposer).
    assert.equal((await landed(await v0.request('MsigAddPropose', msig, a, newSigner, false))).ExitCode, 0);
    assert.equal((await landed(await v0.request('MsigAddApprove', msig, b, 1, a, newSigner, false))).ExitCode, 0);
    const ids = await Promise.all([a, b, newSigner].map((s) => v0.request('StateLookupID', s, null)));
    assert.deepEqual((await v0.request('StateReadState', msig, null)).State.Signers, ids);
  });

  test('a sender with no actor is refused at v0 as its MpoolPushMessage estimate fails, and nothing is pushed', async () => {
    const a = await v0.request('WalletDefaultAddress');
    const stranger = 't1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba';
    const pending = (await v0.request('MpoolPending', null)).length;
    await assert.rejects(v0.request('MsigCreate', 1, [a], 0, '0', stranger, '0'), /GasEstimateMessageGas error: .*sender t1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba not found on chain/);
    await assert.rejects(v0.request('MsigCreate', 2, [a], 0, '0', a, '0'), /cannot require signing of more addresses than provided/);
    assert.equal((await v0.request('MpoolPending', null)).length, pending);
  });
});
