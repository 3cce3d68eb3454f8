// The actors a fork fetched, as the disk cache stores them: one loaded from the cache is decoded
// when first read (then the same object), and one never read is saved again as the very bytes it
// was loaded from; one whose bytes do not decode is dropped (fetched again); an actor fetched is
// encoded once for every save.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import type { Actor } from '../../src/fevm/actor.js';
import { storableActor } from '../../src/fevm/state-tree.js';
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

describe('forked actors', () => {
  test('loaded from the cache: decoded when read, once; saved again as the bytes loaded', () => {
    const bytes = encodeCbor(storableActor(contract));
    const actors = ForkedActors.fromStored([
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

  test('bytes that do not decode (a damaged file): the actor is dropped, to be fetched again', () => {
    const actors = ForkedActors.fromStored([[contract.id, new Uint8Array([0xa1, 0x63])]]);
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
    assert.deepEqual(bytes, encodeCbor(storableActor(account)));
    assert.equal([...actors.stored()][0]![1], bytes, 'the bytes made at the first save');
    // Read back as the cache does.
    assert.deepEqual(ForkedActors.fromStored([...actors.stored()]).get(account.id), account);
  });
});
