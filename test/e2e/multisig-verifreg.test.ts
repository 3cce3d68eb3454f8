// A verifier added the way `lotus-shed verifreg add-verifier` adds one on a Lotus devnet (and the way
// filecoin-solidity's registerVerifier test util calls it): StateVerifiedRegistryRootKey names the root
// key multisig (t080), MsigPropose from its signer builds an AddVerifier proposal, MpoolPushMessage
// signs and pushes it, and with one approval needed the registry adds the verifier at once. The new
// verifier then grants datacap as `lotus filplus grant-datacap` does. Calls go through Glif's Lotus client.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { decodeCbor } from '../../src/common/cbor.js';
import { glifClient, type LotusClient } from '../helpers/glif.js';
import { useDevnet } from '../helpers/use-devnet.js';

const FIL = 10n ** 18n;
const ALLOWANCE = 1n << 40n;
const GRANT = 1n << 20n;

describe('AddVerifier through the root key multisig, as lotus-shed proposes it (Glif client)', () => {
  const node = useDevnet();
  let lotus: LotusClient;

  before(() => {
    lotus = glifClient(node.url);
  });

  const waitReceipt = async (message: unknown) => {
    const signed = await lotus.request('MpoolPushMessage', message, null);
    return (await lotus.request('StateWaitMsg', signed.CID, 1, -1, true)).Receipt;
  };

  test('MsigPropose from the signer adds a verifier, which then grants datacap', async () => {
    const rootKey = await lotus.request('StateVerifiedRegistryRootKey', null);
    assert.equal(rootKey, 't080');
    const { State } = await lotus.request('StateReadState', rootKey, null);
    assert.equal(State.NumApprovalsThreshold, 1);
    const signer = await lotus.request('StateAccountKey', State.Signers[0], null);
    assert.equal(await lotus.request('WalletHas', signer), true);

    // The new verifier: a key the node makes, funded to pay for its grants.
    const notary = await lotus.request('WalletNew', 'secp256k1');
    const funder = await lotus.request('WalletDefaultAddress');
    assert.equal((await waitReceipt({ From: funder, To: notary, Value: (10n * FIL).toString(), Method: 0 })).ExitCode, 0);

    const registryCode = (await lotus.request('StateActorCodeCIDs', 28)).verifiedregistry;
    const params = await lotus.request('StateEncodeParams', registryCode, 2, { Address: notary, Allowance: ALLOWANCE.toString() });
    const proposal = await lotus.request('MsigPropose', rootKey, 't06', '0', signer, 2, params);
    const proposed = await waitReceipt(proposal.Message);
    assert.equal(proposed.ExitCode, 0);
    // ProposeReturn: transaction 0, applied with the proposer's approval, the registry's exit code 0.
    assert.deepEqual(decodeCbor(Buffer.from(proposed.Return, 'base64')), [0, true, 0, new Uint8Array()]);
    assert.equal(await lotus.request('StateVerifierStatus', notary, null), ALLOWANCE.toString());
    assert.deepEqual(await lotus.request('MsigGetPending', rootKey, null), []);

    // The verifier grants datacap to a fresh client with AddVerifiedClient (4).
    const client = await lotus.request('WalletNew', 'secp256k1');
    const grant = await lotus.request('StateEncodeParams', registryCode, 4, { Address: client, Allowance: GRANT.toString() });
    assert.equal((await waitReceipt({ From: notary, To: 't06', Value: '0', Method: 4, Params: grant })).ExitCode, 0);
    assert.equal(await lotus.request('StateVerifiedClientStatus', client, null), GRANT.toString());
    assert.equal(await lotus.request('StateVerifierStatus', notary, null), (ALLOWANCE - GRANT).toString());
  });
});
