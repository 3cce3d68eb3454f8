// What the power actor's cron moves at the end of every epoch, null rounds included, besides the work
// scheduled for it (builtin-actors power on_epoch_tick_end): its smoothed QA power, then the reward
// actor's State through UpdateNetworkKPI. Only a fork holds these figures (the upstream's, moved on);
// the devnet's own chain keeps both fixed.
import type { StateOverlay } from '../state-tree.js';
import { updatePowerSmoothed } from './power.js';
import { updateRewardKpi } from './reward.js';

/** Both moved through the cron of epoch `through`, epoch by epoch from `exactFrom` (reward-logic.ts kpiThrough). */
export function epochTickEnd(state: StateOverlay, through: number, exactFrom?: number): void {
  updatePowerSmoothed(state, through, exactFrom);
  updateRewardKpi(state, through, exactFrom);
}
