// @ethereumjs/evm made to behave as the FEVM (builtin-actors actors/evm, nv28 / actors v18, CLZ and P256VERIFY included):
//   - a subclass, FevmEvm, that keeps the stack of messages being run (the precompiles need the
//     current one's call kind and contract) and routes CALLs the way the EVM actor's call.rs does:
//     builtin (native) actors fail (a multisig's fallback takes the CALL), unknown masked IDs
//     succeed without moving value, static calls never create a Placeholder, an EVM actor named by
//     its masked ID runs at its f410 address;
//   - customPrecompiles: the Filecoin ones at 0xfe00…01–06 (src/filecoin-precompiles), no KZG at
//     0x0a (a reserved address without a precompile: success, empty output), BLS 0x0b–0x11 through
//     EIP-2537 on top of Cancun;
//   - customOpcodes: GAS in FVM gas, BLOCKHASH from tipset hashes, EXTCODESIZE/HASH/COPY with
//     native actors as 0xfe and accounts/precompiles as existing-but-empty, SELFDESTRUCT as FEVM's
//     (send the balance, die at the end of the message), and CALLCODE, BLOBHASH, BLOBBASEFEE removed
//     (undefined instructions, exit 35);
//   - Ethereum's rules the FEVM has not: no CALL stipend, no code deposit gas (FEVM_PARAMS), no
//     initcode size limit; code over 24 KiB or starting with 0xEF fails as set_bytecode fails it;
//     an abort or a CREATE2 collision costs what ran, not the frame's whole gas; every precompile
//     runs on the caller's gas (the CALL's gas argument bounds only call_actor's send); memory past
//     u32 is exit 38 (memory-ops.ts); value sent to a precompile pays its send to the f410;
//   - actor accesses as the FVM tracks them (state-access.ts): an actor the message created is
//     not looked up again, and a send that failed forgets what it accessed;
//   - a CREATE as the EAM runs it: the caller's state flushed first (its nonce), then Exec4 over
//     nothing or a Placeholder, Resurrect over a dead contract, a refusal over anything else;
//   - EXT* opcodes and DELEGATECALL learn the target's type (get_contract_type's syscalls and
//     lookup) and ask a contract for its bytecode;
//     SELFDESTRUCT pays its send and its tombstone's flush.
// GASPRICE, PREVRANDAO, COINBASE and GASLIMIT come from the block and tx context evm-actor.ts passes.
import { Common, Mainnet } from '@ethereumjs/common';
import {
  EVM,
  EVMError,
  EVMMockBlockchain,
  NobleBN254,
  getOpcodesForHF,
  paramsEVM,
  type EVMOpts,
  type EVMResult,
  type ExecResult,
  type Message,
  type PrecompileFunc,
  type PrecompileInput,
} from '@ethereumjs/evm';
import { Address, KECCAK256_NULL, type PrefixedHexString } from '@ethereumjs/util';
import { isMaskedId, maskedId } from '../../../common/address.js';
import { keccak256 } from '../../../common/hashes.js';
import { cborBytesSize } from '../../../common/cbor.js';
import { bigintToBytes, bytesToBigint, bytesToHex, equalBytes, padStart } from '../../../common/hex.js';
import {
  FILECOIN_PRECOMPILES,
  isReservedPrecompileAddress,
  runFilecoinPrecompile,
  type FilecoinPrecompileEntry,
} from '../../../filecoin-precompiles/index.js';
import type { Actor, EvmState } from '../../actor.js';
import { MAX_BLOCK_SIZE } from '../../block-limit.js';
import { ACTOR_LOOKUP, actorCreatedGas, HOST_CALL, onHashing, onLookback, SEND_TRANSFER_FUNDS } from '../../price-list.js';
import { builtinInvocationGas, paramsReadGas, PLACEHOLDER_INVOCATION, refusedMethodGas, returnReadGas } from '../../builtin-method-gas.js';
import { builtinActor } from '../builtin.js';
import { createPlaceholder, resolveEthAddress, transfer } from '../lifecycle.js';
import { patchInterpreter, reuseCodeAnalysis } from './code-analysis.js';
import { patchRunLoop, useRunLoop } from './interpreter-loop.js';
import { shareEmptyDiffs } from './journal-diffs.js';
import { canExecuteCall, canRunFrame, executeCall, learnInterpreter, runFrame } from './call-frame.js';
import { returnOp, stop } from './halt-ops.js';
import { calldataload, push } from './word-ops.js';
import { CALL_MEMORY_RANGES, growMemory, keccak256Op, logOp, MAX_MEMORY_END, MEMORY_GROWTH, mload, mstore, wordAt, type MemoryPrices } from './memory-ops.js';
import { CONSOLE_ADDRESS, decodeConsoleLog } from './console-log.js';
import type { EvmLog } from './events.js';
import {
  bytecodeReadGas,
  bytecodeSendGas,
  bytecodeSendReturnSize,
  bytecodeStoreGas,
  callParamsPutGas,
  contractCreationGas,
  copyGas,
  creationFailureGas,
  creationReturnGas,
  delegateParamsPutGas,
  delegateParamsSize,
  eamEntryGas,
  eamOwnCreationGas,
  eamOwnEntryGas,
  eamOwnFailureGas,
  eamOwnNativeDeployerGas,
  eamOwnRefusalGas,
  eamOwnReturnGas,
  ethPrecompileGas,
  exec4ParamsGas,
  exec4ParamsPutGas,
  frameEndGas,
  P256VERIFY,
  evmFlushGas,
  evmLoadGas,
  evmReloadGas,
  evmStateFlushGas,
  evmStateReadGas,
  EXP_PER_BYTE,
  FILECOIN_PRECOMPILE_WORK,
  kamtNodeLoadGas,
  keccakGas,
  logGas,
  memoryGrowthGas,
  nativeDeployerGas,
  opcodeGas,
  refusedCreationGas,
  resurrectionGas,
  resurrectParamsGas,
  resurrectParamsPutGas,
  SEND_SYSCALL,
  transientFlushGas,
  transientLoadGas,
} from './evm-gas.js';
import { FevmPrecompileRuntime, type PrecompileHost } from './precompile-runtime.js';
import type { EvmStateAdapter } from './state-adapter.js';
import { byteLength, EMPTY_KAMT, rootOf, storageShapeOf, walk, withSlot, type KamtNode } from './kamt-shape.js';

/** What the EVM needs from the EVM actor around it. */
export interface FevmHost extends PrecompileHost {
  /** A contract ran SELFDESTRUCT: check it for a tombstone when the message ends. */
  noteSelfDestruct(actorId: number): void;
  /** A contract called console.log with this line. */
  consoleLog(line: string): void;
}

/** An EVM actor's state while a SELFDESTRUCT waits for the end of the message. */
export interface TombstonedEvmState extends EvmState {
  selfDestructed?: true;
}

type CustomOpcode = NonNullable<EVMOpts['customOpcodes']>[number];
type OpcodeTable = ReturnType<typeof getOpcodesForHF>;
type OpHandler = OpcodeTable['handlers'] extends Map<number, infer H> ? H : never;
type RunState = Parameters<OpHandler>[0];
type EVMErrorType = ConstructorParameters<typeof EVMError>[0];

/** The EVM actor exit code of a failed SELFDESTRUCT transfer (EVM_CONTRACT_SELFDESTRUCT_FAILED = 40). */
export const SELFDESTRUCT_FAILED = 'selfdestruct failed' as EVMErrorType;
/**
 * A LOG whose topics and data pass the FVM's 8 KiB of event values (ref-fvm fvm@v4.8.2 kernel
 * emit_event, MAX_TOTAL_VALUES_LEN = 8 << 10: LimitExceeded, after the event's gas is charged): the
 * EVM actor aborts with USR_ASSERTION_FAILED (24) and this message (builtin-actors v18
 * runtime/src/runtime/fvm.rs emit_event; instructions/log_event.rs).
 */
export const EVENT_TOO_LARGE = 'failed to emit event: limit exceeded' as EVMErrorType;
const MAX_EVENT_VALUES = 8 << 10;
/**
 * A contract's return or revert data too large for one IPLD block (ref-fvm fvm@v4.8.2 machine
 * max_block_size = 1 << 20, kernel block_create: LimitExceeded): builtin-actors' trampoline fails to
 * write it and aborts with USR_ASSERTION_FAILED (24) (runtime/src/runtime/fvm.rs trampoline; sdk vm::exit).
 */
export const RESULT_TOO_LARGE = 'failed to write result: limit exceeded' as EVMErrorType;
/** A CALL the FVM refuses (a builtin actor's InvokeContract: USR_UNHANDLED_MESSAGE). */
export const CALL_REFUSED = 'call refused' as EVMErrorType;
/** A Filecoin precompile refused its input or caller. */
const PRECOMPILE_FAILED = 'precompile failed' as EVMErrorType;

const EMPTY = new Uint8Array();
/** keccak256(0xfe): the "code hash" of every native actor (builtin-actors BytecodeHash::NATIVE_ACTOR). */
const NATIVE_ACTOR_CODE = new Uint8Array([0xfe]);
const NATIVE_ACTOR_CODE_HASH = keccak256(NATIVE_ACTOR_CODE);
/** Actor kinds the EVM treats as accounts: EXTCODESIZE 0, EXTCODEHASH keccak(""), CALLs succeed. */
const ACCOUNT_KINDS = new Set(['account', 'ethaccount', 'placeholder']);

/** What an event no one listens to gives the EVM to await. */
const NO_LISTENER = Promise.resolve();

/** The event a tracer hears the EVM actor's read-only sends for EXTCODE* by (tracer.ts CodeRead). */
export const CODE_READ = 'fevmCodeRead';
/** builtin-actors' EVM methods EXTCODE* sends (actors/evm Method): GetBytecode, GetBytecodeHash. */
export const EVM_GET_BYTECODE = 3;
export const EVM_GET_BYTECODE_HASH = 4;

/**
 * What GetBytecode or GetBytecodeHash sent to `target` uses in its own frame: the FVM books it there,
 * not in the asking contract's (a trace's gasUsed for that contract leaves it out).
 */
const codeSendOwnGas = (target: Actor, method: typeof EVM_GET_BYTECODE | typeof EVM_GET_BYTECODE_HASH): number =>
  bytecodeSendGas(method === EVM_GET_BYTECODE_HASH, target.evm?.dead === true);

const BLOCKHASH_WINDOW = 256n;
/**
 * What the runtime hashes to draw PREVRANDAO's randomness (builtin-actors runtime fvm.rs
 * get_randomness_from_beacon, draw_randomness): the tag (8 bytes), the beacon's randomness (32), the
 * epoch (8) and the entropy "prevrandao" (10).
 */
const RANDOMNESS_DRAW_BYTES = 58;
const ADDRESS_MASK = (1n << 160n) - 1n;

export class FevmEvm extends EVM {
  /** The messages being run, innermost last. */
  private readonly frames: Message[] = [];
  /** The address a creation is about to run its constructor at (see runInterpreter). */
  private constructing: Address | undefined;
  private hostRef: FevmHost | undefined;

  constructor(opts: EVMOpts) {
    super(opts);
    // @ethereumjs awaits an async function, which copies the listener list, for each message's
    // 'beforeMessage' and 'afterMessage': only a tracer listens.
    const emit = this._emit;
    const events = this.events as unknown as { listenerCount(topic: string): number };
    (this as unknown as { _emit: typeof emit })._emit = (topic, data) => (events.listenerCount(topic) === 0 ? NO_LISTENER : emit(topic, data));
  }

  get host(): FevmHost {
    if (!this.hostRef) throw new Error('the EVM has no host');
    return this.hostRef;
  }

  set host(host: FevmHost) {
    this.hostRef = host;
  }

  /** Where the top-level deployment being run goes, when the EAM chose it rather than CREATE's rule. */
  createAddress: Uint8Array | undefined;

  /** The gas argument of the CALL now reaching a precompile: only call_actor's send limit (fvm.rs:184). */
  precompileGasArgument: bigint | undefined;
  /** The gas the caller had when the CALL, STATICCALL or CREATE now sending set its callee's gas aside (flushBeforeSend). */
  callAvailable: bigint | undefined;

  /**
   * Every precompile (Ethereum's, the Filecoin ones, the empty 0x0a) sits at a reserved address:
   * any other address has none, found without the hex key @ethereumjs makes for its lookup (asked
   * for every frame's code).
   */
  override getPrecompile(address: Address | PrefixedHexString): PrecompileFunc | undefined {
    if (typeof address !== 'string' && !isReservedPrecompileAddress(address.bytes)) return undefined;
    return super.getPrecompile(address);
  }

  /** Opcodes whose handlers return no promise (see runSynchronously). */
  private synchronous: ReadonlySet<number> | undefined;

  /**
   * @ethereumjs marks every custom opcode async, so that each step of the interpreter awaits its
   * handler; FEVM's table rebuilds them all (fevmOpcodes), so without this every instruction pays a
   * microtask it does not need. These keep their handler's own mark.
   */
  runSynchronously(opcodes: ReadonlySet<number>): void {
    this.synchronous = opcodes;
    this.markSynchronous();
    // Analyses hold the opcode table's entries (code-analysis.ts).
    reuseCodeAnalysis(this);
  }

  /** Rebuilds the opcode table (a hardfork change would): the marks again, and new code analyses. */
  override getActiveOpcodes(): ReturnType<EVM['getActiveOpcodes']> {
    const list = super.getActiveOpcodes();
    // EVM's constructor calls it too, before this class's fields exist.
    if (this.synchronous) this.markSynchronous();
    reuseCodeAnalysis(this);
    return list;
  }

  private markSynchronous(): void {
    const synchronous = this.synchronous!;
    this._opcodeMap = this._opcodeMap.map((entry) =>
      synchronous.has(entry.opcodeInfo.code) && entry.opcodeInfo.isAsync ? { ...entry, opcodeInfo: withoutAwait(entry.opcodeInfo) } : entry,
    );
  }

  /**
   * Each frame's run; the first one's interpreter lets later frames reuse code analyses
   * (code-analysis.ts), run on the loop that awaits only what must be (interpreter-loop.ts), and
   * run without the copies nothing reads (call-frame.ts).
   */
  protected override runInterpreter(...args: Parameters<EVM['runInterpreter']>): Promise<ExecResult> {
    const constructing = this.constructing;
    if (constructing && args[0].to?.equals(constructing)) {
      // The constructor's frame: the EAM's Exec4 made the actor an EVM actor (empty bytecode) before
      // it runs (builtin-actors actors/evm/src/lib.rs initialize_evm_contract), so that what it does
      // as a contract (SELFDESTRUCT: the ForceSend helper) works; its code is set once it returns.
      this.constructing = undefined;
      return this.stateManager.putCode(constructing, EMPTY).then(() => this.runInterpreter(...args));
    }
    const gasLimit = args[0].gasLimit;
    // Not async: the frame's promise is handed on (an async function's frame a call, for nothing).
    if (canRunFrame(this)) return runFrame(this, ...args).then((result) => abortCostsWhatRan(gasLimit, result));
    return this.runFirstInterpreters(args);
  }

  /** @ethereumjs's own runInterpreter, where runFrame cannot run; the first frame's shows the classes runFrame uses (call-frame.ts). */
  private async runFirstInterpreters(args: Parameters<EVM['runInterpreter']>): Promise<ExecResult> {
    const result = await super.runInterpreter(...args);
    if (result.runState) {
      patchInterpreter(result.runState.interpreter);
      patchRunLoop(result.runState.interpreter);
      learnInterpreter(result.runState.interpreter);
    }
    return abortCostsWhatRan(args[0].gasLimit, result);
  }

  protected override async _generateAddress(message: Message): Promise<Address> {
    if (message.depth === 0 && this.createAddress) return new Address(this.createAddress);
    return super._generateAddress(message);
  }

  /** The innermost message being run (for a precompile: the message that called it). */
  get currentFrame(): Message | undefined {
    return this.frames[this.frames.length - 1];
  }

  /** The EVM actor invocations running (contract frames, not precompiles), innermost last. */
  private readonly invocations: Invocation[] = [];
  /** Messages the executor sent (call_actor invoking a contract): their send is charged there. */
  private readonly sentByHost = new WeakSet<Message>();

  /** The innermost EVM actor invocation: the contract whose storage SLOAD and SSTORE reach. */
  get currentInvocation(): Invocation | undefined {
    return this.invocations[this.invocations.length - 1];
  }

  /** Runs a message the executor sent to a contract (its send charges are the executor's). */
  runSent(message: Message): Promise<EVMResult> {
    this.sentByHost.add(message);
    return this.runCall({ message });
  }

  protected override async _executeCall(message: Message & { to: Address }): Promise<EVMResult> {
    const target = message.codeAddress.bytes;
    // console.log: no actor there, so the call does nothing on FEVM; the node prints the line.
    if (equalBytes(target, CONSOLE_ADDRESS)) {
      const line = decodeConsoleLog(message.data);
      if (line !== undefined) this.host.consoleLog(line);
      return success();
    }
    // Reserved addresses go to the precompiles (one that is missing runs no code and succeeds).
    if (isReservedPrecompileAddress(target)) return this.chargedPrecompile(message);
    // Through the state adapter, which keeps it for the frame's own reads of the same address (executeCall, runFrame).
    const adapter = this.stateManager as EvmStateAdapter;
    const actor = adapter.actorOf(target);
    const sends = message.depth > 0 && !this.sentByHost.has(message);
    if (isMaskedId(target)) {
      // A builtin actor does not handle InvokeContract (USR_UNHANDLED_MESSAGE), nor is it
      // DELEGATECALL-able: the CALL returns 0. A multisig's fallback takes any exported method
      // (FIP-0062): the CALL pays it as it pays an account.
      const accepts = actor && (ACCOUNT_KINDS.has(actor.kind) || actor.kind === 'evm' || (!message.delegatecall && builtinActor(actor.kind)?.acceptsExported));
      // A CALL whose send fails (no actor, or a builtin that refuses) has flushed its caller first,
      // out of the caller's own gas after the callee's 63/64 was set aside, as any send (flushBeforeSend).
      let flush = 0;
      if (!accepts && sends && !message.delegatecall) {
        const available = this.callAvailable;
        this.callAvailable = undefined;
        const flushed = this.flushBeforeSend(message, available, callParamsPutGas(message.data.length));
        if (flushed === undefined) return callerOutOfGas(available!);
        flush = flushed;
      }
      // ref-fvm: NotFound. call.rs walks away with success, and no value moves; a DELEGATECALL
      // has paid get_contract_type (with the opcode), a CALL its send's lookup.
      if (!actor) {
        const gas = !message.delegatecall && sends ? this.sendToMissingIdGas(target) : 0;
        return chargedToCaller(await this.charged(message, gas, undefined, async () => success(), () => 0, false), flush);
      }
      if (!accepts) return chargedToCaller(this.refusedByBuiltin(message, actor), flush);
      // An EVM actor named by its ID runs as itself, at its f410 address.
      const eth = actor.delegated?.ethAddress;
      if (!message.delegatecall && eth) message.to = new Address(eth);
    } else if (!actor && message.isStatic && !message.delegatecall) {
      // Creating the Placeholder is not allowed read-only (ReadOnly): call.rs walks away with success.
      return success();
    }

    const contract = actor?.kind === 'evm' && actor.evm && !actor.evm.dead ? actor : undefined;
    let before = 0;
    // Outside the send: the caller's flush (System::send_raw, the caller's own gas: flushBeforeSend;
    // a DELEGATECALL's, with the target's type and its GetBytecode, came with the opcode:
    // delegateCallGas); a failed send forgets only what it accessed itself.
    let flush = 0;
    // A CALL's input is its send's params, one IPLD_RAW block the caller puts (callParamsPutGas):
    // over 1 MiB block_create fails (LimitExceeded), the send does not start and the CALL returns 0
    // (call.rs call_generic).
    const tooLarge = sends && !message.delegatecall && message.data.length > MAX_BLOCK_SIZE;
    if (message.delegatecall) before += contract ? SEND_SYSCALL : 0;
    else if (sends) {
      const available = this.callAvailable;
      this.callAvailable = undefined;
      const flushed = this.flushBeforeSend(message, available, tooLarge ? HOST_CALL : callParamsPutGas(message.data.length));
      if (flushed === undefined) return callerOutOfGas(available!);
      flush = flushed;
    }
    if (tooLarge) return chargedToCaller(refused(message.gasLimit, before), flush);
    // A DELEGATECALL's is DelegateCallParams, put with the opcode (delegateCallGas): its send fails
    // the same way, and DELEGATECALL returns 0.
    const delegateParams = message.delegatecall && contract ? delegateParamsSize(message.data.length, message.value) : 0;
    if (delegateParams > MAX_BLOCK_SIZE) return refused(message.gasLimit, before);
    // The caller's state root as the send starts (after its flush): a reload after it loads it again if it moved.
    const caller = sends ? this.currentInvocation : undefined;
    const callerRoot = caller && this.rootWrites.get(caller.actorId);
    const mark = this.host.access.mark();
    if (sends && !message.delegatecall) {
      before += this.sendSyscallGas(message, actor, true);
      if (!contract) before += codelessInvocationGas(actor);
      // The receiver's trampoline reads the params; a new f410's Placeholder does not.
      if (actor && actor.kind !== 'placeholder') before += paramsReadGas(message.data.length);
    } else if (!sends && actor?.evm?.dead) {
      // The executor's send invoked a dead contract: it loads its state and finds the tombstone.
      before += evmStateReadGas();
    }
    // A message's or call_actor's params reach a contract as a CBOR byte string; a DELEGATECALL's
    // callee reads DelegateCallParams.
    if (!sends && actor?.kind === 'evm' && message.data.length > 0) before += paramsReadGas(cborBytesSize(message.data.length));
    if (delegateParams > 0) before += paramsReadGas(delegateParams);
    const runner = message.delegatecall ? adapter.actorOf(message.to.bytes) : contract;
    const invocation = contract && runner ? newInvocation(runner.id, message.to.bytes) : undefined;
    // A message's first frame: the transient storage an earlier message's flushes named is not this
    // one's (its lifespan differs: System::load starts an empty KAMT), before this load is priced.
    if (this.frames.length === 0 && this.transientRoots.size > 0) this.transientRoots.clear();
    if (invocation) before += evmLoadGas(contract!.evm!.bytecode.length, rootOf(storageShapeOf(runner))) + this.transientLoadGas(invocation.actorId);
    const run = () => (canExecuteCall(this) ? executeCall(this, message) : super._executeCall(message));
    const result = this.forgetIfFailed(mark, resultInOneBlock(await this.charged(message, before, invocation, run, () => (invocation ? this.flushGas(invocation, invocation.stateChanged) : 0), true)));
    // The caller's reload once its send succeeded, out of what it kept back (System::send_raw); a
    // DELEGATECALL sends only to a contract.
    const reload = sends && (contract || !message.delegatecall) && !result.execResult.exceptionError ? this.reloadGas(caller !== undefined && this.rootWrites.get(caller.actorId) !== callerRoot) : 0;
    // The caller reads what a contract returned or reverted with (frameEnd put it).
    const read = sends && invocation && endsWithData(result.execResult, true) ? returnReadGas(cborBytesSize(result.execResult.returnValue.length)) : 0;
    return chargedToCaller(result, flush + reload + read);
  }

  /**
   * A CALL's, STATICCALL's or CREATE's flush of the calling contract (System::send_raw; `always`: a
   * CREATE's nonce moved), and then `params`, its send's params block put (sdk send), which
   * builtin-actors makes after setting the callee's gas aside (call.rs System::call_gas_limit,
   * lifecycle.rs create_common: 63/64 of what the caller had) and charges to the caller: the callee
   * then gets no more than the caller has left after them (ref-fvm call manager push_limit).
   * Undefined when the caller cannot pay them.
   */
  private flushBeforeSend(message: Message, available: bigint | undefined, params: number, always = false): number | undefined {
    const charged = this.flushCallerGas(always) + params;
    if (charged === 0 || available === undefined) return charged;
    const left = available - BigInt(charged);
    if (left < 0n) return undefined;
    if (message.gasLimit > left) message.gasLimit = left;
    return charged;
  }

  /**
   * System::reload in the calling contract after a send that succeeded: nothing in a read-only frame,
   * else get_root, and the state loaded again when its root `moved` (a frame of the same actor
   * flushed during the send: a DELEGATECALL's callee, or a call back into it).
   */
  private reloadGas(moved: boolean): number {
    const caller = this.currentInvocation;
    if (!caller || this.currentFrame?.isStatic) return 0;
    // A KAMT loaded again from its new root has none of its nodes open (ref-fvm Kamt::set_root).
    if (moved) caller.opened.clear();
    return evmReloadGas(moved ? this.rootOf(caller) : undefined) + (moved ? this.transientLoadGas(caller.actorId) : 0);
  }

  /** Per actor, how many times a frame of it set its state root in the running message. */
  private readonly rootWrites = new Map<number, number>();
  /**
   * Per actor, the transient storage KAMT its state names, written by a flush in the running message
   * (TransientData of this message's lifespan): a later load of it in the message opens that root.
   */
  private readonly transientRoots = new Map<number, KamtNode>();

  /** Loading `actorId`'s state when it names transient storage of the running message (System::load). */
  private transientLoadGas(actorId: number): number {
    if (this.transientRoots.size === 0) return 0;
    const root = this.transientRoots.get(actorId);
    return root ? transientLoadGas(root) : 0;
  }

  /** The KAMT of the contract whose storage `invocation` runs on, as it is now. */
  private rootOf(invocation: Invocation): KamtNode {
    return rootOf(storageShapeOf(resolveEthAddress(this.host.state, invocation.storage)));
  }

  /**
   * A builtin actor named by its masked ID (call.rs): after the caller's flush, the FVM looks the
   * actor up, moves the value and invokes it, and it refuses InvokeContract: the send's accesses are
   * forgotten. A DELEGATECALL only learns its type (get_contract_type) and sends nothing.
   */
  private refusedByBuiltin(message: Message, actor: Actor): EVMResult {
    // A DELEGATECALL paid get_contract_type with the opcode.
    if (message.delegatecall) return refused(message.gasLimit, 0);
    const { access } = this.host;
    const mark = access.mark();
    // Its trampoline reads the params before it finds no such method.
    const gas = this.sendSyscallGas(message, actor, true) + refusedMethodGas(actor.kind, message.data.length);
    access.revertTo(mark);
    return refused(message.gasLimit, gas);
  }

  /**
   * A CALL to a masked ID with no actor: after the caller's flush, the send syscall looks the ID up
   * (ref-fvm call_actor_resolved) and fails NotFound, forgetting the lookup.
   */
  private sendToMissingIdGas(target: Uint8Array): number {
    const { access } = this.host;
    const id = maskedId(target);
    const gas = HOST_CALL;
    const mark = access.mark();
    const lookup = id === undefined ? ACTOR_LOOKUP : access.read(id);
    access.revertTo(mark);
    return gas + lookup;
  }

  /** A send that failed forgets the actors it accessed: they are charged again (ref-fvm with_transaction). */
  private forgetIfFailed(mark: number, result: EVMResult): EVMResult {
    if (result.execResult.exceptionError) this.host.access.revertTo(mark);
    return result;
  }

  protected override async _executeCreate(message: Message): Promise<EVMResult> {
    const fromContract = message.depth > 0;
    // CREATE bumps the contract's nonce, so it always flushes its state before the send
    // (builtin-actors instructions/lifecycle.rs create_common, System::increment_nonce), on its own
    // gas after the EAM's 63/64 is set aside (flushBeforeSend).
    let flush = 0;
    if (fromContract) {
      const available = this.callAvailable;
      this.callAvailable = undefined;
      const flushed = this.flushBeforeSend(message, available, 0, true);
      if (flushed === undefined) return callerOutOfGas(available!);
      flush = flushed;
    }
    let before = 0;
    // The part of `before` and of the way back that the EAM's own frame is charged (withEamCharges).
    let eam = 0;
    const { access, state } = this.host;
    const mark = access.mark();
    // A contract's CREATE sends the value to the EAM (its own update paid by the flush); a
    // message's send is the executor's.
    if (fromContract && message.value > 0n) {
      before += SEND_TRANSFER_FUNDS;
      eam += SEND_TRANSFER_FUNDS;
    }
    // The EAM creates over nothing, a Placeholder or a dead contract; @ethereumjs sees any other
    // actor there as a collision (nonce or code) and pushes 0.
    const created = await this._generateAddress(message);
    // The initcode's way to the EAM and the EAM's hashes, whatever it finds at the address.
    const initcode = message.data.length;
    const createNonce = message.salt ? 0n : ((await this.stateManager.getAccount(message.caller))?.nonce ?? 1n) - 1n;
    const nonce = createNonce > 0n ? createNonce : 0n;
    before += eamEntryGas(fromContract, message.salt !== undefined, initcode, nonce);
    eam += eamOwnEntryGas(fromContract, message.salt !== undefined, initcode, nonce);
    // A message from an f1/f3 account (the EAM chose the address, createAddress): its key asked for and hashed.
    const native = !fromContract && this.createAddress !== undefined;
    if (native) {
      const keyBytes = resolveEthAddress(state, message.caller.bytes)?.robust?.bytes.length ?? 21;
      before += nativeDeployerGas(keyBytes);
      eam += eamOwnNativeDeployerGas(keyBytes);
    }
    const occupant = resolveEthAddress(state, created.bytes);
    if (occupant && occupant.kind !== 'placeholder' && !occupant.evm?.dead) {
      const [lookup, resurrect] = [access.read(occupant.id), occupant.kind === 'evm'];
      before += refusedCreationGas(fromContract, lookup, resurrect, native) + (resurrect ? resurrectParamsGas(initcode) : 0);
      eam += eamOwnRefusalGas(fromContract, lookup, resurrect, native) + (resurrect ? resurrectParamsPutGas(initcode) : 0);
      const refused = async () => collisionCostsWhatRan(await super._executeCreate(message));
      return chargedToCaller(withEamCharges(this.forgetIfFailed(mark, await this.charged(message, before, undefined, refused, () => 0, false)), eam), flush);
    }
    if (occupant?.evm?.dead) {
      // The EAM sends Resurrect (and the value) to the dead contract itself.
      const lookup = access.read(occupant.id);
      before += resurrectionGas(fromContract, lookup, access.write(occupant.id), native) + resurrectParamsGas(initcode);
      eam += eamOwnRefusalGas(fromContract, lookup, true, native) + resurrectParamsPutGas(initcode);
      if (message.value > 0n) before += SEND_TRANSFER_FUNDS;
    } else {
      // The EAM sends to Init's Exec4, which sends to the new actor, the value going along.
      const placeholder = occupant ? { read: access.read(occupant.id), write: access.write(occupant.id) } : undefined;
      before += contractCreationGas(fromContract, placeholder, native) + exec4ParamsGas(initcode);
      eam += eamOwnCreationGas(fromContract, placeholder?.read, native) + exec4ParamsPutGas(initcode);
      if (message.value > 0n) before += 2 * SEND_TRANSFER_FUNDS;
    }
    // The constructor's storage is new; its actor's lookup and update are paid above.
    const invocation = newInvocation(-1, created.bytes);
    invocation.fresh = true;
    // Through Init's Exec4 (a new actor or a placeholder), else the EAM's Resurrect.
    const viaInit = !occupant?.evm?.dead;
    // The EAM's Return put on the way back, once the constructor succeeded (its part of creationReturnGas).
    let eamReturn = 0;
    const run = async () => {
      // runInterpreter makes the actor an EVM actor as the constructor starts.
      this.constructing = created;
      let result: EVMResult;
      try {
        result = rejectBytecode(await super._executeCreate(message));
      } finally {
        this.constructing = undefined;
      }
      // Empty initcode runs no constructor (builtin-actors only flushes the state): the EVM actor with
      // empty bytecode is made here; @ethereumjs deploys only code that is not empty.
      if (!result.execResult.exceptionError && !resolveEthAddress(this.host.state, created.bytes)?.evm) await this.stateManager.putCode(created, EMPTY);
      return result;
    };
    const result = await this.charged(
      message,
      before,
      invocation,
      run,
      (result) => {
        const code = result.execResult.returnValue.length;
        const id = resolveEthAddress(this.host.state, created.bytes)?.id ?? 0;
        eamReturn = eamOwnReturnGas(id, viaInit);
        const returned = creationReturnGas(fromContract, id, viaInit);
        return bytecodeStoreGas(code) + (invocation.changed.size > 0 ? evmFlushGas(this.rootOf(invocation), invocation.changed, 0) : 0) + returned;
      },
      false,
    );
    const ended = creationFailed(result, message.gasLimit, viaInit);
    const endedBy = ended.execResult.exceptionError?.error;
    // The EAM's way back: its Return put, or a failed constructor's end passed on (running out of gas ends where it stands).
    // Ending without an error means `charged` ran its `after` above, which set eamReturn.
    if (endedBy === undefined) eam += eamReturn;
    else if (endedBy !== EVMError.errorMessages.OUT_OF_GAS) eam += eamOwnFailureGas(endedBy === EVMError.errorMessages.REVERT ? ended.execResult.returnValue.length : undefined);
    return chargedToCaller(withEamCharges(this.forgetIfFailed(mark, ended), eam), flush + creatorReadGas(result, fromContract));
  }

  /**
   * Runs a frame with FVM charges around it: `before` (sends, loads) out of the frame's gas, `after`
   * (the flush) once it succeeded, and a contract's end (frameEndGas: its revert data, and with
   * `returnsData` its return data, InvokeContract's; a constructor returns none); a frame that
   * cannot pay them runs out of gas.
   */
  private async charged(
    message: Message,
    before: number,
    invocation: Invocation | undefined,
    run: () => Promise<EVMResult>,
    after: (result: EVMResult) => number,
    returnsData: boolean,
  ): Promise<EVMResult> {
    const gasLimit = message.gasLimit;
    if (BigInt(before) > gasLimit) return outOfGas(gasLimit);
    message.gasLimit = gasLimit - BigInt(before);
    // A message's first frame: the state roots its contracts set are counted afresh.
    // Cleared only when filled: clearing even an empty Map calls into V8's runtime.
    if (this.frames.length === 0 && this.rootWrites.size > 0) this.rootWrites.clear();
    // Likewise the transient roots (also at _executeCall's load, which comes before this).
    if (this.frames.length === 0 && this.transientRoots.size > 0) this.transientRoots.clear();
    this.frames.push(message);
    if (invocation) this.invocations.push(invocation);
    let result: EVMResult;
    try {
      result = await run();
    } finally {
      if (invocation) this.invocations.pop();
      this.frames.pop();
      message.gasLimit = gasLimit;
    }
    const exec = result.execResult;
    const end = invocation ? frameEnd(exec, returnsData) : 0;
    const used = exec.executionGasUsed + BigInt(before + end + (exec.exceptionError ? 0 : after(result)));
    if (used > gasLimit) return { ...result, execResult: { ...exec, ...outOfGas(gasLimit).execResult } };
    exec.executionGasUsed = used;
    return result;
  }

  /**
   * A precompile call: Ethereum precompiles cost what their syscalls or their Wasm work cost on the
   * FVM. It runs inside the calling actor on the caller's gas (callGasFunction): a cost above what
   * the caller has left makes the interpreter's useGas trap, so the calling frame runs out of gas, as
   * the actor does when a syscall's charge exhausts it.
   */
  private async chargedPrecompile(message: Message): Promise<EVMResult> {
    // The f410 the value goes to, as it was before the send.
    const receiver = message.value > 0n ? resolveEthAddress(this.host.state, message.codeAddress.bytes) : undefined;
    this.frames.push(message);
    let result: EVMResult;
    try {
      result = await super._executeCall(message as Message & { to: Address });
    } finally {
      this.frames.pop();
      this.precompileGasArgument = undefined;
    }
    const target = message.codeAddress.bytes;
    const exec = result.execResult;
    let gas = exec.executionGasUsed;
    // A refused input fails the CALL with the little work done, not the gas it had (call.rs:187-193).
    if (target[0] === 0) gas = BigInt(ethPrecompileGas((target[18] << 8) | target[19], message.data, exec.returnValue, exec.exceptionError ? 0n : gas));
    // Value goes to the precompile's f410 by a send once it succeeded (precompiles/mod.rs:128-133, System::transfer: no flush).
    if (message.value > 0n && !message.delegatecall && !exec.exceptionError) gas += BigInt(this.sendSyscallGas(message, receiver, false));
    // A top-level message has no caller to run out: it does.
    if (message.depth === 0 && gas > message.gasLimit) return outOfGas(message.gasLimit);
    exec.executionGasUsed = gas;
    return result;
  }

  /**
   * What a DELEGATECALL to `eth` costs its caller before the callee's gas is set aside
   * (builtin-actors instructions/call.rs:259-284, the gas limit taken after): get_contract_type
   * learns the target's type, and a contract is asked for its bytecode (GetBytecode, with the
   * caller's flush). The caller then sends InvokeContractDelegate to itself (a dead contract has no
   * code, and anything else is not sent to): System::call_gas_limit asks for the gas left (a
   * syscall) and the send puts DelegateCallParams, with the `input` bytes and the frame's `value`
   * (its callee reads them: _executeCall).
   */
  delegateCallGas(eth: Uint8Array, input: number, value: bigint): number {
    const target = resolveEthAddress(this.host.state, eth);
    const gas = this.contractTypeGas(eth, target);
    if (target?.kind !== 'evm') return gas;
    const sends = target.evm && !target.evm.dead ? HOST_CALL + delegateParamsPutGas(delegateParamsSize(input, value)) : 0;
    return gas + this.getBytecodeGas(target, EVM_GET_BYTECODE, false) + sends;
  }

  /**
   * builtin-actors ext.rs get_contract_type at a non-precompile address `eth` (actor `target`):
   * actorReadGas's syscalls (get_actor_code_cid), then get_builtin_actor_type's if there is one.
   */
  contractTypeGas(eth: Uint8Array, target: Actor | undefined): number {
    return this.actorReadGas(eth, target) + (target ? HOST_CALL : 0);
  }

  /**
   * Reading actor `target` at `eth` through the runtime: resolve_address (a syscall unless a masked
   * ID; nothing more if it finds nothing), then one syscall that gets the actor and charges its
   * lookup, found or not (ref-fvm get_actor: get_actor_code_cid, balance_of).
   */
  actorReadGas(eth: Uint8Array, target: Actor | undefined): number {
    const masked = isMaskedId(eth);
    if (!masked && !target) return HOST_CALL;
    const id = target?.id ?? maskedId(eth);
    return (masked ? 0 : HOST_CALL) + HOST_CALL + (id === undefined ? ACTOR_LOOKUP : this.host.access.read(id));
  }

  /**
   * Asking contract `target` for its bytecode (GetBytecode, GetBytecodeHash: a read-only send, the
   * caller flushing first and reading its state root after), and with `readCode` reading the code's
   * block (ext.rs get_evm_bytecode).
   */
  getBytecodeGas(target: Actor, method: typeof EVM_GET_BYTECODE | typeof EVM_GET_BYTECODE_HASH, readCode: boolean): number {
    const dead = target.evm?.dead === true;
    const code = readCode && !dead ? bytecodeReadGas(target.evm?.bytecode.length ?? 0) : 0;
    const reload = this.currentInvocation && !this.currentFrame?.isStatic ? evmReloadGas(undefined) : 0;
    // Its answer comes back as a block: a CID (or nothing) for GetBytecode, a hash for GetBytecodeHash.
    const hashOnly = method === EVM_GET_BYTECODE_HASH;
    const send = HOST_CALL + codeSendOwnGas(target, method) + returnReadGas(bytecodeSendReturnSize(hashOnly, dead));
    return this.flushCallerGas() + send + reload + code;
  }

  /**
   * Tells a tracer, if one listens, of the send asking `target` for its code (a send the FVM traces),
   * with the gas it uses in its own frame (part of getBytecodeGas).
   */
  tellCodeRead(target: Actor, method: typeof EVM_GET_BYTECODE | typeof EVM_GET_BYTECODE_HASH): void {
    const events = this.events as unknown as { listenerCount(topic: string): number; emit(topic: string, data: unknown): boolean };
    if (events.listenerCount(CODE_READ) > 0) events.emit(CODE_READ, { target, method, gasUsed: codeSendOwnGas(target, method) });
  }

  /**
   * SELFDESTRUCT (builtin-actors instructions/lifecycle.rs selfdestruct): the balance sent to the
   * beneficiary with METHOD_SEND (the send syscall with no flush first and no invocation; a
   * Placeholder made for an unknown f410), then the tombstone written, flushed when the frame returns.
   */
  selfDestructGas(beneficiary: Uint8Array, self: Uint8Array): number {
    const { state, access } = this.host;
    const receiver = resolveEthAddress(state, beneficiary);
    let gas = HOST_CALL;
    if (receiver) gas += access.read(receiver.id);
    else if (!isMaskedId(beneficiary)) gas += actorCreatedGas(true);
    const contract = resolveEthAddress(state, self);
    if (contract && contract.balance > 0n) {
      gas += SEND_TRANSFER_FUNDS;
      // A transfer to itself moves nothing (ref-fvm DefaultCallManager::transfer).
      if (receiver?.id !== contract.id) gas += access.write(contract.id) + (receiver ? access.write(receiver.id) : 0);
    }
    const invocation = this.currentInvocation;
    if (invocation) invocation.stateChanged = true;
    return gas;
  }

  /**
   * The FVM's send: the receiver looked up (or a Placeholder created), the value moved, and with
   * `invokes` a method invoked; METHOD_SEND invokes none (ref-fvm call_actor_resolved).
   */
  private sendSyscallGas(message: Message, receiver: Actor | undefined, invokes: boolean): number {
    const { access } = this.host;
    let gas = invokes ? SEND_SYSCALL : HOST_CALL;
    if (receiver) gas += access.read(receiver.id);
    else gas += actorCreatedGas(true);
    if (message.value > 0n) {
      const caller = resolveEthAddress(this.host.state, message.caller.bytes);
      gas += SEND_TRANSFER_FUNDS + (caller ? access.write(caller.id) : 0) + (receiver ? access.write(receiver.id) : 0);
    }
    return gas;
  }

  /**
   * The running contract writes its changed storage before it sends (System::send_raw); `always`:
   * its state changed anyway (a CREATE's nonce).
   */
  flushCallerGas(always = false): number {
    const caller = this.currentInvocation;
    return caller && (always || caller.fresh || caller.changed.size > 0 || caller.transientChanged) ? this.flushGas(caller, always) : 0;
  }

  private flushGas(invocation: Invocation, always = false): number {
    const { fresh } = invocation;
    const stored = invocation.changed.size > 0;
    if (!stored && !always && !fresh && !invocation.transientChanged) return 0;
    const actorUpdate = invocation.actorId < 0 ? 0 : this.host.access.write(invocation.actorId);
    let gas = stored || fresh ? evmFlushGas(this.rootOf(invocation), invocation.changed, actorUpdate) : evmStateFlushGas(actorUpdate);
    // Transient storage this message changed or carries: it changes only through TSTORE, which sets
    // transientChanged, and the flush of that invocation records it (transientRoots).
    if (invocation.transientChanged || (this.transientRoots.size > 0 && this.transientRoots.has(invocation.actorId))) gas += this.transientFlushGas(invocation);
    // A constructor's state (System::new) was never written: its first flush puts the new KAMT's
    // root and set_bytecode(&[])'s empty code too (system.rs flush).
    if (fresh) gas += bytecodeStoreGas(0);
    invocation.fresh = false;
    invocation.changed.clear();
    invocation.stateChanged = false;
    invocation.transientChanged = false;
    if (invocation.actorId >= 0) this.rootWrites.set(invocation.actorId, (this.rootWrites.get(invocation.actorId) ?? 0) + 1);
    return gas;
  }

  /**
   * A TSTORE about to run in the current invocation: one that changes the value makes its state dirty,
   * and the transient KAMT as it will then be is noted (transientAfter).
   */
  notedTransientStore(slot: bigint, value: bigint): void {
    const invocation = this.currentInvocation;
    if (!invocation) return;
    const key = padStart(bigintToBytes(slot), 32);
    if (bytesToBigint(this.transientStorage.get(new Address(invocation.storage), key)) === value) return;
    invocation.transientChanged = true;
    invocation.transientAfter = transientRootOf(this, invocation.storage, bytesToHex(key), value);
  }

  /** What the contract's transient storage adds to this flush (transientFlushGas); what its state then names is kept for its later loads. */
  private transientFlushGas(invocation: Invocation): number {
    // A message's last flush comes after @ethereumjs emptied transient storage (postMessageCleanup):
    // then what its TSTOREs left, or what an earlier flush in the message wrote.
    const ended = this.frames.length === 0;
    const root = !ended ? transientRootOf(this, invocation.storage) : invocation.transientChanged ? invocation.transientAfter : this.transientRoots.get(invocation.actorId);
    if (invocation.actorId >= 0) {
      if (root) this.transientRoots.set(invocation.actorId, root);
      else this.transientRoots.delete(invocation.actorId);
    }
    return transientFlushGas(root, invocation.transientChanged === true);
  }
}

/**
 * The transient storage of the contract at `storage` in the running message as a KAMT root, with
 * `slot` (its key's hex) set to `value` if given; undefined while it holds no value.
 */
function transientRootOf(evm: FevmEvm, storage: Uint8Array, slot?: string, value?: bigint): KamtNode | undefined {
  // @ethereumjs's TransientStorage lists slots only through toJSON (every contract's, as hex): its
  // private map of this contract is read instead, as it is on each TSTORE that changes a value.
  const slots = (evm.transientStorage as unknown as { _storage: Map<string, Map<string, Uint8Array>> })._storage.get(bytesToHex(storage));
  let root = EMPTY_KAMT;
  for (const [key, stored] of slots ?? []) if (key !== slot) root = withSlot(root, BigInt(key), 0n, bytesToBigint(stored));
  if (slot !== undefined && value !== undefined) root = withSlot(root, BigInt(slot), 0n, value);
  return root.bitfield !== 0 ? root : undefined;
}

/**
 * What one EVM actor invocation has done to its storage KAMT: nodes opened, slots changed. Every
 * field is set from the start (newInvocation), so that all invocations share one V8 map: fields
 * added as a frame goes (a transaction's SSTORE and flush) gave a call's invocation, which adds
 * none, another map, and the code the transactions had optimized deoptimized at the first eth_call.
 */
interface Invocation {
  /** The actor whose state it flushes (-1: a constructor, whose actor was just created). */
  actorId: number;
  /** The Ethereum address of the contract whose storage it runs on (its actor carries the KAMT's shape: kamt-shape.ts). */
  storage: Uint8Array;
  /** The KAMT nodes below the root it has open (kamt-shape.ts walk's ids). */
  opened: Set<bigint>;
  /** The slots changed since the last flush: the nodes on the way to them are written. */
  changed: Set<bigint>;
  /** The slot its last changing SSTORE wrote: a node that write made is open (openSlotNodes). */
  written: bigint | undefined;
  /** The state block changed besides storage (a tombstone): the frame's end flushes it. */
  stateChanged: boolean;
  /** A constructor's state, never flushed yet: its first send flushes it whole. */
  fresh: boolean;
  /** A TSTORE changed a value since the last flush (System::set_transient_storage makes the state dirty). */
  transientChanged: boolean;
  /** The contract's transient KAMT as the last TSTORE that changed it left it (notedTransientStore). */
  transientAfter: KamtNode | undefined;
  /** PREVRANDAO drew the epoch's randomness (System::get_randomness caches it for the invocation). */
  randomnessDrawn: boolean;
  /** The network context was read (its syscall made once an invocation). */
  networkContextRead: boolean;
}

/** The network context's syscall, on the invocation's first read of it. */
function networkContextGas(_rs: RunState, evm: FevmEvm): number {
  const invocation = evm.currentInvocation;
  if (invocation?.networkContextRead) return 0;
  if (invocation) invocation.networkContextRead = true;
  return HOST_CALL;
}

/**
 * What a frame's result counts that its caller spent after it returned (the reload): the caller pays
 * it from the gas it kept back (the interpreter takes executionGasUsed from the caller), and a trace
 * leaves it out of the callee's gas.
 */
export const callerCharges = new WeakMap<ExecResult, number>();

/**
 * Of a CREATE's or a deployment's gas, what the EAM's own frame was charged, without its sends (Init's
 * Exec4 and the constructor, Resurrect, a native deployer's PubkeyAddress): the gasUsed Lotus's
 * trace_* reports for a create (node/impl/eth/trace.go traceEthCreate, the EAM frame's SumGas).
 */
export const eamCharges = new WeakMap<ExecResult, number>();

function withEamCharges(result: EVMResult, gas: number): EVMResult {
  eamCharges.set(result.execResult, gas);
  return result;
}

function newInvocation(actorId: number, storage: Uint8Array): Invocation {
  return {
    actorId,
    storage,
    opened: new Set(),
    changed: new Set(),
    written: undefined,
    stateChanged: false,
    fresh: false,
    transientChanged: false,
    transientAfter: undefined,
    randomnessDrawn: false,
    networkContextRead: false,
  };
}

type OpcodeInfo = FevmEvm['_opcodeMap'][number]['opcodeInfo'];

/** A copy of a (frozen) opcode description that the interpreter runs without awaiting its handler. */
function withoutAwait(info: OpcodeInfo): OpcodeInfo {
  return Object.freeze(Object.assign(Object.create(Object.getPrototypeOf(info) as object) as OpcodeInfo, info, { isAsync: false }));
}

/** The largest code a contract can have (builtin-actors system.rs MAX_CODE_SIZE). */
const MAX_CODE_SIZE = 24 << 10;

/** A constructor's code the EVM actor refuses, with builtin-actors' words for why (its abort message). */
export class RefusedBytecode extends EVMError {
  constructor(
    error: EVMErrorType,
    readonly reason: string,
  ) {
    super(error);
  }
}

/**
 * The EVM actor's checks of a constructor's code (system.rs set_bytecode): over 24 KiB or starting
 * with 0xEF (EIP-3541) fails the deployment with the gas used so far; @ethereumjs's take the whole
 * gas limit. The failure undoes the code @ethereumjs stored.
 */
function rejectBytecode(result: EVMResult): EVMResult {
  const exec = result.execResult;
  const code = exec.returnValue;
  if (exec.exceptionError || (code.length <= MAX_CODE_SIZE && code[0] !== 0xef)) return result;
  const error =
    code.length > MAX_CODE_SIZE
      ? new RefusedBytecode(EVMError.errorMessages.CODESIZE_EXCEEDS_MAXIMUM, `EVM byte code length (${code.length}) is exceeding the maximum allowed of ${MAX_CODE_SIZE}`)
      : new RefusedBytecode(EVMError.errorMessages.INVALID_BYTECODE_RESULT, 'EIP-3541: Contract code starting with the 0xEF byte is disallowed.');
  return { ...result, execResult: { ...exec, returnValue: EMPTY, exceptionError: error } };
}

/**
 * An abort other than running out of gas (INVALID, a bad jump, a stack error, a read-only violation)
 * is the actor's exit with the gas it used (builtin-actors execution.rs:262-267 returns the error;
 * the FVM charges only what ran). @ethereumjs, as Ethereum, takes the frame's whole gas limit.
 */
function abortCostsWhatRan(gasLimit: bigint, result: ExecResult): ExecResult {
  const error = result.exceptionError?.error;
  if (error === undefined || error === EVMError.errorMessages.OUT_OF_GAS || result.gas === undefined) return result;
  result.executionGasUsed = gasLimit - result.gas;
  return result;
}

/**
 * A create onto a live contract: the EAM's Resurrect is refused (builtin-actors eam/src/lib.rs:132-152),
 * charged what ran (refusedCreationGas). @ethereumjs takes all the gas it gave.
 */
function collisionCostsWhatRan(result: EVMResult): EVMResult {
  const exec = result.execResult;
  if (exec.exceptionError?.error === EVMError.errorMessages.CREATE_COLLISION) exec.executionGasUsed = 0n;
  return result;
}

function outOfGas(gasLimit: bigint): EVMResult {
  return { execResult: { executionGasUsed: gasLimit, returnValue: EMPTY, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) } };
}

/**
 * A CALL's receiver that runs no EVM code is invoked all the same: a new f410's Placeholder, an
 * account, a multisig (its fallback), a dead contract (the EVM actor reads its state root and state
 * block before it sees the tombstone: builtin-actors evm/src/interpreter/system.rs System::load).
 */
function codelessInvocationGas(receiver: Actor | undefined): number {
  if (!receiver) return PLACEHOLDER_INVOCATION;
  return receiver.kind === 'evm' ? evmStateReadGas() : builtinInvocationGas(receiver.kind);
}

/**
 * A deployment whose constructor failed: what Init (`viaInit`: a new contract's Exec4) and the EAM
 * do passing its failure back (creationFailureGas), out of the deployment's `gasLimit`; a
 * resurrection's Resurrect goes from the EAM to the contract, and the EAM alone passes it back
 * (eamOwnFailureGas; review R58).
 */
function creationFailed(result: EVMResult, gasLimit: bigint, viaInit: boolean): EVMResult {
  const exec = result.execResult;
  const error = exec.exceptionError?.error;
  if (error === undefined || error === EVMError.errorMessages.OUT_OF_GAS) return result;
  const data = error === EVMError.errorMessages.REVERT ? exec.returnValue.length : undefined;
  const used = exec.executionGasUsed + BigInt(viaInit ? creationFailureGas(data) : eamOwnFailureGas(data));
  if (used > gasLimit) return { ...result, execResult: { ...exec, ...outOfGas(gasLimit).execResult } };
  exec.executionGasUsed = used;
  return result;
}

/** A contract's CREATE reading the revert data its failed deployment passed back (create_common takes it as RETURNDATA). */
function creatorReadGas(result: EVMResult, fromContract: boolean): number {
  const exec = result.execResult;
  return fromContract && exec.exceptionError?.error === EVMError.errorMessages.REVERT ? returnReadGas(cborBytesSize(exec.returnValue.length)) : 0;
}

/** Whether a contract frame's end puts a block: its revert data, or with `returnsData` what it returned. */
function endsWithData(exec: ExecResult, returnsData: boolean): boolean {
  const error = exec.exceptionError?.error;
  return error === undefined ? returnsData : error === EVMError.errorMessages.REVERT;
}

/** What a contract frame's end costs it (frameEndGas): its data's block if it has one, the exit syscall unless it succeeded or ran out of gas. */
function frameEnd(exec: ExecResult, returnsData: boolean): number {
  const error = exec.exceptionError?.error;
  if (error === EVMError.errorMessages.OUT_OF_GAS) return 0;
  return frameEndGas(endsWithData(exec, returnsData) ? exec.returnValue.length : undefined, error !== undefined);
}

function success(): EVMResult {
  return { execResult: { executionGasUsed: 0n, returnValue: EMPTY } };
}

/**
 * `result` with `gas` the caller spent around the send added (its flush before, its reload after): the
 * interpreter takes executionGasUsed from the caller, and a trace leaves it out of the callee's gas.
 */
function chargedToCaller(result: EVMResult, gas: number): EVMResult {
  if (gas === 0) return result;
  result.execResult.executionGasUsed += BigInt(gas);
  callerCharges.set(result.execResult, gas);
  return result;
}

/** A send whose caller, with `available` gas, cannot pay its flush: more than it has, so that the CALL runs it out of gas. */
function callerOutOfGas(available: bigint): EVMResult {
  return { execResult: { executionGasUsed: available + 1n, returnValue: EMPTY, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) } };
}

function refused(gasLimit: bigint, gasUsed: number): EVMResult {
  const gas = BigInt(gasUsed);
  return { execResult: { executionGasUsed: gas < gasLimit ? gas : gasLimit, returnValue: EMPTY, exceptionError: new EVMError(CALL_REFUSED) } };
}

/**
 * @ethereumjs asks its Common whether an EIP is active several times per instruction, and Common
 * searches a list of ~60 each time; this one answers from a set kept beside the list.
 */
class FevmCommon extends Common {
  // `declare`: the constructor of Common fills it (through the method below) before this class's own fields would.
  declare private activeEips: Set<number>;

  protected override _buildActivatedEIPsCache(): void {
    super._buildActivatedEIPsCache();
    this.activeEips = new Set(this._activatedEIPsCache);
    // Code starting with 0xEF is refused by rejectBytecode, as the EVM actor refuses it.
    this.activeEips.delete(3541);
  }

  override isActivatedEIP(eip: number): boolean {
    return this.activeEips.has(eip);
  }
}

/**
 * @ethereumjs's gas params with FVM gas's differences: no code deposit per byte (the bytecode
 * block is charged) and no CALL stipend (callGasLimit gives FEVM's).
 */
const FEVM_PARAMS = { ...paramsEVM, 1: { ...paramsEVM[1], createDataGas: 0, callStipendGas: 0 } };

/** The EVM the EVM actor runs contracts on; `host` must be set before it runs anything. */
export function createFevmEvm(chainId: bigint, stateManager: EvmStateAdapter): FevmEvm {
  // Cancun's instruction set (PUSH0, MCOPY, TLOAD/TSTORE) plus the BLS12-381 precompiles of nv27
  // and nv28's CLZ (EIP-7939, 0x1e) and P256VERIFY (EIP-7951, at 0x…0100).
  const common = new FevmCommon({ chain: { ...Mainnet, chainId: Number(chainId) }, hardfork: 'cancun', eips: [2537, 7939, 7951] });
  common.updateParams(FEVM_PARAMS);
  const { opcodes, synchronous, gasBlind, stock } = fevmOpcodes(common);
  const evm = new FevmEvm({
    common,
    // The constructor applies these to `common` again (paramsEVM when none are given).
    params: FEVM_PARAMS,
    // No EIP-3860 initcode limit in the EAM or the EVM actor (only MAX_CODE_SIZE on the code).
    allowUnlimitedInitCodeSize: true,
    // Code over 24 KiB is refused by rejectBytecode, as the EVM actor refuses it.
    allowUnlimitedContractSize: true,
    stateManager,
    blockchain: new EVMMockBlockchain(),
    bn254: new NobleBN254(),
    customOpcodes: opcodes,
    customPrecompiles: [
      // No point evaluation (EIP-4844) on FEVM.
      { address: '0x000000000000000000000000000000000000000a' },
      ...FILECOIN_PRECOMPILES.map((entry) => ({ address: bytesToHex(entry.address), function: filecoinPrecompile(entry) })),
    ],
  });
  evm.runSynchronously(synchronous);
  useRunLoop(evm, gasBlind, stock);
  shareEmptyDiffs(evm.journal);
  return evm;
}

/**
 * A Filecoin precompile as @ethereumjs/evm runs one: it charges FVM gas to the caller (`input.gasLimit`
 * is all the caller has left, chargedPrecompile); the CALL's gas argument only bounds call_actor's
 * send. A failure returns 0 from the CALL with empty return data and the gas it used.
 */
function filecoinPrecompile(entry: FilecoinPrecompileEntry): PrecompileFunc {
  return async (input: PrecompileInput): Promise<ExecResult> => {
    const evm = input._EVM as FevmEvm;
    const message = evm.currentFrame;
    if (!message) throw new Error(`${entry.name} ran outside a message`);
    const gasArgument = evm.precompileGasArgument ?? input.gasLimit;
    const runtime = new FevmPrecompileRuntime(evm.host, message, Number(gasArgument), Number(input.gasLimit) - FILECOIN_PRECOMPILE_WORK, () => evm.flushCallerGas());
    const outcome = await runFilecoinPrecompile(entry.run, input.data, runtime);
    const executionGasUsed = BigInt(FILECOIN_PRECOMPILE_WORK + runtime.gasUsed);
    if (!outcome.ok) return { executionGasUsed, returnValue: EMPTY, exceptionError: new EVMError(PRECOMPILE_FAILED) };
    // @ethereumjs carries a frame's logs without reading them: call_actor's events ride among them (events.ts).
    return { executionGasUsed, returnValue: outcome.output, logs: runtime.logs as unknown as EvmLog[] };
  };
}

/**
 * The FEVM's opcodes: @ethereumjs's handlers (FEVM's own where FEVM differs; SLOAD, SSTORE, MLOAD, MSTORE,
 * KECCAK256 and LOGn without its awaits and conversions, STOP and RETURN without a throw, PUSH and
 * CALLDATALOAD without hex strings), charged in FVM gas. Each opcode costs its interpreter work
 * (evm-gas.ts OPCODE_CLASSES); @ethereumjs's gas functions still run for what they do besides pricing (memory
 * size, static-mode checks), except where that is only memory size (memory-ops.ts) and for the
 * CALL family (callGasFunction), and the FVM charges replace their Ethereum gas.
 */
function fevmOpcodes(common: Common): { opcodes: CustomOpcode[]; synchronous: Set<number>; gasBlind: Set<number>; stock: Map<number, OpHandler> } {
  const table = getOpcodesForHF(common);
  const fevmLogic = new Map<number, OpHandler>([
    [0x00, stop],
    [0x20, keccak256Op],
    [0x35, calldataload],
    [0x3b, extcodesize],
    [0x3c, extcodecopy],
    [0x3f, extcodehash],
    [0x40, blockhash],
    [0x51, mload],
    [0x52, mstore],
    [0x54, sload],
    [0x55, sstore],
    [0x5a, gas],
    ...Array.from({ length: 32 }, (_, i): [number, OpHandler] => [0x60 + i, push]),
    [0xf3, returnOp],
    [0xff, selfdestruct],
    ...[0xa0, 0xa1, 0xa2, 0xa3, 0xa4].map((opcode): [number, OpHandler] => [opcode, limitedLog(opcode - 0xa0, logOp)]),
  ]);
  // Undefined on FEVM: executing them aborts with EVM_CONTRACT_UNDEFINED_INSTRUCTION (35).
  const removed = [0xf2 /* CALLCODE */, 0x49 /* BLOBHASH */, 0x4a /* BLOBBASEFEE */];
  const opcodes: CustomOpcode[] = removed.map((opcode) => ({ opcode }));
  // FEVM's own handlers are synchronous; @ethereumjs's are where its table says so, and those of
  // SYNCHRONOUS_HANDLERS.
  const synchronous = new Set<number>();
  // Gas functions that neither read the gas left nor wait, before handlers that do neither
  // either: memory growth (with its FVM charges) and SLOAD's KAMT nodes (interpreter-loop.ts).
  const gasBlind = new Set<number>();
  // Handlers that do @ethereumjs's own work: its own, and FEVM's PUSH (the same words, without hex
  // strings); the interpreter loop runs some of these itself (interpreter-loop.ts INLINED).
  const stock = new Map<number, OpHandler>();
  const prices: MemoryPrices = { perWord: common.param('memoryGas'), quadraticDivisor: common.param('quadCoefficientDivGas') };
  for (const [opcode, info] of table.opcodes) {
    if (removed.includes(opcode)) continue;
    if (fevmLogic.has(opcode) || !info.isAsync || SYNCHRONOUS_HANDLERS.has(info.name)) synchronous.add(opcode);
    const logicFunction = fevmLogic.get(opcode) ?? table.handlers.get(opcode)!;
    if (!fevmLogic.has(opcode) || logicFunction === push) stock.set(opcode, logicFunction);
    // @ethereumjs names LOG0–LOG4 all "LOG"; the FVM charges each by its topic count.
    const name = info.name === 'LOG' ? `LOG${opcode - 0xa0}` : info.name;
    const ethGas = info.dynamicGas && !PRICE_ONLY.has(name) ? (table.dynamicGasHandlers.get(opcode) as EthGasHandler) : undefined;
    const gasFunction = MEMORY_GROWTH[name]
      ? memoryGasFunction(name, MEMORY_GROWTH[name], prices)
      : CALL_MEMORY_RANGES[name]
        ? callGasFunction(name, CALL_MEMORY_RANGES[name], prices)
        : fvmGasFunction(name, ethGas);
    opcodes.push({ opcode, opcodeName: info.name, baseFee: opcodeGas(name), gasFunction, logicFunction });
    if ((MEMORY_GROWTH[name] || name === 'SLOAD') && synchronous.has(opcode)) gasBlind.add(opcode);
  }
  return { opcodes, synchronous, gasBlind, stock };
}

/**
 * @ethereumjs opcodes its table marks async (codes.js asyncOp) whose handlers are plain functions
 * pushing a field of the frame's environment (functions.js; interpreter.js getAddress, getTxOrigin,
 * getCaller, getCallValue, getCallDataSize, getReturnDataSize, getBlockCoinbase, getBlockGasLimit
 * return it, or a BigInt of it, without a promise). Marked synchronous, the loop owes their fixed
 * charge like a PUSH's (interpreter-loop.ts): a balanceOf's CALLVALUE and two CALLDATASIZEs took the gas
 * left as a BigInt and back each.
 */
const SYNCHRONOUS_HANDLERS = new Set(['ADDRESS', 'ORIGIN', 'CALLER', 'CALLVALUE', 'CALLDATASIZE', 'RETURNDATASIZE', 'COINBASE', 'GASLIMIT']);

/**
 * Opcodes whose Ethereum gas function does nothing the FEVM keeps: it prices the access and marks
 * the address or slot warm (EIP-2929), which only Ethereum prices read. Their FVM gas is charged
 * without it, synchronously (SLOAD's awaited a promise and made two hex keys per slot read). SSTORE's
 * also prices refunds (which FEVM has not) and keeps the EIP-2200 sentry (no gas left above 2300:
 * out of gas), below its FVM cost, so that its charge runs out of gas there too; its static-call
 * check is in that charge (OPCODE_CHARGES). The Ethereum gas functions that still run read warmth
 * only for a price the FEVM discards: none traps on it (EIP-7928's checks are off). The CALL
 * family's traps on it, so it has a gas function of its own (callGasFunction).
 */
const PRICE_ONLY = new Set(['SLOAD', 'SSTORE', 'BALANCE', 'EXTCODESIZE', 'EXTCODEHASH']);

type EthGasHandler = (runState: RunState, gas: bigint, common: Common) => Promise<bigint>;
type SyncGasHandler = (runState: RunState, gas: bigint) => bigint;
type OpcodeCharge = (runState: RunState, evm: FevmEvm) => number;

// The charges read their words with wordAt (memory-ops.ts), peek's words and underflow without its array.
const sizeArg = (index: number): OpcodeCharge => (rs) => Number(wordAt(rs.stack, index));
const copy = (index: number): OpcodeCharge => (rs, evm) => copyGas(sizeArg(index)(rs, evm));
const log = (topics: number): OpcodeCharge => (rs) => logGas(topics, Number(wordAt(rs.stack, 1)));

/** FVM charges an opcode adds to its interpreter work (syscalls, IPLD, hashing, copies). */
const OPCODE_CHARGES: Record<string, OpcodeCharge> = {
  KECCAK256: (rs) => keccakGas(Number(wordAt(rs.stack, 1))),
  EXP: (rs) => EXP_PER_BYTE * byteLength(wordAt(rs.stack, 1)),
  CALLDATACOPY: copy(2),
  CODECOPY: copy(2),
  RETURNDATACOPY: copy(2),
  MCOPY: copy(2),
  EXTCODECOPY: (rs, evm) => copy(3)(rs, evm) + extCodeGas(evm, wordAt(rs.stack, 0), true),
  EXTCODESIZE: (rs, evm) => extCodeGas(evm, wordAt(rs.stack, 0), true),
  EXTCODEHASH: (rs, evm) => extCodeGas(evm, wordAt(rs.stack, 0), false),
  // builtin-actors instructions/state.rs balance: resolve_address, then balance_of.
  BALANCE: (rs, evm) => {
    const eth = addressFromWord(wordAt(rs.stack, 0));
    return evm.actorReadGas(eth, resolveEthAddress(evm.host.state, eth));
  },
  RETURN: copy(1),
  REVERT: copy(1),
  LOG0: log(0),
  LOG1: log(1),
  LOG2: log(2),
  LOG3: log(3),
  LOG4: log(4),
  SLOAD: (rs, evm) => openSlotNodes(rs, evm, wordAt(rs.stack, 0), true),
  SSTORE: (rs, evm) => {
    // Before any charge, as @ethereumjs's gas function checks it.
    if (rs.interpreter.isStatic()) throw new EVMError(EVMError.errorMessages.STATIC_STATE_CHANGE);
    const [slot, value] = rs.stack.peek(2);
    const gas = openSlotNodes(rs, evm, slot, false);
    // The KAMT changes only when the value does (System::set_storage).
    const invocation = evm.currentInvocation;
    if (invocation && (rs.stateManager as EvmStateAdapter).storageAt(rs.interpreter.getAddress(), slot) !== value) {
      invocation.changed.add(slot);
      invocation.written = slot;
    }
    return gas;
  },
  // The network context (epoch, timestamp, chain ID, base fee) comes with one syscall an invocation
  // (ref-fvm sdk/src/network.rs NETWORK_CONTEXT, lazy per Wasm instance); GASPRICE adds the
  // message's premium, which the trampoline fetched.
  TIMESTAMP: networkContextGas,
  NUMBER: networkContextGas,
  CHAINID: networkContextGas,
  BASEFEE: networkContextGas,
  GASPRICE: networkContextGas,
  // BLOCKHASH of a height in its window asks for that tipset's CID (builtin-actors v18
  // instructions/context.rs blockhash: rt.tipset_cid, no cache): ref-fvm's lookback cost for it
  // (price_list on_tipset_cid); the syscall itself is in the opcode's class.
  BLOCKHASH: (rs, evm) => {
    const n = rs.stack.peek(1)[0];
    const current = BigInt(evm.host.ctx.epoch);
    return n >= current - BLOCKHASH_WINDOW && n < current && n >= 0n ? onLookback(Number(current - n)) : 0;
  },
  // PREVRANDAO: the invocation's first asks the beacon's randomness of the current epoch and draws
  // from it (system.rs get_randomness, cached after: the lookback, and the runtime's blake2b of the
  // draw, a hash syscall); the randomness syscall itself is in the opcode's class.
  PREVRANDAO: (_rs, evm) => {
    const invocation = evm.currentInvocation;
    if (!invocation || invocation.randomnessDrawn) return 0;
    invocation.randomnessDrawn = true;
    return onLookback(0) + HOST_CALL + onHashing('blake2b256', RANDOMNESS_DRAW_BYTES);
  },
  // A TSTORE that changes a value makes the state dirty, to be flushed with the transient KAMT (system.rs set_transient_storage).
  TSTORE: (rs, evm) => {
    const [slot, value] = rs.stack.peek(2);
    evm.notedTransientStore(slot, value);
    return 0;
  },
  SELFDESTRUCT: (rs, evm) => evm.selfDestructGas(addressFromWord(rs.stack.peek(1)[0]), rs.interpreter.getAddress().bytes),
};

/**
 * What EXTCODESIZE, EXTCODECOPY (`readCode`) and EXTCODEHASH pay to learn about an address
 * (builtin-actors instructions/ext.rs): get_contract_type's syscalls (none for a precompile), and a
 * contract is asked for its bytecode or its hash.
 */
function extCodeGas(evm: FevmEvm, word: bigint, readCode: boolean): number {
  const eth = addressFromWord(word);
  if (evm.getPrecompile(new Address(eth))) return 0;
  const actor = resolveEthAddress(evm.host.state, eth);
  const type = evm.contractTypeGas(eth, actor);
  if (actor?.kind !== 'evm') return type;
  evm.tellCodeRead(actor, readCode ? EVM_GET_BYTECODE : EVM_GET_BYTECODE_HASH);
  return type + evm.getBytecodeGas(actor, readCode ? EVM_GET_BYTECODE : EVM_GET_BYTECODE_HASH, readCode);
}

/**
 * The KAMT nodes on the way to `slot` (kamt-shape.ts walk; `read`: an SLOAD's get) that this
 * invocation has not opened yet. A constructor's storage is new: nothing to open.
 */
function openSlotNodes(rs: RunState, evm: FevmEvm, slot: bigint, read: boolean): number {
  const invocation = evm.currentInvocation;
  if (!invocation || invocation.actorId < 0) return 0;
  const root = rootOf((rs.stateManager as EvmStateAdapter).storageShape(rs.interpreter.getAddress()));
  const { opened } = invocation;
  // The nodes the last write made (a split) are in memory, not loaded.
  if (invocation.written !== undefined) {
    walk(root, invocation.written, false, (id) => opened.add(id));
    invocation.written = undefined;
  }
  let gas = 0;
  walk(root, slot, read, (id, node) => {
    if (opened.has(id)) return;
    opened.add(id);
    gas += kamtNodeLoadGas(node);
  });
  return gas;
}

/**
 * The gas function of one opcode: its interpreter work (`gas`, the base fee), memory growth, the
 * FVM charges of OPCODE_CHARGES, and for CREATEs the gas the EAM's create gets.
 */
function fvmGasFunction(name: string, ethGas: EthGasHandler | undefined): EthGasHandler | SyncGasHandler | undefined {
  const charge = OPCODE_CHARGES[name];
  const isCreate = name === 'CREATE' || name === 'CREATE2';
  if (!ethGas && !charge) return undefined;
  // No memory to grow: only FVM charges, synchronously.
  if (!ethGas) return (runState: RunState, gas: bigint) => withCharges(gas, fvmCharges(runState, runState.memoryWordCount, charge));
  return async (runState, gas, common) => {
    const words = runState.memoryWordCount;
    await ethGas(runState, 0n, common);
    gas += fvmCharges(runState, words, charge);
    // create_common asks the FVM for the gas left (the gas_available syscall) before it sets 63/64 aside.
    if (isCreate) gas += BigInt(HOST_CALL);
    const available = runState.interpreter.getGasLeft() - gas;
    // The EAM's create gets all but 1/64 of what is left, as any send; the caller's flush comes after (flushBeforeSend).
    if (isCreate) {
      runState.messageGasLimit = available > 0n ? (available * 63n) / 64n : 0n;
      fevmOf(runState).callAvailable = available;
    }
    return gas;
  };
}

/**
 * The gas function of CALL, STATICCALL and DELEGATECALL as builtin-actors' call.rs charges them:
 * the interpreter work, memory growth and the callee's gas limit (callGasLimit), synchronously.
 * @ethereumjs's would also price the call in Ethereum gas (2600 for a cold address, 9000 with
 * value, 25000 more for a new account) and trap when that price is above the FVM gas left, which
 * the FEVM never does: with 1000–2600 gas left, a CALL to an address not called before trapped.
 */
function callGasFunction(name: string, ranges: (typeof CALL_MEMORY_RANGES)[string], prices: MemoryPrices): SyncGasHandler {
  return (runState, gas) => {
    // Moving value from a read-only frame is a static-mode violation (call.rs, before the memory).
    if (name === 'CALL' && runState.interpreter.isStatic() && runState.stack.peek(3)[2] !== 0n) {
      throw new EVMError(EVMError.errorMessages.STATIC_STATE_CHANGE);
    }
    const words = runState.memoryWordCount;
    growMemory(runState, ranges(runState.stack), prices);
    gas += fvmCharges(runState, words, undefined);
    const available = runState.interpreter.getGasLeft() - gas;
    const [gasArgument, target] = runState.stack.peek(2);
    if (isPrecompileWord(target)) {
      // A precompile runs inside the calling actor on its gas; the gas argument goes only to
      // call_actor's send (call.rs:174-187 for every reserved address, precompiles/fvm.rs:184).
      fevmOf(runState).precompileGasArgument = gasArgument;
      runState.messageGasLimit = available;
    } else if (name === 'DELEGATECALL') {
      // The target's type and bytecode are asked for before the callee's gas is set aside.
      const input = Number(runState.stack.peek(4)[3]);
      const asked = BigInt(fevmOf(runState).delegateCallGas(addressFromWord(target), input, runState.interpreter.getCallValue()));
      gas += asked;
      runState.messageGasLimit = callGasLimit(runState, name, available - asked);
    } else {
      // System::call_gas_limit asks the FVM for the gas left (the gas_available syscall) before it
      // sets 63/64 of it aside.
      gas += BigInt(HOST_CALL);
      const left = available - BigInt(HOST_CALL);
      runState.messageGasLimit = callGasLimit(runState, name, left);
      // Its send flushes the caller after this, out of the caller's gas (flushBeforeSend).
      fevmOf(runState).callAvailable = left;
    }
    return gas;
  };
}

/**
 * The gas function of an opcode whose Ethereum gas function only grows memory (memory-ops.ts): the
 * same charges as fvmGasFunction's, with the memory accounts kept here, synchronously.
 */
function memoryGasFunction(name: string, grow: (typeof MEMORY_GROWTH)[string], prices: MemoryPrices): SyncGasHandler {
  const charge = OPCODE_CHARGES[name];
  return (runState, gas) => {
    const words = runState.memoryWordCount;
    // Most MLOADs and MSTOREs grow nothing and have no charge of their own: their fixed cost, the same BigInt.
    if (!grow(runState, prices) && charge === undefined) return gas;
    return withCharges(gas, fvmCharges(runState, words, charge));
  };
}

/** `gas` and `charges` together; `gas` itself when there are none (a BigInt sum is a new BigInt, on most instructions). */
const withCharges = (gas: bigint, charges: bigint): bigint => (charges === 0n ? gas : gas + charges);

/** The FVM charges of an opcode beyond its interpreter work: memory grown since it had `words` words, and OPCODE_CHARGES'. */
function fvmCharges(runState: RunState, words: bigint, charge: OpcodeCharge | undefined): bigint {
  // Compared before subtracted: most instructions grow nothing, and a BigInt difference is a new BigInt.
  const grown = runState.memoryWordCount === words ? 0 : Number(runState.memoryWordCount - words);
  // The opcodes whose memory @ethereumjs's gas functions grow (EXTCODECOPY, RETURNDATACOPY, LOG, CREATE).
  if (grown !== 0 && runState.memoryWordCount * 32n > MAX_MEMORY_END) throw new EVMError(EVMError.errorMessages.OUT_OF_RANGE);
  let fvmGas = grown === 0 ? 0 : memoryGrowthGas(grown * 32);
  if (charge) fvmGas += charge(runState, fevmOf(runState));
  return fvmGas === 0 ? 0n : BigInt(fvmGas);
}

/** Gas a CALL gives a plain transfer (builtin-actors call.rs TRANSFER_GAS_LIMIT, FIP-0054). */
const TRANSFER_GAS_LIMIT = 10_000_000n;

/**
 * The gas a CALL gives its callee (builtin-actors call.rs and System::call_gas_limit): the gas
 * argument, or 10 M for a plain transfer (no gas with value, or Solidity's 2300 stipend without),
 * at most 63/64 of what is left.
 */
function callGasLimit(runState: RunState, name: string, available: bigint): bigint {
  const [gasArg, , value] = runState.stack.peek(3);
  let gas = gasArg;
  if (name === 'CALL' || name === 'STATICCALL') {
    const sent = name === 'CALL' ? value : 0n;
    if ((gas === 0n && sent > 0n) || (gas === 2300n && sent === 0n)) gas = TRANSFER_GAS_LIMIT;
  }
  const reserve = available > 0n ? (available * 63n) / 64n : 0n;
  return gas < reserve ? gas : reserve;
}

/** A contract's result, or its abort once its return or revert data passes the FVM's block limit (its state undone with the frame). */
function resultInOneBlock(result: EVMResult): EVMResult {
  const exec = result.execResult;
  const error = exec.exceptionError?.error;
  // The EVM actor returns its output as a CBOR byte string (actors/evm/src/types.rs).
  if ((error !== undefined && error !== EVMError.errorMessages.REVERT) || cborBytesSize(exec.returnValue.length) <= MAX_BLOCK_SIZE) return result;
  return { ...result, execResult: { ...exec, returnValue: EMPTY, exceptionError: new EVMError(RESULT_TOO_LARGE) } };
}


/** LOGn, refused once its values (32 bytes a topic, then the data) pass the FVM's limit. */
function limitedLog(topics: number, log: OpHandler): OpHandler {
  return (runState, common) => {
    if (32 * topics + Number(runState.stack.peek(2)[1]) > MAX_EVENT_VALUES) throw new EVMError(EVENT_TOO_LARGE);
    return log(runState, common);
  };
}

/** The top 19 bytes of a Filecoin precompile's address (0xfe, 18 zero bytes). */
const NATIVE_PRECOMPILE_HIGH = 0xfen << 144n;


/** isReservedPrecompileAddress on a CALL's address word (0x00…NN or 0xfe00…NN, NN > 0, or 0x…0100), without bytes. */
function isPrecompileWord(word: bigint): boolean {
  const address = word & ADDRESS_MASK;
  const high = address >> 8n;
  return ((address & 0xffn) !== 0n && (high === 0n || high === NATIVE_PRECOMPILE_HIGH)) || address === BigInt(P256VERIFY);
}

function fevmOf(runState: RunState): FevmEvm {
  return runState.interpreter._evm as unknown as FevmEvm;
}

function hostOf(runState: RunState): FevmHost {
  return (fevmOf(runState)).host;
}

function addressFromWord(word: bigint): Uint8Array {
  return padStart(bigintToBytes(word & ADDRESS_MASK), 20);
}

/** What EXT* opcodes see at an address (builtin-actors instructions/ext.rs get_contract_type). */
function contractView(runState: RunState, eth: Uint8Array): { code: Uint8Array; hash: Uint8Array | undefined } {
  // An existing precompile exists but has no code.
  if (runState.interpreter._evm.getPrecompile(new Address(eth))) return { code: EMPTY, hash: KECCAK256_NULL };
  const actor: Actor | undefined = resolveEthAddress(hostOf(runState).state, eth);
  if (!actor) return { code: EMPTY, hash: undefined };
  if (actor.kind === 'evm' && actor.evm) return { code: actor.evm.bytecode, hash: actor.evm.bytecodeHash };
  // Accounts are never "empty" (EIP-161) on Filecoin: they exist, so keccak("").
  if (ACCOUNT_KINDS.has(actor.kind)) return { code: EMPTY, hash: KECCAK256_NULL };
  // A native actor's "bytecode" is the single byte 0xfe.
  return { code: NATIVE_ACTOR_CODE, hash: NATIVE_ACTOR_CODE_HASH };
}

function extcodesize(runState: RunState): void {
  const eth = addressFromWord(runState.stack.pop());
  runState.stack.push(BigInt(contractView(runState, eth).code.length));
}

function extcodecopy(runState: RunState): void {
  const [word, memOffset, codeOffset, length] = runState.stack.popN(4);
  if (length === 0n) return;
  const { code } = contractView(runState, addressFromWord(word));
  const data = new Uint8Array(Number(length));
  if (codeOffset < BigInt(code.length)) data.set(code.subarray(Number(codeOffset), Number(codeOffset) + data.length));
  runState.memory.write(Number(memOffset), data.length, data);
}

function extcodehash(runState: RunState): void {
  const { hash } = contractView(runState, addressFromWord(runState.stack.pop()));
  runState.stack.push(hash ? bytesToBigint(hash) : 0n);
}

/** The tipset hash (tipset key CID digest) for curr−256 ≤ n < curr, else 0 (builtin-actors context.rs). */
function blockhash(runState: RunState): void {
  const n = runState.stack.pop();
  const { ctx } = hostOf(runState);
  const current = BigInt(ctx.epoch);
  const hash = n >= current - BLOCKHASH_WINDOW && n < current && n >= 0n ? ctx.tipsetHash?.(Number(n)) : undefined;
  runState.stack.push(hash ? bytesToBigint(hash, 0, Math.min(hash.length, 32)) : 0n);
}

/** SLOAD from the state tree, synchronously (@ethereumjs's awaits its storage interface, in bytes). */
function sload(runState: RunState): void {
  const slot = runState.stack.pop();
  runState.stack.push((runState.stateManager as EvmStateAdapter).storageAt(runState.interpreter.getAddress(), slot));
}

/**
 * SSTORE to the state tree, synchronously: @ethereumjs's turns slot and value into bytes, awaits its
 * storage interface and reads the account back; the adapter turned them back into words.
 */
function sstore(runState: RunState): void {
  const slot = runState.stack.pop();
  const value = runState.stack.pop();
  (runState.stateManager as EvmStateAdapter).storeAt(runState.interpreter.getAddress(), slot, value);
}

/** The gas left: FVM gas, as everywhere on FEVM. */
function gas(runState: RunState): void {
  runState.stack.push(runState.gasLeft);
}

/**
 * FEVM SELFDESTRUCT (builtin-actors instructions/lifecycle.rs; pre-Cancun, not EIP-6780): send the
 * whole balance to the beneficiary with METHOD_SEND (an unknown f410 gets a Placeholder; an unknown
 * masked ID fails the call with exit 40), then mark the contract; it dies when the message ends.
 */
function selfdestruct(runState: RunState): void {
  const beneficiary = addressFromWord(runState.stack.pop());
  const host = hostOf(runState);
  const { state } = host;
  const self = resolveEthAddress(state, runState.interpreter.getAddress().bytes);
  if (!self?.evm) throw new Error('SELFDESTRUCT from an address with no EVM actor');
  if (!equalBytes(beneficiary, runState.interpreter.getAddress().bytes)) {
    let receiver = resolveEthAddress(state, beneficiary);
    if (!receiver) {
      if (isMaskedId(beneficiary)) throw new EVMError(SELFDESTRUCT_FAILED);
      receiver = createPlaceholder(state, beneficiary);
      host.access.created(receiver.id);
    }
    transfer(state, self.id, receiver.id, self.balance);
  }
  const after = state.getActor(self.id)!;
  const evm: TombstonedEvmState = { ...after.evm!, selfDestructed: true };
  state.putActor({ ...after, evm });
  host.noteSelfDestruct(self.id);
  throw new EVMError(EVMError.errorMessages.STOP);
}
