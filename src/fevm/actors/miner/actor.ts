// The storage miner actor (kind 'storageminer', builtin-actors actors/miner): its method table
// (FRC-42 numbers for exported methods, the legacy numbers f1 messages use) and its cron work.
import { REWARD_ACTOR_ID } from '../../actor.js';
import { bigInt, tuple } from '../params.js';
import { methodTable, type ActorRuntime, type BuiltinActor } from '../runtime.js';
import { illegalArgument, requireCallerIn } from '../shared.js';
import { burnFunds, readMiner, writeMiner } from './access.js';
import { applyPendingWorker, controlMethods } from './control.js';
import { chargeAtPeriodEnd, chargeDeadlineDailyFee, expire, expirePreCommits, provingMethods, recoverDeclared, terminateOldFaults } from './proving.js';
import type { MinerCronEvent } from './schedule.js';
import { sectorMethods } from './sectors.js';
import { sectorStatusMethods } from './sector-status.js';
import { unlockedBalance, unlockVesting } from './state.js';
import { closeDeadline, windowPostMethods } from './window-post.js';

/** The miner's cron work (schedule.ts). */
async function minerCron(rt: ActorRuntime, event: unknown): Promise<void> {
  const e = event as MinerCronEvent;
  if (e.type === 'expire') await expire(rt, e.sectors);
  else if (e.type === 'precommit-expiry') await expirePreCommits(rt, e.sectors);
  else if (e.type === 'fault-fee') await chargeAtPeriodEnd(rt);
  else if (e.type === 'daily-fee') await chargeDeadlineDailyFee(rt, e.deadline);
  else if (e.type === 'recover') await recoverDeclared(rt, e.sectors);
  else if (e.type === 'fault-max-age') await terminateOldFaults(rt, e.sectors);
  else if (e.type === 'worker-change') applyPendingWorker(rt);
  else if (e.type === 'deadline') await closeDeadline(rt);
}

export const minerActor: BuiltinActor = {
  methods: methodTable({
    ...controlMethods,
    ...sectorMethods,
    ...provingMethods,
    ...windowPostMethods,
    ...sectorStatusMethods,
    // The reward actor pays block rewards here. They are available at once (no vesting) and repay fee debt first.
    ApplyRewards: {
      legacy: 14,
      internalOnly: true,
      async run(rt, params) {
        const [rawReward, rawPenalty] = tuple(params, 2, 'ApplyRewards params');
        const reward = bigInt(rawReward, 'reward');
        const penalty = bigInt(rawPenalty, 'penalty');
        requireCallerIn(rt, [REWARD_ACTOR_ID]);
        if (reward < 0n) throw illegalArgument('cannot lock up a negative amount of funds');
        if (penalty < 0n) throw illegalArgument('cannot penalize a negative amount of funds');
        const debt = readMiner(rt).feeDebt + penalty;
        // The debt is paid from the vesting funds first (builtin-actors repay_partial_debt_in_priority_order).
        const m = unlockVesting(readMiner(rt), rt.ctx.epoch, debt);
        const unlocked = unlockedBalance(m, rt.self().balance);
        const repaid = unlocked <= 0n ? 0n : unlocked < debt ? unlocked : debt;
        writeMiner(rt, { ...m, feeDebt: debt - repaid });
        await burnFunds(rt, repaid);
      },
    },
  }),
  cron: minerCron,
};
