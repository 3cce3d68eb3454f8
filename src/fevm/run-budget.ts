// A budget of CPU time for executions that do not change the chain (eth_call, each run of a gas
// estimate, traced calls, StateCompute: --call-timeout), as geth's RPC EVM timeout. CPU time rather
// than wall time, so that a request passes or fails alike on a busy machine. The EVM's loop
// (actors/evm/interpreter-loop.ts) calls `checkBudget` every few thousand instructions; mined
// messages, and replays of them for traces, run with no budget and are never cut.
// Executions run one at a time in the miner's queue, so one budget at most is running.
//
// The process's CPU time is a system call (getrusage, several µs on these VMs, more under load), so
// it is read from the first check of a run on, not at its start: a run that never reaches a check
// (most calls: a few hundred instructions) reads no clock, and the wall time before a run's first
// check (the monotonic clock, no system call) stands for its CPU time.
import { ExecutionTimeoutError } from '../common/errors.js';

/** The budget of the execution running now. */
let running: RunBudget | undefined;

export class RunBudget {
  /** Milliseconds of CPU time left; the time between runs (queue, a fork's fetches) is not spent. */
  private leftMs: number;
  /** When the running execution started (performance.now()). */
  private startedAt = 0;
  /** The process's CPU time at the running execution's first check (cpuMs()), and the wall time spent before it. */
  private cpuAtFirstCheck: number | undefined;
  private wallBeforeFirstCheck = 0;

  /** `limitMs` 0: no limit. */
  constructor(readonly limitMs: number) {
    this.leftMs = limitMs;
  }

  /** Runs one execution on this budget; it throws ExecutionTimeoutError once the budget is spent. */
  async spend<T>(run: () => Promise<T>): Promise<T> {
    if (this.limitMs === 0) return run();
    if (this.leftMs <= 0) throw new ExecutionTimeoutError(this.limitMs);
    this.startedAt = performance.now();
    this.cpuAtFirstCheck = undefined;
    running = this;
    try {
      return await run();
    } finally {
      running = undefined;
      this.leftMs -= this.spentMs();
    }
  }

  /** Throws ExecutionTimeoutError if this execution's budget is spent. */
  check(): void {
    if (this.cpuAtFirstCheck === undefined) {
      this.cpuAtFirstCheck = cpuMs();
      this.wallBeforeFirstCheck = performance.now() - this.startedAt;
    }
    if (this.spentMs() > this.leftMs) throw new ExecutionTimeoutError(this.limitMs);
  }

  /** What the running execution has spent so far. */
  private spentMs(): number {
    if (this.cpuAtFirstCheck === undefined) return performance.now() - this.startedAt;
    return this.wallBeforeFirstCheck + cpuMs() - this.cpuAtFirstCheck;
  }
}

/** Throws ExecutionTimeoutError if the running execution's budget is spent. */
export function checkBudget(): void {
  running?.check();
}

/** The process's CPU time, in ms (its threads' together: the compiler's and collector's work for the run counts too). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
