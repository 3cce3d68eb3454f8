// The storage slots a fork read, as the disk cache stores them: a contract's slots loaded from the
// cache are decoded when one of them is first read, and saved again as the very bytes loaded until
// the contract has a new slot; bytes that do not decode are dropped (the slots are read again).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ForkedSlots } from '../../src/devnet/fork/forked-slots.js';

const BIG = 2n ** 255n + 7n;

describe('forked slots', () => {
  test('read as set; a contract stored as one entry of its [slot, value] pairs, made again only when it changed', () => {
    const slots = new ForkedSlots();
    slots.set(120, 0n, 5n);
    slots.set(120, BIG, 0n);
    slots.set(130, 1n, BIG);
    assert.deepEqual([slots.get(120, 0n), slots.get(120, BIG), slots.get(130, 1n), slots.get(130, 2n), slots.get(140, 0n)], [5n, 0n, BIG, undefined, undefined]);
    assert.deepEqual([slots.has(120, BIG), slots.has(120, 1n), slots.has(140, 0n)], [true, false, false]);
    const first = new Map(slots.stored());
    assert.deepEqual([...first.keys()], [120, 130]);
    const second = new Map(slots.stored());
    assert.equal(second.get(120), first.get(120), 'unchanged: the same bytes');
    slots.set(120, 3n, 9n);
    const third = new Map(slots.stored());
    assert.notEqual(third.get(120), first.get(120), 'a new slot: made again');
    assert.equal(third.get(130), first.get(130));
    // Loaded back: the same values, each contract decoded on its first read.
    const loaded = new ForkedSlots(third);
    assert.deepEqual([loaded.get(120, 0n), loaded.get(120, BIG), loaded.get(120, 3n), loaded.get(130, 1n), loaded.has(130, 2n)], [5n, 0n, 9n, BIG, false]);
  });

  test('loaded and never read: saved as the very bytes loaded; a slot added to a loaded contract keeps the others', () => {
    const source = new ForkedSlots();
    source.set(120, 4n, 44n);
    const bytes = new Map(source.stored()).get(120)!;
    const loaded = new ForkedSlots([[120, bytes]]);
    assert.equal(new Map(loaded.stored()).get(120), bytes);
    loaded.set(120, 5n, 55n);
    assert.deepEqual([loaded.get(120, 4n), loaded.get(120, 5n)], [44n, 55n]);
    assert.deepEqual(new ForkedSlots(loaded.stored()).get(120, 4n), 44n);
  });

  test("a contract held whole reads zero for any other slot, loaded too; once its bytes do not decode, none of its slots is held", () => {
    const slots = new ForkedSlots();
    slots.holdWhole(120, new Map([[4n, 44n]]));
    slots.holdWhole(130, new Map());
    assert.deepEqual([slots.get(120, 4n), slots.get(120, 5n), slots.get(130, 0n), slots.get(140, 0n)], [44n, 0n, 0n, undefined]);
    const loaded = new ForkedSlots(slots.stored(), slots.wholeContracts());
    assert.deepEqual([loaded.get(120, 4n), loaded.get(120, 5n), loaded.get(130, 9n)], [44n, 0n, 0n]);
    const damaged = new ForkedSlots([[120, new Uint8Array([0x81, 0x82])]], [120]);
    assert.equal(damaged.get(120, 5n), undefined);
    damaged.set(120, 4n, 44n);
    assert.deepEqual([damaged.get(120, 4n), damaged.get(120, 5n)], [44n, undefined]);
    assert.deepEqual(damaged.wholeContracts(), []);
  });

  test('bytes that do not decode (a damaged file): the contract\'s slots are dropped, to be read again', () => {
    const slots = new ForkedSlots([[120, new Uint8Array([0x81, 0x82])]]);
    assert.equal(slots.get(120, 0n), undefined);
    assert.equal(slots.has(120, 0n), false);
    slots.set(120, 0n, 1n);
    assert.equal(slots.get(120, 0n), 1n);
  });
});
