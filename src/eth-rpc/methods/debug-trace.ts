// geth's and Anvil's debugging traces: debug_traceTransaction, debug_traceCall,
// debug_traceBlockByNumber, debug_traceBlockByHash, with the default struct logger, callTracer,
// prestateTracer and noopTracer. Lotus serves none of these; they are the devnet's additions
// (DESIGN: extras that Ethereum tools rely on).
//
// A mined transaction is traced by replaying its tipset up to it (src/devnet/replay.ts); a call
// runs as eth_call does. Gas is the devnet's FVM gas throughout, as receipts report it: struct logs
// give the gas left and each opcode's cost (what the GAS opcode answers), callTracer frames the FVM gas
// given to and used by each frame, and the top-level figures are the message's gas limit and the
// receipt's gas used (chain inclusion included).
//
// The FEVM shows through where Ethereum has no equivalent: a call to a precompile carries its name
// in `precompile` (resolve_address, call_actor_id, ecrecover, …), and a send that call_actor makes
// to a native actor, or a native message, carries `filecoin` {address, actor, method, exitCode},
// with input and output encoded as Lotus encodes native calls (handle_filecoin_method).
import { DevnetError, ExecutionTimeoutError, InvalidParamsError, TraceTimeoutError } from '../../common/errors.js';
import { bigintToBytes, bytesToHex, padStart, quantity, type Hex } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { OffChainPoint, PrestateAccount, TracedMessage, TraceOptions } from '../../devnet/replay.js';
import { ERROR_SELECTOR, PANIC_SELECTOR } from '../../devnet/revert.js';
import { FilAddress } from '../../common/address.js';
import type { Actor } from '../../fevm/actor.js';
import type { CallFrame, FrameLog, SendFrame, StepLog } from '../../fevm/actors/evm/tracer.js';
import { ErrorNumber } from '../../filecoin-precompiles/runtime.js';
import { ExitCode, formatExitCode } from '../../fevm/exit-code.js';
import { decodeBytesParams } from '../../fevm/message.js';
import type { Tipset } from '../../mining/tipset.js';
import { resolveBlock, resolveStatePoint } from '../block-ref.js';
import { callRequest } from '../call-request.js';
import { defineMethod } from '../define-method.js';
import { transactionHash } from '../logs.js';
import { blockRef, describeValue, hash, invalid, object, optional } from '../params.js';
import { isCreateSend, isEvmSend, nativeOutput, sendInput, sendTo } from '../trace-views.js';

type TracerName = 'structLogger' | 'callTracer' | 'prestateTracer' | 'noopTracer';

interface GethTraceConfig {
  tracer: TracerName;
  /** Struct logger. */
  stack: boolean;
  memory: boolean;
  storage: boolean;
  limit?: number;
  /** callTracer. */
  onlyTopCall: boolean;
  withLog: boolean;
  /** prestateTracer. */
  diffMode: boolean;
  disableCode: boolean;
  disableStorage: boolean;
  /** How long a replay may run (`timeout`, a Go duration; geth's defaultTraceTimeout: 5 s), as CPU time. */
  timeoutMs: number;
}

/** geth's defaultTraceTimeout (eth/tracers/api.go). */
const DEFAULT_TRACE_TIMEOUT_MS = 5000;
const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("5s", "1m30s", "250ms") in ms, as time.ParseDuration reads one; undefined if it is not one. */
function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/;
  let ms = 0;
  let rest = text;
  do {
    const match = part.exec(rest);
    if (!match) return undefined;
    ms += Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
    rest = rest.slice(match[0].length);
  } while (rest !== '');
  return ms;
}

const TRACERS = new Set<string>(['callTracer', 'prestateTracer', 'noopTracer']);

/** geth's TraceConfig (and its TraceCallConfig, for debug_traceCall). */
function parseTraceConfig(name: string, value: Record<string, unknown> | undefined, isCall = false): GethTraceConfig {
  const options = value ?? {};
  const field = <T>(obj: Record<string, unknown>, key: string, type: 'boolean' | 'string' | 'object' | 'number', path = `${name}.${key}`): T | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    const ok = type === 'object' ? typeof v === 'object' && !Array.isArray(v) : type === 'number' ? Number.isSafeInteger(v) && (v as number) >= 0 : typeof v === type;
    if (!ok) throw invalid(path, `expected ${type === 'number' ? 'a non-negative integer' : `a ${type}`}`);
    return v as T;
  };
  if (isCall) {
    for (const key of ['stateOverrides', 'blockOverrides']) {
      if (options[key] !== undefined && options[key] !== null) throw new InvalidParamsError(`invalid argument '${name}.${key}': ${key} are not supported`);
    }
  }
  const tracer = field<string>(options, 'tracer', 'string');
  if (tracer && !TRACERS.has(tracer)) {
    throw invalid(`${name}.tracer`, `unsupported tracer ${describeValue(tracer)}: the devnet has the default struct logger, callTracer, prestateTracer and noopTracer`);
  }
  const timeout = field<string>(options, 'timeout', 'string');
  const timeoutMs = timeout === undefined ? DEFAULT_TRACE_TIMEOUT_MS : goDurationMs(timeout);
  if (timeoutMs === undefined) throw invalid(`${name}.timeout`, `time: invalid duration ${JSON.stringify(timeout)}`);
  const config = field<Record<string, unknown>>(options, 'tracerConfig', 'object') ?? {};
  const flag = (key: string) => field<boolean>(config, key, 'boolean', `${name}.tracerConfig.${key}`) ?? false;
  const enableMemory = field<boolean>(options, 'enableMemory', 'boolean');
  const disableMemory = field<boolean>(options, 'disableMemory', 'boolean');
  return {
    tracer: (tracer || 'structLogger') as TracerName,
    stack: !(field<boolean>(options, 'disableStack', 'boolean') ?? false),
    // geth records memory only when asked (enableMemory); the older disableMemory: false also asks.
    memory: enableMemory === true || disableMemory === false,
    storage: !(field<boolean>(options, 'disableStorage', 'boolean') ?? false),
    limit: field<number>(options, 'limit', 'number'),
    onlyTopCall: tracer === 'callTracer' && flag('onlyTopCall'),
    withLog: tracer === 'callTracer' && flag('withLog'),
    diffMode: tracer === 'prestateTracer' && flag('diffMode'),
    disableCode: tracer === 'prestateTracer' && flag('disableCode'),
    disableStorage: tracer === 'prestateTracer' && flag('disableStorage'),
    // A budget of 0 would mean none: the shortest is 1 ms.
    timeoutMs: Math.max(1, Math.ceil(timeoutMs)),
  };
}

/**
 * Replays for a geth-style trace, cut as geth cuts them: after the config's timeout the trace fails
 * with "execution timeout" (geth eth/tracers/api.go traceTx), so that a trace of a long transaction
 * cannot hold the node for minutes and gigabytes of struct logs (audit14 B2).
 */
async function traceMined(devnet: Devnet, tipset: Tipset, indices: 'all' | readonly number[], config: GethTraceConfig, signal: AbortSignal | undefined, dropped?: OffChainPoint): Promise<TracedMessage[]> {
  try {
    return await devnet.traceTipset(tipset, indices, collect(config), { budgetMs: config.timeoutMs, signal, dropped });
  } catch (error) {
    if (error instanceof ExecutionTimeoutError) throw new TraceTimeoutError();
    throw error;
  }
}

/** What to collect while the message runs. */
function collect(config: GethTraceConfig): TraceOptions {
  switch (config.tracer) {
    case 'structLogger':
      return { steps: { stack: config.stack, memory: config.memory, storage: config.storage, limit: config.limit } };
    case 'callTracer':
      return { logs: config.withLog };
    case 'prestateTracer':
      return { prestate: true };
    case 'noopTracer':
      return {};
  }
}

function format(traced: TracedMessage, config: GethTraceConfig): unknown {
  switch (config.tracer) {
    case 'structLogger':
      return structLogs(traced);
    case 'callTracer':
      return callTrace(traced, config);
    case 'prestateTracer':
      return prestate(traced.prestate ?? [], config);
    case 'noopTracer':
      return {};
  }
}

// --- errors ------------------------------------------------------------------------------------

/** geth's wording for @ethereumjs's errors where geth has one. */
const GETH_ERRORS: Record<string, string> = {
  revert: 'execution reverted',
  'out of gas': 'out of gas',
  'code store out of gas': 'contract creation code storage out of gas',
  'invalid opcode': 'invalid opcode',
  'invalid JUMP': 'invalid jump destination',
  'static state change': 'write protection',
  'insufficient balance': 'insufficient balance for transfer',
  'create collision': 'contract address collision',
  'code size to deposit exceeds maximum code size': 'max code size exceeded',
  'call refused': 'call refused: a native actor does not handle InvokeContract (exit 22); use call_actor',
  'selfdestruct failed': 'self destruct failed',
};

const gethError = (evmError: string) => GETH_ERRORS[evmError] ?? evmError;

const ERRNO_NAMES = Object.fromEntries(Object.entries(ErrorNumber).map(([name, n]) => [n, name])) as Record<number, string>;

function sendError(frame: SendFrame): string | undefined {
  if (frame.syscallError !== undefined) return `send failed: syscall error ${ERRNO_NAMES[frame.syscallError] ?? frame.syscallError}`;
  if (frame.exitCode === ExitCode.Ok) return undefined;
  if (frame.body?.evmError) return gethError(frame.body.evmError);
  if (frame.exitCode === ExitCode.SysErrOutOfGas) return 'out of gas';
  return `actor error: ${formatExitCode(frame.exitCode)}`;
}

/** geth's abi.UnpackRevert names for Solidity's panic codes. */
const PANIC_REASONS: Record<number, string> = {
  0x00: 'generic panic',
  0x01: 'assert(false)',
  0x11: 'arithmetic underflow or overflow',
  0x12: 'division or modulo by zero',
  0x21: 'enum overflow',
  0x22: 'invalid encoded storage byte array accessed',
  0x31: 'out-of-bounds array access; popping on an empty array',
  0x32: 'out-of-bounds access of an array or bytesN',
  0x41: 'out of memory',
  0x51: 'uninitialized function',
};

/** The reason in revert data: Error(string)'s message or a Panic(uint256) reason, as geth unpacks them. */
function revertReason(data: Uint8Array): string | undefined {
  if (data.length < 36) return undefined;
  const selector = bytesToHex(data.subarray(0, 4));
  const wordAt = (offset: number) => (offset + 32 <= data.length ? BigInt(bytesToHex(data.subarray(offset, offset + 32))) : undefined);
  if (selector === PANIC_SELECTOR) {
    const code = wordAt(4)!;
    return code < 256n && PANIC_REASONS[Number(code)] ? PANIC_REASONS[Number(code)] : `unknown panic code: 0x${code.toString(16)}`;
  }
  if (selector !== ERROR_SELECTOR) return undefined;
  const offset = wordAt(4);
  if (offset === undefined || offset > BigInt(data.length)) return undefined;
  const length = wordAt(4 + Number(offset));
  const start = 4 + Number(offset) + 32;
  if (length === undefined || BigInt(start) + length > BigInt(data.length)) return undefined;
  return new TextDecoder().decode(data.subarray(start, start + Number(length)));
}

// --- struct logger -----------------------------------------------------------------------------

const word = (n: bigint): Hex => bytesToHex(padStart(bigintToBytes(n), 32));

function memoryWords(memory: Uint8Array): Hex[] {
  const words: Hex[] = [];
  for (let i = 0; i < memory.length; i += 32) words.push(bytesToHex(memory.subarray(i, i + 32)));
  return words;
}

function structLog(step: StepLog) {
  return {
    pc: step.pc,
    op: step.op,
    gas: step.gas,
    gasCost: step.gasCost,
    depth: step.depth,
    ...(step.stack ? { stack: step.stack.map((v) => quantity(v)) } : {}),
    ...(step.memory ? { memory: memoryWords(step.memory) } : {}),
    ...(step.storage ? { storage: Object.fromEntries([...step.storage].map(([k, v]) => [word(k), word(v)])) } : {}),
    ...(step.error ? { error: gethError(step.error) } : {}),
  };
}

/** What the top-level frame returned: the deployed code for a deployment, else the EVM's output (which the receipt wraps as a CBOR byte string). */
function returnValue(traced: TracedMessage): Uint8Array {
  const root = traced.root;
  if (root?.body && isCreateSend(root)) return root.body.output;
  return decodeBytesParams(traced.returnData) ?? traced.returnData;
}

function structLogs(traced: TracedMessage) {
  return {
    gas: traced.gasUsed,
    failed: traced.exitCode !== ExitCode.Ok,
    returnValue: bytesToHex(returnValue(traced)),
    structLogs: traced.steps.map(structLog),
  };
}

// --- callTracer --------------------------------------------------------------------------------

export interface GethCallFrame {
  type: string;
  from: Hex;
  to?: Hex;
  value?: Hex;
  gas: Hex;
  gasUsed: Hex;
  input: Hex;
  output?: Hex;
  error?: string;
  revertReason?: string;
  precompile?: string;
  filecoin?: { address: string; actor?: string; method: number; exitCode: number };
  logs?: { address: Hex; topics: Hex[]; data: Hex; position: Hex }[];
  calls?: GethCallFrame[];
}

function logsOf(logs: FrameLog[]) {
  return logs.map((log) => ({ address: bytesToHex(log.address), topics: log.topics.map(bytesToHex), data: bytesToHex(log.data), position: quantity(log.position) }));
}

function callFrame(frame: CallFrame, config: GethTraceConfig, top?: TracedMessage): GethCallFrame {
  let result: GethCallFrame;
  let output: Uint8Array | undefined;
  let reverted: boolean;
  if (frame.kind === 'send') {
    const create = isCreateSend(frame);
    const evm = create || isEvmSend(frame);
    const to = create ? frame.body?.created : sendTo(frame);
    output = frame.syscallError !== undefined ? undefined : evm ? (frame.body?.output ?? frame.returnData) : nativeOutput(frame.exitCode, frame.returnBlock);
    reverted = frame.body?.evmError === 'revert';
    result = {
      type: create ? 'CREATE' : frame.readOnly ? 'STATICCALL' : 'CALL',
      from: bytesToHex(frame.from),
      ...(to ? { to: bytesToHex(to) } : {}),
      value: quantity(frame.value),
      gas: quantity(top ? top.message.gasLimit : frame.gas),
      gasUsed: quantity(top ? top.gasUsed : frame.gasUsed),
      input: bytesToHex(sendInput(frame)),
      error: sendError(frame),
    };
    if (!evm) {
      result.filecoin = {
        address: (frame.receiver ? FilAddress.fromId(frame.receiver.id) : frame.toAddress).toString(),
        actor: frame.receiver?.kind,
        method: frame.method,
        exitCode: frame.exitCode,
      };
    }
  } else {
    output = frame.output;
    reverted = frame.evmError === 'revert';
    result = {
      type: frame.type,
      from: bytesToHex(frame.from),
      ...(frame.kind === 'evm' && frame.type === 'DELEGATECALL' && frame.codeAddress ? { to: bytesToHex(frame.codeAddress) } : frame.to ? { to: bytesToHex(frame.to) } : {}),
      // geth leaves the value out of STATICCALL frames.
      ...(frame.type === 'STATICCALL' ? {} : { value: quantity(frame.value) }),
      gas: quantity(frame.gas),
      gasUsed: quantity(frame.gasUsed),
      input: bytesToHex(frame.input),
      error: frame.evmError ? gethError(frame.evmError) : undefined,
    };
    if (frame.kind === 'precompile' && frame.name) result.precompile = frame.name;
  }
  if (output && output.length > 0) result.output = bytesToHex(output);
  if (reverted && output) {
    const reason = revertReason(output);
    if (reason !== undefined) result.revertReason = reason;
  }
  if (result.error === undefined) delete result.error;
  // geth drops the logs of frames that failed.
  if (config.withLog && frame.logs.length > 0 && frame.exitCode === ExitCode.Ok) result.logs = logsOf(frame.logs);
  if (!config.onlyTopCall && frame.calls.length > 0) result.calls = frame.calls.map((call) => callFrame(call, config));
  return result;
}

/** geth's callTracer view of a traced message, every frame, no logs (ots_traceTransaction reads it too). */
export const callTree = (traced: TracedMessage): GethCallFrame =>
  callTrace(traced, { tracer: 'callTracer', stack: false, memory: false, storage: false, onlyTopCall: false, withLog: false, diffMode: false, disableCode: false, disableStorage: false, timeoutMs: DEFAULT_TRACE_TIMEOUT_MS });

function callTrace(traced: TracedMessage, config: GethTraceConfig): GethCallFrame {
  if (traced.root) return callFrame(traced.root, config, traced);
  // The message failed before it was sent (its sender could not pay, …): its frame and error only.
  const { message } = traced;
  return {
    type: 'CALL',
    from: bytesToHex(message.from.ethAddress ?? new Uint8Array(20)),
    value: quantity(message.value),
    gas: quantity(message.gasLimit),
    gasUsed: quantity(traced.gasUsed),
    input: '0x',
    error: `message failed: exit ${formatExitCode(traced.exitCode)}`,
  };
}

// --- prestateTracer ----------------------------------------------------------------------------

interface GethAccount {
  balance?: Hex;
  code?: Hex;
  nonce?: number;
  storage?: Record<Hex, Hex>;
}

/** The nonce the EVM sees: a contract's own, an account's message count. */
const nonceOf = (actor: Actor) => (actor.evm ? actor.evm.nonce : actor.nonce);
const codeOf = (actor: Actor) => actor.evm?.bytecode ?? new Uint8Array();

function account(actor: Actor | undefined, storage: Map<bigint, bigint>, config: GethTraceConfig): GethAccount {
  const result: GethAccount = { balance: quantity(actor?.balance ?? 0n) };
  const code = actor ? codeOf(actor) : new Uint8Array();
  if (code.length > 0 && !config.disableCode) result.code = bytesToHex(code);
  if (actor && nonceOf(actor) > 0) result.nonce = nonceOf(actor);
  if (storage.size > 0 && !config.disableStorage) result.storage = Object.fromEntries([...storage].map(([k, v]) => [word(k), word(v)]));
  return result;
}

/** Accounts as they were before the message; with diffMode, what changed (geth's prestateTracer). */
function prestate(accounts: PrestateAccount[], config: GethTraceConfig) {
  if (!config.diffMode) {
    return Object.fromEntries(accounts.map((a) => [bytesToHex(a.eth), account(a.pre, a.preStorage, config)]));
  }
  const pre: Record<Hex, GethAccount> = {};
  const post: Record<Hex, GethAccount> = {};
  for (const a of accounts) {
    const address = bytesToHex(a.eth);
    if (!a.pre && !a.post) continue;
    const changedSlots = [...a.preStorage.keys(), ...a.postStorage.keys()].filter((slot) => (a.preStorage.get(slot) ?? 0n) !== (a.postStorage.get(slot) ?? 0n));
    const slots = new Set(changedSlots);
    if (!a.pre) {
      // Created by the message: only in post.
      post[address] = account(a.post, new Map([...a.postStorage].filter(([slot, v]) => slots.has(slot) && v !== 0n)), config);
      continue;
    }
    const changes: GethAccount = {};
    const after = a.post;
    if (after && after.balance !== a.pre.balance) changes.balance = quantity(after.balance);
    if (after && nonceOf(after) !== nonceOf(a.pre)) changes.nonce = nonceOf(after);
    if (after && !config.disableCode && bytesToHex(codeOf(after)) !== bytesToHex(codeOf(a.pre))) changes.code = bytesToHex(codeOf(after));
    const postStorage = [...slots].filter((slot) => (a.postStorage.get(slot) ?? 0n) !== 0n);
    if (postStorage.length > 0 && !config.disableStorage) changes.storage = Object.fromEntries(postStorage.map((slot) => [word(slot), word(a.postStorage.get(slot)!)]));
    const modified = changes.balance !== undefined || changes.nonce !== undefined || changes.code !== undefined || slots.size > 0;
    if (!modified) continue;
    pre[address] = account(a.pre, new Map([...a.preStorage].filter(([slot, v]) => slots.has(slot) && v !== 0n)), config);
    post[address] = changes;
  }
  return { post, pre };
}

// --- methods -----------------------------------------------------------------------------------

/** The mined message a transaction hash names, or a clear error. */
export function minedMessage(devnet: Devnet, txHash: Uint8Array) {
  const found = devnet.chain.messageByTxHash(txHash);
  if (found) return found;
  const hex = bytesToHex(txHash);
  const pending = devnet.pendingTransaction(txHash) !== undefined;
  throw new DevnetError(pending ? `transaction ${hex} is pending: it has no trace until it is mined` : `transaction ${hex} not found`);
}

/** `dropped`: the tipset is one a revert dropped, replayed on its kept state (dropped-tipsets.ts). */
async function traceBlock(devnet: Devnet, tipset: Tipset, options: Record<string, unknown> | undefined, signal: AbortSignal | undefined, dropped?: OffChainPoint) {
  const config = parseTraceConfig('options', options);
  const traced = await traceMined(devnet, tipset, 'all', config, signal, dropped);
  return traced.map((t) => ({ txHash: bytesToHex(transactionHash(t.included!)), result: format(t, config) }));
}

export const debugTrace = [
  defineMethod('debug_traceTransaction', [hash('transactionHash'), optional(object('options'))], async ({ devnet, signal }, txHash, options) => {
    const config = parseTraceConfig('options', options);
    const { tipset, message } = minedMessage(devnet, txHash);
    const [traced] = await traceMined(devnet, tipset, [message.index], config, signal);
    return format(traced, config);
  }),

  defineMethod('debug_traceCall', [callRequest('transaction'), optional(blockRef('block')), optional(object('options'))], async ({ devnet, batch }, tx, block, options) => {
    const config = parseTraceConfig('options', options, true);
    // By hash also a block a revert dropped, on its kept state, as eth_call runs on it.
    const { tipset, dropped } = resolveStatePoint(devnet, block ?? { tag: 'latest' });
    return format(await devnet.traceCall(tx, dropped ?? tipset.epoch, collect(config), batch), config);
  }),

  defineMethod('debug_traceBlockByNumber', [blockRef('block', { allowHash: false }), optional(object('options'))], ({ devnet, signal }, block, options) =>
    traceBlock(devnet, resolveBlock(devnet, block), options, signal),
  ),

  // By hash also a block a revert or reorg dropped, as geth traces a block off its canonical chain by hash.
  defineMethod('debug_traceBlockByHash', [hash('blockHash'), optional(object('options'))], ({ devnet, signal }, blockHash, options) => {
    const { tipset, dropped } = resolveStatePoint(devnet, { hash: blockHash });
    return traceBlock(devnet, tipset, options, signal, dropped);
  }),
];
