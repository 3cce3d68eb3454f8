// Verifiers and verified clients (builtin-actors verifreg add_verifier, remove_verifier,
// add_verified_client, remove_verified_client_data_cap): the root key appoints verifiers with an
// allowance; a verifier grants part of it to a client as datacap, minted with the market (f05) as
// operator so that verified deals can spend it; the root key takes datacap back on two verifiers' word.
import { FilAddress, idAddressBytes, Protocol } from '../../../common/address.js';
import { encodeBigInt, encodeCbor } from '../../../common/cbor.js';
import { concatBytes } from '../../../common/hex.js';
import { MARKET_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { copyMap } from '../../lazy-map.js';
import { address, bigInt, signature, tuple } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { datacapBalance, destroyDatacap, mintDatacap } from './datacap-calls.js';
import { emitVerifierBalance } from './events.js';
import { MINIMUM_VERIFIED_ALLOCATION_SIZE } from './policy.js';
import { authenticateMessage, fAddress, requireCaller, resolveToActorId, transaction } from '../shared.js';
import { save, stateOf } from './registry.js';

/** VerifierParams `[address, allowance]` (AddVerifier and AddVerifiedClient). */
function verifierParams(params: unknown, what: string): { address: FilAddress; allowance: bigint } {
  const [addressParam, allowance] = tuple(params, 2, what);
  return { address: address(addressParam, 'address'), allowance: bigInt(allowance, 'allowance') };
}

function withVerifier(rt: ActorRuntime, verifier: number, allowance: bigint | undefined): void {
  const state = stateOf(rt);
  const verifiers = copyMap(state.verifiers);
  if (allowance === undefined) verifiers.delete(verifier);
  else verifiers.set(verifier, allowance);
  save(rt, { ...state, verifiers });
}

export async function addVerifier(rt: ActorRuntime, params: unknown): Promise<void> {
  const { address: verifierAddress, allowance } = verifierParams(params, 'AddVerifierParams');
  if (allowance < MINIMUM_VERIFIED_ALLOCATION_SIZE) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `Allowance ${allowance} below minimum deal size for add verifier ${verifierAddress.toString('f')}`);
  }
  const verifier = await resolveToActorId(rt, verifierAddress, true);
  const { rootKey } = stateOf(rt);
  requireCaller(rt, rootKey);
  if (verifier === rootKey) throw new ActorError(ExitCode.ErrIllegalArgument, 'Rootkey cannot be added as verifier');
  if ((await datacapBalance(rt, FilAddress.fromId(verifier))) > 0n) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `verified client ${fAddress(verifier)} cannot become a verifier`);
  }
  withVerifier(rt, verifier, allowance);
  emitVerifierBalance(rt, verifier, allowance);
}

export async function removeVerifier(rt: ActorRuntime, params: unknown): Promise<void> {
  const verifier = await resolveToActorId(rt, address(params, 'RemoveVerifierParams'), false);
  const state = stateOf(rt);
  requireCaller(rt, state.rootKey);
  if (!state.verifiers.has(verifier)) throw new ActorError(ExitCode.ErrIllegalArgument, 'failed to remove verifier: verifier not found');
  withVerifier(rt, verifier, undefined);
  emitVerifierBalance(rt, verifier, 0n);
}

export async function addVerifiedClient(rt: ActorRuntime, params: unknown): Promise<void> {
  const { address: clientAddress, allowance } = verifierParams(params, 'AddVerifiedClientParams');
  if (allowance < MINIMUM_VERIFIED_ALLOCATION_SIZE) {
    throw new ActorError(
      ExitCode.ErrIllegalArgument,
      `allowance ${allowance} below MinVerifiedDealSize for add verified client ${clientAddress.toString('f')}`,
    );
  }
  const client = await resolveToActorId(rt, clientAddress, true);
  const state = stateOf(rt);
  if (client === state.rootKey) throw new ActorError(ExitCode.ErrIllegalArgument, 'root cannot be added as client');
  // The caller must be a verifier (an allowance of zero still counts).
  const verifier = rt.caller.id;
  const cap = state.verifiers.get(verifier);
  if (cap === undefined) throw new ActorError(ExitCode.ErrNotFound, `caller ${fAddress(verifier)} is not a verifier`);
  if (state.verifiers.has(client)) throw new ActorError(ExitCode.ErrIllegalArgument, `verifier ${fAddress(client)} cannot be added as a verified client`);
  if (cap < allowance) throw new ActorError(ExitCode.ErrIllegalArgument, `add more DataCap ${allowance} for client than allocated ${cap}`);
  withVerifier(rt, verifier, cap - allowance);
  emitVerifierBalance(rt, verifier, cap - allowance, client);
  const context = `failed to mint ${allowance} data cap to client ${fAddress(client)}`;
  await mintDatacap(rt, FilAddress.fromId(client), allowance, [FilAddress.fromId(MARKET_ACTOR_ID)], context);
}

/** What each verifier signs to take datacap back: this prefix, then the RemoveDataCapProposal's CBOR (verifreg types.rs). */
const REMOVE_DATACAP_DOMAIN = new TextEncoder().encode('fil_removedatacap:');

/** RemoveDataCapRequest `[verifier, signature]`: the verifier and its signature's data. */
function removalRequest(value: unknown, what: string): { verifier: FilAddress; signature: Uint8Array } {
  const [verifier, sig] = tuple(value, 2, what);
  return { verifier: address(verifier, `${what}.verifier`), signature: signature(sig, `${what}.signature`).data };
}

/**
 * RemoveVerifiedClientDataCap: the root key burns up to `amount` of a client's datacap, given two
 * different verifiers' signatures of the removal with their next proposal ID for that client (each
 * ID is used up first, so a failed authentication reverts it with the rest). Returns
 * RemoveDataCapReturn `[client, removed]`.
 */
export async function removeVerifiedClientDataCap(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [clientParam, amountParam, first, second] = tuple(params, 4, 'RemoveDataCapParams');
  const clientAddress = address(clientParam, 'verified_client_to_remove');
  const amount = bigInt(amountParam, 'data_cap_amount_to_remove');
  const requests = [removalRequest(first, 'verifier_request_1'), removalRequest(second, 'verifier_request_2')];
  const client = await resolveToActorId(rt, clientAddress, false);
  const verifiers = [await resolveToActorId(rt, requests[0]!.verifier, true), await resolveToActorId(rt, requests[1]!.verifier, true)];
  if (verifiers[0] === verifiers[1]) throw new ActorError(ExitCode.ErrIllegalArgument, 'need two different verifiers to send remove datacap request');

  const proposalIds = await transaction(() => {
    const state = stateOf(rt);
    requireCaller(rt, state.rootKey);
    if (clientAddress.protocol === Protocol.ID && clientAddress.id === VERIFREG_ACTOR_ID) {
      throw new ActorError(ExitCode.ErrIllegalArgument, 'cannot remove data cap from verified registry itself');
    }
    for (const verifier of verifiers) {
      if (!state.verifiers.has(verifier)) throw new ActorError(ExitCode.ErrNotFound, `${fAddress(verifier)} is not a verifier`);
    }
    // copyMap keeps a fork's table lazy: a pair's ID upstream is read when first asked for.
    const next = copyMap(state.removeDataCapProposalIds ?? new Map<string, number>());
    const ids = verifiers.map((verifier) => {
      const key = `${verifier}:${client}`;
      const id = next.get(key) ?? 0;
      next.set(key, id + 1);
      return id;
    });
    save(rt, { ...state, removeDataCapProposalIds: next });
    return ids;
  });

  for (const [i, request] of requests.entries()) {
    const proposal = encodeCbor([idAddressBytes(client), encodeBigInt(amount), [proposalIds[i]]]);
    if (!(await authenticateMessage(rt, request.verifier, request.signature, concatBytes(REMOVE_DATACAP_DOMAIN, proposal)))) {
      throw new ActorError(ExitCode.ErrIllegalArgument, 'proposal authentication failed');
    }
  }

  const owner = FilAddress.fromId(client);
  const balance = await datacapBalance(rt, owner);
  const removed = balance < amount ? balance : amount;
  await destroyDatacap(rt, owner, removed, `failed to destroy ${removed} from allowance for ${fAddress(client)}`);
  return [owner.bytes, encodeBigInt(removed)];
}
