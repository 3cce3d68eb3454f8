// An index from 32-byte digests (message CIDs' digests, transaction hashes; tipsets' hashes and block
// CIDs' digests) to the ordinals of the chain's messages (or the indexes of its tipsets), in typed
// arrays: where a Map from hex strings to location objects was ~0.3 KB a message. Only a digest's
// first 4 bytes are kept; a hit is checked against the whole digest, which the chain keeps anyway
// (`digestOf`). The chain removes the entries of what it drops (`remove`), so the index holds the
// chain's messages and tipsets only, however often it is truncated.
import { equalBytes } from '../common/hex.js';

/**
 * Slots start at this many and double when three quarters full: 11-21 bytes an entry, where half full
 * was 16-32 (linear probing then takes ~2.5 probes to find an entry, ~8.5 to find a free slot).
 */
const INITIAL_SLOTS = 1024;

export class DigestIndex {
  /** Per slot: the digest's first 4 bytes, then the ordinal + 1 (0: an empty slot). Open addressing, linear probing. */
  private slots = new Uint32Array(2 * INITIAL_SLOTS);
  private count = 0;

  /** `digestOf(ordinal)`: the digest the entry with that ordinal (a message's, or a tipset's index) is found by, if it has one. */
  constructor(private readonly digestOf: (ordinal: number) => Uint8Array | undefined) {}

  /** How many entries it holds. */
  get size(): number {
    return this.count;
  }

  add(digest: Uint8Array, ordinal: number): void {
    if (4 * (this.count + 1) > 3 * (this.slots.length / 2)) this.grow();
    this.put(prefixOf(digest), ordinal);
    this.count++;
  }

  /** The ordinal (a message's, or a tipset's index) found by `digest`, if any. */
  find(digest: Uint8Array): number | undefined {
    if (digest.length !== 32) return undefined;
    const prefix = prefixOf(digest);
    const mask = this.slots.length / 2 - 1;
    for (let slot = prefix & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[2 * slot + 1];
      if (stored === 0) return undefined;
      if (this.slots[2 * slot] !== prefix) continue;
      const candidate = this.digestOf(stored - 1);
      if (candidate && equalBytes(candidate, digest)) return stored - 1;
    }
  }

  /** Removes the entry `add(digest, ordinal)` made, if it holds it. */
  remove(digest: Uint8Array, ordinal: number): void {
    const { slots } = this;
    const prefix = prefixOf(digest);
    const mask = slots.length / 2 - 1;
    let hole = prefix & mask;
    while (slots[2 * hole] !== prefix || slots[2 * hole + 1] !== ordinal + 1) {
      if (slots[2 * hole + 1] === 0) return;
      hole = (hole + 1) & mask;
    }
    this.count--;
    // Close the hole without tombstones: each later entry of the run moves into it when the hole
    // lies between its home slot and where it is, so every entry stays reachable from its home.
    for (let slot = (hole + 1) & mask; slots[2 * slot + 1] !== 0; slot = (slot + 1) & mask) {
      const home = slots[2 * slot] & mask;
      if (((slot - home) & mask) < ((slot - hole) & mask)) continue;
      slots[2 * hole] = slots[2 * slot];
      slots[2 * hole + 1] = slots[2 * slot + 1];
      hole = slot;
    }
    slots[2 * hole] = 0;
    slots[2 * hole + 1] = 0;
  }

  /** Exchanges its entries with `other`'s (each keeps its own `digestOf`). */
  swap(other: DigestIndex): void {
    [this.slots, other.slots] = [other.slots, this.slots];
    [this.count, other.count] = [other.count, this.count];
  }

  private put(prefix: number, ordinal: number): void {
    const mask = this.slots.length / 2 - 1;
    let slot = prefix & mask;
    while (this.slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    this.slots[2 * slot] = prefix;
    this.slots[2 * slot + 1] = ordinal + 1;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(2 * old.length);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.put(old[i], old[i + 1] - 1);
  }
}

/** A digest's first 4 bytes as an unsigned integer (digests are hashes: their bytes are uniform). */
const prefixOf = (digest: Uint8Array) => ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0;
