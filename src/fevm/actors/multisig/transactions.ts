// A multisig's transactions (builtin-actors multisig propose, approve, cancel): a signer proposes a
// send (its proposal counts as the first approval), other signers approve it, and once the approvals
// reach the threshold the wallet sends it, if the vesting schedule leaves enough unlocked. A failed
// send does not fail the approval: its exit code and return go back in the answer.
import { FilAddress } from '../../../common/address.js';
import { blake2b256 } from '../../../common/hashes.js';
import { equalBytes } from '../../../common/hex.js';
import { formatFil } from '../../../common/units.js';
import { ExitCode } from '../../exit-code.js';
import { address, bigInt, bytes, i64, tuple, u64 } from '../params.js';
import { ActorError, EncodedParams, type ActorRuntime } from '../runtime.js';
import { fAddress } from '../shared.js';
import { checkAvailable, multisigOf, saveMultisig, transactionHashData, type MultisigState, type MultisigTransaction } from './state.js';
import { blake2bSyscallGas, MULTISIG_TRANSACTION, pendingTxnChangeGas, pendingTxnReadGas, pendingTxnWriteGas } from '../../builtin-method-gas.js';

/** What executing a transaction gave: whether it ran, and the exit code and return bytes of its send. */
interface Execution {
  applied: boolean;
  code: number;
  ret: Uint8Array;
}

function requireSigner(rt: ActorRuntime, state: MultisigState): void {
  if (!state.signers.includes(rt.caller.id)) throw new ActorError(ExitCode.ErrForbidden, `${fAddress(rt.caller.id)} is not a signer`);
}

/** TxnIDParams `[id, proposal_hash]` (an empty hash checks nothing). */
function txnIdParams(params: unknown): { id: number; hash: Uint8Array } {
  const [id, hash] = tuple(params, 2, 'TxnIDParams');
  return { id: i64(id, 'id'), hash: bytes(hash, 'proposal_hash') };
}

/**
 * The state with transaction `id` set (or deleted, for none), charged as the transaction doing it
 * pays in the PendingTxns HAMT (the nodes on the way opened, written again).
 */
function withPending(rt: ActorRuntime, state: MultisigState, id: number, txn: MultisigTransaction | undefined): MultisigState {
  const next = withTransaction(state, id, txn);
  rt.chargeGas(pendingTxnChangeGas(state.pendingTxs, next.pendingTxs, id));
  return next;
}

/** The state with transaction `id` set (or deleted, for none). */
function withTransaction(state: MultisigState, id: number, txn: MultisigTransaction | undefined): MultisigState {
  const pendingTxs = new Map(state.pendingTxs);
  if (txn) pendingTxs.set(id, txn);
  else pendingTxs.delete(id);
  return { ...state, pendingTxs };
}

export async function propose(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [rawTo, rawValue, rawMethod, rawParams] = tuple(params, 4, 'ProposeParams');
  const to = address(rawTo, 'to');
  const value = bigInt(rawValue, 'value');
  const method = u64(rawMethod, 'method');
  const proposed = bytes(rawParams, 'params');
  if (value < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `proposed value must be non-negative, was ${formatFil(value)}`);
  const state = multisigOf(rt);
  requireSigner(rt, state);
  const id = state.nextTxId;
  const txn: MultisigTransaction = { to: to.bytes, value, method, params: proposed, approved: [] };
  saveMultisig(rt, withPending(rt, { ...state, nextTxId: id + 1 }, id, txn));
  const { applied, code, ret } = await approveTransaction(rt, id, txn);
  return [id, applied, code, ret];
}

export async function approve(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const { id, hash } = txnIdParams(params);
  const state = multisigOf(rt);
  requireSigner(rt, state);
  rt.chargeGas(pendingTxnReadGas(state.pendingTxs, id));
  const txn = state.pendingTxs.get(id);
  if (!txn) throw new ActorError(ExitCode.ErrNotFound, `no such transaction TxnID(${id}) for approval`);
  // get_transaction hashes it only when the params name a hash.
  if (hash.length > 0 && !proposalHashMatches(rt, txn, hash)) {
    throw new ActorError(ExitCode.ErrIllegalArgument, 'hash does not match proposal params (ensure requester is an ID address)');
  }
  // A lowered threshold may already be met: the transaction runs without this approval.
  const executed = await executeIfApproved(rt, state, id, txn);
  const { applied, code, ret } = executed.applied ? executed : await approveTransaction(rt, id, txn);
  return [applied, code, ret];
}

export function cancel(rt: ActorRuntime, params: unknown): void {
  const { id, hash } = txnIdParams(params);
  const state = multisigOf(rt);
  requireSigner(rt, state);
  // builtin-actors deletes it (the nodes on its way opened), checks, hashes it whether or not the
  // params name a hash, and only then flushes the table.
  rt.chargeGas(pendingTxnReadGas(state.pendingTxs, id));
  const txn = state.pendingTxs.get(id);
  if (!txn) throw new ActorError(ExitCode.ErrNotFound, `no such transaction TxnID(${id}) to cancel`);
  if (txn.approved[0] !== rt.caller.id) throw new ActorError(ExitCode.ErrForbidden, 'Cannot cancel another signers transaction');
  if (!proposalHashMatches(rt, txn, hash)) throw new ActorError(ExitCode.ErrIllegalState, 'hash does not match proposal params');
  const next = withTransaction(state, id, undefined);
  rt.chargeGas(pendingTxnWriteGas(next.pendingTxs, id));
  saveMultisig(rt, next);
}

/** compute_proposal_hash (charged): whether the transaction's proposal hash is `hash`; an empty `hash` asks for no match. */
function proposalHashMatches(rt: ActorRuntime, txn: MultisigTransaction, hash: Uint8Array): boolean {
  const data = transactionHashData(txn);
  rt.chargeGas(blake2bSyscallGas(data.length));
  return hash.length === 0 || equalBytes(hash, blake2b256(data));
}

/** Adds the caller's approval, then runs the transaction if that met the threshold. */
async function approveTransaction(rt: ActorRuntime, id: number, txn: MultisigTransaction): Promise<Execution> {
  if (txn.approved.includes(rt.caller.id)) throw new ActorError(ExitCode.ErrForbidden, `${fAddress(rt.caller.id)} already approved this message`);
  const approved = { ...txn, approved: [...txn.approved, rt.caller.id] };
  // A transaction of its own: the state loaded again, the approval set, the state written.
  rt.chargeGas(MULTISIG_TRANSACTION);
  const state = withPending(rt, multisigOf(rt), id, approved);
  saveMultisig(rt, state);
  return executeIfApproved(rt, state, id, approved);
}

async function executeIfApproved(rt: ActorRuntime, state: MultisigState, id: number, txn: MultisigTransaction): Promise<Execution> {
  if (txn.approved.length < state.numApprovalsThreshold) return { applied: false, code: ExitCode.Ok, ret: new Uint8Array() };
  checkAvailable(state, rt.self().balance, txn.value, rt.ctx.epoch);
  // A transaction of its own: the state loaded again, the transaction deleted, the state written.
  rt.chargeGas(MULTISIG_TRANSACTION);
  saveMultisig(rt, withPending(rt, multisigOf(rt), id, undefined));
  const reply = await rt.send(FilAddress.fromBytes(txn.to), txn.method, new EncodedParams(txn.params), { value: txn.value });
  return { applied: true, code: reply.exitCode, ret: reply.returnBlock?.data ?? new Uint8Array() };
}
