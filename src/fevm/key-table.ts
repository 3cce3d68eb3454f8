// The state tree's keys other than actors' IDs (an address's in the init actor's map, an EVM storage
// slot's, the next ID's: one-byte strings, see state-tree.ts), numbered in the order they were first
// added and kept as bytes in buffers that double as they fill, outside the JS heap, where a key as a
// string with its Map entry cost ~86 bytes of heap, each counted about twice in RSS. The tree's
// history then names a key by its number.
import { doubled } from '../common/doubled.js';
import { FNV_OFFSET, fnvStep, hashText, mix32 } from '../common/hash32.js';

export class KeyTable {
  /** Every key's bytes, one after another. */
  private bytes = new Uint8Array(4096);
  /** Where each key's bytes end (key k's start where key k - 1's end). */
  private ends = new Uint32Array(256);
  /** Open addressing, linear probing: a key's number + 1, 0 for none; never more than half full. */
  private index = new Int32Array(512);
  private count = 0;

  /** How many keys there are: what `truncate` takes to go back to this point. */
  get size(): number {
    return this.count;
  }

  /** The key's number, or -1. */
  find(key: string): number {
    return this.findAt(key, hashText(key) & (this.index.length - 1));
  }

  /** The key's number, the key added when it is new. */
  add(key: string): number {
    const hash = hashText(key);
    const found = this.findAt(key, hash & (this.index.length - 1));
    if (found >= 0) return found;
    const k = this.count;
    if (k === this.ends.length) this.ends = doubled(this.ends, k);
    const start = this.start(k);
    while (start + key.length > this.bytes.length) this.bytes = doubled(this.bytes, start);
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      if (code > 0xff) throw new Error(`state key ${JSON.stringify(key)} is not one byte a character`);
      this.bytes[start + i] = code;
    }
    this.ends[k] = start + key.length;
    this.count++;
    if (this.count * 2 > this.index.length) this.rehash(this.index.length * 2);
    else this.place(k, hash);
    return k;
  }

  /** Key `k` as the string it was added as. */
  keyAt(k: number): string {
    return String.fromCharCode.apply(null, this.bytes.subarray(this.start(k), this.ends[k]) as unknown as number[]);
  }

  /** The numbers of the keys that start with `prefix`, in the order they were added (a scan of every key's bytes). */
  withPrefix(prefix: string): number[] {
    const found: number[] = [];
    for (let k = 0, start = 0; k < this.count; start = this.ends[k]!, k++) {
      if (this.ends[k]! - start < prefix.length) continue;
      let i = 0;
      while (i < prefix.length && this.bytes[start + i] === prefix.charCodeAt(i)) i++;
      if (i === prefix.length) found.push(k);
    }
    return found;
  }

  /** Forgets the keys from number `size` on (a `size` read earlier), the newest first. */
  truncate(size: number): void {
    const mask = this.index.length - 1;
    // Linear probing: taking the newest key out leaves every older key's probe path as it was.
    for (; this.count > size; this.count--) {
      const k = this.count - 1;
      let at = this.hashAt(k) & mask;
      while (this.index[at] !== k + 1) at = (at + 1) & mask;
      this.index[at] = 0;
    }
  }

  /** The number of the key found probing from `at`, or -1. */
  private findAt(key: string, at: number): number {
    const mask = this.index.length - 1;
    for (; ; at = (at + 1) & mask) {
      const entry = this.index[at]!;
      if (entry === 0) return -1;
      if (this.is(entry - 1, key)) return entry - 1;
    }
  }

  /** Key `k`'s hash, from its bytes (as hashText makes it from its string: one byte a character). */
  private hashAt(k: number): number {
    let hash = FNV_OFFSET;
    for (let i = this.start(k); i < this.ends[k]!; i++) hash = fnvStep(hash, this.bytes[i]!);
    return mix32(hash);
  }

  private start(k: number): number {
    return k === 0 ? 0 : this.ends[k - 1]!;
  }

  private is(k: number, key: string): boolean {
    const start = this.start(k);
    if (this.ends[k]! - start !== key.length) return false;
    for (let i = 0; i < key.length; i++) if (this.bytes[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private place(k: number, hash = this.hashAt(k)): void {
    const mask = this.index.length - 1;
    let at = hash & mask;
    while (this.index[at] !== 0) at = (at + 1) & mask;
    this.index[at] = k + 1;
  }

  /** A bigger index, the keys placed in the order they were added (which `truncate` relies on). */
  private rehash(capacity: number): void {
    this.index = new Int32Array(capacity);
    for (let k = 0; k < this.count; k++) this.place(k);
  }
}
