// common/uint32-list.ts: a growing list of 32-bit unsigned integers kept outside the JS heap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Uint32List } from '../../src/common/uint32-list.js';
import { heapUsed } from '../helpers/heap.js';

describe('Uint32List', () => {
  test('pushes, reads and pops as an array does, across its growth', () => {
    const list = new Uint32List();
    const mirror: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const value = (i * 2654435761) % 0x100000000;
      list.push(value);
      mirror.push(value);
      if (i % 7 === 0) assert.equal(list.pop(), mirror.pop());
    }
    assert.equal(list.length, mirror.length);
    for (let i = 0; i < mirror.length; i++) assert.equal(list.get(i), mirror[i]);
    list.push(0xffffffff);
    assert.equal(list.get(list.length - 1), 0xffffffff);
    while (list.length > 0) list.pop();
    assert.equal(list.pop(), undefined);
  });

  test('reads only below its length: a negative index, or a slot a pop left, throws rather than answer undefined or a stale element', () => {
    const list = new Uint32List();
    list.push(7);
    list.push(8);
    assert.equal(list.pop(), 8);
    assert.equal(list.get(0), 7);
    for (const index of [1, 2, -1, 0.5, Number.NaN]) assert.throws(() => list.get(index), RangeError, String(index));
  });

  test('refuses what 32 unsigned bits do not hold, rather than keep another number', () => {
    const list = new Uint32List();
    for (const value of [-1, 2 ** 32, 1.5, Number.NaN]) assert.throws(() => list.push(value), RangeError);
    assert.equal(list.length, 0);
  });

  test('made from a JS array: holds its elements, with room for as many again, then grows, pops and reads as one pushed to', () => {
    const from = Array.from({ length: 32 }, (_, i) => 1000 + i);
    const list = new Uint32List(from);
    assert.equal(list.length, 32);
    assert.deepEqual(Array.from({ length: 32 }, (_, i) => list.get(i)), from);
    for (let i = 32; i < 200; i++) list.push(1000 + i);
    assert.equal(list.pop(), 1199);
    assert.deepEqual(Array.from({ length: list.length }, (_, i) => list.get(i)), Array.from({ length: 199 }, (_, i) => 1000 + i));
    from[0] = 7;
    assert.equal(list.get(0), 1000, 'a copy: the array it was made from is its own');
    const empty = new Uint32List([]);
    empty.push(5);
    assert.deepEqual([empty.length, empty.get(0)], [1, 5]);
  });

  test('made from a JS array, refuses an element 32 unsigned bits do not hold', () => {
    for (const value of [-1, 2 ** 32, 1.5, Number.NaN]) assert.throws(() => new Uint32List([1, value]), RangeError);
  });

  test('its elements are outside the JS heap: 200 000 of them take under 1 B of heap each, where a JS array takes 8', () => {
    const before = heapUsed();
    const list = new Uint32List();
    for (let i = 0; i < 200_000; i++) list.push(i);
    const perElement = (heapUsed() - before) / 200_000;
    assert.equal(list.get(199_999), 199_999);
    assert.ok(perElement < 1, `an element took ${perElement.toFixed(2)} B of heap`);
  });
});
