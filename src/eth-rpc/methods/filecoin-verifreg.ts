// The Lotus state methods of the verified registry and datacap (lotus api/api_full.go,
// node/impl/full/state.go): Filecoin.StateVerifiedClientStatus, StateVerifierStatus,
// StateVerifiedRegistryRootKey, StateGetAllocation(s), StateGetClaim(s), StateGetAllAllocations,
// StateGetAllClaims, in Lotus's JSON shapes
// (go-state-types builtin/v17/verifreg); and the two actors' states for StateReadState.
import { FilAddress } from '../../common/address.js';
import { cidOf, encodeCbor } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { DATACAP_ACTOR_ID, MARKET_ACTOR_ID, VERIFREG_ACTOR_ID, type Actor } from '../../fevm/actor.js';
import { NO_ALLOCATION_ID } from '../../fevm/actors/market/state.js';
import { allowancesHamt, datacapStateValue, EMPTY_DATACAP_STATE } from '../../fevm/actors/datacap/state.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { tokensToDatacap } from '../../fevm/actors/verifreg/datacap-calls.js';
import { allocationsHamt, claimsHamt, EMPTY_VERIFREG_STATE, removeDataCapProposalIdsHamt, verifregStateValue, type Allocation, type Claim, type OwnedTable, type VerifregState } from '../../fevm/actors/verifreg/state.js';
import { wholeTable } from '../../fevm/lazy-map.js';
import type { StateReader } from '../../fevm/state-tree.js';
import { defineMethod } from '../define-method.js';
import { cidJson, idJson } from '../lotus-json.js';
import { keptStateOf } from '../dropped-tipsets.js';
import { filAddress, integer, tipsetKey } from '../lotus-params.js';

/** Lotus answers NoAllocationID (0) for a deal without a pending allocation. */
const pendingAllocationId = (state: StateReader, dealId: number): number =>
  state.getActor(MARKET_ACTOR_ID)?.market?.pendingDealAllocationIds.get(dealId) ?? NO_ALLOCATION_ID;

const verifregOf = (state: StateReader): VerifregState => state.getActor(VERIFREG_ACTOR_ID)?.verifreg ?? EMPTY_VERIFREG_STATE;

/** StateLookupID, with Lotus's wording when the address names no actor. */
function lookupId(state: StateReader, address: FilAddress): number {
  const actor = resolveAddress(state, address);
  if (!actor) throw new DevnetError(`resolution lookup failed (${address.toString()}): actor not found`);
  return actor.id;
}

/** verifreg.Allocation: client and provider as actor ID numbers. */
const allocationJson = (a: Allocation) => ({
  Client: a.client,
  Provider: a.provider,
  Data: cidJson(a.data),
  Size: a.size,
  TermMin: a.termMin,
  TermMax: a.termMax,
  Expiration: a.expiration,
});

const claimJson = (c: Claim) => ({
  Provider: c.provider,
  Client: c.client,
  Data: cidJson(c.data),
  Size: c.size,
  TermMin: c.termMin,
  TermMax: c.termMax,
  TermStart: c.termStart,
  Sector: c.sector,
});

/** A Go map by ID: keys are decimal strings. */
const byId = <T, U>(table: OwnedTable<T>, owner: number, json: (record: T) => U): Record<string, U> =>
  Object.fromEntries([...(table.get(owner) ?? [])].map(([id, record]) => [String(id), json(record)]));

/** A HAMT the devnet keeps as entries: Lotus shows its root CID; here, the CID of the entries. */
const hamtJson = (entries: unknown) => cidJson(cidOf(encodeCbor(entries)));

/**
 * The verifreg and datacap State objects with their Go field names (StateReadState). The registry's
 * allocations and claims and the token's allowances are HAMTs laid out as builtin-actors' (their
 * blocks go to `serve`, for ChainReadObj: a fork of this node lists allocations and claims, and reads
 * a client's allowances, through them).
 */
export function registryStateJson(actor: Actor, serve: (blocks: Uint8Array[]) => void): Record<string, unknown> | undefined {
  if (actor.id === VERIFREG_ACTOR_ID) {
    const state = actor.verifreg ?? EMPTY_VERIFREG_STATE;
    const [, verifiers] = verifregStateValue(state) as unknown[];
    const [allocations, claims, proposalIds] = [allocationsHamt(state), claimsHamt(state), removeDataCapProposalIdsHamt(state)];
    serve([...allocations.blocks, ...claims.blocks, ...proposalIds.blocks]);
    return {
      RootKey: state.rootKey === undefined ? null : idJson(state.rootKey),
      Verifiers: hamtJson(verifiers),
      RemoveDataCapProposalIDs: cidJson(proposalIds.root),
      Allocations: cidJson(allocations.root),
      NextAllocationId: state.nextAllocationId,
      Claims: cidJson(claims.root),
    };
  }
  if (actor.id === DATACAP_ACTOR_ID) {
    const state = actor.datacap ?? EMPTY_DATACAP_STATE;
    const [, [, balances, , bitWidth]] = datacapStateValue(state) as [unknown, unknown[]];
    const allowances = allowancesHamt(state);
    serve(allowances.blocks);
    return {
      Governor: idJson(state.governor),
      Token: { Supply: state.supply.toString(), Balances: hamtJson(balances), Allowances: cidJson(allowances.root), HamtBitWidth: bitWidth },
    };
  }
  return undefined;
}

export const filecoinVerifreg = [
  // The client's datacap balance in bytes (tokens / 10^18); null without one.
  defineMethod('Filecoin.StateVerifiedClientStatus', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = keptStateOf(devnet, key);
    const id = lookupId(state, address);
    const balance = state.getActor(DATACAP_ACTOR_ID)?.datacap?.balances.get(id);
    return balance === undefined ? null : tokensToDatacap(balance).toString();
  }),

  // The verifier's remaining allowance in bytes; null if not a verifier.
  defineMethod('Filecoin.StateVerifierStatus', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = keptStateOf(devnet, key);
    const allowance = verifregOf(state).verifiers.get(lookupId(state, address));
    return allowance === undefined ? null : allowance.toString();
  }),

  defineMethod('Filecoin.StateVerifiedRegistryRootKey', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    const { rootKey } = verifregOf(keptStateOf(devnet, key));
    if (rootKey === undefined) throw new DevnetError('the verified registry has no root key');
    return idJson(rootKey);
  }),

  defineMethod('Filecoin.StateGetAllocation', [filAddress('clientAddress'), integer('allocationId'), tipsetKey('tipsetKey')], ({ devnet }, address, id, key) => {
    const state = keptStateOf(devnet, key);
    const allocation = verifregOf(state).allocations.get(lookupId(state, address))?.get(id);
    return allocation ? allocationJson(allocation) : null;
  }),

  defineMethod('Filecoin.StateGetAllocations', [filAddress('clientAddress'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = keptStateOf(devnet, key);
    return byId(verifregOf(state).allocations, lookupId(state, address), allocationJson);
  }),

  // The allocation a verified deal's publication made, until the deal is activated: market state's pending table.
  defineMethod('Filecoin.StateGetAllocationIdForPendingDeal', [integer('dealId'), tipsetKey('tipsetKey')], ({ devnet }, dealId, key) => {
    return pendingAllocationId(keptStateOf(devnet, key), dealId);
  }),

  defineMethod('Filecoin.StateGetAllocationForPendingDeal', [integer('dealId'), tipsetKey('tipsetKey')], ({ devnet }, dealId, key) => {
    const state = keptStateOf(devnet, key);
    const id = pendingAllocationId(state, dealId);
    const client = state.getActor(MARKET_ACTOR_ID)?.market?.proposals.get(dealId)?.client;
    const allocation = id === NO_ALLOCATION_ID || client === undefined ? undefined : verifregOf(state).allocations.get(client)?.get(id);
    return allocation ? allocationJson(allocation) : null;
  }),

  defineMethod('Filecoin.StateGetClaim', [filAddress('providerAddress'), integer('claimId'), tipsetKey('tipsetKey')], ({ devnet }, address, id, key) => {
    const state = keptStateOf(devnet, key);
    const claim = verifregOf(state).claims.get(lookupId(state, address))?.get(id);
    return claim ? claimJson(claim) : null;
  }),

  defineMethod('Filecoin.StateGetClaims', [filAddress('providerAddress'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = keptStateOf(devnet, key);
    return byId(verifregOf(state).claims, lookupId(state, address), claimJson);
  }),

  // Every client's allocations in one map by allocation ID ({} when there are none).
  defineMethod('Filecoin.StateGetAllAllocations', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    const { allocations } = verifregOf(keptStateOf(devnet, key));
    return Object.fromEntries(wholeTable(allocations).flatMap(([, own]) => [...own].map(([id, a]) => [String(id), allocationJson(a)])));
  }),

  defineMethod('Filecoin.StateGetAllClaims', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    const { claims } = verifregOf(keptStateOf(devnet, key));
    return Object.fromEntries(wholeTable(claims).flatMap(([, own]) => [...own].map(([id, c]) => [String(id), claimJson(c)])));
  }),
];
