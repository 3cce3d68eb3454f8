// Opcodes whose results differ from Ethereum's on FEVM (builtin-actors actors/evm/src/interpreter:
// context.rs, ext.rs, call.rs, lifecycle.rs, execution.rs), on an in-process devnet with Solidity.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { getBytes, getCreate2Address, getCreateAddress, hexlify, keccak256, toBeHex, ZeroAddress } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { Address } from '@ethereumjs/util';
import { isReservedPrecompileAddress } from '../../src/filecoin-precompiles/index.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { resolveEthAddress } from '../../src/fevm/actors/lifecycle.js';
import { unsignedMessage } from '../../src/fevm/eth-tx.js';
import type { EvmFrame } from '../../src/fevm/actors/evm/tracer.js';
import {
  bytecodeReadGas,
  bytecodeStoreGas,
  callParamsPutGas,
  contractCreationGas,
  copyGas,
  creationFailureGas,
  creationReturnGas,
  eamEntryGas,
  eamOwnFailureGas,
  exec4ParamsGas,
  evmFlushGas,
  evmReloadGas,
  evmStateFlushGas,
  evmStateReadGas,
  frameEndGas,
  memoryGrowthGas,
  opcodeGas,
  refusedCreationGas,
  resurrectionGas,
  resurrectParamsGas,
  returnedGas,
  SEND_SYSCALL,
  transientFlushGas,
  transientLoadGas,
} from '../../src/fevm/actors/evm/evm-gas.js';
import { EMPTY_KAMT, kamtLinks, withSlot } from '../../src/fevm/actors/evm/kamt-shape.js';
import { buildStorageKamt } from '../../src/fevm/actors/evm/storage-kamt.js';
import {
  ACTOR_LOOKUP,
  ACTOR_UPDATE,
  HOST_CALL,
  onBlockOpen,
  onBlockPut,
  onBlockRead,
  onChainReturn,
  onCreateActor,
  onHashing,
  onLookback,
  onWasmInvocation,
  SEND_INVOKE_METHOD,
  SEND_TRANSFER_FUNDS,
} from '../../src/fevm/price-list.js';
import { ABORT_EXIT, builtinInvocationGas, paramsReadGas, returnReadGas } from '../../src/fevm/builtin-method-gas.js';
import { FIL, fevmSetup, maskedId, precompileAddress } from '../helpers/fevm.js';

/** The storage KAMT of a contract made here whose only nonzero slot is `slot` (value 1): the slot in its root. */
const kamtWith = (slot: bigint) => withSlot(EMPTY_KAMT, slot, 0n, 1n);

const blake256 = (data: Uint8Array) => blake2b(data, { dkLen: 32 });
const i64be = (n: number | bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n));
  return b;
};
const KECCAK_EMPTY = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';
const KECCAK_FE = '0xbcc90f2d6dada5b18e155c17a1c0a55920aae94f39857d39d0d8ed07ae8f228b';
const ZERO_HASH = '0x' + '00'.repeat(32);
const MARKET = maskedId(5);

describe('CLZ (EIP-7939, nv28: builtin-actors instructions/bitwise.rs clz)', () => {
  test('the leading zero bits of a word, 256 for 0; priced as the other bitwise opcodes', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // CLZ of the calldata's first word, returned.
    assert.equal((await sendRaw(null, deployCode('6000351e60005260206000f3'))).exitCode, 0);
    const to = hexToBytes(getCreateAddress({ from: wallet.address, nonce: 0 }));
    for (const [value, zeros] of [[0n, 256n], [1n, 255n], [0xffn, 248n], [1n << 255n, 0n], [(1n << 256n) - 1n, 0n]]) {
      const result = await devnet.call({ from: hexToBytes(wallet.address), to, input: getBytes(hexlify(toBeHex(value, 32))) }, devnet.head.epoch);
      assert.equal(result.exitCode, ExitCode.Ok);
      assert.equal(BigInt(bytesToHex(result.returnData)), zeros, String(value));
    }
    assert.equal(opcodeGas('CLZ'), opcodeGas('SHR'));
  });
});

describe('context opcodes', () => {
  test('GAS is FVM gas (billions); GASLIMIT 10e9; COINBASE 0; NUMBER the epoch; CHAINID 31415926', async (t) => {
    const { deploy, call, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const env = await call(probe, 'env');
    // eth_call's gas is the block gas limit, 10e9 FVM gas; what is left is still in the billions.
    assert.ok(env.gasLeft > 9_000_000_000n && env.gasLeft < 10_000_000_000n, `GAS ${env.gasLeft}`);
    assert.equal(env.gasLimit, 10_000_000_000n);
    assert.equal(env.coinbase, ZeroAddress);
    assert.equal(env.number, BigInt(devnet.head.epoch + 1));
    assert.equal(env.chainId, 31415926n);
  });

  test('GASPRICE is the base fee plus the message\'s gas premium', async (t) => {
    const { deploy, send, call, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const receipt = await send(probe, 'recordEnv');
    assert.equal(receipt.exitCode, 0);
    // The helper signs with a 200000 premium and a fee cap far above the base fee.
    assert.equal((await call(probe, 'recordedGasPrice'))[0], devnet.head.baseFee + 200_000n);
  });

  test('PREVRANDAO: blake2b-256(i64be(10) ‖ beacon randomness(epoch) ‖ i64be(epoch) ‖ "prevrandao"), from the seed', async (t) => {
    const seed = new TextEncoder().encode('prevrandao test seed');
    const { deploy, call, devnet } = await fevmSetup(t, { seed });
    const probe = await deploy('FevmProbe');
    const epoch = devnet.head.epoch + 1;
    const beacon = blake256(blake256(new Uint8Array([...seed, ...i64be(epoch)])));
    const expected = blake256(new Uint8Array([...i64be(10), ...beacon, ...i64be(epoch), ...new TextEncoder().encode('prevrandao')]));
    assert.equal((await call(probe, 'env')).prevrandao, BigInt(hexlify(expected)));
  });

  test('PREVRANDAO changes with the seed and the epoch', async (t) => {
    const a = await fevmSetup(t, { seed: new Uint8Array([1]) });
    const b = await fevmSetup(t, { seed: new Uint8Array([2]) });
    const probeA = await a.deploy('FevmProbe');
    const probeB = await b.deploy('FevmProbe');
    const first = (await a.call(probeA, 'env')).prevrandao;
    assert.notEqual(first, (await b.call(probeB, 'env')).prevrandao);
    await a.devnet.mine();
    assert.notEqual(first, (await a.call(probeA, 'env')).prevrandao);
  });

  test('BLOCKHASH: the tipset hash (the Ethereum block hash) for the 256 epochs before the current one, else 0', async (t) => {
    const { deploy, call, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    await devnet.mine();
    const head = devnet.head.epoch;
    for (const epoch of [0, head - 1, head]) {
      assert.equal((await call(probe, 'blockHash', [epoch]))[0], hexlify(devnet.chain.atEpoch(epoch)!.hash), `epoch ${epoch}`);
    }
    // The current epoch (head + 1 for eth_call) and later: 0.
    assert.equal((await call(probe, 'blockHash', [head + 1]))[0], ZERO_HASH);
    assert.equal((await call(probe, 'blockHash', [head + 100]))[0], ZERO_HASH);
  });
});

describe('precompile lookup', () => {
  test('every precompile the EVM has sits at a reserved address (FevmEvm.getPrecompile looks nowhere else)', async (t) => {
    const { devnet } = await fevmSetup(t);
    const evm = (devnet as any).calls.node.executor.evm.evm as { precompiles: Map<string, unknown>; getPrecompile(a: unknown): unknown };
    assert.ok(evm.precompiles.size >= 20);
    for (const key of evm.precompiles.keys()) {
      const address = new Address(hexToBytes(`0x${key}`));
      assert.ok(isReservedPrecompileAddress(address.bytes), key);
      assert.equal(evm.getPrecompile(address), evm.precompiles.get(key), key);
    }
    assert.equal(evm.getPrecompile(new Address(new Uint8Array(20).fill(0x11))), undefined);
  });
});

describe('EXTCODESIZE, EXTCODEHASH, EXTCODECOPY', () => {
  test('native, account, precompile, contract, reserved-but-empty and missing addresses', async (t) => {
    const { deploy, call, wallet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const runtime = await call(probe, 'codeInfo', [probe.address]);
    const expectations: [string, string, bigint, string, string][] = [
      ['market (0xff…05)', MARKET, 1n, KECCAK_FE, '0xfe'],
      ['system (0xff…00)', maskedId(0), 1n, KECCAK_FE, '0xfe'],
      ['resolve_address (0xfe…01)', precompileAddress(0xfe, 1), 0n, KECCAK_EMPTY, '0x'],
      ['ecrecover (0x…01)', precompileAddress(0x00, 1), 0n, KECCAK_EMPTY, '0x'],
      ['BLS G1ADD (0x…0b)', precompileAddress(0x00, 0x0b), 0n, KECCAK_EMPTY, '0x'],
      ['P256VERIFY (0x…0100)', '0x' + '00'.repeat(18) + '0100', 0n, KECCAK_EMPTY, '0x'],
      ['0x…0200, not reserved', '0x' + '00'.repeat(18) + '0200', 0n, ZERO_HASH, '0x'],
      ['no KZG (0x…0a)', precompileAddress(0x00, 0x0a), 0n, ZERO_HASH, '0x'],
      ['get_actor_type, disabled (0xfe…04)', precompileAddress(0xfe, 4), 0n, ZERO_HASH, '0x'],
      ['an EthAccount', wallet.address, 0n, KECCAK_EMPTY, '0x'],
      ['burnt funds, an Account (0xff…63)', maskedId(99), 0n, KECCAK_EMPTY, '0x'],
      ['a missing f410', '0x' + '5a'.repeat(20), 0n, ZERO_HASH, '0x'],
      ['a missing ID', maskedId(777_777), 0n, ZERO_HASH, '0x'],
      ['the contract itself', probe.address, runtime.size, hexlify(keccak_256(getBytes(runtime.code))), runtime.code],
      ['the contract by its ID', maskedId(probe.id), runtime.size, hexlify(keccak_256(getBytes(runtime.code))), runtime.code],
    ];
    assert.ok(runtime.size > 100n);
    for (const [what, address, size, hash, code] of expectations) {
      const info = await call(probe, 'codeInfo', [address]);
      assert.deepEqual([info.size, info.hash, info.code], [size, hash, code], what);
    }
  });
});

describe('CALL targets', () => {
  test('a builtin actor (0xff…05): the CALL returns 0 with no data, the value stays', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe', [], FIL);
    for (const data of ['0x', '0x12345678']) {
      const receipt = await send(probe, 'callTo', [MARKET, 10n, data]);
      assert.equal(receipt.exitCode, 0);
      const [ok, output] = probe.iface.decodeFunctionResult('callTo', hexlify(receipt.returnData));
      assert.deepEqual([ok, output], [false, '0x']);
    }
    assert.equal(devnet.stateAt(devnet.head.epoch).getActor(5)!.balance, 0n);
  });

  test('DELEGATECALL: to a builtin actor fails; to an account, a missing ID or a missing f410 succeeds with nothing', async (t) => {
    const { deploy, send } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const cases: [string, boolean][] = [
      [MARKET, false],
      [maskedId(101), true],
      [maskedId(555_555), true],
      ['0x' + '6e'.repeat(20), true],
    ];
    for (const [target, expected] of cases) {
      const receipt = await send(probe, 'delegateCallTo', [target, '0x12345678']);
      assert.equal(receipt.exitCode, 0);
      const [ok, output] = probe.iface.decodeFunctionResult('delegateCallTo', hexlify(receipt.returnData));
      assert.deepEqual([ok, output], [expected, '0x'], target);
    }
    // To a contract: its code runs as the caller (the event comes from the caller).
    const receiver = await deploy('FilecoinMethodReceiver');
    const receipt = await send(probe, 'delegateCallTo', [receiver.address, receiver.iface.encodeFunctionData('double', [3])]);
    const [ok, output] = probe.iface.decodeFunctionResult('delegateCallTo', hexlify(receipt.returnData));
    assert.deepEqual([ok, output], [true, '0x' + '6'.padStart(64, '0')]);
    assert.equal(receipt.events[0].emitter, probe.id);
  });

  test('a missing masked ID: success, nothing created, the value does not move', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe', [], FIL);
    const receipt = await send(probe, 'callTo', [maskedId(555_555), FIL / 2n, '0x']);
    const [ok] = probe.iface.decodeFunctionResult('callTo', hexlify(receipt.returnData));
    assert.equal(ok, true);
    const state = devnet.stateAt(devnet.head.epoch);
    assert.equal(state.getActor(probe.id)!.balance, FIL);
    assert.equal(state.getActor(555_555), undefined);
  });

  test('an account by its masked ID receives the value', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe', [], FIL);
    const before = devnet.stateAt(devnet.head.epoch).getActor(101)!.balance;
    const receipt = await send(probe, 'callTo', [maskedId(101), 123n, '0x']);
    assert.equal(probe.iface.decodeFunctionResult('callTo', hexlify(receipt.returnData))[0], true);
    assert.equal(devnet.stateAt(devnet.head.epoch).getActor(101)!.balance, before + 123n);
  });

  test('an unknown f410: a CALL creates a Placeholder even without value; a STATICCALL does not', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const quiet = '0x' + '7b'.repeat(20);
    const statik = await send(probe, 'staticCallTo', [quiet, '0x']);
    assert.equal(probe.iface.decodeFunctionResult('staticCallTo', hexlify(statik.returnData))[0], true);
    assert.equal(devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(quiet))), undefined);

    const receipt = await send(probe, 'callTo', [quiet, 0, '0x']);
    assert.equal(probe.iface.decodeFunctionResult('callTo', hexlify(receipt.returnData))[0], true);
    const state = devnet.stateAt(devnet.head.epoch);
    const placeholder = state.getActor(state.lookupId(FilAddress.fromEthAddress(hexToBytes(quiet)))!)!;
    assert.equal(placeholder.kind, 'placeholder');
    assert.equal(placeholder.balance, 0n);
  });

  test('a contract named by its masked ID runs as itself (ADDRESS and storage of its f410)', async (t) => {
    const { deploy, send, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const receiver = await deploy('FilecoinMethodReceiver');
    const data = receiver.iface.encodeFunctionData('double', [5]);
    const receipt = await send(probe, 'callTo', [maskedId(receiver.id), 0, data]);
    assert.equal(probe.iface.decodeFunctionResult('callTo', hexlify(receipt.returnData))[0], true);
    assert.equal((await call(receiver, 'doubled'))[0], 10n);
    assert.equal(receipt.events[0].emitter, receiver.id);
  });
});

/** Initcode that deploys `runtime` (hex, no 0x; under 256 bytes). */
const deployCode = (runtime: string) => `0x60${byte(runtime.length / 2)}80600b6000396000f3${runtime}`;
const byte = (n: number) => n.toString(16).padStart(2, '0');

/**
 * Runtime code that reads `target`'s balance (FVM-priced: it does not mark `target` warm), spends
 * its gas down to between `threshold` - 3 600 and `threshold`, then sends `opcode` (CALL with
 * `value`, STATICCALL or DELEGATECALL) to `target` with `gas`, and stops.
 */
function balanceThenCall(target: string, opcode: number, value: number | undefined, gas: number, threshold: number): string {
  const pushTarget = '73' + target.slice(2).toLowerCase();
  const push3 = (n: number) => '62' + n.toString(16).padStart(6, '0');
  // GAS is a syscall (~15 400), too coarse a step to stop near `threshold`: while (GAS > threshold +
  // 40 000) {} (its JUMPDEST at 0x17), then n = (GAS - t) / 3 600 turns of a loop of 3 600 gas
  // (JUMPDEST PUSH1 SWAP1 SUB DUP1 PUSH1 JUMPI, at 0x2d), t such that what is left after the POP
  // (GAS - 8 340 - 3 600 n: the PUSH3 … DIV between, and the POP) is below `threshold` by less than a turn.
  const fine = threshold + 8_340 - 3_600;
  const burn = `5b${push3(threshold + 40_000)}5a1160${byte(0x17)}57` + `5a${push3(fine)}9003610e109004` + `5b6001900380602d57` + '50';
  const args = '6000'.repeat(4) + (value === undefined ? '' : `60${byte(value)}`);
  return `${pushTarget}3150${burn}${args}${pushTarget}60${byte(gas)}${byte(opcode)}00`;
}

/** Runtime code that CALLs `target` with 5 M gas and returns the CALL's result as a word. */
const callAndReturnResult = (target: string) => `${'6000'.repeat(5)}73${target.slice(2).toLowerCase()}63004c4b40f160005260206000f3`;

describe('CALL gas', () => {
  // The caller keeps 44 400 to 48 010 gas after its loops: enough for the FEVM's work up to the CALL
  // (9 440 for the CALL's own, 14 000 for its gas_available syscall), 50 for the callee, the STOP
  // and the frame's end (its empty return put in a block: 14 010), with little to spare (the CALL:
  // 2 305): an Ethereum access price (2 600) on top would not fit. A DELEGATECALL's caller first
  // learns the target's type itself (get_contract_type, three syscalls: 42 000; builtin-actors
  // call.rs:259) and asks an account for no gas, so it keeps 76 010.
  const cases: [string, number, number | undefined, number][] = [
    ['CALL', 0xf1, 0, 48_010],
    ['CALL with value', 0xf1, 1, 48_010],
    ['STATICCALL', 0xfa, undefined, 48_010],
    ['DELEGATECALL', 0xf4, undefined, 76_010],
  ];
  for (const [name, opcode, value, threshold] of cases) {
    test(`${name} after BALANCE with little gas left: the callee gets its 50, the caller goes on (no Ethereum price)`, async (t) => {
      const { sendRaw, devnet, wallet } = await fevmSetup(t);
      const caller = getCreateAddress({ from: wallet.address, nonce: 0 });
      const outer = getCreateAddress({ from: wallet.address, nonce: 1 });
      assert.equal((await sendRaw(null, deployCode(balanceThenCall(wallet.address, opcode, value, 50, threshold)), 1n)).exitCode, 0);
      assert.equal((await sendRaw(null, deployCode(callAndReturnResult(caller)))).exitCode, 0);

      const request = { from: hexToBytes(wallet.address), to: hexToBytes(outer) };
      const result = await devnet.call(request, devnet.head.epoch);
      assert.equal(BigInt(bytesToHex(result.returnData)), 1n, 'the caller ran to its STOP');
      const traced = await devnet.traceCall(request, devnet.head.epoch, {});
      const toCaller = traced.root!.calls[0] as EvmFrame;
      assert.equal(toCaller.exitCode, 0);
      assert.equal(toCaller.calls.length, 1);
      const toTarget = toCaller.calls[0] as EvmFrame;
      assert.equal(bytesToHex(toTarget.codeAddress ?? toTarget.to!), wallet.address.toLowerCase());
      // No Ethereum stipend with value: the callee gets the gas argument.
      assert.equal(toTarget.gas, 50);
    });
  }
});

/** Runtime code that returns the gas left (GAS) as a word. */
const returnGasLeft = '5a60005260206000f3';

/** Runtime code that CALLs `target` with 50 M gas and `value`, keeping its 32-byte answer at `out`. */
const callInto = (target: string, value: number, out: number) =>
  `6020${'60' + byte(out)}60006000${'60' + byte(value)}73${target.slice(2).toLowerCase()}6302faf080f150`;

/** Runtime code that CREATEs its calldata as initcode and returns the new address (0 if it failed). */
const createFromCalldata = '3660006000373660006000f060005260206000f3';

/**
 * Initcode of `length` bytes that copies itself to memory and returns its first `returned` bytes
 * as the contract's code: two of them differ in the code's size only.
 */
function initcodeReturning(returned: number, length: number): string {
  const code = `60${byte(length)}6000600039${'60' + byte(returned)}6000f3`;
  return '0x' + code.padEnd(length * 2, '0');
}

describe('Ethereum rules the FEVM does not have', () => {
  test('a CALL with value gives the callee no 2300 stipend: it has the value transfer less, not 2300 more', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    const callee = getCreateAddress({ from: wallet.address, nonce: 0 });
    const caller = getCreateAddress({ from: wallet.address, nonce: 1 });
    assert.equal((await sendRaw(null, deployCode(returnGasLeft))).exitCode, 0);
    // The first CALL (with value) pays the first reads and writes of both actors; the next two differ
    // only in the value: 0, then 1 attoFIL.
    const runtime = callInto(callee, 1, 0x40) + callInto(callee, 0, 0x00) + callInto(callee, 1, 0x20) + '60406000f3';
    assert.equal((await sendRaw(null, deployCode(runtime), FIL)).exitCode, 0);

    const result = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(caller) }, devnet.head.epoch);
    const withoutValue = BigInt(bytesToHex(result.returnData.subarray(0, 32)));
    const withValue = BigInt(bytesToHex(result.returnData.subarray(32, 64)));
    assert.equal(withoutValue - withValue, BigInt(SEND_TRANSFER_FUNDS));
  });

  test('a deployment pays for storing its code as a block, not 200 gas per byte of it', async (t) => {
    const { sendRaw } = await fevmSetup(t);
    const small = await sendRaw(null, initcodeReturning(20, 200));
    const large = await sendRaw(null, initcodeReturning(180, 200));
    assert.equal(small.exitCode, 0);
    assert.equal(large.exitCode, 0);
    // Same message size, same constructor run: RETURN's copy and the code's hash and block differ.
    const bySize = (size: number) => copyGas(size) + bytecodeStoreGas(size);
    assert.equal(large.gasUsed - small.gasUsed, bySize(180) - bySize(20));
  });

  test('no initcode size limit (EIP-3860): a deployment and a CREATE with 50 000 bytes of initcode', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // Returns one byte of code; the rest is never run.
    const initcode = '0x60016000f3' + '00'.repeat(50_000 - 5);
    assert.equal((await sendRaw(null, initcode)).exitCode, 0);
    const creator = getCreateAddress({ from: wallet.address, nonce: 1 });
    assert.equal((await sendRaw(null, deployCode(createFromCalldata))).exitCode, 0);
    const receipt = await sendRaw(creator, initcode);
    assert.equal(receipt.exitCode, 0);
    assert.equal(bytesToHex(receipt.returnData.subarray(12)), getCreateAddress({ from: creator, nonce: 1 }).toLowerCase());
  });

  test('code over 24 KiB or starting with 0xEF: exit 16 with the gas the constructor used (not the whole limit), nothing deployed', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    const largest = await sendRaw(null, '0x6160006000f3'); // RETURN(0, 24 576): 24 KiB of zeros
    const over = await sendRaw(null, '0x6160016000f3'); // RETURN(0, 24 577)
    const ef = await sendRaw(null, '0x60ef60005360016000f3'); // MSTORE8(0, 0xef), RETURN(0, 1)
    assert.equal(largest.exitCode, 0);
    assert.deepEqual([over.exitCode, ef.exitCode], [ExitCode.ErrIllegalArgument, ExitCode.ErrIllegalArgument]);
    // The largest deployment's work but the code's hash and block, Init's and the EAM's returns (put,
    // read) and the EAM's on chain, and with the constructor's exit syscall and Init's and the EAM's
    // exits after it (one more byte to copy and a word of memory: 13 gas).
    const state = devnet.stateAt(devnet.head.epoch);
    const id = state.lookupId(FilAddress.fromEthAddress(hexToBytes(getCreateAddress({ from: wallet.address, nonce: 0 }))))!;
    const stored = largest.gasUsed - bytecodeStoreGas(24_576) - creationReturnGas(false, id, true) - onChainReturn(largest.returnData.length) + HOST_CALL + creationFailureGas(undefined);
    assert.ok(Math.abs(over.gasUsed - stored) < 100, `${over.gasUsed} vs ${stored}`);
    assert.ok(ef.gasUsed < stored, `${ef.gasUsed}`);
    for (const nonce of [1, 2]) {
      assert.equal(state.lookupId(FilAddress.fromEthAddress(hexToBytes(getCreateAddress({ from: wallet.address, nonce })))), undefined);
    }
    // A contract's CREATE of such code pushes 0 and the contract goes on.
    const creator = getCreateAddress({ from: wallet.address, nonce: 3 });
    assert.equal((await sendRaw(null, deployCode(createFromCalldata))).exitCode, 0);
    const created = await sendRaw(creator, '0x6160016000f3');
    assert.equal(created.exitCode, 0);
    assert.equal(BigInt(bytesToHex(created.returnData)), 0n);
  });
});

describe('undefined and invalid instructions', () => {
  test('CALLCODE, BLOBHASH and BLOBBASEFEE are undefined: exit 35; INVALID (0xfe) is exit 34', async (t) => {
    const { deploy, send } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    assert.equal((await send(probe, 'useCallcode', [probe.address])).exitCode, ExitCode.EvmUndefinedInstruction);
    assert.equal((await send(probe, 'useBlobhash')).exitCode, ExitCode.EvmUndefinedInstruction);
    assert.equal((await send(probe, 'useBlobbasefee')).exitCode, ExitCode.EvmUndefinedInstruction);
    assert.equal((await send(probe, 'useInvalid')).exitCode, ExitCode.EvmInvalidInstruction);
  });

  test('eth_call reports the exit code as Lotus does', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    await assert.rejects(call(probe, 'useCallcode', [probe.address]), /exit=\[35\]/);
  });
});

describe('SELFDESTRUCT (pre-Cancun, as FEVM)', () => {
  test('sends the whole balance; the contract keeps its code until the message ends, then has none', async (t) => {
    const { deploy, send, call, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const target = await deploy('Destructible', [], 2n * FIL);
    const beneficiary = '0x' + '3c'.repeat(20);
    const receipt = await send(probe, 'destroyAndMeasure', [target.address, beneficiary]);
    assert.equal(receipt.exitCode, 0);
    // Still there within the message that destroyed it.
    assert.ok((await call(probe, 'recordedCodeSize'))[0] > 0n);

    const state = devnet.stateAt(devnet.head.epoch);
    const beneficiaryActor = state.getActor(state.lookupId(FilAddress.fromEthAddress(hexToBytes(beneficiary)))!)!;
    assert.equal(beneficiaryActor.kind, 'placeholder');
    assert.equal(beneficiaryActor.balance, 2n * FIL);
    const dead = state.getActor(target.id)!;
    assert.equal(dead.kind, 'evm');
    assert.equal(dead.balance, 0n);
    assert.equal(dead.evm!.bytecode.length, 0);

    const info = await call(probe, 'codeInfo', [target.address]);
    assert.deepEqual([info.size, info.hash, info.code], [0n, KECCAK_EMPTY, '0x']);
    // Calls to it run no code: success, nothing returned, storage gone.
    const result = await devnet.call({ to: hexToBytes(target.address), input: getBytes(target.iface.encodeFunctionData('value')) }, devnet.head.epoch);
    assert.equal(result.returnData.length, 0);
  });

  test('a dead contract can be deployed again at its address (EAM Resurrect): same actor, new code, fresh storage', async (t) => {
    const { deploy, send, call, devnet } = await fevmSetup(t);
    const factory = await deploy('DestructibleFactory');
    const salt = '0x' + '11'.repeat(32);
    const [address] = await call(factory, 'deploy', [salt]);
    assert.equal((await send(factory, 'deploy', [salt])).exitCode, 0);
    const target = { ...factory, address, iface: (await deploy('Destructible')).iface };
    const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(address)))!;
    assert.equal((await send(target, 'destroy', ['0x' + '3c'.repeat(20)])).exitCode, 0);
    const dead = devnet.stateAt(devnet.head.epoch).getActor(id)!;
    assert.equal(dead.evm!.dead, true);
    // A dead contract answers as an empty account: its CREATE2 address is free again.
    assert.equal((await send(factory, 'deploy', [salt])).exitCode, 0);
    const alive = devnet.stateAt(devnet.head.epoch).getActor(id)!;
    assert.equal(alive.kind, 'evm');
    assert.equal(alive.evm!.dead, undefined);
    assert.ok(alive.evm!.bytecode.length > 0);
    assert.equal((await call(target, 'value'))[0], 7n);
  });

  test('to an unknown masked ID the transfer fails: exit 40 (EVM_CONTRACT_SELFDESTRUCT_FAILED), nothing happens', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const target = await deploy('Destructible', [], FIL);
    const receipt = await send(target, 'destroy', [maskedId(888_888)]);
    assert.equal(receipt.exitCode, ExitCode.EvmSelfdestructFailed);
    const actor = devnet.stateAt(devnet.head.epoch).getActor(target.id)!;
    assert.equal(actor.balance, FIL);
    assert.ok(actor.evm!.bytecode.length > 0);
  });

  test('a reverted SELFDESTRUCT leaves the contract alive', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const target = await deploy('Destructible', [], FIL);
    const receipt = await send(probe, 'destroyThenRevert', [target.address, '0x' + '3d'.repeat(20)]);
    assert.equal(receipt.exitCode, ExitCode.EvmReverted);
    // And a SELFDESTRUCT that fails makes the calling frame's CALL fail.
    assert.equal((await send(probe, 'destroyAndMeasure', [target.address, maskedId(888_888)])).exitCode, ExitCode.EvmReverted);
    const actor = devnet.stateAt(devnet.head.epoch).getActor(target.id)!;
    assert.ok(actor.evm!.bytecode.length > 0);
    assert.equal(actor.balance, FIL);
  });
});

/** Runtime code that CALLs `target` (`prefix` first) with 50 M gas and returns [success, the gas the CALL took]. */
const measureCall = (prefix: string, opcode: 'f1' | 'fa', target: number | string, argsSize: number, retSize: number) => {
  const pushTarget = typeof target === 'number' ? '60' + byte(target) : '73' + target.slice(2).toLowerCase();
  const value = opcode === 'f1' ? '6000' : '';
  // GAS, CALL(50 M, target, [0], 0, argsSize, 0x80, retSize), GAS; memory: [before, success, after].
  const call = `5a60${byte(retSize)}608060${byte(argsSize)}6000${value}${pushTarget}6302faf080${opcode}5a`;
  return prefix + call + '604052602052600052' + '60606000f3';
};

/** Reads measureCall's answer. */
const callMeasure = (data: Uint8Array) => {
  const word = (i: number) => BigInt(bytesToHex(data.subarray(32 * i, 32 * i + 32)));
  return { success: word(1), gas: word(0) - word(2) };
};

describe('the blocks a CALL carries (ref-fvm sdk send.rs, message.rs; builtin-actors call.rs, the trampoline)', () => {
  test("its input put by the caller and read by the callee; the callee's return or revert data put by it and read by the caller", async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // Callees: RETURN(0, 0), RETURN(0, 32), REVERT(0, 32).
    for (const runtime of ['60006000f3', '60206000f3', '60206000fd']) assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const [empty, word, reverts] = [0, 1, 2].map((nonce) => getCreateAddress({ from: wallet.address, nonce }));
    // Callers, memory grown to 0x100 first: CALL with 0 or 200 bytes of input, nothing copied back.
    const callers: [string, number][] = [[empty, 0], [empty, 200], [word, 0], [reverts, 0]];
    for (const [target, input] of callers) assert.equal((await sendRaw(null, deployCode(measureCall(growMemory, 'f1', target, input, 0)))).exitCode, 0);
    const measured = [];
    for (const nonce of [3, 4, 5, 6]) measured.push(callMeasure((await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x')).returnData));
    const [none, input, returned, reverted] = measured;
    assert.deepEqual(measured.map((m) => m.success), [1n, 1n, 1n, 0n]);
    // 200 bytes of input: an IPLD_RAW block the caller puts, its params the callee reads.
    assert.equal(input.gas - none.gas, BigInt(callParamsPutGas(200) + paramsReadGas(200)));
    // 32 bytes returned rather than none: a CBOR byte string of 33 bytes rather than 1, put and read;
    // the callee's memory grown by a word and copied out.
    const data = frameEndGas(32, false) - frameEndGas(0, false) + returnReadGas(33) - returnReadGas(1);
    assert.equal(returned.gas - none.gas, BigInt(data + memoryGrowthGas(32) + copyGas(32)));
    // Reverted rather than returned: the exit syscall, and no reload of the caller's state root after.
    assert.equal(reverted.gas - returned.gas, BigInt(HOST_CALL - evmReloadGas(undefined)));
  });
});

describe('aborts and precompiles cost the FVM gas they used', () => {
  test('INVALID, a bad jump or a stack underflow: the exit code and the gas used, not the whole gas limit', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    const runtimes: [string, number][] = [['00', ExitCode.Ok], ['fe', ExitCode.EvmInvalidInstruction], ['600056', ExitCode.EvmBadJumpdest], ['01', ExitCode.EvmStackUnderflow]];
    for (const [runtime] of runtimes) assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const stop = await sendRaw(getCreateAddress({ from: wallet.address, nonce: 0 }), '0x');
    for (const [i, [runtime, exitCode]] of runtimes.entries()) {
      const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce: i }), '0x');
      assert.equal(receipt.exitCode, exitCode, runtime);
      // The helper's gas limit is 2e9; an abort's work is about a STOP's (which returns a block more).
      assert.ok(Math.abs(receipt.gasUsed - stop.gasUsed) < 10_000, `${runtime}: ${receipt.gasUsed} vs ${stop.gasUsed}`);
    }
    // A contract calling one that aborts keeps the rest of the 50 M it gave it: the CALL costs what
    // a CALL to the STOP costs.
    const measure = async (nonce: number, target: number) => {
      assert.equal((await sendRaw(null, deployCode(measureCall('', 'f1', getCreateAddress({ from: wallet.address, nonce: target }), 0, 0)))).exitCode, 0);
      return callMeasure((await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x')).returnData);
    };
    const toStop = await measure(9, 0);
    const toInvalid = await measure(11, 1);
    assert.deepEqual([toStop.success, toInvalid.success], [1n, 0n]);
    assert.ok(toInvalid.gas < toStop.gas + 10_000n, `the CALL took ${toInvalid.gas}, to a STOP ${toStop.gas}`);
  });

  test('an Ethereum precompile ignores the CALL\'s gas argument: sha256 with 50 gas succeeds', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // STATICCALL(50, 0x02, 0, 32, 0, 32): Ethereum's price is 72.
    const runtime = '602060006020600060026032fa' + '602052' + '60406000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    const result = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(contract) }, devnet.head.epoch);
    assert.equal(bytesToHex(result.returnData.subarray(0, 32)), bytesToHex(sha256(new Uint8Array(32))));
    assert.equal(BigInt(bytesToHex(result.returnData.subarray(32, 64))), 1n);
  });

  test('a precompile that refuses its input returns 0 without taking the CALL\'s gas', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // bn254 add of (1, 1), not on the curve; blake2f with a 1-byte input (it needs 213).
    const notOnCurve = '6001600052600160205260016040526001606052';
    for (const [prefix, target, size] of [[notOnCurve, 6, 0x80], ['', 9, 1]] as const) {
      assert.equal((await sendRaw(null, deployCode(measureCall(prefix, 'fa', target, size, 0x40)))).exitCode, 0);
    }
    for (const [nonce, name] of [[0, 'bn254 add'], [1, 'blake2f']] as const) {
      const to = getCreateAddress({ from: wallet.address, nonce });
      const measured = callMeasure((await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(to) }, devnet.head.epoch)).returnData);
      assert.equal(measured.success, 0n, name);
      assert.ok(measured.gas < 1_000_000n, `${name}: the CALL took ${measured.gas}`);
    }
  });

  test('a Filecoin precompile runs on the caller\'s gas too: the gas argument caps nothing, and running out fails the caller', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    const lookup = precompileAddress(0xfe, 2).slice(2);
    // GAS, STATICCALL(gas, lookup_delegated_address, 0, 32, 0, 32): the precompile's call ends `ends`;
    // `measures` returns [the first GAS, GAS after the call].
    const staticCall = (gas: string) => `5a6020600060206000${'73' + lookup}${gas}fa`;
    const measures = (gas: string) => staticCall(gas) + '505a602052600052' + '60406000f3';
    // The caller: CALL(calldata[0], calldata[32], 0, 0, 0, 0, 64); returns [its answer, success].
    const caller = '60406000600060006000602035600035f1604052' + '60606000f3';
    for (const runtime of [caller, measures('6032'), measures('6302faf080'), staticCall('6032')]) {
      assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    }
    const [callerAddress, gas50, gas50M, ends] = [0, 1, 2, 3].map((nonce) => getCreateAddress({ from: wallet.address, nonce }));
    const run = async (gas: bigint, target: string) => {
      const input = hexToBytes('0x' + gas.toString(16).padStart(64, '0') + target.slice(2).padStart(64, '0'));
      const { returnData } = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(callerAddress), input }, devnet.head.epoch);
      const word = (i: number) => BigInt(bytesToHex(returnData.subarray(32 * i, 32 * i + 32)));
      return { first: word(0), after: word(1), success: word(2) };
    };
    const small = await run(50_000_000n, gas50);
    const large = await run(50_000_000n, gas50M);
    assert.deepEqual([small.success, large.success], [1n, 1n]);
    // The lookup costs well over 50 whatever the gas argument says.
    const taken = small.first - small.after;
    assert.equal(taken, large.first - large.after);
    assert.ok(taken > 20_000n, `the STATICCALL took ${taken}`);
    // Give `ends` 10 000 less than its STATICCALL needs: the precompile exhausts the caller's gas and
    // the caller fails (it has no instruction left to run, so only the precompile can fail it).
    const frameCost = 50_000_000n - small.first;
    // `ends` stops after its STATICCALL: what `taken` counted after it, the POP and the GAS, it does
    // not run; its end puts its empty return in a block.
    const call = taken - BigInt(opcodeGas('POP') + opcodeGas('GAS')) + BigInt(frameEndGas(0, false));
    assert.equal((await run(frameCost + call - 10_000n, ends)).success, 0n);
    assert.equal((await run(frameCost + call + 10_000n, ends)).success, 1n);
  });
});

/** Runtime code that CALLs sha256 (0x02) with `value` and 50 M gas and leaves the gas the CALL took on the stack. */
const sha256CallGas = (value: number) => `5a602061010060206000${'60' + byte(value)}60026302faf080f1505a9003`;

describe('CALL with value to a precompile (builtin-actors precompiles/mod.rs:110-135)', () => {
  test('the value goes to its f410 by a send after it succeeded: the CALL pays the send', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // [value 1, value 1 again, no value]: the second differs from the third only in the send.
    const runtime = sha256CallGas(1) + sha256CallGas(1) + sha256CallGas(0) + '604052602052600052' + '60606000f3';
    assert.equal((await sendRaw(null, deployCode(runtime), 10n)).exitCode, 0);
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    // The first run creates the Placeholder; the second finds it.
    assert.equal((await sendRaw(contract, '0x')).exitCode, 0);
    const receipt = await sendRaw(contract, '0x');
    assert.equal(receipt.exitCode, 0);
    const word = (i: number) => BigInt(bytesToHex(receipt.returnData.subarray(32 * i, 32 * i + 32)));
    // METHOD_SEND: the send syscall and the transfer, no method invoked (System::transfer).
    assert.equal(word(1) - word(2), BigInt(HOST_CALL + SEND_TRANSFER_FUNDS));
    const state = devnet.stateAt(devnet.head.epoch);
    const placeholder = state.getActor(state.lookupId(FilAddress.fromEthAddress(hexToBytes(precompileAddress(0x00, 2))))!)!;
    assert.deepEqual([placeholder.kind, placeholder.balance], ['placeholder', 4n]);
  });

  test('a refused input or a balance too small: the CALL returns 0 with no data and nothing moves', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const rich = await deploy('FevmProbe', [], 10n);
    const poor = await deploy('FevmProbe', [], 1n);
    // bn254 add of (1, 1), not on the curve; sha256 of nothing with more value than the caller has.
    const notOnCurve = '0x' + [1, 1, 1, 1].map((n) => n.toString(16).padStart(64, '0')).join('');
    for (const [probe, target, data] of [[rich, 6, notOnCurve], [poor, 2, '0x']] as const) {
      const receipt = await send(probe, 'callTo', [precompileAddress(0x00, target), 5n, data]);
      assert.equal(receipt.exitCode, 0);
      assert.deepEqual([...probe.iface.decodeFunctionResult('callTo', hexlify(receipt.returnData))], [false, '0x']);
    }
    const state = devnet.stateAt(devnet.head.epoch);
    assert.deepEqual([state.getActor(rich.id)!.balance, state.getActor(poor.id)!.balance], [10n, 1n]);
    for (const target of [2, 6]) assert.equal(state.lookupId(FilAddress.fromEthAddress(hexToBytes(precompileAddress(0x00, target)))), undefined);
  });
});

describe('memory', () => {
  test('an offset or size past 2^32 is an illegal memory access (exit 38), charged the gas used', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // MLOAD(2^32); RETURN(0, 2^32).
    const runtimes = ['6401000000005150', '64010000000060' + '00f3'];
    for (const runtime of runtimes) assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    for (const [i, runtime] of runtimes.entries()) {
      const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce: i }), '0x');
      assert.equal(receipt.exitCode, ExitCode.EvmIllegalMemoryAccess, runtime);
      assert.ok(receipt.gasUsed < 100_000_000, `${runtime}: ${receipt.gasUsed}`);
    }
  });
});

// fidaudit2 G2: ref-fvm fvm@v4.8.2 kernel emit_event refuses more than 8 KiB of event values
// (LimitExceeded, after charging the event); builtin-actors v18 runtime/src/runtime/fvm.rs emit_event
// turns that into USR_ASSERTION_FAILED (24), so the contract aborts. A LOG's values are its topics
// (32 bytes each) and its data (instructions/log_event.rs).
describe('LOG (the FVM\'s event limits)', () => {
  test('up to 8 192 bytes of topics and data a LOG succeeds; one byte more aborts the contract with exit 24', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // LOG0(0, size) and LOG4(0, size, 0, 0, 0, 0), then STOP.
    const log0 = (size: number) => `61${size.toString(16).padStart(4, '0')}6000a000`;
    const log4 = (size: number) => `6000600060006000` + `61${size.toString(16).padStart(4, '0')}6000a400`;
    const runtimes = [log0(8192), log0(8193), log4(8064), log4(8065)];
    for (const runtime of runtimes) assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const exits = [];
    for (const i of runtimes.keys()) exits.push((await sendRaw(getCreateAddress({ from: wallet.address, nonce: i }), '0x')).exitCode);
    assert.deepEqual(exits, [0, ExitCode.ErrAssertionFailed, 0, ExitCode.ErrAssertionFailed]);
    // The abort as the FVM's backtrace words it.
    const request = { from: hexToBytes(wallet.address), to: hexToBytes(getCreateAddress({ from: wallet.address, nonce: 1 })) };
    await assert.rejects(devnet.call(request, devnet.head.epoch), /failed to emit event: limit exceeded \(24\)/);
  });
});

// fidaudit2 G8: ref-fvm fvm@v4.8.2 refuses an IPLD block over max_block_size = 1 MiB (kernel
// block_create: LimitExceeded). The EVM actor's return (or revert) is one block of CBOR bytes (a
// 5-byte header from 64 KiB up), which builtin-actors' trampoline fails to write: exit 24; a CALL's
// input is the send's IPLD_RAW params block: the send fails and the CALL returns 0 (call.rs).
describe('the FVM\'s 1 MiB block limit', () => {
  test('a contract returning or reverting with more than 1 048 571 bytes aborts with exit 24; a CALL with more than 1 MiB of input returns 0', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    const hex3 = (n: number) => n.toString(16).padStart(6, '0');
    // RETURN(0, n) and REVERT(0, n); CALL(gas, contract 0, 0, 0, n, 0, 0) returning its result.
    const returns = (n: number) => `62${hex3(n)}6000f3`;
    const reverts = (n: number) => `62${hex3(n)}6000fd`;
    const calls = (n: number) => `60006000` + `62${hex3(n)}` + `60006000` + `73${getCreateAddress({ from: wallet.address, nonce: 0 }).slice(2).toLowerCase()}` + `5af1600052` + `60206000f3`;
    // DELEGATECALL(gas, contract 0, 0, n, 0, 0): its params block is DAG-CBOR [code CID, input, caller, value],
    // 71 bytes around the input with no value (builtin-actors types.rs DelegateCallParams).
    const delegates = (n: number) => `60006000` + `62${hex3(n)}` + `6000` + `73${getCreateAddress({ from: wallet.address, nonce: 0 }).slice(2).toLowerCase()}` + `5af4600052` + `60206000f3`;
    const runtimes = [returns(1_048_571), returns(1_048_572), reverts(1_048_572), calls(1_048_576), calls(1_048_577), delegates(1_048_505), delegates(1_048_506)];
    for (const runtime of runtimes) assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const call = (i: number) => devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(getCreateAddress({ from: wallet.address, nonce: i })) }, devnet.head.epoch);
    assert.equal((await call(0)).returnData.length, 1_048_571);
    await assert.rejects(call(1), /exit=\[ErrAssertionFailed\(24\)\]/);
    await assert.rejects(call(2), /exit=\[ErrAssertionFailed\(24\)\]/);
    const results = [];
    for (const i of [3, 4, 5, 6]) results.push(BigInt(bytesToHex((await call(i)).returnData)));
    assert.deepEqual(results, [1n, 0n, 1n, 0n]);
  });
});

describe('the FVM\'s 1 MiB block limit on call_actor\'s params (G8)', () => {
  test('call_actor_id with a CBOR params block over 1 MiB answers LimitExceeded (-3) before the send looks the actor up; 1 MiB is sent', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // call_actor_id's input, abi.encode(method 0, value 0, flags 0, codec 0x51, params, actor ID), with
    // params of calldata word 0 zero bytes and the actor ID of word 1; DELEGATECALL 0xfe00…05 writes
    // its output's first word (the exit code) at 0; returns [exit code, success].
    const runtime =
      '6051606052' + '60c0608052' + '60203560a052' + '60003560c052' +
      '6020' + '6000' + '60003560e001' + '6000' + '73fe00000000000000000000000000000000000005' + '5af4' +
      '602052' + '60406000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const probe = hexToBytes(getCreateAddress({ from: wallet.address, nonce: 0 }));
    const callActorId = async (size: number, id: number) => {
      const input = hexToBytes('0x' + size.toString(16).padStart(64, '0') + id.toString(16).padStart(64, '0'));
      const out = (await devnet.call({ from: hexToBytes(wallet.address), to: probe, input }, devnet.head.epoch)).returnData;
      return [BigInt.asIntN(256, BigInt(bytesToHex(out.subarray(0, 32)))), BigInt(bytesToHex(out.subarray(32, 64)))];
    };
    // Account 100 (dev account 0) takes a METHOD_SEND with params: exit 0 up to the limit.
    assert.deepEqual(await callActorId(1 << 20, 100), [0n, 1n]);
    assert.deepEqual(await callActorId((1 << 20) + 1, 100), [-3n, 1n]);
    // The block is made before the send: an actor that is not there is NotFound (-6) only under the limit.
    assert.deepEqual(await callActorId(1 << 20, 424_242), [-6n, 1n]);
    assert.deepEqual(await callActorId((1 << 20) + 1, 424_242), [-3n, 1n]);
  });
});

describe('CREATE2 onto a live contract', () => {
  test('pushes 0 and costs the EAM\'s refused Resurrect (eam/src/lib.rs:132-145), not a creation nor the 63/64 Ethereum burns', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // GAS, CREATE2(0, calldata, salt 0), GAS: [before, address, after].
    const runtime = '366000600037' + '5a' + '6000366000600' + '0f5' + '5a' + '604052602052600052' + '60606000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const factory = getCreateAddress({ from: wallet.address, nonce: 0 });
    const create2 = async () => {
      const receipt = await sendRaw(factory, '0x60016000f3');
      assert.equal(receipt.exitCode, 0);
      const word = (i: number) => BigInt(bytesToHex(receipt.returnData.subarray(32 * i, 32 * i + 32)));
      return { address: word(1), gas: word(0) - word(2) };
    };
    assert.notEqual((await create2()).address, 0n);
    // Again, in a message of its own: the EAM looks the contract up (its first access in the message).
    const again = await create2();
    assert.equal(again.address, 0n);
    // CREATE2 asks for the gas left (create_common's gas_available) before setting 63/64 aside.
    const opcodes = 3 * opcodeGas('PUSH1') + opcodeGas('CALLDATASIZE') + opcodeGas('CREATE2') + HOST_CALL + opcodeGas('GAS');
    // The factory's nonce moved: it flushes its state first (its first update in the message). The
    // 5 bytes of initcode go to the EAM, which hashes them and the address, then on with Resurrect.
    const initcode = eamEntryGas(true, true, 5, 0n) + resurrectParamsGas(5);
    assert.equal(again.gas, BigInt(opcodes + evmStateFlushGas(ACTOR_UPDATE) + refusedCreationGas(true, ACTOR_LOOKUP, true) + initcode));
    // No Exec4 (2.6 M) and no new actor (its creation, lookup and update).
    assert.ok(again.gas < BigInt(evmStateFlushGas(ACTOR_UPDATE) + contractCreationGas(true) - 3_000_000), `the second CREATE2 took ${again.gas}`);
  });
});

describe('the call-depth limit', () => {
  test('a contract calling itself with all its gas runs out of gas long before depth 1024', async (t) => {
    // So a CREATE at the limit, which bumps the nonce on FEVM (builtin-actors instructions/lifecycle.rs:115-118)
    // and not on Ethereum, never runs within a block's gas.
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // CALL(GAS, ADDRESS, 0, 0, 0, 0, 32), then return 1 + the callee's answer (0 when it failed).
    const runtime = '60206000600060006000305af150600051600101600052' + '60206000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const to = getCreateAddress({ from: wallet.address, nonce: 0 });
    const result = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(to) }, devnet.head.epoch);
    const depth = BigInt(bytesToHex(result.returnData));
    assert.ok(depth > 10n && depth < 1024n, `depth ${depth}`);
  });
});

/**
 * Runtime code that CALLs the address at memory 0 with 50 M gas and `value`, keeping [the gas the
 * CALL took, its success] at [out, out + 32] (memory up to 0x100 must already be grown).
 */
const measureCallAt0 = (value: number, out: number) =>
  `5a${'6000'.repeat(4)}60${byte(value)}6000516302faf080f160${byte(out + 32)}525a900360${byte(out)}52`;
/** Grows memory to 0x100, so that measureCallAt0's stores grow none. */
const growMemory = '600060e052';
/** Reads the words of a return. */
const words = (data: Uint8Array) => Array.from({ length: data.length / 32 }, (_, i) => BigInt(bytesToHex(data.subarray(32 * i, 32 * i + 32))));

describe('actors created earlier in the message (ref-fvm create_actor records them as updated)', () => {
  test('a CALL to a contract the message CREATEd pays no actor lookup', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    const child = deployCode(returnGasLeft);
    // CREATE the calldata, then CALL the new contract: [address, CALL gas, success].
    const factory = '366000600037' + '3660006000f0' + '600052' + growMemory + measureCallAt0(0, 0x20) + '60606000f3';
    // CALL the contract named by the calldata, the same way.
    const caller = '600035600052' + growMemory + measureCallAt0(0, 0x20) + '60606000f3';
    assert.equal((await sendRaw(null, deployCode(factory))).exitCode, 0);
    assert.equal((await sendRaw(null, deployCode(caller))).exitCode, 0);
    assert.equal((await sendRaw(null, child)).exitCode, 0);
    const created = await sendRaw(getCreateAddress({ from: wallet.address, nonce: 0 }), child);
    assert.equal(created.exitCode, 0);
    const [address, createdGas, createdOk] = words(created.returnData);
    assert.notEqual(address, 0n);
    assert.equal(createdOk, 1n);
    const existing = getCreateAddress({ from: wallet.address, nonce: 2 });
    const called = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(getCreateAddress({ from: wallet.address, nonce: 1 })), input: getBytes(ethers32(existing)) }, devnet.head.epoch);
    const [, existingGas, existingOk] = words(called.returnData);
    assert.equal(existingOk, 1n);
    // The same code (9 bytes) run the same way: only the lookup differs.
    assert.equal(existingGas - createdGas, BigInt(ACTOR_LOOKUP));
  });

  test('a CREATE2 onto the contract the message CREATE2d just before costs the refused Resurrect without a lookup', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    const create2 = '5a' + '6000366000600' + '0f5' + '5a';
    const runtime = '366000600037' + create2 + create2 + '60a052608052606052604052602052600052' + '60c06000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce: 0 }), '0x60016000f3');
    assert.equal(receipt.exitCode, 0);
    const [before1, first, after1, before2, second, after2] = words(receipt.returnData);
    assert.notEqual(first, 0n);
    assert.equal(second, 0n);
    assert.ok(before1 - after1 > BigInt(contractCreationGas(true)));
    const opcodes = 3 * opcodeGas('PUSH1') + opcodeGas('CALLDATASIZE') + opcodeGas('CREATE2') + HOST_CALL + opcodeGas('GAS');
    const initcode = eamEntryGas(true, true, 5, 0n) + resurrectParamsGas(5);
    assert.equal(before2 - after2, BigInt(opcodes + evmStateFlushGas(0) + refusedCreationGas(true, 0, true) + initcode));
  });

  test('a CALL to the Placeholder an earlier CALL of the message created pays no actor lookup', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // CALL the address in the calldata twice: [_, gas, success, gas, success].
    const runtime = '600035600052' + growMemory + measureCallAt0(0, 0x20) + measureCallAt0(0, 0x60) + '60a06000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const to = getCreateAddress({ from: wallet.address, nonce: 0 });
    const fresh = '0x' + '5e'.repeat(20);
    const receipt = await sendRaw(to, ethers32(fresh));
    assert.equal(receipt.exitCode, 0);
    const [, , ok1, second, ok2] = words(receipt.returnData);
    assert.deepEqual([ok1, ok2], [1n, 1n]);
    // The Placeholder now exists: a message's first CALL to it looks it up.
    const again = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(to), input: getBytes(ethers32(fresh)) }, devnet.head.epoch);
    const [, firstToExisting] = words(again.returnData);
    assert.equal(firstToExisting - second, BigInt(ACTOR_LOOKUP));
  });

  test('a CALL that failed is forgotten: the next CALL to the same contract looks it up again (with_transaction)', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    assert.equal((await sendRaw(null, deployCode('60006000fd'))).exitCode, 0);
    const runtime = '600035600052' + growMemory + measureCallAt0(0, 0x20) + measureCallAt0(0, 0x60) + '60a06000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce: 1 }), ethers32(getCreateAddress({ from: wallet.address, nonce: 0 })));
    assert.equal(receipt.exitCode, 0);
    const [, first, ok1, second, ok2] = words(receipt.returnData);
    assert.deepEqual([ok1, ok2], [0n, 0n]);
    assert.equal(second, first);
  });
});

/** An address as a 32-byte word (calldata). */
function ethers32(address: string): string {
  return '0x' + address.slice(2).toLowerCase().padStart(64, '0');
}

/**
 * Runtime code: CREATE2 with the endowment in calldata word 0, the salt in word 1 and the initcode
 * after them; returns [gas before, the new address (0 if it failed), gas after].
 */
const create2FromCalldata = '6040360360406000' + '37' + '5a' + '602035' + '60403603' + '6000' + '600035' + 'f5' + '5a' + '604052602052600052' + '60606000f3';

describe('what the EAM creates over (builtin-actors eam/src/lib.rs:132-175)', () => {
  const setup = async (t: Parameters<typeof fevmSetup>[0]) => {
    const env = await fevmSetup(t);
    assert.equal((await env.sendRaw(null, deployCode(create2FromCalldata), FIL)).exitCode, 0);
    const factory = getCreateAddress({ from: env.wallet.address, nonce: 0 });
    // A contract that self-destructs when called, its balance to the caller.
    const initcode = deployCode('33ff');
    const create2 = async (endowment: number, salt: number) => {
      const receipt = await env.sendRaw(factory, '0x' + word(endowment) + word(salt) + initcode.slice(2));
      assert.equal(receipt.exitCode, 0);
      const [before, address, after] = words(receipt.returnData);
      return { gas: before - after, address };
    };
    const addressOf = (salt: number) => getCreate2Address(factory, '0x' + word(salt), keccak256(initcode));
    return { ...env, create2, addressOf };
  };
  const word = (n: number) => n.toString(16).padStart(64, '0');

  test('a CREATE with value moves it three times: to the EAM, to Init, to the new contract', async (t) => {
    const { create2 } = await setup(t);
    const without = await create2(0, 1);
    const withValue = await create2(1, 2);
    assert.notEqual(withValue.address, 0n);
    assert.equal(withValue.gas - without.gas, BigInt(3 * SEND_TRANSFER_FUNDS));
  });

  test('over a Placeholder: Init replaces its code, no new actor stored (ref-fvm create_actor)', async (t) => {
    const { create2, addressOf, sendRaw, devnet } = await setup(t);
    const fresh = await create2(0, 1);
    assert.equal((await sendRaw(addressOf(2), '0x', 5n)).exitCode, 0);
    const state = devnet.stateAt(devnet.head.epoch);
    const placeholderId = state.lookupId(FilAddress.fromEthAddress(hexToBytes(addressOf(2))))!;
    assert.equal(state.getActor(placeholderId)!.kind, 'placeholder');
    const over = await create2(0, 2);
    assert.equal(over.address, BigInt(addressOf(2)));
    // The EAM's read and Init's write of the Placeholder cost what a new actor's lookup and update do;
    // no storage, but four syscalls more (the EAM asks for its code and type, Init for its code and
    // the Placeholder's: eam create_actor, init exec4).
    assert.equal(fresh.gas - over.gas, BigInt(onCreateActor(false) - 4 * HOST_CALL));
    const actor = devnet.stateAt(devnet.head.epoch).getActor(placeholderId)!;
    assert.deepEqual([actor.kind, actor.balance], ['evm', 5n]);
  });

  test('over a dead contract: the EAM sends Resurrect to it, no Exec4, no new actor', async (t) => {
    const { create2, addressOf, sendRaw, devnet } = await setup(t);
    const first = await create2(0, 1);
    assert.equal(first.address, BigInt(addressOf(1)));
    const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(addressOf(1))))!;
    assert.equal((await sendRaw(addressOf(1), '0x')).exitCode, 0);
    assert.equal(devnet.stateAt(devnet.head.epoch).getActor(id)!.evm!.dead, true);
    const again = await create2(0, 1);
    assert.equal(again.address, first.address);
    assert.equal(devnet.stateAt(devnet.head.epoch).getActor(id)!.evm!.dead, undefined);
    // The same constructor and code: only what precedes the constructor differs, and the returns
    // (Exec4Return and a robust address, or none).
    const initcode = getBytes(deployCode('33ff')).length;
    const exec4 = contractCreationGas(true) + exec4ParamsGas(initcode) + creationReturnGas(true, id, true);
    const resurrect = resurrectionGas(true, ACTOR_LOOKUP, ACTOR_UPDATE) + resurrectParamsGas(initcode) + creationReturnGas(true, id, false);
    assert.equal(first.gas - again.gas, BigInt(exec4 - resurrect));
    assert.equal((await sendRaw(addressOf(1), '0x')).exitCode, 0);
  });

  // review R58: builtin-actors' EAM sends Resurrect to the dead contract itself (eam/src/lib.rs:131-143),
  // so a failed constructor there is passed back once, by the EAM, where a new contract's goes back
  // through Init and the EAM.
  test('over a dead contract, a constructor that reverts is passed back by the EAM alone', async (t) => {
    const { sendRaw, wallet } = await setup(t);
    const factory = getCreateAddress({ from: wallet.address, nonce: 0 });
    // Reverts when given value (CALLVALUE ISZERO JUMPI … REVERT(0, 0)); else deploys CALLER SELFDESTRUCT.
    const initcode = '0x3415600957600080fd5b6002601660003960026000f333ff';
    const create2 = async (endowment: number, salt: number) => {
      const receipt = await sendRaw(factory, '0x' + word(endowment) + word(salt) + initcode.slice(2));
      assert.equal(receipt.exitCode, 0);
      const [before, address, after] = words(receipt.returnData);
      return { gas: before - after, address };
    };
    const first = await create2(0, 1);
    assert.notEqual(first.address, 0n);
    assert.equal((await sendRaw(toBeHex(first.address, 20), '0x')).exitCode, 0);
    const resurrected = await create2(1, 1);
    const fresh = await create2(1, 2);
    assert.deepEqual([resurrected.address, fresh.address], [0n, 0n]);
    // What precedes the constructor (and the value's one move less), and one pass-back of its end less.
    const size = getBytes(initcode).length;
    const exec4 = contractCreationGas(true) + exec4ParamsGas(size) + 2 * SEND_TRANSFER_FUNDS + creationFailureGas(0);
    const resurrect = resurrectionGas(true, ACTOR_LOOKUP, ACTOR_UPDATE) + resurrectParamsGas(size) + SEND_TRANSFER_FUNDS + eamOwnFailureGas(0);
    assert.equal(fresh.gas - resurrected.gas, BigInt(exec4 - resurrect));
  });
});

describe('what EXT* opcodes and DELEGATECALL ask of the target (builtin-actors instructions/ext.rs, call.rs:262-300)', () => {
  /** Runtime code: `opcode` on the calldata's address twice; returns [gas, result, gas, gas, result, gas]. */
  const twice = (opcode: string) => {
    const once = '5a' + '600035' + opcode + '5a';
    return once + once + '60a052608052606052604052602052600052' + '60c06000f3';
  };
  const measure = async (env: Awaited<ReturnType<typeof fevmSetup>>, nonce: number, target: string) => {
    const { devnet, wallet } = env;
    const to = getCreateAddress({ from: wallet.address, nonce });
    const result = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(to), input: getBytes(ethers32(target)) }, devnet.head.epoch);
    const [g0, r1, g1, g2, r2, g3] = words(result.returnData);
    return { first: g0 - g1, second: g2 - g3, results: [r1, r2] };
  };
  const ops = (opcode: string) => opcodeGas('GAS') + opcodeGas('PUSH1') + opcodeGas('CALLDATALOAD') + opcodeGas(opcode);

  // get_contract_type's syscalls: resolve_address for an f410, get_actor_code_cid and get_builtin_actor_type.
  const f410Type = 3 * HOST_CALL;
  const idType = 2 * HOST_CALL;

  test('EXTCODESIZE and EXTCODEHASH: the actor read once; a contract asked for its code (GetBytecode) or hash each time', async (t) => {
    const env = await fevmSetup(t);
    const { sendRaw, wallet } = env;
    const code = '60006000f3';
    assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    assert.equal((await sendRaw(null, deployCode(twice('3b')))).exitCode, 0);
    assert.equal((await sendRaw(null, deployCode(twice('3f')))).exitCode, 0);
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    // The send, the contract's state read, its answer put in a block and read by the caller (a CBOR
    // CID of 43 bytes, a hash of 34), and the caller's state root read again after it (System::reload).
    const ask = SEND_SYSCALL + evmStateReadGas() + evmReloadGas(undefined);
    const [cid, hashed] = [returnedGas(43), returnedGas(34)];

    const size = await measure(env, 1, contract);
    assert.deepEqual(size.results, [5n, 5n]);
    assert.equal(size.first, BigInt(ops('EXTCODESIZE') + f410Type + ACTOR_LOOKUP + ask + cid + bytecodeReadGas(5)));
    assert.equal(size.second, BigInt(ops('EXTCODESIZE') + f410Type + ask + cid + bytecodeReadGas(5)));
    const hash = await measure(env, 2, contract);
    assert.equal(hash.results[0], BigInt(hexlify(keccak_256(getBytes('0x' + code)))));
    assert.equal(hash.first, BigInt(ops('EXTCODEHASH') + f410Type + ACTOR_LOOKUP + ask + hashed));
    assert.equal(hash.second, BigInt(ops('EXTCODEHASH') + f410Type + ask + hashed));
    // By its masked ID: no resolve_address.
    const byId = await measure(env, 2, maskedId(resolveEthAddress(env.devnet.stateAt(env.devnet.head.epoch), hexToBytes(contract))!.id));
    assert.deepEqual([byId.first, byId.second], [BigInt(ops('EXTCODEHASH') + idType + ACTOR_LOOKUP + ask + hashed), BigInt(ops('EXTCODEHASH') + idType + ask + hashed)]);
  });

  test('EXTCODESIZE and EXTCODEHASH of anything else: get_contract_type\'s syscalls and lookup only', async (t) => {
    const env = await fevmSetup(t);
    const { sendRaw, wallet } = env;
    assert.equal((await sendRaw(null, deployCode('00'))).exitCode, 0);
    assert.equal((await sendRaw(null, deployCode(twice('3b')))).exitCode, 0);
    assert.equal((await sendRaw(null, deployCode(twice('3f')))).exitCode, 0);
    const account = '0x' + '5e'.repeat(20);
    assert.equal((await sendRaw(account, '0x', 1n)).exitCode, 0);
    // A Placeholder is an account: read, not asked.
    const ofAccount = await measure(env, 1, account);
    assert.deepEqual([ofAccount.first, ofAccount.second], [BigInt(ops('EXTCODESIZE') + f410Type + ACTOR_LOOKUP), BigInt(ops('EXTCODESIZE') + f410Type)]);
    // The sender's EthAccount (already written), a builtin actor and an Account by ID (preloaded): the type syscalls only.
    for (const [target, type] of [[wallet.address, f410Type], [MARKET, idType], [maskedId(99), idType]] as const) {
      const known = await measure(env, 2, target);
      assert.deepEqual([known.first, known.second], [BigInt(ops('EXTCODEHASH') + type), BigInt(ops('EXTCODEHASH') + type)], target);
    }
    // A missing f410: resolve_address finds nothing. A missing ID: get_actor_code_cid looks it up, once.
    const noF410 = await measure(env, 2, '0x' + '5f'.repeat(20));
    assert.deepEqual([noF410.first, noF410.second], [BigInt(ops('EXTCODEHASH') + HOST_CALL), BigInt(ops('EXTCODEHASH') + HOST_CALL)]);
    const noId = await measure(env, 2, maskedId(777_777));
    assert.deepEqual([noId.first, noId.second], [BigInt(ops('EXTCODEHASH') + HOST_CALL + ACTOR_LOOKUP), BigInt(ops('EXTCODEHASH') + HOST_CALL)]);
    // A precompile: get_contract_type asks nothing; 0x0a is none, so it is a missing f410.
    const precompile = await measure(env, 2, precompileAddress(0x00, 2));
    assert.deepEqual([precompile.first, precompile.second], [BigInt(ops('EXTCODEHASH')), BigInt(ops('EXTCODEHASH'))]);
    const noKzg = await measure(env, 2, precompileAddress(0x00, 0x0a));
    assert.deepEqual([noKzg.first, noKzg.second], [BigInt(ops('EXTCODEHASH') + HOST_CALL), BigInt(ops('EXTCODEHASH') + HOST_CALL)]);
  });

  test('BALANCE: resolve_address (an f410 only), then balance_of, which looks the actor up (builtin-actors state.rs)', async (t) => {
    const env = await fevmSetup(t);
    const { sendRaw, wallet } = env;
    assert.equal((await sendRaw(null, deployCode(twice('31')))).exitCode, 0);
    const account = '0x' + '5e'.repeat(20);
    assert.equal((await sendRaw(account, '0x', 1n)).exitCode, 0);
    const expect = async (target: string, first: number, second: number) => {
      const measured = await measure(env, 0, target);
      assert.deepEqual([measured.first, measured.second], [BigInt(ops('BALANCE') + first), BigInt(ops('BALANCE') + second)], target);
    };
    await expect(account, 2 * HOST_CALL + ACTOR_LOOKUP, 2 * HOST_CALL);
    await expect(wallet.address, 2 * HOST_CALL, 2 * HOST_CALL);
    await expect(MARKET, HOST_CALL, HOST_CALL);
    await expect(maskedId(777_777), HOST_CALL + ACTOR_LOOKUP, HOST_CALL);
    await expect('0x' + '5f'.repeat(20), HOST_CALL, HOST_CALL);
  });

  /** A contract (nonce 0) and one that DELEGATECALLs the calldata's address twice; `run` measures both. */
  const delegateSetup = async (t: Parameters<typeof fevmSetup>[0]) => {
    const env = await fevmSetup(t);
    const { sendRaw } = env;
    assert.equal((await sendRaw(null, deployCode('60006000f3'))).exitCode, 0);
    const delegate = (out: number) => `5a${'6000'.repeat(4)}6000516302faf080f460${byte(out + 32)}525a900360${byte(out)}52`;
    const runtime = '600035600052' + growMemory + delegate(0x20) + delegate(0x60) + '60a06000f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const run = async (target: string, ok = 1n) => {
      const { devnet, wallet } = env;
      const to = getCreateAddress({ from: wallet.address, nonce: 1 });
      const result = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(to), input: getBytes(ethers32(target)) }, devnet.head.epoch);
      const [, first, ok1, second, ok2] = words(result.returnData);
      assert.deepEqual([ok1, ok2], [ok, ok]);
      return { first, second };
    };
    // The opcodes around it: PUSHes, MLOAD, DELEGATECALL, MSTORE and GAS.
    const opcodes = 6 * opcodeGas('PUSH1') + opcodeGas('MLOAD') + opcodeGas('PUSH4') + opcodeGas('DELEGATECALL') + opcodeGas('MSTORE') + opcodeGas('GAS');
    return { ...env, run, opcodes };
  };

  test('DELEGATECALL reads its target; an account is not sent to', async (t) => {
    const env = await delegateSetup(t);
    const { sendRaw, run, opcodes } = env;
    const account = '0x' + '5e'.repeat(20);
    assert.equal((await sendRaw(account, '0x', 1n)).exitCode, 0);
    const contract = await run(getCreateAddress({ from: env.wallet.address, nonce: 0 }));
    assert.equal(contract.first - contract.second, BigInt(ACTOR_LOOKUP));
    const ofAccount = await run(account);
    assert.equal(ofAccount.first - ofAccount.second, BigInt(ACTOR_LOOKUP));
    // The opcodes and get_contract_type: no send, no invocation.
    assert.equal(ofAccount.second, BigInt(opcodes + f410Type));
  });

  test('DELEGATECALL to no contract (missing, an account or a builtin actor by ID): get_contract_type only, a missing ID looked up once', async (t) => {
    const { opcodes, run } = await delegateSetup(t);
    const noF410 = await run('0x' + '5f'.repeat(20));
    assert.deepEqual([noF410.first, noF410.second], [BigInt(opcodes + HOST_CALL), BigInt(opcodes + HOST_CALL)]);
    const noId = await run(maskedId(777_777));
    assert.deepEqual([noId.first, noId.second], [BigInt(opcodes + HOST_CALL + ACTOR_LOOKUP), BigInt(opcodes + HOST_CALL)]);
    const accountById = await run(maskedId(99));
    assert.deepEqual([accountById.first, accountById.second], [BigInt(opcodes + idType), BigInt(opcodes + idType)]);
    // A builtin actor (preloaded) by its ID: its type learnt, the DELEGATECALL fails.
    const builtin = await run(MARKET, 0n);
    assert.deepEqual([builtin.first, builtin.second], [BigInt(opcodes + idType), BigInt(opcodes + idType)]);
  });
});

describe('lookup_delegated_address (0xfe00…02) reads the actor (ref-fvm kernel lookup_delegated_address)', () => {
  test('the first time in a message, found or not; not the sender', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // STATICCALL it with the calldata's ID, twice; returns [gas, success] of each.
    const once = (out: number) => '5a' + '6000600060206000' + '73fe' + '00'.repeat(18) + '02' + '5afa' + `60${byte(out + 32)}52` + `5a900360${byte(out)}52`;
    const runtime = '600035600052' + growMemory + once(0x20) + once(0x60) + '60806020f3';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const to = getCreateAddress({ from: wallet.address, nonce: 0 });
    const run = async (id: number) => {
      const result = await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(to), input: getBytes(ethers32(`0x${id.toString(16)}`)) }, devnet.head.epoch);
      const [first, ok1, second, ok2] = words(result.returnData);
      assert.deepEqual([ok1, ok2], [1n, 1n]);
      return first - second;
    };
    // f0102 is a dev EthAccount, f0110 an f1 account (no f4), 777 777 nothing: none preloaded.
    for (const id of [102, 110, 777_777]) assert.equal(await run(id), BigInt(ACTOR_LOOKUP), String(id));
    const sender = resolveEthAddress(devnet.stateAt(devnet.head.epoch), hexToBytes(wallet.address))!.id;
    assert.equal(await run(sender), 0n);
  });
});

describe('SELFDESTRUCT\'s send (builtin-actors instructions/lifecycle.rs selfdestruct)', () => {
  test('a Placeholder made for a new beneficiary, the balance moved, the tombstone flushed', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    const known = '0x' + '6b'.repeat(20);
    const fresh = '0x' + '6c'.repeat(20);
    const destroyTo = (beneficiary: string) => deployCode('73' + beneficiary.slice(2) + 'ff');
    assert.equal((await sendRaw(known, '0x', 1n)).exitCode, 0);
    // Three contracts with the same code size: to the known Placeholder with 1 attoFIL and with
    // none, and to a new address with 1 attoFIL.
    assert.equal((await sendRaw(null, destroyTo(known), 1n)).exitCode, 0);
    assert.equal((await sendRaw(null, destroyTo(known))).exitCode, 0);
    assert.equal((await sendRaw(null, destroyTo(fresh), 1n)).exitCode, 0);
    const destroy = async (nonce: number) => {
      const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x');
      assert.equal(receipt.exitCode, 0);
      return receipt.gasUsed;
    };
    const [withBalance, without, toFresh] = [await destroy(1), await destroy(2), await destroy(3)];
    // The balance: the value transfer and the beneficiary's update (the contract's own comes with its tombstone).
    assert.equal(withBalance - without, SEND_TRANSFER_FUNDS + ACTOR_UPDATE);
    // A new beneficiary: created, its address assigned (its lookup and update are its creation's).
    assert.equal(toFresh - withBalance, onCreateActor(true));
  });
});

describe('the caller\'s flush before a send (builtin-actors System::send_raw)', () => {
  // review R3: builtin-actors v18 system.rs reload loads the state again whenever the root moved,
  // whoever moved it: a CALL that comes back into the caller and writes its storage too.
  test('a CALL back into the caller that writes its storage makes the caller load its state again after it', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // With one byte of calldata: SSTORE(0, 1). Else: read the target (calldata word 0), then measure
    // a CALL to it with that one byte, and return the gas it took.
    const inner = '6001600055' + '00';
    const outer = '6000353150' + '6001600053' + '5a' + '6000600060016000' + '6000' + '600035' + '5a' + 'f1' + '50' + '5a' + '9003' + '600052' + '60206000f3';
    const runtime = '3660011460' + byte(7 + outer.length / 2) + '57' + outer + '5b' + inner;
    for (let i = 0; i < 3; i++) assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const [a, b, c] = [0, 1, 2].map((nonce) => getCreateAddress({ from: wallet.address, nonce }));
    const measured = async (caller: string, target: string) => {
      const receipt = await sendRaw(caller, ethers32(target));
      assert.equal(receipt.exitCode, 0);
      return words(receipt.returnData)[0];
    };
    // The same write (slot 0 of a fresh contract, its first update), to the caller itself or to another contract.
    const [reentered, other] = [await measured(a, a), await measured(b, c)];
    assert.equal(reentered - other, BigInt(evmReloadGas(kamtWith(0n)) - evmReloadGas(undefined)));
  });

  // review2 (session 37) asked whether a call back into a contract while its constructor runs should
  // fail, as builtin-actors v18 System::load fails on a state root still EMPTY_ARR_CID
  // (actors/evm/src/interpreter/system.rs load: USR_SERIALIZATION, which invoke_contract wraps as
  // USR_UNSPECIFIED; GetBytecode's rt.state() as USR_ILLEGAL_ARGUMENT). It cannot arrive then: a
  // constructor reaches another actor only by a send, and send_raw flushes the constructor's state first
  // (a State with the empty bytecode, what it stored so far), so the call back finds a contract with no
  // code (invoke_contract_inner: empty bytecode, returns at once) and EXTCODESIZE/EXTCODEHASH read that.
  test("a call back into a contract while its constructor runs finds it flushed, with no code: success, no return data, code size 0, keccak('')", async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // The callee: CALLs its caller, answers [success, RETURNDATASIZE, EXTCODESIZE(caller), EXTCODEHASH(caller)].
    const callee = '6000600060006000600033' + '5af1' + '600052' + '3d602052' + '333b604052' + '333f606052' + '60806000f3';
    assert.equal((await sendRaw(null, deployCode(callee))).exitCode, 0);
    const calleeAddress = getCreateAddress({ from: wallet.address, nonce: 0 });
    // The constructor: CALLs the callee (its answer at memory 0), keeps the four words in slots 0-3 and
    // its own CALL's success in slot 4, and leaves no code.
    const constructor =
      '6080600060006000600073' + calleeAddress.slice(2) + '5af1' + '600455' + [0, 1, 2, 3].map((slot) => `60${byte(slot * 32)}51600${slot}55`).join('') + '00';
    const receipt = await sendRaw(null, `0x${constructor}`);
    assert.equal(receipt.exitCode, 0);
    const contract = devnet.actorAt(hexToBytes(getCreateAddress({ from: wallet.address, nonce: 1 })), devnet.head.epoch)!;
    const slots = [0n, 1n, 2n, 3n, 4n].map((slot) => devnet.stateAt(devnet.head.epoch).getStorage(contract.id, contract.evm!.storageGeneration, slot));
    assert.deepEqual(slots, [1n, 0n, 0n, BigInt(KECCAK_EMPTY), 1n]);
  });

  test('is outside the send: a failed CALL does not make the caller pay its actor update again', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // SSTORE, CALL the first address in the calldata, SSTORE again, then measure a CALL to the second.
    const callAt = (at: number) => '6000'.repeat(5) + `60${byte(at)}35` + '5a' + 'f1' + '50';
    const runtime = '6001600055' + callAt(0) + '6002600055' + '5a' + callAt(0x20) + '5a' + '9003' + '600052' + '60206000f3';
    for (const code of ['60006000fd', '00', '00', runtime]) assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const [reverter, stopper, third, caller] = [0, 1, 2, 3].map((nonce) => getCreateAddress({ from: wallet.address, nonce }));
    const gasAfter = async (first: string) => words((await sendRaw(caller, ethers32(first) + ethers32(third).slice(2))).returnData)[0];
    assert.equal(await gasAfter(reverter), await gasAfter(stopper));
  });

  test("call_actor's send too: a contract with changed storage pays its flush (precompiles/fvm.rs call_actor_shared)", async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // call_actor_id's input (METHOD_SEND of nothing to f0101, params at 0xc0, empty), then
    // DELEGATECALL it, keeping [the gas it took, its success].
    const input = '60c0608052' + '606560a052' + '600060c052';
    const measure = '5a' + '6000600060e06000' + '73fe' + '00'.repeat(18) + '05' + '5a' + 'f4' + '905a9003' + '600052' + '602052' + '60406000f3';
    for (const code of [input + measure, '6001600055' + input + measure]) assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const run = async (nonce: number) => words((await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x')).returnData);
    const [[clean, cleanOk], [dirty, dirtyOk]] = [await run(0), await run(1)];
    assert.deepEqual([cleanOk, dirtyOk], [1n, 1n]);
    // One slot written from zero, the contract's first update in the message: its only slot, kept
    // in the KAMT's root (kamt-shape.ts).
    assert.equal(dirty - clean, BigInt(evmFlushGas(kamtWith(0n), [0n], ACTOR_UPDATE)));
  });

  // fidaudit5 G7, call_actor: precompiles/fvm.rs call_actor_shared takes call_gas_limit, then
  // send_raw flushes the caller on its gas, and ref-fvm's push_limit gives the send no more than the
  // caller has left after that flush.
  test("call_actor's send gets no more than its caller has left after the flush", async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // The callee returns the gas it has left (GAS).
    assert.equal((await sendRaw(null, deployCode('5a60005260206000f3'))).exitCode, 0);
    const callee = resolveEthAddress(devnet.stateAt(devnet.head.epoch), hexToBytes(getCreateAddress({ from: wallet.address, nonce: 0 })))!;
    // The caller: SSTORE(i << 248, ~i) for i = 20 down to 1 (its flush: several M); call_actor_id's
    // input: InvokeEVM (0xe525aa15) to the callee's ID, DAG-CBOR params (0x51), an empty byte string
    // (0x40); GAS kept at 0x300; DELEGATECALL 0xfe00…05 with all its gas, output at 0x200; returns
    // the callee's word (the CBOR byte string's 32 bytes at 0x282) and that GAS after it.
    const id = callee.id.toString(16).padStart(4, '0');
    const caller =
      '6014' + '5b' + '8019' + '8160f81b' + '55' + '6001900380600257' + '50' +
      '63e525aa15600052' + '6051606052' + '60c0608052' + `61${id}60a052` + '600160c052' + '604060e053' +
      '5a61030052' + '610100' + '610200' + '60e1' + '6000' + '73fe' + '00'.repeat(18) + '05' + '5a' + 'f4' + '50' + '610300516102a252' + '6040610282f3';
    assert.equal((await sendRaw(null, deployCode(caller))).exitCode, 0);
    const to = hexToBytes(getCreateAddress({ from: wallet.address, nonce: 1 }));
    // 100 M: 1/64 of what the caller has at the call (~1.5 M) is less than its flush.
    const { result } = await devnet.stateCall(unsignedMessage(hexToBytes(wallet.address), to, 0, 0n, new Uint8Array(), 100_000_000, 0n, 0n), devnet.head.epoch);
    assert.equal(result.exitCode, 0);
    const out = result.returnData.subarray(result.returnData.length - 64);
    const [calleeLeft, before] = words(out) as [bigint, bigint];
    const slots = Array.from({ length: 20 }, (_, i) => BigInt(i + 1) << 248n);
    const shape = slots.reduce((kamt, slot) => withSlot(kamt, slot, 0n, (1n << 256n) - 1n - (slot >> 248n)), EMPTY_KAMT);
    assert.ok(before - calleeLeft > BigInt(evmFlushGas(shape, slots, 0)), `the caller had ${before}, the callee ${calleeLeft}`);
  });

  test('from a constructor, the first flushes its new state whole: the KAMT root and the empty code too (System::new)', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    const measureCreate = '5a' + '600060006000f0' + '50' + '5a' + '9003';
    // The constructor measures its CREATE and deploys code returning that figure (PUSH8 figure, MSTORE, RETURN).
    const ctor = '0x' + measureCreate + '6760005260206000f3' + '6009' + '52' + '6001' + '52' + '607f600053' + '60296000f3';
    assert.equal((await sendRaw(null, ctor)).exitCode, 0);
    const inConstructor = words((await sendRaw(getCreateAddress({ from: wallet.address, nonce: 0 }), '0x')).returnData)[0];
    assert.equal((await sendRaw(null, deployCode(measureCreate + '600052' + '60206000f3'))).exitCode, 0);
    const inRuntime = words((await sendRaw(getCreateAddress({ from: wallet.address, nonce: 2 }), '0x')).returnData)[0];
    assert.equal(inConstructor - inRuntime, BigInt(evmFlushGas(EMPTY_KAMT, [], 0) + bytecodeStoreGas(0) - evmStateFlushGas(ACTOR_UPDATE)));
  });
});

/** Deploys each runtime from the wallet; runs each once with no calldata, in order; their receipts' gas. */
async function gasOf(t: Parameters<typeof fevmSetup>[0], runtimes: string[]): Promise<bigint[]> {
  const { sendRaw, wallet } = await fevmSetup(t);
  for (const code of runtimes) assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
  const gas: bigint[] = [];
  for (let nonce = 0; nonce < runtimes.length; nonce++) {
    const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x');
    assert.equal(receipt.exitCode, 0);
    gas.push(BigInt(receipt.gasUsed));
  }
  return gas;
}

// fidaudit5 G10: BLOCKHASH asks for a tipset CID and PREVRANDAO the beacon's randomness (once an
// invocation), each paying ref-fvm's lookback cost.
describe('the chain context: BLOCKHASH and PREVRANDAO pay the FVM\'s lookback, the network context one syscall (builtin-actors instructions/context.rs)', () => {
  test('BLOCKHASH of a height in its window pays the lookback to it; of the current height, none', async (t) => {
    // BLOCKHASH(NUMBER - k), POP, STOP: k = 1, 5 (in the window), 0 (the current height: outside).
    const [one, five, none] = await gasOf(t, [1, 5, 0].map((k) => `4360${byte(k)}900340` + '5000'));
    assert.equal(one - none, BigInt(onLookback(1)));
    assert.equal(five - none, BigInt(onLookback(5)));
  });

  // fidaudit5 G9: COINBASE and GASLIMIT are constants; the network context is one syscall an invocation.
  test('TIMESTAMP, NUMBER, CHAINID, BASEFEE and GASPRICE make one syscall an invocation; COINBASE and GASLIMIT none', async (t) => {
    const [twice, once, address, coinbase, gaslimit, mixed] = await gasOf(t, ['43504350' + '00', '4350' + '00' + '0000', '3050' + '00' + '0000', '4150' + '00' + '0000', '4550' + '00' + '0000', '42503a50' + '00']);
    assert.equal(twice - once, BigInt(opcodeGas('NUMBER') + opcodeGas('POP')));
    assert.equal(once - address, BigInt(HOST_CALL));
    assert.deepEqual([coinbase, gaslimit], [address, address]);
    assert.equal(mixed, twice, 'TIMESTAMP then GASPRICE: one syscall');
  });

  // fidaudit5 G8: builtin-actors v18 instructions/context.rs answers GAS with rt.gas_available(), the
  // gas::available syscall (ref-fvm sdk/src/gas.rs), each time.
  test('GAS is the gas::available syscall each time: 14 000 and the interpreter\'s work, against PC beside it', async (t) => {
    const [gas, twice, pc] = await gasOf(t, ['5a50' + '00' + '0000', '5a505a50' + '00', '5850' + '00' + '0000']);
    assert.equal(gas - pc, BigInt(opcodeGas('GAS') - opcodeGas('PC')));
    assert.equal(opcodeGas('GAS') - opcodeGas('PC'), HOST_CALL + opcodeGas('MLOAD') - opcodeGas('PC'));
    assert.equal(twice - gas, BigInt(opcodeGas('GAS') + opcodeGas('POP')));
  });

  test('PREVRANDAO draws the randomness once an invocation: the lookback and the draw\'s hash, then nothing more', async (t) => {
    // The same code size (it is loaded): unreached STOPs pad the shorter ones.
    const [twice, once, address] = await gasOf(t, ['44504450' + '00', '4450' + '00' + '0000', '3050' + '00' + '0000']);
    assert.equal(twice - once, BigInt(opcodeGas('PREVRANDAO') + opcodeGas('POP')));
    assert.equal(once - address, BigInt(opcodeGas('PREVRANDAO') - opcodeGas('ADDRESS') + onLookback(0) + HOST_CALL + onHashing('blake2b256', 58)));
  });
});

// fidaudit5 G5: builtin-actors v18 system.rs set_transient_storage makes the state dirty when a TSTORE
// changes a value, as set_storage does; flush then writes the transient KAMT (when it holds values) and
// a state block naming it (TransientData), and System::load of the same message opens that KAMT again.
describe('TSTORE makes the state dirty (builtin-actors System::set_transient_storage)', () => {
  test('a TSTORE that changes a value flushes the state with the transient KAMT; one that changes nothing, nothing', async (t) => {
    // tstore(0, 1) against tstore(0, 0) (no change): the same opcodes.
    const [changed, unchanged] = await gasOf(t, ['600160005d00', '600060005d00']);
    assert.equal(changed - unchanged, BigInt(evmStateFlushGas(ACTOR_UPDATE) + transientFlushGas(kamtWith(0n), true)));
  });

  // fidaudit5 G13: a later message's lifespan differs, so System::load opens nothing of what an earlier one left.
  test('transient storage a message leaves is not opened by the next message into the contract', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // With calldata: tstore(0, 1), left set. Without: nothing.
    const runtime = '3615600a57' + '600160005d' + '5b00';
    assert.equal((await sendRaw(null, deployCode(runtime))).exitCode, 0);
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    const first = await sendRaw(contract, '0x');
    assert.equal((await sendRaw(contract, '0x01')).exitCode, 0);
    const after = await sendRaw(contract, '0x');
    assert.deepEqual([first.exitCode, after.exitCode], [0, 0]);
    assert.equal(after.gasUsed, first.gasUsed);
  });

  test('a guard set and released before the end flushes the state alone (no TransientData), as a storage write would', async (t) => {
    const [guarded, unchanged] = await gasOf(t, ['600160005d' + '600060005d00', '600060005d' + '600060005d00']);
    assert.equal(guarded - unchanged, BigInt(evmStateFlushGas(ACTOR_UPDATE)));
    assert.equal(transientFlushGas(undefined, true), 0);
  });

  test('a call back into the contract in the same message loads its state with the transient KAMT', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // With calldata: STOP. Else tstore(0, x) (x = 1 or 0), then measure a CALL to itself with one byte of calldata, and return the gas it took.
    const measureSelfCall = (x: number) =>
      `60${byte(x)}60005d` + '6001600053' + '5a' + '6000600060016000' + '6000' + '30' + '5a' + 'f1' + '50' + '5a' + '9003' + '600052' + '60206000f3';
    const runtime = (x: number) => '3615600657' + '00' + '5b' + measureSelfCall(x);
    for (const x of [1, 0]) assert.equal((await sendRaw(null, deployCode(runtime(x)))).exitCode, 0);
    const measured = async (nonce: number) => {
      const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x');
      assert.equal(receipt.exitCode, 0);
      return words(receipt.returnData)[0];
    };
    const [withTransient, without] = [await measured(0), await measured(1)];
    // The caller's flush before the send (its first update in the message) and the callee's load of the transient root.
    const root = kamtWith(0n);
    assert.equal(withTransient - without, BigInt(evmStateFlushGas(ACTOR_UPDATE) + transientFlushGas(root, true) + transientLoadGas(root)));
  });
});

describe('a CALL to a builtin actor by its masked ID (ref-fvm call_actor_resolved, builtin-actors call.rs)', () => {
  /** Stores `id`'s masked address at memory 0 and measures a CALL to it with `value` into [out, out + 32]. */
  const callMasked = (id: number, value: number, out: number) => `73ff${'00'.repeat(11)}${id.toString(16).padStart(16, '0')}600052` + measureCallAt0(value, out);
  /** Returns memory [0x20, 0xe0): three [gas, success] pairs. */
  const returnPairs = '60c06020f3';

  test('one outside the preloaded set is looked up, in every CALL, since its refusal forgets it; value adds the transfer', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // Storage miner f0111 (genesis) is not preloaded; the market (f05) is.
    const lookups = growMemory + callMasked(5, 0, 0x20) + callMasked(111, 0, 0x60) + callMasked(111, 0, 0xa0) + returnPairs;
    const value = growMemory + callMasked(111, 0, 0x20) + callMasked(111, 7, 0x60) + returnPairs;
    for (const code of [lookups, value]) assert.equal((await sendRaw(null, deployCode(code), 100n)).exitCode, 0);
    const run = async (nonce: number) => {
      const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x');
      assert.equal(receipt.exitCode, 0);
      const pairs = words(receipt.returnData);
      assert.deepEqual([pairs[1], pairs[3], pairs[5]], [0n, 0n, 0n], 'every CALL returns 0');
      return [pairs[0], pairs[2], pairs[4]];
    };
    const [market, miner, again] = await run(0);
    // The miner's module is larger than the market's (18 pages and 478 elements, 17 and 392).
    assert.equal(miner - market, BigInt(ACTOR_LOOKUP + builtinInvocationGas('storageminer') - builtinInvocationGas('storagemarket')));
    assert.equal(again, miner);
    const [withoutValue, withValue] = await run(1);
    assert.equal(withoutValue, miner);
    // The contract's and the miner's updates, in the send that failed.
    assert.equal(withValue - withoutValue, BigInt(SEND_TRANSFER_FUNDS + 2 * ACTOR_UPDATE));
  });

  test('a missing ID: the send syscall looks it up, in every CALL, and fails; no transfer, no invocation', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    const code = growMemory + callMasked(5, 0, 0x20) + callMasked(777_777, 0, 0x60) + callMasked(777_777, 7, 0xa0) + returnPairs;
    assert.equal((await sendRaw(null, deployCode(code), 100n)).exitCode, 0);
    const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce: 0 }), '0x');
    const [market, , missing, missingOk, withValue, withValueOk] = words(receipt.returnData);
    assert.deepEqual([missingOk, withValueOk], [1n, 1n]);
    // Against the market's refusal: a lookup instead of the method's invocation, the market's module and its exit.
    assert.equal(missing - market, BigInt(ACTOR_LOOKUP - SEND_INVOKE_METHOD - builtinInvocationGas('storagemarket') - ABORT_EXIT));
    assert.equal(withValue, missing);
  });

  test('an account or an EthAccount is invoked: its Wasm instantiated and the trampoline\'s two syscalls (builtin-actors v18)', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // f0102 is a dev EthAccount, f0110 a storage provider's owner account (f1); neither is preloaded.
    const code = growMemory + callMasked(5, 0, 0x20) + callMasked(102, 0, 0x60) + callMasked(110, 0, 0xa0) + returnPairs;
    assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce: 0 }), '0x');
    const [market, , ethAccount, ethAccountOk, account, accountOk] = words(receipt.returnData);
    assert.deepEqual([ethAccountOk, accountOk], [1n, 1n]);
    // Against the market's refusal: the same send syscall, a lookup, and the actor's invocation instead of the
    // market's and its exit, then the caller's get_root once the send succeeded (System::reload).
    const invoked = (gas: bigint) => gas - market - BigInt(ACTOR_LOOKUP - builtinInvocationGas('storagemarket') - ABORT_EXIT + evmReloadGas(undefined));
    assert.deepEqual([invoked(ethAccount), invoked(account)], [BigInt(onWasmInvocation(17, 77, 0) + 2 * HOST_CALL), BigInt(onWasmInvocation(17, 320, 0) + 2 * HOST_CALL)]);
  });

  test('a dead contract is invoked as an EVM actor: it loads its state and finds the tombstone (builtin-actors System::load)', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    // A contract that self-destructs to its caller, destroyed by its first call.
    assert.equal((await sendRaw(null, deployCode('33ff'))).exitCode, 0);
    const dead = getCreateAddress({ from: wallet.address, nonce: 0 });
    assert.equal((await sendRaw(dead, '0x')).exitCode, 0);
    const deadId = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(dead)));
    assert.ok(deadId !== undefined);
    // f0102 is a dev EthAccount; neither actor was read earlier in the measuring message.
    const code = growMemory + callMasked(102, 0, 0x20) + callMasked(Number(deadId), 0, 0x60) + '60806020f3';
    assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const receipt = await sendRaw(getCreateAddress({ from: wallet.address, nonce: 2 }), '0x');
    const [ethAccount, ethAccountOk, deadGas, deadOk] = words(receipt.returnData);
    assert.deepEqual([ethAccountOk, deadOk], [1n, 1n]);
    // The same send and lookup; the EVM actor's state read instead of the EthAccount's Wasm and syscalls.
    assert.equal(deadGas - ethAccount, BigInt(evmStateReadGas() - (onWasmInvocation(17, 77, 0) + 2 * HOST_CALL)));
  });

  test('a transaction to a dead contract invokes it the same way', async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t);
    assert.equal((await sendRaw(null, deployCode('33ff'))).exitCode, 0);
    const dead = getCreateAddress({ from: wallet.address, nonce: 0 });
    assert.equal((await sendRaw(dead, '0x')).exitCode, 0);
    const ethAccount = bytesToHex(devnet.stateAt(devnet.head.epoch).getActor(102)!.delegated!.ethAddress!);
    const [toDead, toEthAccount] = [await sendRaw(dead, '0x'), await sendRaw(ethAccount, '0x')];
    assert.deepEqual([toDead.exitCode, toEthAccount.exitCode], [0, 0]);
    // The same message size, send and (prepaid) receiver; the EVM actor's state read instead of the
    // EthAccount's invocation, and its empty return stored (CBOR 0x40; the EthAccount returns none).
    assert.equal(toDead.gasUsed - toEthAccount.gasUsed, evmStateReadGas() - (onWasmInvocation(17, 77, 0) + 2 * HOST_CALL) + onChainReturn(1));
  });

  // fidaudit5 G7: builtin-actors v18 call.rs takes call_gas_limit (63/64 of what the caller has)
  // before System::send_raw flushes the caller, on the caller's gas; ref-fvm's push_limit then gives
  // the callee no more than the caller has left. A caller that wrote its storage and forwards all its
  // gas to a callee that burns it keeps 1/64 less its flush: with a small budget, nothing.
  test('the flush comes out of the caller after its callee\'s 63/64 is set aside, not out of the callee', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // The burner: an endless loop. The catcher: SSTORE(0, 1), CALL the calldata's address with all
    // its gas, POP, STOP. The wrapper: CALLs the catcher (calldata word 1) with the gas in calldata
    // word 2, passing it the burner (word 0); returns the CALL's success.
    const burner = '5b600056';
    const catcher = '6001600055' + '6000'.repeat(5) + '600035' + '5af1' + '50' + '00';
    const wrapper = '600035600052' + '6000600060206000' + '6000' + '602035' + '604035' + 'f1' + '600052' + '60206000f3';
    for (const code of [burner, catcher, wrapper]) assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const [b, c, w] = [0, 1, 2].map((nonce) => getCreateAddress({ from: wallet.address, nonce }));
    const survives = async (gas: number) => {
      const receipt = await sendRaw(w, ethers32(b) + ethers32(c).slice(2) + toBeHex(gas, 32).slice(2));
      assert.equal(receipt.exitCode, 0);
      return words(receipt.returnData)[0] === 1n;
    };
    // 1/64 of 20 M (~0.3 M) does not cover the flush (~2 M); 1/64 of 400 M (~6 M) does.
    assert.equal(await survives(20_000_000), false);
    assert.equal(await survives(400_000_000), true);
  });

  test('so does a CREATE\'s (its nonce moved): a factory whose child burns all its gas keeps 1/64 less the flush', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // The factory: CREATE with the initcode 5b600056 (an endless loop), POP, STOP. The wrapper: CALLs
    // the factory (calldata word 0) with the gas in calldata word 1; returns the CALL's success.
    const factory = '635b600056600052' + '6004601c6000f0' + '50' + '00';
    const wrapper = '6000'.repeat(5) + '600035' + '602035' + 'f1' + '600052' + '60206000f3';
    for (const code of [factory, wrapper]) assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const [f, w] = [0, 1].map((nonce) => getCreateAddress({ from: wallet.address, nonce }));
    const survives = async (gas: number) => {
      const receipt = await sendRaw(w, ethers32(f) + toBeHex(gas, 32).slice(2));
      assert.equal(receipt.exitCode, 0);
      return words(receipt.returnData)[0] === 1n;
    };
    assert.equal(await survives(20_000_000), false);
    assert.equal(await survives(400_000_000), true);
  });

  // fidaudit5 G7, the rest: a CALL to a builtin actor by its masked ID, or to a masked ID with no
  // actor, is a send like any (call.rs, System::send_raw): the caller's flush comes out of the caller
  // after the callee's 63/64 is set aside, then the send fails (USR_UNHANDLED_MESSAGE, NotFound).
  test('a CALL to a builtin or a missing masked ID flushes the caller out of its own gas, not out of the callee\'s 63/64', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // The catcher: for i = 20 down to 1, SSTORE(i << 248, ~i) (32-byte values in three buckets of
    // the root: a flush of several M); then CALL the calldata's address with all its gas, POP, STOP.
    // The wrapper: CALLs the catcher (calldata word 1) with the gas in word 2, passing it word 0.
    const catcher = '6014' + '5b' + '8019' + '8160f81b' + '55' + '6001900380600257' + '50' + '6000'.repeat(5) + '600035' + '5af1' + '50' + '00';
    const wrapper = '600035600052' + '6000600060206000' + '6000' + '602035' + '604035' + 'f1' + '600052' + '60206000f3';
    // A catcher for each target: a run that survives leaves its slots written, and the next flushes nothing.
    for (const code of [wrapper, catcher, catcher]) assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const [w, ...catchers] = [0, 1, 2].map((nonce) => getCreateAddress({ from: wallet.address, nonce }));
    const survives = async (target: string, c: string, gas: number) => {
      const receipt = await sendRaw(w, ethers32(target) + ethers32(c).slice(2) + toBeHex(gas, 32).slice(2));
      assert.equal(receipt.exitCode, 0);
      return words(receipt.returnData)[0] === 1n;
    };
    // With 5 M the catcher has ~3 M left at its CALL: neither 1/64 of that nor all of it covers its
    // flush, so it runs out of gas at the CALL; with 400 M it survives.
    for (const [target, c] of [[maskedId(2), catchers[0]!], [maskedId(999_999), catchers[1]!]] as const) {
      assert.equal(await survives(target, c, 5_000_000), false, `${target} with 5 M`);
      assert.equal(await survives(target, c, 400_000_000), true, `${target} with 400 M`);
    }
  });

  test('the caller flushes its changed storage before the send', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    const clean = growMemory + callMasked(5, 0, 0x20) + returnPairs;
    const dirty = growMemory + '6001600055' + callMasked(5, 0, 0x20) + returnPairs;
    for (const code of [clean, dirty]) assert.equal((await sendRaw(null, deployCode(code))).exitCode, 0);
    const gas = async (nonce: number) => words((await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x')).returnData)[0];
    const [withoutFlush, withFlush] = [await gas(0), await gas(1)];
    assert.ok(withFlush - withoutFlush > BigInt(ACTOR_UPDATE), `flush ${withFlush - withoutFlush}`);
  });
});

// fidaudit5 G11: builtin-actors v18 keeps a contract's storage in a KAMT (system.rs KAMT_CONFIG: bit
// width 5, one pair per bucket, keys the slot's big-endian bytes), whose nodes ref-fvm loads and writes
// as blocks at their real dag-cbor size (price list on_block_open/read, on_block_create/link).
describe('storage KAMT nodes at their real size (fidaudit5 G11)', () => {
  /** Loading a block (block_open, block_read) and writing one (block_create, block_link), with their syscalls. */
  const load = (size: number, links: number) => 2 * HOST_CALL + onBlockOpen(size, links) + onBlockRead(size);
  const put = (size: number, links: number) => 2 * HOST_CALL + onBlockPut(size, links);
  const BIG = (1n << 256n) - 12345n;
  const push32 = (value: bigint) => '7f' + value.toString(16).padStart(64, '0');

  /** Initcode that stores `slots` (PUSH32 value, PUSH32 slot, SSTORE each), then deploys `runtime`. */
  function withStorage(runtime: string, slots: [bigint, bigint][]): string {
    const stores = slots.map(([slot, value]) => push32(value) + push32(slot) + '55').join('');
    const offset = stores.length / 2 + 13;
    return '0x' + stores + '61' + (runtime.length / 2).toString(16).padStart(4, '0') + '80' + '61' + offset.toString(16).padStart(4, '0') + '6000' + '39' + '6000' + 'f3' + runtime;
  }

  test("Dense: rewriting a slot among 32 that hold 32-byte values loads and writes the root, the node of 16 links and the slot's own node", async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // The same runtime for both: slot 0 := a 32-byte value of the same length (no node changes size).
    const runtime = push32(BIG - 100n) + '6000' + '55' + '00';
    const dense = Array.from({ length: 32 }, (_, i): [bigint, bigint] => [BigInt(i), BIG - BigInt(i)]);
    for (const slots of [dense, dense.slice(0, 1)]) assert.equal((await sendRaw(null, withStorage(runtime, slots))).exitCode, 0);
    const [denseGas, sparseGas] = [await sendRaw(getCreateAddress({ from: wallet.address, nonce: 0 }), '0x'), await sendRaw(getCreateAddress({ from: wallet.address, nonce: 1 }), '0x')].map((r) => BigInt(r.gasUsed));
    // The blocks, in dag-cbor (ref-fvm ipld/kamt node.rs [bitfield, pointers], pointer.rs {"v": [[k, v]]} / {"l": [cid, ext bits, ext path]}):
    // - a pair of slot 0 and a 32-byte value: map head 1, "v" 2, lists 1 + 1, key 0x40 (1, no bytes), value 0x5820 + 32 = 40 bytes; slot 1's 41.
    // - a link: map head 1, "l" 2, list 1, CID (tag 2, bytes head 2, 0x00 and 38 bytes of CIDv1 dag-cbor blake2b-256) 43, ext length, ext path.
    // Slots 0-31 share the root's bucket 0 and then 49 five-bit groups (245 bits): the root links them with
    // that extension (length 0x18f5: 2, path 0x581f + 31 bytes: 33) = 82, and the root is list 1 + bitfield
    // 0x4101 (2) + list 1 + 82 = 86 bytes, 1 link. At bit 250 the node splits slots by bits 250-254 into
    // 16 buckets of two slots (2k, 2k+1), each a link with no extension (49 bytes): list 1 + bitfield
    // 0x42ffff (3) + list 1 + 16 × 49 = 789 bytes, 16 links. Slots 0 and 1 sit in a node at bit 255:
    // list 1 + bitfield 0x4103 (2) + list 1 + 40 + 41 = 85 bytes. The one-slot contract's root holds its
    // pair: 1 + 2 + 1 + 40 = 44 bytes.
    const denseOverSparse = load(86, 1) - load(44, 0) + load(789, 16) + load(85, 0) + put(86, 1) - put(44, 0) + put(789, 16) + put(85, 0);
    assert.equal(denseGas - sparseGas, BigInt(denseOverSparse));
  });

  test('GasLimitSend expensive(): 100 array pushes write every node of the KAMT they make, as its blocks are, and open none', async (t) => {
    const { sendRaw, wallet } = await fevmSetup(t);
    // Lotus itests/contracts/GasLimitSend.sol GasLimitTestReceiver.expensive(): data.push(i) for i < 100,
    // the array at slot 0, its elements from keccak256(0). Here the same writes without Solidity around
    // them: element i := i for i < 100 (the first writes nothing), then the length, slot 0 := 100. The
    // other contract runs the same code with its elements from 2^128 instead, in slot 0's bucket.
    const loop = (base: bigint) => '6000' + '5b' + '80' + '81' + push32(base) + '01' + '55' + '600101' + '80' + '6064' + '11' + '600257' + '50' + '6064600055' + '00';
    const arrayBase = BigInt(keccak256(new Uint8Array(32)));
    const bases = [arrayBase, 1n << 128n];
    for (const base of bases) assert.equal((await sendRaw(null, withStorage(loop(base), []))).exitCode, 0);
    const gas: bigint[] = [];
    for (const nonce of [0, 1]) gas.push(BigInt((await sendRaw(getCreateAddress({ from: wallet.address, nonce }), '0x')).gasUsed));
    // Every block of the final KAMT is new (storage-kamt.ts builds it as ref-fvm leaves it), and the
    // flush writes them all; the nodes the writes made are in memory: nothing is loaded.
    const written = (base: bigint) => {
      const slots: [bigint, bigint][] = [[0n, 100n], ...Array.from({ length: 99 }, (_, i): [bigint, bigint] => [base + BigInt(i + 1), BigInt(i + 1)])];
      return buildStorageKamt(slots).blocks.reduce((sum, block) => sum + put(block.length, kamtLinks(block).length), 0);
    };
    assert.equal(gas[0]! - gas[1]!, BigInt(written(bases[0]!) - written(bases[1]!)));
  });
});
