// What the fork reads of the builtin singletons and miners' sectors from the upstream, pinned to the
// fork point, with the methods a Lotus gateway serves (api/api_gateway.go): each singleton's scalars
// from its State (Filecoin.StateReadState), and its tables one key at a time through the state
// methods that read them (StateMarketStorageDeal, StateMarketBalance, StateGetAllocations,
// StateGetClaims, StateVerifierStatus, StateVerifiedClientStatus, StateMinerPower), a miner's
// sectors by number (StateSectorGetInfo), and what no state method reads (a datacap holder's
// allowances, a verifier-client pair's next remove-datacap proposal ID, the market's pending
// proposals, deals by sector and deal work by epoch) from the
// State's HAMTs block by block (ChainReadObj). Values come back in the devnet's shapes
// (src/fevm/actors/*/state.ts); "none" is an answer (null), not a failure.
import { CID } from 'multiformats/cid';
import { FilAddress } from '../../common/address.js';
import { amtGet } from '../../common/amt.js';
import { decodeBigInt } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { actorIdKey, actorIdOfKey, epochOfKey, hamtEntries, hamtGet } from '../../common/hamt.js';
import { DATACAP_ACTOR_ID, MARKET_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../fevm/actor.js';
import { readDealProposal, type StoredProposal } from '../../fevm/actors/market/deal-proposal.js';
import { EMPTY_MARKET_STATE, EPOCH_UNDEFINED, MARKET_HAMT_BIT_WIDTH, type DealState, type MarketState } from '../../fevm/actors/market/state.js';
import type { SectorInfo } from '../../fevm/actors/miner/state.js';
import type { Claim as PowerClaim, PowerState } from '../../fevm/actors/power.js';
import type { RewardState } from '../../fevm/actors/reward.js';
import { datacapToTokens } from '../../fevm/actors/verifreg/datacap-calls.js';
import { EMPTY_VERIFREG_STATE, proposalPairKey, VERIFREG_HAMT_BIT_WIDTH, type Allocation, type Claim, type VerifregState } from '../../fevm/actors/verifreg/state.js';
import type { DatacapState } from '../../fevm/actors/datacap/state.js';
import type { LocatedPoint } from './fork-point.js';
import { sectorFromLotus, type LotusSector } from './upstream-proving.js';
import { UpstreamAnswerError, type Upstream } from './upstream.js';

/** A market deal as the fork holds it: its proposal, its state once activated, its pending allocation. */
export interface ForkedDeal {
  proposal: StoredProposal;
  state?: DealState;
  /** The allocation a verified deal's publication made, until its activation claims it. */
  allocationId?: number;
}

/** A miner's sector counts (Filecoin.StateMinerSectorCount). */
export interface SectorCount {
  live: number;
  faulty: number;
}

export interface LotusDeal {
  Proposal: {
    PieceCID: { '/': string };
    PieceSize: number;
    VerifiedDeal: boolean;
    Client: string;
    Provider: string;
    Label: string;
    StartEpoch: number;
    EndEpoch: number;
    StoragePricePerEpoch: string;
    ProviderCollateral: string;
    ClientCollateral: string;
  };
  State: { SectorNumber: number; SectorStartEpoch: number; LastUpdatedEpoch: number; SlashEpoch: number };
}

export interface LotusAllocation {
  Client: number;
  Provider: number;
  Data: { '/': string };
  Size: number;
  TermMin: number;
  TermMax: number;
  Expiration: number;
}

export interface LotusClaim extends Omit<LotusAllocation, 'Expiration'> {
  TermStart: number;
  Sector: number;
}

/** An address an actor's state keeps as an actor ID: anything else is not what builtin-actors stores. */
export function idOf(address: string, what: string): number {
  const id = FilAddress.parse(address).id;
  if (id === undefined) throw new DevnetError(`upstream ${what}: ${address} is not an ID address`);
  return id;
}

export const allocationFromLotus = (a: LotusAllocation): Allocation => ({
  client: a.Client,
  provider: a.Provider,
  data: CID.parse(a.Data['/']),
  size: a.Size,
  termMin: a.TermMin,
  termMax: a.TermMax,
  expiration: a.Expiration,
});

export const claimFromLotus = (c: LotusClaim): Claim => ({
  provider: c.Provider,
  client: c.Client,
  data: CID.parse(c.Data['/']),
  size: c.Size,
  termMin: c.TermMin,
  termMax: c.TermMax,
  termStart: c.TermStart,
  sector: c.Sector,
});

/** A Go map by ID (JSON keys are decimal strings; null for an empty one). */
const byId = <L, T>(map: Record<string, L> | null, value: (record: L) => T): Map<number, T> =>
  new Map(Object.entries(map ?? {}).map(([id, record]) => [Number(id), value(record)]));

const sameAllocation = (a: Allocation, b: Allocation) =>
  a.client === b.client && a.provider === b.provider && a.data.equals(b.data) && a.size === b.size && a.termMin === b.termMin && a.termMax === b.termMax && a.expiration === b.expiration;

export function dealFromLotus(found: LotusDeal): ForkedDeal {
  const p = found.Proposal;
  const proposal: StoredProposal = {
    pieceCid: CID.parse(p.PieceCID['/']),
    pieceSize: p.PieceSize,
    verifiedDeal: p.VerifiedDeal,
    client: idOf(p.Client, 'deal Client'),
    provider: idOf(p.Provider, 'deal Provider'),
    label: p.Label,
    startEpoch: p.StartEpoch,
    endEpoch: p.EndEpoch,
    storagePricePerEpoch: BigInt(p.StoragePricePerEpoch),
    providerCollateral: BigInt(p.ProviderCollateral),
    clientCollateral: BigInt(p.ClientCollateral),
  };
  const s = found.State;
  // Lotus shows a deal not activated with market.EmptyDealState (sector start -1).
  if (s.SectorStartEpoch === EPOCH_UNDEFINED) return { proposal };
  return { proposal, state: { sectorNumber: s.SectorNumber, sectorStartEpoch: s.SectorStartEpoch, lastUpdatedEpoch: s.LastUpdatedEpoch, slashEpoch: s.SlashEpoch } };
}

/** A verified deal not activated yet has an allocation, whose ID no deal method tells. */
export const awaitsAllocation = (deal: ForkedDeal) => deal.proposal.verifiedDeal && !deal.state;

/** Groups allocations or claims by the actor that holds them (a client's, a provider's). */
export function groupBy<T>(byId: Map<number, T>, holder: (value: T) => number): Map<number, Map<number, T>> {
  const groups = new Map<number, Map<number, T>>();
  for (const [id, value] of byId) {
    const key = holder(value);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new Map()));
    group.set(id, value);
  }
  return groups;
}

/** The reward actor's State as Lotus's JSON gives it (go-state-types builtin/v18/reward State). */
interface LotusRewardState {
  CumsumBaseline: string;
  CumsumRealized: string;
  EffectiveNetworkTime: number;
  EffectiveBaselinePower: string;
  ThisEpochReward: string;
  ThisEpochRewardSmoothed: { PositionEstimate: string; VelocityEstimate: string };
  ThisEpochBaselinePower: string;
  Epoch: number;
  TotalStoragePowerReward: string;
  SimpleTotal: string;
  BaselineTotal: string;
}

export class UpstreamTables {
  /** Singletons' States by ID (stateJson). */
  private readonly states = new Map<number, Promise<unknown>>();
  /** The root and bit width of the datacap token's allowances HAMT, read once. */
  private allowancesHamt: Promise<{ root: CID; bitWidth: number }> | undefined;

  constructor(
    private readonly upstream: Upstream,
    readonly point: LocatedPoint,
  ) {}

  private call<T>(method: string, params: unknown[]): Promise<T> {
    return this.upstream.call<T>(method, [...params, this.point.stateKey]);
  }

  /** A singleton's State as StateReadState answers it (Lotus's JSON), read once. */
  stateJson(id: number): Promise<unknown> {
    let read = this.states.get(id);
    if (!read) {
      this.states.set(id, (read = this.call<{ State: unknown }>('Filecoin.StateReadState', [`f0${id}`]).then((answer) => answer.State)));
      // A failed read is tried again next time, not remembered.
      read.catch(() => this.states.delete(id));
    }
    return read;
  }

  private async state<T>(id: number): Promise<T> {
    return (await this.stateJson(id)) as T;
  }

  /** The market's scalars (next deal ID, locked totals); its tables are read by key. */
  async marketState(id: number): Promise<MarketState> {
    const s = await this.state<{ NextID: number; TotalClientLockedCollateral: string; TotalProviderLockedCollateral: string; TotalClientStorageFee: string }>(id);
    return {
      ...EMPTY_MARKET_STATE,
      nextId: s.NextID,
      totalClientLockedCollateral: BigInt(s.TotalClientLockedCollateral),
      totalProviderLockedCollateral: BigInt(s.TotalProviderLockedCollateral),
      totalClientStorageFee: BigInt(s.TotalClientStorageFee),
    };
  }

  /** The verified registry's root key and next allocation ID. */
  async verifregState(id: number): Promise<VerifregState> {
    const s = await this.state<{ RootKey: string | null; NextAllocationId: number }>(id);
    return { ...EMPTY_VERIFREG_STATE, ...(s.RootKey ? { rootKey: idOf(s.RootKey, 'verified registry RootKey') } : {}), nextAllocationId: s.NextAllocationId };
  }

  /** The datacap token's governor and supply. */
  async datacapState(id: number): Promise<DatacapState> {
    const s = await this.state<{ Governor: string; Token: { Supply: string } }>(id);
    return { governor: idOf(s.Governor, 'datacap Governor'), supply: BigInt(s.Token.Supply), balances: new Map(), allowances: new Map() };
  }

  /** The power actor's totals; the claims are read by miner. */
  async powerState(id: number): Promise<PowerState> {
    const s = await this.state<{
      TotalRawBytePower: string;
      TotalQualityAdjPower: string;
      MinerCount: number;
      MinerAboveMinPowerCount: number;
      TotalPledgeCollateral?: string;
      ThisEpochQAPowerSmoothed?: { PositionEstimate?: unknown; VelocityEstimate?: unknown };
      FirstCronEpoch?: unknown;
    }>(id);
    const smoothed = s.ThisEpochQAPowerSmoothed;
    const integers = [smoothed?.PositionEstimate, smoothed?.VelocityEstimate];
    if (!integers.every((v) => typeof v === 'string' && /^-?\d+$/.test(v)) || !Number.isSafeInteger(s.FirstCronEpoch)) {
      throw new DevnetError(`the upstream's power actor State is not builtin-actors' (${JSON.stringify(s)})`);
    }
    return {
      // Its smoothed QA power as the cron before FirstCronEpoch left it, which the fork's crons move on.
      qaPowerSmoothed: { estimate: { position: BigInt(smoothed!.PositionEstimate as string), velocity: BigInt(smoothed!.VelocityEstimate as string) }, through: (s.FirstCronEpoch as number) - 1 },
      claims: [],
      totalRawBytePower: BigInt(s.TotalRawBytePower),
      totalQualityAdjPower: BigInt(s.TotalQualityAdjPower),
      minerCount: s.MinerCount,
      minerAboveMinPowerCount: s.MinerAboveMinPowerCount,
      ...(s.TotalPledgeCollateral === undefined ? {} : { totalPledgeCollateral: BigInt(s.TotalPledgeCollateral) }),
    };
  }

  /**
   * The reward actor's State (builtin-actors actors/reward State): the block rewards paid so far and
   * the figures the fork's tipsets compute their rewards from.
   */
  async rewardState(id: number): Promise<RewardState> {
    const s = await this.state<LotusRewardState>(id);
    const smoothed = s.ThisEpochRewardSmoothed;
    const integers = [s.CumsumBaseline, s.CumsumRealized, s.EffectiveBaselinePower, s.ThisEpochReward, s.ThisEpochBaselinePower, s.TotalStoragePowerReward, s.SimpleTotal, s.BaselineTotal, smoothed?.PositionEstimate, smoothed?.VelocityEstimate];
    if (!integers.every((v) => typeof v === 'string' && /^-?\d+$/.test(v)) || !Number.isSafeInteger(s.EffectiveNetworkTime) || !Number.isSafeInteger(s.Epoch)) {
      throw new DevnetError(`the upstream's reward actor State is not builtin-actors' (${JSON.stringify(s)})`);
    }
    return {
      pendingGasReward: 0n,
      totalStoragePowerReward: BigInt(s.TotalStoragePowerReward),
      kpi: {
        cumsumBaseline: BigInt(s.CumsumBaseline),
        cumsumRealized: BigInt(s.CumsumRealized),
        effectiveNetworkTime: s.EffectiveNetworkTime,
        effectiveBaselinePower: BigInt(s.EffectiveBaselinePower),
        thisEpochReward: BigInt(s.ThisEpochReward),
        thisEpochRewardSmoothed: { position: BigInt(smoothed.PositionEstimate), velocity: BigInt(smoothed.VelocityEstimate) },
        thisEpochBaselinePower: BigInt(s.ThisEpochBaselinePower),
        epoch: s.Epoch,
        simpleTotal: BigInt(s.SimpleTotal),
        baselineTotal: BigInt(s.BaselineTotal),
      },
    };
  }

  /** A deal by ID, with the allocation its publication made if it is verified and not activated yet; null if the market has none. */
  async deal(id: number): Promise<ForkedDeal | null> {
    let found: LotusDeal;
    try {
      found = await this.call<LotusDeal>('Filecoin.StateMarketStorageDeal', [id]);
    } catch (error) {
      // Lotus's stmgr.GetStorageDeal: "deal %d not found - …".
      if (error instanceof UpstreamAnswerError && /deal \d+ not found/.test(error.rpcMessage)) return null;
      throw error;
    }
    const deal = await this.withLabel(id, dealFromLotus(found));
    if (!awaitsAllocation(deal)) return deal;
    const allocationId = await this.pendingAllocationId(id, deal.proposal.client);
    return allocationId === undefined ? deal : { ...deal, allocationId };
  }

  /**
   * `deal` with its proposal's label as the market stores it. Lotus's JSON writes a label of bytes as
   * "" (go-state-types builtin/v18/market/deal.go DealLabel.MarshalJSON), so an empty label is read
   * again from the proposal itself, in the market's Proposals AMT (one block a level, as a gateway serves).
   */
  private async withLabel(id: number, deal: ForkedDeal): Promise<ForkedDeal> {
    if (deal.proposal.label !== '') return deal;
    const { Proposals } = (await this.stateJson(MARKET_ACTOR_ID)) as { Proposals: { '/': string } };
    const stored = await amtGet(CID.parse(Proposals['/']), id, (block) => this.readObject(block));
    if (stored === undefined) throw new DevnetError(`upstream market: deal ${id} is not in its Proposals`);
    const { label } = readDealProposal(stored, `deal ${id} proposal`);
    return { ...deal, proposal: { ...deal.proposal, label } };
  }

  /**
   * The ID of a pending verified deal's allocation. A gateway serves the allocation
   * (StateGetAllocationForPendingDeal) but not its ID, so it is found among the client's allocations.
   */
  private async pendingAllocationId(dealId: number, client: number): Promise<number | undefined> {
    const pending = await this.call<LotusAllocation | null>('Filecoin.StateGetAllocationForPendingDeal', [dealId]);
    if (!pending) return undefined;
    const wanted = allocationFromLotus(pending);
    for (const [id, allocation] of await this.allocations(client)) if (sameAllocation(allocation, wanted)) return id;
    return undefined;
  }

  /** An actor's escrow and locked amounts in the market. */
  async marketBalance(id: number): Promise<{ escrow: bigint; locked: bigint }> {
    const { Escrow, Locked } = await this.call<{ Escrow: string; Locked: string }>('Filecoin.StateMarketBalance', [`f0${id}`]);
    return { escrow: BigInt(Escrow), locked: BigInt(Locked) };
  }

  /** A client's allocations by ID. */
  async allocations(client: number): Promise<Map<number, Allocation>> {
    return byId(await this.call<Record<string, LotusAllocation> | null>('Filecoin.StateGetAllocations', [`f0${client}`]), allocationFromLotus);
  }

  /** A provider's claims by ID. */
  async claims(provider: number): Promise<Map<number, Claim>> {
    return byId(await this.call<Record<string, LotusClaim> | null>('Filecoin.StateGetClaims', [`f0${provider}`]), claimFromLotus);
  }

  /** A verifier's remaining allowance in bytes; null if the actor is not a verifier. */
  async verifier(id: number): Promise<bigint | null> {
    const allowance = await this.call<string | null>('Filecoin.StateVerifierStatus', [`f0${id}`]);
    return allowance === null ? null : BigInt(allowance);
  }

  /**
   * The next RemoveDataCapProposalID of a `${verifier}:${client}` pair (null: the pair never signed a
   * removal upstream). No state method reads it, so it is looked up in the registry State's
   * RemoveDataCapProposalIDs HAMT (AddrPairKey -> RmDcProposalID `[id]`).
   */
  async removeDataCapProposalId(pair: string): Promise<number | null> {
    const { RemoveDataCapProposalIDs } = (await this.stateJson(VERIFREG_ACTOR_ID)) as { RemoveDataCapProposalIDs: { '/': string } };
    const found = await hamtGet(CID.parse(RemoveDataCapProposalIDs['/']), proposalPairKey(pair), VERIFREG_HAMT_BIT_WIDTH, (block) => this.readObject(block));
    if (found === undefined) return null;
    const [id] = found as [number | bigint];
    return Number(id);
  }

  /** An actor's datacap balance in tokens (Lotus answers bytes: tokens / 10^18); null without one. */
  async datacap(id: number): Promise<bigint | null> {
    const bytes = await this.call<string | null>('Filecoin.StateVerifiedClientStatus', [`f0${id}`]);
    return bytes === null ? null : datacapToTokens(BigInt(bytes));
  }

  /**
   * An owner's datacap allowances by operator ID (the market's, for verified deals, is what Mint set
   * less what the market spent since). No state method reads them, so they are looked up in the
   * token state's allowances HAMT (frc46_token TokenState: owner -> HAMT of operator -> amount).
   */
  async datacapAllowances(owner: number): Promise<Map<number, bigint>> {
    const { root, bitWidth } = await this.allowancesRoot();
    const load = (cid: CID) => this.readObject(cid);
    const found = await hamtGet(root, actorIdKey(owner), bitWidth, load);
    if (found === undefined) return new Map();
    const table = CID.asCID(found);
    if (!table) throw new DevnetError(`upstream datacap allowances of f0${owner}: not a link to a HAMT`);
    return new Map((await hamtEntries(table, load)).map(([operator, amount]) => [actorIdOfKey(operator), decodeBigInt(amount as Uint8Array)]));
  }

  private allowancesRoot(): Promise<{ root: CID; bitWidth: number }> {
    this.allowancesHamt ??= this.state<{ Token: { Allowances: { '/': string }; HamtBitWidth: number } }>(DATACAP_ACTOR_ID).then(({ Token }) => ({
      root: CID.parse(Token.Allowances['/']),
      bitWidth: Token.HamtBitWidth,
    }));
    // A failed read is tried again next time, not remembered.
    this.allowancesHamt.catch(() => (this.allowancesHamt = undefined));
    return this.allowancesHamt;
  }

  /**
   * The proposal if it is in the upstream market's pending set, else null: no state method tells,
   * so it is looked up in the set's HAMT (market State PendingProposals, keyed by the CID's bytes).
   */
  async pendingProposal(cid: string): Promise<CID | null> {
    const { PendingProposals } = (await this.stateJson(MARKET_ACTOR_ID)) as { PendingProposals: { '/': string } };
    const proposal = CID.parse(cid);
    const found = await hamtGet(CID.parse(PendingProposals['/']), proposal.bytes, MARKET_HAMT_BIT_WIDTH, (block) => this.readObject(block));
    return found === undefined ? null : proposal;
  }

  /**
   * The deal IDs the upstream market holds for a provider's sector (State ProviderSectors: a HAMT by
   * provider of HAMTs by sector number); null if none.
   */
  async sectorDeals(provider: number, sector: number): Promise<number[] | null> {
    const { ProviderSectors } = (await this.stateJson(MARKET_ACTOR_ID)) as { ProviderSectors: { '/': string } };
    const load = (block: CID) => this.readObject(block);
    const sectors = CID.asCID(await hamtGet(CID.parse(ProviderSectors['/']), actorIdKey(provider), MARKET_HAMT_BIT_WIDTH, load));
    const ids = sectors && (await hamtGet(sectors, actorIdKey(sector), MARKET_HAMT_BIT_WIDTH, load));
    return Array.isArray(ids) ? (ids as number[]) : null;
  }

  /**
   * The epochs after the fork epoch for which the upstream's market has deal work scheduled, ascending,
   * each with the CID of its set of deal IDs: the keys of its DealOpsByEpoch (a HAMT by epoch of HAMT
   * sets), read whole once, so that mining never asks the upstream about an epoch without work. Its
   * keys are the signed varints builtin-actors writes and looks up since actors v14; entries written
   * earlier under unsigned keys sit where cron never looks (builtin-actors issue 1780), here as
   * epochs long past or negative. Cron at the fork epoch has run upstream (LastCron).
   */
  async dealOpEpochs(): Promise<[number, CID][]> {
    const { DealOpsByEpoch } = (await this.stateJson(MARKET_ACTOR_ID)) as { DealOpsByEpoch: { '/': string } };
    const epochs: [number, CID][] = [];
    for (const [key, set] of await hamtEntries(CID.parse(DealOpsByEpoch['/']), (block) => this.readObject(block))) {
      const epoch = epochOfKey(key);
      const link = CID.asCID(set);
      if (!link) throw new DevnetError(`upstream market DealOpsByEpoch at epoch ${epoch}: not a link to a set`);
      if (epoch > this.point.epoch) epochs.push([epoch, link]);
    }
    return epochs.sort(([a], [b]) => a - b);
  }

  /** The deal IDs in one epoch's set of the market's DealOpsByEpoch (a HAMT set keyed by unsigned varints). */
  async dealOps(set: CID): Promise<number[]> {
    return (await hamtEntries(set, (block) => this.readObject(block))).map(([key]) => actorIdOfKey(key));
  }

  /** A block of the upstream's state. */
  private readObject(cid: CID): Promise<Uint8Array> {
    return this.upstream.readObj(cid, `block ${cid.toString()}`);
  }

  /** A miner's sector by number; null if the miner has none under it. */
  async sector(miner: number, number: number): Promise<SectorInfo | null> {
    const s = await this.call<LotusSector | null>('Filecoin.StateSectorGetInfo', [`f0${miner}`, number]);
    return s && sectorFromLotus(s);
  }

  /** A miner's live and faulty sectors (its active ones are the rest). */
  async sectorCount(miner: number): Promise<SectorCount> {
    const count = await this.call<{ Live: number; Faulty: number }>('Filecoin.StateMinerSectorCount', [`f0${miner}`]);
    return { live: count.Live, faulty: count.Faulty };
  }

  /** A miner's power claim; Lotus answers zero power for an actor without one (UpstreamState.powerClaim tells them apart). */
  async powerClaim(miner: number): Promise<PowerClaim> {
    const { MinerPower } = await this.call<{ MinerPower: { RawBytePower: string; QualityAdjPower: string } }>('Filecoin.StateMinerPower', [`f0${miner}`]);
    return { rawBytePower: BigInt(MinerPower.RawBytePower), qualityAdjPower: BigInt(MinerPower.QualityAdjPower) };
  }
}
