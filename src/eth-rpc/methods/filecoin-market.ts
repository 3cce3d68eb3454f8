// The Lotus state methods of the storage market: Filecoin.StateMarketStorageDeal, StateMarketDeals,
// StateMarketBalance, StateMarketParticipants, StateDealProviderCollateralBounds,
// StateMarketProposalPending and StateComputeDataCID (lotus api/api_full.go, node/impl/full/state.go),
// in Lotus's JSON shapes.
import { FilAddress } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import type { CID } from '../../common/cbor.js';
import type { Devnet } from '../../devnet/devnet.js';
import { MARKET_ACTOR_ID } from '../../fevm/actor.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import type { StoredProposal } from '../../fevm/actors/market/deal-proposal.js';
import { PROVIDER_COLLATERAL_BOUNDS } from '../../fevm/actors/market/policy.js';
import { dealOpsByEpochHamt, dealTablesLayout, EMPTY_MARKET_STATE, EPOCH_UNDEFINED, marketStateValue, pendingProposalsHamt, providerSectorsHamt, type DealState, type MarketState } from '../../fevm/actors/market/state.js';
import { defineMethod } from '../define-method.js';
import { cidJson, idJson } from '../lotus-json.js';
import { keptTipsetOf, tipsetState } from '../dropped-tipsets.js';
import { cid, filAddress, tipsetKey } from '../lotus-params.js';
import { unsealedCidOfPieces } from '../../devnet/storage-providers/sector-params.js';
import { ExitCode } from '../../fevm/exit-code.js';
import type { Tipset } from '../../mining/tipset.js';
import { wholeTable } from '../../fevm/lazy-map.js';
import { shapeBySealProof } from '../../fevm/actors/miner/policy.js';
import { bool, describeValue, invalid, nonNegative, parseNonNegative, type Param } from '../params.js';

/** The market's state at a key (a dropped tipset's kept one too), the tipset, and an address resolver there. */
function marketAt(devnet: Devnet, key: CID[] | undefined): { state: MarketState; tipset: Tipset; resolve: (a: FilAddress) => number | undefined } {
  const tipset = keptTipsetOf(devnet, key);
  const reader = tipsetState(devnet, tipset);
  return { state: reader.getActor(MARKET_ACTOR_ID)?.market ?? EMPTY_MARKET_STATE, tipset, resolve: (a) => resolveAddress(reader, a)?.id };
}

/** market.DealProposal: a byte label shows as "" (go-state-types DealLabel's JSON holds strings only). */
function proposalJson(deal: StoredProposal) {
  return {
    PieceCID: cidJson(deal.pieceCid),
    PieceSize: deal.pieceSize,
    VerifiedDeal: deal.verifiedDeal,
    Client: idJson(deal.client),
    Provider: idJson(deal.provider),
    Label: typeof deal.label === 'string' ? deal.label : '',
    StartEpoch: deal.startEpoch,
    EndEpoch: deal.endEpoch,
    StoragePricePerEpoch: deal.storagePricePerEpoch.toString(),
    ProviderCollateral: deal.providerCollateral.toString(),
    ClientCollateral: deal.clientCollateral.toString(),
  };
}

/** A deal not yet activated has Lotus's empty state: sector 0, epochs -1. */
const NO_DEAL_STATE: DealState = { sectorNumber: 0, sectorStartEpoch: EPOCH_UNDEFINED, lastUpdatedEpoch: EPOCH_UNDEFINED, slashEpoch: EPOCH_UNDEFINED };

function marketDealJson(state: MarketState, dealId: number, deal: StoredProposal) {
  const s = state.states.get(dealId) ?? NO_DEAL_STATE;
  return {
    Proposal: proposalJson(deal),
    State: { SectorNumber: s.sectorNumber, SectorStartEpoch: s.sectorStartEpoch, LastUpdatedEpoch: s.lastUpdatedEpoch, SlashEpoch: s.slashEpoch },
  };
}

const balanceJson = (state: MarketState, id: number) => ({ Escrow: (state.escrow.get(id) ?? 0n).toString(), Locked: (state.locked.get(id) ?? 0n).toString() });

/**
 * The market's State as Lotus's StateReadState shows it (go-state-types market State), amounts as
 * strings: its tables by the roots of their AMTs and HAMTs laid out as builtin-actors', whose blocks
 * go to `serve` (for ChainReadObj: a fork of this node looks them up and lists them); the deal ops
 * by epoch, which the devnet keeps in its cron schedule, from `dealOps` (the market's entries there).
 */
export function marketStateJson(state: MarketState, dealOps: Iterable<readonly [number, readonly number[]]>, serve: (blocks: Uint8Array[]) => void) {
  const [, , , , , nextId, , lastCron] = marketStateValue(state) as unknown[];
  const pendingRoot = pendingProposalsHamt(state);
  const sectorsRoot = providerSectorsHamt(state);
  const deals = dealTablesLayout(state);
  const opsRoot = dealOpsByEpochHamt(dealOps);
  serve([...pendingRoot.blocks, ...sectorsRoot.blocks, ...deals.blocks, ...opsRoot.blocks]);
  return {
    Proposals: cidJson(deals.proposals),
    States: cidJson(deals.states),
    PendingProposals: cidJson(pendingRoot.root),
    EscrowTable: cidJson(deals.escrow),
    LockedTable: cidJson(deals.locked),
    NextID: nextId,
    DealOpsByEpoch: cidJson(opsRoot.root),
    LastCron: lastCron,
    TotalClientLockedCollateral: state.totalClientLockedCollateral.toString(),
    TotalProviderLockedCollateral: state.totalProviderLockedCollateral.toString(),
    TotalClientStorageFee: state.totalClientStorageFee.toString(),
    PendingDealAllocationIds: cidJson(deals.pendingDealAllocationIds),
    ProviderSectors: cidJson(sectorsRoot.root),
  };
}

/** A list of deal IDs (JSON numbers). */
const dealIds = (name: string): Param<number[]> => ({
  name,
  parse: (v) => {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw invalid(name, 'expected a list of deal IDs');
    return v.map((id, i) => parseNonNegative(`${name}[${i}]`, id));
  },
});

const sealProof = (name: string): Param<bigint> => ({
  name,
  parse: (v) => {
    const shape = typeof v === 'number' ? shapeBySealProof(v) : undefined;
    if (!shape) throw invalid(name, `unsupported seal proof ${describeValue(v)}`);
    return shape.sectorSize;
  },
});

/**
 * The checks the market's VerifyDealsForActivation makes of deals a miner is about to seal (builtin-actors
 * validate_deal_can_activate), as the exit code Lotus reports when one fails.
 */
function dealActivationExitCode(state: MarketState, minerId: number | undefined, dealId: number, epoch: number): number | undefined {
  const deal = state.proposals.get(dealId);
  if (!deal) return ExitCode.ErrNotFound;
  if (deal.provider !== minerId) return ExitCode.ErrForbidden;
  if (epoch > deal.startEpoch) return ExitCode.ErrIllegalArgument;
  return undefined;
}

export const filecoinMarket = [
  defineMethod('Filecoin.StateMarketStorageDeal', [nonNegative('dealId'), tipsetKey('tipsetKey')], ({ devnet }, dealId, key) => {
    const { state } = marketAt(devnet, key);
    const deal = state.proposals.get(dealId);
    if (!deal) {
      throw new DevnetError(`deal ${dealId} not found - deal may not have completed sealing before deal proposal start epoch, or deal may have been slashed`);
    }
    return marketDealJson(state, dealId, deal);
  }),

  defineMethod('Filecoin.StateMarketDeals', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    const { state } = marketAt(devnet, key);
    return Object.fromEntries(wholeTable(state.proposals).map(([id, deal]) => [String(id), marketDealJson(state, id, deal)]));
  }),

  defineMethod('Filecoin.StateMarketBalance', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const { state, resolve } = marketAt(devnet, key);
    const id = resolve(address);
    if (id === undefined) throw new DevnetError(`resolution lookup failed (${address.toString('t')}): actor not found`);
    return balanceJson(state, id);
  }),

  // Keyed by the escrow table's entries: every ID address that ever added funds and still has some.
  defineMethod('Filecoin.StateMarketParticipants', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    const { state } = marketAt(devnet, key);
    return Object.fromEntries(wholeTable(state.escrow).map(([id]) => [idJson(id), balanceJson(state, id)]));
  }),

  // Lotus adds 10% to the market's minimum; the devnet's minimum is 0 (market/policy.ts).
  defineMethod('Filecoin.StateDealProviderCollateralBounds', [nonNegative('size'), bool('verified'), tipsetKey('tipsetKey')], ({ devnet }, _size, _verified, key) => {
    keptTipsetOf(devnet, key);
    const { min, max } = PROVIDER_COLLATERAL_BOUNDS;
    return { Min: ((min * 110n) / 100n).toString(), Max: max.toString() };
  }),

  defineMethod('Filecoin.StateMarketProposalPending', [cid('proposalCid'), tipsetKey('tipsetKey')], ({ devnet }, proposal, key) =>
    marketAt(devnet, key).state.pendingProposals.has(proposal.toString()),
  ),

  // CommD of a sector holding the deals' pieces, in order; null for no deals (cid.Undef), as Lotus answers.
  defineMethod(
    'Filecoin.StateComputeDataCID',
    [filAddress('minerAddress'), sealProof('sectorType'), dealIds('dealIds'), tipsetKey('tipsetKey')],
    ({ devnet }, minerAddress, sectorSize, deals, key) => {
      const { state, tipset, resolve } = marketAt(devnet, key);
      if (deals.length === 0) return null;
      const { epoch } = tipset;
      const minerId = resolve(minerAddress);
      for (const id of deals) {
        const exitCode = dealActivationExitCode(state, minerId, id, epoch);
        if (exitCode !== undefined) throw new DevnetError(`receipt for VerifyDealsForActivation had exit code ${exitCode}`);
      }
      const pieces = deals.map((id) => ({ cid: state.proposals.get(id)!.pieceCid, size: state.proposals.get(id)!.pieceSize }));
      try {
        return cidJson(unsealedCidOfPieces(pieces, sectorSize));
      } catch {
        throw new DevnetError(`receipt for VerifyDealsForActivation had exit code ${ExitCode.ErrIllegalArgument}`);
      }
    },
  ),
];
