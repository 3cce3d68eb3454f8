// @ethereumjs/evm's interpreter awaits `runStep` for every instruction, and `runStep` is an async
// function: each instruction of a contract costs a promise and a turn of the microtask queue, even
// when its gas function and handler are synchronous (most are: FEVM's own opcodes and @ethereumjs's
// plain ones, see fevm-evm.ts). A loop of hashing runs ~12 000 instructions per transaction, and
// those turns were about a fifth of its time. This loop runs the same steps in the same order, and
// awaits only a gas function or handler that returns a promise.
//
// It takes over only where its steps are exactly @ethereumjs's: no step listeners (tracers), no
// debug logging, no profiler, and none of the EIPs whose checks sit inside the loop (EOF, code
// chunk witnesses, block-level access lists); anywhere else @ethereumjs's own `run` runs.
// Every few thousand instructions it checks the running execution's budget (run-budget.ts).
//
// An instruction of fixed cost whose handler neither reads the gas left nor waits (most of a
// contract's: PUSH, DUP, SWAP, arithmetic, jumps) is charged to a Number owed, taken from the run
// state's BigInt gas left in one subtraction before the next instruction that may read it, and at
// the frame's end: a subtraction per instruction made a BigInt each, a quarter of what a call
// allocated. An instruction whose charge the gas left cannot cover takes it at once, so it runs
// out of gas where @ethereumjs's step does. So is an instruction whose gas function the EVM names
// blind to the gas left (memory growth, SLOAD) when that function asks for no more than its fixed
// cost, as most MLOADs and MSTOREs do.
import { EVMError, type EVM, type ExecResult } from '@ethereumjs/evm';
import { checkBudget } from '../../run-budget.js';

type RunState = NonNullable<ExecResult['runState']>;
type Interpreter = RunState['interpreter'];
type RunResult = Awaited<ReturnType<Interpreter['run']>>;
type OpEntry = ReturnType<Interpreter['lookupOpInfo']>;

/** What the loop uses of @ethereumjs's Interpreter, some of it protected or private there. */
interface LoopInterpreter {
  _evm: EVM & { DEBUG: boolean };
  _runState: RunState & { eip8037BurnLeftoverAfterCreateHaltOntoAlive?: boolean };
  common: Interpreter['_evm']['common'];
  profilerOpts?: { enabled?: boolean };
  _getValidJumpDestinations: Interpreter['_getValidJumpDestinations'];
  lookupOpInfo(op: number): OpEntry;
  runStep(entry?: OpEntry): Promise<void>;
  useGas(amount: bigint, context?: OpEntry['opcodeInfo']): void;
}

/** Opcodes around which @ethereumjs's loop does more than run the step. */
const JUMP_OPCODES = new Set([0x56, 0x57, 0x5e]);
/** EIPs that add checks to @ethereumjs's loop or step (EOF, Verkle and binary-tree witnesses, EIP-7928's CALL output). */
const LOOP_EIPS = [3540, 6800, 7864, 7928];

/** GAS pushes the gas left: it is charged at once. */
const GAS_OPCODE = 0x5a;

/** Instructions between two checks of the clock: a few hundred µs of the tightest loop. */
const STEPS_PER_BUDGET_CHECK = 4096;
/** Counted across frames, so that many short frames are checked too. */
let stepsToBudgetCheck = STEPS_PER_BUDGET_CHECK;

/** The EVMs whose frames run on this loop, each with its opcodes whose gas functions are blind to the gas left. */
const loopEvms = new WeakMap<EVM, ReadonlySet<number>>();
const patched = new WeakSet<object>();

/**
 * Makes `evm`'s frames run on this loop, once `patchRunLoop` has patched the interpreter.
 * `gasBlind`: opcodes whose gas function neither reads the gas left nor waits, and whose handler
 * neither reads it nor waits: their charge may be owed when it is their fixed cost.
 */
export function useRunLoop(evm: EVM, gasBlind: ReadonlySet<number>): void {
  if (!LOOP_EIPS.some((eip) => evm.common.isActivatedEIP(eip))) loopEvms.set(evm, gasBlind);
}

/**
 * The interpreter class is not exported: the first interpreter that ran (any frame's result holds
 * it) gives its prototype, whose `run` then takes this loop for the EVMs of `useRunLoop`.
 */
export function patchRunLoop(interpreter: Interpreter): void {
  const prototype = Object.getPrototypeOf(interpreter) as Interpreter;
  if (patched.has(prototype)) return;
  patched.add(prototype);
  const run = prototype.run;
  prototype.run = function (this: Interpreter, code: Uint8Array, opts: { pc?: number } = {}): Promise<RunResult> {
    const self = this as unknown as LoopInterpreter;
    if (!loopEvms.has(self._evm) || self._evm.DEBUG || self.profilerOpts?.enabled === true) return run.call(this, code, opts);
    return runLoop(self, code, opts.pc);
  };
}

/** @ethereumjs's `run` for code that is not EOF, without profiling, its steps awaited only when they must be. */
async function runLoop(interpreter: LoopInterpreter, code: Uint8Array, startPc: number | undefined): Promise<RunResult> {
  const runState = interpreter._runState;
  runState.code = code;
  runState.programCounter = startPc ?? runState.programCounter;
  const pc = runState.programCounter;
  if (pc !== 0 && (pc < 0 || pc >= code.length)) throw new Error('Internal error: program counter not in range');
  // Asked once a frame, not at every step as @ethereumjs asks: a tracer attaches before a run starts
  // (Executor.traced) and stays to its end.
  const events = interpreter._evm.events;
  const stepListened = events !== undefined && events.listenerCount('step') > 0;
  const gasBlind = loopEvms.get(interpreter._evm)!;
  let err: EVMError | undefined;
  let cachedOpcodes: OpEntry[] | undefined;
  // Fixed charges not yet taken from runState.gasLeft, and what that held when last taken from (FVM
  // gas limits are far below 2^53).
  let owed = 0;
  let room = Number(runState.gasLeft);
  while (runState.programCounter < runState.code.length) {
    const programCounter = runState.programCounter;
    let opCode: number;
    let entry: OpEntry | undefined;
    if (!cachedOpcodes) {
      opCode = runState.code[programCounter]!;
      // The jump destination analysis runs once the code reaches a jump (as @ethereumjs's loop does).
      if (JUMP_OPCODES.has(opCode)) {
        const { jumps, pushes, opcodesCached } = interpreter._getValidJumpDestinations(runState.code);
        runState.validJumps = jumps;
        runState.cachedPushes = pushes;
        runState.shouldDoJumpAnalysis = false;
        cachedOpcodes = opcodesCached;
      }
    } else {
      entry = cachedOpcodes[programCounter]!;
      opCode = entry.opcodeInfo.code;
    }
    runState.opCode = opCode;
    if (--stepsToBudgetCheck === 0) {
      stepsToBudgetCheck = STEPS_PER_BUDGET_CHECK;
      // Not an EVMError: the whole execution ends, not this frame.
      checkBudget();
    }
    try {
      if (stepListened) {
        await interpreter.runStep(entry);
      } else {
        const op = entry ?? interpreter.lookupOpInfo(opCode);
        const info = op.opcodeInfo;
        if (!info.dynamicGas && !info.isAsync && !info.isInvalid && opCode !== GAS_OPCODE) {
          owed += info.fee;
          if (owed > room) {
            // Out of gas here: useGas traps as @ethereumjs's step would.
            const charge = owed;
            owed = 0;
            interpreter.useGas(BigInt(charge), info);
          }
          runState.programCounter++;
          op.opHandler(runState, interpreter.common);
          runState.env.accessWitness?.commit();
        } else if (gasBlind.has(opCode)) {
          const gas = op.gasHandler(runState, info.feeBigInt, interpreter.common) as bigint;
          // Its fixed cost, the same BigInt handed back: owed like any fixed charge.
          if (gas === info.feeBigInt) {
            owed += info.fee;
            if (owed > room) {
              const charge = owed;
              owed = 0;
              interpreter.useGas(BigInt(charge), info);
            }
          } else {
            if (owed > 0) settle(interpreter, owed);
            owed = 0;
            interpreter.useGas(gas, info);
            room = Number(runState.gasLeft);
          }
          runState.programCounter++;
          op.opHandler(runState, interpreter.common);
          runState.env.accessWitness?.commit();
        } else {
          if (owed > 0) room = settle(interpreter, owed);
          owed = 0;
          const pending = stepNow(interpreter, op);
          if (pending) await pending;
          room = Number(runState.gasLeft);
        }
      }
    } catch (e) {
      if (owed > 0) settle(interpreter, owed);
      owed = 0;
      runState.env.accessWitness?.revert();
      if (!(e instanceof Object && 'errorType' in e && e.errorType === 'EVMError')) throw e;
      const error = e as EVMError;
      // STOP is not an exception.
      if (error.error !== EVMError.errorMessages.STOP) err = error;
      break;
    }
  }
  if (owed > 0) settle(interpreter, owed);
  if (err === undefined && runState.eip8037BurnLeftoverAfterCreateHaltOntoAlive === true && runState.gasLeft > 0n) {
    runState.gasLeft = 0n;
    err = new EVMError(EVMError.errorMessages.OUT_OF_GAS);
  }
  return { runState, exceptionError: err };
}

/** Takes `owed`, which the gas left covers, from it; the gas left after. */
function settle(interpreter: LoopInterpreter, owed: number): number {
  const runState = interpreter._runState;
  runState.gasLeft -= BigInt(owed);
  return Number(runState.gasLeft);
}

/**
 * @ethereumjs's `runStep` without step hooks: the gas (base fee, then the opcode's gas function),
 * the program counter, the handler. Returns a promise only when the gas function or handler did.
 */
function stepNow(interpreter: LoopInterpreter, entry: OpEntry): Promise<void> | undefined {
  const info = entry.opcodeInfo;
  if (!info.dynamicGas) return execute(interpreter, entry, info.feeBigInt);
  const gas = entry.gasHandler(interpreter._runState, info.feeBigInt, interpreter.common) as bigint | Promise<bigint>;
  if (typeof gas === 'bigint') return execute(interpreter, entry, gas);
  return gas.then((charged) => execute(interpreter, entry, charged));
}

function execute(interpreter: LoopInterpreter, entry: OpEntry, gas: bigint): Promise<void> | undefined {
  const info = entry.opcodeInfo;
  if (info.isInvalid) throw new EVMError(EVMError.errorMessages.INVALID_OPCODE);
  interpreter.useGas(gas, info);
  const runState = interpreter._runState;
  runState.programCounter++;
  const done = entry.opHandler(runState, interpreter.common) as unknown;
  if (info.isAsync && done instanceof Promise) return done.then(() => runState.env.accessWitness?.commit());
  runState.env.accessWitness?.commit();
  return undefined;
}
