// The upstream's actors a fork has fetched, by ID, each with the bytes the disk cache stores it as.
// An actor loaded from the cache stays those bytes until something reads it, so that a start from a
// cache holding many actors (contracts with their storage KAMT's shape, miners) decodes only the ones
// it reads; and as these actors are the upstream's at the fork point, never changed, each is encoded
// once for all the saves that follow.
import { decodeCbor, encodeCbor } from '../../common/cbor.js';
import type { Actor } from '../../fevm/actor.js';
import { actorFromStorable, storableActor } from '../../fevm/state-tree.js';

/** An actor held: null for an ID the upstream has no actor at. */
interface Held {
  actor?: Actor | null;
  bytes?: Uint8Array | null;
}

export class ForkedActors {
  private readonly byId = new Map<number, Held>();

  /** The actors a cache file stored, by ID: each one's bytes (null: none upstream), decoded on first read. */
  static fromStored(stored: Iterable<readonly [number, Uint8Array | null]>): ForkedActors {
    const actors = new ForkedActors();
    for (const [id, bytes] of stored) actors.byId.set(id, { bytes });
    return actors;
  }

  /**
   * The actor at `id`, null if the upstream has none, undefined if not fetched. One whose stored bytes
   * do not decode (a damaged file) is dropped, to be fetched again, as a damaged file is (fork-cache.ts).
   */
  get(id: number): Actor | null | undefined {
    const held = this.byId.get(id);
    if (held && held.actor === undefined) {
      try {
        held.actor = held.bytes ? actorFromStorable(decodeCbor(held.bytes)) : null;
      } catch {
        this.byId.delete(id);
        return undefined;
      }
    }
    return held?.actor;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  set(id: number, actor: Actor | null): void {
    this.byId.set(id, { actor });
  }

  /** Every actor held as the cache stores it: its bytes, made once. */
  *stored(): Generator<[number, Uint8Array | null]> {
    for (const [id, held] of this.byId) {
      if (held.bytes === undefined) held.bytes = held.actor ? encodeCbor(storableActor(held.actor)) : null;
      yield [id, held.bytes];
    }
  }
}
