// The builtin actors the executor runs natively, by kind. The EVM actor and the EAM's CreateExternal
// have their own paths in the executor (they run bytecode); every other kind with methods, and the
// EAM's methods sent otherwise, are listed here.
import type { ActorKind } from '../actor.js';
import { accountActor } from './account.js';
import { datacapActor } from './datacap/actor.js';
import { eamActor } from './eam.js';
import { initActor } from './init.js';
import { verifregActor } from './verifreg/actor.js';
import { marketActor } from './market/actor.js';
import { minerActor } from './miner/actor.js';
import { multisigActor } from './multisig/actor.js';
import { paychActor } from './paych/actor.js';
import { powerActor } from './power.js';
import { rewardActor } from './reward.js';
import { methodTable, type BuiltinActor } from './runtime.js';

/** EthAccounts define no methods of their own and accept every exported one (their dispatcher's fallback). */
const ethAccountActor: BuiltinActor = { methods: methodTable({}), acceptsExported: true };
/** A Placeholder's code returns 0 whatever the method: it runs no dispatcher, so nothing is refused. */
const placeholderActor: BuiltinActor = { methods: methodTable({}), acceptsAll: true };

const BUILTIN_ACTORS: Partial<Record<ActorKind, BuiltinActor>> = {
  init: initActor,
  account: accountActor,
  ethaccount: ethAccountActor,
  placeholder: placeholderActor,
  storagemarket: marketActor,
  storageminer: minerActor,
  multisig: multisigActor,
  paymentchannel: paychActor,
  storagepower: powerActor,
  reward: rewardActor,
  verifiedregistry: verifregActor,
  datacap: datacapActor,
  eam: eamActor,
};

export function builtinActor(kind: ActorKind): BuiltinActor | undefined {
  return overrides.get(kind) ?? BUILTIN_ACTORS[kind];
}

const overrides = new Map<ActorKind, BuiltinActor>();

/** Stands `actor` in for a kind (tests use doubles of actors they do not exercise); returns the undo. */
export function overrideBuiltinActor(kind: ActorKind, actor: BuiltinActor): () => void {
  overrides.set(kind, actor);
  return () => overrides.delete(kind);
}
