// Caps the node's young generation (V8's new space, both semi-spaces) at 16 MiB, where Node 20's V8
// grows it to 32 MiB. The bench's peak RSS fell ~20 MiB with it (the space itself, and the large
// objects a burst of big answers leaves there, which V8 lets reach the space's size before a
// scavenge), at no measurable CPU per transaction or eth_call; a cap of 8 MiB cost pipelined
// transfers a fifth of their rate (docs/performance.md, "Memory and start-up, third pass"). V8 takes
// the cap itself (--max-semi-space-size) only on the command line, which `npx fvm-devnet` cannot pass, but it reads
// the growth factor each time a scavenge grows the space: after each collection the factor is 1 (no
// growth) once the space is at the cap, and V8's default 2 below it. The cap is soft: V8 reports
// collections to JavaScript only after the task that made them, so one task that keeps much of what
// it allocates can grow the space in several steps to V8's own 32 MiB, where it then stays, as it
// would without the cap (factor 1 one step earlier would hold the space at 8 MiB, whose cost is above).
// Until the node listens, the space keeps the size V8 starts it with (holdYoungGeneration): start-up
// keeps most of what it allocates, so each scavenge grew the space, and every page of memory touched
// for the first time costs a start (~14 µs a page here; ~500 fewer to the first answer held,
// docs/performance.md "Start-up, eighth pass").
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export const YOUNG_GENERATION_CAP_BYTES = 16 << 20;
const DEFAULT_GROWTH_FACTOR = 2;

const setGrowthFactor = (factor: number) => setFlagsFromString(`--semi-space-growth-factor=${factor}`);

/** The young generation keeps its size until capYoungGeneration lets it grow (to the cap). */
export function holdYoungGeneration(): void {
  setGrowthFactor(1);
}

/** Lets the young generation grow up to the cap, and no further: from now on, after each collection. */
export function capYoungGeneration(): void {
  let capped: boolean | undefined;
  const apply = () => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    const atCap = newSpace !== undefined && newSpace.space_size >= YOUNG_GENERATION_CAP_BYTES;
    if (atCap === capped) return;
    setGrowthFactor(atCap ? 1 : DEFAULT_GROWTH_FACTOR);
    capped = atCap;
  };
  apply();
  new PerformanceObserver(apply).observe({ entryTypes: ['gc'] });
}
