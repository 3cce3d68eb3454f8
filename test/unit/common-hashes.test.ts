// common/hashes.ts: Keccak-256 and BLAKE2b-256/160/32 come from hash-wasm's WebAssembly once it is
// made (loadWasmHashers), from @noble's JavaScript before: both must answer alike, for empty, single- and multi-block
// inputs and for views into larger buffers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { blake2b160, blake2b256, blake2b256Stream, blake2b32, keccak256, keccak256Parts, loadWasmHashers } from '../../src/common/hashes.js';
import { bytesToHex } from '../../src/common/hex.js';

const buffer = new Uint8Array(600).map((_, i) => (i * 131 + 7) & 0xff);

/** Every length from 0 to 410 bytes (Keccak-256's block is 136, BLAKE2b's 128), at two offsets into `buffer`. */
function* inputs(): Generator<[Uint8Array, string]> {
  for (let length = 0; length <= 410; length++) {
    for (const offset of [0, 3]) yield [buffer.subarray(offset, offset + length), `length ${length}, offset ${offset}`];
  }
}

/** keccak256Parts of `data` cut in three at every pair of points around Keccak-256's block (136 bytes) equals keccak-256 of the whole. */
function assertPartsHashAsWhole(): void {
  const data = buffer.subarray(0, 300);
  for (const a of [0, 1, 135, 136, 137]) {
    for (const b of [a, a + 1, 272, 300]) {
      assert.deepEqual(keccak256Parts(data.subarray(0, a), data.subarray(a, b), data.subarray(b)), keccak_256(data), `cut at ${a} and ${b}`);
    }
  }
}

/** blake2b256Stream over `data` cut at points around BLAKE2b's block (128 bytes), other hashes made between the pieces, equals BLAKE2b-256 of the whole. */
function assertStreamHashesAsWhole(): void {
  const data = buffer.subarray(0, 300);
  for (const a of [0, 1, 127, 128, 129]) {
    for (const b of [a, a + 1, 256, 300]) {
      const stream = blake2b256Stream();
      for (const piece of [data.subarray(0, a), data.subarray(a, b), data.subarray(b)]) {
        stream.update(piece);
        blake2b256(buffer.subarray(5, 200));
      }
      assert.deepEqual(stream.digest(), blake2b(data, { dkLen: 32 }), `cut at ${a} and ${b}`);
    }
  }
}

describe('hashes', () => {
  test('keccak256Parts before the WebAssembly hashers are made (@noble): the hash of the parts joined', () => assertPartsHashAsWhole());
  test('blake2b256Stream before the WebAssembly hashers are made (@noble): the hash of the pieces joined', () => assertStreamHashesAsWhole());

  test('the WebAssembly hashers get ready', async () => {
    assert.equal(await loadWasmHashers(), true);
  });

  test('blake2b256Stream with them, other hashes made between its pieces: the hash of the pieces joined', async () => {
    await loadWasmHashers();
    assertStreamHashesAsWhole();
  });

  test('keccak256Parts with them: the hash of the parts joined', async () => {
    await loadWasmHashers();
    assertPartsHashAsWhole();
  });

  test('known digests: empty input and "abc"', async () => {
    await loadWasmHashers();
    assert.equal(bytesToHex(keccak256(new Uint8Array())), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    assert.equal(bytesToHex(keccak256(new TextEncoder().encode('abc'))), '0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    assert.equal(bytesToHex(blake2b256(new TextEncoder().encode('abc'))), '0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });

  test("the same digests as @noble's at every length around the block sizes, and for views", async () => {
    await loadWasmHashers();
    for (const [data, what] of inputs()) {
      assert.deepEqual(keccak256(data), keccak_256(data), `keccak256, ${what}`);
      assert.deepEqual(blake2b256(data), blake2b(data, { dkLen: 32 }), `blake2b256, ${what}`);
      assert.deepEqual(blake2b160(data), blake2b(data, { dkLen: 20 }), `blake2b160, ${what}`);
      assert.deepEqual(blake2b32(data), blake2b(data, { dkLen: 4 }), `blake2b32, ${what}`);
    }
  });

  test('a fresh array each time, which the caller may keep', async () => {
    await loadWasmHashers();
    const data = new Uint8Array([1, 2, 3]);
    for (const hash of [keccak256, blake2b256]) {
      const first = hash(data);
      const second = hash(data);
      assert.notEqual(first, second);
      assert.ok(first instanceof Uint8Array && first.length === 32);
      first.fill(0);
      assert.deepEqual(hash(data), second);
    }
  });
});
