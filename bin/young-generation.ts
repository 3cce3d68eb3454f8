// Caps the node's young generation (V8's new space) at 8 MiB, where V8 lets it grow to 32 MiB: it
// took ~25 MiB off the bench's peak RSS at no CPU measurable there. V8 takes the cap itself
// (--max-semi-space-size) only as a command-line flag, which `npx fvm-devnet` cannot pass, but it
// reads the growth factor each time a scavenge grows the space: after each collection the factor is
// 1 (no growth) once the space is at the cap, V8's default 2 while it is below (it shrinks when idle).
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Both semi-spaces together, as V8 reports the new space's size. */
const CAP_BYTES = 8 << 20;
const DEFAULT_GROWTH_FACTOR = 2;

export function capYoungGeneration(): void {
  let capped = false;
  new PerformanceObserver(() => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    const atCap = newSpace !== undefined && newSpace.space_size >= CAP_BYTES;
    if (atCap === capped) return;
    setFlagsFromString(`--semi-space-growth-factor=${atCap ? 1 : DEFAULT_GROWTH_FACTOR}`);
    capped = atCap;
  }).observe({ entryTypes: ['gc'] });
}
