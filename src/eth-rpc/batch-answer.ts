// A batch's answers as one JSON text, bounded in size as geth bounds them (rpc/handler.go handleBatch,
// BatchResponseMaxSize, 25 MB by default): each answer is serialised as soon as it is ready, and once
// the answers written pass the bound, that answer and every later one is geth's error -32003
// "response too large"; the dispatcher runs no request of the batch from then on (Dispatcher.handle).
// Each answer is serialised alone, so a batch whose answers together pass V8's longest string still
// gets its own answers, and no answer's objects are kept once it is written.
import type { JsonRpcResponse } from './dispatch.js';
import { answerJson } from './plain-json.js';

/** geth's errcodeResponseTooLarge and errMsgResponseTooLarge (rpc/errors.go). */
export const RESPONSE_TOO_LARGE = { code: -32003, message: 'response too large' } as const;

/**
 * Unlike geth, which keeps the answer that crosses the bound and counts results only, errors count
 * too (a revert's data is as long as a result) and the crossing answer is replaced, so the text stays
 * within the bound plus the errors' few bytes each. Answers count in the order they are ready.
 */
export class BatchAnswer {
  /** Each request's answer's JSON, by the request's place in the batch; none for a notification. */
  private readonly texts: (string | undefined)[];
  /**
   * The bytes written, counted in UTF-16 units (a lower bound of the bytes, at most a third of them)
   * while three times the count fits under the bound, exactly from there on: Buffer.byteLength of
   * every answer would cost more than serialising it.
   */
  private count = 0;
  private exact = false;
  private owed = 0;

  constructor(
    size: number,
    private readonly maxBytes: number,
  ) {
    this.texts = new Array<string | undefined>(size);
  }

  /** Past the bound: every answer from now on is -32003, and no more requests are run. */
  get full(): boolean {
    return this.count > this.maxBytes;
  }

  /** Whether any request is owed an answer (not all were notifications). */
  get isEmpty(): boolean {
    return this.owed === 0;
  }

  /** Writes the answer to the request at `index` (undefined for a notification: nothing is owed). */
  put(index: number, answer: JsonRpcResponse | undefined): void {
    if (answer === undefined) return;
    this.owed++;
    let json = this.full ? undefined : serialised(answer);
    if (json !== undefined) {
      if (!this.exact && 3 * (this.count + json.length) > this.maxBytes) {
        this.count = this.texts.reduce((bytes, text) => bytes + Buffer.byteLength(text!), 0);
        this.exact = true;
      }
      this.count += this.exact ? Buffer.byteLength(json) : json.length;
    }
    if (json === undefined || this.full) {
      this.count = this.maxBytes + 1; // all that follow are refused, whatever their size
      json = JSON.stringify({ jsonrpc: '2.0', id: answer.id, error: RESPONSE_TOO_LARGE });
    }
    this.texts[index] = json;
  }

  /** The answers in the order of their requests. Built by concatenation, which costs less than join() here. */
  json(): string {
    let text = '[';
    for (const json of this.texts) {
      if (json !== undefined) text += text.length === 1 ? json : ',' + json;
    }
    return text + ']';
  }
}

/** An answer's JSON; undefined if it is too long for one string (V8's RangeError "Invalid string length"). */
function serialised(answer: JsonRpcResponse): string | undefined {
  try {
    return answerJson(answer);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
