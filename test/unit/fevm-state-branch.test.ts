// A branch of the state tree a revert dropped (state-branch.ts): at each of its epochs it reads what
// the live tree read there before the revert (accounts, contracts' code, storage slots and which
// slots are held, nonces, addresses, the next ID), whatever the tree writes after; a later revert below its base keeps it
// readable; released, or with the history replaced, it is gone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import { FIRST_NON_SINGLETON_ID, type Actor } from '../../src/fevm/actor.js';
import { StateTree, type StateReader, type StateSnapshot } from '../../src/fevm/state-tree.js';

const account = (id: number, balance: bigint, nonce: number): Actor => ({ id, kind: 'account', nonce, balance });
const contract = (id: number, code: number, nonce: number): Actor => ({
  id,
  kind: 'evm',
  nonce: 0,
  balance: 0n,
  evm: { bytecode: Uint8Array.of(code), bytecodeHash: new Uint8Array(32).fill(code), nonce, storageGeneration: 0 },
});
const f410 = (byte: number) => FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(byte));

const ACCOUNT = FIRST_NON_SINGLETON_ID;
const CONTRACT = FIRST_NON_SINGLETON_ID + 1;
/** The ID epoch 5 of history() takes. */
const CREATED = FIRST_NON_SINGLETON_ID + 2;

/** One epoch's writes: the account's balance and nonce, the contract's code, nonce and slot 5, and at `creates` a new actor with an address. */
function mine(tree: StateTree, epoch: number, n: number, creates = false): void {
  const overlay = tree.stage();
  overlay.putActor(account(ACCOUNT, BigInt(n) * 10n, n));
  overlay.putActor(contract(CONTRACT, n, n + 1));
  overlay.putStorage(CONTRACT, 0, 5n, BigInt(n) * 100n);
  overlay.putStorage(CONTRACT, 0, BigInt(1000 + n), 1n);
  if (creates) {
    const id = overlay.allocateId();
    overlay.putActor(account(id, 7n, 0));
    overlay.putAddress(f410(id % 256), id);
  }
  tree.commit(overlay, epoch);
}

/** A cheat code's edit of the head's state: a write at the head's epoch. */
function edit(tree: StateTree, balance: bigint): void {
  const overlay = tree.stage();
  overlay.putActor(account(ACCOUNT, balance, tree.at(tree.epoch).getActor(ACCOUNT)!.nonce));
  tree.commit(overlay, tree.epoch);
}

/** What a reader answers for everything the test writes. */
function seen(state: StateReader) {
  const a = state.getActor(ACCOUNT);
  const c = state.getActor(CONTRACT);
  return {
    balance: a?.balance,
    nonce: a?.nonce,
    code: c?.evm?.bytecode[0],
    contractNonce: c?.evm?.nonce,
    slot: state.getStorage(CONTRACT, 0, 5n),
    created: state.getActor(CREATED)?.balance,
    address: state.lookupId(f410(CREATED % 256)),
    nextId: state.nextId(),
  };
}

/** A tree with epochs 1-3 written, a snapshot at 3, an edit at 3 after it, then epochs 4-6 (the actor CREATED made at 5). */
function history(): { tree: StateTree; snapshot: StateSnapshot; before: Map<number, ReturnType<typeof seen>>; slots: Map<number, bigint[]> } {
  const tree = new StateTree();
  const overlay = tree.stage();
  overlay.allocateId();
  overlay.allocateId();
  tree.commit(overlay, 0);
  for (let epoch = 1; epoch <= 3; epoch++) mine(tree, epoch, epoch);
  const snapshot = tree.snapshot();
  edit(tree, 999n);
  for (let epoch = 4; epoch <= 6; epoch++) mine(tree, epoch, epoch, epoch === 5);
  const before = new Map([3, 4, 5, 6].map((epoch) => [epoch, seen(tree.at(epoch))]));
  const slots = new Map([3, 4, 5, 6].map((epoch) => [epoch, tree.writtenSlots(CONTRACT, 0, epoch)]));
  return { tree, snapshot, before, slots };
}

describe('StateTree branches', () => {
  test('a dropped branch reads at each epoch what the tree read there before the revert, whatever the tree writes after', () => {
    const { tree, snapshot, before, slots } = history();
    assert.equal(before.get(4)!.balance, 40n);
    assert.equal(before.get(5)!.created, 7n);
    const branch = tree.branch(snapshot, 6);
    tree.revert(snapshot);
    // The live chain goes on over the same epochs with other values, and a cheat code edits its head first.
    edit(tree, 555n);
    mine(tree, 4, 40, true);
    mine(tree, 5, 50);
    assert.equal(tree.at(4).getActor(ACCOUNT)!.balance, 400n);
    for (const epoch of [4, 5, 6]) assert.deepEqual(seen(branch.at(epoch)), before.get(epoch), `epoch ${epoch}`);
    // The contract's slots it held there (StateReadState's storage root), not the live chain's.
    const sorted = (list: bigint[]) => [...list].sort((a, b) => (a < b ? -1 : 1));
    for (const epoch of [4, 5, 6]) assert.deepEqual(sorted(branch.writtenSlots(CONTRACT, 0, epoch)), sorted(slots.get(epoch)!), `slots at ${epoch}`);
    assert.deepEqual(sorted(slots.get(6)!), [5n, 1001n, 1002n, 1003n, 1004n, 1005n, 1006n]);
    assert.deepEqual(sorted(tree.writtenSlots(CONTRACT, 0, 5)), [5n, 1001n, 1002n, 1003n, 1040n, 1050n]);
    // The edit the revert dropped (at the snapshot's epoch, after it) is the dropped branch's, not the live chain's.
    assert.equal(branch.at(4).getActor(ACCOUNT)!.balance, 40n);
    assert.equal(before.get(3)!.balance, 999n);
    assert.deepEqual(seen(branch.at(3)), before.get(3));
    assert.equal(tree.at(3).getActor(ACCOUNT)!.balance, 555n);
  });

  test('a branch keeps the writes up to its `until` epoch only', () => {
    const { tree, snapshot, before } = history();
    const full = tree.branch(snapshot, 6);
    const short = tree.branch(snapshot, 4);
    assert.ok(short.writes.size < full.writes.size);
    tree.revert(snapshot);
    assert.deepEqual(seen(short.at(4)), before.get(4));
    // Epoch 5's writes (the actor it created) were not kept.
    assert.equal(short.at(5).getActor(CREATED), undefined);
  });

  test('a later revert below a branch\'s base puts what it drops under the branch, which still reads as before', () => {
    const { tree, snapshot, before } = history();
    const first = tree.branch(snapshot, 6);
    // Another on the same base (a suite's reverts to one fixture): the writes popped below it are shared.
    const twin = tree.branch(snapshot, 5);
    tree.revert(snapshot);
    // A second history after the snapshot, dropped in turn, with epochs 2 and 3, by a revert to epoch 1.
    mine(tree, 4, 400);
    const atOne = seen(tree.at(1));
    const atTwo = seen(tree.at(2));
    const atFour = seen(tree.at(4));
    const toOne = tree.snapshotAt(1);
    const second = tree.branch(toOne, 4);
    tree.revert(toOne);
    assert.equal(first.base, toOne.write);
    mine(tree, 2, 2000);
    mine(tree, 3, 3000);
    assert.deepEqual(seen(tree.at(1)), atOne);
    for (const epoch of [3, 4, 5, 6]) assert.deepEqual(seen(first.at(epoch)), before.get(epoch), `first branch, epoch ${epoch}`);
    for (const epoch of [3, 4, 5]) assert.deepEqual(seen(twin.at(epoch)), before.get(epoch), `its twin, epoch ${epoch}`);
    assert.deepEqual(seen(second.at(2)), atTwo);
    assert.deepEqual(seen(second.at(4)), atFour);
  });

  test('a released branch, or one whose history the tree replaced, can no longer be read', () => {
    const { tree, snapshot } = history();
    const released = tree.branch(snapshot, 6);
    const replaced = tree.branch(snapshot, 6);
    tree.revert(snapshot);
    released.release();
    assert.throws(() => released.at(4), /released/);
    assert.equal(replaced.at(4).getActor(ACCOUNT)!.balance, 40n);
    tree.load(tree.exportCommitsSince(0));
    assert.throws(() => replaced.at(4), /released/);
  });
});
