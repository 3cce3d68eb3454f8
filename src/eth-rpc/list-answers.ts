// Long list answers over HTTP (eth_getLogs' logs, traces), written into reused memory. JSON.stringify
// of a whole answer returns a string V8 builds from parts; writing it out (fastify's content-length,
// then Node's HTTP, which prepends the header) copies it twice into fresh large objects and once into
// fresh malloc'd memory, and first touching fresh memory cost more than all the rest: ~6 ms of node
// CPU for 1000 logs (0.6 MB), of which 0.8 the serialising (docs/performance.md, "Memory, seventh pass"). Here the
// list is written into a buffer reused from answer to answer once the socket has taken it: items that
// hand their own JSON's bytes (SelfWritten: eth_getLogs' logs) copied straight into it, the others serialised a chunk
// at a time (strings V8 keeps in its ordinary pages). The bytes are those of JSON.stringify(answer).
import type { JsonRpcResponse } from './dispatch.js';

/** Shorter lists go the ordinary way. */
export const LIST_ANSWER_MIN = 128;
/** Items serialised at once: ~75 KB of logs, under V8's 128 KB limit for ordinary objects. */
const CHUNK = 128;
const FIRST_BYTES = 1 << 20;
/** Larger buffers are not kept, nor more than this many. */
const KEPT_MAX_BYTES = 8 << 20;
const KEPT_MAX_COUNT = 2;
const COMMA = 0x2c;

/**
 * An item that hands the bytes of JSON.stringify(itself), which the list copies in: one call a log (a
 * getter for the length and a write call were two, neither inlined: ~150 instructions a log, logs4).
 */
export interface SelfWritten {
  jsonBytes(): Uint8Array;
}

function isSelfWritten(item: unknown): item is SelfWritten {
  return typeof item === 'object' && item !== null && typeof (item as Partial<SelfWritten>).jsonBytes === 'function';
}

export type ListAnswer = { jsonrpc: '2.0'; id: string | number | null; result: unknown[] };

export function isListAnswer(answer: JsonRpcResponse): answer is ListAnswer {
  return 'result' in answer && Array.isArray(answer.result) && answer.result.length >= LIST_ANSWER_MIN;
}

export class ListAnswers {
  private readonly spares: ArrayBuffer[] = [];

  /** The answer's JSON in a buffer of this writer's; give it back with release() once it is sent. */
  write(answer: ListAnswer): Buffer {
    const spare = this.spares.pop();
    let buffer: Buffer = spare ? Buffer.from(spare) : Buffer.allocUnsafeSlow(FIRST_BYTES);
    // The id is the client's and may be long (Buffer.write would cut it silently).
    const head = `{"jsonrpc":"2.0","id":${JSON.stringify(answer.id)},"result":[`;
    if (3 * head.length > buffer.length) buffer = grown(buffer, 0, 3 * head.length);
    let length = buffer.write(head);
    const list = answer.result;
    for (let i = 0; i < list.length; ) {
      const item = list[i];
      if (isSelfWritten(item)) {
        const json = item.jsonBytes();
        const needed = length + json.length + 3; // a comma before it; "]}" after the last
        if (needed > buffer.length) buffer = grown(buffer, length, needed);
        if (i > 0) buffer[length++] = COMMA;
        buffer.set(json, length);
        length += json.length;
        i++;
        continue;
      }
      let end = i + 1;
      while (end < list.length && end - i < CHUNK && !isSelfWritten(list[end])) end++;
      const json = JSON.stringify(list.slice(i, end)); // "[…]": its "[" is the comma before it, or the list's own
      const needed = length + 3 * json.length + 2; // UTF-8 takes at most 3 bytes per UTF-16 unit; "]}"
      if (needed > buffer.length) buffer = grown(buffer, length, needed);
      if (i === 0) length--;
      const written = buffer.write(json, length);
      if (i > 0) buffer[length] = COMMA;
      length += written - 1; // without its "]"
      i = end;
    }
    length += buffer.write(']}', length);
    return buffer.subarray(0, length);
  }

  release(bytes: Buffer): void {
    const memory = bytes.buffer as ArrayBuffer;
    if (memory.byteLength <= KEPT_MAX_BYTES && this.spares.length < KEPT_MAX_COUNT) this.spares.push(memory);
  }
}

function grown(buffer: Buffer, length: number, needed: number): Buffer {
  const larger = Buffer.allocUnsafeSlow(Math.max(2 * buffer.length, needed));
  buffer.copy(larger, 0, 0, length);
  return larger;
}
