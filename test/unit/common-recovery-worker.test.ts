// Public-key recovery in bursts: the worker thread's answers are libsecp256k1's on the main thread,
// in the order asked, with null for a signature that recovers no key; a lone signature, a burst and
// a burst behind another all come back right; a recovery whose worker has stopped still answers.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PublicKeyRecovery } from '../../src/common/recovery-worker.js';
import { publicKeyOf } from '../../src/common/secp256k1.js';
import secp256k1 from 'secp256k1';

const secret = randomBytes(32);
const publicKey = publicKeyOf(secret, false);

/** A signature by `secret` over a fresh digest, as the recovery takes it. */
function signed() {
  const digest = new Uint8Array(randomBytes(32));
  const { signature, recid } = secp256k1.ecdsaSign(digest, secret);
  return { digest, signature, recoveryId: recid };
}

/** A signature no key made: r = 0 is outside the group. */
function forged() {
  return { digest: new Uint8Array(randomBytes(32)), signature: new Uint8Array(64).fill(0, 0, 32).fill(1, 32), recoveryId: 0 };
}

describe('PublicKeyRecovery', () => {
  const recovery = new PublicKeyRecovery();
  after(() => recovery.close());
  const recover = (job: ReturnType<typeof signed>) => recovery.recover(job.digest, job.signature, job.recoveryId);

  test('a lone signature', async () => {
    assert.deepEqual(await recover(signed()), publicKey);
  });

  test('a burst, in order, with the forged one answered null', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => (i === 17 ? forged() : signed()));
    const keys = await Promise.all(jobs.map(recover));
    keys.forEach((key, i) => assert.deepEqual(key, i === 17 ? null : publicKey, `signature ${i}`));
  });

  test('bursts and a lone signature behind them, in the order asked', async () => {
    const order: number[] = [];
    const asked = (job: ReturnType<typeof signed>, i: number) => recover(job).then((key) => (order.push(i), key));
    const first = Array.from({ length: 20 }, (_, i) => asked(signed(), i));
    await new Promise((resolve) => setImmediate(resolve)); // the first burst is on its way
    const second = Array.from({ length: 20 }, (_, i) => asked(signed(), 20 + i));
    await new Promise((resolve) => setImmediate(resolve));
    const lone = asked(signed(), 40);
    const keys = await Promise.all([...first, ...second, lone]);
    keys.forEach((key) => assert.deepEqual(key, publicKey));
    assert.deepEqual(order, Array.from({ length: 41 }, (_, i) => i));
  });

  test('after the worker stops, recovery goes on without it', async () => {
    const stopped = new PublicKeyRecovery();
    await Promise.all([signed(), signed()].map((job) => stopped.recover(job.digest, job.signature, job.recoveryId)));
    await stopped.close();
    const keys = await Promise.all([signed(), forged()].map((job) => stopped.recover(job.digest, job.signature, job.recoveryId)));
    assert.deepEqual(keys, [publicKey, null]);
  });

  test('closing while a burst is with the worker still answers it', async () => {
    const closing = new PublicKeyRecovery();
    const jobs = Array.from({ length: 30 }, (_, i) => (i === 3 ? forged() : signed()));
    const answers = jobs.map((job) => closing.recover(job.digest, job.signature, job.recoveryId));
    await new Promise((resolve) => setImmediate(resolve)); // the burst is on its way to the worker
    await closing.close();
    const keys = await Promise.all(answers);
    keys.forEach((key, i) => assert.deepEqual(key, i === 3 ? null : publicKey, `signature ${i}`));
  });
});
