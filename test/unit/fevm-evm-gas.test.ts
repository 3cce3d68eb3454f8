// The EVM actor's gas model (src/fevm/actors/evm/evm-gas.ts) on the FVM price list: what each
// operation is made of, so that a change of the list or the model shows here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { p256 } from '@noble/curves/nist.js';
import { concatBytes as concat } from '../../src/common/hex.js';
import { word } from '../../src/filecoin-precompiles/abi.js';
import {
  bytecodeStoreGas,
  callParamsPutGas,
  creationFailureGas,
  creationReturnGas,
  delegateParamsPutGas,
  delegateParamsSize,
  eamEntryGas,
  ethPrecompileGas,
  exec4ParamsGas,
  frameEndGas,
  nativeDeployerGas,
  resurrectParamsGas,
  evmFlushGas,
  keccakGas,
  logGas,
  opcodeGas,
  OPCODE_CLASSES,
} from '../../src/fevm/actors/evm/evm-gas.js';
import { EMPTY_KAMT, storageShapeOf, UNKNOWN_ROOT, walk, withSlot, type KamtNode } from '../../src/fevm/actors/evm/kamt-shape.js';
import { ACCOUNT_INVOCATION, blockCreateGas, paramsReadGas, returnReadGas } from '../../src/fevm/builtin-method-gas.js';
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

  // ref-fvm price_list.rs L884 on_block_read (block_memcpy 0.4/byte), L894 on_block_create (memcpy
  // 0.4 + allocate 2 a byte, at least block_memory_retention_minimum's 10 a byte), L293 a syscall's
  // 14 000; sdk send.rs / message.rs params_raw / lib.rs build_response, builtin-actors trampoline.
  test('a block crossing a frame: block_create by the sender (10/byte), block_stat and block_read by the receiver (0.4/byte)', () => {
    assert.equal(blockCreateGas(10_000), 14_000 + 100_000);
    assert.equal(paramsReadGas(10_000), 2 * 14_000 + 4_000);
    assert.equal(paramsReadGas(0), 0, 'no params, no block (NO_DATA_BLOCK_ID)');
    assert.equal(returnReadGas(10_000), 14_000 + 4_000);
    // ~10.4 gas a byte crossing a frame, beside the syscalls: 0.1 M for 10 KB.
    const perByte = (blockCreateGas(20_000) + paramsReadGas(20_000) - blockCreateGas(10_000) - paramsReadGas(10_000)) / 10_000;
    assert.equal(perByte, 10.4);
    // A CALL's input is an IPLD_RAW block of its bytes; none when empty (call.rs call_generic).
    assert.equal(callParamsPutGas(100), 14_000 + 1_000);
    assert.equal(callParamsPutGas(0), 0);
    // A frame's return or revert data goes as a CBOR byte string (1-byte header under 24 bytes, 2 under 256, 3 under 64 KiB).
    assert.equal(frameEndGas(0, false), 14_000 + 10);
    assert.equal(frameEndGas(32, false), 14_000 + 340);
    assert.equal(frameEndGas(1_000, true), 14_000 + 10_030 + 14_000, 'a revert: the data and the exit syscall');
    assert.equal(frameEndGas(undefined, true), 14_000, 'an abort: the exit syscall only');
    assert.equal(frameEndGas(undefined, false), 0, 'a constructor returns nothing');
  });

  test("DELEGATECALL's DelegateCallParams: [code CID, input, caller, value] in DAG-CBOR, one link, five fields and a CID scanned", () => {
    // 1 (array) + 43 (CID) + 102 (100 bytes) + 21 (caller) + 1 (value 0: an empty big int).
    assert.equal(delegateParamsSize(100, 0n), 168);
    assert.equal(delegateParamsSize(100, 10n ** 18n), 168 + 9);
    // block_create (its 704 of copying, allocation and one link checked raised to the retention
    // minimum, 1 680), and the scan (5 × 35 + 400).
    assert.equal(delegateParamsPutGas(168), 14_000 + 1_680 + 175 + 400);
  });

  // builtin-actors v18 eam/src/lib.rs (CreateParams, Create2Params, compute_address_create(2),
  // create_actor), init Exec4, evm types.rs ConstructorParams; price_list.rs L146 keccak 33/byte.
  test("a CREATE's initcode travels three times (to the EAM, to Init, to the constructor); the EAM hashes a CREATE2's (14 000 + 33/byte)", () => {
    const keccak = (bytes: number) => 14_000 + 33 * bytes;
    // CREATE2 of 1 000 bytes from a contract: Create2Params [initcode (3-byte header), salt (34)], the
    // EAM's keccak of the initcode, then of 0xff ‖ creator ‖ salt ‖ hash (85 bytes).
    const create2Params = 1 + 1_003 + 34;
    assert.equal(eamEntryGas(true, true, 1_000, 0n), blockCreateGas(create2Params) + paramsReadGas(create2Params) + keccak(1_000) + keccak(85));
    // CREATE: CreateParams [initcode, nonce], the RLP [creator, nonce] hashed (23 bytes for a nonce under 128).
    assert.equal(eamEntryGas(true, false, 1_000, 5n), blockCreateGas(1 + 1_003 + 1) + paramsReadGas(1 + 1_003 + 1) + keccak(23));
    // A nonce of 300: two more bytes in the params (10 a byte put, 0.4 read: one more once rounded up) and in the RLP hashed.
    assert.equal(eamEntryGas(true, false, 1_000, 300n) - eamEntryGas(true, false, 1_000, 5n), 2 * 10 + 1 + 2 * 33);
    // A message's CreateExternal: its params, the initcode as a byte string, are read; no one puts them.
    assert.equal(eamEntryGas(false, false, 1_000, 0n), paramsReadGas(1_003) + keccak(23));
    // Exec4Params [EVM code CID (43), ConstructorParams [creator (21), initcode (1 003)] (1 025 as bytes: 1 028), subaddress (21)].
    assert.equal(exec4ParamsGas(1_000), blockCreateGas(1 + 43 + 1_028 + 21) + paramsReadGas(1_093) + blockCreateGas(1_025) + paramsReadGas(1_025));
    assert.equal(resurrectParamsGas(1_000), blockCreateGas(1_025) + paramsReadGas(1_025));
    // Returns: Exec4Return [ID address (3 bytes for ID 1 000), robust address (21)], EAM Return [ID, robust, Ethereum address].
    const exec4Return = 1 + 4 + 22;
    const eamReturn = 1 + 3 + 22 + 21;
    const returned = (size: number) => blockCreateGas(size) + returnReadGas(size);
    assert.equal(creationReturnGas(true, 1_000, true), returned(exec4Return) + returned(eamReturn));
    assert.equal(creationReturnGas(false, 1_000, true), returned(exec4Return) + blockCreateGas(eamReturn));
    assert.equal(creationReturnGas(true, 1_000, false), returned(eamReturn - 21));
    // A constructor that reverted with 4 bytes: Init and the EAM each read the 5-byte block and exit
    // with it (put again, the exit syscall); one that aborted: their exits alone (init Exec4,
    // runtime shared.rs extract_send_result, the trampoline's exit).
    assert.equal(creationFailureGas(4), 2 * (returnReadGas(5) + blockCreateGas(5) + 14_000));
    assert.equal(creationFailureGas(undefined), 2 * 14_000);
    // An f1 deployer (resolve_caller_external): PubkeyAddress sent to it (the send, 75 000, the
    // account's invocation), its 21-byte address answered as a 22-byte block, then hash_20 of it.
    assert.equal(nativeDeployerGas(21), 14_000 + 75_000 + ACCOUNT_INVOCATION + returned(22) + keccak(21));
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
