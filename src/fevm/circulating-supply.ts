// What an actor adds to the circulating supply (Lotus chain/stmgr/supply.go GetCirculatingSupply, the
// exact sum Filecoin.StateCirculatingSupply answers): the whole balance of accounts, payment
// channels, contracts, placeholders and the market (since nv23), a multisig's balance beyond what is still locked, a
// miner's balance beyond its locked funds, nothing of the burnt-funds account or the other builtin
// actors. Lotus gives actors another figure, GetVMCirculatingSupply (vested + mined + reserve
// disbursed − burnt − locked); the daily fee uses this one in its place (ExecutionContext.circulatingSupply),
// and Filecoin.StateVMCirculatingSupplyInternal answers it in that figure's fields (vmCirculatingSupply).
import { BURNT_FUNDS_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, REWARD_ACTOR_ID, type Actor } from './actor.js';
import { availableBalance } from './actors/miner/state.js';
import { lockedAt } from './actors/multisig/state.js';
import type { StateReader } from './state-tree.js';

const CIRCULATING_KINDS = new Set(['account', 'paymentchannel', 'ethaccount', 'evm', 'placeholder']);

const atLeastZero = (amount: bigint) => (amount > 0n ? amount : 0n);

/** An actor's part of the circulating supply at `height` (a multisig's vesting is counted at it). */
export function circulatingPart(actor: Actor, height: number): bigint {
  if (actor.id === BURNT_FUNDS_ACTOR_ID) return 0n;
  if (CIRCULATING_KINDS.has(actor.kind) || actor.id === MARKET_ACTOR_ID) return actor.balance;
  if (actor.multisig) return atLeastZero(actor.balance - lockedAt(actor.multisig, height));
  if (!actor.miner) return 0n;
  return atLeastZero(availableBalance(actor.miner, actor.balance));
}

/** The circulating supply of a state whose actors are all at hand (not a fork's), at `height`. */
export function circulatingSupplyOf(state: StateReader, height: number): bigint {
  let sum = 0n;
  for (let id = 0, next = state.nextId(); id < next; id++) {
    const actor = state.getActor(id);
    if (actor) sum += circulatingPart(actor, height);
  }
  return sum;
}

/** Lotus's api.CirculatingSupply: the VM's figure and the parts it is made of. */
export interface VmCirculatingSupply {
  vested: bigint;
  mined: bigint;
  burnt: bigint;
  locked: bigint;
  circulating: bigint;
  reserveDisbursed: bigint;
}

/**
 * The figure actors get (`circulating`, the exact sum standing in for it) with Lotus's parts read as
 * GetVMCirculatingSupplyDetailed reads them: mined, the reward actor's TotalStoragePowerReward; burnt,
 * f099's balance; locked, the power actor's TotalPledgeCollateral (nv23+). The devnet has no reserve
 * actor (nothing disbursed) and no vesting schedule: its FIL comes from genesis allocations and cheat
 * codes, so vested is what makes Lotus's identity, vested + mined + disbursed − burnt − locked, hold.
 */
export function vmCirculatingSupply(state: StateReader, circulating: bigint): VmCirculatingSupply {
  const { mined, burnt, locked } = movingParts(state);
  return { vested: circulating - mined + burnt + locked, mined, burnt, locked, circulating, reserveDisbursed: 0n };
}

/** The parts of Lotus's figure that a chain's own work moves: what was mined, burnt and pledged. */
function movingParts(state: StateReader): Pick<VmCirculatingSupply, 'mined' | 'burnt' | 'locked'> {
  return {
    mined: state.getActor(REWARD_ACTOR_ID)?.reward?.totalStoragePowerReward ?? 0n,
    burnt: state.getActor(BURNT_FUNDS_ACTOR_ID)?.balance ?? 0n,
    locked: state.getActor(POWER_ACTOR_ID)?.power?.totalPledgeCollateral ?? 0n,
  };
}

/**
 * On a fork, whose upstream's actors cannot all be summed: the upstream's own figure at the fork point
 * (`base`, what its VM gave actors there) moved as Lotus's formula moves it by what the fork has mined,
 * burnt and pledged since (`state` against `forkPoint`, the fork's first state); its vesting schedule
 * and reserve stay as they were at the fork point.
 */
export function forkedVmCirculatingSupply(state: StateReader, forkPoint: StateReader, base: VmCirculatingSupply): VmCirculatingSupply {
  const now = movingParts(state);
  const then = movingParts(forkPoint);
  const mined = base.mined + now.mined - then.mined;
  const burnt = base.burnt + now.burnt - then.burnt;
  const locked = base.locked + now.locked - then.locked;
  const circulating = atLeastZero(base.vested + mined + base.reserveDisbursed - burnt - locked);
  return { vested: base.vested, mined, burnt, locked, circulating, reserveDisbursed: base.reserveDisbursed };
}
