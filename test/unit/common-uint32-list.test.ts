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

  test('its elements are outside the JS heap: 200 000 of them take under 1 B of heap each, where a JS array takes 8', () => {
    const before = heapUsed();
    const list = new Uint32List();
    for (let i = 0; i < 200_000; i++) list.push(i);
    const perElement = (heapUsed() - before) / 200_000;
    assert.equal(list.get(199_999), 199_999);
    assert.ok(perElement < 1, `an element took ${perElement.toFixed(2)} B of heap`);
  });
});
