// A wall-clock budget for executions that do not change the chain (eth_call, gas estimates, traces,
// StateCompute: --call-timeout), as geth's RPC EVM timeout. The EVM's loop
// (actors/evm/interpreter-loop.ts) calls `checkBudget` every few thousand instructions; mined
// messages run with no budget and are never cut (that would change what the chain holds).
// Executions run one at a time in the miner's queue, so one budget at most is running.
import { ExecutionTimeoutError } from '../common/errors.js';

/** The budget of the execution running now, and when it runs out (performance.now() ms). */
let running: RunBudget | undefined;
let deadline = Infinity;

export class RunBudget {
  /** Milliseconds of execution left; the time between runs (queue, a fork's fetches) is not spent. */
  private leftMs: number;

  /** `limitMs` 0: no limit. */
  constructor(readonly limitMs: number) {
    this.leftMs = limitMs;
  }

  /** Runs one execution on this budget; it throws ExecutionTimeoutError once the budget is spent. */
  async spend<T>(run: () => Promise<T>): Promise<T> {
    if (this.limitMs === 0) return run();
    if (this.leftMs <= 0) throw new ExecutionTimeoutError(this.limitMs);
    const start = performance.now();
    running = this;
    deadline = start + this.leftMs;
    try {
      return await run();
    } finally {
      running = undefined;
      deadline = Infinity;
      this.leftMs -= performance.now() - start;
    }
  }
}

/** Throws ExecutionTimeoutError if the running execution's budget is spent. */
export function checkBudget(): void {
  if (running !== undefined && performance.now() > deadline) throw new ExecutionTimeoutError(running.limitMs);
}
