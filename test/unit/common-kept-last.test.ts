// common/kept-last.ts: a bounded cache by weight; what is not read again leaves in the order it came,
// what is read again before half the bound (less its own weight) is placed after it stays, and nothing
// kept ever weighs more than the bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeptLast } from '../../src/common/kept-last.js';

const byLength = () => new KeptLast<number, string>(100, (value) => value.length);

test('within the bound, the entries added longest ago and not read since leave first', () => {
  const kept = byLength();
  for (let key = 0; key < 10; key++) kept.add(key, 'x'.repeat(10));
  assert.equal(kept.size, 100);
  kept.add(10, 'x'.repeat(25));
  assert.equal(kept.size, 95);
  assert.deepEqual([0, 1, 2, 3].map((key) => kept.get(key)), [undefined, undefined, undefined, 'x'.repeat(10)]);
  kept.add(11, 'x'.repeat(101));
  assert.equal(kept.get(11), undefined, 'a value over the bound alone is not kept');
  assert.equal(kept.size, 0);
});

test('an entry read again before half the bound, less its weight, is placed after it stays, however much comes and goes', () => {
  const kept = byLength();
  kept.add(-1, 'read');
  kept.add(-2, 'once');
  for (let key = 0; key < 1000; key++) {
    kept.add(key, 'x'.repeat(7));
    assert.ok(kept.size <= 100);
    // 42 placed between reads: at most 100 / 2 - 4.
    if (key % 6 === 0) assert.equal(kept.get(-1), 'read', `still kept after ${key}`);
  }
  assert.equal(kept.get(-2), undefined);
  assert.equal(kept.get(-1), 'read');
});

test('reading the newest entries again keeps the order; clear empties', () => {
  const kept = byLength();
  for (let key = 0; key < 10; key++) kept.add(key, 'x'.repeat(10));
  // The oldest was placed more than half the bound ago: read, it moves to the newest end; the newest do not.
  assert.equal(kept.get(0), 'x'.repeat(10));
  assert.equal(kept.get(9), 'x'.repeat(10));
  kept.add(10, 'x'.repeat(10));
  assert.equal(kept.get(1), undefined, 'the oldest unread left');
  assert.equal(kept.get(0), 'x'.repeat(10));
  kept.clear();
  assert.equal(kept.size, 0);
  assert.equal(kept.get(0), undefined);
});

test('delete lets one entry go and its weight with it; a key not kept changes nothing', () => {
  const kept = byLength();
  kept.add(1, 'x'.repeat(30));
  kept.add(2, 'y'.repeat(20));
  kept.delete(1);
  assert.equal(kept.get(1), undefined);
  assert.equal(kept.get(2), 'y'.repeat(20));
  assert.equal(kept.size, 20);
  kept.delete(3);
  assert.equal(kept.size, 20);
  // The weight let go makes room: 80 more fit beside the 20 without anything leaving.
  kept.add(4, 'z'.repeat(80));
  assert.equal(kept.get(2), 'y'.repeat(20));
  assert.equal(kept.size, 100);
});
