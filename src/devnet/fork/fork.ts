// A fork of an upstream Lotus node: the upstream client, the fork point, the state source filled
// from the upstream, and the disk cache, opened together at start and saved together.
import type { CodeTable } from '../../fevm/code-table.js';
import type { MissingState } from '../../fevm/state-tree.js';
import { ForkCache } from './fork-cache.js';
import { checkServesForkPoint, forkCodeTable, locateForkPoint, LookbackCapError, type ForkPoint, type LocatedPoint } from './fork-point.js';
import { ForkSource, type ForkProgress } from './fork-source.js';
import { displayUrl, SelfUpstreamError, Upstream, UpstreamError, upstreamEndpoint, type UpstreamOptions } from './upstream.js';
import { UpstreamState } from './upstream-state.js';

export interface ForkConfig {
  /** The upstream's Lotus JSON-RPC URL, with or without /rpc/v1. */
  url: string;
  /** The upstream epoch to fork at; undefined takes its finalized tipset. */
  blockNumber?: number;
  /** A Lotus API token for the upstream. */
  token?: string;
  /**
   * The origin (scheme, host, port) the token was given for: --fork-url's. It is sent there only,
   * never to another node anvil_setRpcUrl or anvil_reset names (any web page may call those: CORS).
   * Undefined: the URL's own.
   */
  tokenOrigin?: string;
  /** The chain id to use instead of the upstream's (--chain-id). */
  chainId?: bigint;
  /** Directory of the disk cache; undefined caches nothing (--no-fork-cache). */
  cacheDir?: string;
  /** The upstream client's timeout and retries. */
  upstream?: Omit<UpstreamOptions, 'token'>;
}

/**
 * Warm-up: fetches with less than this between them. One that has lasted this long prints a
 * progress line, and another each time as long again passes while it goes on.
 */
const PROGRESS_AFTER_MS = 1000;

/** The token to send to `endpoint`: the config's, if the endpoint is of the origin it was given for. */
const tokenFor = (endpoint: URL, config: ForkConfig): string | undefined => (endpoint.origin === config.tokenOrigin ? config.token : undefined);

export class Fork {
  private saveTimer: NodeJS.Timeout | undefined;
  /** The upstream's eth_getBlockByNumber answers for its block at the fork epoch, by their params (forkEpochBlock). */
  private readonly forkEpochBlocks = new Map<string, Promise<unknown>>();
  /** When the current warm-up last fetched, and when it began or last printed progress. */
  private warmUp = { last: 0, printed: 0 };

  private constructor(
    private settings: ForkConfig,
    readonly upstream: Upstream,
    readonly point: ForkPoint,
    readonly source: ForkSource,
    private cache: ForkCache | undefined,
    onProgress: (progress: ForkProgress) => void,
    private readonly onCacheError: (error: Error) => void,
  ) {
    this.warmUp = { last: Date.now(), printed: Date.now() };
    source.onFetched = () => {
      this.scheduleSave();
      const now = Date.now();
      const warmUp = this.warmUp;
      if (now - warmUp.last >= PROGRESS_AFTER_MS) this.warmUp = { last: now, printed: now };
      else {
        warmUp.last = now;
        if (now - warmUp.printed >= PROGRESS_AFTER_MS) {
          warmUp.printed = now;
          onProgress(source.progress);
        }
      }
    };
  }

  /** The fork's actor code CIDs: the upstream's at the fork point. */
  get codes(): CodeTable {
    return this.source.codes;
  }

  /** How the fork was opened, with the URL anvil_setRpcUrl last gave. */
  get config(): ForkConfig {
    return this.settings;
  }

  /** The upstream's URL as it may be shown: no token, no credentials. */
  get url(): string {
    return displayUrl(this.upstream.endpoint);
  }

  /**
   * The upstream's eth_getBlockByNumber of its block at the fork epoch (`params`: its number and the
   * transactions' form), asked once per form: the block cannot change, and until the fork mines,
   * `latest` names it, which tools ask for before each send (ethers' and viem's fee estimates):
   * a round trip each to a remote upstream. A failed read is not kept.
   */
  forkEpochBlock(params: unknown[]): Promise<unknown> {
    const key = JSON.stringify(params);
    let answer = this.forkEpochBlocks.get(key);
    if (!answer) {
      answer = this.upstream.call('eth_getBlockByNumber', params);
      answer.catch(() => this.forkEpochBlocks.delete(key));
      this.forkEpochBlocks.set(key, answer);
    }
    return answer;
  }

  /**
   * Reads from now on from the node at `url` (anvil_setRpcUrl: a rate-limited endpoint swapped for
   * another), with the same token and client settings, once it has shown that it is the same chain
   * and serves the fork point; otherwise refuses it and keeps the upstream it had.
   */
  async switchUpstream(url: string): Promise<void> {
    const endpoint = upstreamEndpoint(url);
    const token = tokenFor(endpoint, this.settings);
    const candidate = new Upstream(endpoint, { token, ...this.settings.upstream });
    try {
      await checkServesForkPoint(candidate, this.point);
    } finally {
      candidate.close();
    }
    this.upstream.moveTo(endpoint, token);
    this.settings = { ...this.settings, url };
  }

  /**
   * Connects to the upstream and pins the fork point; with a cache, loads what an earlier start
   * fetched at the same point, and starts from the cache alone when the upstream cannot be reached
   * (never when the upstream answers that it is this node itself: SelfUpstreamError).
   * `startReads`: what the start reads from the source (fork-genesis.ts forkStartReads), fetched as
   * soon as the point's state key is known.
   */
  static async open(
    config: ForkConfig,
    onProgress: (progress: ForkProgress) => void,
    onCacheError: (error: Error) => void,
    startReads: MissingState[],
  ): Promise<Fork> {
    const endpoint = upstreamEndpoint(config.url);
    config = { ...config, tokenOrigin: config.tokenOrigin ?? endpoint.origin };
    const token = tokenFor(endpoint, config);
    const upstream = new Upstream(endpoint, { token, ...config.upstream });
    const url = displayUrl(upstream.endpoint);
    const cache = config.cacheDir === undefined ? undefined : new ForkCache(config.cacheDir);
    // With a cache for this point, the upstream is asked once: if it is down, or a gateway that no
    // longer serves the fork epoch (its lookback cap), the fork starts from the cache at once. If it
    // still names the cached tipset, what the point read from that state comes from the cache.
    const cached = cache?.pointFor(url, config.blockNumber);
    const probe = cached ? new Upstream(upstream.endpoint, { token, ...config.upstream, retries: 0 }) : upstream;
    // The source reads at the point's state key: cached data there, or the upstream's answers once its code CIDs are read.
    const sourceAt = (point: LocatedPoint, codes: Promise<CodeTable>) => new ForkSource(new UpstreamState(upstream, point, codes), cache?.load(point));
    let opened: { point: ForkPoint; source: ForkSource };
    try {
      // The index's note of the upstream's kind only counts without a cached point (askNextTipset): not read again then.
      const { located, facts } = await locateForkPoint(probe, config.blockNumber, cached, !cached && cache?.servedLotus(url));
      const source = sourceAt(located, facts.then(forkCodeTable));
      // What every start reads goes with the reads of the point's state (one round trip fewer); a failure is met again by its reader.
      source.fetch(startReads).catch(() => undefined);
      opened = { point: { ...(await facts), ...located }, source };
    } catch (error) {
      // The URL is this node's own: what the cache holds for it is another node's state (one that
      // listened there before, or a fork of this one), and a node cannot fork itself.
      if (error instanceof SelfUpstreamError) throw error;
      if (!cached || !(error instanceof UpstreamError || error instanceof LookbackCapError)) throw error;
      opened = { point: cached, source: sourceAt(cached, Promise.resolve(forkCodeTable(cached))) };
    }
    const { point, source } = opened;
    const fork = new Fork(config, upstream, point, source, cache, onProgress, onCacheError);
    // Meanwhile the premium estimates' history (ForkSource.fetchTipsetFees): an estimate waits for it.
    void source.fetchTipsetFees();
    return fork;
  }

  /**
   * Writes the cache now (on exit), if there is one. The cache only spares the upstream: one that
   * cannot be written (a directory not writable, a file in its place: audit16 A11) is reported once
   * and given up, and the fork goes on without it.
   */
  save(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.cache) return;
    try {
      this.cache.save(this.url, this.config.blockNumber, this.point, this.source.data);
    } catch (err) {
      this.cache = undefined;
      this.onCacheError(new Error(`cannot write the fork cache to ${this.config.cacheDir}: ${(err as Error).message}; the fork goes on without it`));
    }
  }

  /** Saves, and saves no more: a read still under way at close (the deal schedule's read ahead, started by a send's first request, its nonce or gas estimate: Devnet.readAheadForMining) writes nothing after it. */
  close(): void {
    this.save();
    this.cache = undefined;
  }

  /** Saves a second after fetching stops, so a killed node keeps most of what it fetched. */
  private scheduleSave(): void {
    if (!this.cache || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 1000);
    this.saveTimer.unref();
  }
}
