// Lets V8 optimise a hot function sooner (--interrupt-budget: the bytecode a function runs between
// V8's checks of whether to optimise it; Node 20's V8 default 66 KB). An eth_call runs many small
// functions once each (parsing, the queue, the executor's set-up), which at the default took ~2000
// calls to reach TurboFan, so the first thousands of calls after start ran mostly unoptimised
// (README, "eth_call over HTTP, per request"). 8 and 4 KB were measured and not kept: faster in the
// bench's quiet rounds, not under load, where eth_call and spawn were slower at 8 KB
// (docs/performance.md, "`eth_call`, smaller interrupt budgets"). Set after the bundle is compiled:
// V8 checks a code cache against its flags.
import { setFlagsFromString } from 'node:v8';

const INTERRUPT_BUDGET_BYTES = 16 * 1024;

export function tierUpSooner(): void {
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET_BYTES}`);
}
