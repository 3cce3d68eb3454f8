// The actors a fork fetched, as the disk cache stores them: one loaded from the cache is decoded
// when first read (then the same object), and one never read is saved again as the very bytes it
// was loaded from; one whose bytes do not decode is dropped (fetched again); an actor fetched is
// encoded once for every save.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import type { Actor } from '../../src/fevm/actor.js';
import { ForkedActors } from '../../src/devnet/fork/forked-actors.js';

const contract: Actor = {
  id: 120,
  kind: 'evm',
  nonce: 0,
  balance: 5n,
  delegated: FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0xaa)),
  evm: { bytecode: new Uint8Array([0x60, 0x00]), bytecodeHash: new Uint8Array(32), nonce: 1, storageGeneration: 0 },
};
const account: Actor = { id: 130, kind: 'account', nonce: 3, balance: 7n };
/** A storage shape with a link (an extension of two groups) to a node of two slots, a slot beside it, and an opaque node. */
const shaped: Actor = {
  ...contract,
  storageShape: {
    bytes: 120,
    links: 2,
    bitfield: 0b10011 | (1 << 31),
    pointers: {
      0: { groups: [3, 17], bytes: 44, node: { bytes: 60, links: 0, bitfield: 0b101, pointers: { 0: { key: 0n, bytes: 8 }, 2: { key: 2n ** 256n - 1n, bytes: 41 } } } },
      1: { key: 5n, bytes: 9 },
      4: { groups: [], bytes: 40, node: { bytes: 1576, links: 32, bitfield: -1 } },
      31: { key: 7n, bytes: 9 },
    },
  },
};

describe('forked actors', () => {
  test('loaded from the cache: decoded when read, once; saved again as the bytes loaded', () => {
    const fetched = new ForkedActors();
    fetched.set(contract.id, contract);
    const bytes = new Map(fetched.stored()).get(contract.id)!;
    const actors = new ForkedActors([
      [contract.id, bytes],
      [140, null],
    ]);
    assert.equal(actors.has(contract.id), true);
    assert.equal(actors.has(140), true);
    assert.equal(actors.has(150), false);
    // Never read: the very bytes loaded go back to the file.
    assert.deepEqual([...actors.stored()], [[contract.id, bytes], [140, null]]);
    assert.equal([...actors.stored()][0]![1], bytes);
    const read = actors.get(contract.id);
    assert.deepEqual(read, contract);
    assert.equal(actors.get(contract.id), read, 'decoded once');
    assert.equal(actors.get(140), null, 'no actor upstream');
    assert.equal(actors.get(150), undefined, 'not fetched');
  });

  test("a contract's storage shape comes back as it was: links, slots, an opaque node, a bucket past 30", () => {
    const written = new ForkedActors();
    written.set(shaped.id, shaped);
    const loaded = new ForkedActors(written.stored()).get(shaped.id);
    assert.deepEqual(loaded, shaped);
    assert.deepEqual(Object.keys(loaded!.storageShape!.pointers!), ['0', '1', '4', '31']);
  });

  test('bytes that do not decode (a damaged file): the actor is dropped, to be fetched again', () => {
    const actors = new ForkedActors([[contract.id, new Uint8Array([0xa1, 0x63])]]);
    assert.equal(actors.get(contract.id), undefined);
    assert.equal(actors.has(contract.id), false);
    assert.deepEqual([...actors.stored()], []);
  });

  test('fetched: read as set, encoded once for every save', () => {
    const actors = new ForkedActors();
    actors.set(account.id, account);
    assert.equal(actors.get(account.id), account);
    const [[id, bytes]] = [...actors.stored()];
    assert.equal(id, account.id);
    assert.equal([...actors.stored()][0]![1], bytes, 'the bytes made at the first save');
    // Read back as the cache does.
    assert.deepEqual(new ForkedActors([...actors.stored()]).get(account.id), account);
  });
});
