// common/storable.ts: actor states stored whole (toStorable) or as what changed since the value
// before (toStorableChange), through dag-cbor, come back equal, and a change shares the unchanged
// parts of the value it is made from.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { cidOf, decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { fromStorable, fromStorableChange, toStorable, toStorableChange } from '../../src/common/storable.js';
import { AppendedMap } from '../../src/common/appended-map.js';
import { SharedMap } from '../../src/common/shared-map.js';
import { LazyMap } from '../../src/fevm/lazy-map.js';

/** Through the file and back: `value` stored as a change from `previous`, then made again from it. */
const roundTrip = (value: unknown, previous: unknown) => fromStorableChange(decodeCbor(encodeCbor(toStorableChange(value, previous))), previous);
const size = (stored: unknown) => encodeCbor(stored).length;

const sector = (n: number, fault?: number) => ({ sectorNumber: n, sealedCid: cidOf(new Uint8Array([n])), dealWeight: BigInt(n) << 40n, ...(fault === undefined ? {} : { faultEpoch: fault }) });
const sectors = new Map(Array.from({ length: 50 }, (_, i) => [i, sector(i)]));
const miner = { owner: 101, worker: 102, peerId: new Uint8Array([1, 2, 3]), controlAddresses: [103], feeDebt: 0n, sectors, allocatedSectors: [...sectors.keys()] };
const actor = { id: 111, kind: 'storageminer', nonce: 0, balance: 10n ** 21n, miner };

describe('toStorableChange and fromStorableChange', () => {
  test('a value paid a reward (its balance alone changed) is stored as that field, a few bytes, and comes back equal, sharing the rest', () => {
    const paid = { ...actor, balance: actor.balance + 5n, miner: { ...miner } };
    const stored = toStorableChange(paid, actor);
    assert.deepEqual(stored, { $set: { balance: toStorable(paid.balance) } });
    assert.ok(size(stored) < 40 && size(toStorable(paid)) > 50 * 40, `${size(stored)} bytes against ${size(toStorable(paid))} whole`);
    const back = roundTrip(paid, actor) as typeof actor;
    assert.deepEqual(back, paid);
    assert.equal(back.miner, actor.miner, 'the unchanged state is the previous one');
  });

  test('nested fields set and removed, Map entries added, changed and deleted, come back equal and in the same order', () => {
    const next = new Map(sectors);
    next.set(7, sector(7, 1234));
    next.delete(3);
    next.set(50, sector(50));
    next.set(51, sector(51));
    const { feeDebt: _, ...withoutDebt } = miner;
    const changed = { ...actor, nonce: 1, miner: { ...withoutDebt, sectors: next, allocatedSectors: [...miner.allocatedSectors, 50, 51], pendingOwner: 104 } };
    const stored = toStorableChange(changed, actor) as { $set: { miner: { $set: Record<string, unknown>; $unset: string[] } } };
    assert.deepEqual(Object.keys(stored.$set).sort(), ['miner', 'nonce']);
    assert.deepEqual(stored.$set.miner.$unset, ['feeDebt']);
    assert.deepEqual(Object.keys(stored.$set.miner.$set).sort(), ['allocatedSectors', 'pendingOwner', 'sectors']);
    const sectorChange = stored.$set.miner.$set.sectors as { $mapSet: [number, unknown][]; $mapUnset: number[] };
    assert.deepEqual(sectorChange.$mapSet.map(([key]) => key), [7, 50, 51]);
    assert.deepEqual(sectorChange.$mapUnset, [3]);
    assert.deepEqual(sectorChange.$mapSet[0]![1], { $set: { faultEpoch: 1234 } });
    const back = roundTrip(changed, actor) as typeof changed;
    // Made again as a SharedMap, whose versions share their entries: the same entries, in the same order.
    assert.ok(back.miner.sectors instanceof SharedMap);
    assert.deepEqual({ ...back, miner: { ...back.miner, sectors: new Map(back.miner.sectors) } }, changed);
    assert.deepEqual([...back.miner.sectors], [...next]);
    assert.ok(!('feeDebt' in back.miner));
    // A Map with keys a SharedMap does not take (booleans) stays a plain Map.
    const byFlag = new Map([[false, 0]]);
    const flagged = roundTrip(new Map([...byFlag, [true, 1]]), byFlag) as Map<boolean, number>;
    assert.equal(flagged.constructor, Map);
    assert.deepEqual([...flagged], [[false, 0], [true, 1]]);
  });

  test('a Map whose entries moved (an entry deleted and set again, keys of objects) or a LazyMap is stored whole, and comes back in its order', () => {
    const moved = new Map(sectors);
    moved.delete(0);
    moved.set(0, sector(0));
    const byObject = new Map([[{ k: 1 }, 1]]);
    const lazy = new LazyMap<number, unknown>({ get: () => undefined, fetched: () => [] });
    for (const [value, previous] of [
      [moved, sectors],
      [byObject, new Map(byObject)],
      [lazy, new Map()],
    ] as const) {
      const stored = toStorableChange(value, previous) as { $map?: unknown };
      assert.ok(stored.$map, 'whole');
    }
    assert.deepEqual([...(roundTrip(moved, sectors) as Map<number, unknown>).keys()], [...moved.keys()]);
  });

  test('an AppendedMap (a miner\'s pending rewards) is stored whole the first time, then as the entries appended since the version before, and comes back equal', () => {
    const first = AppendedMap.of([[10, 1n], [11, 2n]])!;
    const second = AppendedMap.with(AppendedMap.with(first, 12, 3n), 14, 4n);
    assert.deepEqual(toStorableChange(first, undefined), { $map: [[10, toStorable(1n)], [11, toStorable(2n)]] });
    assert.deepEqual(toStorableChange({ grants: second }, { grants: first }), { $set: { grants: { $mapSet: [[12, toStorable(3n)], [14, toStorable(4n)]] } } });
    assert.deepEqual(toStorableChange({ grants: second }, { grants: second }), { $set: {} });
    const back = roundTrip(second, fromStorable(decodeCbor(encodeCbor(toStorable(first))))) as Map<number, bigint>;
    assert.deepEqual([...back], [...second]);
    // Read on the AppendedMap before (a loaded miner's, state-tree.ts savedActor), it is one again, sharing it.
    const appended = roundTrip(second, first);
    assert.ok(appended instanceof AppendedMap);
    assert.deepEqual(appended.appendedSince(first), [[12, 3n], [14, 4n]]);
    // From a plain Map (what a file's first version reads as), the entries the Map lacks.
    assert.deepEqual(toStorableChange(second, new Map(first)), { $mapSet: [[12, toStorable(3n)], [14, toStorable(4n)]] });
  });

  test('a value equal to the one before but not the same object is an empty change; bytes, CIDs and arrays compare by content', () => {
    const copy = { ...actor, miner: { ...miner, peerId: new Uint8Array([1, 2, 3]), controlAddresses: [103], sectors: new Map(sectors) } };
    assert.deepEqual(toStorableChange(copy, actor), { $set: {} });
    assert.deepEqual(roundTrip(copy, actor), actor);
    const cid = CID.parse(cidOf(new Uint8Array([9])).toString());
    assert.deepEqual(toStorableChange({ cid, list: [1n, 2n] }, { cid: cidOf(new Uint8Array([9])), list: [1n, 2n] }), { $set: {} });
    assert.deepEqual(toStorableChange({ list: [1n, 3n] }, { list: [1n, 2n] }), { $set: { list: [toStorable(1n), toStorable(3n)] } });
  });

  test('with nothing before, or a value not an object, it is stored whole (what fromStorable reads)', () => {
    assert.deepEqual(toStorableChange(actor, undefined), toStorable(actor));
    assert.deepEqual(fromStorable(decodeCbor(encodeCbor(toStorableChange(actor, undefined)))), actor);
    assert.deepEqual(toStorableChange(5n, 4n), toStorable(5n));
  });

  test('a change to a value that is not there is refused', () => {
    assert.throws(() => fromStorableChange({ $set: { nonce: 1 } }, undefined), /a change to a value that is not there/);
    assert.throws(() => fromStorableChange({ $mapSet: [] }, { not: 'a map' }), /a change to a Map that is not there/);
    assert.throws(() => fromStorableChange({ $set: {}, $unset: 'nonce' }, actor), /removed keys are not a list/);
    assert.throws(() => fromStorableChange(decodeCbor(encodeCbor({ $set: { ['__proto__']: { polluted: 1 } } })), actor), /a change to a field __proto__/);
  });
});
