// The EVM actor: runs contract bytecode on @ethereumjs/evm (made FEVM-like in fevm-evm.ts) against
// the state tree, and turns the outcome into what the FVM reports (exit code, return bytes, gas,
// actor events). A run is either a message's (the executor invoking a contract: a fresh EVM
// transaction) or nested in one (call_actor invoking a contract from inside a running frame).
import { EVMError, Message, type EVMResult, type ExecResult } from '@ethereumjs/evm';
import { Address, createZeroAddress } from '@ethereumjs/util';
import { keccak256 } from '../../../common/hashes.js';
import { ExitCode } from '../../exit-code.js';
import { BLOCK_GAS_LIMIT } from '../../gas.js';
import type { StateAccess } from '../../state-access.js';
import { DEFAULT_BEACON_SEED, prevRandao } from '../../randomness.js';
import { StateOverlay, type StateReader } from '../../state-tree.js';
import type { ActorSend, ExecutionContext, InvocationResult, SendOutcome } from '../../types.js';
import { logToActorEvent, type FrameEvent } from './events.js';
import { createFevmEvm, EVENT_TOO_LARGE, RefusedBytecode, RESULT_TOO_LARGE, SELFDESTRUCT_FAILED, type FevmEvm, type FevmHost, type TombstonedEvmState } from './fevm-evm.js';
import { MEMORY_LIMIT_TRAP } from './frame-memory.js';
import { EvmStateAdapter } from './state-adapter.js';
import { canRunMessage, runMessage } from './call-frame.js';
import { EMPTY_KAMT } from './kamt-shape.js';

/** @ethereumjs/evm's error texts -> the EVM actor's exit codes (builtin-actors actors/evm/src/lib.rs). */
const EXIT_CODES: Record<string, number> = {
  revert: ExitCode.EvmReverted,
  'out of gas': ExitCode.SysErrOutOfGas,
  'code store out of gas': ExitCode.SysErrOutOfGas,
  'invalid opcode': ExitCode.EvmUndefinedInstruction,
  'stack underflow': ExitCode.EvmStackUnderflow,
  'stack overflow': ExitCode.EvmStackOverflow,
  'insufficient balance': ExitCode.SysErrInsufficientFunds,
  'static state change': ExitCode.ErrReadOnly,
  'value out of range': ExitCode.EvmIllegalMemoryAccess,
  'code size to deposit exceeds maximum code size': ExitCode.ErrIllegalArgument,
  'invalid bytecode deployed': ExitCode.ErrIllegalArgument,
  'create collision': ExitCode.ErrForbidden,
  [SELFDESTRUCT_FAILED]: ExitCode.EvmSelfdestructFailed,
  [EVENT_TOO_LARGE]: ExitCode.ErrAssertionFailed,
  [RESULT_TOO_LARGE]: ExitCode.ErrAssertionFailed,
  // Memory grown past the FVM's limits: the actor's Wasm instance traps (frame-memory.ts).
  [MEMORY_LIMIT_TRAP]: ExitCode.SysErrIllegalInstruction,
};

/** The INVALID instruction (0xfe), which the EVM actor tells apart from undefined ones. */
const INVALID = 0xfe;

export interface EvmCall {
  caller: Uint8Array;
  origin: Uint8Array;
  /** Absent for a deployment. */
  to?: Uint8Array;
  input: Uint8Array;
  value: bigint;
  /** FVM gas available to the call. */
  gasLimit: number;
  /** A read-only send (STATICCALL, or call_actor's READ_ONLY flag). */
  readOnly?: boolean;
  /** The message's gas premium: GASPRICE is the base fee plus it. */
  gasPremium?: bigint;
  /** For a deployment the EAM addresses itself (a native account's CreateExternal): where it goes. */
  createAddress?: Uint8Array;
}

interface EvmCallResult extends InvocationResult {
  /** The address of the contract a successful deployment created. */
  created?: Uint8Array;
}

/** How the EVM actor sends to other actors (call_actor): the executor's send. */
type ActorSender = (state: StateOverlay, send: ActorSend, ctx: ExecutionContext) => Promise<SendOutcome>;

/** A state with no actors, for the STOP run at creation. */
const NO_STATE: StateReader = { getActor: () => undefined, lookupId: () => undefined, getStorage: () => 0n, nextId: () => 0 };

export class EvmActor implements FevmHost {
  private evm!: FevmEvm;
  /** The state and context of the message running, while one runs. */
  private running: { state: StateOverlay; ctx: ExecutionContext } | undefined;
  /** Contracts that ran SELFDESTRUCT in the running message (some of it may have been reverted since). */
  private readonly selfDestructs = new Set<number>();
  /** Where console.log lines go (the devnet prints them; the EVM itself has no output). */
  onConsoleLog: ((line: string) => void) | undefined;

  private constructor(
    private readonly adapter: EvmStateAdapter,
    private readonly sender: ActorSender,
    private readonly accessOf: () => StateAccess,
  ) {}

  /** `accessOf`: the running message's state access (the executor keeps it). */
  static async create(chainId: bigint, sender: ActorSender, accessOf: () => StateAccess): Promise<EvmActor> {
    const adapter = new EvmStateAdapter();
    const actor = new EvmActor(adapter, sender, accessOf);
    actor.evm = createFevmEvm(chainId, adapter);
    actor.evm.host = actor;
    // ref-fvm records a new actor as updated (create_actor, create_actor_from_send): later reads and writes in the message are free.
    adapter.onCreated = (id) => actor.access.created(id);
    // @ethereumjs's interpreter class is not exported: the first frame that runs teaches it to the
    // FEVM's run loop (fevm-evm.ts runInterpreter). A STOP run now, so that every message's frames,
    // the first call's too, run on that loop and within its budget (run-budget.ts).
    adapter.use(new StateOverlay(NO_STATE));
    await actor.evm.runCode({ code: new Uint8Array([0x00]) });
    return actor;
  }

  /** The EVM's events ('beforeMessage', 'afterMessage', 'step'), for tracers (tracer.ts). */
  get events(): FevmEvm['events'] {
    return this.evm.events;
  }

  // FevmHost: what the EVM, its opcodes and precompiles see of the running message.
  get state(): StateOverlay {
    if (!this.running) throw new Error('no message is running');
    return this.running.state;
  }

  get ctx(): ExecutionContext {
    if (!this.running) throw new Error('no message is running');
    return this.running.ctx;
  }

  get access(): StateAccess {
    return this.accessOf();
  }

  send(send: ActorSend): Promise<SendOutcome> {
    return this.sender(this.state, send, this.ctx);
  }

  noteSelfDestruct(actorId: number): void {
    this.selfDestructs.add(actorId);
  }

  consoleLog(line: string): void {
    this.onConsoleLog?.(line);
  }

  /** Runs one call or deployment. The caller's nonce is the executor's business, not the EVM's. */
  async run(state: StateOverlay, call: EvmCall, ctx: ExecutionContext): Promise<EvmCallResult> {
    // All gas is FVM gas: the EVM's own (evm-gas.ts charges each frame and opcode).
    const evmGasLimit = call.gasLimit;
    const parent = this.evm.currentFrame;
    if (parent) return this.runNested(state, call, parent, evmGasLimit);

    this.adapter.use(state);
    this.running = { state, ctx };
    if (this.selfDestructs.size > 0) this.selfDestructs.clear();
    // Warm addresses and slots (EIP-2929) are per message.
    this.evm.journal.cleanJournal();
    this.evm.createAddress = call.createAddress;
    let result: EVMResult;
    const caller = new Address(call.caller);
    try {
      result = await this.runMessage(call, caller, evmGasLimit, ctx);
    } catch (err) {
      if ((err as Error).message?.includes('insufficient balance')) {
        return { exitCode: ExitCode.SysErrInsufficientFunds, returnData: new Uint8Array(), gasUsed: 0, events: [] };
      }
      throw err;
    } finally {
      this.running = undefined;
      this.evm.createAddress = undefined;
    }
    const outcome = this.outcome(state, call, result);
    // SELFDESTRUCT takes effect when the message ends (builtin-actors is_dead: a tombstone that is
    // not the current message's).
    if (outcome.exitCode === ExitCode.Ok) this.bury(state);
    // Cleared only when filled (here and above): clearing even an empty Set calls into V8's runtime.
    if (this.selfDestructs.size > 0) this.selfDestructs.clear();
    return outcome;
  }

  /** A message's first frame, on runMessage where it can run (call-frame.ts), else on @ethereumjs's runCall. */
  private runMessage(call: EvmCall, caller: Address, evmGasLimit: number, ctx: ExecutionContext): Promise<EVMResult> {
    const origin = call.origin === call.caller ? caller : new Address(call.origin);
    const to = call.to ? new Address(call.to) : undefined;
    const gasPrice = ctx.baseFee + (call.gasPremium ?? 0n);
    const block = blockContext(ctx);
    if (!canRunMessage(this.evm)) {
      return this.evm.runCall({ caller, origin, to, data: call.input, value: call.value, gasLimit: BigInt(evmGasLimit), gasPrice, isStatic: call.readOnly, skipNonceIncrement: true, block });
    }
    // As runCall makes it (its defaults for what the devnet leaves out).
    const message = new Message({
      caller,
      gasLimit: BigInt(evmGasLimit),
      to,
      value: call.value,
      data: call.input,
      isStatic: call.readOnly,
      selfdestruct: new Map(),
      createdAddresses: new Set(),
    });
    return runMessage(this.evm, message, block, gasPrice, origin);
  }

  /** A contract invoked from inside a running frame (call_actor): a deeper message of the same transaction. */
  private async runNested(state: StateOverlay, call: EvmCall, parent: Message, evmGasLimit: number): Promise<EvmCallResult> {
    if (state !== this.state) throw new Error('a nested EVM call on another state');
    const message = new Message({
      caller: new Address(call.caller),
      to: call.to ? new Address(call.to) : undefined,
      data: call.input,
      value: call.value,
      gasLimit: BigInt(evmGasLimit),
      depth: parent.depth + 1,
      isStatic: call.readOnly ?? false,
      selfdestruct: new Map(),
      createdAddresses: new Set(),
    });
    return this.outcome(state, call, await this.evm.runSent(message));
  }

  private outcome(state: StateOverlay, call: EvmCall, result: EVMResult): EvmCallResult {
    const exec = result.execResult;
    const gasUsed = Math.min(call.gasLimit, Number(exec.executionGasUsed));
    if (exec.exceptionError) {
      const exitCode = exitCodeOf(exec, exec.exceptionError);
      return {
        exitCode,
        returnData: exec.returnValue,
        gasUsed: exitCode === ExitCode.SysErrOutOfGas ? call.gasLimit : gasUsed,
        events: [],
        error: abortMessage(exitCode, exec, call),
      };
    }
    return {
      exitCode: ExitCode.Ok,
      returnData: exec.returnValue,
      gasUsed,
      events: ((exec.logs ?? []) as FrameEvent[]).map((log) => logToActorEvent(state, log)),
      created: result.createdAddress?.bytes,
    };
  }

  /** Contracts whose SELFDESTRUCT stood: no code, no storage from now on; the actor (and any balance) stays. */
  private bury(state: StateOverlay): void {
    for (const id of this.selfDestructs) {
      const actor = state.getActor(id);
      const evm = actor?.evm as TombstonedEvmState | undefined;
      if (!actor || !evm?.selfDestructed) continue;
      const empty = new Uint8Array();
      state.putActor({
        ...actor,
        storageShape: EMPTY_KAMT,
        evm: { bytecode: empty, bytecodeHash: keccak256(empty), nonce: evm.nonce, storageGeneration: evm.storageGeneration + 1, dead: true },
      });
    }
  }
}

/** The EVM actor's exit code for a failed EVM call frame. */
export function exitCodeOf(exec: ExecResult, error: EVMError): number {
  if (error.error === EVMError.errorMessages.INVALID_OPCODE) {
    // INVALID (0xfe) is EVM_CONTRACT_INVALID_INSTRUCTION (34); bytes with no instruction are 35.
    const runState = exec.runState;
    if (runState && runState.code[runState.programCounter] === INVALID) return ExitCode.EvmInvalidInstruction;
    return ExitCode.EvmUndefinedInstruction;
  }
  // @ethereumjs adds where the jump was ("invalid JUMP at …"): control.rs's BAD_JUMPDEST (39).
  if (error.error.startsWith(EVMError.errorMessages.INVALID_JUMP)) return ExitCode.EvmBadJumpdest;
  return EXIT_CODES[error.error] ?? ExitCode.EvmInvalidInstruction;
}

/**
 * The EVM actor's abort message for a failed call, where the devnet words it as builtin-actors v18
 * does: a contract's REVERT is `contract reverted at <pc>` (actors/evm/src/lib.rs invoke_contract_inner);
 * the interpreter's aborts name the failing instruction's pc (interpreter/execution.rs `ABORT(pc=…)`).
 */
function abortMessage(exitCode: number, exec: ExecResult, call: EvmCall): string | undefined {
  // A deployment: the constructor's revert (actors/evm/src/lib.rs) or the code it returned refused (system.rs set_bytecode).
  if (!call.to) return exec.exceptionError instanceof RefusedBytecode ? exec.exceptionError.reason : exitCode === ExitCode.EvmReverted ? 'constructor reverted' : undefined;
  const runState = exec.runState;
  if (!runState) return undefined;
  // @ethereumjs moves the program counter past an instruction before running it, but not past an
  // instruction it refuses (INVALID, an undefined opcode).
  if (exitCode === ExitCode.EvmReverted) return `contract reverted at ${runState.programCounter - 1}`;
  if (exec.exceptionError?.error === EVENT_TOO_LARGE) return EVENT_TOO_LARGE;
  // The stack's own words (interpreter/stack.rs), at the instruction whose push or pops failed: the
  // program counter had moved past it (a PUSH's bytes are skipped only after its push, word-ops.ts).
  if (exitCode === ExitCode.EvmStackOverflow || exitCode === ExitCode.EvmStackUnderflow) return `ABORT(pc=${runState.programCounter - 1}): ${exec.exceptionError!.error}`;
  if (exec.exceptionError?.error !== EVMError.errorMessages.INVALID_OPCODE) return undefined;
  const instruction = exitCode === ExitCode.EvmInvalidInstruction ? 'invalid instruction' : 'undefined instruction';
  return `ABORT(pc=${runState.programCounter}): ${instruction}`;
}

function blockContext(ctx: ExecutionContext): { header: BlockHeader } {
  return { header: new BlockHeader(ctx) };
}

/** No coinbase on FEVM: COINBASE is 0 (read, never written, so every header shares it). */
const NO_COINBASE = createZeroAddress();
const BLOCK_GAS_LIMIT_WORD = BigInt(BLOCK_GAS_LIMIT);

/**
 * The block header the EVM reads (NUMBER, TIMESTAMP, PREVRANDAO, ...). A class, so that PREVRANDAO's
 * getter sits on the prototype: in an object literal a getter makes V8 give each message's header
 * a hidden class of its own.
 */
class BlockHeader {
  readonly number: bigint;
  readonly coinbase = NO_COINBASE;
  readonly timestamp: bigint;
  readonly difficulty = 0n;
  readonly gasLimit = BLOCK_GAS_LIMIT_WORD;
  readonly baseFeePerGas: bigint;
  readonly #seed: Uint8Array;
  readonly #epoch: number;

  constructor(ctx: ExecutionContext) {
    this.number = BigInt(ctx.epoch);
    this.timestamp = BigInt(ctx.timestamp);
    this.baseFeePerGas = ctx.baseFee;
    this.#seed = ctx.seed ?? DEFAULT_BEACON_SEED;
    this.#epoch = ctx.epoch;
  }

  // Drawn only when PREVRANDAO runs: three blake2b hashes are much of a small call's cost.
  get prevRandao(): Uint8Array {
    return prevRandao(this.#seed, this.#epoch);
  }

  getBlobGasPrice(): undefined {
    return undefined;
  }
}
