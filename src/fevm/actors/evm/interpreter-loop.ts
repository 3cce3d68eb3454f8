// @ethereumjs/evm's interpreter awaits `runStep` for every instruction, and `runStep` is an async
// function: each instruction of a contract costs a promise and a turn of the microtask queue, even
// when its gas function and handler are synchronous (most are: FEVM's own opcodes and @ethereumjs's
// plain ones, see fevm-evm.ts). A loop of hashing runs ~12 000 instructions per transaction, and
// those turns were about a fifth of its time. This loop runs the same steps in the same order, and
// awaits only a gas function or handler that returns a promise.
//
// It takes over only where its steps are exactly @ethereumjs's: no step listeners (tracers), no
// debug logging, no profiler, and none of the EIPs whose checks sit inside the loop (EOF, code
// chunk witnesses, block-level access lists); anywhere else @ethereumjs's own `run` runs. Nor does
// a step commit or revert an access witness, as @ethereumjs's does: the EVM makes none, a frame has
// one only from its message (for EIP-6800/7864, which keep this loop off), and the FEVM's carry none
// (evm-actor.ts).
// It checks the running execution's budget (run-budget.ts) at the process's 256th step, then every 4096
// (FIRST_BUDGET_CHECK: the early first check gives V8 feedback for it before it optimizes the loop).
//
// An instruction of fixed cost whose handler neither reads the gas left nor waits (most of a
// contract's: PUSH, DUP, SWAP, arithmetic, jumps) is charged to a Number owed, taken from the run
// state's BigInt gas left in one subtraction before the next instruction that may read it, and at
// the frame's end: a subtraction per instruction made a BigInt each, a quarter of what a call
// allocated. An instruction whose charge the gas left cannot cover takes it at once, so it runs
// out of gas where @ethereumjs's step does. So is an instruction whose gas function the EVM names
// blind to the gas left (memory growth, SLOAD), whether that function asks for its fixed cost (most
// MLOADs and MSTOREs) or more (memory growth, an SLOAD's KAMT nodes): only a charge beyond
// MAX_OWED_CHARGE is taken at once.
//
// Which of those three ways an instruction takes depends only on its opcode and the EVM's opcode
// table: it is read per EVM from a table of 256 made once (StepTable), not from the opcode's entry
// and its info (an entry has one of three shapes and its info one of two, each flag a truthiness
// test). callseq3's three cuts together (this table, the environment's opcodes made synchronous,
// gas-blind charges owed) took `runLoop`'s own count from 26.0 k to 18.8 k instructions a balanceOf
// call (docs/performance.md, callseq3); the table's share was not counted on its own.
//
// The commonest fixed-charge opcodes (INLINED: PUSHn, DUPn, SWAPn, the jumps, POP, a few arithmetic
// ones; 86 of a balanceOf's 103 instructions) the loop runs itself on the stack's fields: each was a
// megamorphic call through the handler table, then the stack's methods (docs/performance.md,
// callloop). Only where the opcode's entry holds a handler the EVM names as doing @ethereumjs's own
// work (useRunLoop's `stock`), and only on the handler's plain path: a stack too short or too high, a
// bad jump destination or code not yet analysed runs the handler itself, whose errors and program
// counter are then @ethereumjs's as before.
import { EVMError, type EVM, type ExecResult } from '@ethereumjs/evm';
import { checkBudget } from '../../run-budget.js';
import { MAX_U32, u32Number } from './word-number.js';

type RunState = NonNullable<ExecResult['runState']>;
type Interpreter = RunState['interpreter'];
type RunResult = Awaited<ReturnType<Interpreter['run']>>;
type OpEntry = ReturnType<Interpreter['lookupOpInfo']>;
type OpHandler = OpEntry['opHandler'];

/** What the loop uses of @ethereumjs's Interpreter, some of it protected or private there. */
interface LoopInterpreter {
  _evm: EVM & { DEBUG: boolean; _opcodeMap: OpEntry[] };
  _runState: RunState & { eip8037BurnLeftoverAfterCreateHaltOntoAlive?: boolean };
  common: Interpreter['_evm']['common'];
  profilerOpts?: { enabled?: boolean };
  _getValidJumpDestinations: Interpreter['_getValidJumpDestinations'];
  lookupOpInfo(op: number): OpEntry;
  runStep(entry?: OpEntry): Promise<void>;
  useGas(amount: bigint, context?: OpEntry['opcodeInfo']): void;
}

/** How the loop runs an opcode (StepTable.kinds). */
export const StepKind = {
  /** A fixed charge, owed; its handler neither reads the gas left nor waits. */
  Fixed: 1,
  /** A gas function blind to the gas left, before a handler that is too: its charge owed up to MAX_OWED_CHARGE. */
  GasBlind: 2,
  /** Charged at once, its gas function or handler awaited if it returns a promise. */
  Other: 3,
  /** A fixed charge, owed, whose handler's work the loop does itself: one of INLINED's. */
  Inline: 4,
} as const;

/** The loop's view of one EVM's opcode table, by opcode. */
export interface StepTable {
  /** The table it was made from: the EVM's `_opcodeMap` (lookupOpInfo's), rebuilt with a new one. */
  readonly entries: readonly OpEntry[];
  readonly kinds: Uint8Array;
  /** The fixed cost of Fixed, Inline and GasBlind opcodes, as a Number. */
  readonly fees: Int32Array;
  readonly handlers: readonly OpHandler[];
}

/** EIPs that add checks to @ethereumjs's loop or step (EOF, Verkle and binary-tree witnesses, EIP-7928's CALL output). */
const LOOP_EIPS = [3540, 6800, 7864, 7928];

/** GAS pushes the gas left: it is charged at once. */
const GAS_OPCODE = 0x5a;
/**
 * The most a gas-blind charge may be and still be owed: the Number owed stays exact (below 2^53)
 * however many are owed before a settlement, each being under the gas left (room) or trapping.
 */
const MAX_OWED_CHARGE = 0xffff_ffffn;

/** Instructions between two checks of the clock: a few hundred µs of the tightest loop. */
const STEPS_PER_BUDGET_CHECK = 4096;
/**
 * The process's first check: early, so that runSteps' call to it has feedback before V8 optimizes runSteps. First
 * reached at the 4096th step, in optimized code, that call deoptimized runSteps; where V8 had meanwhile compiled its
 * loop for on-stack replacement, every later call ran that slower code (docs/performance.md, callloop5).
 */
const FIRST_BUDGET_CHECK = 256;
/** Counted across frames, so that many short frames are checked too. */
let stepsToBudgetCheck = FIRST_BUDGET_CHECK;

/** What an EVM tells the loop of its opcodes (useRunLoop). */
interface LoopOpcodes {
  gasBlind: ReadonlySet<number>;
  stock: ReadonlyMap<number, OpHandler>;
}

/** The EVMs whose frames run on this loop, each with what it told of its opcodes. */
const loopEvms = new WeakMap<EVM, LoopOpcodes>();
/** Each loop EVM's step table, made at its first frame and again when its opcode table is rebuilt. */
const stepTables = new WeakMap<EVM, StepTable>();
const patched = new WeakSet<object>();

/**
 * Makes `evm`'s frames run on this loop, once `patchRunLoop` has patched the interpreter.
 * `gasBlind`: opcodes whose gas function neither reads the gas left nor waits, and whose handler
 * neither reads it nor waits: their charge may be owed when it is their fixed cost.
 * `stock`: opcodes whose handler does @ethereumjs's own work (its own handler, or one that does the
 * same, as FEVM's PUSH), by that handler: of INLINED's, the loop does the work itself where the
 * opcode's entry holds that handler.
 */
export function useRunLoop(evm: EVM, gasBlind: ReadonlySet<number>, stock: ReadonlyMap<number, OpHandler>): void {
  if (!LOOP_EIPS.some((eip) => evm.common.isActivatedEIP(eip))) loopEvms.set(evm, { gasBlind, stock });
}

/**
 * How each opcode of `entries` (an opcode table, by opcode) runs, as the loop decided it per step from
 * the entry: Fixed for an opcode without a gas function that is neither async nor INVALID nor GAS
 * (Inline when it is one of INLINED's and its handler is `stock`'s for it: the loop does that work
 * itself), GasBlind for one of `gasBlind`, Other for the rest, and for any entry of another opcode
 * (the table's INVALID fills the opcodes it lacks) or whose fee is not a small whole number.
 */
export function makeStepTable(entries: readonly OpEntry[], gasBlind: ReadonlySet<number>, stock: ReadonlyMap<number, OpHandler>): StepTable {
  const kinds = new Uint8Array(256);
  const fees = new Int32Array(256);
  const handlers: OpHandler[] = [];
  for (let opCode = 0; opCode < 256; opCode++) {
    const entry = entries[opCode]!;
    const info = entry.opcodeInfo;
    handlers.push(entry.opHandler);
    const smallFee = Number.isInteger(info.fee) && info.fee >= 0 && info.fee <= 0x7fffffff;
    fees[opCode] = smallFee ? info.fee : 0;
    if (info.code !== opCode || !smallFee) kinds[opCode] = StepKind.Other;
    else if (!info.dynamicGas && !info.isAsync && !info.isInvalid && opCode !== GAS_OPCODE) kinds[opCode] = isInlined(opCode) && stock.get(opCode) === entry.opHandler ? StepKind.Inline : StepKind.Fixed;
    else if (gasBlind.has(opCode)) kinds[opCode] = StepKind.GasBlind;
    else kinds[opCode] = StepKind.Other;
  }
  return { entries, kinds, fees, handlers };
}

/**
 * The opcodes whose handlers' work the loop does itself (with PUSH1–PUSH32, DUPn and SWAPn:
 * INLINED_RANGES), where the opcode's entry holds the EVM's stock handler for it (useRunLoop; a table
 * that replaced one runs its own): the commonest of a call's instructions (docs/performance.md,
 * callloop); each was a call through a handler table (megamorphic), the stack's methods and, for a
 * PUSH or a jump, the run state's fields read again.
 */
export const INLINED = {
  ADD: 0x01,
  SUB: 0x03,
  LT: 0x10,
  GT: 0x11,
  EQ: 0x14,
  ISZERO: 0x15,
  AND: 0x16,
  OR: 0x17,
  POP: 0x50,
  JUMP: 0x56,
  JUMPI: 0x57,
  JUMPDEST: 0x5b,
  PUSH0: 0x5f,
} as const;
const INLINED_RANGES = { PUSH1: 0x60, PUSH32: 0x7f, DUP1: 0x80, DUP16: 0x8f, SWAP1: 0x90, SWAP16: 0x9f } as const;

const INLINED_SINGLES: ReadonlySet<number> = new Set(Object.values(INLINED));

/** Whether `opCode` is one of INLINED's or INLINED_RANGES' (PUSH1 to SWAP16: one run of opcodes). */
const isInlined = (opCode: number): boolean =>
  INLINED_SINGLES.has(opCode) || (opCode >= INLINED_RANGES.PUSH1 && opCode <= INLINED_RANGES.SWAP16);

/** The step table a frame of `evm`, one of `useRunLoop`'s, runs on: made for its opcode table as it is now. */
export function stepTableOf(evm: EVM & { _opcodeMap: OpEntry[] }): StepTable {
  let table = stepTables.get(evm);
  if (table?.entries !== evm._opcodeMap) {
    const { gasBlind, stock } = loopEvms.get(evm)!;
    table = makeStepTable(evm._opcodeMap, gasBlind, stock);
    stepTables.set(evm, table);
  }
  return table;
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
  const frame: FrameRun = {
    interpreter,
    runState,
    stack: runState.stack as unknown as LoopStack,
    table: stepTableOf(interpreter._evm),
    stepListened: events !== undefined && events.listenerCount('step') > 0,
    cachedOpcodes: undefined,
    pushValues: undefined,
    validJumps: undefined,
    err: undefined,
  };
  // The steps run in runSteps, which has no `await`: there V8 keeps the program counter, the stack's
  // height and the gas owed untagged in registers; in this async function they would live in the
  // frame's stack slots as tagged values (docs/performance.md, callloop3 and callloop4).
  for (;;) {
    const pending = runSteps(frame);
    if (pending === undefined) break;
    try {
      await pending;
    } catch (e) {
      frame.err = frameError(e);
      break;
    }
  }
  let err = frame.err;
  if (err === undefined && runState.eip8037BurnLeftoverAfterCreateHaltOntoAlive === true && runState.gasLeft > 0n) {
    runState.gasLeft = 0n;
    err = new EVMError(EVMError.errorMessages.OUT_OF_GAS);
  }
  return { runState, exceptionError: err };
}

/** A frame's run, as runSteps leaves it for its next call after a step it had to wait for. */
interface FrameRun {
  readonly interpreter: LoopInterpreter;
  readonly runState: RunState;
  readonly stack: LoopStack;
  readonly table: StepTable;
  readonly stepListened: boolean;
  /** The code's analysis, once it has run: its entries by program counter, PUSH values and JUMPDESTs. */
  cachedOpcodes: OpEntry[] | undefined;
  pushValues: Record<number, bigint> | undefined;
  validJumps: Uint8Array | undefined;
  /** The error that ended the frame (never STOP). */
  err: EVMError | undefined;
}

/**
 * The error a step threw as the frame's result: undefined for STOP, which is not an exception; anything
 * but an EVMError is thrown on (the whole execution ends, not this frame).
 */
function frameError(e: unknown): EVMError | undefined {
  if (!(e instanceof Object && 'errorType' in e && e.errorType === 'EVMError')) throw e;
  const error = e as EVMError;
  return error.error === EVMError.errorMessages.STOP ? undefined : error;
}

/**
 * Runs `frame`'s steps from its program counter until the code ends, a step ends the frame (its error in
 * `frame.err`), or a step's gas function or handler returns a promise (or a step is listened): that
 * step's promise is returned, the run state written back, and the next call goes on after it.
 *
 * The program counter, the opcode and the stack's height live in locals: each is written back to the run
 * state before anything that may read it or throw runs (a handler, a gas function, useGas, the budget
 * check) and read again after it; the inlined steps touch only the locals and the stack's store.
 */
function runSteps(frame: FrameRun): Promise<void> | undefined {
  const { interpreter, runState, stack, stepListened } = frame;
  const { kinds, fees, handlers, entries } = frame.table;
  const common = interpreter.common;
  const code = runState.code;
  const store = stack._store;
  const maxHeight = stack._maxHeight;
  let { cachedOpcodes, pushValues, validJumps } = frame;
  let pc = runState.programCounter;
  let len = stack._len;
  let opCode = runState.opCode;
  // Fixed charges not yet taken from runState.gasLeft, and what that held when last taken from (FVM
  // gas limits are far below 2^53). Nothing is owed where this returns: a step waited for settles first.
  let owed = 0;
  let room = Number(runState.gasLeft);
  try {
    while (pc < code.length) {
      opCode = code[pc]!;
      // The jump destination analysis runs once the code reaches a jump (as @ethereumjs's loop does).
      // The opcode first, and no truthiness test of the analysis: V8 tested `!cachedOpcodes` each step
      // for false, '', an undetectable object, a HeapNumber and a BigInt (docs/performance.md, callloop3).
      if ((opCode === 0x56 || opCode === 0x57 || opCode === 0x5e) && cachedOpcodes === undefined) {
        const { jumps, pushes, opcodesCached } = interpreter._getValidJumpDestinations(code);
        runState.validJumps = jumps;
        runState.cachedPushes = pushes;
        runState.shouldDoJumpAnalysis = false;
        frame.cachedOpcodes = cachedOpcodes = opcodesCached;
        frame.pushValues = pushValues = pushes;
        frame.validJumps = validJumps = jumps;
      }
      if (--stepsToBudgetCheck === 0) {
        stepsToBudgetCheck = STEPS_PER_BUDGET_CHECK;
        runState.programCounter = pc;
        runState.opCode = opCode;
        stack._len = len;
        // Not an EVMError: the whole execution ends, not this frame.
        checkBudget();
      }
      // A listened step is @ethereumjs's own runStep (the last branch).
      const kind = stepListened ? StepKind.Other : kinds[opCode];
      // Inline and Fixed owe their fixed charge alike, in a block each: one block under one compare
      // (kind <= Fixed) added 1.3 k instructions to runLoop's own count a balanceOf call
      // (docs/performance.md, callloop2).
      if (kind === StepKind.Inline) {
        owed += fees[opCode]!;
        if (owed > room) {
          // Out of gas here: useGas traps as @ethereumjs's step would.
          runState.programCounter = pc;
          runState.opCode = opCode;
          stack._len = len;
          const charge = owed;
          owed = 0;
          interpreter.useGas(BigInt(charge), entries[opCode]!.opcodeInfo);
        }
        const next = pc + 1;
        pc = next;
        // The handler's work on the stack's store. Where the stack is too short or too high, the
        // destination no JUMPDEST, or the code not yet analysed, nothing is changed and the handler
        // runs instead: its errors, and where it leaves the stack and the program counter, as ever.
        let done = true;
        if (opCode >= INLINED_RANGES.PUSH1 && opCode <= INLINED_RANGES.PUSH32) {
          if (pushValues !== undefined && len < maxHeight) {
            store[len] = pushValues[next]!;
            len++;
            pc = next + opCode - 0x5f;
          } else done = false;
        } else if (opCode >= INLINED_RANGES.DUP1 && opCode <= INLINED_RANGES.DUP16) {
          const depth = opCode - 0x7f;
          if (len >= depth && len < maxHeight) {
            store[len] = store[len - depth]!;
            len++;
          } else done = false;
        } else if (opCode >= INLINED_RANGES.SWAP1 && opCode <= INLINED_RANGES.SWAP16) {
          const depth = opCode - 0x8f;
          if (len > depth) {
            const top = store[len - 1]!;
            store[len - 1] = store[len - 1 - depth]!;
            store[len - 1 - depth] = top;
          } else done = false;
        } else if (opCode === INLINED.JUMPDEST) {
          // Nothing.
        } else if (opCode === INLINED.POP || opCode === INLINED.ISZERO) {
          if (len < 1) done = false;
          else if (opCode === INLINED.POP) len--;
          else store[len - 1] = store[len - 1] === 0n ? 1n : 0n;
        } else if (opCode === INLINED.PUSH0) {
          if (len < maxHeight) {
            store[len] = 0n;
            len++;
          } else done = false;
        } else if (len < 2) {
          done = false;
        } else if (opCode === INLINED.JUMP) {
          // One operand, but a JUMP on a stack of one word runs its handler: it spares a branch here.
          const to = jumpDestination(store[len - 1]!, validJumps);
          if (to >= 0) {
            len--;
            pc = to;
          } else done = false;
        } else {
          // Two operands: the top word a, the next b, as @ethereumjs's popN(2) gives [a, b].
          const a = store[len - 1]!;
          const b = store[len - 2]!;
          if (opCode === INLINED.JUMPI) {
            const to = b === 0n ? next : jumpDestination(a, validJumps);
            if (to >= 0) {
              len -= 2;
              pc = to;
            } else done = false;
          } else {
            store[len - 2] = binary(opCode, a, b);
            len--;
          }
        }
        if (!done) {
          runState.programCounter = next;
          runState.opCode = opCode;
          stack._len = len;
          handlers[opCode]!(runState, common);
          pc = runState.programCounter;
          len = stack._len;
        }
      } else if (kind === StepKind.Fixed) {
        runState.opCode = opCode;
        stack._len = len;
        owed += fees[opCode]!;
        if (owed > room) {
          // Out of gas here: useGas traps as @ethereumjs's step would.
          runState.programCounter = pc;
          const charge = owed;
          owed = 0;
          interpreter.useGas(BigInt(charge), entries[opCode]!.opcodeInfo);
        }
        runState.programCounter = pc + 1;
        handlers[opCode]!(runState, common);
        pc = runState.programCounter;
        len = stack._len;
      } else if (kind === StepKind.GasBlind) {
        runState.programCounter = pc;
        runState.opCode = opCode;
        stack._len = len;
        const op = entries[opCode]!;
        const info = op.opcodeInfo;
        const gas = op.gasHandler(runState, info.feeBigInt, common) as bigint;
        // Its fixed cost, the same BigInt handed back, is owed like any fixed charge; so is more (memory
        // growth, KAMT nodes, a hash's bytes) up to MAX_OWED_CHARGE, converted once; -1 for a charge above.
        const charge = gas === info.feeBigInt ? fees[opCode]! : gas <= MAX_OWED_CHARGE ? Number(gas) : -1;
        if (charge >= 0) {
          owed += charge;
          if (owed > room) {
            const due = owed;
            owed = 0;
            interpreter.useGas(BigInt(due), info);
          }
        } else {
          if (owed > 0) settle(interpreter, owed);
          owed = 0;
          interpreter.useGas(gas, info);
          room = Number(runState.gasLeft);
        }
        runState.programCounter = pc + 1;
        op.opHandler(runState, common);
        pc = runState.programCounter;
        len = stack._len;
      } else {
        runState.programCounter = pc;
        stack._len = len;
        const op = cachedOpcodes ? cachedOpcodes[pc]! : entries[opCode]!;
        // Once the code is analysed, its entry's opcode, as @ethereumjs's loop sets it: INVALID's for
        // an opcode the table lacks (always Other: makeStepTable).
        runState.opCode = cachedOpcodes ? op.opcodeInfo.code : opCode;
        // Nothing is owed on a listened step: every step is Other.
        if (stepListened) return interpreter.runStep(cachedOpcodes ? op : undefined);
        if (owed > 0) settle(interpreter, owed);
        owed = 0;
        const pending = stepNow(interpreter, op);
        if (pending) return pending;
        room = Number(runState.gasLeft);
        pc = runState.programCounter;
        len = stack._len;
      }
    }
  } catch (e) {
    // The run state is as the step that threw left it: each local was written back before the call.
    if (owed > 0) settle(interpreter, owed);
    frame.err = frameError(e);
    return undefined;
  }
  if (owed > 0) settle(interpreter, owed);
  runState.programCounter = pc;
  runState.opCode = opCode;
  stack._len = len;
  return undefined;
}

/** The fields of @ethereumjs's Stack (10.1.3 src/stack.ts) the loop's inlined opcodes read and write. */
interface LoopStack {
  _store: bigint[];
  _len: number;
  _maxHeight: number;
}

const TWO_POW_256 = 1n << 256n;

/**
 * Where a JUMP or a taken JUMPI to `word` goes: the word as a Number where the code has a JUMPDEST
 * there (validJumps, from the code's analysis), else -1 (@ethereumjs's handler then traps as it does).
 */
function jumpDestination(word: bigint, validJumps: Uint8Array | undefined): number {
  if (word > MAX_U32 || validJumps === undefined) return -1;
  // Through the lane: Number(word) was ~0.8 k instructions more over a balanceOf's ten jumps
  // (docs/performance.md, callloop2).
  const to = u32Number(word);
  return validJumps[to] === 1 ? to : -1;
}

/**
 * ADD, SUB, LT, GT, EQ, AND and OR of the top word `a` and the next `b`, as @ethereumjs's handlers
 * (functions.js) make them for words in [0, 2^256): ADD's and SUB's `mod(·, 2^256)` as one
 * correction, as the sum or difference of two such words is less than 2^256 away from that range.
 */
function binary(opCode: number, a: bigint, b: bigint): bigint {
  switch (opCode) {
    case INLINED.ADD: {
      const sum = a + b;
      return sum >= TWO_POW_256 ? sum - TWO_POW_256 : sum;
    }
    case INLINED.SUB: {
      const difference = a - b;
      return difference < 0n ? difference + TWO_POW_256 : difference;
    }
    case INLINED.LT:
      return a < b ? 1n : 0n;
    case INLINED.GT:
      return a > b ? 1n : 0n;
    case INLINED.EQ:
      return a === b ? 1n : 0n;
    case INLINED.AND:
      return a & b;
    default:
      // OR, the last of INLINED's.
      return a | b;
  }
}

/** Takes `owed`, which the gas left covers, from it. */
function settle(interpreter: LoopInterpreter, owed: number): void {
  interpreter._runState.gasLeft -= BigInt(owed);
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
  return info.isAsync && done instanceof Promise ? (done as Promise<void>) : undefined;
}
