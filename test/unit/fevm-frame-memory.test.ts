// frame-memory.ts: a frame's memory reads and grows as @ethereumjs's Memory does, and a store goes
// back to the pool zeroed, unless a view of it left the frame.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameMemory } from '../../src/fevm/actors/evm/frame-memory.js';

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
});
