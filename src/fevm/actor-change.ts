// A past version of an actor kept as what changed from the version before it, in bytes outside the JS
// heap, where the whole version was an Actor record and its state record (~0.9 KB a tipset for the
// reward, power and winning miner actors an empty tipset writes, against ~100 B of changes: the
// idleheap and heapenc entries of docs/performance.md). Read, the version is made again from the one
// before it: a record with the same fields in the same order, each the very value it held (numbers,
// bigints and booleans by value, anything else by reference), so that only the two records themselves
// are new objects. Unlike the --state file's form (common/storable.ts), nothing is converted: a fork's
// LazyMap, a contract's storage shape, a cron queue are the objects they were.
import { bytesToBigint } from '../common/hex.js';
import { ACTOR_FIELDS, type Actor } from './actor.js';

/**
 * The actor's fields whose records a change goes into, field by field: its kind's state (actor.ts
 * ACTOR_FIELDS). Any other record (an address, a storage shape, a table) is kept by reference.
 */
const STATE_FIELDS: ReadonlySet<string> = new Set(Object.entries(ACTOR_FIELDS).flatMap(([field, holds]) => (holds === 'state' ? [field] : [])));

// What follows a field's number: its value as bytes, by reference, or (a state record) its own changes.
const REF = 0;
const UINT = 1;
const FLOAT = 2;
const BIG = 3;
const NEGATIVE_BIG = 4;
const TRUE = 5;
const FALSE = 6;
const RECORD = 7;

/** A record made by a literal or a spread (not a class's instance, nor frozen: a storage shape's nodes are). */
const isPlainRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !Object.isFrozen(value);

/** Whether two records have the same fields in the same order (so that a copy of one with fields assigned is the other), at most 255 of them. */
function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.length > 255) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
  return true;
}

let out = Buffer.alloc(4096);
let length = 0;

function room(bytes: number): void {
  if (length + bytes <= out.length) return;
  const bigger = Buffer.alloc(Math.max(out.length * 2, length + bytes));
  out.copy(bigger, 0, 0, length);
  out = bigger;
}

function writeUint(n: number): void {
  room(8);
  while (n >= 0x80) {
    out[length++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[length++] = n;
}

function writeValue(value: unknown, previous: unknown, refs: unknown[], nested: boolean): void {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0)) {
      writeUint(UINT);
      writeUint(value);
    } else {
      writeUint(FLOAT);
      room(8);
      length = out.writeDoubleLE(value, length);
    }
  } else if (typeof value === 'bigint') {
    writeUint(value < 0n ? NEGATIVE_BIG : BIG);
    const hex = (value < 0n ? -value : value).toString(16);
    const bytes = (hex.length + 1) >> 1;
    writeUint(bytes);
    room(bytes);
    length += out.write(hex.length & 1 ? `0${hex}` : hex, length, 'hex');
  } else if (value === true || value === false) {
    writeUint(value ? TRUE : FALSE);
  } else if (nested && isPlainRecord(value) && isPlainRecord(previous) && sameFields(value, previous)) {
    writeUint(RECORD);
    writeChanges(value, previous, refs, false);
  } else {
    writeUint(REF);
    writeUint(refs.length);
    refs.push(value);
  }
}

/** The fields of `value` that are not those of `previous` (same fields, same order, at most 255): their count, then each one's number and value. */
function writeChanges(value: Record<string, unknown>, previous: Record<string, unknown>, refs: unknown[], top: boolean): void {
  const countAt = length;
  // The count, written once known.
  room(1);
  length += 1;
  let count = 0;
  let field = 0;
  for (const key in value) {
    const now = value[key];
    const before = previous[key];
    if (!Object.is(now, before)) {
      writeUint(field);
      writeValue(now, before, refs, top && STATE_FIELDS.has(key));
      count++;
    }
    field++;
  }
  out[countAt] = count;
}

/**
 * `actor` as the change from `previous` (the version before it under the same ID), appended to
 * `refs` what it keeps by reference; undefined when it cannot be one: either is not a plain record,
 * their fields differ (a new state, a tombstone), or either is a forked singleton (whose state's
 * identity its `forkedFrom` names). The bytes are valid until the next call: copy them.
 */
export function encodeChange(actor: Actor, previous: Actor, refs: unknown[]): Uint8Array | undefined {
  const value = actor as unknown as Record<string, unknown>;
  const before = previous as unknown as Record<string, unknown>;
  if (!isPlainRecord(value) || !isPlainRecord(before) || actor.forkedFrom !== undefined || previous.forkedFrom !== undefined || !sameFields(value, before)) return undefined;
  // Where this change's refs start: what forgetting it keeps of `refs` (refsStart).
  out.writeUInt32LE(refs.length, 0);
  length = 4;
  writeChanges(value, before, refs, true);
  return out.subarray(0, length);
}

/** How many refs there were before the change at `at` of `bytes` was encoded: forgotten, the refs it added go with it. */
export const refsStart = (bytes: Uint8Array, at: number): number => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 0x1000000;

/** A reader of changes, over the bytes they were appended to. */
class ChangeReader {
  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
    private readonly refs: readonly unknown[],
  ) {}

  uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const byte = this.bytes[this.at++]!;
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
      scale *= 0x80;
    }
  }

  changed(previous: Record<string, unknown>): Record<string, unknown> {
    const count = this.bytes[this.at++]!;
    const value = { ...previous };
    if (count === 0) return value;
    const keys = Object.keys(previous);
    for (let i = 0; i < count; i++) {
      const key = keys[this.uint()]!;
      value[key] = this.value(previous[key]);
    }
    return value;
  }

  private value(previous: unknown): unknown {
    const kind = this.uint();
    switch (kind) {
      case UINT:
        return this.uint();
      case FLOAT: {
        const n = new DataView(this.bytes.buffer, this.bytes.byteOffset).getFloat64(this.at, true);
        this.at += 8;
        return n;
      }
      case BIG:
      case NEGATIVE_BIG: {
        const size = this.uint();
        const magnitude = bytesToBigint(this.bytes, this.at, this.at + size);
        this.at += size;
        return kind === BIG ? magnitude : -magnitude;
      }
      case TRUE:
        return true;
      case FALSE:
        return false;
      case RECORD:
        return this.changed(previous as Record<string, unknown>);
      case REF:
        return this.refs[this.uint()];
      default:
        throw new Error(`an actor change holds a value of kind ${kind}`);
    }
  }
}

/** The actor the change encodeChange made, appended at `at` of `bytes`, makes of `previous`. */
export function decodeChange(bytes: Uint8Array, at: number, previous: Actor, refs: readonly unknown[]): Actor {
  return new ChangeReader(bytes, at + 4, refs).changed(previous as unknown as Record<string, unknown>) as unknown as Actor;
}
