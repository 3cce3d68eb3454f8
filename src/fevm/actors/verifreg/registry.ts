// What the verified registry's methods share: reading and writing its state, the caller checks and
// address resolution of builtin-actors' runtime, with their exit codes and messages.
import { FilAddress } from '../../../common/address.js';
import { codeCid, type ActorKind } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { METHOD_SEND } from '../../message.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { EMPTY_VERIFREG_STATE, type VerifregState } from './state.js';

export const stateOf = (rt: ActorRuntime): VerifregState => rt.self().verifreg ?? EMPTY_VERIFREG_STATE;
export const save = (rt: ActorRuntime, state: VerifregState): void => rt.update({ verifreg: state });

/** An ID address as builtin-actors print addresses (mainnet prefix). */
export const fAddress = (id: number): string => FilAddress.fromId(id).toString('f');

/** validate_immediate_caller_is. */
export function requireCaller(rt: ActorRuntime, allowed: number | undefined): void {
  if (rt.caller.id !== allowed) throw new ActorError(ExitCode.ErrForbidden, `caller ${fAddress(rt.caller.id)} is not one of supported`);
}

/** validate_immediate_caller_type. */
export function requireCallerKind(rt: ActorRuntime, kind: ActorKind): void {
  if (rt.caller.kind !== kind) throw new ActorError(ExitCode.ErrForbidden, `caller cid type ${codeCid(rt.caller.kind).toString()} not one of supported`);
}

/** Runs a state change; what fails inside shows under builtin-actors' "state transaction failed" context. */
export async function transaction<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ActorError) throw new ActorError(error.exitCode, `state transaction failed: ${error.message}`);
    throw error;
  }
}

/**
 * The actor ID an address names; an f1/f3/f410 address with no actor gets one by a zero send, as
 * builtin-actors' resolve_to_actor_id does. With `checkExistence`, an ID without an actor is not found.
 */
export async function resolveToActorId(rt: ActorRuntime, address: FilAddress, checkExistence: boolean): Promise<number> {
  let id = rt.state.lookupId(address);
  if (id === undefined) {
    const reply = await rt.send(address, METHOD_SEND);
    if (reply.exitCode !== ExitCode.Ok) {
      throw new ActorError(reply.exitCode, `failed to send zero balance to address ${address.toString('f')}: send aborted with code ${reply.exitCode}`);
    }
    id = rt.state.lookupId(address);
  }
  if (id === undefined) throw new ActorError(ExitCode.ErrIllegalArgument, `failed to resolve or initialize address ${address.toString('f')}`);
  if (checkExistence && !rt.state.getActor(id)) throw new ActorError(ExitCode.ErrNotFound, `no code for address ${address.toString('f')}`);
  return id;
}

/** builtin-actors' Type names, as `{:?}` prints them in messages. */
const TYPE_NAMES: Record<ActorKind, string> = {
  system: 'System',
  init: 'Init',
  cron: 'Cron',
  account: 'Account',
  storagepower: 'Power',
  storageminer: 'Miner',
  storagemarket: 'Market',
  reward: 'Reward',
  verifiedregistry: 'VerifiedRegistry',
  datacap: 'DataCap',
  placeholder: 'Placeholder',
  evm: 'EVM',
  eam: 'EAM',
  ethaccount: 'EthAccount',
};

/** New allocations must name a miner actor as provider (verifreg check_miner_id). */
export function checkMinerId(rt: ActorRuntime, provider: number): void {
  const actor = rt.state.getActor(provider);
  if (!actor) throw new ActorError(ExitCode.ErrIllegalArgument, `no code CID for provider ${provider}`);
  if (actor.kind !== 'storageminer') {
    throw new ActorError(ExitCode.ErrIllegalArgument, `allocation provider ${provider} must be a miner actor, was ${TYPE_NAMES[actor.kind]}`);
  }
}
