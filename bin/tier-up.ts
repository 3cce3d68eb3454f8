// Lets V8 optimise a hot function sooner, and inline more into it. The interrupt budget
// (--interrupt-budget) is the bytecode a function runs between V8's checks of whether to optimise it
// (Node 20's V8 default 66 KB). An eth_call runs many small functions once each (parsing, the queue,
// the executor's set-up), which at the default took ~2000 calls to reach TurboFan, so the first
// thousands of calls after start ran mostly unoptimised (README, "eth_call over HTTP, per request").
// 8 and 4 KB were measured and not kept: faster in the bench's quiet rounds, not under load, where
// eth_call and spawn were slower at 8 KB (docs/performance.md, "`eth_call`, smaller interrupt
// budgets"). Set after the bundle is compiled: V8 checks a code cache against its flags.
import { setFlagsFromString } from 'node:v8';

export const INTERRUPT_BUDGET_BYTES = 16 * 1024;

export function tierUpSooner(): void {
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET_BYTES}`);
}

// How much bytecode TurboFan inlines into one optimised function: V8's defaults are 460 bytes for one
// callee and 920 in all. A request runs a deep chain of functions once each (Node's and fastify's HTTP
// path, the dispatch, a call's set-up down to the EVM frame), which with more of them inlined runs as
// fewer code objects and frames: ~10 µs less of the node's CPU per sequential eth_call. 4000 in all
// gained no more and compiled twice as much in the first calls (docs/performance.md, "`eth_call`, what
// a request runs, and TurboFan inlining more").
export const MAX_INLINED_BYTECODE_BYTES = 920;
export const MAX_INLINED_BYTECODE_CUMULATIVE_BYTES = 2000;

export function inlineMore(): void {
  setFlagsFromString(`--max-inlined-bytecode-size=${MAX_INLINED_BYTECODE_BYTES}`);
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${MAX_INLINED_BYTECODE_CUMULATIVE_BYTES}`);
}
