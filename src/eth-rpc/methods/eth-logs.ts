// Logs, filters and subscriptions: eth_getLogs, eth_newFilter, eth_newBlockFilter,
// eth_newPendingTransactionFilter, eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter,
// eth_subscribe, eth_unsubscribe.
import { DevnetError } from '../../common/errors.js';
import { bytesToHex, quantity, type Hex } from '../../common/hex.js';
import { defineMethod, withRawParams } from '../define-method.js';
import { parseCriteria, parseLogQuery, tipsetNotFound } from '../log-criteria.js';
import type { Filters } from '../filters.js';
import { unlessUnknown } from '../fork-lookups.js';
import { LogAnswer } from '../log-json.js';
import { MAX_FILTER_RESULTS, UpstreamLog } from '../filters.js';
import { keptLogs, matchesIndexedCriteria, type EthLog } from '../logs.js';
import { object, optional, parseHash, string, type Param } from '../params.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { LogQuery } from '../log-criteria.js';
import type { Subscriptions } from '../subscriptions.js';

/**
 * The logs of the query's range that match it, oldest first. As in Lotus (chain/index/events.go at
 * b835fab7), more than MAX_FILTER_RESULTS is an error once they come from more than one tipset; one
 * tipset's logs are answered whatever their number.
 */
function queryLogs(devnet: Devnet, query: LogQuery): EthLog[] {
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
    if (tipsetsMatched > 1 && answers.length > MAX_FILTER_RESULTS) throw new DevnetError('filter matches too many events, try a more restricted filter');
  }
  return answers;
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
 * chain/events/filter/event.go Fill, at b835fab70). A hash it does not hold is refused (review2 Q1):
 * the fill finds no events and looks the tipset up (chain/index/events.go GetEventsForFilter,
 * GetTipSetByCid), and the install fails with the lookup's error, as eth_getLogs of the hash does. On a
 * fork a block at or before the fork epoch is the upstream's (fork-routes.ts: eth_getLogs by blockHash).
 */
async function newBlockHashFilter(devnet: Devnet, filters: Filters, filter: Record<string, unknown>): Promise<Hex> {
  if (filter.fromBlock !== undefined || filter.toBlock !== undefined) throw new DevnetError('must not specify block hash and from/to block');
  const criteria = parseCriteria('filter', filter);
  const hash = parseHash('filter.blockHash', filter.blockHash);
  const { fork } = devnet;
  const held = devnet.chain.byBlockHash(hash);
  if (held && (!fork || held.epoch > fork.point.epoch)) return filters.newLogFilter(criteria, queryLogs(devnet, { criteria, from: held.epoch, to: held.epoch }), hash);
  const notFound = () => new DevnetError(`failed to install event filter: get events for filter: ${tipsetNotFound(hash)}`);
  if (!fork) throw notFound();
  const block = held ? { number: quantity(held.epoch) } : await unlessUnknown(fork.upstream.call<{ number?: string } | null>('eth_getBlockByHash', [bytesToHex(hash), false]));
  // The upstream's blocks past the fork epoch are not the fork's: unknown to it.
  if (block?.number === undefined || Number(block.number) > fork.point.epoch) throw notFound();
  const logs = await fork.upstream.call<unknown[]>('eth_getLogs', [filter]);
  return filters.newLogFilter(criteria, logs.map((log) => new UpstreamLog(log)), hash);
}

/** eth_newFilter's filter, with a blockHash or a block range. */
async function newFilter(devnet: Devnet, filters: Filters, filter: Record<string, unknown>): Promise<Hex> {
  if (filter.blockHash !== undefined && filter.blockHash !== null) return newBlockHashFilter(devnet, filters, filter);
  const query = parseLogQuery(devnet, 'filter', filter);
  // A filter starting in the past is filled from the chain first, as Lotus does (chain/events/filter/
  // event.go Install, Fill); on a fork, its part at or before the fork epoch from the upstream.
  if (filter.fromBlock === undefined || filter.fromBlock === 'latest') return filters.newLogFilter(query.criteria, []);
  if (!devnet.fork) return filters.newLogFilter(query.criteria, queryLogs(devnet, query));
  const forked = await upstreamLogs(devnet, filter, query);
  // Read again after the upstream's answer, with no await from here to the install: a tipset mined
  // meanwhile is in the prefill (its 'latest' is now that tipset), not lost between the two.
  const own = queryLogs(devnet, parseLogQuery(devnet, 'filter', filter));
  // Lotus's Fill refuses a filter matching more than its results from more than one tipset.
  if (forked.length > 0 && forked.length + own.length > MAX_FILTER_RESULTS) throw new DevnetError('filter matches too many events, try a more restricted filter');
  return filters.newLogFilter(query.criteria, [...forked, ...own]);
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
  defineMethod('eth_getLogs', [object('filter')], ({ devnet }, filter) => queryLogs(devnet, parseLogQuery(devnet, 'filter', filter)).map((log) => new LogAnswer(log))),

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
