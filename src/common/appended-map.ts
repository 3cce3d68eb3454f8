// A read-only Map of number keys, in ascending order, each version of which is the one before with an
// entry added past its last key: one small object a version, pointing at the version before, so that
// versions share every entry but their own. A miner's pending rewards are one (fevm/actors/miner/state.ts
// vestingGrants): a grant each tipset the miner wins, and the state keeps every version, where a
// SharedMap's version copied the trie's path to its entry (~400 bytes of heap a tipset at 100 entries,
// against 48 here: a version keeps its key, its value and the version before, nothing else).
//
// Reads walk from the last entry back (a key is found by its place in the order; the size and the first
// key are counted and found by a walk too, which stops at a version counted lately: `counted` below),
// so this is for small maps read whole or at their end: the pending rewards are at most
// PENDING_GRANTS_MAX (1 024; fevm/actors/miner/state.ts).

/**
 * The versions whose size and first key were counted last, with them, COUNTED_SLOTS of them: a count
 * walks back to the first version or to one of these, whichever comes first. Each reward a miner wins
 * makes a version and reads its first key three times and its size once (miner/state.ts vestingHead,
 * addLockedFunds; miner/access.ts enrollVesting), each a walk over all the rewards waiting (up to
 * PENDING_GRANTS_MAX) that now stops a version or two back. Two slots a miner that wins in turn: a
 * reward counts its new version, and after a miss (versions never counted, as after a --state load)
 * the one before it too, so the slots are taken round-robin two a reward until every miner's last
 * version is kept. 16 keep up to 8 such miners' (their unit counts the walks); with more, counts may
 * miss and walk the whole chain (still correct). No field in the versions, which the state keeps every
 * one of (their heap test). Versions never change, so a count kept stays true; after a revert drops
 * versions, the slots keep at most COUNTED_SLOTS of them (and the versions before each) alive until
 * counts of others take their place.
 */
const COUNTED_SLOTS = 16;
const counted: (AppendedMap<unknown> | undefined)[] = new Array(COUNTED_SLOTS).fill(undefined);
const countedSize = new Float64Array(COUNTED_SLOTS);
const countedFirst = new Float64Array(COUNTED_SLOTS);
let nextCounted = 0;

/** The slot of `counted` that holds `map`, or -1. */
function countedSlot(map: AppendedMap<unknown>): number {
  for (let slot = 0; slot < COUNTED_SLOTS; slot++) if (counted[slot] === map) return slot;
  return -1;
}

export class AppendedMap<V> implements ReadonlyMap<number, V> {
  declare readonly [Symbol.toStringTag]: string;

  private constructor(
    /** The greatest key, and its value. */
    readonly lastKey: number,
    private readonly lastValue: V,
    /** The version this one added its entry to; undefined for a map of one entry. */
    private readonly before: AppendedMap<V> | undefined,
  ) {}

  /** How many entries it has: counted (a field each version kept was 8 B of heap a tipset for a miner's pending rewards). */
  get size(): number {
    return countedSize[this.count()]!;
  }

  /** The smallest key: the first version's. */
  get firstKey(): number {
    return countedFirst[this.count()]!;
  }

  /** The slot of `counted` holding this version's size and first key, counted now if no slot does. */
  private count(): number {
    let slot = countedSlot(this);
    if (slot >= 0) return slot;
    // Back to the first version (its key is the first), or to a counted one (its first key is this one's too).
    let steps = 1;
    let node: AppendedMap<V> = this;
    let known = -1;
    while (node.before !== undefined && (known = countedSlot(node.before)) < 0) {
      node = node.before;
      steps++;
    }
    const size = known >= 0 ? countedSize[known]! + steps : steps;
    const first = known >= 0 ? countedFirst[known]! : node.lastKey;
    slot = nextCounted;
    nextCounted = (nextCounted + 1) % COUNTED_SLOTS;
    counted[slot] = this;
    countedSize[slot] = size;
    countedFirst[slot] = first;
    return slot;
  }

  /** A map of `entries` (any order; a key given twice keeps its last value); undefined for none. */
  static of<V>(entries: Iterable<readonly [number, V]>): AppendedMap<V> | undefined {
    const sorted = [...new Map(entries)].sort(([a], [b]) => a - b);
    let map: AppendedMap<V> | undefined;
    for (const [key, value] of sorted) map = AppendedMap.appendedTo(map, key, value);
    return map;
  }

  /** `map` (if any) with `key` set to `value`: one new object when `key` is past its last key, else a map built again. */
  static with<V>(map: ReadonlyMap<number, V> | undefined, key: number, value: V): AppendedMap<V> {
    if (map === undefined || (map instanceof AppendedMap && key > map.lastKey)) return AppendedMap.appendedTo(map, key, value);
    return AppendedMap.of([...map, [key, value]])!;
  }

  private static appendedTo<V>(map: AppendedMap<V> | undefined, key: number, value: V): AppendedMap<V> {
    // A bigint equal to the last entry's is kept as that one: a miner's block rewards lock the same
    // amount each tipset, and each bigint is ~24 B of heap the state's history would keep.
    const kept = map !== undefined && typeof value === 'bigint' && value === map.lastValue ? map.lastValue : value;
    return new AppendedMap(key, kept, map);
  }

  /**
   * The entries this version added to `previous`, in order, when it was made from it by appends
   * (a --state journal stores a version as them); undefined when it was not.
   */
  appendedSince(previous: AppendedMap<V>): [number, V][] | undefined {
    const added: [number, V][] = [];
    let node: AppendedMap<V> | undefined = this;
    for (; node !== undefined && node !== previous && node.lastKey > previous.lastKey; node = node.before) added.push([node.lastKey, node.lastValue]);
    return node === previous ? added.reverse() : undefined;
  }

  get(key: number): V | undefined {
    for (let node: AppendedMap<V> | undefined = this; node !== undefined && node.lastKey >= key; node = node.before) if (node.lastKey === key) return node.lastValue;
    return undefined;
  }

  has(key: number): boolean {
    for (let node: AppendedMap<V> | undefined = this; node !== undefined && node.lastKey >= key; node = node.before) if (node.lastKey === key) return true;
    return false;
  }

  /** In ascending order of keys. */
  entries(): MapIterator<[number, V]> {
    const entries: [number, V][] = [];
    for (let node: AppendedMap<V> | undefined = this; node !== undefined; node = node.before) entries.push([node.lastKey, node.lastValue]);
    return entries.reverse().values();
  }

  [Symbol.iterator](): MapIterator<[number, V]> {
    return this.entries();
  }

  *keys(): MapIterator<number> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: V, key: number, map: ReadonlyMap<number, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

// A Map to whoever asks (`instanceof Map`: common/storable.ts stores it as one), as SharedMap is; a
// Map method that changes a map throws on it.
Object.setPrototypeOf(AppendedMap.prototype, Map.prototype);
