// The EVM memory of the frames call-frame.ts runs. @ethereumjs's Memory starts every frame with a
// fresh 8 KB Uint8Array: an ArrayBuffer outside V8's heap (malloc, zeroed, freed by the collector)
// for a frame that mostly touches a few hundred bytes. Here a frame takes a store from a pool and
// gives it back zeroed, unless a view of it left the frame: a read without a copy (a CALL's or
// CREATE's input, which a builtin actor may keep as params) can outlive the frame, so such a store
// is never reused.
// Same reads, writes and growth as @ethereumjs's Memory (10.1), which the opcodes call.
import { concatBytes } from '@ethereumjs/util';

/** @ethereumjs's unit of memory growth, and the size of a pooled store. */
const PAGE = 8192;
/** Stores kept for reuse: enough for the frames nested at once in ordinary calls. */
const POOL_LIMIT = 16;

const pool: Uint8Array[] = [];

export class FrameMemory {
  _store: Uint8Array;
  /** The end of the bytes extended to so far: every write lies below it. */
  private end = 0;
  /** Whether a view of the store was handed out (or the store went back to the pool). */
  private shared = false;

  constructor() {
    this._store = pool.pop() ?? new Uint8Array(PAGE);
  }

  /** Grows the memory to cover `size` bytes at `offset`, a page at a time (rounded to words). */
  extend(offset: number, size: number): void {
    if (size === 0) return;
    const newSize = Math.ceil((offset + size) / 32) * 32;
    if (newSize > this.end) this.end = newSize;
    const sizeDiff = newSize - this._store.length;
    if (sizeDiff > 0) this.grow(sizeDiff);
  }

  /**
   * A larger store; the page outgrown goes back to the pool at once, unless a view of it left the
   * frame. Frames that grow memory (a heavy call) then leave the pool as full as others: a frame
   * that finds it empty allocates, a path that deoptimizes the code running frames.
   */
  private grow(sizeDiff: number): void {
    const outgrown = this._store;
    this._store = concatBytes(outgrown, new Uint8Array(Math.ceil(sizeDiff / PAGE) * PAGE));
    if (this.shared || outgrown.length !== PAGE || pool.length >= POOL_LIMIT) return;
    outgrown.fill(0);
    pool.push(outgrown);
  }

  write(offset: number, size: number, value: Uint8Array): void {
    if (size === 0) return;
    this.extend(offset, size);
    if (value.length !== size) throw new Error('Invalid value size');
    this._store.set(value, offset);
  }

  /** The bytes at `offset`, copied unless `avoidCopy` (then the store is never reused). */
  read(offset: number, size: number, avoidCopy?: boolean): Uint8Array {
    const loaded = this.view(offset, size);
    if (avoidCopy === true) {
      this.shared = true;
      return loaded;
    }
    return loaded.slice();
  }

  /** A view for an instruction that is done with it before the next one runs (MLOAD, KECCAK256). */
  view(offset: number, size: number): Uint8Array {
    this.extend(offset, size);
    return this._store.subarray(offset, offset + size);
  }

  /** The frame is over: its store goes back to the pool, zeroed, if nothing can still see it. */
  release(): void {
    const store = this._store;
    if (this.shared || store.length !== PAGE || pool.length >= POOL_LIMIT) return;
    this.shared = true;
    store.fill(0, 0, this.end);
    pool.push(store);
  }
}

/** A transient view of a frame's memory, whichever class it is (@ethereumjs's frames keep theirs). */
export function memoryView(memory: { _store: Uint8Array; extend(offset: number, size: number): void }, offset: number, size: number): Uint8Array {
  memory.extend(offset, size);
  return memory._store.subarray(offset, offset + size);
}
