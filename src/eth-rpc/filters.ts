// Polling filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter): each collects
// what happens after it is installed until it is polled. Bounded as Lotus bounds them
// (lotus:chain/events/filter/{event,tipset,mempool}.go, node/impl/eth/events.go at b835fab7): a filter
// keeps its newest MAX_FILTER_RESULTS items, one not polled for FILTER_TTL_MS is removed, and at most
// --max-filters (Lotus's MaxFilters, 100) are installed at once; anvil_reset removes them all.
// A log filter keeps the tipset's logs themselves (shared by every filter and the logs' cache), with
// the number it gives each where that is not the chain's (Lotus numbers a filter's logs by its own
// matches: logs.ts filterMatches), made into their Ethereum view only when polled: as Lotus's filters
// keep the events collected, not a copy each (audit16 A1: 100 filters never polled kept 100
// formatted copies of each log, 1.2 GB for 10 000 logs, and the node ran out of heap with larger
// logs). A revert's dropped tipsets' logs are collected again as removed, as Lotus's event filters
// collect a reverted tipset's events (chain/events/filter/event.go EventFilterManager.Revert:
// `removed: true` in the answer); a block filter keeps what it has, as Lotus's
// TipSetFilterManager.Revert does nothing.
import { randomBytes } from 'node:crypto';
import { DevnetError } from '../common/errors.js';
import { DEFAULT_MAX_FILTERS } from '../config.js';
import { bytesToHex, concatBytes, type Hex } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { PendingMessage } from '../mining/mempool.js';
import type { Tipset } from '../mining/tipset.js';
import { LogAnswer } from './log-json.js';
import { filterMatches, transactionHash, type EthLog, type LogCriteria } from './logs.js';

/**
 * A log collected as a tipset came (or went: `removed`, a revert dropped it), numbered as Lotus's
 * filter numbers it (logs.ts filterMatches). A filter's past logs are the logs themselves, numbered
 * tipset-wide, as Lotus fills a new filter's past from its chain index; a dropped tipset's past logs
 * are these, `removed`, numbered tipset-wide too.
 */
export interface CollectedLog {
  log: EthLog;
  logIndex: number;
  removed: boolean;
}

/**
 * A log of a fork's history from before its fork epoch, as the upstream answered eth_getLogs for it:
 * a filter installed on a fork over that history starts with these (fidaudit4 V17).
 */
export class UpstreamLog {
  constructor(private readonly answer: unknown) {}

  toJSON(): unknown {
    return this.answer;
  }
}

/**
 * The tipsets whose logs a log filter collects as they come (or go), as Lotus's eventFilter.matchTipset
 * (chain/events/filter/event.go at b835fab70): one block's (a blockHash filter), or the epochs from its
 * fromBlock to its toBlock (`to` undefined: left out or 'latest', no end). `openStart`: fromBlock was
 * left out or 'latest', the head when it was installed; an evm_revert or anvil_rollback below that
 * head lowers `from` to the first epoch it dropped, so the filter collects the chain that follows, as
 * it would have from its install had the chain been that short (Lotus's chain never rewinds; ethers'
 * contract.on and viem's watchEvent keep their filter across a Hardhat loadFixture's revert).
 */
export type LogScope = { block: Hex } | { from: number; to?: number; openStart: boolean };

const inScope = (scope: LogScope, tipset: Tipset) =>
  'block' in scope ? scope.block === bytesToHex(tipset.hash) : tipset.epoch >= scope.from && (scope.to === undefined || tipset.epoch <= scope.to);

type Filter = (
  | { kind: 'logs'; criteria: LogCriteria; collected: (EthLog | CollectedLog | UpstreamLog)[]; scope: LogScope }
  | { kind: 'blocks'; collected: Hex[] }
  | { kind: 'pendingTransactions'; collected: Hex[] }
) & { lastTaken: number };

/** Lotus's Events.MaxFilterResults: past it a filter drops its oldest item for each new one. */
export const MAX_FILTER_RESULTS = 10_000;
/** Lotus's FilterTTL (1 h). Lotus counts from the last poll and, for a filter never polled, from the
 * epoch (so its first sweep removes it); here a filter never polled counts from its creation. */
export const FILTER_TTL_MS = 60 * 60 * 1000;
/** How often (at most) filters are checked against the TTL: when something is collected or installed. */
const SWEEP_INTERVAL_MS = 60 * 1000;

interface FilterLimits {
  /** Most filters installed at once (--max-filters). */
  maxFilters: number;
  maxResults: number;
  ttlMs: number;
  /** The wall clock (Lotus's TTL is wall time, not chain time). */
  now: () => number;
}

/** Filter and subscription IDs as Lotus makes them: 16 random bytes then 16 zero bytes. */
export function newFilterId(): Hex {
  return bytesToHex(concatBytes(randomBytes(16), new Uint8Array(16)));
}

export class Filters {
  private readonly filters = new Map<string, Filter>();
  private readonly limits: FilterLimits;
  private lastSweep: number;

  constructor(
    private readonly devnet: Devnet,
    limits: Partial<FilterLimits> = {},
  ) {
    this.limits = { maxFilters: DEFAULT_MAX_FILTERS, maxResults: MAX_FILTER_RESULTS, ttlMs: FILTER_TTL_MS, now: Date.now, ...limits };
    this.lastSweep = this.limits.now();
    devnet.events.on('tipset', (tipset) => this.onTipset(tipset));
    devnet.events.on('pending', (pending) => this.onPending(pending));
    devnet.events.on('reverting', (tipsets, kind) => {
      // A reset's chain is gone with its filters (anvil_reset clears them): nothing to collect.
      if (kind !== 'reset') this.onReverting(tipsets, kind === 'revert');
    });
  }

  private install(filter: Filter, prefill: readonly (EthLog | CollectedLog | UpstreamLog)[] = []): Hex {
    this.sweep();
    // Lotus's words at its MaxFilters (lotus:chain/events/filter/store.go ErrMaximumNumberOfFilters).
    if (this.filters.size >= this.limits.maxFilters) throw new DevnetError('maximum number of filters registered');
    const id = newFilterId();
    for (const item of prefill) this.collect(filter, item);
    this.filters.set(id, filter);
    return id;
  }

  /**
   * A log filter holding `prefill` (its past: on a fork, the upstream's logs first, then its own; a
   * dropped tipset's as collected logs, `removed`, as Lotus fills a filter with a reorged tipset's
   * reverted events), then what comes within `scope`: a blockHash filter's block (a revert's of it),
   * as Lotus's filter with a tipset CID collects only that tipset's events, or its range's epochs.
   */
  newLogFilter(criteria: LogCriteria, prefill: readonly (EthLog | CollectedLog | UpstreamLog)[], scope: LogScope): Hex {
    return this.install({ kind: 'logs', criteria, collected: [], lastTaken: this.limits.now(), scope }, prefill);
  }

  newBlockFilter(): Hex {
    return this.install({ kind: 'blocks', collected: [], lastTaken: this.limits.now() });
  }

  newPendingTransactionFilter(): Hex {
    return this.install({ kind: 'pendingTransactions', collected: [], lastTaken: this.limits.now() });
  }

  /** What the filter collected since the last poll (eth_getFilterChanges). */
  takeChanges(id: string): unknown[] {
    return this.take(this.found(id));
  }

  /** eth_getFilterLogs drains the same buffer in Lotus; only log filters have one. */
  takeLogs(id: string): unknown[] {
    const filter = this.found(id);
    if (filter.kind !== 'logs') throw new DevnetError('wrong filter type');
    return this.take(filter);
  }

  private found(id: string): Filter {
    this.sweep();
    const filter = this.filters.get(id.toLowerCase());
    if (!filter) throw new DevnetError('filter not found');
    return filter;
  }

  private take(filter: Filter): unknown[] {
    filter.lastTaken = this.limits.now();
    const taken = filter.collected.splice(0);
    if (filter.kind !== 'logs') return taken;
    return (taken as (EthLog | CollectedLog | UpstreamLog)[]).map((item) => {
      if (item instanceof UpstreamLog) return item;
      return 'log' in item ? new LogAnswer(item.log, item.removed, item.logIndex) : new LogAnswer(item);
    });
  }

  private collect(filter: Filter, item: EthLog | CollectedLog | UpstreamLog | Hex): void {
    if (filter.collected.length >= this.limits.maxResults) filter.collected.shift();
    (filter.collected as unknown[]).push(item);
  }

  /** Removes the filters not polled within the TTL, at most once per SWEEP_INTERVAL_MS. */
  private sweep(): void {
    const now = this.limits.now();
    if (now - this.lastSweep < Math.min(SWEEP_INTERVAL_MS, this.limits.ttlMs)) return;
    this.lastSweep = now;
    for (const [id, filter] of this.filters) if (now - filter.lastTaken > this.limits.ttlMs) this.filters.delete(id);
  }

  /** Whether filter `id` is installed (a filter past its TTL counts until the next sweep). */
  has(id: string): boolean {
    return this.filters.has(id);
  }

  uninstall(id: string): boolean {
    return this.filters.delete(id.toLowerCase());
  }

  /** Removes every filter (anvil_reset): what they collected belongs to a chain that is gone. */
  clear(): void {
    this.filters.clear();
  }

  private onTipset(tipset: Tipset): void {
    if (this.filters.size === 0) return;
    this.sweep();
    const blockHash = bytesToHex(tipset.hash);
    for (const filter of this.filters.values()) {
      if (filter.kind === 'blocks') this.collect(filter, blockHash);
      if (filter.kind === 'logs') this.collectLogs(filter, tipset, false);
    }
  }

  private collectLogs(filter: Filter & { kind: 'logs' }, tipset: Tipset, removed: boolean): void {
    if (!inScope(filter.scope, tipset)) return;
    for (const { log, logIndex } of filterMatches(this.devnet, tipset, filter.criteria)) {
      this.collect(filter, !removed && logIndex === log.logIndex ? log : { log, logIndex, removed });
    }
  }

  /** `tipsets`, newest first, leave the chain: their logs again, removed; `rewind` (not a reorg) lowers open starts (LogScope). */
  private onReverting(tipsets: readonly Tipset[], rewind: boolean): void {
    if (this.filters.size === 0) return;
    this.sweep();
    const firstDropped = tipsets[tipsets.length - 1]!.epoch;
    for (const filter of this.filters.values()) {
      if (filter.kind !== 'logs') continue;
      for (const tipset of tipsets) this.collectLogs(filter, tipset, true);
      const { scope } = filter;
      if (rewind && 'openStart' in scope && scope.openStart) scope.from = Math.min(scope.from, firstDropped);
    }
  }

  private onPending(pending: PendingMessage): void {
    if (this.filters.size === 0) return;
    this.sweep();
    // Every message the pool takes, native ones too (Lotus's MemPoolFilter collects every MpoolAdd).
    let hash: Hex | undefined;
    for (const filter of this.filters.values()) {
      if (filter.kind === 'pendingTransactions') this.collect(filter, (hash ??= bytesToHex(transactionHash(pending))));
    }
  }
}
