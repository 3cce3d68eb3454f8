// The premium and fee cap Lotus suggests (node/impl/gasutils/gasutils.go GasEstimateGasPremium,
// GasEstimateFeeCap) and how it caps a message's fee (chain/messagepool CapGasFee), read from the
// devnet's chain: eth_maxPriorityFeePerGas, eth_gasPrice, Filecoin.GasEstimate*, MpoolPushMessage.
import { DevnetError } from '../common/errors.js';
import { BLOCK_GAS_TARGET } from '../fevm/gas.js';
import type { ChainView } from '../mining/chain-store.js';
import { feeFieldsOf, type Tipset } from '../mining/tipset.js';

/**
 * What a premium estimate reads of the chain: each tipset's parent (for a tipset a revert dropped, its
 * own branch's: eth-rpc/dropped-tipsets.ts keptFeeHistory), and on a fork its first tipset and the
 * upstream's tipsets before it.
 */
export type FeeHistory = Pick<ChainView, 'parentOf' | 'first' | 'upstreamFees'>;

/** Lotus's MinGasPremium: an estimate below it is raised to a floor that depends on the blocks asked for. */
const MIN_GAS_PREMIUM = 100_000n;
/** Lotus's MaxGasHistory: the most blocks an estimate looks back for (twice as many tipsets). */
const MAX_GAS_HISTORY = 128;
/** How many blocks GasEstimateMessageGas asks a premium and a fee cap to cover (Lotus node/impl/full/gas.go). */
export const MESSAGE_PREMIUM_BLOCKS = 10;
const MESSAGE_FEE_CAP_BLOCKS = 20;
/** Lotus's DefaultMaxFee (node/config/def.go): 0.07 FIL, the most a pushed message may reserve for gas unless its spec says otherwise. */
const DEFAULT_MAX_FEE = 70_000_000_000_000_000n;

/**
 * The premium that gets a message in within `blocks` tipsets (GasEstimateGasPremium): the premiums
 * of the messages of the 2 × `blocks` tipsets before `tipset`, by gas limit, at a little past half of
 * their tipsets' gas target (medianGasPremium), raised to 200 000, 150 000 or 100 000 (one, two, more
 * blocks) when below 100 000. As Lotus, the walk starts at the parent of the tipset asked for (the
 * head for eth_maxPriorityFeePerGas): the devnet's tipset with a key is Lotus's tipset with that key,
 * the same mapping the fee cap's base fee (`tipset.baseFee`, Lotus's ParentBaseFee) follows, so the
 * head's own messages count from the next tipset on, as on calibnet. On a fork the walk goes on
 * past the fork's first tipset into the upstream's (ChainView.upstreamFees), whose tipsets count
 * their blocks, as Lotus's do. Lotus then adds ±1 % of random noise; the devnet answers the figure itself.
 */
export function estimateGasPremium(chain: FeeHistory, tipset: Tipset, blocks: number): bigint {
  const wanted = 2 * Math.min(Math.max(blocks, 1), MAX_GAS_HISTORY);
  const paid: { premium: bigint; gasLimit: number }[] = [];
  let tipsets = 0;
  let last = tipset;
  for (let parent = chain.parentOf(tipset); parent && tipsets < wanted; parent = chain.parentOf(parent)) {
    tipsets++;
    last = parent;
    for (const m of parent.messages) {
      const { gasPremium, gasLimit } = feeFieldsOf(m);
      paid.push({ premium: gasPremium, gasLimit });
    }
  }
  let counted = tipsets;
  // A fork's first tipset is the upstream's at the fork epoch, without its messages: from there the
  // walk reads the upstream's tipsets (that one's messages first, when the walk went through it).
  const upstream = last === chain.first ? chain.upstreamFees?.() : undefined;
  if (upstream) {
    const walkedFirst = last !== tipset;
    if (walkedFirst) tipsets--;
    counted = tipsets;
    for (const before of upstream.slice(walkedFirst ? 0 : 1)) {
      if (tipsets >= wanted) break;
      tipsets++;
      counted += before.blocks;
      paid.push(...before.fees);
    }
  }
  const premium = premiumPastHalfTarget(paid, counted);
  if (premium >= MIN_GAS_PREMIUM) return premium;
  if (blocks <= 1) return 2n * MIN_GAS_PREMIUM;
  return blocks === 2 ? (3n * MIN_GAS_PREMIUM) / 2n : MIN_GAS_PREMIUM;
}

/**
 * Lotus's medianGasPremium: the premiums, highest first, each taking its gas limit of 52.5 % of the
 * blocks' gas target; the mean of the premium where that runs out and the one before it. When the
 * messages do not fill it (a lightly used chain), that is the mean of the two lowest premiums.
 */
function premiumPastHalfTarget(paid: { premium: bigint; gasLimit: number }[], blocks: number): bigint {
  paid.sort((a, b) => (a.premium > b.premium ? -1 : a.premium < b.premium ? 1 : 0));
  let room = (BLOCK_GAS_TARGET * blocks) / 2 + Math.trunc((BLOCK_GAS_TARGET * blocks) / 40);
  let last = 0n;
  let before = 0n;
  for (const { premium, gasLimit } of paid) {
    before = last;
    last = premium;
    room -= gasLimit;
    if (room < 0) break;
  }
  return before === 0n ? last : (last + before) / 2n;
}

/**
 * A fee cap that covers `blocks` tipsets of the base fee rising by an eighth, plus the premium
 * (GasEstimateFeeCap): the base fee times 1.125^blocks, that factor taken in 256ths (a float, as
 * Lotus's math.Pow, truncated).
 */
export function estimateFeeCap(baseFee: bigint, premium: bigint, blocks: number): bigint {
  const factor = Math.trunc(1.125 ** blocks * 256);
  // Go converts the float to a uint64; past that, what it gives depends on the machine.
  if (!(factor < 2 ** 64)) throw new DevnetError(`maxQueueBlocks ${blocks}: 1.125^${blocks} × 256 does not fit a uint64`);
  return (baseFee * BigInt(factor)) / 256n + premium;
}

/** A message's MessageSendSpec (Lotus api.MessageSendSpec): what the push may spend on gas. */
export interface SendSpec {
  /** 0 or undefined: DEFAULT_MAX_FEE. */
  maxFee?: bigint;
  /** Set the fee cap to maxFee / gasLimit whatever it was. */
  maximizeFeeCap?: boolean;
  /** Names the push: MpoolPushMessage answers a second push with this UUID with the message it pushed first. */
  msgUuid?: string;
}

/**
 * The fee cap lowered to maxFee / gasLimit when the message could spend more than maxFee on gas (or
 * always, with maximizeFeeCap), and the premium to no more than the fee cap (CapGasFee).
 */
export function capGasFee<M extends { gasLimit: number; gasFeeCap: bigint; gasPremium: bigint }>(message: M, spec: SendSpec = {}): M {
  const maxFee = spec.maxFee || DEFAULT_MAX_FEE;
  const gasFeeCap = spec.maximizeFeeCap || message.gasFeeCap * BigInt(message.gasLimit) > maxFee ? maxFee / BigInt(message.gasLimit) : message.gasFeeCap;
  return { ...message, gasFeeCap, gasPremium: message.gasPremium < gasFeeCap ? message.gasPremium : gasFeeCap };
}

/**
 * The premium and fee cap Lotus's GasEstimateMessageGas fills in a message that leaves them at zero,
 * on `tipset`: the premium for 10 blocks, the fee cap for 20; then its fee capped (CapGasFee).
 */
export function fillMessageFees<M extends { gasLimit: number; gasFeeCap: bigint; gasPremium: bigint }>(chain: FeeHistory, tipset: Tipset, message: M, spec: SendSpec = {}): M {
  return withFeeCap({ ...message, gasPremium: message.gasPremium || estimateGasPremium(chain, tipset, MESSAGE_PREMIUM_BLOCKS) }, tipset.baseFee, spec);
}

/**
 * The rest of fillMessageFees once the premium is filled (estimated elsewhere, e.g. by a fork's
 * upstream): the fee cap, if left at zero, for 20 blocks over `baseFee` (the key's ParentBaseFee),
 * then the fee capped.
 */
export function withFeeCap<M extends { gasLimit: number; gasFeeCap: bigint; gasPremium: bigint }>(message: M, baseFee: bigint, spec: SendSpec = {}): M {
  const gasFeeCap = message.gasFeeCap || estimateFeeCap(baseFee, message.gasPremium, MESSAGE_FEE_CAP_BLOCKS);
  return capGasFee({ ...message, gasFeeCap }, spec);
}
