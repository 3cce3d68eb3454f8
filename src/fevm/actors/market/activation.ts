// What a storage miner tells the market about its sectors (builtin-actors market
// batch_activate_deals, sector_content_changed, on_miner_sectors_terminate): deals activated in a
// sector, and deals ended early because their sector was terminated.
import { decodeCbor } from '../../../common/cbor.js';
import { ExitCode } from '../../exit-code.js';
import { bool, bytes, cid, i64, list, tuple, u64 } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { fAddress } from '../shared.js';
import { storedProposalCid, type StoredProposal } from './deal-proposal.js';
import { EX_DEAL_EXPIRED, bitfield, burn, emitDealEvent, getProposal, openLedger, requireMinerCaller, saveLedger } from './market-runtime.js';
import { BatchBuilder, batchValue } from '../batch-return.js';
import { EPOCH_UNDEFINED, NO_ALLOCATION_ID, type MarketLedger } from './state.js';

/** preactivate_deal: the deal's proposal if this provider may activate it now, or why not. */
function preactivate(ledger: MarketLedger, dealId: number, provider: number, sectorExpiry: number, epoch: number): StoredProposal | ActorError {
  let proposal: StoredProposal;
  try {
    proposal = getProposal(ledger, dealId);
  } catch (error) {
    return error as ActorError;
  }
  const cannot = (code: number, why: string) => new ActorError(code, `cannot activate deal ${dealId}: ${why}`);
  if (proposal.provider !== provider) return cannot(ExitCode.ErrForbidden, `proposal has provider ${fAddress(proposal.provider)}, must be ${fAddress(provider)}`);
  if (epoch > proposal.startEpoch) return cannot(EX_DEAL_EXPIRED, `proposal start epoch ${proposal.startEpoch} has already elapsed at ${epoch}`);
  if (proposal.endEpoch > sectorExpiry) return cannot(ExitCode.ErrIllegalArgument, `proposal expiration ${proposal.endEpoch} exceeds sector expiration ${sectorExpiry}`);
  if (ledger.states.has(dealId)) return new ActorError(ExitCode.ErrIllegalArgument, `deal ${dealId} already activated`);
  const cidKey = storedProposalCid(proposal);
  if (!ledger.pendingProposals.has(cidKey.toString())) return new ActorError(ExitCode.ErrIllegalState, `deal ${cidKey} is not in pending set`);
  return proposal;
}

/** Records a deal as active in `sector` from now; returns its verified allocation ID (0 for none). */
function activate(rt: ActorRuntime, ledger: MarketLedger, dealId: number, deal: StoredProposal, sector: number): number {
  const allocationId = ledger.pendingDealAllocationIds.get(dealId) ?? NO_ALLOCATION_ID;
  ledger.pendingDealAllocationIds.delete(dealId);
  ledger.states.set(dealId, { sectorNumber: sector, sectorStartEpoch: rt.ctx.epoch, lastUpdatedEpoch: EPOCH_UNDEFINED, slashEpoch: EPOCH_UNDEFINED });
  emitDealEvent(rt, 'deal-activated', dealId, deal);
  return allocationId;
}

/**
 * BatchActivateDeals (6): [[[sector_number, sector_type, sector_expiry, deal_ids]…], compute_cid] ->
 * [BatchReturn, [[[client, allocation_id, data, size]…], unsealed_cid]…]. Each sector's deals
 * activate together or not at all.
 */
export function batchActivateDeals(rt: ActorRuntime, params: unknown): unknown[] {
  const [sectorsValue, computeCidValue] = tuple(params, 2, 'BatchActivateDealsParams');
  const sectors = list(sectorsValue, 'sectors').map((s, i) => {
    const [number, type, expiry, ids] = tuple(s, 4, `sectors[${i}]`);
    return { number: u64(number, 'sector_number'), type: i64(type, 'sector_type'), expiry: i64(expiry, 'sector_expiry'), dealIds: list(ids, 'deal_ids').map((id) => u64(id, 'deal_id')) };
  });
  const computeCid = bool(computeCidValue, 'compute_cid');
  const provider = requireMinerCaller(rt);
  // The devnet does not compute CommD here; the miner computes it from the pieces (ProveCommitSectors3).
  if (computeCid && sectors.some((s) => s.dealIds.length > 0)) {
    throw new ActorError(ExitCode.ErrIllegalArgument, 'failed to compute unsealed sector CID: not supported by the devnet market');
  }
  const ledger = openLedger(rt);
  const batch = new BatchBuilder();
  const activations: unknown[] = [];
  const activated = new Set<number>();
  for (const sector of sectors) {
    if (new Set(sector.dealIds).size !== sector.dealIds.length || sector.dealIds.some((id) => activated.has(id))) {
      batch.fail(ExitCode.ErrIllegalArgument);
      continue;
    }
    const proposals = sector.dealIds.map((id) => preactivate(ledger, id, provider, sector.expiry, rt.ctx.epoch));
    const failure = proposals.find((p): p is ActorError => p instanceof ActorError);
    if (failure) {
      batch.fail(failure.exitCode);
      continue;
    }
    const deals = proposals as StoredProposal[];
    const activatedDeals = sector.dealIds.map((id, i) => {
      activated.add(id);
      return [deals[i].client, activate(rt, ledger, id, deals[i], sector.number), deals[i].pieceCid, deals[i].pieceSize];
    });
    ledger.addSectorDeals(provider, sector.number, sector.dealIds);
    activations.push([activatedDeals, null]);
    batch.succeed();
  }
  saveLedger(rt, ledger);
  return [batchValue(batch.build()), activations];
}

/**
 * SectorContentChanged (FRC-42): [[sector, minimum_commitment_epoch, [[data, size, payload]…]]…] ->
 * [[accepted…]…]. A piece whose payload is a deal ID of this provider, with the deal's piece CID and
 * size, activates that deal; any other piece is refused, and the call still succeeds.
 */
export function sectorContentChanged(rt: ActorRuntime, params: unknown): unknown[] {
  const sectors = list(params, 'SectorContentChangedParams').map((s, i) => {
    const [sector, commitment, added] = tuple(s, 3, `sectors[${i}]`);
    const pieces = list(added, 'added').map((p, j) => {
      const [data, size, payload] = tuple(p, 3, `added[${j}]`);
      return { data: cid(data, 'data'), size: u64(size, 'size'), payload: bytes(payload, 'payload') };
    });
    return { sector: u64(sector, 'sector'), commitment: i64(commitment, 'minimum_commitment_epoch'), pieces };
  });
  const provider = requireMinerCaller(rt);
  const ledger = openLedger(rt);
  const activated = new Set<number>();
  const result = sectors.map(({ sector, commitment, pieces }) => {
    const sectorDeals: number[] = [];
    const accepted = pieces.map((piece) => {
      const dealId = dealIdPayload(piece.payload);
      if (dealId === undefined || activated.has(dealId)) return false;
      const deal = preactivate(ledger, dealId, provider, commitment, rt.ctx.epoch);
      if (deal instanceof ActorError || !deal.pieceCid.equals(piece.data) || deal.pieceSize !== piece.size) return false;
      activated.add(dealId);
      activate(rt, ledger, dealId, deal, sector);
      sectorDeals.push(dealId);
      return true;
    });
    ledger.addSectorDeals(provider, sector, sectorDeals);
    return accepted;
  });
  saveLedger(rt, ledger);
  return result;
}

function dealIdPayload(payload: Uint8Array): number | undefined {
  try {
    return u64(decodeCbor(payload), 'deal id');
  } catch {
    return undefined;
  }
}

/**
 * OnMinerSectorsTerminate (7): [epoch, sectors: BitField]. The deals of those sectors still running
 * at `epoch` end now: paid up to it, the client's remaining fee and collateral unlocked, the
 * provider's collateral burnt.
 */
export async function onMinerSectorsTerminate(rt: ActorRuntime, params: unknown): Promise<undefined> {
  const [epochValue, sectorsValue] = tuple(params, 2, 'OnMinerSectorsTerminateParams');
  const epoch = i64(epochValue, 'epoch');
  const sectors = bitfield(sectorsValue, 'sectors');
  const provider = requireMinerCaller(rt);
  const ledger = openLedger(rt);
  let slashed = 0n;
  for (const dealId of ledger.popSectorDeals(provider, sectors)) {
    // Settled and removed already.
    const deal = ledger.proposals.get(dealId);
    if (!deal) continue;
    if (deal.provider !== provider) throw new ActorError(ExitCode.ErrIllegalState, `caller ${fAddress(provider)} is not the provider ${fAddress(deal.provider)} of deal ${dealId}`);
    // Ended already: it is settled as a completed deal.
    if (deal.endEpoch <= epoch) continue;
    const state = ledger.states.get(dealId);
    if (!state) throw new ActorError(ExitCode.ErrIllegalArgument, `no state for deal ${dealId}`);
    if (state.lastUpdatedEpoch === EPOCH_UNDEFINED) ledger.pendingProposals.delete(storedProposalCid(deal).toString());
    slashed += ledger.terminateDeal(dealId, deal, state, epoch);
    emitDealEvent(rt, 'deal-terminated', dealId, deal);
  }
  saveLedger(rt, ledger);
  await burn(rt, slashed);
  return undefined;
}
