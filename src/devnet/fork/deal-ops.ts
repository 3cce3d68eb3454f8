// The market's scheduled deal work on a fork, as the upstream scheduled it. builtin-actors' market
// keeps, in its state's DealOpsByEpoch, the deals its cron looks at in each epoch (a deal's one
// check at or after its start, and a legacy deal's settlement every 30 days); the fork's cron runs
// exactly those at each epoch it mines, beside its own queue (what the fork itself scheduled). So
// what mining does never depends on what the fork happened to read. The epochs that have work are
// read once (UpstreamTables.dealOpEpochs), and an epoch's deals when cron reaches it; the cron actor
// hands each epoch out once (fevm/actors/cron.ts `through`), as builtin-actors removes an epoch's
// set once its cron ran.
import type { CID } from '../../common/cbor.js';
import type { Actor } from '../../fevm/actor.js';
import { MARKET_ACTOR_ID } from '../../fevm/actor.js';
import type { CronEntry, SourceSchedule } from '../../fevm/actors/cron.js';
import { MissingStateError } from '../../fevm/state-tree.js';
import type { ForkTables } from './fork-tables.js';

export class UpstreamDealOps implements SourceSchedule {
  /** Reads `tables.dealOpEpochs` and `tables.dealOps`, which the fork source fills. */
  constructor(private readonly tables: Pick<ForkTables, 'dealOpEpochs' | 'dealOps'>) {}

  private epochs(): readonly (readonly [number, CID])[] {
    const epochs = this.tables.dealOpEpochs;
    if (!epochs) throw new MissingStateError([{ kind: 'dealOpEpochs' }]);
    return epochs;
  }

  /** The index of the first epoch after `after`. */
  private firstAfter(after: number): number {
    const epochs = this.epochs();
    let [low, high] = [0, epochs.length];
    while (low < high) {
      const middle = (low + high) >> 1;
      if (epochs[middle][0] > after) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  between(after: number, upTo: number): (readonly [number, CronEntry])[] {
    const epochs = this.epochs();
    const due: number[] = [];
    for (let i = this.firstAfter(after); i < epochs.length && epochs[i][0] <= upTo; i++) due.push(epochs[i][0]);
    const missing = due.filter((epoch) => !this.tables.dealOps.has(epoch));
    if (missing.length) throw new MissingStateError(missing.map((epoch) => ({ kind: 'dealOps', epoch })));
    return due.flatMap((epoch) => this.tables.dealOps.get(epoch)!.map((id) => [epoch, { actor: MARKET_ACTOR_ID, event: id }] as const));
  }

  next(after: number): number | undefined {
    return this.epochs()[this.firstAfter(after)]?.[0];
  }

  /** The CID of an epoch's set of deals, if the upstream scheduled work for it. */
  setAt(epoch: number): CID | undefined {
    const found = this.epochs()[this.firstAfter(epoch - 1)];
    return found?.[0] === epoch ? found[1] : undefined;
  }
}

/** The upstream's cron actor with work the upstream scheduled (`schedule`), none of which has run on the fork yet. */
export function withUpstreamSchedule(cron: Actor, schedule: SourceSchedule, forkEpoch: number): Actor {
  return { ...cron, cron: { queue: cron.cron?.queue ?? [], upstream: { schedule, through: forkEpoch } } };
}
