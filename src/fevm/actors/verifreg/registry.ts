// What the verified registry's methods share: reading and writing its state and the provider check,
// with builtin-actors' exit codes and messages (the runtime's address resolution, caller checks and
// state transactions are in ../shared.ts).
import type { ActorKind } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { HOST_CALL } from '../../price-list.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { EMPTY_VERIFREG_STATE, type VerifregState } from './state.js';

export const stateOf = (rt: ActorRuntime): VerifregState => rt.self().verifreg ?? EMPTY_VERIFREG_STATE;
export const save = (rt: ActorRuntime, state: VerifregState): void => rt.update({ verifreg: state });

/** builtin-actors' Type names, as `{:?}` prints them in messages. */
const TYPE_NAMES: Record<ActorKind, string> = {
  system: 'System',
  init: 'Init',
  cron: 'Cron',
  account: 'Account',
  storagepower: 'Power',
  storageminer: 'Miner',
  storagemarket: 'Market',
  paymentchannel: 'PaymentChannel',
  multisig: 'Multisig',
  reward: 'Reward',
  verifiedregistry: 'VerifiedRegistry',
  datacap: 'DataCap',
  placeholder: 'Placeholder',
  evm: 'EVM',
  eam: 'EAM',
  ethaccount: 'EthAccount',
};

/**
 * New allocations must name a miner actor as provider (verifreg check_miner_id): its code asked for
 * (get_actor_code_cid), then its type (get_builtin_actor_type: a syscall).
 */
export function checkMinerId(rt: ActorRuntime, provider: number): void {
  const actor = rt.actorCode(provider);
  if (!actor) throw new ActorError(ExitCode.ErrIllegalArgument, `no code CID for provider ${provider}`);
  rt.chargeGas(HOST_CALL);
  if (actor.kind !== 'storageminer') {
    throw new ActorError(ExitCode.ErrIllegalArgument, `allocation provider ${provider} must be a miner actor, was ${TYPE_NAMES[actor.kind]}`);
  }
}
