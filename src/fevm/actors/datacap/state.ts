// The datacap actor's state (builtin-actors actors/datacap/src/state.rs: the governor and an FRC-46
// TokenState) and the token ledger's rules (frc46_token token/state.rs): balances and allowances by
// actor ID, zero entries removed, with the library's exit codes and messages (a ledger error shows
// as TokenError::TokenState does, "error in underlying state …"). States are immutable:
// each change returns a new one.
import { encodeBigInt, type CID } from '../../../common/cbor.js';
import { FilAddress } from '../../../common/address.js';
import { actorIdKey, buildHamt } from '../../../common/hamt.js';
import { VERIFREG_ACTOR_ID } from '../../actor.js';
import { copyMap } from '../../lazy-map.js';
import { ExitCode } from '../../exit-code.js';
import { ActorError } from '../runtime.js';
import { TOKEN_PRECISION, tokenAmountDebug } from './frc46.js';

export interface DatacapState {
  /** The only actor that may mint and destroy, and the only one tokens may move to or from (verifreg f06). */
  readonly governor: number;
  readonly supply: bigint;
  /** Non-zero balances by holder ID. */
  readonly balances: ReadonlyMap<number, bigint>;
  /** Non-zero allowances: owner ID → operator ID → amount. */
  readonly allowances: ReadonlyMap<number, ReadonlyMap<number, bigint>>;
}

export const EMPTY_DATACAP_STATE: DatacapState = { governor: VERIFREG_ACTOR_ID, supply: 0n, balances: new Map(), allowances: new Map() };

/** builtin-actors' INFINITE_ALLOWANCE, which Mint gives the operators it names: 10^18 × 10^21 (over 800 EiB). */
export const INFINITE_ALLOWANCE = TOKEN_PRECISION * 10n ** 21n;

export const balanceOf = (state: DatacapState, owner: number): bigint => state.balances.get(owner) ?? 0n;

export const allowanceOf = (state: DatacapState, owner: number, operator: number): bigint => state.allowances.get(owner)?.get(operator) ?? 0n;

/** FRC-46 amounts are non-negative multiples of the granularity (10^18 for datacap). */
export function checkAmount(amount: bigint, name: string): void {
  if (amount < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `value ${tokenAmountDebug(amount)} for "${name}" must be non-negative`);
  if (amount % TOKEN_PRECISION !== 0n) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `amount ${tokenAmountDebug(amount)} for "${name}" must be a multiple of ${TOKEN_PRECISION}`);
  }
}

export function checkAllowanceDelta(amount: bigint, name: string): void {
  if (amount < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `value ${tokenAmountDebug(amount)} for "${name}" must be non-negative`);
}

/** Adds `delta` to a holder's balance (and nothing to the supply); a balance may not go negative. */
export function changeBalance(state: DatacapState, owner: number, delta: bigint): DatacapState {
  const balance = balanceOf(state, owner);
  const next = balance + delta;
  if (next < 0n) {
    throw new ActorError(
      ExitCode.ErrInsufficientFunds,
      `error in underlying state negative balance caused by decreasing ${owner}'s balance of ${tokenAmountDebug(balance)} by ${tokenAmountDebug(delta)}`,
    );
  }
  const balances = copyMap(state.balances);
  if (next === 0n) balances.delete(owner);
  else balances.set(owner, next);
  return { ...state, balances };
}

export function changeSupply(state: DatacapState, delta: bigint): DatacapState {
  const supply = state.supply + delta;
  if (supply < 0n) {
    throw new ActorError(ExitCode.ErrIllegalState, `error in underlying state total_supply cannot be negative, cannot apply delta of ${tokenAmountDebug(delta)} to ${tokenAmountDebug(state.supply)}`);
  }
  return { ...state, supply };
}

/** Moves tokens between holders; to oneself it only checks the balance covers the amount. */
export function moveTokens(state: DatacapState, from: number, to: number, amount: bigint): DatacapState {
  if (from === to) {
    const balance = balanceOf(state, from);
    if (balance < amount) {
      throw new ActorError(
        ExitCode.ErrInsufficientFunds,
        `error in underlying state negative balance caused by decreasing ${from}'s balance of ${tokenAmountDebug(balance)} by ${tokenAmountDebug(-amount)}`,
      );
    }
    return state;
  }
  return changeBalance(changeBalance(state, from, -amount), to, amount);
}

/** Sets an allowance (zero removes the entry, and an owner's empty table). */
export function setAllowance(state: DatacapState, owner: number, operator: number, amount: bigint): DatacapState {
  const table = new Map(state.allowances.get(owner) ?? []);
  if (amount === 0n) table.delete(operator);
  else table.set(operator, amount);
  const allowances = copyMap(state.allowances);
  if (table.size === 0) allowances.delete(owner);
  else allowances.set(owner, table);
  return { ...state, allowances };
}

/** Adds `delta` to an allowance, floored at zero (frc46 change_allowance_by). */
export function changeAllowance(state: DatacapState, owner: number, operator: number, delta: bigint): DatacapState {
  const next = allowanceOf(state, owner, operator) + delta;
  return setAllowance(state, owner, operator, next < 0n ? 0n : next);
}

/** Spends an operator's allowance over an owner's tokens (frc46 attempt_use_allowance). */
export function useAllowance(state: DatacapState, owner: number, operator: number, amount: bigint): DatacapState {
  const allowance = allowanceOf(state, owner, operator);
  if ((allowance === 0n && operator !== owner) || allowance < amount) throw insufficientAllowance(owner, operator, allowance, amount);
  return amount === 0n ? state : changeAllowance(state, owner, operator, -amount);
}

export function insufficientAllowance(owner: number | FilAddress, operator: number | FilAddress, allowance: bigint, amount: bigint): ActorError {
  const debug = (a: number | FilAddress) => `Address("${typeof a === 'number' ? `f0${a}` : a.toString('f')}")`;
  return new ActorError(
    ExitCode.ErrInsufficientFunds,
    `error in underlying state ${debug(operator)} attempted to utilise ${tokenAmountDebug(amount)} of allowance ${tokenAmountDebug(allowance)} set by ${debug(owner)}`,
  );
}

/**
 * The CBOR value of the state (datacap State `[governor, token]`, TokenState `[supply, balances,
 * allowances, hamt_bit_width]`); the balance and allowance HAMTs are shown as their entries.
 */
export function datacapStateValue(state: DatacapState): unknown {
  const balances = [...state.balances].map(([id, amount]) => [id, encodeBigInt(amount)]);
  const allowances = [...state.allowances].map(([owner, table]) => [owner, [...table].map(([operator, amount]) => [operator, encodeBigInt(amount)])]);
  return [FilAddress.fromId(state.governor).bytes, [encodeBigInt(state.supply), balances, allowances, DATACAP_HAMT_BIT_WIDTH]];
}

/** The bit width of the token's HAMTs (frc46_token DEFAULT_HAMT_BIT_WIDTH, which the datacap actor keeps). */
export const DATACAP_HAMT_BIT_WIDTH = 3;

/**
 * The allowances as the token library stores them: a HAMT by owner of the CIDs of HAMTs by operator
 * of amounts, every key an actor ID's varint. Its root and blocks, each owner's table first.
 */
export function allowancesHamt(state: DatacapState): { root: CID; blocks: Uint8Array[] } {
  const blocks: Uint8Array[] = [];
  const owners = [...state.allowances].map(([owner, table]) => {
    const own = buildHamt([...table].map(([operator, amount]) => [actorIdKey(operator), encodeBigInt(amount)]), DATACAP_HAMT_BIT_WIDTH);
    blocks.push(...own.blocks);
    return [actorIdKey(owner), own.root] as const;
  });
  const all = buildHamt(owners, DATACAP_HAMT_BIT_WIDTH);
  return { root: all.root, blocks: [...blocks, ...all.blocks] };
}
