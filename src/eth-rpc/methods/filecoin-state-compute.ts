// The Lotus methods that run messages and report what happened: Filecoin.StateReplay and
// StateCompute (lotus node/impl/full/state.go, chain/stmgr), with api.InvocResult shaped as
// Filecoin.StateCall shapes it.
import { FilAddress } from '../../common/address.js';
import { cidOf, DAG_CBOR, decodeCbor, encodeBigInt, encodeCbor, RAW, type CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import type { CallFrame, CodeRead, EvmFrame, SendFrame } from '../../fevm/actors/evm/tracer.js';
import { ExitCode } from '../../fevm/exit-code.js';
import { computeGasOutputs } from '../../fevm/gas.js';
import { EAM_ACTOR_ID, type Actor } from '../../fevm/actor.js';
import { EAM_CREATE, EAM_CREATE2 } from '../../fevm/actors/eam.js';
import { METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT, messageCid, type Message } from '../../fevm/message.js';
import { CBOR, type IpldBlock } from '../../filecoin-precompiles/runtime.js';
import type { ActorEvent, BacktraceFrame } from '../../fevm/types.js';
import type { Tipset } from '../../mining/tipset.js';
import type { CodeTable } from '../../fevm/code-table.js';
import type { OffChainPoint, TracedMessage } from '../../devnet/replay.js';
import type { ImplicitRun } from '../../devnet/implicit-messages.js';
import { vmError } from '../../devnet/revert.js';
import { defineMethod } from '../define-method.js';
import { eamReturn, eamSubcalls, traceJson, type Creation, type CreationFailure, type TracedSend } from '../execution-trace.js';
import { cidJson, messageJson, receiptJson } from '../lotus-json.js';
import { keptStatePoint, loadedMessage, messageIn } from '../dropped-tipsets.js';
import { cid, epoch, messages, tipsetKey } from '../lotus-params.js';

interface Outcome {
  exitCode: number;
  returnData: Uint8Array;
  gasUsed: number;
  /** The events the message emitted (its receipt's EventsRoot names them). */
  events?: readonly ActorEvent[];
  /** A failure's abort message, failed actor and the frames below it, where known (revert.ts vmError). */
  error?: string;
  failedActor?: number;
  innerFrames?: BacktraceFrame[];
  /** The top-level send of a traced run. */
  root?: SendFrame;
  /** How long the run took (ns): Lotus's Duration, a time.Duration. */
  durationNs: number;
}

/** builtin-actors' EVM methods a DELEGATECALL sends (actors/evm Method). */
const EVM_GET_BYTECODE = 3;
const EVM_INVOKE_CONTRACT_DELEGATE = 6;

/** The caller and value of the running contract's call: what a DELEGATECALL passes on; and the chain's code CIDs (the EVM's, which the EAM's Exec4 names). */
interface EvmContext {
  caller: Uint8Array;
  value: bigint;
  codes: CodeTable;
}

const address = (eth: Uint8Array) => FilAddress.fromEthAddress(eth);
/** A send's sender as the FVM's trace names it: by its actor ID (filecoin-ffi build_lotus_trace's Address::new_id). */
const senderOf = (frame: { from: Uint8Array; fromId: number | undefined }) => (frame.fromId === undefined ? address(frame.from) : FilAddress.fromId(frame.fromId));
/** What the EVM actor returns for InvokeContract and InvokeContractDelegate: its output as a CBOR byte string. */
const evmReturn = (output: Uint8Array): IpldBlock => ({ codec: CBOR, data: encodeCbor(output) });

/**
 * A deployment (the EAM's CreateExternal, its params the initcode as a CBOR byte string; or a
 * StateCall's Create or Create2 from a contract's address, [initcode, nonce or salt]): when it
 * succeeded, its return [id, robust or null when it resurrected a dead contract, eth address]; when
 * it failed after the EAM chose the address, whom it sent to (the tracer's CreationTarget).
 */
function deployment(frame: SendFrame, codes: CodeTable): { creation: Creation; failure?: CreationFailure } | undefined {
  if (frame.receiver?.id !== EAM_ACTOR_ID || !frame.params) return undefined;
  const params = frame.params.data;
  // CreateExternal's params are the initcode; Create's and Create2's (a StateCall from a contract's address) [initcode, nonce or salt].
  const external = frame.method === METHOD_CREATE_EXTERNAL;
  if (!external && !(frame.top && (frame.method === EAM_CREATE || frame.method === EAM_CREATE2))) return undefined;
  const initcode = () => (external ? decodeCbor<Uint8Array>(params) : decodeCbor<[Uint8Array]>(params)[0]);
  const common = () => ({ creator: frame.from, initcode: initcode(), value: frame.value, gas: frame.gas, account: frame.account, codes, init: frame.init });
  if (frame.exitCode === 0) {
    const [id, robust, eth] = decodeCbor<[number, Uint8Array | null, Uint8Array]>(frame.returnData);
    return { creation: { ...common(), id, eth, robust: robust ? FilAddress.fromBytes(robust) : undefined, resurrected: robust === null, prior: frame.prior } };
  }
  const target = frame.body?.target;
  // A failure before the EAM chose an address (params that are no initcode among them) sent nothing.
  if (!target) return undefined;
  return { creation: { ...common(), id: target.id, eth: target.eth, resurrected: target.resurrect, prior: target.prior }, failure: creationFailure(frame.exitCode, frame.body!.output) };
}

/** A failed creation as each of its sends ends: the exit code, and for a revert the revert data as the EVM actor returns it. */
const creationFailure = (exitCode: number, revertData: Uint8Array): CreationFailure => ({
  exitCode,
  returnBlock: exitCode === ExitCode.EvmReverted ? evmReturn(revertData) : undefined,
});

/** The trace of an FVM send (the top-level message, a builtin actor's or call_actor's send). */
function sendTrace(frame: SendFrame, codes: CodeTable): unknown {
  const calls = subcalls(frame, { caller: frame.from, value: frame.value, codes });
  const created = deployment(frame, codes);
  return traceJson(
    {
      from: senderOf(frame),
      to: frame.toAddress,
      value: frame.value,
      method: frame.method,
      params: frame.params,
      gas: frame.gas,
      readOnly: frame.readOnly,
      exitCode: frame.exitCode,
      returnBlock: frame.returnBlock,
      invoked: frame.invoked,
    },
    created ? eamSubcalls(created.creation, calls, created.failure) : calls,
    codes,
  );
}

/**
 * A contract's CREATE or CREATE2: its send to the EAM (Create [initcode, nonce] or Create2
 * [initcode, salt]) and the EAM's sends under it, failed or not (the EAM sends nothing when another
 * kind of actor holds the address). The robust address is unknown here (the devnet gives such a
 * contract none); a successful resurrection of a dead contract is shown as a new one.
 */
function createTrace(frame: EvmFrame, context: EvmContext): unknown[] {
  const create2 = frame.type === 'CREATE2';
  if (create2 ? !frame.salt : frame.createNonce === undefined) return [];
  const { target } = frame;
  // Stopped before the EAM's send (the gas for it ran out).
  if (!target && frame.evmError !== 'create collision') return [];
  const failure = frame.exitCode === 0 ? undefined : creationFailure(frame.exitCode, frame.output);
  if (!failure && !target) return [];
  const { eam, init, prior } = frame.invokedActors ?? {};
  const creation: Creation | undefined = target && { creator: frame.from, initcode: frame.input, value: frame.value, gas: frame.gas, id: target.id, eth: target.eth, resurrected: target.resurrect, codes: context.codes, init, prior: target.prior ?? prior };
  const send: TracedSend = {
    from: senderOf(frame),
    to: FilAddress.fromId(EAM_ACTOR_ID),
    value: frame.value,
    method: create2 ? EAM_CREATE2 : EAM_CREATE,
    params: { codec: DAG_CBOR, data: encodeCbor([frame.input, create2 ? frame.salt : frame.createNonce]) },
    gas: frame.gas,
    readOnly: false,
    exitCode: frame.exitCode,
    returnBlock: failure ? failure.returnBlock : eamReturn(creation!),
    invoked: eam,
  };
  return [traceJson(send, creation ? eamSubcalls(creation, subcalls(frame, context), failure) : [], context.codes)];
}

/**
 * The sends an EVM call made, as the EVM actor makes them (builtin-actors evm call.rs): CALL and
 * STATICCALL send InvokeContract with the calldata as a raw block (STATICCALL read-only); DELEGATECALL
 * reads the code contract's bytecode CID (GetBytecode, read-only) and sends InvokeContractDelegate to
 * the calling contract itself with [code, input, caller, value]. A call that reached no actor made no
 * send. A CREATE or CREATE2 is the EAM's Create or Create2 (createTrace).
 */
function evmCallTraces(frame: EvmFrame, context: EvmContext): unknown[] {
  if (frame.type === 'CREATE' || frame.type === 'CREATE2') return createTrace(frame, { ...context, caller: frame.from, value: frame.value });
  if (!frame.invoked || !frame.callee) return frame.type === 'CALL' || frame.type === 'STATICCALL' ? noActorTrace(frame, context) : [];
  if (frame.type === 'CALL' || frame.type === 'STATICCALL') {
    const send: TracedSend = {
      ...invokeContractSend(frame),
      returnBlock: frame.callee.kind === 'evm' ? evmReturn(frame.output) : undefined,
      invoked: frame.invokedActors?.callee ?? createdByCall(frame),
    };
    return [traceJson(send, subcalls(frame, { ...context, caller: frame.from, value: frame.value }), context.codes)];
  }
  if (frame.type !== 'DELEGATECALL' || !frame.callee.bytecode) return [];
  const self = address(frame.to!);
  const selfId = senderOf(frame);
  const getBytecode: TracedSend = {
    from: selfId,
    to: address(frame.codeAddress!),
    value: 0n,
    method: EVM_GET_BYTECODE,
    gas: frame.gas,
    readOnly: true,
    exitCode: 0,
    returnBlock: bytecodeReturn(frame.callee.bytecode),
    invoked: frame.invokedActors?.callee,
  };
  const delegate: TracedSend = {
    from: selfId,
    to: self,
    value: 0n,
    method: EVM_INVOKE_CONTRACT_DELEGATE,
    params: { codec: DAG_CBOR, data: encodeCbor([frame.callee.bytecode, frame.input, context.caller, encodeBigInt(context.value)]) },
    gas: frame.gas,
    readOnly: false,
    exitCode: frame.exitCode,
    returnBlock: evmReturn(frame.output),
    invoked: frame.invokedActors?.self,
  };
  return [traceJson(getBytecode, [], context.codes), traceJson(delegate, subcalls(frame, context), context.codes)];
}

/** The InvokeContract a CALL or STATICCALL sends: the calldata as a raw block, read-only for STATICCALL. */
const invokeContractSend = (frame: EvmFrame): TracedSend => ({
  from: senderOf(frame),
  to: address(frame.to!),
  value: frame.value,
  method: METHOD_INVOKE_CONTRACT,
  params: frame.input.length ? { codec: RAW, data: frame.input } : undefined,
  gas: frame.gas,
  readOnly: frame.type === 'STATICCALL',
  exitCode: frame.exitCode,
});

/**
 * A CALL's callee that did not exist before the call: the Placeholder the FVM made for its f410
 * address (create_placeholder_actor_from_send), empty until the value moves.
 */
function createdByCall(frame: EvmFrame): Actor | undefined {
  const { callee } = frame;
  return callee && { id: callee.id, kind: callee.kind, nonce: 0, balance: 0n, delegated: address(frame.to!) };
}

/**
 * A CALL or STATICCALL the EVM actor sent where the FVM found no actor (builtin-actors call.rs, which
 * then carries on as the EVM does): an ID naming none (NotFound: the trace's exit 5), or an address it
 * may not make in a read-only call (ReadOnly: any errno but NotFound and InsufficientFunds is 24 in
 * filecoin-ffi's build_lotus_trace). Nothing was invoked.
 */
function noActorTrace(frame: EvmFrame, context: EvmContext): unknown[] {
  if (!frame.to) return [];
  const send = invokeContractSend(frame);
  const exitCode = send.to.id !== undefined ? ExitCode.SysErrInvalidReceiver : ExitCode.ErrAssertionFailed;
  return [traceJson({ ...send, exitCode }, [], context.codes)];
}

/** The subcalls under a frame: sends, and the EVM's calls to other actors; precompile calls are no sends, but call_actor's sends are. */
function subcalls(frame: CallFrame, context: EvmContext): unknown[] {
  const traces = frame.calls.map((call) => {
    if (call.kind === 'send') return [sendTrace(call, context.codes)];
    if (call.kind === 'precompile') return subcalls(call, context);
    return evmCallTraces(call, context);
  });
  if (!frame.codeReads || !frame.to) return traces.flat();
  // EXTCODE*'s sends, each in its place among the calls.
  const self = frame.to;
  for (const read of [...frame.codeReads].reverse()) traces.splice(read.at, 0, [codeReadTrace(senderOf({ from: self, fromId: read.fromId }), frame.gas, read, context.codes)]);
  return traces.flat();
}

/**
 * GetBytecode's return: its code's CID, or null for a dead contract, as DAG-CBOR (builtin-actors v18
 * evm/src/lib.rs bytecode: WithCodec<BytecodeReturn, DAG_CBOR>).
 */
const bytecodeReturn = (code: CID | undefined): IpldBlock => ({ codec: DAG_CBOR, data: encodeCbor(code ?? null) });

/** GetBytecode (bytecodeReturn) or GetBytecodeHash (the keccak hash, CBOR), read-only. */
function codeReadTrace(from: FilAddress, gas: number, { target, method }: CodeRead, codes: CodeTable): unknown {
  return traceJson(
    {
      from,
      to: address(target.eth),
      value: 0n,
      method,
      gas,
      readOnly: true,
      exitCode: 0,
      returnBlock: method === EVM_GET_BYTECODE ? bytecodeReturn(target.bytecode) : { codec: CBOR, data: encodeCbor(target.hash) },
      invoked: target.actor,
    },
    [],
    codes,
  );
}

/**
 * The trace of a message that never reached the FVM's send (refused before it ran: nonce, balance
 * for its gas): Lotus unmarshals no trace into a zero types.ExecutionTrace, its addresses undefined.
 */
const NO_TRACE = {
  Msg: { From: '<empty>', To: '<empty>', Value: '0', Method: 0, Params: null, ParamsCodec: 0, GasLimit: 0, ReadOnly: false },
  MsgRct: { ExitCode: 0, Return: null, ReturnCodec: 0 },
  GasCharges: null,
  Subcalls: null,
};

/** A mined message's InvocResult from its replay: the message as its tipset included it, its receipt's events, why it failed. */
function minedInvocResult({ included, failure, ...traced }: TracedMessage, codes: CodeTable, baseFee: bigint) {
  return invocResultJson(included!.signed.message, included!.cid, { ...traced, ...failure, events: included!.receipt.events }, codes, baseFee);
}

/**
 * An implicit message's InvocResult (the block reward, cron): as Lotus's InvocationTracer records it,
 * with no GasCost (ApplyImplicitMessage returns none); its Msg's GasLimit, 2^62 - 1, is past what a
 * JSON number holds exactly in JavaScript (its CID is the exact one's).
 */
function implicitInvocResult(run: ImplicitRun, codes: CodeTable) {
  const result = invocResultJson(run.message, run.cid, { ...run, events: [] }, codes);
  return { ...result, Msg: { ...result.Msg, CID: cidJson(run.cid) } };
}

/** A GasCost as Lotus's api.MsgGasCost marshals its zero value: no message (cid.Undef is null), every amount 0. */
const NO_GAS_COST = { Message: null, GasUsed: '0', BaseFeeBurn: '0', OverEstimationBurn: '0', MinerPenalty: '0', MinerTip: '0', Refund: '0', TotalCost: '0' };

/**
 * api.InvocResult of a message that ran at `baseFee`, its fees counted against its gas limit; with
 * no `baseFee`, of one run as an implicit message (StateCall), whose GasCost Lotus leaves empty
 * (chain/stmgr/call.go callInternal: no gas accounting without checkGas).
 */
export function invocResultJson(msg: Message, msgCid: CID, outcome: Outcome, codes: CodeTable, baseFee?: bigint) {
  const receipt = { exitCode: outcome.exitCode, returnData: outcome.returnData, gasUsed: outcome.gasUsed, events: outcome.events ?? [] };
  return {
    MsgCid: cidJson(msgCid),
    Msg: messageJson(msg),
    MsgRct: receiptJson(receipt),
    GasCost: baseFee === undefined ? NO_GAS_COST : gasCostJson(msg, msgCid, outcome.gasUsed, baseFee),
    ExecutionTrace: outcome.root ? sendTrace(outcome.root, codes) : NO_TRACE,
    Error: outcome.exitCode === 0 ? '' : vmError(outcome, msg.to, msg.method),
    Duration: outcome.durationNs,
  };
}

/** api.MsgGasCost of a message that used `gasUsed` at `baseFee` (chain/stmgr MakeMsgGasCost). */
function gasCostJson(msg: Message, msgCid: CID, gasUsed: number, baseFee: bigint) {
  const fees = computeGasOutputs(gasUsed, msg.gasLimit, baseFee, msg.gasFeeCap, msg.gasPremium);
  return {
    Message: cidJson(msgCid),
    GasUsed: String(gasUsed),
    BaseFeeBurn: fees.baseFeeBurn.toString(),
    OverEstimationBurn: fees.overEstimationBurn.toString(),
    MinerPenalty: fees.minerPenalty.toString(),
    MinerTip: fees.minerTip.toString(),
    Refund: fees.refund.toString(),
    TotalCost: (fees.baseFeeBurn + fees.overEstimationBurn + fees.minerTip).toString(),
  };
}

export const filecoinStateCompute = [
  // Runs the message again in the tipset that included it (found by its CID when no tipset is given).
  defineMethod('Filecoin.StateReplay', [tipsetKey('tipsetKey'), cid('messageCid')], async ({ devnet, signal }, key, target) => {
    let found = devnet.chain.messageByCid(target);
    let tipset: Tipset;
    let dropped: OffChainPoint | undefined;
    if (!key || key.length === 0) {
      // Lotus (node/impl/full/state.go) finds it as StateSearchMsg with allowReplaced: a replaced
      // message's replacement is replayed; a search error is "searching for msg …: <error>". One the
      // chain holds is what the search answers: by its own CID, or by its unsigned CID as the message
      // at its nonce, the same call.
      if (!found) {
        const loaded = loadedMessage(devnet, target);
        try {
          found = devnet.searchMessage(target, true, devnet.head, false, loaded);
        } catch (error) {
          if (error instanceof DevnetError) throw new DevnetError(`searching for msg ${target.toString()}: ${error.message}`);
          throw error;
        }
        if (!found) {
          const known = devnet.pendingMessage(target) ?? loaded;
          throw new DevnetError(known ? `didn't find msg ${target.toString()}` : `searching for msg ${target.toString()}: failed to load message: ipld: could not find ${target.toString()}`);
        }
      }
      tipset = found.tipset;
    } else {
      // A tipset a revert dropped is replayed on its kept state, as Lotus replays a reorged tipset it loads by key.
      ({ tipset, dropped } = keptStatePoint(devnet, key));
      if (dropped) found = messageIn(tipset, target);
      // Lotus's Replay matches the CID each applied message has in the tipset, a secp or delegated one's
      // signed CID (lotus b835fab70 chain/consensus/compute_state.go:245, chain/stmgr/tracers.go:50-51).
      if (found?.tipset !== tipset || !found.message.cid.equals(target)) throw new DevnetError('given message not found in tipset');
    }
    const { message } = found!;
    const [traced] = await devnet.traceTipset(tipset, [message.index], {}, { signal, dropped });
    return minedInvocResult(traced, devnet.codes, tipset.baseFee);
  }),

  // Applies the messages in order, unsigned but with their nonces and fees checked and charged, on the
  // state after the tipset at epoch `height`; nothing is kept. Root is the devnet's commitment to the
  // result. As Lotus's ComputeState (chain/stmgr/utils.go), the trace starts with the tipset's own
  // execution trace (sm.ExecutionTrace): the cron of each null round before it (at most 2880:
  // MAX_TRACED_NULL_ROUNDS), its messages, replayed, and its implicit messages (the block reward,
  // cron: devnet/implicit-messages.ts), then the given ones. A tipset a revert dropped is computed
  // on its kept state, as Lotus computes any tipset its blockstore holds.
  defineMethod('Filecoin.StateCompute', [epoch('height'), messages('messages', { nullIsNone: true }), tipsetKey('tipsetKey')], async ({ devnet, batch, signal }, height, msgs, key) => {
    const { tipset, dropped } = keptStatePoint(devnet, key);
    const own = await devnet.traceTipsetWhole(tipset, { signal, dropped });
    const results = await devnet.computeMessages(msgs, dropped ?? tipset.epoch, height, batch);
    const trace = [
      ...own.nullRounds.map((run) => implicitInvocResult(run, devnet.codes)),
      ...own.traced.map((traced) => minedInvocResult(traced, devnet.codes, tipset.baseFee)),
      ...own.implicit.map((run) => implicitInvocResult(run, devnet.codes)),
      ...msgs.map((m, i) => invocResultJson(m, messageCid(m), results[i], devnet.codes, tipset.baseFee)),
    ];
    const root = cidOf(encodeCbor([tipset.stateRoot, msgs.map(messageCid), results.map((r) => [r.exitCode, r.returnData, r.gasUsed])]));
    return { Root: cidJson(root), Trace: trace };
  }),
];
