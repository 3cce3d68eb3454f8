// PUSH and CALLDATALOAD, which every call runs tens of times. @ethereumjs reads their bytes back as
// a word through a hex string (`bytesToBigInt`), and its PUSH asks Common twice per instruction
// whether Verkle's or the binary tree's code-chunk witnesses are on (EIP-6800, EIP-7864): never on
// FEVM's Common (cancun and EIP-2537, fevm-evm.ts). Same words as @ethereumjs's handlers.
import type { ExecResult } from '@ethereumjs/evm';
import { wordFrom } from './memory-ops.js';
import { wordNumber } from './word-number.js';

type RunState = NonNullable<ExecResult['runState']>;

/** PUSH1–PUSH32: the code's next 1–32 bytes (zeros past the code's end) as a word. */
export function push(runState: RunState): void {
  const count = runState.opCode - 0x5f;
  const pc = runState.programCounter;
  // Once the code's analysis has run (at its first jump), its PUSH values are known.
  if (!runState.shouldDoJumpAnalysis) runState.stack.push(runState.cachedPushes[pc]!);
  else runState.stack.push(wordFrom(runState.code, pc, count, 32 - count));
  runState.programCounter = pc + count;
}

/** CALLDATALOAD: the 32 bytes of call data at the offset (zeros past its end) as a word. */
export function calldataload(runState: RunState): void {
  const offset = runState.stack.pop();
  const data = runState.interpreter.getCallData();
  const at = wordNumber(offset); // 2^32 or more: past any call data
  runState.stack.push(at >= data.length ? 0n : wordFrom(data, at, 32, 0));
}
