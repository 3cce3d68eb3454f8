// kamt-shape.ts: a contract's storage KAMT as its nodes and their sizes, kept as slots change. The
// reference is storage-kamt.ts's encoder (builtin-actors v18's KAMT in ref-fvm's canonical form):
// after any sequence of writes and clears, every node's size is its block's, and the shape is the one
// read back from those blocks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidOf, encodeCbor } from '../../src/common/cbor.js';
import { toStorable, toStorableChange } from '../../src/common/storable.js';
import { keccak256 } from '../../src/common/hashes.js';
import { bigintToBytes, bytesToBigint, padStart } from '../../src/common/hex.js';
import { buildStorageKamt } from '../../src/fevm/actors/evm/storage-kamt.js';
import { EMPTY_KAMT, pointersOf, shapeOfBlocks, UNKNOWN_ROOT, walk, withSlot, type KamtNode } from '../../src/fevm/actors/evm/kamt-shape.js';

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** The sizes of a shape's nodes, the root first. */
function nodeSizes(node: KamtNode): number[] {
  const below = pointersOf(node).flatMap((p) => ('node' in p ? nodeSizes(p.node) : []));
  return [node.bytes, ...below];
}

const sorted = (sizes: number[]) => [sizes[0]!, ...sizes.slice(1).sort((a, b) => a - b)];

/** Checks `shape` against storage-kamt.ts's blocks of `slots`: the root's size, every node's, and the shape read back from the blocks. */
function assertBlocks(shape: KamtNode, slots: Map<bigint, bigint>): void {
  const kamt = buildStorageKamt(slots);
  const root = kamt.blocks.at(-1)!;
  const byCid = new Map(kamt.blocks.map((block) => [cidOf(block).toString(), block]));
  assert.deepEqual(sorted(nodeSizes(shape)), [root.length, ...kamt.blocks.slice(0, -1).map((block) => block.length).sort((a, b) => a - b)]);
  assert.deepEqual(shapeOfBlocks(root, (cid) => byCid.get(cid.toString())), shape);
}

/** Applies writes (slot, value; 0 clears) to a shape and to a map of the nonzero slots. */
function apply(writes: [bigint, bigint][], start: KamtNode = EMPTY_KAMT, slots = new Map<bigint, bigint>()): { shape: KamtNode; slots: Map<bigint, bigint> } {
  let shape = start;
  for (const [slot, value] of writes) {
    shape = withSlot(shape, slot, slots.get(slot) ?? 0n, value);
    if (value === 0n) slots.delete(slot);
    else slots.set(slot, value);
  }
  return { shape, slots };
}

const mappingKey = (key: bigint, slot: bigint) => bytesToBigint(keccak256(new Uint8Array([...padStart(bigintToBytes(key), 32), ...padStart(bigintToBytes(slot), 32)])));
const BIG = (1n << 256n) - 12345n;

const cases: Record<string, [bigint, bigint][]> = {
  'one small slot': [[0n, 1n]],
  'slots 0-31, 32-byte values': Array.from({ length: 32 }, (_, i) => [BigInt(i), BIG - BigInt(i)]),
  'an array of 100 pushed small values and its length': [[0n, 100n], ...Array.from({ length: 100 }, (_, i): [bigint, bigint] => [mappingKey(0n, 0n) + BigInt(i), BigInt(i + 1)])],
  'a mapping of 300 hashed keys': Array.from({ length: 300 }, (_, i): [bigint, bigint] => [mappingKey(BigInt(i), 3n), BigInt(i) ** 9n + 1n]),
  'the top and bottom of the key space': [[0n, 1n], [1n, 2n], [BIG, 3n], [1n << 255n, 4n], [(1n << 255n) | 1n, 5n]],
  // Each key leaves the long extension over the zeros above the others at its own group (or within the last, 1-bit one).
  'keys parting from long extensions at every depth': Array.from({ length: 52 }, (_, i): [bigint, bigint] => [(1n << BigInt(i * 5)) | 1n, BigInt(i + 2)]),
};

for (const [name, writes] of Object.entries(cases)) {
  test(`${name}: each node is as large as its block, whatever the order of the writes`, () => {
    const next = random(writes.length);
    const shuffled = [...writes].sort(() => next() - 0.5);
    const { shape, slots } = apply(shuffled);
    assertBlocks(shape, slots);
    assert.deepEqual(apply(writes).shape, shape, 'the same shape in any order');
  });

  test(`${name}: clearing slots and changing values' lengths leaves the shape of what remains`, () => {
    const next = random(writes.length + 7);
    const { shape, slots } = apply(writes);
    const changes: [bigint, bigint][] = writes.filter(() => next() < 0.6).map(([slot], i) => [slot, i % 3 === 0 ? 0n : i % 3 === 1 ? 0xffn : BIG]);
    const after = apply(changes, shape, new Map(slots));
    assertBlocks(after.shape, after.slots);
    assert.deepEqual(after.shape, apply([...after.slots]).shape, 'as if written in that state at once');
  });
}

test('a rewrite of the same length keeps the shape object; a cleared slot that was not there too', () => {
  const { shape } = apply([[0n, 5n], [1n, 6n]]);
  assert.equal(withSlot(shape, 0n, 5n, 7n), shape);
  assert.equal(withSlot(shape, 9n, 0n, 0n), shape);
  assert.notEqual(withSlot(shape, 0n, 5n, 0x100n), shape);
});

test('a walk reaches the nodes on the way to a slot; a read opens a link whose extension the key leaves, a write does not', () => {
  // Slots 0 and 1 share a node at bit 255, linked from the root's bucket 0 over 50 groups.
  const { shape } = apply([[0n, 1n], [1n, 2n]]);
  const reached = (slot: bigint, read: boolean) => {
    const nodes: KamtNode[] = [];
    walk(shape, slot, read, (_id, node) => nodes.push(node));
    return nodes.map((node) => node.bytes);
  };
  assert.deepEqual(reached(0n, true), [nodeSizes(shape)[1]]);
  assert.deepEqual(reached(1n, false), [nodeSizes(shape)[1]]);
  assert.deepEqual(reached(64n, true), [nodeSizes(shape)[1]], 'slot 64 leaves the extension: a get has loaded the node');
  assert.deepEqual(reached(64n, false), []);
  assert.deepEqual(reached(1n << 255n, true), [], 'an empty bucket of the root');
  // A root not known: each 32 adjacent slots share a modelled node.
  const ids: bigint[] = [];
  walk(UNKNOWN_ROOT, 33n, true, (id) => ids.push(id));
  walk(UNKNOWN_ROOT, 63n, true, (id) => ids.push(id));
  assert.equal(ids[0], ids[1]);
});

// builtin-actors' own measurements of its EVM storage (actors/evm/tests/storage_footprint.rs and
// tests/measurements/array_push_n{1,100}.jsonline at e6b24ee1, the KAMT_CONFIG of v18): calls
// 1-11 of StorageFootprint.sol's array1_push(n), each pushing n uint32 (eight a slot, the array's
// length in slot 1, its slots from keccak256(1)), as [blocks got, their bytes, blocks put, their bytes].
// Each call gets the state block (123 bytes), the bytecode (2 006) and the root, and the nodes on the
// way to the slots it reads and writes (a node a write made is in memory); it puts the nodes on the way
// to the slots it changed, the root and the state block.
const MEASURED: Record<number, [number, number, number, number][]> = {
  1: [[3, 2185, 2, 183], [3, 2189, 2, 187], [3, 2193, 2, 191], [3, 2197, 2, 195], [3, 2201, 2, 199], [3, 2205, 2, 204], [3, 2210, 2, 208], [3, 2214, 3, 336], [4, 2342, 3, 340], [4, 2346, 3, 344], [4, 2350, 3, 348]],
  100: [[5, 2435, 10, 1604], [5, 2746, 11, 2006], [6, 3148, 11, 2318], [5, 3316, 10, 2523], [5, 3665, 10, 2834], [4, 2400, 11, 1711], [6, 2853, 11, 2023], [5, 3021, 10, 2227], [5, 3369, 10, 2540], [5, 3682, 11, 2940], [6, 4082, 12, 3304]],
};

for (const n of [1, 100]) {
  test(`array pushes of ${n} uint32 get and put the blocks builtin-actors measured, of their sizes`, () => {
    const base = bytesToBigint(keccak256(padStart(Uint8Array.of(1), 32)));
    const slots = new Map<bigint, bigint>();
    let shape = EMPTY_KAMT;
    let length = 0;
    const seen: [number, number, number, number][] = [];
    for (let call = 0; call <= 11; call++) {
      const rootBytes = shape.bytes;
      const opened = new Set<bigint>();
      const changed = new Set<bigint>();
      let written: bigint | undefined;
      let [gets, getBytes] = [0, 0];
      // As fevm-evm.ts's openSlotNodes: the nodes the last write made are open, then the way to `slot`.
      const open = (slot: bigint, read: boolean) => {
        if (written !== undefined) walk(shape, written, false, (id) => opened.add(id));
        written = undefined;
        walk(shape, slot, read, (id, node) => {
          if (opened.has(id)) return;
          opened.add(id);
          gets++;
          getBytes += node.bytes;
        });
      };
      const store = (slot: bigint, value: bigint) => {
        open(slot, false);
        const before = slots.get(slot) ?? 0n;
        if (before === value) return;
        shape = withSlot(shape, slot, before, value);
        slots.set(slot, value);
        changed.add(slot);
        written = slot;
      };
      // Solidity's push of a packed element: the length read and written, the element's slot read and written.
      for (let i = 1; i <= n; i++) {
        const element = length++;
        open(1n, true);
        store(1n, BigInt(length));
        const slot = base + BigInt(Math.floor(element / 8));
        open(slot, true);
        store(slot, (slots.get(slot) ?? 0n) | (BigInt(i) << BigInt(32 * (element % 8))));
      }
      const put = new Map<bigint, KamtNode>();
      for (const slot of changed) walk(shape, slot, false, (id, node) => put.set(id, node));
      const putBytes = [...put.values()].reduce((sum, node) => sum + node.bytes, shape.bytes);
      if (call > 0) seen.push([3 + gets, 123 + 2006 + rootBytes + getBytes, 2 + put.size, 123 + putBytes]);
    }
    assert.deepEqual(seen, MEASURED[n]);
  });
}

// review R1 (on 1a98cab): a saved chain stores an actor as what changed since its last write
// (common/storable.ts); a node's pointers kept by bucket let a new slot store the path to it, not
// every pointer of the contract's KAMT again.
test('a new slot in a contract of 2 000 slots changes a saved actor by the path to it, not the whole shape', () => {
  const slots = Array.from({ length: 2_000 }, (_, i): [bigint, bigint] => [mappingKey(BigInt(i), 1n), BigInt(i + 1)]);
  const { shape } = apply(slots);
  const grown = withSlot(shape, mappingKey(5_000n, 1n), 0n, 7n);
  const whole = encodeCbor(toStorable(grown)).length;
  const change = encodeCbor(toStorableChange(grown, shape)).length;
  assert.ok(whole > 100_000, `the whole shape: ${whole} bytes`);
  assert.ok(change < 2_000, `the change: ${change} bytes`);
});
