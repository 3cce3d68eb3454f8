// How an RPC method is declared: its wire name, its positional parameters, and a handler that gets
// them parsed.
import type { Devnet } from '../devnet/devnet.js';
import type { BatchBudget } from '../fevm/run-budget.js';
import type { Filters } from './filters.js';
import type { Param } from './params.js';
import type { SubscriptionCount, Subscriptions } from './subscriptions.js';
import type { WaitCancels } from './ws-cancels.js';

export interface RpcContext {
  devnet: Devnet;
  filters: Filters;
  /** Present on WebSocket connections only. */
  subscriptions?: Subscriptions;
  /** Every connection's subscriptions (eth_unsubscribe ends one from any connection, as Lotus's). */
  nodeSubscriptions?: SubscriptionCount;
  /** Whether the node prints its per-call and per-tipset lines (anvil_setLoggingEnabled). */
  logging: LoggingSwitch;
  /** Present for the requests of a batch: its executions (calls, estimates, traced calls) share one --call-timeout. */
  batch?: BatchBudget;
  /**
   * Aborted once the request's client has gone (its HTTP connection or its WebSocket closed): a
   * replay of mined tipsets stops, a reset still reading its new fork is dropped.
   */
  signal?: AbortSignal;
  /** Present on WebSocket connections only: the requests of methods that wait, which go-jsonrpc's `xrpc.cancel` ends (ws-cancels.ts). */
  cancels?: WaitCancels;
}

export interface LoggingSwitch {
  enabled: boolean;
}

export interface RpcMethod {
  name: string;
  params: readonly Param<unknown>[];
  handler(ctx: RpcContext, args: unknown[]): unknown;
  /**
   * It changes the node (sends, signs with a nonce, cheat codes): the dispatcher runs it once. On a
   * fork, what it reads is fetched inside the node's operations, never by running it again.
   */
  writes?: true;
  /**
   * Lotus decodes its params itself (jsonrpc.RawParams, ethtypes' UnmarshalJSON): a wrong count is
   * the method's own code-1 error, not go-jsonrpc's -32602.
   */
  rawParams?: true;
  /**
   * The names of its params, in order, when it also takes them as one object of named fields, as
   * Anvil takes a method whose params are one struct (anvil_reorg's ReorgOptions, which alloy sends so).
   */
  namedParams?: readonly string[];
  /** Its handler answers on a fork too, never the upstream (--gateway-only's v0 refusals: server.ts). */
  neverForwarded?: true;
  /**
   * It answers a Lotus channel (a Go `<-chan` result, pushed as `xrpc.ch.val`), which needs a
   * WebSocket: over HTTP the dispatcher refuses it before its params, as go-jsonrpc does.
   */
  channel?: true;
  /**
   * It may wait for as long as its client does (StateWaitMsg): on a WebSocket, its request gets a
   * signal of its own (RpcContext.signal), which go-jsonrpc's `xrpc.cancel` naming it aborts.
   */
  waits?: true;
}

/** The context of a channel method, which runs on a WebSocket only (RpcMethod.channel). */
type ChannelContext = RpcContext & { subscriptions: Subscriptions };

export type Args<P extends readonly Param<unknown>[]> = { [K in keyof P]: P[K] extends Param<infer T> ? T : never };

export function defineMethod<const P extends readonly Param<unknown>[]>(
  name: string,
  params: P,
  handler: (ctx: RpcContext, ...args: Args<P>) => unknown,
): RpcMethod {
  return { name, params, handler: (ctx, args) => handler(ctx, ...(args as Args<P>)) };
}

/** A method that changes the node (RpcMethod.writes), declared as defineMethod declares one. */
export function defineWriteMethod<const P extends readonly Param<unknown>[]>(
  name: string,
  params: P,
  handler: (ctx: RpcContext, ...args: Args<P>) => unknown,
): RpcMethod {
  return { ...defineMethod(name, params, handler), writes: true };
}

/** A method answering a Lotus channel (RpcMethod.channel), declared as defineMethod declares one. */
export function defineChannelMethod<const P extends readonly Param<unknown>[]>(
  name: string,
  params: P,
  handler: (ctx: ChannelContext, ...args: Args<P>) => unknown,
): RpcMethod {
  return { name, params, channel: true, handler: (ctx, args) => handler(ctx as ChannelContext, ...(args as Args<P>)) };
}

/** `method`, which may wait for as long as its client does (RpcMethod.waits). */
export function withWaits(method: RpcMethod): RpcMethod {
  return { ...method, waits: true };
}

/** `method`, whose params Lotus decodes itself (RpcMethod.rawParams). */
export function withRawParams(method: RpcMethod): RpcMethod {
  return { ...method, rawParams: true };
}

/** `method`, which also takes its params as one object of the fields `names` (RpcMethod.namedParams). */
export function withNamedParams(names: readonly string[], method: RpcMethod): RpcMethod {
  return { ...method, namedParams: names };
}
