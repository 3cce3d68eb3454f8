// Every error the node raises on purpose is a DevnetError with the JSON-RPC code clients expect.
// eth-rpc/errors.ts is the one place that turns them into JSON-RPC error objects.

export class DevnetError extends Error {
  /** JSON-RPC error code. Lotus answers 1 for every error a method returns unless a type is registered. */
  readonly code: number = 1;
  override name = 'DevnetError';
}

export class ParseError extends DevnetError {
  override readonly code = -32700;
  override name = 'ParseError';
}

export class InvalidRequestError extends DevnetError {
  override readonly code = -32600;
  override name = 'InvalidRequestError';
}

export class MethodNotFoundError extends DevnetError {
  override readonly code = -32601;
  override name = 'MethodNotFoundError';
  constructor(readonly method: string) {
    super(`method '${method}' not found`);
  }
}

/**
 * A channel method (ChainNotify, MpoolSub, SubscribeActorEventsRaw) called over HTTP, which has no way
 * to push the channel's values: go-jsonrpc refuses it so before it reads the params (handler.go).
 */
export class NoChannelSupportError extends DevnetError {
  override readonly code = -32601;
  override name = 'NoChannelSupportError';
  constructor(readonly method: string) {
    super(`method '${method}' not supported in this mode (no out channel support)`);
  }
}

export class InvalidParamsError extends DevnetError {
  override readonly code = -32602;
  override name = 'InvalidParamsError';
}

/** A cheat code that found no way to do what it was asked (anvil_dealERC20 without a balance slot): -32603 with the reason, as Anvil answers. */
export class CheatFailedError extends DevnetError {
  override readonly code = -32603;
  override name = 'CheatFailedError';
}

/** A revert or other failed execution in eth_call / eth_estimateGas (Lotus code 3, data = revert bytes). */
export class ExecutionRevertedError extends DevnetError {
  override readonly code = 3;
  override name = 'ExecutionRevertedError';
  constructor(
    message: string,
    readonly revertData: Uint8Array,
  ) {
    super(message);
  }
}

/** A message refused by the message pool, with Lotus's wording (code 1). */
export class MessageRejectedError extends DevnetError {
  override name = 'MessageRejectedError';
}

/**
 * A message whose execution threw inside the devnet (a devnet bug, not a failed call): it left the pool
 * unmined, and its send answers this (JSON-RPC's internal error, with the cause) instead of a hash
 * whose receipt would never come.
 */
export class MessageDroppedError extends DevnetError {
  override readonly code = -32603;
  override name = 'MessageDroppedError';
  constructor(cid: string, cause: unknown) {
    super(`Internal error: message ${cid} was dropped from the message pool, unmined: executing it failed inside the devnet: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

export class InvalidAddressError extends DevnetError {
  override name = 'InvalidAddressError';
}

/** eth_getLogs / trace_filter over more epochs than allowed (Lotus -32005). */
export class BlockRangeExceededError extends DevnetError {
  override readonly code = -32005;
  override name = 'BlockRangeExceededError';
}

/**
 * Lotus's api.ErrOutOfGas (code 2, go-jsonrpc's first user code): a Filecoin gas estimate whose message
 * runs out of gas at the block gas limit (node/impl/gasutils/gasutils.go gasEstimateGasLimitInternal).
 */
export class OutOfGasError extends DevnetError {
  override readonly code = 2;
  override name = 'OutOfGasError';
  constructor() {
    super('call ran out of gas');
  }
}

/** Lotus's api.ErrActorNotFound (code 11: go-jsonrpc's first user code, 2, + 9 in api/api_errors.go), which Go clients test for with errors.Is. */
export class ActorNotFoundError extends DevnetError {
  override readonly code = 11;
  override name = 'ActorNotFoundError';
  constructor() {
    super('actor not found');
  }
}

/** A block number that names a null round where a tipset is required (Lotus api.ErrNullRound: code 12, data = the epoch). */
export class NullRoundError extends DevnetError {
  override readonly code = 12;
  override name = 'NullRoundError';
  constructor(readonly epoch: number) {
    super(`requested epoch was a null round (${epoch})`);
  }
}

/** Lotus's api.ErrPaymentChannelDisabled (code 13: go-jsonrpc's first user code, 2, + 11): every Paych* call of a node whose payment channel manager is off. */
export class PaychDisabledError extends DevnetError {
  override readonly code = 13;
  override name = 'PaychDisabledError';
  constructor() {
    super('payment channels disabled (EnablePaymentChannelManager=false)');
  }
}

/**
 * A Lotus method that panics: go-jsonrpc recovers it and answers code 0 with the panic's text
 * (go-jsonrpc handler.go doCall, handle: `fatal error calling '<method>': …`).
 */
export class MethodPanicError extends DevnetError {
  override readonly code = 0;
  override name = 'MethodPanicError';
  constructor(method: string, panic: string) {
    super(`fatal error calling '${method}': panic in rpc method '${method}': ${panic}`);
  }
}

/**
 * An execution that does not change the chain (eth_call, an estimate's run, a traced call) ran past its
 * budget (--call-timeout: CPU time, wall time before the run's first check): geth's RPC EVM timeout,
 * with its message and code.
 */
export class ExecutionTimeoutError extends DevnetError {
  override readonly code = -32000;
  override name = 'ExecutionTimeoutError';
  constructor(readonly limitMs: number) {
    // Printed as Go prints a time.Duration: 5s, 1.5s, 200ms.
    super(`execution aborted (timeout = ${limitMs >= 1000 ? `${limitMs / 1000}s` : `${limitMs}ms`})`);
  }
}

/**
 * A replay for a geth-style trace (debug_traceTransaction, debug_traceBlock*) ran past its timeout
 * (the trace config's `timeout`, geth's default 5 s): geth's answer (go-ethereum eth/tracers/api.go
 * traceTx, defaultTraceTimeout; the tracer stopped with "execution timeout").
 */
export class TraceTimeoutError extends DevnetError {
  override readonly code = -32000;
  override name = 'TraceTimeoutError';
  constructor() {
    super('execution timeout');
  }
}

/**
 * An execution of a JSON-RPC batch cut, or not run, because the batch's executions spent their shared
 * budget (run-budget.ts BatchBudget): geth's answer to the calls of a batch past its deadline
 * (go-ethereum rpc/handler.go handleBatch, rpc/errors.go errcodeTimeout, errMsgTimeout).
 */
export class RequestTimeoutError extends DevnetError {
  override readonly code = -32002;
  override name = 'RequestTimeoutError';
  constructor() {
    super('request timed out');
  }
}

/**
 * Work for a request whose client has gone (its HTTP connection or WebSocket closed) stopped: a
 * replay for a trace, a reset still reading its new fork. Nobody reads the answer; the request log does.
 */
export class ClientGoneError extends DevnetError {
  override name = 'ClientGoneError';
  constructor(what: string) {
    super(`${what}: its client has gone`);
  }
}

/**
 * A wait its client cancelled with go-jsonrpc's `xrpc.cancel` (ws-cancels.ts): Lotus's handler sees its
 * context done and answers ctx.Err(), code 1, which a Go client reads as `context canceled`.
 */
export class RequestCancelledError extends DevnetError {
  override name = 'RequestCancelledError';
  constructor() {
    super('context canceled');
  }
}
