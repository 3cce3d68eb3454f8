// common/hashes.ts: Keccak-256 comes from js-sha3 (faster here than @noble's): it must answer as
// @noble's does, for empty, single- and multi-block inputs and for views into larger buffers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { keccak256 } from '../../src/common/hashes.js';
import { bytesToHex } from '../../src/common/hex.js';

describe('keccak256', () => {
  test('known digests: empty input and "abc"', () => {
    assert.equal(bytesToHex(keccak256(new Uint8Array())), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    assert.equal(bytesToHex(keccak256(new TextEncoder().encode('abc'))), '0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  test("the same digest as @noble's at every length around the 136-byte block, and for views", () => {
    const buffer = new Uint8Array(600).map((_, i) => (i * 131 + 7) & 0xff);
    for (let length = 0; length <= 410; length++) {
      for (const offset of [0, 3]) {
        const data = buffer.subarray(offset, offset + length);
        assert.deepEqual(keccak256(data), keccak_256(data), `length ${length}, offset ${offset}`);
      }
    }
  });

  test('a fresh array each time, which the caller may keep', () => {
    const data = new Uint8Array([1, 2, 3]);
    const first = keccak256(data);
    const second = keccak256(data);
    assert.notEqual(first, second);
    assert.ok(first instanceof Uint8Array && first.length === 32);
    first.fill(0);
    assert.deepEqual(keccak256(data), second);
  });
});
