// Running code and pricing it: eth_call, eth_estimateGas, eth_gasPrice, eth_baseFee,
// eth_maxPriorityFeePerGas, eth_feeHistory.
import { isMaskedId, Protocol } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import { bytesToHex, quantity } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import { BLOCK_GAS_LIMIT, effectiveGasPremium } from '../../fevm/gas.js';
import { feeFieldsOf, type Tipset } from '../../mining/tipset.js';
import { checkBlockParam, resolveStatePoint, resolveStateBlock } from '../block-ref.js';
import { callRequest, type ParsedCallRequest } from '../call-request.js';
import { defineMethod, withRawParams } from '../define-method.js';
import { blockRef, ethUint64, invalid, listOf, optional } from '../params.js';

/** Lotus's cap on eth_feeHistory's block count. */
export const MAX_FEE_HISTORY_BLOCKS = 1024;
/** What Lotus reports as the reward of a tipset without messages. */
const EMPTY_TIPSET_REWARD = 100_000n;

// Lotus's EthUint64: a plain number, a decimal or a hex string.
export const feeHistoryBlockCount = ethUint64('blockCount');

/** A list of numbers; whether Lotus takes them is percentilesRefused's (it decodes first, then checks). */
export const rewardPercentiles = listOf('rewardPercentiles', (name) => ({
  name,
  parse: (v) => {
    if (typeof v !== 'number') throw invalid(name, 'expected a number');
    return v;
  },
}), 'a list of numbers');

/** Go's %f: six decimals. */
const goFloat = (n: number) => n.toFixed(6);

/**
 * Lotus's refusal of eth_feeHistory's reward percentiles (node/impl/eth/gas.go EthFeeHistory, after the
 * block count's check): at most 100, each in [0, 100], ascending. Code 1 with its words, undefined when taken.
 */
export function percentilesRefused(wanted: readonly number[]): DevnetError | undefined {
  if (wanted.length > 100) return new DevnetError('length of the reward percentile array cannot be greater than 100');
  for (let i = 0; i < wanted.length; i++) {
    const p = wanted[i];
    if (p < 0 || p > 100) return new DevnetError(`invalid reward percentile: ${goFloat(p)} should be between 0 and 100`);
    if (i > 0 && p < wanted[i - 1]) return new DevnetError(`invalid reward percentile: ${goFloat(p)} should be larger than ${goFloat(wanted[i - 1])}`);
  }
  return undefined;
}

/** The effective premiums paid in a tipset at gas-weighted percentiles (Lotus EthFeeHistory): walk
 * the transactions by premium, adding their gas until the percentile's share is reached. */
function rewardsAt(tipset: Tipset, wanted: number[]): bigint[] {
  const paid = tipset.messages
    .map((m) => ({ premium: effectiveGasPremium(feeFieldsOf(m), tipset.baseFee), gas: m.receipt.gasUsed }))
    .sort((a, b) => (a.premium < b.premium ? -1 : a.premium > b.premium ? 1 : 0));
  if (paid.length === 0) return wanted.map(() => EMPTY_TIPSET_REWARD);
  const totalGas = paid.reduce((n, p) => n + p.gas, 0);
  let index = 0;
  let sum = 0;
  return wanted.map((percentile) => {
    // Lotus truncates the threshold to whole gas (int64(float64(gasUsedTotal) * percentile / 100)).
    const threshold = Math.trunc((totalGas * percentile) / 100);
    while (sum < threshold && index < paid.length - 1) sum += paid[index++].gas;
    return paid[index].premium;
  });
}

/**
 * The sender check of Lotus's EthCall.ToFilecoinMessage (chain/types/ethtypes/eth_types.go): a `from`
 * other than the zero address must be an f410 address, so a masked ID (an f0) is refused. One the
 * node impersonates runs here, as ethers' and Hardhat's signers estimate a transaction from it
 * before eth_sendTransaction sends for it.
 */
function checkCallSender(devnet: Devnet, tx: ParsedCallRequest, prefix = ''): void {
  if (tx.from && isMaskedId(tx.from) && !devnet.impersonates(tx.from)) throw new DevnetError(`${prefix}expected a class 4 address, got: ${Protocol.ID}`);
}

export const ethExecution = [
  defineMethod('eth_call', [callRequest('transaction'), blockRef('block')], ({ devnet, batch }, tx, block) => {
    checkCallSender(devnet, tx, 'failed to convert ethcall to filecoin message: ');
    // A block a revert dropped runs the call on its kept state, as Lotus runs one on a reorged tipset (block-ref.ts).
    const { tipset, dropped } = resolveStatePoint(devnet, block);
    return devnet.call(tx, dropped ?? tipset.epoch, batch).then((result) => bytesToHex(result.returnData));
  }),

  // As in Lotus, the block parameter must name a block, and estimates run on the newest state whatever it names.
  withRawParams(defineMethod('eth_estimateGas', [callRequest('transaction'), optional(blockRef('block'))], async ({ devnet, batch }, tx, block) => {
    checkCallSender(devnet, tx);
    if (block) checkBlockParam(devnet, block);
    return quantity(await devnet.estimateGas(tx, batch));
  })),

  // Lotus's: the head's base fee plus the premium estimate. A base fee set for the next tipset by a cheat
  // code (which can move it far more than a tipset's 12.5 %) counts when higher, so that tools pricing
  // from this, or from eth_feeHistory's next entry below, pay what that tipset charges (audit24 H4).
  defineMethod('eth_gasPrice', [], ({ devnet }) => {
    const set = devnet.baseFeeSetForNext;
    const baseFee = set !== undefined && set > devnet.head.baseFee ? set : devnet.head.baseFee;
    return devnet.withPremiumHistory(() => quantity(baseFee + devnet.gasPremium()));
  }),

  // Lotus (v1.36.1+): the base fee the next tipset will charge.
  defineMethod('eth_baseFee', [], ({ devnet }) => quantity(devnet.nextBaseFee())),

  defineMethod('eth_maxPriorityFeePerGas', [], ({ devnet }) => devnet.withPremiumHistory(() => quantity(devnet.gasPremium()))),

  withRawParams(defineMethod('eth_feeHistory', [feeHistoryBlockCount, blockRef('newestBlock', { allowHash: false }), optional(rewardPercentiles)], ({ devnet }, count, newest, wanted) => {
    if (count > MAX_FEE_HISTORY_BLOCKS) throw new DevnetError(`block count should be smaller than ${MAX_FEE_HISTORY_BLOCKS}`);
    const refused = wanted && percentilesRefused(wanted);
    if (refused) throw refused;
    // As in Lotus, a null round names the tipset before it, and the history counts tipsets, not
    // epochs, stopping before genesis (Lotus's oldestBlock is 1 when it counts none).
    const last = resolveStateBlock(devnet, newest);
    const counted = devnet.chain.lastUpTo(last.epoch, count).filter((t) => t.epoch > 0);
    // A chain that is still its genesis alone (instant mining waits there for the first send; a Lotus
    // node mines on a timer and is past it within seconds) counts the genesis, so that a tool reading
    // one row finds it: Hardhat's fee provider otherwise prices with legacy gasPrice fees for the rest
    // of its run (audit24 H5).
    const tipsets = counted.length === 0 && count > 0 && devnet.head.epoch === 0 ? [last] : counted;
    const baseFees = tipsets.map((t) => quantity(t.baseFee));
    // There is no next base fee before the next tipset executes: Lotus repeats the newest; after the
    // head, a base fee a cheat code set for the next tipset is that tipset's (Hardhat prices from it).
    const set = last === devnet.head ? devnet.baseFeeSetForNext : undefined;
    return {
      oldestBlock: quantity(tipsets[0]?.epoch ?? 1),
      baseFeePerGas: [...baseFees, quantity(set ?? last.baseFee)],
      gasUsedRatio: tipsets.map((t) => t.gasUsed / BLOCK_GAS_LIMIT),
      ...(wanted ? { reward: tipsets.map((t) => rewardsAt(t, wanted).map(quantity)) } : {}),
    };
  })),
];
