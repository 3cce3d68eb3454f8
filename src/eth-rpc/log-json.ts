// A log in eth_getLogs' answer. A long answer (list-answers.ts) copies in each log's JSON text,
// JSON.stringify of its Ethereum view (format.ts formatLog), kept for the logs answered last: a client
// polling a range asks for the same logs again, and copying their text costs a tenth of serialising
// views (~0.1 ms against ~1 ms for 1000 logs, in-process), with no strings for the collector. What is
// kept is bounded by size, not per log for the node's life. Serialised any other way (WebSocket,
// batches, short answers), a log is its view.
import { KeptLast } from '../common/kept-last.js';
import { formatLiveLog, formatLog } from './format.js';
import type { EthLog } from './logs.js';
import type { SelfWritten } from './list-answers.js';

/** Characters of JSON text kept (one byte each: the text is ASCII), ~7000 ERC-20 Transfer logs. */
export const KEPT_CHARS = 4 << 20;

/** Logs' JSON text, for the logs answered last. */
const texts = new KeptLast<EthLog, string>(KEPT_CHARS, (text) => text.length);

/** How many characters of logs' text are kept now (tests). */
export function keptChars(): number {
  return texts.size;
}

function jsonOf(log: EthLog): string {
  let text = texts.get(log);
  if (text !== undefined) return text;
  text = JSON.stringify(formatLog(log));
  texts.add(log, text);
  return text;
}

export class LogAnswer implements SelfWritten {
  /** Its JSON text, once a long answer writes it. */
  private text: string | undefined;

  /**
   * `removed`: a dropped tipset's log, as a filter reports it after a revert; `logIndex`: its number
   * as a filter numbers it. The text of either is not kept.
   */
  constructor(
    private readonly log: EthLog,
    private readonly removed = false,
    private readonly logIndex = log.logIndex,
  ) {}

  toJSON() {
    return this.removed || this.logIndex !== this.log.logIndex ? formatLiveLog(this.log, this.logIndex, this.removed) : formatLog(this.log);
  }

  get maxJsonBytes(): number {
    return this.json().length;
  }

  writeJson(buffer: Buffer, at: number): number {
    return at + buffer.write(this.json(), at, 'latin1');
  }

  private json(): string {
    return (this.text ??= this.removed || this.logIndex !== this.log.logIndex ? JSON.stringify(this.toJSON()) : jsonOf(this.log));
  }
}
