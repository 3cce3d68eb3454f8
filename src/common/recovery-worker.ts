// Sender recovery off the main thread, for bursts of transactions. Recovering a public key
// (libsecp256k1, ~55 µs) was ~40 % of the main thread's time when transactions arrive in JSON-RPC
// batches; a worker thread does it on the machine's other core while the main thread mines.
// The recoveries asked for in one go (the synchronous run that dispatches a batch) go to the worker
// as one message of one transferred buffer, so the cost of a message is shared by the batch. A
// single recovery (a client that sends one transaction and waits for it) runs at once on the main
// thread, where a round trip to the worker would only add to its wait; so do all until the worker
// has loaded the addon, which it starts doing on the first burst, not at start-up.
import { Worker } from 'node:worker_threads';
import { libsecp256k1Path, recoverPublicKey } from './secp256k1.js';

/** A job in the worker's input: digest (32 bytes), r‖s (64), recovery id (1). */
const JOB_BYTES = 97;
/** A result: the uncompressed public key (65 bytes, first byte 4), or zeros when none recovers. */
const KEY_BYTES = 65;

// CommonJS run by `eval` (so that the bundles and the sources under tsx need no file of its own):
// answers each buffer of jobs with a buffer of keys, in order; null once the addon is loaded.
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { ecdsaRecover } = require(workerData.addon);
parentPort.on('message', (jobs) => {
  const count = jobs.length / ${JOB_BYTES};
  const keys = new Uint8Array(count * ${KEY_BYTES});
  for (let i = 0; i < count; i++) {
    const at = i * ${JOB_BYTES};
    try {
      ecdsaRecover(jobs.subarray(at + 32, at + 96), jobs[at + 96], jobs.subarray(at, at + 32), false, keys.subarray(i * ${KEY_BYTES}, (i + 1) * ${KEY_BYTES}));
    } catch {}
  }
  parentPort.postMessage(keys, [keys.buffer]);
});
parentPort.postMessage(null);
`;

interface Job {
  digest: Uint8Array;
  signature: Uint8Array;
  recoveryId: number;
  resolve: (publicKey: Uint8Array | null) => void;
}

export class RecoveryWorker {
  private worker: Worker | undefined;
  private ready = false;
  /** Set when the worker failed or was closed: every recovery then runs on the main thread. */
  private off = false;
  /** Asked for since the last flush (one microtask later). */
  private collected: Job[] = [];
  /** Sent to the worker and not answered yet, in the order sent (the worker answers in that order). */
  private readonly inFlight: Job[][] = [];
  /** start()'s callers waiting for the worker to take jobs or fail. */
  private readonly onReadyOrOff: ((ready: boolean) => void)[] = [];

  /** The uncompressed public key that signed `digest` with r‖s `signature` (recoverPublicKey), never rejecting. */
  recover(digest: Uint8Array, signature: Uint8Array, recoveryId: number): Promise<Uint8Array | null> {
    return new Promise((resolve) => {
      if (this.collected.push({ digest, signature, recoveryId, resolve }) === 1) queueMicrotask(() => this.flush());
    });
  }

  /** Stops the worker; what it has not answered is recovered here. */
  close(): void {
    this.off = true;
    void this.worker?.terminate();
  }

  private flush(): void {
    const jobs = this.collected;
    this.collected = [];
    if (jobs.length === 1 || !this.started()) {
      for (const job of jobs) recoverHere(job);
      return;
    }
    const input = new Uint8Array(jobs.length * JOB_BYTES);
    jobs.forEach((job, i) => {
      input.set(job.digest, i * JOB_BYTES);
      input.set(job.signature, i * JOB_BYTES + 32);
      input[i * JOB_BYTES + 96] = job.recoveryId;
    });
    // Held by the process only while it owes answers.
    if (this.inFlight.push(jobs) === 1) this.worker!.ref();
    this.worker!.postMessage(input, [input.buffer]);
  }

  /** Whether the worker takes jobs now; starts it on the first call. */
  private started(): boolean {
    this.spawnOnce();
    return this.ready;
  }

  /** Starts the worker now rather than on the first burst; true once it takes jobs, false if it cannot. */
  start(): Promise<boolean> {
    this.spawnOnce();
    return this.ready || this.off ? Promise.resolve(this.ready) : new Promise((resolve) => this.onReadyOrOff.push(resolve));
  }

  private spawnOnce(): void {
    if (this.worker || this.off) return;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { addon: libsecp256k1Path() } });
    worker.unref();
    worker.on('message', (keys: Uint8Array | null) => {
      if (keys === null) {
        this.ready = !this.off;
        this.settleStart();
        return;
      }
      const jobs = this.inFlight.shift()!;
      if (this.inFlight.length === 0) worker.unref();
      jobs.forEach((job, i) => job.resolve(keys[i * KEY_BYTES] === 4 ? keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES) : null));
    });
    const stop = () => {
      this.off = true;
      this.ready = false;
      for (const jobs of this.inFlight.splice(0)) for (const job of jobs) recoverHere(job);
      this.settleStart();
    };
    worker.on('error', stop);
    worker.on('exit', stop);
    this.worker = worker;
  }

  private settleStart(): void {
    for (const resolve of this.onReadyOrOff.splice(0)) resolve(this.ready);
  }
}

function recoverHere(job: Job): void {
  job.resolve(recoverPublicKey(job.digest, job.signature, job.recoveryId));
}
