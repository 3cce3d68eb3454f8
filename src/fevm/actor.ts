// What an actor is in the state tree: an ID, a code kind, a nonce, a balance, an optional
// delegated (f410) address, and the state of its kind.
import { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import { RAW } from '../common/cbor.js';
import type { FilAddress } from '../common/address.js';
import type { KamtNode } from './actors/evm/kamt-shape.js';
import type { CronState } from './actors/cron.js';
import type { DatacapState } from './actors/datacap/state.js';
import type { MarketState } from './actors/market/state.js';
import type { MinerState } from './actors/miner/state.js';
import type { MultisigState } from './actors/multisig/state.js';
import type { PaychState } from './actors/paych/state.js';
import type { PowerState } from './actors/power.js';
import type { RewardState } from './actors/reward.js';
import type { VerifregState } from './actors/verifreg/state.js';

/** The builtin actor kinds, by their manifest names (builtin-actors README), in the order the devnet's manifest lists them. */
export const ACTOR_KINDS = [
  'system',
  'init',
  'cron',
  'account',
  'storagepower',
  'storageminer',
  'storagemarket',
  'paymentchannel',
  'multisig',
  'reward',
  'verifiedregistry',
  'datacap',
  'placeholder',
  'evm',
  'eam',
  'ethaccount',
] as const;

export type ActorKind = (typeof ACTOR_KINDS)[number];

/** The actors version whose semantics the devnet follows (builtin-actors v18, network version 28). */
export const ACTORS_VERSION = 18;

/**
 * Code CIDs of the devnet's actors (of an earlier actors version, for StateActorCodeCIDs). Real
 * networks use the blake2b of each Wasm module since actors v8; the devnet has no Wasm, so it names
 * each kind with an identity CID, as builtin-actors' own test harness does and as the actors before v8 were named.
 */
export function codeCid(kind: ActorKind, version = ACTORS_VERSION): CID {
  // Actors v0 (specs-actors v0.9) named its code `fil/1/<kind>`; v2 to v7 carry their own number.
  const named = version === 0 ? 1 : version;
  return CID.createV1(RAW, identity.digest(new TextEncoder().encode(`fil/${named}/${kind}`)));
}

/** The state of an EVM actor (builtin-actors actors/evm/src/state.rs, minus what the devnet derives). */
export interface EvmState {
  bytecode: Uint8Array;
  bytecodeHash: Uint8Array;
  /** The contract's own nonce for CREATE addresses; starts at 1. */
  nonce: number;
  /** Bumped to forget all storage at once (the slots of older generations are unreachable). */
  storageGeneration: number;
  /** Self-destructed: no code, nonce 0, and the EAM may deploy to the address again (Resurrect). */
  dead?: boolean;
  /**
   * On a fork, the CID of the storage KAMT root the upstream's State named (its ContractState): what a
   * fork of this fork reads while this one has written none of the contract's first generation.
   */
  upstreamStorageRoot?: string;
}

/**
 * A forked builtin singleton (power, market, verified registry, datacap) as the upstream had it: its
 * Head and its State as Filecoin.StateReadState answered (Lotus's JSON), which the node answers
 * until the fork writes to the actor; and the state object the fork handed out, which any write
 * replaces (devnet/fork/fork-source.ts).
 */
export interface ForkedFrom {
  readonly head: CID;
  readonly stateJson: unknown;
  readonly handedOut?: unknown;
}

/** One actor. Values are immutable: a change writes a new object. */
export interface Actor {
  readonly id: number;
  readonly kind: ActorKind;
  /** The message sequence number (the EVM nonce of EthAccounts). */
  readonly nonce: number;
  readonly balance: bigint;
  /** The f410 address of EVM actors, EthAccounts and Placeholders. */
  readonly delegated?: FilAddress;
  /** The key (f1/f3) or actor (f2) address the actor was created under. */
  readonly robust?: FilAddress;
  readonly evm?: EvmState;
  /** The state of a storage miner actor. */
  readonly miner?: MinerState;
  /** The state of the storage power actor (f04). */
  readonly power?: PowerState;
  /** The reward actor's (f02) pending gas reward and totals. */
  readonly reward?: RewardState;
  /** The cron actor's (f03) schedule. */
  readonly cron?: CronState;
  /** The storage market actor's (f05) deals and escrow. */
  readonly market?: MarketState;
  /** The verified registry's (f06) verifiers, allocations and claims. */
  readonly verifreg?: VerifregState;
  /** The datacap token's (f07) balances and allowances. */
  readonly datacap?: DatacapState;
  /** A multisig wallet's signers, threshold, vesting and pending transactions. */
  readonly multisig?: MultisigState;
  /** A payment channel's parties, what it owes the payee, its settling epochs and its lanes. */
  readonly paych?: PaychState;
  /** Deleted (a payment channel collected): a tombstone the state tree keeps and its readers answer as no actor. */
  readonly deleted?: true;
  /** On a fork, a singleton as the upstream had it. */
  readonly forkedFrom?: ForkedFrom;
  /**
   * The shape of a contract's storage KAMT (actors/evm/kamt-shape.ts: its nodes and their sizes),
   * kept from its construction on, or for a forked contract read from the upstream's blocks; absent
   * when unknown (an upstream whose State names no root).
   */
  readonly storageShape?: KamtNode;
  /**
   * An EthAccount that was a contract until `anvil_setCode(address, "0x")` (a devnet cheat: the FEVM
   * never turns a contract into an account): the storage it had, which code set on it again reads,
   * as Anvil keeps an account's slots whatever its code.
   */
  readonly keptStorage?: KeptStorage;
}

/**
 * Every field of an Actor, by what it holds: `state` for its kind's state record, which a past version
 * keeps field by field (actor-change.ts); `other` for the rest, kept by value or by reference. Typed
 * over every key, so a field added to Actor does not compile until it is sorted here. The cron's record
 * is `other`: it holds only its queue, which would go by reference anyway.
 */
export const ACTOR_FIELDS: { readonly [K in keyof Required<Actor>]: 'state' | 'other' } = {
  id: 'other',
  kind: 'other',
  nonce: 'other',
  balance: 'other',
  delegated: 'other',
  robust: 'other',
  evm: 'state',
  miner: 'state',
  power: 'state',
  reward: 'state',
  cron: 'other',
  market: 'state',
  verifreg: 'state',
  datacap: 'state',
  multisig: 'state',
  paych: 'state',
  deleted: 'other',
  forkedFrom: 'other',
  storageShape: 'other',
  keptStorage: 'other',
};

/** A former contract's storage (Actor.keptStorage): what its EvmState and storageShape named. */
export interface KeptStorage {
  readonly storageGeneration: number;
  readonly upstreamStorageRoot?: string;
  readonly shape?: KamtNode;
}

/**
 * An actor with no state of its kind (an account, EthAccount or Placeholder, or a new actor before its
 * state), made by one literal per set of addresses. The packed form's unpacking, createActor, sentBy
 * and withBalance make accounts here, so that an account has one V8 map whatever made it: copies
 * made with a spread each had maps of their own (a call's zero-address placeholder one, a fee's
 * refund another), and `sentBy`, optimized on the transactions' senders, deoptimized at the first
 * eth_call.
 */
export function plainActor(id: number, kind: ActorKind, nonce: number, balance: bigint, delegated?: FilAddress, robust?: FilAddress): Actor {
  if (delegated) return robust ? { id, kind, nonce, balance, delegated, robust } : { id, kind, nonce, balance, delegated };
  return robust ? { id, kind, nonce, balance, robust } : { id, kind, nonce, balance };
}

/** Kinds whose actors have no state of their own but their addresses: plainActor makes theirs. */
export function isAccountKind(kind: ActorKind): boolean {
  return kind === 'account' || kind === 'ethaccount' || kind === 'placeholder';
}

/** Singleton actor IDs (builtin-actors runtime/src/builtin/singletons.rs). */
export const SYSTEM_ACTOR_ID = 0;
export const INIT_ACTOR_ID = 1;
export const REWARD_ACTOR_ID = 2;
export const CRON_ACTOR_ID = 3;
export const POWER_ACTOR_ID = 4;
export const MARKET_ACTOR_ID = 5;
export const VERIFREG_ACTOR_ID = 6;
export const DATACAP_ACTOR_ID = 7;
export const EAM_ACTOR_ID = 10;
export const BURNT_FUNDS_ACTOR_ID = 99;
export const FIRST_NON_SINGLETON_ID = 100;

/** Kinds that can sign messages (a Placeholder only for its first message, when it becomes an EthAccount). */
export function canSend(actor: Actor): boolean {
  return actor.kind === 'account' || actor.kind === 'ethaccount' || (actor.kind === 'placeholder' && actor.nonce === 0);
}
