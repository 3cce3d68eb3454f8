// What the market's methods share: loading and saving its state, caller checks, burning, deal
// lookups with builtin-actors' exit codes, and the wording of failed sends.
import { FilAddress } from '../../../common/address.js';
import { BURNT_FUNDS_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { METHOD_SEND } from '../../message.js';
import { decodeBitfield } from '../../../common/bitfield.js';
import { bytes, serializationError } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { requireCallerKind, sendResult } from '../shared.js';
import type { StoredProposal } from './deal-proposal.js';
import { EMPTY_MARKET_STATE, MarketLedger, type MarketState } from './state.js';

/** builtin-actors' market exit codes (FIRST_ACTOR_SPECIFIC_EXIT_CODE and the next). */
export const EX_DEAL_EXPIRED = 32;
export const EX_DEAL_NOT_ACTIVATED = 33;

export const marketState = (rt: ActorRuntime): MarketState => rt.self().market ?? EMPTY_MARKET_STATE;
export const openLedger = (rt: ActorRuntime): MarketLedger => new MarketLedger(marketState(rt));
export const saveLedger = (rt: ActorRuntime, ledger: MarketLedger): void => rt.update({ market: ledger.snapshot() });

/** validate_immediate_caller_type(Miner). */
export function requireMinerCaller(rt: ActorRuntime): number {
  requireCallerKind(rt, 'storageminer');
  return rt.caller.id;
}

/** How builtin-actors words a failed send once wrapped with context (ActorError's Display). */
export const sendFailure = (exitCode: number): string => `ActorError(exit_code: ExitCode { value: ${exitCode} }, msg: send aborted with code ${exitCode})`;

export async function burn(rt: ActorRuntime, amount: bigint): Promise<void> {
  if (amount > 0n) sendResult(await rt.send(FilAddress.fromId(BURNT_FUNDS_ACTOR_ID), METHOD_SEND, undefined, { value: amount }));
}

/** A deal's proposal, or USR_NOT_FOUND for an ID never used and EX_DEAL_EXPIRED for one cleaned up. */
export function getProposal(state: Pick<MarketState, 'proposals' | 'nextId'>, dealId: number): StoredProposal {
  const proposal = state.proposals.get(dealId);
  if (proposal) return proposal;
  if (dealId < state.nextId) throw new ActorError(EX_DEAL_EXPIRED, `deal ${dealId} expired`);
  throw new ActorError(ExitCode.ErrNotFound, `no such deal ${dealId}`);
}

/** A BitField param (RLE+ bytes) as its members. */
export function bitfield(value: unknown, what: string): number[] {
  try {
    return decodeBitfield(bytes(value, what));
  } catch (error) {
    if (error instanceof ActorError) throw error;
    throw serializationError(`${what}: invalid bitfield (${(error as Error).message})`);
  }
}

/** The FIP-0083 event of a deal's step: its id, client and provider, all indexed. */
export function emitDealEvent(rt: ActorRuntime, type: string, dealId: number, deal: StoredProposal): void {
  rt.emit(type, [
    { key: 'id', value: dealId, indexed: true },
    { key: 'client', value: deal.client, indexed: true },
    { key: 'provider', value: deal.provider, indexed: true },
  ]);
}

