// The AMT (array mapped trie) that Filecoin states and receipts use (go-amt-ipld v3/v4, fvm_ipld_amt):
// a root [bit width, height, count, node]; a node [bitmap, links, values], the bitmap's bit i (byte
// i/8, bit i%8) marking slot i of its 2^bitWidth. Leaves (height 0) hold values, inner nodes link to
// their children, each covering width^level indices. Indices are u64, counted here in bigint.
import { cidOf, decodeCbor, encodeCbor, pathBlock, type CID, type PathBlock } from './cbor.js';

export interface Amt {
  root: CID;
  /** Every block of the AMT by CID string: the root and any inner nodes' children. */
  blocks: Map<string, Uint8Array>;
}

function bitmap(width: number, slots: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(Math.max(1, width / 8));
  for (const i of slots) bytes[i >> 3] |= 1 << (i & 7);
  return bytes;
}

/**
 * Builds the AMT holding `values` at their indices (a sparse array: holes are absent). Indices are
 * u64: a bigint where they may pass 2^53 − 1 (a payment channel's lanes); offsets are counted in bigint.
 */
export function buildAmt(values: ReadonlyMap<number | bigint, unknown> | readonly unknown[], bitWidth: number): Amt {
  const entries = Array.isArray(values) ? new Map(values.map((v, i) => [BigInt(i), v])) : new Map([...(values as ReadonlyMap<number | bigint, unknown>)].map(([i, v]) => [BigInt(i), v]));
  const width = 1 << bitWidth;
  const bigWidth = BigInt(width);
  const indices = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const last = indices.length ? indices[indices.length - 1] : 0n;
  let height = 0;
  while (last >= bigWidth ** BigInt(height + 1)) height++;
  const blocks = new Map<string, Uint8Array>();
  // Whether some index lies in [from, to): the first index from `from` on, by binary search.
  const inRange = (from: bigint, to: bigint) => {
    let lo = 0;
    let hi = indices.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (indices[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < indices.length && indices[lo] < to;
  };
  // The node at `level` covering indices from `offset`.
  const node = (level: number, offset: bigint): unknown[] => {
    const span = bigWidth ** BigInt(level);
    const slots: number[] = [];
    const items: unknown[] = [];
    for (let i = 0; i < width; i++) {
      const start = offset + BigInt(i) * span;
      if (!inRange(start, start + span)) continue;
      slots.push(i);
      if (level === 0) items.push(entries.get(start));
      else {
        const bytes = encodeCbor(node(level - 1, start));
        const cid = cidOf(bytes);
        blocks.set(cid.toString(), bytes);
        items.push(cid);
      }
    }
    return level === 0 ? [bitmap(width, slots), [], items] : [bitmap(width, slots), items, []];
  };
  const rootBytes = encodeCbor([bitWidth, height, entries.size, node(height, 0n)]);
  const root = cidOf(rootBytes);
  blocks.set(root.toString(), rootBytes);
  return { root, blocks };
}

/**
 * The values of the AMT whose root is `root`, by index (u64, as bigint) in ascending order, reading
 * its blocks with `read`: a node's children are read together (one round trip per level from an upstream).
 */
export async function readAmtEntries(root: CID, read: (cid: CID) => Promise<Uint8Array>): Promise<Map<bigint, unknown>> {
  const [bitWidth, height, , top] = decodeCbor<[number, number, number, unknown[]]>(await read(root));
  const width = 1 << bitWidth;
  const walk = async (node: unknown[], level: number, offset: bigint): Promise<[bigint, unknown][]> => {
    const [map, links, items] = node as [Uint8Array, CID[], unknown[]];
    const span = BigInt(width) ** BigInt(level);
    const present: bigint[] = [];
    for (let i = 0; i < width; i++) if (map[i >> 3] & (1 << (i & 7))) present.push(offset + BigInt(i) * span);
    if (level === 0) return present.map((index, taken) => [index, items[taken]]);
    const children = await Promise.all(present.map(async (start, taken) => walk(decodeCbor<unknown[]>(await read(links[taken]!)), level - 1, start)));
    return children.flat();
  };
  return new Map(await walk(top, height, 0n));
}

/** readAmtEntries for an AMT whose indices are counts below 2^53 (deal IDs, partitions, epochs). */
export async function readAmt(root: CID, read: (cid: CID) => Promise<Uint8Array>): Promise<Map<number, unknown>> {
  return new Map([...(await readAmtEntries(root, read))].map(([index, value]) => [Number(index), value]));
}

/**
 * Where `index` lies in a node at `level`: its place among the node's present slots (the set bits
 * before its own), or undefined when its slot is empty.
 */
function placeIn(node: unknown[], index: bigint, width: number, level: number): number | undefined {
  const map = node[0] as Uint8Array;
  const slot = Number((index / BigInt(width) ** BigInt(level)) % BigInt(width));
  if (!(map[slot >> 3] & (1 << (slot & 7)))) return undefined;
  let taken = 0;
  for (let i = 0; i < slot; i++) if (map[i >> 3] & (1 << (i & 7))) taken++;
  return taken;
}

/** The value at `index` of the AMT whose root is `root` (undefined if none), reading one block per level with `read`. */
export async function amtGet(root: CID, index: number | bigint, read: (cid: CID) => Promise<Uint8Array>): Promise<unknown> {
  const [bitWidth, height, , top] = decodeCbor<[number, number, number, unknown[]]>(await read(root));
  const width = 1 << bitWidth;
  const at = BigInt(index);
  if (at >= BigInt(width) ** BigInt(height + 1)) return undefined;
  let node = top;
  for (let level = height; ; level--) {
    const taken = placeIn(node, at, width, level);
    if (taken === undefined) return undefined;
    if (level === 0) return (node[2] as unknown[])[taken];
    node = decodeCbor<unknown[]>(await read((node[1] as CID[])[taken]!));
  }
}

/**
 * The blocks a read of `index` opens in `amt`, root first: the root block, then each node on the way
 * down to the leaf holding it, as far as the index's slots are present.
 */
export function amtPath(amt: Amt, index: number | bigint): PathBlock[] {
  const rootBytes = amt.blocks.get(amt.root.toString())!;
  const [bitWidth, height, , top] = decodeCbor<[number, number, number, unknown[]]>(rootBytes);
  const width = 1 << bitWidth;
  const at = BigInt(index);
  const path = [pathBlock(amt.root, rootBytes)];
  if (at >= BigInt(width) ** BigInt(height + 1)) return path;
  let node = top;
  for (let level = height; level > 0; level--) {
    const taken = placeIn(node, at, width, level);
    if (taken === undefined) break;
    const link = (node[1] as CID[])[taken]!;
    const bytes = amt.blocks.get(link.toString())!;
    path.push(pathBlock(link, bytes));
    node = decodeCbor<unknown[]>(bytes);
  }
  return path;
}
