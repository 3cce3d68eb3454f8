// A budget of CPU time for executions that do not change the chain (eth_call, each run of a gas
// estimate, traced calls, StateCompute: --call-timeout), as geth's RPC EVM timeout. CPU time rather
// than wall time, so that a request passes or fails alike on a busy machine. The EVM's loop
// (actors/evm/interpreter-loop.ts) calls `checkBudget` every few thousand instructions; mined
// messages, and replays of them for traces, run with no budget and are never cut.
// The executions of one JSON-RPC batch also share one --call-timeout (BatchBudget), as geth gives a
// batch one deadline: without it one batch of N looping calls would hold the node N times as long.
// Executions run one at a time in the miner's queue, so one budget at most is running; those queued
// run back to back, so after one that ran long the event loop gets a turn before it is answered:
// requests that need no execution (eth_chainId, a balance) are answered between long calls.
//
// The process's CPU time is a system call (getrusage, several µs on these VMs, more under load), so
// it is read from the first check of a run on, not at its start: a run that never reaches a check
// (most calls: a few hundred instructions) reads no clock, and the wall time before a run's first
// check (the monotonic clock, no system call) stands for its CPU time.
import { ExecutionTimeoutError, RequestTimeoutError } from '../common/errors.js';

/** The budget of the execution running now. */
let running: RunBudget | undefined;

/** What an execution spent (ms) after which it lets the event loop take in other connections' requests. */
export const LONG_RUN_MS = 10;

/**
 * The CPU time the executions of one JSON-RPC batch (HTTP or WebSocket) spent. Together they get one
 * --call-timeout: once it is spent, the running one is cut and later ones are not run, each answered
 * with geth's -32002 "request timed out" (go-ethereum rpc/handler.go handleBatch). Only runs that
 * reached a check count (as their own budgets count them): a short run's time is wall time, not CPU
 * time, and under load a batch of a thousand short calls must not be cut for the time the machine
 * gave others (review R5). A run long enough to matter reaches a check within milliseconds.
 */
export class BatchBudget {
  spentMs = 0;
}

export class RunBudget {
  /** Milliseconds of CPU time left; the time between runs (queue, a fork's fetches) is not spent. */
  private leftMs: number;
  /** When the running execution started (performance.now()). */
  private startedAt = 0;
  /** The process's CPU time at the running execution's first check (cpuMs()), and the wall time spent before it. */
  private cpuAtFirstCheck: number | undefined;
  private wallBeforeFirstCheck = 0;
  /** What the running execution may spend: what is left of its budget, or of its batch's if less. */
  private allowedMs = 0;
  private batchDeadline = false;

  /** `limitMs` 0: no limit; `batch`: the batch whose executions share one `limitMs` with this one. */
  constructor(
    readonly limitMs: number,
    private readonly batch?: BatchBudget,
  ) {
    this.leftMs = limitMs;
  }

  /** Runs one execution on this budget; it throws once the budget (or its batch's) is spent. */
  async spend<T>(run: () => Promise<T>): Promise<T> {
    if (!this.start()) return run();
    try {
      return await run();
    } finally {
      const yielded = this.stop();
      if (yielded) await yielded;
    }
  }

  /**
   * Starts one execution on this budget, which stop() ends (spend's steps, for a caller that runs
   * it in a frame of its own: Executor.holdingConsole). False without a limit: nothing to stop.
   * Throws once the budget (or its batch's) is spent.
   */
  start(): boolean {
    if (this.limitMs === 0) return false;
    const batchLeftMs = this.batch ? this.limitMs - this.batch.spentMs : Infinity;
    if (batchLeftMs <= 0) throw new RequestTimeoutError();
    if (this.leftMs <= 0) throw new ExecutionTimeoutError(this.limitMs);
    this.allowedMs = Math.min(this.leftMs, batchLeftMs);
    this.batchDeadline = batchLeftMs < this.leftMs;
    this.startedAt = performance.now();
    this.cpuAtFirstCheck = undefined;
    running = this;
    return true;
  }

  /** Ends the execution start() began: what it spent is counted; a promise to wait for when it ran long enough to let the event loop in. */
  stop(): Promise<void> | undefined {
    running = undefined;
    const spent = this.spentMs();
    this.leftMs -= spent;
    if (this.batch && this.cpuAtFirstCheck !== undefined) this.batch.spentMs += spent;
    return spent >= LONG_RUN_MS ? new Promise((resolve) => setImmediate(resolve)) : undefined;
  }

  /** Throws if this execution's budget is spent: geth's -32000, or its -32002 when the batch's deadline came first. */
  check(): void {
    let spent: number;
    if (this.cpuAtFirstCheck === undefined) {
      // The CPU clock just read stands for now: no second read (a system call) to subtract it from.
      this.cpuAtFirstCheck = cpuMs();
      spent = this.wallBeforeFirstCheck = performance.now() - this.startedAt;
    } else spent = this.spentMs();
    if (spent > this.allowedMs) throw this.batchDeadline ? new RequestTimeoutError() : new ExecutionTimeoutError(this.limitMs);
  }

  /** What the running execution has spent so far. */
  private spentMs(): number {
    if (this.cpuAtFirstCheck === undefined) return performance.now() - this.startedAt;
    return this.wallBeforeFirstCheck + cpuMs() - this.cpuAtFirstCheck;
  }
}

/** Throws if the running execution's budget is spent. */
export function checkBudget(): void {
  running?.check();
}

/** The process's CPU time, in ms (its threads' together: the compiler's and collector's work for the run counts too). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
