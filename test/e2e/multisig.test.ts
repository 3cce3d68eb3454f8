// A 2-of-3 multisig with real clients against the devnet CLI: two f1 keys (one held by iso-filecoin,
// which signs locally and pushes with MpoolPush; one the node holds, pushed with MpoolPushMessage)
// and a Solidity contract signer named by its f410 address. MsigCreate makes it through Init Exec
// with 100 FIL vesting over 1 000 epochs; a payout to the contract is proposed, refused while the
// funds are locked, approved once enough has vested, and paid. The contract is a signer, but it
// cannot propose or approve, as on calibnet: the multisig's methods are numbered below 1024, which
// call_actor refuses, and builtin-actors refuses EVM callers of internal methods (below 2^24) anyway.
// Calls go through Glif's Lotus client.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, JsonRpcProvider, Wallet } from 'ethers';
import { RPC } from 'iso-filecoin/rpc';
import { create } from 'iso-filecoin/wallet';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { compileFixtures } from '../helpers/solc.js';
import { fundFromDefaultWallet, glifClient, pushSignedByIso, type LotusClient } from '../helpers/glif.js';
import { useDevnet } from '../helpers/use-devnet.js';

const FIL = 10n ** 18n;
const INITIAL = 100n * FIL;
const UNLOCK_DURATION = 1000;
const PAYOUT = 20n * FIL;
/** Locked at height h (MsigCreate starts vesting at epoch 0): ceil(initial × (duration − h) / duration). */
const locked = (h: number) => (h >= UNLOCK_DURATION ? 0n : (INITIAL * BigInt(UNLOCK_DURATION - h) + BigInt(UNLOCK_DURATION) - 1n) / BigInt(UNLOCK_DURATION));
const returned = (receipt: { Return: string }) => Buffer.from(receipt.Return, 'base64');

describe('a 2-of-3 multisig of two f1 keys and a contract, vesting, with Glif and iso-filecoin', () => {
  const node = useDevnet();
  let lotus: LotusClient;
  let iso: RPC;
  let provider: JsonRpcProvider;

  before(() => {
    lotus = glifClient(node.url);
    iso = new RPC({ api: `${node.url}/rpc/v1`, network: 'testnet' });
    provider = node.provider;
  });

  test('created, proposed, held back by vesting, approved and paid out', async () => {
    // Signer A: a key only iso-filecoin holds. Signer B: a key the node makes. Both funded from the node's default wallet.
    const a = create('SECP256K1', 'testnet');
    const aAddress = a.address.toString();
    const b = await lotus.request('WalletNew', 'secp256k1');
    await fundFromDefaultWallet(lotus, [aAddress, b], 500n * FIL);
    // A prototype from A: iso-filecoin fills nonce and gas, signs, and the node takes it with MpoolPush.
    const pushFromA = async (prototype: { Message: any; ValidNonce: boolean }) => {
      assert.equal(prototype.ValidNonce, false);
      return (await pushSignedByIso(lotus, iso, a, prototype.Message)).Receipt;
    };
    const pushFromNode = async (prototype: { Message: any }) => {
      const signed = await lotus.request('MpoolPushMessage', prototype.Message, null);
      return (await lotus.request('StateWaitMsg', signed.CID, 1, -1, true)).Receipt;
    };

    // Signer C: a contract, named by its f410 address.
    const { FilecoinApiCaller } = await compileFixtures();
    const deployer = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
    const factory = new ContractFactory(FilecoinApiCaller!.abi, FilecoinApiCaller!.bytecode, deployer);
    const contract = (await (await factory.deploy()).waitForDeployment()) as Contract;
    const contractEth = await contract.getAddress();
    const contractF410 = await lotus.request('EthAddressToFilecoinAddress', contractEth);

    // MsigCreate: Init Exec from A, 2 of [A, B, contract], 100 FIL vesting over 1 000 epochs.
    const created = await pushFromA(await lotus.request('MsigCreate', 2, [aAddress, b, contractF410], UNLOCK_DURATION, INITIAL.toString(), aAddress, '0'));
    assert.equal(created.ExitCode, 0);
    const [idBytes] = decodeCbor<[Uint8Array, Uint8Array]>(returned(created));
    const idAddress = FilAddress.fromBytes(idBytes).id!;
    const msig = `t0${idAddress}`;
    const ids = await Promise.all([aAddress, b, contractF410].map((s) => lotus.request('StateLookupID', s, null)));
    const state = (await lotus.request('StateReadState', msig, null)).State;
    assert.deepEqual([state.Signers, state.NumApprovalsThreshold, state.InitialBalance, state.UnlockDuration], [ids, 2, INITIAL.toString(), UNLOCK_DURATION]);
    const createdAt = await lotus.request('ChainHead');
    assert.equal(await lotus.request('MsigGetAvailableBalance', msig, createdAt.Cids), (INITIAL - locked(createdAt.Height)).toString());

    // The contract signer cannot propose or approve: call_actor_id refuses methods 1-1023 (the multisig's
    // Propose is 2, Approve 3), so filecoin-solidity's callByID reverts with FailToCallActor.
    const multisigCode = (await lotus.request('StateActorCodeCIDs', 28)).multisig;
    const proposeParams = await lotus.request('StateEncodeParams', multisigCode, 2, { To: contractF410, Value: PAYOUT.toString(), Method: 0, Params: null });
    await assert.rejects(contract.callById.staticCall(idAddress, 2, 0, 0, 0x51, Buffer.from(proposeParams, 'base64')), /FailToCallActor/);
    const approveParams = await lotus.request('StateEncodeParams', multisigCode, 3, { ID: 0, ProposalHash: null });
    await assert.rejects(contract.callById.staticCall(idAddress, 3, 0, 0, 0x51, Buffer.from(approveParams, 'base64')), /FailToCallActor/);

    // A proposes paying the contract 20 FIL: pending with A's approval.
    const proposed = await pushFromA(await lotus.request('MsigPropose', msig, contractF410, PAYOUT.toString(), aAddress, 0, null));
    assert.equal(proposed.ExitCode, 0);
    const [pending] = await lotus.request('MsigGetPending', msig, null);
    assert.deepEqual([pending.ID, pending.To, pending.Value, pending.Approved], [0, contractF410, PAYOUT.toString(), [ids[0]]]);

    // B's approval would spend locked funds: the node refuses the push (its gas estimate fails) and nothing changes.
    const approval = await lotus.request('MsigApproveTxnHash', msig, 0, aAddress, contractF410, PAYOUT.toString(), b, 0, null);
    await assert.rejects(lotus.request('MpoolPushMessage', approval.Message, null), /would be less than required locked amount/);
    assert.equal((await lotus.request('MsigGetPending', msig, null)).length, 1);

    // Mine until 20 FIL has vested (height 200 of 1 000), then B approves and the wallet pays.
    const height = (await lotus.request('ChainHead')).Height;
    await provider.send('anvil_mine', [`0x${(210 - height).toString(16)}`]);
    const vestedAt = await lotus.request('ChainHead');
    assert.equal(await lotus.request('MsigGetAvailableBalance', msig, vestedAt.Cids), (INITIAL - locked(vestedAt.Height)).toString());
    assert.equal(await lotus.request('MsigGetVested', msig, createdAt.Cids, vestedAt.Cids), (locked(createdAt.Height) - locked(vestedAt.Height)).toString());
    const before = await provider.getBalance(contractEth);
    const approved = await pushFromNode(approval);
    assert.equal(approved.ExitCode, 0);
    assert.deepEqual(decodeCbor(returned(approved)), [true, 0, new Uint8Array()]);
    assert.equal(await provider.getBalance(contractEth), before + PAYOUT);
    assert.equal(await lotus.request('WalletBalance', msig), (INITIAL - PAYOUT).toString());
    assert.deepEqual(await lotus.request('MsigGetPending', msig, null), []);
    const head = await lotus.request('ChainHead');
    assert.equal(await lotus.request('MsigGetAvailableBalance', msig, head.Cids), (INITIAL - PAYOUT - locked(head.Height)).toString());
    assert.deepEqual(await lotus.request('MsigGetVestingSchedule', msig, null), { InitialBalance: INITIAL.toString(), StartEpoch: 0, UnlockDuration: UNLOCK_DURATION });
  });
});
