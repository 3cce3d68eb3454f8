// Forked miners' deadline closes on a fork. builtin-actors' power actor keeps, in its CronEventQueue,
// each miner's next deadline close, and on calibnet every active miner has one within the next 60
// epochs: running them all would mean reading every miner's proving state. So the fork's cron closes
// the deadlines only of the miners whose proving state it holds, from the epoch it fetched it; the
// miner's first close catches up, in order, those it missed since the fork epoch
// (fevm/actors/miner/window-post.ts closeDeadline). What mining does to a forked miner therefore does
// not depend on when the fork read it; only the effects on other actors (power totals, pledge) land
// when it catches up.
import type { CronEntry, SourceSchedule } from '../../fevm/actors/cron.js';
import { WPOST_CHALLENGE_WINDOW } from '../../fevm/actors/miner/policy.js';
import type { MinerCronEvent } from '../../fevm/actors/miner/schedule.js';

const DEADLINE_CLOSE = { type: 'deadline' } satisfies MinerCronEvent;

export class ForkedMinerDeadlines implements SourceSchedule {
  /**
   * Reads which miners' proving states `tables` holds (the fork source fills it); `offsetOf` gives a
   * held miner's proving period offset (its upstream state's).
   */
  /**
   * `held` holds the miners the fork has taken (ForkSource: their proving state read, their missed
   * closes caught up); `offsetOf` gives a held miner's proving period offset (its upstream state's).
   */
  constructor(
    private readonly held: Pick<ReadonlyMap<number, unknown>, 'keys'>,
    private readonly offsetOf: (miner: number) => number | undefined,
  ) {}

  /** Each held miner with the first epoch after `after` at which one of its deadlines closes (its last epoch). */
  private firstCloses(after: number): [miner: number, epoch: number][] {
    const firsts: [number, number][] = [];
    for (const miner of [...this.held.keys()].sort((a, b) => a - b)) {
      const first = this.firstClose(miner, after);
      if (first !== undefined) firsts.push([miner, first]);
    }
    return firsts;
  }

  private firstClose(miner: number, after: number): number | undefined {
    const offset = this.offsetOf(miner);
    if (offset === undefined) return undefined;
    const lastEpoch = (offset + WPOST_CHALLENGE_WINDOW - 1) % WPOST_CHALLENGE_WINDOW;
    const wait = (((lastEpoch - after - 1) % WPOST_CHALLENGE_WINDOW) + WPOST_CHALLENGE_WINDOW) % WPOST_CHALLENGE_WINDOW;
    return after + 1 + wait;
  }

  /** A miner's deadline closes after `after` up to `upTo`, held or not: those a miner taken late missed. */
  closesOf(miner: number, after: number, upTo: number): [number, CronEntry][] {
    const due: [number, CronEntry][] = [];
    const first = this.firstClose(miner, after);
    if (first === undefined) return due;
    for (let epoch = first; epoch <= upTo; epoch += WPOST_CHALLENGE_WINDOW) due.push([epoch, { actor: miner, event: DEADLINE_CLOSE }]);
    return due;
  }

  between(after: number, upTo: number): (readonly [number, CronEntry])[] {
    const due = this.firstCloses(after).flatMap(([miner]) => this.closesOf(miner, after, upTo));
    // By epoch; at one epoch, by miner ID (a stable sort).
    return due.sort(([a], [b]) => a - b);
  }

  next(after: number): number | undefined {
    const epochs = this.firstCloses(after).map(([, epoch]) => epoch);
    return epochs.length ? Math.min(...epochs) : undefined;
  }
}

/** The schedules' entries together: by epoch, and at one epoch in the schedules' order. */
export function mergedSchedule(schedules: readonly SourceSchedule[]): SourceSchedule {
  return {
    between: (after, upTo) => schedules.flatMap((s) => s.between(after, upTo)).sort(([a], [b]) => a - b),
    next(after) {
      const epochs = schedules.map((s) => s.next(after)).filter((e) => e !== undefined);
      return epochs.length ? Math.min(...epochs) : undefined;
    },
  };
}
