// common/shared-map.ts: a SharedMap behaves as a Map with the same history (entries, order, size,
// iteration while changing), its copies change apart from each other, and a state stored as a
// change (common/storable.ts) treats it as the plain Map it stands for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedMap } from '../../src/common/shared-map.js';
import { fromStorable, fromStorableChange, toStorable, toStorableChange } from '../../src/common/storable.js';
import { copyMap } from '../../src/fevm/lazy-map.js';

/** A small deterministic random source (xorshift32), so that a failure can be run again. */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

describe('SharedMap', () => {
  test('random sets and deletes on a Map and a SharedMap, with copies taken along the way, leave each copy equal to its Map, in the same order (firstKey: the first key of its Map)', () => {
    const next = random(0x9e3779b9);
    const pairs: [Map<number | string, number>, SharedMap<number | string, number>][] = [[new Map(), new SharedMap()]];
    for (let step = 0; step < 20_000; step++) {
      const [plain, shared] = pairs[next(pairs.length)]!;
      // Numbers of a few sizes (collisions of the trie's first levels) and strings.
      const key = next(4) === 0 ? `k${next(300)}` : next(3) === 0 ? next(2 ** 32) : next(600);
      const op = next(10);
      if (op < 6) {
        plain.set(key, step);
        shared.set(key, step);
      } else if (op < 9) assert.equal(shared.delete(key), plain.delete(key));
      else if (pairs.length < 40) pairs.push([new Map(plain), copyMap(shared) as SharedMap<number | string, number>]);
      assert.equal(shared.get(key), plain.get(key));
      assert.equal(shared.has(key), plain.has(key));
      assert.equal(shared.firstKey(), plain.keys().next().value);
    }
    for (const [plain, shared] of pairs) {
      assert.equal(shared.size, plain.size);
      assert.deepEqual([...shared], [...plain]);
      assert.deepEqual([...shared.keys()], [...plain.keys()]);
      assert.deepEqual([...shared.values()], [...plain.values()]);
    }
  });

  test('keys of the same hash (a full collision) are kept apart, found and deleted one by one', () => {
    // FNV-1a collides on these two strings: one bucket at the trie's last level.
    const map = new SharedMap<string, number>([['costarring', 1], ['liquid', 2], ['x', 3]]);
    const copy = map.copy();
    assert.equal(map.delete('costarring'), true);
    assert.deepEqual([...map], [['liquid', 2], ['x', 3]]);
    assert.equal(map.firstKey(), 'liquid');
    assert.equal(copy.firstKey(), 'costarring');
    assert.deepEqual([...copy], [['costarring', 1], ['liquid', 2], ['x', 3]]);
    assert.equal(copy.get('liquid'), 2);
  });

  test('iterating while deleting and adding visits what a Map visits', () => {
    const plain = new Map([1, 2, 3, 4, 5].map((k) => [k, k]));
    const shared = new SharedMap(plain);
    const visit = (map: Map<number, number>) => {
      const seen: number[] = [];
      for (const [key] of map) {
        seen.push(key);
        if (key === 2) map.delete(4);
        if (key === 3) map.set(6, 6);
        if (key === 5) map.set(1, 10);
      }
      return seen;
    };
    assert.deepEqual(visit(shared), visit(plain));
    assert.deepEqual([...shared], [...plain]);
  });

  test('stored as a change from the copy it was made from: what changed, and unchanged when nothing did', () => {
    const before = new SharedMap(Array.from({ length: 100 }, (_, i): [number, bigint] => [i, BigInt(i)]));
    const after = before.copy();
    after.set(7, 70n);
    after.delete(8);
    after.set(100, 1n);
    const change = toStorableChange({ table: after }, { table: before }) as { $set: { table: unknown } };
    assert.deepEqual(change.$set.table, { $mapSet: [[7, toStorable(70n)], [100, toStorable(1n)]], $mapUnset: [8] });
    const made = fromStorableChange(change, { table: fromStorable(toStorable(before)) }) as { table: Map<number, bigint> };
    assert.deepEqual([...made.table], [...after]);
    assert.deepEqual(toStorableChange({ table: before.copy() }, { table: before }), { $set: {} });
  });

  // The --state jump of 1 000 deals: each cron write compared the market's whole tables.
  test('changesFrom stores what a Map of the same history stores, for random histories (a key deleted and set again: the table whole)', () => {
    const next = random(0x1234567);
    for (let round = 0; round < 200; round++) {
      const size = next(3) === 0 ? next(20) : next(3000);
      const before = new SharedMap<number | string, number>();
      for (let i = 0; i < size; i++) before.set(next(3) === 0 ? `k${next(5000)}` : next(5000), next(4));
      const after = before.copy();
      const changes = next(8);
      for (let i = 0; i < changes; i++) {
        const key = next(4) === 0 ? [...before.keys()][next(Math.max(1, before.size))] ?? 1 : next(5000);
        const op = next(10);
        if (op < 5) after.set(key, next(4));
        else if (op < 9) after.delete(key);
        // Deleted and set again: it moves to the end, and the table is stored whole.
        else if (after.delete(key)) after.set(key, 9);
      }
      const stored = toStorableChange({ table: after }, { table: before });
      assert.deepEqual(stored, toStorableChange({ table: new Map(after) }, { table: new Map(before) }), `round ${round}`);
      const made = fromStorableChange(stored, { table: new Map(before) }) as { table: Map<number | string, number> };
      assert.deepEqual([...made.table], [...after]);
    }
  });

  test('a table of 100 000 entries and a copy with one entry changed: the change names that entry, and neither table is iterated', (t) => {
    const before = new SharedMap(Array.from({ length: 100_000 }, (_, i): [number, number] => [i, i]));
    const after = before.copy();
    after.set(77_777, 0);
    const entries = t.mock.method(SharedMap.prototype, 'entries');
    assert.deepEqual(after.changesFrom(before), { set: [[77_777, 0, { value: 77_777 }]], deleted: [] });
    assert.deepEqual(toStorableChange({ table: after }, { table: before }), { $set: { table: { $mapSet: [[77_777, 0]] } } });
    assert.deepEqual(before.changesFrom(before.copy()), { set: [], deleted: [] });
    assert.equal(entries.mock.callCount(), 0);
  });

  test('a Map to whoever asks, with no hash table of its own: Map.prototype\'s methods find none on it', () => {
    const map = new SharedMap<string, number>([['a', 1]]);
    assert.ok(map instanceof Map);
    assert.equal(Object.prototype.toString.call(map), '[object Map]');
    assert.deepEqual(new Map(map), new Map([['a', 1]]));
    // A Map's constructor gives each instance its own table (~160 bytes), which every version of every
    // table the state keeps would carry unused: a SharedMap is not made by it.
    assert.throws(() => Map.prototype.has.call(map, 'a'), TypeError);
    assert.throws(() => Reflect.get(Map.prototype, 'size', map), TypeError);
  });
});
