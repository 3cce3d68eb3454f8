// The state tree's key table: one-byte strings numbered in the order they were added, found again
// through growth and truncation, checked against a plain Map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTable } from '../../src/fevm/key-table.js';

test('keys are numbered in the order added, found again across growth, and read back as added', () => {
  const table = new KeyTable();
  const keys = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? `s${i}:0:${(i * 7919).toString(16)}` : `x\x04\x0a${String.fromCharCode(i & 0xff, (i >> 8) & 0xff)}\xff\x00`));
  keys.forEach((key, i) => assert.equal(table.add(key), i));
  assert.equal(table.size, keys.length);
  keys.forEach((key, i) => {
    assert.equal(table.find(key), i);
    assert.equal(table.add(key), i);
    assert.equal(table.keyAt(i), key);
  });
  for (const absent of ['', 'n', 's1:0:0', 'x\x04\x0a\x00\x00\xff', keys[1]!.slice(0, -1)]) assert.equal(table.find(absent), -1, JSON.stringify(absent));
});

test('truncating forgets the newest keys and leaves the rest found, over many rounds of adds and truncates', () => {
  const table = new KeyTable();
  const model: string[] = [];
  let seed = 11;
  const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 400; round++) {
    if (next(4) === 0) {
      const size = next(model.length + 1);
      table.truncate(size);
      model.length = size;
    } else {
      // Few distinct keys, so that a key truncated away is often added again.
      for (let n = next(40); n > 0; n--) {
        const key = `k${next(3000)}`;
        if (!model.includes(key)) model.push(key);
        assert.equal(table.add(key), model.indexOf(key));
      }
    }
    assert.equal(table.size, model.length);
  }
  for (let k = 0; k < 3000; k++) assert.equal(table.find(`k${k}`), model.indexOf(`k${k}`), `k${k}`);
});

test('a key with a character beyond one byte is refused, and the table stays as it was', () => {
  const table = new KeyTable();
  table.add('n');
  assert.throws(() => table.add('s€'), /not one byte a character/);
  assert.equal(table.size, 1);
  assert.equal(table.find('n'), 0);
  assert.equal(table.add('s1'), 1);
});

test('withPrefix lists the keys that start with a prefix, in the order added, and none that were truncated', () => {
  const table = new KeyTable();
  for (const key of ['s12:0:5', 's1:0:5', 's12:0:ff', 's12:1:5', 'n', 's12:0:', 's12:0:a']) table.add(key);
  assert.deepEqual(table.withPrefix('s12:0:').map((k) => table.keyAt(k)), ['s12:0:5', 's12:0:ff', 's12:0:', 's12:0:a']);
  assert.deepEqual(table.withPrefix('s13:'), []);
  table.truncate(6);
  assert.deepEqual(table.withPrefix('s12:0:').map((k) => table.keyAt(k)), ['s12:0:5', 's12:0:ff', 's12:0:']);
});
