// Re-running what the chain already did, to trace it (debug_trace*, trace_*). A mined tipset's
// messages are applied again, in order, on an overlay of the state before the tipset
// (`state.stage(epoch - 1)`) under the tipset's own execution context, so each produces the
// receipt it produced when mined; the messages asked for run with a Tracer attached. A traced
// call runs as eth_call does, on the state after a block. The overlays are dropped afterwards:
// tracing never changes the chain. Everything runs in the miner's queue, one task per tipset,
// so a replay never sees half a tipset and the miner waits for it rather than interleaving.
import { isReservedPrecompileAddress } from '../filecoin-precompiles/index.js';
import type { Actor } from '../fevm/actor.js';
import { ethAddressOf, resolveAddress } from '../fevm/actors/lifecycle.js';
import { StateReadRecorder, Tracer, type SendFrame, type StepLog, type TracerOptions } from '../fevm/actors/evm/tracer.js';
import type { Executor } from '../fevm/executor.js';
import { RunBudget, type BatchBudget } from '../fevm/run-budget.js';
import { chainSize, type Message } from '../fevm/message.js';
import { StateOverlay, type StateReader, type StateTree } from '../fevm/state-tree.js';
import type { ExecutionContext } from '../fevm/types.js';
import type { ChainStore } from '../mining/chain-store.js';
import type { Clock } from '../mining/clock.js';
import type { SerialQueue } from '../mining/serial-queue.js';
import type { IncludedMessage, Tipset } from '../mining/tipset.js';
import { DevnetError } from '../common/errors.js';

/** What replaying needs from the node. */
export interface ReplayHost {
  readonly state: StateTree;
  readonly chain: ChainStore;
  readonly executor: Executor;
  /** The miner's queue: every execution runs through it. */
  readonly queue: SerialQueue;
  readonly chainId: bigint;
  readonly seed?: Uint8Array;
  /** Chain time: the timestamp of a call on the head. */
  readonly clock: Pick<Clock, 'upcomingTimestamp'>;
  /** The CPU-time budget of a call, an estimate's run or a traced call, in ms (--call-timeout; 0: none). */
  readonly callTimeoutMs: number;
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
  /** The top-level send and everything under it; undefined if the message failed before sending. */
  root?: SendFrame;
  steps: StepLog[];
  prestate?: PrestateAccount[];
}

/** The context the tipset's messages ran in when it was mined (miner.ts produceTipset). */
export function tipsetContext(host: ReplayHost, tipset: Tipset): ExecutionContext {
  return {
    epoch: tipset.epoch,
    timestamp: tipset.timestamp,
    chainId: host.chainId,
    baseFee: tipset.baseFee,
    seed: host.seed,
    tipsetHash: (e: number) => host.chain.hashAt(e),
  };
}

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
  const tipset = host.chain.atEpoch(epoch);
  if (!tipset) throw new DevnetError(`no tipset at epoch ${epoch}`);
  const onHead = epoch === host.chain.head.epoch;
  return {
    epoch: onHead ? epoch + 1 : epoch,
    timestamp: onHead ? host.clock.upcomingTimestamp(tipset.timestamp) : tipset.timestamp,
    chainId: host.chainId,
    baseFee: onHead ? tipset.nextBaseFee : tipset.baseFee,
    seed: host.seed,
    tipsetHash: (e: number) => host.chain.hashAt(e),
  };
}

/**
 * The context `message` runs in as a call: Lotus runs a message whose fee cap is 0 (every eth_call,
 * the first run of an estimate, a StateCall without one) at a base fee of 0, to make its gas free
 * (chain/stmgr/call.go callInternal), so BASEFEE and GASPRICE read 0 in it.
 */
export function callContextFor(ctx: ExecutionContext, message: Message): ExecutionContext {
  return message.gasFeeCap === 0n ? { ...ctx, baseFee: 0n } : ctx;
}

/**
 * Runs `work`, which reads the state and writes only overlays it drops, in the miner's queue until
 * it has read everything it needs: on a fork, what it missed is fetched and it runs again (so only
 * the run that counts prints its console.log lines). Its runs share a budget of `budgetMs` (0: none),
 * within `batch`'s (a JSON-RPC batch's executions share one).
 */
export function runFetched<T>(host: ReplayHost, work: () => Promise<T>, budgetMs = 0, batch?: BatchBudget): Promise<T> {
  const budget = new RunBudget(budgetMs, batch);
  return host.queue.run(async () => {
    const { value, lines } = await host.state.untilFetched(() => budget.spend(() => host.executor.holdingConsole(work)));
    host.executor.printConsole(lines);
    return value;
  });
}

/**
 * Replays `tipset`'s messages up to the last of `indices` (all of them for 'all') on the state
 * before it, tracing those `indices` names; returns their traces in order. The chain already took
 * this work, bounded by the gas its messages paid for, and Lotus traces it uncut (trace_*): no budget
 * unless `budgetMs` (geth's trace timeout for debug_trace*, whose struct logs grow with every step).
 */
export function traceTipset(host: ReplayHost, tipset: Tipset, indices: 'all' | readonly number[], options: TraceOptions, budgetMs = 0): Promise<TracedMessage[]> {
  const wanted = new Set(indices === 'all' ? tipset.messages.map((m) => m.index) : indices);
  const last = Math.max(-1, ...wanted);
  if (last < 0) return Promise.resolve([]);
  return runFetched(host, async () => {
    // The state before the tipset; nothing written here reaches the tree.
    const overlay = host.state.stage(tipset.epoch - 1);
    const ctx = tipsetContext(host, tipset);
    const traced: TracedMessage[] = [];
    for (const included of tipset.messages.slice(0, last + 1)) {
      const { signed } = included;
      const { message } = signed;
      const size = chainSize(signed);
      if (!wanted.has(included.index)) {
        await host.executor.applyMessage(overlay, message, size, ctx);
        continue;
      }
      // A traced message runs on an overlay of its own over a recorder of what it reads, so that
      // the state before it can be reported; its changes then join the tipset's overlay.
      const recorder = options.prestate ? new StateReadRecorder(overlay) : undefined;
      const state = recorder ? new StateOverlay(recorder) : overlay;
      const tracer = new Tracer(options);
      const receipt = await host.executor.traced(tracer, () => host.executor.applyMessage(state, message, size, ctx));
      const prestate = recorder ? prestateOf(recorder, state) : undefined;
      if (state !== overlay) overlay.absorb(state.changes());
      traced.push({
        message,
        included,
        exitCode: receipt.exitCode,
        returnData: receipt.returnData,
        gasUsed: receipt.gasUsed,
        root: tracer.root,
        steps: tracer.steps,
        prestate,
      });
    }
    return traced;
  }, budgetMs);
}

/** Runs `message` as eth_call does on the state after `epoch`, traced; nothing changes. `input`: as Executor.call's; `batch`: as runFetched's. */
export function traceCall(host: ReplayHost, message: Message, epoch: number, options: TraceOptions, input?: Uint8Array, batch?: BatchBudget): Promise<TracedMessage> {
  const ctx = callContextFor(callContext(host, epoch), message);
  return runFetched(host, async () => {
    const base = host.state.stage(epoch);
    const recorder = options.prestate ? new StateReadRecorder(base) : undefined;
    const state = recorder ? new StateOverlay(recorder) : base;
    let prestate: PrestateAccount[] | undefined;
    // A call's changes are undone when it returns: what it changed is read as its top-level send ends.
    const onTopLevelExit = recorder ? (after: StateReader) => void (prestate = prestateOf(recorder, after)) : undefined;
    const tracer = new Tracer({ ...options, onTopLevelExit });
    const result = await host.executor.traced(tracer, () => host.executor.call(state, message, ctx, input));
    if (recorder) prestate ??= prestateOf(recorder, state);
    return {
      message,
      exitCode: result.exitCode,
      returnData: result.returnData,
      gasUsed: result.gasUsed,
      root: tracer.root,
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
