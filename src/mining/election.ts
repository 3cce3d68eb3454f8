// Which miner wins the block of the tipset at `round` mined on `base`, from the states Lotus's election
// reads (lotus b835fab70 chain/stmgr/actors.go MinerGetBaseInfo and MinerEligibleToMine,
// chain/stmgr/utils.go GetLookbackTipSetForRound; filcns ValidateBlock checks a block with the same):
// - the power table at the lookback: the state after the last tipset at or before round - 900
//   (policy.GetWinningPoStSectorSetLookback: ChainFinality), where the miner must have power (sectors
//   to prove WinningPoSt with);
// - the consensus minimum on the state that lookback tipset was mined on (minerHasMinPower reads its
//   ParentState);
// - a positive claim, no fee debt and no active consensus fault on the state the base was mined on
//   (LoadActor reads ParentState(baseTs)), the fault against the base's height.
// None of them is the state the tipset's own messages leave. Lotus draws winners by VRF in proportion
// to power; the devnet, one block a tipset, goes round-robin by round over the eligible miners, in
// the order the power actor lists them. The candidates are the miners whose claim the chain itself
// wrote (PowerState.claims, on the base's parent state): on a fork, which upstream claims happen to
// have been read must not change the chain; a candidate's claim at the lookback may be the
// upstream's (read for that miner, fetched if need be).
import { POWER_ACTOR_ID } from '../fevm/actor.js';
import { EMPTY_POWER_STATE, claimOf, minerMeetsConsensus, type PowerState } from '../fevm/actors/power.js';
import type { StateReader, StateTree } from '../fevm/state-tree.js';
import type { ChainStore } from './chain-store.js';
import { EC_FINALITY } from './finality.js';
import type { Tipset } from './tipset.js';

/** The lookback of the power table the election reads (policy.GetWinningPoStSectorSetLookback since nv4: ChainFinality). */
const WINNING_POST_LOOKBACK = EC_FINALITY;

/** The miner that wins the block at `round` on `base` (chain's tipset); undefined when none is eligible. */
export function electWinner(chain: ChainStore, state: Pick<StateTree, 'at'>, base: Tipset, round: number): number | undefined {
  const lookback = lookbackTipset(chain, base, round);
  const lookbackState = state.at(lookback.epoch);
  const baseParent = parentState(chain, state, base);
  // Each state's power table is read once, not once a candidate: a past state's read looks up the
  // power actor's version at its epoch (a few thousand instructions, once a tipset). Each is read
  // where the checks first need it, as they read it before (on a fork, a read may fetch).
  const basePower = powerOf(baseParent);
  let lookbackPower: PowerState | undefined;
  let lookbackParentPower: PowerState | undefined;
  const eligible: number[] = [];
  for (const [id] of basePower.claims) {
    if (!hasPower(lookbackState, (lookbackPower ??= powerOf(lookbackState)), id)) continue;
    lookbackParentPower ??= powerOf(parentState(chain, state, lookback));
    if (meetsMinimum(lookbackParentPower, id) && eligibleOnBase(baseParent, basePower, id, base.epoch)) eligible.push(id);
  }
  return eligible.length ? eligible[round % eligible.length] : undefined;
}

/**
 * The last tipset at or before round - 900 (GetLookbackTipSetForRound: the parent of the first tipset
 * after that height). When that is not before the base, the base: Lotus does so at genesis and refuses
 * the round otherwise (more null rounds than the lookback); the devnet, whose null rounds come from
 * time jumps, mines on.
 */
function lookbackTipset(chain: ChainStore, base: Tipset, round: number): Tipset {
  const height = Math.max(0, round - WINNING_POST_LOOKBACK);
  if (height >= base.epoch) return base;
  return chain.atOrBefore(Math.max(chain.first.epoch, height))!;
}

/** The state `tipset` was mined on (its ParentState): the one after the tipset before it; genesis's and a fork's first tipset's own. */
function parentState(chain: ChainStore, state: Pick<StateTree, 'at'>, tipset: Tipset): StateReader {
  const parent = tipset.epoch > chain.first.epoch ? chain.atOrBefore(tipset.epoch - 1) : undefined;
  return state.at((parent ?? tipset).epoch);
}

const powerOf = (state: StateReader): PowerState => state.getActor(POWER_ACTOR_ID)?.power ?? EMPTY_POWER_STATE;

/** MinerGetBaseInfo on the lookback's state (`power` its power table): the miner is there, with power (sectors to prove). */
function hasPower(state: StateReader, power: PowerState, id: number): boolean {
  const claim = claimOf(power, id);
  return claim !== undefined && claim.rawBytePower > 0n && state.getActor(id)?.miner !== undefined;
}

/** minerHasMinPower on the lookback's parent state's power table: the miner's claim meets the consensus minimum (none: not eligible, where Lotus errs). */
function meetsMinimum(power: PowerState, id: number): boolean {
  const claim = claimOf(power, id);
  return claim !== undefined && minerMeetsConsensus(power, claim);
}

/** MinerEligibleToMine's checks on the base's parent state (`power` its power table): a positive claim, no fee debt, no consensus fault active at `baseHeight`. */
function eligibleOnBase(state: StateReader, power: PowerState, id: number, baseHeight: number): boolean {
  const claim = claimOf(power, id);
  const miner = state.getActor(id)?.miner;
  return claim !== undefined && claim.qualityAdjPower > 0n && miner !== undefined && !miner.feeDebt && baseHeight > miner.consensusFaultElapsed;
}
