// Actor events seen as Ethereum logs (Lotus ethtypes.EthLogFromEvent), and log filtering.
import { isMaskedId, maskedId, maskedIdAddress } from '../common/address.js';
import { BytesSet } from '../common/bytes-set.js';
import { decodeCbor, RAW } from '../common/cbor.js';
import { KeptLast } from '../common/kept-last.js';
import type { Devnet } from '../devnet/devnet.js';
import { ethAddressOf } from '../fevm/actors/lifecycle.js';
import type { ActorEvent } from '../fevm/types.js';
import { loggedMessagesOf, type LoggedMessage, type Tipset } from '../mining/tipset.js';

export interface EthLog {
  address: Uint8Array;
  /** The emitter's actor ID (a query of the chain matches a masked ID address on it). */
  emitter: number;
  topics: Uint8Array[];
  data: Uint8Array;
  /** Counts every event of the tipset, as Lotus's chain index numbers logs (eth_getLogs). */
  logIndex: number;
  transactionIndex: number;
  transactionHash: Uint8Array;
  blockHash: Uint8Array;
  blockNumber: number;
}

export interface LogCriteria {
  /** Empty: any address. */
  addresses: BytesSet;
  /**
   * The addresses as the chain's index reads them (matchesIndexedCriteria): masked IDs' actor IDs (one
   * past a safe integer as undefined, which no emitter matches), and the others.
   */
  ids: ReadonlySet<number | undefined>;
  others: BytesSet;
  /** Per position: null matches anything, otherwise any of the listed topics. */
  topics: (BytesSet | null)[];
}

/** A filter's addresses and topics, as sets: a filter may list thousands, each new log is matched against them. */
export function logCriteria(addresses: Uint8Array[], topics: (Uint8Array[] | null)[]): LogCriteria {
  return {
    addresses: new BytesSet(addresses),
    ids: new Set(addresses.filter(isMaskedId).map(maskedId)),
    others: new BytesSet(addresses.filter((a) => !isMaskedId(a))),
    topics: topics.map((wanted) => (wanted === null ? null : new BytesSet(wanted))),
  };
}

/**
 * The Ethereum hash of a message, mined or pending: its transaction's hash, or the digest of a native
 * message's CID (Lotus ethTxHashFromSignedMessage: a secp message's signed CID, a BLS one's unsigned CID).
 */
export function transactionHash(message: Pick<LoggedMessage, 'cid' | 'ethTx'>): Uint8Array {
  return message.ethTx?.hash ?? message.cid.multihash.digest;
}

/** Topics t1..t4 and data d, raw codec, no gaps or duplicates; anything else is not an EVM log. */
function eventToLog(event: ActorEvent): { topics: Uint8Array[]; data: Uint8Array } | undefined {
  const topics: Uint8Array[] = [];
  let data: Uint8Array | undefined;
  for (const entry of event.entries) {
    if (entry.codec !== RAW) return undefined;
    if (entry.key === 'd') {
      if (data) return undefined;
      data = entry.value;
      continue;
    }
    const match = /^t([1-4])$/.exec(entry.key);
    if (!match) continue;
    if (Number(match[1]) !== topics.length + 1 || entry.value.length !== 32) return undefined;
    topics.push(entry.value);
  }
  return { topics, data: data ?? new Uint8Array() };
}

/**
 * A devnet's tipsets' logs, made on a tipset's first read and kept for the tipsets read last, counted in
 * logs (a tipset without any counts one): the ranges clients poll stay made, and a query over the whole
 * chain does not keep its logs (and a cold tipset's decoded events) for the node's life.
 */
export const KEPT_LOGS = 8192;
const NO_LOGS: readonly EthLog[] = Object.freeze([]);

class KeptLogs {
  private readonly kept = new KeptLast<Tipset, readonly EthLog[]>(KEPT_LOGS, (logs) => Math.max(1, logs.length));

  constructor(private readonly devnet: Devnet) {}

  /** How many logs are kept now, as KEPT_LOGS counts them (tests). */
  get size(): number {
    return this.kept.size;
  }

  of(tipset: Tipset): readonly EthLog[] {
    const kept = this.kept.get(tipset);
    if (kept) return kept;
    const messages = loggedMessagesOf(tipset);
    if (messages.length === 0) return NO_LOGS;
    const logs = makeLogs(this.devnet, tipset, messages);
    this.kept.add(tipset, logs);
    return logs;
  }

  /** Lets the logs of `tipsets` go (tipsets a revert drops: the chain's others and their logs stay as they are). */
  forget(tipsets: readonly Tipset[]): void {
    for (const tipset of tipsets) this.kept.delete(tipset);
  }

  clear(): void {
    this.kept.clear();
  }
}

const byDevnet = new WeakMap<Devnet, KeptLogs>();

/**
 * The devnet's kept logs; made by the server at start, to hear every revert. A tipset holds its
 * ancestry, so a kept one would keep a dropped or replaced chain: those a revert drops (evm_revert,
 * anvil_rollback, anvil_reorg, anvil_reset) leave with it, and a replaced chain (anvil_loadState, a
 * fork) empties them. The tipsets below a revert's point stay kept: their logs are what they were,
 * and a test suite reverting after every test reads them again.
 */
export function keptLogs(devnet: Devnet): KeptLogs {
  let kept = byDevnet.get(devnet);
  if (!kept) {
    const made = new KeptLogs(devnet);
    // Let go once the revert is done: another listener of 'reverting' (dropped-tipsets.ts) may read their logs after this one.
    let dropped: readonly Tipset[] = [];
    devnet.events.on('reverting', (tipsets) => (dropped = tipsets));
    devnet.events.on('rewound', (kind) => {
      if (kind === 'replace') made.clear();
      else made.forget(dropped);
      dropped = [];
    });
    byDevnet.set(devnet, (kept = made));
  }
  return kept;
}

export function tipsetLogs(devnet: Devnet, tipset: Tipset): readonly EthLog[] {
  return keptLogs(devnet).of(tipset);
}

function makeLogs(devnet: Devnet, tipset: Tipset, messages: readonly LoggedMessage[]): readonly EthLog[] {
  const logs: EthLog[] = [];
  const state = devnet.stateAt(tipset.epoch);
  let logIndex = 0;
  for (const message of messages) {
    for (const event of message.receipt.events) {
      const index = logIndex++;
      const converted = eventToLog(event);
      const emitter = state.getActor(event.emitter);
      if (!converted || !emitter) continue;
      logs.push({
        address: ethAddressOf(emitter),
        emitter: emitter.id,
        ...converted,
        logIndex: index,
        transactionIndex: message.index,
        transactionHash: transactionHash(message),
        blockHash: tipset.hash,
        blockNumber: tipset.epoch,
      });
    }
  }
  return logs.length > 0 ? logs : NO_LOGS;
}

/** An index loop: every() with a closure over the log allocated the closure's context per log (~0.1 KB). */
function matchesTopics(log: EthLog, topics: LogCriteria['topics']): boolean {
  for (let i = 0; i < topics.length; i++) {
    const wanted = topics[i];
    if (wanted !== null && (log.topics[i] === undefined || !wanted.has(log.topics[i]))) return false;
  }
  return true;
}

/** A new log against a live filter or subscription: by the log's own address, as Lotus's filters match the emitter's robust address. */
export function matchesCriteria(log: EthLog, criteria: LogCriteria): boolean {
  if (!criteria.addresses.empty && !criteria.addresses.has(log.address)) return false;
  return matchesTopics(log, criteria.topics);
}

/**
 * A tipset's logs that a polling filter collects, numbered as Lotus's event filter numbers them
 * (chain/events/filter/event.go CollectEvents at b835fab70): by how many of the tipset's events
 * matched the filter before it. Builtin actors' events count too when they match (a filter without
 * topics, by their emitter's address), though they are no logs.
 */
export function filterMatches(devnet: Devnet, tipset: Tipset, criteria: LogCriteria): { log: EthLog; logIndex: number }[] {
  const logs = tipsetLogs(devnet, tipset);
  const matches: { log: EthLog; logIndex: number }[] = [];
  const topicless = criteria.topics.every((wanted) => wanted === null);
  let matched = 0;
  let next = 0;
  let eventIndex = 0;
  for (const message of tipset.messages) {
    for (const event of message.receipt.events) {
      if (logs[next]?.logIndex === eventIndex++) {
        const log = logs[next++];
        if (matchesCriteria(log, criteria)) matches.push({ log, logIndex: matched++ });
      } else if (topicless && (criteria.addresses.empty || criteria.addresses.has(emitterAddress(devnet, tipset, event.emitter)))) {
        matched++;
      }
    }
  }
  return matches;
}

/** An emitter's address as a filter matches it: its f410, else its masked ID. */
function emitterAddress(devnet: Devnet, tipset: Tipset, id: number): Uint8Array {
  const actor = devnet.stateAt(tipset.epoch).getActor(id);
  return actor ? ethAddressOf(actor) : maskedIdAddress(id);
}

/**
 * A log of the chain against eth_getLogs (or a new filter's past), as Lotus's chain index matches it
 * (lotus:node/impl/eth/events.go parseEthFilterSpec, chain/index/events.go at b835fab7): a masked ID
 * address matches the emitter's actor ID, any other address its f410; when both kinds are listed a log
 * must match one of each (the index ANDs the two clauses).
 */
export function matchesIndexedCriteria(log: EthLog, criteria: LogCriteria): boolean {
  const { ids, others } = criteria;
  return (ids.size === 0 || ids.has(log.emitter)) && (others.empty || others.has(log.address)) && matchesTopics(log, criteria.topics);
}

/** Decodes the EAM's CreateExternal return [actor id, robust address, eth address] for the eth address. */
export function createdEthAddress(returnData: Uint8Array): Uint8Array | undefined {
  try {
    const [, , eth] = decodeCbor<[number, Uint8Array, Uint8Array]>(returnData);
    return eth instanceof Uint8Array && eth.length === 20 ? eth : undefined;
  } catch {
    return undefined;
  }
}
