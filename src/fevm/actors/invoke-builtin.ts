// Runs one method of a builtin actor: the checks ref-fvm and builtin-actors make before it (method
// exists, internal methods only for builtin callers, params decode), the value transfer, the method
// in its own checkpoint (undone if it aborts or if a read-only call wrote anything), and the
// ActorRuntime it runs against.
import { FilAddress } from '../../common/address.js';
import { DAG_CBOR, decodeCbor, encodeCbor, hasInvalidUtf8Text } from '../../common/cbor.js';
import { CBOR, ErrorNumber, type IpldBlock } from '../../filecoin-precompiles/runtime.js';
import type { Actor, ActorKind } from '../actor.js';
import { ExitCode } from '../exit-code.js';
import { METHOD_CONSTRUCTOR } from '../message.js';
import { ABORT_EXIT, blockCreateGas, builtinInvocationGas, paramsReadGas, returnReadGas, sendSyscallGas, stateLoadGas, stateWriteGas, tableChangeGas, tableReadGas } from '../builtin-method-gas.js';
import { actorCreatedGas, HOST_CALL } from '../price-list.js';
import type { StateAccess } from '../state-access.js';
import type { StateOverlay } from '../state-tree.js';
import { EventFlags, type ActorEvent, type ActorSend, type ExecutionContext, type SendOutcome, type SendResult } from '../types.js';
import { enrollCron } from './cron.js';
import { createActor, transfer } from './lifecycle.js';
import { ActorError, EncodedParams, FIRST_EXPORTED_METHOD, type ActorRuntime, type BuiltinActor, type BuiltinEventField, type SendOptions, type SendReply } from './runtime.js';

/** The executor's send, through which a builtin actor reaches other actors. */
export type SendFn = (state: StateOverlay, send: ActorSend, ctx: ExecutionContext) => Promise<SendOutcome>;

/**
 * How builtin-actors turns a failed send syscall into its exit code (runtime extract_send_result):
 * no receiver (a send to an ID naming no actor) is USR_UNSPECIFIED, too little balance
 * USR_INSUFFICIENT_FUNDS, a read-only violation USR_READ_ONLY, and anything else, the recursion
 * limit included, USR_ASSERTION_FAILED.
 */
function syscallExitCode(errno: ErrorNumber): number {
  switch (errno) {
    case ErrorNumber.NotFound:
      return ExitCode.ErrUnspecified;
    case ErrorNumber.InsufficientFunds:
      return ExitCode.ErrInsufficientFunds;
    case ErrorNumber.ReadOnly:
      return ExitCode.ErrReadOnly;
    default:
      return ExitCode.ErrAssertionFailed;
  }
}

const outOfGas = (gasLimit: number): SendResult => failed(ExitCode.SysErrOutOfGas, 'out of gas', gasLimit);

const failed = (exitCode: number, error: string, gasUsed: number): SendResult => ({
  exitCode,
  returnData: new Uint8Array(),
  gasUsed,
  events: [],
  error,
});

/** A method answered with success and no return, having done nothing but take the value. */
function accepted({ state, sender, receiver, send }: BuiltinCall, gasUsed: number): SendResult {
  transfer(state, sender.id, receiver.id, send.value);
  return { exitCode: ExitCode.Ok, returnData: new Uint8Array(), gasUsed, events: [] };
}

interface BuiltinCall {
  state: StateOverlay;
  /** The message's first accesses (the actor's update when its state changes). */
  access: StateAccess;
  ctx: ExecutionContext;
  sender: Actor;
  receiver: Actor;
  send: ActorSend;
}

export async function invokeBuiltin(actor: BuiltinActor, call: BuiltinCall, sendFn: SendFn): Promise<SendResult> {
  const { state, sender, receiver, send } = call;
  const invocation = builtinInvocationGas(receiver.kind);
  // The actor runs out of gas where its charges pass the send's limit (ref-fvm call_manager call_actor: SYS_OUT_OF_GAS).
  if (invocation > send.gasLimit) return outOfGas(send.gasLimit);
  // A Placeholder's `invoke` returns 0 at once (builtin-actors actors/placeholder): no method is
  // unknown or internal to it, whoever calls.
  if (actor.acceptsAll) return accepted(call, invocation);
  // The trampoline reads the params before the dispatcher looks at the method, and exits with the
  // dispatcher's error (builtin-actors runtime/src/runtime/fvm.rs trampoline).
  const dispatched = invocation + paramsReadGas(send.params?.data.length ?? 0);
  const refuse = (exitCode: number, error: string) => (dispatched > send.gasLimit ? outOfGas(send.gasLimit) : failed(exitCode, error, dispatched + ABORT_EXIT));
  // builtin-actors restrict_internal_api: methods below 2^24 are for builtin callers, and an EVM
  // contract is not one. actor_dispatch! checks it before it looks the method up (runtime/src/dispatch.rs).
  if (send.method < FIRST_EXPORTED_METHOD && sender.kind === 'evm' && !actor.unrestricted) {
    return refuse(ExitCode.ErrForbidden, `must be built-in actor to call non-exported method ${send.method}`);
  }
  const method = actor.methods.get(send.method);
  if (!method) {
    if (actor.acceptsExported && send.method >= FIRST_EXPORTED_METHOD) return accepted(call, dispatched);
    return refuse(ExitCode.ErrUnhandledMessage, `invalid method: ${send.method}`);
  }
  // builtin-actors' dispatcher checks the params' presence before it decodes them, and decodes them
  // before the method runs (runtime/src/dispatch.rs). A block counts as given even when empty: ref-fvm
  // drops a message's empty params, but call_actor with codec CBOR and no bytes sends an empty block.
  if (method.params === 'required' && send.params === undefined) {
    return refuse(ExitCode.ErrIllegalArgument, 'method expects arguments');
  }
  if (method.params === 'none' && send.params !== undefined) {
    return refuse(ExitCode.ErrIllegalArgument, 'method expects no arguments');
  }
  let params: unknown;
  try {
    params = decodeParams(send.params, method.params === 'raw');
  } catch (error) {
    return refuse(ExitCode.ErrSerialization, `failed to decode params: ${(error as Error).message}`);
  }
  // cborg decodes a text string that is not UTF-8 (to U+FFFD); serde refuses it, in fvm_ipld_encoding's words.
  if (send.params && hasInvalidUtf8Text(send.params.data, params)) return refuse(ExitCode.ErrSerialization, 'Serialization error for Cbor protocol: InvalidUtf8');

  // A method loads its state (a constructor creates it) and walks its tables; one that changed its state writes it back.
  const load = send.method === METHOD_CONSTRUCTOR ? 0 : stateLoadGas(receiver.kind) + tableReadGas(receiver, method.name, params, state);
  const mark = state.checkpoint();
  transfer(state, sender.id, receiver.id, send.value);
  const frame = new Frame(call, sendFn, dispatched + load);
  let value: unknown;
  try {
    value = await method.run(frame, params);
    const after = state.getActor(receiver.id);
    if (after && stateOf(after) !== stateOf(receiver)) frame.gasUsed += tableChangeGas(receiver, after, method.name, params, state) + stateWriteGas(receiver.kind) + call.access.write(receiver.id);
  } catch (error) {
    state.revertTo(mark);
    if (error instanceof ActorError) return frame.gasUsed + ABORT_EXIT > send.gasLimit ? outOfGas(send.gasLimit) : failed(error.exitCode, error.message, frame.gasUsed + ABORT_EXIT);
    throw error;
  }
  const returnBlock: IpldBlock | undefined = value === undefined ? undefined : { codec: CBOR, data: encodeCbor(value) };
  if (returnBlock) frame.gasUsed += blockCreateGas(returnBlock.data.length);
  // Its changes go with it (ref-fvm with_transaction).
  if (frame.gasUsed > send.gasLimit) {
    state.revertTo(mark);
    return outOfGas(send.gasLimit);
  }
  if (send.readOnly && state.changedSince(mark)) {
    state.revertTo(mark);
    return failed(ExitCode.ErrReadOnly, `${method.name} cannot run in a read-only call`, frame.gasUsed);
  }
  state.commit();
  return { exitCode: ExitCode.Ok, returnData: returnBlock?.data ?? new Uint8Array(), returnBlock, gasUsed: frame.gasUsed, events: frame.events };
}

/** The state of the kind an actor keeps (undefined for the kinds without one the devnet models). */
function stateOf(actor: Actor): unknown {
  return actor.market ?? actor.miner ?? actor.power ?? actor.verifreg ?? actor.datacap ?? actor.multisig ?? actor.paych ?? actor.reward ?? actor.cron ?? actor.robust;
}

/** Runs scheduled cron work for one actor, as the cron actor (an abort undoes that entry's changes only). */
export async function runBuiltinCron(actor: BuiltinActor, call: Omit<BuiltinCall, 'send'>, event: unknown, sendFn: SendFn): Promise<void> {
  const send: ActorSend = { fromId: call.sender.id, to: FilAddress.fromId(call.receiver.id), method: 0, value: 0n, readOnly: false, gasLimit: Number.MAX_SAFE_INTEGER };
  const frame = new Frame({ ...call, send }, sendFn, 0);
  const mark = call.state.checkpoint();
  try {
    await actor.cron!(frame, event);
    call.state.commit();
  } catch (error) {
    call.state.revertTo(mark);
    throw error;
  }
}

function paramsBlock(params: unknown): IpldBlock | undefined {
  if (params instanceof EncodedParams) return params.bytes.length === 0 && !params.emptyBlock ? undefined : { codec: CBOR, data: params.bytes };
  return params === undefined ? undefined : { codec: CBOR, data: encodeCbor(params) };
}

/** A block's CBOR value; an empty block fails to decode (as in builtin-actors) unless `emptyIsNone`. */
function decodeParams(block: IpldBlock | undefined, emptyIsNone = true): unknown {
  if (!block || (emptyIsNone && block.data.length === 0)) return undefined;
  if (block.codec !== CBOR && block.codec !== DAG_CBOR) throw new Error(`unsupported codec ${block.codec}`);
  return decodeCbor(block.data);
}

class Frame implements ActorRuntime {
  readonly state: StateOverlay;
  readonly ctx: ExecutionContext;
  readonly caller: Actor;
  readonly receiverId: number;
  readonly method: number;
  readonly valueReceived: bigint;
  readonly readOnly: boolean;
  gasUsed: number;
  readonly events: ActorEvent[] = [];
  private readonly gasLimit: number;
  private readonly access: StateAccess;

  constructor(
    call: BuiltinCall,
    private readonly sendFn: SendFn,
    /** What the invocation has cost when the method starts. */
    gasUsed: number,
  ) {
    this.state = call.state;
    this.ctx = call.ctx;
    this.caller = call.sender;
    this.receiverId = call.receiver.id;
    this.method = call.send.method;
    this.valueReceived = call.send.value;
    this.readOnly = call.send.readOnly;
    this.gasUsed = gasUsed;
    this.gasLimit = call.send.gasLimit;
    this.access = call.access;
  }

  self(): Actor {
    return this.state.getActor(this.receiverId)!;
  }

  update(fields: Partial<Omit<Actor, 'id' | 'kind'>>): void {
    this.state.putActor({ ...this.self(), ...fields });
  }

  async send(to: FilAddress, method: number, params?: unknown, options: SendOptions = {}): Promise<SendReply> {
    // The actor puts its params as a block and makes the send syscall (fvm_sdk send.rs).
    const block = paramsBlock(params);
    this.gasUsed += sendSyscallGas(block?.data.length);
    const outcome = await this.sendFn(
      this.state,
      {
        fromId: this.receiverId,
        to,
        method,
        value: options.value ?? 0n,
        params: block,
        readOnly: this.readOnly || options.readOnly === true,
        gasLimit: Math.max(0, this.gasLimit - this.gasUsed),
      },
      this.ctx,
    );
    if (outcome.type === 'syscall-error') {
      this.gasUsed += outcome.gasUsed;
      return { exitCode: syscallExitCode(outcome.errno), syscallError: outcome.errno };
    }
    const { result } = outcome;
    // It reads what the callee returned (build_response: block_read).
    this.gasUsed += result.gasUsed + (result.returnBlock ? returnReadGas(result.returnBlock.data.length) : 0);
    if (result.exitCode !== ExitCode.Ok) return { exitCode: result.exitCode, returnBlock: result.returnBlock };
    this.events.push(...result.events);
    let returnValue: unknown;
    try {
      returnValue = decodeParams(result.returnBlock);
    } catch {
      returnValue = undefined;
    }
    return { exitCode: ExitCode.Ok, returnBlock: result.returnBlock, returnValue };
  }

  chargeGas(gas: number): void {
    this.gasUsed += gas;
  }

  actorCode(id: number): Actor | undefined {
    this.gasUsed += HOST_CALL + this.access.read(id);
    return this.state.getActor(id);
  }

  createActor(kind: ActorKind, robust: FilAddress): Actor {
    const actor = createActor(this.state, kind, { robust });
    // ref-fvm create_actor: the actor looked up (none there), stored and set (its update).
    this.gasUsed += HOST_CALL + actorCreatedGas(false);
    this.access.created(actor.id);
    return actor;
  }

  deleteSelf(): void {
    // ref-fvm self_destruct: the syscall (OnDeleteActor is free), then the actor's lookup and update unless the message paid them.
    this.gasUsed += HOST_CALL + this.access.write(this.receiverId);
    this.state.deleteActor(this.receiverId);
  }

  enrollCron(epoch: number, event: unknown): void {
    enrollCron(this.state, epoch, { actor: this.receiverId, event });
  }

  emit(type: string, fields: BuiltinEventField[]): void {
    const entry = (key: string, value: unknown, flags: number) => ({ flags, key, codec: CBOR, value: encodeCbor(value) });
    this.events.push({
      emitter: this.receiverId,
      entries: [entry('$type', type, EventFlags.INDEXED_ALL), ...fields.map((f) => entry(f.key, f.value, f.indexed ? EventFlags.INDEXED_ALL : EventFlags.INDEXED_KEY))],
    });
  }
}
