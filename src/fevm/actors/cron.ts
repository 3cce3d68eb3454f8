// The cron actor (f03): work the builtin actors schedule for an epoch (deal payments and expiries,
// proving deadlines) runs at the end of that epoch. The schedule is a queue sorted by epoch, so the
// miner can jump straight to the next epoch with work: empty epochs cost nothing.
import { CRON_ACTOR_ID } from '../actor.js';
import type { StateOverlay, StateReader } from '../state-tree.js';

/** One piece of scheduled work: the actor whose `cron` handler runs, and what to tell it. */
export interface CronEntry {
  readonly actor: number;
  readonly event: unknown;
}

export interface CronState {
  /** Epochs with work, ascending, each with its entries in the order they were enrolled. */
  readonly queue: readonly (readonly [epoch: number, entries: readonly CronEntry[]])[];
}

const EMPTY_CRON_STATE: CronState = { queue: [] };

const cronState = (state: StateReader): CronState => state.getActor(CRON_ACTOR_ID)?.cron ?? EMPTY_CRON_STATE;

/** The first epoch with scheduled work, if any. */
export function nextCronEpoch(state: StateReader): number | undefined {
  return cronState(state).queue[0]?.[0];
}

export function enrollCron(state: StateOverlay, epoch: number, entry: CronEntry): void {
  const cron = state.getActor(CRON_ACTOR_ID)!;
  const queue = [...cronState(state).queue];
  let i = queue.findIndex(([e]) => e >= epoch);
  if (i < 0) i = queue.length;
  if (queue[i]?.[0] === epoch) queue[i] = [epoch, [...queue[i][1], entry]];
  else queue.splice(i, 0, [epoch, [entry]]);
  state.putActor({ ...cron, cron: { queue } });
}

/** Removes and returns the work due at or before `epoch`, earliest first. */
export function takeDueCron(state: StateOverlay, epoch: number): CronEntry[] {
  const { queue } = cronState(state);
  let due = 0;
  while (due < queue.length && queue[due][0] <= epoch) due++;
  if (due === 0) return [];
  const cron = state.getActor(CRON_ACTOR_ID)!;
  state.putActor({ ...cron, cron: { queue: queue.slice(due) } });
  return queue.slice(0, due).flatMap(([, entries]) => entries);
}
