// frame-memory.ts: a frame's memory reads and grows as @ethereumjs's Memory does, and a store goes
// back to the pool zeroed, unless a view of it left the frame; a frame's memory and a call stack's
// are capped as calibnet's FVM caps a Wasm instance's and a call stack's (512 MiB, 2 GiB; lowered
// here so that the test allocates little), and a large store's pages are given back as its frame ends.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EVMError } from '@ethereumjs/evm';
import { FrameMemory, MEMORY_LIMIT_TRAP, MEMORY_LIMITS } from '../../src/fevm/actors/evm/frame-memory.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('frame memory', () => {
  test('reads what was written, zeros elsewhere, and grows a page at a time', () => {
    const memory = new FrameMemory();
    memory.write(30, 4, bytes(4, 7));
    assert.deepEqual(memory.read(28, 8), Uint8Array.from([0, 0, 7, 7, 7, 7, 0, 0]));
    assert.equal(memory._store.length, 8192);
    memory.write(8190, 4, bytes(4, 9));
    assert.equal(memory._store.length, 16384);
    assert.deepEqual(memory.read(8189, 6), Uint8Array.from([0, 9, 9, 9, 9, 0]));
    assert.deepEqual(memory.read(20000, 2), Uint8Array.from([0, 0]));
    assert.equal(memory._store.length, 24576);
    assert.throws(() => memory.write(0, 2, bytes(3, 1)), /Invalid value size/);
    memory.release();
  });

  test('a copy is not a view; a released store comes back zeroed to the next frame', () => {
    const first = new FrameMemory();
    first.write(100, 32, bytes(32, 0xaa));
    const copy = first.read(100, 32);
    const hashed = first.view(100, 32);
    assert.deepEqual(hashed, bytes(32, 0xaa));
    const store = first._store;
    first.release();
    const second = new FrameMemory();
    assert.equal(second._store, store, 'the store is reused');
    assert.deepEqual(second._store, new Uint8Array(8192));
    second.write(100, 32, bytes(32, 0xbb));
    assert.deepEqual(copy, bytes(32, 0xaa));
    second.release();
  });

  test("a store whose view left the frame (a CALL's input) is never reused", () => {
    const frame = new FrameMemory();
    frame.write(0, 4, bytes(4, 5));
    const input = frame.read(0, 4, true);
    const store = frame._store;
    frame.release();
    for (let i = 0; i < 20; i++) {
      const next = new FrameMemory();
      assert.notEqual(next._store, store);
      next.write(0, 4, bytes(4, 6));
      next.release();
    }
    assert.deepEqual(input, bytes(4, 5));
  });

  test('a store grown past a page is not pooled, the page it outgrew is, zeroed; one release is one return', () => {
    const grown = new FrameMemory();
    grown.write(100, 1, bytes(1, 3));
    const page = grown._store;
    grown.write(9000, 1, bytes(1, 1));
    const big = grown._store;
    assert.deepEqual(grown.read(100, 1), Uint8Array.from([3]), 'the grown store keeps what was written');
    grown.release();
    const frame = new FrameMemory();
    assert.equal(frame._store, page, 'the page outgrown');
    assert.deepEqual(frame._store, new Uint8Array(8192));
    assert.notEqual(new FrameMemory()._store, big);
    frame.release();
    frame.release();
    const a = new FrameMemory();
    const b = new FrameMemory();
    assert.notEqual(a._store, b._store);
    a.release();
    b.release();
  });

  const MiB = 2 ** 20;
  const trapped = (grow: () => void) => assert.throws(grow, (e: unknown) => e instanceof EVMError && e.error === MEMORY_LIMIT_TRAP);
  const withLimits = (frame: number, stack: number, run: () => void) => {
    const saved = { ...MEMORY_LIMITS };
    Object.assign(MEMORY_LIMITS, { frame, stack });
    try {
      run();
    } finally {
      Object.assign(MEMORY_LIMITS, saved);
    }
  };

  test('a frame grows up to its limit and traps past it (calibnet: 512 MiB, max_inst_memory_bytes)', () => {
    withLimits(4 * MiB, 64 * MiB, () => {
      const frame = new FrameMemory();
      frame.write(4 * MiB - 32, 32, bytes(32, 1));
      assert.equal(frame._store.length, 4 * MiB);
      trapped(() => frame.write(4 * MiB - 31, 32, bytes(32, 1)));
      trapped(() => frame.view(0x4000_0000, 32));
      frame.release();
    });
    // The real limit: a 1 GiB MLOAD traps before anything is allocated.
    const frame = new FrameMemory();
    trapped(() => frame.view(0x4000_0000, 32));
    assert.equal(frame._store.length, 8192);
    frame.release();
  });

  test('the frames of a call stack together grow up to its limit (calibnet: 2 GiB, max_memory_bytes); a frame that returned no longer counts', () => {
    withLimits(4 * MiB, 6 * MiB, () => {
      const a = new FrameMemory();
      a.write(4 * MiB - 32, 32, bytes(32, 1));
      const b = new FrameMemory();
      b.write(2 * MiB - 8192 - 32, 32, bytes(32, 2));
      assert.equal(a._store.length + b._store.length, 6 * MiB - 8192);
      const c = new FrameMemory();
      trapped(() => c.write(8192, 32, bytes(32, 3)));
      c.release();
      c.release();
      b.release();
      // b's memory and c's page are free again; releasing c twice freed it once.
      const d = new FrameMemory();
      d.write(2 * MiB - 8192 - 32, 32, bytes(32, 4));
      trapped(() => d.write(2 * MiB - 8192, 32, bytes(32, 4)));
      d.release();
      a.release();
    });
  });

  test('a large store grows in place keeping its bytes, hands out copies only, and gives its pages back when the frame ends', () => {
    const frame = new FrameMemory();
    frame.write(100, 4, bytes(4, 7));
    frame.write(2 * MiB, 4, bytes(4, 8));
    const store = frame._store;
    frame.write(3 * MiB, 4, bytes(4, 9));
    assert.equal(frame._store.buffer, store.buffer, 'grown in place');
    assert.deepEqual(frame.read(98, 8), Uint8Array.from([0, 0, 7, 7, 7, 7, 0, 0]));
    assert.deepEqual(frame.read(2 * MiB, 4), bytes(4, 8));
    const input = frame.read(3 * MiB, 4, true);
    assert.notEqual(input.buffer, store.buffer, 'a CALL input from a large store is a copy');
    frame.release();
    assert.equal(store.buffer.byteLength, 0, 'the pages went back when the frame ended');
    assert.deepEqual(input, bytes(4, 9));
  });
});
