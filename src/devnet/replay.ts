// Re-running what the chain already did, to trace it (debug_trace*, trace_*). A mined tipset's
// messages are applied again, in order, on an overlay of the state before the tipset
// (`state.stage(epoch - 1)`) under the tipset's own execution context, so each produces the
// receipt it produced when mined; the messages asked for run with a Tracer attached. A traced
// call runs as eth_call does, on the state after a block. The overlays are dropped afterwards:
// tracing never changes the chain.
// Every execution runs in the miner's queue (the executor serves one run at a time), but a replay
// of a mined tipset takes it in slices, its overlay kept between them: a slice runs messages until
// 10 ms have passed (a long message is a slice of its own), and each slice waits until the queue has
// nothing else, or until the other tasks have had as long as the last slice took (SerialQueue.quiet),
// so that the sends, cheat codes and calls of other clients run between slices (audit15 C10: a
// tipset's replay may take minutes, its messages having paid for up to 10 B gas) while the replay
// still gets its share of a queue that is never quiet (review R4). Tipsets mined meanwhile do not
// touch the state before the replayed one; each slice first checks that the tipset is still on the
// chain (a revert or a reset drops it). A tipset a revert dropped is replayed on its kept state
// (ReplayOptions.dropped), each slice checking that it is still kept. A replay stops once its
// request's client has gone (ReplayOptions.signal), checked before each message: a message that
// has begun runs to its end, its loop giving the event loop no turn in which a closed connection
// could be noticed (review R1).
// On a fork, what a run misses is fetched outside the queue and the run is done again (review R7).
import { isReservedPrecompileAddress } from '../filecoin-precompiles/index.js';
import type { Actor } from '../fevm/actor.js';
import { ethAddressOf, resolveAddress } from '../fevm/actors/lifecycle.js';
import { epochTickEnd } from '../fevm/actors/epoch-tick-end.js';
import { EXACT_KPI_EPOCHS } from '../fevm/actors/reward-logic.js';
import { StateReadRecorder, Tracer, type SendFrame, type StepLog, type TracerOptions } from '../fevm/actors/evm/tracer.js';
import type { Executor } from '../fevm/executor.js';
import { LONG_RUN_MS, RunBudget, type BatchBudget } from '../fevm/run-budget.js';
import { chainSize, type Message } from '../fevm/message.js';
import { MissingStateError, StateOverlay, type MissingState, type StateReader, type StateTree } from '../fevm/state-tree.js';
import type { ExecutionContext, MessageFailure } from '../fevm/types.js';
import type { ChainStore } from '../mining/chain-store.js';
import { electWinner } from '../mining/election.js';
import type { Clock } from '../mining/clock.js';
import type { SerialQueue } from '../mining/serial-queue.js';
import { NO_MINER, type IncludedMessage, type Tipset } from '../mining/tipset.js';
import { ClientGoneError, DevnetError } from '../common/errors.js';
import { equalBytes } from '../common/hex.js';
import type { CodeTable } from '../fevm/code-table.js';
import { MAX_TRACED_NULL_ROUNDS, runCronTraced, runImplicitMessages, type ImplicitRun } from './implicit-messages.js';
import { FORMAT_6_MINER } from './persistence.js';
import { timed } from './timed.js';

/** What replaying needs from the node. */
export interface ReplayHost {
  readonly state: StateTree;
  readonly chain: ChainStore;
  readonly executor: Executor;
  /** The miner's queue: every execution runs through it. */
  readonly queue: SerialQueue;
  readonly chainId: bigint;
  readonly seed?: Uint8Array;
  /** The chain's actor code CIDs (a fork's are its upstream's). */
  codes(): CodeTable;
  /** Chain time: the timestamp of a call on the head. */
  readonly clock: Pick<Clock, 'upcomingTimestamp'>;
  /** The CPU-time budget of a call, an estimate's run or a traced call, in ms (--call-timeout; 0: none). */
  readonly callTimeoutMs: number;
  /** `estimate` once the premium estimates' history is held (Devnet.withPremiumHistory). */
  withPremiumHistory<T>(estimate: () => T): T | Promise<T>;
  /** Says a call's `to` is expected to hold a contract (Devnet.expectContract). */
  expectContract?(eth: Uint8Array): void;
}

export interface TraceOptions extends Omit<TracerOptions, 'onTopLevelExit'> {
  /** Record the accounts the message read, before and after it (prestateTracer). */
  prestate?: boolean;
}

/** An account a traced message read: as it was before the message and after it. */
export interface PrestateAccount {
  /** Its Ethereum address (f410 or masked ID). */
  eth: Uint8Array;
  /** Undefined: no actor there. */
  pre?: Actor;
  post?: Actor;
  /** The storage slots the message read or wrote, with their values before and after. */
  preStorage: Map<bigint, bigint>;
  postStorage: Map<bigint, bigint>;
}

export interface TracedMessage {
  message: Message;
  /** The mined message replayed; undefined for a call. */
  included?: IncludedMessage;
  exitCode: number;
  returnData: Uint8Array;
  /** Gas used: the receipt's for a mined message (chain inclusion included), the call's otherwise. */
  gasUsed: number;
  /** Why a mined message failed (its abort message, the actors of its backtrace). */
  failure?: MessageFailure;
  /** The top-level send and everything under it; undefined if the message failed before sending. */
  root?: SendFrame;
  /** How long the run took, in nanoseconds (Lotus's InvocResult.Duration: the VM's apply of the message). */
  durationNs: number;
  steps: StepLog[];
  prestate?: PrestateAccount[];
}

/**
 * An execution context on the devnet's chain, without a circulating supply. Every context has the
 * mined one's fields in its order (miner.ts context): one V8 map for all, so that the EVM code
 * optimised on transactions is not thrown away at the first estimate or call, as it was when a
 * call's context had fields of its own (runMessage deoptimised).
 */
function contextAt(host: ReplayHost, epoch: number, timestamp: number, baseFee: bigint, codes = host.codes(), hashAt = (e: number) => host.chain.hashAt(e)): ExecutionContext {
  return {
    epoch,
    timestamp,
    chainId: host.chainId,
    baseFee,
    seed: host.seed,
    tipsetHash: hashAt,
    circulatingSupply: undefined,
    codes,
  };
}

/** The context the tipset's messages ran in when it was mined (miner.ts produceTipset), without its circulating supply. */
export const tipsetContext = (host: ReplayHost, tipset: Tipset): ExecutionContext => contextAt(host, tipset.epoch, tipset.timestamp, tipset.baseFee);

/**
 * The context a call on the state after `epoch` runs in (eth_call, Filecoin.StateCall: calls.ts).
 * On the head, the next epoch's, as Anvil and Hardhat run calls on the pending block: the timestamp
 * the next tipset would get now, so that an estimate after evm_increaseTime or
 * evm_setNextBlockTimestamp sees the time its transaction will run at. On an earlier tipset, that
 * tipset's own epoch, timestamp and base fee, as Lotus runs every call (chain/stmgr/call.go
 * callInternal: vmopt Epoch ts.Height(), Timestamp ts.MinTimestamp(), BaseFee its ParentBaseFee),
 * so BLOCKHASH of its own epoch is 0 there.
 */
export function callContext(host: ReplayHost, epoch: number): ExecutionContext {
  const { tipset, head, epoch: at, timestamp } = callPoint(host, epoch);
  return contextAt(host, at, timestamp, head ? tipset.nextBaseFee : tipset.baseFee);
}

/**
 * A tipset off the chain that a call can run on: one a revert or reorg dropped, kept with its state
 * (eth-rpc's dropped-tipsets.ts), as Lotus runs a call on a reorged tipset its blockstore holds.
 */
export interface OffChainPoint {
  tipset: Tipset;
  /** Its state (after it was applied); `deferred` as in StateTree.at. */
  state(deferred?: MissingState[]): StateReader;
  /** The state before it (after its parent, dropped too or on the chain, and the null epochs between), which a replay of it starts from. */
  stateBefore(deferred?: MissingState[]): StateReader;
  /** Its branch's state after `epoch`, from its parent's epoch up to its own: a null epoch's before it (StateCompute's trace). */
  stateAt(epoch: number, deferred?: MissingState[]): StateReader;
  /** Throws unless it is still kept (a revert may let it go while it is replayed). */
  requireKept(): void;
  /** BLOCKHASH's answer below its epoch: its own ancestors', then the chain's below where it left it. */
  hashAt(epoch: number): Uint8Array | undefined;
  /** The slots of a contract's storage generation its state holds a value for (StateTree.writtenSlots). */
  writtenSlots(id: number, generation: number): bigint[];
}

/** The context of a call on an off-chain tipset: as on any tipset but the head, its own epoch, timestamp and base fee (callContext), its ancestors' hashes. */
export function offChainContext(host: ReplayHost, { tipset, hashAt }: OffChainPoint): ExecutionContext {
  return contextAt(host, tipset.epoch, tipset.timestamp, tipset.baseFee, host.codes(), hashAt);
}

/**
 * Where a call on the state after `epoch` runs, as callContext says: the tipset at `epoch`, whether
 * it is the head, and the epoch and timestamp the call sees. One rule for callContext and
 * FreeCallContexts, so that eth_call and estimates or traces run at the same epoch and time.
 */
function callPoint(host: ReplayHost, epoch: number): { tipset: Tipset; head: boolean; epoch: number; timestamp: number } {
  const tipset = host.chain.atEpoch(epoch);
  if (!tipset) throw new DevnetError(`no tipset at epoch ${epoch}`);
  const head = epoch === host.chain.head.epoch;
  return { tipset, head, epoch: head ? epoch + 1 : epoch, timestamp: head ? host.clock.upcomingTimestamp(tipset.timestamp) : tipset.timestamp };
}

/**
 * The context `message` runs in as a call: Lotus runs a message whose fee cap is 0 (every eth_call,
 * the first run of an estimate, a StateCall without one) at a base fee of 0, to make its gas free
 * (chain/stmgr/call.go callInternal), so BASEFEE and GASPRICE read 0 in it. Built field by field, as
 * tipsetContext says why (a spread copy has a map of its own).
 */
export function callContextFor(ctx: ExecutionContext, message: Message): ExecutionContext {
  if (message.gasFeeCap !== 0n) return ctx;
  const { epoch, timestamp, chainId, seed, tipsetHash, circulatingSupply, codes } = ctx;
  return { epoch, timestamp, chainId, baseFee: 0n, seed, tipsetHash, circulatingSupply, codes };
}

/**
 * The context of a call without a fee cap (every eth_call) on the state after an epoch, as
 * callContextFor(callContext(…)) makes it, kept while what it is made of holds: the tipset at that
 * epoch, whether it is the head, the timestamp and the code table. The calls of a tipset share one
 * object (nothing changes a context), so that a call builds none.
 */
export class FreeCallContexts {
  private last: { tipset: Tipset; head: boolean; timestamp: number; codes: CodeTable; ctx: ExecutionContext } | undefined;

  constructor(private readonly host: ReplayHost) {}

  at(epoch: number): ExecutionContext {
    const { host, last } = this;
    const { tipset, head, epoch: at, timestamp } = callPoint(host, epoch);
    const codes = host.codes();
    if (last && last.tipset === tipset && last.head === head && last.timestamp === timestamp && last.codes === codes) return last.ctx;
    const ctx = contextAt(host, at, timestamp, 0n, codes);
    this.last = { tipset, head, timestamp, codes, ctx };
    return ctx;
  }
}

/**
 * Runs `attempt` as a read of the miner's queue, again until it needs nothing a fork has not
 * fetched. Each fetch waits outside the queue, so that the calls and sends queued after it are not
 * held by the upstream (a cold read can take its retries' timeouts); the run after it queues again.
 */
export function readFetched<T>(host: ReplayHost, attempt: () => Promise<T>): Promise<T> {
  const read = () => host.queue.read(attempt);
  return host.state.fetches ? host.state.untilFetched(read) : read();
}

/**
 * Runs `work` on an overlay of the state after `at` (an epoch, or an off-chain tipset: its kept
 * state) (dropped afterwards) as readFetched runs an attempt (StateTree.runOnce, runOnceOn), so that
 * only the run that counts prints its console.log lines. Its runs share a budget of `budgetMs` (0:
 * none), within `batch`'s (a JSON-RPC batch's executions share one).
 */
export function runFetched<T>(host: ReplayHost, at: number | OffChainPoint, work: (overlay: StateOverlay) => Promise<T>, budgetMs = 0, batch?: BatchBudget): Promise<T> {
  const budget = new RunBudget(budgetMs, batch);
  const held = (overlay: StateOverlay) => host.executor.holdingConsole(() => work(overlay), budget);
  return readFetched(host, async () => {
    const { value, lines } = await (typeof at === 'number' ? host.state.runOnce(at, held) : host.state.runOnceOn((deferred) => at.state(deferred), held));
    host.executor.printConsole(lines);
    return value;
  });
}

/** How a replay of mined messages runs. */
export interface ReplayOptions {
  /** A budget of CPU time (ms) for the whole replay; 0 or none: uncut. */
  budgetMs?: number;
  /** Aborted once the request's client has gone: the replay stops before its next message (ClientGoneError). */
  signal?: AbortSignal;
  /**
   * The tipset replayed is one a revert or reorg dropped, kept with its state: its messages run on its
   * kept state before it, with its ancestors' hashes, as Lotus replays a reorged tipset its blockstore holds;
   * traceTipsetWhole's null rounds on its branch's states before it.
   */
  dropped?: OffChainPoint;
}

/**
 * Replays `tipset`'s messages up to the last of `indices` (all of them for 'all') on the state
 * before it, tracing those `indices` names; returns their traces in order. The chain already took
 * this work, bounded by the gas its messages paid for, and Lotus traces it uncut (trace_*): no budget
 * unless `budgetMs` (geth's trace timeout for debug_trace*, whose struct logs grow with every step).
 * It runs in slices of the miner's queue (see the top of this file).
 */
export async function traceTipset(host: ReplayHost, tipset: Tipset, indices: 'all' | readonly number[], options: TraceOptions, replay: ReplayOptions = {}): Promise<TracedMessage[]> {
  return (await replayTipset(host, tipset, indices, options, replay)).traced;
}

/**
 * How many null epochs lie between `tipset`'s parent and it: none before the genesis tipset or a
 * fork's first (whose parent is the upstream's). A count, not a list: anvil_mine makes any number.
 */
function nullRoundsBefore(host: Pick<ReplayHost, 'chain'>, tipset: Tipset, dropped: OffChainPoint | undefined): number {
  // A dropped tipset's parent may be dropped too: the one it holds.
  const parent = dropped ? tipset.parent : host.chain.parentOf(tipset);
  return parent ? tipset.epoch - parent.epoch - 1 : 0;
}

/**
 * Replays all of `tipset`'s messages as traceTipset does, tracing each, then its implicit messages
 * (the block reward and cron, implicit-messages.ts) on the state they left; before the messages, the
 * cron of each null epoch before the tipset on the state before that epoch's cron: what Lotus's
 * ExecutionTrace of a tipset lists (Filecoin.StateCompute), in that order. Refused after more than
 * MAX_TRACED_NULL_ROUNDS null rounds (anvil_mine and time jumps make millions).
 */
export async function traceTipsetWhole(host: ReplayHost, tipset: Tipset, replay: ReplayOptions = {}): Promise<{ nullRounds: ImplicitRun[]; traced: TracedMessage[]; implicit: ImplicitRun[] }> {
  const count = nullRoundsBefore(host, tipset, replay.dropped);
  if (count > MAX_TRACED_NULL_ROUNDS) {
    throw new DevnetError(`the tipset at epoch ${tipset.epoch} follows ${count} null rounds: its execution trace would list one cron message per null round, and this node lists at most ${MAX_TRACED_NULL_ROUNDS}`);
  }
  const nullRounds = await replayNullRounds(host, tipset, count, replay);
  const { traced, implicit } = await replayTipset(host, tipset, 'all', {}, replay, true);
  return { nullRounds, traced, implicit: implicit! };
}

/**
 * Runs the cron of each of the `count` null epochs before `tipset`, in order, each on an overlay of
 * the state before that epoch (the null epochs' cron work the miner ran is in the state at its epoch:
 * miner.ts runNullRounds), dropped afterwards; in slices of the miner's queue as replayTipset's messages.
 */
async function replayNullRounds(host: ReplayHost, tipset: Tipset, count: number, { signal, dropped }: ReplayOptions): Promise<ImplicitRun[]> {
  const firstEpoch = tipset.epoch - count;
  // As the miner: the ticks of the null epochs before move a fork's power and reward State epoch by epoch only near the tipset.
  const exactFrom = tipset.epoch - EXACT_KPI_EPOCHS;
  // Null-round cron runs under the base fee of the tipset that follows (miner.ts mineAfterNullRounds);
  // the tipset's timestamp stands for the null epoch's, which builtin actors' cron work does not read.
  const base = dropped ? offChainContext(host, dropped) : tipsetContext(host, tipset);
  const values: ImplicitRun[] = [];
  let sliceMs = 0;
  while (values.length < count) {
    await host.queue.quiet(Math.max(LONG_RUN_MS, sliceMs));
    await host.state.untilFetched(() =>
      host.queue.run(async () => {
        if (dropped) dropped.requireKept();
        else requireOnChain(host, tipset);
        const started = performance.now();
        do {
          if (signal?.aborted) throw new ClientGoneError('replay stopped');
          const epoch = firstEpoch + values.length;
          const deferred: MissingState[] | undefined = host.state.fetches ? [] : undefined;
          const overlay = dropped ? new StateOverlay(dropped.stateAt(epoch - 1, deferred)) : host.state.stage(epoch - 1, deferred);
          epochTickEnd(overlay, epoch - 1, exactFrom);
          const value = await runCronTraced(host.executor, overlay, { ...base, epoch });
          if (deferred && deferred.length > 0) throw new MissingStateError([...deferred]);
          values.push(value);
        } while (values.length < count && performance.now() - started < LONG_RUN_MS);
        sliceMs = performance.now() - started;
      }),
    );
  }
  return values;
}

/** traceTipset; `withImplicit`: the tipset's implicit messages then run on the state the messages left, in a slice of their own. */
async function replayTipset(host: ReplayHost, tipset: Tipset, indices: 'all' | readonly number[], options: TraceOptions, { budgetMs = 0, signal, dropped }: ReplayOptions, withImplicit = false): Promise<{ traced: TracedMessage[]; implicit?: ImplicitRun[] }> {
  const wanted = new Set(indices === 'all' ? tipset.messages.map((m) => m.index) : indices);
  const last = withImplicit ? tipset.messages.length - 1 : Math.max(-1, ...wanted);
  if (last < 0 && !withImplicit) return { traced: [] };
  const budget = new RunBudget(budgetMs);
  // The state before the tipset, kept across the tasks; nothing written here reaches the tree. On a
  // fork, the storage slots a message misses read as zero and are collected here (StateTree.runOnce).
  const deferred: MissingState[] | undefined = host.state.fetches ? [] : undefined;
  const overlay = dropped ? new StateOverlay(dropped.stateBefore(deferred)) : host.state.stage(tipset.epoch - 1, deferred);
  const ctx = dropped ? offChainContext(host, dropped) : tipsetContext(host, tipset);
  // Each slice first checks that the tipset is still where it was found: on the chain, or kept.
  const requireThere = () => (dropped ? dropped.requireKept() : requireOnChain(host, tipset));
  const messages = tipset.messages.slice(0, last + 1);
  const traced: TracedMessage[] = [];
  const lines: string[] = [];
  let next = 0;
  /** How long the last slice ran (ms). */
  let sliceMs = 0;
  /** Whether the null epochs' epoch-tick-end has run on the overlay (startTipset). */
  let ticked = false;
  // As the miner before the tipset's first message (miner.ts produceTipset): on a fork, the crons of
  // the null epochs before it move the power actor's smoothed power and the reward actor's State on.
  const startTipset = () => {
    if (ticked) return;
    epochTickEnd(overlay, tipset.epoch - 1);
    ticked = true;
  };
  /** Replays messages from `next` on until 10 ms have passed: one task of the queue. */
  const slice = async () => {
    requireThere();
    startTipset();
    const started = performance.now();
    do {
      if (signal?.aborted) throw new ClientGoneError('replay stopped');
      const included = messages[next];
      if (deferred) deferred.length = 0;
      // The message's changes in a layer of their own, dropped if it must run again.
      const mark = overlay.checkpoint();
      try {
        const { value, lines: printed } = await host.executor.holdingConsole(() => replayMessage(host, overlay, included, ctx, wanted.has(included.index) ? options : undefined), budget);
        if (deferred && deferred.length > 0) throw new MissingStateError([...deferred]);
        overlay.commit();
        if (value) traced.push(value);
        lines.push(...printed);
      } catch (error) {
        overlay.revertTo(mark);
        throw error instanceof MissingStateError && deferred ? new MissingStateError([...error.missing, ...deferred]) : error;
      }
      next++;
    } while (next < messages.length && performance.now() - started < LONG_RUN_MS);
    sliceMs = performance.now() - started;
  };
  while (next < messages.length) {
    // Other clients' tasks go first, each step of a send too: a send waits for one slice, not one per
    // step, nor one per tipset of a trace_filter. While they keep the queue busy, the next slice
    // queues once they have had as long as the last slice took (review R4): the replay then gets
    // about half of the queue's time, instead of waiting until they stop.
    await host.queue.quiet(Math.max(LONG_RUN_MS, sliceMs));
    await host.state.untilFetched(() => host.queue.run(slice));
  }
  let implicit: ImplicitRun[] | undefined;
  if (withImplicit) {
    await host.queue.quiet(Math.max(LONG_RUN_MS, sliceMs));
    implicit = await host.state.untilFetched(() =>
      host.queue.run(async () => {
        requireThere();
        startTipset();
        if (deferred) deferred.length = 0;
        const mark = overlay.checkpoint();
        try {
          const value = await runImplicitMessages(host.executor, overlay, ctx, rewardedMiner(host, tipset));
          if (deferred && deferred.length > 0) throw new MissingStateError([...deferred]);
          return value;
        } finally {
          // Nothing after it reads this state: it is dropped, as the rest of the overlay.
          overlay.revertTo(mark);
        }
      }),
    );
  }
  host.executor.printConsole(lines);
  return { traced, implicit };
}

/**
 * The miner `tipset`'s block reward went to: the one its header names, as Lotus's ApplyBlocks pays
 * b.Miner (chain/consensus/compute_state.go) and never elects again; none for NO_MINER. A chain saved
 * before format 7 named t01000 in every header (persistence.ts FORMAT_6_MINER): its winner is elected
 * again, on the states the miner elects on (election.ts).
 */
function rewardedMiner(host: ReplayHost, tipset: Tipset): number | undefined {
  const named = tipset.header.miner.id!;
  if (named === NO_MINER) return undefined;
  if (named !== FORMAT_6_MINER) return named;
  const parent = host.chain.atOrBefore(tipset.epoch - 1);
  return parent && electWinner(host.chain, host.state, parent, tipset.epoch);
}

/** Throws unless the chain still has `tipset` (not reverted, reset or replaced). */
function requireOnChain(host: ReplayHost, tipset: Tipset): void {
  const now = host.chain.atEpoch(tipset.epoch);
  if (now === undefined || !equalBytes(now.hash, tipset.hash)) throw new DevnetError(`tipset ${tipset.epoch} left the chain while it was replayed (a revert or a reset); trace again`);
}

/**
 * Applies one mined message on `overlay` as it ran when mined; with `options`, traced: it then runs
 * on an overlay of its own over a recorder of what it reads, so that the state before it can be
 * reported, and its changes then join `overlay`.
 */
async function replayMessage(host: ReplayHost, overlay: StateOverlay, included: IncludedMessage, ctx: ExecutionContext, options?: TraceOptions): Promise<TracedMessage | undefined> {
  const { signed } = included;
  const { message } = signed;
  const size = chainSize(signed);
  if (!options) {
    await host.executor.applyMessage(overlay, message, size, ctx);
    return undefined;
  }
  const recorder = options.prestate ? new StateReadRecorder(overlay) : undefined;
  const state = recorder ? new StateOverlay(recorder) : overlay;
  const tracer = new Tracer(options);
  let failure: MessageFailure | undefined;
  const { value: receipt, durationNs } = await timed(() => host.executor.traced(tracer, () => host.executor.applyMessage(state, message, size, ctx, (why) => (failure = why))));
  const prestate = recorder ? prestateOf(recorder, state) : undefined;
  if (state !== overlay) overlay.absorb(state.changes());
  return {
    message,
    included,
    exitCode: receipt.exitCode,
    returnData: receipt.returnData,
    gasUsed: receipt.gasUsed,
    failure,
    root: tracer.root,
    durationNs,
    steps: tracer.steps,
    prestate,
  };
}

/**
 * Runs `message` as eth_call does on the state after `at` (an epoch, or a tipset a revert dropped,
 * as eth_call runs on one), traced; nothing changes. `input`: as Executor.call's; `batch`: as runFetched's.
 */
export function traceCall(host: ReplayHost, message: Message, at: number | OffChainPoint, options: TraceOptions, input?: Uint8Array, batch?: BatchBudget): Promise<TracedMessage> {
  const ctx = callContextFor(typeof at === 'number' ? callContext(host, at) : offChainContext(host, at), message);
  return runFetched(host, at, async (base) => {
    const recorder = options.prestate ? new StateReadRecorder(base) : undefined;
    const state = recorder ? new StateOverlay(recorder) : base;
    let prestate: PrestateAccount[] | undefined;
    // A call's changes are undone when it returns: what it changed is read as its top-level send ends.
    const onTopLevelExit = recorder ? (after: StateReader) => void (prestate = prestateOf(recorder, after)) : undefined;
    const tracer = new Tracer({ ...options, onTopLevelExit });
    const { value: result, durationNs } = await timed(() => host.executor.traced(tracer, () => host.executor.call(state, message, ctx, input)));
    if (recorder) prestate ??= prestateOf(recorder, state);
    return {
      message,
      exitCode: result.exitCode,
      returnData: result.returnData,
      gasUsed: result.gasUsed,
      root: tracer.root,
      durationNs,
      steps: tracer.steps,
      prestate,
    };
  }, host.callTimeoutMs, batch);
}

/** The accounts a message read (through `recorder`), as they were and as `after` has them. */
function prestateOf(recorder: StateReadRecorder, after: StateReader): PrestateAccount[] {
  const accounts = new Map<string, PrestateAccount>();
  const ids = new Set([...recorder.actors.keys(), ...recorder.storage.keys()]);
  for (const id of ids) {
    const pre = recorder.actors.get(id);
    const post = after.getActor(id);
    const actor = pre ?? post;
    if (!actor) continue;
    const preGeneration = pre?.evm?.storageGeneration ?? 0;
    const postGeneration = post?.evm?.storageGeneration ?? 0;
    const generations = recorder.storage.get(id);
    const preStorage = new Map(pre ? (generations?.get(preGeneration) ?? []) : []);
    const slots = new Set([...preStorage.keys(), ...(generations?.get(postGeneration)?.keys() ?? [])]);
    const postStorage = new Map([...slots].map((slot) => [slot, post ? after.getStorage(id, postGeneration, slot) : 0n] as const));
    const eth = ethAddressOf(actor);
    accounts.set(eth.join(), { eth, pre, post, preStorage, postStorage });
  }
  // Addresses looked up that named no actor then (a transfer to a new address, a call to nothing).
  for (const address of recorder.missing.values()) {
    const eth = address.ethAddress;
    if (!eth || isReservedPrecompileAddress(eth) || accounts.has(eth.join())) continue;
    const post = resolveAddress(after, address);
    if (post && accounts.has(ethAddressOf(post).join())) continue;
    accounts.set(eth.join(), { eth, post, preStorage: new Map(), postStorage: new Map() });
  }
  return [...accounts.values()];
}
