// MsigGetPending's order: the pending_txs HAMT's iteration order (bit width 5, buckets of 3), the
// keys being the IDs as zigzag varints hashed with sha256. Checked against node:crypto's sha256 and
// the rule written out here: slots in order, a bucket by key, a crowded slot one level down.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { hamtOrder } from '../../src/fevm/actors/multisig/pending-order.js';

/** The HAMT key of a small ID (below 64): one byte, 2 × id. */
const hashOf = (id: number) => createHash('sha256').update(Uint8Array.of(2 * id)).digest();
/** The first 5 bits, then the next 5. */
const level0 = (id: number) => hashOf(id)[0] >> 3;
const level1 = (id: number) => ((hashOf(id)[0] & 7) << 2) | (hashOf(id)[1] >> 6);

describe('the pending transactions in HAMT order', () => {
  test('IDs in distinct slots come in slot order; a slot of at most 3 keeps them by key', () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const expected = [...ids].sort((a, b) => level0(a) - level0(b) || a - b);
    assert.deepEqual(hamtOrder(ids), expected);
    assert.notDeepEqual(expected, ids);
  });

  test('a slot holding more than 3 entries is a node: its entries go by the next 5 bits', () => {
    const slots = new Map<number, number[]>();
    for (let id = 0; id < 64; id++) slots.set(level0(id), [...(slots.get(level0(id)) ?? []), id]);
    const crowd = [...slots.values()].find((ids) => ids.length >= 4)!.slice(0, 4);
    assert.equal(new Set(crowd.map(level1)).size, 4, 'the four part at the next level');
    const byNextLevel = [...crowd].sort((a, b) => level1(a) - level1(b) || a - b);
    assert.deepEqual(hamtOrder(crowd), byNextLevel);
  });

  test('a larger ID is keyed as a two-byte varint', () => {
    // 64 → zigzag 128 → varint 0x80 0x01; alone, any key comes back.
    assert.deepEqual(hamtOrder([64]), [64]);
    const two = createHash('sha256').update(Uint8Array.of(0x80, 0x01)).digest()[0] >> 3;
    const ids = [64, 0, 1, 2];
    const slotOf = (id: number) => (id === 64 ? two : level0(id));
    assert.deepEqual(hamtOrder(ids), [...ids].sort((a, b) => slotOf(a) - slotOf(b) || (a === 64 ? 1 : b === 64 ? -1 : a - b)));
  });
});
