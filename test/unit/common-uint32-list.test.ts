// common/uint32-list.ts: a growing list of 32-bit unsigned integers kept outside the JS heap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Uint32List } from '../../src/common/uint32-list.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

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
    for (let i = 0; i < mirror.length; i++) assert.equal(list.at(i), mirror[i]);
    list.push(0xffffffff);
    assert.equal(list.at(list.length - 1), 0xffffffff);
    while (list.length > 0) list.pop();
    assert.equal(list.pop(), undefined);
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
    assert.equal(list.at(199_999), 199_999);
    assert.ok(perElement < 1, `an element took ${perElement.toFixed(2)} B of heap`);
  });
});
