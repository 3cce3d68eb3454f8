// The Lotus methods that run messages and report what happened: Filecoin.StateReplay and
// StateCompute (lotus node/impl/full/state.go, chain/stmgr), with api.InvocResult shaped as
// Filecoin.StateCall shapes it.
import { FilAddress } from '../../common/address.js';
import { cidOf, encodeCbor, type CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import type { CallFrame, SendFrame } from '../../fevm/actors/evm/tracer.js';
import { formatExitCode } from '../../fevm/exit-code.js';
import { computeGasOutputs } from '../../fevm/gas.js';
import { messageCid, type Message } from '../../fevm/message.js';
import type { Tipset } from '../../mining/tipset.js';
import { defineMethod } from '../define-method.js';
import { addressJson, bytesJson, cidJson, messageJson, receiptJson } from '../lotus-json.js';
import { cid, epoch, messages, tipsetKey, tipsetOf } from '../lotus-params.js';

interface Outcome {
  exitCode: number;
  returnData: Uint8Array;
  gasUsed: number;
  /** The top-level send of a traced run. */
  root?: SendFrame;
}

/** The sends under a frame (call_actor's and the builtin actors'), skipping the EVM frames between them. */
function sendsUnder(frame: CallFrame): SendFrame[] {
  return frame.calls.flatMap((call) => (call.kind === 'send' ? [call] : sendsUnder(call)));
}

/** types.ExecutionTrace of one send: the message, its return and its subcalls (no gas charges). */
function executionTraceJson(frame: SendFrame): unknown {
  const subcalls = sendsUnder(frame).map(executionTraceJson);
  return {
    Msg: {
      From: addressJson(FilAddress.fromEthAddress(frame.from)),
      To: addressJson(frame.toAddress),
      Value: frame.value.toString(),
      Method: frame.method,
      Params: frame.params ? bytesJson(frame.params.data) : null,
      ParamsCodec: frame.params?.codec ?? 0,
      GasLimit: frame.gas,
      ReadOnly: frame.readOnly,
    },
    MsgRct: { ExitCode: frame.exitCode, Return: frame.returnBlock ? bytesJson(frame.returnBlock.data) : null, ReturnCodec: frame.returnBlock?.codec ?? 0 },
    InvokedActor: frame.receiver ? { Id: frame.receiver.id, State: null } : null,
    GasCharges: null,
    Subcalls: subcalls.length ? subcalls : null,
  };
}

/** api.InvocResult of a message that ran at `baseFee`, its fees counted against `gasLimit`. */
export function invocResultJson(msg: Message, msgCid: CID, outcome: Outcome, baseFee: bigint, gasLimit = msg.gasLimit) {
  const receipt = { exitCode: outcome.exitCode, returnData: outcome.returnData, gasUsed: outcome.gasUsed, events: [] };
  const fees = computeGasOutputs(outcome.gasUsed, gasLimit, baseFee, msg.gasFeeCap, msg.gasPremium);
  return {
    MsgCid: cidJson(msgCid),
    Msg: messageJson(msg),
    MsgRct: receiptJson(receipt),
    GasCost: {
      Message: cidJson(msgCid),
      GasUsed: String(outcome.gasUsed),
      BaseFeeBurn: fees.baseFeeBurn.toString(),
      OverEstimationBurn: fees.overEstimationBurn.toString(),
      MinerPenalty: fees.minerPenalty.toString(),
      MinerTip: fees.minerTip.toString(),
      Refund: fees.refund.toString(),
      TotalCost: (fees.baseFeeBurn + fees.overEstimationBurn + fees.minerTip).toString(),
    },
    ExecutionTrace: outcome.root
      ? executionTraceJson(outcome.root)
      : { Msg: messageJson(msg), MsgRct: receiptJson(receipt), GasCharges: null, Subcalls: null },
    Error: outcome.exitCode === 0 ? '' : `message execution failed: exit ${formatExitCode(outcome.exitCode)}`,
    Duration: 0,
  };
}

export const filecoinStateCompute = [
  // Runs the message again in the tipset that included it (found by its CID when no tipset is given).
  defineMethod('Filecoin.StateReplay', [tipsetKey('tipsetKey'), cid('messageCid')], async ({ devnet }, key, target) => {
    const found = devnet.chain.messageByCid(target.toString());
    let tipset: Tipset;
    if (!key || key.length === 0) {
      if (!found) throw new DevnetError(`searching for msg ${target.toString()}: didn't find msg ${target.toString()}`);
      tipset = found.tipset;
    } else {
      tipset = tipsetOf(devnet, key);
      if (found?.tipset !== tipset) throw new DevnetError('given message not found in tipset');
    }
    const { message } = found!;
    const [traced] = await devnet.traceTipset(tipset, [message.index], {});
    return invocResultJson(message.signed.message, message.cid, traced, tipset.baseFee);
  }),

  // Applies the messages in order, unsigned but with their nonces and fees checked and charged, on the
  // state after the tipset at epoch `height`; nothing is kept. Root is the devnet's commitment to the result.
  defineMethod('Filecoin.StateCompute', [epoch('height'), messages('messages', { nullIsNone: true }), tipsetKey('tipsetKey')], async ({ devnet }, height, msgs, key) => {
    const tipset = tipsetOf(devnet, key);
    const results = await devnet.computeMessages(msgs, tipset.epoch, height);
    const trace = msgs.map((m, i) => invocResultJson(m, messageCid(m), results[i], tipset.baseFee));
    const root = cidOf(encodeCbor([tipset.stateRoot, msgs.map(messageCid), results.map((r) => [r.exitCode, r.returnData, r.gasUsed])]));
    return { Root: cidJson(root), Trace: trace };
  }),
];
