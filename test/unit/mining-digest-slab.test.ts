// DigestSlab: the runs it hands out never overlap, fill a chunk before the next is made, and a long
// run gets a buffer of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHUNK_BYTES, DigestSlab, type SlabRun } from '../../src/mining/digest-slab.js';

/** Fills each run with its own number, then checks that every run still holds only its number (no two runs share a byte). */
function assertDisjoint(runs: { run: SlabRun; length: number }[]): void {
  runs.forEach(({ run, length }, i) => run.bytes.fill((i % 255) + 1, run.at, run.at + length));
  runs.forEach(({ run, length }, i) => {
    assert.ok(run.at >= 0 && run.at + length <= run.bytes.length, `run ${i} lies within its buffer`);
    const held = run.bytes.subarray(run.at, run.at + length);
    assert.ok(held.every((b) => b === (i % 255) + 1), `run ${i} keeps its bytes after every other run was written`);
  });
}

test('runs of a chunk follow one another, and the next chunk starts when one would not fit', () => {
  const slab = new DigestSlab();
  const first = slab.take(160);
  const second = slab.take(192);
  assert.equal(first.bytes, second.bytes, 'both cut from one chunk');
  assert.equal(first.bytes.length, CHUNK_BYTES);
  assert.deepEqual([first.at, second.at], [0, 160]);
  // Fill the chunk to 32 bytes short of its end (runs under a quarter chunk each): a run of 64 no longer fits, one of 32 does.
  const fillers = Array.from({ length: 4 }, () => slab.take(16_000));
  const filler = slab.take(CHUNK_BYTES - 352 - 4 * 16_000 - 32);
  const last = slab.take(32);
  assert.ok([...fillers, filler].every((run) => run.bytes === first.bytes));
  assert.equal(last.bytes, first.bytes);
  assert.equal(last.at, CHUNK_BYTES - 32);
  const next = slab.take(64);
  assert.notEqual(next.bytes, first.bytes, 'a new chunk');
  assert.equal(next.at, 0);
  assertDisjoint([
    { run: first, length: 160 },
    { run: second, length: 192 },
    ...fillers.map((run) => ({ run, length: 16_000 })),
    { run: filler, length: CHUNK_BYTES - 352 - 4 * 16_000 - 32 },
    { run: last, length: 32 },
    { run: next, length: 64 },
  ]);
});

test('a run of a quarter chunk or more gets a buffer of its own, and the chunk goes on after it', () => {
  const slab = new DigestSlab();
  const small = slab.take(160);
  const long = slab.take(CHUNK_BYTES / 4);
  assert.notEqual(long.bytes, small.bytes);
  assert.equal(long.at, 0);
  assert.equal(long.bytes.length, CHUNK_BYTES / 4);
  const after = slab.take(160);
  assert.equal(after.bytes, small.bytes);
  assert.equal(after.at, 160);
  assertDisjoint([
    { run: small, length: 160 },
    { run: long, length: CHUNK_BYTES / 4 },
    { run: after, length: 160 },
  ]);
});

test('thousands of runs of mixed lengths stay disjoint and zeroed until written', () => {
  const slab = new DigestSlab();
  const runs: { run: SlabRun; length: number }[] = [];
  for (let i = 0; i < 3000; i++) {
    const length = 32 * (5 + (i % 7 === 0 ? 200 : i % 3));
    const run = slab.take(length);
    assert.ok(run.bytes.subarray(run.at, run.at + length).every((b) => b === 0), `run ${i} starts zeroed`);
    runs.push({ run, length });
  }
  assert.ok(new Set(runs.map(({ run }) => run.bytes)).size > 10, 'several chunks were made');
  assertDisjoint(runs);
});
