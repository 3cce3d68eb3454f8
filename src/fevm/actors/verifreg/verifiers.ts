// Verifiers and verified clients (builtin-actors verifreg add_verifier, remove_verifier,
// add_verified_client): the root key appoints verifiers with an allowance; a verifier grants part
// of it to a client as datacap, minted with the market (f05) as operator so that verified deals can
// spend it.
import { FilAddress } from '../../../common/address.js';
import { MARKET_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { copyMap } from '../../lazy-map.js';
import { address, bigInt, tuple } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { datacapBalance, mintDatacap } from './datacap-calls.js';
import { emitVerifierBalance } from './events.js';
import { MINIMUM_VERIFIED_ALLOCATION_SIZE } from './policy.js';
import { fAddress, requireCaller, resolveToActorId } from '../shared.js';
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
