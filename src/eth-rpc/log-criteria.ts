// The filter object of eth_getLogs, eth_newFilter and `logs` subscriptions, parsed.
import { BlockRangeExceededError, DevnetError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Tipset } from '../mining/tipset.js';
import { cannotFindTipset } from './block-ref.js';
import { droppedTipsets } from './dropped-tipsets.js';
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
  /**
   * A blockHash naming a tipset a revert or reorg dropped: its logs are answered, `removed`, as Lotus
   * answers a reorged tipset's reverted events (chain/index/events.go: a query by tipset keeps them).
   */
  dropped?: Tipset;
}

/**
 * A log filter's spec as Lotus's parseEthFilterSpec reads it (node/impl/eth/events.go at b835fab70):
 * a block hash, or a range (RangeSpec); then its addresses and topics.
 */
type LogSpec = HashSpec | RangeSpec;

export interface HashSpec {
  criteria: LogCriteria;
  blockHash: Uint8Array;
}

/**
 * A spec's range as Lotus's parseBlockRange takes it: its ends checked against each other and the range
 * limit but not against the head; `openStart` when fromBlock is left out or 'latest' (the head), `openEnd`
 * when toBlock is (Lotus's maxHeight -1, which a live filter never reaches).
 */
export interface RangeSpec {
  criteria: LogCriteria;
  from: number;
  to: number;
  openStart: boolean;
  openEnd: boolean;
}

export function parseLogSpec(devnet: Devnet, name: string, filter: Record<string, unknown>): LogSpec {
  if (filter.blockHash === undefined || filter.blockHash === null) return parseRangeSpec(devnet, name, filter);
  if (filter.fromBlock !== undefined || filter.toBlock !== undefined) throw new DevnetError('must not specify block hash and from/to block');
  const blockHash = parseHash(`${name}.blockHash`, filter.blockHash);
  return { criteria: parseCriteria(name, filter), blockHash };
}

/** A spec without a blockHash (parseLogSpec). */
export function parseRangeSpec(devnet: Devnet, name: string, filter: Record<string, unknown>): RangeSpec {
  const from = parseRangeBound(devnet, 'FromBlock', filter.fromBlock);
  const to = parseRangeBound(devnet, 'ToBlock', filter.toBlock);
  const openEnd = isLatest(filter.toBlock);
  // Lotus refuses an explicit end (a number or 'earliest') below the start.
  if (!openEnd && from > to) throw new DevnetError(`invalid epoch range: to block (${to}) must be after from block (${from})`);
  checkBlockRange(from, to);
  return { criteria: parseCriteria(name, filter), from, to, openStart: isLatest(filter.fromBlock), openEnd };
}

/**
 * eth_getLogs' query (Lotus's ethGetEventsForFilter): the spec, whose errors Lotus prefixes `failed to
 * parse eth filter spec: `, then the block hash's tipset, then a range past 'latest' is not yet available.
 * The caller prefixes every error but the range limit's as EthGetLogs does (eth-logs.ts).
 */
export function parseLogQuery(devnet: Devnet, name: string, filter: Record<string, unknown>): LogQuery {
  let spec: LogSpec;
  try {
    spec = parseLogSpec(devnet, name, filter);
  } catch (e) {
    throw wrapped(e, 'failed to parse eth filter spec: ');
  }
  if ('blockHash' in spec) {
    const tipset = devnet.chain.byBlockHash(spec.blockHash);
    if (tipset) return { criteria: spec.criteria, from: tipset.epoch, to: tipset.epoch };
    const dropped = droppedTipsets(devnet).byBlockHash(spec.blockHash);
    if (!dropped) throw new DevnetError(tipsetNotFound(spec.blockHash));
    return { criteria: spec.criteria, from: dropped.epoch, to: dropped.epoch, dropped };
  }
  if (Math.max(spec.from, spec.to) > devnet.head.epoch) throw new DevnetError('events for the requested block are not yet available');
  return { criteria: spec.criteria, from: spec.from, to: spec.to };
}

/**
 * `e` with `prefix` before its message, as Go's xerrors.Errorf("prefix%w") wraps an error: a code-1
 * DevnetError only; an invalid parameter (-32602, the node's own) and the range limit (-32005, which
 * Lotus passes on unwrapped) stay as they are.
 */
export function wrapped(e: unknown, prefix: string): unknown {
  if (!(e instanceof DevnetError) || e.code !== 1 || e.constructor !== DevnetError) return e;
  return new DevnetError(prefix + e.message);
}

/** Lotus's error for a blockHash it does not hold (node/impl/eth/events.go, chain/store/store.go GetTipSetByCid). */
export function tipsetNotFound(hash: Uint8Array): string {
  return `failed to get tipset by cid: ${cannotFindTipset(hash)}`;
}
