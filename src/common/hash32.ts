// The 32-bit hashes of in-memory tables (a trie's paths, an open-addressing index, a treap's
// priorities): fast and well spread, never stored, so free to change.

/** Spreads a 32-bit integer's bits over the whole word (lowbias32): consecutive IDs or epochs land far apart. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return x ^ (x >>> 16);
}

/** FNV-1a: the hash before any unit, and one unit (a byte, a UTF-16 code unit) added; mix32 finishes it. */
export const FNV_OFFSET = 0x811c9dc5;
export const fnvStep = (hash: number, unit: number): number => Math.imul(hash ^ unit, 0x01000193);

/** FNV-1a over the string's UTF-16 code units, finished by mix32 (so that the low bits depend on every bit). */
export function hashText(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) hash = fnvStep(hash, text.charCodeAt(i));
  return mix32(hash);
}
