// What each branch of a precompile costs in FVM gas, measured with GAS around the STATICCALL or
// DELEGATECALL that reaches it: the syscalls it makes (builtin-actors precompiles/fvm.rs, evm.rs;
// ref-fvm price_list.rs, kernel/default.rs), and none for a branch that makes none.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBytes, getCreateAddress } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToBigint, bytesToHex, concatBytes, hexToBytes } from '../../src/common/hex.js';
import { word } from '../../src/filecoin-precompiles/abi.js';
import { FILECOIN_PRECOMPILE_WORK, opcodeGas } from '../../src/fevm/actors/evm/evm-gas.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { blockCreateGas, blockLoadGas, builtinInvocationGas, paramsReadGas, returnReadGas, stateLoadGas } from '../../src/fevm/builtin-method-gas.js';
import { encodeCbor } from '../../src/common/cbor.js';
import { resolveEthAddress } from '../../src/fevm/actors/lifecycle.js';
import { ACTOR_LOOKUP, HOST_CALL, IPLD_LINK_TRACKED, onHashing, onLookback, SECP256K1_RECOVER, SEND_INVOKE_METHOD } from '../../src/fevm/price-list.js';

/** EIP-7951's price for P256VERIFY, which @ethereumjs charges whatever the input. */
const P256_ETH_GAS = 6_900;
import { fevmSetup } from '../helpers/fevm.js';

const byte = (n: number) => n.toString(16).padStart(2, '0');
const deployCode = (runtime: string) => `0x60${byte(runtime.length / 2)}80600b6000396000f3${runtime}`;

/**
 * Runtime code: the calldata copied to memory 0, then GAS, `opcode` (STATICCALL 0xfa, DELEGATECALL
 * 0xf4) to `address` with it as input and 32 bytes of output at 0x100, GAS; returns [the gas between
 * the two GAS, success, the output's first word]. Memory is grown to 0x220 first, so the call grows none.
 */
const measured = (address: string, opcode: 'fa' | 'f4') =>
  '6000610200' + '52' + '366000600037' + '5a' + '6020610100366000' + '73' + address.slice(2) + '5a' + opcode + '5a' +
  '9060205290036000' + '52' + '61010051604052' + '60606000f3';

/** The opcodes between the two GAS, the second included. */
const OPS = (opcode: 'STATICCALL' | 'DELEGATECALL') =>
  2 * opcodeGas('PUSH1') + opcodeGas('PUSH2') + opcodeGas('CALLDATASIZE') + opcodeGas('PUSH20') + 2 * opcodeGas('GAS') + opcodeGas(opcode);

const words = (data: Uint8Array) => Array.from({ length: data.length / 32 }, (_, i) => BigInt(bytesToHex(data.subarray(32 * i, 32 * i + 32))));

async function setup(t: Parameters<typeof fevmSetup>[0], address: string, opcode: 'fa' | 'f4' = 'fa') {
  const env = await fevmSetup(t);
  assert.equal((await env.sendRaw(null, deployCode(measured(address, opcode)))).exitCode, 0);
  const to = getCreateAddress({ from: env.wallet.address, nonce: 0 });
  const filecoin = address.startsWith('0xfe');
  const base = OPS(opcode === 'fa' ? 'STATICCALL' : 'DELEGATECALL') + (filecoin ? FILECOIN_PRECOMPILE_WORK : 0);
  /** The call's gas beyond the opcodes (and a Filecoin precompile's own work), its success and first output word. */
  const run = async (input: Uint8Array) => {
    const { returnData } = await env.devnet.call({ from: hexToBytes(env.wallet.address), to: hexToBytes(to), input }, env.devnet.head.epoch);
    const [gas, ok, output] = words(returnData);
    return { syscalls: Number(gas) - base, ok, output };
  };
  return { ...env, run };
}

const fe = (index: number) => '0xfe' + '00'.repeat(18) + byte(index);

describe('resolve_address (0xfe00…01): the syscall only for a non-ID address (fvm_sdk actor::resolve_address)', () => {
  test('an ID address, existing or not, and bytes that are no address: no syscall; an f410: resolve_address', async (t) => {
    const { run, wallet, devnet } = await setup(t, fe(1));
    assert.deepEqual(await run(FilAddress.fromId(99).bytes), { syscalls: 0, ok: 1n, output: 99n });
    assert.deepEqual(await run(FilAddress.fromId(777_777).bytes), { syscalls: 0, ok: 1n, output: 777_777n });
    assert.deepEqual(await run(getBytes('0xff')), { syscalls: 0, ok: 0n, output: 0n });
    const f410 = (eth: string) => FilAddress.fromEthAddress(hexToBytes(eth)).bytes;
    const id = resolveEthAddress(devnet.stateAt(devnet.head.epoch), hexToBytes(wallet.address))!.id;
    assert.deepEqual(await run(f410(wallet.address)), { syscalls: HOST_CALL, ok: 1n, output: BigInt(id) });
    // Not bound: the syscall finds nothing (ref-fvm on_resolve_address is free).
    assert.deepEqual(await run(f410('0x' + '5f'.repeat(20))), { syscalls: HOST_CALL, ok: 1n, output: 0n });
  });
});

describe('lookup_delegated_address (0xfe00…02) and get_randomness (0xfe00…06): their syscall, unless the word is refused', () => {
  test('lookup_delegated_address: the syscall and the actor lookup; a word beyond u64 refused without one', async (t) => {
    const { run } = await setup(t, fe(2));
    assert.deepEqual(await run(word(777_777n)), { syscalls: HOST_CALL + ACTOR_LOOKUP, ok: 1n, output: 0n });
    assert.deepEqual(await run(word(1n << 64n)), { syscalls: 0, ok: 0n, output: 0n });
  });

  test('get_randomness: the syscall and its lookback; a word beyond i64 refused without one', async (t) => {
    const { run, devnet } = await setup(t, fe(6));
    // eth_call runs at the epoch after the head.
    const drawn = await run(word(0n));
    assert.deepEqual([drawn.syscalls, drawn.ok], [HOST_CALL + onLookback(devnet.head.epoch + 1), 1n]);
    assert.deepEqual(await run(word(1n << 64n)), { syscalls: 0, ok: 0n, output: 0n });
  });
});

describe('call_actor (0xfe00…03): the send syscall, not when the call is refused', () => {
  test('reached by STATICCALL (CallForbidden) or with a reserved method: no syscall', async (t) => {
    const { run } = await setup(t, fe(3));
    const input = getBytes('0x' + [0n, 0n, 0n, 0n, 0xc0n, 0xe0n, 0n, 0n].map((n) => bytesToHex(word(n)).slice(2)).join(''));
    assert.deepEqual(await run(input), { syscalls: 0, ok: 0n, output: 0n });
  });

  const idInput = (id: bigint) => getBytes('0x' + [0n, 0n, 0n, 0n, 0xc0n, id, 0n].map((n) => bytesToHex(word(n)).slice(2)).join(''));

  test('call_actor_id by DELEGATECALL, a send that succeeds: gas_available, the send, then the caller reloads its state root (System::reload)', async (t) => {
    const { run } = await setup(t, fe(5), 'f4');
    // METHOD_SEND of nothing to f099 (preloaded: no lookup): exit code 0.
    assert.deepEqual(await run(idInput(99n)), { syscalls: 3 * HOST_CALL + IPLD_LINK_TRACKED, ok: 1n, output: 0n });
  });

  // builtin-actors precompiles/fvm.rs call_actor_shared, fvm_sdk send.rs: the params block put before
  // the send (block_create), what the callee returns read after it (build_response).
  test('call_actor_id with params: the caller puts their block; a return: the caller reads its block', async (t) => {
    const { run, wallet } = await setup(t, fe(5), 'f4');
    const withParams = (method: bigint, id: bigint, codec: bigint, params: Uint8Array) =>
      concatBytes(...[method, 0n, 0n, codec, 0xc0n, id, BigInt(params.length)].map((n) => word(n)), params, new Uint8Array(32 - (params.length % 32)));
    // METHOD_SEND to f099 with a 5-byte CBOR params block: what the send without params costs, and the block.
    const sent = await run(withParams(0n, 99n, 0x51n, encodeCbor(hexToBytes('0x01020304'))));
    assert.deepEqual([sent.syscalls, sent.ok], [3 * HOST_CALL + IPLD_LINK_TRACKED + blockCreateGas(5), 1n]);
    // The market's GetBalance of the wallet's f410 (a 23-byte CBOR address): the invocation, its params
    // read, its state loaded, the address resolved (a syscall), the escrow and locked tables' roots (no
    // one has escrow on this chain: empty HAMT nodes, 3 bytes), and its [escrow, locked] answer, two
    // empty big ints (3 bytes), put and read back.
    const who = encodeCbor(FilAddress.fromEthAddress(hexToBytes(wallet.address)).bytes);
    const balance = await run(withParams(BigInt(methodNumber('GetBalance')), 5n, 0x51n, who));
    const emptyTable = blockLoadGas({ bytes: encodeCbor([new Uint8Array(), []]).length, links: 0 });
    const walk = HOST_CALL + 2 * emptyTable;
    const invoked = SEND_INVOKE_METHOD + builtinInvocationGas('storagemarket') + paramsReadGas(who.length) + stateLoadGas('storagemarket') + walk + blockCreateGas(3);
    assert.deepEqual([balance.syscalls, balance.ok], [3 * HOST_CALL + IPLD_LINK_TRACKED + blockCreateGas(who.length) + invoked + returnReadGas(3), 1n]);
  });

  test('call_actor_id by DELEGATECALL to an ID no actor has: gas_available, the send and its lookup, then NotFound (-6)', async (t) => {
    const { run } = await setup(t, fe(5), 'f4');
    const input = idInput;
    for (const id of [777_777n, (1n << 64n) - 1n]) {
      assert.deepEqual(await run(input(id)), { syscalls: 2 * HOST_CALL + ACTOR_LOOKUP, ok: 1n, output: (1n << 256n) - 6n }, String(id));
    }
  });
});

describe('Ethereum precompiles: a branch that stops before the syscall or the verification costs neither', () => {
  const input = (...parts: (bigint | Uint8Array)[]) => concatBytes(...parts.map((p) => (typeof p === 'bigint' ? word(p) : p)));

  test('ecrecover (0x01): v not 27 or 28, or r or s out of range: no recovery; a recovery that fails: no keccak', async (t) => {
    const { run } = await setup(t, '0x' + '00'.repeat(19) + '01');
    const hash = new Uint8Array(32).fill(9);
    const signature = secp256k1.sign(hash, new Uint8Array(32).fill(1), { prehash: false, format: 'recovered' });
    const [r, s] = [bytesToBigint(signature.subarray(1, 33)), bytesToBigint(signature.subarray(33, 65))];
    const recovered = await run(input(hash, 27n + BigInt(signature[0]), r, s));
    assert.deepEqual([recovered.syscalls, recovered.ok], [2 * HOST_CALL + SECP256K1_RECOVER + onHashing('keccak256', 64), 1n]);
    assert.notEqual(recovered.output, 0n);
    assert.deepEqual(await run(input(hash, 29n, r, s)), { syscalls: 0, ok: 1n, output: 0n });
    assert.deepEqual(await run(input(hash, 27n, 0n, s)), { syscalls: 0, ok: 1n, output: 0n });
    // r = 5 is no point's x on secp256k1 (5³ + 7 = 132 is not a square mod p): recovery fails.
    assert.deepEqual(await run(input(hash, 27n, 5n, s)), { syscalls: HOST_CALL + SECP256K1_RECOVER, ok: 1n, output: 0n });
  });

  test('P256VERIFY (0x…0100, nv28): 32 bytes ending in 1 for a valid signature, empty otherwise; verifying costs its EIP-7951 price in Wasm', async (t) => {
    const { run } = await setup(t, '0x' + '00'.repeat(18) + '0100');
    const key = p256.utils.randomSecretKey();
    const hash = new Uint8Array(32).fill(3);
    const signature = p256.sign(hash, key, { prehash: false });
    const publicKey = p256.getPublicKey(key, false).subarray(1);
    const verify = P256_ETH_GAS * 444;
    assert.deepEqual(await run(input(hash, signature, publicKey)), { syscalls: verify, ok: 1n, output: 1n });
    assert.deepEqual(await run(input(new Uint8Array(32), signature, publicKey)), { syscalls: verify, ok: 1n, output: 0n });
    assert.deepEqual(await run(input(hash, signature, publicKey).subarray(0, 159)), { syscalls: 0, ok: 1n, output: 0n });
    assert.deepEqual(await run(input(hash, 0n, signature.subarray(32), publicKey)), { syscalls: 0, ok: 1n, output: 0n });
    assert.deepEqual(await run(input(hash, signature, 0n, 0n)), { syscalls: 0, ok: 1n, output: 0n });
  });
});
