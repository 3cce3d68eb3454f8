// The methods a multisig sends to itself, through an approved transaction (builtin-actors multisig
// add_signer, remove_signer, swap_signer, change_num_approvals_threshold, lock_balance): changing its
// signers, its threshold and its vesting. Only the wallet itself may call them.
import { ExitCode } from '../../exit-code.js';
import { address, bigInt, bool, i64, tuple, u64 } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { requireCaller, resolveToActorId } from '../shared.js';
import { multisigOf, saveMultisig, SIGNERS_MAX, type MultisigState } from './state.js';

/** The state without `signer`'s approvals; a transaction left with none is dropped (purge_approvals). */
function purgeApprovals(state: MultisigState, signer: number): MultisigState {
  const pendingTxs = new Map(state.pendingTxs);
  for (const [id, txn] of state.pendingTxs) {
    if (!txn.approved.includes(signer)) continue;
    const approved = txn.approved.filter((a) => a !== signer);
    if (approved.length > 0) pendingTxs.set(id, { ...txn, approved });
    else pendingTxs.delete(id);
  }
  return { ...state, pendingTxs };
}

export async function addSigner(rt: ActorRuntime, params: unknown): Promise<void> {
  const [rawSigner, rawIncrease] = tuple(params, 2, 'AddSignerParams');
  const signerAddress = address(rawSigner, 'signer');
  const increase = bool(rawIncrease, 'increase');
  requireCaller(rt, rt.receiverId);
  const signer = await resolveToActorId(rt, signerAddress, true);
  const state = multisigOf(rt);
  if (state.signers.length >= SIGNERS_MAX) throw new ActorError(ExitCode.ErrForbidden, `cannot add more than ${SIGNERS_MAX} signers`);
  if (state.signers.includes(signer)) throw new ActorError(ExitCode.ErrForbidden, `${signer} is already a signer`);
  saveMultisig(rt, {
    ...state,
    signers: [...state.signers, signer],
    numApprovalsThreshold: state.numApprovalsThreshold + (increase ? 1 : 0),
  });
}

export async function removeSigner(rt: ActorRuntime, params: unknown): Promise<void> {
  const [rawSigner, rawDecrease] = tuple(params, 2, 'RemoveSignerParams');
  const signerAddress = address(rawSigner, 'signer');
  const decrease = bool(rawDecrease, 'decrease');
  requireCaller(rt, rt.receiverId);
  const signer = await resolveToActorId(rt, signerAddress, false);
  const state = multisigOf(rt);
  const { signers, numApprovalsThreshold: threshold } = state;
  if (!signers.includes(signer)) throw new ActorError(ExitCode.ErrForbidden, `${signer} is not a signer`);
  if (signers.length === 1) throw new ActorError(ExitCode.ErrForbidden, 'Cannot remove only signer');
  if (!decrease && signers.length - 1 < threshold) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `can't reduce signers to ${signers.length} below threshold ${threshold} with decrease=false`);
  }
  if (decrease && threshold < 2) throw new ActorError(ExitCode.ErrIllegalArgument, `can't decrease approvals from ${threshold} to ${threshold - 1}`);
  const purged = purgeApprovals(state, signer);
  saveMultisig(rt, {
    ...purged,
    signers: signers.filter((s) => s !== signer),
    numApprovalsThreshold: decrease ? threshold - 1 : threshold,
  });
}

export async function swapSigner(rt: ActorRuntime, params: unknown): Promise<void> {
  const [rawFrom, rawTo] = tuple(params, 2, 'SwapSignerParams');
  const fromAddress = address(rawFrom, 'from');
  const toAddress = address(rawTo, 'to');
  requireCaller(rt, rt.receiverId);
  const from = await resolveToActorId(rt, fromAddress, false);
  const to = await resolveToActorId(rt, toAddress, true);
  const state = multisigOf(rt);
  if (!state.signers.includes(from)) throw new ActorError(ExitCode.ErrForbidden, `${from} is not a signer`);
  if (state.signers.includes(to)) throw new ActorError(ExitCode.ErrIllegalArgument, `${to} is already a signer`);
  // The new signer goes last, as builtin-actors keeps the others' order and pushes it.
  const purged = purgeApprovals(state, from);
  saveMultisig(rt, { ...purged, signers: [...state.signers.filter((s) => s !== from), to] });
}

export function changeNumApprovalsThreshold(rt: ActorRuntime, params: unknown): void {
  const [rawThreshold] = tuple(params, 1, 'ChangeNumApprovalsThresholdParams');
  const threshold = u64(rawThreshold, 'new_threshold');
  requireCaller(rt, rt.receiverId);
  const state = multisigOf(rt);
  if (threshold === 0 || threshold > state.signers.length) throw new ActorError(ExitCode.ErrIllegalArgument, 'New threshold value not supported');
  saveMultisig(rt, { ...state, numApprovalsThreshold: threshold });
}

export function lockBalance(rt: ActorRuntime, params: unknown): void {
  const [rawStart, rawDuration, rawAmount] = tuple(params, 3, 'LockBalanceParams');
  const startEpoch = i64(rawStart, 'start_epoch');
  const unlockDuration = i64(rawDuration, 'unlock_duration');
  const amount = bigInt(rawAmount, 'amount');
  requireCaller(rt, rt.receiverId);
  if (unlockDuration <= 0) throw new ActorError(ExitCode.ErrIllegalArgument, 'unlock duration must be positive');
  if (amount < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, 'amount to lock must be positive');
  const state = multisigOf(rt);
  if (state.unlockDuration !== 0) throw new ActorError(ExitCode.ErrForbidden, 'modification of unlock disallowed');
  saveMultisig(rt, { ...state, startEpoch, unlockDuration, initialBalance: amount });
}
