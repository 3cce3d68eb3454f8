// eth_subscribe over one WebSocket connection: newHeads, logs and newPendingTransactions, pushed as
// `eth_subscription` notifications; and the Lotus channels (Filecoin.ChainNotify, MpoolSub), pushed
// as go-jsonrpc's `xrpc.ch.val` notifications.
import { DevnetError } from '../common/errors.js';
import { bytesToHex, type Hex } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { RevertKind } from '../devnet/events.js';
import type { PendingMessage } from '../mining/mempool.js';
import type { Tipset } from '../mining/tipset.js';
import { newFilterId, type Filters } from './filters.js';
import { formatBlock, formatLiveLog } from './format.js';
import { signedMessageJson, tipsetJson } from './lotus-json.js';
import type { RequestId } from './ws-cancels.js';
import { matchesCriteria, tipsetLogs, transactionHash, type EthLog, type LogCriteria } from './logs.js';

type Subscription = { kind: 'newHeads' } | { kind: 'logs'; criteria: LogCriteria } | { kind: 'newPendingTransactions' };

/** api.MpoolChange: a message joined the pool, or left it. */
const MPOOL_ADD = 0;
const MPOOL_REMOVE = 1;

/**
 * The eth_subscribe subscriptions and polling filters one WebSocket connection may hold together: a
 * Lotus gateway's default (lotus b835fab70 gateway/node.go DefaultEthMaxFiltersPerConn,
 * `--eth-max-filters-per-conn`), which calibnet's public endpoints apply; a full Lotus node has no
 * such limit. As the gateway counts (gateway/proxy_eth_v1.go EthSubscribe, addUserFilterLimited): the
 * connection's subscriptions and the filters it installed, not the Filecoin.* channels.
 */
const MAX_PER_CONNECTION = 16;

/**
 * The logIndex of every log eth_subscribe('logs') sends: Lotus's event filter pushes a subscription's
 * events before it counts them (chain/events/filter/event.go CollectEvents at b835fab70), so each has
 * EventIdx 0. Clients must not key live logs by (transactionHash, logIndex) on Lotus or the devnet.
 */
const SUBSCRIPTION_LOG_INDEX = 0;

/** How long one turn of the event loop spends sending a revert's removed logs before other clients get theirs. */
const REMOVED_LOGS_SLICE_MS = 8;

/** A log a revert dropped, for the subscription it matched: made into its notification only when sent. */
type RemovedLog = { subscription: string; log: EthLog };
/** An actor event a revert dropped, for the SubscribeActorEventsRaw channel it matched: serialised only when sent. */
type RevertedEvent = { channel: number; event: object };

/**
 * The subscriptions and channels open on the whole node, all connections together, and their cap
 * (--max-subscriptions): each notification a tipset brings is sent once per subscription, so many
 * connections' worth of them would slow every send.
 */
export class SubscriptionCount {
  open = 0;
  /**
   * The connection holding each eth_subscribe subscription: Lotus's subscription manager is
   * node-wide, so any connection, HTTP too, ends one by its id (node/impl/eth/events.go EthUnsubscribe).
   */
  private readonly holders = new Map<string, Subscriptions>();
  constructor(readonly max: number) {}

  /** Records that connection `by` holds subscription `id`, or, with none, that it has ended. */
  setHolder(id: string, by: Subscriptions | undefined): void {
    if (by) this.holders.set(id, by);
    else this.holders.delete(id);
  }

  /** Ends subscription `id` whichever connection made it; false for an unknown id, as Lotus answers. */
  unsubscribe(id: string): boolean {
    return this.holders.get(id.toLowerCase())?.unsubscribe(id) ?? false;
  }
}

export class Subscriptions {
  private readonly subs = new Map<string, Subscription>();
  /** Filecoin.ChainNotify and MpoolSub channels (go-jsonrpc numbers them per connection). */
  private readonly chainChannels = new Set<number>();
  private readonly mpoolChannels = new Set<number>();
  /** SubscribeActorEventsRaw channels: the events a tipset brings them, and whether the tipset ends them. */
  private readonly eventChannels = new Map<number, { eventsOf: (tipset: Tipset) => unknown[]; endsAt: (tipset: Tipset) => boolean }>();
  /** The channel each request id opened, for go-jsonrpc's `xrpc.cancel` of that id (cancelChannel); the latest under an id. */
  private readonly channelRequests = new Map<RequestId, number>();
  /** The polling filters this connection installed; those still installed count toward MAX_PER_CONNECTION. */
  private readonly filterIds = new Set<string>();
  /** Filters being installed (a fork's eth_newFilter waits for the upstream), counted meanwhile. */
  private installing = 0;
  private nextChannel = 1;
  private closed = false;
  /**
   * What this connection is still to be sent, in order, while a revert's removed logs and reverted
   * actor events go out a slice at a time: those, and the messages made meanwhile, which wait behind
   * them. Empty otherwise.
   */
  private queue: (RemovedLog | RevertedEvent | string)[] = [];
  private queueHead = 0;
  private readonly onTipset = (tipset: Tipset) => this.publishTipset(tipset);
  private readonly onPending = (pending: PendingMessage) => this.publishPending(pending);
  private readonly onReverting = (tipsets: readonly Tipset[], kind: RevertKind) => this.publishRevert(tipsets, kind);
  private readonly onReorged = () => this.publishReorg();
  /**
   * While anvil_reorg mines its new chain: the ChainNotify changes its reverts and new tipsets make,
   * sent as one message once it is done (`reorged`), as Lotus sends a reorg's (chain/store/store.go
   * reorgWorker: one notification of the reverts, then the applies).
   */
  private reorgChanges: object[] | undefined;

  constructor(
    private readonly devnet: Devnet,
    private readonly send: (message: string) => void,
    private readonly node = new SubscriptionCount(Infinity),
    /** The node's polling filters, to tell which of this connection's are still installed. */
    private readonly filters?: Filters,
  ) {
    devnet.events.on('tipset', this.onTipset);
    devnet.events.on('pending', this.onPending);
    devnet.events.on('reverting', this.onReverting);
    devnet.events.on('reorged', this.onReorged);
  }

  subscribe(subscription: Subscription): Hex {
    this.admitOne(true);
    const id = newFilterId();
    this.subs.set(id, subscription);
    this.node.setHolder(id, this);
    return id;
  }

  /** Subscriptions and channels this connection holds. */
  private held(): number {
    return this.subs.size + this.chainChannels.size + this.mpoolChannels.size + this.eventChannels.size;
  }

  /**
   * Installs a polling filter asked for over this connection, within MAX_PER_CONNECTION; the filter
   * itself is the node's (any connection polls or uninstalls it, as on a full Lotus node).
   */
  async installFilter(install: () => Hex | Promise<Hex>): Promise<Hex> {
    this.admitPerConnection();
    this.installing++;
    try {
      const id = await install();
      this.filterIds.add(id);
      return id;
    } finally {
      this.installing--;
    }
  }

  /** Whether polling filter `id` was installed over this connection and still is (a gateway's filters are the connection's: gateway-stateful.ts). */
  ownsFilter(id: string): boolean {
    const key = id.toLowerCase();
    return this.filterIds.has(key) && this.filters?.has(key) === true;
  }

  /** Uninstalls the polling filters installed over this connection, as a Lotus gateway does when the connection ends. */
  uninstallFilters(): void {
    for (const id of this.filterIds) this.filters?.uninstall(id);
    this.filterIds.clear();
  }

  /** Refuses one more subscription or filter past MAX_PER_CONNECTION, with the gateway's words (ErrTooManyFilters). */
  private admitPerConnection(): void {
    for (const id of this.filterIds) if (!this.filters?.has(id)) this.filterIds.delete(id);
    if (this.subs.size + this.filterIds.size + this.installing >= MAX_PER_CONNECTION) throw new DevnetError('too many subscriptions and filters per connection');
  }

  /**
   * Counts one more subscription or channel, or refuses it at a cap (code 1, as Lotus refuses at its
   * limits): --max-subscriptions for both, the connection's limit for a subscription.
   */
  private admitOne(subscription = false): void {
    // A request answered after its connection closed would hold a place nothing gives back.
    if (this.closed) throw new DevnetError('the connection is closed');
    if (subscription) this.admitPerConnection();
    if (this.node.open >= this.node.max) throw new DevnetError(`too many subscriptions on the node (${this.node.max}, --max-subscriptions)`);
    this.node.open++;
  }

  /**
   * Opens a Filecoin.ChainNotify channel: the answer is its number, then `xrpc.ch.val` notifications
   * carry head changes, first the current head, then each tipset applied.
   */
  chainNotify(currentHead: unknown): number {
    const channel = this.openChannel(this.chainChannels);
    // After the answer that names the channel has gone out.
    setImmediate(() => this.chainChannels.has(channel) && this.pushChannel(channel, [{ Type: 'current', Val: currentHead }]));
    return channel;
  }

  /** Opens a Filecoin.MpoolSub channel: an MpoolUpdate for each message that joins the pool (Type 0) or leaves it in a tipset (Type 1). */
  mpoolSub(): number {
    return this.openChannel(this.mpoolChannels);
  }

  /**
   * Opens a Filecoin.SubscribeActorEventsRaw channel: `backlog` first, then each tipset's events; the
   * channel closes (xrpc.ch.close) after the tipset `endsAt` names, or after the backlog when `ended`.
   */
  actorEvents(backlog: unknown[], eventsOf: (tipset: Tipset) => unknown[], endsAt: (tipset: Tipset) => boolean, ended: boolean): number {
    const channel = this.openChannel();
    if (ended) this.node.open--; // it closes after its backlog: nothing stays open
    else this.eventChannels.set(channel, { eventsOf, endsAt });
    setImmediate(() => {
      for (const event of backlog) this.pushChannel(channel, event);
      if (ended) this.closeChannel(channel);
    });
    return channel;
  }

  /**
   * Records that request `id` opened the channel its answer names (a number, or a promise of one), so
   * that an `xrpc.cancel` of `id` closes it; answers that answer.
   */
  openedBy(id: RequestId, answer: unknown): unknown {
    const named = (channel: unknown) => {
      if (typeof channel === 'number' && !this.closed) this.channelRequests.set(id, channel);
      return channel;
    };
    return answer instanceof Promise ? answer.then(named) : named(answer);
  }

  /**
   * Closes the channel request `id` opened, as Lotus does on go-jsonrpc's `xrpc.cancel` of it: the
   * cancel ends the handler's context, its channel closes, and the server sends `xrpc.ch.close` with
   * the channel's number (go-jsonrpc websocket.go cancelCtx, handleOutChans; lotus chain/store
   * store.go SubHeadChanges). Its place under the cap is freed. Nothing for a channel already closed.
   */
  cancelChannel(id: RequestId): void {
    const channel = this.channelRequests.get(id);
    if (channel === undefined) return;
    this.channelRequests.delete(id);
    if (this.chainChannels.delete(channel) || this.mpoolChannels.delete(channel) || this.eventChannels.delete(channel)) {
      this.node.open--;
      this.closeChannel(channel);
    }
  }

  private closeChannel(channel: number): void {
    for (const [id, opened] of this.channelRequests) if (opened === channel) this.channelRequests.delete(id);
    this.out(JSON.stringify({ jsonrpc: '2.0', method: 'xrpc.ch.close', params: [channel] }));
  }

  private openChannel(channels?: Set<number>): number {
    this.admitOne();
    const channel = this.nextChannel++;
    channels?.add(channel);
    return channel;
  }

  private pushChannel(channel: number, value: unknown): void {
    this.out(JSON.stringify({ jsonrpc: '2.0', method: 'xrpc.ch.val', params: [channel, value] }));
  }

  unsubscribe(id: string): boolean {
    const key = id.toLowerCase();
    const removed = this.subs.delete(key);
    if (removed) {
      this.node.open--;
      this.node.setHolder(key, undefined);
    }
    return removed;
  }

  /** Called when the connection closes (maybe more than once). */
  close(): void {
    this.closed = true;
    this.node.open -= this.held();
    this.devnet.events.off('tipset', this.onTipset);
    this.devnet.events.off('pending', this.onPending);
    this.devnet.events.off('reverting', this.onReverting);
    this.devnet.events.off('reorged', this.onReorged);
    for (const id of this.subs.keys()) this.node.setHolder(id, undefined);
    this.subs.clear();
    this.chainChannels.clear();
    this.mpoolChannels.clear();
    this.eventChannels.clear();
    this.channelRequests.clear();
  }

  private notify(subscription: string, result: unknown): void {
    this.out(JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription, result } }));
  }

  /** Sends a message, after what the queue still holds. */
  private out(message: string): void {
    if (this.queue.length > 0) this.queue.push(message);
    else this.send(message);
  }

  /**
   * Sends the queue in order, REMOVED_LOGS_SLICE_MS of it per turn of the event loop, so that a revert
   * of many tipsets full of logs (or actor events) does not hold every other client until its last is
   * sent (audit16 A9). The first slice goes at once: a loadFixture revert's few logs are sent before it
   * answers.
   */
  private drain(): void {
    const stop = performance.now() + REMOVED_LOGS_SLICE_MS;
    while (this.queueHead < this.queue.length && !this.closed) {
      const item = this.queue[this.queueHead++];
      if (typeof item === 'string') this.send(item);
      else if ('channel' in item) this.send(JSON.stringify({ jsonrpc: '2.0', method: 'xrpc.ch.val', params: [item.channel, { ...item.event, reverted: true }] }));
      // A subscription ended meanwhile is sent no more of them.
      else if (this.subs.has(item.subscription)) this.send(JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: item.subscription, result: formatLiveLog(item.log, SUBSCRIPTION_LOG_INDEX, true) } }));
      if ((this.queueHead & 63) === 0 && performance.now() > stop) break;
    }
    if (this.queueHead < this.queue.length && !this.closed) {
      setImmediate(() => this.drain());
      return;
    }
    this.queue = [];
    this.queueHead = 0;
  }

  private publishTipset(tipset: Tipset): void {
    if (this.reorgChanges) {
      if (this.chainChannels.size > 0) this.reorgChanges.push({ Type: 'apply', Val: tipsetJson(tipset) });
    } else {
      for (const channel of this.chainChannels) this.pushChannel(channel, [{ Type: 'apply', Val: tipsetJson(tipset) }]);
    }
    for (const [channel, { eventsOf, endsAt }] of this.eventChannels) {
      for (const event of eventsOf(tipset)) this.pushChannel(channel, event);
      if (endsAt(tipset)) {
        this.eventChannels.delete(channel);
        this.node.open--;
        this.closeChannel(channel);
      }
    }
    for (const channel of this.mpoolChannels) {
      for (const m of tipset.messages) this.pushChannel(channel, { Type: MPOOL_REMOVE, Message: signedMessageJson(m.signed, m.cid) });
    }
    for (const [id, sub] of this.subs) {
      if (sub.kind === 'newHeads') this.notify(id, formatBlock(this.devnet, tipset, true));
      if (sub.kind === 'logs') {
        for (const log of tipsetLogs(this.devnet, tipset)) if (matchesCriteria(log, sub.criteria)) this.notify(id, formatLiveLog(log, SUBSCRIPTION_LOG_INDEX, false));
      }
    }
  }

  /**
   * A revert's dropped tipsets (newest first): ChainNotify's `revert` head changes in one message, as
   * Lotus sends a reorg's (chain/store/store.go; anvil_reorg's with its new tipsets' `apply` changes
   * after them, publishReorg), each matching log again with `removed: true`, as
   * Lotus's event filter and geth send a reverted block's logs, and each matching actor event again
   * with `reverted: true` (Lotus node/impl/full/actor_events.go passes its event filter's reverts on).
   * Not for anvil_reset: the chain starts over rather than reorganises (Anvil sends its subscribers
   * nothing), and re-sending a long session's every log at once would hold every client for seconds
   * (audit16 A9).
   */
  private publishRevert(tipsets: readonly Tipset[], kind: RevertKind): void {
    const reverts = this.chainChannels.size > 0 ? tipsets.map((tipset) => ({ Type: 'revert', Val: tipsetJson(tipset) })) : [];
    if (kind === 'reorg') this.reorgChanges = reverts;
    else for (const channel of this.chainChannels) this.pushChannel(channel, reverts);
    if (kind === 'reset') return;
    // Matched now, while the tipsets are still on the chain; sent from the queue.
    const draining = this.queue.length > 0;
    for (const [channel, { eventsOf }] of this.eventChannels) {
      for (const tipset of tipsets) for (const event of eventsOf(tipset)) this.queue.push({ channel, event: event as object });
    }
    for (const [id, sub] of this.subs) {
      if (sub.kind !== 'logs') continue;
      for (const tipset of tipsets) {
        for (const log of tipsetLogs(this.devnet, tipset)) if (matchesCriteria(log, sub.criteria)) this.queue.push({ subscription: id, log });
      }
    }
    if (!draining && this.queue.length > 0) this.drain();
  }

  /** anvil_reorg's new chain is mined: its reverts and applies go to each ChainNotify channel as one head change. */
  private publishReorg(): void {
    const changes = this.reorgChanges;
    this.reorgChanges = undefined;
    if (changes && changes.length > 0) for (const channel of this.chainChannels) this.pushChannel(channel, changes);
  }

  private publishPending(pending: PendingMessage): void {
    for (const channel of this.mpoolChannels) this.pushChannel(channel, { Type: MPOOL_ADD, Message: signedMessageJson(pending.signed, pending.cid) });
    // Every message the pool takes, native ones by the hash eth_getTransactionByHash finds them by once mined, as Lotus reports them.
    for (const [id, sub] of this.subs) if (sub.kind === 'newPendingTransactions') this.notify(id, bytesToHex(transactionHash(pending)));
  }
}
