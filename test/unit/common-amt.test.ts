// The AMT of Filecoin states and receipts (common/amt.ts): built from a dense or sparse array, read
// back by walking its blocks, with inner nodes once the indices outgrow one node; one index read by
// its path alone (amtGet).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { amtGet, amtPath, buildAmt, readAmt, readAmtEntries } from '../../src/common/amt.js';
import { decodeCbor, type CID } from '../../src/common/cbor.js';

const reader = (blocks: Map<string, Uint8Array>) => async (cid: CID) => {
  const bytes = blocks.get(cid.toString());
  if (!bytes) throw new Error(`no block ${cid.toString()}`);
  return bytes;
};

describe('AMT', () => {
  test('an empty AMT is one root block of height 0 and count 0', async () => {
    const amt = buildAmt([], 3);
    assert.equal(amt.blocks.size, 1);
    assert.deepEqual(decodeCbor(amt.blocks.get(amt.root.toString())!), [3, 0, 0, [new Uint8Array(1), [], []]]);
    assert.equal((await readAmt(amt.root, reader(amt.blocks))).size, 0);
  });

  test('a dense array within one node: values inline in the root, the bitmap marking each slot', async () => {
    const amt = buildAmt(['a', 'b', 'c'], 3);
    assert.deepEqual(decodeCbor(amt.blocks.get(amt.root.toString())!), [3, 0, 3, [new Uint8Array([0b111]), [], ['a', 'b', 'c']]]);
    assert.deepEqual([...(await readAmt(amt.root, reader(amt.blocks)))], [[0, 'a'], [1, 'b'], [2, 'c']]);
  });

  test('a sparse array beyond one node: inner nodes link to children, and every index reads back', async () => {
    const values = new Map<number, unknown>([[0, 'x'], [9, 'y'], [100, 'z'], [511, 'w']]);
    const amt = buildAmt(values, 3);
    const [, height, count] = decodeCbor<[number, number, number]>(amt.blocks.get(amt.root.toString())!);
    assert.equal(height, 2);
    assert.equal(count, 4);
    assert.deepEqual(await readAmt(amt.root, reader(amt.blocks)), values);
  });

  test('amtGet reads one index through one block a level: present values, holes and indices past the AMT are undefined', async () => {
    const values = new Map<number, unknown>([[0, 'x'], [9, 'y'], [100, 'z'], [300, 'v'], [511, 'w']]);
    const amt = buildAmt(values, 3);
    let reads = 0;
    const counted = async (cid: CID) => (reads++, reader(amt.blocks)(cid));
    for (const [index, value] of values) {
      reads = 0;
      assert.equal(await amtGet(amt.root, index, counted), value, `index ${index}`);
      assert.equal(reads, 3, 'the root and one node a level below it');
    }
    for (const hole of [1, 8, 10, 299, 510, 512, 100_000]) assert.equal(await amtGet(amt.root, hole, counted), undefined, `index ${hole}`);
    assert.equal(await amtGet(buildAmt(['a', 'b'], 5).root, 1, reader(buildAmt(['a', 'b'], 5).blocks)), 'b');
  });

  test('u64 indices past 2^53 (bigint): built at their exact slots, read back whole by readAmtEntries, amtGet and amtPath', async () => {
    const values = new Map<bigint, unknown>([[1n, 'a'], [2n ** 53n, 'b'], [2n ** 53n + 1n, 'c'], [2n ** 63n - 1n, 'd']]);
    const amt = buildAmt(values, 3);
    const [, height, count] = decodeCbor<[number, number, number]>(amt.blocks.get(amt.root.toString())!);
    assert.equal(height, 20);
    assert.equal(count, 4);
    assert.deepEqual(await readAmtEntries(amt.root, reader(amt.blocks)), values);
    for (const [index, value] of values) assert.equal(await amtGet(amt.root, index, reader(amt.blocks)), value);
    assert.equal(await amtGet(amt.root, 2n ** 53n + 2n, reader(amt.blocks)), undefined);
    assert.equal(amtPath(amt, 2n ** 63n - 1n).length, 21);
    // Below 2^53 a number and a bigint index are the same AMT.
    assert.equal(buildAmt(new Map([[5, 'x'], [700, 'y']]), 3).root.toString(), buildAmt(new Map([[5n, 'x'], [700n, 'y']]), 3).root.toString());
  });

  test("a node's children are read together, and the values come back in index order whatever order the reads answer in", async () => {
    const values = new Map<number, unknown>([[0, 'x'], [9, 'y'], [100, 'z'], [300, 'v'], [511, 'w']]);
    const amt = buildAmt(values, 3);
    const read = reader(amt.blocks);
    let inFlight = 0;
    let mostInFlight = 0;
    let reads = 0;
    // Later reads answer first: a walk that waited for each child in turn would see one in flight.
    const slowFirst = async (cid: CID) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20 - Math.min(reads++, 19)));
      inFlight--;
      return read(cid);
    };
    const readBack = await readAmt(amt.root, slowFirst);
    assert.deepEqual([...readBack], [...values]);
    assert.ok(mostInFlight > 1, `children read one at a time (${mostInFlight} in flight at most)`);
  });
});
