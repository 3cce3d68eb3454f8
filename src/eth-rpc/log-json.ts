// A log in eth_getLogs' answer. A long answer (list-answers.ts) copies in each log's JSON, the bytes of
// JSON.stringify of its Ethereum view (format.ts formatLog), kept for the logs answered last: a client
// polling a range asks for the same logs again, and copying their bytes costs a tenth of serialising
// views (~0.1 ms against ~1 ms for 1000 logs, in-process), with no strings for the collector. They are
// kept as bytes, which the answer copies in with a typed array's set: writing a kept string instead (Buffer#write, a
// call into node's C++ per log) was a third of a steady query's instructions (docs/performance.md,
// logs4). Each kept log's bytes are its own (not a slice of node's shared pool), so what is kept is
// bounded by size, not per log for the node's life. Serialised any other way
// (WebSocket, batches, short answers), a log is its view.
import { KeptLast } from '../common/kept-last.js';
import { formatLiveLog, formatLog } from './format.js';
import type { EthLog } from './logs.js';
import type { SelfWritten } from './list-answers.js';

/** Bytes of JSON kept (the text is ASCII), ~7000 ERC-20 Transfer logs. */
export const KEPT_BYTES = 4 << 20;

/** Logs' JSON, for the logs answered last. */
const kept = new KeptLast<EthLog, Buffer>(KEPT_BYTES, (json) => json.length);

/** How many bytes of logs' JSON are kept now (tests). */
export function keptBytes(): number {
  return kept.size;
}

/** JSON text as bytes for one answer: a short one is a slice of node's shared 8 KiB pool slab. */
const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

/**
 * JSON text as bytes of their own, to keep: a kept pool slice would hold its whole slab, with whatever else
 * took from it between two logs (hex.ts's copies, every receipt and block formatted between two polls), up to
 * one slab a log, so the bound by size would not hold (review R106).
 */
function ownBytesOf(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(text.length);
  bytes.write(text, 'latin1');
  return bytes;
}

function jsonOf(log: EthLog): Buffer {
  let json = kept.get(log);
  if (json !== undefined) return json;
  json = ownBytesOf(JSON.stringify(formatLog(log)));
  kept.add(log, json);
  return json;
}

export class LogAnswer implements SelfWritten {
  /**
   * `removed`: a dropped tipset's log, as a filter reports it after a revert; `logIndex`: its number
   * as a filter numbers it. The JSON of either is not kept. A long answer asks for its bytes once.
   */
  constructor(
    private readonly log: EthLog,
    private readonly removed = false,
    private readonly logIndex = log.logIndex,
  ) {}

  /** Removed or renumbered: a filter's view of the log, not the one kept. */
  private get live(): boolean {
    return this.removed || this.logIndex !== this.log.logIndex;
  }

  toJSON() {
    return this.live ? formatLiveLog(this.log, this.logIndex, this.removed) : formatLog(this.log);
  }

  jsonBytes(): Buffer {
    return this.live ? bytesOf(JSON.stringify(this.toJSON())) : jsonOf(this.log);
  }
}
