// A stack word as a Number for the interpreter's handlers (memory offsets and sizes, jump destinations,
// CALLDATALOAD's offset), through a 64-bit lane: `Number(word)` enters V8's runtime, about twice the
// instructions (docs/performance.md, callloop and callloop2).

/** 2^32 − 1, the largest word u32Number takes. */
export const MAX_U32 = 0xffff_ffffn;
const lane = new BigUint64Array(1);
const laneHalves = new Uint32Array(lane.buffer);
/** Which of the lane's two 32-bit halves holds its low bits: the first on a little-endian machine. */
const LOW_HALF = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** `word`, which must be below 2^32, as a Number through the lane. */
export function u32Number(word: bigint): number {
  lane[0] = word;
  return laneHalves[LOW_HALF]!;
}

/**
 * `word` as a Number, through the lane below 2^32, else `Number(word)` (2^32 or more). The memory handlers
 * that call it (MLOAD, MSTORE, KECCAK256, LOGn, RETURN) never pass a word of 2^32 or more: their gas
 * functions bound offsets and sizes by u32 first (memory-ops.ts growRange), and an access of no bytes is
 * answered before it reads them. CALLDATALOAD may: a Number of 2^32 or more is past any call data.
 */
export const wordNumber = (word: bigint): number => (word > MAX_U32 ? Number(word) : u32Number(word));
