// Hex codecs used at the JSON-RPC edge and in tests. Domain code speaks Uint8Array and bigint.
export type Hex = `0x${string}`;

/**
 * By Node's encoder, which makes one flat string: a string built a character pair at a time (as
 * JavaScript hex encoders do) is a rope of one piece per pair, ~30 bytes each, for as long as it
 * lives, and the chain store keeps such strings as keys for every tipset and message.
 */
export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${hexOf(bytes)}`;
}

/**
 * Node's hex encoder, the one `Buffer#toString('hex')` calls (`Buffer.prototype.hexSlice`), called on the
 * array itself: it takes any Uint8Array and reads a short one's bytes where V8 keeps them, so that no Buffer
 * is made and copied into first (asBuffer). A receipt's answer encodes ~13 values: ~13 k of its instructions
 * (docs/performance.md, receipts). It is not in Node's documentation, so it is probed once at load on a plain
 * Uint8Array with a known answer: a Node that lacks it, checks its receiver or takes other arguments gets the
 * Buffer path instead of an error on every answer.
 */
const hexSlice = (Buffer.prototype as { hexSlice?: (this: Uint8Array, start: number, end: number) => string }).hexSlice;
const hexOf: (bytes: Uint8Array) => string = hexSliceWorks() ? (bytes) => hexSlice!.call(bytes, 0, bytes.byteLength) : (bytes) => asBuffer(bytes).toString('hex');

function hexSliceWorks(): boolean {
  try {
    return typeof hexSlice === 'function' && hexSlice.call(Uint8Array.of(0xab, 0x01, 0xff), 0, 3) === 'ab01ff';
  } catch {
    return false;
  }
}

/**
 * V8 keeps a typed array of up to 64 bytes (a hash, an address) inside its object; asking for its
 * `.buffer` moves the bytes to memory of their own (a malloc, and an ArrayBuffer for the collector
 * to track and sweep), for as long as the array lives. Such arrays are copied into a Buffer from
 * Node's pool instead; larger ones already have a buffer of their own, and are viewed.
 */
const IN_OBJECT_BYTES = 64;

function asBuffer(bytes: Uint8Array): Buffer {
  return bytes.byteLength <= IN_OBJECT_BYTES ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes 0x-prefixed hex of even length; throws on anything else. Into bytes of their own. */
export function hexToBytes(hex: string): Uint8Array {
  const bytes = evenHexToBytes(hex);
  if (!bytes) throw new Error(`invalid hex string: ${hex.slice(0, 80)}`);
  return bytes;
}

/** A hex digit's value by its character code ('0'–'9', 'A'–'F', 'a'–'f'); NOT_A_DIGIT for the other codes below 103. */
const NOT_A_DIGIT = 0xff;
const DIGIT_VALUES = new Uint8Array(103).fill(NOT_A_DIGIT);
for (let d = 0; d < 10; d++) DIGIT_VALUES[48 + d] = d;
for (let d = 0; d < 6; d++) DIGIT_VALUES[65 + d] = DIGIT_VALUES[97 + d] = 10 + d;

/** A character code's value as a hex digit, or NOT_A_DIGIT. */
const digitValue = (code: number): number => (code < DIGIT_VALUES.length ? DIGIT_VALUES[code]! : NOT_A_DIGIT);

/**
 * The bytes of `hex` if it is 0x and an even number of hex digits, else undefined (hexToBytes
 * throws instead; the JSON-RPC parameters say themselves what is wrong). Up to
 * IN_OBJECT_BYTES each digit is checked as it is decoded (one pass, where a regular expression's
 * check is a second: an eth_call's `to` and `data` are two); longer hex by one regular expression.
 * Not by Node's decoder alone, which reads a two-byte string's characters by their low byte
 * (Buffer.from('\u0130\u0131', 'hex') is 0x01).
 */
export function evenHexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || hex.charCodeAt(0) !== 48 /* 0 */ || hex.charCodeAt(1) !== 120 /* x */) return undefined;
  const length = (hex.length - 2) / 2;
  // Not /^0x([0-9a-fA-F]{2})*$/: its repeated group overflows the regexp engine's stack past a few MB (anvil_loadState).
  if (length > IN_OBJECT_BYTES) return /^0x[0-9a-fA-F]*$/.test(hex) ? fromHexDigits(hex, 2) : undefined;
  const bytes = new Uint8Array(length);
  for (let i = 0, at = 2; i < length; i++, at += 2) {
    const high = digitValue(hex.charCodeAt(at));
    const low = digitValue(hex.charCodeAt(at + 1));
    if ((high | low) > 15) return undefined;
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

/**
 * Bytes of their own (not a view of Node's pool) of the hex digits of `hex` from `start` on, an even
 * number of them, unchecked: only for evenHexToBytes's long hex (checked whole first) and
 * bigintToBytes's own; other hex goes through evenHexToBytes or hexToBytes. Up to IN_OBJECT_BYTES by
 * a loop over the digits: Node's decoder is a call into C++ that fills a Buffer of its pool, then
 * copied out, several times the loop's cost for a short value.
 */
function fromHexDigits(hex: string, start: number): Uint8Array {
  const bytes = new Uint8Array((hex.length - start) / 2);
  if (bytes.length <= IN_OBJECT_BYTES) {
    for (let i = 0, at = start; i < bytes.length; i++, at += 2) bytes[i] = (DIGIT_VALUES[hex.charCodeAt(at)]! << 4) | DIGIT_VALUES[hex.charCodeAt(at + 1)]!;
    return bytes;
  }
  asBuffer(bytes).write(start === 0 ? hex : hex.slice(start), 'hex');
  return bytes;
}

export function quantity(n: bigint | number): Hex {
  return `0x${n.toString(16)}`;
}

/** Bytes that a Number holds exactly (6 × 8 = 48 bits < 53): nonces, gas, fees and values of transfers. */
const NUMBER_BYTES = 6;
const NUMBER_LIMIT = 2n ** BigInt(8 * NUMBER_BYTES);

/**
 * Big-endian unsigned bytes of a bigint, minimal length (0 → empty), after `before` zero bytes that
 * the caller may fill (a sign byte): one array, not one to copy into another.
 */
export function bigintToBytes(n: bigint, before = 0): Uint8Array {
  if (n === 0n) return new Uint8Array(before);
  // Small values by arithmetic on a Number, without a hex string to build and parse.
  if (n > 0n && n < NUMBER_LIMIT) {
    let x = Number(n);
    let length = 0;
    for (let y = x; y > 0; y = Math.floor(y / 256)) length++;
    const out = new Uint8Array(before + length);
    for (let i = before + length - 1; i >= before; i--, x = Math.floor(x / 256)) out[i] = x % 256;
    return out;
  }
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return fromHexDigits(before === 0 ? hex : '00'.repeat(before) + hex, 0);
}

const NUMBER_BITS = BigInt(8 * NUMBER_BYTES);

/**
 * The unsigned big-endian integer of `bytes` (of its `start` to `end`; a 32-byte word through one
 * DataView, other lengths without a view): read NUMBER_BYTES at a time into Numbers, joined as
 * bigints. Against a hex string built and parsed by BigInt, an amount of 7–20 bytes (every FIL
 * amount from ~0.0003 FIL: balances, messages' values, a past actor version's funds in
 * actor-change.ts) takes ~30–50 % less time (node, wall clock, load ~7). A 32-byte word (a
 * signature's r and s, a storage word, a hash) is four 64-bit reads instead (wordToBigint): ~35 %
 * fewer instructions than six Numbers' bigints, which took ~15 % more time than the hex string
 * (docs/performance.md, R104).
 */
export function bytesToBigint(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  // Within `bytes` only: the word's view is on their buffer, which may hold other bytes past them.
  if (end - start === 32 && start >= 0 && end <= bytes.length) return wordToBigint(bytes, start);
  // The first chunk takes what is left over, so that the others are whole.
  const firstEnd = start + ((end - start) % NUMBER_BYTES || NUMBER_BYTES);
  let i = start;
  let chunk = 0;
  for (; i < firstEnd && i < end; i++) chunk = chunk * 256 + bytes[i]!;
  let n = BigInt(chunk);
  while (i < end) {
    chunk = 0;
    for (const chunkEnd = i + NUMBER_BYTES; i < chunkEnd; i++) chunk = chunk * 256 + bytes[i]!;
    n = (n << NUMBER_BITS) | BigInt(chunk);
  }
  return n;
}

/** The 32 bytes from `start`: four big-endian 64-bit reads joined by three shifts and ors (10 bigints, where the six Number chunks made 16). */
function wordToBigint(bytes: Uint8Array, start: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, 32);
  return (((((view.getBigUint64(0) << 64n) | view.getBigUint64(8)) << 64n) | view.getBigUint64(16)) << 64n) | view.getBigUint64(24);
}

/** Left-pads to `length` bytes (big-endian numbers, 32-byte words). */
export function padStart(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length >= length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

/**
 * The empty byte array that stored messages, transactions and receipts share (a transfer has no
 * input, params or return): each `new Uint8Array()` kept is ~0.2 KB of heap (the view and its
 * buffer), and one of length 0 has nothing to change.
 */
export const EMPTY_BYTES = new Uint8Array(0);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
