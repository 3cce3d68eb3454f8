// Running messages without changing the chain: eth_call and Filecoin.StateCall, Lotus's gas search
// (eth_estimateGas, Filecoin.GasEstimateGasLimit) and traces (replay.ts). Each run is one task of
// the miner's queue (a replay of a mined tipset: one per slice of its messages), on an overlay that
// is dropped afterwards.
import { DevnetError, OutOfGasError } from '../common/errors.js';
import { bytesToBigint } from '../common/hex.js';
import { unsignedMessage } from '../fevm/eth-tx.js';
import { canSend } from '../fevm/actor.js';
import { resolveAddress } from '../fevm/actors/lifecycle.js';
import { ExitCode } from '../fevm/exit-code.js';
import { BLOCK_GAS_LIMIT, GAS_LIMIT_OVERESTIMATION_PERCENT } from '../fevm/gas.js';
import { StateReadRecorder, Tracer, type CallFrame, type SendFrame } from '../fevm/actors/evm/tracer.js';
import { chainSize, encodeMessage, messageWith, SigType, type Message } from '../fevm/message.js';
import { onChainMessage } from '../fevm/price-list.js';
import { RunBudget, type BatchBudget } from '../fevm/run-budget.js';
import { StateOverlay } from '../fevm/state-tree.js';
import type { ExecutionContext, InvocationResult, MessageFailure, MessageReceipt, SendResult } from '../fevm/types.js';
import type { PendingMessage } from '../mining/mempool.js';
import type { Tipset } from '../mining/tipset.js';
import { callContext, callContextFor, FreeCallContexts, offChainContext, readFetched, runFetched, tipsetContext, traceCall, traceTipset, traceTipsetWhole, type OffChainPoint, type ReplayHost, type ReplayOptions, type TracedMessage, type TraceOptions } from './replay.js';
import { fillMessageFees } from './fee-estimates.js';
import { ETH_NULL_ADDRESS } from './genesis.js';
import type { ImplicitRun } from './implicit-messages.js';
import { executionFailed } from './revert.js';
import { timed } from './timed.js';

/** A call or transaction as Ethereum clients describe one. */
export interface CallRequest {
  from?: Uint8Array;
  /** null or absent: a deployment. */
  to?: Uint8Array | null;
  gas?: number;
  value?: bigint;
  input?: Uint8Array;
}

const EMPTY = new Uint8Array();

/** A message StateCompute applied: its receipt, why it failed, its top-level send, how long it ran (ns). */
export type ComputedMessage = MessageReceipt & MessageFailure & { root?: SendFrame; durationNs: number };

/** StateCall's run: the message as it ran, its result, its top-level send, how long it ran (ns). */
export interface StateCallResult {
  message: Message;
  result: SendResult;
  root?: SendFrame;
  durationNs: number;
}

/** A sender's pending messages by nonce (the pool's, read inside the queue). */
type PendingFor = (senderId: number) => readonly PendingMessage[];

/** A message an estimate runs, as Lotus's CallWithGas runs it (see Calls.run). */
interface Probe {
  /** At the block gas limit. */
  message: Message;
  /** The head it runs on, and the sender's pending messages applied before it, read together. */
  epoch: number;
  priors: readonly PendingMessage[];
  /** Its inclusion, signed with the nonce it takes after them. */
  inclusion: number;
  /** The bytes its params encode, if known. */
  input?: Uint8Array;
}

export class Calls {
  /**
   * The state, chain, executor and queue a call runs with: the same that replays need; and the
   * pool's pending messages, which estimates run after. With `batch`, every run shares one
   * --call-timeout with the other executions of a JSON-RPC batch (run-budget.ts).
   */
  constructor(
    private readonly node: ReplayHost,
    private readonly pendingFor: PendingFor = () => [],
    private readonly batch?: BatchBudget,
    private readonly freeContexts = new FreeCallContexts(node),
  ) {}

  /** These calls, run as executions of `batch` (a JSON-RPC batch's); these themselves without one. */
  inBatch(batch: BatchBudget | undefined): Calls {
    return batch ? new Calls(this.node, this.pendingFor, batch, this.freeContexts) : this;
  }

  /** Runs a call on the state after `at` (an epoch of the chain, or a tipset a revert dropped) without changing anything (eth_call). */
  call(request: CallRequest, at: number | OffChainPoint): Promise<InvocationResult> {
    // As in Lotus, a call runs with the block gas limit whatever gas it names. Its params (the
    // calldata's CBOR) are left to the executor, which makes them of the calldata only if something
    // reads them: a contract given the calldata does not (Executor.call).
    const message = this.toMessage(request, BLOCK_GAS_LIMIT, false);
    const run = (overlay: StateOverlay, ctx: ExecutionContext) => this.node.executor.call(overlay, message, ctx, request.input);
    return this.runCall(message, at, run, (result) => {
      if (result.exitCode !== ExitCode.Ok) throw executionFailed(result, message.to, message.method);
      // Lotus answers a deployment call with empty bytes, not the runtime code.
      return request.to ? result : { ...result, returnData: new Uint8Array() };
    });
  }

  /**
   * A gas limit with which the transaction succeeds, found as Lotus's eth_estimateGas finds it
   * (node/impl/eth/gas.go ethGasSearch, gasSearch): estimateMessageGas's limit; if a frame anywhere
   * runs out of gas with it, a limit is searched for (doubled until the call passes, then narrowed
   * to within 1 %) and answered times 1.25. On the head with the sender's pending messages before it,
   * or `at` an earlier tipset's epoch without them (anvil_reorg's new chain, grown from that tipset).
   */
  async estimateGas(request: CallRequest, at?: { epoch: number }): Promise<number> {
    const { probe: unpriced, used } = await this.gasUsed(this.toMessage(request, BLOCK_GAS_LIMIT), SigType.Delegated, { input: request.input, at });
    const limit = Math.min(BLOCK_GAS_LIMIT, overestimated(used));
    // The search runs the message GasEstimateMessageGas returns: with its premium and fee cap, whose
    // reserve for the gas the sender pays before the message runs (see run).
    const tipset = this.node.chain.atEpoch(unpriced.epoch)!;
    const probe = { ...unpriced, message: await this.node.withPremiumHistory(() => fillMessageFees(this.node.chain, tipset, messageWith(unpriced.message, { gasLimit: limit }))) };
    // The limit covers the message's inclusion; the executor's call charges only what runs.
    const run = async (gasLimit: number) => (await this.run(probe, gasLimit - probe.inclusion, { reserveFor: gasLimit })).result;
    const result = await run(limit);
    if (result.exitCode === ExitCode.Ok) return limit;
    // Calls that pass gas on (63/64 rules) may need more than they use: Lotus searches when a frame
    // ran out of gas, even one whose caller then failed otherwise (traceContainsExitCode).
    if (result.exitCode !== ExitCode.SysErrOutOfGas && !(await this.runsOutOfGas(probe, limit))) {
      const error = executionFailed(result, probe.message.to, probe.message.method);
      throw new DevnetError(`gas search failed: ${error.message}`);
    }
    const passes = async (gasLimit: number) => (await run(gasLimit)).exitCode === ExitCode.Ok;
    let low = limit;
    let high = limit;
    while (!(await passes(high))) {
      low = high;
      high *= 2;
      if (high > BLOCK_GAS_LIMIT) {
        high = BLOCK_GAS_LIMIT;
        break;
      }
    }
    let threshold = Math.floor(high / 100);
    while (high - low > threshold) {
      const median = Math.floor((low + high) / 2);
      if (await passes(median)) high = median;
      else low = median;
      threshold = Math.floor(median / 100);
    }
    return overestimated(high);
  }

  /**
   * Lotus's GasEstimateMessageGas limit (node/impl/full/gas.go): estimateGasLimit times 1.25, at
   * most the block gas limit; no search. `input`: the bytes the message's params encode, if known.
   */
  async estimateMessageGas(message: Message, signatureType: SigType, input?: Uint8Array): Promise<number> {
    return Math.min(BLOCK_GAS_LIMIT, overestimated((await this.gasUsed(message, signatureType, { input, fail: estimateFailed })).used));
  }

  /** Lotus's GasEstimateGasLimit: the gas a message signed with `signatureType` uses, its inclusion with it. */
  async estimateGasLimit(message: Message, signatureType: SigType): Promise<number> {
    return (await this.gasUsed(message, signatureType, { fail: estimateFailed })).used;
  }

  /**
   * Runs `message` at the block gas limit as an estimate does: the gas it uses (with its inclusion),
   * or the error it fails with (`fail`'s: eth_estimateGas's by default); and the probe that found it, for further runs.
   */
  private async gasUsed(
    message: Message,
    signatureType: SigType,
    { input, at, fail = executionFailed }: { input?: Uint8Array; at?: { epoch: number }; fail?: typeof estimateFailed } = {},
  ): Promise<{ probe: Probe; used: number }> {
    // Lotus's probe has no fees (gasutils.go gasEstimateGasLimitInternal), so it runs at a base fee of 0.
    const atLimit = messageWith(message, { gasLimit: BLOCK_GAS_LIMIT, gasFeeCap: 0n, gasPremium: 0n });
    const { result, epoch, priors, nonce } = await this.run({ message: atLimit, input, ...(at && { epoch: at.epoch, priors: [] }) }, BLOCK_GAS_LIMIT);
    if (result.exitCode !== ExitCode.Ok) throw fail(result, atLimit.to, atLimit.method);
    const inclusion = onChainMessage(estimatedChainSize(messageWith(atLimit, { nonce }), signatureType));
    return { probe: { message: atLimit, epoch, priors, inclusion, input }, used: inclusion + result.gasUsed };
  }

  /**
   * Runs an estimate's message with `gasLimit` for what runs, as Lotus's CallWithGas does
   * (gasutils.go gasEstimateCallWithGasInternal, stmgr/call.go callInternal): on the state after
   * the probe's `epoch`, after its `priors`, the sender's pending messages up to the first with the
   * message's own nonce, the message then taking the sender's nonce. A probe without them takes the
   * head and the pool as they are when its task runs, together (as mpool.PendingFor answers both),
   * so that a tipset mined just before cannot leave a pending message out of both. With `tracer`,
   * the message is traced and its console.log lines dropped; the pending messages' are always dropped.
   * Each run, pending messages included, has a budget of its own (--call-timeout).
   * A message with a fee cap runs as CallWithGas runs it (stmgr/call.go callInternal): a sender that
   * can send pays the fee cap times `reserveFor` (its whole limit) before it runs (ref-fvm's preflight),
   * at the tipset's base fee; any other sender (a contract, none yet) runs as Lotus's skip-sender
   * estimate does, without fees (node/impl/eth/gas.go estimateGasSkipSender).
   */
  private run(
    probe: Pick<Probe, 'message' | 'input'> & Partial<Pick<Probe, 'epoch' | 'priors'>>,
    gasLimit: number,
    { tracer, reserveFor = 0 }: { tracer?: Tracer; reserveFor?: number } = {},
  ): Promise<{ result: InvocationResult; epoch: number; priors: readonly PendingMessage[]; nonce: number }> {
    const { state, executor } = this.node;
    const priced = messageWith(probe.message, { gasLimit });
    const budget = this.budget();
    // Kept across the runs a fork's fetches redo. Tipsets may be mined between those runs: until a
    // run has read the pool (priors), each takes the head anew, so that both are read together.
    let priors = probe.priors;
    let epoch: number | undefined;
    return readFetched(this.node, () => {
      if (epoch === undefined || priors === undefined) epoch = probe.epoch ?? this.node.chain.head.epoch;
      const at = epoch;
      const ctx = callContext(this.node, at);
      const runOn = async (overlay: StateOverlay) => {
        const sender = resolveAddress(overlay, priced.from);
        const applied = (priors ??= sender ? priorMessages(this.pendingFor(sender.id), priced.nonce) : []);
        await executor.holdingConsole(async () => {
          for (const prior of applied) await executor.applyMessage(overlay, prior.signed.message, prior.chainSize, ctx);
        });
        const after = resolveAddress(overlay, priced.from);
        const nonce = after?.nonce ?? 0;
        const pays = after !== undefined && canSend(after);
        const message = pays ? priced : messageWith(priced, { gasFeeCap: 0n, gasPremium: 0n });
        const reserve = pays ? priced.gasFeeCap * BigInt(reserveFor) : 0n;
        const call = () => executor.call(overlay, message, callContextFor(ctx, message), probe.input, reserve);
        const { value, lines } = await executor.holdingConsole(() => (tracer ? executor.traced(tracer, call) : call()));
        return { result: value, epoch: at, priors: applied, nonce, lines: tracer ? [] : lines };
      };
      return state.runOnce(at, (overlay) => budget.spend(() => runOn(overlay))).then(({ lines, ...ran }) => {
        executor.printConsole(lines);
        return ran;
      });
    });
  }

  /** Whether a frame of the probe with `gasLimit` (inclusion with it), at any depth, runs out of gas (Lotus traceContainsExitCode); its console.log lines are dropped. */
  private async runsOutOfGas(probe: Probe, gasLimit: number): Promise<boolean> {
    const tracer = new Tracer();
    const { result } = await this.run(probe, gasLimit - probe.inclusion, { tracer, reserveFor: gasLimit });
    return result.exitCode === ExitCode.SysErrOutOfGas || (tracer.root !== undefined && containsOutOfGas(tracer.root));
  }

  /**
   * Runs a message once on the state after `epoch` for what it reads, which a fork fetches (a send's
   * prefetch, outside the miner's queue); its answer and console.log lines are dropped (the tipset
   * that runs it prints them).
   */
  fetchFor(message: Message, epoch: number): Promise<void> {
    const { state, executor } = this.node;
    const ctx = this.contextFor(message, epoch);
    const budget = this.budget();
    return readFetched(this.node, () => state.runOnce(epoch, (overlay) => executor.holdingConsole(() => executor.call(overlay, message, ctx), budget))).then(() => undefined);
  }

  /**
   * Filecoin.StateCall, run as Lotus's StateManager.Call runs it (chain/stmgr/call.go CallOnState,
   * callInternal): a sender without an actor is refused; a zero gas limit becomes the block gas
   * limit, and the nonce is the sender's. The message as it ran, with its result and, traced as Lotus
   * traces it (callInternal's VM runs with Tracing), its top-level send.
   */
  stateCall(message: Message, at: number | OffChainPoint): Promise<StateCallResult> {
    const { executor } = this.node;
    return this.runCall(message, at, async (overlay, ctx) => {
      const sender = resolveAddress(overlay, message.from);
      if (!sender) throw new DevnetError(`sender ${message.from.toString()} not found on chain: sender validation failed`);
      const ran = messageWith(message, { gasLimit: message.gasLimit > 0 ? message.gasLimit : BLOCK_GAS_LIMIT, nonce: sender.nonce });
      const tracer = new Tracer({});
      const { value: result, durationNs } = await timed(() => executor.traced(tracer, () => executor.call(overlay, ran, ctx)));
      return { message: ran, result, root: tracer.root, durationNs };
    });
  }

  /**
   * The storage slot of the contract `request` calls that its answer comes from (a token's balanceOf
   * or allowance), found as Anvil's anvil_dealERC20 finds it (find_erc20_storage_slot): each slot of
   * that contract the call read, in the order read, is set to `value` on an overlay until the call
   * answers `value` as its first word; undefined if none does. One task of the queue: nothing changes.
   */
  findAnsweringSlot(request: CallRequest, epoch: number, value: bigint): Promise<bigint | undefined> {
    const { executor } = this.node;
    const message = this.toMessage(request, BLOCK_GAS_LIMIT);
    return this.runCall(message, epoch, async (overlay, ctx) => {
      const contract = resolveAddress(overlay, message.to);
      if (!contract?.evm) return undefined;
      const { id, evm } = contract;
      const recorder = new StateReadRecorder(overlay);
      await executor.call(new StateOverlay(recorder), message, ctx, request.input);
      for (const slot of recorder.storage.get(id)?.get(evm.storageGeneration)?.keys() ?? []) {
        const trial = new StateOverlay(overlay);
        trial.putStorage(id, evm.storageGeneration, slot, value);
        const { exitCode, returnData } = await executor.call(trial, message, ctx, request.input);
        if (exitCode === ExitCode.Ok && returnData.length >= 32 && bytesToBigint(returnData, 0, 32) === value) return slot;
      }
      return undefined;
    });
  }

  /** The context `message` runs in as a call on the state after `epoch` (callContextFor's; a free call's shared per tipset: FreeCallContexts). */
  private contextFor(message: Message, epoch: number): ExecutionContext {
    return message.gasFeeCap === 0n ? this.freeContexts.at(epoch) : callContext(this.node, epoch);
  }

  /**
   * Runs `run` on an overlay of the state after `at` (an epoch, or an off-chain tipset), in the
   * context `message` runs in as a call; its result, or what `answer` makes of it once its
   * console.log lines are printed.
   */
  private runCall<T, A = T>(message: Message, at: number | OffChainPoint, run: (overlay: StateOverlay, ctx: ExecutionContext) => Promise<T>, answer?: (value: T) => A): Promise<A> {
    const ctx = typeof at === 'number' ? this.contextFor(message, at) : callContextFor(offChainContext(this.node, at), message);
    // On a fork, what the call reads is fetched and the call redone (runFetched): only the run that
    // counts prints its console.log lines.
    return runFetched(this.node, at, (overlay) => run(overlay, ctx), this.node.callTimeoutMs, this.batch).then((value) => (answer ? answer(value) : (value as unknown as A)));
  }

  /**
   * Applies `messages` in order (nonces, balances and fees checked and charged, signatures not) on
   * the state after `at` (an epoch, or a tipset a revert dropped), as epoch `atEpoch` would run them,
   * each traced; nothing is kept (Filecoin.StateCompute).
   */
  computeMessages(messages: readonly Message[], at: number | OffChainPoint, atEpoch: number): Promise<ComputedMessage[]> {
    const { chain, executor } = this.node;
    // The context of the tipset the state comes from, moved to `atEpoch`.
    const from = typeof at === 'number' ? tipsetContext(this.node, chain.atOrBefore(at)!) : offChainContext(this.node, at);
    const ctx = { ...from, epoch: atEpoch };
    return runFetched(this.node, at, async (overlay) => {
      const results: ComputedMessage[] = [];
      for (const message of messages) {
        const tracer = new Tracer({});
        let failure: MessageFailure | undefined;
        const apply = () => executor.applyMessage(overlay, message, encodeMessage(message).length, ctx, (why) => (failure = why));
        const { value: receipt, durationNs } = await timed(() => executor.traced(tracer, apply));
        results.push({ ...receipt, ...failure, root: tracer.root, durationNs });
      }
      return results;
    }, this.node.callTimeoutMs, this.batch);
  }

  /**
   * Re-runs a mined tipset's messages on the state before it and traces those at `indices`
   * (debug_trace*, trace_*); the chain does not change (replay.ts).
   */
  traceTipset(tipset: Tipset, indices: 'all' | readonly number[], options: TraceOptions, replay?: ReplayOptions): Promise<TracedMessage[]> {
    return traceTipset(this.node, tipset, indices, options, replay);
  }

  /** Re-runs a mined tipset as Lotus's ExecutionTrace of it does (replay.ts traceTipsetWhole). */
  traceTipsetWhole(tipset: Tipset, replay?: ReplayOptions): Promise<{ nullRounds: ImplicitRun[]; traced: TracedMessage[]; implicit: ImplicitRun[] }> {
    return traceTipsetWhole(this.node, tipset, replay);
  }

  /** Runs a call as eth_call does, on the state after `at` (an epoch, or an off-chain tipset), traced (debug_traceCall). */
  traceCall(request: CallRequest, at: number | OffChainPoint, options: TraceOptions): Promise<TracedMessage> {
    return traceCall(this.node, this.toMessage(request, request.gas ?? BLOCK_GAS_LIMIT), at, options, request.input, this.batch);
  }

  /** The CPU-time budget of one run (--call-timeout), within the batch's if any. */
  private budget(): RunBudget {
    return new RunBudget(this.node.callTimeoutMs, this.batch);
  }

  /**
   * The message Lotus would make of a call (ethtypes EthCall.ToFilecoinMessage); nothing is signed.
   * Without `withParams`, its params are empty: only for Executor.call given the calldata beside it.
   */
  private toMessage(request: CallRequest, gasLimit: number, withParams = true): Message {
    // On a fork, a `to` not read yet comes with a contract's reads (one round trip fewer).
    if (request.to) this.node.expectContract?.(request.to);
    // With no sender, Lotus calls from the f410 of the null address (genesis.ts's EthAccount there).
    return unsignedMessage(request.from ?? ETH_NULL_ADDRESS, request.to ? request.to : null, 0, request.value ?? 0n, withParams ? (request.input ?? EMPTY) : EMPTY, gasLimit, 0n, 0n);
  }
}

/** A gas used raised by Lotus's GasLimitOverestimation (1.25), truncated as Go's int64(float64 × 1.25). */
function overestimated(gas: number): number {
  return Math.floor((gas * GAS_LIMIT_OVERESTIMATION_PERCENT) / 100);
}

/**
 * How Lotus's Filecoin gas estimates fail (gasutils.go gasEstimateGasLimitInternal): a message out of
 * gas at the block gas limit as api.ErrOutOfGas, any other failure as the execution's error.
 */
function estimateFailed(result: InvocationResult, to: Message['to'], method: number): DevnetError {
  return result.exitCode === ExitCode.SysErrOutOfGas ? new OutOfGasError() : executionFailed(result, to, method);
}

function containsOutOfGas(frame: CallFrame | SendFrame): boolean {
  return frame.exitCode === ExitCode.SysErrOutOfGas || frame.calls.some(containsOutOfGas);
}

/** The pending messages Lotus applies before an estimate: those before the first with the message's nonce. */
function priorMessages(pending: readonly PendingMessage[], nonce: number): readonly PendingMessage[] {
  const at = pending.findIndex((p) => p.signed.message.nonce === nonce);
  return at < 0 ? pending : pending.slice(0, at);
}

/** The size a message would have once signed, to charge chain inclusion in estimates. */
function estimatedChainSize(message: Message, signatureType: SigType): number {
  // Sized as Lotus's probe is (gasutils.go gasEstimateGasLimitInternal): no fees, so a few bytes
  // under the message sent, which the 1.25 margin covers; the nonce is the sender's (callInternal).
  const sized = messageWith(message, { gasFeeCap: 0n, gasPremium: 0n });
  const signatureBytes = signatureType === SigType.BLS ? 96 : 65;
  return chainSize({ message: sized, signature: { type: signatureType, data: new Uint8Array(signatureBytes) } });
}
