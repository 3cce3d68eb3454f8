// A batch's answers as one JSON text, bounded in size as geth bounds them (rpc/handler.go handleBatch,
// BatchResponseMaxSize, 25 MB by default): once the answers written pass the bound, that answer and
// every later one is replaced by geth's error -32003 "response too large". Each answer is serialised
// alone, so a batch whose answers together pass V8's longest string still gets its own answers.
import type { JsonRpcResponse } from './dispatch.js';

/** geth's errcodeResponseTooLarge and errMsgResponseTooLarge (rpc/errors.go). */
export const RESPONSE_TOO_LARGE = { code: -32003, message: 'response too large' } as const;

/**
 * The JSON of `answers`: each in full while they add up to at most `maxBytes` bytes, the rest as
 * -32003 errors. Unlike geth, which keeps the answer that crosses the bound and counts results only,
 * errors count too (a revert's data is as long as a result) and the crossing answer is replaced, so
 * the text stays within the bound plus the errors' few bytes each.
 */
export function batchAnswerJson(answers: readonly JsonRpcResponse[], maxBytes: number): string {
  // Counted in UTF-16 units (a lower bound of the bytes, at most a third of them) while three times
  // the count fits under the bound, exactly from there on: Buffer.byteLength of every answer would
  // cost more than serialising it. Built by concatenation, which costs less than join() here.
  const parts: string[] = [];
  let count = 0;
  let exact = false;
  let text = '[';
  for (const answer of answers) {
    let json = count <= maxBytes ? serialised(answer) : undefined;
    if (json !== undefined) {
      if (!exact && 3 * (count + json.length) > maxBytes) {
        count = parts.reduce((bytes, part) => bytes + Buffer.byteLength(part), 0);
        exact = true;
      }
      count += exact ? Buffer.byteLength(json) : json.length;
    }
    if (json === undefined || count > maxBytes) {
      count = maxBytes + 1; // all that follow are refused, whatever their size
      json = JSON.stringify({ jsonrpc: '2.0', id: answer.id, error: RESPONSE_TOO_LARGE });
    }
    if (!exact) parts.push(json);
    text += text.length === 1 ? json : ',' + json;
  }
  return text + ']';
}

/** An answer's JSON; undefined if it is too long for one string (V8's RangeError "Invalid string length"). */
function serialised(answer: JsonRpcResponse): string | undefined {
  try {
    return JSON.stringify(answer);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
