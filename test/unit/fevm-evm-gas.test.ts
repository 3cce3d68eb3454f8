// The EVM actor's gas model (src/fevm/actors/evm/evm-gas.ts) on the FVM price list: what each
// operation is made of, so that a change of the list or the model shows here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
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
import { ACTOR_UPDATE, BLOCK_PERSIST_PER_BYTE, HOST_CALL, onActorEvent, onBlockLink, SECP256K1_RECOVER } from '../../src/fevm/price-list.js';

describe('EVM actor gas', () => {
  test('32 adjacent slots share a KAMT node', () => {
    assert.equal(kamtNodeOf(0n), kamtNodeOf(31n));
    assert.notEqual(kamtNodeOf(31n), kamtNodeOf(32n));
  });

  test('a fresh slot re-links the same blocks as a rewritten one, its node 70 bytes larger', () => {
    const rewritten = evmFlushGas(1, 0, ACTOR_UPDATE);
    const fresh = evmFlushGas(1, 1, ACTOR_UPDATE);
    assert.equal(fresh - rewritten, BLOCK_PERSIST_PER_BYTE * KAMT_PAIR_BYTES);
    assert.ok(fresh / rewritten < 1.3);
  });

  test('bytecode is hashed with keccak (33/byte) and stored as a block (block_link: 3 352.4/byte)', () => {
    const perKiB = bytecodeStoreGas(1_024) - bytecodeStoreGas(0);
    assert.equal(perKiB, 33 * 1_024 + (onBlockLink(1_024) - onBlockLink(0)) + 10 * 1_024);
  });

  test('KECCAK256 is the hash syscall; LOGn one event of n topics and the data', () => {
    assert.equal(keccakGas(64), HOST_CALL + 33 * 64);
    assert.equal(logGas(2, 32), HOST_CALL + onActorEvent(3, 5, 96));
  });

  test('ecrecover is secp256k1 recovery and keccak of the key; sha256 7/byte; others their Ethereum gas in Wasm', () => {
    assert.equal(ethPrecompileGas(0x01, new Uint8Array(128), 3_000n), 2 * HOST_CALL + SECP256K1_RECOVER + 33 * 64);
    assert.equal(ethPrecompileGas(0x02, new Uint8Array(100), 72n), HOST_CALL + 700);
    assert.equal(ethPrecompileGas(0x05, new Uint8Array(96), 200n), 200 * 444);
  });

  test('the opcode table: one class per opcode', () => {
    assert.equal(opcodeGas('ADD'), OPCODE_CLASSES.arithmetic);
    assert.equal(opcodeGas('SDIV'), OPCODE_CLASSES.divide);
    assert.equal(opcodeGas('PUSH1'), OPCODE_CLASSES.stack);
    assert.equal(opcodeGas('LOG2'), OPCODE_CLASSES.complex);
    assert.equal(opcodeGas('TIMESTAMP'), OPCODE_CLASSES.syscall);
    assert.equal(opcodeGas('SSTORE'), OPCODE_CLASSES.storage);
    // BALANCE, EXT*: a syscall opcode's work without the syscall; theirs are charged by target.
    for (const name of ['BALANCE', 'EXTCODESIZE', 'EXTCODECOPY', 'EXTCODEHASH']) assert.equal(opcodeGas(name) + HOST_CALL, OPCODE_CLASSES.syscall, name);
  });
});
