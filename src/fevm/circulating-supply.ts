// What an actor adds to the circulating supply (Lotus chain/stmgr/supply.go GetCirculatingSupply, the
// exact sum Filecoin.StateCirculatingSupply answers): the whole balance of accounts, contracts,
// placeholders and the market (since nv23), a miner's balance beyond its locked funds, nothing of
// the burnt-funds account or the other builtin actors. Lotus gives actors another figure,
// GetVMCirculatingSupply (vested + mined + reserve disbursed − burnt − locked); the daily fee uses
// this one in its place (ExecutionContext.circulatingSupply).
import { BURNT_FUNDS_ACTOR_ID, MARKET_ACTOR_ID, type Actor } from './actor.js';
import { availableBalance } from './actors/miner/state.js';
import type { StateReader } from './state-tree.js';

const CIRCULATING_KINDS = new Set(['account', 'ethaccount', 'evm', 'placeholder']);

export function circulatingPart(actor: Actor): bigint {
  if (actor.id === BURNT_FUNDS_ACTOR_ID) return 0n;
  if (CIRCULATING_KINDS.has(actor.kind) || actor.id === MARKET_ACTOR_ID) return actor.balance;
  if (!actor.miner) return 0n;
  const available = availableBalance(actor.miner, actor.balance);
  return available > 0n ? available : 0n;
}

/** The circulating supply of a state whose actors are all at hand (not a fork's). */
export function circulatingSupplyOf(state: StateReader): bigint {
  let sum = 0n;
  for (let id = 0, next = state.nextId(); id < next; id++) {
    const actor = state.getActor(id);
    if (actor) sum += circulatingPart(actor);
  }
  return sum;
}
