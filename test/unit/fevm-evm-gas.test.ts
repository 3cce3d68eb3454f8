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
  keccakGas,
  logGas,
  opcodeGas,
  OPCODE_CLASSES,
} from '../../src/fevm/actors/evm/evm-gas.js';
import { EMPTY_KAMT, storageShapeOf, UNKNOWN_ROOT, walk, withSlot, type KamtNode } from '../../src/fevm/actors/evm/kamt-shape.js';
import { ACTOR_UPDATE, HOST_CALL, onActorEvent, onBlockLink, onBlockPut, SECP256K1_RECOVER } from '../../src/fevm/price-list.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('EVM actor gas', () => {
  // builtin-actors v18 system.rs KAMT_CONFIG (bit width 5, max_array_width 1, min_data_depth 0):
  // a bucket of the root holding one pair keeps it; two or more go to a node (kamt-shape.ts).
  test("a flush writes the root and the nodes on the way to each changed slot, once each, at their sizes", () => {
    const shape = [0n, 1n, 2n, 1n << 255n].reduce((kamt, slot) => withSlot(kamt, slot, 0n, 7n), EMPTY_KAMT);
    // Slots 0-2 share the root's bucket 0: a node at bit 250 holding slot 2 and a link to the node of slots 0 and 1.
    const nodes: KamtNode[] = [];
    walk(shape, 0n, false, (_id, node) => nodes.push(node));
    assert.equal(nodes.length, 2);
    const [middle, leaf] = nodes as [KamtNode, KamtNode];
    const put = (node: KamtNode) => 2 * HOST_CALL + onBlockPut(node.bytes, node.links);
    const state = evmFlushGas(EMPTY_KAMT, [], ACTOR_UPDATE) - put(EMPTY_KAMT);
    assert.equal(evmFlushGas(shape, [1n << 255n], ACTOR_UPDATE), put(shape) + state, 'a slot in the root: the root alone');
    assert.equal(evmFlushGas(shape, [2n], ACTOR_UPDATE), put(shape) + put(middle) + state);
    assert.equal(evmFlushGas(shape, [0n, 1n, 2n], ACTOR_UPDATE), put(shape) + put(middle) + put(leaf) + state);
    // A contract whose shape is not known: a modelled node for each 32 adjacent slots below a modelled root.
    assert.equal(evmFlushGas(UNKNOWN_ROOT, [0n, 31n, 32n], ACTOR_UPDATE) - evmFlushGas(UNKNOWN_ROOT, [0n], ACTOR_UPDATE), 2 * HOST_CALL + onBlockPut(300, 0));
    assert.equal(storageShapeOf({ id: 100, kind: 'evm', nonce: 0, balance: 0n }), undefined);
    assert.equal(storageShapeOf({ id: 100, kind: 'placeholder', nonce: 0, balance: 0n }), EMPTY_KAMT);
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
