// Polling filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter): each collects
// what happens after it is installed until it is polled.
import { randomBytes } from 'node:crypto';
import { DevnetError } from '../common/errors.js';
import { bytesToHex, concatBytes, type Hex } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { PendingMessage } from '../mining/mempool.js';
import type { Tipset } from '../mining/tipset.js';
import { formatLog } from './format.js';
import { matchesCriteria, tipsetLogs, type LogCriteria } from './logs.js';

type Filter =
  | { kind: 'logs'; criteria: LogCriteria; collected: unknown[] }
  | { kind: 'blocks'; collected: Hex[] }
  | { kind: 'pendingTransactions'; collected: Hex[] };

/** Lotus's MaxFilters. */
const MAX_FILTERS = 100;

/** Filter and subscription IDs as Lotus makes them: 16 random bytes then 16 zero bytes. */
export function newFilterId(): Hex {
  return bytesToHex(concatBytes(randomBytes(16), new Uint8Array(16)));
}

export class Filters {
  private readonly filters = new Map<string, Filter>();

  constructor(private readonly devnet: Devnet) {
    devnet.events.on('tipset', (tipset) => this.onTipset(tipset));
    devnet.events.on('pending', (pending) => this.onPending(pending));
  }

  install(filter: Filter, prefill: unknown[] = []): Hex {
    if (this.filters.size >= MAX_FILTERS) throw new DevnetError('maximum number of filters registered');
    const id = newFilterId();
    filter.collected.push(...(prefill as never[]));
    this.filters.set(id, filter);
    return id;
  }

  newLogFilter(criteria: LogCriteria, prefill: unknown[]): Hex {
    return this.install({ kind: 'logs', criteria, collected: [] }, prefill);
  }

  newBlockFilter(): Hex {
    return this.install({ kind: 'blocks', collected: [] });
  }

  newPendingTransactionFilter(): Hex {
    return this.install({ kind: 'pendingTransactions', collected: [] });
  }

  /** What the filter collected since the last poll (eth_getFilterChanges). */
  takeChanges(id: string): unknown[] {
    const filter = this.filters.get(id.toLowerCase());
    if (!filter) throw new DevnetError('filter not found');
    return filter.collected.splice(0);
  }

  /** eth_getFilterLogs drains the same buffer in Lotus; only log filters have one. */
  takeLogs(id: string): unknown[] {
    const filter = this.filters.get(id.toLowerCase());
    if (!filter) throw new DevnetError('filter not found');
    if (filter.kind !== 'logs') throw new DevnetError('wrong filter type');
    return filter.collected.splice(0);
  }

  uninstall(id: string): boolean {
    return this.filters.delete(id.toLowerCase());
  }

  private onTipset(tipset: Tipset): void {
    if (this.filters.size === 0) return;
    const logs = tipsetLogs(this.devnet, tipset);
    for (const filter of this.filters.values()) {
      if (filter.kind === 'blocks') filter.collected.push(bytesToHex(tipset.hash));
      if (filter.kind === 'logs') {
        for (const log of logs) if (matchesCriteria(log, filter.criteria)) filter.collected.push(formatLog(log));
      }
    }
  }

  private onPending(pending: PendingMessage): void {
    for (const filter of this.filters.values()) {
      if (filter.kind === 'pendingTransactions' && pending.ethTx) filter.collected.push(bytesToHex(pending.ethTx.hash));
    }
  }
}
