// Lotus's OpenEthereum-style traces: trace_block, trace_replayBlockTransactions, trace_transaction,
// trace_filter (Filecoin.EthTrace*), computed as Lotus computes them from the FVM's execution
// trace (node/impl/eth/trace.go). A trace is an FVM send, not an EVM instruction:
//   - CALL and STATICCALL to an actor are sends (InvokeContract): `call` traces, `staticcall` when
//     read-only; DELEGATECALL to a contract is `delegatecall` from the calling contract to the
//     code's contract, with value 0; CREATE, CREATE2 and a deployment are `create` traces whose
//     `code` is always 0xfe (on a revert: the revert data);
//   - calls to precompiles are no sends and do not appear, but the sends call_actor makes do, as
//     calls from the contract; a native method shows as handle_filecoin_method(method, codec,
//     params) with output abi.encode(exit code, codec, data);
//   - a send that never reached an actor (a masked ID naming none, a read-only call to a missing
//     address, insufficient funds) is dropped with everything under it;
//   - gas is FVM gas: the send's gas limit and what the send used itself, without the sends it made
//     (Lotus's gasUsed is the frame's SumGas of its own GasCharges); the top-level trace has the
//     message's gas limit and its receipt's gas used less its sends' (the untraced GetBytecode ones
//     too). A create is the EAM's frame (traceEthCreate): its own charges, without Init's Exec4 and
//     the constructor under it (nor a native deployer's PubkeyAddress), which no trace shows; its
//     subtraces are the constructor's sends;
//   - errors read "Reverted", "out of gas", "vm error: …" or "actor error: …" (traceErrMsg);
//   - transactionPosition is the message's 0-based index in the tipset (Lotus since v1.36.1).
import { DevnetError } from '../../common/errors.js';
import { bytesToHex, quantity, type Hex } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { TracedMessage } from '../../devnet/replay.js';
import { bytecodeSendGas } from '../../fevm/actors/evm/evm-gas.js';
import type { CallFrame, SendFrame } from '../../fevm/actors/evm/tracer.js';
import { ExitCode, formatExitCode } from '../../fevm/exit-code.js';
import { SAFE_EPOCH_DELAY } from '../../mining/finality.js';
import type { Tipset } from '../../mining/tipset.js';
import { resolveBlock } from '../block-ref.js';
import { defineMethod, type RpcMethod } from '../define-method.js';
import { checkBlockRange } from '../log-criteria.js';
import { transactionHash } from '../logs.js';
import { blockRef, ethUint64, hash, invalid, object, parseAddress, parseSafeNumber, type Param } from '../params.js';
import { isCreateSend, isEvmSend, nativeOutput, sendInput, sendTo } from '../trace-views.js';

/** Lotus's Fevm.EthTraceFilterMaxResults default. */
export const TRACE_FILTER_MAX_RESULTS = 500;

/** The bytes every create trace reports as the deployed code (EIP-3541's "impossible" bytecode). */
const INVALID_CODE = new Uint8Array([0xfe]);

interface CallAction {
  callType: 'call' | 'staticcall' | 'delegatecall';
  from: Hex;
  to: Hex;
  gas: Hex;
  value: Hex;
  input: Hex;
}

interface CreateAction {
  from: Hex;
  gas: Hex;
  value: Hex;
  init: Hex;
}

/** Lotus's EthTrace, fields in its order. */
interface EthTrace {
  type: 'call' | 'create';
  error?: string;
  subtraces: number;
  traceAddress: number[];
  action: CallAction | CreateAction;
  result: { gasUsed: Hex; output: Hex } | { address?: Hex; gasUsed: Hex; code: Hex };
}

/** A trace and the traces under it, before they are numbered and flattened. */
interface TraceNode {
  type: 'call' | 'create';
  error?: string;
  action: CallAction | CreateAction;
  result: EthTrace['result'];
  children: TraceNode[];
}

/** Lotus traceErrMsg. */
function traceError(exitCode: number): string | undefined {
  if (exitCode === ExitCode.Ok) return undefined;
  if (exitCode === ExitCode.SysErrOutOfGas) return 'out of gas';
  if (exitCode < 16) return `vm error: ${formatExitCode(exitCode)}`;
  const evm: Record<number, string> = {
    [ExitCode.EvmReverted]: 'Reverted',
    [ExitCode.EvmInvalidInstruction]: 'invalid instruction',
    [ExitCode.EvmUndefinedInstruction]: 'undefined instruction',
    [ExitCode.EvmStackUnderflow]: 'stack underflow',
    [ExitCode.EvmStackOverflow]: 'stack overflow',
    [ExitCode.EvmIllegalMemoryAccess]: 'illegal memory access',
    [ExitCode.EvmBadJumpdest]: 'invalid jump destination',
    [ExitCode.EvmSelfdestructFailed]: 'self destruct failed',
  };
  return evm[exitCode] ?? `actor error: ${formatExitCode(exitCode)}`;
}

const EMPTY = new Uint8Array();

function call(callType: CallAction['callType'], from: Uint8Array, to: Uint8Array, gas: number, value: bigint, input: Uint8Array, gasUsed: number, output: Uint8Array, exitCode: number, children: TraceNode[]): TraceNode {
  return {
    type: 'call',
    error: traceError(exitCode),
    action: { callType, from: bytesToHex(from), to: bytesToHex(to), gas: quantity(gas), value: quantity(value), input: bytesToHex(input) },
    result: { gasUsed: quantity(gasUsed), output: bytesToHex(output) },
    children,
  };
}

function create(from: Uint8Array, gas: number, value: bigint, init: Uint8Array, gasUsed: number, created: Uint8Array | undefined, revertData: Uint8Array, exitCode: number, children: TraceNode[]): TraceNode {
  const code = exitCode === ExitCode.Ok ? INVALID_CODE : exitCode === ExitCode.EvmReverted ? revertData : EMPTY;
  return {
    type: 'create',
    error: traceError(exitCode),
    action: { from: bytesToHex(from), gas: quantity(gas), value: quantity(value), init: bytesToHex(init) },
    result: { ...(created && exitCode === ExitCode.Ok ? { address: bytesToHex(created) } : {}), gasUsed: quantity(gasUsed), code: bytesToHex(code) },
    children,
  };
}

/** The sends under a frame: precompile calls are not sends, but the sends they made are. */
function childNodes(frame: CallFrame): TraceNode[] {
  return frame.calls.flatMap((child) => (child.kind === 'precompile' ? childNodes(child) : (node(child, undefined) ?? [])));
}

/**
 * The gas of the sends a frame made (through its precompile calls too), traced or not: the FVM books
 * each send's charges in the send's own frame, so Lotus's gasUsed for a frame leaves them out. The
 * GetBytecode a DELEGATECALL sends first and the GetBytecode/GetBytecodeHash of EXTCODE* are sends
 * too, whose gas the devnet counts in the contract's opcode (FevmEvm.getBytecodeGas).
 */
function sendsGas(frame: CallFrame): number {
  let gas = 0;
  for (const child of frame.calls) {
    if (child.kind === 'precompile') gas += sendsGas(child);
    else gas += child.gasUsed + (child.kind === 'evm' && child.type === 'DELEGATECALL' && child.callee?.bytecode ? bytecodeSendGas(false, child.invokedActors?.callee?.evm?.dead === true) : 0);
  }
  for (const read of frame.codeReads ?? []) gas += read.gasUsed;
  return gas;
}

/** The trace of one frame, or undefined when Lotus would drop it (and all under it). */
function node(frame: CallFrame, top: TracedMessage | undefined): TraceNode | undefined {
  if (frame.kind === 'precompile') return undefined;
  // Sends that failed on funds or a fatal error are dropped below the top level, as Lotus drops them.
  if (!top && (frame.exitCode === ExitCode.SysErrInsufficientFunds || frame.exitCode === ExitCode.SysFatal)) return undefined;
  if (frame.kind === 'evm') {
    if (!frame.invoked) return undefined;
    const children = childNodes(frame);
    if (frame.type === 'CREATE' || frame.type === 'CREATE2') {
      return create(frame.from, frame.gas, frame.value, frame.input, frame.eamGasUsed ?? 0, frame.to, frame.output, frame.exitCode, children);
    }
    const gasUsed = frame.gasUsed - sendsGas(frame);
    if (frame.type === 'DELEGATECALL') {
      // The EVM actor's InvokeContractDelegate: from the contract to itself, shown as a call of the code's contract.
      return call('delegatecall', frame.to!, frame.codeAddress!, frame.gas, 0n, frame.input, gasUsed, frame.output, frame.exitCode, children);
    }
    return call(frame.type === 'STATICCALL' ? 'staticcall' : 'call', frame.from, frame.to!, frame.gas, frame.value, frame.input, gasUsed, frame.output, frame.exitCode, children);
  }
  return sendNode(frame, top);
}

function sendNode(frame: SendFrame, top: TracedMessage | undefined): TraceNode | undefined {
  // Never invoked: no actor there, or the value could not move.
  if (frame.syscallError !== undefined) return undefined;
  const gas = top ? top.message.gasLimit : frame.gas;
  const sent = top ? top.gasUsed : frame.gasUsed;
  const children = childNodes(frame);
  if (isCreateSend(frame)) {
    // A deployment that failed before its constructor ran is not traced.
    if (!frame.body && frame.exitCode !== ExitCode.Ok) return undefined;
    // The send's charges outside its EVM run (the message's inclusion, the EAM's invocation) and the EAM's own part of the run.
    const eamGasUsed = frame.body ? sent - frame.body.gasUsed + (frame.body.eamGasUsed ?? 0) : sent;
    return create(frame.from, gas, frame.value, sendInput(frame), eamGasUsed, frame.body?.created, frame.body?.output ?? EMPTY, frame.exitCode, children);
  }
  const gasUsed = sent - sendsGas(frame);
  const to = sendTo(frame) ?? new Uint8Array(20);
  const output = isEvmSend(frame) ? frame.returnData : nativeOutput(frame.exitCode, frame.returnBlock);
  return call(frame.readOnly ? 'staticcall' : 'call', frame.from, to, gas, frame.value, sendInput(frame), gasUsed, output, frame.exitCode, children);
}

/** Numbers a tree depth-first (traceAddress, subtraces) into Lotus's flat list. */
function flatten(root: TraceNode, address: number[] = [], out: EthTrace[] = []): EthTrace[] {
  const { children, ...rest } = root;
  out.push({ type: rest.type, ...(rest.error ? { error: rest.error } : {}), subtraces: children.length, traceAddress: address, action: rest.action, result: rest.result });
  children.forEach((child, i) => flatten(child, [...address, i], out));
  return out;
}

/** The traces of one message. */
function messageTraces(traced: TracedMessage): EthTrace[] {
  if (!traced.root) return [];
  const root = node(traced.root, traced);
  return root ? flatten(root) : [];
}

interface BlockTrace extends EthTrace {
  blockHash: Hex;
  blockNumber: number;
  transactionHash: Hex;
  transactionPosition: number;
}

async function blockTraces(devnet: Devnet, tipset: Tipset, signal: AbortSignal | undefined): Promise<BlockTrace[]> {
  if (tipset.messages.length === 0) return [];
  const traced = await devnet.traceTipset(tipset, 'all', {}, { signal });
  return traced.flatMap((t) =>
    messageTraces(t).map((trace) => ({
      ...trace,
      blockHash: bytesToHex(tipset.hash),
      blockNumber: tipset.epoch,
      transactionHash: bytesToHex(transactionHash(t.included!)),
      transactionPosition: t.included!.index,
    })),
  );
}

/** Whether trace_replayBlockTransactions' trace types are the one Lotus serves: ['trace']. */
export function onlyTraceType(types: unknown): boolean {
  return Array.isArray(types) && types.length === 1 && types[0] === 'trace';
}

const traceTypes: Param<string[]> = {
  name: 'traceTypes',
  parse: (v) => {
    if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw invalid('traceTypes', 'expected an array of strings');
    return v as string[];
  },
};

// --- trace_filter ------------------------------------------------------------------------------

export interface TraceFilter {
  fromBlock: number;
  toBlock: number;
  fromAddress: Hex[];
  toAddress: Hex[];
  after?: number;
  count?: number;
}

/**
 * fromBlock/toBlock as Lotus's trace_filter reads them (node/impl/eth/trace.go EthTraceFilter): left
 * out is 'latest'; 'latest' and 'pending' are the head (the devnet's latest), 'safe' 30 epochs below
 * it; any other text is a hex number, its "0x" optional ('earliest' is refused by name, 'finalized'
 * as a number that does not parse). Errors are code 1 in Lotus's words, whose inner part names
 * fromBlock for either end.
 */
function filterBlock(devnet: Devnet, name: 'fromBlock' | 'toBlock', value: unknown): number {
  if (value === undefined || value === null) return devnet.head.epoch;
  if (value === 'earliest') throw new DevnetError(`cannot parse ${name}: block param "earliest" is not supported`);
  if (value === 'latest' || value === 'pending') return devnet.head.epoch;
  if (value === 'safe') return Math.max(0, devnet.head.epoch - SAFE_EPOCH_DELAY);
  if (typeof value !== 'string') return parseSafeNumber(`filter.${name}`, value);
  // Go's strconv.ParseUint(s, 16, 64) of the text with every "0x" taken out.
  const digits = value.replaceAll('0x', '');
  const number = /^[0-9a-fA-F]+$/.test(digits) ? BigInt(`0x${digits}`) : undefined;
  if (number === undefined || number >= 2n ** 64n) {
    throw new DevnetError(`cannot parse ${name}: cannot parse fromBlock: strconv.ParseUint: parsing ${JSON.stringify(digits)}: ${number === undefined ? 'invalid syntax' : 'value out of range'}`);
  }
  return Number(number);
}

function filterAddresses(name: string, value: unknown): Hex[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => bytesToHex(parseAddress(Array.isArray(value) ? `filter.${name}[${i}]` : `filter.${name}`, v)));
}

/** A count or offset: Lotus's EthUint64 (a number, a decimal or hex string). */
function filterNumber(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return ethUint64(`filter.${name}`).parse(value);
}

/** trace_filter's criteria as the node reads them; a bad field is an invalid-params error naming it, a range too wide Lotus's -32005. */
export function parseTraceFilter(devnet: Devnet, filter: Record<string, unknown>): TraceFilter {
  const parsed = {
    fromBlock: filterBlock(devnet, 'fromBlock', filter.fromBlock),
    toBlock: filterBlock(devnet, 'toBlock', filter.toBlock),
    fromAddress: filterAddresses('fromAddress', filter.fromAddress),
    toAddress: filterAddresses('toAddress', filter.toAddress),
    after: filterNumber('after', filter.after),
    count: filterNumber('count', filter.count),
  };
  checkBlockRange(parsed.fromBlock, parsed.toBlock);
  return parsed;
}

/** Lotus matchFilterCriteria: a call by its from and to, a create by its from and created address. */
function matches(trace: BlockTrace, filter: TraceFilter): boolean {
  const from = trace.action.from;
  const to = trace.type === 'call' ? (trace.action as CallAction).to : (trace.result as { address?: Hex }).address;
  if (filter.fromAddress.length > 0 && !filter.fromAddress.includes(from)) return false;
  if (filter.toAddress.length > 0 && (to === undefined || !filter.toAddress.includes(to))) return false;
  return true;
}

/** Lotus's error for a trace_filter without Count that matches more than it answers. */
export function tooManyTraces(): DevnetError {
  return new DevnetError(`too many results, maximum supported is ${TRACE_FILTER_MAX_RESULTS}, try paginating requests with After and Count`);
}

async function traceFilter(devnet: Devnet, filter: TraceFilter, signal: AbortSignal | undefined): Promise<BlockTrace[]> {
  const { count, after } = filter;
  if (count === 0) return [];
  if (count !== undefined && count > TRACE_FILTER_MAX_RESULTS) {
    throw new DevnetError(`invalid response count, requested ${count}, maximum supported is ${TRACE_FILTER_MAX_RESULTS}`);
  }
  const results: BlockTrace[] = [];
  let seen = 0;
  // Null rounds have no tipset and no traces: Lotus skips them.
  for (const tipset of devnet.chain.range(filter.fromBlock, filter.toBlock)) {
    for (const trace of await blockTraces(devnet, tipset, signal)) {
      if (!matches(trace, filter)) continue;
      seen++;
      if (after !== undefined && seen <= after) continue;
      results.push(trace);
      if (count !== undefined && results.length >= count) return results;
      if (count === undefined && results.length > TRACE_FILTER_MAX_RESULTS) throw tooManyTraces();
    }
  }
  const future = Math.max(filter.fromBlock, devnet.head.epoch + 1);
  if (future <= filter.toBlock) throw new DevnetError(`cannot get trace for block ${future}: requested a future epoch (beyond 'latest')`);
  return results;
}

export const traceMethods: RpcMethod[] = [
  defineMethod('trace_block', [blockRef('block', { allowHash: false })], ({ devnet, signal }, block) => blockTraces(devnet, resolveBlock(devnet, block), signal)),

  defineMethod('trace_replayBlockTransactions', [blockRef('block', { allowHash: false }), traceTypes], async ({ devnet, signal }, block, types) => {
    if (!onlyTraceType(types)) throw new DevnetError("only 'trace' is supported");
    const tipset = resolveBlock(devnet, block);
    if (tipset.messages.length === 0) return [];
    const traced = await devnet.traceTipset(tipset, 'all', {}, { signal });
    return traced.map((t) => {
      const trace = messageTraces(t);
      const first = trace[0]?.result;
      const output = first ? ('output' in first ? first.output : first.code) : '0x';
      return { output, stateDiff: null, trace, transactionHash: bytesToHex(transactionHash(t.included!)), vmTrace: null };
    });
  }),

  defineMethod('trace_transaction', [hash('transactionHash')], async ({ devnet, signal }, txHash) => {
    const found = devnet.chain.messageByTxHash(txHash);
    if (!found) {
      if (devnet.pendingTransaction(txHash)) throw new DevnetError('no trace for pending transactions');
      throw new DevnetError('transaction not found');
    }
    const [traced] = await devnet.traceTipset(found.tipset, [found.message.index], {}, { signal });
    return messageTraces(traced).map((trace) => ({
      ...trace,
      blockHash: bytesToHex(found.tipset.hash),
      blockNumber: found.tipset.epoch,
      transactionHash: bytesToHex(transactionHash(found.message)),
      transactionPosition: found.message.index,
    }));
  }),

  defineMethod('trace_filter', [object('filter')], ({ devnet, signal }, filter) => traceFilter(devnet, parseTraceFilter(devnet, filter), signal)),
];
