// dag-cbor helpers: Filecoin big integers (go-state-types big/int.go), CIDs over blake2b-256
// (builtin-actors' EMPTY_ARR_CID is a published vector), and the CID <-> digest round trip.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blake2b } from '@noble/hashes/blake2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import {
  BLAKE2B_256,
  CborReader,
  cborBytesSize,
  DAG_CBOR,
  RAW,
  cidFromDigest,
  cidOf,
  decodeBigInt,
  decodeCbor,
  decodePayload,
  encodeBigInt,
  encodeCbor,
  hasInvalidUtf8Text,
} from '../../src/common/cbor.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const toHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

describe('encodeBigInt / decodeBigInt', () => {
  // Expected bytes from go-state-types big.Int.Bytes(): empty for 0, else sign byte (0x00 / 0x01) ‖ |n| big-endian.
  const vectors: [bigint, string][] = [
    [0n, '0x'],
    [1n, '0x0001'],
    [-1n, '0x0101'],
    [255n, '0x00ff'],
    [256n, '0x000100'],
    [-256n, '0x010100'],
    [10n ** 18n, '0x000de0b6b3a7640000'],
    [-(10n ** 18n), '0x010de0b6b3a7640000'],
    [2n ** 64n, '0x00010000000000000000'],
  ];

  for (const [n, bytes] of vectors) {
    test(`${n} <-> ${bytes}`, () => {
      assert.equal(toHex(encodeBigInt(n)), bytes);
      assert.equal(decodeBigInt(hex(bytes)), n);
    });
  }

  test('round trip over a range of magnitudes and signs', () => {
    for (let k = 0n; k < 300n; k += 7n) {
      for (const n of [2n ** k - 1n, 2n ** k, -(2n ** k), 3n ** (k / 2n)]) {
        assert.equal(decodeBigInt(encodeBigInt(n)), n);
      }
    }
  });

  test('in CBOR a big integer is a byte string', () => {
    // 0x43 = byte string of length 3.
    assert.equal(toHex(encodeCbor(encodeBigInt(1000n))), '0x430003e8');
    assert.equal(toHex(encodeCbor(encodeBigInt(0n))), '0x40');
  });

  test('a zero magnitude after the sign byte decodes to 0', () => {
    assert.equal(decodeBigInt(hex('0x00')), 0n);
  });

  // go-state-types big.FromBytes: `big int prefix should be either 0 or 1, got N`.
  test('a sign byte other than 0 or 1 is rejected', () => {
    assert.throws(() => decodeBigInt(hex('0x0201')));
    assert.throws(() => decodeBigInt(hex('0xff01')));
  });
});

describe('CIDs', () => {
  test('the CID of the empty CBOR array is builtin-actors EMPTY_ARR_CID', () => {
    const bytes = encodeCbor([]);
    assert.equal(toHex(bytes), '0x80');
    assert.equal(cidOf(bytes).toString(), 'bafy2bzacebc3bt6cedhoyw34drrmjvazhu4oj25er2ebk4u445pzycvq4ta4a');
  });

  test('cidOf is CIDv1 dag-cbor blake2b-256, byte for byte', () => {
    const data = encodeCbor({ hello: 'world', n: 1 });
    const cid = cidOf(data);
    assert.equal(cid.version, 1);
    assert.equal(cid.code, DAG_CBOR);
    assert.equal(cid.multihash.code, BLAKE2B_256);
    // version 0x01, codec 0x71, multihash code 0xb220 as varint (a0 e4 02), length 0x20, digest.
    const expected = new Uint8Array([0x01, 0x71, 0xa0, 0xe4, 0x02, 0x20, ...blake2b(data, { dkLen: 32 })]);
    assert.deepEqual(cid.bytes, expected);
    assert.ok(cid.toString().startsWith('bafy2bza'), cid.toString());
  });

  test('cidOf with the raw codec', () => {
    const data = new TextEncoder().encode('raw bytes');
    const cid = cidOf(data, RAW);
    assert.equal(cid.code, RAW);
    assert.deepEqual(cid.bytes, new Uint8Array([0x01, 0x55, 0xa0, 0xe4, 0x02, 0x20, ...blake2b(data, { dkLen: 32 })]));
    assert.ok(cid.toString().startsWith('bafk2bza'), cid.toString());
  });

  test('cidFromDigest rebuilds the same CID from its 32-byte digest', () => {
    const data = encodeCbor([1, 2, 3]);
    const cid = cidOf(data);
    const rebuilt = cidFromDigest(cid.multihash.digest);
    assert.ok(rebuilt.equals(cid));
    assert.equal(rebuilt.toString(), cid.toString());
    assert.equal(cidFromDigest(blake2b(hex('0x80'), { dkLen: 32 })).toString(), 'bafy2bzacebc3bt6cedhoyw34drrmjvazhu4oj25er2ebk4u445pzycvq4ta4a');
  });

  test("cidOf's CID is the one multiformats makes, in every part, and decodes and encodes alike", () => {
    for (const codec of [DAG_CBOR, RAW]) {
      const data = encodeCbor({ codec });
      const cid = cidOf(data, codec);
      const theirs = CID.createV1(codec, Digest.create(BLAKE2B_256, blake2b(data, { dkLen: 32 })));
      assert.ok(cid.equals(theirs));
      assert.deepEqual([cid.version, cid.code, cid.multihash.code, cid.multihash.size], [1, codec, BLAKE2B_256, 32]);
      assert.deepEqual(cid.multihash.bytes, theirs.multihash.bytes);
      assert.deepEqual(cid.multihash.digest, theirs.multihash.digest);
      assert.equal(cid.toString(), theirs.toString());
      assert.ok(CID.decode(cid.bytes).equals(cid));
      assert.equal(CID.asCID(cid), cid);
      assert.deepEqual(encodeCbor([cid]), encodeCbor([theirs]));
      assert.deepEqual(decodeCbor<CID[]>(encodeCbor([cid]))[0].bytes, cid.bytes);
    }
  });

  test('different bytes give different CIDs', () => {
    assert.notEqual(cidOf(encodeCbor([1])).toString(), cidOf(encodeCbor([2])).toString());
  });
});

describe('encodeCbor / decodeCbor', () => {
  test('byte strings and tuples encode as RFC 8949 says', () => {
    assert.equal(toHex(encodeCbor(hex('0xdeadbeef'))), '0x44deadbeef');
    assert.equal(toHex(encodeCbor([0, hex('0x0064'), 3844450837])), '0x8300420064' + '1ae525aa15');
    assert.equal(toHex(encodeCbor(new Uint8Array(24))), '0x5818' + '00'.repeat(24));
  });

  test('round trip', () => {
    const value = [1, hex('0x0102'), 'text', [true, null], 2 ** 40];
    assert.deepEqual(decodeCbor(encodeCbor(value)), value);
  });
});

describe('cborBytesSize', () => {
  test("is the length of encodeCbor's byte string on both sides of each header size", () => {
    for (const n of [0, 1, 23, 24, 255, 256, 65_535, 65_536, 100_000]) assert.equal(cborBytesSize(n), encodeCbor(new Uint8Array(n)).length, `${n} bytes`);
  });
});

describe('CborReader', () => {
  test("a document's map and arrays read an entry and an item at a time are the values decodeCbor gives", () => {
    const doc = { a: 1, list: [{ cid: cidOf(new Uint8Array([1])), bytes: new Uint8Array([2, 3]) }, 'two', [3n ** 40n]], z: null };
    const bytes = encodeCbor(doc);
    const reader = new CborReader(Buffer.from(bytes));
    const read: Record<string, unknown> = {};
    for (let entries = reader.mapHeader(); entries > 0; entries--) {
      const key = reader.value<string>();
      if (key !== 'list') {
        read[key] = reader.value();
        continue;
      }
      const items = [];
      for (let n = reader.arrayHeader(); n > 0; n--) items.push(reader.value());
      read[key] = items;
    }
    assert.equal(reader.done, true);
    assert.deepEqual(read, decodeCbor(bytes));
    assert.equal(Object.getPrototypeOf((read.list as { bytes: Uint8Array }[])[0]!.bytes), Uint8Array.prototype);
  });

  test('bytes cut short, the wrong kind of header, and what dag-cbor refuses throw', () => {
    const bytes = encodeCbor([1, 2, 3]);
    const cut = new CborReader(bytes.subarray(0, 3));
    assert.equal(cut.arrayHeader(), 3);
    cut.value();
    cut.value();
    assert.throws(() => cut.value(), /bytes end before the value/);
    assert.throws(() => new CborReader(bytes).mapHeader(), /found array, expected map/);
    // An indefinite-length array (0x9f ... 0xff): valid CBOR, not dag-cbor.
    assert.throws(() => new CborReader(new Uint8Array([0x9f, 0x01, 0xff])).arrayHeader());
  });
});

describe('hasInvalidUtf8Text', () => {
  const check = (h: string): boolean => hasInvalidUtf8Text(hex(h), decodeCbor(hex(h)));
  test('a text string whose bytes are not UTF-8 (cborg decodes them to U+FFFD) is found, nested or not', () => {
    assert.equal(check('64deadbeef'), true);
    // [1, {"a": <de ad be ef as text>}]
    assert.equal(check('8201a1616164deadbeef'), true);
  });
  test('valid text, U+FFFD itself (ef bf bd) and byte strings with the same bytes are not', () => {
    assert.equal(check('6568656c6c6f'), false);
    assert.equal(check('63efbfbd'), false);
    assert.equal(check('44deadbeef'), false);
  });
});

// G4: the one reading of Lotus's decodePayload (node/impl/eth/utils.go) that eth_getTransaction* and the traces share.
describe('decodePayload', () => {
  test('codec 0 is no bytes, CBOR and DAG-CBOR their leading byte string (what follows ignored), RAW the bytes as they are; else undefined', () => {
    const string = hex('43010203');
    for (const codec of [0x51, DAG_CBOR]) {
      assert.deepEqual(decodePayload(string, codec), hex('010203'));
      assert.deepEqual(decodePayload(hex('4301020301'), codec), hex('010203'));
      // Not a byte string first (an integer, a text string): Lotus fails, and shows handle_filecoin_method.
      assert.equal(decodePayload(hex('01'), codec), undefined);
      assert.equal(decodePayload(hex('6161'), codec), undefined);
    }
    assert.deepEqual(decodePayload(new Uint8Array(), 0), new Uint8Array());
    assert.deepEqual(decodePayload(string, RAW), string);
    assert.equal(decodePayload(string, 0x70), undefined);
  });
});
