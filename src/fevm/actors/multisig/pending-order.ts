// The order Lotus lists a multisig's pending transactions in (MsigGetPending): the iteration order
// of the pending_txs HAMT (bit width 5, buckets of at most 3 entries; fvm_ipld_hamt). Its keys are
// the transaction IDs as signed varints (TxnID's key, the zigzag varint Go's binary.PutVarint
// writes too), placed by sha256 of the key, 5 bits a level from the first byte's top bit. A level's
// slots are visited in order; a slot holding at most 3 entries is a bucket, sorted by key bytes, and
// one holding more is a node one level down. The HAMT's shape depends only on its keys (a delete
// collapses a node back into a bucket), so the order does too.
import { varint } from 'multiformats';
import { sha256 } from '../../../common/hashes.js';

const BIT_WIDTH = 5;
const BUCKET_SIZE = 3;

interface Entry {
  id: number;
  key: Uint8Array;
  hash: Uint8Array;
}

/** The transaction ID's HAMT key: a zigzag varint (IDs are never negative: 2 × id). */
function txnKey(id: number): Uint8Array {
  const zigzag = id * 2;
  const key = new Uint8Array(varint.encodingLength(zigzag));
  varint.encodeTo(zigzag, key);
  return key;
}

/** The slot of `hash` at `depth`: its bits [5 × depth, 5 × depth + 5), most significant first. */
function slot(hash: Uint8Array, depth: number): number {
  let index = 0;
  for (let bit = depth * BIT_WIDTH; bit < (depth + 1) * BIT_WIDTH; bit++) index = (index << 1) | ((hash[bit >> 3] >> (7 - (bit & 7))) & 1);
  return index;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function iterate(entries: Entry[], depth: number): Entry[] {
  const slots = new Map<number, Entry[]>();
  for (const entry of entries) {
    const index = slot(entry.hash, depth);
    slots.set(index, [...(slots.get(index) ?? []), entry]);
  }
  return [...slots.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, group]) => (group.length <= BUCKET_SIZE ? group.sort((a, b) => compareBytes(a.key, b.key)) : iterate(group, depth + 1)));
}

/** The transaction IDs in the pending_txs HAMT's iteration order. */
export function hamtOrder(ids: Iterable<number>): number[] {
  const entries = [...ids].map((id) => {
    const key = txnKey(id);
    return { id, key, hash: sha256(key) };
  });
  return iterate(entries, 0).map((entry) => entry.id);
}
