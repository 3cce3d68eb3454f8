// A set of byte strings (a log filter's addresses or topics), asked whether it holds a given one.
import { equalBytes } from './hex.js';

/** Up to this many members are compared in turn: cheaper than making the key of the bytes asked about. */
const COMPARED_IN_TURN = 8;

const keyOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/**
 * A few members are compared in turn; many are looked up by their bytes as a latin1 string, so a
 * filter of 10 000 addresses costs one lookup per log rather than 10 000 comparisons.
 */
export class BytesSet {
  private readonly members: readonly Uint8Array[];
  private readonly keys: ReadonlySet<string> | undefined;

  constructor(members: readonly Uint8Array[]) {
    this.members = members;
    this.keys = members.length > COMPARED_IN_TURN ? new Set(members.map(keyOf)) : undefined;
  }

  get empty(): boolean {
    return this.members.length === 0;
  }

  has(bytes: Uint8Array): boolean {
    if (this.keys) return this.keys.has(keyOf(bytes));
    for (const member of this.members) if (equalBytes(member, bytes)) return true;
    return false;
  }
}
