// A list of 32-bit unsigned integers that grows by doubling, outside the JS heap: 4 B an element where
// a JS array's is 8 B of heap. For the per-commit and per-tipset counts a chain appends each tipset
// (fevm/state-tree.ts CommitLog, mining/chain-store.ts), which an idle node keeps for every tipset, and
// the writes of a key written each tipset (fevm/state-tree.ts History).
import { doubled } from './doubled.js';

export class Uint32List {
  private items: Uint32Array;
  private count: number;

  /** Empty with room for 1 024, or holding `from` with room for as many again (a JS array outgrown: state-tree.ts History). */
  constructor(from?: readonly number[]) {
    if (!from) {
      this.items = new Uint32Array(1024);
      this.count = 0;
      return;
    }
    for (const value of from) checkUint32(value);
    this.items = new Uint32Array(Math.max(1, 2 * from.length));
    this.items.set(from);
    this.count = from.length;
  }

  get length(): number {
    return this.count;
  }

  /**
   * The element at `index`, a whole number from 0 to below `length`; any other throws (not
   * `Array.prototype.at`: no index from the end, and the slots a pop leaves past `length` hold stale elements).
   */
  get(index: number): number {
    if (index >>> 0 !== index || index >= this.count) throw new RangeError(`${index} is not an index below the length ${this.count}`);
    return this.items[index]!;
  }

  push(value: number): void {
    checkUint32(value);
    if (this.count === this.items.length) this.items = doubled(this.items);
    this.items[this.count++] = value;
  }

  /** Removes the last element and returns it (undefined for an empty list). */
  pop(): number | undefined {
    return this.count === 0 ? undefined : this.items[--this.count];
  }
}

function checkUint32(value: number): void {
  if (!(value >= 0 && value <= 0xffffffff && Number.isInteger(value))) throw new RangeError(`${value} is not a 32-bit unsigned integer`);
}
