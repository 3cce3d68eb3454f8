// The EVM's memory on the interpreter's hot path, without @ethereumjs's allocations and awaits.
//
// Memory growth: for the opcodes whose Ethereum gas function does nothing but grow memory (MLOAD,
// MSTORE, KECCAK256, the copies, RETURN, …) FEVM's gas (fevm-evm.ts) needs only memory's new size.
// `growMemory` keeps the frame's memory accounts as that function does (the word count, and the
// highest Ethereum memory cost, which later Ethereum gas functions read), so that the most common
// instructions need not each create and await two promises. Their FVM gas is unchanged. The CALL
// family's FEVM gas function grows memory the same way (CALL_MEMORY_RANGES).
//
// MSTORE, MLOAD and KECCAK256: @ethereumjs pads a stored word through spread arrays and reads a
// loaded or hashed one back through a hex string; these go through one scratch word instead.
import { EVMError, type ExecResult } from '@ethereumjs/evm';
import { keccak256 } from '../../../common/hashes.js';
import { memoryView } from './frame-memory.js';

type RunState = NonNullable<ExecResult['runState']>;
type Stack = RunState['stack'];

/** Ethereum's memory prices (the `memoryGas` and `quadCoefficientDivGas` params). */
export interface MemoryPrices {
  perWord: bigint;
  quadraticDivisor: bigint;
}

/** The memory ranges (offset, length), in @ethereumjs's order, of opcodes that only grow memory. */
export const MEMORY_RANGES: Record<string, (stack: Stack) => [bigint, bigint][]> = {
  KECCAK256: (stack) => [stack.peek(2) as [bigint, bigint]],
  CALLDATACOPY: (stack) => copyRange(stack),
  CODECOPY: (stack) => copyRange(stack),
  MLOAD: (stack) => [[stack.peek(1)[0]!, 32n]],
  MSTORE: (stack) => [[stack.peek(1)[0]!, 32n]],
  MSTORE8: (stack) => [[stack.peek(1)[0]!, 1n]],
  // Source, then destination.
  MCOPY: (stack) => {
    const [destination, source, length] = stack.peek(3) as [bigint, bigint, bigint];
    return [
      [source, length],
      [destination, length],
    ];
  },
  RETURN: (stack) => [stack.peek(2) as [bigint, bigint]],
  REVERT: (stack) => [stack.peek(2) as [bigint, bigint]],
};

/**
 * The memory ranges of the CALL family: input, then output (both grown before the call, as
 * @ethereumjs's gas functions grow them). CALL has a value between the address and the input.
 */
export const CALL_MEMORY_RANGES: Record<string, (stack: Stack) => [bigint, bigint][]> = {
  CALL: (stack) => callRanges(stack.peek(7) as bigint[], 3),
  DELEGATECALL: (stack) => callRanges(stack.peek(6) as bigint[], 2),
  STATICCALL: (stack) => callRanges(stack.peek(6) as bigint[], 2),
};

/** Input offset and length, then output offset and length, from `first` on. */
function callRanges(args: bigint[], first: number): [bigint, bigint][] {
  return [
    [args[first]!, args[first + 1]!],
    [args[first + 2]!, args[first + 3]!],
  ];
}

/** CALLDATACOPY and CODECOPY: memory offset, source offset, length. */
function copyRange(stack: Stack): [bigint, bigint][] {
  const [offset, , length] = stack.peek(3) as [bigint, bigint, bigint];
  return [[offset, length]];
}

/** The furthest an access may end (offset + size): memory offsets and sizes are u32 on FEVM. */
export const MAX_MEMORY_END = 0xffff_ffffn;

/** Grows the frame's memory accounts to cover `ranges` (the yellow paper's C_mem, as @ethereumjs keeps it). */
export function growMemory(runState: RunState, ranges: [bigint, bigint][], prices: MemoryPrices): void {
  for (const [offset, length] of ranges) {
    // An access of no bytes does not grow memory.
    if (length === 0n) continue;
    // The EVM actor's memory is addressed by u32 (builtin-actors instructions/memory.rs:26-46).
    if (offset + length > MAX_MEMORY_END) throw new EVMError(EVMError.errorMessages.OUT_OF_RANGE);
    const words = (offset + length + 31n) / 32n;
    if (words <= runState.memoryWordCount) continue;
    const cost = words * prices.perWord + (words * words) / prices.quadraticDivisor;
    if (cost > runState.highestMemCost) runState.highestMemCost = cost;
    runState.memoryWordCount = words;
  }
}

const word = new Uint8Array(32);
const wordView = new DataView(word.buffer);

/** MSTORE: the 32-byte big-endian word at the offset (memory.write copies it out of the scratch word). */
export function mstore(runState: RunState): void {
  const [offset, value] = runState.stack.popN(2) as [bigint, bigint];
  // setBigUint64 keeps the low 64 bits of what it is given.
  wordView.setBigUint64(0, value >> 192n);
  wordView.setBigUint64(8, value >> 128n);
  wordView.setBigUint64(16, value >> 64n);
  wordView.setBigUint64(24, value);
  runState.memory.write(Number(offset), 32, word);
}

/** MLOAD: the 32 bytes at the offset as a word. */
export function mload(runState: RunState): void {
  const offset = runState.stack.pop();
  runState.stack.push(wordOf(memoryView(runState.memory, Number(offset), 32)));
}

/** KECCAK256 of a memory range, as a word. */
export function keccak256Op(runState: RunState): void {
  const [offset, length] = runState.stack.popN(2) as [bigint, bigint];
  const data = length === 0n ? new Uint8Array() : memoryView(runState.memory, Number(offset), Number(length));
  runState.stack.push(wordOf(keccak256(data)));
}

/** 32 big-endian bytes as a word. */
function wordOf(bytes: Uint8Array): bigint {
  word.set(bytes);
  return (wordView.getBigUint64(0) << 192n) | (wordView.getBigUint64(8) << 128n) | (wordView.getBigUint64(16) << 64n) | wordView.getBigUint64(24);
}

/**
 * Up to 32 big-endian bytes as a word, placed from byte `at` of the word (0: the bytes are the
 * word's high end, zeros after them; 32 - length: its low end), zeros elsewhere.
 */
export function wordFrom(bytes: Uint8Array, at: number): bigint {
  // Up to 6 bytes (PUSH1–PUSH6, most PUSHes) fit a Number exactly.
  if (at >= 26) {
    let value = 0;
    for (let i = at; i < 32; i++) value = value * 256 + (bytes[i - at] ?? 0);
    return BigInt(value);
  }
  word.fill(0);
  word.set(bytes, at);
  return (wordView.getBigUint64(0) << 192n) | (wordView.getBigUint64(8) << 128n) | (wordView.getBigUint64(16) << 64n) | wordView.getBigUint64(24);
}
