// The recovery worker answers as recoverPublicKey does on the main thread: the same key for every
// signature, null where none recovers, each answer to its own job, in bursts and one at a time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { RecoveryWorker } from '../../src/common/recovery-worker.js';
import { recoverPublicKey } from '../../src/common/secp256k1.js';

interface Job {
  digest: Uint8Array;
  signature: Uint8Array;
  recoveryId: number;
}

/** Real signatures by random keys, and random r‖s values (some recover a key, some none). */
function jobs(count: number): Job[] {
  return Array.from({ length: count }, (_, i) => {
    const digest = new Uint8Array(randomBytes(32));
    if (i % 3 === 2) return { digest, signature: new Uint8Array(randomBytes(64)), recoveryId: i % 2 };
    const signed = secp256k1.sign(digest, secp256k1.utils.randomSecretKey(), { prehash: false, format: 'recovered' });
    // noble's recovered format is recovery id ‖ r ‖ s.
    return { digest, signature: signed.subarray(1), recoveryId: signed[0]! };
  });
}

async function expectSameAsMainThread(worker: RecoveryWorker, burst: Job[]): Promise<void> {
  const answers = await Promise.all(burst.map((j) => worker.recover(j.digest, j.signature, j.recoveryId)));
  burst.forEach((j, i) => assert.deepEqual(answers[i] && new Uint8Array(answers[i]), recoverPublicKey(j.digest, j.signature, j.recoveryId), `job ${i}`));
}

test("bursts recovered by the worker give the main thread's keys, and null where none recovers", async (t) => {
  const worker = new RecoveryWorker();
  t.after(() => worker.close());
  assert.equal(await worker.start(), true);
  const all = jobs(600);
  assert.ok(all.some((j) => recoverPublicKey(j.digest, j.signature, j.recoveryId) === null), 'some random signatures recover no key');
  // Several bursts sent before any is answered, of different sizes.
  await Promise.all([expectSameAsMainThread(worker, all.slice(0, 50)), expectSameAsMainThread(worker, all.slice(50, 51)), expectSameAsMainThread(worker, all.slice(51, 300))]);
  await expectSameAsMainThread(worker, all.slice(300));
});

test('before the worker is up and after it is closed, recoveries run on the main thread with the same answers', async () => {
  const worker = new RecoveryWorker();
  // The first burst starts the worker and does not wait for it.
  await expectSameAsMainThread(worker, jobs(30));
  worker.close();
  assert.equal(await worker.start(), false);
  await expectSameAsMainThread(worker, jobs(30));
});

test('closing the worker with bursts in flight answers them on the main thread', async () => {
  const worker = new RecoveryWorker();
  await worker.start();
  const burst = jobs(200);
  const answered = expectSameAsMainThread(worker, burst);
  // After the burst went to the worker (the flush is a microtask).
  await Promise.resolve();
  worker.close();
  await answered;
});
