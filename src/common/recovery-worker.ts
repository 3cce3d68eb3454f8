// Public-key recovery for bursts of signatures (a JSON-RPC batch of eth_sendRawTransaction) on a
// worker thread, so that libsecp256k1's ~0.05–0.07 ms a signature runs beside the main thread's
// decoding, execution and HTTP instead of before them. The signatures asked for in one turn of the
// event loop go together: a lone one is recovered on the main thread at the end of the turn (a round
// trip to the worker would only delay a sequential sender), two or more go to the worker in one
// message. Answers come in the order asked, so transactions reach the pool in the order they came.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { recoverPublicKey } from './secp256k1.js';

/** A job as the worker reads it: digest (32 bytes) ‖ r‖s (64) ‖ recovery id (1). */
const JOB_BYTES = 97;
/** An answer: the uncompressed public key (65 bytes, 0x04 first), or 65 zero bytes if none recovers. */
const KEY_BYTES = 65;

/**
 * The worker, as CommonJS evaluated from this string: the bundle has no file of its own to start it
 * from. It loads the same secp256k1 addon as the main thread (by path: `require` of an evaluated
 * worker resolves from the working directory, not from here).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const secp256k1 = require(workerData.secp256k1);
parentPort.on('message', (jobs) => {
  const count = jobs.length / ${JOB_BYTES};
  const keys = new Uint8Array(count * ${KEY_BYTES});
  for (let i = 0; i < count; i++) {
    const job = jobs.subarray(i * ${JOB_BYTES}, (i + 1) * ${JOB_BYTES});
    try {
      secp256k1.ecdsaRecover(job.subarray(32, 96), job[96], job.subarray(0, 32), false, keys.subarray(i * ${KEY_BYTES}, (i + 1) * ${KEY_BYTES}));
    } catch {
      // no key: the answer stays zero
    }
  }
  parentPort.postMessage(keys, [keys.buffer]);
});
`;

interface Job {
  digest: Uint8Array;
  signature: Uint8Array;
  recoveryId: number;
  resolve: (publicKey: Uint8Array | null) => void;
}

const recoverInline = (job: Job) => job.resolve(recoverPublicKey(job.digest, job.signature, job.recoveryId));

export class PublicKeyRecovery {
  private worker: Worker | undefined;
  /** Set when a worker failed: recovery stays on the main thread from then on. */
  private workerFailed = false;
  /** Jobs asked for in this turn of the event loop. */
  private collecting: Job[] = [];
  /** Bursts sent to the worker and not answered yet, oldest first (it answers in order). */
  private readonly sent: Job[][] = [];

  /** The uncompressed public key that signed 32-byte `digest` with r‖s `signature`, or null. */
  recover(digest: Uint8Array, signature: Uint8Array, recoveryId: number): Promise<Uint8Array | null> {
    return new Promise((resolve) => {
      // After the I/O of this turn: every request that came in it has asked by then.
      if (this.collecting.length === 0) setImmediate(() => this.flush());
      this.collecting.push({ digest, signature, recoveryId, resolve });
    });
  }

  /** Stops the worker: what it still holds, and everything after, is recovered on the main thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.failed();
    await worker?.terminate();
  }

  private flush(): void {
    const jobs = this.collecting;
    this.collecting = [];
    // A lone job goes to the worker only behind others, so that answers keep their order.
    if (this.workerFailed || (jobs.length === 1 && this.sent.length === 0)) {
      jobs.forEach(recoverInline);
      return;
    }
    const packed = new Uint8Array(jobs.length * JOB_BYTES);
    jobs.forEach((job, i) => {
      packed.set(job.digest, i * JOB_BYTES);
      packed.set(job.signature, i * JOB_BYTES + 32);
      packed[i * JOB_BYTES + 96] = job.recoveryId;
    });
    const worker = this.startedWorker();
    this.sent.push(jobs);
    worker.ref(); // an answer owed keeps the process alive
    worker.postMessage(packed, [packed.buffer]);
  }

  private answered(keys: Uint8Array): void {
    const jobs = this.sent.shift()!;
    if (this.sent.length === 0) this.worker?.unref();
    jobs.forEach((job, i) => {
      const key = keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
      job.resolve(key[0] === 0x04 ? key : null);
    });
  }

  /** The worker died (or never started): what it held is recovered here, and so is everything after. */
  private failed(): void {
    this.worker = undefined;
    this.workerFailed = true;
    for (const jobs of this.sent.splice(0)) jobs.forEach(recoverInline);
  }

  private startedWorker(): Worker {
    if (this.worker) return this.worker;
    const secp256k1 = createRequire(import.meta.url).resolve('secp256k1');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { secp256k1 } });
    // A stopped worker's late answer is ignored: failed() has recovered its jobs already.
    worker.on('message', (keys: Uint8Array) => this.worker === worker && this.answered(keys));
    worker.on('error', () => this.failed());
    worker.on('exit', () => this.worker === worker && this.failed());
    this.worker = worker;
    return worker;
  }
}

/** The process's recovery: one worker at most, started by the first burst, shared by every node in the process. */
export const publicKeyRecovery = new PublicKeyRecovery();
