// A multisig wallet's state (builtin-actors actors/multisig/src/state.rs): its signers (actor IDs),
// how many approvals a transaction needs, the pending transactions by ID, and a linear vesting
// schedule (initial balance locked from a start epoch, released evenly over the unlock duration).
// Immutable: each change returns a new state.
import { FilAddress } from '../../../common/address.js';
import { cidOf, encodeBigInt, encodeCbor, type CID } from '../../../common/cbor.js';
import { blake2b256 } from '../../../common/hashes.js';
import { formatFil } from '../../../common/units.js';
import { ExitCode } from '../../exit-code.js';
import { ActorError, type ActorRuntime } from '../runtime.js';

/** The most signers a multisig may have (SIGNERS_MAX). */
export const SIGNERS_MAX = 256;

/** A proposed send, waiting for approvals. */
export interface MultisigTransaction {
  /** The target's address bytes, as proposed (any protocol). */
  readonly to: Uint8Array;
  readonly value: bigint;
  readonly method: number;
  /** The method's CBOR params, as proposed. */
  readonly params: Uint8Array;
  /** The IDs of the signers who approved it; the first is the proposer. */
  readonly approved: readonly number[];
}

export interface MultisigState {
  readonly signers: readonly number[];
  readonly numApprovalsThreshold: number;
  readonly nextTxId: number;
  readonly initialBalance: bigint;
  readonly startEpoch: number;
  readonly unlockDuration: number;
  readonly pendingTxs: ReadonlyMap<number, MultisigTransaction>;
}

export function multisigOf(rt: ActorRuntime): MultisigState {
  const state = rt.self().multisig;
  if (!state) throw new ActorError(ExitCode.ErrIllegalState, 'multisig state not constructed');
  return state;
}

export const saveMultisig = (rt: ActorRuntime, multisig: MultisigState): void => rt.update({ multisig });

/** The method numbers (builtin-actors multisig Method); all but the receiver hook are internal. */
export const MultisigMethod = {
  Constructor: 1,
  Propose: 2,
  Approve: 3,
  Cancel: 4,
  AddSigner: 5,
  RemoveSigner: 6,
  SwapSigner: 7,
  ChangeNumApprovalsThreshold: 8,
  LockBalance: 9,
} as const;

/** What is still locked `elapsed` epochs after the start: ceil(initial × remaining / duration). */
export function amountLocked(state: MultisigState, elapsed: number): bigint {
  if (elapsed >= state.unlockDuration) return 0n;
  if (elapsed <= 0) return state.initialBalance;
  const duration = BigInt(state.unlockDuration);
  const numerator = state.initialBalance * BigInt(state.unlockDuration - elapsed);
  return (numerator + duration - 1n) / duration;
}

/** What is locked at `epoch` (Lotus's LockedBalance: the balance minus it is what the wallet may spend). */
export const lockedAt = (state: MultisigState, epoch: number): bigint => amountLocked(state, epoch - state.startEpoch);

/** check_available: spending `amount` of `balance` at `epoch` must leave what is still locked. */
export function checkAvailable(state: MultisigState, balance: bigint, amount: bigint, epoch: number): void {
  if (amount < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `amount to spend ${formatFil(amount)} less than zero`);
  if (balance < amount) {
    throw new ActorError(ExitCode.ErrInsufficientFunds, `current balance ${formatFil(balance)} less than amount to spend ${formatFil(amount)}`);
  }
  // A transaction that sends nothing is always allowed, whatever is locked.
  if (amount === 0n) return;
  const remaining = balance - amount;
  const locked = lockedAt(state, epoch);
  if (remaining < locked) {
    throw new ActorError(
      ExitCode.ErrInsufficientFunds,
      `actor balance ${formatFil(remaining)} if spent ${formatFil(amount)} would be less than required locked amount ${formatFil(locked)}`,
    );
  }
}

/**
 * The proposal hash that Approve and Cancel may check: blake2b-256 of the CBOR tuple
 * `[requester, to, value, method, params]` (ProposalHashData), the requester being the proposer's ID
 * address (null when no one approved it).
 */
export function proposalHash(requester: FilAddress | undefined, txn: Omit<MultisigTransaction, 'approved'>): Uint8Array {
  return blake2b256(proposalHashData(requester, txn));
}

const proposalHashData = (requester: FilAddress | undefined, txn: Omit<MultisigTransaction, 'approved'>): Uint8Array =>
  encodeCbor([requester?.bytes ?? null, txn.to, encodeBigInt(txn.value), txn.method, txn.params]);

/** The bytes a pending transaction's proposal hash is taken of (its proposer the requester). */
export const transactionHashData = (txn: MultisigTransaction): Uint8Array => proposalHashData(txn.approved.length > 0 ? FilAddress.fromId(txn.approved[0]) : undefined, txn);

/** builtin-actors' HAMT bit width for the pending transactions (PENDING_TXN_CONFIG: DEFAULT_HAMT_CONFIG). */
export const MULTISIG_HAMT_BIT_WIDTH = 5;

/** Transaction `[to, value, method, params, approved]`. */
export const transactionValue = (txn: MultisigTransaction): unknown => [
  txn.to,
  encodeBigInt(txn.value),
  txn.method,
  txn.params,
  txn.approved.map((id) => FilAddress.fromId(id).bytes),
];

/** The CID standing for the pending transactions' HAMT: the CBOR of its entries. */
export const pendingTxsRoot = (state: MultisigState): CID =>
  cidOf(encodeCbor([...state.pendingTxs].map(([id, txn]) => [id, transactionValue(txn)])));

/** The CBOR value of the state: `[signers, num_approvals_threshold, next_tx_id, initial_balance, start_epoch, unlock_duration, pending_txs]`. */
export function multisigStateValue(state: MultisigState): unknown {
  return [
    state.signers.map((id) => FilAddress.fromId(id).bytes),
    state.numApprovalsThreshold,
    state.nextTxId,
    encodeBigInt(state.initialBalance),
    state.startEpoch,
    state.unlockDuration,
    pendingTxsRoot(state),
  ];
}
