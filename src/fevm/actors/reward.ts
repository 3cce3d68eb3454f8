// The reward actor (f02, builtin-actors actors/reward), simplified: every mined tipset pays one
// winning miner (mining/election.ts) a block reward plus the gas premiums of the messages since the
// last award. The block reward is minted (the devnet keeps no mining reserve): a
// fixed 5 FIL on the devnet's own chain; on a fork, the epoch reward of the upstream's reward State,
// which every epoch's cron moves on as builtin-actors' UpdateNetworkKPI does (reward-logic.ts).
// The premiums are what the executor credited to f02. Rewards reach the miner through ApplyRewards,
// which locks three quarters of them to vest over 180 days (miner/actor.ts).
import { FilAddress } from '../../common/address.js';
import { encodeBigInt } from '../../common/cbor.js';
import { BURNT_FUNDS_ACTOR_ID, POWER_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID, type Actor } from '../actor.js';
import { ExitCode } from '../exit-code.js';
import { METHOD_SEND } from '../message.js';
import type { StateOverlay, StateReader } from '../state-tree.js';
import { address, bigInt, i64, tuple } from './params.js';
import { ActorError, methodTable, type BuiltinActor } from './runtime.js';
import { filterEstimateValue, kpiThrough, type RewardKpi } from './reward-logic.js';
import { requireCaller } from './shared.js';

const FIL = 10n ** 18n;

/** The devnet's block reward: 5 FIL per mined tipset. */
export const BLOCK_REWARD = 5n * FIL;
/** builtin-actors' expected leaders per epoch: AwardBlockReward pays this_epoch_reward × win_count / 5. */
const EXPECTED_LEADERS_PER_EPOCH = 5n;
/** The epoch reward the devnet reports: one tipset's reward stands for the expected 5 blocks of an epoch. */
export const THIS_EPOCH_REWARD = BLOCK_REWARD * EXPECTED_LEADERS_PER_EPOCH;
/** The baseline power reported by ThisEpochReward: builtin-actors' initial value (2.5 EiB), without growth. */
const BASELINE_POWER = 2_888_888_880_000_000_000n;
/** The simple and baseline minting totals in the reward State (go-state-types builtin/v18/reward reward_logic.go: 330M and 770M FIL). */
const SIMPLE_TOTAL = 330_000_000n * FIL;
const BASELINE_TOTAL = 770_000_000n * FIL;

/**
 * The devnet's own chain's reward figures as builtin-actors' reward State holds them: the fixed epoch
 * reward, smoothed with no velocity, the baseline at its initial value, and, as the devnet mints no
 * baseline reward, the cumulative baseline and realized power and the effective network time 0.
 * Its `epoch` is the State's, which the reader gives (rewardKpiOf).
 */
const FIXED_KPI: RewardKpi = {
  cumsumBaseline: 0n,
  cumsumRealized: 0n,
  effectiveNetworkTime: 0,
  effectiveBaselinePower: BASELINE_POWER,
  thisEpochReward: THIS_EPOCH_REWARD,
  thisEpochRewardSmoothed: { position: THIS_EPOCH_REWARD << 128n, velocity: 0n },
  thisEpochBaselinePower: BASELINE_POWER,
  epoch: 0,
  simpleTotal: SIMPLE_TOTAL,
  baselineTotal: BASELINE_TOTAL,
};

export const AWARD_BLOCK_REWARD = 2;
const MINER_APPLY_REWARDS = 14;

export interface RewardState {
  /** Gas premiums credited since the last award, paid with the next block reward. */
  readonly pendingGasReward: bigint;
  /** The block rewards paid so far (builtin-actors counts no gas reward in it). */
  readonly totalStoragePowerReward: bigint;
  /** On a fork, builtin-actors' reward State as the upstream had it, moved on by the fork's tipsets. */
  readonly kpi?: RewardKpi;
}

const EMPTY_REWARD_STATE: RewardState = { pendingGasReward: 0n, totalStoragePowerReward: 0n };

const rewardState = (state: StateReader): RewardState => state.getActor(REWARD_ACTOR_ID)?.reward ?? EMPTY_REWARD_STATE;

/** A reward State, one literal for each shape: the devnet's own (no `kpi`) and a fork's. */
const rewardStateOf = (pendingGasReward: bigint, totalStoragePowerReward: bigint, kpi: RewardKpi | undefined): RewardState =>
  kpi ? { pendingGasReward, totalStoragePowerReward, kpi } : { pendingGasReward, totalStoragePowerReward };

/**
 * builtin-actors' reward figures of a reward State: a fork's, the upstream's moved on by the fork's
 * tipsets; the devnet's own chain's, its fixed ones (FIXED_KPI) with `epoch` as the State's epoch.
 */
export const rewardKpiOf = (reward: RewardState | undefined, epoch: number): RewardKpi => reward?.kpi ?? { ...FIXED_KPI, epoch };

/** The epoch reward and its smoothed estimate (Q.128) and the baseline power that ThisEpochReward answers. */
export function thisEpochReward(reward: RewardState | undefined): { reward: bigint; smoothed: { position: bigint; velocity: bigint }; baselinePower: bigint } {
  const kpi = reward?.kpi ?? FIXED_KPI;
  return { reward: kpi.thisEpochReward, smoothed: kpi.thisEpochRewardSmoothed, baselinePower: kpi.thisEpochBaselinePower };
}

/** ThisEpochReward's return: [this_epoch_reward_smoothed: FilterEstimate (Q.128 position, velocity), this_epoch_baseline_power]. */
export function thisEpochRewardReturn(reward: RewardState | undefined): unknown {
  const { smoothed, baselinePower } = thisEpochReward(reward);
  return [filterEstimateValue(smoothed), encodeBigInt(baselinePower)];
}

/**
 * On a fork, the reward actor's State moved on through the cron of epoch `through`, as the power
 * actor's cron at the end of every epoch, null rounds included, hands it the network's raw power
 * (builtin-actors power on_epoch_tick_end, reward update_network_kpi; reward-logic.ts kpiThrough,
 * epoch by epoch from `exactFrom`). The devnet's own chain keeps its fixed reward.
 */
export function updateRewardKpi(state: StateOverlay, through: number, exactFrom?: number): void {
  const actor = state.getActor(REWARD_ACTOR_ID);
  const reward = actor?.reward;
  if (!actor || !reward?.kpi || reward.kpi.epoch > through) return;
  const realizedPower = state.getActor(POWER_ACTOR_ID)?.power?.totalRawBytePower ?? 0n;
  state.putActor(rewardActorWith(actor, actor.balance, rewardStateOf(reward.pendingGasReward, reward.totalStoragePowerReward, kpiThrough(reward.kpi, through, realizedPower, exactFrom))));
}

/**
 * f02 as every write of it makes it: one literal, its fields in one order. Spread copies of what the
 * different writers made were objects of different V8 shapes, and the first tipset of several
 * messages met one that the executor's optimized code had not seen (a deoptimization per run). A
 * fork's keeps `forkedFrom` (the upstream's Head and State, answered until its state changes).
 */
export function rewardActorWith(actor: Actor, balance: bigint, reward: RewardState = actor.reward ?? EMPTY_REWARD_STATE): Actor {
  const { id, kind, nonce, forkedFrom } = actor;
  return forkedFrom ? { id, kind, nonce, balance, reward, forkedFrom } : { id, kind, nonce, balance, reward };
}

/** The reward State's CBOR value for its Head: what was paid and pending, and on a fork builtin-actors' figures. */
export function rewardStateValue(reward: RewardState | undefined): unknown {
  const { pendingGasReward, totalStoragePowerReward, kpi } = reward ?? EMPTY_REWARD_STATE;
  const figures = kpi && [
    kpi.cumsumBaseline,
    kpi.cumsumRealized,
    BigInt(kpi.effectiveNetworkTime),
    kpi.effectiveBaselinePower,
    kpi.thisEpochReward,
    kpi.thisEpochRewardSmoothed.position,
    kpi.thisEpochRewardSmoothed.velocity,
    kpi.thisEpochBaselinePower,
    BigInt(kpi.epoch),
    kpi.simpleTotal,
    kpi.baselineTotal,
  ];
  return [encodeBigInt(pendingGasReward), encodeBigInt(totalStoragePowerReward), figures ? figures.map(encodeBigInt) : null];
}

/** Credits a message's miner tip to f02, for the next block reward. */
export function creditGasReward(state: StateOverlay, amount: bigint): void {
  if (amount === 0n) return;
  const actor = state.getActor(REWARD_ACTOR_ID)!;
  const reward = rewardState(state);
  const pending = rewardStateOf(reward.pendingGasReward + amount, reward.totalStoragePowerReward, reward.kpi);
  state.putActor(rewardActorWith(actor, actor.balance + amount, pending));
}

/** The params of the implicit AwardBlockReward the executor sends for `epoch`: [miner, penalty, gas_reward, win_count]. */
export function awardParams(state: StateReader, winner: number): unknown {
  return [FilAddress.fromId(winner).bytes, encodeBigInt(0n), encodeBigInt(rewardState(state).pendingGasReward), 1];
}

export const rewardActor: BuiltinActor = {
  methods: methodTable({
    AwardBlockReward: {
      legacy: AWARD_BLOCK_REWARD,
      internalOnly: true,
      async run(rt, params) {
        const [rawMiner, rawPenalty, rawGas, rawWins] = tuple(params, 4, 'AwardBlockReward params');
        const miner = address(rawMiner, 'miner');
        const penalty = bigInt(rawPenalty, 'penalty');
        const gasReward = bigInt(rawGas, 'gas_reward');
        const winCount = i64(rawWins, 'win_count');
        requireCaller(rt, SYSTEM_ACTOR_ID);
        if (penalty < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `negative penalty ${penalty}`);
        if (gasReward < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `negative gas reward ${gasReward}`);
        if (winCount <= 0) throw new ActorError(ExitCode.ErrIllegalArgument, `invalid win count ${winCount}`);
        const minerId = rt.state.lookupId(miner);
        if (minerId === undefined) throw new ActorError(ExitCode.ErrNotFound, `failed to resolve given owner address ${miner.toString('f')}`);
        // The block reward is minted into f02, then paid with the premiums it holds.
        const self = rt.self();
        const state = self.reward ?? EMPTY_REWARD_STATE;
        const minted = (thisEpochReward(state).reward * BigInt(winCount)) / EXPECTED_LEADERS_PER_EPOCH;
        const total = minted + gasReward;
        const pending = state.pendingGasReward > gasReward ? state.pendingGasReward - gasReward : 0n;
        rt.state.putActor(rewardActorWith(self, self.balance + minted, rewardStateOf(pending, state.totalStoragePowerReward + minted, state.kpi)));
        const reply = await rt.send(FilAddress.fromId(minerId), MINER_APPLY_REWARDS, [encodeBigInt(total), encodeBigInt(penalty * 3n)], { value: total });
        // As builtin-actors: a reward the miner cannot take is burnt.
        if (reply.exitCode !== ExitCode.Ok) await rt.send(FilAddress.fromId(BURNT_FUNDS_ACTOR_ID), METHOD_SEND, undefined, { value: total });
      },
    },
    ThisEpochReward: {
      noParams: true,
      legacy: 3,
      internalOnly: true,
      run: (rt) => thisEpochRewardReturn(rt.self().reward),
    },
  }),
};
