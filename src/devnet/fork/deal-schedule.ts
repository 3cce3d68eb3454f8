// The market's cron checks of forked deals. builtin-actors (v13 on) schedules one check per deal when
// it is published, at the first epoch at or after its start that equals its ID modulo the update
// interval (market/policy.ts nextUpdateEpoch): a deal not activated by then times out, an activated
// one leaves the pending-proposal set. That epoch follows from the deal's ID and start alone, so the
// fork needs no copy of the upstream's deal_ops_by_epoch: each deal the fork reads is scheduled
// here, if its check comes after the fork epoch (an earlier one has run upstream already). The cron
// actor reads this schedule beside its own queue (fevm/actors/cron.ts SourceSchedule). A deal the
// fork never read is never checked: nothing on the fork can have touched it.
import type { Actor } from '../../fevm/actor.js';
import { MARKET_ACTOR_ID } from '../../fevm/actor.js';
import type { CronEntry, SourceSchedule } from '../../fevm/actors/cron.js';
import { nextUpdateEpoch } from '../../fevm/actors/market/policy.js';
import type { ForkedDeal } from './upstream-tables.js';

/** The epoch of a forked deal's pending check, or undefined if it ran at or before the fork epoch. */
export function forkedDealCheckEpoch(id: number, deal: ForkedDeal, forkEpoch: number): number | undefined {
  const epoch = nextUpdateEpoch(id, deal.proposal.startEpoch);
  return epoch > forkEpoch ? epoch : undefined;
}

export class ForkedDealSchedule implements SourceSchedule {
  /** [epoch, deal ID], sorted by epoch then ID. */
  private readonly checks: [number, number][] = [];

  constructor(private readonly forkEpoch: number) {}

  /** Schedules a deal the fork read (null: the upstream has none). */
  add(id: number, deal: ForkedDeal | null): void {
    const epoch = deal && forkedDealCheckEpoch(id, deal, this.forkEpoch);
    if (epoch === undefined || epoch === null) return;
    let i = this.checks.findIndex(([e, d]) => e > epoch || (e === epoch && d > id));
    if (i < 0) i = this.checks.length;
    this.checks.splice(i, 0, [epoch, id]);
  }

  between(after: number, upTo: number): (readonly [number, CronEntry])[] {
    return this.checks.filter(([epoch]) => epoch > after && epoch <= upTo).map(([epoch, id]) => [epoch, { actor: MARKET_ACTOR_ID, event: id }]);
  }

  next(after: number): number | undefined {
    return this.checks.find(([epoch]) => epoch > after)?.[0];
  }
}

/** The upstream's cron actor with the forked deals' checks, none of which has run yet. */
export function withDealSchedule(cron: Actor, schedule: ForkedDealSchedule, forkEpoch: number): Actor {
  return { ...cron, cron: { queue: cron.cron?.queue ?? [], upstream: { schedule, through: forkEpoch } } };
}
