// The chain's message index by digest: typed-array slots keyed by a digest's first 4 bytes, each
// hit checked against the whole digest the chain keeps.
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

test('an entry whose ordinal is gone or now names another message finds nothing', () => {
  const old = new Uint8Array(randomBytes(32));
  const digests: Uint8Array[] = [old];
  const index = new DigestIndex((ordinal) => digests[ordinal]);
  index.add(old, 0);
  digests.length = 0; // truncated
  assert.equal(index.find(old), undefined);
  const next = new Uint8Array(randomBytes(32));
  digests.push(next); // ordinal 0 again, another message
  index.add(next, 0);
  assert.equal(index.find(old), undefined);
  assert.equal(index.find(next), 0);
});
