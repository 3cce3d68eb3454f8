// Finding, creating and funding actors: the parts of the FVM's call manager that the executor and
// the EVM host share.
import { EAM_NAMESPACE, FilAddress, isMaskedId, maskedId, maskedIdAddress, Protocol } from '../../common/address.js';
import { encodeCbor } from '../../common/cbor.js';
import { blake2b160, keccak256 } from '../../common/hashes.js';
import { concatBytes } from '../../common/hex.js';
import { isAccountKind, plainActor, REWARD_ACTOR_ID, type Actor, type ActorKind } from '../actor.js';
import type { StateOverlay, StateReader } from '../state-tree.js';
import { EMPTY_KAMT } from './evm/kamt-shape.js';
import { rewardActorWith } from './reward.js';

/** The actor an Ethereum address names: a masked ID address by its ID, any other by its f410. */
export function resolveEthAddress(state: StateReader, eth: Uint8Array): Actor | undefined {
  // A masked ID too large for a devnet actor ID names no actor.
  if (isMaskedId(eth) && maskedId(eth) === undefined) return undefined;
  const id = state.lookupId(FilAddress.fromEthAddress(eth));
  return id === undefined ? undefined : state.getActor(id);
}

/**
 * Lotus's StateTree.GetActor error for an address with no actor (chain/state/statetree.go): an ID
 * address is looked up as it is, another resolved through the init actor's map first.
 */
export function actorNotFound(address: FilAddress): string {
  if (address.id !== undefined) return 'actor not found';
  return `resolution lookup failed (${address.toString()}): resolve address ${address.toString()}: actor not found`;
}

/**
 * The key address `address` signs with, as Lotus's ResolveToDeterministicAddress finds it
 * (chain/stmgr/stmgr.go, chain/vm/vm.go ResolveToDeterministicAddr): a key or delegated address as
 * it is, an ID as its actor's f410 if it has one, else its account's key address; undefined for an
 * f2 address, an ID with no actor and one of another kind.
 */
export function deterministicAddress(state: StateReader, address: FilAddress): FilAddress | undefined {
  if (address.protocol === Protocol.Actor) return undefined;
  if (address.protocol !== Protocol.ID) return address;
  const actor = resolveAddress(state, address);
  return actor?.delegated ?? (actor?.kind === 'account' ? actor.robust : undefined);
}

export function resolveAddress(state: StateReader, address: FilAddress): Actor | undefined {
  const id = state.lookupId(address);
  return id === undefined ? undefined : state.getActor(id);
}

/** How the EVM sees an actor: its f410 Ethereum address if it has one, else its masked ID address. */
export function ethAddressOf(actor: Actor): Uint8Array {
  return actor.delegated?.ethAddress ?? maskedIdAddress(actor.id);
}

export function createActor(
  state: StateOverlay,
  kind: ActorKind,
  fields: { delegated?: FilAddress; robust?: FilAddress; balance?: bigint } = {},
): Actor {
  const actor = plainActor(state.allocateId(), kind, 0, fields.balance ?? 0n, fields.delegated, fields.robust);
  state.putActor(actor);
  if (actor.delegated) state.putAddress(actor.delegated, actor.id);
  if (actor.robust) state.putAddress(actor.robust, actor.id);
  return actor;
}

/**
 * A contract placed at genesis at its canonical 0x address, as a chain's own deployment left it
 * (Multicall3, the Safe singleton factory, FilForwarder): its runtime, nonce 1, no balance, no storage.
 */
export function placeEvmContract(state: StateOverlay, ethAddress: Uint8Array, runtime: Uint8Array): void {
  const actor = createActor(state, 'evm', { delegated: FilAddress.fromDelegated(EAM_NAMESPACE, ethAddress) });
  // Its storage is known to be empty (EMPTY_KAMT), not the unknown shape of a fork's contracts.
  state.putActor({ ...actor, storageShape: EMPTY_KAMT, evm: { bytecode: runtime, bytecodeHash: keccak256(runtime), nonce: 1, storageGeneration: 0 } });
}

/**
 * What a send to an unknown f410 address creates: an actor that holds funds until code or a key
 * claims it. `delegated`: the f410 of `eth` where the caller has it (an address object state reads
 * have seen is looked up faster).
 */
export function createPlaceholder(state: StateOverlay, eth: Uint8Array, balance = 0n, delegated = FilAddress.fromDelegated(EAM_NAMESPACE, eth)): Actor {
  return createActor(state, 'placeholder', { delegated, balance });
}

/**
 * `actor` with another balance; f02 made as its every write makes it (rewardActorWith), an account by
 * plainActor (but a former contract's EthAccount, copied with the storage it keeps).
 */
export function withBalance(actor: Actor, balance: bigint): Actor {
  if (actor.id === REWARD_ACTOR_ID) return rewardActorWith(actor, balance);
  return isAccountKind(actor.kind) && actor.keptStorage === undefined ? plainActor(actor.id, actor.kind, actor.nonce, balance, actor.delegated, actor.robust) : { ...actor, balance };
}

/** Moves FIL between two actors; false (and nothing moved) when the sender has too little. */
export function transfer(state: StateOverlay, fromId: number, toId: number, amount: bigint): boolean {
  if (amount === 0n || fromId === toId) return state.getActor(fromId)!.balance >= amount;
  const from = state.getActor(fromId)!;
  if (from.balance < amount) return false;
  state.putActor(withBalance(from, from.balance - amount));
  const to = state.getActor(toId)!;
  state.putActor(withBalance(to, to.balance + amount));
  return true;
}

/**
 * The f2 (robust) address of an actor Init creates (Exec, and the power actor's CreateMiner). The FVM
 * hashes the message's origin, its nonce and the actors created so far; the devnet's runtime does not
 * see the origin, so it hashes the caller, the caller's nonce and the new actor's ID, which is as unique.
 */
export function newActorAddress(state: StateOverlay, callerId: number): FilAddress {
  const caller = state.getActor(callerId)!;
  const word = (n: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n));
    return b;
  };
  const seed = concatBytes(encodeCbor(FilAddress.fromId(callerId).bytes), word(caller.nonce), word(state.nextId()));
  return FilAddress.fromPayload(Protocol.Actor, blake2b160(seed));
}
