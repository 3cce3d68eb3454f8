// go-bitfield's JSON, as Lotus shows and takes bitfields (sector numbers, deal IDs): run lengths,
// alternating unset and set bits, starting with unset.
import { bitfieldRuns } from './bitfield.js';

/** The run lengths of a set of numbers ([0] when empty). */
export function bitfieldJson(numbers: readonly number[]): number[] {
  const runs = bitfieldRuns(numbers);
  return runs.length ? runs : [0];
}

/** The numbers a go-bitfield JSON run list sets. */
export function bitfieldFromRuns(runs: readonly number[]): number[] {
  const set: number[] = [];
  let at = 0;
  runs.forEach((run, i) => {
    if (i % 2 === 1) for (let n = at; n < at + run; n++) set.push(n);
    at += run;
  });
  return set;
}

/**
 * The most numbers a bitfield from a client may set: bitfieldFromRuns lists each one, so a run of
 * 2^53 would hold the node for days. A million is more sectors or deals than any one request needs.
 */
const MAX_SET_NUMBERS = 1 << 20;

/** Whether a JSON value is a run list that sets no more than MAX_SET_NUMBERS numbers. */
export function isRunList(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  let set = 0;
  for (let i = 0; i < v.length; i++) {
    const n = v[i];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return false;
    if (i % 2 === 1 && (set += n) > MAX_SET_NUMBERS) return false;
  }
  return true;
}
