// A Map whose copies share their entries: `copy()` costs the same whatever the size, and a change to
// one copy (set, delete) makes new nodes only along the path to the entry it changes. The entries
// sit in a hash array mapped trie (32 ways a level, the children of a node packed under a bitmap)
// whose nodes are never changed once made, so a copy is a new handle on the same root. Iteration
// follows the order of first insertion, as a Map's does (each entry keeps the number it was
// inserted with), so a SharedMap can stand wherever a Map of the same history stood.
//
// The builtin actors' states hold their tables as these (fevm/lazy-map.ts copyMap): an actor's method
// works on a copy of the table it found, and the state keeps every version, so that copying the whole
// table would make each deal's cron entry cost as much as every deal together.
//
// Keys are numbers, strings or bigints, compared as a Map compares them (other keys throw).

import { hashText, mix32 } from './hash32.js';
import { KeptLast } from './kept-last.js';
import { popcount } from './popcount.js';

interface Leaf<K, V> {
  readonly key: K;
  readonly value: V;
  /** The key's place in the insertion order. */
  readonly seq: number;
  readonly hash: number;
}

/** Leaves whose keys have the same hash. */
type Bucket<K, V> = readonly Leaf<K, V>[];

class Branch<K, V> {
  constructor(
    /** Which of the 32 children are there. */
    readonly bitmap: number,
    /** Those children, in the order of their bits. */
    readonly slots: readonly Slot<K, V>[],
  ) {}
}

type Slot<K, V> = Branch<K, V> | Leaf<K, V> | Bucket<K, V>;

const BITS = 5;
const EMPTY = new Branch<never, never>(0, []);

/**
 * The leaves of the roots iterated last, in insertion order (a root's copies share them; a --state
 * journal write iterates a table and the version before it). Bounded, as the state keeps every
 * version of a table, and a list kept for each would cost what a copy of each cost.
 */
const ordered = new KeptLast<Branch<unknown, unknown>, Leaf<unknown, unknown>[]>(1 << 16, (leaves) => leaves.length + 1);

/**
 * A Map to whoever asks (`instanceof Map`, Map's types and methods), without extending Map: a Map's
 * constructor gives each instance a hash table of its own (~160 bytes) that a SharedMap never uses,
 * and the state keeps every version of every table (a miner's pending rewards: one a tipset). Its
 * prototype is set under Map.prototype below; a Map method it does not define throws on it.
 */
export class SharedMap<K, V> implements Map<K, V> {
  declare readonly [Symbol.toStringTag]: string;
  private root: Branch<K, V> = EMPTY;
  private count = 0;
  private nextSeq = 0;
  /** The first key in iteration order, once found (firstKey); undefined when not known. */
  private first: { key: K } | undefined;

  constructor(entries?: Iterable<readonly [K, V]>) {
    if (entries) for (const [key, value] of entries) this.set(key, value);
  }

  /** A copy that changes apart from this one. */
  copy(): SharedMap<K, V> {
    const copy = new SharedMap<K, V>();
    copy.shareEntriesOf(this);
    return copy;
  }

  /** Holds what `other` holds (a subclass's copy). */
  protected shareEntriesOf(other: SharedMap<K, V>): void {
    this.root = other.root;
    this.count = other.count;
    this.nextSeq = other.nextSeq;
    this.first = other.first;
  }

  /** Whether `other` holds the same entries because it is a copy of this one that has not changed since. */
  sameAs(other: SharedMap<K, V>): boolean {
    return this.root === other.root;
  }

  /**
   * What changed from `previous` to this map, found by walking only the branches the two do not
   * share (a version made from the other by a few sets and deletes differs along a few paths): the
   * entries set (new, or with another value: the value before too) and the keys deleted, each in
   * iteration order. Undefined when this map does not iterate as `previous` with the deleted entries
   * taken out and the new ones put after the rest (a key deleted and set again, or maps not made one
   * from the other), which a Map changed by those sets and deletes would.
   */
  changesFrom(previous: SharedMap<K, V>): SharedMapChange<K, V> | undefined {
    const { set, deleted } = changedLeaves(this.root, previous.root);
    for (const [leaf, old] of set) if (old ? old.seq !== leaf.seq : leaf.seq < previous.nextSeq) return undefined;
    return {
      set: set.sort(([a], [b]) => a.seq - b.seq).map(([leaf, old]) => [leaf.key, leaf.value, old && { value: old.value }]),
      deleted: deleted.sort((a, b) => a.seq - b.seq).map((leaf) => leaf.key),
    };
  }

  /** changesFrom's entries whatever the order: for a map read by key, not in insertion order. */
  entriesChangedFrom(previous: SharedMap<K, V>): SharedMapChange<K, V> {
    const { set, deleted } = changedLeaves(this.root, previous.root);
    return { set: set.map(([leaf, old]) => [leaf.key, leaf.value, old && { value: old.value }]), deleted: deleted.map((leaf) => leaf.key) };
  }

  /**
   * The first key in iteration order, found without putting the entries in order (which iterating
   * does, for each new version), and kept: sets after it leave it first.
   */
  firstKey(): K | undefined {
    if (this.count === 0) return undefined;
    this.first ??= { key: earliest(this.root)!.key };
    return this.first.key;
  }

  get(key: K): V | undefined {
    return find(this.root, key, hashOf(key))?.value;
  }

  has(key: K): boolean {
    return find(this.root, key, hashOf(key)) !== undefined;
  }

  set(key: K, value: V): this {
    const hash = hashOf(key);
    const old = find(this.root, key, hash);
    if (old?.value === value) return this;
    this.root = put(this.root, 0, { key, value, seq: old ? old.seq : this.nextSeq++, hash });
    if (!old && this.count++ === 0) this.first = { key };
    return this;
  }

  delete(key: K): boolean {
    const next = remove(this.root, 0, key, hashOf(key));
    if (next === this.root) return false;
    this.root = next;
    this.count--;
    if (this.first?.key === key) this.first = undefined;
    return true;
  }

  clear(): void {
    this.root = EMPTY;
    this.count = 0;
    this.first = undefined;
  }

  get size(): number {
    return this.count;
  }

  /** As a Map's: entries deleted while iterating are not visited, entries added are, after the rest. */
  *entries(): MapIterator<[K, V]> {
    let after = -1;
    for (;;) {
      const root = this.root;
      const leaves = inOrder(root);
      let i = firstAfter(leaves, after);
      if (i === leaves.length) return;
      for (; i < leaves.length; i++) {
        const leaf = leaves[i]!;
        after = leaf.seq;
        if (this.root === root) yield [leaf.key, leaf.value];
        else {
          const now = find(this.root, leaf.key, leaf.hash);
          if (now?.seq === leaf.seq) yield [leaf.key, now.value];
        }
      }
      if (this.root === root) return;
    }
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

Object.setPrototypeOf(SharedMap.prototype, Map.prototype);

function hashOf(key: unknown): number {
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 && key <= 0xffffffff ? mix32(key) : hashText(String(key));
  if (typeof key === 'string') return hashText(key);
  if (typeof key === 'bigint') return hashText(`${key}n`);
  throw new TypeError(`a SharedMap key is a number, a string or a bigint, not ${typeof key}`);
}


const bitAt = (hash: number, shift: number): number => 1 << ((hash >>> shift) & 31);
const slotIndex = (bitmap: number, bit: number): number => popcount(bitmap & (bit - 1));
const isBucket = <K, V>(slot: Slot<K, V>): slot is Bucket<K, V> => Array.isArray(slot);

function find<K, V>(root: Branch<K, V>, key: K, hash: number): Leaf<K, V> | undefined {
  let node = root;
  for (let shift = 0; ; shift += BITS) {
    const bit = bitAt(hash, shift);
    if ((node.bitmap & bit) === 0) return undefined;
    const slot = node.slots[slotIndex(node.bitmap, bit)]!;
    if (slot instanceof Branch) node = slot;
    else if (isBucket(slot)) return slot.find((leaf) => leaf.key === key);
    else return slot.key === key ? slot : undefined;
  }
}

/** `node` with `leaf` in it (in place of the leaf of the same key, if any). */
function put<K, V>(node: Branch<K, V>, shift: number, leaf: Leaf<K, V>): Branch<K, V> {
  const bit = bitAt(leaf.hash, shift);
  const at = slotIndex(node.bitmap, bit);
  if ((node.bitmap & bit) === 0) return new Branch(node.bitmap | bit, [...node.slots.slice(0, at), leaf, ...node.slots.slice(at)]);
  const slot = node.slots[at]!;
  let next: Slot<K, V>;
  if (slot instanceof Branch) next = put(slot, shift + BITS, leaf);
  else if (isBucket(slot)) {
    next = slot[0]!.hash === leaf.hash ? [...slot.filter((l) => l.key !== leaf.key), leaf] : split(slot, slot[0]!.hash, leaf, shift + BITS);
  } else next = slot.key === leaf.key ? leaf : split(slot, slot.hash, leaf, shift + BITS);
  const slots = [...node.slots];
  slots[at] = next;
  return new Branch(node.bitmap, slots);
}

/** What holds `held` (a leaf or bucket of hash `heldHash`) and a leaf of another key, from level `shift` down. */
function split<K, V>(held: Leaf<K, V> | Bucket<K, V>, heldHash: number, leaf: Leaf<K, V>, shift: number): Slot<K, V> {
  if (heldHash === leaf.hash) return [...(isBucket(held) ? held : [held]), leaf];
  const a = bitAt(heldHash, shift);
  const b = bitAt(leaf.hash, shift);
  if (a === b) return new Branch(a, [split(held, heldHash, leaf, shift + BITS)]);
  return new Branch(a | b, (a >>> 0) < (b >>> 0) ? [held, leaf] : [leaf, held]);
}

/** `node` without `key` (the same node if it has no such key). */
function remove<K, V>(node: Branch<K, V>, shift: number, key: K, hash: number): Branch<K, V> {
  const bit = bitAt(hash, shift);
  if ((node.bitmap & bit) === 0) return node;
  const at = slotIndex(node.bitmap, bit);
  const slot = node.slots[at]!;
  let next: Slot<K, V> | undefined;
  if (slot instanceof Branch) {
    const child = remove(slot, shift + BITS, key, hash);
    if (child === slot) return node;
    next = child.bitmap === 0 ? undefined : child;
  } else if (isBucket(slot)) {
    const rest = slot.filter((leaf) => leaf.key !== key);
    if (rest.length === slot.length) return node;
    next = rest.length === 1 ? rest[0] : rest;
  } else {
    if (slot.key !== key) return node;
    next = undefined;
  }
  if (next !== undefined) {
    const slots = [...node.slots];
    slots[at] = next;
    return new Branch(node.bitmap, slots);
  }
  return new Branch(node.bitmap & ~bit, [...node.slots.slice(0, at), ...node.slots.slice(at + 1)]);
}

/** The entries set since a version (with the value before, if any) and the keys deleted. */
interface SharedMapChange<K, V> {
  set: [key: K, value: V, before: { value: V } | undefined][];
  deleted: K[];
}

/** The leaves of `now` that `before` does not have (each with `before`'s leaf of its key, if any), and `before`'s leaves of keys `now` lacks. */
function changedLeaves<K, V>(now: Branch<K, V>, before: Branch<K, V>): { set: [Leaf<K, V>, Leaf<K, V> | undefined][]; deleted: Leaf<K, V>[] } {
  const added: Leaf<K, V>[] = [];
  const removed: Leaf<K, V>[] = [];
  differing(now, before, added, removed);
  const old = new Map(removed.map((leaf) => [leaf.key, leaf]));
  const set: [Leaf<K, V>, Leaf<K, V> | undefined][] = [];
  for (const leaf of added) {
    const was = old.get(leaf.key);
    old.delete(leaf.key);
    if (!was || was.value !== leaf.value || was.seq !== leaf.seq) set.push([leaf, was]);
  }
  return { set, deleted: [...old.values()] };
}

/** The leaves under `a` and under `b` that are not in a slot both share: `a`'s into `added`, `b`'s into `removed`. */
function differing<K, V>(a: Branch<K, V>, b: Branch<K, V>, added: Leaf<K, V>[], removed: Leaf<K, V>[]): void {
  if (a === b) return;
  for (let bits = a.bitmap | b.bitmap; bits !== 0; bits &= bits - 1) {
    const bit = bits & -bits;
    const x = a.bitmap & bit ? a.slots[slotIndex(a.bitmap, bit)] : undefined;
    const y = b.bitmap & bit ? b.slots[slotIndex(b.bitmap, bit)] : undefined;
    if (x === y) continue;
    if (x instanceof Branch && y instanceof Branch) differing(x, y, added, removed);
    else {
      if (x) collectSlot(x, added);
      if (y) collectSlot(y, removed);
    }
  }
}

function collectSlot<K, V>(slot: Slot<K, V>, into: Leaf<K, V>[]): void {
  if (slot instanceof Branch) collect(slot, into);
  else if (isBucket(slot)) into.push(...slot);
  else into.push(slot);
}

function inOrder<K, V>(root: Branch<K, V>): readonly Leaf<K, V>[] {
  let leaves = ordered.get(root) as Leaf<K, V>[] | undefined;
  if (!leaves) {
    leaves = [];
    collect(root, leaves);
    leaves.sort((a, b) => a.seq - b.seq);
    ordered.add(root, leaves as Leaf<unknown, unknown>[]);
  }
  return leaves;
}

/** The leaf under `node` inserted first. */
function earliest<K, V>(node: Branch<K, V>): Leaf<K, V> | undefined {
  let first: Leaf<K, V> | undefined;
  const consider = (leaf: Leaf<K, V> | undefined) => {
    if (leaf && (!first || leaf.seq < first.seq)) first = leaf;
  };
  for (const slot of node.slots) {
    if (slot instanceof Branch) consider(earliest(slot));
    else if (isBucket(slot)) slot.forEach(consider);
    else consider(slot);
  }
  return first;
}

function collect<K, V>(node: Branch<K, V>, into: Leaf<K, V>[]): void {
  for (const slot of node.slots) {
    if (slot instanceof Branch) collect(slot, into);
    else if (isBucket(slot)) into.push(...slot);
    else into.push(slot);
  }
}

/** The index of the first leaf whose seq is above `seq` (leaves sorted by seq). */
function firstAfter<K, V>(leaves: readonly Leaf<K, V>[], seq: number): number {
  let lo = 0;
  let hi = leaves.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (leaves[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
