// A forked table loaded from the disk cache (StoredEntries): each entry stays its bytes until it is
// read; a damaged entry reads as absent (fetched again) without losing the others; iteration gives
// every entry in the order stored; a save gives back the bytes it was loaded from, and new entries' bytes
// (made once, until the entry is set anew).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeEntry, StoredEntries } from '../../src/devnet/fork/stored-entries.js';

const escrow = (n: number) => ({ escrow: BigInt(n) * 10n ** 18n, locked: BigInt(n) });

describe('a forked table loaded from the cache', () => {
  test('reads by key, damaged entries absent, iterates whole, and saves the bytes it was loaded from', () => {
    const one = encodeEntry(escrow(1));
    const table = new StoredEntries<number, ReturnType<typeof escrow>>([
      [1, one],
      [2, new Uint8Array([0xff, 0x00])],
      [3, encodeEntry(escrow(3))],
    ]);
    assert.equal(table.size, 3);
    assert.deepEqual(table.get(3), escrow(3));
    assert.deepEqual(table.get(1), escrow(1));
    assert.equal(table.has(2), false);
    assert.equal(table.get(2), undefined);
    assert.equal(table.size, 2);
    table.set(4, escrow(4));
    assert.deepEqual([...table], [[1, escrow(1)], [3, escrow(3)], [4, escrow(4)]]);
    assert.deepEqual(new Map(table.storedEntries()), new Map([[1, one], [3, encodeEntry(escrow(3))], [4, encodeEntry(escrow(4))]]));
    assert.equal(table.storedEntries().find(([key]) => key === 1)![1], one, 'the loaded bytes, not encoded again');
    const savedBytesOf4 = () => table.storedEntries().find(([key]) => key === 4)![1];
    const four = savedBytesOf4();
    assert.equal(savedBytesOf4(), four, 'a new entry\'s bytes made once, kept for the next saves');
    table.set(4, escrow(40));
    assert.deepEqual(savedBytesOf4(), encodeEntry(escrow(40)), 'set anew: its new bytes');
  });

  test('an entry not read is saved as the bytes it was loaded from, undecoded', () => {
    const bytes = encodeEntry(escrow(5));
    const table = new StoredEntries<number, unknown>([[5, bytes]]);
    assert.deepEqual(table.storedEntries(), [[5, bytes]]);
    assert.equal(table.storedEntries()[0]![1], bytes);
  });
});
