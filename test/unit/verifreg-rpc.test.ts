// devnet_addVerifiedClient and the Lotus verified-registry methods over JSON-RPC:
// StateVerifiedClientStatus, StateVerifierStatus, StateVerifiedRegistryRootKey, StateGetAllocation(s),
// StateGetClaim(s) and StateReadState of f06/f07, in Lotus's shapes; the root key multisig t080, and
// a chain saved before it loading with its root key as saved.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { CID, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys, GENESIS_VERIFIER_ALLOWANCE } from '../../src/devnet/node-keys.js';
import { decodeChain } from '../../src/devnet/persistence.js';
import { VERIFREG_ACTOR_ID } from '../../src/fevm/actor.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { actorFromStorable, storableActor } from '../../src/fevm/state-tree.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const keys = deriveNodeKeys(DEFAULT_MNEMONIC);
const CLIENT = '0x00000000000000000000000000000000000c11e0';
const TOKENS = 10n ** 18n;

/** A Lotus JSON message from `from` to `to`, for MpoolPushMessage (the node signs). */
const lotusMessage = (from: string, to: string, method: number, params: unknown) => ({
  Version: 0,
  To: to,
  From: from,
  Nonce: 0,
  Value: '0',
  GasLimit: 0,
  GasFeeCap: '0',
  GasPremium: '0',
  Method: method,
  Params: Buffer.from(encodeCbor(params)).toString('base64'),
});

describe('the verified registry at genesis', () => {
  test('the root key is the multisig t080 of the node-held f1 key at m/44\'/461\'/1\'/0/0; the verifier is at m/44\'/461\'/1\'/0/1', async (t) => {
    const { result } = await setupRpc(t);
    const signerId = await result('Filecoin.StateLookupID', [keys.rootKey.address.toString(), null]);
    assert.equal(await result('Filecoin.StateVerifiedRegistryRootKey', [null]), 't080');
    const root = await result('Filecoin.StateReadState', ['t080', null]);
    assert.deepEqual([root.Balance, root.State.Signers, root.State.NumApprovalsThreshold, root.State.UnlockDuration], ['0', [signerId], 1, 0]);
    assert.equal(await result('Filecoin.StateVerifierStatus', [keys.verifier.address.toString(), null]), GENESIS_VERIFIER_ALLOWANCE.toString());
    assert.equal(await result('Filecoin.StateVerifierStatus', ['t080', null]), null);
    const wallet = await result('Filecoin.WalletList');
    assert.ok(wallet.includes(keys.rootKey.address.toString()) && wallet.includes(keys.verifier.address.toString()));
    const read = await result('Filecoin.StateReadState', ['t06', null]);
    assert.equal(read.State.RootKey, 't080');
    assert.equal(read.State.NextAllocationId, 1);
    const datacap = await result('Filecoin.StateReadState', ['t07', null]);
    assert.deepEqual({ ...datacap.State.Token, Balances: undefined, Allowances: undefined }, { Supply: '0', Balances: undefined, Allowances: undefined, HamtBitWidth: 3 });
    assert.equal(datacap.State.Governor, 't06');
  });

  test('AddVerifier straight from the signer is refused (18), as on Lotus: it goes through MsigPropose', async (t) => {
    const { result, error } = await setupRpc(t);
    const signer = keys.rootKey.address.toString();
    const verifier = FilAddress.fromPayload(1, new Uint8Array(20).fill(9));
    const params = [verifier.bytes, encodeBigInt(1n << 30n)];
    const direct = await error('Filecoin.MpoolPushMessage', [lotusMessage(signer, 't06', 2, params), null]);
    assert.match(direct.message, /exit=\[ErrForbidden\(18\)\].*caller f0\d+ is not one of supported/s);
    const proposal = await result('Filecoin.MsigPropose', ['t080', 't06', '0', signer, 2, Buffer.from(encodeCbor(params)).toString('base64')]);
    const pushed = await result('Filecoin.MpoolPushMessage', [proposal.Message, null]);
    assert.equal((await result('Filecoin.StateSearchMsg', [[], pushed.CID, -1, true])).Receipt.ExitCode, 0);
    assert.equal(await result('Filecoin.StateVerifierStatus', [verifier.toString(), null]), (1n << 30n).toString());
  });
});

describe('a chain saved when the root key was its signer\'s account', () => {
  test('loads with its root key as saved, and that account still adds verifiers itself', async (t) => {
    const a = await setupRpc(t);
    const { fileChecksum: _, ...doc } = decodeCbor<{ state: [number, [string, unknown][]][]; fileChecksum: Uint8Array }>(a.devnet.save());
    const signerId = Number((await a.result('Filecoin.StateLookupID', [keys.rootKey.address.toString(), null])).slice(2));
    // As genesis was before t080: no multisig, the registry's root key the account.
    const genesis = doc.state.find(([epoch]) => epoch === 0)!;
    genesis[1] = genesis[1].filter(([key]) => key !== 'a80').map(([key, value]) => {
      if (key !== `a${VERIFREG_ACTOR_ID}`) return [key, value];
      const registry = actorFromStorable(value);
      return [key, storableActor({ ...registry, verifreg: { ...registry.verifreg!, rootKey: signerId } })];
    });
    const b = await setupRpc(t);
    // Written as a node of that time wrote it: format 2, without the checksum.
    await b.devnet.load(decodeChain(encodeCbor({ ...doc, format: 2 }), 'older'));
    assert.equal(await b.result('Filecoin.StateVerifiedRegistryRootKey', [null]), `t0${signerId}`);
    assert.match((await b.error('Filecoin.StateReadState', ['t080', null])).message, /actor not found/);
    const verifier = FilAddress.fromPayload(1, new Uint8Array(20).fill(10));
    const pushed = await b.result('Filecoin.MpoolPushMessage', [lotusMessage(keys.rootKey.address.toString(), 't06', 2, [verifier.bytes, encodeBigInt(4n << 20n)]), null]);
    assert.equal((await b.result('Filecoin.StateSearchMsg', [[], pushed.CID, -1, true])).Receipt.ExitCode, 0);
    assert.equal(await b.result('Filecoin.StateVerifierStatus', [verifier.toString(), null]), '4194304');
  });
});

describe('devnet_addVerifiedClient', () => {
  test('grants datacap with a mined, signed message from the genesis verifier', async (t) => {
    const { result } = await setupRpc(t);
    const granted = await result('devnet_addVerifiedClient', [CLIENT, '1048576']);
    const clientId = await result('Filecoin.StateLookupID', [FilAddress.fromEthAddress(Buffer.from(CLIENT.slice(2), 'hex')).toString(), null]);
    assert.equal(granted.client, clientId);
    assert.equal(granted.datacap, '1048576');
    const lookup = await result('Filecoin.StateSearchMsg', [[], granted.cid, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    const msg = await result('Filecoin.ChainGetMessage', [granted.cid]);
    assert.equal(msg.From, keys.verifier.address.toString());
    assert.equal(msg.To, 't06');
    assert.equal(msg.Method, 4);
    assert.equal(await result('Filecoin.StateVerifiedClientStatus', [clientId, null]), '1048576');
    assert.equal(await result('Filecoin.StateVerifierStatus', [keys.verifier.address.toString(), null]), (GENESIS_VERIFIER_ALLOWANCE - 1048576n).toString());
    // Again, with a hex quantity: the balance adds up.
    assert.equal((await result('devnet_addVerifiedClient', [clientId, '0x100000'])).datacap, '2097152');
  });

  test('works without instant mining; refusals fail with the registry\'s reason', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const fresh = FilAddress.fromPayload(1, new Uint8Array(20).fill(7)).toString();
    assert.equal((await result('devnet_addVerifiedClient', [fresh, 1048576])).datacap, '1048576');
    const small = await error('devnet_addVerifiedClient', [fresh, '1048575']);
    assert.match(small.message, /allowance 1048575 below MinVerifiedDealSize/);
    const root = await error('devnet_addVerifiedClient', ['t080', '1048576']);
    assert.match(root.message, /root cannot be added as client/);
    assert.equal((await error('devnet_addVerifiedClient', ['nope', '4096'])).code, -32602);
    assert.equal((await error('devnet_addVerifiedClient', [fresh, '-5'])).code, -32602);
  });
});

describe('allocations and claims over Lotus JSON', () => {
  test('StateGetAllocation(s) after a client transfers datacap to f06 with allocation requests; unknown IDs are null, none is {}', async (t) => {
    const { result, error } = await setupRpc(t);
    const provider = (await result('Filecoin.StateListMiners', [null]))[0];
    const providerId = Number(provider.slice(2));
    const root = keys.rootKey.address.toString();
    // A client whose key the node holds, so that MpoolPushMessage can sign its transfer: a provider's owner.
    const owner = (await result('Filecoin.StateMinerInfo', [provider, null])).Owner;
    await result('devnet_addVerifiedClient', [owner, '4194304']);
    assert.deepEqual(await result('Filecoin.StateGetAllocations', [owner, null]), {});
    const head = await result('Filecoin.ChainHead');
    const piece = { '/': 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' };
    const requests = encodeCbor([[[providerId, CID.parse(piece['/']), 2097152, 518400, 600000, head.Height + 100], [providerId, CID.parse(piece['/']), 2097152, 518400, 600000, head.Height + 200]], []]);
    const ownerKey = await result('Filecoin.StateAccountKey', [owner, null]);
    const pushed = await result('Filecoin.MpoolPushMessage', [lotusMessage(ownerKey, 't07', methodNumber('Transfer'), [FilAddress.fromId(VERIFREG_ACTOR_ID).bytes, encodeBigInt((4n << 20n) * TOKENS), requests]), null]);
    const lookup = await result('Filecoin.StateSearchMsg', [[], pushed.CID, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    const allocations = await result('Filecoin.StateGetAllocations', [owner, null]);
    assert.deepEqual(Object.keys(allocations), ['1', '2']);
    assert.deepEqual(allocations['1'], {
      Client: Number(owner.slice(2)),
      Provider: providerId,
      Data: piece,
      Size: 2097152,
      TermMin: 518400,
      TermMax: 600000,
      Expiration: head.Height + 100,
    });
    assert.deepEqual(await result('Filecoin.StateGetAllocation', [owner, 2, null]), { ...allocations['1'], Expiration: head.Height + 200 });
    assert.equal(await result('Filecoin.StateGetAllocation', [owner, 3, null]), null);
    // All of its datacap went to the registry: a zero balance has no entry, so Lotus answers null.
    assert.equal(await result('Filecoin.StateVerifiedClientStatus', [owner, null]), null);
    assert.deepEqual(await result('Filecoin.StateGetClaims', [provider, null]), {});
    assert.equal(await result('Filecoin.StateGetClaim', [provider, 1, null]), null);
    assert.equal(await result('Filecoin.StateVerifiedClientStatus', [root, null]), null);
    assert.match((await error('Filecoin.StateGetAllocations', ['t09999', null])).message, /actor not found/);
  });
});
