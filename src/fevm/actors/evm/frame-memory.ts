// The EVM memory of the frames call-frame.ts runs. @ethereumjs's Memory starts every frame with a
// fresh 8 KB Uint8Array: an ArrayBuffer outside V8's heap (malloc, zeroed, freed by the collector)
// for a frame that mostly touches a few hundred bytes. Here a frame takes a store from a pool and
// gives it back zeroed, unless a view of it left the frame: a read without a copy (a CALL's or
// CREATE's input, which a builtin actor may keep as params) can outlive the frame, so such a store
// is never reused.
// Same reads, writes and growth as @ethereumjs's Memory (10.1), which the opcodes call.
//
// Limits, as calibnet's FVM sets them (ref-fvm fvm/src/machine/mod.rs NetworkConfig::new,
// machine/limiter.rs, engine/mod.rs): a Wasm instance (each actor call, so each EVM frame: the
// EVM actor keeps the contract's memory in its instance) may hold 512 MiB, and the instances of a
// call stack together 2 GiB (a frame's memory counts until it returns). The EVM actor grows its
// memory with a Vec (builtin-actors actors/evm/src/interpreter/memory.rs): growth the instance is
// refused aborts the actor, a Wasm trap that the FVM ends the frame with, SYS_ILLEGAL_INSTRUCTION
// (ref-fvm fvm/src/syscalls/error.rs). Here a growth past either limit throws MEMORY_LIMIT_TRAP,
// which the EVM actor answers with that exit code (evm-actor.ts). The instance's own memory (the
// actor's code, stack and heap, a few MiB) is not counted, nor Vec's doubling: calibnet may trap a
// little earlier than here.
//
// A store past LARGE lives in a resizable ArrayBuffer: it grows in place (no copy of what is there
// at each page) and its pages go back to the system as the frame ends, not at some later collection
// (a 1 GiB call kept the node's RSS at 2 GB).
import { EVMError } from '@ethereumjs/evm';
import { concatBytes } from '@ethereumjs/util';
import { checkBudget } from '../../run-budget.js';

/** @ethereumjs's unit of memory growth, and the size of a pooled store. */
const PAGE = 8192;
/** Stores kept for reuse: enough for the frames nested at once in ordinary calls. */
const POOL_LIMIT = 16;
/** A store larger than this (bytes) is a resizable ArrayBuffer's. */
const LARGE = 1 << 20;
/**
 * calibnet's max_inst_memory_bytes, the most one frame's memory may hold, and max_memory_bytes, the
 * most the frames of one call stack may hold together (unit tests lower them, then restore them).
 */
export const MEMORY_LIMITS = { frame: 512 * 2 ** 20, stack: 2 * 2 ** 30 };
/** The error of a frame whose memory would grow past a limit (the trap's text, as wasmtime words it). */
export const MEMORY_LIMIT_TRAP = 'wasm `unreachable` instruction executed' as ConstructorParameters<typeof EVMError>[0];

/** ES2024's resizable ArrayBuffer, which Node 20 has (the project's TypeScript lib is ES2022's). */
interface ResizableBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

const pool: Uint8Array[] = [];
/** Bytes the stores of the frames running now hold (executions run one at a time). */
let stackBytes = 0;

export class FrameMemory {
  _store: Uint8Array;
  /** The end of the bytes extended to so far: every write lies below it. */
  private end = 0;
  /** Whether a view of the store was handed out (or the store went back to the pool). */
  private shared = false;
  /** The resizable buffer of a store past LARGE. */
  private large: ResizableBuffer | undefined;
  /** Until release: the store counts in stackBytes. */
  private held = true;

  constructor() {
    this._store = pool.pop() ?? new Uint8Array(PAGE);
    stackBytes += PAGE;
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
    const length = outgrown.length + Math.ceil(sizeDiff / PAGE) * PAGE;
    if (length > MEMORY_LIMITS.frame || stackBytes + length - outgrown.length > MEMORY_LIMITS.stack) throw new EVMError(MEMORY_LIMIT_TRAP);
    stackBytes += length - outgrown.length;
    if (length > LARGE) this.growLarge(length);
    else this._store = concatBytes(outgrown, new Uint8Array(length - outgrown.length));
    if (this.shared || outgrown.length !== PAGE || pool.length >= POOL_LIMIT) return;
    outgrown.fill(0);
    pool.push(outgrown);
  }

  /** Grows a store past LARGE in place; then checks the execution's budget, as a growth can take long. */
  private growLarge(length: number): void {
    if (this.large) {
      this.large.resize(length);
    } else {
      this.large = new ResizableBuffer(length, { maxByteLength: MEMORY_LIMITS.frame });
      new Uint8Array(this.large).set(this._store);
    }
    this._store = new Uint8Array(this.large, 0, length);
    checkBudget();
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
    // A large store is emptied when the frame ends: nothing may keep a view of it.
    if (avoidCopy === true && this.large === undefined) {
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
    if (!this.held) return;
    this.held = false;
    stackBytes -= store.length;
    if (this.large) {
      // Its pages go back to the system now.
      this.large.resize(0);
      this.large = undefined;
      return;
    }
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
