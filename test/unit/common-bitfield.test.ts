import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBitfield, encodeBitfield } from '../../src/common/bitfield.js';
import { bytesToHex } from '../../src/common/hex.js';

test('encodes the go-bitfield examples', () => {
  // go-bitfield rlepluslazy tests: {0} -> 0x0c? run of 1 one: version 00, first bit 1, run "1".
  assert.equal(bytesToHex(encodeBitfield([0])), '0x0c');
  // {1}: zeros run 1, ones run 1.
  assert.equal(bytesToHex(encodeBitfield([1])), '0x18');
  assert.deepEqual(encodeBitfield([]), new Uint8Array());
});

test('round-trips short, medium and long runs', () => {
  const cases = [[0], [5], [0, 1, 2], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], [1000, 1001, 5000], Array.from({ length: 300 }, (_, i) => i * 2)];
  for (const values of cases) assert.deepEqual(decodeBitfield(encodeBitfield(values)), values);
});

test('sorts and deduplicates what it encodes', () => {
  assert.deepEqual(decodeBitfield(encodeBitfield([7, 3, 3, 4])), [3, 4, 7]);
});

test('refuses malformed bitfields', () => {
  assert.throws(() => decodeBitfield(new Uint8Array([0x01])), /version/);
});
