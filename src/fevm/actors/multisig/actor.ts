// The multisig actor (builtin-actors actors/multisig): a wallet of several signers that sends only
// what enough of them approved, with an optional linear vesting of its initial balance. Created by
// the init actor's Exec (f01 method 2), which runs the constructor with the value it was sent. Its
// methods are internal (numbers below 2^24): accounts and other builtin actors may call them, an EVM
// contract may not (builtin-actors restrict_internal_api, exit 18; call_actor already refuses methods
// 1-1023). A contract may still be a signer. It accepts any exported method, such as FRC-46's
// receiver hook, without doing anything.
import { INIT_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { address, bytes, i64, list, tuple, u64 } from '../params.js';
import { ActorError, methodTable, type ActorRuntime, type BuiltinActor } from '../runtime.js';
import { requireCaller, resolveToActorId } from '../shared.js';
import { addSigner, changeNumApprovalsThreshold, lockBalance, removeSigner, swapSigner } from './signers.js';
import { saveMultisig, SIGNERS_MAX, type MultisigState } from './state.js';
import { approve, cancel, propose } from './transactions.js';

/** ConstructorParams `[signers, num_approvals_threshold, unlock_duration, start_epoch]`. */
async function construct(rt: ActorRuntime, params: unknown): Promise<void> {
  const [rawSigners, rawThreshold, rawDuration, rawStart] = tuple(params, 4, 'ConstructorParams');
  const signerAddresses = list(rawSigners, 'signers').map((s, i) => address(s, `signers[${i}]`));
  const threshold = u64(rawThreshold, 'num_approvals_threshold');
  const unlockDuration = i64(rawDuration, 'unlock_duration');
  const startEpoch = i64(rawStart, 'start_epoch');
  requireCaller(rt, INIT_ACTOR_ID);
  if (signerAddresses.length === 0) throw new ActorError(ExitCode.ErrIllegalArgument, 'Must have at least one signer');
  if (signerAddresses.length > SIGNERS_MAX) throw new ActorError(ExitCode.ErrIllegalArgument, `cannot add more than ${SIGNERS_MAX} signers`);
  const signers: number[] = [];
  for (const signer of signerAddresses) {
    const id = await resolveToActorId(rt, signer, true);
    if (signers.includes(id)) throw new ActorError(ExitCode.ErrIllegalArgument, `duplicate signer not allowed: ${signer.toString('f')}`);
    signers.push(id);
  }
  if (threshold > signers.length) throw new ActorError(ExitCode.ErrIllegalArgument, 'must not require more approvals than signers');
  if (threshold < 1) throw new ActorError(ExitCode.ErrIllegalArgument, 'must require at least one approval');
  if (unlockDuration < 0) throw new ActorError(ExitCode.ErrIllegalArgument, 'negative unlock duration disallowed');
  const vesting = unlockDuration === 0 ? { initialBalance: 0n, startEpoch: 0, unlockDuration: 0 } : { initialBalance: rt.valueReceived, startEpoch, unlockDuration };
  const state: MultisigState = { signers, numApprovalsThreshold: threshold, nextTxId: 0, pendingTxs: new Map(), ...vesting };
  saveMultisig(rt, state);
}

/** FRC-46's receiver hook: accepts anything that decodes as UniversalReceiverParams `[type, payload]`. */
function universalReceiverHook(_rt: ActorRuntime, params: unknown): void {
  const [type, payload] = tuple(params, 2, 'UniversalReceiverParams');
  u64(type, 'type_');
  bytes(payload, 'payload');
}

export const multisigActor: BuiltinActor = {
  methods: methodTable({
    Constructor: { run: construct },
    Propose: { legacy: 2, internalOnly: true, run: propose },
    Approve: { legacy: 3, internalOnly: true, run: approve },
    Cancel: { legacy: 4, internalOnly: true, run: cancel },
    AddSigner: { legacy: 5, internalOnly: true, run: addSigner },
    RemoveSigner: { legacy: 6, internalOnly: true, run: removeSigner },
    SwapSigner: { legacy: 7, internalOnly: true, run: swapSigner },
    ChangeNumApprovalsThreshold: { legacy: 8, internalOnly: true, run: changeNumApprovalsThreshold },
    LockBalance: { legacy: 9, internalOnly: true, run: lockBalance },
    // FRC-42 "Receive": the universal receiver hook.
    Receive: { run: universalReceiverHook },
  }),
  acceptsExported: true,
};
