// decodeRlpListView against @ethereumjs/rlp's decode: the same inputs accepted as one list, the same
// items (byte strings as views of the input), and each item's offset; generated inputs (fast-check)
// from valid encodings, their mutations and truncations, non-canonical forms and random bytes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp';
import { decodeRlpListView, rlpListHeader, type RlpView } from '../../src/common/rlp-view.js';

/** What @ethereumjs/rlp makes of `bytes`: the list, or undefined when it throws or gives a byte string. */
function reference(bytes: Uint8Array): NestedUint8Array | undefined {
  try {
    const decoded = RLP.decode(bytes);
    return Array.isArray(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const plain = (v: RlpView | NestedUint8Array[number]): unknown => (Array.isArray(v) ? v.map(plain) : Buffer.from(v).toString('hex'));

function assertSameAsReference(bytes: Uint8Array): void {
  const expected = reference(bytes);
  const view = decodeRlpListView(bytes);
  if (!expected) return assert.equal(view, undefined, `accepted ${Buffer.from(bytes).toString('hex')}`);
  assert.ok(view, `rejected ${Buffer.from(bytes).toString('hex')}`);
  assert.deepEqual(plain(view.items), plain(expected));
  // Each item's encoding starts where the offsets say: re-encoding it gives those bytes.
  assert.equal(view.starts.length, view.items.length + 1);
  assert.equal(view.starts.at(-1), bytes.length);
  view.items.forEach((item, i) => assert.equal(hex(bytes.subarray(view.starts[i], view.starts[i + 1])), hex(RLP.encode(item as Uint8Array))));
  for (const item of view.items) if (item instanceof Uint8Array) assert.equal(item.buffer, bytes.buffer, 'a byte string is a view of the input');
}

const byteString = fc.oneof(fc.uint8Array({ maxLength: 3 }), fc.uint8Array({ minLength: 50, maxLength: 70 }), fc.uint8Array({ maxLength: 300 }));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  item: fc.oneof({ depthSize: 'small' }, byteString, fc.array(tie('item'), { maxLength: 5 })),
})).item;
const encodedList = fc.array(value, { maxLength: 14 }).map((items) => RLP.encode(items as NestedUint8Array));

describe('decodeRlpListView', () => {
  test('valid lists: the same items as @ethereumjs/rlp, each at its offset', () => {
    fc.assert(fc.property(encodedList, (bytes) => assertSameAsReference(bytes)), { numRuns: 500 });
  });

  test('mutated, truncated and extended encodings: accepted and rejected as @ethereumjs/rlp does', () => {
    const mutated = fc.tuple(encodedList, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 })).map(([bytes, edits]) => {
      const out = new Uint8Array(bytes);
      for (const [at, byte] of edits) if (out.length > 0) out[at % out.length] = byte;
      return out;
    });
    const cut = fc.tuple(encodedList, fc.nat()).map(([bytes, n]) => bytes.subarray(0, n % (bytes.length + 1)));
    const extended = fc.tuple(encodedList, fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([bytes, tail]) => new Uint8Array([...bytes, ...tail]));
    fc.assert(fc.property(fc.oneof(mutated, cut, extended, fc.uint8Array({ maxLength: 80 })), (bytes) => assertSameAsReference(bytes)), { numRuns: 3000 });
  });

  test('non-canonical forms are rejected as @ethereumjs/rlp rejects them', () => {
    const cases: string[] = [
      'c28100', // a byte below 0x80 with a length prefix
      'c2b801', // a long string form for a short string
      'f83a' + 'b838' + '00'.repeat(56), // a long list holding a long string (valid)
      'f800', // a long list form with a zero length
      'f90038' + '00'.repeat(56), // a length with a leading zero
      'f837' + '00'.repeat(55), // a long list form for a short list
      'f7' + '00'.repeat(55), // a short list form at its limit (valid)
      'c0c0', // trailing bytes
      '80', // a byte string, not a list
      '',
    ];
    for (const hex of cases) assertSameAsReference(Buffer.from(hex, 'hex'));
    assert.ok(decodeRlpListView(Buffer.from('f7' + '00'.repeat(55), 'hex')));
  });

  test('a list nested deeper than the stack is rejected, not thrown', () => {
    // 100 000 lists each holding the next: headers outermost first, each covering what follows.
    const depth = 100_000;
    const headers: Uint8Array[] = [];
    let length = 0;
    for (let i = 0; i < depth; i++) {
      const header = rlpListHeader(length);
      headers.push(header);
      length += header.length;
    }
    const bytes = Buffer.concat(headers.reverse());
    assert.equal(reference(bytes), undefined);
    assert.equal(decodeRlpListView(bytes), undefined);
  });

  test('rlpListHeader is the header @ethereumjs/rlp writes', () => {
    assert.equal(hex(rlpListHeader(0)), 'c0');
    for (const size of [0, 1, 54, 55, 56, 255, 256, 65535, 65536, 1 << 20]) {
      // A list holding one byte string of `size` bytes: its payload is that string's encoding.
      const payload = RLP.encode(new Uint8Array(size)).length;
      const encoded = RLP.encode([new Uint8Array(size)]);
      assert.equal(hex(rlpListHeader(payload)), hex(encoded.subarray(0, encoded.length - payload)));
    }
  });
});
