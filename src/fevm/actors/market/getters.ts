// The market's deal getters (builtin-actors market get_deal_*), exported to any caller: the deal
// ID is the param; an unknown ID is USR_NOT_FOUND, a cleaned-up one (or one marked for termination) EX_DEAL_EXPIRED.
import { encodeBigInt } from '../../../common/cbor.js';
import { u64 } from '../params.js';
import { ActorError, type ActorRuntime, type MethodSpec } from '../runtime.js';
import { dealDuration, totalStorageFee, type StoredProposal } from './deal-proposal.js';
import { EX_DEAL_EXPIRED, EX_DEAL_NOT_ACTIVATED, getProposal, marketState } from './market-runtime.js';
import { EPOCH_UNDEFINED, type DealState } from './state.js';

/** A getter of one of the proposal's fields. */
const proposalGetter = (answer: (deal: StoredProposal) => unknown): MethodSpec => ({
  run: (rt, params) => answer(getProposal(marketState(rt), u64(params, 'deal id'))),
});

export const dealGetters: Record<string, MethodSpec> = {
  GetDealDataCommitment: proposalGetter((d) => [d.pieceCid, d.pieceSize]),
  GetDealClient: proposalGetter((d) => d.client),
  GetDealProvider: proposalGetter((d) => d.provider),
  GetDealLabel: proposalGetter((d) => d.label),
  GetDealTerm: proposalGetter((d) => [d.startEpoch, dealDuration(d)]),
  GetDealTotalPrice: proposalGetter((d) => encodeBigInt(totalStorageFee(d))),
  GetDealClientCollateral: proposalGetter((d) => encodeBigInt(d.clientCollateral)),
  GetDealProviderCollateral: proposalGetter((d) => encodeBigInt(d.providerCollateral)),
  GetDealVerified: proposalGetter((d) => d.verifiedDeal),
  GetDealActivation: { run: getDealActivation },
  GetDealSector: { run: getDealSector },
};

/**
 * A deal state whose slash epoch is set (a legacy deal marked for termination before nv22, not yet
 * processed by its cron check) answers as a deal already cleaned up (builtin-actors market
 * get_deal_activation, get_deal_sector; issue 1388).
 */
function checkNotMarked(dealId: number, dealState: DealState): void {
  if (dealState.slashEpoch !== EPOCH_UNDEFINED) throw new ActorError(EX_DEAL_EXPIRED, `deal ${dealId} expired`);
}

/** [activated, terminated] epochs; [-1, -1] for a published deal not yet in a sector. */
function getDealActivation(rt: ActorRuntime, params: unknown): unknown {
  const dealId = u64(params, 'deal id');
  const state = marketState(rt);
  const dealState = state.states.get(dealId);
  if (dealState) {
    checkNotMarked(dealId, dealState);
    return [dealState.sectorStartEpoch, dealState.slashEpoch];
  }
  getProposal(state, dealId);
  return [EPOCH_UNDEFINED, EPOCH_UNDEFINED];
}

function getDealSector(rt: ActorRuntime, params: unknown): unknown {
  const dealId = u64(params, 'deal id');
  const state = marketState(rt);
  const dealState = state.states.get(dealId);
  if (dealState) {
    checkNotMarked(dealId, dealState);
    return dealState.sectorNumber;
  }
  getProposal(state, dealId);
  throw new ActorError(EX_DEAL_NOT_ACTIVATED, `deal ${dealId} not yet activated`);
}
