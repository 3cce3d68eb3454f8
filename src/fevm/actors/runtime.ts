// What a builtin actor (power, miner, market, verifreg, datacap, reward, cron, account) sees while one
// of its methods runs, and how its methods are declared. The shapes follow builtin-actors' Runtime:
// the caller, the value received, sends to other actors, events, and aborting with an exit code and a
// message. The executor (executor.ts) implements it; the actors live in this folder, one file or
// folder each, and register in builtin.ts.
import type { FilAddress } from '../../common/address.js';
import { blake2b512 } from '../../common/hashes.js';
import type { ErrorNumber, IpldBlock } from '../../filecoin-precompiles/runtime.js';
import type { Actor, ActorKind } from '../actor.js';
import type { StateOverlay } from '../state-tree.js';
import type { ExecutionContext } from '../types.js';

/** Methods from this number up are exported (FRC-42): any caller may use them. Lower ones are internal. */
export const FIRST_EXPORTED_METHOD = 1 << 24;

/** An actor method's failure: the exit code of its receipt and builtin-actors' message for it. */
export class ActorError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What another actor answered a send with. A syscall failure shows as the exit code builtin-actors maps it to. */
export interface SendReply {
  exitCode: number;
  /** The send failed as a syscall (no receiver, too little balance, …); exitCode is builtin-actors' code for it. */
  syscallError?: ErrorNumber;
  returnBlock?: IpldBlock;
  /** The decoded CBOR of the return block, if there is one. */
  returnValue?: unknown;
}

/**
 * Params that are CBOR already, sent as they are (a multisig sends a proposal's params as proposed);
 * empty bytes send none, unless `emptyBlock` (a voucher's Extra call sends its data as a block even empty).
 */
export class EncodedParams {
  constructor(
    readonly bytes: Uint8Array,
    readonly emptyBlock = false,
  ) {}
}

export interface SendOptions {
  value?: bigint;
  readOnly?: boolean;
}

/** An event a builtin actor emits (FIP-0083): its type and its fields, CBOR-encoded and optionally indexed. */
export interface BuiltinEventField {
  key: string;
  value: unknown;
  indexed?: boolean;
}

export interface ActorRuntime {
  readonly state: StateOverlay;
  readonly ctx: ExecutionContext;
  /** The actor that sent this message (the cron actor for scheduled work). */
  readonly caller: Actor;
  readonly receiverId: number;
  readonly method: number;
  readonly valueReceived: bigint;
  /** A read-only send: the method must not change any state. */
  readonly readOnly: boolean;
  /** The receiving actor as it is now (after the value arrived and any change the method made). */
  self(): Actor;
  /** Writes the receiving actor with these fields changed. */
  update(fields: Partial<Omit<Actor, 'id' | 'kind'>>): void;
  /** Sends a message to another actor; params are a CBOR value or EncodedParams (sent with codec 0x51), undefined for none. */
  send(to: FilAddress, method: number, params?: unknown, options?: SendOptions): Promise<SendReply>;
  /** Schedules `event` for this actor's `cron` handler at `epoch` (the power actor's EnrollCronEvent, folded in). */
  enrollCron(epoch: number, event: unknown): void;
  emit(type: string, fields: BuiltinEventField[]): void;
  /** Charges what a syscall the method makes costs (the price list's), beside its invocation's. */
  chargeGas(gas: number): void;
  /**
   * The actor at an ID as get_actor_code_cid finds it (undefined: none there), charged as the FVM
   * charges it: the syscall and, the first time the message reads that actor, its lookup.
   */
  actorCode(id: number): Actor | undefined;
  /**
   * Creates an actor of `kind` with its robust address (Init's create_actor), charged as the FVM
   * charges it: the syscall, the actor's storage, its lookup and its update (then paid for the message).
   */
  createActor(kind: ActorKind, robust: FilAddress): Actor;
  /** Deletes the receiving actor, its balance spent (self_destruct; a payment channel's Collect), charged as the FVM charges it. */
  deleteSelf(): void;
}

export interface BuiltinMethod {
  /** builtin-actors' name, for traces and messages. */
  readonly name: string;
  /**
   * What the dispatcher checks before the method runs (builtin-actors runtime/src/dispatch.rs):
   * 'required' refuses a send without params, 'none' a send with any params block (both 16);
   * 'raw' passes whatever comes (the dispatcher's untyped form; test doubles use it).
   */
  readonly params: 'required' | 'none' | 'raw';
  /** Runs the method with its decoded CBOR params (undefined without params); returns the CBOR value to answer, or undefined for none. */
  run(rt: ActorRuntime, params: unknown): unknown;
}

export interface BuiltinActor {
  readonly methods: ReadonlyMap<number, BuiltinMethod>;
  /** Answers exported methods it does not define with success and no return (the account actors' fallback). */
  readonly acceptsExported?: boolean;
  /** Has no dispatcher at all: answers every method with success and no return, from any caller (the Placeholder). */
  readonly acceptsAll?: boolean;
  /** Dispatches with actor_dispatch_unrestricted!: a contract may call its methods below 2^24 too (the EAM's Create and Create2 are the EVM's). */
  readonly unrestricted?: boolean;
  /** Work enrolled with enrollCron, run at the end of its epoch (even a null round's), as cron does. */
  cron?(rt: ActorRuntime, event: unknown): void | Promise<void>;
}

/** A method as an actor declares it: its handler and, for methods older than FRC-42, the internal number it also answers to. */
export interface MethodSpec {
  run(rt: ActorRuntime, params: unknown): unknown;
  /** The pre-FRC-42 number (e.g. market PublishStorageDeals 4). */
  legacy?: number;
  /** Only the internal number (methods builtin actors call each other with, e.g. market BatchActivateDeals 6). */
  internalOnly?: boolean;
  /** The method takes no params (its Rust handler has none): a send with params is refused. Otherwise it requires them. */
  noParams?: true;
}

/** A method table by name: each method answers to its FRC-42 number, and to its legacy number if it has one. */
export function methodTable(specs: Record<string, MethodSpec>): Map<number, BuiltinMethod> {
  const table = new Map<number, BuiltinMethod>();
  for (const [name, spec] of Object.entries(specs)) {
    const method: BuiltinMethod = { name, params: spec.noParams ? 'none' : 'required', run: spec.run };
    if (!spec.internalOnly) table.set(methodNumber(name), method);
    if (spec.legacy !== undefined) table.set(spec.legacy, method);
  }
  return table;
}

/**
 * The FRC-42 method number of a name: the first 4-byte big-endian word of blake2b-512("1|" + name)
 * that is at least 2^24. "Constructor" is 1.
 */
export function methodNumber(name: string): number {
  if (name === 'Constructor') return 1;
  const digest = blake2b512(new TextEncoder().encode(`1|${name}`));
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  for (let offset = 0; offset + 4 <= digest.length; offset += 4) {
    const word = view.getUint32(offset);
    if (word >= FIRST_EXPORTED_METHOD) return word;
  }
  throw new Error(`no FRC-42 method number for ${name}`);
}
