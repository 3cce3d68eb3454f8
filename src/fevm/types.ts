// Types shared by the executor and the actors.
import type { FilAddress } from '../common/address.js';
import type { ErrorNumber, IpldBlock } from '../filecoin-precompiles/runtime.js';
import type { CodeTable } from './code-table.js';

/**
 * What a message or call runs under: everything the chain decides, nothing the FVM computes. Every
 * context has these fields in this order (one V8 map): a new field goes into each maker too (miner.ts
 * context, replay.ts tipsetContext, callContext, callContextFor, which copies them by name).
 */
export interface ExecutionContext {
  epoch: number;
  /** Unix seconds. */
  timestamp: number;
  chainId: bigint;
  /** The base fee of the tipset the message is included in (attoFIL). */
  baseFee: bigint;
  /** The seed of the randomness beacon (randomness.ts); absent: DEFAULT_BEACON_SEED. */
  seed?: Uint8Array;
  /**
   * The Ethereum block hash of an earlier epoch (the tipset key CID's digest), for BLOCKHASH; for a
   * null round, the hash of the tipset before it (as Lotus's tipset_cid extern). Absent: BLOCKHASH answers 0.
   */
  tipsetHash?: (epoch: number) => Uint8Array | undefined;
  /**
   * The circulating supply of the tipset's parent state, which FIP-0100's daily fee of a new sector is
   * fixed from (the FVM's total_fil_circ_supply): the exact sum (circulating-supply.ts), standing in
   * for Lotus's GetVMCirculatingSupply (chain/stmgr/supply.go: vested + mined + reserve disbursed −
   * burnt − locked). Absent on a fork (the upstream's actors cannot all be summed) and outside mined
   * tipsets (calls, estimates, which Lotus gives it too): such sectors get no daily fee.
   */
  circulatingSupply?: () => bigint;
  /** The chain's actor code CIDs (code-table.ts): a fork's are its upstream's. Absent: a fresh devnet's own. */
  codes?: CodeTable;
}

/**
 * An event entry's flags (ref-fvm fvm@v4.8.2 shared/src/event/mod.rs): the key indexed (1), the value
 * indexed (2), both (3).
 */
export const EventFlags = { INDEXED_KEY: 0x01, INDEXED_VALUE: 0x02, INDEXED_ALL: 0x03 } as const;

export interface EventEntry {
  flags: number;
  key: string;
  codec: number;
  value: Uint8Array;
}

/** An actor event (FIP-0049); EVM logs are these. */
export interface ActorEvent {
  /** The actor ID of the emitter. */
  emitter: number;
  entries: EventEntry[];
}

/** The outcome of invoking an actor method. */
export interface InvocationResult {
  exitCode: number;
  returnData: Uint8Array;
  /** FVM gas spent by the invocation (not counting chain inclusion). */
  gasUsed: number;
  events: ActorEvent[];
  /** Why the actor failed, in builtin-actors' words (builtin actors, a contract's revert; receipts do not keep it). */
  error?: string;
  /** A failed call's receiver, by ID, which the FVM's backtrace names (Executor.call only). */
  failedActor?: number;
  /**
   * The frames of the FVM's backtrace below the receiver's, outermost first, where the devnet knows
   * them: a deployment whose constructor failed (the init actor's Exec4, then the new actor's).
   */
  innerFrames?: BacktraceFrame[];
}

/** Why a message that ran failed, as the FVM's backtrace tells it; receipts do not keep it (StateReplay's Error does). */
export type MessageFailure = Pick<InvocationResult, 'error' | 'failedActor' | 'innerFrames'>;

/** An actor that exited non-zero on the way a failure came up, as the FVM's backtrace names it. */
export interface BacktraceFrame {
  actor: number;
  method: number;
  /** Its abort message. */
  message: string;
}

/** A message receipt as the chain stores it, plus the events its execution emitted. */
export interface MessageReceipt {
  exitCode: number;
  returnData: Uint8Array;
  gasUsed: number;
  /** Read only: receipts without events share one empty array. */
  events: readonly ActorEvent[];
}

/** The events of every receipt that has none: one array, where each receipt's own was 32 bytes the chain kept. */
export const NO_EVENTS: readonly ActorEvent[] = Object.freeze([]);

/** A send from one actor to another: the FVM send syscall, as the executor carries it out. */
export interface ActorSend {
  fromId: number;
  to: FilAddress;
  method: number;
  value: bigint;
  /** Absent: no params block. */
  params?: IpldBlock;
  /** READ_ONLY: no state changes, no value, no actor creation. */
  readOnly: boolean;
  /** FVM gas the receiver may use. */
  gasLimit: number;
}

export interface SendResult extends InvocationResult {
  /**
   * The return block as a calling actor receives it and a receipt records it (InvokeContract's is
   * the CBOR byte string of `returnData`); absent when the method returned nothing.
   */
  returnBlock?: IpldBlock;
}

/** A send either reaches the receiver (whatever its exit code) or fails as a syscall. */
export type SendOutcome =
  | { type: 'invoked'; result: SendResult }
  | { type: 'syscall-error'; errno: ErrorNumber; gasUsed: number };
