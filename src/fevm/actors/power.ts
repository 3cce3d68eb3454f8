// The state of the storage power actor (f04), the parts the devnet models (builtin-actors
// actors/power/src/state.rs): each miner's claim and the network's totals.
import { encodeBigInt } from '../../common/cbor.js';

/** A miner's power (power Claim): bytes of sectors, raw and quality-adjusted. */
export interface Claim {
  readonly rawBytePower: bigint;
  readonly qualityAdjPower: bigint;
}

export interface PowerState {
  /** Claims by miner actor ID, in the order the miners were created. */
  readonly claims: readonly (readonly [minerId: number, claim: Claim])[];
  readonly totalRawBytePower: bigint;
  readonly totalQualityAdjPower: bigint;
  readonly minerCount: number;
  /** Miners whose raw power reaches the consensus minimum. */
  readonly minerAboveMinPowerCount: number;
}

/**
 * The consensus minimum of raw power. Lotus's 2k devnet lowers it to 2 KiB (build/buildconstants
 * params_2k.go), so that small local miners take part in consensus; the devnet does the same.
 */
export const CONSENSUS_MINER_MIN_POWER = 2048n;

export const EMPTY_POWER_STATE: PowerState = {
  claims: [],
  totalRawBytePower: 0n,
  totalQualityAdjPower: 0n,
  minerCount: 0,
  minerAboveMinPowerCount: 0,
};

export function claimOf(state: PowerState, minerId: number): Claim | undefined {
  return state.claims.find(([id]) => id === minerId)?.[1];
}

export function meetsConsensusMinimum(claim: Claim): boolean {
  return claim.rawBytePower >= CONSENSUS_MINER_MIN_POWER;
}

/** The state with a new miner's claim added to the table and the totals. */
export function addClaim(state: PowerState, minerId: number, claim: Claim): PowerState {
  if (claimOf(state, minerId)) throw new Error(`miner ${minerId} already has a power claim`);
  return {
    claims: [...state.claims, [minerId, claim]],
    totalRawBytePower: state.totalRawBytePower + claim.rawBytePower,
    totalQualityAdjPower: state.totalQualityAdjPower + claim.qualityAdjPower,
    minerCount: state.minerCount + 1,
    minerAboveMinPowerCount: state.minerAboveMinPowerCount + (meetsConsensusMinimum(claim) ? 1 : 0),
  };
}

/** The CBOR value of the power actor's state: the totals and the claims (standing for its HAMT). */
export function powerStateValue(state: PowerState): unknown {
  const claims = state.claims.map(([id, c]) => [id, encodeBigInt(c.rawBytePower), encodeBigInt(c.qualityAdjPower)]);
  return [encodeBigInt(state.totalRawBytePower), encodeBigInt(state.totalQualityAdjPower), state.minerCount, state.minerAboveMinPowerCount, claims];
}
