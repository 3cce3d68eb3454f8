// Gas limits, fees and the base fee, as Lotus has them. What each operation costs is the FVM price
// list (price-list.ts) and the EVM actor's model on it (actors/evm/evm-gas.ts); README "Gas" says
// how close that is to calibnet.
import { HOST_CALL, ON_CHAIN_MESSAGE_COMPUTE, ON_CHAIN_MESSAGE_STORAGE_BASE, onWasmInvocation, STORAGE_GAS_PER_BYTE } from './price-list.js';

/** Lotus's block gas limit (params_shared_vals.go). */
export const BLOCK_GAS_LIMIT = 10_000_000_000;
export const BLOCK_GAS_TARGET = 5_000_000_000;
/** Lotus InitialBaseFee and MinimumBaseFee (attoFIL). */
export const INITIAL_BASE_FEE = 100_000_000n;
export const MINIMUM_BASE_FEE = 100n;
const BASE_FEE_MAX_CHANGE_DENOM = 8n;
/** Lotus's gas premium floor for estimates; eth_maxPriorityFeePerGas answers this on an idle chain. */
export const DEFAULT_GAS_PREMIUM = 200_000n;
/** Lotus's GasLimitOverestimation: estimates are the gas used times 1.25. */
export const GAS_LIMIT_OVERESTIMATION_PERCENT = 125;

/**
 * The least gas limit Lotus's message pool accepts: its own OnChainMessage charge, which leaves out
 * the sender's actor update that the FVM adds (price-list.ts onChainMessage). A limit between the
 * two is accepted and then fails on chain, out of gas, as on calibnet.
 */
export function mempoolMinimumGas(size: number): number {
  return ON_CHAIN_MESSAGE_COMPUTE + STORAGE_GAS_PER_BYTE * (ON_CHAIN_MESSAGE_STORAGE_BASE + size);
}

/**
 * A builtin actor's method (Wasm instantiation, its state loaded and flushed): modelled, not
 * calibrated; what the method sends is charged apart.
 */
export const BUILTIN_INVOCATION = 1_000_000;
/**
 * An account or Ethereum account receiving a method: its Wasm module instantiated (17 pages and a
 * table of 320 or 77 elements in the v18 bundle, as for the Placeholder below) and the two syscalls
 * builtin-actors' trampoline makes before it dispatches (runtime/src/runtime/fvm.rs: debug::enabled,
 * message_context); the actor's own few thousand instructions are not counted.
 */
export const ACCOUNT_INVOCATION = onWasmInvocation(17, 320, 0) + 2 * HOST_CALL;
export const ETHACCOUNT_INVOCATION = onWasmInvocation(17, 77, 0) + 2 * HOST_CALL;
/**
 * A Placeholder receiving a method (an InvokeContract to an f410 with no code): its Wasm module
 * (builtin-actors v18 for calibnet, Lotus build/actors/v18.tar.zst) has 16 pages of memory and a
 * table of one element, and its `invoke` returns 0 at once: 15 instructions run with the stack
 * limiter's thunk around it (fvm-wasm-instrument stack_limiter). 419 494, charged beside the send's
 * method invocation.
 */
export const PLACEHOLDER_INVOCATION = onWasmInvocation(16, 1, 15);

/** A method of a builtin actor of `kind`, as above. */
export function builtinInvocationGas(kind: string): number {
  if (kind === 'placeholder') return PLACEHOLDER_INVOCATION;
  if (kind === 'ethaccount') return ETHACCOUNT_INVOCATION;
  return kind === 'account' ? ACCOUNT_INVOCATION : BUILTIN_INVOCATION;
}

export interface GasOutputs {
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

/** Division that rounds towards minus infinity, as Go's big.Int Div does for positive divisors. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** The base fee of the next tipset from this one's (Lotus chain/store/basefee.go, after the Smoke
 * upgrade, which Lotus's local devnet starts with): ±12.5 % around the target gas limit sum. */
export function nextBaseFee(baseFee: bigint, gasLimitSum: number): bigint {
  const delta = BigInt(Math.max(-BLOCK_GAS_TARGET, Math.min(BLOCK_GAS_TARGET, gasLimitSum - BLOCK_GAS_TARGET)));
  const change = floorDiv(floorDiv(baseFee * delta, BigInt(BLOCK_GAS_TARGET)), BASE_FEE_MAX_CHANGE_DENOM);
  const next = baseFee + change;
  return next < MINIMUM_BASE_FEE ? MINIMUM_BASE_FEE : next;
}
