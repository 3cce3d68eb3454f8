// The storage market's state (builtin-actors actors/market/src/state.rs) and the bookkeeping of its
// escrow and locked tables. Deal ops by epoch live in the cron schedule instead of the state
// (dealOpsByEpochHamt shows them in builtin-actors' layout).
import { idAddressBytes } from '../../../common/address.js';
import { buildAmt, type Amt } from '../../../common/amt.js';
import { encodeBigInt, type CID } from '../../../common/cbor.js';
import { actorIdKey, buildHamt, epochKey } from '../../../common/hamt.js';
import { ExitCode } from '../../exit-code.js';
import { copyMap, LazyMap } from '../../lazy-map.js';
import { ActorError } from '../runtime.js';
import { clientBalanceRequirement, storedProposalValue, totalStorageFee, type StoredProposal } from './deal-proposal.js';

/** A deal's progress once activated; -1 is "not yet". */
export interface DealState {
  readonly sectorNumber: number;
  readonly sectorStartEpoch: number;
  readonly lastUpdatedEpoch: number;
  readonly slashEpoch: number;
}

export const EPOCH_UNDEFINED = -1;
/** The allocation ID of deals without one. */
export const NO_ALLOCATION_ID = 0;

export interface MarketState {
  readonly proposals: ReadonlyMap<number, StoredProposal>;
  readonly states: ReadonlyMap<number, DealState>;
  /** Proposal CIDs of published deals not yet processed, by CID string (duplicate detection). */
  readonly pendingProposals: ReadonlyMap<string, CID>;
  /** Escrow and locked amounts by actor ID. */
  readonly escrow: ReadonlyMap<number, bigint>;
  readonly locked: ReadonlyMap<number, bigint>;
  readonly nextId: number;
  readonly totalClientLockedCollateral: bigint;
  readonly totalProviderLockedCollateral: bigint;
  readonly totalClientStorageFee: bigint;
  readonly pendingDealAllocationIds: ReadonlyMap<number, number>;
  /** Provider ID -> sector number -> the deal IDs activated in it. */
  readonly providerSectors: ReadonlyMap<number, ReadonlyMap<number, readonly number[]>>;
}

export const EMPTY_MARKET_STATE: MarketState = {
  proposals: new Map(),
  states: new Map(),
  pendingProposals: new Map(),
  escrow: new Map(),
  locked: new Map(),
  nextId: 0,
  totalClientLockedCollateral: 0n,
  totalProviderLockedCollateral: 0n,
  totalClientStorageFee: 0n,
  pendingDealAllocationIds: new Map(),
  providerSectors: new Map(),
};

/** What a lock is for: the totals the market keeps per reason. */
type LockReason = 'clientCollateral' | 'clientStorageFee' | 'providerCollateral';

const illegalState = (message: string) => new ActorError(ExitCode.ErrIllegalState, message);

/**
 * A working copy of the market state that one method changes: the tables are copied once, changed in
 * place, and frozen again by `snapshot()`.
 */
export class MarketLedger {
  readonly proposals: Map<number, StoredProposal>;
  readonly states: Map<number, DealState>;
  readonly pendingProposals: Map<string, CID>;
  private readonly escrow: Map<number, bigint>;
  private readonly locked: Map<number, bigint>;
  nextId: number;
  private readonly totals: Record<LockReason, bigint>;
  readonly pendingDealAllocationIds: Map<number, number>;
  /** Each provider's table is shared with the state it came from: copied before it changes. */
  private readonly providerSectors: Map<number, ReadonlyMap<number, readonly number[]>>;

  constructor(state: MarketState) {
    this.proposals = copyMap(state.proposals);
    this.states = copyMap(state.states);
    this.pendingProposals = copyMap(state.pendingProposals);
    this.escrow = copyMap(state.escrow);
    this.locked = copyMap(state.locked);
    this.nextId = state.nextId;
    this.totals = {
      clientCollateral: state.totalClientLockedCollateral,
      clientStorageFee: state.totalClientStorageFee,
      providerCollateral: state.totalProviderLockedCollateral,
    };
    this.pendingDealAllocationIds = copyMap(state.pendingDealAllocationIds);
    this.providerSectors = copyMap(state.providerSectors);
  }

  snapshot(): MarketState {
    return {
      proposals: copyMap(this.proposals),
      states: copyMap(this.states),
      pendingProposals: copyMap(this.pendingProposals),
      escrow: copyMap(this.escrow),
      locked: copyMap(this.locked),
      nextId: this.nextId,
      totalClientLockedCollateral: this.totals.clientCollateral,
      totalProviderLockedCollateral: this.totals.providerCollateral,
      totalClientStorageFee: this.totals.clientStorageFee,
      pendingDealAllocationIds: copyMap(this.pendingDealAllocationIds),
      providerSectors: copyMap(this.providerSectors),
    };
  }

  // --- balances -----------------------------------------------------------------------------

  escrowOf = (id: number): bigint => this.escrow.get(id) ?? 0n;
  lockedOf = (id: number): bigint => this.locked.get(id) ?? 0n;

  addEscrow(id: number, amount: bigint): void {
    setBalance(this.escrow, id, this.escrowOf(id) + amount);
  }

  /** Takes up to `amount` of what is not locked; returns what was taken. */
  withdraw(id: number, amount: bigint): bigint {
    const available = max(0n, this.escrowOf(id) - this.lockedOf(id));
    const taken = amount < available ? amount : available;
    if (taken > 0n) setBalance(this.escrow, id, this.escrowOf(id) - taken);
    return taken;
  }

  lockDealBalances(deal: StoredProposal): void {
    this.lock(deal.client, clientBalanceRequirement(deal), 'locking client funds');
    this.lock(deal.provider, deal.providerCollateral, 'locking provider funds');
    this.totals.clientCollateral += deal.clientCollateral;
    this.totals.clientStorageFee += totalStorageFee(deal);
    this.totals.providerCollateral += deal.providerCollateral;
  }

  private lock(id: number, amount: bigint, context: string): void {
    const locked = this.lockedOf(id);
    const escrow = this.escrowOf(id);
    if (locked + amount > escrow) {
      throw new ActorError(
        ExitCode.ErrInsufficientFunds,
        `${context}: not enough balance to lock for addrf0${id}: escrow balance ${escrow} < prev locked ${locked} + amount ${amount}`,
      );
    }
    setBalance(this.locked, id, locked + amount);
  }

  private unlock(id: number, amount: bigint, reason: LockReason): void {
    const locked = this.lockedOf(id);
    if (amount > locked) throw illegalState(`unlocking balance: subtraction of ${amount} from ${locked} would leave a negative balance`);
    setBalance(this.locked, id, locked - amount);
    this.totals[reason] -= amount;
  }

  /** Pays `amount` of the client's locked storage fee into the provider's escrow. */
  private pay(client: number, provider: number, amount: bigint): void {
    this.mustSubtractEscrow(client, amount);
    this.unlock(client, amount, 'clientStorageFee');
    this.addEscrow(provider, amount);
  }

  /** Takes a locked amount out of escrow (the caller burns it). */
  private slash(id: number, amount: bigint, reason: LockReason): void {
    this.mustSubtractEscrow(id, amount);
    this.unlock(id, amount, reason);
  }

  private mustSubtractEscrow(id: number, amount: bigint): void {
    const escrow = this.escrowOf(id);
    if (amount > escrow) throw illegalState(`subtraction of ${amount} from ${escrow} would leave a negative balance`);
    setBalance(this.escrow, id, escrow - amount);
  }

  // --- deal lifecycle -------------------------------------------------------------------------

  /**
   * A deal whose start epoch passed before activation (process_deal_init_timed_out): the client's
   * fee and collateral are unlocked, the provider's collateral is slashed, the proposal goes.
   * Returns the amount to burn.
   */
  timeOutDeal(dealId: number, deal: StoredProposal, cid: CID): bigint {
    this.unlock(deal.client, totalStorageFee(deal), 'clientStorageFee');
    this.unlock(deal.client, deal.clientCollateral, 'clientCollateral');
    this.slash(deal.provider, deal.providerCollateral, 'providerCollateral');
    this.proposals.delete(dealId);
    if (!this.pendingProposals.delete(cid.toString())) throw illegalState(`failed to delete pending deal ${dealId}: cid ${cid} does not exist`);
    this.pendingDealAllocationIds.delete(dealId);
    return deal.providerCollateral;
  }

  /**
   * Pays what is due up to `epoch` (process_deal_update). At or after the end, the collaterals are
   * unlocked and the deal is removed (completed).
   */
  settleDeal(dealId: number, deal: StoredProposal, state: DealState, cid: CID, epoch: number): { payment: bigint; completed: boolean } {
    const everUpdated = state.lastUpdatedEpoch !== EPOCH_UNDEFINED;
    if (!everUpdated) this.pendingProposals.delete(cid.toString());
    if (everUpdated && state.lastUpdatedEpoch > epoch) throw illegalState(`deal updated at future epoch ${state.lastUpdatedEpoch}`);
    // Too early to pay: nothing is, but the update is recorded all the same (builtin-actors v18
    // settle_deal_payments sets last_updated_epoch whatever process_deal_update paid), so that the
    // deal's check pays it and reschedules it, as for any deal settled before its check.
    if (deal.startEpoch > epoch) {
      this.states.set(dealId, { ...state, lastUpdatedEpoch: epoch });
      return { payment: 0n, completed: false };
    }

    const paymentEnd = Math.min(deal.endEpoch, epoch);
    const paymentStart = everUpdated && state.lastUpdatedEpoch > deal.startEpoch ? state.lastUpdatedEpoch : deal.startEpoch;
    const payment = deal.storagePricePerEpoch * BigInt(paymentEnd - paymentStart);
    if (payment > 0n) this.pay(deal.client, deal.provider, payment);

    if (epoch >= deal.endEpoch) {
      if (state.sectorStartEpoch === EPOCH_UNDEFINED) throw illegalState('start sector epoch undefined');
      this.unlock(deal.provider, deal.providerCollateral, 'providerCollateral');
      this.unlock(deal.client, deal.clientCollateral, 'clientCollateral');
      this.removeDeal(dealId);
      this.removeSectorDeal(deal.provider, state.sectorNumber, dealId);
      return { payment, completed: true };
    }
    this.states.set(dealId, { ...state, lastUpdatedEpoch: epoch });
    return { payment, completed: false };
  }

  /**
   * A deal whose sector was terminated at `terminatedAt` (process_slashed_deal): payment up to then,
   * the rest of the client's fee and its collateral unlocked, the provider's collateral slashed, the
   * deal removed. Returns the amount to burn.
   */
  terminateDeal(dealId: number, deal: StoredProposal, state: DealState, terminatedAt: number): bigint {
    // Never before its last settlement: on a fork, a miner taken late reports the terminations it missed at their own epochs.
    const slashEpoch = Math.max(terminatedAt, state.lastUpdatedEpoch);
    const paymentStart = Math.max(deal.startEpoch, state.lastUpdatedEpoch);
    const paymentEnd = Math.min(deal.endEpoch, slashEpoch);
    const payment = deal.storagePricePerEpoch * BigInt(Math.max(0, paymentEnd - paymentStart));
    if (payment > 0n) this.pay(deal.client, deal.provider, payment);
    const remaining = deal.storagePricePerEpoch * BigInt(deal.endEpoch - Math.max(slashEpoch, deal.startEpoch));
    this.unlock(deal.client, remaining, 'clientStorageFee');
    this.unlock(deal.client, deal.clientCollateral, 'clientCollateral');
    this.slash(deal.provider, deal.providerCollateral, 'providerCollateral');
    this.removeDeal(dealId);
    return deal.providerCollateral;
  }

  /**
   * A legacy deal marked for termination before nv22 (its slash epoch set, which only the upstream
   * of a fork at such a height holds), at its cron check: process_deal_update's slashed path
   * (builtin-actors b0a3bdd6 actors/market/src/state.rs, issue 1388), as terminateDeal at the slash
   * epoch, then the deal taken out of its provider's sector. Returns the amount to burn.
   */
  settleMarkedDeal(dealId: number, deal: StoredProposal, state: DealState, epoch: number): bigint {
    if (state.lastUpdatedEpoch > epoch) throw illegalState(`deal updated at future epoch ${state.lastUpdatedEpoch}`);
    if (epoch < state.slashEpoch) throw illegalState(`current epoch less than deal slash epoch ${state.slashEpoch}`);
    if (state.slashEpoch > deal.endEpoch) throw illegalState(`deal slash epoch ${state.slashEpoch} after deal end ${deal.endEpoch}`);
    const slashed = this.terminateDeal(dealId, deal, state, state.slashEpoch);
    this.removeSectorDeal(deal.provider, state.sectorNumber, dealId);
    return slashed;
  }

  private removeDeal(dealId: number): void {
    if (!this.states.delete(dealId)) throw illegalState('failed to delete deal state: does not exist');
    if (!this.proposals.delete(dealId)) throw illegalState('failed to delete deal proposal: does not exist');
  }

  // --- sectors ----------------------------------------------------------------------------------

  addSectorDeals(provider: number, sector: number, dealIds: readonly number[]): void {
    if (dealIds.length === 0) return;
    const sectors = copyMap(this.providerSectors.get(provider) ?? new Map<number, readonly number[]>());
    sectors.set(sector, [...(sectors.get(sector) ?? []), ...dealIds]);
    this.providerSectors.set(provider, sectors);
  }

  /** Removes and returns the deal IDs of these sectors of a provider. */
  popSectorDeals(provider: number, sectorNumbers: readonly number[]): number[] {
    const held = this.providerSectors.get(provider);
    if (!held) return [];
    const sectors = copyMap(held);
    const ids: number[] = [];
    for (const n of sectorNumbers) {
      ids.push(...(sectors.get(n) ?? []));
      sectors.delete(n);
    }
    this.putSectors(provider, sectors);
    return ids;
  }

  private removeSectorDeal(provider: number, sector: number, dealId: number): void {
    const held = this.providerSectors.get(provider);
    const ids = held?.get(sector);
    if (!held || !ids) return;
    const sectors = copyMap(held);
    const rest = ids.filter((id) => id !== dealId);
    if (rest.length) sectors.set(sector, rest);
    else sectors.delete(sector);
    this.putSectors(provider, sectors);
  }

  /** A provider's changed table; an empty one is dropped, unless it is forked (a forked table cannot tell it is empty). */
  private putSectors(provider: number, sectors: Map<number, readonly number[]>): void {
    if (sectors.size === 0 && !(sectors instanceof LazyMap)) this.providerSectors.delete(provider);
    else this.providerSectors.set(provider, sectors);
  }
}

function setBalance(table: Map<number, bigint>, id: number, amount: bigint): void {
  if (amount === 0n) table.delete(id);
  else table.set(id, amount);
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** The bit width of the market's HAMTs (builtin-actors HAMT_BIT_WIDTH, its DEFAULT_HAMT_CONFIG). */
export const MARKET_HAMT_BIT_WIDTH = 5;

/**
 * The deals by provider and sector as builtin-actors' market keeps them (ProviderSectors): a HAMT by
 * provider of the CIDs of HAMTs by sector number of deal ID lists, keys as varints.
 */
export function providerSectorsHamt(state: MarketState): { root: CID; blocks: Uint8Array[] } {
  const blocks: Uint8Array[] = [];
  const providers = [...state.providerSectors].map(([provider, sectors]) => {
    const own = buildHamt([...sectors].map(([sector, ids]) => [actorIdKey(sector), [...ids]]), MARKET_HAMT_BIT_WIDTH);
    blocks.push(...own.blocks);
    return [actorIdKey(provider), own.root] as const;
  });
  const all = buildHamt(providers, MARKET_HAMT_BIT_WIDTH);
  return { root: all.root, blocks: [...blocks, ...all.blocks] };
}

/** builtin-actors' market: its proposals' and deal states' AMT bit widths (types.rs), its balance tables' HAMT bit width (balance_table.rs). */
export const PROPOSALS_AMT_BIT_WIDTH = 5;
export const STATES_AMT_BIT_WIDTH = 6;
export const BALANCE_TABLE_BIT_WIDTH = 6;

/** The market's Proposals AMT (builtin-actors DealArray): each stored proposal by deal ID. */
export const proposalsAmt = (state: MarketState): Amt => buildAmt(new Map([...state.proposals].map(([id, deal]) => [id, storedProposalValue(deal)])), PROPOSALS_AMT_BIT_WIDTH);

/** A deal's state as the States AMT holds it (DealState `[sector_number, sector_start_epoch, last_updated_epoch, slash_epoch]`). */
export const dealStateValue = (s: DealState): unknown => [s.sectorNumber, s.sectorStartEpoch, s.lastUpdatedEpoch, s.slashEpoch];

/** The market's States AMT (DealMetaArray): each activated deal's state by deal ID. */
const statesAmt = (state: MarketState): Amt => buildAmt(new Map([...state.states].map(([id, s]) => [id, dealStateValue(s)])), STATES_AMT_BIT_WIDTH);

/** An escrow or locked table as builtin-actors' BalanceTable keeps it: a HAMT by the ID address's bytes of amounts. */
const balanceTableHamt = (table: ReadonlyMap<number, bigint>): { root: CID; blocks: Uint8Array[] } =>
  buildHamt([...table].map(([id, amount]) => [idAddressBytes(id), encodeBigInt(amount)]), BALANCE_TABLE_BIT_WIDTH);

/** The market's PendingDealAllocationIds: a HAMT by deal ID (varint) of allocation IDs. */
const pendingAllocationsHamt = (state: MarketState): { root: CID; blocks: Uint8Array[] } =>
  buildHamt([...state.pendingDealAllocationIds].map(([deal, allocation]) => [actorIdKey(deal), allocation]), MARKET_HAMT_BIT_WIDTH);

/**
 * The deal and balance tables as builtin-actors' market keeps them: Proposals and States, AMTs by
 * deal ID; EscrowTable and LockedTable, HAMTs by the ID address's bytes of amounts; PendingDealAllocationIds,
 * a HAMT by deal ID (varint) of allocation IDs. Their roots, and every block, for ChainReadObj.
 */
export function dealTablesLayout(state: MarketState): { proposals: CID; states: CID; escrow: CID; locked: CID; pendingDealAllocationIds: CID; blocks: Uint8Array[] } {
  const [proposals, states] = [proposalsAmt(state), statesAmt(state)];
  const [escrow, locked] = [balanceTableHamt(state.escrow), balanceTableHamt(state.locked)];
  const allocations = pendingAllocationsHamt(state);
  return {
    proposals: proposals.root,
    states: states.root,
    escrow: escrow.root,
    locked: locked.root,
    pendingDealAllocationIds: allocations.root,
    blocks: [...proposals.blocks.values(), ...states.blocks.values(), ...escrow.blocks, ...locked.blocks, ...allocations.blocks],
  };
}

/** The pending proposals as builtin-actors' market keeps them: a HAMT set keyed by each proposal CID's bytes (the values are unit: CBOR null). */
export function pendingProposalsHamt(state: MarketState): { root: CID; blocks: Uint8Array[] } {
  return buildHamt([...state.pendingProposals.values()].map((cid) => [cid.bytes, null]), MARKET_HAMT_BIT_WIDTH);
}

/**
 * The market's scheduled deal work as builtin-actors keeps it (DealOpsByEpoch, a SetMultimap): a HAMT
 * by epoch of the CIDs of HAMT sets of deal IDs (values unit: CBOR null). Since actors v14 the epoch
 * keys are signed varints (common/hamt.ts epochKey), the deal IDs unsigned ones. The devnet schedules
 * this work in the cron actor's queue: `ops` are the market's entries there, by epoch.
 */
export function dealOpsByEpochHamt(ops: Iterable<readonly [epoch: number, dealIds: readonly number[]]>): { root: CID; blocks: Uint8Array[] } {
  const blocks: Uint8Array[] = [];
  const epochs = [...ops].map(([epoch, dealIds]) => {
    const set = buildHamt(dealIds.map((id) => [actorIdKey(id), null]), MARKET_HAMT_BIT_WIDTH);
    blocks.push(...set.blocks);
    return [epochKey(epoch), set.root] as const;
  });
  const all = buildHamt(epochs, MARKET_HAMT_BIT_WIDTH);
  return { root: all.root, blocks: [...blocks, ...all.blocks] };
}

/** The CBOR value of the market's state: builtin-actors' field order, each table as a list of entries. */
export function marketStateValue(state: MarketState): unknown {
  const big = encodeBigInt;
  const entries = <K, V>(map: ReadonlyMap<K, V>, f: (v: V) => unknown) => [...map].map(([k, v]) => [k, f(v)]);
  return [
    entries(state.proposals, storedProposalValue),
    entries(state.states, dealStateValue),
    [...state.pendingProposals.values()],
    entries(state.escrow, big),
    entries(state.locked, big),
    state.nextId,
    // deal_ops_by_epoch: the devnet keeps them in the cron schedule.
    [],
    // last_cron: cron runs each entry at its epoch, never behind.
    EPOCH_UNDEFINED,
    big(state.totalClientLockedCollateral),
    big(state.totalProviderLockedCollateral),
    big(state.totalClientStorageFee),
    entries(state.pendingDealAllocationIds, (id) => id),
    entries(state.providerSectors, (sectors) => entries(sectors, (ids) => [...ids])),
  ];
}
