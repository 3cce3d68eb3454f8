// The HAMT that Filecoin's actor states keep their maps in (ref-fvm ipld/hamt, the v3 layout that
// builtin-actors and the FRC-46 token library use): a key's SHA-256 picks a slot at each level,
// `bitWidth` bits at a time, most significant first; a node is `[bitfield, pointers]`, the bitfield
// a big-endian number with bit i set when slot i is used (no leading zero bytes), and one pointer per
// used slot in slot order: a bucket of at most 3 `[key, value]` pairs sorted by key, or the CID of a
// child node for a slot with more keys. That layout is canonical (the library collapses a child of 3
// or fewer keys back into a bucket), so a set of entries has exactly one root CID.
import { CID } from 'multiformats/cid';
import { varint } from 'multiformats';
import { cidOf, decodeCbor, encodeCbor, pathBlock, type PathBlock } from './cbor.js';
import { sha256 } from './hashes.js';
import { bigintToBytes, bytesToBigint, equalBytes } from './hex.js';

/** Pairs a bucket holds before its slot becomes a child node (the library's max_array_width). */
const MAX_BUCKET = 3;

/** A map key as builtin-actors and the token library write actor IDs: the ID's unsigned varint. */
export function actorIdKey(id: number): Uint8Array {
  return varint.encodeTo(id, new Uint8Array(varint.encodingLength(id)));
}

export const actorIdOfKey = (key: Uint8Array): number => varint.decode(key)[0];

/**
 * A map key as builtin-actors writes an epoch (a signed i64): the zigzag varint of integer-encoding
 * (and Go's binary.PutVarint), 2n for n >= 0 and -2n - 1 below.
 */
export function epochKey(epoch: number): Uint8Array {
  return actorIdKey(epoch >= 0 ? 2 * epoch : -2 * epoch - 1);
}

export function epochOfKey(key: Uint8Array): number {
  const zigzag = actorIdOfKey(key);
  return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
}

/** Bits `[from, from + count)` of a hash, most significant bit of byte 0 first; fewer if the hash ends. */
function slotOf(hash: Uint8Array, depth: number, bitWidth: number): number {
  const from = depth * bitWidth;
  const to = Math.min(from + bitWidth, hash.length * 8);
  if (from >= to) throw new Error('HAMT too deep: the key hash is used up');
  let slot = 0;
  for (let bit = from; bit < to; bit++) slot = (slot << 1) | ((hash[bit >> 3] >> (7 - (bit & 7))) & 1);
  return slot;
}

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
};

interface HashedEntry {
  key: Uint8Array;
  value: unknown;
  hash: Uint8Array;
}

/** The HAMT of `entries` (distinct keys; values as dag-cbor takes them): its root and every block, children first. */
export function buildHamt(entries: Iterable<readonly [Uint8Array, unknown]>, bitWidth: number): { root: CID; blocks: Uint8Array[] } {
  const blocks: Uint8Array[] = [];
  const hashed = [...entries].map(([key, value]) => ({ key, value, hash: sha256(key) }));
  return { root: buildNode(hashed, 0, bitWidth, blocks), blocks };
}

function buildNode(entries: HashedEntry[], depth: number, bitWidth: number, blocks: Uint8Array[]): CID {
  const slots = new Map<number, HashedEntry[]>();
  for (const entry of entries) {
    const slot = slotOf(entry.hash, depth, bitWidth);
    slots.set(slot, [...(slots.get(slot) ?? []), entry]);
  }
  let bitfield = 0n;
  const pointers: unknown[] = [];
  for (const slot of [...slots.keys()].sort((a, b) => a - b)) {
    const group = slots.get(slot)!;
    bitfield |= 1n << BigInt(slot);
    if (group.length <= MAX_BUCKET) pointers.push(group.sort((a, b) => compareBytes(a.key, b.key)).map((e) => [e.key, e.value]));
    else pointers.push(buildNode(group, depth + 1, bitWidth, blocks));
  }
  const bytes = encodeCbor([bigintToBytes(bitfield), pointers]);
  blocks.push(bytes);
  return cidOf(bytes);
}

/** Reads a block of the HAMT by CID (from a blockstore, or an upstream node's ChainReadObj). */
type LoadBlock = (cid: CID) => Promise<Uint8Array>;

type Node = [Uint8Array, unknown[]];

function decodeNode(bytes: Uint8Array): Node {
  const node = decodeCbor<Node>(bytes);
  if (!Array.isArray(node) || node.length !== 2 || !(node[0] instanceof Uint8Array) || !Array.isArray(node[1])) throw new Error('not a HAMT node');
  return node;
}

const asBucket = (pointer: unknown): [Uint8Array, unknown][] => {
  if (!Array.isArray(pointer)) throw new Error('not a HAMT pointer');
  return pointer as [Uint8Array, unknown][];
};

/** The pointer a node holds for a key hashed to `hash` at `depth`: undefined when its slot is empty. */
function pointerFor(node: Node, hash: Uint8Array, depth: number, bitWidth: number): unknown {
  const [bitfieldBytes, pointers] = node;
  const bitfield = bytesToBigint(bitfieldBytes);
  const slot = BigInt(slotOf(hash, depth, bitWidth));
  if (((bitfield >> slot) & 1n) === 0n) return undefined;
  // The pointer's position is the number of used slots before this one.
  return pointers[popCount(bitfield & ((1n << slot) - 1n))];
}

/** The value under `key`, reading only the nodes on its path; undefined if the HAMT has none. */
export async function hamtGet(root: CID, key: Uint8Array, bitWidth: number, load: LoadBlock): Promise<unknown> {
  const hash = sha256(key);
  let cid = root;
  for (let depth = 0; ; depth++) {
    const pointer = pointerFor(decodeNode(await load(cid)), hash, depth, bitWidth);
    if (pointer === undefined) return undefined;
    const link = CID.asCID(pointer);
    if (link) {
      cid = link;
      continue;
    }
    return asBucket(pointer).find(([k]) => equalBytes(k, key))?.[1];
  }
}

/** A HAMT's blocks by CID string, for walking it. */
export const hamtBlocks = (hamt: { root: CID; blocks: readonly Uint8Array[] }): { root: CID; byCid: Map<string, Uint8Array> } => ({
  root: hamt.root,
  byCid: new Map(hamt.blocks.map((bytes) => [cidOf(bytes).toString(), bytes])),
});

/**
 * The blocks a read of `key` opens in a HAMT (its blocks by CID: hamtBlocks), root first, down to the
 * node holding its bucket, and the value under the key there (undefined if none).
 */
export function hamtLookup({ root, byCid }: ReturnType<typeof hamtBlocks>, key: Uint8Array, bitWidth: number): { path: PathBlock[]; value: unknown } {
  const hash = sha256(key);
  const path: PathBlock[] = [];
  for (let depth = 0, cid = root; ; depth++) {
    const bytes = byCid.get(cid.toString())!;
    path.push(pathBlock(cid, bytes));
    const pointer = pointerFor(decodeNode(bytes), hash, depth, bitWidth);
    const link = CID.asCID(pointer);
    if (link) cid = link;
    else return { path, value: pointer === undefined ? undefined : asBucket(pointer).find(([k]) => equalBytes(k, key))?.[1] };
  }
}

/** The blocks a read of `key` opens in a HAMT, root first, down to the node holding its bucket. */
export const hamtPath = (hamt: ReturnType<typeof hamtBlocks>, key: Uint8Array, bitWidth: number): PathBlock[] => hamtLookup(hamt, key, bitWidth).path;

/** Every entry of the HAMT in slot order, reading all its nodes: a node's children together (an upstream gets each level as one batch). */
export async function hamtEntries(root: CID, load: LoadBlock): Promise<[Uint8Array, unknown][]> {
  const [, pointers] = decodeNode(await load(root));
  const parts = await Promise.all(pointers.map((pointer) => {
    const link = CID.asCID(pointer);
    return link ? hamtEntries(link, load) : asBucket(pointer);
  }));
  return parts.flat();
}

function popCount(n: bigint): number {
  let count = 0;
  for (; n > 0n; n >>= 1n) count += Number(n & 1n);
  return count;
}
