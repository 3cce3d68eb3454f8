// Types shared by the executor and the actors.

/** What a message or call runs under: everything the chain decides, nothing the FVM computes. */
export interface ExecutionContext {
  epoch: number;
  /** Unix seconds. */
  timestamp: number;
  chainId: bigint;
  /** The base fee of the tipset the message is included in (attoFIL). */
  baseFee: bigint;
}

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
}

/** A message receipt as the chain stores it, plus the events its execution emitted. */
export interface MessageReceipt {
  exitCode: number;
  returnData: Uint8Array;
  gasUsed: number;
  events: ActorEvent[];
}
