// Claims (builtin-actors verifreg get_claims, extend_claim_terms, remove_expired_claims): a
// provider's commitments to store a client's data for at least term_min and at most term_max epochs
// from term_start. The client may raise term_max up to the policy limit; anyone may remove a claim
// whose term has ended.
import { ExitCode } from '../../exit-code.js';
import { i64, list, tuple, u64 } from '../params.js';
import type { ActorRuntime } from '../runtime.js';
import { BatchBuilder, batchValue, successes } from '../batch-return.js';
import { selectExpired } from './expiration.js';
import { emitClaim } from './events.js';
import { MAXIMUM_VERIFIED_ALLOCATION_TERM } from './policy.js';
import { transaction } from '../shared.js';
import { save, stateOf } from './registry.js';
import { claimExpiration, claimValue, getOwned, putOwned, removeOwned, type Claim } from './state.js';

/** GetClaims `[provider, [claim_ids]]` → `[batch_info, [Claim…]]` (the claims found, in order). */
export function getClaims(rt: ActorRuntime, params: unknown): unknown {
  const [providerParam, idsParam] = tuple(params, 2, 'GetClaimsParams');
  const provider = u64(providerParam, 'provider');
  const { claims } = stateOf(rt);
  const results = new BatchBuilder();
  const found: Claim[] = [];
  for (const id of list(idsParam, 'claim_ids').map((id) => u64(id, 'claim id'))) {
    const claim = getOwned(claims, provider, id);
    if (!claim) {
      results.fail(ExitCode.ErrNotFound);
      continue;
    }
    results.succeed();
    found.push(claim);
  }
  return [batchValue(results.build()), found.map(claimValue)];
}

/** ExtendClaimTerms `[[[provider, claim_id, term_max]…]]` → BatchReturn; only a claim's client may extend it. */
export async function extendClaimTerms(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [termsParam] = tuple(params, 1, 'ExtendClaimTermsParams');
  const terms = list(termsParam, 'terms').map((term) => {
    const [provider, claimId, termMax] = tuple(term, 3, 'ClaimTerm');
    return { provider: u64(provider, 'provider'), claimId: u64(claimId, 'claim_id'), termMax: i64(termMax, 'term_max') };
  });
  const results = new BatchBuilder();
  await transaction(() => {
    const state = stateOf(rt);
    let claims = state.claims;
    for (const term of terms) {
      if (term.termMax > MAXIMUM_VERIFIED_ALLOCATION_TERM) {
        results.fail(ExitCode.ErrIllegalArgument);
        continue;
      }
      const claim = getOwned(claims, term.provider, term.claimId);
      if (!claim) results.fail(ExitCode.ErrNotFound);
      else if (claim.client !== rt.caller.id) results.fail(ExitCode.ErrForbidden);
      else if (term.termMax < claim.termMax) results.fail(ExitCode.ErrIllegalArgument);
      else {
        const extended = { ...claim, termMax: term.termMax };
        claims = putOwned(claims, term.provider, term.claimId, extended);
        results.succeed();
        emitClaim(rt, 'claim-updated', term.claimId, extended);
      }
    }
    save(rt, { ...state, claims });
  });
  return batchValue(results.build());
}

/** RemoveExpiredClaims `[provider, [claim_ids]]` → `[considered, results]`; anyone may call it. */
export async function removeExpiredClaims(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [providerParam, idsParam] = tuple(params, 2, 'RemoveExpiredClaimsParams');
  const provider = u64(providerParam, 'provider');
  const ids = list(idsParam, 'claim_ids').map((id) => u64(id, 'claim id'));
  return transaction(() => {
    const state = stateOf(rt);
    const { considered, results } = selectExpired(state.claims, provider, ids, rt.ctx.epoch, claimExpiration);
    let claims = state.claims;
    for (const id of ids.length === 0 ? considered : successes(results, ids)) {
      const claim = getOwned(claims, provider, id)!;
      claims = removeOwned(claims, provider, id);
      emitClaim(rt, 'claim-removed', id, claim);
    }
    save(rt, { ...state, claims });
    return [considered, batchValue(results)];
  });
}
