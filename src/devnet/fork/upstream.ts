// The fork's one way to the upstream node: JSON-RPC 2.0 over HTTP (node:http), with a timeout per
// attempt and retries with backoff for what may pass (network errors, timeouts, HTTP 429, a 5xx
// that is not a JSON-RPC answer).
// Calls made together (a fork's start, a call reading many cold slots) go as one JSON-RPC batch,
// which Lotus's go-jsonrpc server takes; an upstream that does not gets them one by one.
// An error the upstream answers (a JSON-RPC error object) is its answer, not a failure, even with
// HTTP 500 (go-jsonrpc, Lotus's server, sends "method not found" and bad params so): it is returned
// to the caller as an UpstreamAnswerError, which decides what it means (an actor that does not
// exist, say). A Lotus gateway's rate limit ("server busy. …", HTTP 200) is retried as HTTP 429 is.
// Anything still failing after the retries is an UpstreamError naming the call.
// An answer is read up to a bound (ANSWER_MAX_BYTES, more for a table's list): past it the read
// stops and the call fails at once, so a broken or hostile upstream costs neither the node's memory
// nor its life (a body past V8's longest string, 512 MiB, would throw where nothing catches it).
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';

/** node:https, loaded by the first https upstream: with node:tls it would cost every start ~2 ms. */
let httpsModule: typeof Https | undefined;
const https = (): typeof Https => (httpsModule ??= createRequire(import.meta.url)('node:https') as typeof Https);

/** The upstream could not be asked (after retries): the fork cannot answer without it. */
export class UpstreamError extends DevnetError {
  override name = 'UpstreamError';
}

/**
 * The upstream is this node itself (its server answered 508 to the node's own name: SELF_HEADER).
 * Final: no retry reaches another node, and a fork point cached for the URL is not this node's state.
 */
export class SelfUpstreamError extends UpstreamError {
  override name = 'SelfUpstreamError';
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

/** Whether the upstream refused a method it does not serve (go-jsonrpc's -32601): a Lotus gateway's answer outside its set. */
export const isMethodNotFound = (error: unknown): boolean => error instanceof UpstreamAnswerError && error.rpcCode === -32601;

/** ChainReadObj's answer for a block the upstream does not keep: Lotus's "blockstore get: ipld: could not find <cid>", an fvm-devnet's "blockstore: block not found". */
export const isBlockNotFound = (error: unknown): boolean => error instanceof UpstreamAnswerError && /could not find|block not found/.test(error.rpcMessage);

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
  /** The asking node's name for itself, sent in SELF_HEADER, so that a node asked by itself answers 508 marked with it. */
  self?: string;
}

/**
 * The header an fvm-devnet's upstream requests name their node in. A node that finds its own name
 * there is its own fork's upstream (anvil_reset with its own URL): its answer would wait on the very
 * read that asks, so it answers HTTP 508 Loop Detected (RFC 5842) at once, with its name in the same
 * header of the answer, and the fork is refused. A 508 without it (a host's "Resource Limit Is
 * Reached", a proxy's own loop) is a 5xx like others. Only the node's own URL is caught: a loop
 * through another node (A forks B, then B is reset to fork A) still waits, since each node checks
 * its own name only (catching it would need the names passed along the chain of requests).
 */
export const SELF_HEADER = 'fvm-devnet-upstream-of';

/** Counts of what the client did, for the warm-up progress line and the bench. */
interface UpstreamStats {
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

/**
 * A host in one spelling, as URL writes it (lower case, IPv4 in dotted decimal, IPv6 compressed),
 * without brackets or a trailing dot, and an IPv4-mapped IPv6 address (::ffff:127.0.0.1, which URL
 * writes ::ffff:7f00:1) as its IPv4 address: the spellings of one address compare equal.
 */
function canonicalHost(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let name: string;
  try {
    name = new URL(`http://${isIPv6(bare) ? `[${bare}]` : bare}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    name = bare.toLowerCase();
  }
  name = name.replace(/\.$/, '');
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(name);
  if (!mapped) return name;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

const isLoopbackIPv4 = (host: string): boolean => isIPv4(host) && host.startsWith('127.');

/**
 * This machine's addresses on its network interfaces (a LAN's, a container's, loopback), canonical;
 * none where the system will not list them (some sandboxes refuse: networkInterfaces throws).
 */
function machineAddresses(): string[] {
  try {
    return Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map(({ address }) => canonicalHost(address)));
  } catch {
    return [];
  }
}

/**
 * Whether `url` names the address a node listening on `host`:`port` listens on, so that a fork of it
 * would be a fork of that node itself, known before it listens (nothing else can listen there then):
 * the same port, and the same host in any spelling or another name that reaches it: localhost;
 * 0.0.0.0 or ::, which a connection on Linux takes for 127.0.0.1 or ::1; for a node on every address
 * (0.0.0.0 or ::), any 127.x.x.x and the addresses of the machine's interfaces (`ownAddresses`, listed
 * only then; the IPv4 ones for 0.0.0.0), and ::1 for ::. Another name for the machine (its hostname, a forwarded
 * port) is not known here: a fork through it that starts from the disk cache fails each read the
 * cache lacks with the 508 (SelfUpstreamError). Port 0 (a free port picked at listen) is never known.
 * localhost stands for both 127.0.0.1 and ::1: a node on --host localhost listens on every address
 * it resolves to (fastify binds each), and a localhost URL may reach either (Node tries each address
 * in turn); so a fork of another node on the other loopback and the same port is refused too, on
 * purpose (rare).
 */
export function namesListenAddress(url: URL, host: string, port: number, ownAddresses: () => readonly string[] = machineAddresses): boolean {
  const urlPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port === 0 || urlPort !== port) return false;
  const listen = canonicalHost(host);
  const named = canonicalHost(url.hostname);
  const to = named === '0.0.0.0' ? '127.0.0.1' : named === '::' ? '::1' : named;
  if (to === listen) return true;
  if (to === 'localhost') return listen === '127.0.0.1' || listen === '::1' || listen === '0.0.0.0' || listen === '::';
  if (listen === 'localhost') return to === '127.0.0.1' || to === '::1';
  if (listen === '0.0.0.0') return isLoopbackIPv4(to) || (isIPv4(to) && ownAddresses().includes(to));
  if (listen === '::') return isLoopbackIPv4(to) || to === '::1' || ownAddresses().includes(to);
  return false;
}

/** The URL as it may be shown (banner, anvil_nodeInfo): without credentials or a token in the query. */
export function displayUrl(url: URL): string {
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  return shown.toString();
}

/** An agent that keeps connections to `url`'s host open between requests. */
const newAgent = (url: URL): HttpAgent => (url.protocol === 'https:' ? new (https().Agent)({ keepAlive: true }) : new HttpAgent({ keepAlive: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds before the first retry when the options do not say. */
const DEFAULT_BACKOFF_MS = 250;

/** Most calls one batch carries. */
const BATCH_MAX = 100;

/**
 * Most bytes of one answer: geth's RPC client reads at most 32 MiB of a message
 * (go-ethereum rpc/websocket.go wsDefaultReadLimit); a Lotus answer of one actor, block or entry is
 * far smaller (an actor writes IPLD blocks of at most 1 MiB: ref-fvm fvm/src/machine/mod.rs max_block_size).
 */
export const ANSWER_MAX_BYTES = 32 * 2 ** 20;

/** Most bytes of a method's answer that lists a whole table, which grows with the chain (a busy market's deals, a big miner's sectors). */
export const TABLE_ANSWER_MAX_BYTES = 256 * 2 ** 20;

/** The Lotus methods whose answer is such a table. */
const TABLE_METHODS = new Set([
  'Filecoin.StateMarketDeals',
  'Filecoin.StateMarketParticipants',
  'Filecoin.StateGetAllAllocations',
  'Filecoin.StateGetAllClaims',
  'Filecoin.StateListMiners',
  'Filecoin.StateGetAllocations',
  'Filecoin.StateGetClaims',
  'Filecoin.StateMinerSectors',
  'Filecoin.StateMinerPartitions',
]);

const answerMaxBytes = (method: string): number => (TABLE_METHODS.has(method) ? TABLE_ANSWER_MAX_BYTES : ANSWER_MAX_BYTES);

/** An answer longer than the request's bound: the same request would get it again, so it is not retried. */
class AnswerTooLarge extends Error {
  constructor(maxBytes: number) {
    super(`answer larger than ${maxBytes / 2 ** 20} MiB`);
  }
}

/** A call waiting to be sent, and how to settle its promise. */
interface Call {
  method: string;
  params: unknown[];
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** One JSON-RPC answer object, as the wire has it. */
interface Reply {
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

/**
 * What one HTTP request gave: a JSON body, or a failure (`status` when the upstream answered HTTP;
 * `rpcError` when a 429 or 5xx came with a JSON-RPC error as its body), worth retrying unless
 * `tooLarge` (the answer passed its bound).
 */
type Posted = { ok: true; body: unknown } | { ok: false; failure: string; status?: number; rpcError?: boolean; tooLarge?: boolean };

/** A body's JSON-RPC error answer, if it is one (an older go-jsonrpc answers a batch with one and HTTP 500). */
function rpcErrorOf(text: string): Reply | undefined {
  try {
    const body = JSON.parse(text) as Reply | null;
    const isError = typeof body === 'object' && body !== null && !Array.isArray(body) && typeof body.error === 'object' && body.error !== null;
    return isError ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The id of a single request (undefined for a batch). */
const idOf = (request: unknown): unknown => (Array.isArray(request) ? undefined : (request as { id?: unknown }).id);

/**
 * A Lotus gateway's rate limiter (gateway/node.go `limit`): the gateway's or the connection's
 * limit, an error the method returns (code 1, HTTP 200). It passes, as HTTP 429 does.
 */
const isRateLimit = (reply: Reply): boolean => /^(server busy|connection limited)\. /.test(reply.error?.message ?? '');

/**
 * Whether a failed batch request says the upstream takes no batches: an HTTP answer that is not
 * JSON, or a JSON-RPC error to the whole batch. A 429 and a 5xx without a JSON-RPC error (a
 * gateway's passing 502 or 503) say nothing about batches.
 */
function refusesBatches(posted: { status?: number; rpcError?: boolean }): boolean {
  if (posted.status === undefined || posted.status === 429) return false;
  return posted.rpcError === true || posted.status < 500;
}

/** How an answer that is not what Lotus gives shows in an error: its JSON, cut short. */
function shownAnswer(answer: unknown): string {
  const json = JSON.stringify(answer) ?? String(answer);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

export class Upstream {
  readonly stats: UpstreamStats = { requests: 0, retries: 0 };
  private nextId = 1;
  private inFlight = 0;
  /** Requests waiting for one in flight to finish. */
  private readonly waiting: (() => void)[] = [];
  /** Calls made since the last send: they go together, as one JSON-RPC batch when the upstream takes batches. */
  private queued: Call[] = [];
  /** Whether the upstream answers batches (go-jsonrpc, Lotus's server, does): unknown until it has answered one. */
  private batches: boolean | undefined;
  /** Keeps connections open between requests (idle ones do not keep the process running). */
  private agent: HttpAgent;

  constructor(
    private url: URL,
    private options: UpstreamOptions = {},
  ) {
    this.agent = newAgent(url);
  }

  /** Where the calls go. */
  get endpoint(): URL {
    return this.url;
  }

  /**
   * Sends the calls from now on to `endpoint` (anvil_setRpcUrl) with `token` (or none), the other
   * settings kept. The old connections are closed: a call in flight on one fails there and goes
   * again, as any retry, to the new endpoint. Whether the new one takes batches is found out anew.
   */
  moveTo(endpoint: URL, token: string | undefined): void {
    const old = this.agent;
    this.url = endpoint;
    this.options = { ...this.options, token };
    this.agent = newAgent(endpoint);
    this.batches = undefined;
    old.destroy();
  }

  /** Closes its connections (a client made for one check). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * The result of `method(params)`; UpstreamAnswerError if the upstream answers an error, UpstreamError
   * if it cannot be asked. Calls made in the same turn of the event loop are sent together.
   */
  call<T = unknown>(method: string, params: unknown[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queued.length === 0) setImmediate(() => this.send());
      this.queued.push({ method, params, resolve: resolve as (result: unknown) => void, reject });
    });
  }

  /**
   * `method`'s answer, refused unless `is` finds it of the shape Lotus gives (`what`; null taken
   * `orNull`): an answer of another shape would fail later with a bare TypeError (-32603), or be
   * taken as state. The refusal names the call, what it answered and the upstream (code 1).
   */
  async answerOf<T>(method: string, params: unknown[], what: string, is: (answer: unknown) => boolean, orNull = false): Promise<T> {
    const answer = await this.call(method, params);
    if ((orNull && answer === null) || is(answer)) return answer as T;
    throw new DevnetError(`upstream ${method} answered ${shownAnswer(answer)}, not ${what} (${displayUrl(this.endpoint)})`);
  }

  /** A block of the upstream's state (Filecoin.ChainReadObj; Lotus's JSON gives its bytes as base64); `what` names it in errors. */
  async readObj(cid: CID, what: string): Promise<Uint8Array> {
    const text = await this.call('Filecoin.ChainReadObj', [{ '/': cid.toString() }]);
    if (typeof text !== 'string') throw new DevnetError(`upstream Filecoin.ChainReadObj answered ${what} with no bytes`);
    return new Uint8Array(Buffer.from(text, 'base64'));
  }

  /** Sends the queued calls: alone, or in batches of at most BATCH_MAX. */
  private send(): void {
    const calls = this.queued;
    this.queued = [];
    if (calls.length === 1 || this.batches === false) {
      for (const call of calls) void this.alone(call);
      return;
    }
    for (let i = 0; i < calls.length; i += BATCH_MAX) void this.batch(calls.slice(i, i + BATCH_MAX));
  }

  /**
   * Tries `post` once and then up to `retries` times with backoff while it fails (an answer too
   * large is final); the last failure, with the attempts made, if it never succeeds.
   */
  private async retried(post: () => Promise<Posted>): Promise<Posted & { attempts: number }> {
    const { retries = 4, backoffMs = DEFAULT_BACKOFF_MS } = this.options;
    let attempt = 0;
    for (;;) {
      const outcome = await this.limited(post);
      if (outcome.ok || outcome.tooLarge || attempt === retries) return { ...outcome, attempts: attempt + 1 };
      attempt++;
      this.stats.retries++;
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }

  private failed(method: string, failure: string, attempts = (this.options.retries ?? 4) + 1): UpstreamError {
    return new UpstreamError(`upstream ${method} failed after ${attempts} attempts: ${failure} (${displayUrl(this.endpoint)})`);
  }

  /** One call in a request of its own. */
  private async alone(call: Call): Promise<void> {
    try {
      let answer: Reply | undefined;
      const outcome = await this.retried(async () => {
        const posted = await this.post({ jsonrpc: '2.0', id: this.nextId++, method: call.method, params: call.params }, answerMaxBytes(call.method));
        if (!posted.ok) return posted;
        const reply = posted.body as Reply;
        if (!reply || typeof reply !== 'object' || (!reply.error && !('result' in reply))) return { ok: false, failure: 'not a JSON-RPC answer' };
        if (isRateLimit(reply)) return { ok: false, failure: `rate limited: ${reply.error!.message}` };
        answer = reply;
        return posted;
      });
      if (!outcome.ok || !answer) throw this.failed(call.method, outcome.ok ? 'not a JSON-RPC answer' : outcome.failure, outcome.attempts);
      this.settle(call, answer);
    } catch (error) {
      call.reject(error);
    }
  }

  /**
   * Calls in one batch request. Until the upstream has answered a batch, a batch it does not answer
   * as one goes call by call instead (and if its answer refused batches, later calls too); so does
   * a batch whose answer is too large, each call then bounded alone.
   */
  private async batch(calls: Call[]): Promise<void> {
    try {
      const ids = calls.map(() => this.nextId++);
      const request = calls.map((call, i) => ({ jsonrpc: '2.0', id: ids[i], method: call.method, params: call.params }));
      const maxBytes = Math.max(...calls.map((call) => answerMaxBytes(call.method)));
      const tryOnce = this.batches === undefined;
      let replies: Reply[] | undefined;
      const post = async (): Promise<Posted> => {
        const posted = await this.post(request, maxBytes);
        if (!posted.ok) {
          if (tryOnce && refusesBatches(posted)) this.batches = false;
          return posted;
        }
        if (!Array.isArray(posted.body)) {
          if (tryOnce) this.batches = false;
          return { ok: false, failure: 'not a JSON-RPC batch answer' };
        }
        replies = posted.body as Reply[];
        return posted;
      };
      const outcome = tryOnce ? await this.limited(post) : await this.retried(post);
      if (!outcome.ok || !replies) {
        if (tryOnce || (!outcome.ok && outcome.tooLarge)) {
          for (const call of calls) void this.alone(call);
          return;
        }
        for (const call of calls) call.reject(this.failed(call.method, outcome.ok ? 'not a JSON-RPC batch answer' : outcome.failure));
        return;
      }
      this.batches = true;
      const byId = new Map(replies.map((reply) => [reply?.id, reply]));
      calls.forEach((call, i) => {
        const reply = byId.get(ids[i]);
        // A call the batch left unanswered goes again on its own; one a rate limit refused, after the backoff.
        if (!reply || (!reply.error && !('result' in reply))) void this.alone(call);
        else if (isRateLimit(reply)) void sleep(this.options.backoffMs ?? DEFAULT_BACKOFF_MS).then(() => this.alone(call));
        else this.settle(call, reply);
      });
    } catch (error) {
      for (const call of calls) call.reject(error);
    }
  }

  /** Settles a call with its answer: the result, or the upstream's error as an UpstreamAnswerError. */
  private settle(call: Call, reply: Reply): void {
    if (reply.error) call.reject(new UpstreamAnswerError(call.method, reply.error.code ?? 0, reply.error.message ?? 'error', reply.error.data));
    else call.resolve(reply.result);
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

  /**
   * One HTTP request with `body`, its answer read up to `maxBytes`; throws UpstreamError for an
   * upstream that refuses the credentials (no retry helps).
   */
  private async post(body: unknown, maxBytes: number): Promise<Posted> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.self) headers[SELF_HEADER] = this.options.self;
    this.stats.requests++;
    let answer: HttpAnswer;
    try {
      answer = await httpPost(this.endpoint, this.agent, headers, JSON.stringify(body), this.options.timeoutMs ?? 30_000, maxBytes);
    } catch (error) {
      // https:// to a port that speaks plain HTTP: OpenSSL's "wrong version number", which no retry mends.
      if (this.endpoint.protocol === 'https:' && (error as NodeJS.ErrnoException).code === 'EPROTO') {
        throw new UpstreamError(`upstream ${methodsOf(body)}: ${displayUrl(this.endpoint)} does not answer TLS; if it serves plain HTTP, use http:// (${(error as Error).message})`);
      }
      return { ok: false, failure: (error as Error).message, tooLarge: error instanceof AnswerTooLarge };
    }
    // The node's own server marks its 508 with the name the request gave; any other 508 is retried as a 5xx.
    if (answer.status === 508 && answer.upstreamOf !== undefined && answer.upstreamOf === this.options.self) {
      throw new SelfUpstreamError(`upstream ${methodsOf(body)}: ${displayUrl(this.endpoint)} is this node itself (HTTP 508 Loop Detected): a node cannot fork itself; to go back on its own chain, use evm_snapshot and evm_revert`);
    }
    if (answer.status === 401 || answer.status === 403) {
      throw new UpstreamError(`upstream ${methodsOf(body)}: HTTP ${answer.status} (set FVM_DEVNET_FORK_TOKEN to the endpoint's API token)`);
    }
    if (answer.status === 429 || answer.status >= 500) {
      const rpcError = rpcErrorOf(answer.text);
      // go-jsonrpc's answer to a request it cannot dispatch (method not found, bad params): HTTP 500
      // with the error for that request. A proxy's 502 or 503 has no such body, and a 429 passes.
      if (answer.status !== 429 && rpcError && idOf(body) !== undefined && rpcError.id === idOf(body)) return { ok: true, body: rpcError };
      return { ok: false, failure: `HTTP ${answer.status}`, status: answer.status, rpcError: rpcError !== undefined };
    }
    try {
      return { ok: true, body: JSON.parse(answer.text) as unknown };
    } catch {
      return { ok: false, failure: `not a JSON-RPC answer (HTTP ${answer.status})`, status: answer.status };
    }
  }
}

/** An HTTP answer: its status, its body, and the node name it carries in SELF_HEADER, if any. */
interface HttpAnswer {
  status: number;
  text: string;
  upstreamOf?: string;
}

/**
 * POSTs `body` and reads the whole answer, or fails with the network's error, "timed out" after
 * `timeoutMs`, or AnswerTooLarge once more than `maxBytes` came (the connection is then dropped).
 * node:http rather than fetch: undici's first request costs tens of milliseconds, a good part of a
 * fork's start.
 */
function httpPost(url: URL, agent: HttpAgent, headers: Record<string, string>, body: string, timeoutMs: number, maxBytes: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https().request : httpRequest;
    const request = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= maxBytes) return void chunks.push(chunk);
        chunks.length = 0;
        fail(new AnswerTooLarge(maxBytes));
        request.destroy();
      });
      response.on('end', () => {
        clearTimeout(timer);
        const upstreamOf = response.headers[SELF_HEADER];
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), upstreamOf: typeof upstreamOf === 'string' ? upstreamOf : undefined });
      });
      response.on('error', fail);
    });
    const timer = setTimeout(() => request.destroy(new Error('timed out')), timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    request.on('error', fail);
    request.end(body);
  });
}

/** The method(s) a request body calls, for an error message. */
function methodsOf(body: unknown): string {
  const requests = (Array.isArray(body) ? body : [body]) as { method: string }[];
  return [...new Set(requests.map((r) => r.method))].join(', ');
}
