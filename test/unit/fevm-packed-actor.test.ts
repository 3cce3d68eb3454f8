// Accounts as the state tree keeps them: packed into its buffer and made back the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../../src/common/address.js';
import type { Actor } from '../../src/fevm/actor.js';
import { EMPTY_KAMT } from '../../src/fevm/actors/evm/kamt-shape.js';
import { PackedActors } from '../../src/fevm/packed-actor.js';
import { StateTree } from '../../src/fevm/state-tree.js';

const f410 = FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0xab));
const longF410 = FilAddress.fromDelegated(2 ** 50, new Uint8Array(54).fill(0xfe));
const bls = FilAddress.fromPayload(Protocol.BLS, new Uint8Array(48).fill(7));
const secp = FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(0x80));

const accounts: Actor[] = [
  { id: 0, kind: 'system', nonce: 0, balance: 0n },
  { id: 1234, kind: 'placeholder', nonce: 0, balance: 1n, delegated: f410 },
  { id: Number.MAX_SAFE_INTEGER, kind: 'ethaccount', nonce: Number.MAX_SAFE_INTEGER, balance: (1n << 256n) - 1n, delegated: longF410 },
  { id: 101, kind: 'account', nonce: 7, balance: 10n ** 21n, robust: bls },
  { id: 102, kind: 'account', nonce: 1, balance: 5n, delegated: f410, robust: secp },
];

/** Packs an actor with another ID that shares `id`'s slot of unpacked actors, so that the next unpack of `id` makes its object. */
const evict = (packed: PackedActors, id: number) => packed.pack({ id: (id & 1023) + (id >= 4096 ? 1024 : 4096), kind: 'account', nonce: 0, balance: 0n });

test('an account, EthAccount or Placeholder packs to an offset and unpacks to an equal actor, fields in the same order', () => {
  const arena = new PackedActors();
  for (const actor of accounts) {
    const packed = arena.pack(actor);
    assert.equal(typeof packed, 'number');
    // The actor just packed is what its packed form unpacks to, until its slot is taken.
    assert.equal(arena.unpack(actor.id, packed!), actor);
    evict(arena, actor.id);
    const back = arena.unpack(actor.id, packed!);
    assert.notEqual(back, actor);
    assert.equal(arena.unpack(actor.id, packed!), back);
    assert.deepStrictEqual(back, actor);
    assert.deepEqual(Object.keys(back), Object.keys(actor));
    for (const field of ['delegated', 'robust'] as const) if (actor[field]) assert.equal(back[field]!.toString(), actor[field]!.toString());
  }
});

test('two actors that pack the same but for their IDs, in one slot of unpacked actors, unpack each to its own', () => {
  const first = { id: 5, kind: 'account', nonce: 0, balance: 0n } satisfies Actor;
  const second = { ...first, id: 5 + 1024 };
  const arena = new PackedActors();
  const [a, b] = [arena.pack(first)!, arena.pack(second)!];
  assert.deepStrictEqual(arena.unpack(first.id, a), first);
  assert.deepStrictEqual(arena.unpack(second.id, b), second);
});

test('packed actors outlive the buffer growing, and a truncate lets go of the later ones and of the objects kept for them', () => {
  const arena = new PackedActors();
  const made: [number, Actor][] = [];
  for (let id = 1000; id < 1000 + 500; id++) {
    const actor: Actor = { id, kind: 'ethaccount', nonce: id, balance: BigInt(id) << 100n, delegated: f410, robust: bls };
    made.push([arena.pack(actor)!, actor]);
  }
  const half = made[250]![0];
  for (const [at, actor] of made) {
    evict(arena, actor.id);
    assert.deepStrictEqual(arena.unpack(actor.id, at), actor);
  }
  arena.truncate(half);
  assert.equal(arena.size, half);
  // The same ID packed again at a freed offset, with other fields: read as what was packed last.
  const again: Actor = { id: 1250, kind: 'account', nonce: 1, balance: 2n };
  assert.equal(arena.pack(again), half);
  evict(arena, again.id);
  assert.deepStrictEqual(arena.unpack(again.id, half), again);
  assert.deepStrictEqual(arena.unpack(made[0]![1].id, made[0]![0]), made[0]![1]);
  // An address read back keeps no view of the buffer.
  const address = arena.unpack(1001, made[1]![0]).delegated!;
  assert.equal(address.payload.buffer.byteLength, address.payload.byteLength);
});

test('an actor with state of its kind, an undefined field, fields out of order or a balance from 2^256 on stays an object', () => {
  const evm = { id: 200, kind: 'evm', nonce: 1, balance: 0n, delegated: f410, evm: { bytecode: new Uint8Array([0]), bytecodeHash: new Uint8Array(32), nonce: 1, storageGeneration: 0 } } satisfies Actor;
  const undefinedField = { id: 201, kind: 'ethaccount', nonce: 0, balance: 0n, delegated: undefined } satisfies Actor;
  const outOfOrder = { id: 202, kind: 'account', nonce: 0, balance: 0n, robust: secp, delegated: f410 } satisfies Actor;
  const hugeBalance = { id: 203, kind: 'account', nonce: 0, balance: 1n << 256n } satisfies Actor;
  const arena = new PackedActors();
  for (const actor of [evm, undefinedField, outOfOrder, hugeBalance]) assert.equal(arena.pack(actor), undefined, `actor ${actor.id}`);
});

test('the tree reads back, at every epoch, exports and loads packed and unpacked actors as they were written', () => {
  // A contract of the chain's own carries its storage shape from its construction on (a file holds none: the load makes it from the slots).
  const evm = { id: 200, kind: 'evm', nonce: 1, balance: 3n, delegated: f410, storageShape: EMPTY_KAMT, evm: { bytecode: new Uint8Array([0]), bytecodeHash: new Uint8Array(32), nonce: 1, storageGeneration: 0 } } satisfies Actor;
  const tree = new StateTree();
  [...accounts, evm].forEach((actor, epoch) => {
    const overlay = tree.stage();
    overlay.putActor(actor);
    tree.commit(overlay, epoch);
  });
  const second = { ...accounts[1]!, nonce: 1, balance: 0n };
  const overlay = tree.stage();
  overlay.putActor(second);
  tree.commit(overlay, 10);
  const loaded = new StateTree();
  loaded.load(tree.exportCommitsSince(0));
  for (const t of [tree, loaded]) {
    // Actors that share the accounts' slots of unpacked actors, written after: the reads below unpack.
    const evictors = t.stage();
    for (const actor of accounts) evictors.putActor({ id: (actor.id & 1023) + (actor.id >= 4096 ? 1024 : 4096), kind: 'account', nonce: 0, balance: 0n });
    t.commit(evictors, 11);
    [...accounts, evm].forEach((actor, epoch) => {
      assert.equal(t.at(epoch - 1).getActor(actor.id), undefined);
      assert.deepStrictEqual(t.at(epoch).getActor(actor.id), actor.id === second.id ? accounts[1] : actor);
    });
    assert.deepStrictEqual(t.at(10).getActor(second.id), second);
  }
  assert.deepStrictEqual(loaded.exportCommitsSince(0), tree.exportCommitsSince(0));
});
