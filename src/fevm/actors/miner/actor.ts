// The storage miner actor (kind 'storageminer', builtin-actors actors/miner): its method table
// (FRC-42 numbers for exported methods, the legacy numbers f1 messages use) and its cron work.
import { REWARD_ACTOR_ID } from '../../actor.js';
import { bigInt, tuple } from '../params.js';
import { ExitCode } from '../../exit-code.js';
import { ActorError, methodTable, type BuiltinActor } from '../runtime.js';
import { burnFunds, readMiner, validateCallerIs, writeMiner } from './access.js';
import { controlMethods } from './control.js';
import { minerCron, provingMethods } from './proving.js';
import { sectorMethods } from './sectors.js';

export const minerActor: BuiltinActor = {
  methods: methodTable({
    ...controlMethods,
    ...sectorMethods,
    ...provingMethods,
    // The reward actor pays block rewards here. They are available at once (no vesting) and repay fee debt first.
    ApplyRewards: {
      legacy: 14,
      internalOnly: true,
      async run(rt, params) {
        const [rawReward, rawPenalty] = tuple(params, 2, 'ApplyRewards params');
        const reward = bigInt(rawReward, 'reward');
        const penalty = bigInt(rawPenalty, 'penalty');
        validateCallerIs(rt, [REWARD_ACTOR_ID]);
        if (reward < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, 'cannot lock up a negative amount of funds');
        if (penalty < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, 'cannot penalize a negative amount of funds');
        const m = readMiner(rt);
        const debt = m.feeDebt + penalty;
        const unlocked = rt.self().balance - m.initialPledge - m.preCommitDeposits;
        const repaid = unlocked <= 0n ? 0n : unlocked < debt ? unlocked : debt;
        writeMiner(rt, { ...m, feeDebt: debt - repaid });
        await burnFunds(rt, repaid);
      },
    },
  }),
  cron: minerCron,
};
