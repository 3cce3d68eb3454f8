// The JSON text of the answers users poll most: a receipt, a block, a transaction (format.ts's shapes),
// a block's receipts.
// JSON.stringify spends ~23 instructions on each character of an answer's strings (V8's JsonStringifier
// checks every one for escaping): a receipt's ~1.4 k characters were a third of its read's cost beyond
// eth_chainId (docs/performance.md, receipts2). Those values' strings need no escaping (hex, and words
// such as '0x0'), so format.ts marks them (plainValue) and an answer whose result is marked joins its
// text as it is. The value itself stays a plain object for the methods that read it in the process
// (gateway-lookback.ts reads a receipt's blockNumber). Node 20 has no JSON.rawJSON.
import type { JsonRpcResponse } from './dispatch.js';

/**
 * The values format.ts made (and eth_getBlockReceipts' arrays of its receipts), whose strings all need
 * no escaping. Held weakly: a value is marked, not kept. A copy is not marked, so what a copy adds is
 * escaped as usual (anvil_mine_detailed's blocks carry a decoded revert reason; ots.ts's receipts a
 * timestamp).
 */
const plainValues = new WeakSet<object>();

/** Marks `value` (all its strings, its members' too, need no escaping) and returns it. */
export function plainValue<T extends object>(value: T): T {
  plainValues.add(value);
  return value;
}

/**
 * The text of JSON.stringify(value) for a value of format.ts's shapes only: plain objects, arrays,
 * null, booleans, finite numbers, and strings that need no escaping (hex, fixed ASCII words). A string
 * with a quote, a backslash or a control character would make invalid JSON: never pass others' data.
 */
export function plainJson(value: unknown): string {
  if (typeof value === 'string') return '"' + value + '"';
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + plainJson(value[i]);
    return text + ']';
  }
  if (typeof value === 'object') {
    let text = '{';
    for (const key in value) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) text += (text.length === 1 ? '"' : ',"') + key + '":' + plainJson(member);
    }
    return text + '}';
  }
  // Booleans and finite numbers print as JSON.stringify prints them.
  return String(value);
}

/** The answer's JSON: JSON.stringify(answer), a marked result's text joined as it is. */
export function answerJson(answer: JsonRpcResponse): string {
  const result = 'result' in answer ? answer.result : undefined;
  if (typeof result === 'object' && result !== null && plainValues.has(result)) {
    return '{"jsonrpc":"2.0","id":' + JSON.stringify(answer.id) + ',"result":' + plainJson(result) + '}';
  }
  return JSON.stringify(answer);
}
