// STOP and RETURN without a throw. @ethereumjs ends a frame that stops or returns by throwing an
// EVMError that its loop catches and drops (`Interpreter.finish`); V8's throw and unwind cost a
// few microseconds, in every call's every frame. These end the frame as running off the end of its
// code does: the program counter past the last byte, which ends @ethereumjs's loop and FEVM's
// (interpreter-loop.ts) alike, with no error, as the STOP throw did. Only a failed INVALID reads the
// program counter after a frame (evm-actor.ts exitCodeOf), and these frames do not fail.
import type { ExecResult } from '@ethereumjs/evm';
import { wordNumber } from './word-number.js';

type RunState = NonNullable<ExecResult['runState']>;

const EMPTY = new Uint8Array(0);

/** STOP (0x00). */
export function stop(runState: RunState): void {
  runState.programCounter = runState.code.length;
}

/** RETURN (0xf3): the memory range as the frame's return value (a copy: the frame's memory is reused). */
export function returnOp(runState: RunState): void {
  const [offset, length] = runState.stack.popN(2) as [bigint, bigint];
  runState.interpreter._result.returnValue = length === 0n ? EMPTY : runState.memory.read(wordNumber(offset), wordNumber(length));
  runState.programCounter = runState.code.length;
}
