// The storage miner actor (kind 'storageminer', builtin-actors actors/miner): its method table
// (FRC-42 numbers for exported methods, the legacy numbers f1 messages use) and its cron work.
import { REWARD_ACTOR_ID } from '../../actor.js';
import { bigInt, tuple } from '../params.js';
import { ExitCode } from '../../exit-code.js';
import { ActorError, methodTable, type ActorRuntime, type BuiltinActor } from '../runtime.js';
import { illegalArgument, requireCallerIn } from '../shared.js';
import { burnFunds, notifyPledgeChanged, readMiner, writeMiner } from './access.js';
import { applyPendingWorker, controlMethods } from './control.js';
import { chargeAtPeriodEnd, chargeDeadlineDailyFee, expire, expirePreCommits, provingMethods, recoverDeclared, terminateOldFaults } from './proving.js';
import type { MinerCronEvent } from './schedule.js';
import { sectorMethods } from './sectors.js';
import { sectorStatusMethods } from './sector-status.js';
import { addLockedFunds, deadlineCronStops, repayPartialDebt, unlockedBalance, unlockVestedFunds } from './state.js';
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
  else if (e.type === 'vest') await unlockVested(rt);
  else if (e.type === 'cron-stop') stopDeadlineCron(rt);
  else if (e.type === 'deadline') await closeDeadline(rt);
}

/** builtin-actors' handle_proving_deadline ends the deadline cron of a miner with nothing locked (access.ts settleDeadlineCron enrolls this check). */
function stopDeadlineCron(rt: ActorRuntime): void {
  const miner = readMiner(rt);
  if (deadlineCronStops(miner)) writeMiner(rt, { ...miner, deadlineCronActive: false });
}

/** The deadline cron's unlock of what has vested (builtin-actors handle_proving_deadline): it leaves the network's locked total. */
async function unlockVested(rt: ActorRuntime): Promise<void> {
  const miner = readMiner(rt);
  const { state, unlocked } = unlockVestedFunds(miner, rt.ctx.epoch);
  // A head drawn to zero leaves the table unlocking nothing.
  if (state === miner) return;
  writeMiner(rt, state);
  await notifyPledgeChanged(rt, -unlocked);
}

/** builtin-actors' LOCKED_REWARD_FACTOR: three quarters of a block reward vest (monies.rs locked_reward_from_reward). */
const lockedReward = (reward: bigint): bigint => (reward * 3n) / 4n;

export const minerActor: BuiltinActor = {
  methods: methodTable({
    ...controlMethods,
    ...sectorMethods,
    ...provingMethods,
    ...windowPostMethods,
    ...sectorStatusMethods,
    // The reward actor pays block rewards here (builtin-actors v18 lib.rs apply_rewards): three quarters
    // are locked to vest over 180 days, the penalty joins the fee debt, and the debt is repaid from the
    // vesting funds first, then the unlocked balance. The power actor's pledge total follows the locked funds.
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
        const toLock = lockedReward(reward);
        const m = readMiner(rt);
        const balance = rt.self().balance;
        const unlocked = unlockedBalance(m, balance);
        if (unlocked < toLock) throw new ActorError(ExitCode.ErrInsufficientFunds, `insufficient funds to lock, available: ${unlocked}, requested: ${toLock}`);
        const locked = addLockedFunds(m, rt.ctx.epoch, toLock);
        const repaid = repayPartialDebt({ ...locked.state, feeDebt: locked.state.feeDebt + penalty }, rt.ctx.epoch, balance);
        writeMiner(rt, repaid.state);
        await notifyPledgeChanged(rt, toLock - locked.unlocked - repaid.unlocked);
        await burnFunds(rt, repaid.burn);
      },
    },
  }),
  cron: minerCron,
};
