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
// loaded or hashed one back through a hex string; these go through one scratch word instead. LOGn:
// @ethereumjs makes each topic's 32 bytes through a hex string and two arrays; here through the word.
import { EVMError, type ExecResult } from '@ethereumjs/evm';
import { keccak256 } from '../../../common/hashes.js';
import { memoryView } from './frame-memory.js';
import { MAX_U32, u32Number, wordNumber } from './word-number.js';

type RunState = NonNullable<ExecResult['runState']>;
type Stack = RunState['stack'];

/** Ethereum's memory prices (the `memoryGas` and `quadCoefficientDivGas` params). */
export interface MemoryPrices {
  perWord: bigint;
  quadraticDivisor: bigint;
}

/**
 * The stack's word `i` from the top (0: the top) as `peek(i + 1)[i]` reads it, without the array
 * peek makes: a gas function runs for every MLOAD and MSTORE. Underflow throws as peek's does.
 */
export function wordAt(stack: Stack, i: number): bigint {
  const { _store, _len } = stack as unknown as { _store: bigint[]; _len: number };
  if (_len <= i) throw new EVMError(EVMError.errorMessages.STACK_UNDERFLOW);
  return _store[_len - 1 - i]!;
}

/** Grows the frame's memory accounts for one opcode's ranges; whether they grew. */
type Grow = (runState: RunState, prices: MemoryPrices) => boolean;

/**
 * The memory growth of opcodes that only grow memory: their ranges (offset, length) in
 * @ethereumjs's order. The deepest word is read first, so that a short stack underflows before
 * anything grows, as @ethereumjs's gas functions' peek checks all its words first.
 */
export const MEMORY_GROWTH: Record<string, Grow> = {
  KECCAK256: (rs, prices) => growRange(rs, wordAt(rs.stack, 0), wordAt(rs.stack, 1), prices),
  CALLDATACOPY: (rs, prices) => growCopy(rs, prices),
  CODECOPY: (rs, prices) => growCopy(rs, prices),
  MLOAD: (rs, prices) => growRange(rs, wordAt(rs.stack, 0), 32n, prices),
  MSTORE: (rs, prices) => growRange(rs, wordAt(rs.stack, 0), 32n, prices),
  MSTORE8: (rs, prices) => growRange(rs, wordAt(rs.stack, 0), 1n, prices),
  // Source, then destination.
  MCOPY: (rs, prices) => {
    const length = wordAt(rs.stack, 2);
    const source = growRange(rs, wordAt(rs.stack, 1), length, prices);
    return growRange(rs, wordAt(rs.stack, 0), length, prices) || source;
  },
  RETURN: (rs, prices) => growRange(rs, wordAt(rs.stack, 0), wordAt(rs.stack, 1), prices),
  REVERT: (rs, prices) => growRange(rs, wordAt(rs.stack, 0), wordAt(rs.stack, 1), prices),
};

/** CALLDATACOPY and CODECOPY: memory offset, source offset, length. */
function growCopy(rs: RunState, prices: MemoryPrices): boolean {
  const length = wordAt(rs.stack, 2);
  return growRange(rs, wordAt(rs.stack, 0), length, prices);
}

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

/** The furthest an access may end (offset + size): memory offsets and sizes are u32 on FEVM. */
export const MAX_MEMORY_END = MAX_U32;
const MAX_MEMORY_END_NUMBER = Number(MAX_MEMORY_END);

/** Grows the frame's memory accounts to cover `ranges` (the yellow paper's C_mem, as @ethereumjs keeps it). */
export function growMemory(runState: RunState, ranges: [bigint, bigint][], prices: MemoryPrices): void {
  for (const [offset, length] of ranges) growRange(runState, offset, length, prices);
}

/**
 * Grows the frame's memory accounts to cover `length` bytes at `offset`; whether they grew. The end and
 * the word count in Numbers (below 2^32 and 2^27): each BigInt operation made a BigInt, four for an
 * MLOAD or MSTORE that grows nothing (docs/performance.md, callloop4).
 */
function growRange(runState: RunState, offset: bigint, length: bigint, prices: MemoryPrices): boolean {
  // An access of no bytes does not grow memory.
  if (length === 0n) return false;
  // The EVM actor's memory is addressed by u32 (builtin-actors instructions/memory.rs:26-46).
  if (offset > MAX_MEMORY_END || length > MAX_MEMORY_END) throw new EVMError(EVMError.errorMessages.OUT_OF_RANGE);
  const end = u32Number(offset) + u32Number(length);
  if (end > MAX_MEMORY_END_NUMBER) throw new EVMError(EVMError.errorMessages.OUT_OF_RANGE);
  const words = Math.ceil(end / 32);
  if (words <= wordNumber(runState.memoryWordCount)) return false;
  const grown = BigInt(words);
  const cost = grown * prices.perWord + (grown * grown) / prices.quadraticDivisor;
  if (cost > runState.highestMemCost) runState.highestMemCost = cost;
  runState.memoryWordCount = grown;
  return true;
}

const word = new Uint8Array(32);
const wordView = new DataView(word.buffer);
/** The scratch word as eight 32-bit halves of its limbs, in the machine's order: read and written only as zeros. */
const wordHalves = new Uint32Array(word.buffer);
const TWO_POW_64 = 1n << 64n;

/**
 * Writes `value` into the scratch word, 32 big-endian bytes. A value below 2^64 (most words a call
 * stores: free-memory pointers, mapping slots' indices, balances) zeroes the three high limbs without
 * a shift each: every BigInt operation makes a BigInt.
 */
function setWord(value: bigint): void {
  if (value < TWO_POW_64) {
    wordHalves[0] = wordHalves[1] = wordHalves[2] = wordHalves[3] = wordHalves[4] = wordHalves[5] = 0;
    wordView.setBigUint64(24, value);
    return;
  }
  // setBigUint64 keeps the low 64 bits of what it is given.
  wordView.setBigUint64(0, value >> 192n);
  wordView.setBigUint64(8, value >> 128n);
  wordView.setBigUint64(16, value >> 64n);
  wordView.setBigUint64(24, value);
}

/**
 * The scratch word's 32 big-endian bytes as a word. A limb of zeros adds nothing: no BigInt is
 * read, shifted or or-ed for it (an address's word has one, a selector word read by CALLDATALOAD a
 * middle one, a small value three).
 */
function wordOfScratch(): bigint {
  let value = wordHalves[6]! | wordHalves[7]! ? wordView.getBigUint64(24) : 0n;
  if (wordHalves[4]! | wordHalves[5]!) value = orInto(value, wordView.getBigUint64(16) << 64n);
  if (wordHalves[2]! | wordHalves[3]!) value = orInto(value, wordView.getBigUint64(8) << 128n);
  if (wordHalves[0]! | wordHalves[1]!) value = orInto(value, wordView.getBigUint64(0) << 192n);
  return value;
}

const orInto = (value: bigint, limb: bigint): bigint => (value === 0n ? limb : value | limb);

/** MSTORE: the 32-byte big-endian word at the offset (memory.write copies it out of the scratch word). */
export function mstore(runState: RunState): void {
  // popN(2) without its array (its underflow as popN's).
  const stack = runState.stack as unknown as { _store: bigint[]; _len: number };
  const len = stack._len;
  if (len < 2) throw new EVMError(EVMError.errorMessages.STACK_UNDERFLOW);
  const offset = stack._store[len - 1]!;
  const value = stack._store[len - 2]!;
  stack._len = len - 2;
  setWord(value);
  runState.memory.write(wordNumber(offset), 32, word);
}

/** MLOAD: the 32 bytes at the offset as a word. */
export function mload(runState: RunState): void {
  const offset = wordNumber(runState.stack.pop());
  const memory = runState.memory as unknown as Parameters<typeof memoryView>[0];
  memory.extend(offset, 32);
  runState.stack.push(wordFrom(memory._store, offset, 32, 0));
}

/** KECCAK256 of a memory range, as a word. */
export function keccak256Op(runState: RunState): void {
  const [offset, length] = runState.stack.popN(2) as [bigint, bigint];
  const data = length === 0n ? new Uint8Array() : memoryView(runState.memory, wordNumber(offset), wordNumber(length));
  runState.stack.push(wordOf(keccak256(data)));
}

/** LOG0–LOG4 (the count from the opcode, as @ethereumjs's): the topics as 32-byte words, the data copied out of memory. */
export function logOp(runState: RunState): void {
  const [offset, length] = runState.stack.popN(2) as [bigint, bigint];
  const count = runState.opCode - 0xa0;
  const topics: Uint8Array[] = [];
  for (let i = 0; i < count; i++) topics.push(wordBytes(runState.stack.pop()));
  const data = length === 0n ? new Uint8Array(0) : runState.memory.read(wordNumber(offset), wordNumber(length));
  runState.interpreter.log(data, count, topics);
}

/** A word's 32 big-endian bytes, in an array of their own (through the scratch word, as MSTORE writes). */
function wordBytes(value: bigint): Uint8Array {
  setWord(value);
  return word.slice();
}

/** 32 big-endian bytes as a word (through the scratch word, as MLOAD reads). */
function wordOf(bytes: Uint8Array): bigint {
  word.set(bytes);
  return wordOfScratch();
}

/**
 * The `count` big-endian bytes of `bytes` from `start` (zeros past its end) as a word, placed from
 * byte `at` of the word (0: the bytes are the word's high end, zeros after them; 32 - count: its low
 * end), zeros elsewhere. Read in place: no view of the bytes is made (PUSH, CALLDATALOAD and MLOAD
 * run tens of times a call).
 */
export function wordFrom(bytes: Uint8Array, start: number, count: number, at: number): bigint {
  const end = Math.min(start + count, bytes.length);
  // Up to 6 bytes (PUSH1–PUSH6, most PUSHes) fit a Number exactly.
  if (at >= 26) {
    let value = 0;
    for (let k = start; k < start + 32 - at; k++) value = value * 256 + (k < end ? bytes[k]! : 0);
    return BigInt(value);
  }
  if (end - start === 32) {
    // A whole word (MLOAD's always, CALLDATALOAD's but at the data's end): four bytes at a time into
    // the scratch word, which needs no zeroing first (byte by byte was ~1.1 k instructions an MLOAD
    // or CALLDATALOAD with its handler: docs/performance.md, callloop3).
    for (let i = 0; i < 32; i += 4) {
      const k = start + i;
      wordView.setUint32(i, ((bytes[k]! << 24) | (bytes[k + 1]! << 16) | (bytes[k + 2]! << 8) | bytes[k + 3]!) >>> 0);
    }
    return wordOfScratch();
  }
  word.fill(0);
  for (let k = start; k < end; k++) word[at + k - start] = bytes[k]!;
  return wordOfScratch();
}
