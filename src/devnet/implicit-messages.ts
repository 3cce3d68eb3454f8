// The implicit messages a tipset runs besides its own, traced as Lotus's ExecutionTrace of a tipset
// lists them (lotus b835fab70 chain/consensus/compute_state.go ApplyBlocks, whose ExecMonitor records
// every applied message): after the block's messages, its reward (filcns RewardFunc: AwardBlockReward
// from f00 to f02), then cron (runCron: EpochTick from f00 to f03). Both are sent with the epoch as
// their nonce, no value or fees, and the gas limit ApplyImplicitMessage sets (chain/vm/fvm.go) before
// the message's CID is taken.
//
// The devnet pays the reward as that send, so its trace is the send's own. Its cron is a queue of
// work (fevm/actors/cron.ts), not the cron actor's sends: the cron message's trace is made from the
// work that ran, in the shape the FVM traces builtin-actors' cron: EpochTick sends the power actor's
// OnEpochTickEnd, which reads the reward actor's ThisEpochReward, sends each miner with work its
// OnDeferredCronEvent and hands the reward actor the network's raw power (UpdateNetworkKPI), then the
// market's CronTick; each piece of work's own sends under the actor that made them.
import { FilAddress } from '../common/address.js';
import { encodeBigInt, encodeCbor, type CID } from '../common/cbor.js';
import { CRON_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID, type Actor } from '../fevm/actor.js';
import { Tracer, type CallFrame, type SendFrame } from '../fevm/actors/evm/tracer.js';
import { epochTickEnd } from '../fevm/actors/epoch-tick-end.js';
import { EMPTY_POWER_STATE, qaPowerSmoothedOf } from '../fevm/actors/power.js';
import { AWARD_BLOCK_REWARD, thisEpochReward, thisEpochRewardReturn } from '../fevm/actors/reward.js';
import { filterEstimateValue } from '../fevm/actors/reward-logic.js';
import type { Executor } from '../fevm/executor.js';
import { ExitCode } from '../fevm/exit-code.js';
import { messageCidWithGasLimit, type Message } from '../fevm/message.js';
import type { StateOverlay, StateReader } from '../fevm/state-tree.js';
import type { ExecutionContext } from '../fevm/types.js';
import { CBOR, type IpldBlock } from '../filecoin-precompiles/runtime.js';
import { timed } from './timed.js';

/** The gas limit Lotus gives an implicit message (math.MaxInt64 / 2), in its Msg and its CID. */
const IMPLICIT_GAS_LIMIT = 2n ** 62n - 1n;
/**
 * The gas limit of an implicit message's send in the FVM's trace: its gas tracker holds at most
 * i64::MAX milligas (ref-fvm GasTracker::new), which the Call event rounds up to gas.
 */
const IMPLICIT_SEND_GAS = 9_223_372_036_854_776;

/**
 * The most null rounds before a tipset whose crons Filecoin.StateCompute lists (one EpochTick each,
 * as Lotus): a day of epochs. Past it the trace is refused, not cut (anvil_mine and time jumps leave
 * millions of null rounds).
 */
export const MAX_TRACED_NULL_ROUNDS = 2880;

/** builtin-actors' methods the cron message's sends call. */
const CRON_EPOCH_TICK = 2;
const POWER_ON_EPOCH_TICK_END = 4;
const REWARD_THIS_EPOCH_REWARD = 3;
const REWARD_UPDATE_NETWORK_KPI = 4;
const MINER_ON_DEFERRED_CRON_EVENT = 12;
const MARKET_CRON_TICK = 9;
/** builtin-actors miner CRON_EVENT_PROVING_DEADLINE: the deadline's close, where a miner's scheduled work runs. */
const CRON_EVENT_PROVING_DEADLINE = 1;

/** An implicit message as it ran: the message, its CID, its receipt's figures and its top-level send. */
export interface ImplicitRun {
  message: Message;
  cid: CID;
  exitCode: number;
  returnData: Uint8Array;
  gasUsed: number;
  root: SendFrame;
  durationNs: number;
}

/** A message from the system actor at `epoch`, as RewardFunc and runCron make them. */
function implicitMessage(to: number, method: number, epoch: number, params: Uint8Array): { message: Message; cid: CID } {
  const message: Message = {
    version: 0,
    to: FilAddress.fromId(to),
    from: FilAddress.fromId(SYSTEM_ACTOR_ID),
    nonce: epoch,
    value: 0n,
    gasLimit: Number(IMPLICIT_GAS_LIMIT),
    gasFeeCap: 0n,
    gasPremium: 0n,
    method,
    params,
  };
  return { message, cid: messageCidWithGasLimit(message, IMPLICIT_GAS_LIMIT) };
}

/**
 * Runs the block reward and cron of the tipset at `ctx.epoch` on `state` (the state its messages
 * left, the null epochs' tick before them included: replay.ts) as the miner ran them, traced: the
 * reward message's run to `winner` (none when no miner won the block), then cron's.
 */
export async function runImplicitMessages(executor: Executor, state: StateOverlay, ctx: ExecutionContext, winner: number | undefined): Promise<ImplicitRun[]> {
  // Lotus's ExecuteTipSet runs nothing at height 0: the genesis block's state is its own.
  if (ctx.epoch === 0) return [];
  const runs: ImplicitRun[] = [];
  const rewardTracer = new Tracer();
  const reward = winner === undefined ? undefined : await timed(() => executor.traced(rewardTracer, () => executor.awardBlockReward(state, ctx, winner)));
  const sent = rewardTracer.root;
  if (reward && sent) {
    sent.gas = IMPLICIT_SEND_GAS;
    const { message, cid } = implicitMessage(REWARD_ACTOR_ID, AWARD_BLOCK_REWARD, ctx.epoch, sent.params?.data ?? new Uint8Array());
    runs.push({ message, cid, exitCode: sent.exitCode, returnData: sent.returnData, gasUsed: sent.gasUsed, root: sent, durationNs: reward.durationNs });
  }
  runs.push(await runCronTraced(executor, state, ctx));
  return runs;
}

/** Runs the cron work due at `ctx.epoch` on `state`, traced as the cron message (see the top of this file). */
export async function runCronTraced(executor: Executor, state: StateOverlay, ctx: ExecutionContext): Promise<ImplicitRun> {
  const before = { cron: state.getActor(CRON_ACTOR_ID), power: state.getActor(POWER_ACTOR_ID), market: state.getActor(MARKET_ACTOR_ID), reward: state.getActor(REWARD_ACTOR_ID) };
  const tracer = new Tracer();
  const { durationNs } = await timed(() => executor.traced(tracer, () => executor.runCron(state, ctx)));
  epochTickEnd(state, ctx.epoch);
  const { message, cid } = implicitMessage(CRON_ACTOR_ID, CRON_EPOCH_TICK, ctx.epoch, new Uint8Array());
  const root = cronTrace(tracer.cronWork, before, state);
  return { message, cid, exitCode: ExitCode.Ok, returnData: new Uint8Array(), gasUsed: 0, root, durationNs };
}

interface Send {
  from: number;
  to: number;
  method: number;
  params?: IpldBlock;
  invoked: Actor | undefined;
  calls?: CallFrame[];
  exitCode?: number;
  returnBlock?: IpldBlock;
}

/** A send of the cron message's tree, in the tracer's terms. */
function sendFrame({ from, to, method, params, invoked, calls = [], exitCode = ExitCode.Ok, returnBlock }: Send): SendFrame {
  return {
    kind: 'send',
    top: from === SYSTEM_ACTOR_ID,
    from: new Uint8Array(20),
    fromId: from,
    toAddress: FilAddress.fromId(to),
    invoked,
    receiver: invoked && { id: invoked.id, kind: invoked.kind },
    method,
    params,
    value: 0n,
    readOnly: false,
    gas: IMPLICIT_SEND_GAS,
    gasUsed: 0,
    exitCode,
    returnData: returnBlock?.data ?? new Uint8Array(),
    returnBlock,
    calls,
    logs: [],
  };
}

const cbor = (value: unknown): IpldBlock => ({ codec: CBOR, data: encodeCbor(value) });

/**
 * EpochTick's send and those under it, from the work that ran (`work`, in the order it ran) and the
 * builtin actors as they were before it (`before`) and after it (`after`).
 */
function cronTrace(work: readonly SendFrame[], before: Record<'cron' | 'power' | 'market' | 'reward', Actor | undefined>, after: StateReader): SendFrame {
  const power = before.power?.power ?? EMPTY_POWER_STATE;
  // A miner's pieces of work, in one OnDeferredCronEvent at its deadline's close: the sends each made, the first failure's exit code.
  const miners = new Map<number, SendFrame[]>();
  const market: SendFrame[] = [];
  for (const frame of work) {
    const id = frame.invoked!.id;
    if (id === MARKET_ACTOR_ID) market.push(frame);
    else miners.set(id, [...(miners.get(id) ?? []), frame]);
  }
  const deferredParams = cbor([encodeCbor([CRON_EVENT_PROVING_DEADLINE]), filterEstimateValue(thisEpochReward(before.reward?.reward).smoothed), filterEstimateValue(qaPowerSmoothedOf(power))]);
  const minerSends = [...miners].map(([id, frames]) =>
    sendFrame({
      from: POWER_ACTOR_ID,
      to: id,
      method: MINER_ON_DEFERRED_CRON_EVENT,
      params: deferredParams,
      invoked: frames[0].invoked,
      calls: frames.flatMap((f) => f.calls),
      exitCode: frames.find((f) => f.exitCode !== ExitCode.Ok)?.exitCode,
    }),
  );
  const rawPower = (after.getActor(POWER_ACTOR_ID)?.power ?? EMPTY_POWER_STATE).totalRawBytePower;
  const powerSend = sendFrame({
    from: CRON_ACTOR_ID,
    to: POWER_ACTOR_ID,
    method: POWER_ON_EPOCH_TICK_END,
    invoked: before.power,
    calls: [
      sendFrame({ from: POWER_ACTOR_ID, to: REWARD_ACTOR_ID, method: REWARD_THIS_EPOCH_REWARD, invoked: before.reward, returnBlock: cbor(thisEpochRewardReturn(before.reward?.reward)) }),
      ...minerSends,
      sendFrame({ from: POWER_ACTOR_ID, to: REWARD_ACTOR_ID, method: REWARD_UPDATE_NETWORK_KPI, params: cbor(encodeBigInt(rawPower)), invoked: before.reward }),
    ],
  });
  const marketSend = sendFrame({
    from: CRON_ACTOR_ID,
    to: MARKET_ACTOR_ID,
    method: MARKET_CRON_TICK,
    invoked: before.market,
    calls: market.flatMap((f) => f.calls),
    exitCode: market.find((f) => f.exitCode !== ExitCode.Ok)?.exitCode,
  });
  return sendFrame({ from: SYSTEM_ACTOR_ID, to: CRON_ACTOR_ID, method: CRON_EPOCH_TICK, invoked: before.cron, calls: [powerSend, marketSend] });
}
