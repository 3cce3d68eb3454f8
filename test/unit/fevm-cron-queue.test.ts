// fevm/actors/cron-queue.ts: the cron actor's queue as a tree whose versions share their nodes keeps
// the order a sorted list of epochs keeps (entries of an epoch in the order enrolled, the due ones
// taken earliest first), a queue taken from leaves the one before it as it was, and a state file
// stores it as that list and reads the list back as the same queue, a later version as the epochs
// it changed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { fromStorable, fromStorableChange, ReadPairs, toStorable, toStorableChange } from '../../src/common/storable.js';
import type { CronEntry } from '../../src/fevm/actors/cron.js';
import { CronQueue, type CronList } from '../../src/fevm/actors/cron-queue.js';

/** The reference: the sorted list the queue stands for, enrolled into and taken from as a list. */
function enrolled(list: CronList, epoch: number, entry: CronEntry): CronList {
  const at = list.findIndex(([e]) => e >= epoch);
  const i = at < 0 ? list.length : at;
  if (list[i]?.[0] === epoch) return [...list.slice(0, i), [epoch, [...list[i]![1], entry]], ...list.slice(i + 1)];
  return [...list.slice(0, i), [epoch, [entry]], ...list.slice(i)];
}

/** A small deterministic random source (a linear congruential generator): numbers below `n`. */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
}

describe('CronQueue', () => {
  test('enrolments at random epochs (many at one epoch) and takes of the due work keep the sorted list, each version its own', () => {
    const next = random(12345);
    let queue = CronQueue.EMPTY;
    let list: CronList = [];
    const versions: [CronQueue, CronList][] = [];
    for (let step = 0; step < 5000; step++) {
      if (next(5) === 0) {
        const upTo = next(3000);
        const { due, rest } = queue.takeUpTo(upTo);
        assert.deepEqual(due, list.filter(([e]) => e <= upTo));
        list = list.filter(([e]) => e > upTo);
        queue = rest;
      } else {
        // Epochs as deals' checks spread them, and a few epochs taking many entries, as a deadline's.
        const epoch = next(4) === 0 ? 1000 + next(3) : next(3000);
        const entry = { actor: 100 + next(3), event: step };
        queue = queue.with(epoch, entry);
        list = enrolled(list, epoch, entry);
      }
      assert.equal(queue.first(), list[0]?.[0]);
      if (step % 250 === 0) versions.push([queue, list]);
    }
    for (const [version, itsList] of versions) assert.deepEqual(version.list(), itsList);
  });

  test('a state file stores the queue as its list, and the list read back is the same queue', () => {
    const queue = CronQueue.EMPTY.with(30, { actor: 100, event: 'c' }).with(10, { actor: 100, event: { type: 'expire', sectors: [1, 2] } }).with(10, { actor: 101, event: 7 });
    const stored = toStorable({ queue });
    const read = fromStorable(decodeCbor(encodeCbor(stored))) as { queue: CronList };
    assert.deepEqual(read.queue, queue.list());
    assert.deepEqual(CronQueue.of(read.queue).list(), queue.list());
    assert.deepEqual(CronQueue.of(read.queue).takeUpTo(10).due, [[10, [{ actor: 100, event: { type: 'expire', sectors: [1, 2] } }, { actor: 101, event: 7 }]]]);
  });

  test('a version written again (the --state journal) is stored as the epochs it changed, and made again from the list before it', () => {
    let before = CronQueue.EMPTY;
    for (let epoch = 100; epoch < 1100; epoch += 2) before = before.with(epoch, { actor: 7, event: epoch });
    // An epoch's work taken, an entry added to an epoch and a new epoch, as a cron run and a deal's re-check do.
    const after = before.takeUpTo(100).rest.with(500, { actor: 8, event: 'x' }).with(101, { actor: 7, event: 101 });
    const change = toStorableChange({ queue: after }, { queue: before });
    assert.deepEqual(change, { $set: { queue: { $pairsSet: [[101, [{ actor: 7, event: 101 }]], [500, [{ actor: 7, event: 500 }, { actor: 8, event: 'x' }]]], $pairsUnset: [100] } } });
    const stored = fromStorable(decodeCbor(encodeCbor(toStorable({ queue: before })))) as { queue: CronList };
    const made = fromStorableChange(decodeCbor(encodeCbor(change)), stored) as { queue: ReadPairs };
    assert.deepEqual(made.queue.pairs, after.list());
    assert.deepEqual(CronQueue.of(made.queue).list(), after.list());
    // Written again from what was read, the same change.
    assert.deepEqual(toStorableChange(made, stored), change);
    assert.deepEqual(toStorableChange({ queue: after }, { queue: after }), { $set: {} });
  });

  // The --state jump of 1 000 deals: each cron write listed the whole schedule twice, and each version kept its list.
  test('the epochs changed between two versions, found along the nodes they do not share (or by a read list\'s keys), are what comparing their lists finds', () => {
    const next = random(777);
    let queue = CronQueue.EMPTY;
    for (let step = 0; step < 3000; step++) {
      let after = queue;
      for (let op = next(4); op > 0; op--) after = next(3) === 0 ? after.takeUpTo(next(3000)).rest : after.with(next(3000), { actor: 100 + next(3), event: step });
      // The same versions as plain lists of pairs, compared pair by pair; and as the ReadPairs a state file reads.
      const listed = toStorableChange({ queue: { storedPairs: () => after.list() } }, { queue: { storedPairs: () => queue.list() } });
      assert.deepEqual(toStorableChange({ queue: after }, { queue }), listed, `step ${step}`);
      assert.deepEqual(toStorableChange({ queue: ReadPairs.of(after.list()) }, { queue: ReadPairs.of(queue.list()) }), listed, `step ${step}, read`);
      queue = after;
    }
  });

  test('a version of a long schedule with one epoch enrolled is stored as that epoch without listing either version', (t) => {
    let before = CronQueue.EMPTY;
    for (let epoch = 0; epoch < 100_000; epoch += 7) before = before.with(epoch, { actor: 5, event: epoch });
    const after = before.with(50_002, { actor: 5, event: 'x' });
    const listed = t.mock.method(CronQueue.prototype, 'list');
    assert.deepEqual(toStorableChange({ queue: after }, { queue: before }), { $set: { queue: { $pairsSet: [[50_002, [{ actor: 5, event: 'x' }]]] } } });
    assert.equal(listed.mock.callCount(), 0);
  });
});
