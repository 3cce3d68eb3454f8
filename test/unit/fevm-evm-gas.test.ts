// The EVM actor's gas model (src/fevm/actors/evm/evm-gas.ts) on the FVM price list: what each
// operation is made of, so that a change of the list or the model shows here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { p256 } from '@noble/curves/nist.js';
import { concatBytes as concat } from '../../src/common/hex.js';
import { word } from '../../src/filecoin-precompiles/abi.js';
import {
  bytecodeStoreGas,
  ethPrecompileGas,
  evmFlushGas,
  KAMT_PAIR_BYTES,
  kamtNodeOf,
  keccakGas,
  logGas,
  opcodeGas,
  OPCODE_CLASSES,
} from '../../src/fevm/actors/evm/evm-gas.js';
import type { Actor } from '../../src/fevm/actor.js';
import { inRoot, NO_SLOTS, rootBucket, rootShape, storageBucketsOf, withSlotCounted } from '../../src/fevm/actors/evm/kamt-shape.js';
import { ACTOR_UPDATE, BLOCK_PERSIST_PER_BYTE, HOST_CALL, onActorEvent, onBlockLink, SECP256K1_RECOVER } from '../../src/fevm/price-list.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('EVM actor gas', () => {
  test('32 adjacent slots share a KAMT node', () => {
    assert.equal(kamtNodeOf(0n), kamtNodeOf(31n));
    assert.notEqual(kamtNodeOf(31n), kamtNodeOf(32n));
  });

  // builtin-actors v18 system.rs KAMT_CONFIG (bit width 5, max_array_width 1, min_data_depth 0):
  // a bucket of the root holding one pair keeps it; two or more go to a node.
  test("the KAMT's root keeps a slot alone in its bucket (the slot's top 5 bits); a second slot there moves both to a node", () => {
    assert.deepEqual([rootBucket(0n), rootBucket(31n), rootBucket(1n << 251n), rootBucket((1n << 256n) - 1n)], [0, 0, 1, 31]);
    const contract: Actor = { id: 100, kind: 'placeholder', nonce: 0, balance: 0n };
    const one = withSlotCounted(contract, 0n, 0n, 5n);
    assert.equal(one.storageBuckets![0], 1);
    assert.ok(inRoot(one.storageBuckets, 0n) && inRoot(one.storageBuckets, 7n));
    assert.equal(withSlotCounted(one, 0n, 5n, 6n), one, 'a rewrite counts nothing');
    const two = withSlotCounted(one, 1n, 0n, 1n);
    assert.ok(!inRoot(two.storageBuckets, 0n) && inRoot(two.storageBuckets, 1n << 255n));
    assert.deepEqual(withSlotCounted(two, 1n, 1n, 0n).storageBuckets, one.storageBuckets, 'a cleared slot leaves');
    // A contract with no counts kept (a fork's) has nodes behind every bucket; one not built yet has no slots.
    assert.equal(storageBucketsOf({ ...contract, kind: 'evm' }), undefined);
    assert.ok(!inRoot(undefined, 0n));
    assert.deepEqual(storageBucketsOf(contract), NO_SLOTS);
    // The root: its overhead, a small slot's pair, a hashed key's pair, a link.
    assert.deepEqual([rootShape(NO_SLOTS), rootShape(one.storageBuckets), rootShape(two.storageBuckets)], [
      { bytes: 7, links: 0 },
      { bytes: 19, links: 0 },
      { bytes: 55, links: 1 },
    ]);
    assert.deepEqual(rootShape(withSlotCounted(one, 3n << 251n, 0n, 1n).storageBuckets), { bytes: 89, links: 0 });
  });

  test('a fresh slot re-links the same blocks as a rewritten one, its node 70 bytes larger', () => {
    const root = rootShape(undefined);
    const rewritten = evmFlushGas(1, 0, ACTOR_UPDATE, root);
    const fresh = evmFlushGas(1, 1, ACTOR_UPDATE, root);
    assert.equal(fresh - rewritten, BLOCK_PERSIST_PER_BYTE * KAMT_PAIR_BYTES);
    assert.ok(fresh / rewritten < 1.3);
  });

  test('bytecode is hashed with keccak (33/byte) and stored as a block (block_link: 3 352.4/byte)', () => {
    const perKiB = bytecodeStoreGas(1_024) - bytecodeStoreGas(0);
    assert.equal(perKiB, 33 * 1_024 + (onBlockLink(1_024) - onBlockLink(0)) + 10 * 1_024);
  });

  test('KECCAK256 is the hash syscall; LOGn one event of n topics and the data, none without data', () => {
    assert.equal(keccakGas(64), HOST_CALL + 33 * 64);
    assert.equal(logGas(2, 32), HOST_CALL + onActorEvent(3, 5, 96));
    // fidaudit5 G1: an empty data region emits no "d" entry (builtin-actors v18 log_event.rs).
    assert.equal(logGas(1, 0), HOST_CALL + onActorEvent(1, 2, 32));
    assert.equal(logGas(0, 0), HOST_CALL + onActorEvent(0, 0, 0));
  });

  test('ecrecover is secp256k1 recovery and keccak of the key; sha256 7/byte; others their Ethereum gas in Wasm', () => {
    const address = new Uint8Array(32).fill(1);
    assert.equal(ethPrecompileGas(0x01, new Uint8Array(128), address, 3_000n), 2 * HOST_CALL + SECP256K1_RECOVER + 33 * 64);
    assert.equal(ethPrecompileGas(0x02, new Uint8Array(100), address, 72n), HOST_CALL + 700);
    assert.equal(ethPrecompileGas(0x05, new Uint8Array(96), address, 200n), 200 * 444);
  });

  test('ecrecover refused before its syscall costs none; a recovery that fails costs no keccak (builtin-actors precompiles/evm.rs)', () => {
    const input = (v: bigint, r: bigint, s: bigint) => concat(new Uint8Array(32), word(v), word(r), word(s));
    const none = new Uint8Array();
    assert.equal(ethPrecompileGas(0x01, new Uint8Array(128), none, 3_000n), 0);
    assert.equal(ethPrecompileGas(0x01, input(29n, 1n, 1n), none, 3_000n), 0);
    assert.equal(ethPrecompileGas(0x01, input(27n + (1n << 8n), 1n, 1n), none, 3_000n), 0);
    assert.equal(ethPrecompileGas(0x01, input(27n, 0n, 1n), none, 3_000n), 0);
    assert.equal(ethPrecompileGas(0x01, input(28n, 1n, SECP256K1_N), none, 3_000n), 0);
    assert.equal(ethPrecompileGas(0x01, input(28n, 1n, SECP256K1_N - 1n), none, 3_000n), HOST_CALL + SECP256K1_RECOVER);
  });

  test('P256VERIFY: its Ethereum gas in Wasm when it verifies; nothing when the length, r, s or the key are refused first (secp256r1.rs)', () => {
    const key = p256.utils.randomSecretKey();
    const hash = new Uint8Array(32).fill(7);
    const signature = p256.sign(hash, key, { prehash: false });
    const publicKey = p256.getPublicKey(key, false).subarray(1);
    const valid = concat(hash, signature, publicKey);
    const ok = word(1n);
    const none = new Uint8Array();
    assert.equal(ethPrecompileGas(0x100, valid, ok, 6_900n), 6_900 * 444);
    // A signature that does not match still verifies.
    assert.equal(ethPrecompileGas(0x100, concat(new Uint8Array(32), signature, publicKey), none, 6_900n), 6_900 * 444);
    assert.equal(ethPrecompileGas(0x100, valid.subarray(0, 159), none, 6_900n), 0);
    assert.equal(ethPrecompileGas(0x100, concat(valid, new Uint8Array(1)), none, 6_900n), 0);
    assert.equal(ethPrecompileGas(0x100, concat(hash, new Uint8Array(32), signature.subarray(32), publicKey), none, 6_900n), 0);
    assert.equal(ethPrecompileGas(0x100, concat(hash, signature, new Uint8Array(64)), none, 6_900n), 0);
    const offCurve = publicKey.slice();
    offCurve[63] ^= 1;
    assert.equal(ethPrecompileGas(0x100, concat(hash, signature, offCurve), none, 6_900n), 0);
  });

  test('the opcode table: one class per opcode', () => {
    assert.equal(opcodeGas('ADD'), OPCODE_CLASSES.arithmetic);
    assert.equal(opcodeGas('SDIV'), OPCODE_CLASSES.divide);
    assert.equal(opcodeGas('PUSH1'), OPCODE_CLASSES.stack);
    assert.equal(opcodeGas('LOG2'), OPCODE_CLASSES.complex);
    assert.equal(opcodeGas('SELFBALANCE'), OPCODE_CLASSES.syscall);
    // The network context's syscall is charged once an invocation (fevm-evm.ts), apart from the opcode.
    assert.equal(opcodeGas('TIMESTAMP'), OPCODE_CLASSES.memory);
    assert.equal(opcodeGas('SSTORE'), OPCODE_CLASSES.storage);
    // BALANCE, EXT*: a syscall opcode's work without the syscall; theirs are charged by target.
    for (const name of ['BALANCE', 'EXTCODESIZE', 'EXTCODECOPY', 'EXTCODEHASH']) assert.equal(opcodeGas(name) + HOST_CALL, OPCODE_CLASSES.syscall, name);
  });
});
