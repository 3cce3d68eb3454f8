// The shape of a contract's storage KAMT, which says what its storage costs. builtin-actors v18 keeps
// the slots in a KAMT of bit width 5 with one pair per bucket (actors/evm/src/interpreter/system.rs
// KAMT_CONFIG: min_data_depth 0, max_array_width 1), keyed by the slot's 32 big-endian bytes, unhashed
// (ref-fvm ipld/kamt): the root's bucket of a slot is its top 5 bits. A bucket holding one slot keeps
// the pair in the root itself; two or more go to a child node, linked with an extension over the bits
// they share (adjacent slots share one node: kamtNodeOf). So a slot alone in its root bucket (the one
// variable of a small contract, a mapping entry whose bucket no other key shares) is read with the
// root, which every invocation loads, and written with it: no node of its own.
//
// The devnet keeps a contract's count of nonzero slots per root bucket on its actor (storageBuckets),
// from its construction on. A forked contract's counts come from the upstream's root block
// (storage-kamt.ts rootBucketCounts, read with the contract: a node there counts as many slots); a
// contract with none kept (an upstream that names no root) is taken to have a node behind every bucket.
import type { Actor } from '../../actor.js';

const BUCKETS = 32;
/** No slot in any bucket: a contract's storage before its constructor writes. */
export const NO_SLOTS: readonly number[] = Object.freeze(new Array<number>(BUCKETS).fill(0));

/** The root bucket of a slot: its top 5 bits. */
export const rootBucket = (slot: bigint): number => Number(slot >> 251n);

/** The bucket counts of an actor's storage: kept, or none for an actor that is no contract yet; undefined when unknown. */
export function storageBucketsOf(actor: Actor | undefined): readonly number[] | undefined {
  if (!actor) return undefined;
  return actor.storageBuckets ?? (actor.kind === 'evm' ? undefined : NO_SLOTS);
}

/** `actor` once `slot` went from `before` to `after`: its counts moved, or the actor itself when none did (or they are unknown). */
export function withSlotCounted(actor: Actor, slot: bigint, before: bigint, after: bigint): Actor {
  const delta = (after === 0n ? 0 : 1) - (before === 0n ? 0 : 1);
  const buckets = storageBucketsOf(actor);
  if (delta === 0 || !buckets) return actor;
  const counted = buckets.slice();
  counted[rootBucket(slot)]! += delta;
  return { ...actor, storageBuckets: Object.freeze(counted) };
}

/** Whether `slot` is read and written with the root (its bucket holds at most one slot); false when unknown. */
export function inRoot(buckets: readonly number[] | undefined, slot: bigint): boolean {
  return buckets !== undefined && buckets[rootBucket(slot)]! <= 1;
}

/** The root block's size in bytes and its links (CIDs of child nodes). */
export interface RootShape {
  bytes: number;
  links: number;
}

/** The root as the flush writes it when its buckets are unknown: a few links and pairs. */
const UNKNOWN_ROOT: RootShape = { bytes: 200, links: 4 };
/** The root's CBOR around its pointers: a 2-element array, the 4-byte bitfield, the pointers' array. */
const ROOT_OVERHEAD = 7;
/**
 * A pair kept in the root, as builtin-actors serialises U256 (big-endian, no leading zeros): in bucket
 * 0 a small slot number and value (~12 bytes); in any other a hashed key of 32 bytes (a mapping's) and its value.
 */
const SMALL_PAIR_BYTES = 12;
const HASHED_PAIR_BYTES = 70;
/** A link to a child node: its CID (38 bytes), the extension's length and path, their CBOR headers. */
const LINK_BYTES = 48;

export function rootShape(buckets: readonly number[] | undefined): RootShape {
  if (!buckets) return UNKNOWN_ROOT;
  let bytes = ROOT_OVERHEAD;
  let links = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const count = buckets[b]!;
    if (count === 1) bytes += b === 0 ? SMALL_PAIR_BYTES : HASHED_PAIR_BYTES;
    else if (count > 1) {
      bytes += LINK_BYTES;
      links++;
    }
  }
  return { bytes, links };
}
