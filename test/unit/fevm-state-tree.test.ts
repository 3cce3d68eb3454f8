// The state tree with history, the overlay that stages changes with nested checkpoints, and the
// StateSource under the tree.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../../src/common/address.js';
import { FIRST_NON_SINGLETON_ID, type Actor } from '../../src/fevm/actor.js';
import { localStateSource, StateTree, storableActor, storableChange, type StateOverlay, type StateSource } from '../../src/fevm/state-tree.js';
import { encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { EMPTY_KAMT, withSlot } from '../../src/fevm/actors/evm/kamt-shape.js';
import { KeyTable } from '../../src/fevm/key-table.js';

const actor = (id: number, balance: bigint, nonce = 0): Actor => ({ id, kind: 'account', nonce, balance });
const f410 = (byte: number) => FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(byte));

/** Commits `actor` alone as the state of `epoch`. */
function write(tree: StateTree, epoch: number, a: Actor): void {
  const overlay = tree.stage();
  overlay.putActor(a);
  tree.commit(overlay, epoch);
}

describe('StateTree history', () => {
  test('an empty tree', () => {
    const tree = new StateTree();
    assert.equal(tree.epoch, -1);
    const head = tree.at(0);
    assert.equal(head.getActor(0), undefined);
    assert.equal(head.nextId(), FIRST_NON_SINGLETON_ID);
    assert.equal(head.getStorage(1, 0, 0n), 0n);
  });

  test('reads at past epochs see the values in force then; newer epochs see the newest', () => {
    const tree = new StateTree();
    write(tree, 1, actor(7, 10n));
    write(tree, 3, actor(7, 30n));
    write(tree, 6, actor(7, 60n));
    assert.equal(tree.epoch, 6);
    assert.equal(tree.at(0).getActor(7), undefined);
    assert.equal(tree.at(1).getActor(7)?.balance, 10n);
    assert.equal(tree.at(2).getActor(7)?.balance, 10n);
    assert.equal(tree.at(3).getActor(7)?.balance, 30n);
    assert.equal(tree.at(5).getActor(7)?.balance, 30n);
    assert.equal(tree.at(6).getActor(7)?.balance, 60n);
    assert.equal(tree.at(1_000_000).getActor(7)?.balance, 60n);
    assert.equal(tree.at(-1).getActor(7), undefined);
  });

  test('a long history is searched correctly at every epoch', () => {
    const tree = new StateTree();
    // Values at odd epochs 1..99: balance = epoch.
    for (let e = 1; e < 100; e += 2) write(tree, e, actor(1, BigInt(e)));
    for (let e = 0; e <= 101; e++) {
      const expected = e === 0 ? undefined : BigInt(Math.min(e % 2 === 1 ? e : e - 1, 99));
      assert.equal(tree.at(e).getActor(1)?.balance, expected, `epoch ${e}`);
    }
  });

  test('keys written at different epochs keep separate histories', () => {
    const tree = new StateTree();
    write(tree, 1, actor(1, 1n));
    write(tree, 2, actor(2, 2n));
    assert.equal(tree.at(1).getActor(2), undefined);
    assert.equal(tree.at(2).getActor(1)?.balance, 1n);
  });

  test('committing the same epoch again replaces its values', () => {
    const tree = new StateTree();
    write(tree, 1, actor(1, 1n));
    write(tree, 2, actor(1, 2n));
    write(tree, 2, actor(1, 3n));
    assert.equal(tree.at(1).getActor(1)?.balance, 1n);
    assert.equal(tree.at(2).getActor(1)?.balance, 3n);
  });

  test('writing an earlier epoch than the head throws', () => {
    const tree = new StateTree();
    write(tree, 5, actor(1, 1n));
    assert.throws(() => write(tree, 4, actor(1, 2n)), /cannot write epoch 4 after 5/);
    assert.equal(tree.at(5).getActor(1)?.balance, 1n);
  });

  test('a reader for a past epoch is unaffected by later commits', () => {
    const tree = new StateTree();
    write(tree, 1, actor(1, 1n));
    const past = tree.at(1);
    const staged = tree.stage(1);
    write(tree, 2, actor(1, 2n));
    assert.equal(past.getActor(1)?.balance, 1n);
    assert.equal(staged.getActor(1)?.balance, 1n);
    assert.equal(tree.stage().getActor(1)?.balance, 2n);
  });

  test('address lookups have history too; f0 addresses resolve without a lookup', () => {
    const tree = new StateTree();
    const overlay = tree.stage();
    overlay.putActor(actor(100, 0n));
    tree.commit(overlay, 1);
    const o2 = tree.stage();
    o2.putAddress(f410(0xaa), 100);
    tree.commit(o2, 2);
    assert.equal(tree.at(1).lookupId(f410(0xaa)), undefined);
    assert.equal(tree.at(2).lookupId(f410(0xaa)), 100);
    assert.equal(tree.at(2).lookupId(f410(0xbb)), undefined);
    // An ID address names the ID even when no such actor exists.
    assert.equal(tree.at(0).lookupId(FilAddress.fromId(12345)), 12345);
  });

  test('storage is kept per actor, generation and slot', () => {
    const tree = new StateTree();
    const overlay = tree.stage();
    overlay.putStorage(1, 0, 0n, 11n);
    overlay.putStorage(1, 0, 0x10n, 12n);
    overlay.putStorage(1, 1, 0n, 13n);
    overlay.putStorage(11, 0, 0n, 14n);
    overlay.putStorage(1, 11, 0n, 15n);
    tree.commit(overlay, 1);
    const s = tree.at(1);
    assert.equal(s.getStorage(1, 0, 0n), 11n);
    assert.equal(s.getStorage(1, 0, 0x10n), 12n);
    assert.equal(s.getStorage(1, 0, 0x1n), 0n);
    assert.equal(s.getStorage(1, 1, 0n), 13n);
    assert.equal(s.getStorage(11, 0, 0n), 14n);
    assert.equal(s.getStorage(1, 11, 0n), 15n);
    // A fresh generation starts empty: bumping it forgets every slot.
    assert.equal(s.getStorage(1, 2, 0n), 0n);
    assert.equal(s.getStorage(1, 2, 0x10n), 0n);
    assert.equal(s.getStorage(1, 0, 2n ** 256n - 1n), 0n);
  });

  test("storage is kept so at each decimal length's edge of the ID and the generation, slots up to 2^256 - 1 and past: each reads back through the tree and an overlay, its neighbours zero", () => {
    // Coverage of the storage key's form (ID, generation and slot in one string, a key one character
    // longer or shorter another slot), whatever an overlay does with its layers. IDs and generations up
    // to 2^53 - 1, slots from 0 to 2^256 - 1 and hashed ones.
    const ids = [0, 1, 9, 10, 99, 100, 1000, 1001, 123456, 2 ** 32, Number.MAX_SAFE_INTEGER];
    const generations = [0, 1, 9, 10, 11, 100, Number.MAX_SAFE_INTEGER];
    const slots = [0n, 1n, 0xfn, 0x10n, 0xabcdefn, 2n ** 255n, 2n ** 256n - 1n, ...Array.from({ length: 8 }, (_, i) => BigInt(`0x${(i * 0x9e3779b1 + 7).toString(16).repeat(8).slice(0, 64)}`)), 2n ** 300n + 5n];
    const tree = new StateTree();
    const overlay = tree.stage();
    let value = 1n;
    for (const id of ids) for (const generation of generations) for (const slot of slots) overlay.putStorage(id, generation, slot, value++);
    tree.commit(overlay, 1);
    for (const reader of [tree.at(1), tree.stage()]) {
      let expected = 1n;
      for (const id of ids) {
        for (const generation of generations) {
          for (const slot of slots) {
            assert.equal(reader.getStorage(id, generation, slot), expected++, `${id}:${generation}:${slot.toString(16)}`);
            // A key one character longer or shorter, or another digit, is another slot.
            if (!ids.includes(id * 10)) assert.equal(reader.getStorage(id * 10, generation, slot), 0n);
            if (!generations.includes(generation + 1000)) assert.equal(reader.getStorage(id, generation + 1000, slot), 0n);
            if (!slots.includes(slot * 16n)) assert.equal(reader.getStorage(id, generation, slot * 16n), 0n);
          }
        }
      }
      assert.equal(tree.at(0).getStorage(1, 0, 0n), 0n);
    }
  });
});

describe('StateTree reverts and saved commits', () => {
  test('a revert forgets keys written once and the later writes of keys written again', () => {
    const tree = new StateTree();
    write(tree, 1, actor(1, 1n));
    const snapshot = tree.snapshot();
    write(tree, 2, actor(1, 2n));
    write(tree, 2, actor(2, 20n));
    write(tree, 3, actor(1, 3n));
    tree.revert(snapshot);
    assert.equal(tree.at(3).getActor(1)?.balance, 1n);
    assert.equal(tree.at(3).getActor(2), undefined);
    // Written again after the revert: a history from the kept write on.
    write(tree, 4, actor(1, 4n));
    write(tree, 4, actor(2, 40n));
    assert.deepEqual([tree.at(3).getActor(1)?.balance, tree.at(4).getActor(1)?.balance, tree.at(3).getActor(2), tree.at(4).getActor(2)?.balance], [1n, 4n, undefined, 40n]);
  });

  /** Random commits, reverts and writes again over `actors` actors: reads, exports and loads agree with a plain record of the commits kept. */
  function agreesWithRecord(actors: number, steps: number): void {
    const tree = new StateTree();
    /** Each commit kept: its epoch, and the balance of each actor and the ID of each address it wrote. */
    const commits: { epoch: number; balances: Map<number, bigint>; ids: Map<number, number> }[] = [];
    const snapshots: { snapshot: ReturnType<StateTree['snapshot']>; kept: number }[] = [];
    let epoch = 0;
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let step = 0; step < steps; step++) {
      if (next(10) === 0 && snapshots.length) {
        const { snapshot, kept } = snapshots.splice(next(snapshots.length))[0]!;
        tree.revert(snapshot);
        commits.length = kept;
        epoch = snapshot.epoch;
        continue;
      }
      if (next(8) === 0) snapshots.push({ snapshot: tree.snapshot(), kept: commits.length });
      epoch += next(3);
      const overlay = tree.stage();
      const balances = new Map<number, bigint>();
      const ids = new Map<number, number>();
      for (let k = next(4); k >= 0; k--) {
        const id = 100 + next(actors);
        const balance = BigInt(step * 10 + k);
        overlay.putActor({ id, kind: 'ethaccount', nonce: step, balance, delegated: f410(id) });
        balances.set(id, balance);
        const byte = next(40);
        overlay.putAddress(f410(byte), id);
        ids.set(byte, id);
      }
      tree.commit(overlay, epoch);
      commits.push({ epoch, balances, ids });
    }
    const expected = (at: number, read: (c: (typeof commits)[number]) => unknown) => commits.filter((c) => c.epoch <= at).map(read).filter((v) => v !== undefined).at(-1);
    const loaded = new StateTree();
    loaded.load(tree.exportCommitsSince(0));
    for (const t of [tree, loaded]) {
      for (let at = 0; at <= epoch + 1; at++) {
        const state = t.at(at);
        for (let n = 0; n < 40; n++) {
          assert.equal(state.getActor(100 + n)?.balance, expected(at, (c) => c.balances.get(100 + n)), `actor ${100 + n} at ${at}`);
          assert.equal(state.lookupId(f410(n)), expected(at, (c) => c.ids.get(n)), `address ${n} at ${at}`);
        }
      }
    }
    assert.deepEqual(loaded.exportCommitsSince(0), tree.exportCommitsSince(0));
  }

  test('reads, exports and loads agree with a plain record of the commits across many reverts and writes again', () => agreesWithRecord(40, 300));

  test('so they do for keys written hundreds of times, whose writes move from a JS array to a typed one (History)', () => agreesWithRecord(3, 1500));

  test('an actor written each epoch, its writes kept in a typed array past a few dozen, reads every epoch back across reverts within it and to before it, and loads back', () => {
    const tree = new StateTree();
    const writeUntil = (from: number, to: number, plus: bigint) => {
      for (let e = from; e <= to; e++) write(tree, e, actor(7, BigInt(e) + plus, e));
    };
    writeUntil(1, 20, 0n);
    const early = tree.snapshot();
    writeUntil(21, 150, 0n);
    const late = tree.snapshot();
    writeUntil(151, 400, 0n);
    tree.revert(late);
    writeUntil(151, 300, 1000n);
    const readsBack = (t: StateTree, until: number, plus: (e: number) => bigint) => {
      for (let e = 0; e <= until + 1; e++) assert.equal(t.at(e).getActor(7)?.balance, e === 0 ? undefined : BigInt(Math.min(e, until)) + plus(Math.min(e, until)), `epoch ${e}`);
    };
    readsBack(tree, 300, (e) => (e > 150 ? 1000n : 0n));
    const loaded = new StateTree();
    loaded.load(tree.exportCommitsSince(0));
    readsBack(loaded, 300, (e) => (e > 150 ? 1000n : 0n));
    // Back to 20 writes, then on again past the typed array's start.
    tree.revert(early);
    readsBack(tree, 20, () => 0n);
    writeUntil(21, 90, 5000n);
    readsBack(tree, 90, (e) => (e > 20 ? 5000n : 0n));
    assert.deepEqual(tree.exportCommitsSince(0).length, 90);
  });

  test('a past read takes the last of the writes an epoch holds, from a few writes (a JS array) to hundreds (a typed one)', () => {
    const tree = new StateTree();
    // Each epoch committed twice (as a cheat code edits the head's state): the second write holds.
    for (let e = 1; e <= 60; e++) {
      write(tree, e, actor(7, BigInt(e)));
      write(tree, e, actor(7, BigInt(e) + 1000n));
      for (let at = 0; at <= e + 1; at++) assert.equal(tree.at(at).getActor(7)?.balance, at === 0 ? undefined : BigInt(Math.min(at, e)) + 1000n, `epoch ${at} after ${e}`);
    }
  });

  test("each commit's epoch is kept past what 32 bits hold (the cheats mine up to 2^53 - 2), and past the first 1 024 commits", () => {
    const tree = new StateTree();
    const epochs = [0, 1, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 2];
    // Actor 7 each epoch; actor 8 once, at 2^32 - 1: a key written once reads its one write's epoch.
    for (const e of epochs) write(tree, e, actor(7, BigInt(e)));
    write(tree, 2 ** 53 - 2, actor(8, 8n));
    const tree8 = new StateTree();
    write(tree8, 2 ** 32 - 1, actor(8, 8n));
    for (const t of [tree, tree8]) {
      const loaded = new StateTree();
      loaded.load(t.exportCommitsSince(0));
      assert.deepEqual(loaded.exportCommitsSince(0), t.exportCommitsSince(0));
    }
    assert.deepEqual(tree.exportCommitsSince(0).map((c) => c.epoch), [...epochs, 2 ** 53 - 2]);
    for (const [i, e] of epochs.entries()) {
      assert.equal(tree.at(e).getActor(7)?.balance, BigInt(e), `epoch ${e}`);
      if (i > 0) assert.equal(tree.at(e - 1).getActor(7)?.balance, BigInt(epochs[i - 1]!), `epoch ${e - 1}`);
      assert.equal(tree.snapshotAt(e).write, i === epochs.length - 1 ? i + 2 : i + 1, `snapshotAt(${e})`);
    }
    assert.equal(tree.at(2 ** 53 - 3).getActor(8), undefined);
    assert.equal(tree8.at(2 ** 32 - 2).getActor(8), undefined);
    assert.equal(tree8.at(2 ** 32 - 1).getActor(8)?.balance, 8n);
    // Over a thousand commits (the epochs' first room), each read back at its epoch and the one before.
    const long = new StateTree();
    for (let e = 1; e <= 2500; e++) write(long, 2 * e, actor(7, BigInt(e)));
    for (let e = 1; e <= 2500; e++) {
      assert.equal(long.at(2 * e).getActor(7)?.balance, BigInt(e));
      assert.equal(long.at(2 * e - 1).getActor(7)?.balance, e === 1 ? undefined : BigInt(e - 1));
    }
    assert.equal(long.snapshotAt(2001).write, 1000);
  });

  test('a commit of nothing has no epoch: snapshotAt goes past it, as before a revert and after one', () => {
    const tree = new StateTree();
    write(tree, 1, actor(7, 1n));
    tree.commit(tree.stage(), 5);
    write(tree, 9, actor(7, 9n));
    // The empty commit (write 2) holds no epoch, so an epoch before its tipset's takes it in.
    assert.equal(tree.snapshotAt(3).write, 2);
    assert.equal(tree.snapshotAt(9).write, 3);
    tree.revert({ write: 1, epoch: 1 });
    tree.commit(tree.stage(), 5);
    assert.equal(tree.snapshotAt(3).write, 2);
    assert.equal(tree.at(9).getActor(7)?.balance, 1n);
  });

  test('commits export, journal and load back, keys written once and keys written again alike', () => {
    const tree = new StateTree();
    write(tree, 1, actor(1, 1n));
    write(tree, 2, actor(2, 2n));
    write(tree, 3, actor(1, 3n));
    const journaled = tree.exportCommitsSince(1);
    assert.deepEqual(journaled.map((c) => [c.epoch, c.changes.map(([key]) => key)]), [[2, ['a2']], [3, ['a1']]]);
    const loaded = new StateTree();
    loaded.load(tree.exportCommitsSince(0));
    assert.deepEqual(loaded.exportCommitsSince(1), journaled);
    assert.deepEqual([1, 2, 3].map((e) => [loaded.at(e).getActor(1)?.balance, loaded.at(e).getActor(2)?.balance]), [[1n, undefined], [1n, 2n], [3n, 2n]]);
  });

  test('an address is saved under `x` and its FilAddress.key, the key saved files have', () => {
    const addresses = [f410(0xaa), FilAddress.fromDelegated(2 ** 50, new Uint8Array(54).fill(0xfe)), FilAddress.fromPayload(Protocol.BLS, new Uint8Array(48).fill(7))];
    const tree = new StateTree();
    const overlay = tree.stage();
    addresses.forEach((address, i) => overlay.putAddress(address, 100 + i));
    tree.commit(overlay, 1);
    const [commit] = tree.exportCommitsSince(0);
    assert.deepEqual(commit!.changes, addresses.map((address, i) => [`x${address.key}`, 100 + i]));
    const loaded = new StateTree();
    loaded.load([commit!]);
    assert.deepEqual(addresses.map((address) => loaded.at(1).lookupId(FilAddress.fromBytes(address.bytes))), [100, 101, 102]);
  });
});

describe('StateOverlay', () => {
  test('staged changes are visible in the overlay and in the tree only after commit', () => {
    const tree = new StateTree();
    write(tree, 0, actor(1, 1n));
    const overlay = tree.stage();
    overlay.putActor(actor(1, 5n));
    overlay.putActor(actor(2, 6n));
    assert.equal(overlay.getActor(1)?.balance, 5n);
    assert.equal(overlay.getActor(2)?.balance, 6n);
    assert.equal(tree.at(0).getActor(1)?.balance, 1n);
    assert.equal(tree.at(0).getActor(2), undefined);
    tree.commit(overlay, 1);
    assert.equal(tree.at(1).getActor(1)?.balance, 5n);
    assert.equal(tree.at(0).getActor(1)?.balance, 1n);
  });

  test('revert drops the top layer only', () => {
    const tree = new StateTree();
    const o = tree.stage();
    o.putActor(actor(1, 1n));
    o.checkpoint();
    o.putActor(actor(1, 2n));
    o.checkpoint();
    o.putActor(actor(1, 3n));
    o.putActor(actor(2, 3n));
    assert.equal(o.getActor(1)?.balance, 3n);
    o.revert();
    assert.equal(o.getActor(1)?.balance, 2n);
    assert.equal(o.getActor(2), undefined);
    o.revert();
    assert.equal(o.getActor(1)?.balance, 1n);
  });

  test('commit folds the top layer into the one below, which can still be reverted', () => {
    const tree = new StateTree();
    write(tree, 0, actor(1, 1n));
    const o = tree.stage();
    o.checkpoint();
    o.putActor(actor(1, 2n));
    o.checkpoint();
    o.putActor(actor(1, 3n));
    o.putStorage(1, 0, 5n, 50n);
    o.commit();
    assert.equal(o.getActor(1)?.balance, 3n);
    assert.equal(o.getStorage(1, 0, 5n), 50n);
    o.revert();
    assert.equal(o.getActor(1)?.balance, 1n);
    assert.equal(o.getStorage(1, 0, 5n), 0n);
    tree.commit(o, 1);
    assert.equal(tree.at(1).getActor(1)?.balance, 1n);
  });

  test('commit of a nested checkpoint into another checkpoint, then commit to the base', () => {
    const tree = new StateTree();
    const o = tree.stage();
    o.checkpoint();
    o.checkpoint();
    o.putAddress(f410(1), 100);
    o.commit();
    o.commit();
    assert.equal(o.lookupId(f410(1)), 100);
    tree.commit(o, 1);
    assert.equal(tree.at(1).lookupId(f410(1)), 100);
  });

  test('actors whose IDs share a slot of the kept actor keys (4 096 apart, past 2^31 and 2^32) each read back through the tree and an overlay, across empty checkpoints', () => {
    const ids = [7, 7 + 4096, 7 + 2 * 4096, 2 ** 31 + 7, 2 ** 32 + 7, 2 ** 53 - 4089];
    const tree = new StateTree();
    const first = tree.stage();
    ids.forEach((id, i) => first.putActor(actor(id, BigInt(i + 1))));
    tree.commit(first, 1);
    const o = tree.stage();
    o.checkpoint();
    // Staged between empty layers; read in an order that makes each slot change hands.
    o.putActor(actor(ids[1]!, 100n));
    o.checkpoint();
    o.checkpoint();
    for (const id of [...ids, ...[...ids].reverse()]) assert.equal(o.getActor(id)?.balance, id === ids[1] ? 100n : BigInt(ids.indexOf(id) + 1), `actor ${id}`);
    for (const id of ids) assert.equal(o.getActor(id + 1), undefined);
    assert.equal(tree.at(1).getActor(ids[1]!)?.balance, 2n);
    o.commit();
    o.commit();
    o.commit();
    tree.commit(o, 2);
    ids.forEach((id, i) => assert.equal(tree.at(2).getActor(id)?.balance, id === ids[1] ? 100n : BigInt(i + 1)));
    assert.deepEqual(
      tree.exportCommitsSince(1).flatMap((c) => c.changes.map(([key]) => key)),
      [`a${ids[1]}`],
    );
  });

  test('revertTo drops the checkpoint it was given and every layer above it', () => {
    const o = new StateTree().stage();
    o.putActor(actor(1, 1n));
    const mark = o.checkpoint();
    o.putActor(actor(1, 2n));
    o.checkpoint();
    o.putActor(actor(1, 3n));
    o.checkpoint();
    o.revertTo(mark);
    assert.equal(o.getActor(1)?.balance, 1n);
    // No checkpoint is left open.
    assert.throws(() => o.revert(), /revert without checkpoint/);
  });

  test('version moves with every write and dropped layer, not with reads, checkpoints or commits', () => {
    const o = new StateTree().stage();
    const seen = [o.version];
    const step = (change: () => unknown, moves: boolean, what: string) => {
      change();
      assert.equal(o.version !== seen.at(-1), moves, what);
      seen.push(o.version);
    };
    step(() => o.putActor(actor(1, 1n)), true, 'putActor');
    step(() => o.getActor(1), false, 'getActor');
    const mark = o.checkpoint();
    step(() => o.checkpoint(), false, 'checkpoint');
    step(() => o.putStorage(1, 0, 2n, 3n), true, 'putStorage');
    step(() => o.commit(), false, 'commit');
    step(() => o.putAddress(FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(7)), 1), true, 'putAddress');
    step(() => o.allocateId(), true, 'allocateId');
    step(() => o.checkpoint(), false, 'checkpoint');
    step(() => o.revert(), true, 'revert');
    step(() => o.revertTo(mark), true, 'revertTo');
    assert.equal(o.getActor(1)?.balance, 1n);
  });

  test('layers left unwritten are shared by no one: a write never reaches another overlay or an outer layer', () => {
    const tree = new StateTree();
    write(tree, 0, actor(1, 1n));
    const a = tree.stage();
    const b = tree.stage();
    a.checkpoint();
    a.checkpoint();
    a.putActor(actor(2, 2n));
    // Folded into two layers that were never written, then into the base.
    a.commit();
    assert.equal(a.changedSince(1), true);
    a.commit();
    b.checkpoint();
    b.commit();
    assert.equal(b.getActor(2), undefined);
    b.putActor(actor(3, 3n));
    assert.equal(a.getActor(3), undefined);
    assert.equal(tree.stage().getActor(2), undefined);
    const mark = a.checkpoint();
    assert.equal(a.changedSince(mark), false);
    a.putActor(actor(1, 9n));
    a.revertTo(mark);
    assert.equal(a.getActor(1)?.balance, 1n);
    assert.equal(b.getActor(1)?.balance, 1n);
    tree.commit(a, 1);
    assert.equal(tree.at(1).getActor(2)?.balance, 2n);
    assert.equal(tree.at(1).getActor(3), undefined);
  });

  test('two overlays read what a plain stack of layers holds, across random checkpoints, commits and reverts', () => {
    const tree = new StateTree();
    for (let id = 1; id <= 4; id++) write(tree, 0, actor(id, BigInt(id)));
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pairs = [0, 1].map(() => ({ overlay: tree.stage(), model: [new Map<number, bigint>()] }));
    for (let step = 0; step < 3000; step++) {
      const { overlay, model } = pairs[random(2)]!;
      const op = random(6);
      if (op === 0) {
        overlay.checkpoint();
        model.push(new Map());
      } else if (op === 1 && model.length > 1) {
        overlay.commit();
        const top = model.pop()!;
        for (const [id, balance] of top) model.at(-1)!.set(id, balance);
      } else if (op === 2 && model.length > 1) {
        overlay.revert();
        model.pop();
      } else if (op === 3 && model.length > 1) {
        const depth = 1 + random(model.length - 1);
        assert.equal(overlay.changedSince(depth), model.slice(depth).some((layer) => layer.size > 0));
        overlay.revertTo(depth);
        model.length = depth;
      } else {
        const id = 1 + random(4);
        const balance = BigInt(100 + step);
        overlay.putActor(actor(id, balance));
        model.at(-1)!.set(id, balance);
      }
      for (const pair of pairs) {
        for (let id = 1; id <= 4; id++) {
          const staged = [...pair.model].reverse().find((layer) => layer.has(id))?.get(id) ?? BigInt(id);
          assert.equal(pair.overlay.getActor(id)?.balance, staged, `step ${step}, actor ${id}`);
        }
      }
    }
  });

  test('commit or revert without a checkpoint throws', () => {
    const o = new StateTree().stage();
    assert.throws(() => o.commit(), /commit without checkpoint/);
    assert.throws(() => o.revert(), /revert without checkpoint/);
  });

  test('committing an overlay with open checkpoints to the tree throws and writes nothing', () => {
    const tree = new StateTree();
    const o = tree.stage();
    o.putActor(actor(1, 1n));
    o.checkpoint();
    assert.throws(() => tree.commit(o, 1), /open checkpoints remain/);
    assert.equal(tree.at(1).getActor(1), undefined);
    assert.equal(tree.epoch, -1);
    o.commit();
    tree.commit(o, 1);
    assert.equal(tree.at(1).getActor(1)?.balance, 1n);
  });

  test('allocateId counts up from 100, is undone by revert, and persists through commit', () => {
    const tree = new StateTree();
    const o = tree.stage();
    assert.equal(o.nextId(), FIRST_NON_SINGLETON_ID);
    assert.equal(o.allocateId(), 100);
    assert.equal(o.allocateId(), 101);
    o.checkpoint();
    assert.equal(o.allocateId(), 102);
    o.revert();
    assert.equal(o.nextId(), 102);
    assert.equal(o.allocateId(), 102);
    tree.commit(o, 1);
    assert.equal(tree.at(1).nextId(), 103);
    assert.equal(tree.at(0).nextId(), 100);
    assert.equal(tree.stage().allocateId(), 103);
  });

  test('an overlay staged on a past epoch reads that epoch', () => {
    const tree = new StateTree();
    write(tree, 1, actor(1, 1n));
    write(tree, 2, actor(1, 2n));
    const o = tree.stage(1);
    assert.equal(o.getActor(1)?.balance, 1n);
    o.putActor(actor(1, 9n));
    assert.equal(o.getActor(1)?.balance, 9n);
    assert.equal(tree.at(2).getActor(1)?.balance, 2n);
  });

  test('an address asked again, by the same object or an equal one, resolves as the state says at each step', () => {
    const tree = new StateTree();
    const address = f410(0xcc);
    const o1 = tree.stage();
    assert.equal(o1.lookupId(address), undefined);
    o1.putAddress(FilAddress.fromBytes(address.bytes), 100);
    assert.equal(o1.lookupId(address), 100);
    const mark = o1.checkpoint();
    o1.putAddress(address, 101);
    assert.deepEqual([o1.lookupId(address), o1.lookupId(f410(0xcc))], [101, 101]);
    o1.revertTo(mark);
    assert.equal(o1.lookupId(address), 100);
    tree.commit(o1, 1);
    // A new overlay and the state under it read the committed key, whichever object asks.
    const o2 = tree.stage();
    assert.deepEqual([o2.lookupId(address), o2.lookupId(f410(0xcc)), tree.at(1).lookupId(address), tree.at(0).lookupId(address)], [100, 100, 100, undefined]);
  });
});

describe("an overlay's addresses: the IDs the tree gave them kept for the overlay", () => {
  /** Counts the probes of the tree's key table (every key but an actor's) while `run` runs. */
  function keyTableProbes(run: () => void): number {
    const find = KeyTable.prototype.find;
    let probes = 0;
    KeyTable.prototype.find = function (this: KeyTable, key: string) {
      probes++;
      return find.call(this, key);
    };
    try {
      run();
    } finally {
      KeyTable.prototype.find = find;
    }
    return probes;
  }

  test('an address the tree gave an ID is answered again without the key table, by the same object; a staged address still wins', () => {
    const tree = new StateTree();
    const address = f410(0xcc);
    const staged = tree.stage();
    staged.putAddress(address, 100);
    tree.commit(staged, 1);
    const overlay = tree.stage();
    assert.equal(keyTableProbes(() => assert.deepEqual([overlay.lookupId(address), overlay.lookupId(address), overlay.lookupId(address)], [100, 100, 100])), 1);
    // An equal address of another object is looked up as before.
    assert.equal(keyTableProbes(() => assert.equal(overlay.lookupId(f410(0xcc)), 100)), 1);
    const mark = overlay.checkpoint();
    overlay.putAddress(address, 101);
    assert.equal(overlay.lookupId(address), 101);
    overlay.revertTo(mark);
    assert.equal(overlay.lookupId(address), 100);
    // The tree keeps the key's number of the address object asked last of those ending in its byte (the equal
    // object above, then this one again): other overlays, and the tree's state at an epoch, find it by that.
    assert.equal(keyTableProbes(() => assert.equal(tree.stage().lookupId(address), 100)), 1);
    assert.equal(keyTableProbes(() => assert.deepEqual([tree.stage().lookupId(address), tree.at(1).lookupId(address), tree.at(0).lookupId(address)], [100, 100, undefined])), 0);
  });

  test("the tree keeps an address's key number until a revert drops it: an address with another's old number is not taken for it", () => {
    const tree = new StateTree();
    const start = tree.snapshot();
    const gone = f410(0xcc);
    const staged = tree.stage();
    staged.putAddress(gone, 100);
    tree.commit(staged, 1);
    assert.equal(tree.stage().lookupId(gone), 100);
    tree.revert(start);
    // The first key added after the revert takes the number `gone`'s key had.
    const other = tree.stage();
    other.putAddress(f410(0x01), 200);
    tree.commit(other, 1);
    assert.deepEqual([tree.stage().lookupId(gone), tree.at(1).lookupId(gone), tree.stage().lookupId(f410(0x01))], [undefined, undefined, 200]);
  });

  test('an address looked up before the tree had it is found once a commit adds it; one staged over the tree wins', () => {
    const tree = new StateTree();
    const address = f410(0x42);
    assert.equal(tree.stage().lookupId(address), undefined);
    const staged = tree.stage();
    staged.putAddress(address, 100);
    tree.commit(staged, 1);
    assert.deepEqual([tree.stage().lookupId(address), tree.at(0).lookupId(address)], [100, undefined]);
    const overlay = tree.stage();
    assert.equal(overlay.lookupId(address), 100);
    overlay.putAddress(address, 101);
    assert.equal(overlay.lookupId(address), 101);
    // An address of the same slot (last byte) takes the slot; both still resolve.
    const sameSlot = f410(0x02);
    const more = tree.stage();
    more.putAddress(sameSlot, 102);
    tree.commit(more, 2);
    assert.deepEqual([tree.stage().lookupId(sameSlot), tree.stage().lookupId(address), tree.stage().lookupId(sameSlot)], [102, 100, 102]);
  });

  test("an address the state had no ID for is asked again: a fork's fetch may bring one", () => {
    let known = false;
    const asked: string[] = [];
    const source: StateSource = {
      getActor: () => undefined,
      lookupId: (address) => (asked.push(address.toString()), known ? 1000 : undefined),
      getStorage: () => undefined,
      nextId: () => 2000,
    };
    const overlay = new StateTree(source).stage();
    const address = f410(7);
    assert.equal(overlay.lookupId(address), undefined);
    known = true;
    assert.deepEqual([overlay.lookupId(address), overlay.lookupId(address)], [1000, 1000]);
    assert.equal(asked.length, 2);
  });
});

describe("a storage slot's read: an overlay's layers asked only once a slot was staged there", () => {
  /** Counts the lookups in `overlay`'s own layers (its Maps, not the state's below it) while `run` runs. */
  function layerLookups(overlay: StateOverlay, run: () => void): number {
    const layers = (overlay as unknown as { layers: Map<unknown, unknown>[] }).layers;
    const get = Map.prototype.get;
    let lookups = 0;
    Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
      if (layers.includes(this)) lookups++;
      return get.call(this, key);
    };
    try {
      run();
    } finally {
      Map.prototype.get = get;
    }
    return lookups;
  }

  test("a read on an overlay that staged no slot asks none of its layers; once one is staged, the overlay's layers win, after a revert too", () => {
    const tree = new StateTree();
    const committed = tree.stage();
    committed.putStorage(1001, 0, 5n, 50n);
    tree.commit(committed, 1);
    const overlay = tree.stage();
    overlay.putActor(actor(1001, 1n));
    const mark = overlay.checkpoint();
    // Its two layers (the actor's, the checkpoint's) are not asked: the state below answers.
    assert.equal(layerLookups(overlay, () => assert.deepEqual([overlay.getStorage(1001, 0, 5n), overlay.getStorage(1001, 0, 6n)], [50n, 0n])), 0);
    overlay.putStorage(1001, 0, 5n, 51n);
    overlay.putStorage(1001, 0, 6n, 61n);
    // Staged: the overlay's layers are asked (its top one holds both).
    assert.equal(layerLookups(overlay, () => assert.deepEqual([overlay.getStorage(1001, 0, 5n), overlay.getStorage(1001, 0, 6n)], [51n, 61n])), 2);
    overlay.revertTo(mark);
    assert.deepEqual([overlay.getStorage(1001, 0, 5n), overlay.getStorage(1001, 0, 6n)], [50n, 0n]);
    overlay.putStorage(1001, 0, 5n, 52n);
    assert.equal(overlay.getStorage(1001, 0, 5n), 52n);
    // A revert of a layer above keeps what the layers below staged.
    const inner = overlay.checkpoint();
    overlay.putStorage(1001, 0, 6n, 62n);
    overlay.revertTo(inner);
    assert.deepEqual([overlay.getStorage(1001, 0, 5n), overlay.getStorage(1001, 0, 6n)], [52n, 0n]);
    // The tree itself is unchanged until a commit.
    assert.equal(tree.at(1).getStorage(1001, 0, 5n), 50n);
  });
});

describe('StateTree over a StateSource', () => {
  /** A source holding one actor, its f410 address and one storage slot, standing for an upstream node; it counts reads. */
  function upstream() {
    const reads: string[] = [];
    const source: StateSource = {
      getActor: (id) => (reads.push(`actor ${id}`), id === 1000 ? actor(1000, 5n) : undefined),
      lookupId: (address) => (reads.push(`address ${address.toString()}`), address.key === f410(1).key ? 1000 : undefined),
      getStorage: (id, generation, slot) => (reads.push(`slot ${id}:${slot}`), id === 1000 && generation === 0 && slot === 1n ? 42n : undefined),
      nextId: () => 2000,
    };
    return { source, reads };
  }

  test('what the chain never wrote is read from the source, at every epoch and through overlays', () => {
    const { source, reads } = upstream();
    const tree = new StateTree(source);
    for (const reader of [tree.at(0), tree.at(10), tree.stage()]) {
      assert.equal(reader.getActor(1000)?.balance, 5n);
      assert.equal(reader.lookupId(f410(1)), 1000);
      assert.equal(reader.getStorage(1000, 0, 1n), 42n);
      assert.equal(reader.getStorage(1000, 0, 2n), 0n);
      assert.equal(reader.nextId(), 2000);
      assert.equal(reader.lookupId(f410(2)), undefined);
    }
    // An f0 address needs no lookup.
    assert.equal(tree.at(0).lookupId(FilAddress.fromId(1000)), 1000);
    assert.ok(reads.includes('actor 1000') && reads.includes('slot 1000:1'));
  });

  test('a write shadows the source from its epoch on; a revert brings the source back', () => {
    const { source } = upstream();
    const tree = new StateTree(source);
    const before = tree.snapshot();
    const overlay = tree.stage();
    overlay.putActor(actor(1000, 9n, 1));
    overlay.putStorage(1000, 0, 1n, 43n);
    tree.commit(overlay, 5);
    assert.equal(tree.at(4).getActor(1000)?.balance, 5n);
    assert.equal(tree.at(4).getStorage(1000, 0, 1n), 42n);
    assert.equal(tree.at(5).getActor(1000)?.balance, 9n);
    assert.equal(tree.at(5).getStorage(1000, 0, 1n), 43n);
    tree.revert(before);
    assert.equal(tree.at(5).getActor(1000)?.balance, 5n);
    assert.equal(tree.at(5).getStorage(1000, 0, 1n), 42n);
  });

  test("a deleted actor (a payment channel's Collect) is no actor from its epoch on, in the overlay, the tree, a saved and loaded chain, over its source", () => {
    const { source } = upstream();
    const tree = new StateTree(source);
    write(tree, 1, actor(1, 7n));
    const overlay = tree.stage();
    overlay.deleteActor(1);
    overlay.deleteActor(1000);
    // Deleting what is not there writes nothing.
    overlay.deleteActor(3);
    assert.deepEqual([overlay.getActor(1), overlay.getActor(1000), overlay.getActor(3)], [undefined, undefined, undefined]);
    tree.commit(overlay, 2);
    for (const reader of [tree.at(2), tree.stage()]) assert.deepEqual([reader.getActor(1), reader.getActor(1000)], [undefined, undefined]);
    assert.deepEqual([tree.at(1).getActor(1)?.balance, tree.at(1).getActor(1000)?.balance], [7n, 5n]);
    assert.deepEqual(tree.exportCommitsSince(1).map((c) => c.changes.map(([key]) => key)), [['a1', 'a1000']]);
    const loaded = new StateTree(source);
    loaded.load(tree.exportCommitsSince(0));
    assert.deepEqual([loaded.at(1).getActor(1)?.balance, loaded.at(2).getActor(1), loaded.at(2).getActor(1000)], [7n, undefined, undefined]);
  });

  test('a tree of its own (localStateSource) has nothing under it', () => {
    assert.deepEqual(
      [localStateSource.getActor(0), localStateSource.lookupId(f410(1)), localStateSource.getStorage(1, 0, 0n), localStateSource.nextId()],
      [undefined, undefined, undefined, undefined],
    );
  });
});

// review R2 / review2 Q1 (on 1a98cab, G11): a chain saved before contracts kept their storage KAMT's
// shape (their actors hold the root's bucket counts, `storageBuckets`) loads each contract with the
// shape its slots make, as a chain of this version keeps it, not as a contract of unknown shape.
describe('a chain saved before storage KAMT shapes were kept', () => {
  const top = 1n << 255n;
  const legacy = (storageBuckets: number[]) =>
    ({ id: 1001, kind: 'evm', nonce: 0, balance: 0n, storageBuckets, evm: { bytecode: Uint8Array.of(0), bytecodeHash: new Uint8Array(32), nonce: 1, storageGeneration: 0 } }) as unknown as Actor;
  const buckets = (counts: Record<number, number>) => Array.from({ length: 32 }, (_, b) => counts[b] ?? 0);
  const slot = (n: bigint, value: bigint): [string, unknown] => [`s1001:0:${n.toString(16)}`, encodeBigInt(value)];
  const shapeOf = (slots: [bigint, bigint][]) => slots.reduce((kamt, [n, value]) => withSlot(kamt, n, 0n, value), EMPTY_KAMT);
  const first = legacy(buckets({ 0: 2, 16: 1 }));
  const third = legacy(buckets({ 0: 3, 16: 1 }));
  const commits = [
    { epoch: 1, changes: [['a1001', storableActor(first)], slot(0n, 5n), slot(1n, 6n), slot(top, 7n)] as [string, unknown][] },
    // A slot written alone (the counts did not move: the actor was not saved again).
    { epoch: 2, changes: [slot(1n, 0x100n)] },
    // The actor saved again as what changed from its saved self (its counts), with a new slot.
    { epoch: 3, changes: [storableChange(['a1001', third, first]), slot(2n, 9n)] },
  ];

  test('each contract gets its shape from its slots, kept by each later commit; the bucket counts go', () => {
    const tree = new StateTree();
    tree.load(commits);
    const at = (epoch: number) => tree.at(epoch).getActor(1001) as Actor & { storageBuckets?: unknown };
    assert.deepEqual(at(1).storageShape, shapeOf([[0n, 5n], [1n, 6n], [top, 7n]]));
    assert.deepEqual(at(2).storageShape, shapeOf([[0n, 5n], [1n, 0x100n], [top, 7n]]));
    assert.deepEqual(at(3).storageShape, shapeOf([[0n, 5n], [1n, 0x100n], [2n, 9n], [top, 7n]]));
    assert.deepEqual([1, 2, 3].map((epoch) => 'storageBuckets' in at(epoch)), [false, false, false]);
    // Saved again and loaded, the shapes are what was saved.
    const again = new StateTree();
    again.load(tree.exportCommitsSince(0));
    assert.deepEqual(again.at(3).getActor(1001)?.storageShape, at(3).storageShape);
  });

  test('a forked contract (its upstream names its root) keeps no shape: the upstream holds slots the chain does not', () => {
    const forked = { ...legacy(buckets({ 0: 2 })), evm: { ...first.evm!, upstreamStorageRoot: 'bafy' } } as Actor;
    const tree = new StateTree();
    tree.load([{ epoch: 1, changes: [['a1001', storableActor(forked)], slot(0n, 5n)] }]);
    assert.equal(tree.at(1).getActor(1001)?.storageShape, undefined);
  });
});

// review Q2: from format 6 a contract's shape is not saved (a slot splitting an extension above a big
// subtree saved the subtree again); the load makes it from the slots, a commit at a time.
describe('a contract saved without its storage KAMT shape', () => {
  const contract: Actor = { id: 1002, kind: 'evm', nonce: 0, balance: 0n, storageShape: EMPTY_KAMT, evm: { bytecode: Uint8Array.of(0), bytecodeHash: new Uint8Array(32), nonce: 1, storageGeneration: 0 } };
  const top = 1n << 255n;

  /** Commits these slot writes (in order) as the state of `epoch`, moving the shape as the EVM actor does; `reset` bumps the storage generation first. */
  function sstores(tree: StateTree, epoch: number, writes: [bigint, bigint][], reset = false): void {
    const overlay = tree.stage();
    let held = overlay.getActor(contract.id) ?? contract;
    if (reset) overlay.putActor((held = { ...held, storageShape: EMPTY_KAMT, evm: { ...held.evm!, storageGeneration: held.evm!.storageGeneration + 1 } }));
    for (const [slot, value] of writes) {
      const generation = held.evm!.storageGeneration;
      const shape = withSlot(held.storageShape!, slot, overlay.getStorage(held.id, generation, slot), value);
      if (shape !== held.storageShape) overlay.putActor((held = { ...held, storageShape: shape }));
      overlay.putStorage(held.id, generation, slot, value);
    }
    tree.commit(overlay, epoch);
  }

  const live = new StateTree();
  sstores(live, 1, [[0n, 5n], [1n, 6n], [top, 7n], [top + 1n, 8n]]);
  // A slot rewritten at the same length: the shape and the actor stay as they were.
  sstores(live, 2, [[1n, 9n]]);
  // Set and cleared again: the actor written, its shape the same.
  sstores(live, 3, [[2n, 1n], [2n, 0n]]);
  // Splits the extension above `top` and `top + 1`, then a longer value.
  sstores(live, 4, [[top + 0x400n, 1n], [0n, 0x10000n]]);
  sstores(live, 5, [[top + 1n, 0n]]);
  sstores(live, 6, [[3n, 3n]], true);
  const saved = live.exportCommitsSince(0);

  test('saves no shape; loaded, every epoch has the shape the live tree had, and saved again it is the same bytes', () => {
    assert.ok(!Buffer.from(encodeCbor(saved)).includes('storageShape'), 'no shape saved');
    const loaded = new StateTree();
    loaded.load(saved);
    for (let epoch = 1; epoch <= 6; epoch++) assert.deepEqual(loaded.at(epoch).getActor(contract.id)?.storageShape, live.at(epoch).getActor(contract.id)?.storageShape, `epoch ${epoch}`);
    assert.deepEqual(encodeCbor(loaded.exportCommitsSince(0)), encodeCbor(saved));
  });

  test('loaded a commit at a time, as a journal is, the shapes are the same', () => {
    const loaded = new StateTree();
    for (const commit of saved) loaded.loadCommit(commit);
    assert.deepEqual(loaded.at(6).getActor(contract.id)?.storageShape, live.at(6).getActor(contract.id)?.storageShape);
    assert.deepEqual(loaded.at(5).getActor(contract.id)?.storageShape, live.at(5).getActor(contract.id)?.storageShape);
  });
});
