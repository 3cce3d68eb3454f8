// Allocations (builtin-actors verifreg universal_receiver_hook, claim_allocations,
// remove_expired_allocations): datacap sent to the registry with AllocationRequests as operator
// data becomes allocations (and claim extensions); a provider's miner claims them when it commits
// the data in a sector, which burns the datacap; expired allocations return it to the client.
import { decodeCbor, encodeBigInt } from '../../../common/cbor.js';
import { DATACAP_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { FRC46_TOKEN_TYPE, readTokensReceived, readUniversalReceiverParams } from '../datacap/frc46.js';
import { bool, cid, i64, list, serializationError, tuple, u64 } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { allOk, batchOk, BatchBuilder, batchText, batchValue, successes } from '../batch-return.js';
import { burnDatacap, tokensToDatacap, transferDatacap } from './datacap-calls.js';
import { emitAllocation, emitClaim } from './events.js';
import { selectExpired } from './expiration.js';
import { MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION, MAXIMUM_VERIFIED_ALLOCATION_TERM, MINIMUM_VERIFIED_ALLOCATION_SIZE, MINIMUM_VERIFIED_ALLOCATION_TERM } from './policy.js';
import { requireCaller, requireCallerKind, transaction } from '../shared.js';
import { checkMinerId, save, stateOf } from './registry.js';
import { allocationExpiration, claimExpiration, getOwned, putOwned, removeOwned, type Allocation, type Claim } from './state.js';

type AllocationRequest = Omit<Allocation, 'client'>;

interface ClaimExtensionRequest {
  provider: number;
  claim: number;
  termMax: number;
}

/** AllocationRequests `[[AllocationRequest…], [ClaimExtensionRequest…]]`, from the transfer's operator data. */
function readAllocationRequests(operatorData: Uint8Array): { allocations: AllocationRequest[]; extensions: ClaimExtensionRequest[] } {
  let decoded: unknown;
  try {
    decoded = decodeCbor(operatorData);
  } catch {
    throw serializationError('allocation requests');
  }
  const [allocations, extensions] = tuple(decoded, 2, 'allocation requests');
  return {
    allocations: list(allocations, 'allocations').map((request) => {
      const [provider, data, size, termMin, termMax, expiration] = tuple(request, 6, 'AllocationRequest');
      return {
        provider: u64(provider, 'provider'),
        data: cid(data, 'data'),
        size: u64(size, 'size'),
        termMin: i64(termMin, 'term_min'),
        termMax: i64(termMax, 'term_max'),
        expiration: i64(expiration, 'expiration'),
      };
    }),
    extensions: list(extensions, 'extensions').map((request) => {
      const [provider, claim, termMax] = tuple(request, 3, 'ClaimExtensionRequest');
      return { provider: u64(provider, 'provider'), claim: u64(claim, 'claim'), termMax: i64(termMax, 'term_max') };
    }),
  };
}

function validateNewAllocation(request: AllocationRequest, epoch: number): void {
  const fail = (message: string) => new ActorError(ExitCode.ErrIllegalArgument, message);
  if (BigInt(request.size) < MINIMUM_VERIFIED_ALLOCATION_SIZE) throw fail(`allocation size ${request.size} below minimum ${MINIMUM_VERIFIED_ALLOCATION_SIZE}`);
  if (request.termMin < MINIMUM_VERIFIED_ALLOCATION_TERM) throw fail(`allocation term min ${request.termMin} below limit ${MINIMUM_VERIFIED_ALLOCATION_TERM}`);
  if (request.termMax > MAXIMUM_VERIFIED_ALLOCATION_TERM) throw fail(`allocation term max ${request.termMax} above limit ${MAXIMUM_VERIFIED_ALLOCATION_TERM}`);
  if (request.termMin > request.termMax) throw fail(`allocation term min ${request.termMin} exceeds term max ${request.termMax}`);
  if (request.expiration < epoch) throw fail(`allocation expiration epoch ${request.expiration} has passed current epoch ${epoch}`);
  const maxExpiration = epoch + MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION;
  if (request.expiration > maxExpiration) throw fail(`allocation expiration ${request.expiration} exceeds maximum ${maxExpiration}`);
}

function validateClaimExtension(request: ClaimExtensionRequest, claim: Claim, epoch: number): void {
  const termLimit = epoch + MAXIMUM_VERIFIED_ALLOCATION_TERM - claim.termStart;
  if (request.termMax > termLimit) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `term_max ${request.termMax} for claim ${request.claim} exceeds maximum ${termLimit} at current epoch ${epoch}`);
  }
  if (request.termMax <= claim.termMax) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `term_max ${request.termMax} for claim ${request.claim} is not larger than existing term max ${claim.termMax}`);
  }
  const expiration = claimExpiration(claim);
  if (epoch > expiration) throw new ActorError(ExitCode.ErrForbidden, `claim ${request.claim} expired at ${expiration}, current epoch ${epoch}`);
}

/**
 * FRC-42 "Receive" from the datacap token: the tokens just credited to the registry pay for the
 * requested allocations and claim extensions, exactly. Answers AllocationsResponse
 * `[allocation_results, extension_results, new_allocations]`, which the token hands back to the
 * sender as recipient_data.
 */
export async function universalReceiverHook(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const { type, payload } = readUniversalReceiverParams(params);
  requireCaller(rt, DATACAP_ACTOR_ID);
  const epoch = rt.ctx.epoch;
  if (type !== FRC46_TOKEN_TYPE) throw new ActorError(ExitCode.ErrIllegalArgument, `invalid token type ${type}, expected ${FRC46_TOKEN_TYPE} (FRC-46)`);
  let decodedPayload: unknown;
  try {
    decodedPayload = decodeCbor(payload);
  } catch {
    throw serializationError('receiver hook payload');
  }
  const received = readTokensReceived(decodedPayload);
  if (received.to !== rt.receiverId) throw new ActorError(ExitCode.ErrIllegalArgument, `token receiver expected to ${rt.receiverId}, was ${received.to}`);
  const client = received.from;
  const requests = readAllocationRequests(received.operatorData);

  let total = 0n;
  const allocations: Allocation[] = [];
  for (const request of requests.allocations) {
    validateNewAllocation(request, epoch);
    checkMinerId(rt, request.provider);
    allocations.push({ client, ...request });
    total += BigInt(request.size);
  }

  const updatedClaims: [number, Claim][] = [];
  let extensionTotal = 0n;
  for (const request of requests.extensions) {
    // Any client may pay to extend any claim; the claim keeps its client.
    const claim = getOwned(stateOf(rt).claims, request.provider, request.claim);
    if (!claim) throw new ActorError(ExitCode.ErrNotFound, `no claim ${request.claim} for provider ${request.provider}`);
    validateClaimExtension(request, claim, epoch);
    updatedClaims.push([request.claim, { ...claim, termMax: request.termMax }]);
    total += BigInt(claim.size);
    extensionTotal += BigInt(claim.size);
  }

  const receivedBytes = tokensToDatacap(received.amount);
  if (total !== receivedBytes) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `total allocation size ${total} must match data cap amount received ${receivedBytes}`);
  }
  // Extensions are paid for now; new allocations when they are claimed (or refunded on expiry).
  await burnDatacap(rt, extensionTotal);

  const state = stateOf(rt);
  let table = state.allocations;
  const ids: number[] = [];
  for (const allocation of allocations) {
    const id = state.nextAllocationId + ids.length;
    table = putOwned(table, client, id, allocation);
    ids.push(id);
    emitAllocation(rt, 'allocation', id, allocation);
  }
  let claims = state.claims;
  for (const [id, claim] of updatedClaims) {
    claims = putOwned(claims, claim.provider, id, claim);
    emitClaim(rt, 'claim-updated', id, claim);
  }
  save(rt, { ...state, allocations: table, nextAllocationId: state.nextAllocationId + ids.length, claims });
  return [batchValue(batchOk(allocations.length)), batchValue(batchOk(updatedClaims.length)), ids];
}

/** RemoveExpiredAllocations `[client, [ids]]` → `[considered, results, datacap_recovered]`; anyone may call it. */
export async function removeExpiredAllocations(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [clientParam, idsParam] = tuple(params, 2, 'RemoveExpiredAllocationsParams');
  const client = u64(clientParam, 'client');
  const ids = list(idsParam, 'allocation_ids').map((id) => u64(id, 'allocation id'));
  const { considered, results, recovered } = await transaction(() => {
    const state = stateOf(rt);
    const { considered, results } = selectExpired(state.allocations, client, ids, rt.ctx.epoch, allocationExpiration);
    const toRemove = ids.length === 0 ? considered : successes(results, ids);
    let table = state.allocations;
    let recovered = 0n;
    for (const id of toRemove) {
      const allocation = getOwned(table, client, id)!;
      table = removeOwned(table, client, id);
      emitAllocation(rt, 'allocation-removed', id, allocation);
      recovered += BigInt(allocation.size);
    }
    save(rt, { ...state, allocations: table });
    return { considered, results, recovered };
  });
  // The datacap goes back to the client (even none: the token's hook still tells the client).
  await transferDatacap(rt, client, recovered, `failed to transfer recovered datacap ${recovered} back to client ${client}`);
  return [considered, batchValue(results), encodeBigInt(recovered)];
}

/**
 * ClaimAllocations (9, miners only) `[[[sector, expiry, [[client, allocation_id, data, size]…]]…],
 * all_or_nothing]` → `[sector_results, [claimed_space…]]`. A sector's claims succeed or fail
 * together; claimed allocations become claims with the same ID and their datacap is burned.
 */
export async function claimAllocations(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [sectorsParam, allOrNothingParam] = tuple(params, 2, 'ClaimAllocationsParams');
  const allOrNothing = bool(allOrNothingParam, 'all_or_nothing');
  const sectors = list(sectorsParam, 'sectors').map((sector) => {
    const [number, expiry, claims] = tuple(sector, 3, 'SectorAllocationClaims');
    return {
      sector: u64(number, 'sector'),
      expiry: i64(expiry, 'expiry'),
      claims: list(claims, 'claims').map((claim) => {
        const [client, allocationId, data, size] = tuple(claim, 4, 'AllocationClaim');
        return { client: u64(client, 'client'), allocationId: u64(allocationId, 'allocation_id'), data: cid(data, 'data'), size: u64(size, 'size') };
      }),
    };
  });
  requireCallerKind(rt, 'storageminer');
  const provider = rt.caller.id;
  if (sectors.length === 0) throw new ActorError(ExitCode.ErrIllegalArgument, 'claim allocations called with no claims');

  const epoch = rt.ctx.epoch;
  const results = new BatchBuilder();
  const claimedSpace: bigint[] = [];
  let totalClaimed = 0n;
  await transaction(() => {
    const state = stateOf(rt);
    let allocations = state.allocations;
    let claims = state.claims;
    sectors: for (const sector of sectors) {
      // Every claim of the sector is checked before any is made.
      const newClaims: [number, Claim][] = [];
      for (const request of sector.claims) {
        const allocation = getOwned(allocations, request.client, request.allocationId);
        if (!allocation) {
          results.fail(ExitCode.ErrNotFound);
          continue sectors;
        }
        const lifetime = sector.expiry - epoch;
        const claimable =
          allocation.provider === provider &&
          allocation.client === request.client &&
          allocation.data.equals(request.data) &&
          allocation.size === request.size &&
          epoch <= allocation.expiration &&
          lifetime >= allocation.termMin &&
          lifetime <= allocation.termMax;
        if (!claimable) {
          results.fail(ExitCode.ErrForbidden);
          continue sectors;
        }
        const { client, data, size, termMin, termMax } = allocation;
        newClaims.push([request.allocationId, { provider, client, data, size, termMin, termMax, termStart: epoch, sector: sector.sector }]);
      }
      let space = 0n;
      for (const [id, claim] of newClaims) {
        if (getOwned(claims, provider, id)) throw new ActorError(ExitCode.ErrIllegalArgument, `claim ${id} already exists`);
        claims = putOwned(claims, provider, id, claim);
        emitClaim(rt, 'claim', id, claim);
        allocations = removeOwned(allocations, claim.client, id);
        space += BigInt(claim.size);
      }
      totalClaimed += space;
      claimedSpace.push(space);
      results.succeed();
    }
    save(rt, { ...state, allocations, claims });
  });
  const batch = results.build();
  if (allOrNothing && !allOk(batch)) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `claim failed with all-or-nothing: ${batchText(batch)}`);
  }
  await burnDatacap(rt, totalClaimed);
  return [batchValue(batch), claimedSpace.map(encodeBigInt)];
}
