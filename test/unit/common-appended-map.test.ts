// common/appended-map.ts: a read-only Map of ascending number keys whose versions, each the one before
// with an entry past its last key, share every entry but their own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppendedMap } from '../../src/common/appended-map.js';
import { heapUsed } from '../helpers/heap.js';

describe('AppendedMap', () => {
  test('reads as a Map of the same entries, in ascending order of keys', () => {
    const map = AppendedMap.of<bigint>([[30, 3n], [10, 1n], [20, 2n], [10, 4n]])!;
    assert.ok(map instanceof Map);
    assert.deepEqual([...map], [[10, 4n], [20, 2n], [30, 3n]]);
    assert.deepEqual([...map.keys()], [10, 20, 30]);
    assert.deepEqual([...map.values()], [4n, 2n, 3n]);
    assert.deepEqual([map.size, map.firstKey, map.lastKey], [3, 10, 30]);
    assert.deepEqual([map.get(20), map.get(25), map.get(5), map.has(30), map.has(31)], [2n, undefined, undefined, true, false]);
    const seen: [number, bigint][] = [];
    map.forEach((value, key) => seen.push([key, value]));
    assert.deepEqual(seen, [[10, 4n], [20, 2n], [30, 3n]]);
    assert.equal(AppendedMap.of([]), undefined);
  });

  test('a version with an entry past the last key is one object more, sharing the version before: only its own entry is new', () => {
    const first = AppendedMap.with<bigint>(undefined, 100, 1n);
    const second = AppendedMap.with(first, 101, 2n);
    const third = AppendedMap.with(second, 105, 3n);
    assert.deepEqual(third.appendedSince(second), [[105, 3n]]);
    assert.deepEqual(third.appendedSince(first), [[101, 2n], [105, 3n]]);
    assert.deepEqual(third.appendedSince(third), []);
    // The versions before are unchanged.
    assert.deepEqual([...second], [[100, 1n], [101, 2n]]);
    assert.deepEqual([...first], [[100, 1n]]);
    // Not made from it: no list of appends.
    assert.equal(third.appendedSince(AppendedMap.of([[100, 1n]])!), undefined);
    assert.equal(second.appendedSince(third), undefined);
  });

  test('a key at or before the last, or a plain Map to add to, makes a map of all the entries again, in order', () => {
    const map = AppendedMap.of<bigint>([[10, 1n], [30, 3n]])!;
    const inserted = AppendedMap.with(map, 20, 2n);
    assert.deepEqual([...inserted], [[10, 1n], [20, 2n], [30, 3n]]);
    assert.equal(inserted.appendedSince(map), undefined);
    assert.deepEqual([...AppendedMap.with(map, 30, 9n)], [[10, 1n], [30, 9n]]);
    const fromMap = AppendedMap.with(new Map([[5, 1n], [7, 2n]]), 9, 3n);
    assert.deepEqual([...fromMap], [[5, 1n], [7, 2n], [9, 3n]]);
    assert.deepEqual([fromMap.size, fromMap.firstKey], [3, 5]);
  });

  test('size and first key stay right when counts are kept: more chains than kept counts, versions read in any order, two versions made from one', () => {
    // Twenty chains (more than the 16 counts kept), each grown a version at a time and read in turn, as
    // the miners' pending rewards are; each version's size and first key against its entries walked whole.
    const chains: AppendedMap<bigint>[][] = [];
    for (let c = 0; c < 20; c++) chains.push([AppendedMap.with<bigint>(undefined, 1000 * c, 1n)]);
    const check = (map: AppendedMap<bigint>) => {
      const entries = [...map];
      assert.deepEqual([map.size, map.firstKey], [entries.length, entries[0]![0]]);
    };
    for (let round = 1; round < 40; round++) {
      for (let c = 0; c < 20; c += round % 3 === 0 ? 2 : 1) {
        const versions = chains[c]!;
        versions.push(AppendedMap.with(versions.at(-1)!, 1000 * c + round, BigInt(round)));
        check(versions.at(-1)!);
      }
    }
    // Older versions after newer ones, and each chain's from its first version up.
    for (const versions of chains) for (const map of [...versions].reverse()) check(map);
    for (const versions of chains) for (const map of versions) check(map);
    // Two versions made from one (a revert and another tipset): each counts its own entry.
    const base = chains[0]!.at(-1)!;
    const [left, right] = [AppendedMap.with(base, 5000, 1n), AppendedMap.with(base, 6000, 1n)];
    check(left);
    check(right);
    assert.deepEqual([left.size, right.size, left.firstKey], [base.size + 1, base.size + 1, 0]);
    // A map built again (a key before the last) is a chain of its own.
    const rebuilt = AppendedMap.with(base, -5, 9n);
    check(rebuilt);
    assert.deepEqual([rebuilt.size, rebuilt.firstKey, base.firstKey], [base.size + 1, -5, 0]);
  });

  // G1: four slots thrashed with 3 or more miners (a reward walked its winner's whole chain again).
  test("with 2 to 8 miners winning in turn from versions never counted (a --state load), a reward walks no chain past each miner's first: the walks' reads counted", () => {
    type Linked = { before: AppendedMap<bigint> | undefined };
    for (const miners of [2, 3, 4, 8]) {
      let reads = 0;
      const chains = Array.from({ length: miners }, (_, c) => {
        let map: AppendedMap<bigint> | undefined;
        for (let i = 0; i < 300; i++) map = AppendedMap.with(map, 10_000 * c + i, 1n);
        // Each loaded version's link to the one before counted as it is read: a count's walk reads it.
        for (let node = map; node !== undefined; ) {
          const before = (node as unknown as Linked).before;
          Object.defineProperty(node, 'before', { get: () => (reads++, before) });
          node = before;
        }
        return map!;
      });
      // A block reward's reads (miner/state.ts addLockedFunds, miner/access.ts enrollVesting).
      const win = (c: number) => {
        const old = chains[c]!;
        const [first, size] = [old.firstKey, old.size];
        const next = AppendedMap.with(old, old.lastKey + 1, 1n);
        assert.deepEqual([next.size, next.firstKey, old.firstKey], [size + 1, first, first]);
        chains[c] = next;
      };
      for (let c = 0; c < miners; c++) win(c);
      // Each miner's first reward walked its 300 loaded versions once.
      assert.ok(reads >= 300 * miners, `${miners} miners: ${reads} reads`);
      reads = 0;
      for (let round = 0; round < 5; round++) for (let c = 0; c < miners; c++) win(c);
      assert.equal(reads, 0, `${miners} miners: loaded versions read after each one's first reward`);
    }
  });

  test("an amount equal to the last entry's (a miner's block reward each tipset) costs no bigint of its own: heap an entry against distinct amounts", () => {
    const ENTRIES = 100_000;
    const REWARD = 3_750_000_000_000_000_000n;
    /** Heap bytes an entry of a map of ENTRIES appends, each amount a bigint made apart. */
    const perEntry = (amount: (i: number) => bigint) => {
      const before = heapUsed();
      let map: AppendedMap<bigint> | undefined;
      for (let i = 0; i < ENTRIES; i++) map = AppendedMap.with(map, i, amount(i));
      const grown = heapUsed() - before;
      assert.equal(map!.size, ENTRIES);
      assert.equal(map!.get(ENTRIES - 1), amount(ENTRIES - 1));
      return grown / ENTRIES;
    };
    // Made at run time, a new bigint each: `REWARD + BigInt(i * 0)` is no constant the engine could share.
    const same = perEntry((i) => REWARD + BigInt(i * 0));
    const distinct = perEntry((i) => REWARD + BigInt(i));
    assert.ok(distinct - same >= 12, `an entry took ${same.toFixed(1)} B with the same amount, ${distinct.toFixed(1)} B with distinct ones`);
  });

  test('a version keeps its key, its value and the version before, no more: under 56 B of heap a version, where a size and a first key in each were 64', () => {
    const ENTRIES = 200_000;
    const amount = 3_750_000_000_000_000_000n;
    const before = heapUsed();
    let map: AppendedMap<bigint> | undefined;
    for (let i = 0; i < ENTRIES; i++) map = AppendedMap.with(map, 2 * i, amount);
    const perVersion = (heapUsed() - before) / ENTRIES;
    // Counted and found by a walk, as before.
    assert.deepEqual([map!.size, map!.firstKey, map!.lastKey], [ENTRIES, 0, 2 * (ENTRIES - 1)]);
    assert.ok(perVersion < 56, `a version took ${perVersion.toFixed(1)} B`);
  });
});
