// The Lotus multisig methods through the JSON-RPC server: the v1 builders (MsigCreate, MsigPropose,
// MsigApprove(TxnHash), MsigCancel(TxnHash), MsigAdd*, MsigSwap*, MsigRemoveSigner) answer
// MessagePrototypes that the node's wallet signs and pushes (MpoolPushMessage), and the readers
// (MsigGetPending, MsigGetVestingSchedule, MsigGetAvailableBalance, MsigGetVested, StateReadState,
// StateDecodeParams) show what they did; bad input is -32602 naming the argument.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const FIL = 10n ** 18n;
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const returned = (receipt: { Return: string | null }): any => decodeCbor(Buffer.from(receipt.Return ?? '', 'base64'));

/** A devnet with three funded secp256k1 keys the node holds, and helpers to push prototypes. */
async function multisigNode(t: TestContext) {
  const rpc = await setupRpc(t);
  const { result } = rpc;
  const keys: string[] = [];
  for (let i = 0; i < 4; i++) {
    const key = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: key, Value: (1000n * FIL).toString(), Method: 0 }, null]);
    keys.push(key);
  }
  /** Signs and pushes a prototype's message from the node's wallet; the receipt once mined. */
  const push = async (prototype: { Message: Record<string, unknown>; ValidNonce: boolean }) => {
    const signed = await result('Filecoin.MpoolPushMessage', [prototype.Message, null]);
    return (await result('Filecoin.StateSearchMsg', [null, signed.CID, -1, true])).Receipt;
  };
  const balance = async (address: string) => BigInt(await result('Filecoin.WalletBalance', [address]));
  return { ...rpc, keys, push, balance };
}

describe('MsigCreate and the readers', () => {
  test('StateCirculatingSupply counts a vesting wallet\'s balance as it vests (Lotus\'s LockedBalance at the height)', async (t) => {
    const { result, keys, push } = await multisigNode(t);
    const [a, b] = keys;
    assert.equal((await push(await result('Filecoin.MsigCreate', [1, [a, b], 100, (300n * FIL).toString(), a, '0']))).ExitCode, 0);
    const supply = async () => BigInt(await result('Filecoin.StateCirculatingSupply', [null]));
    const before = await supply();
    // An empty tipset: a quarter of a miner's 5 FIL block reward (three quarters are locked, vesting over 180
    // days, as builtin-actors' ApplyRewards locks them), and 3 FIL of the 300 vests (1/100 an epoch).
    await result('evm_mine');
    assert.equal((await supply()) - before, (5n * FIL) / 4n + 3n * FIL);
  });

  test('a 2-of-3 wallet created through Init Exec, vesting over 100 epochs from epoch 0', async (t) => {
    const { result, keys, push } = await multisigNode(t);
    const [a, b, c] = keys;
    const prototype = await result('Filecoin.MsigCreate', [2, [a, b, c], 100, (300n * FIL).toString(), a, '0']);
    assert.equal(prototype.ValidNonce, false);
    assert.deepEqual(
      [prototype.Message.To, prototype.Message.From, prototype.Message.Method, prototype.Message.Value, prototype.Message.Nonce, prototype.Message.GasLimit],
      ['t01', a, 2, (300n * FIL).toString(), 0, 0],
    );
    const exec = await result('Filecoin.StateDecodeParams', ['t01', 2, prototype.Message.Params, null]);
    assert.deepEqual(exec.CodeCID, (await result('Filecoin.StateActorCodeCIDs', [28])).multisig);
    const receipt = await push(prototype);
    assert.equal(receipt.ExitCode, 0);
    const [idBytes, robustBytes] = returned(receipt);
    const msig = FilAddress.fromBytes(idBytes).toString('t');
    assert.equal(await result('Filecoin.StateLookupID', [FilAddress.fromBytes(robustBytes).toString('t'), null]), msig);
    const constructor = await result('Filecoin.StateDecodeParams', [msig, 1, exec.ConstructorParams, null]);
    assert.deepEqual(constructor, { Signers: [a, b, c], NumApprovalsThreshold: 2, UnlockDuration: 100, StartEpoch: 0 });

    const ids = await Promise.all([a, b, c].map((k) => result('Filecoin.StateLookupID', [k, null])));
    const read = await result('Filecoin.StateReadState', [msig, null]);
    assert.equal(read.Balance, (300n * FIL).toString());
    assert.deepEqual({ ...read.State, PendingTxns: undefined }, {
      Signers: ids,
      NumApprovalsThreshold: 2,
      NextTxnID: 0,
      InitialBalance: (300n * FIL).toString(),
      StartEpoch: 0,
      UnlockDuration: 100,
      PendingTxns: undefined,
    });
    assert.deepEqual(await result('Filecoin.MsigGetVestingSchedule', [msig, null]), { InitialBalance: (300n * FIL).toString(), StartEpoch: 0, UnlockDuration: 100 });

    // Locked at epoch e: ceil(300 FIL × (100 − e) / 100).
    const head = await result('Filecoin.ChainHead');
    const locked = (e: number) => (300n * FIL * BigInt(100 - e) + 99n) / 100n;
    assert.equal(await result('Filecoin.MsigGetAvailableBalance', [msig, head.Cids]), (300n * FIL - locked(head.Height)).toString());
    const genesis = await result('Filecoin.ChainGetGenesis');
    assert.equal(await result('Filecoin.MsigGetVested', [msig, genesis.Cids, head.Cids]), (300n * FIL - locked(head.Height)).toString());
    assert.equal(await result('Filecoin.MsigGetVested', [msig, head.Cids, head.Cids]), '0');
    assert.deepEqual(await result('Filecoin.MsigGetPending', [msig, null]), []);
  });

  test('bad input is -32602 naming the argument; other actors and unknown addresses are refused in Lotus words', async (t) => {
    const { result, error, keys } = await multisigNode(t);
    const [a, b] = keys;
    const tooMany = await error('Filecoin.MsigCreate', [3, [a, b], 0, '0', a, '0']);
    assert.deepEqual(tooMany, { code: -32602, message: "invalid argument 'req': cannot require signing of more addresses than provided for multisig" });
    assert.match((await error('Filecoin.MsigCreate', [1, [a, 'nope'], 0, '0', a, '0'])).message, /'addrs\[1\]'/);
    assert.match((await error('Filecoin.MsigPropose', ['t0100', a, '-1', a, 0, null])).message, /'amt'/);
    assert.match((await error('Filecoin.MsigApprove', ['t0100', -1, a])).message, /'txID'/);
    assert.match((await error('Filecoin.MsigAddPropose', ['t0100', a, b, 'yes'])).message, /'inc'/);
    assert.match((await error('Filecoin.MsigApproveTxnHash', ['t0100', 0, 't0999999', a, '0', b, 0, null])).message, /'proposer': resolution lookup failed/);
    const notMultisig = await error('Filecoin.MsigGetPending', [a, null]);
    assert.deepEqual(notMultisig, { code: 1, message: 'failed to load multisig actor state: actor code is not multisig: account' });
    assert.match((await error('Filecoin.MsigGetAvailableBalance', ['t0999999', null])).message, /failed to load multisig actor: resolution lookup failed/);
    const head = await result('Filecoin.ChainHead');
    const genesis = await result('Filecoin.ChainGetGenesis');
    assert.match((await error('Filecoin.MsigGetVested', [a, head.Cids, genesis.Cids])).message, /^start tipset \d+ is after end tipset 0$/);
  });
});

describe('proposing, approving and cancelling', () => {
  test('propose, approve by hash, cancel; signers added, swapped and removed', async (t) => {
    const { result, error, keys, push, balance } = await multisigNode(t);
    const [a, b, c, d] = keys;
    const created = await push(await result('Filecoin.MsigCreate', [2, [a, b, c], 0, (50n * FIL).toString(), a, '0']));
    const msig = FilAddress.fromBytes(returned(created)[0]).toString('t');
    const [aId, bId, cId, dId] = await Promise.all(keys.map((k) => result('Filecoin.StateLookupID', [k, null])));

    // A proposes 5 FIL to D: pending with A's approval.
    const proposal = await result('Filecoin.MsigPropose', [msig, d, (5n * FIL).toString(), a, 0, null]);
    assert.deepEqual([proposal.Message.To, proposal.Message.Method, proposal.Message.Value], [msig, 2, '0']);
    assert.deepEqual(returned(await push(proposal)), [0, false, 0, new Uint8Array()]);
    assert.deepEqual(await result('Filecoin.MsigGetPending', [msig, null]), [{ ID: 0, To: d, Value: (5n * FIL).toString(), Method: 0, Params: null, Approved: [aId] }]);

    // B approves with a hash of other params: refused when the node estimates the push.
    const wrong = await result('Filecoin.MsigApproveTxnHash', [msig, 0, a, d, (6n * FIL).toString(), b, 0, null]);
    assert.match((await error('Filecoin.MpoolPushMessage', [wrong.Message, null])).message, /hash does not match proposal params/);
    const before = await balance(d);
    const right = await result('Filecoin.MsigApproveTxnHash', [msig, 0, a, d, (5n * FIL).toString(), b, 0, null]);
    assert.deepEqual(returned(await push(right)), [true, 0, new Uint8Array()]);
    assert.equal(await balance(d), before + 5n * FIL);
    assert.deepEqual(await result('Filecoin.MsigGetPending', [msig, null]), []);

    // Cancel: by another signer refused, by the proposer (with the hash) done.
    await push(await result('Filecoin.MsigPropose', [msig, d, FIL.toString(), a, 0, null]));
    assert.match((await error('Filecoin.MpoolPushMessage', [(await result('Filecoin.MsigCancel', [msig, 1, b])).Message, null])).message, /Cannot cancel another signers transaction/);
    assert.equal((await push(await result('Filecoin.MsigCancelTxnHash', [msig, 1, d, FIL.toString(), a, 0, null]))).ExitCode, 0);
    assert.deepEqual(await result('Filecoin.MsigGetPending', [msig, null]), []);

    // Add D (threshold up to 3), approved by hash through MsigAddApprove.
    assert.deepEqual(returned(await push(await result('Filecoin.MsigAddPropose', [msig, a, d, true]))).slice(0, 2), [2, false]);
    assert.deepEqual(returned(await push(await result('Filecoin.MsigAddApprove', [msig, b, 2, a, d, true]))), [true, 0, new Uint8Array()]);
    let state = (await result('Filecoin.StateReadState', [msig, null])).State;
    assert.deepEqual([state.Signers, state.NumApprovalsThreshold], [[aId, bId, cId, dId], 3]);

    // A proposed swap cancelled by its proposer with MsigSwapCancel; then swap C for a new key with three approvals.
    await push(await result('Filecoin.MsigSwapPropose', [msig, a, c, CLIENT]));
    assert.equal((await push(await result('Filecoin.MsigSwapCancel', [msig, a, 3, c, CLIENT]))).ExitCode, 0);
    await push(await result('Filecoin.MsigSwapPropose', [msig, a, c, CLIENT]));
    assert.equal(returned(await push(await result('Filecoin.MsigSwapApprove', [msig, b, 4, a, c, CLIENT])))[0], false);
    assert.equal(returned(await push(await result('Filecoin.MsigApprove', [msig, 4, d])))[0], true);
    const clientId = await result('Filecoin.StateLookupID', [CLIENT, null]);
    state = (await result('Filecoin.StateReadState', [msig, null])).State;
    assert.deepEqual(state.Signers, [aId, bId, dId, clientId]);

    // Remove D, lowering the threshold to 2: proposed by A, approved by B and the deal client.
    await push(await result('Filecoin.MsigRemoveSigner', [msig, a, d, true]));
    await push(await result('Filecoin.MsigApprove', [msig, 5, b]));
    assert.equal(returned(await push(await result('Filecoin.MsigApprove', [msig, 5, CLIENT])))[0], true);
    state = (await result('Filecoin.StateReadState', [msig, null])).State;
    assert.deepEqual([state.Signers, state.NumApprovalsThreshold, state.NextTxnID], [[aId, bId, clientId], 2, 6]);
    // A cancel of a transaction added through MsigAddCancel's hash.
    await push(await result('Filecoin.MsigAddPropose', [msig, a, d, false]));
    assert.equal((await push(await result('Filecoin.MsigAddCancel', [msig, a, 6, d, false]))).ExitCode, 0);
    assert.deepEqual(await result('Filecoin.MsigGetPending', [msig, null]), []);
  });
});
