// Applies Filecoin messages to the state tree as the FVM does: sender checks, gas charged up front,
// the nonce bumped, the call run in a checkpoint (undone on failure), then burn, tip and refund.
import { cborBytesSize, DAG_CBOR, RAW, encodeCbor } from '../common/cbor.js';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../common/address.js';
import { EMPTY_BYTES } from '../common/hex.js';
import { CBOR, ErrorNumber, type IpldBlock } from '../filecoin-precompiles/runtime.js';
import {
  BURNT_FUNDS_ACTOR_ID,
  CRON_ACTOR_ID,
  EAM_ACTOR_ID,
  REWARD_ACTOR_ID,
  SYSTEM_ACTOR_ID,
  canSend,
  isAccountKind,
  plainActor,
  type Actor,
} from './actor.js';
import { builtinActor } from './actors/builtin.js';
import { takeDueCron, type CronEntry } from './actors/cron.js';
import { AWARD_BLOCK_REWARD, awardParams, creditGasReward } from './actors/reward.js';
import { createExternal, createFromContract, EAM_CREATE, EAM_CREATE2 } from './actors/eam.js';
import { invokeBuiltin, runBuiltinCron } from './actors/invoke-builtin.js';
import { ActorError } from './actors/runtime.js';
import { EvmActor, type EvmCall } from './actors/evm/evm-actor.js';
import { EVM_INVOCATION, evmStateReadGas } from './actors/evm/evm-gas.js';
import { EVM_GET_BYTECODE, EVM_GET_BYTECODE_HASH } from './actors/evm/fevm-evm.js';
import { invokeReservedEvmMethod, isReservedEvmMethod } from './actors/evm/reserved-methods.js';
import { bytecodeCid } from './actor-state.js';
import type { Tracer } from './actors/evm/tracer.js';
import { EVM_MAX_RESERVED_METHOD, handleFilecoinMethodInput, handleFilecoinMethodOutput } from './actors/evm/handle-filecoin-method.js';
import { createActor, createPlaceholder, ethAddressOf, resolveAddress, transfer, withBalance } from './actors/lifecycle.js';
import { ExitCode } from './exit-code.js';
import { ACCOUNT_INVOCATION, accountConstructorGas, refusedMethodGas } from './builtin-method-gas.js';
import { BLOCK_GAS_LIMIT, computeGasOutputs } from './gas.js';
import { onChainMessage, onChainReturn, onCreateActor, SEND_INVOKE_METHOD, SEND_TRANSFER_FUNDS } from './price-list.js';
import { StateAccess } from './state-access.js';
import { decodeBytesParams, METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT, METHOD_SEND, type Message } from './message.js';
import type { RunBudget } from './run-budget.js';
import { MissingStateError, type StateOverlay } from './state-tree.js';
import { NO_EVENTS, type ActorSend, type ExecutionContext, type InvocationResult, type MessageFailure, type MessageReceipt, type SendOutcome, type SendResult } from './types.js';

/** f02, to which every tipset's AwardBlockReward goes (one address: its map key is made once). */
const REWARD_ACTOR = FilAddress.fromId(REWARD_ACTOR_ID);

const noReturn = (exitCode: number, gasUsed = 0): InvocationResult => ({ exitCode, returnData: EMPTY_BYTES, gasUsed, events: [] });

/** A receipt's return: the return block as the chain stores it (an EVM output is a CBOR byte string), or empty bytes. */
export function receiptReturn(result: SendResult): Uint8Array {
  const returned = result.returnBlock?.data;
  return returned && returned.length > 0 ? returned : EMPTY_BYTES;
}

/** The receipt of a message that did not run. */
const noReceipt = (exitCode: number): MessageReceipt => ({ exitCode, returnData: EMPTY_BYTES, gasUsed: 0, events: NO_EVENTS });

export class Executor {
  private evm!: EvmActor;
  /** The actors the running message has read and written (first accesses are charged). */
  private access = new StateAccess();
  /** Told about every send while a traced run is in progress. */
  private tracer: Tracer | undefined;
  /** The send builtin actors make to other actors (as the FVM's send syscall). */
  private readonly sendForActors = (state: StateOverlay, send: ActorSend, ctx: ExecutionContext) => this.send(state, send, ctx);

  /** Where the lines contracts print with console.log go. */
  private consoleListener: ((line: string) => void) | undefined;

  private constructor() {}

  set onConsoleLog(listener: ((line: string) => void) | undefined) {
    this.consoleListener = listener;
    this.evm.onConsoleLog = listener;
  }

  /**
   * Runs `run` with the console.log lines it prints held back and given back with its result, to
   * print (`printConsole`) once the run is known to count: on a fork a run that read state not
   * fetched yet is dropped and redone, and only the run that counts prints. Holds do not nest.
   * With `budget`, `run` is one execution on it, as `budget.spend(run)` would run it (in this frame).
   */
  async holdingConsole<T>(run: () => Promise<T>, budget?: RunBudget): Promise<{ value: T; lines: string[] }> {
    const counted = budget?.start() === true;
    const lines: string[] = [];
    const release = this.holdConsole(lines);
    try {
      return { value: await run(), lines };
    } finally {
      release();
      const yielded = counted ? budget!.stop() : undefined;
      if (yielded) await yielded;
    }
  }

  /**
   * Holds the console.log lines contracts print from now on in `lines` (which the caller may cut
   * back to drop a run's), until the function it returns is called. Holds do not nest.
   */
  holdConsole(lines: string[]): () => void {
    this.evm.onConsoleLog = (line) => lines.push(line);
    return () => {
      this.evm.onConsoleLog = this.consoleListener;
    };
  }

  /** Prints lines `holdingConsole` held back. */
  printConsole(lines: readonly string[]): void {
    for (const line of lines) this.consoleListener?.(line);
  }

  static async create(chainId: bigint): Promise<Executor> {
    const executor = new Executor();
    // The EVM actor sends through the executor (the call_actor precompile).
    executor.evm = await EvmActor.create(chainId, (state, send, ctx) => executor.send(state, send, ctx), () => executor.access);
    return executor;
  }

  /**
   * Applies one signed message of `chainSize` serialized bytes. The receipt says what happened; the
   * state always advances (fees, nonce) unless the sender could not pay or the nonce was wrong.
   * `onFailure` (a replay's) is told why a message that ran failed, which the receipt does not keep.
   */
  async applyMessage(state: StateOverlay, msg: Message, chainSize: number, ctx: ExecutionContext, onFailure?: (failure: MessageFailure) => void): Promise<MessageReceipt> {
    // Checked before anything else, and nothing is charged (ref-fvm preflight_message).
    const inclusion = onChainMessage(chainSize);
    if (msg.gasLimit < inclusion) return noReceipt(ExitCode.SysErrOutOfGas);
    const sender = resolveAddress(state, msg.from);
    if (!sender || !canSend(sender)) return noReceipt(ExitCode.SysErrSenderInvalid);
    if (msg.nonce !== sender.nonce) return noReceipt(ExitCode.SysErrSenderStateInvalid);
    const gasCost = BigInt(msg.gasLimit) * msg.gasFeeCap;
    if (sender.balance < gasCost) return noReceipt(ExitCode.SysErrSenderStateInvalid);

    const receiverId = state.lookupId(msg.to);
    this.access = StateAccess.forMessage(sender.id, receiverId);
    // Gas is paid up front and the nonce moves whatever the call does. A Placeholder that sends
    // becomes an EthAccount.
    state.putActor(sentBy(sender, sender.balance - gasCost));

    // The call in a checkpoint of its own: a failure undoes it (and drops its events), not the above.
    state.checkpoint();
    const result = topLevelResult(await this.invoke(state, sender, msg, msg.nonce, msg.gasLimit - inclusion, ctx, receiverId));
    const succeeded = result.exitCode === ExitCode.Ok;
    // The FVM's backtrace names the failed receiver by its ID (devnet/revert.ts), looked up before its creation is undone, as in call.
    if (!succeeded) onFailure?.({ error: result.error, failedActor: state.lookupId(msg.to), innerFrames: result.innerFrames });
    if (succeeded) state.commit();
    else state.revert();
    const gasUsed = Math.min(msg.gasLimit, inclusion + result.gasUsed);

    const fees = computeGasOutputs(gasUsed, msg.gasLimit, ctx.baseFee, msg.gasFeeCap, msg.gasPremium);
    credit(state, BURNT_FUNDS_ACTOR_ID, fees.baseFeeBurn + fees.overEstimationBurn);
    // The tip goes to the reward actor, which pays it to the tipset's winner with the block reward.
    creditGasReward(state, fees.minerTip);
    credit(state, sender.id, fees.refund);
    return { exitCode: result.exitCode, returnData: receiptReturn(result), gasUsed, events: succeeded && result.events.length > 0 ? result.events : NO_EVENTS };
  }

  /**
   * Runs a message without a signature, fees or nonce checks, as eth_call and gas estimation do
   * (Lotus applies them as implicit messages), and leaves the state unchanged. `input`: the bytes
   * the params of an InvokeContract or CreateExternal message encode, when the caller holds them
   * (a call's calldata): they are not decoded again, and the message may come without its params
   * (eth_call's, Devnet.call), which are then made of `input` if anything reads them. `reserve`:
   * what an explicit message's preflight takes from the sender for its gas before it runs (fee cap
   * × gas limit, ref-fvm DefaultExecutor::preflight_message), as Lotus's gas search runs a message
   * with fees: a sender short of it fails with SysErrSenderStateInvalid.
   */
  async call(state: StateOverlay, msg: Message, ctx: ExecutionContext, input?: Uint8Array, reserve = 0n): Promise<SendResult> {
    const mark = state.checkpoint();
    try {
      let sender = resolveAddress(state, msg.from);
      // Lotus (v1.36.2+) estimates for senders that do not exist yet through an ephemeral placeholder.
      if (!sender) {
        const eth = msg.from.ethAddress;
        if (!eth) return noReturn(ExitCode.SysErrSenderInvalid);
        sender = createPlaceholder(state, eth, 0n, msg.from);
      }
      const gasLimit = msg.gasLimit > 0 ? msg.gasLimit : BLOCK_GAS_LIMIT;
      // As if the message had been sent: the nonce moves (a deployment's address depends on it). Gas
      // is free but for the reserve, the value is not: a sender short of it fails with
      // SysErrInsufficientFunds, as in Lotus's calls and gas estimates (chain/stmgr/call.go, gasutils.go).
      if (sender.balance < reserve) return noReturn(ExitCode.SysErrSenderStateInvalid);
      sender = sentBy(sender, sender.balance - reserve);
      state.putActor(sender);
      const receiverId = state.lookupId(msg.to);
      this.access = StateAccess.forMessage(sender.id, receiverId);
      const result = topLevelResult(await this.invoke(state, sender, msg, sender.nonce - 1, gasLimit, ctx, receiverId, input));
      // The FVM's backtrace names the failed receiver by its ID (devnet/revert.ts).
      if (result.exitCode !== ExitCode.Ok) result.failedActor = state.lookupId(msg.to);
      return result;
    } finally {
      state.revertTo(mark);
    }
  }

  /**
   * Runs `run` (applyMessage or call) with `tracer` watching its sends and the EVM's messages and
   * instructions. The caller serializes runs (the miner's queue), as for any execution.
   */
  async traced<T>(tracer: Tracer, run: () => Promise<T>): Promise<T> {
    const detach = tracer.attach(this.evm.events);
    this.tracer = tracer;
    try {
      return await run();
    } finally {
      this.tracer = undefined;
      detach();
    }
  }

  /**
   * Runs a top-level message: the send from its sender, whose outcome topLevelResult makes the
   * message's result (a syscall error as the FVM reports it). `nonce`: the one it runs with (a
   * call's is the sender's, not the message's: no copy of the message made for it). `receiverId`:
   * what `msg.to` resolved to for the message's access record, which the send takes as its receiver.
   * `input`: the bytes its params encode, if known (Executor.call).
   */
  private invoke(state: StateOverlay, sender: Actor, msg: Message, nonce: number, gasLimit: number, ctx: ExecutionContext, receiverId: number | undefined, input?: Uint8Array): Promise<SendOutcome> {
    // Top-level params are a CBOR block (raw for METHOD_SEND), as ref-fvm's executor makes them; a
    // message made without them (an eth_call's, Devnet.call) has them of its input, encoded if read.
    const params =
      msg.params.length > 0 ? { codec: msg.method === METHOD_SEND ? RAW : CBOR, data: msg.params } : input !== undefined && input.length > 0 ? new CborBytesBlock(input) : undefined;
    const send: ActorSend = { fromId: sender.id, to: msg.to, method: msg.method, value: msg.value, params, readOnly: false, gasLimit };
    // Not async, and the outcome mapped where it is awaited: no frame or turn of the microtask queue of its own.
    return this.send(state, send, ctx, { nonce, gasPremium: msg.gasPremium, receiverId, input });
  }

  /**
   * The FVM send: resolves (or auto-creates) the receiver, moves the value and runs the receiver's
   * method. Top-level messages and the call_actor precompile both come through here; `top` is set
   * for the former. The caller owns the checkpoint around it.
   */
  private send(state: StateOverlay, send: ActorSend, ctx: ExecutionContext, top?: TopLevel): Promise<SendOutcome> {
    // Refused before the FVM's call_actor (ref-fvm kernel send): no send to trace, nothing accessed.
    if (send.readOnly && send.value > 0n) return Promise.resolve(syscallError(ErrorNumber.ReadOnly));
    const { access } = this;
    const mark = access.mark();
    const tracer = this.tracer;
    // Not async: the send's promise is handed on (an async function's frame a send, for nothing).
    const sent = tracer ? this.sendTraced(tracer, state, send, ctx, top) : this.sendUntraced(state, send, ctx, top);
    return sent.then((outcome) => {
      // A failed send forgets the actors it accessed (ref-fvm with_transaction): they are charged again.
      if (outcome.type !== 'invoked' || outcome.result.exitCode !== ExitCode.Ok) access.revertTo(mark);
      return outcome;
    });
  }

  /** A send with `tracer` told where it starts and how it ends. */
  private async sendTraced(tracer: Tracer, state: StateOverlay, send: ActorSend, ctx: ExecutionContext, top?: TopLevel): Promise<SendOutcome> {
    tracer.enterSend(state, send, top !== undefined);
    let outcome: SendOutcome;
    try {
      outcome = await this.sendUntraced(state, send, ctx, top);
    } catch (error) {
      tracer.abortSend();
      throw error;
    }
    tracer.exitSend(state, send, outcome);
    return outcome;
  }

  private async sendUntraced(state: StateOverlay, send: ActorSend, ctx: ExecutionContext, top?: TopLevel): Promise<SendOutcome> {
    const { access } = this;
    // What the FVM charges around a send (ref-fvm call_actor_unchecked / call_actor_resolved).
    let gas = 0;
    // A top-level message's receiver was resolved for its access record, on this state as it is now.
    let receiver = top ? actorAt(state, top.receiverId) : resolveAddress(state, send.to);
    if (!receiver) {
      // An ID is looked up before it is found missing (call_actor_resolved's get_actor).
      if (send.to.id !== undefined) return syscallError(ErrorNumber.NotFound, access.read(send.to.id));
      if (!canAutoCreate(send.to)) return syscallError(ErrorNumber.NotFound);
      if (send.readOnly) return syscallError(ErrorNumber.ReadOnly);
      receiver = autoCreate(state, send.to);
      // create_actor_from_send: the new address assigned, the actor stored; an account's constructor runs.
      gas += onCreateActor(true) + access.write(receiver.id);
      if (receiver.kind === 'account') gas += SEND_INVOKE_METHOD + ACCOUNT_INVOCATION + accountConstructorGas(send.to);
    } else {
      gas += access.read(receiver.id);
    }
    // The FVM records the receiver it invokes once found or made, before the value moves (call_actor_resolved's InvokeActor).
    if (gas <= send.gasLimit) this.tracer?.invoking(receiver);
    const sender = state.getActor(send.fromId)!;
    if (send.value > 0n) {
      if (sender.balance < send.value) return syscallError(ErrorNumber.InsufficientFunds, Math.min(gas, send.gasLimit));
      gas += SEND_TRANSFER_FUNDS + access.write(sender.id) + access.write(receiver.id);
    }
    if (gas > send.gasLimit) return invoked(noReturn(ExitCode.SysErrOutOfGas, send.gasLimit));

    // METHOD_SEND moves value and runs no code, whatever the receiver (ref-fvm call_actor_resolved).
    if (send.method === METHOD_SEND) {
      transfer(state, sender.id, receiver.id, send.value);
      return invoked(noReturn(ExitCode.Ok, gas));
    }
    gas += SEND_INVOKE_METHOD;
    if (gas > send.gasLimit) return invoked(noReturn(ExitCode.SysErrOutOfGas, send.gasLimit));
    const result = await this.invokeMethod(state, sender, receiver, { ...send, gasLimit: send.gasLimit - gas }, ctx, top);
    // A top-level message's return value is stored on chain (on_method_return at depth 1).
    if (top && result.returnBlock) gas += onChainReturn(blockSize(result.returnBlock));
    // Charges past the limit run the send out of gas; the caller's checkpoint undoes what it did.
    if (gas + result.gasUsed > send.gasLimit) return invoked(noReturn(ExitCode.SysErrOutOfGas, send.gasLimit));
    return invoked({ ...result, gasUsed: gas + result.gasUsed });
  }

  /**
   * Runs the receiver's method once the send's own charges are paid; `send.gasLimit` is what is left.
   * Not async: it hands on the promise of the method it picks.
   */
  private invokeMethod(state: StateOverlay, sender: Actor, receiver: Actor, send: ActorSend, ctx: ExecutionContext, top?: TopLevel): Promise<SendResult> {
    if (receiver.id === EAM_ACTOR_ID && send.method === METHOD_CREATE_EXTERNAL && top) return this.createExternal(state, sender, send, ctx, top);
    // Only a StateCall sends a top-level message from a contract (Lotus applies it as an implicit message, without a sender check).
    if (receiver.id === EAM_ACTOR_ID && (send.method === EAM_CREATE || send.method === EAM_CREATE2) && top && sender.kind === 'evm') return this.createFromContract(state, sender, send, ctx, top);
    if (receiver.kind === 'evm') return this.invokeEvm(state, sender, receiver, send, ctx, top);
    const builtin = builtinActor(receiver.kind);
    // A kind whose methods the devnet does not run (system, cron) refuses the method after its trampoline.
    if (!builtin) return Promise.resolve(noReturn(ExitCode.ErrUnhandledMessage, refusedMethodGas(receiver.kind, send.params?.data.length ?? 0)));
    return invokeBuiltin(builtin, { state, access: this.access, ctx, sender, receiver, send }, this.sendForActors);
  }

  /** A top-level message to the EAM's CreateExternal: a deployment from an Ethereum account. */
  private async createExternal(state: StateOverlay, sender: Actor, send: ActorSend, ctx: ExecutionContext, top: TopLevel): Promise<SendResult> {
    const initcode = top.input ?? decodeBytesParam(send.params);
    if (!initcode) return noReturn(ExitCode.ErrSerialization, refusedMethodGas('eam', send.params?.data.length ?? 0));
    const create = { sender, nonce: top.nonce, initcode, value: send.value, gasLimit: send.gasLimit, gasPremium: top.gasPremium, onTarget: this.onDeployTarget };
    return deployed(await createExternal(state, this.evm, create, ctx));
  }

  /** A top-level message from a contract to the EAM's Create or Create2 (a StateCall from its address). */
  private async createFromContract(state: StateOverlay, sender: Actor, send: ActorSend, ctx: ExecutionContext, top: TopLevel): Promise<SendResult> {
    const method = send.method === EAM_CREATE ? EAM_CREATE : EAM_CREATE2;
    const create = { sender, method, params: send.params, nonce: top.nonce, value: send.value, gasLimit: send.gasLimit, gasPremium: top.gasPremium, onTarget: this.onDeployTarget } as const;
    return deployed(await createFromContract(state, this.evm, create, ctx));
  }

  /** Tells the tracer, if one listens, what holds the address a deployment goes at (its Constructor or Resurrect shows it). */
  private get onDeployTarget(): ((there: Actor | undefined) => void) | undefined {
    const tracer = this.tracer;
    return tracer && ((there) => tracer.deploying(there));
  }

  /**
   * Pays the block reward of a mined tipset to its winner (Lotus's implicit AwardBlockReward from f00
   * to f02), before cron runs; returns its exit code.
   */
  async awardBlockReward(state: StateOverlay, ctx: ExecutionContext, winner: number): Promise<number> {
    const params = { codec: CBOR, data: encodeCbor(awardParams(state, winner)) };
    this.access = new StateAccess();
    const send: ActorSend = { fromId: SYSTEM_ACTOR_ID, to: REWARD_ACTOR, method: AWARD_BLOCK_REWARD, value: 0n, params, readOnly: false, gasLimit: BLOCK_GAS_LIMIT };
    state.checkpoint();
    const outcome = await this.send(state, send, ctx);
    const exitCode = outcome.type === 'invoked' ? outcome.result.exitCode : ExitCode.SysErrInvalidReceiver;
    if (exitCode === ExitCode.Ok) state.commit();
    else state.revert();
    return exitCode;
  }

  /**
   * Runs the cron work due at `ctx.epoch` (and any left from before), as cron runs at the end of each
   * epoch. An entry that aborts is undone and reported, and the rest still run. A read of fork state
   * not fetched yet throws (MissingStateError), with the entries taken so far staged on `state`.
   */
  runCron(state: StateOverlay, ctx: ExecutionContext): Promise<{ actor: number; error: unknown }[]> {
    return this.runCronEntries(state, ctx, takeDueCron(state, ctx.epoch));
  }

  /** Runs `entries` as cron runs them at `ctx.epoch` (runCron), whether or not they are in the cron actor's queue. */
  async runCronEntries(state: StateOverlay, ctx: ExecutionContext, entries: readonly CronEntry[]): Promise<{ actor: number; error: unknown }[]> {
    const failures: { actor: number; error: unknown }[] = [];
    this.access = new StateAccess();
    for (const entry of entries) {
      const receiver = state.getActor(entry.actor);
      const builtin = receiver && builtinActor(receiver.kind);
      if (!receiver || !builtin?.cron) continue;
      this.tracer?.enterCronWork(receiver);
      try {
        await runBuiltinCron(builtin, { state, access: this.access, ctx, sender: state.getActor(CRON_ACTOR_ID)!, receiver }, entry.event, this.sendForActors);
        this.tracer?.exitCronWork(ExitCode.Ok);
      } catch (error) {
        this.tracer?.exitCronWork(error instanceof ActorError ? error.exitCode : ExitCode.ErrIllegalState);
        // A fork's state not fetched yet is not the entry's failure: the caller fetches it and runs cron again.
        if (error instanceof MissingStateError) throw error;
        failures.push({ actor: entry.actor, error });
      }
    }
    return failures;
  }

  /** The EVM actor's methods: InvokeContract runs the bytecode, other exported methods go to handle_filecoin_method. */
  private invokeEvm(state: StateOverlay, sender: Actor, receiver: Actor, send: ActorSend, ctx: ExecutionContext, top?: TopLevel): Promise<SendResult> {
    const caller = ethAddressOf(sender);
    const to = ethAddressOf(receiver);
    const call = (input: Uint8Array): EvmCall => ({ caller, origin: caller, to, input, value: send.value, gasLimit: send.gasLimit, readOnly: send.readOnly, gasPremium: top?.gasPremium ?? 0n });
    if (send.method === METHOD_INVOKE_CONTRACT) {
      const input = top?.input ?? decodeBytesParam(send.params);
      if (!input) return Promise.resolve(noReturn(ExitCode.ErrSerialization, EVM_INVOCATION));
      // Not async: the run's promise is handed on (an async function's frame a contract call, for nothing).
      return this.evm.run(state, call(input), ctx).then(invokedContract);
    }
    return this.invokeEvmMethod(state, sender, receiver, send, ctx, call);
  }

  /**
   * The EVM actor's methods other than InvokeContract: exported ones go to handle_filecoin_method;
   * of those below 1024, GetBytecode and GetBytecodeHash read the contract, Constructor, Resurrect,
   * GetStorageAt and InvokeContractDelegate check their params and caller (reserved-methods.ts), and
   * any other is unhandled (22).
   */
  private async invokeEvmMethod(state: StateOverlay, sender: Actor, receiver: Actor, send: ActorSend, ctx: ExecutionContext, call: (input: Uint8Array) => EvmCall): Promise<SendResult> {
    if (send.method > EVM_MAX_RESERVED_METHOD) {
      const input = handleFilecoinMethodInput(send.method, send.params);
      const result = await this.evm.run(state, call(input), ctx);
      if (result.exitCode !== ExitCode.Ok) {
        const evmOutput = result.exitCode === ExitCode.EvmReverted;
        return withReturnBlock(result, evmOutput ? { codec: CBOR, data: encodeCbor(result.returnData) } : undefined);
      }
      const output = handleFilecoinMethodOutput(result.returnData);
      const returnData = output.returnBlock?.data ?? new Uint8Array();
      // A non-zero exit code from the contract fails the call, as an actor abort would.
      const failed = output.exitCode !== ExitCode.Ok;
      return { exitCode: output.exitCode, returnData, gasUsed: result.gasUsed, events: failed ? [] : result.events, returnBlock: output.returnBlock };
    }
    if (send.method === EVM_GET_BYTECODE || send.method === EVM_GET_BYTECODE_HASH) return codeRead(receiver, send);
    if (isReservedEvmMethod(send.method)) return invokeReservedEvmMethod(state, sender, receiver, send);
    return noReturn(ExitCode.ErrUnhandledMessage, EVM_INVOCATION);
  }
}

/**
 * GetBytecode and GetBytecodeHash as sent to a contract (builtin-actors v18 actors/evm/src/lib.rs
 * bytecode, bytecode_hash: any caller): its code's CID, as DAG-CBOR (null once dead), or the keccak
 * hash of its code (of no code once dead). Neither takes params: any are refused (dispatch.rs, 16).
 */
function codeRead(receiver: Actor, send: ActorSend): SendResult {
  if (send.params) return noReturn(ExitCode.ErrIllegalArgument, EVM_INVOCATION);
  const { bytecode, bytecodeHash, dead } = receiver.evm!;
  const block =
    send.method === EVM_GET_BYTECODE ? { codec: DAG_CBOR, data: encodeCbor(dead ? null : bytecodeCid(bytecode)) } : { codec: CBOR, data: encodeCbor(bytecodeHash) };
  return { exitCode: ExitCode.Ok, returnData: block.data, gasUsed: evmStateReadGas(), events: [], returnBlock: block };
}

/** The actor of ID `id`, if any: resolveAddress of an address already resolved to `id`. */
function actorAt(state: StateOverlay, id: number | undefined): Actor | undefined {
  return id === undefined ? undefined : state.getActor(id);
}

/** What a top-level message adds to a send. */
interface TopLevel {
  nonce: number;
  gasPremium: bigint;
  /** The ID `to` resolves to (undefined: no actor has that address yet), looked up once for the message (applyMessage, call). */
  receiverId: number | undefined;
  /** The bytes the send's params encode, when the caller gave them (Executor.call). */
  input?: Uint8Array;
}

/** How a syscall error shows in a top-level receipt. */
const TOP_LEVEL_EXIT_CODES: Partial<Record<ErrorNumber, number>> = {
  [ErrorNumber.NotFound]: ExitCode.SysErrInvalidReceiver,
  [ErrorNumber.InsufficientFunds]: ExitCode.SysErrInsufficientFunds,
};

const invoked = (result: SendResult): SendOutcome => ({ type: 'invoked', result });

/**
 * Bytes as a CBOR byte string block, encoded when first read: the EVM actor's output as it returns
 * (or reverts with) it, which an eth_call answers as is and whose gas needs only the block's size;
 * an eth_call's params (its calldata), which an EVM receiver given the calldata never reads (a
 * builtin or account receiver, a refusal's gas and a trace do). A class, so that the getter sits
 * on the prototype (one hidden class for every block).
 */
class CborBytesBlock implements IpldBlock {
  readonly codec = CBOR;
  private encoded: Uint8Array | undefined;

  constructor(private readonly bytes: Uint8Array) {}

  get data(): Uint8Array {
    return (this.encoded ??= encodeCbor(this.bytes));
  }

  get size(): number {
    return cborBytesSize(this.bytes.length);
  }
}

/** The size of a return block's bytes, without encoding an EVM output that is not encoded yet. */
const blockSize = (block: IpldBlock): number => (block instanceof CborBytesBlock ? block.size : block.data.length);

/** InvokeContract's result: the EVM actor returns (or reverts with) its output as a CBOR byte string. */
function invokedContract(result: InvocationResult): SendResult {
  const evmOutput = result.exitCode === ExitCode.Ok || result.exitCode === ExitCode.EvmReverted;
  return withReturnBlock(result, evmOutput ? new CborBytesBlock(result.returnData) : undefined);
}

/** A deployment's result: the EAM's return ([actor id, robust address, eth address] in CBOR) as its block, none when it returned nothing. */
function deployed(result: InvocationResult): SendResult {
  return withReturnBlock(result, result.returnData.length > 0 ? { codec: CBOR, data: result.returnData } : undefined);
}

/** A top-level message's result: a syscall error as the FVM reports it in a receipt. */
function topLevelResult(outcome: SendOutcome): SendResult {
  if (outcome.type === 'syscall-error') return noReturn(TOP_LEVEL_EXIT_CODES[outcome.errno] ?? ExitCode.SysErrInvalidReceiver, outcome.gasUsed);
  return outcome.result;
}
const syscallError = (errno: ErrorNumber, gasUsed = 0): SendOutcome => ({ type: 'syscall-error', errno, gasUsed });

/**
 * `result` with the return block a caller and the receipt see. Set on the result (a fresh object of
 * the actor's), not copied into a new one: V8 (Node 20) gives an object spread followed by a field
 * the spread lacked a hidden class of its own on every call, made in the old generation (README "Memory").
 */
function withReturnBlock<T extends InvocationResult>(result: T, returnBlock: IpldBlock | undefined): T & SendResult {
  const sent: T & SendResult = result;
  sent.returnBlock = returnBlock;
  return sent;
}

/**
 * The FVM creates the receiver of a send to an unknown key address (an Account) or f410 address (a
 * Placeholder), whatever the f410 holds (ref-fvm fvm@v4.8.2 call_manager/default.rs call_actor_unchecked).
 */
function canAutoCreate(to: FilAddress): boolean {
  return to.namespace === EAM_NAMESPACE || to.protocol === Protocol.Secp256k1 || to.protocol === Protocol.BLS;
}

/**
 * Creates the receiver canAutoCreate allows: a Placeholder for an f410, an Account for a key address.
 * A Placeholder's fields are createPlaceholder's, balance included: one V8 map for createActor's
 * fields, so that a call's placeholder sender does not deoptimize it after the transfers.
 */
function autoCreate(state: StateOverlay, to: FilAddress): Actor {
  return to.protocol === Protocol.Delegated ? createActor(state, 'placeholder', { delegated: to, balance: 0n }) : createActor(state, 'account', { robust: to });
}

/**
 * InvokeContract and CreateExternal take their bytes as one CBOR byte string (codec 0x51 or 0x71),
 * or raw (0x55); no params: no bytes.
 */
function decodeBytesParam(params: IpldBlock | undefined): Uint8Array | undefined {
  if (!params) return new Uint8Array();
  if (params.codec === RAW) return params.data;
  if (params.codec !== CBOR && params.codec !== DAG_CBOR) return undefined;
  return decodeBytesParams(params.data);
}

function credit(state: StateOverlay, id: number, amount: bigint): void {
  if (amount === 0n) return;
  const actor = state.getActor(id)!;
  state.putActor(withBalance(actor, actor.balance + amount));
}

/**
 * The sender as its message leaves it: the nonce moved, `balance`, a Placeholder made an EthAccount.
 * An account is made by plainActor (actor.ts says why); a contract a call is sent from, and a former
 * contract's EthAccount with the storage it keeps (Actor.keptStorage), copied.
 */
function sentBy(sender: Actor, balance: bigint): Actor {
  const kind = sender.kind === 'placeholder' ? 'ethaccount' : sender.kind;
  const nonce = sender.nonce + 1;
  return isAccountKind(kind) && sender.keptStorage === undefined ? plainActor(sender.id, kind, nonce, balance, sender.delegated, sender.robust) : { ...sender, kind, nonce, balance };
}

