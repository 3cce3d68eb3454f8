// A budget of CPU time for executions that do not change the chain (eth_call, each run of a gas
// estimate, traced calls, StateCompute: --call-timeout), as geth's RPC EVM timeout. CPU time rather
// than wall time, so that a request passes or fails alike on a busy machine. The EVM's loop
// (actors/evm/interpreter-loop.ts) calls `checkBudget` every few thousand instructions; mined
// messages, and replays of them for traces, run with no budget and are never cut.
// Executions run one at a time in the miner's queue, so one budget at most is running.
import { ExecutionTimeoutError } from '../common/errors.js';

/** The budget of the execution running now, and when it runs out (cpuMs()). */
let running: RunBudget | undefined;
let deadline = Infinity;

export class RunBudget {
  /** Milliseconds of CPU time left; the time between runs (queue, a fork's fetches) is not spent. */
  private leftMs: number;

  /** `limitMs` 0: no limit. */
  constructor(readonly limitMs: number) {
    this.leftMs = limitMs;
  }

  /** Runs one execution on this budget; it throws ExecutionTimeoutError once the budget is spent. */
  async spend<T>(run: () => Promise<T>): Promise<T> {
    if (this.limitMs === 0) return run();
    if (this.leftMs <= 0) throw new ExecutionTimeoutError(this.limitMs);
    const start = cpuMs();
    running = this;
    deadline = start + this.leftMs;
    try {
      return await run();
    } finally {
      running = undefined;
      deadline = Infinity;
      this.leftMs -= cpuMs() - start;
    }
  }
}

/** Throws ExecutionTimeoutError if the running execution's budget is spent. */
export function checkBudget(): void {
  if (running !== undefined && cpuMs() > deadline) throw new ExecutionTimeoutError(running.limitMs);
}

/** The process's CPU time, in ms (its threads' together: the compiler's and collector's work for the run counts too). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
