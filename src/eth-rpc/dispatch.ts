// JSON-RPC 2.0 framing: single requests, batches and notifications; arity and parameter checks;
// every failure answered with an error object.
import type { Logger } from 'pino';
import { DevnetError, InvalidParamsError, InvalidRequestError, MethodNotFoundError, NoChannelSupportError, ParseError } from '../common/errors.js';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_BATCH_RESPONSE_BYTES } from '../config.js';
import { BatchBudget, LONG_RUN_MS } from '../fevm/run-budget.js';
import { BatchAnswer, RESPONSE_TOO_LARGE } from './batch-answer.js';
import type { RpcContext, RpcMethod } from './define-method.js';
import { routeForkCall } from './fork-routes.js';
import { toJsonRpcError, type JsonRpcError } from './errors.js';

type Id = string | number | null;
export type JsonRpcResponse = { jsonrpc: '2.0'; id: Id; result: unknown } | { jsonrpc: '2.0'; id: Id; error: JsonRpcError };

/** Told about every call, for the request log. */
export type CallObserver = (method: string, ms: number, error?: JsonRpcError) => void;

export class Dispatcher {
  private readonly methods = new Map<string, RpcMethod>();
  /** Each method's count of required parameters (those before its optional ones). */
  private readonly required = new Map<RpcMethod, number>();

  constructor(
    methods: RpcMethod[],
    private readonly log: Logger,
    private readonly observe: CallObserver = () => undefined,
    /** Most requests a batch may hold (DevnetConfig.maxBatch). */
    private readonly maxBatch = DEFAULT_MAX_BATCH,
    /** Most bytes of answers to one batch (DevnetConfig.maxBatchResponseBytes). */
    private readonly maxBatchBytes = DEFAULT_MAX_BATCH_RESPONSE_BYTES,
  ) {
    for (const method of methods) {
      this.methods.set(method.name, method);
      this.required.set(method, method.params.filter((p) => !p.optional).length);
    }
  }

  has(name: string): boolean {
    return this.methods.has(name);
  }

  /**
   * Answers a parsed request body; undefined when nothing is owed (notifications only). `started` is
   * called once all its requests have started: at once but for a batch that gives other clients a
   * turn while starting them (a WebSocket starts its next message only then: ws-inbox.ts).
   */
  handle(body: unknown, ctx: RpcContext, started?: () => void): Promise<JsonRpcResponse | BatchAnswer | undefined> {
    // Not async: a single request's answer is handleOne's own promise, not one more wrapped around it.
    if (!Array.isArray(body)) {
      started?.();
      return this.handleOne(body, ctx);
    }
    const refusal = this.batchRefusal(body);
    if (refusal === undefined) return this.handleBatch(body, ctx, started);
    started?.();
    return Promise.resolve(this.error(null, refusal));
  }

  /** Why a batch is refused whole, if it is. */
  private batchRefusal(body: unknown[]): DevnetError | undefined {
    if (body.length === 0) return new InvalidRequestError('empty batch');
    if (body.length > this.maxBatch) return new InvalidRequestError(`batch too large (${body.length} > ${this.maxBatch} requests)`);
    // Lotus's decode of the whole body fails on such an id: one parse error for the batch, nothing run.
    if (body.some(hasOverflowingId)) return new ParseError('Parse error');
    return undefined;
  }

  /**
   * Starts the requests in order without waiting for each (a fork's fetches for them go upstream
   * together), within --max-batch-bytes: once the answers written pass it, the requests not started
   * are not run, as geth stops running a batch's calls there (rpc/handler.go handleBatch). After
   * 10 ms of work the event loop takes in other clients' requests, and the answers ready, before the
   * next one; instant mining is held meanwhile, so that the batch's sends mine in one tipset as
   * they would had it started them all at once (a batch coming while a tipset waits for the holds
   * before it starts once that tipset is queued: Miner.holdInstantMining).
   */
  private async handleBatch(body: unknown[], ctx: RpcContext, started?: () => void): Promise<BatchAnswer | undefined> {
    const answer = new BatchAnswer(body.length, this.maxBatchBytes);
    // As geth gives a batch one deadline, its executions share one --call-timeout (run-budget.ts).
    const inBatch = { ...ctx, batch: new BatchBudget() };
    const running: Promise<void>[] = [];
    const release = await ctx.devnet.holdInstantMining();
    try {
      let since = performance.now();
      for (let i = 0; i < body.length; i++) {
        if (answer.full) {
          answer.put(i, refused(body[i]));
          continue;
        }
        running.push(this.handleOne(body[i], inBatch).then((one) => answer.put(i, one)));
        if (performance.now() - since >= LONG_RUN_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
      }
    } finally {
      release();
      started?.();
    }
    await Promise.all(running);
    return answer.isEmpty ? undefined : answer;
  }

  private async handleOne(request: unknown, ctx: RpcContext): Promise<JsonRpcResponse | undefined> {
    if (!request || typeof request !== 'object' || Array.isArray(request)) {
      return this.error(null, new InvalidRequestError('invalid request: expected a JSON-RPC request object'));
    }
    const { id, method, params } = request as Record<string, unknown>;
    const isNotification = !('id' in request);
    const replyId = replyIdOf(id);
    // An id that is not a string, number or null, or out of range: Lotus answers a parse error with id null.
    if (replyId === null && id !== null && !isNotification) return this.error(null, new ParseError(idProblem(id)));
    if (typeof method !== 'string') return this.error(replyId, new InvalidRequestError('invalid request: missing method'));
    const started = performance.now();
    try {
      const result = await this.call(method, params, ctx, isNotification ? null : replyId);
      this.observe(method, performance.now() - started);
      return isNotification ? undefined : { jsonrpc: '2.0', id: replyId, result: result ?? null };
    } catch (err) {
      const error = toJsonRpcError(err, this.log);
      this.observe(method, performance.now() - started, error);
      return isNotification ? undefined : { jsonrpc: '2.0', id: replyId, error };
    }
  }

  /**
   * Throws at once on a bad call (handleOne's try catches it as it catches a rejection). A method that
   * waits, asked on a WebSocket with an id, runs with a signal of its own that `xrpc.cancel` can abort;
   * a channel so asked is recorded under its id, which `xrpc.cancel` names to close it.
   */
  private call(name: string, params: unknown, ctx: RpcContext, id: Id): unknown {
    const method = this.methods.get(name);
    if (!method) throw new MethodNotFoundError(name);
    if (method.channel && !ctx.subscriptions) throw new NoChannelSupportError(name);
    const args = positional(method, params);
    const required = this.required.get(method)!;
    if (args.length < required || args.length > method.params.length) {
      // Lotus's ethtypes (eth_types.go) word the range of the methods that decode their own params.
      if (method.rawParams) throw new DevnetError(`decoding params: expected ${required} or ${method.params.length} params, got ${args.length}`);
      const expected = required === method.params.length ? `${required}` : `${required} to ${method.params.length}`;
      throw new InvalidParamsError(`wrong param count (method '${name}'): ${args.length} != ${expected}`);
    }
    if (ctx.cancels && method.waits && id !== null) return ctx.cancels.run(id, (signal) => this.run(method, args, { ...ctx, signal }));
    // Its id, which an xrpc.cancel names to close the channel (a notification's has none).
    if (method.channel && id !== null) return ctx.subscriptions!.openedBy(id, this.run(method, args, ctx));
    return this.run(method, args, ctx);
  }

  private run(method: RpcMethod, args: unknown[], ctx: RpcContext): unknown {
    // Only a fork has calls to route and state to fetch; a local node's run has no async layer of its own.
    if (!ctx.devnet.fork || method.neverForwarded) return method.handler(ctx, parseArgs(method, args));
    return routeForkCall(ctx.devnet, method, args, (routed) => this.runOnFork(method, routed, ctx));
  }

  /**
   * Parses the arguments and runs the method on a fork. A method that only reads runs again as often
   * as it reads state not fetched yet (fetched between runs); one that writes runs once, as its
   * operations fetch what they read themselves (RpcMethod.writes).
   */
  private async runOnFork(method: RpcMethod, args: unknown[], ctx: RpcContext): Promise<unknown> {
    const parsed = parseArgs(method, args);
    if (method.writes) return method.handler(ctx, parsed);
    for (;;) {
      try {
        return await method.handler(ctx, parsed);
      } catch (error) {
        if (!(await ctx.devnet.fetchMissing(error))) throw error;
      }
    }
  }

  private error(id: Id, err: DevnetError): JsonRpcResponse {
    return { jsonrpc: '2.0', id, error: toJsonRpcError(err, this.log) };
  }
}

/**
 * Why Lotus refuses an id: past a float64's range, its decode of the request fails (go-jsonrpc
 * handler.go decodes into `ID interface{}`: encoding/json convertNumber → strconv.ParseFloat), "Parse
 * error"; of another type, its normalizeID does.
 */
function idProblem(id: unknown): string {
  if (typeof id === 'number') return 'Parse error';
  return `failed to parse ID: invalid id type: ${Array.isArray(id) ? 'array' : typeof id}`;
}

/** A request whose numeric id JSON.parse could not hold (1e400: Infinity), which Lotus cannot decode. */
function hasOverflowingId(request: unknown): boolean {
  const id = request && typeof request === 'object' ? (request as { id?: unknown }).id : undefined;
  return typeof id === 'number' && !Number.isFinite(id);
}

/** The answer to a batch's request not run because the batch's answers are too large; none for a notification. */
function refused(request: unknown): JsonRpcResponse | undefined {
  const fields = request && typeof request === 'object' && !Array.isArray(request) ? (request as Record<string, unknown>) : undefined;
  if (fields && !('id' in fields)) return undefined;
  return { jsonrpc: '2.0', id: replyIdOf(fields?.id), error: RESPONSE_TOO_LARGE };
}

/**
 * The id an answer carries: a request's string or number id, else null. Lotus (go-jsonrpc) holds a
 * numeric id in a float64, as JSON.parse does: one beyond 2^53 comes back rounded, and one past its
 * range (1e400, Infinity here) fails to decode.
 */
function replyIdOf(id: unknown): Id {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/** A method's arguments parsed; an optional parameter may be left out or given as null (Lotus pointer parameters). */
function parseArgs(method: RpcMethod, args: unknown[]): unknown[] {
  return method.params.map((param, i) => ((args[i] === undefined || args[i] === null) && param.optional ? undefined : param.parse(args[i])));
}

/**
 * A call's params as the method's positional arguments: an array as it is, or, for a method that
 * also takes one object of named fields (RpcMethod.namedParams), those fields in order, without
 * the trailing ones it leaves out.
 */
function positional(method: RpcMethod, params: unknown): unknown[] {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) return params;
  if (!method.namedParams || typeof params !== 'object') throw new InvalidParamsError(`method '${method.name}' takes positional (array) params`);
  const fields = params as Record<string, unknown>;
  const args = method.namedParams.map((field) => fields[field]);
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return args;
}
