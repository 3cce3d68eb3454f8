// Gas limits, fees and the base fee, as Lotus has them. What each operation costs is the FVM price
// list (price-list.ts), the builtin actors' methods on it (builtin-method-gas.ts) and the EVM
// actor's model on it (actors/evm/evm-gas.ts); README "Gas" says how close that is to calibnet.
import { ON_CHAIN_MESSAGE_STORAGE_BASE, onChainMessage, STORAGE_GAS_PER_BYTE } from './price-list.js';

/** Lotus's block gas limit (params_shared_vals.go). */
export const BLOCK_GAS_LIMIT = 10_000_000_000;
export const BLOCK_GAS_TARGET = 5_000_000_000;
/** Lotus InitialBaseFee and MinimumBaseFee (attoFIL). */
export const INITIAL_BASE_FEE = 100_000_000n;
export const MINIMUM_BASE_FEE = 100n;
const BASE_FEE_MAX_CHANGE_DENOM = 8n;
/** Lotus's premium estimate for the next block on an idle chain (its floor); the node's own sends pay it. */
export const DEFAULT_GAS_PREMIUM = 200_000n;
/** Lotus's GasLimitOverestimation: estimates are the gas used times 1.25. */
export const GAS_LIMIT_OVERESTIMATION_PERCENT = 125;

/**
 * The least gas limit Lotus's message pool accepts, as MpoolCheckMessages' hint shows it (a Lotus
 * GasCharge, chain/vm/gas.go): its OnChainMessage, which since nv18 includes the sender's actor
 * update (`38863 + 475000` in the UpgradeHyggeHeight price list), so its total is the FVM's
 * inclusion charge (price-list.ts onChainMessage): a message the pool takes always pays inclusion.
 */
export function onChainMessageCharge(size: number) {
  const storage = STORAGE_GAS_PER_BYTE * (ON_CHAIN_MESSAGE_STORAGE_BASE + size);
  const compute = onChainMessage(size) - storage;
  return { Name: 'OnChainMessage', Extra: null, ComputeGas: compute, StorageGas: storage, VirtualCompute: 0, VirtualStorage: 0 };
}

interface GasOutputs {
  baseFeeBurn: bigint;
  overEstimationBurn: bigint;
  minerPenalty: bigint;
  minerTip: bigint;
  refund: bigint;
  gasRefund: number;
  gasBurned: number;
}

/** Over-estimated gas that is burned rather than refunded (Lotus chain/vm/burn.go). */
function overEstimationBurn(gasUsed: number, gasLimit: number): { refund: number; burned: number } {
  if (gasUsed === 0) return { refund: 0, burned: gasLimit };
  let over = gasLimit - Math.floor((11 * gasUsed) / 10);
  if (over < 0) return { refund: gasLimit - gasUsed, burned: 0 };
  if (over > gasUsed) over = gasUsed;
  const burned = Number((BigInt(gasLimit - gasUsed) * BigInt(over)) / BigInt(gasUsed));
  return { refund: gasLimit - gasUsed - burned, burned };
}

/** How a message's fee splits into burn, tip and refund (Lotus ComputeGasOutputs). */
export function computeGasOutputs(gasUsed: number, gasLimit: number, baseFee: bigint, feeCap: bigint, premium: bigint): GasOutputs {
  const baseFeeToPay = baseFee > feeCap ? feeCap : baseFee;
  let minerPenalty = baseFee > feeCap ? (baseFee - feeCap) * BigInt(gasUsed) : 0n;
  const baseFeeBurn = baseFeeToPay * BigInt(gasUsed);
  const tipPerGas = feeCap - baseFeeToPay < premium ? feeCap - baseFeeToPay : premium;
  const minerTip = tipPerGas * BigInt(gasLimit);
  const { refund: gasRefund, burned: gasBurned } = overEstimationBurn(gasUsed, gasLimit);
  const overBurn = baseFeeToPay * BigInt(gasBurned);
  minerPenalty += (baseFee - baseFeeToPay) * BigInt(gasBurned);
  const refund = BigInt(gasLimit) * feeCap - baseFeeBurn - minerTip - overBurn;
  return { baseFeeBurn, overEstimationBurn: overBurn, minerPenalty, minerTip, refund, gasRefund, gasBurned };
}

/** What the fee rules read of a message: its gas limit, fee cap and premium. */
export interface MessageFees {
  gasLimit: number;
  gasFeeCap: bigint;
  gasPremium: bigint;
}

/** The premium per gas a message pays the miner at `baseFee`: its premium, at most its fee cap's headroom, never below 0 (Lotus Message.EffectiveGasPremium). */
export function effectiveGasPremium({ gasFeeCap, gasPremium }: MessageFees, baseFee: bigint): bigint {
  const headroom = gasFeeCap > baseFee ? gasFeeCap - baseFee : 0n;
  return gasPremium < headroom ? gasPremium : headroom;
}

/** Lotus's BlockGasTargetIndex: the gas position, counted from the highest premium down, whose premium sets the next base fee. */
const BLOCK_GAS_TARGET_INDEX = (BLOCK_GAS_LIMIT * 80) / 100 - 1;

/**
 * The effective premium at BLOCK_GAS_TARGET_INDEX when a tipset's messages are laid out by premium,
 * highest first, each taking as many positions as its gas limit; 0 when they take no more than that
 * (Lotus WeightedQuickSelect). Lotus counts each (sender, nonce) once across a tipset's blocks; the
 * devnet's tipsets have one block, so each message is counted.
 */
function premiumAtTargetIndex(messages: readonly MessageFees[], baseFee: bigint): bigint {
  if (messages.reduce((gas, m) => gas + m.gasLimit, 0) <= BLOCK_GAS_TARGET_INDEX) return 0n;
  const paid = messages.map((m) => ({ premium: effectiveGasPremium(m, baseFee), gasLimit: m.gasLimit }));
  paid.sort((a, b) => (a.premium > b.premium ? -1 : a.premium < b.premium ? 1 : 0));
  let gas = 0;
  for (const { premium, gasLimit } of paid) {
    gas += gasLimit;
    if (gas > BLOCK_GAS_TARGET_INDEX) return premium;
  }
  return 0n;
}

/**
 * The base fee of the tipset that follows one whose messages ran at `baseFee` (FIP-0115, Lotus
 * ChainStore.ComputeNextBaseFeeFromPremiums, the rule from nv28 on, and from genesis on Lotus's
 * local devnet): with P the premium paid at 80 % of a block's gas (0 unless the tipset's gas limits
 * pass that), it moves by P - ceil(baseFee / 8), rising by at most ceil(baseFee / 8): an idle or
 * lightly used chain's falls by an eighth a tipset.
 */
export function nextBaseFee(baseFee: bigint, messages: readonly MessageFees[]): bigint {
  const maxChange = (baseFee + BASE_FEE_MAX_CHANGE_DENOM - 1n) / BASE_FEE_MAX_CHANGE_DENOM;
  const pressure = premiumAtTargetIndex(messages, baseFee) - maxChange;
  const next = baseFee + (pressure < maxChange ? pressure : maxChange);
  return next < MINIMUM_BASE_FEE ? MINIMUM_BASE_FEE : next;
}
