// Values by ID, each with the bytes the fork's disk cache stores it as (ForkedActors, ForkedSlots).
// A value loaded from the cache stays those bytes until something reads it, so that a start decodes
// only what it reads; a value's bytes are made once and kept for every save after, until changed(id).

/** One ID's entry: its value once decoded or set, its bytes once loaded or made; never neither. */
interface Held<V, S> {
  value?: V;
  bytes?: S;
}

/** `S`: the stored form, bytes or (ForkedActors) null, encoded and decoded by the codec given. */
export class StoredById<V, S extends Uint8Array | null = Uint8Array> {
  private readonly byId = new Map<number, Held<V, S>>();

  /** `stored`: the entries a cache file stored, by ID, each decoded on its first read. */
  constructor(
    private readonly encode: (value: V) => S,
    private readonly decode: (bytes: S) => V,
    stored: Iterable<readonly [number, S]> = [],
  ) {
    for (const [id, bytes] of stored) this.byId.set(id, { bytes });
  }

  /**
   * The value at `id`, undefined if none is held. One whose stored bytes do not decode (a damaged
   * file) is dropped, to be fetched again, as a damaged file is (fork-cache.ts).
   */
  get(id: number): V | undefined {
    const held = this.byId.get(id);
    if (held && held.value === undefined) {
      try {
        held.value = this.decode(held.bytes as S);
      } catch {
        this.byId.delete(id);
        return undefined;
      }
    }
    return held?.value;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  set(id: number, value: V): void {
    this.byId.set(id, { value });
  }

  /** The value at `id` was changed in place: its bytes are made again at the next save. */
  changed(id: number): void {
    const held = this.byId.get(id);
    if (held) held.bytes = undefined;
  }

  /** Every entry as the cache stores it: its bytes, made when they are not held. */
  *stored(): Generator<[number, S]> {
    for (const [id, held] of this.byId) {
      if (held.bytes === undefined) held.bytes = this.encode(held.value as V);
      yield [id, held.bytes];
    }
  }
}
