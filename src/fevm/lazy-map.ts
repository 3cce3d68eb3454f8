// A table of a forked builtin actor's state (a market's deals, a registry's allocations, a token's
// balances…): a Map whose keys it does not hold are read from where the fork keeps what it fetched,
// a key at a time. A key not fetched yet throws MissingStateError from that source (fevm/state-tree.ts),
// as every fork read does. What the fork writes is held here, and what it deletes is remembered, so
// that the upstream's value does not show through again; both are kept as SharedMaps, so that a copy
// costs the same whatever the fork wrote. Actors copy their tables with `copyMap`, which keeps a
// LazyMap lazy; iteration covers only the keys held or fetched so far, so that the actors' own work
// never waits for a whole upstream table. Whole-table views (the Lotus list methods) ask for every
// key with `wholeTable` / `wholeKeys`, which fetch the upstream's list of the table first. An
// unforked chain never makes one: its tables are plain Maps, and SharedMaps once an actor copied them.
import { SharedMap } from '../common/shared-map.js';
import { readEach } from './state-tree.js';

/** Where a LazyMap's keys come from. */
export interface MapSource<K, V> {
  /** The value under `key`: undefined if there is none; throws MissingStateError if not fetched yet. */
  get(key: K): V | undefined;
  /** The entries fetched so far that have a value. */
  fetched(): Iterable<[K, V]>;
  /**
   * Every key the upstream's table holds; throws MissingStateError until the upstream's list of the
   * table is fetched. Absent where the upstream's keys cannot be listed (a table nobody lists).
   */
  listed?(): Iterable<K>;
}

export class LazyMap<K, V> extends SharedMap<K, V> {
  /** The keys the fork deleted. What the fork wrote is the SharedMap's own entries. */
  private readonly removed: SharedMap<K, true>;

  constructor(
    private readonly source: MapSource<K, V>,
    from?: LazyMap<K, V>,
  ) {
    super();
    this.removed = from ? from.removed.copy() : new SharedMap();
    if (from) this.shareEntriesOf(from);
  }

  /** What this table holds itself (written on the fork), without what the source has. */
  private held(): IterableIterator<[K, V]> {
    return super.entries();
  }

  override get(key: K): V | undefined {
    if (super.has(key)) return super.get(key);
    if (this.removed.has(key)) return undefined;
    return this.source.get(key);
  }

  override has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  override set(key: K, value: V): this {
    this.removed.delete(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const had = this.has(key);
    super.delete(key);
    this.removed.set(key, true);
    return had;
  }

  override clear(): void {
    throw new Error('a forked table cannot be cleared: the upstream keys it never fetched would show through');
  }

  override *entries(): MapIterator<[K, V]> {
    yield* this.held();
    for (const [key, value] of this.source.fetched()) {
      if (!super.has(key) && !this.removed.has(key)) yield [key, value];
    }
  }

  override get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  /**
   * What the fork wrote to this table, never what it read: its own entries and the keys it deleted,
   * each sorted by key, so that the same writes give the same answer in any order.
   */
  written(): { held: [K, V][]; removed: K[] } {
    const byKey = (a: K, b: K) => (a < b ? -1 : a > b ? 1 : 0);
    return { held: [...this.held()].sort(([a], [b]) => byKey(a, b)), removed: [...this.removed.keys()].sort(byKey) };
  }

  /** Every key: what this table holds and the upstream's list, less what was deleted (MissingStateError until listed). */
  wholeKeys(): K[] {
    if (!this.source.listed) throw new Error('this forked table cannot be listed');
    const keys = [...this.held()].map(([key]) => key);
    for (const key of this.source.listed()) if (!super.has(key) && !this.removed.has(key)) keys.push(key);
    return keys;
  }

  /** A copy that changes apart from this one and reads the same source. */
  override copy(): LazyMap<K, V> {
    return new LazyMap(this.source, this);
  }
}

/**
 * A working copy of an actor's table, which shares the table's entries with it (SharedMap): a forked
 * table stays lazy, a plain Map (as a genesis or a state file holds) becomes a SharedMap.
 */
export function copyMap<K, V>(map: ReadonlyMap<K, V>): Map<K, V> {
  return map instanceof SharedMap ? (map as SharedMap<K, V>).copy() : new SharedMap(map);
}

/** Every key of a table, a forked one's upstream keys included (MissingStateError until they are listed). */
export function wholeKeys<K, V>(map: ReadonlyMap<K, V>): K[] {
  return map instanceof LazyMap ? (map as LazyMap<K, V>).wholeKeys() : [...map.keys()];
}

/**
 * Every entry of a table, a forked one's upstream entries included. The entries not fetched yet are
 * named together in one MissingStateError, so that one fetch brings them all.
 */
export function wholeTable<K, V>(map: ReadonlyMap<K, V>): [K, V][] {
  if (!(map instanceof LazyMap)) return [...map];
  return readEach(wholeKeys(map), (key): [K, V] | undefined => {
    const value = map.get(key);
    return value === undefined ? undefined : [key, value];
  });
}
