// The Lotus message pool and gas methods: Filecoin.MpoolPush, MpoolBatchPush, MpoolBatchPushMessage,
// MpoolPending, MpoolSelect, MpoolGetNonce, MpoolGetConfig, MpoolSub, GasEstimateMessageGas,
// GasEstimateGasLimit, GasEstimateFeeCap, GasEstimateGasPremium.
import { Protocol } from '../../common/address.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { DEFAULT_GAS_PREMIUM, GAS_LIMIT_OVERESTIMATION_PERCENT } from '../../fevm/gas.js';
import { SigType, type Message } from '../../fevm/message.js';
import type { Devnet } from '../../devnet/devnet.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { DevnetError } from '../../common/errors.js';
import { signedMessageCid } from '../../fevm/message.js';
import { cidJson, messageJson, signedMessageJson } from '../lotus-json.js';
import { filAddress, integer, message, messages, signedMessage, tipsetKey, tipsetOf } from '../lotus-params.js';
import { invalid, listOf, object, optional, type Param } from '../params.js';

/** Lotus's floor for premium estimates (MinGasPremium). */
const MIN_GAS_PREMIUM = 100_000n;
/** The base fee can rise 12.5 % a tipset; a fee cap covers that for this many tipsets by default. */
const DEFAULT_MAX_QUEUE_BLOCKS = 20;

/** The premium that gets a message in within `blocks` tipsets on an uncongested chain. */
function premiumFor(blocks: number): bigint {
  if (blocks <= 1) return DEFAULT_GAS_PREMIUM;
  return blocks === 2 ? (MIN_GAS_PREMIUM * 3n) / 2n : MIN_GAS_PREMIUM;
}

/** A fee cap that stays above the base fee after `blocks` tipsets of maximal increases, plus the premium. */
function feeCapFor(devnet: Devnet, premium: bigint, blocks: number): bigint {
  let fee = devnet.head.baseFee;
  for (let i = 0; i < blocks; i++) fee += fee / 8n;
  return fee + premium;
}

/** The signature type the sender's address implies (an f1 signs with secp256k1, f3 with BLS). */
function signatureTypeOf(devnet: Devnet, msg: Message): SigType {
  const sender = resolveAddress(devnet.stateAt(devnet.head.epoch), msg.from);
  const key = sender?.robust ?? msg.from;
  return key.protocol === Protocol.BLS ? SigType.BLS : key.protocol === Protocol.Secp256k1 ? SigType.Secp256k1 : SigType.Delegated;
}

/** A list of one of the Lotus parameter kinds. */
/** types.MpoolConfig as a Lotus node reports its defaults (chain/messagepool/config.go). */
const MPOOL_CONFIG = {
  PriorityAddrs: null,
  SizeLimitHigh: 30000,
  SizeLimitLow: 20000,
  ReplaceByFeeRatio: 1.25,
  PruneCooldown: 60_000_000_000,
  GasLimitOverestimation: GAS_LIMIT_OVERESTIMATION_PERCENT / 100,
};

const ticketQuality: Param<number> = {
  name: 'ticketQuality',
  parse: (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid('ticketQuality', 'expected a number');
    return v;
  },
};

export const filecoinMpool = [
  defineWriteMethod('Filecoin.MpoolPush', [signedMessage('signedMessage')], async ({ devnet }, signed) => cidJson(await devnet.pushMessage(signed))),

  // One after another; the first refusal ends the batch (those before it stay pushed), as in Lotus.
  defineWriteMethod('Filecoin.MpoolBatchPush', [listOf('signedMessages', signedMessage)], async ({ devnet }, batch) => {
    const cids = [];
    for (const signed of batch) cids.push(cidJson(await devnet.pushMessage(signed)));
    return cids;
  }),

  defineWriteMethod('Filecoin.MpoolBatchPushMessage', [messages('messages'), optional(object('spec'))], async ({ devnet }, batch) => {
    const out = [];
    for (const msg of batch) {
      const signed = await devnet.pushWithWallet(msg);
      out.push(signedMessageJson(signed, signedMessageCid(signed)));
    }
    return out;
  }),

  // What the miner would take into its next tipset, in order (null when nothing is ready).
  defineMethod('Filecoin.MpoolSelect', [tipsetKey('tipsetKey'), ticketQuality], ({ devnet }, key) => {
    const tipset = tipsetOf(devnet, key);
    const selected = devnet.poolContent(tipset.epoch).ready;
    return selected.length ? selected.map((p) => signedMessageJson(p.signed, p.cid)) : null;
  }),

  defineMethod('Filecoin.MpoolGetConfig', [], () => MPOOL_CONFIG),

  defineMethod('Filecoin.MpoolSub', [], ({ subscriptions }) => {
    if (!subscriptions) throw new DevnetError("connection doesn't support callbacks");
    return subscriptions.mpoolSub();
  }),

  defineMethod('Filecoin.MpoolPending', [tipsetKey('tipsetKey')], ({ devnet }) =>
    devnet.poolContent().pending.map((p) => signedMessageJson(p.signed, p.cid)),
  ),

  defineMethod('Filecoin.MpoolGetNonce', [filAddress('address')], ({ devnet }, address) => devnet.nextNonce(address)),

  defineMethod('Filecoin.GasEstimateGasLimit', [message('message'), tipsetKey('tipsetKey')], ({ devnet, batch }, msg) =>
    devnet.estimateGasLimit(msg, signatureTypeOf(devnet, msg), batch),
  ),

  defineMethod('Filecoin.GasEstimateGasPremium', [integer('blocks'), filAddress('sender'), integer('gasLimit'), tipsetKey('tipsetKey')], (_ctx, blocks) =>
    premiumFor(blocks).toString(),
  ),

  defineMethod('Filecoin.GasEstimateFeeCap', [message('message'), integer('maxQueueBlocks'), tipsetKey('tipsetKey')], ({ devnet }, msg, blocks) =>
    feeCapFor(devnet, msg.gasPremium, blocks).toString(),
  ),

  // Fills what the message leaves at zero: gas limit, premium, fee cap (Lotus GasEstimateMessageGas).
  defineMethod('Filecoin.GasEstimateMessageGas', [message('message'), optional(object('spec')), tipsetKey('tipsetKey')], async ({ devnet, batch }, msg) => {
    const gasLimit = msg.gasLimit || (await devnet.estimateMessageGas(msg, signatureTypeOf(devnet, msg), batch));
    const gasPremium = msg.gasPremium || premiumFor(1);
    const gasFeeCap = msg.gasFeeCap || feeCapFor(devnet, gasPremium, DEFAULT_MAX_QUEUE_BLOCKS);
    return messageJson({ ...msg, gasLimit, gasPremium, gasFeeCap });
  }),
];
