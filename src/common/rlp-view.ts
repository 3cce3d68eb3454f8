// Decoding a raw transaction's RLP without copying it. @ethereumjs/rlp's decode copies every byte
// string out of the input and does not say where each item's encoding starts; a transaction's
// signing hash covers its first items' encodings as they were sent, so with their offsets the node
// hashes those bytes instead of encoding the fields again. It accepts exactly what @ethereumjs/rlp
// accepts (canonical RLP: test/unit/common-rlp-view.test.ts compares the two on generated inputs);
// on anything else the caller asks @ethereumjs/rlp, which says what is wrong.

/** A decoded item: a byte string (a view of the input) or a list. */
export type RlpView = Uint8Array | RlpView[];

/** A decoded top-level list: its items, and where each item's encoding starts in the input (`starts[items.length]`: the end). */
export interface RlpListView {
  items: RlpView[];
  starts: number[];
}

/**
 * `bytes` as one RLP list, its byte strings viewing `bytes`; undefined when `bytes` is not exactly one
 * canonical RLP list (a byte string, trailing bytes, a non-canonical length, a list nested too deep).
 */
export function decodeRlpListView(bytes: Uint8Array): RlpListView | undefined {
  try {
    const starts: number[] = [];
    const header = listHeader(bytes, 0, bytes.length);
    if (header === undefined || header.end !== bytes.length) return undefined;
    const items = listItems(bytes, header.start, header.end, starts);
    starts.push(header.end);
    return items && { items, starts };
  } catch {
    return undefined; // a list nested deeper than the stack: @ethereumjs/rlp's decode names the error
  }
}

/** Where a list's payload starts and ends, if a canonical list header is at `at` (and fits before `limit`). */
function listHeader(bytes: Uint8Array, at: number, limit: number): { start: number; end: number } | undefined {
  const first = bytes[at];
  if (first === undefined || at >= limit || first < 0xc0) return undefined;
  if (first <= 0xf7) return fits(at + 1, first - 0xc0, limit);
  const length = longLength(bytes, at + 1, first - 0xf7, limit);
  return length === undefined || length < 56 ? undefined : fits(at + 1 + (first - 0xf7), length, limit);
}

function fits(start: number, length: number, limit: number): { start: number; end: number } | undefined {
  return start + length <= limit ? { start, end: start + length } : undefined;
}

/** A long form's length: `lengthBytes` big-endian bytes at `at`, without a leading zero. */
function longLength(bytes: Uint8Array, at: number, lengthBytes: number, limit: number): number | undefined {
  if (at + lengthBytes > limit || bytes[at] === 0) return undefined;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + bytes[at + i]!;
  return length;
}

/** The items of the list payload [start, end), pushing each item's start to `starts` if given. */
function listItems(bytes: Uint8Array, start: number, end: number, starts?: number[]): RlpView[] | undefined {
  const items: RlpView[] = [];
  for (let at = start; at < end; ) {
    starts?.push(at);
    const first = bytes[at]!;
    if (first >= 0xc0) {
      const header = listHeader(bytes, at, end);
      const inner = header && listItems(bytes, header.start, header.end);
      if (!inner) return undefined;
      items.push(inner);
      at = header!.end;
      continue;
    }
    const item = byteString(bytes, at, end);
    if (!item) return undefined;
    items.push(bytes.subarray(item.start, item.end));
    at = item.end;
  }
  return items;
}

/** A canonical byte string's bytes at `at`: a single byte below 0x80 is its own encoding, a short one has no long form. */
function byteString(bytes: Uint8Array, at: number, limit: number): { start: number; end: number } | undefined {
  const first = bytes[at]!;
  if (first < 0x80) return { start: at, end: at + 1 };
  if (first <= 0xb7) {
    const span = fits(at + 1, first - 0x80, limit);
    return span && !(first === 0x81 && bytes[at + 1]! < 0x80) ? span : undefined;
  }
  const length = longLength(bytes, at + 1, first - 0xb7, limit);
  return length === undefined || length <= 55 ? undefined : fits(at + 1 + (first - 0xb7), length, limit);
}

/** The RLP header of a list whose payload is `length` bytes long. */
export function rlpListHeader(length: number): Uint8Array {
  if (length < 56) return Uint8Array.of(0xc0 + length);
  const digits: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) digits.unshift(n % 256);
  return Uint8Array.of(0xf7 + digits.length, ...digits);
}
