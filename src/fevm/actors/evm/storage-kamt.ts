// A contract's storage as the KAMT blocks builtin-actors v18 keeps it in (kamt-shape.ts keeps the
// same tree's shape, its sizes tested against these blocks). The EVM actor's KAMT
// (actors/evm/src/interpreter/system.rs, KAMT_CONFIG) has bit width 5, min data depth 0 and max
// array width 1, and keys each slot by its 32 big-endian bytes (StateHashAlgorithm). ref-fvm
// ipld/kamt lays a node out as [bitfield, pointers]: the bitfield's set bits are the node's
// nonempty buckets (its bytes big-endian, leading zeros dropped), one pointer each in bucket order,
// either {"v": [[key, value]]} (a slot kept in the node) or {"l": [cid, extension length, extension
// path]} (a child node, the extension being the 5-bit groups its keys all share after the bucket's
// own; pointer.rs, ext.rs). Keys and values are builtin-actors' U256: big-endian bytes without
// leading zeros. The tree of a set of keys is built here at once: what ref-fvm's inserts reach in
// any order (a full bucket splits at the keys' longest common prefix; deletes clean back to that
// form).
import { cidOf, encodeCbor, type CID } from '../../../common/cbor.js';
import { bigintToBytes } from '../../../common/hex.js';

export const BIT_WIDTH = 5;
export const KEY_BITS = 256;

/** The numbers 0 to 256 as BigInts (shift amounts, bit counts): made once, not per read of a group. */
export const SHIFTS = Array.from({ length: KEY_BITS + 1 }, (_, bits) => BigInt(bits));

/** The `width` bits of a key from bit `consumed` on (bit 0 its most significant), fewer at its end. */
export function bitsAt(key: bigint, consumed: number, width = BIT_WIDTH): number {
  const take = Math.min(width, KEY_BITS - consumed);
  return Number(BigInt.asUintN(take, key >> SHIFTS[KEY_BITS - consumed - take]!));
}

/** A bitfield's bytes: big-endian, leading zero bytes dropped (none at all for an empty node). */
function bitfieldBytes(buckets: Iterable<number>): Uint8Array {
  let bits = 0n;
  for (const bucket of buckets) bits |= 1n << BigInt(bucket);
  return bigintToBytes(bits);
}

/** An extension's path: its 5-bit groups packed from the most significant bit, the last byte padded with zeros. */
function extensionPath(groups: number[]): Uint8Array {
  const path = new Uint8Array(Math.ceil((groups.length * BIT_WIDTH) / 8));
  groups.forEach((group, i) => {
    for (let b = 0; b < BIT_WIDTH; b++) {
      if (!((group >> (BIT_WIDTH - 1 - b)) & 1)) continue;
      const at = i * BIT_WIDTH + b;
      path[at >> 3]! |= 0x80 >> (at & 7);
    }
  });
  return path;
}

/** The KAMT of a contract's nonzero slots: its root's CID and every block, the root last. */
interface StorageKamt {
  root: CID;
  blocks: Uint8Array[];
}

/** Builds the KAMT holding `slots` (nonzero values, any order). */
export function buildStorageKamt(slots: Iterable<readonly [bigint, bigint]>): StorageKamt {
  const blocks: Uint8Array[] = [];
  const sorted = [...slots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const root = buildNode(sorted, 0, blocks);
  return { root, blocks };
}

/** The node holding `slots` (sorted, sharing their first `consumed` bits); its block goes to `blocks`. */
function buildNode(slots: (readonly [bigint, bigint])[], consumed: number, blocks: Uint8Array[]): CID {
  const buckets = new Map<number, (readonly [bigint, bigint])[]>();
  for (const slot of slots) {
    const bucket = bitsAt(slot[0], consumed);
    const held = buckets.get(bucket);
    if (held) held.push(slot);
    else buckets.set(bucket, [slot]);
  }
  const order = [...buckets.keys()].sort((a, b) => a - b);
  const pointers = order.map((bucket) => {
    const held = buckets.get(bucket)!;
    if (held.length === 1) return { v: [[bigintToBytes(held[0]![0]), bigintToBytes(held[0]![1])]] };
    // The 5-bit groups every key of the bucket shares after it: the link skips their levels.
    const shared: number[] = [];
    for (let at = consumed + BIT_WIDTH; at < KEY_BITS; at += BIT_WIDTH) {
      const group = bitsAt(held[0]![0], at);
      if (held.some(([key]) => bitsAt(key, at) !== group)) break;
      shared.push(group);
    }
    const child = buildNode(held, consumed + BIT_WIDTH * (1 + shared.length), blocks);
    return { l: [child, shared.length * BIT_WIDTH, extensionPath(shared)] };
  });
  const block = encodeCbor([bitfieldBytes(order), pointers]);
  blocks.push(block);
  return cidOf(block);
}
