// A CALL frame as @ethereumjs/evm (10.1) runs it, without the two objects it copies by object
// spread for every frame: the message (`{ ...message, gasLimit }`, ~20 properties, handed to
// runInterpreter) and, at the frame's end, the interpreter's run state merged with the frame's
// result and environment (`execResult.runState`, ~40 properties). V8 copies a spread after the
// first property by property: together ~20–50 µs a frame, more than a small call's instructions.
// Nothing on the devnet's path reads the merged run state but a failed frame's exit code
// (evm-actor.ts exitCodeOf), so it is made when first read; every other step is @ethereumjs's, in
// its order.
//
// These take over only where @ethereumjs's steps are exactly these: a block set (the devnet always
// sets one), no debug logging, no profiler, none of the EIPs that add steps to a CALL frame; and
// once a first frame run by @ethereumjs has shown the Interpreter class, which is not exported.
import { EVMError, type EVM, type EVMResult, type ExecResult, type Message, type PrecompileFunc } from '@ethereumjs/evm';
import { Account, createZeroAddress, type Address } from '@ethereumjs/util';
import { FrameMemory } from './frame-memory.js';
import { SETTLED } from './state-adapter.js';

type RunState = NonNullable<ExecResult['runState']>;
type Interpreter = RunState['interpreter'];
type Frame = Parameters<EVM['runInterpreter']>[0];
type FrameOptions = NonNullable<Parameters<EVM['runInterpreter']>[1]>;

/** What the frame uses of the EVM, some of it protected or private there. */
interface FrameEvm {
  DEBUG: boolean;
  common: EVM['common'];
  _block?: unknown;
  _tx?: { gasPrice: bigint; origin: unknown };
  _optsCached: { profiler?: { enabled?: boolean } };
  performanceLogger: unknown;
  stateManager: EVM['stateManager'];
  blockchain: EVM['blockchain'];
  journal: EVM['journal'];
  transientStorage: EVM['transientStorage'];
  _reduceSenderBalance(account: Account, message: Message): Promise<void>;
  _addToBalance(account: Account, message: Message): Promise<void>;
  _loadCode(message: Message): Promise<void>;
  runPrecompile(code: PrecompileFunc, data: Uint8Array, gasLimit: bigint): Promise<ExecResult> | ExecResult;
  runInterpreter(message: Frame, opts?: FrameOptions): Promise<ExecResult>;
  postMessageCleanup(): void;
  _emit(topic: string, data: unknown): Promise<void>;
  _generateAddress(message: Message): Promise<Address>;
  _executeCall(message: Message): Promise<EVMResult>;
  _executeCreate(message: Message): Promise<EVMResult>;
}
interface FrameInterpreter {
  _env: object;
  _result: { logs: unknown[]; returnValue?: Uint8Array; selfdestruct: Map<unknown, unknown>; createdAddresses?: Set<string> };
  run(code: Frame['code'], opts: FrameOptions): Promise<{ runState: RunState; exceptionError?: EVMError }>;
}
type InterpreterClass = new (...args: unknown[]) => FrameInterpreter;

/** EIPs with steps in @ethereumjs's CALL frame (witnesses, EIP-2780's charges, access lists, transfer logs, EIP-7702's delegated code). */
const CALL_EIPS = [2780, 6800, 7702, 7708, 7864, 7928];

/**
 * What the devnet's state adapter (state-adapter.ts) answers synchronously besides its async
 * interface: a frame's account and code without a promise and a turn of the microtask queue each.
 */
interface SyncState {
  accountAt?(address: Address): Account | undefined;
  codeAt?(address: Address): Uint8Array;
  holdsLiveActor?(address: Address): boolean;
}

/** @ethereumjs's Interpreter and Stack: the classes of the first frame's interpreter and stack. */
let interpreterClass: InterpreterClass | undefined;
let stackClass: (new () => RunState['stack']) | undefined;

/** Learns the Interpreter and Stack classes from a frame @ethereumjs ran. */
export function learnInterpreter(interpreter: Interpreter): void {
  interpreterClass ??= (interpreter as object).constructor as InterpreterClass;
  stackClass ??= reusingPops((interpreter as unknown as { _runState: RunState })._runState.stack.constructor as new () => RunState['stack']);
}

/** EIPs with steps in @ethereumjs's runCall around a message (block-level access lists, state gas). */
const MESSAGE_EIPS = [7928, 8037];

/** Whether `runMessage` may run `evm`'s next message, else @ethereumjs's runCall must. */
export function canRunMessage(evm: EVM): boolean {
  const self = evm as unknown as FrameEvm;
  return !evm.DEBUG && self._optsCached.profiler?.enabled !== true && evm.common.hardfork() !== 'chainstart' && !MESSAGE_EIPS.some((eip) => evm.common.isActivatedEIP(eip));
}

/**
 * @ethereumjs's runCall for a transaction's message (no `message` option; the devnet's: a block, the
 * nonce not incremented, no balance skipped), the message made by the caller: the same steps in the
 * same order, without the options object runCall copies into a message, its profiler's and debug
 * steps, and without a turn of the microtask queue for an event no one listens to (only a tracer
 * does) or for the journal's checkpoint and commit once the state adapter has done them (SETTLED).
 * @ethereumjs's CODESTORE_OUT_OF_GAS exception is Chainstart's (canRunMessage leaves it out).
 */
export async function runMessage(evm: EVM, message: Message, block: unknown, gasPrice: bigint, origin: Address): Promise<EVMResult> {
  const self = evm as unknown as FrameEvm;
  const { common, journal, transientStorage } = self;
  self._block = block;
  self._tx = { gasPrice, origin };
  if (listens(evm, 'beforeMessage')) await self._emit('beforeMessage', message);
  if (!message.to && common.isActivatedEIP(2929)) {
    message.code = message.data;
    journal.addWarmedAddress((await self._generateAddress(message)).bytes);
  }
  const checkpointed = journal.checkpoint();
  if (checkpointed !== SETTLED) await checkpointed;
  const transient = common.isActivatedEIP(1153);
  if (transient) transientStorage.checkpoint();
  const result = message.to ? await self._executeCall(message) : await self._executeCreate(message);
  const exec = result.execResult;
  const error = exec.exceptionError;
  if (error && error.error !== EVMError.errorMessages.CODESTORE_OUT_OF_GAS) {
    exec.selfdestruct = new Map();
    exec.createdAddresses = new Set();
    exec.gasRefund = 0n;
  }
  if (error) {
    exec.logs = [];
    await journal.revert();
    if (transient) transientStorage.revert();
  } else {
    const committed = journal.commit();
    if (committed !== SETTLED) await committed;
    if (transient) transientStorage.commit();
  }
  if (listens(evm, 'afterMessage')) await self._emit('afterMessage', result);
  message.accessWitness?.commit();
  return result;
}

function listens(evm: EVM, topic: string): boolean {
  return (evm.events as unknown as { listenerCount(topic: string): number }).listenerCount(topic) > 0;
}

/** The arrays `popN` hands out, one per count: each holds the words of the last pop of its count. */
const popped: bigint[][] = [];

/**
 * @ethereumjs's Stack (10.1.3 src/stack.ts) with `popN` answering in one array per count instead of
 * a new one (16 of a balanceOf's 103 instructions pop two words: ~1.4 KB a call): every reader
 * takes the words out at once (the opcode handlers destructure it, LOGn maps its topics), before
 * anything pops again. The frames runFrame makes use it; @ethereumjs's own runInterpreter keeps its
 * Stack, which the differential test of call-frame.ts compares against.
 */
function reusingPops(base: new () => RunState['stack']): new () => RunState['stack'] {
  return class extends base {
    override popN(num = 1): bigint[] {
      const self = this as unknown as { _len: number; _store: bigint[] };
      if (self._len < num) throw new EVMError(EVMError.errorMessages.STACK_UNDERFLOW);
      if (num === 0) return [];
      const words = (popped[num] ??= new Array<bigint>(num).fill(0n));
      const store = self._store;
      for (let i = 0; i < num; i++) words[i] = store[--self._len]!;
      return words;
    }
  };
}

/** Whether `runFrame` may run `evm`'s next frame, else @ethereumjs's runInterpreter must. */
export function canRunFrame(evm: EVM): boolean {
  const self = evm as unknown as FrameEvm;
  return interpreterClass !== undefined && self._block !== undefined && self._optsCached.profiler?.enabled !== true;
}

/** Whether `executeCall` may run `evm`'s next CALL frame, else @ethereumjs's _executeCall must. */
export function canExecuteCall(evm: EVM): boolean {
  return canRunFrame(evm) && !evm.DEBUG && !CALL_EIPS.some((eip) => evm.common.isActivatedEIP(eip));
}

/** @ethereumjs's _executeCall with none of CALL_EIPS: the message goes to runInterpreter as it is. */
export async function executeCall(evm: EVM, message: Message): Promise<EVMResult> {
  const self = evm as unknown as FrameEvm;
  let error: unknown;
  // A CALL without value leaves a live actor's account as it was: @ethereumjs would read it, write
  // it back unchanged (the state adapter skips such a write) and mark it touched, which only its
  // EIP-161 cleanup reads, never run on FEVM. A missing or dead one takes @ethereumjs's steps.
  const moves = message.delegatecall !== true && (message.value !== 0n || !holdsLiveActor(self, message.caller) || !holdsLiveActor(self, message.to!));
  if (moves) {
    const account = (await self.stateManager.getAccount(message.caller)) ?? new Account();
    try {
      await self._reduceSenderBalance(account, message);
    } catch (e) {
      error = e;
    }
    const toAccount = (await self.stateManager.getAccount(message.to!)) ?? new Account();
    try {
      await self._addToBalance(toAccount, message);
    } catch (e) {
      error = e;
    }
  }
  if (!loadCode(self, message)) await self._loadCode(message);
  const code = message.code;
  if (!code || (typeof code !== 'function' && code.length === 0) || error !== undefined) {
    const early = { gasRefund: message.gasRefund, executionGasUsed: 0n, exceptionError: error as EVMError | undefined, returnValue: new Uint8Array(0), logs: undefined };
    return { execResult: early };
  }
  let result: ExecResult;
  if (message.isCompiled) {
    result = await self.runPrecompile(code as PrecompileFunc, message.data, message.gasLimit);
    result.gasRefund = message.gasRefund;
  } else {
    // Without CALL_EIPS the frame's gas limit is the message's: the message itself serves as the copy.
    result = await self.runInterpreter(message as Frame, { initialLogs: undefined });
  }
  // The cleanup empties transient storage by making it anew: nothing to do when the message stored nothing.
  if (message.depth === 0 && holdsTransientValues(self)) self.postMessageCleanup();
  return { execResult: result };
}

/** Whether transient storage (EIP-1153) holds values or changes, else it is as its cleanup leaves it. */
function holdsTransientValues(evm: FrameEvm): boolean {
  const { _storage, _changeJournal } = evm.transientStorage as unknown as { _storage: Map<string, unknown>; _changeJournal: unknown[] };
  return _storage.size > 0 || _changeJournal.length > 0;
}

/** Whether the EVM's state (the devnet's adapter) holds a live actor at `address`; false if it cannot tell. */
function holdsLiveActor(evm: FrameEvm, address: Address): boolean {
  return (evm.stateManager as SyncState).holdsLiveActor?.(address) === true;
}

/**
 * @ethereumjs's _loadCode (without EIP-7702, which CALL_EIPS leaves out) on a state that answers
 * code synchronously: a precompile, else the code at the message's code address. False when the
 * state cannot: then _loadCode must run.
 */
function loadCode(evm: FrameEvm, message: Message): boolean {
  if (message.code) return true;
  const state = evm.stateManager as SyncState;
  if (!state.codeAt) return false;
  const precompile = (evm as unknown as EVM).getPrecompile(message.codeAddress);
  if (precompile) {
    message.code = precompile;
    message.isCompiled = true;
  } else {
    message.code = state.codeAt(message.codeAddress);
    message.isCompiled = false;
    message.chargeCodeAccesses = true;
  }
  return true;
}

/** @ethereumjs's runInterpreter, with `execResult.runState` merged on first read. */
export async function runFrame(evm: EVM, message: Frame, opts: FrameOptions = {}): Promise<ExecResult> {
  const self = evm as unknown as FrameEvm;
  const at = message.to ?? createZeroAddress();
  const state = self.stateManager as SyncState;
  const contract = (state.accountAt ? state.accountAt(at) : await self.stateManager.getAccount(at)) ?? new Account();
  const env = {
    address: message.to ?? createZeroAddress(),
    caller: message.caller ?? createZeroAddress(),
    callData: message.data ?? Uint8Array.from([0]),
    callValue: message.value ?? 0n,
    code: message.code,
    isStatic: message.isStatic ?? false,
    isCreate: message.isCreate ?? false,
    depth: message.depth ?? 0,
    gasPrice: self._tx!.gasPrice,
    origin: self._tx!.origin ?? message.caller ?? createZeroAddress(),
    block: self._block,
    contract,
    codeAddress: message.codeAddress,
    gasRefund: message.gasRefund,
    chargeCodeAccesses: message.chargeCodeAccesses,
    blobVersionedHashes: message.blobVersionedHashes ?? [],
    accessWitness: message.accessWitness,
    createdAddresses: message.createdAddresses,
    initialLogs: opts.initialLogs,
  };
  const memory = new FrameMemory();
  const interpreter = newInterpreter(self, env, message.gasLimit, memory, message.selfdestruct);
  if (message.createdAddresses) interpreter._result.createdAddresses = message.createdAddresses;
  let ran;
  try {
    ran = await interpreter.run(message.code, opts);
  } finally {
    // Also when the execution is cut (--call-timeout): the call stack's memory count must drop.
    memory.release();
  }
  let result = interpreter._result;
  let gasUsed = message.gasLimit - ran.runState.gasLeft;
  const error = ran.exceptionError;
  if (error) {
    if (error.error !== EVMError.errorMessages.REVERT && error.error !== EVMError.errorMessages.INVALID_EOF_FORMAT) gasUsed = message.gasLimit;
    result = { ...result, logs: [], selfdestruct: new Map(), createdAddresses: new Set() };
  }
  message.accessWitness?.commit();
  return new FrameResult(result, ran.runState, interpreter._env, error, gasUsed) as unknown as ExecResult;
}

/**
 * The empty bytes a new frame's run state starts with (its code, jump table and return data, each
 * replaced, never written into): one array for every frame, as making a typed array costs more than
 * an object.
 */
const NO_BYTES = new Uint8Array(0);

/**
 * @ethereumjs's Interpreter as its constructor makes one (10.1: the same fields in the same order;
 * its proof-of-authority check cannot fail on FEVM's Common), but with `memory` instead of the
 * 8 KB Memory the constructor allocates, and the message's self-destructs (which runInterpreter puts
 * in place of the constructor's new map) from the start.
 */
function newInterpreter(evm: FrameEvm, env: object & { gasRefund: bigint; initialLogs?: unknown[] }, gasLeft: bigint, memory: FrameMemory, selfdestruct: Map<unknown, unknown> | undefined): FrameInterpreter {
  const interpreter = Object.create(interpreterClass!.prototype) as Record<string, unknown>;
  interpreter.opDebuggers = {};
  interpreter._evm = evm;
  interpreter._stateManager = evm.stateManager;
  interpreter.common = evm.common;
  interpreter._runState = {
    programCounter: 0,
    opCode: 0xfe,
    memory,
    memoryWordCount: 0n,
    highestMemCost: 0n,
    stack: new stackClass!(),
    code: NO_BYTES,
    validJumps: NO_BYTES,
    cachedPushes: {},
    stateManager: evm.stateManager,
    blockchain: evm.blockchain,
    env,
    shouldDoJumpAnalysis: true,
    interpreter,
    gasRefund: env.gasRefund,
    gasLeft,
    stateGasSpilled: 0n,
    returnBytes: NO_BYTES,
  };
  interpreter.journal = evm.journal;
  interpreter._env = env;
  interpreter._result = { logs: env.initialLogs ? [...env.initialLogs] : [], returnValue: undefined, selfdestruct: selfdestruct ?? new Map() };
  interpreter.profilerOpts = evm._optsCached.profiler;
  interpreter.performanceLogger = evm.performanceLogger;
  return interpreter as unknown as FrameInterpreter;
}

/**
 * A frame's ExecResult as @ethereumjs's runInterpreter makes it, with the merged run state made on
 * first read. A class, so that the getter sits on the prototype: an object literal with a getter
 * among its fields makes V8 build six new hidden classes for every frame. @ethereumjs may change
 * the fields afterwards (a create's result, a reverted frame's self-destructs).
 */
class FrameResult {
  logs: unknown[];
  selfdestruct: Map<unknown, unknown>;
  createdAddresses: Set<string> | undefined;
  exceptionError: EVMError | undefined;
  gas: bigint;
  executionGasUsed: bigint;
  gasRefund: bigint;
  stateGasSpilled: bigint;
  returnValue: Uint8Array;
  readonly #ran: RunState;
  readonly #frame: FrameInterpreter['_result'];
  readonly #env: object;
  #merged: RunState | undefined;

  constructor(frame: FrameInterpreter['_result'], ran: RunState, env: object, error: EVMError | undefined, gasUsed: bigint) {
    this.logs = frame.logs;
    this.selfdestruct = frame.selfdestruct;
    this.createdAddresses = frame.createdAddresses;
    this.exceptionError = error;
    this.gas = ran.gasLeft;
    this.executionGasUsed = gasUsed;
    this.gasRefund = ran.gasRefund;
    this.stateGasSpilled = ran.stateGasSpilled;
    this.returnValue = frame.returnValue ?? new Uint8Array(0);
    this.#ran = ran;
    this.#frame = frame;
    this.#env = env;
  }

  get runState(): RunState {
    return (this.#merged ??= { ...this.#ran, ...this.#frame, ...this.#env } as RunState);
  }
}
