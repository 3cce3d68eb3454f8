// builtin-actors' reward arithmetic (actors/reward/src/logic.rs, expneg.rs, state.rs; runtime's
// reward/math.rs and smooth/alpha_beta_filter.rs), which a fork runs from the upstream's reward State:
// the baseline power growing 100 % a year, the effective network time that realized power moves,
// the simple (exponential decay) and baseline minting, and the alpha-beta filter that smooths the
// epoch reward. Fixed point Q.128 throughout, rounding as the Rust BigInt code does (a right shift
// floors; div_floor floors).

import { encodeBigInt } from '../../common/cbor.js';

/** Q.128's fractional bits (math.rs PRECISION). */
const PRECISION = 128n;

/** The filter estimate of go-state-types util/smoothing (Q.128 position and velocity). */
export interface FilterEstimate {
  readonly position: bigint;
  readonly velocity: bigint;
}

/** A FilterEstimate as builtin-actors' CBOR has it: [position, velocity], big ints. */
export const filterEstimateValue = (e: FilterEstimate): unknown => [encodeBigInt(e.position), encodeBigInt(e.velocity)];

/** builtin-actors' reward State (actors/reward/src/state.rs), field by field. */
export interface RewardKpi {
  readonly cumsumBaseline: bigint;
  readonly cumsumRealized: bigint;
  readonly effectiveNetworkTime: number;
  readonly effectiveBaselinePower: bigint;
  readonly thisEpochReward: bigint;
  readonly thisEpochRewardSmoothed: FilterEstimate;
  readonly thisEpochBaselinePower: bigint;
  /** The epoch the reward was computed for: the one after the last cron that updated it. */
  readonly epoch: number;
  readonly simpleTotal: bigint;
  readonly baselineTotal: bigint;
}

/** Floor division, as num-bigint's div_floor (JavaScript's `/` truncates towards zero). */
function divFloor(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && a < 0n !== b < 0n) ? q - 1n : q;
}

/** A polynomial's value at x, Horner's rule in Q.128 (math.rs poly_val). */
function polyVal(coefficients: readonly bigint[], x: bigint): bigint {
  let result = 0n;
  for (const c of coefficients) result = ((result * x) >> PRECISION) + c;
  return result;
}

// expneg.rs: e^-x as a ratio of two polynomials, most precise within [0, 1.725).
const EXP_NUMERATOR = [
  -648770010757830093818553637600n,
  67469480939593786226847644286976n,
  -3197587544499098424029388939001856n,
  89244641121992890118377641805348864n,
  -1579656163641440567800982336819953664n,
  17685496037279256458459817590917169152n,
  -115682590513835356866803355398940131328n,
  340282366920938463463374607431768211456n,
];
const EXP_DENOMINATOR = [
  1225524182432722209606361n,
  114095592300906098243859450n,
  5665570424063336070530214243n,
  194450132448609991765137938448n,
  5068267641632683791026134915072n,
  104716890604972796896895427629056n,
  1748338658439454459487681798864896n,
  23704654329841312470660182937960448n,
  259380097567996910282699886670381056n,
  2250336698853390384720606936038375424n,
  14978272436876548034486263159246028800n,
  72144088983913131323343765784380833792n,
  224599776407103106596571252037123047424n,
  340282366920938463463374607431768211456n,
];

/** e^-x, x and the result in Q.128. */
function expneg(x: bigint): bigint {
  return divFloor(polyVal(EXP_NUMERATOR, x) << PRECISION, polyVal(EXP_DENOMINATOR, x));
}

/** The Q.128 factor by which the baseline grows each epoch: 100 % in a year of 30-second epochs. */
const BASELINE_EXPONENT = 340282591298641078465964189926313473653n;
/** e^λ − 1 and λ = ln 2 / (6 years of epochs), in Q.128. */
const EXP_LAM_SUB_ONE = 37396273494747879394193016954629n;
const LAMBDA = 37396271439864487274534522888786n;
/** The alpha-beta filter's gains (smooth_func.rs DEFAULT_ALPHA, DEFAULT_BETA), in Q.128. */
const DEFAULT_ALPHA = 314760000000000000000000000000000000n;
const DEFAULT_BETA = 96640100000000000000000000000000n;

/** The baseline power one epoch after `previous`. */
export const baselinePowerFromPrev = (previous: bigint): bigint => (previous * BASELINE_EXPONENT) >> PRECISION;

/** The fractional effective network time (Q.128), interpolated between the cumulative baselines around it. */
export function computeRTheta(effectiveNetworkTime: number, baselineAtEffectiveTime: bigint, cumsumRealized: bigint, cumsumBaseline: bigint): bigint {
  if (effectiveNetworkTime === 0) return 0n;
  return (BigInt(effectiveNetworkTime) << PRECISION) - divFloor((cumsumBaseline - cumsumRealized) << PRECISION, baselineAtEffectiveTime);
}

/** The baseline minting up to effective network time `theta` (Q.128 in and out). */
function baselineSupply(theta: bigint, baselineTotal: bigint): bigint {
  const thetaLambda = (theta * LAMBDA) >> PRECISION;
  return ((1n << PRECISION) - expneg(thetaLambda)) * baselineTotal;
}

/** The reward for all expected leaders of `epoch`, as effective network time moves from `prevTheta` to `currTheta`. */
export function computeReward(epoch: number, prevTheta: bigint, currTheta: bigint, simpleTotal: bigint, baselineTotal: bigint): bigint {
  const simple = (simpleTotal * EXP_LAM_SUB_ONE * expneg(LAMBDA * BigInt(epoch))) >> PRECISION;
  const baseline = baselineSupply(currTheta, baselineTotal) - baselineSupply(prevTheta, baselineTotal);
  return (simple + baseline) >> PRECISION;
}

/** The effective network time moved on until the cumulative baseline passes the realized power (state.rs update_to_next_epoch's loop). */
function withNetworkTime(kpi: RewardKpi): RewardKpi {
  let { effectiveNetworkTime, effectiveBaselinePower, cumsumBaseline } = kpi;
  while (kpi.cumsumRealized > cumsumBaseline) {
    effectiveNetworkTime++;
    effectiveBaselinePower = baselinePowerFromPrev(effectiveBaselinePower);
    cumsumBaseline += effectiveBaselinePower;
  }
  return { ...kpi, effectiveNetworkTime, effectiveBaselinePower, cumsumBaseline };
}

/** One epoch on (state.rs update_to_next_epoch): a null round's, with no new reward. */
function toNextEpoch(kpi: RewardKpi, realizedPower: bigint): RewardKpi {
  const thisEpochBaselinePower = baselinePowerFromPrev(kpi.thisEpochBaselinePower);
  const cumsumRealized = kpi.cumsumRealized + (realizedPower < thisEpochBaselinePower ? realizedPower : thisEpochBaselinePower);
  return withNetworkTime({ ...kpi, epoch: kpi.epoch + 1, thisEpochBaselinePower, cumsumRealized });
}

/** The baseline's growth over `epochs` epochs, BASELINE_EXPONENT^epochs in Q.128, by squaring. */
function baselineGrowth(epochs: number): bigint {
  let growth = 1n << PRECISION;
  let factor = BASELINE_EXPONENT;
  for (let n = epochs; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) growth = (growth * factor) >> PRECISION;
    factor = (factor * factor) >> PRECISION;
  }
  return growth;
}

/**
 * `epochs` epochs on at once (toNextEpoch that many times, ~1 µs each): with the realized power
 * below the baseline, as it stays once it is below (the baseline only grows), each epoch adds the
 * power to the cumulative realized power, and the baseline grows by BASELINE_EXPONENT^epochs,
 * computed by squaring, which floors once per squaring rather than once per epoch (1.2 × 10^-13 of
 * it off after 10^6 epochs, measured). The network time's loop runs once at the end, as it only catches the
 * cumulative baseline up with the realized power.
 */
function toEpochsOn(kpi: RewardKpi, epochs: number, realizedPower: bigint): RewardKpi {
  if (epochs < 64 || realizedPower >= baselinePowerFromPrev(kpi.thisEpochBaselinePower)) {
    let next = kpi;
    for (let i = 0; i < epochs; i++) next = toNextEpoch(next, realizedPower);
    return next;
  }
  const thisEpochBaselinePower = (kpi.thisEpochBaselinePower * baselineGrowth(epochs)) >> PRECISION;
  return withNetworkTime({ ...kpi, epoch: kpi.epoch + epochs, thisEpochBaselinePower, cumsumRealized: kpi.cumsumRealized + BigInt(epochs) * realizedPower });
}

const rTheta = (kpi: RewardKpi): bigint => computeRTheta(kpi.effectiveNetworkTime, kpi.effectiveBaselinePower, kpi.cumsumRealized, kpi.cumsumBaseline);

/** One epoch on with the reward of the new epoch (state.rs update_to_next_epoch_with_reward). */
function toNextEpochWithReward(kpi: RewardKpi, realizedPower: bigint): RewardKpi {
  const next = toNextEpoch(kpi, realizedPower);
  return { ...next, thisEpochReward: computeReward(next.epoch, rTheta(kpi), rTheta(next), next.simpleTotal, next.baselineTotal) };
}

/** The alpha-beta filter's next estimate from an observation `delta` epochs after `previous` (alpha_beta_filter.rs next_estimate). */
export function nextEstimate(previous: FilterEstimate, observation: bigint, delta: number): FilterEstimate {
  const deltaT = BigInt(delta) << PRECISION;
  let position = ((deltaT * previous.velocity) >> PRECISION) + previous.position;
  const residual = (observation << PRECISION) - position;
  position += (DEFAULT_ALPHA * residual) >> PRECISION;
  const velocity = divFloor(residual * DEFAULT_BETA, deltaT) + previous.velocity;
  return { position, velocity };
}

/**
 * The reward State after the power actor's cron at `epoch` reports `realizedPower` (lib.rs
 * update_network_kpi): the null rounds since the last update caught up, then the next epoch's reward
 * and its smoothed estimate.
 */
export function updateNetworkKpi(kpi: RewardKpi, epoch: number, realizedPower: bigint): RewardKpi {
  let caughtUp = kpi;
  while (caughtUp.epoch < epoch) caughtUp = toNextEpoch(caughtUp, realizedPower);
  return withNextReward(kpi, caughtUp, realizedPower);
}

/**
 * update_network_kpi's ending: `caughtUp` (the State `from` moved through the epochs its cron missed)
 * one epoch on with that epoch's reward, and the smoothed estimate moved from `from`'s by one filter
 * step over all of them.
 */
function withNextReward(from: RewardKpi, caughtUp: RewardKpi, realizedPower: bigint): RewardKpi {
  const next = toNextEpochWithReward(caughtUp, realizedPower);
  return { ...next, thisEpochRewardSmoothed: nextEstimate(from.thisEpochRewardSmoothed, next.thisEpochReward, next.epoch - from.epoch) };
}

/** Epochs kpiThrough moves one at a time; the earlier epochs of a longer run go in one step. */
export const EXACT_KPI_EPOCHS = 30_000;

/**
 * A filter estimate last moved by the cron of epoch `from`, moved by the cron of every epoch through
 * `through`, each observing `observation` with a delta of one (builtin-actors power on_epoch_tick_end:
 * update_smoothed_estimate(1)); as kpiThrough, one epoch at a time from `exactFrom` on, and the epochs
 * before it in one step of their count. The one step leaves the estimate elsewhere than epoch by
 * epoch would; the exact epochs shrink that to ~2 × 10^-6 of its distance from the observation at
 * their start (the filter's (1 - alpha)^(n/2) over 30 000 epochs; measured in reward-logic.test).
 */
export function estimateThrough(estimate: FilterEstimate, from: number, through: number, observation: bigint, exactFrom = through - EXACT_KPI_EPOCHS + 1): FilterEstimate {
  let next = estimate;
  let done = from;
  const stepTo = Math.min(exactFrom - 1, through);
  if (done < stepTo) {
    next = nextEstimate(next, observation, stepTo - done);
    done = stepTo;
  }
  for (; done < through; done++) next = nextEstimate(next, observation, 1);
  return next;
}

/**
 * The reward State after the cron of every epoch through `through`, null rounds included (Lotus
 * runs cron at each; power's OnEpochTickEnd then sends UpdateNetworkKPI with a delta of one epoch),
 * each with `realizedPower`: one epoch at a time from `exactFrom` on (by default the last
 * EXACT_KPI_EPOCHS), and the epochs before it in one update, the reward actor's own catch-up for
 * epochs its cron missed (one filter step for them all). A run of null rounds passes the exactFrom
 * of its end, so that a long run done in pieces (cron due every 60 epochs) costs no more. The
 * cumulative figures and the reward come out as epoch by epoch at one power, and the smoothed
 * estimate's difference has all but decayed by the end (2 × 10^-7 of it after 10^6 epochs,
 * measured; 2 × 10^-3 with 10 000 exact epochs). Each exact epoch costs ~7 µs, so a run at most
 * ~0.2 s; the epochs before them ~0.1 ms together (toEpochsOn).
 */
export function kpiThrough(kpi: RewardKpi, through: number, realizedPower: bigint, exactFrom = through - EXACT_KPI_EPOCHS + 1): RewardKpi {
  if (kpi.epoch > through) return kpi;
  let next = kpi;
  if (next.epoch < exactFrom) {
    // update_network_kpi's catch-up (updateNetworkKpi), its null epochs at once.
    next = withNextReward(next, toEpochsOn(next, Math.min(exactFrom - 1, through) - next.epoch, realizedPower), realizedPower);
  }
  while (next.epoch <= through) next = updateNetworkKpi(next, next.epoch, realizedPower);
  return next;
}
