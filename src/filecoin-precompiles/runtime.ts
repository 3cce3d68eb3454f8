// What the FEVM precompiles need from the machine they run in. src/fevm implements this for the
// EVM actor's current call (actors/evm/precompile-runtime.ts); tests can implement it with a fake.
// The shapes follow builtin-actors (actors/evm/src/interpreter/precompiles) and ref-fvm's send syscall.
import type { FilAddress } from '../common/address.js';

/** An IPLD block: a codec and its bytes (0x51 CBOR, 0x71 DAG-CBOR, 0x55 raw). */
export interface IpldBlock {
  codec: number;
  data: Uint8Array;
}

/** The codecs call_actor accepts for its params (fvm_ipld_encoding::CBOR; 0 means "no params"). */
export const CBOR = 0x51;

/** FVM syscall error numbers (ref-fvm shared/src/error/mod.rs ErrorNumber). */
export const ErrorNumber = {
  IllegalArgument: 1,
  IllegalOperation: 2,
  LimitExceeded: 3,
  AssertionFailed: 4,
  InsufficientFunds: 5,
  NotFound: 6,
  InvalidHandle: 7,
  IllegalCid: 8,
  IllegalCodec: 9,
  Serialization: 10,
  Forbidden: 11,
  BufferTooSmall: 12,
  ReadOnly: 13,
} as const;
export type ErrorNumber = (typeof ErrorNumber)[keyof typeof ErrorNumber];

/** ref-fvm SendFlags: the only flag is READ_ONLY; any other bit is invalid. */
export const SendFlags = { READ_ONLY: 1n } as const;

/** How the EVM reached the precompile. STATICCALL, and CALL inside a static frame, count as 'staticcall'. */
export type CallKind = 'call' | 'staticcall' | 'delegatecall';

/** A send from the calling contract to an actor (the FVM send syscall). */
export interface ActorCall {
  /** Undefined: an actor ID beyond the devnet's (call_actor_id), which no actor has. */
  to: FilAddress | undefined;
  method: number;
  /** attoFIL, from the calling contract's balance. */
  value: bigint;
  /** SendFlags bits (only READ_ONLY). */
  flags: bigint;
  /** Absent: no params block. */
  params?: IpldBlock;
  /** FVM gas the callee may use. */
  gasLimit: number;
}

/**
 * What a send came back with: the callee's exit code and return block (a non-zero exit code is
 * the callee's failure, not the caller's), or a syscall error before or around the call.
 */
export type ActorCallResult =
  | { type: 'returned'; exitCode: number; returnBlock?: IpldBlock }
  | { type: 'syscall-error'; errno: ErrorNumber };

/**
 * Each method is the FVM syscall the precompile makes, and charges it; a branch that makes none
 * (an input refused, an ID address resolved) calls none.
 */
export interface PrecompileRuntime {
  /** How the EVM called the precompile (call_actor insists on DELEGATECALL). */
  readonly callKind: CallKind;
  /** The epoch being executed. */
  readonly epoch: number;
  /** FVM gas the precompile may pass on to a send: the call's gas, at most 63/64 of what remains. */
  readonly gasAvailable: number;
  /**
   * resolve_address: the actor ID a non-ID address resolves to (through the init actor's map);
   * undefined if none. `undefined` in: an address the FVM parses but no actor can have.
   */
  resolveAddress(address: FilAddress | undefined): number | undefined;
  /** The delegated (f4) address of an actor; undefined if the actor has none or does not exist. */
  lookupDelegatedAddress(id: bigint): FilAddress | undefined;
  /** Sends as the calling contract (it is the FVM caller; its balance pays `value`). */
  callActor(call: ActorCall): Promise<ActorCallResult>;
  /**
   * blake2b-256 of the beacon entry for `epoch` (Lotus GetBeaconRandomness); undefined when it
   * cannot be drawn (the runtime may charge more gas than the caller has).
   */
  beaconRandomness(epoch: bigint): Uint8Array | undefined;
}

/**
 * A Filecoin precompile: input bytes in, output bytes out. Throwing a PrecompileError (abi.ts) is a
 * precompile failure: the EVM's CALL returns 0 with empty return data.
 */
export type FilecoinPrecompile = (input: Uint8Array, runtime: PrecompileRuntime) => Uint8Array | Promise<Uint8Array>;
