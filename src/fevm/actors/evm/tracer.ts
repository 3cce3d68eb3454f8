// What a traced message did, collected while it runs: the tree of call frames (FVM sends, EVM
// calls and creates, precompile calls), optionally every instruction (struct logs) and the logs of
// each frame. The executor reports its sends (the top-level message, and call_actor's sends into
// any actor); @ethereumjs/evm's events report the EVM's messages ('beforeMessage' /
// 'afterMessage') and instructions ('step'). Everything is kept as bytes, bigints and numbers;
// src/eth-rpc turns it into geth's and Lotus's trace shapes. Gas is FVM gas throughout, as the EVM
// counts it (actors/evm/evm-gas.ts) and the GAS opcode reports it.
import type { EVMResult, InterpreterStep, Message } from '@ethereumjs/evm';
import { bigIntToBytes, generateAddress, generateAddress2 } from '@ethereumjs/util';
import { FilAddress } from '../../../common/address.js';
import type { CID } from '../../../common/cbor.js';
import { bytesToHex } from '../../../common/hex.js';
import { word } from '../../../filecoin-precompiles/abi.js';
import { ErrorNumber, FILECOIN_PRECOMPILES, isReservedPrecompileAddress, type IpldBlock } from '../../../filecoin-precompiles/index.js';
import { EAM_ACTOR_ID, INIT_ACTOR_ID, type Actor, type ActorKind } from '../../actor.js';
import { bytecodeCid } from '../../actor-state.js';
import { ExitCode } from '../../exit-code.js';
import type { StateOverlay, StateReader } from '../../state-tree.js';
import type { ActorSend, SendOutcome } from '../../types.js';
import { ethAddressOf, resolveAddress, resolveEthAddress } from '../lifecycle.js';
import { exitCodeOf, type EvmActor } from './evm-actor.js';
import { CALL_REFUSED, callerCharges, CODE_READ, eamCharges } from './fevm-evm.js';

export type FrameType = 'CALL' | 'STATICCALL' | 'DELEGATECALL' | 'CREATE' | 'CREATE2';

/** A LOG instruction, in the frame that ran it. */
export interface FrameLog {
  address: Uint8Array;
  topics: Uint8Array[];
  data: Uint8Array;
  /** How many calls the frame had made before the log (geth's callTracer `position`). */
  position: number;
}

interface FrameCommon {
  from: Uint8Array;
  /** The sender's actor ID, as the FVM's trace names a send's sender (ref-fvm's Call event); unknown for none. */
  fromId: number | undefined;
  value: bigint;
  /** FVM gas the frame was given. */
  gas: number;
  /** FVM gas the frame used. */
  gasUsed: number;
  /** The FVM exit code of the frame: 0 on success. */
  exitCode: number;
  calls: CallFrame[];
  logs: FrameLog[];
  /** The read-only sends EXTCODE* made to learn a contract's code, each before calls[at]. */
  codeReads?: CodeRead[];
}

/** EXTCODESIZE/EXTCODECOPY's GetBytecode (3) or EXTCODEHASH's GetBytecodeHash (4) to `target` (ext.rs). */
export interface CodeRead {
  at: number;
  /** The reading contract's actor ID: the send's sender. */
  fromId: number | undefined;
  target: { id: number; eth: Uint8Array; bytecode: CID | undefined; hash: Uint8Array; actor: Actor };
  method: number;
  /** The gas the send used in its own frame (which the EVM charged the reading contract's opcode with). */
  gasUsed: number;
}

/** A CALL, STATICCALL, DELEGATECALL, CREATE or CREATE2 from one contract to another address. */
export interface EvmFrame extends FrameCommon {
  kind: 'evm';
  /** STATICCALL stands for every call in a read-only frame (the FVM's READ_ONLY send). */
  type: FrameType;
  /** The callee; for DELEGATECALL the contract whose context ran; for a create, the address it chose (the new contract, when it succeeded). */
  to?: Uint8Array;
  /** DELEGATECALL: the contract whose code ran. */
  codeAddress?: Uint8Array;
  /** CREATE: the creating contract's nonce the new address derives from (what it sends the EAM's Create). */
  createNonce?: number;
  /** CREATE2: the salt. */
  salt?: Uint8Array;
  input: Uint8Array;
  /** Return or revert data; for a successful create, the deployed code. */
  output: Uint8Array;
  /** @ethereumjs's error text when the frame failed ('revert', 'out of gas', …). */
  evmError?: string;
  /**
   * Whether the FVM would have sent to an actor: not for a masked ID naming no actor, a read-only
   * call to an address with no actor, or a DELEGATECALL to something other than a contract.
   */
  invoked: boolean;
  /**
   * The actor the FVM invoked, when it did: a call's callee; for a DELEGATECALL the contract whose
   * code ran, with that code's CID (the FVM runs it by InvokeContractDelegate on the caller); for a
   * successful create, the new contract.
   */
  callee?: { id: number; kind: ActorKind; bytecode?: CID };
  /**
   * The actors the FVM invoked for the frame as they were then, before the value moved (ref-fvm
   * InvokeActor): a CALL's or STATICCALL's callee; a DELEGATECALL's code contract (GetBytecode) and
   * calling contract (InvokeContractDelegate); a create's EAM and Init, and what held the address it
   * will choose (a Placeholder or a dead contract).
   */
  invokedActors?: { callee?: Actor; self?: Actor; eam?: Actor; init?: Actor; prior?: Actor };
  /** A CREATE or CREATE2: whom the EAM sent to (creationTarget). */
  target?: CreationTarget;
  /** A CREATE or CREATE2: what of gasUsed the EAM's own frame was charged, without its sends (eamCharges). */
  eamGasUsed?: number;
}

/**
 * The actor the EAM sent to for a creation (builtin-actors eam create_actor): `resurrect`, a contract
 * already at the address (Resurrect, which a live one refuses); else the new contract Init's Exec4
 * made there and sent its Constructor. When the creation failed, `id` is the one Exec4 gave it before
 * the failure undid it.
 */
export interface CreationTarget {
  id: number;
  eth: Uint8Array;
  resurrect: boolean;
  /** What held the address before, when the tracer saw it (a failed creation's: undone by then). */
  prior?: Actor;
}

/** A call to a reserved precompile address (0x01…, 0xfe00…); its `calls` are call_actor's sends. */
export interface PrecompileFrame extends FrameCommon {
  kind: 'precompile';
  type: FrameType;
  to: Uint8Array;
  /** The precompile's name (resolve_address, ecrecover, …); absent for a reserved address without one. */
  name?: string;
  input: Uint8Array;
  output: Uint8Array;
  evmError?: string;
}

/** An FVM send: the top-level message, or one that call_actor made. */
export interface SendFrame extends FrameCommon {
  kind: 'send';
  top: boolean;
  /** The receiver as the send named it. */
  toAddress: FilAddress;
  /** A sender that is an f1/f3 account: its ID and key address (what the EAM asks a deployer for), and the account as the send began. */
  account?: { id: number; key: FilAddress; actor: Actor };
  /** The receiver's Ethereum address (f410 or masked ID), when it exists after the send. */
  to?: Uint8Array;
  receiver?: { id: number; kind: ActorKind };
  /**
   * The receiver as the FVM invoked it, resolved or auto-created but before the value moved (ref-fvm
   * call_actor_resolved's InvokeActor); absent when the send reached no actor. For the EAM, Init as
   * it was then too (the Exec4 of a deployment).
   */
  invoked?: Actor;
  init?: Actor;
  /** A deployment (the EAM's CreateExternal): what held the address it deploys at before (a Placeholder, a dead contract), if anything. */
  prior?: Actor;
  method: number;
  params?: IpldBlock;
  readOnly: boolean;
  /** What the send returned: EVM output for InvokeContract, else the return block's bytes. */
  returnData: Uint8Array;
  returnBlock?: IpldBlock;
  /** The send failed as a syscall (no actor, insufficient funds, …): nothing was invoked. */
  syscallError?: ErrorNumber;
  /**
   * The EVM run the receiver did, if any: its output, error and the contract it created; for a
   * deployment, the gas the run used and what of it the EAM's own frame was charged (eamCharges).
   */
  body?: { output: Uint8Array; evmError?: string; created?: Uint8Array; target?: CreationTarget; gasUsed: number; eamGasUsed?: number };
}

export type CallFrame = EvmFrame | PrecompileFrame | SendFrame;

/** One instruction, as geth's struct logger records it (before the instruction runs). */
export interface StepLog {
  pc: number;
  op: string;
  /** FVM gas left in the frame. */
  gas: number;
  /** FVM gas the instruction costs (for calls: with the gas passed on). */
  gasCost: number;
  /** 1 for the top-level frame. */
  depth: number;
  stack?: bigint[];
  memory?: Uint8Array;
  /** SLOAD and SSTORE: the slots of this contract seen so far, and their values. */
  storage?: Map<bigint, bigint>;
  /** Set on the last instruction of a frame that failed. */
  error?: string;
}

export interface StepOptions {
  stack: boolean;
  memory: boolean;
  storage: boolean;
  /** At most this many steps are kept. */
  limit?: number;
}

export interface TracerOptions {
  /** Record every instruction (debug_trace* struct logs). */
  steps?: StepOptions;
  /** Record LOG instructions in their frames (callTracer's withLog). */
  logs?: boolean;
  /** Called when the top-level send returns, with the state as it is then. */
  onTopLevelExit?: (state: StateReader) => void;
}

/** The Ethereum precompiles the devnet has, by address 0x01…; 0x0a (KZG) is not one on FEVM. */
const ETHEREUM_PRECOMPILES: Record<number, string> = {
  0x01: 'ecrecover',
  0x02: 'sha256',
  0x03: 'ripemd160',
  0x04: 'identity',
  0x05: 'modexp',
  0x06: 'ecadd',
  0x07: 'ecmul',
  0x08: 'ecpairing',
  0x09: 'blake2f',
  0x0b: 'bls12_g1add',
  0x0c: 'bls12_g1msm',
  0x0d: 'bls12_g2add',
  0x0e: 'bls12_g2msm',
  0x0f: 'bls12_pairing_check',
  0x10: 'bls12_map_fp_to_g1',
  0x11: 'bls12_map_fp2_to_g2',
  0x100: 'p256verify',
};
const FILECOIN_PRECOMPILE_NAMES = new Map(FILECOIN_PRECOMPILES.map((entry) => [bytesToHex(entry.address), entry.name]));

/** The name of the precompile at a reserved address; undefined when none is there. */
function precompileName(eth: Uint8Array): string | undefined {
  if (!isReservedPrecompileAddress(eth)) return undefined;
  return eth[0] === 0 ? ETHEREUM_PRECOMPILES[(eth[18] << 8) | eth[19]] : FILECOIN_PRECOMPILE_NAMES.get(bytesToHex(eth));
}

const SLOAD = 0x54;
const SSTORE = 0x55;
const LOG0 = 0xa0;
const LOG4 = 0xa4;

type OpenFrame =
  | { frame: SendFrame; bodyStarted: boolean; message?: undefined }
  | { frame: SendFrame; message: Message; body: true; creates: boolean; firstStep: number }
  | { frame: EvmFrame | PrecompileFrame; message: Message; body?: false; firstStep: number };

type EvmEvents = EvmActor['events'];

const SEND_ERROR_EXIT_CODES: Partial<Record<ErrorNumber, number>> = {
  [ErrorNumber.InsufficientFunds]: ExitCode.SysErrInsufficientFunds,
  [ErrorNumber.NotFound]: ExitCode.SysErrInvalidReceiver,
};

export class Tracer {
  /** The top-level send, once the message has started. */
  root: SendFrame | undefined;
  /** The scheduled work that ran while tracing (cron): a frame per piece, its receiver invoked, the sends it made under it (enterCronWork). */
  readonly cronWork: SendFrame[] = [];
  readonly steps: StepLog[] = [];
  private readonly open: OpenFrame[] = [];
  private state: StateOverlay | undefined;
  /** The CIDs of the code EXTCODE* read, by the code's bytes (codeCid). */
  private readonly codeCids = new WeakMap<Uint8Array, CID>();
  /** Per contract, the storage slots SLOAD and SSTORE have shown so far (for struct logs). */
  private readonly storage = new Map<string, Map<bigint, bigint>>();

  constructor(private readonly options: TracerOptions = {}) {}

  /** Listens to the EVM's events; returns what stops listening. */
  attach(events: EvmEvents): () => void {
    const before = (message: Message) => this.beforeMessage(message);
    const after = (result: EVMResult) => this.afterMessage(result);
    const step = (data: InterpreterStep) => this.step(data);
    const codeRead = (read: { target: Actor; method: number; gasUsed: number }) => this.codeRead(read.target, read.method, read.gasUsed);
    const fevmEvents = events as unknown as { on(topic: string, f: typeof codeRead): void; off(topic: string, f: typeof codeRead): void };
    events.on('beforeMessage', before);
    events.on('afterMessage', after);
    fevmEvents.on(CODE_READ, codeRead);
    // Only with a 'step' listener does @ethereumjs build an event per instruction.
    const wantSteps = this.options.steps !== undefined || this.options.logs === true;
    if (wantSteps) events.on('step', step);
    return () => {
      events.off('beforeMessage', before);
      events.off('afterMessage', after);
      fevmEvents.off(CODE_READ, codeRead);
      if (wantSteps) events.off('step', step);
    };
  }

  /** The executor is about to send (top: the message itself). */
  enterSend(state: StateOverlay, send: ActorSend, top: boolean): void {
    this.state = state;
    const sender = state.getActor(send.fromId);
    const frame: SendFrame = {
      kind: 'send',
      top,
      from: sender ? ethAddressOf(sender) : new Uint8Array(20),
      fromId: send.fromId,
      toAddress: send.to,
      account: sender?.kind === 'account' && sender.robust ? { id: sender.id, key: sender.robust, actor: sender } : undefined,
      method: send.method,
      value: send.value,
      params: send.params,
      readOnly: send.readOnly,
      gas: send.gasLimit,
      gasUsed: 0,
      exitCode: 0,
      returnData: new Uint8Array(),
      calls: [],
      logs: [],
    };
    const parent = this.current();
    if (parent) parent.calls.push(frame);
    // A send under nothing is the message's own: the top-level one, or an implicit message's (the block reward).
    else this.root = frame;
    this.open.push({ frame, bodyStarted: false });
  }

  /**
   * A piece of scheduled work is about to run in `receiver` (Executor.runCronEntries): the sends it
   * makes go under a frame of their own, kept in `cronWork`, from which the cron message's trace is
   * made (the devnet runs no cron actor to send them).
   */
  enterCronWork(receiver: Actor): void {
    const frame: SendFrame = {
      kind: 'send',
      top: false,
      from: new Uint8Array(20),
      fromId: undefined,
      toAddress: FilAddress.fromId(receiver.id),
      method: 0,
      value: 0n,
      readOnly: false,
      gas: 0,
      gasUsed: 0,
      exitCode: 0,
      returnData: new Uint8Array(),
      calls: [],
      logs: [],
      invoked: receiver,
      receiver: { id: receiver.id, kind: receiver.kind },
    };
    this.cronWork.push(frame);
    this.open.push({ frame, bodyStarted: true });
  }

  /** The piece of work enterCronWork began ended with `exitCode`. */
  exitCronWork(exitCode: number): void {
    const frame = this.closeSend();
    if (frame) frame.exitCode = exitCode;
  }

  /** The deployment the open send makes goes where `there` is now (the EAM's CreateExternal). */
  deploying(there: Actor | undefined): void {
    const entry = this.open[this.open.length - 1];
    if (entry?.frame.kind === 'send') entry.frame.prior = there;
  }

  /** The send's receiver is about to be invoked, as `receiver` is now (before the value moves). */
  invoking(receiver: Actor): void {
    const entry = this.open[this.open.length - 1];
    if (entry?.frame.kind !== 'send' || entry.message !== undefined) return;
    entry.frame.invoked = receiver;
    if (receiver.id === EAM_ACTOR_ID) entry.frame.init = this.state?.getActor(INIT_ACTOR_ID);
  }

  /** The send returned `outcome`. */
  exitSend(state: StateOverlay, send: ActorSend, outcome: SendOutcome): void {
    const frame = this.closeSend();
    if (!frame) return;
    const receiver: Actor | undefined = resolveAddress(state, send.to);
    if (receiver) {
      frame.to = ethAddressOf(receiver);
      frame.receiver = { id: receiver.id, kind: receiver.kind };
    }
    frame.gasUsed = outcome.type === 'invoked' ? outcome.result.gasUsed : outcome.gasUsed;
    if (outcome.type === 'syscall-error') {
      frame.syscallError = outcome.errno;
      // As filecoin-ffi's trace shows it (build_lotus_trace): a top-level receipt's codes for no funds
      // and no actor, SYS_ASSERTION_FAILED for any other errno (a read-only send that would create one).
      frame.exitCode = SEND_ERROR_EXIT_CODES[outcome.errno] ?? ExitCode.ErrAssertionFailed;
    } else {
      frame.exitCode = outcome.result.exitCode;
      frame.returnData = outcome.result.returnData;
      frame.returnBlock = outcome.result.returnBlock;
    }
    if (frame.top) this.options.onTopLevelExit?.(state);
  }

  /** The send threw (a devnet bug): forget the frames it left open. */
  abortSend(): void {
    this.closeSend();
  }

  private closeSend(): SendFrame | undefined {
    // Frames the send left open (an EVM run that threw) close with it.
    while (this.open.length) {
      const entry = this.open.pop()!;
      if (entry.frame.kind === 'send' && entry.message === undefined) return entry.frame;
    }
    return undefined;
  }

  private codeRead(target: Actor, method: number, gasUsed: number): void {
    const frame = this.current();
    if (!frame || !target.evm) return;
    const { bytecode, bytecodeHash, dead } = target.evm;
    // The running contract: a send's receiver, else the EVM frame's contract (a DELEGATECALL's caller).
    const fromId = frame.kind === 'send' ? frame.invoked?.id : frame.to && this.actorAt(frame.to)?.id;
    (frame.codeReads ??= []).push({ at: frame.calls.length, fromId, method, gasUsed, target: { id: target.id, eth: ethAddressOf(target), bytecode: dead ? undefined : this.codeCid(bytecode), hash: bytecodeHash, actor: target } });
  }

  /** A contract code's CID, hashed once per code in a trace (a loop's EXTCODE* reads the same code again and again). */
  private codeCid(bytecode: Uint8Array): CID {
    let cid = this.codeCids.get(bytecode);
    if (!cid) this.codeCids.set(bytecode, (cid = bytecodeCid(bytecode)));
    return cid;
  }

  /** The frame new calls belong to. */
  private current(): CallFrame | undefined {
    return this.open[this.open.length - 1]?.frame;
  }

  private beforeMessage(message: Message): void {
    const top = this.open[this.open.length - 1];
    // The first EVM message inside a send is the receiver running: the send's body.
    if (top && top.frame.kind === 'send' && top.message === undefined && !top.bodyStarted) {
      top.bodyStarted = true;
      this.open.push({ frame: top.frame, message, body: true, creates: !message.to, firstStep: this.steps.length });
      return;
    }
    const to = message.to?.bytes;
    const codeAddress = message.to ? message.codeAddress.bytes : undefined;
    const type: FrameType = !to
      ? message.salt
        ? 'CREATE2'
        : 'CREATE'
      : message.delegatecall
        ? 'DELEGATECALL'
        : message.isStatic
          ? 'STATICCALL'
          : 'CALL';
    // DELEGATECALL runs in the calling contract's context: that contract is the caller here.
    const from = message.delegatecall && to ? to : message.caller.bytes;
    const common = {
      type,
      from,
      fromId: this.actorAt(from)?.id,
      value: message.value,
      gas: Number(message.gasLimit),
      gasUsed: 0,
      exitCode: 0,
      // Copies: @ethereumjs hands out views of memory that later instructions overwrite.
      input: message.data.slice(),
      output: new Uint8Array(),
      calls: [],
      logs: [],
    };
    const frame: EvmFrame | PrecompileFrame =
      codeAddress && isReservedPrecompileAddress(codeAddress)
        ? { kind: 'precompile', ...common, to: codeAddress, name: precompileName(codeAddress) }
        : { kind: 'evm', ...common, to, codeAddress: message.delegatecall ? codeAddress : undefined, invoked: true, invokedActors: this.invokedActors(message, type), ...this.creationInputs(message, type) };
    this.current()?.calls.push(frame);
    this.open.push({ frame, message, firstStep: this.steps.length });
  }

  /** The actors the frame's sends will invoke, as they are before its value moves (EvmFrame invokedActors). */
  private invokedActors(message: Message, type: FrameType): EvmFrame['invokedActors'] {
    if (type === 'CREATE' || type === 'CREATE2') {
      const address = this.createAddress(message, type);
      return { eam: this.state?.getActor(EAM_ACTOR_ID), init: this.state?.getActor(INIT_ACTOR_ID), prior: address && this.actorAt(address) };
    }
    if (type === 'DELEGATECALL') return { callee: this.actorAt(message.codeAddress.bytes), self: this.actorAt(message.to!.bytes) };
    return { callee: this.actorAt(message.to!.bytes) };
  }

  private afterMessage(result: EVMResult): void {
    const entry = this.open[this.open.length - 1];
    if (!entry || entry.message === undefined) return;
    this.open.pop();
    const exec = result.execResult;
    const error = exec.exceptionError;
    if (error) this.markFailedStep(entry.firstStep, entry.message.depth + 1, error.error);
    if (entry.body) {
      const target = entry.creates ? this.creationTarget(entry.message, error) : undefined;
      entry.frame.body = { output: exec.returnValue.slice(), evmError: error?.error, created: error ? undefined : result.createdAddress?.bytes, target, gasUsed: Number(exec.executionGasUsed), eamGasUsed: eamCharges.get(exec) };
      return;
    }
    const { frame, message } = entry;
    frame.gasUsed = Number(exec.executionGasUsed) - (callerCharges.get(exec) ?? 0);
    frame.output = exec.returnValue.slice();
    if (error) {
      frame.evmError = error.error;
      frame.exitCode = error.error === CALL_REFUSED ? ExitCode.ErrUnhandledMessage : exitCodeOf(exec, error);
    }
    if (frame.kind === 'precompile') return;
    if (frame.type === 'CREATE' || frame.type === 'CREATE2') {
      // @ethereumjs has set message.to to the address it chose, whether the creation succeeded or not.
      frame.to = message.to?.bytes;
      frame.target = this.creationTarget(message, error);
      frame.eamGasUsed = eamCharges.get(exec);
      frame.invoked = frame.target !== undefined;
      const created = !error && frame.to && this.actorAt(frame.to);
      if (created) frame.callee = { id: created.id, kind: created.kind };
    } else if (message.delegatecall) {
      const code = this.actorAt(frame.codeAddress!);
      frame.invoked = code?.kind === 'evm';
      if (code?.evm) frame.callee = { id: code.id, kind: code.kind, bytecode: bytecodeCid(code.evm.bytecode) };
    } else {
      // FevmEvm may have redirected a masked ID to the contract's f410 address.
      frame.to = message.to!.bytes;
      const callee = this.actorAt(message.to!.bytes);
      frame.invoked = callee !== undefined;
      if (callee) frame.callee = { id: callee.id, kind: callee.kind };
    }
  }

  /**
   * Whom the EAM sent to for a creation that chose an address (message.to): a live contract there
   * refuses Resurrect (a collision); another kind of actor there is refused by the EAM, which sends
   * nothing. A failed creation's changes are undone by now, so the ID Exec4 gave a new contract is the
   * next one again (a Placeholder keeps its own).
   */
  private creationTarget(message: Message, error: EVMResult['execResult']['exceptionError']): CreationTarget | undefined {
    if (!message.to || !this.state) return undefined;
    const eth = message.to.bytes;
    const occupant = this.actorAt(eth);
    if (error?.error === 'create collision') return occupant?.kind === 'evm' ? { id: occupant.id, eth, resurrect: true, prior: occupant } : undefined;
    if (!error) return occupant && { id: occupant.id, eth, resurrect: false };
    return { id: occupant?.id ?? this.state.nextId(), eth, resurrect: occupant?.kind === 'evm', prior: occupant };
  }

  /**
   * What a CREATE or CREATE2 sends the EAM besides the initcode: the salt, or the creating
   * contract's nonce, which the EVM has already increased for this creation.
   */
  private creationInputs(message: Message, type: FrameType): Pick<EvmFrame, 'createNonce' | 'salt'> {
    if (type === 'CREATE2') return { salt: message.salt!.slice() };
    if (type !== 'CREATE') return {};
    const nonce = this.actorAt(message.caller.bytes)?.evm?.nonce;
    return nonce === undefined ? {} : { createNonce: nonce - 1 };
  }

  /** The address a CREATE or CREATE2 will choose, as @ethereumjs derives it (the caller's nonce already moved on). */
  private createAddress(message: Message, type: FrameType): Uint8Array | undefined {
    if (type === 'CREATE2') return generateAddress2(message.caller.bytes, message.salt!, message.data);
    const nonce = this.actorAt(message.caller.bytes)?.evm?.nonce;
    return nonce === undefined ? undefined : generateAddress(message.caller.bytes, bigIntToBytes(BigInt(nonce - 1)));
  }

  private actorAt(eth: Uint8Array): Actor | undefined {
    return this.state ? resolveEthAddress(this.state, eth) : undefined;
  }

  /** Puts the frame's error on its last instruction (depth `depth`, from step `first` on). */
  private markFailedStep(first: number, depth: number, error: string): void {
    for (let i = this.steps.length - 1; i >= first; i--) {
      if (this.steps[i].depth === depth) {
        this.steps[i].error = error;
        return;
      }
    }
  }

  private step(step: InterpreterStep): void {
    const code = step.opcode.code;
    if (this.options.logs && code >= LOG0 && code <= LOG4) this.recordLog(step, code - LOG0);
    const options = this.options.steps;
    if (!options || (options.limit !== undefined && options.limit > 0 && this.steps.length >= options.limit)) return;
    const log: StepLog = {
      pc: step.pc,
      op: step.opcode.name,
      gas: Number(step.gasLeft),
      gasCost: Number(step.opcode.dynamicFee ?? BigInt(step.opcode.fee)),
      depth: step.depth + 1,
    };
    if (options.stack) log.stack = step.stack.slice();
    if (options.memory) log.memory = step.memory;
    if (options.storage && (code === SLOAD || code === SSTORE) && step.stack.length > 0) {
      const contract = bytesToHex(step.address.bytes);
      let slots = this.storage.get(contract);
      if (!slots) this.storage.set(contract, (slots = new Map()));
      const slot = step.stack[step.stack.length - 1];
      if (code === SLOAD) slots.set(slot, this.storageAt(step.address.bytes, slot));
      else if (step.stack.length > 1) slots.set(slot, step.stack[step.stack.length - 2]);
      log.storage = new Map(slots);
    }
    this.steps.push(log);
  }

  private storageAt(eth: Uint8Array, slot: bigint): bigint {
    const actor = this.actorAt(eth);
    return actor && this.state ? this.state.getStorage(actor.id, actor.evm?.storageGeneration ?? 0, slot) : 0n;
  }

  /** LOGn: offset and size, then n topics, on the stack; the data from memory as it is before the instruction. */
  private recordLog(step: InterpreterStep, topicCount: number): void {
    const frame = this.current();
    const stack = step.stack;
    if (!frame || stack.length < 2 + topicCount) return;
    const offset = Number(stack[stack.length - 1]);
    const size = Number(stack[stack.length - 2]);
    const topics: Uint8Array[] = [];
    for (let i = 0; i < topicCount; i++) topics.push(word(stack[stack.length - 3 - i]));
    const data = new Uint8Array(size);
    data.set(step.memory.subarray(offset, offset + size));
    frame.logs.push({ address: step.address.bytes, topics, data, position: frame.calls.length });
  }
}

/**
 * Records every read that reaches the state below a traced message (the message runs on an
 * overlay on top of this): what it read is the state before it, which prestateTracer reports.
 */
export class StateReadRecorder implements StateReader {
  /** Actor IDs read, with the actor as it was (undefined: none). */
  readonly actors = new Map<number, Actor | undefined>();
  /** Storage read: actor ID -> generation -> slot -> value. */
  readonly storage = new Map<number, Map<number, Map<bigint, bigint>>>();
  /** Addresses looked up that named no actor. */
  readonly missing = new Map<string, FilAddress>();

  constructor(private readonly base: StateReader) {}

  getActor(id: number): Actor | undefined {
    const actor = this.base.getActor(id);
    if (!this.actors.has(id)) this.actors.set(id, actor);
    return actor;
  }

  lookupId(address: FilAddress): number | undefined {
    const id = this.base.lookupId(address);
    if (id === undefined) this.missing.set(address.key, address);
    return id;
  }

  getStorage(id: number, generation: number, slot: bigint): bigint {
    const value = this.base.getStorage(id, generation, slot);
    let generations = this.storage.get(id);
    if (!generations) this.storage.set(id, (generations = new Map()));
    let slots = generations.get(generation);
    if (!slots) generations.set(generation, (slots = new Map()));
    if (!slots.has(slot)) slots.set(slot, value);
    return value;
  }

  nextId(): number {
    return this.base.nextId();
  }
}
