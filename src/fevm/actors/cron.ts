// The cron actor (f03): work the builtin actors schedule for an epoch (deal payments and expiries,
// proving deadlines) runs at the end of that epoch. The schedule is a queue sorted by epoch, so the
// miner can jump straight to the next epoch with work: empty epochs cost nothing.
import { CRON_ACTOR_ID } from '../actor.js';
import type { StateOverlay, StateReader } from '../state-tree.js';
import type { ReadPairs } from '../../common/storable.js';
import { CronQueue, type CronList } from './cron-queue.js';

/** One piece of scheduled work: the actor whose `cron` handler runs, and what to tell it. */
export interface CronEntry {
  readonly actor: number;
  readonly event: unknown;
}

/**
 * Work a state source knows is due without it being in the queue: a fork's upstream schedule (the
 * deal work the upstream's market scheduled, devnet/fork/deal-ops.ts). Either may throw
 * MissingStateError until the source has fetched what it needs.
 */
export interface SourceSchedule {
  /** The entries due at epochs after `after` up to `upTo`, by epoch ascending. */
  between(after: number, upTo: number): readonly (readonly [epoch: number, entry: CronEntry])[];
  /** The first epoch after `after` with an entry. */
  next(after: number): number | undefined;
}

export interface CronState {
  /**
   * Epochs with work, ascending, each with its entries in the order they were enrolled (the list
   * forms: a state read from a file, until its queue next changes).
   */
  readonly queue: CronQueue | CronList | ReadPairs;
  /** On a fork: the upstream's schedule, and the last epoch whose entries have run (the chain's, so a revert runs them again). */
  readonly upstream?: { readonly schedule: SourceSchedule; readonly through: number };
}

const cronState = (state: StateReader): CronState | undefined => state.getActor(CRON_ACTOR_ID)?.cron;
const queueOf = (cron: CronState | undefined): CronQueue => (cron ? CronQueue.of(cron.queue) : CronQueue.EMPTY);

/** The first epoch with scheduled work, if any. */
export function nextCronEpoch(state: StateReader): number | undefined {
  const cron = cronState(state);
  const upstream = cron?.upstream;
  const epochs = [queueOf(cron).first(), upstream?.schedule.next(upstream.through)].filter((e) => e !== undefined);
  return epochs.length ? Math.min(...epochs) : undefined;
}

/** The events queued for `actor`, by epoch ascending (a fork's upstream schedule aside). */
export function queuedCron(state: StateReader, actor: number): [epoch: number, events: unknown[]][] {
  return queueOf(cronState(state))
    .list()
    .map(([epoch, entries]): [number, unknown[]] => [epoch, entries.filter((e) => e.actor === actor).map((e) => e.event)])
    .filter(([, events]) => events.length > 0);
}

export function enrollCron(state: StateOverlay, epoch: number, entry: CronEntry): void {
  const cron = state.getActor(CRON_ACTOR_ID)!;
  state.putActor({ ...cron, cron: { ...cron.cron, queue: queueOf(cron.cron).with(epoch, entry) } });
}

/** Removes and returns the work due at or before `epoch`, earliest first (at one epoch, the queue's before the upstream's). */
export function takeDueCron(state: StateOverlay, epoch: number): CronEntry[] {
  const cron = cronState(state);
  const upstream = cron?.upstream;
  const { due, rest } = queueOf(cron).takeUpTo(epoch);
  const fromUpstream = upstream && upstream.through < epoch ? upstream.schedule.between(upstream.through, epoch) : [];
  if (due.length === 0 && fromUpstream.length === 0) return [];
  state.putActor({ ...state.getActor(CRON_ACTOR_ID)!, cron: { queue: rest, ...(upstream ? { upstream: { ...upstream, through: Math.max(upstream.through, epoch) } } : {}) } });
  const queued = due.flatMap(([at, entries]) => entries.map((entry) => [at, entry] as const));
  // A stable sort: within an epoch, the queue's entries stay first.
  return [...queued, ...fromUpstream].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}
