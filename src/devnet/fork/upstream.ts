// The fork's one way to the upstream node: JSON-RPC 2.0 over HTTP (fetch), with a timeout per
// attempt and retries with backoff for what may pass (network errors, timeouts, HTTP 429 and 5xx).
// An error the upstream answers (a JSON-RPC error object) is its answer, not a failure: it is
// returned to the caller as an UpstreamAnswerError, which decides what it means (an actor that does
// not exist, say). Anything still failing after the retries is an UpstreamError naming the call.
import { DevnetError } from '../../common/errors.js';

/** The upstream could not be asked (after retries): the fork cannot answer without it. */
export class UpstreamError extends DevnetError {
  override name = 'UpstreamError';
}

/** The upstream answered the call with a JSON-RPC error: passed on to a client with the upstream's code. */
export class UpstreamAnswerError extends DevnetError {
  override name = 'UpstreamAnswerError';
  override readonly code: number;
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    /** The error's data as the upstream gave it: a revert's return data, which Ethereum tools decode. */
    readonly rpcData?: unknown,
  ) {
    super(`upstream ${method}: ${rpcMessage}`);
    this.code = rpcCode;
  }
}

export interface UpstreamOptions {
  /** Sent as `Authorization: Bearer <token>` (a Lotus API token). */
  token?: string;
  /** Milliseconds one attempt may take. */
  timeoutMs?: number;
  /** Attempts after the first. */
  retries?: number;
  /** Milliseconds before the first retry; doubled for each next one. */
  backoffMs?: number;
  /** Most requests in flight at once (a call reading many cold slots fetches them together). */
  concurrency?: number;
}

/** Counts of what the client did, for the warm-up progress line and the bench. */
export interface UpstreamStats {
  requests: number;
  retries: number;
}

/**
 * The URL of the upstream's JSON-RPC endpoint: a Lotus URL as users write it, with or without
 * /rpc/v1 (a bare host gets /rpc/v1; ws:// becomes http://).
 */
export function upstreamEndpoint(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^ws(s?):\/\//, 'http$1://'));
  } catch {
    throw new DevnetError(`--fork-url ${url} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new DevnetError(`--fork-url ${url}: expected an http(s) URL`);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/rpc/v1';
  return parsed;
}

/** The URL as it may be shown (banner, anvil_nodeInfo): without credentials or a token in the query. */
export function displayUrl(url: URL): string {
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  return shown.toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Upstream {
  readonly stats: UpstreamStats = { requests: 0, retries: 0 };
  private nextId = 1;
  private inFlight = 0;
  /** Requests waiting for one in flight to finish. */
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly endpoint: URL,
    private readonly options: UpstreamOptions = {},
  ) {}

  /** The result of `method(params)`; UpstreamAnswerError if the upstream answers an error, UpstreamError if it cannot be asked. */
  async call<T = unknown>(method: string, params: unknown[]): Promise<T> {
    const { retries = 4, backoffMs = 250 } = this.options;
    let lastFailure = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        this.stats.retries++;
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
      const outcome = await this.limited(() => this.attempt(method, params));
      if (outcome.ok) return outcome.result as T;
      if ('answer' in outcome) throw outcome.answer;
      lastFailure = outcome.failure;
    }
    throw new UpstreamError(`upstream ${method} failed after ${retries + 1} attempts: ${lastFailure} (${displayUrl(this.endpoint)})`);
  }

  /** Runs `request` once fewer than `concurrency` requests are in flight. */
  private async limited<T>(request: () => Promise<T>): Promise<T> {
    // A waiter is handed the finishing request's place, so the count never passes the limit.
    if (this.inFlight >= (this.options.concurrency ?? 16)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight++;
    try {
      return await request();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }

  private async attempt(method: string, params: unknown[]): Promise<{ ok: true; result: unknown } | { ok: false; answer: UpstreamAnswerError } | { ok: false; failure: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    this.stats.requests++;
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      if (response.status === 429 || response.status >= 500) {
        // Unread, the body would hold its connection until garbage collection.
        await response.body?.cancel();
        return { ok: false, failure: `HTTP ${response.status}` };
      }
      if (response.status === 401 || response.status === 403) {
        throw new UpstreamError(`upstream ${method}: HTTP ${response.status} (set FVM_DEVNET_FORK_TOKEN to the endpoint's API token)`);
      }
      body = await response.json();
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
      return { ok: false, failure: reason };
    }
    const reply = body as { result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
    if (reply && typeof reply === 'object' && reply.error) {
      return { ok: false, answer: new UpstreamAnswerError(method, reply.error.code ?? 0, reply.error.message ?? 'error', reply.error.data) };
    }
    if (!reply || typeof reply !== 'object' || !('result' in reply)) return { ok: false, failure: `not a JSON-RPC answer (HTTP ${response.status})` };
    return { ok: true, result: reply.result };
  }
}
