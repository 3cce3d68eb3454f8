// eth_subscribe over one WebSocket connection: newHeads, logs and newPendingTransactions, pushed as
// `eth_subscription` notifications.
import { DevnetError } from '../common/errors.js';
import { bytesToHex, type Hex } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { PendingMessage } from '../mining/mempool.js';
import type { Tipset } from '../mining/tipset.js';
import { newFilterId } from './filters.js';
import { formatBlock, formatLog } from './format.js';
import { matchesCriteria, tipsetLogs, type LogCriteria } from './logs.js';

type Subscription = { kind: 'newHeads' } | { kind: 'logs'; criteria: LogCriteria } | { kind: 'newPendingTransactions' };

/** Lotus's gateway limit per connection. */
const MAX_SUBSCRIPTIONS = 100;

export class Subscriptions {
  private readonly subs = new Map<string, Subscription>();
  private readonly onTipset = (tipset: Tipset) => this.publishTipset(tipset);
  private readonly onPending = (pending: PendingMessage) => this.publishPending(pending);

  constructor(
    private readonly devnet: Devnet,
    private readonly send: (message: string) => void,
  ) {
    devnet.events.on('tipset', this.onTipset);
    devnet.events.on('pending', this.onPending);
  }

  subscribe(subscription: Subscription): Hex {
    if (this.subs.size >= MAX_SUBSCRIPTIONS) throw new DevnetError('too many subscriptions and filters per connection');
    const id = newFilterId();
    this.subs.set(id, subscription);
    return id;
  }

  unsubscribe(id: string): boolean {
    return this.subs.delete(id.toLowerCase());
  }

  /** Called when the connection closes. */
  close(): void {
    this.devnet.events.off('tipset', this.onTipset);
    this.devnet.events.off('pending', this.onPending);
    this.subs.clear();
  }

  private notify(subscription: string, result: unknown): void {
    this.send(JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription, result } }));
  }

  private publishTipset(tipset: Tipset): void {
    for (const [id, sub] of this.subs) {
      if (sub.kind === 'newHeads') this.notify(id, formatBlock(this.devnet, tipset, true));
      if (sub.kind === 'logs') {
        for (const log of tipsetLogs(this.devnet, tipset)) if (matchesCriteria(log, sub.criteria)) this.notify(id, formatLog(log));
      }
    }
  }

  private publishPending(pending: PendingMessage): void {
    if (!pending.ethTx) return;
    for (const [id, sub] of this.subs) if (sub.kind === 'newPendingTransactions') this.notify(id, bytesToHex(pending.ethTx.hash));
  }
}
