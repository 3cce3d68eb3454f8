// Where mined tipsets keep their CIDs' digests: runs of bytes cut from shared chunks, each named by
// its chunk and the offset it starts at, where each tipset had a Uint8Array and an ArrayBuffer of its
// own (~184 B of heap and a native allocation a tipset, for 160 B of digests in an empty one). A run
// is never reused: a chunk is let go when no tipset holding a run of it is left, so an idle chain's
// chunks are full of live runs. Dropped tipsets' runs stay while a tipset on the chain shares their
// chunk: a stretch of them keeps the chunk it starts in (the tipsets before it are there) and, once
// the chain goes on after it (a suite's next fixture mined on top of its tests' reverted tipsets,
// say), the one it ends in: at most two chunks per stretch, one when it is shorter than a chunk.

/** The bytes of a chunk: ~546 empty tipsets' runs (120 B: their numbers and three digests, tipset.ts). */
export const CHUNK_BYTES = 64 * 1024;

/** A run this long or longer gets a buffer of its own (a tipset of many messages), so that no chunk is left mostly empty. */
export const OWN_BUFFER_FROM = CHUNK_BYTES / 4;

/** A run of bytes: `bytes.subarray(at, at + length)`, without making the view. */
export interface SlabRun {
  readonly bytes: Uint8Array;
  readonly at: number;
}

export class DigestSlab {
  private chunk = new Uint8Array(0);
  private used = 0;

  /** A new run of `length` zero bytes, for the caller alone to write. */
  take(length: number): SlabRun {
    if (length >= OWN_BUFFER_FROM) return { bytes: new Uint8Array(length), at: 0 };
    if (this.used + length > this.chunk.length) {
      this.chunk = new Uint8Array(CHUNK_BYTES);
      this.used = 0;
    }
    const at = this.used;
    this.used += length;
    return { bytes: this.chunk, at };
  }
}
