// BytesSet: membership of byte strings, compared in turn when few, looked up by key when many (L4).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BytesSet } from '../../src/common/bytes-set.js';

const bytes = (...values: number[]) => new Uint8Array(values);
/** `n` distinct 20-byte strings, the last bytes counting. */
const many = (n: number) => Array.from({ length: n }, (_, i) => bytes(...new Array(18).fill(0xaa), i >> 8, i & 0xff));

describe('BytesSet', () => {
  for (const size of [0, 1, 8, 9, 10_000]) {
    test(`${size} members: each is held, bytes of another value or length are not`, () => {
      const members = many(size);
      const set = new BytesSet(members);
      assert.equal(set.empty, size === 0);
      for (const member of members) assert.equal(set.has(member.slice()), true);
      assert.equal(set.has(many(size + 1)[size]), false);
      if (size > 0) {
        assert.equal(set.has(members[0].subarray(0, 19)), false);
        assert.equal(set.has(bytes(...members[0], 0)), false);
      }
    });
  }

  test('a view into a larger buffer is compared by its own bytes only', () => {
    const members = many(20);
    const set = new BytesSet(members);
    const buffer = new Uint8Array(40);
    buffer.set(members[13], 7);
    assert.equal(set.has(buffer.subarray(7, 27)), true);
    assert.equal(set.has(buffer.subarray(6, 26)), false);
    assert.equal(new BytesSet(members.slice(0, 3)).has(buffer.subarray(7, 27)), false);
  });

  test('many members are looked up by key, not compared in turn: changing the arrays afterwards changes nothing held', () => {
    const members = many(10_000);
    const set = new BytesSet(members);
    for (const member of members) member.fill(0);
    assert.equal(set.has(many(10_000)[9_999]), true);
    assert.equal(set.has(new Uint8Array(20)), false);
  });
});
