// Logs, filters and subscriptions: eth_getLogs, eth_newFilter, eth_newBlockFilter,
// eth_newPendingTransactionFilter, eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter,
// eth_subscribe, eth_unsubscribe.
import { DevnetError } from '../../common/errors.js';
import { bytesToHex, quantity, type Hex } from '../../common/hex.js';
import { defineMethod, withRawParams } from '../define-method.js';
import { parseCriteria, parseLogQuery, parseLogSpec, parseRangeSpec, tipsetNotFound, wrapped, type HashSpec, type RangeSpec } from '../log-criteria.js';
import type { Filters } from '../filters.js';
import { blockLogs, droppedTipsets } from '../dropped-tipsets.js';
import { upstreamEpochOf } from '../fork-lookups.js';
import { LogAnswer } from '../log-json.js';
import { MAX_FILTER_RESULTS, UpstreamLog, type CollectedLog, type LogScope } from '../filters.js';
import { keptLogs, matchesIndexedCriteria, type EthLog, type LogCriteria } from '../logs.js';
import { object, optional, string, type Param } from '../params.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { Tipset } from '../../mining/tipset.js';
import type { LogQuery } from '../log-criteria.js';
import type { Subscriptions } from '../subscriptions.js';

/** Lotus's chain index refusing a query (chain/index/events.go ErrMaxResultsReached), which each caller wraps in its own words. */
const TOO_MANY_EVENTS = 'filter matches too many events, try a more restricted filter';

/** How Lotus's filter install (Install, Fill) prefixes its chain index's errors. */
const INSTALL = 'failed to install event filter: get events for filter: ';

/**
 * The logs of the query's range that match it, oldest first. As in Lotus (chain/index/events.go at
 * b835fab7), more than MAX_FILTER_RESULTS is an error once they come from more than one tipset; one
 * tipset's logs are answered whatever their number; `refused` is that error in the caller's words.
 */
function queryLogs(devnet: Devnet, query: LogQuery, refused: string): EthLog[] {
  const answers: EthLog[] = [];
  const kept = keptLogs(devnet);
  let tipsetsMatched = 0;
  // Index loops: for…of here allocated its iterators' results (~0.1 MB a query of 1000 tipsets, allocation profile).
  const tipsets = devnet.chain.rangeWithEvents(query.from, query.to);
  for (let t = 0; t < tipsets.length; t++) {
    const before = answers.length;
    const logs = kept.of(tipsets[t]);
    for (let i = 0; i < logs.length; i++) if (matchesIndexedCriteria(logs[i], query.criteria)) answers.push(logs[i]);
    if (answers.length > before) tipsetsMatched++;
    if (tipsetsMatched > 1 && answers.length > MAX_FILTER_RESULTS) throw new DevnetError(refused);
  }
  return answers;
}

/** A dropped tipset's logs (those made before it left the chain) that match `criteria`. */
function droppedLogs(devnet: Devnet, tipset: Tipset, criteria: LogCriteria): EthLog[] {
  return blockLogs(devnet, tipset).logs.filter((log) => matchesIndexedCriteria(log, criteria));
}

/**
 * eth_getLogs, whose errors Lotus's EthGetLogs prefixes `failed to get events for filter: ` (its chain
 * index's refusal after `failed to get events for filter from chain indexer: `), all but the range
 * limit's -32005 (node/impl/eth/events.go at b835fab70).
 */
function getLogs(devnet: Devnet, filter: Record<string, unknown>): LogAnswer[] {
  let query: LogQuery;
  try {
    query = parseLogQuery(devnet, 'filter', filter);
  } catch (e) {
    throw wrapped(e, 'failed to get events for filter: ');
  }
  if (query.dropped) return droppedLogs(devnet, query.dropped, query.criteria).map((log) => new LogAnswer(log, true));
  const refused = 'failed to get events for filter: failed to get events for filter from chain indexer: ' + TOO_MANY_EVENTS;
  const logs = queryLogs(devnet, query, refused);
  // An index loop into a list of its length: map() and its callback cost ~150 instructions a log (logs4).
  const answers = new Array<LogAnswer>(logs.length);
  for (let i = 0; i < logs.length; i++) answers[i] = new LogAnswer(logs[i]);
  return answers;
}

/**
 * A new filter's past logs, from its fromBlock up to its toBlock or the head, as Lotus's Fill takes them
 * from its index when the range starts before the head (none when it starts past it: the filter
 * collects its blocks as they come). Its index's refusal is Lotus's install error.
 */
function pastLogs(devnet: Devnet, criteria: LogCriteria, from: number, to: number): EthLog[] {
  if (from > devnet.head.epoch) return [];
  return queryLogs(devnet, { criteria, from, to: Math.min(to, devnet.head.epoch) }, INSTALL + TOO_MANY_EVENTS);
}

/**
 * On a fork, the logs a query's range has at or before the fork epoch, as the upstream answers
 * eth_getLogs for that part (the fork's own chain starts at the fork epoch, its first tipset without
 * the upstream's messages); none elsewhere.
 */
async function upstreamLogs(devnet: Devnet, filter: Record<string, unknown>, query: LogQuery): Promise<UpstreamLog[]> {
  const { fork } = devnet;
  if (!fork || filter.blockHash !== undefined || query.from > fork.point.epoch) return [];
  const part = { ...filter, fromBlock: quantity(query.from), toBlock: quantity(Math.min(query.to, fork.point.epoch)) };
  const logs = await fork.upstream.call<unknown[]>('eth_getLogs', [part]);
  return logs.map((log) => new UpstreamLog(log));
}

/**
 * eth_newFilter with a blockHash (fidaudit4 V21): Lotus takes the hash as the filter's tipset CID and
 * fills the filter with that tipset's events (node/impl/eth/events.go parseEthFilterSpec,
 * chain/events/filter/event.go Fill, at b835fab70); a tipset a revert or reorg dropped too, whose
 * events its chain index keeps reverted (chain/index/events.go: no `reverted` clause with a tipset
 * CID), polled as `removed: true`. A hash it does not hold is refused (review2 Q1):
 * the fill finds no events and looks the tipset up (chain/index/events.go GetEventsForFilter,
 * GetTipSetByCid), and the install fails with the lookup's error, as eth_getLogs of the hash does. On a
 * fork a block at or before the fork epoch is the upstream's (fork-routes.ts: eth_getLogs by blockHash).
 */
async function newBlockHashFilter(devnet: Devnet, filters: Filters, filter: Record<string, unknown>, { criteria, blockHash: hash }: HashSpec): Promise<Hex> {
  const { fork } = devnet;
  const held = devnet.chain.byBlockHash(hash);
  const scope = { block: bytesToHex(hash) };
  if (held && (!fork || held.epoch > fork.point.epoch)) return filters.newLogFilter(criteria, queryLogs(devnet, { criteria, from: held.epoch, to: held.epoch }, INSTALL + TOO_MANY_EVENTS), scope);
  // A dropped tipset is the node's own (on a fork, above the fork epoch: a revert stays there).
  const dropped = held ? undefined : droppedTipsets(devnet).byBlockHash(hash);
  if (dropped) {
    const removed: CollectedLog[] = droppedLogs(devnet, dropped, criteria).map((log) => ({ log, logIndex: log.logIndex, removed: true }));
    return filters.newLogFilter(criteria, removed, scope);
  }
  const notFound = () => new DevnetError(INSTALL + tipsetNotFound(hash));
  if (!fork) throw notFound();
  const epoch = held ? held.epoch : await upstreamEpochOf(fork, hash);
  // The upstream's blocks past the fork epoch are not the fork's: unknown to it.
  if (epoch === undefined || epoch > fork.point.epoch) throw notFound();
  const logs = await fork.upstream.call<unknown[]>('eth_getLogs', [filter]);
  return filters.newLogFilter(criteria, logs.map((log) => new UpstreamLog(log)), scope);
}

/** The epochs a range filter collects as they come (filters.ts LogScope). */
const rangeScope = (spec: RangeSpec): LogScope => ({ from: spec.from, to: spec.openEnd ? undefined : spec.to, openStart: spec.openStart });

/**
 * eth_newFilter's filter, with a blockHash or a block range. The spec's errors are Lotus's own words
 * (EthNewFilter returns them unwrapped); a range may start or end past the head, as Lotus installs it,
 * and the filter collects only its range's blocks as they come.
 */
async function newFilter(devnet: Devnet, filters: Filters, filter: Record<string, unknown>): Promise<Hex> {
  const spec = parseLogSpec(devnet, 'filter', filter);
  if ('blockHash' in spec) return newBlockHashFilter(devnet, filters, filter, spec);
  // A filter starting at or before the head is filled from the chain first, as Lotus does (chain/events/
  // filter/event.go Install, Fill); on a fork, its part at or before the fork epoch from the upstream.
  // Its fromBlock left out or 'latest' is the latest block, whose logs it starts with: Lotus takes it
  // as the latest executed tipset (head − 1, parseEthFilterSpec) and fills from there.
  if (!devnet.fork) return filters.newLogFilter(spec.criteria, pastLogs(devnet, spec.criteria, spec.from, spec.to), rangeScope(spec));
  const forked = await upstreamLogs(devnet, filter, spec);
  // Read again after the upstream's answer, with no await from here to the install: a tipset mined
  // meanwhile is in the prefill (its 'latest' is now that tipset), not lost between the two.
  const again = parseRangeSpec(devnet, 'filter', filter);
  const own = pastLogs(devnet, again.criteria, again.from, again.to);
  // Lotus's Fill refuses a filter matching more than its results from more than one tipset.
  if (forked.length > 0 && forked.length + own.length > MAX_FILTER_RESULTS) throw new DevnetError(INSTALL + TOO_MANY_EVENTS);
  return filters.newLogFilter(spec.criteria, [...forked, ...own], rangeScope(again));
}

/** A filter asked for over a WebSocket counts toward the connection's limit, as a Lotus gateway counts it (subscriptions.ts). */
function counted(subscriptions: Subscriptions | undefined, install: () => Hex | Promise<Hex>): Hex | Promise<Hex> {
  return subscriptions ? subscriptions.installFilter(install) : install();
}

/** How Go's encoding/json names a JSON value's type in its "cannot unmarshal" error. */
const goJsonType = (value: unknown): string => (Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value);

/** A value of another JSON type than eth_subscribe's param takes: Lotus's decoding error (code 1, Go's words). */
const undecodable = (value: unknown, goType: string) => new DevnetError(`decoding params: json: cannot unmarshal ${goJsonType(value)} into Go value of type ${goType}`);

/**
 * eth_subscribe's params, which Lotus decodes itself (lotus b835fab70 chain/types/ethtypes/eth_types.go
 * EthSubscribeParams.UnmarshalJSON; node/impl/eth/events.go EthSubscribe wraps its error): the event
 * type a string (null decodes to "", an unsupported type), the options an object or null. Geth's
 * full-transaction flag (`["newPendingTransactions", true]`) is such an error there.
 */
const eventType: Param<string> = {
  name: 'eventType',
  parse: (v) => {
    if (v === null) return '';
    if (typeof v !== 'string') throw undecodable(v, 'string');
    return v;
  },
};
const subscriptionParams: Param<Record<string, unknown>> = {
  name: 'params',
  parse: (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw undecodable(v, 'ethtypes.EthSubscriptionParams');
    return v as Record<string, unknown>;
  },
};

export const ethLogs = [
  defineMethod('eth_getLogs', [object('filter')], ({ devnet }, filter) => getLogs(devnet, filter)),

  defineMethod('eth_newFilter', [object('filter')], ({ devnet, filters, subscriptions }, filter) => counted(subscriptions, () => newFilter(devnet, filters, filter))),
  defineMethod('eth_newBlockFilter', [], ({ filters, subscriptions }) => counted(subscriptions, () => filters.newBlockFilter())),
  defineMethod('eth_newPendingTransactionFilter', [], ({ filters, subscriptions }) => counted(subscriptions, () => filters.newPendingTransactionFilter())),

  defineMethod('eth_getFilterChanges', [string('filterId')], ({ filters }, id) => filters.takeChanges(id)),
  defineMethod('eth_getFilterLogs', [string('filterId')], ({ filters }, id) => filters.takeLogs(id)),
  defineMethod('eth_uninstallFilter', [string('filterId')], ({ filters }, id) => filters.uninstall(id)),

  withRawParams(defineMethod('eth_subscribe', [eventType, optional(subscriptionParams)], ({ subscriptions }, type, params) => {
    if (!subscriptions) throw new DevnetError("connection doesn't support callbacks");
    switch (type) {
      case 'newHeads':
        return subscriptions.subscribe({ kind: 'newHeads' });
      case 'newPendingTransactions':
        return subscriptions.subscribe({ kind: 'newPendingTransactions' });
      case 'logs':
        return subscriptions.subscribe({ kind: 'logs', criteria: parseCriteria('params', params ?? {}) });
      default:
        throw new DevnetError(`unsupported event type: ${type}`);
    }
  })),

  // Lotus's subscriptions are the node's, not a connection's: any connection, HTTP too, ends one by
  // its id, and an unknown id is false (node/impl/eth/events.go EthUnsubscribe).
  defineMethod('eth_unsubscribe', [string('subscriptionId')], ({ subscriptions, nodeSubscriptions }, id) =>
    (nodeSubscriptions ?? subscriptions)?.unsubscribe(id) ?? false,
  ),
];
