// Payments and timeouts over time (builtin-actors market settle_deal_payments and cron_tick, nv22+):
// a deal is paid when SettleDealPayments is called for it, and completes (collaterals unlocked, deal
// removed) on the first settlement at or after its end; the market's scheduled work is one check per
// deal at or after its start epoch (policy.ts nextUpdateEpoch), when a deal not yet activated times
// out (no event marks it), and, for a deal settled before that check, a settlement there and every
// update interval after; a legacy deal marked for termination before nv22 (a fork's, of a state that
// old) is slashed there, and no settlement may name it.
import { encodeBigInt } from '../../../common/cbor.js';
import { MARKET_ACTOR_ID } from '../../actor.js';
import type { StateReader } from '../../state-tree.js';
import { queuedCron } from '../cron.js';
import { u64 } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { ExitCode } from '../../exit-code.js';
import { storedProposalCid } from './deal-proposal.js';
import { EX_DEAL_EXPIRED, bitfield, burn, emitDealEvent, openLedger, saveLedger } from './market-runtime.js';
import { nextUpdateEpoch } from './policy.js';
import { EPOCH_UNDEFINED } from './state.js';
import { BatchBuilder, batchValue } from '../batch-return.js';

/**
 * SettleDealPayments (FRC-42, any caller): BitField of deal IDs -> [BatchReturn, [[payment, completed]…]].
 * Deals not yet started settle to nothing; removed or timed-out deals fail with EX_DEAL_EXPIRED.
 */
export async function settleDealPayments(rt: ActorRuntime, params: unknown): Promise<unknown[]> {
  const dealIds = bitfield(params, 'SettleDealPaymentsParams');
  const epoch = rt.ctx.epoch;
  const ledger = openLedger(rt);
  const batch = new BatchBuilder();
  const settlements: unknown[] = [];
  let slashed = 0n;
  for (const dealId of dealIds) {
    const deal = ledger.proposals.get(dealId);
    if (!deal) {
      batch.fail(EX_DEAL_EXPIRED);
      continue;
    }
    const cid = storedProposalCid(deal);
    const state = ledger.states.get(dealId);
    if (!state) {
      if (epoch < deal.startEpoch) {
        settlements.push([encodeBigInt(0n), false]);
        batch.succeed();
      } else {
        slashed += ledger.timeOutDeal(dealId, deal, cid);
        batch.fail(EX_DEAL_EXPIRED);
      }
      continue;
    }
    // A legacy deal marked for termination before nv22 is left to its cron check: the whole call fails (builtin-actors issue 1388).
    if (state.slashEpoch !== EPOCH_UNDEFINED) throw new ActorError(ExitCode.ErrIllegalArgument, `deal ${dealId} is marked for termination and cannot be settled`);
    const { payment, completed } = ledger.settleDeal(dealId, deal, state, cid, epoch);
    settlements.push([encodeBigInt(payment), completed]);
    batch.succeed();
    if (completed) emitDealEvent(rt, 'deal-completed', dealId, deal);
  }
  saveLedger(rt, ledger);
  await burn(rt, slashed);
  return [batchValue(batch.build()), settlements];
}

/**
 * The check enrolled at or after a deal's start epoch (run at the end of that epoch): an activated deal
 * never settled leaves the pending set; one settled before its check is settled again here and
 * checked again every update interval until it completes (builtin-actors' path for deals cron
 * already pays, as legacy deals); one never activated times out, its provider collateral burnt and
 * the client's funds unlocked.
 */
export async function marketCron(rt: ActorRuntime, event: unknown): Promise<void> {
  const dealId = u64(event, 'market cron event');
  const ledger = openLedger(rt);
  const deal = ledger.proposals.get(dealId);
  // Timed out by a settlement, settled or terminated before its check.
  if (!deal) return;
  const cid = storedProposalCid(deal);
  const state = ledger.states.get(dealId);
  if (state && state.lastUpdatedEpoch === EPOCH_UNDEFINED) {
    ledger.pendingProposals.delete(cid.toString());
    saveLedger(rt, ledger);
    return;
  }
  // A legacy deal marked for termination before nv22: slashed as of its slash epoch and removed (process_deal_update's slashed path).
  if (state && state.slashEpoch !== EPOCH_UNDEFINED) {
    const slashed = ledger.settleMarkedDeal(dealId, deal, state, rt.ctx.epoch);
    saveLedger(rt, ledger);
    emitDealEvent(rt, 'deal-terminated', dealId, deal);
    await burn(rt, slashed);
    return;
  }
  if (state) {
    const { completed } = ledger.settleDeal(dealId, deal, state, cid, rt.ctx.epoch);
    saveLedger(rt, ledger);
    if (completed) emitDealEvent(rt, 'deal-completed', dealId, deal);
    else rt.enrollCron(nextUpdateEpoch(dealId, rt.ctx.epoch + 1), dealId);
    return;
  }
  const slashed = ledger.timeOutDeal(dealId, deal, cid);
  saveLedger(rt, ledger);
  await burn(rt, slashed);
}

/** The deals the market's cron will look at, by epoch: its entries in the cron queue (what builtin-actors keeps as DealOpsByEpoch). */
export function scheduledDealOps(state: StateReader): [epoch: number, dealIds: number[]][] {
  return queuedCron(state, MARKET_ACTOR_ID).map(([epoch, events]) => [epoch, events.map((event) => u64(event, 'market cron event'))]);
}
