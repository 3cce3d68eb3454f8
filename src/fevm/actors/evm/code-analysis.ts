// @ethereumjs/evm analyses a contract's code (its JUMPDESTs, its PUSH values, the opcode entry at
// each position) anew in every frame that jumps: a walk of the whole code and an array as long as
// it, per call. The analysis depends only on the code and the EVM's opcode table, so it is kept
// per EVM and per code: the bytecode the state holds is the same Uint8Array from call to call (a
// contract's entry lives as long as its code does), and nothing writes to an analysis once made.
import type { EVM, ExecResult } from '@ethereumjs/evm';

type Interpreter = NonNullable<ExecResult['runState']>['interpreter'];
type Analysis = ReturnType<Interpreter['_getValidJumpDestinations']>;

/** The EVMs whose frames reuse analyses, each with its analyses by code. */
const analysesByEvm = new WeakMap<EVM, WeakMap<Uint8Array, Analysis>>();
const patched = new WeakSet<object>();

/**
 * Makes `evm`'s frames reuse the analysis of code they have run before, from now on: called again
 * when its opcode table is rebuilt, as the analyses hold the table's entries.
 */
export function reuseCodeAnalysis(evm: EVM): void {
  analysesByEvm.set(evm, new WeakMap());
}

/**
 * The interpreter class is not exported: the first interpreter that ran (any frame's result holds
 * it) gives its prototype, whose analysis then asks the cache first. EVMs not registered by
 * reuseCodeAnalysis analyse as before.
 */
export function patchInterpreter(interpreter: Interpreter): void {
  const prototype = Object.getPrototypeOf(interpreter) as Interpreter;
  if (patched.has(prototype)) return;
  patched.add(prototype);
  const analyse = prototype._getValidJumpDestinations;
  prototype._getValidJumpDestinations = function (this: Interpreter, code: Uint8Array): Analysis {
    const analyses = analysesByEvm.get(this._evm);
    if (!analyses) return analyse.call(this, code);
    let analysis = analyses.get(code);
    if (!analysis) {
      analysis = analyse.call(this, code);
      analyses.set(code, analysis);
    }
    return analysis;
  };
}
