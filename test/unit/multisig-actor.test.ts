// The multisig actor through the executor: creation by the init actor's Exec (f01 method 2), the
// proposer's approval counting, approvals with and without the proposal hash, cancelling, the
// vesting schedule holding back locked funds, the methods a wallet sends itself through an approved
// transaction (signers, threshold, lock), and builtin-actors' exit codes and messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { getBytes, hexlify, Wallet as EthWallet } from 'ethers';
import { codeCid, EAM_ACTOR_ID, INIT_ACTOR_ID } from '../../src/fevm/actor.js';
import { amountLocked, MultisigMethod, transactionHashData, type MultisigState } from '../../src/fevm/actors/multisig/state.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { INIT_MAPPING, MULTISIG_TRANSACTION, pendingTxnChangeGas } from '../../src/fevm/builtin-method-gas.js';
import { actorCreatedGas, HOST_CALL } from '../../src/fevm/price-list.js';
import { METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT } from '../../src/fevm/message.js';
import { DEV_KEY } from '../helpers/fevm.js';
import { CLIENTS, FIL, returned, verifregWorld, type World } from '../helpers/verifreg-world.js';

const F01 = FilAddress.fromId(INIT_ACTOR_ID);
const [A, B, C] = CLIENTS;
/** An f1 address no actor has yet. */
const OUTSIDER = FilAddress.parse('f1ys5qqiciehcml3sp764ymbbytfn3qoar5fo3iwy');
const NEWCOMER = FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(0xd1));

interface Wallet {
  id: number;
  address: FilAddress;
  robust: FilAddress;
}

/** Exec of a multisig from `from` with ConstructorParams; the receipt, and the wallet when it was made. */
async function exec(w: World, from: FilAddress, constructor: unknown[], value = 0n) {
  const receipt = await w.send(from, F01, 2, [codeCid('multisig'), encodeCbor(constructor)], value);
  if (receipt.exitCode !== 0) return { receipt };
  const [id, robust] = returned(receipt) as [Uint8Array, Uint8Array];
  const address = FilAddress.fromBytes(id);
  return { receipt, wallet: { id: address.id!, address, robust: FilAddress.fromBytes(robust) } as Wallet };
}

/** A 2-of-3 wallet of A, B and C holding `value`, vesting over `duration` epochs from `start`. */
async function twoOfThree(w: World, value = 100n * FIL, duration = 0, start = 0): Promise<Wallet> {
  const { receipt, wallet } = await exec(w, A, [[A.bytes, B.bytes, C.bytes], 2, duration, start], value);
  assert.equal(receipt.exitCode, 0, 'Exec');
  return wallet!;
}

const stateOf = (w: World, wallet: Wallet): MultisigState => w.state.getActor(wallet.id)!.multisig!;
const balanceOf = (w: World, address: FilAddress) => w.state.getActor(w.state.lookupId(address)!)!.balance;
const propose = (w: World, from: FilAddress, wallet: Wallet, to: FilAddress, value: bigint, method = 0, params: Uint8Array = new Uint8Array()) =>
  w.send(from, wallet.address, MultisigMethod.Propose, [to.bytes, encodeBigInt(value), method, params]);
const approve = (w: World, from: FilAddress, wallet: Wallet, txId: number, hash: Uint8Array = new Uint8Array()) => w.send(from, wallet.address, MultisigMethod.Approve, [txId, hash]);
const cancel = (w: World, from: FilAddress, wallet: Wallet, txId: number, hash: Uint8Array = new Uint8Array()) => w.send(from, wallet.address, MultisigMethod.Cancel, [txId, hash]);
/** Proposes a send from the wallet to itself (method, params) by A and approves it by B; B's ApproveReturn. */
async function selfCall(w: World, wallet: Wallet, method: number, params: unknown): Promise<[boolean, number, Uint8Array]> {
  const txId = stateOf(w, wallet).nextTxId;
  assert.equal((await propose(w, A, wallet, wallet.address, 0n, method, encodeCbor(params))).exitCode, 0);
  const receipt = await approve(w, B, wallet, txId);
  assert.equal(receipt.exitCode, 0);
  return returned(receipt);
}

describe('creation through Init Exec (f01 method 2)', () => {
  test('an f1 account makes a 2-of-3 wallet: ID and f2 addresses back, signers as IDs, the value as its balance', async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w, 50n * FIL);
    assert.equal(w.state.getActor(wallet.id)!.kind, 'multisig');
    assert.equal(wallet.robust.protocol, 2);
    assert.equal(w.state.lookupId(wallet.robust), wallet.id);
    assert.equal(balanceOf(w, wallet.address), 50n * FIL);
    const state = stateOf(w, wallet);
    assert.deepEqual(state.signers, w.clientIds);
    assert.equal(state.numApprovalsThreshold, 2);
    assert.equal(state.nextTxId, 0);
    // Without an unlock duration nothing vests: the value is not recorded as locked.
    assert.equal(state.initialBalance, 0n);
    assert.equal(state.unlockDuration, 0);
  });

  test('a vesting wallet locks the value it was created with from its start epoch', async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w, 100n * FIL, 1000, 5);
    const state = stateOf(w, wallet);
    assert.deepEqual([state.initialBalance, state.startEpoch, state.unlockDuration], [100n * FIL, 5, 1000]);
  });

  test('a signer with no actor yet gets one; constructor checks answer 16 and leave nothing behind', async () => {
    const w = await verifregWorld();
    const { receipt, wallet } = await exec(w, A, [[A.bytes, OUTSIDER.bytes], 1, 0, 0]);
    assert.equal(receipt.exitCode, 0);
    assert.equal(stateOf(w, wallet!).signers[1], w.state.lookupId(OUTSIDER));
    const before = w.state.nextId();
    for (const constructor of [
      [[], 1, 0, 0],
      [[A.bytes, A.bytes], 1, 0, 0],
      [[A.bytes, B.bytes], 3, 0, 0],
      [[A.bytes, B.bytes], 0, 0, 0],
      [[A.bytes, B.bytes], 1, -1, 0],
    ]) {
      assert.equal((await exec(w, A, constructor)).receipt.exitCode, ExitCode.ErrIllegalArgument, JSON.stringify(constructor.slice(1)));
    }
    assert.equal(w.state.nextId(), before);
    assert.equal((await exec(w, A, [[A.bytes], 1, 0])).receipt.exitCode, ExitCode.ErrSerialization);
  });

  test("Exec's own path (init exec): the code's type asked for before it refuses; then the f2 mapped and the actor created (its storage, lookup and update) before the constructor", async () => {
    const w = await verifregWorld();
    const constructor = encodeCbor([[A.bytes, B.bytes, C.bytes], 2, 0, 0]);
    // The same message but for the code (CIDs of one length): a refused kind stops after can_exec.
    const refused = await w.send(A, F01, 2, [codeCid('account'), constructor]);
    assert.equal(refused.exitCode, ExitCode.ErrForbidden);
    const made = await w.send(A, F01, 2, [codeCid('multisig'), constructor]);
    assert.equal(made.exitCode, 0);
    // What follows can_exec: INIT_MAPPING, create_actor (a syscall and the actor's creation), the
    // constructor's send and run, the answer; the refusal's exit syscall aside.
    const created = INIT_MAPPING + HOST_CALL + actorCreatedGas(false);
    assert.ok(made.gasUsed - refused.gasUsed > created, `${made.gasUsed - refused.gasUsed}`);
    assert.ok(made.gasUsed - refused.gasUsed < created + 3_000_000, `${made.gasUsed - refused.gasUsed}`);
  });

  test('Exec refuses kinds other than multisig (18); the constructor is for Init only (18)', async () => {
    const w = await verifregWorld();
    const receipt = await w.send(A, F01, 2, [codeCid('account'), encodeCbor([A.bytes])]);
    assert.equal(receipt.exitCode, ExitCode.ErrForbidden);
    const wallet = await twoOfThree(w);
    assert.equal((await w.send(A, wallet.address, 1, [[A.bytes], 1, 0, 0])).exitCode, ExitCode.ErrForbidden);
  });
});

describe("Propose, Approve and Cancel pay their PendingTxns HAMT and each state transaction (builtin-actors v18 multisig)", () => {
  test("a proposal that waits: its transaction set, then its approval in a transaction of its own; a second one pays exactly its table's larger nodes", async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    /** What a waiting proposal pays in the table: the unapproved transaction set, then (a second transaction) the approved one. */
    const tableGas = async () => {
      const before = stateOf(w, wallet).pendingTxs;
      const receipt = await propose(w, A, wallet, C, FIL);
      assert.equal(receipt.exitCode, 0);
      const after = stateOf(w, wallet).pendingTxs;
      const id = Math.max(...after.keys());
      const unapproved = new Map(after).set(id, { ...after.get(id)!, approved: [] });
      return { gas: receipt.gasUsed, table: pendingTxnChangeGas(before, unapproved, id) + MULTISIG_TRANSACTION + pendingTxnChangeGas(unapproved, after, id) };
    };
    const [first, second] = [await tableGas(), await tableGas()];
    assert.ok(first.table > MULTISIG_TRANSACTION + 4 * 187_740, `${first.table}`);
    // The same message but for the table it finds (one transaction more in the root's buckets).
    assert.equal(second.gas - first.gas, second.table - first.table);
    assert.ok(second.table > first.table);
  });

  test("a Cancel refused after the table's read writes nothing (review R26): another signer's costs what a missing transaction's does", async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    assert.equal((await propose(w, A, wallet, C, FIL)).exitCode, 0);
    // B did not propose transaction 0 and there is no transaction 1: the same read of the table's one node, then the exit.
    const notTheProposer = await cancel(w, B, wallet, 0);
    assert.equal(notTheProposer.exitCode, ExitCode.ErrForbidden);
    const missing = await cancel(w, B, wallet, 1);
    assert.equal(missing.exitCode, ExitCode.ErrNotFound);
    assert.equal(notTheProposer.gasUsed, missing.gasUsed);
  });

  test("FIP-0057's benchmark of mainnet's Propose (8 710 765 on average, actors v9): a 1-of-1 proposal that sends 1 FIL comes within 25 %, one that waits below it", async () => {
    const w = await verifregWorld();
    const single = (await exec(w, A, [[A.bytes], 1, 0, 0], 100n * FIL)).wallet!;
    const sent = await propose(w, A, single, C, FIL);
    assert.equal(sent.exitCode, 0);
    const ratio = sent.gasUsed / 8_710_765;
    assert.ok(ratio > 0.75 && ratio < 1.25, `${sent.gasUsed} (${ratio.toFixed(2)})`);
    const waits = await propose(w, A, await twoOfThree(w), C, FIL);
    assert.ok(waits.gasUsed < sent.gasUsed, `${waits.gasUsed}`);
  });
});

describe('Propose (2), Approve (3), Cancel (4)', () => {
  test("the proposer's approval counts: one more signer executes the send", async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    const payee = CLIENTS[2];
    const before = balanceOf(w, payee);
    const proposed = await propose(w, A, wallet, payee, 7n * FIL);
    assert.equal(proposed.exitCode, 0);
    assert.deepEqual(returned(proposed), [0, false, 0, new Uint8Array()]);
    assert.deepEqual(stateOf(w, wallet).pendingTxs.get(0)!.approved, [w.clientIds[0]]);
    const approved = await approve(w, B, wallet, 0);
    assert.deepEqual(returned(approved), [true, 0, new Uint8Array()]);
    assert.equal(balanceOf(w, payee), before + 7n * FIL);
    assert.equal(balanceOf(w, wallet.address), 93n * FIL);
    assert.equal(stateOf(w, wallet).pendingTxs.size, 0);
    assert.equal(stateOf(w, wallet).nextTxId, 1);
  });

  test('non-signers are refused (18), a second approval by the same signer too (18), a missing txn is 17', async () => {
    const w = await verifregWorld();
    const { wallet } = await exec(w, A, [[A.bytes, B.bytes], 2, 0, 0], 10n * FIL);
    assert.equal((await propose(w, C, wallet!, C, FIL)).exitCode, ExitCode.ErrForbidden);
    assert.equal((await propose(w, A, wallet!, C, FIL)).exitCode, 0);
    assert.equal((await approve(w, A, wallet!, 0)).exitCode, ExitCode.ErrForbidden);
    assert.equal((await approve(w, C, wallet!, 0)).exitCode, ExitCode.ErrForbidden);
    assert.equal((await approve(w, B, wallet!, 5)).exitCode, ExitCode.ErrNotFound);
    assert.equal((await cancel(w, B, wallet!, 5)).exitCode, ExitCode.ErrNotFound);
    assert.equal((await propose(w, A, wallet!, C, 0n, 0, new Uint8Array())).exitCode, 0);
  });

  test('the proposal hash must match when given (16 on Approve, 20 on Cancel)', async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    await propose(w, A, wallet, C, FIL);
    await propose(w, A, wallet, C, 2n * FIL);
    const [first, second] = [0, 1].map((id) => blake2b256(transactionHashData(stateOf(w, wallet).pendingTxs.get(id)!)));
    assert.equal((await approve(w, B, wallet, 0, second)).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await cancel(w, A, wallet, 1, first)).exitCode, ExitCode.ErrIllegalState);
    assert.equal((await cancel(w, B, wallet, 1, second)).exitCode, ExitCode.ErrForbidden, 'only the proposer cancels');
    assert.equal((await cancel(w, A, wallet, 1, second)).exitCode, 0);
    assert.deepEqual(returned(await approve(w, B, wallet, 0, first)), [true, 0, new Uint8Array()]);
    assert.equal(stateOf(w, wallet).pendingTxs.size, 0);
  });

  test("a failed send still applies the transaction: its exit code comes back and it leaves the pending set", async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    // An account answers an unknown internal method with 22.
    await propose(w, A, wallet, C, FIL, 7);
    const [applied, code] = returned(await approve(w, B, wallet, 0));
    assert.deepEqual([applied, code], [true, ExitCode.ErrUnhandledMessage]);
    assert.equal(stateOf(w, wallet).pendingTxs.size, 0);
    assert.equal(balanceOf(w, wallet.address), 100n * FIL);
  });

  test('the wallet takes value, the receiver hook and other exported methods', async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    assert.equal((await w.send(C, wallet.address, 0, undefined, FIL)).exitCode, 0);
    assert.equal((await w.send(C, wallet.address, methodNumber('Receive'), [0, new Uint8Array()])).exitCode, 0);
    assert.equal((await w.send(C, wallet.address, methodNumber('Receive'), [0])).exitCode, ExitCode.ErrSerialization);
    assert.equal((await w.send(C, wallet.address, methodNumber('SomethingElse'))).exitCode, 0);
    assert.equal(balanceOf(w, wallet.address), 101n * FIL);
  });
});

describe('paid by a contract', () => {
  test("a CALL with value to the wallet's masked ID: its fallback accepts InvokeContract (FIP-0062), the value moves", async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    const dev = FilAddress.fromEthAddress(getBytes(new EthWallet(DEV_KEY).address));
    // CALL(gas, wallet's masked ID, 1, no data), its success word returned.
    const masked = 'ff' + '00'.repeat(11) + wallet.id.toString(16).padStart(16, '0');
    const runtime = '6000600060006000600173' + masked + '5af1600052' + '60206000f3';
    const initcode = '60' + (runtime.length / 2).toString(16) + '80600b6000396000f3' + runtime;
    const created = await w.send(dev, FilAddress.fromId(EAM_ACTOR_ID), METHOD_CREATE_EXTERNAL, getBytes('0x' + initcode), 10n);
    assert.equal(created.exitCode, 0);
    const contract = FilAddress.fromId((returned(created) as [number])[0]);
    const before = balanceOf(w, wallet.address);
    const receipt = await w.send(dev, contract, METHOD_INVOKE_CONTRACT, new Uint8Array());
    assert.equal(receipt.exitCode, 0);
    assert.equal(BigInt(hexlify(returned(receipt) as Uint8Array)), 1n);
    assert.equal(balanceOf(w, wallet.address) - before, 1n);
  });
});

describe('vesting', () => {
  test('amount_locked rounds up what remains locked', () => {
    const state = { initialBalance: 100n, unlockDuration: 3, startEpoch: 0 } as MultisigState;
    assert.deepEqual([-1, 0, 1, 2, 3, 4].map((e) => amountLocked(state, e)), [100n, 100n, 67n, 34n, 0n, 0n]);
  });

  test('an approval that would spend locked funds fails (19) and the transaction stays; later it goes through', async () => {
    const w = await verifregWorld();
    // 100 FIL vesting over 100 epochs from epoch 10: at epoch 60 half is free.
    const wallet = await twoOfThree(w, 100n * FIL, 100, 10);
    w.setEpoch(60);
    await propose(w, A, wallet, C, 60n * FIL);
    assert.equal((await approve(w, B, wallet, 0)).exitCode, ExitCode.ErrInsufficientFunds);
    assert.equal(stateOf(w, wallet).pendingTxs.get(0)!.approved.length, 1);
    // Sending nothing is always allowed, locked or not.
    await propose(w, A, wallet, C, 0n);
    assert.deepEqual(returned(await approve(w, B, wallet, 1)), [true, 0, new Uint8Array()]);
    w.setEpoch(70);
    assert.deepEqual(returned(await approve(w, B, wallet, 0)), [true, 0, new Uint8Array()]);
    assert.equal(balanceOf(w, wallet.address), 40n * FIL);
  });
});

describe('the methods a wallet sends itself (5-9)', () => {
  test('AddSigner, ChangeNumApprovalsThreshold, SwapSigner and RemoveSigner through approved transactions', async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    const added = await selfCall(w, wallet, MultisigMethod.AddSigner, [OUTSIDER.bytes, true]);
    assert.deepEqual(added, [true, 0, new Uint8Array()]);
    const outsider = w.state.lookupId(OUTSIDER)!;
    assert.deepEqual([stateOf(w, wallet).signers.at(-1), stateOf(w, wallet).numApprovalsThreshold], [outsider, 3]);

    // Threshold 3: A proposes, B approves, C's approval executes.
    const txId = stateOf(w, wallet).nextTxId;
    await propose(w, A, wallet, wallet.address, 0n, MultisigMethod.ChangeNumApprovalsThreshold, encodeCbor([2]));
    assert.equal(returned(await approve(w, B, wallet, txId))[0], false);
    assert.equal(returned(await approve(w, C, wallet, txId))[0], true);
    assert.equal(stateOf(w, wallet).numApprovalsThreshold, 2);
    assert.equal((await selfCall(w, wallet, MultisigMethod.ChangeNumApprovalsThreshold, [5]))[1], ExitCode.ErrIllegalArgument);
    assert.equal(stateOf(w, wallet).numApprovalsThreshold, 2);

    assert.equal((await selfCall(w, wallet, MultisigMethod.SwapSigner, [C.bytes, A.bytes]))[1], ExitCode.ErrIllegalArgument, 'already a signer');
    assert.equal((await selfCall(w, wallet, MultisigMethod.SwapSigner, [OUTSIDER.bytes, NEWCOMER.bytes]))[1], 0);
    assert.equal((await selfCall(w, wallet, MultisigMethod.SwapSigner, [OUTSIDER.bytes, A.bytes]))[1], ExitCode.ErrForbidden, 'not a signer');
    const newcomer = w.state.lookupId(NEWCOMER)!;
    assert.deepEqual(stateOf(w, wallet).signers, [...w.clientIds, newcomer]);

    // Removing C purges C's approval: the transaction C proposed is dropped.
    await propose(w, C, wallet, A, FIL);
    const pending = stateOf(w, wallet).nextTxId - 1;
    assert.equal((await selfCall(w, wallet, MultisigMethod.RemoveSigner, [C.bytes, false]))[1], 0);
    assert.equal(stateOf(w, wallet).pendingTxs.has(pending), false);
    assert.equal((await selfCall(w, wallet, MultisigMethod.RemoveSigner, [NEWCOMER.bytes, false]))[1], 0);
    assert.deepEqual(stateOf(w, wallet).signers, w.clientIds.slice(0, 2));
    assert.equal((await selfCall(w, wallet, MultisigMethod.RemoveSigner, [B.bytes, false]))[1], ExitCode.ErrIllegalArgument, 'below threshold');
    assert.equal((await selfCall(w, wallet, MultisigMethod.RemoveSigner, [B.bytes, true]))[1], 0);
    assert.deepEqual([stateOf(w, wallet).signers, stateOf(w, wallet).numApprovalsThreshold], [[w.clientIds[0]], 1]);
  });

  test('LockBalance once on a wallet without a schedule; only the wallet itself may call these (18)', async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w);
    assert.equal((await selfCall(w, wallet, MultisigMethod.LockBalance, [0, 0, encodeBigInt(FIL)]))[1], ExitCode.ErrIllegalArgument);
    assert.equal((await selfCall(w, wallet, MultisigMethod.LockBalance, [w.ctx.epoch, 10, encodeBigInt(50n * FIL)]))[1], 0);
    assert.deepEqual([stateOf(w, wallet).initialBalance, stateOf(w, wallet).unlockDuration], [50n * FIL, 10]);
    assert.equal((await selfCall(w, wallet, MultisigMethod.LockBalance, [w.ctx.epoch, 10, encodeBigInt(FIL)]))[1], ExitCode.ErrForbidden);
    for (const [method, params] of [
      [MultisigMethod.AddSigner, [OUTSIDER.bytes, false]],
      [MultisigMethod.RemoveSigner, [C.bytes, false]],
      [MultisigMethod.SwapSigner, [C.bytes, OUTSIDER.bytes]],
      [MultisigMethod.ChangeNumApprovalsThreshold, [1]],
      [MultisigMethod.LockBalance, [0, 10, encodeBigInt(FIL)]],
    ] as const) {
      assert.equal((await w.send(A, wallet.address, method, params)).exitCode, ExitCode.ErrForbidden, `method ${method}`);
    }
  });
});

describe("a send that fails as a syscall, as builtin-actors' runtime reports it", () => {
  test('an approved payout to an ID naming no actor is applied with USR_UNSPECIFIED (23) and pays nothing', async () => {
    const w = await verifregWorld();
    const wallet = await twoOfThree(w, 10n * FIL);
    const nobody = FilAddress.fromId(999_999);
    assert.equal((await propose(w, A, wallet, nobody, FIL)).exitCode, 0);
    const missing = await approve(w, B, wallet, 0);
    assert.equal(missing.exitCode, 0);
    assert.deepEqual((returned(missing) as unknown[]).slice(0, 2), [true, ExitCode.ErrUnspecified]);
    assert.equal(balanceOf(w, wallet.address), 10n * FIL);
  });
});
