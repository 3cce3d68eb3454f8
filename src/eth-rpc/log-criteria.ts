// The filter object of eth_getLogs, eth_newFilter and `logs` subscriptions, parsed.
import { BlockRangeExceededError, DevnetError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import { cannotFindTipset } from './block-ref.js';
import { logCriteria, type LogCriteria } from './logs.js';
import { invalid, parseAddress, parseHash, parseSafeNumber } from './params.js';

/** Lotus's Events.MaxFilterHeightRange. */
export const MAX_FILTER_HEIGHT_RANGE = 2880;

export function parseCriteria(name: string, filter: Record<string, unknown>): LogCriteria {
  const { address, topics } = filter;
  const addresses =
    address === undefined || address === null
      ? []
      : Array.isArray(address)
        ? address.map((a, i) => parseAddress(`${name}.address[${i}]`, a))
        : [parseAddress(`${name}.address`, address)];
  if (topics !== undefined && topics !== null && !Array.isArray(topics)) throw invalid(`${name}.topics`, 'expected an array');
  const list = (topics as unknown[] | undefined) ?? [];
  if (list.length > 4) throw new DevnetError(`too many topics in filter: ${list.length}, max: 4`);
  // A position given as null or an empty list matches any topic (Lotus's parseEthTopics skips an empty one).
  return logCriteria(
    addresses,
    list.map((t, i) =>
      t === null || (Array.isArray(t) && t.length === 0) ? null : Array.isArray(t) ? t.map((x, j) => parseHash(`${name}.topics[${i}][${j}]`, x)) : [parseHash(`${name}.topics[${i}]`, t)],
    ),
  );
}

/**
 * Lotus's limit on the epochs one eth_getLogs or trace_filter covers (its parseBlockRange and
 * EthTraceFilter): checked on the whole range, before whether its blocks exist yet.
 */
export function checkBlockRange(from: number, to: number): void {
  if (to - from > MAX_FILTER_HEIGHT_RANGE) throw new BlockRangeExceededError(`block range exceeds maximum of ${MAX_FILTER_HEIGHT_RANGE} (got ${to - from})`);
}

const isLatest = (value: unknown) => value === undefined || value === null || value === '' || value === 'latest';

/** fromBlock/toBlock: only "latest", "earliest" or hex, as Lotus accepts them. */
function parseRangeBound(devnet: Devnet, label: 'FromBlock' | 'ToBlock', value: unknown): number {
  if (isLatest(value)) return devnet.head.epoch;
  if (value === 'earliest') return 0;
  if (typeof value !== 'string' || !value.startsWith('0x')) throw new DevnetError(`${label} is not a hex`);
  return parseSafeNumber(label, value);
}

export interface LogQuery {
  criteria: LogCriteria;
  from: number;
  to: number;
}

export function parseLogQuery(devnet: Devnet, name: string, filter: Record<string, unknown>): LogQuery {
  const criteria = parseCriteria(name, filter);
  if (filter.blockHash !== undefined && filter.blockHash !== null) {
    if (filter.fromBlock !== undefined || filter.toBlock !== undefined) throw new DevnetError('must not specify block hash and from/to block');
    const hash = parseHash(`${name}.blockHash`, filter.blockHash);
    const tipset = devnet.chain.byBlockHash(hash);
    if (!tipset) throw new DevnetError(tipsetNotFound(hash));
    return { criteria, from: tipset.epoch, to: tipset.epoch };
  }
  const from = parseRangeBound(devnet, 'FromBlock', filter.fromBlock);
  const to = parseRangeBound(devnet, 'ToBlock', filter.toBlock);
  // Lotus refuses an explicit end (a number or 'earliest') below the start; a start past 'latest' is not yet available.
  if (!isLatest(filter.toBlock) && from > to) throw new DevnetError(`invalid epoch range: to block (${to}) must be after from block (${from})`);
  checkBlockRange(from, to);
  if (Math.max(from, to) > devnet.head.epoch) throw new DevnetError('events for the requested block are not yet available');
  return { criteria, from, to };
}

/** Lotus's error for a blockHash it does not hold (node/impl/eth/events.go, chain/store/store.go GetTipSetByCid). */
export function tipsetNotFound(hash: Uint8Array): string {
  return `failed to get tipset by cid: ${cannotFindTipset(hash)}`;
}
