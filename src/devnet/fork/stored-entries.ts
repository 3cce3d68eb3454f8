// A singleton's table as the fork's disk cache stored it: each entry its own CBOR bytes, decoded
// when the entry is first read (ForkTables' Maps are read by key: LazyMap's `get`, ForkSource's
// `has`), so that a start from a cache holding a listed table of tens of thousands of deals decodes
// only the entries the fork reads. Iterating decodes every entry. The fork only adds entries to its
// tables (fork-tables.ts), so an entry's stored bytes stay its bytes for every save after.
import { decodeCbor, encodeCbor } from '../../common/cbor.js';
import { fromStorable, toStorable } from '../../common/storable.js';

/** An entry's bytes as the cache stores them. */
export const encodeEntry = (value: unknown): Uint8Array => encodeCbor(toStorable(value));

/** A key's value while it is still its bytes. */
const NOT_DECODED = Symbol('not decoded');

export class StoredEntries<K, V> extends Map<K, V> {
  /** The bytes each entry was loaded or first saved as (kept once decoded, for the saves; dropped when it is set anew). */
  private readonly bytesOf = new Map<K, Uint8Array>();

  /** `stored`: the entries in the order the file stored them, which iteration keeps (as the plain Map it replaces did). */
  constructor(stored: Iterable<readonly [K, Uint8Array]>) {
    super();
    for (const [key, bytes] of stored) {
      super.set(key, NOT_DECODED as V);
      this.bytesOf.set(key, bytes);
    }
  }

  /**
   * `value` at `key`, decoded if it is still bytes. One whose bytes do not decode (a damaged file) is
   * dropped, to be fetched again, as a damaged file's tables are (fork-cache.ts).
   */
  private decoded(key: K, value: V | undefined): V | undefined {
    if (value !== NOT_DECODED) return value;
    try {
      const entry = fromStorable(decodeCbor(this.bytesOf.get(key)!)) as V;
      super.set(key, entry);
      return entry;
    } catch {
      this.delete(key);
      return undefined;
    }
  }

  private decodeAll(): void {
    for (const [key, value] of super.entries()) this.decoded(key, value);
  }

  override get(key: K): V | undefined {
    return this.decoded(key, super.get(key));
  }

  override has(key: K): boolean {
    this.get(key);
    return super.has(key);
  }

  override set(key: K, value: V): this {
    // Map's constructor calls no set without entries; the field exists from then on.
    this.bytesOf?.delete(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.bytesOf.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.bytesOf.clear();
    super.clear();
  }

  override entries(): MapIterator<[K, V]> {
    this.decodeAll();
    return super.entries();
  }

  override keys(): MapIterator<K> {
    this.decodeAll();
    return super.keys();
  }

  override values(): MapIterator<V> {
    this.decodeAll();
    return super.values();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.decodeAll();
    super.forEach(callback, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** Every entry as the cache stores it, in order: the bytes it was loaded as, or made (and kept for the next saves) for an entry set since. */
  storedEntries(): [K, Uint8Array][] {
    return [...super.entries()].map(([key, value]) => {
      let bytes = this.bytesOf.get(key);
      if (!bytes) this.bytesOf.set(key, (bytes = encodeEntry(value)));
      return [key, bytes];
    });
  }
}
