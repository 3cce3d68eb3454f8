// storage-kamt.ts: a contract's storage laid out as builtin-actors v18's EVM KAMT (bit width 5, one
// pair per bucket, keys by their big-endian bytes; ref-fvm ipld/kamt's node, pointer and extension
// encodings), read back as kamt-shape.ts keeps its shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidOf, decodeCbor, encodeCbor, type CID } from '../../src/common/cbor.js';
import { buildStorageKamt } from '../../src/fevm/actors/evm/storage-kamt.js';
import { EMPTY_KAMT, pointersOf, shapeOfBlocks } from '../../src/fevm/actors/evm/kamt-shape.js';

type Pointer = { v: [Uint8Array, Uint8Array][] } | { l: [CID, number, Uint8Array] };
const decodeNode = (block: Uint8Array) => decodeCbor<[Uint8Array, Pointer[]]>(block);
const root = (kamt: { blocks: Uint8Array[] }) => kamt.blocks.at(-1)!;

test('no storage is an empty root: no bitfield bytes, no pointers', () => {
  const kamt = buildStorageKamt([]);
  assert.deepEqual(root(kamt), encodeCbor([new Uint8Array(0), []]));
  assert.equal(kamt.root.toString(), cidOf(root(kamt)).toString());
  assert.deepEqual(shapeOfBlocks(root(kamt), () => undefined), EMPTY_KAMT);
});

test('a slot alone in its bucket is a pair in the root, key and value as U256 without leading zeros', () => {
  const top = 1n << 255n; // bucket 16: the bitfield's bit 16
  const kamt = buildStorageKamt([
    [1n, 5n],
    [top, 0x0100n],
  ]);
  assert.equal(kamt.blocks.length, 1);
  const [bitfield, pointers] = decodeNode(root(kamt));
  assert.deepEqual(bitfield, Uint8Array.of(0x01, 0x00, 0x01));
  assert.deepEqual(pointers, [{ v: [[Uint8Array.of(1), Uint8Array.of(5)]] }, { v: [[Uint8Array.of(0x80, ...new Uint8Array(31)), Uint8Array.of(1, 0)]] }]);
  const shape = shapeOfBlocks(root(kamt), () => undefined);
  assert.deepEqual([shape.bitfield, shape.bytes, shape.links], [(1 << 16) | 1, root(kamt).length, 0]);
});

test('two slots sharing a bucket go to a node, linked with the 5-bit groups they share as its extension', () => {
  // Slots 0 and 1 differ only in their last bit: after the root's 5 bits they share 50 groups (250
  // bits, 32 bytes of path), and the node at bit 255 holds them under its 1-bit buckets 0 and 1.
  const kamt = buildStorageKamt([
    [1n, 7n],
    [0n, 3n],
  ]);
  assert.equal(kamt.blocks.length, 2);
  const [bitfield, pointers] = decodeNode(root(kamt));
  assert.deepEqual(bitfield, Uint8Array.of(0x01));
  const link = (pointers[0] as { l: [CID, number, Uint8Array] }).l;
  assert.equal(link[0].toString(), cidOf(kamt.blocks[0]!).toString());
  assert.equal(link[1], 250);
  assert.deepEqual(link[2], new Uint8Array(32));
  assert.deepEqual(decodeNode(kamt.blocks[0]!), [Uint8Array.of(0x03), [{ v: [[new Uint8Array(0), Uint8Array.of(3)]] }, { v: [[Uint8Array.of(1), Uint8Array.of(7)]] }]]);
  // Read back without the node: the link's node is opaque.
  const shape = shapeOfBlocks(root(kamt), () => undefined);
  assert.deepEqual([shape.bytes, shape.links, (pointersOf(shape)[0] as { node: { pointers?: unknown } }).node.pointers], [root(kamt).length, 1, undefined]);
});

test('an extension packs its groups from the most significant bit; a partial match splits at the first group that differs', () => {
  // Bucket 1; then the groups 10001 and 00010 shared by both keys; then 00000 / 10000.
  const base = (1n << 251n) | (0b10001n << 246n) | (0b00010n << 241n);
  const kamt = buildStorageKamt([
    [base, 1n],
    [base | (0b10000n << 236n), 2n],
  ]);
  const [bitfield, pointers] = decodeNode(root(kamt));
  assert.deepEqual(bitfield, Uint8Array.of(0x02));
  const [, length, path] = (pointers[0] as { l: [CID, number, Uint8Array] }).l;
  assert.equal(length, 10);
  assert.deepEqual(path, Uint8Array.of(0b10001000, 0b10000000));
  const [childBits] = decodeNode(kamt.blocks[0]!);
  assert.deepEqual(childBits, Uint8Array.of(0x01, 0x00, 0x01)); // buckets 0 and 16
});

test('the tree is the same whatever order the slots come in', () => {
  const slots: [bigint, bigint][] = Array.from({ length: 40 }, (_, i) => [((BigInt(i) * 0x9e3779b97f4a7c15n) << 190n) % (1n << 256n), BigInt(i + 1)]);
  const a = buildStorageKamt(slots);
  const b = buildStorageKamt([...slots].reverse());
  assert.equal(a.root.toString(), b.root.toString());
});

test('a root whose bitfield and pointers disagree is refused', () => {
  assert.throws(() => shapeOfBlocks(encodeCbor([Uint8Array.of(0x03), [{ v: [[Uint8Array.of(1), Uint8Array.of(1)]] }]]), () => undefined), /bitfield does not match/);
  assert.throws(() => shapeOfBlocks(encodeCbor([Uint8Array.of(0x01), [{ v: [] }, { v: [] }]]), () => undefined), /bitfield does not match/);
});
