// The chain's message index by digest: typed-array slots keyed by a digest's first 4 bytes, each
// hit checked against the whole digest the chain keeps; entries removed when the chain drops their messages.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DigestIndex } from '../../src/mining/digest-index.js';

test('finds each of many digests (through growth) and nothing for others', () => {
  const digests = Array.from({ length: 5000 }, () => new Uint8Array(randomBytes(32)));
  const index = new DigestIndex((ordinal) => digests[ordinal]);
  digests.forEach((d, ordinal) => index.add(d, ordinal));
  digests.forEach((d, ordinal) => assert.equal(index.find(d), ordinal));
  assert.equal(index.find(new Uint8Array(randomBytes(32))), undefined);
  assert.equal(index.find(new Uint8Array(20)), undefined);
});

test('digests sharing their first 4 bytes are told apart by the rest', () => {
  const a = new Uint8Array(32).fill(1);
  const b = new Uint8Array(32).fill(1);
  b[31] = 2;
  const digests = [a, b];
  const index = new DigestIndex((ordinal) => digests[ordinal]);
  index.add(a, 0);
  index.add(b, 1);
  assert.equal(index.find(a), 0);
  assert.equal(index.find(b), 1);
  const c = new Uint8Array(32).fill(1);
  c[31] = 3;
  assert.equal(index.find(c), undefined);
});

test('remove drops one entry and keeps every other reachable, across runs that wrap around the table', () => {
  // Digests whose first 4 bytes put them all at the table's last slots (the home slot is the
  // prefix's low bits), so their probe runs share slots and wrap to the first ones.
  const digest = (home: number, tag: number) => {
    const d = new Uint8Array(32);
    new DataView(d.buffer).setUint32(0, home);
    d[31] = tag;
    return d;
  };
  const digests = Array.from({ length: 200 }, (_, i) => digest(1020 + (i % 4), i));
  const live = new Set(digests.keys());
  const index = new DigestIndex((ordinal) => (live.has(ordinal) ? digests[ordinal] : undefined));
  digests.forEach((d, ordinal) => index.add(d, ordinal));
  // Remove in an order that leaves holes at the start, the middle and the end of the runs.
  for (const ordinal of [0, 199, 57, 1, 2, 100, 101, 150, 3, 198]) {
    index.remove(digests[ordinal], ordinal);
    live.delete(ordinal);
    assert.equal(index.size, live.size);
    digests.forEach((d, o) => assert.equal(index.find(d), live.has(o) ? o : undefined));
  }
  // Removing what it does not hold changes nothing.
  index.remove(digests[0], 0);
  index.remove(digests[5], 6);
  assert.equal(index.size, live.size);
});

test('a chain appended to and truncated again and again: it holds exactly the live messages', () => {
  const chain: Uint8Array[] = []; // the digest of the message at each ordinal
  const dropped: Uint8Array[] = [];
  const index = new DigestIndex((ordinal) => chain[ordinal]);
  let previous: Uint8Array | undefined;
  for (let round = 0; round < 300; round++) {
    for (let i = (round * 7) % 20; i >= 0; i--) {
      const digest = new Uint8Array(randomBytes(32));
      // Every other one shares its first 4 bytes with the one before.
      if (previous && chain.length % 2 === 1) digest.set(previous.subarray(0, 4));
      previous = digest;
      index.add(digest, chain.length);
      chain.push(digest);
    }
    // A revert: the newest messages go, and their ordinals are used again.
    for (let i = (round * 11) % 18; i > 0 && chain.length > 0; i--) {
      const digest = chain.pop()!;
      index.remove(digest, chain.length);
      dropped.push(digest);
    }
  }
  assert.equal(index.size, chain.length);
  chain.forEach((d, ordinal) => assert.equal(index.find(d), ordinal));
  for (const d of dropped) assert.equal(index.find(d), undefined);
});
