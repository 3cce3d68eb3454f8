// A repeating timer for any period. Node's timers wait at most 2^31 - 1 ms (about 24.8 days): a
// longer delay becomes 1 ms, with a TimeoutOverflowWarning, so such a period is waited out in steps.

/** The longest delay a Node timer waits. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `tick` every `periodMs` until the returned function is called. */
export function every(periodMs: number, tick: () => void): () => void {
  if (periodMs <= MAX_TIMER_MS) {
    const timer = setInterval(tick, periodMs);
    return () => clearInterval(timer);
  }
  let timer: NodeJS.Timeout;
  const wait = (remainingMs: number): void => {
    timer = setTimeout(() => {
      if (remainingMs > MAX_TIMER_MS) return wait(remainingMs - MAX_TIMER_MS);
      tick();
      wait(periodMs);
    }, Math.min(remainingMs, MAX_TIMER_MS));
  };
  wait(periodMs);
  return () => clearTimeout(timer);
}
