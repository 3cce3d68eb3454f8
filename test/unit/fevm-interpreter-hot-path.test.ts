// The interpreter's hot path (fevm/actors/evm/memory-ops.ts, word-ops.ts, halt-ops.ts, code-analysis.ts,
// interpreter-loop.ts, state-adapter.ts): memory accounts kept exactly as @ethereumjs's gas functions
// keep them, the words MSTORE, MLOAD, KECCAK256, PUSH and CALLDATALOAD make, STOP and RETURN without
// a throw, code analyses reused per code, the loop that awaits only what must be, and unchanged
// accounts not written back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Common, Mainnet } from '@ethereumjs/common';
import { getCreateAddress } from 'ethers';
import { EVMError, getOpcodesForHF, paramsEVM } from '@ethereumjs/evm';
import { Account, Address } from '@ethereumjs/util';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { patchInterpreter, reuseCodeAnalysis } from '../../src/fevm/actors/evm/code-analysis.js';
import { INLINED, makeStepTable, patchRunLoop, StepKind, stepTableOf, useRunLoop } from '../../src/fevm/actors/evm/interpreter-loop.js';
import { createFevmEvm } from '../../src/fevm/actors/evm/fevm-evm.js';
import { keccak256Op, logOp, mload, MEMORY_GROWTH, mstore } from '../../src/fevm/actors/evm/memory-ops.js';
import { u32Number, wordNumber } from '../../src/fevm/actors/evm/word-number.js';
import { returnOp, stop } from '../../src/fevm/actors/evm/halt-ops.js';
import { calldataload, push } from '../../src/fevm/actors/evm/word-ops.js';
import { createPlaceholder, resolveEthAddress } from '../../src/fevm/actors/lifecycle.js';
import { EvmStateAdapter } from '../../src/fevm/actors/evm/state-adapter.js';
import { StateTree } from '../../src/fevm/state-tree.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { unsignedMessage } from '../../src/fevm/eth-tx.js';
import { fevmSetup, type Deployed } from '../helpers/fevm.js';
import { RunBudget } from '../../src/fevm/run-budget.js';

const MAX_WORD = (1n << 256n) - 1n;
/** ADDRESS, ORIGIN, CALLER, CALLVALUE, CALLDATASIZE, RETURNDATASIZE, COINBASE, GASLIMIT (fevm-evm.ts SYNCHRONOUS_HANDLERS). */
const ENVIRONMENT_OPCODES = [0x30, 0x32, 0x33, 0x34, 0x36, 0x3d, 0x41, 0x45];
const OPCODES: Record<string, number> = { KECCAK256: 0x20, CALLDATACOPY: 0x37, CODECOPY: 0x39, MLOAD: 0x51, MSTORE: 0x52, MSTORE8: 0x53, MCOPY: 0x5e, RETURN: 0xf3, REVERT: 0xfd };

/**
 * The parts of a run state the memory accounts touch, over a stack whose top is `values[0]`, with
 * @ethereumjs's Stack's fields (its words bottom first, and their count), which the memory growth reads.
 */
function runStateOver(values: bigint[]) {
  const stack = {
    peek: (n = 1) => values.slice(0, n),
    popN: (n: number) => values.splice(0, n),
    get _store() {
      return [...values].reverse();
    },
    get _len() {
      return values.length;
    },
    // A handler that pops without popN (MSTORE) lowers the count: the words above it go.
    set _len(length: number) {
      values.splice(0, values.length - length);
    },
  };
  return { stack, memoryWordCount: 0n, highestMemCost: 0n } as any;
}

describe('memory growth without @ethereumjs gas functions', () => {
  const common = new Common({ chain: Mainnet, hardfork: 'cancun' });
  common.updateParams(paramsEVM);
  const prices = { perWord: common.param('memoryGas'), quadraticDivisor: common.param('quadCoefficientDivGas') };
  const ethGas = getOpcodesForHF(common).dynamicGasHandlers;
  // Offsets and lengths in steps that grow, keep and skip memory, zero lengths among them.
  const accesses: bigint[][] = [[0n, 32n, 5n], [100n, 0n, 64n], [1000n, 7n, 33n], [64n, 64n, 64n], [31n, 1n, 2000n], [5000n, 0n, 0n], [4096n, 10n, 1n]];

  for (const [name, opcode] of Object.entries(OPCODES)) {
    test(`${name}: the word count and highest cost match @ethereumjs's after each access`, async () => {
      const ours = runStateOver([]);
      const theirs = runStateOver([]);
      for (const access of accesses) {
        ours.stack = runStateOver([...access]).stack;
        theirs.stack = runStateOver([...access]).stack;
        MEMORY_GROWTH[name]!(ours, prices);
        await (ethGas.get(opcode) as any)(theirs, 0n, common);
        assert.equal(ours.memoryWordCount, theirs.memoryWordCount, `${name} ${access}`);
        assert.equal(ours.highestMemCost, theirs.highestMemCost, `${name} ${access}`);
      }
      assert.ok(ours.memoryWordCount > 0n);
    });

    test(`${name}: a stack short of the words its gas function reads underflows, memory unchanged`, () => {
      const words = name === 'CALLDATACOPY' || name === 'CODECOPY' || name === 'MCOPY' ? 3 : name === 'KECCAK256' || name === 'RETURN' || name === 'REVERT' ? 2 : 1;
      const runState = runStateOver(Array.from({ length: words - 1 }, () => 64n));
      assert.throws(() => MEMORY_GROWTH[name]!(runState, prices), { error: 'stack underflow' });
      assert.equal(runState.memoryWordCount, 0n);
    });
  }

  test('an access ending past 2^32 − 1 is out of range, one of no bytes never; each says whether memory grew', () => {
    // RETURN's words: the offset on top, then the length.
    const grow = (offset: bigint, length: bigint, words = 0n) => {
      const runState = runStateOver([offset, length]);
      runState.memoryWordCount = words;
      return { grew: MEMORY_GROWTH.RETURN!(runState, prices), words: runState.memoryWordCount };
    };
    assert.deepEqual(grow(0xffffffe0n, 0x1fn), { grew: true, words: 1n << 27n });
    assert.deepEqual(grow(0n, 0xffffffffn), { grew: true, words: 1n << 27n });
    for (const [offset, length] of [[0xffffffe0n, 0x20n], [1n, 0xffffffffn], [1n << 32n, 1n], [(1n << 64n) + 1n, 1n], [0n, 1n << 32n]]) {
      assert.throws(() => grow(offset!, length!), { error: 'value out of range' }, `${offset} ${length}`);
    }
    assert.deepEqual(grow(1n << 64n, 0n, 3n), { grew: false, words: 3n });
    assert.deepEqual(grow(64n, 32n, 3n), { grew: false, words: 3n });
    assert.deepEqual(grow(65n, 32n, 3n), { grew: true, words: 4n });
    // MCOPY grows for its source or its destination (length, source, destination from the top down).
    const mcopy = (destination: bigint, source: bigint, words: bigint) => {
      const runState = runStateOver([destination, source, 32n]);
      runState.memoryWordCount = words;
      return MEMORY_GROWTH.MCOPY!(runState, prices);
    };
    assert.equal(mcopy(0n, 64n, 2n), true);
    assert.equal(mcopy(64n, 0n, 2n), true);
    assert.equal(mcopy(0n, 32n, 2n), false);
  });
});

describe('words as Numbers (word-number.ts wordNumber, u32Number)', () => {
  test('every word converts as Number(word) does, below 2^32 through the lane and above it', () => {
    const words = [0n, 1n, 0xffn, 0x100n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, 1n << 32n, (1n << 32n) + 5n, (1n << 64n) + 7n, MAX_WORD];
    for (let i = 1; i <= 32; i++) words.push(BigInt((i * 0x9e3779b1) % 2 ** 32));
    for (const word of words) assert.equal(wordNumber(word), Number(word), `0x${word.toString(16)}`);
    for (const word of words.filter((w) => w <= 0xffffffffn)) assert.equal(u32Number(word), Number(word), `lane 0x${word.toString(16)}`);
  });
});

describe('MSTORE', () => {
  for (const value of [0n, 1n, (1n << 64n) - 1n, 1n << 64n, 0xabn << 200n, 1n << 255n, MAX_WORD, 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20n]) {
    test(`writes 0x${value.toString(16)} as 32 big-endian bytes`, () => {
      let written: { offset: number; size: number; bytes: string } | undefined;
      const runState = runStateOver([7n, value]);
      runState.memory = { write: (offset: number, size: number, bytes: Uint8Array) => (written = { offset, size, bytes: bytesToHex(bytes) }) };
      mstore(runState);
      assert.deepEqual(written, { offset: 7, size: 32, bytes: '0x' + value.toString(16).padStart(64, '0') });
      assert.equal(runState.stack._len, 0);
    });
  }

  test('pops its two words, the ones under them kept; a stack of one word underflows as popN does, unchanged', () => {
    const runState = runStateOver([7n, 9n, 5n]);
    runState.memory = { write: () => {} };
    mstore(runState);
    assert.deepEqual(runState.stack._store, [5n]);
    const short = runStateOver([7n]);
    short.memory = { write: () => assert.fail('written') };
    assert.throws(() => mstore(short), { error: 'stack underflow' });
    assert.deepEqual(short.stack._store, [7n]);
  });

  test('in a contract: the word lands at the offset, memory grows to whole words', async (t) => {
    const { devnet, sendRaw, wallet } = await fevmSetup(t);
    // mstore(calldata[0], calldata[32]); return(0, msize())
    const runtime = '602035600035525960' + '00f3';
    const initcode = `0x600b80600b6000396000f3${runtime}`;
    assert.equal((await sendRaw(null, initcode)).exitCode, 0);
    const to = hexToBytes(getCreateAddress({ from: wallet.address, nonce: 0 }));
    for (const value of [0n, MAX_WORD, 0xdeadbeefn << 100n]) {
      const input = hexToBytes('0x' + (5).toString(16).padStart(64, '0') + value.toString(16).padStart(64, '0'));
      const result = await devnet.call({ to, input }, devnet.head.epoch);
      const expected = '0x' + '00'.repeat(5) + value.toString(16).padStart(64, '0') + '00'.repeat(64 - 37);
      assert.equal(bytesToHex(result.returnData), expected);
    }
  });
});

describe('MLOAD and KECCAK256', () => {
  /** A run state over `memory`, with `values` on the stack (top first); what the opcode pushed is `pushed`. */
  function over(memory: Uint8Array, values: bigint[]) {
    const runState = runStateOver(values);
    const pushed: bigint[] = [];
    runState.stack.pop = () => values.shift();
    runState.stack.push = (v: bigint) => pushed.push(v);
    runState.memory = { _store: memory, extend: () => {} };
    return { runState, pushed };
  }

  test('MLOAD reads the 32 bytes at the offset big-endian', () => {
    const memory = new Uint8Array(96).map((_, i) => i);
    const { runState, pushed } = over(memory, [33n]);
    mload(runState);
    assert.deepEqual(pushed, [BigInt(bytesToHex(memory.slice(33, 65)))]);
  });

  test('MLOAD reads every pattern of zero and non-zero 64-bit limbs back as the word MSTORE wrote', () => {
    // Each of the 16 patterns, with a limb's high and low halves each zero in turn (its other half
    // not); up, then down: a small word after a full one (the scratch word's old limbs not read).
    const limbs = [0n, 1n, 0xffffffffn, 0xffffffffn << 32n, 0x8000000000000001n, (1n << 64n) - 1n];
    const up = Array.from({ length: 16 }, (_, i) => i);
    for (const pattern of [...up, ...up.reverse()]) {
      for (const limb of limbs) {
        let value = 0n;
        for (let i = 0; i < 4; i++) if (pattern & (1 << i)) value |= limb << BigInt(64 * i);
        const memory = new Uint8Array(40);
        const stored = runStateOver([3n, value]);
        stored.memory = { write: (offset: number, size: number, bytes: Uint8Array) => memory.set(bytes.subarray(0, size), offset) };
        mstore(stored);
        assert.equal(bytesToHex(memory.subarray(3, 35)), '0x' + value.toString(16).padStart(64, '0'), `MSTORE 0x${value.toString(16)}`);
        const { runState, pushed } = over(memory, [3n]);
        mload(runState);
        assert.deepEqual(pushed, [value], `MLOAD 0x${value.toString(16)}`);
      }
    }
  });

  test('KECCAK256 of a range, and of nothing', () => {
    const memory = new TextEncoder().encode('xxabcxx');
    const abc = over(memory, [2n, 3n]);
    keccak256Op(abc.runState);
    assert.deepEqual(abc.pushed, [0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45n]);
    const none = over(memory, [5n, 0n]);
    keccak256Op(none.runState);
    assert.deepEqual(none.pushed, [0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470n]);
  });
});

describe('LOG0–LOG4', () => {
  const common = new Common({ chain: Mainnet, hardfork: 'cancun' });
  common.updateParams(paramsEVM);
  const handlers = getOpcodesForHF(common).handlers;

  /** What a LOG handler hands interpreter.log, run over `values` (top first) and a memory of 0, 1, 2, … */
  function logged(handler: (runState: any, common: Common) => unknown, opCode: number, values: bigint[]) {
    const memory = new Uint8Array(200).map((_, i) => i);
    const logs: unknown[][] = [];
    const stack = {
      pop: () => values.shift(),
      popN: (n: number) => values.splice(0, n),
    };
    const runState = {
      opCode,
      stack,
      memory: { read: (offset: number, size: number) => memory.slice(offset, offset + size) },
      interpreter: { log: (...args: unknown[]) => logs.push(args) },
    };
    handler(runState, common);
    return logs;
  }

  test("each hands the interpreter @ethereumjs's topics and data", () => {
    const topics = [0n, 1n, MAX_WORD, 1n << 255n, 0xddf252adn << 224n, 12345678901234567890n];
    const ranges: [bigint, bigint][] = [[0n, 0n], [7n, 32n], [100n, 1n], [3n, 96n]];
    for (let count = 0; count <= 4; count++) {
      for (const [offset, length] of ranges) {
        const stack = () => [offset, length, ...topics.slice(count % 3, (count % 3) + count)];
        const ours = logged(logOp, 0xa0 + count, stack());
        assert.deepEqual(ours, logged(handlers.get(0xa0 + count)!, 0xa0 + count, stack()), `LOG${count} of ${length} bytes at ${offset}`);
        assert.equal((ours[0]![2] as Uint8Array[]).length, count);
      }
    }
  });

  test('a topic below 2^64 after a full word is its own 32 bytes, the high limbs zero', () => {
    const ours = logged(logOp, 0xa2, [0n, 0n, MAX_WORD, 0x1234n]);
    assert.deepEqual(ours, logged(handlers.get(0xa2)!, 0xa2, [0n, 0n, MAX_WORD, 0x1234n]));
    const topics = ours[0]![2] as Uint8Array[];
    assert.deepEqual(topics[1], Uint8Array.from({ length: 32 }, (_, i) => (i === 30 ? 0x12 : i === 31 ? 0x34 : 0)));
    assert.deepEqual(topics[0], new Uint8Array(32).fill(0xff));
  });
});

describe('code analyses reused per code', () => {
  /** An interpreter-shaped object whose analysis counts its runs. */
  function fakeInterpreter(evm: object) {
    let runs = 0;
    const prototype = {
      _getValidJumpDestinations(code: Uint8Array) {
        runs++;
        return { jumps: new Uint8Array(code.length), pushes: {}, opcodesCached: [] };
      },
    };
    const interpreter = Object.assign(Object.create(prototype), { _evm: evm });
    return { interpreter, runs: () => runs };
  }

  test('one analysis per code for a registered EVM, a fresh one after the opcode table changes', () => {
    const evm = {} as any;
    const { interpreter, runs } = fakeInterpreter(evm);
    patchInterpreter(interpreter);
    reuseCodeAnalysis(evm);
    const code = new Uint8Array([0x60, 0x01, 0x56]);
    const first = interpreter._getValidJumpDestinations(code);
    assert.equal(interpreter._getValidJumpDestinations(code), first);
    assert.equal(runs(), 1);
    interpreter._getValidJumpDestinations(new Uint8Array([0x5b]));
    assert.equal(runs(), 2);
    reuseCodeAnalysis(evm);
    assert.notEqual(interpreter._getValidJumpDestinations(code), first);
    assert.equal(runs(), 3);
  });

  test('an EVM that did not ask analyses every time', () => {
    const { interpreter, runs } = fakeInterpreter({});
    patchInterpreter(interpreter);
    const code = new Uint8Array([0x5b]);
    interpreter._getValidJumpDestinations(code);
    interpreter._getValidJumpDestinations(code);
    assert.equal(runs(), 2);
  });

  test('a contract answers the same from call to call, its jumps included', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const first = await call(probe, 'env');
    for (let i = 0; i < 3; i++) assert.deepEqual(await call(probe, 'env'), first);
  });
});

describe('the loop that awaits only what must be', () => {
  type OpFn = (...args: any[]) => unknown;
  /** An entry of @ethereumjs's opcode map as the step table reads it; a dynamic gas is one with a gas function. */
  const fakeEntry = (code: number, name: string, fee: number, { handler, isAsync = false, gasHandler }: { handler: OpFn; isAsync?: boolean; gasHandler?: OpFn }) => ({
    opcodeInfo: { code, name, fee, feeBigInt: BigInt(Math.round(fee)), isAsync, dynamicGas: gasHandler !== undefined, isInvalid: name === 'INVALID' },
    opHandler: handler,
    gasHandler,
  });
  /** An opcode map of 256 INVALIDs running `handler`, for a test to fill in. */
  const invalidMap = (handler: OpFn): any[] => Array.from({ length: 256 }, () => fakeEntry(0xfe, 'INVALID', 0, { handler }));
  // An interpreter over `evm` with the run loop patched in, an empty stack and @ethereumjs's useGas
  // (the charge taken, an out-of-gas trap below zero); its own `run` is never reached.
  const fakeInterpreter = (evm: any) => {
    const runState: any = { programCounter: 0, gasLeft: 0n, stack: { _store: [], _len: 0, _maxHeight: 1024 } };
    const interpreter = Object.assign(Object.create({ run: async () => 'its own' }), {
      _evm: evm,
      _runState: runState,
      common: {},
      useGas(amount: bigint) {
        runState.gasLeft -= amount;
        if (runState.gasLeft < 0n) throw new EVMError(EVMError.errorMessages.OUT_OF_GAS);
      },
    });
    patchRunLoop(interpreter);
    return { runState, interpreter };
  };

  test("each transaction answers and costs the same as its replay on @ethereumjs's step, run for a tracer", async (t) => {
    const { devnet, deploy, send } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const factory = await deploy('DestructibleFactory');
    const sha256 = '0x' + '00'.repeat(19) + '02';
    const sends: [Deployed, string, unknown[], bigint?][] = [
      [probe, 'recordEnv', []],
      // A CALL carrying value to a new address (a Placeholder), a STATICCALL to a precompile, INVALID.
      [probe, 'callTo', ['0x' + '12'.repeat(20), 5n, '0x'], 5n],
      [probe, 'staticCallTo', [sha256, '0xabcdef']],
      [probe, 'useInvalid', []],
      // CREATE2 of a contract whose constructor writes storage.
      [factory, 'deploy', ['0x' + '01'.repeat(32)]],
    ];
    const exitCodes = [];
    for (const [contract, fn, args, value] of sends) {
      const receipt = await send(contract, fn, args, value);
      const [replayed] = await devnet.traceTipset(devnet.head, 'all', { steps: { stack: false, memory: false, storage: false } });
      assert.ok(replayed && replayed.steps.length > 0, `${fn}: the tracer saw the steps`);
      assert.deepEqual([receipt.exitCode, receipt.gasUsed], [replayed.exitCode, replayed.gasUsed], fn);
      exitCodes.push(receipt.exitCode);
    }
    assert.deepEqual(exitCodes, [0, 0, 0, 34, 0]);
  });

  test("fixed charges taken together: the gas left GAS reads, a REVERT's gas and a call that runs out, as on @ethereumjs's step", async (t) => {
    const { devnet, sendRaw, wallet } = await fevmSetup(t);
    // PUSH1 1, then 200 × `body` (by default DUP1 ADD: fixed-cost instructions the loop runs
    // inline); then `end`.
    const deploy = async (end: string, body = '8001') => {
      const code = '6001' + body.repeat(200) + end;
      // PUSH2 length, DUP1, PUSH1 12 (this prefix's length), PUSH1 0, CODECOPY, PUSH1 0, RETURN.
      const initcode = '0x61' + (code.length / 2).toString(16).padStart(4, '0') + '80600c6000396000f3' + code;
      const nonce = devnet.pendingNonce(hexToBytes(wallet.address));
      assert.equal((await sendRaw(null, initcode)).exitCode, ExitCode.Ok);
      return hexToBytes(getCreateAddress({ from: wallet.address, nonce }));
    };
    const from = hexToBytes(wallet.address);
    const steps = { steps: { stack: false, memory: false, storage: false } };
    const ran = async (to: Uint8Array, gas: number) => {
      const epoch = devnet.head.epoch;
      // StateCall runs it with the sender's nonce, as traceCall does.
      const { result } = await devnet.stateCall(unsignedMessage(from, to, 0, 0n, new Uint8Array(), gas, 0n, 0n), epoch);
      const traced = await devnet.traceCall({ from, to, gas }, epoch, steps);
      const untraced = [result.exitCode, result.gasUsed, bytesToHex(result.returnData)];
      assert.deepEqual(untraced, [traced.exitCode, traced.gasUsed, bytesToHex(traced.returnData)], `gas limit ${gas}`);
      return { ...result, steps: traced.steps.length };
    };
    // GAS; mstore(0, gas); RETURN or REVERT of that word.
    const returns = await deploy('5a600052' + '60206000f3');
    const full = await ran(returns, 2_000_000_000);
    assert.equal(full.exitCode, ExitCode.Ok);
    assert.ok(BigInt(bytesToHex(full.returnData)) > 0n, 'GAS pushed the gas left');
    const reverted = await ran(await deploy('5a600052' + '60206000fd'), 2_000_000_000);
    assert.equal(reverted.exitCode, ExitCode.EvmReverted);
    assert.ok(reverted.gasUsed < 2_000_000_000, 'a REVERT leaves the gas it did not use');
    // A JUMP to 0, no JUMPDEST (exit 39). Limits from about what the first contract used down through
    // its 400 instructions: this one fails at the jump, then reaches it without the gas for the exit
    // syscall, then runs out among them, then before them (steps: the traced run's). Each untraced
    // run's exit code and gas must equal the traced step's (`ran`); where the loop's own trap falls
    // an outcome cannot show (the FVM's accounting settles a frame that overspent the same way): the
    // fake-interpreter test 'a fixed charge the gas left cannot cover traps…' asks the loop that.
    const jumps = await deploy('600056');
    const jumped = await ran(jumps, 2_000_000_000);
    assert.equal(jumped.exitCode, ExitCode.EvmBadJumpdest);
    const outcomes = new Set<string>();
    for (let gas = full.gasUsed; gas > full.gasUsed - 320_000; gas -= 4_999) {
      const { exitCode, steps } = await ran(jumps, gas);
      const among = exitCode === ExitCode.SysErrOutOfGas && steps > 0 && steps < jumped.steps;
      outcomes.add(exitCode === ExitCode.EvmBadJumpdest ? 'jumped' : among ? 'out of gas among them' : `exit ${exitCode} after ${steps} steps`);
    }
    const atExit = `exit ${ExitCode.SysErrOutOfGas} after ${jumped.steps} steps`;
    assert.deepEqual([...outcomes], ['jumped', atExit, 'out of gas among them', `exit ${ExitCode.SysErrOutOfGas} after 0 steps`]);

    // The same with gas-blind opcodes (gas functions that do not read the gas left: memory growth,
    // SLOAD), whose fixed cost the loop owes as it owes the others': exit code and gas as the traced
    // step's (where the trap falls: the fake-interpreter test). DUP1 PUSH1 0 MSTORE, PUSH1 0 MLOAD
    // ADD, PUSH1 0 SLOAD ADD, PUSH1 32 PUSH1 0 KECCAK256 ADD; memory grows at the first MSTORE only.
    const blind = '80600052' + '60005101' + '60005401' + '602060002001';
    const full2 = await ran(await deploy('5a600052' + '60206000f3', blind), 2_000_000_000);
    assert.equal(full2.exitCode, ExitCode.Ok);
    const jumps2 = await deploy('600056', blind);
    const jumped2 = await ran(jumps2, 2_000_000_000);
    assert.equal(jumped2.exitCode, ExitCode.EvmBadJumpdest);
    const outcomes2 = new Set<string>();
    for (let gas = full2.gasUsed; gas > 0; gas -= Math.ceil(full2.gasUsed / 57)) {
      const { exitCode, steps } = await ran(jumps2, gas);
      const among = exitCode === ExitCode.SysErrOutOfGas && steps > 0 && steps < jumped2.steps;
      outcomes2.add(exitCode === ExitCode.EvmBadJumpdest ? 'jumped' : among ? 'out of gas among them' : `exit ${exitCode} after ${steps} steps`);
    }
    assert.deepEqual([...outcomes2], ['jumped', 'out of gas among them', `exit ${ExitCode.SysErrOutOfGas} after 0 steps`]);
  });

  test('each opcode runs the way its entry says: fixed charges owed, gas-blind ones owed at their fixed cost, the rest at once', () => {
    const handler = () => undefined;
    const entry = (code: number, name: string, fee: number, isAsync = false, dynamicGas = false) => fakeEntry(code, name, fee, { handler, isAsync, gasHandler: dynamicGas ? handler : undefined });
    const entries = invalidMap(handler);
    entries[0x01] = entry(0x01, 'ADD', 3);
    entries[0x02] = entry(0x02, 'MUL', 5);
    entries[0x20] = entry(0x20, 'KECCAK256', 30, false, true);
    entries[0x31] = entry(0x31, 'BALANCE', 100, true);
    entries[0x51] = entry(0x51, 'MLOAD', 3, false, true);
    entries[0x5a] = entry(0x5a, 'GAS', 2);
    entries[0x60] = entry(0x60, 'PUSH1', 2.5);
    entries[0x61] = entry(0x70, 'PUSH17', 3);
    entries[0xf1] = entry(0xf1, 'CALL', 40, true, true);
    const table = makeStepTable(entries, new Set([0x20, 0x51]), new Map());
    const kinds = (codes: number[]) => codes.map((code) => table.kinds[code]);
    assert.deepEqual(kinds([0x01, 0x02, 0x20, 0x51]), [StepKind.Fixed, StepKind.Fixed, StepKind.GasBlind, StepKind.GasBlind]);
    // Inline: one of INLINED's (ADD, not MUL) whose entry holds the handler the EVM names as stock.
    const inline = (stock: Map<number, any>) => [0x01, 0x02].map((code) => makeStepTable(entries, new Set(), stock).kinds[code]);
    assert.deepEqual(inline(new Map([[0x01, handler], [0x02, handler]])), [StepKind.Inline, StepKind.Fixed]);
    assert.deepEqual(inline(new Map([[0x01, () => undefined]])), [StepKind.Fixed, StepKind.Fixed]);
    // Async; GAS (reads the gas left); a fee not a small whole number; another opcode's entry; a
    // dynamic gas not blind; INVALID itself and where it fills a gap.
    assert.deepEqual(kinds([0x31, 0x5a, 0x60, 0x61, 0xf1, 0xfe, 0x0c]), Array(7).fill(StepKind.Other));
    assert.deepEqual([table.fees[0x01], table.fees[0x20], table.fees[0x51]], [3, 30, 3]);
    assert.equal(table.handlers[0x01], handler);
    assert.equal(table.entries, entries);

    // The FEVM's own table, as its frames run on it (with the gas-blind and stock opcodes fevm-evm.ts
    // gives the loop): what a balanceOf runs most takes the owed paths; GAS, SSTORE and the CALL family
    // do not, nor do opcodes FEVM removed (CALLCODE) or never had.
    const evm = createFevmEvm(314159n, new EvmStateAdapter()) as any;
    const fevm = stepTableOf(evm);
    const fevmKinds = (codes: number[]) => codes.map((code) => fevm.kinds[code]);
    // Fixed charges whose handlers the loop runs itself (INLINED): the arithmetic it inlines, the
    // stack's opcodes, the jumps, PUSH0–PUSH32, DUPs and SWAPs.
    const inlined = [...Object.values(INLINED), ...Array.from({ length: 0xa0 - 0x60 }, (_, i) => 0x60 + i)].sort((a, b) => a - b);
    assert.deepEqual([...fevm.kinds.keys()].filter((code) => fevm.kinds[code] === StepKind.Inline), inlined);
    assert.deepEqual(fevmKinds([0x02, 0x04, 0x12, 0x18, 0x1b, 0x1c]), Array(6).fill(StepKind.Fixed));
    // Its table rebuilt with another ADD handler than the one fevm-evm.ts named runs that handler
    // (Fixed); back to its own, ADD is inline again.
    const own = evm._opcodeMap;
    evm._opcodeMap = [...own];
    evm._opcodeMap[0x01] = { ...own[0x01], opHandler: () => undefined };
    assert.equal(stepTableOf(evm).kinds[0x01], StepKind.Fixed);
    evm._opcodeMap = own;
    assert.equal(stepTableOf(evm).kinds[0x01], StepKind.Inline);
    // @ethereumjs marks these async; their handlers are not (the next test).
    assert.deepEqual(fevmKinds(ENVIRONMENT_OPCODES), Array(ENVIRONMENT_OPCODES.length).fill(StepKind.Fixed));
    // Gas-blind: exactly the memory-growth opcodes (memory-ops.ts MEMORY_GROWTH) and SLOAD, but for
    // CALLDATACOPY, whose @ethereumjs handler its table marks async (and fevm-evm.ts leaves so).
    assert.deepEqual(Object.keys(OPCODES).sort(), Object.keys(MEMORY_GROWTH).sort());
    const gasBlind = [...Object.values(OPCODES).filter((code) => code !== OPCODES.CALLDATACOPY), 0x54].sort((a, b) => a - b);
    assert.deepEqual([...fevm.kinds.keys()].filter((code) => fevm.kinds[code] === StepKind.GasBlind), gasBlind);
    assert.deepEqual(fevmKinds([0x37, 0x5a, 0x55, 0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa, 0x0c, 0xfe]), Array(11).fill(StepKind.Other));
    for (let code = 0; code < 256; code++) {
      if (fevm.kinds[code] !== StepKind.Other) assert.equal(fevm.fees[code], evm._opcodeMap[code].opcodeInfo.fee, `fee of ${code}`);
    }
  });

  test("the opcodes the loop runs itself leave the stack, the gas and the outcome @ethereumjs's handlers leave, run for a tracer", async (t) => {
    const { devnet, sendRaw, wallet } = await fevmSetup(t);
    const from = hexToBytes(wallet.address);
    const deploy = async (code: string) => {
      const initcode = '0x61' + (code.length / 2).toString(16).padStart(4, '0') + '80600c6000396000f3' + code;
      const nonce = devnet.pendingNonce(from);
      assert.equal((await sendRaw(null, initcode)).exitCode, ExitCode.Ok);
      return hexToBytes(getCreateAddress({ from: wallet.address, nonce }));
    };
    const steps = { steps: { stack: false, memory: false, storage: false } };
    // A run untraced (the loop's inlined opcodes) against its trace (@ethereumjs's runStep and handlers).
    const same = async (to: Uint8Array, data: string, what: string) => {
      const epoch = devnet.head.epoch;
      const input = hexToBytes(data);
      const { result } = await devnet.stateCall(unsignedMessage(from, to, 0, 0n, input, 100_000_000, 0n, 0n), epoch);
      const traced = await devnet.traceCall({ from, to, gas: 100_000_000, input }, epoch, steps);
      const untraced = [result.exitCode, result.gasUsed, bytesToHex(result.returnData)];
      assert.deepEqual(untraced, [traced.exitCode, traced.gasUsed, bytesToHex(traced.returnData)], what);
      return result;
    };
    const word = (value: bigint) => value.toString(16).padStart(64, '0');
    // a = calldata word 0, b = word 1: each of ADD SUB LT GT EQ AND OR of (a, b), ISZERO of a,
    // ISZERO of b, then the stack's own (DUP2 SWAP1, a stored, POP, b stored); all returned.
    const ops = [0x01, 0x03, 0x10, 0x11, 0x14, 0x16, 0x17];
    let code = '';
    // Each result is also stored shifted right by 248 bits (at 0x160 on), which shows a word the
    // stack held past 2^256 that MSTORE alone would cut to its low 32 bytes.
    const at = (offset: number) => '61' + offset.toString(16).padStart(4, '0') + '52';
    ops.forEach((op, i) => (code += '60203560003' + '5' + op.toString(16).padStart(2, '0') + '80' + at(i * 32) + '60f81c' + at(0x160 + i * 32)));
    code += '600035156100e052' + '60203515610100' + '52';
    code += '602035600035' + '8190' + '61012052' + '50' + '61014052' + '6102806000f3';
    const words = await deploy(code);
    const MAX = MAX_WORD;
    const edges = [0n, 1n, 2n, 0x40n, (1n << 64n) - 1n, 1n << 64n, (1n << 128n) + 7n, 1n << 255n, MAX - 1n, MAX];
    let seed = 0x1234_5678n;
    const random = () => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & MAX;
      return seed ^ (seed >> 97n);
    };
    const pairs: [bigint, bigint][] = [];
    for (const a of edges) for (const b of edges) pairs.push([a, b]);
    for (let i = 0; i < 40; i++) pairs.push([random(), random()], [random() >> BigInt(i * 6), random()]);
    for (const [a, b] of pairs) {
      const result = await same(words, '0x' + word(a) + word(b), `a=${a} b=${b}`);
      assert.equal(result.exitCode, ExitCode.Ok);
      const out = bytesToHex(result.returnData).slice(2);
      const wordAt = (i: number) => BigInt('0x' + out.slice(i * 64, i * 64 + 64));
      const expected = [(a + b) % (1n << 256n), (a - b + (1n << 256n)) % (1n << 256n), a < b ? 1n : 0n, a > b ? 1n : 0n, a === b ? 1n : 0n, a & b, a | b, a === 0n ? 1n : 0n, b === 0n ? 1n : 0n, a, b];
      assert.deepEqual(Array.from({ length: 11 }, (_, i) => wordAt(i)), expected, `a=${a} b=${b}`);
      assert.deepEqual(Array.from({ length: 7 }, (_, i) => wordAt(11 + i)), expected.slice(0, 7).map((r) => r >> 248n), `a=${a} b=${b}, shifted`);
    }

    // JUMP to calldata word 0 when word 2 is not zero, else (at 0x0d) JUMPI to word 0 when word 1
    // is not zero: the JUMPDEST at 0x1f returns 2, the one at 0x2a returns 3, falling through 1. A
    // word (PUSH0) sits under the JUMP's destination: on a stack of one word the loop runs JUMP's
    // handler, not its own.
    const returns = (value: number) => '60' + value.toString(16).padStart(2, '0') + '60005260206000f3';
    const jumps = await deploy('604035156100' + '0d57' + '5f60003556' + '5b' + '602035600035' + '57' + returns(1) + '5b' + returns(2) + '5b' + returns(3));
    const outcomes = new Set<string>();
    // JUMPDESTs; an instruction, not one; the code's length and past it; beyond 2^32 and 2^64.
    for (const to of [0x1fn, 0x2an, 0x20n, 0x0en, 0x35n, 0x36n, 1n << 32n, (1n << 32n) + 0x1fn, (1n << 64n) + 0x1fn, MAX]) {
      for (const [cond, jump] of [[0n, 0n], [1n, 0n], [1n << 255n, 0n], [0n, 1n]] as const) {
        const result = await same(jumps, '0x' + word(to) + word(cond) + word(jump), `to=${to} cond=${cond} jump=${jump}`);
        outcomes.add(`${result.exitCode}:${bytesToHex(result.returnData).slice(-1)}`);
      }
    }
    // Fell through, jumped to either JUMPDEST, and a bad destination (39).
    assert.deepEqual([...outcomes].sort(), [`${ExitCode.EvmBadJumpdest}:x`, '0:1', '0:2', '0:3'].sort());

    // The stack too short or too high: DUP2, SWAP2, POP, ISZERO, ADD, JUMP, JUMPI on one word or
    // none; SWAP1 on one word and SWAP2 on two (a word short: SWAPn's limit); PUSH0 and PUSH1 and
    // DUP1 onto 1024.
    // A jump first (to its JUMPDEST at 3), so that the code is analysed and PUSHes run inlined.
    const analysed = '600356' + '5b';
    const shallow = ['6001' + '81', '6001' + '91', '50', '15', '6001' + '01', '56', '6001' + '57', '6001' + '6001' + '92', '6001' + '90', '6001' + '6001' + '91'];
    for (const body of shallow) {
      const result = await same(await deploy(analysed + body), '0x', `underflow ${body}`);
      assert.equal(result.exitCode, ExitCode.EvmStackUnderflow, body);
      // The abort names the failing instruction, the body's last (evm-actor.ts abortMessage).
      assert.equal(result.error, `ABORT(pc=${analysed.length / 2 + body.length / 2 - 1}): stack underflow`, body);
    }
    for (const last of ['5f', '6001', '80']) {
      const result = await same(await deploy(analysed + '5f'.repeat(1024) + last), '0x', `overflow ${last}`);
      assert.equal(result.exitCode, ExitCode.EvmStackOverflow, last);
      assert.equal(result.error, `ABORT(pc=${analysed.length / 2 + 1024}): stack overflow`, last);
    }
  });

  test("@ethereumjs's handlers of the environment's opcodes, marked async in its table, push their word without a promise", () => {
    const common = new Common({ chain: Mainnet, hardfork: 'cancun' });
    common.updateParams(paramsEVM);
    const { handlers, opcodes } = getOpcodesForHF(common);
    const address = new Address(new Uint8Array(20).fill(1));
    const interpreter = {
      getAddress: () => address,
      getTxOrigin: () => 2n,
      getCaller: () => 3n,
      getCallValue: () => 4n,
      getCallDataSize: () => 5n,
      getReturnDataSize: () => 6n,
      getBlockCoinbase: () => 7n,
      getBlockGasLimit: () => 8n,
    };
    for (const opcode of ENVIRONMENT_OPCODES) {
      assert.equal(opcodes.get(opcode)?.isAsync, true, `${opcode} is marked async`);
      const pushed: bigint[] = [];
      const runState = { stack: { push: (word: bigint) => pushed.push(word) }, interpreter } as any;
      assert.equal(handlers.get(opcode)!(runState, common), undefined, `${opcode} returned no promise`);
      assert.equal(pushed.length, 1, `${opcode} pushed its word`);
    }
  });

  test('a fixed charge the gas left cannot cover traps at its own instruction, inlined, not, or gas-blind', async () => {
    // The FVM's accounting would catch a frame that overspent anyway (exit code and gas as if it had
    // trapped), so a contract's outcome cannot show where the loop stopped: this asks the loop itself.
    let ran = 0;
    const counted = () => void ran++;
    const opcodeMap = invalidMap(counted);
    // NOT (Fixed: its handler runs), JUMPDEST (Inline: the loop's own nothing) and MLOAD (GasBlind:
    // its gas function asked, here its fixed cost alone), 10 gas each.
    opcodeMap[0x19] = fakeEntry(0x19, 'NOT', 10, { handler: counted });
    opcodeMap[0x5b] = fakeEntry(0x5b, 'JUMPDEST', 10, { handler: counted });
    opcodeMap[0x51] = fakeEntry(0x51, 'MLOAD', 10, { handler: counted, gasHandler: (_runState: unknown, fee: bigint) => fee });
    const evm: any = { common: { isActivatedEIP: () => false }, DEBUG: false, _opcodeMap: opcodeMap };
    useRunLoop(evm, new Set([0x51]), new Map([[0x5b, counted]]));
    const { kinds } = stepTableOf(evm);
    assert.deepEqual([kinds[0x19], kinds[0x5b], kinds[0x51]], [StepKind.Fixed, StepKind.Inline, StepKind.GasBlind]);
    const { runState, interpreter } = fakeInterpreter(evm);
    for (const opCode of [0x19, 0x5b, 0x51]) {
      ran = 0;
      Object.assign(runState, { programCounter: 0, gasLeft: 35n });
      // Ten of them on 35 gas: the fourth's charge is the first the gas left cannot cover.
      const { exceptionError } = await interpreter.run(new Uint8Array(10).fill(opCode));
      assert.equal(exceptionError?.error, EVMError.errorMessages.OUT_OF_GAS, `${opCode}`);
      assert.deepEqual([runState.programCounter, ran], [3, opCode === 0x5b ? 0 : 3], `${opCode}: stopped at the fourth`);
    }
  });

  test("what a handler, a trap and the loop's end see of the run state after inline steps: @ethereumjs's step's program counter, opcode and stack", async () => {
    // Every handler, a trap and the run's end see the program counter, the opcode and the stack's
    // height as @ethereumjs's step leaves them, however the loop keeps them over its inline steps (the
    // abort messages name the program counter: evm-actor.ts abortMessage). With them kept in locals over
    // inline steps, written back before a handler, a trap or the end (measured, not landed:
    // docs/performance.md, callloop3's entry, "The run state in locals"), each missed write-back failed this test.
    const seen: number[][] = [];
    let throwAt = 0;
    const opcodeMap = invalidMap(() => undefined);
    // PUSH0, POP and JUMPDEST inline (their stock handlers, run only where the loop gives way to
    // them); NOT a fixed charge whose handler notes what it sees, and throws at its `throwAt`th run.
    // 10 gas each.
    const stock = (runState: any) => seen.push([-1, runState.opCode]);
    opcodeMap[0x5f] = fakeEntry(0x5f, 'PUSH0', 10, { handler: stock });
    opcodeMap[0x50] = fakeEntry(0x50, 'POP', 10, { handler: stock });
    opcodeMap[0x5b] = fakeEntry(0x5b, 'JUMPDEST', 10, { handler: stock });
    opcodeMap[0x19] = fakeEntry(0x19, 'NOT', 10, {
      handler: (runState: any) => {
        seen.push([runState.programCounter, runState.opCode, runState.stack._len, Number(runState.gasLeft)]);
        if (seen.length === throwAt) throw new EVMError(EVMError.errorMessages.STACK_UNDERFLOW);
      },
    });
    const evm: any = { common: { isActivatedEIP: () => false }, DEBUG: false, _opcodeMap: opcodeMap };
    useRunLoop(evm, new Set(), new Map([0x5f, 0x50, 0x5b].map((code) => [code, stock])));
    const { kinds } = stepTableOf(evm);
    assert.deepEqual([kinds[0x5f], kinds[0x50], kinds[0x5b], kinds[0x19]], [StepKind.Inline, StepKind.Inline, StepKind.Inline, StepKind.Fixed]);
    const { runState, interpreter } = fakeInterpreter(evm);
    const run = async (code: number[], gas: bigint, throwing = 0) => {
      seen.length = 0;
      throwAt = throwing;
      Object.assign(runState, { programCounter: 0, opCode: undefined, gasLeft: gas, stack: { _store: [], _len: 0, _maxHeight: 1024 } });
      const { exceptionError } = await interpreter.run(new Uint8Array(code));
      return { error: exceptionError?.error, pc: runState.programCounter, opCode: runState.opCode, len: runState.stack._len, gasLeft: runState.gasLeft, seen: [...seen] };
    };
    // PUSH0 PUSH0 JUMPDEST NOT POP JUMPDEST NOT PUSH0 NOT POP: each NOT sees the program counter past
    // it, its opcode, the stack's height and the gas left as at the run's start: every step's charge
    // here, NOT's own included, is owed, taken only before a step that may read the gas (none here), at
    // a trap or at the end; the third NOT throws.
    const code = [0x5f, 0x5f, 0x5b, 0x19, 0x50, 0x5b, 0x19, 0x5f, 0x19, 0x50];
    assert.deepEqual(await run(code, 1000n, 3), {
      error: EVMError.errorMessages.STACK_UNDERFLOW,
      pc: 9,
      opCode: 0x19,
      len: 2,
      // Nine steps charged, the throwing one's included.
      gasLeft: 910n,
      seen: [
        [4, 0x19, 2, 1000],
        [7, 0x19, 1, 1000],
        [9, 0x19, 2, 1000],
      ],
    });
    // To the end: the last step's opcode, the program counter at the code's end, the stack as left.
    assert.deepEqual(await run(code, 1000n), { error: undefined, pc: 10, opCode: 0x50, len: 1, gasLeft: 900n, seen: [[4, 0x19, 2, 1000], [7, 0x19, 1, 1000], [9, 0x19, 2, 1000]] });
    // Out of gas at an inline step (the fifth, POP): the trap sees its own program counter and opcode.
    assert.deepEqual(await run(code, 45n), { error: EVMError.errorMessages.OUT_OF_GAS, pc: 4, opCode: 0x50, len: 2, gasLeft: -5n, seen: [[4, 0x19, 2, 45]] });
    // POP on an empty stack: the inline step gives way to its handler, which sees the step's state.
    assert.deepEqual(await run([0x5f, 0x50, 0x50], 1000n), { error: undefined, pc: 3, opCode: 0x50, len: 0, gasLeft: 970n, seen: [[-1, 0x50]] });

    // The steps to the budget's clock check are counted across frames: nine frames of 1000 inline
    // steps reach two or three checks (where the count stood before them is not known), each a read of
    // the CPU clock, and the run's end reads it once more.
    const cpuUsage = process.cpuUsage;
    let reads = 0;
    process.cpuUsage = ((previous?: NodeJS.CpuUsage) => (reads++, cpuUsage.call(process, previous))) as typeof process.cpuUsage;
    try {
      await new RunBudget(60_000).spend(async () => {
        for (let frame = 0; frame < 9; frame++) assert.equal((await run(Array(1000).fill(0x5b), 100_000n)).error, undefined);
      });
    } finally {
      process.cpuUsage = cpuUsage;
    }
    assert.ok(reads === 3 || reads === 4, `${reads} reads of the clock`);
  });

  test("an interpreter of an EVM that did not ask runs @ethereumjs's own loop", async () => {
    const prototype = { run: async () => 'its own' };
    const interpreter = Object.assign(Object.create(prototype), { _evm: {} });
    patchRunLoop(interpreter);
    assert.equal(await interpreter.run(new Uint8Array([0x00])), 'its own');
  });
});

describe("the EVM's write-back of accounts", () => {
  test('an account whose balance and nonce did not move is not staged again; one that moved is', async () => {
    const tree = new StateTree();
    const genesis = tree.stage();
    const eth = new Uint8Array(20).fill(7);
    const placeholder = createPlaceholder(genesis, eth, 5n);
    tree.commit(genesis, 0);
    const adapter = new EvmStateAdapter();
    const overlay = tree.stage();
    adapter.use(overlay);
    const address = new Address(eth);
    await adapter.putAccount(address, new Account(BigInt(placeholder.nonce), 5n));
    assert.deepEqual([...overlay.changes()], []);
    await adapter.putAccount(address, new Account(BigInt(placeholder.nonce), 6n));
    assert.equal(overlay.getActor(placeholder.id)?.balance, 6n);
  });

  test("the adapter's actors found (the last two kept) answer three addresses asked in any order, by the same arrays or copies, and again after a write", () => {
    const tree = new StateTree();
    const genesis = tree.stage();
    const eths = [1, 2, 3].map((byte) => new Uint8Array(20).fill(byte));
    const ids = eths.map((eth, i) => createPlaceholder(genesis, eth, BigInt(i + 1)).id);
    tree.commit(genesis, 0);
    const adapter = new EvmStateAdapter();
    const overlay = tree.stage();
    adapter.use(overlay);
    const balances = [1n, 2n, 3n];
    const order = [0, 1, 0, 2, 1, 0, 2, 2, 1, 1, 0];
    const check = () => {
      for (const i of order) {
        assert.equal(adapter.actorOf(eths[i]!)?.balance, balances[i], `address ${i}`);
        assert.equal(adapter.actorOf(eths[i]!.slice())?.balance, balances[i], `a copy of address ${i}`);
      }
    };
    check();
    // Each write moves the state: both kept actors are found again, the one found last and the one before it.
    for (const [i, balance, last] of [[1, 20n, true], [1, 21n, false], [0, 10n, false], [2, 30n, true]] as const) {
      const other = eths[(i + 1) % 3]!;
      for (const eth of last ? [other, eths[i]!] : [eths[i]!, other]) adapter.actorOf(eth);
      overlay.putActor({ ...overlay.getActor(ids[i]!)!, balance });
      balances[i] = balance;
      assert.equal(adapter.actorOf(eths[i]!)?.balance, balance);
      check();
    }
    assert.equal(adapter.actorOf(new Uint8Array(20).fill(9)), undefined);
  });
});

describe('PUSH, CALLDATALOAD, STOP and RETURN (word-ops.ts, halt-ops.ts)', () => {
  const common = new Common({ chain: Mainnet, hardfork: 'cancun' });
  common.updateParams(paramsEVM);
  const ethereumjs = getOpcodesForHF(common).handlers;
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 73 + 29) & 0xff);
  /** A run state over `code` and `callData` whose stack is a plain array (top last). */
  const runStateAt = (code: Uint8Array, callData: Uint8Array, opCode: number, programCounter: number, stack: bigint[] = []) =>
    ({
      code,
      opCode,
      programCounter,
      shouldDoJumpAnalysis: true,
      stack: { push: (v: bigint) => stack.push(v), pop: () => stack.pop()!, popN: (n: number) => stack.splice(-n).reverse() },
      interpreter: { getCallData: () => callData, getCallDataSize: () => BigInt(callData.length), _result: {} as { returnValue?: Uint8Array } },
      memory: { read: (offset: number, length: number) => bytes.slice(offset, offset + length) },
      values: stack,
    }) as any;

  test("PUSH1–PUSH32 push @ethereumjs's words, zeros past the end of the code included", () => {
    for (let count = 1; count <= 32; count++) {
      for (const pc of [1, bytes.length - count, bytes.length - Math.ceil(count / 2)]) {
        const ours = runStateAt(bytes, bytes, 0x5f + count, pc);
        const theirs = runStateAt(bytes, bytes, 0x5f + count, pc);
        push(ours);
        ethereumjs.get(0x5f + count)!(theirs, common);
        assert.deepEqual([ours.values, ours.programCounter], [theirs.values, theirs.programCounter], `PUSH${count} at ${pc}`);
      }
    }
  });

  test("CALLDATALOAD pushes @ethereumjs's word at any offset, odd ones, past the end and beyond 2^32 included", () => {
    // Whole words at offsets of 4 bytes (0, 4, 8: 8 ends at the data's end) and between them (1, 5, 7:
    // a read four bytes at a time must not round the offset); 9 one byte short of a whole word.
    for (const offset of [0n, 1n, 4n, 5n, 7n, 8n, 9n, 39n, 40n, 41n, (1n << 32n) - 1n, 1n << 32n, MAX_WORD]) {
      const ours = runStateAt(bytes, bytes, 0x35, 1, [offset]);
      const theirs = runStateAt(bytes, bytes, 0x35, 1, [offset]);
      calldataload(ours);
      ethereumjs.get(0x35)!(theirs, common);
      assert.deepEqual(ours.values, theirs.values, `offset ${offset}`);
    }
  });

  test('STOP and RETURN move the program counter past the code; RETURN copies the range out', () => {
    const stopped = runStateAt(bytes, bytes, 0x00, 5);
    stop(stopped);
    assert.equal(stopped.programCounter, bytes.length);
    const returned = runStateAt(bytes, bytes, 0xf3, 5, [3n, 2n]);
    returnOp(returned);
    assert.equal(returned.programCounter, bytes.length);
    assert.deepEqual(returned.interpreter._result.returnValue, bytes.slice(2, 5));
    const empty = runStateAt(bytes, bytes, 0xf3, 5, [0n, 7n]);
    returnOp(empty);
    assert.equal(empty.interpreter._result.returnValue.length, 0);
  });
});

describe('SSTORE (fevm-evm.ts sstore)', () => {
  test("writes its word through the adapter synchronously, never @ethereumjs's bytes; a static frame may not write", async (t) => {
    const { devnet, deploy, sendRaw, call, wallet } = await fevmSetup(t);
    // PUSH1 32 CALLDATALOAD (the value), PUSH1 0 CALLDATALOAD (the slot), SSTORE, STOP; deployed by
    // PUSH1 8 PUSH1 12 PUSH1 0 CODECOPY, PUSH1 8 PUSH1 0 RETURN.
    const nonce = devnet.pendingNonce(hexToBytes(wallet.address));
    assert.equal((await sendRaw(null, '0x6008600c60003960086000f3' + '6020356000355500')).exitCode, ExitCode.Ok);
    const store = getCreateAddress({ from: wallet.address, nonce });
    const word = (n: bigint) => n.toString(16).padStart(64, '0');
    const viaBytes = t.mock.method(EvmStateAdapter.prototype, 'putStorage');
    // A new slot, the largest slot and word, a slot cleared, a slot beyond 2^128.
    const writes: [bigint, bigint][] = [[1n, 5n], [MAX_WORD, MAX_WORD], [1n, 0n], [2n ** 200n, 7n]];
    for (const [slot, value] of writes) assert.equal((await sendRaw(store, '0x' + word(slot) + word(value))).exitCode, ExitCode.Ok);
    const state = devnet.stateAt(devnet.head.epoch);
    const actor = resolveEthAddress(state, hexToBytes(store));
    assert.ok(actor?.evm);
    const read = (slot: bigint) => state.getStorage(actor.id, actor.evm!.storageGeneration, slot);
    assert.deepEqual([read(1n), read(MAX_WORD), read(2n ** 200n)], [0n, MAX_WORD, 7n]);
    assert.equal(viaBytes.mock.callCount(), 0, "no SSTORE went through @ethereumjs's storageStore");

    const probe = await deploy('FevmProbe');
    const [success] = await call(probe, 'staticCallTo', [store, '0x' + word(3n) + word(9n)]);
    assert.equal(success, false, 'an SSTORE under STATICCALL fails');
  });
});
