// The builtin actors the executor runs natively, by kind. The EVM actor and the EAM have their own
// paths in the executor (they run bytecode); every other kind with methods is listed here.
import type { ActorKind } from '../actor.js';
import { accountActor } from './account.js';
import { datacapActor } from './datacap/actor.js';
import { initActor } from './init.js';
import { verifregActor } from './verifreg/actor.js';
import { marketActor } from './market/actor.js';
import { minerActor } from './miner/actor.js';
import { multisigActor } from './multisig/actor.js';
import { powerActor } from './power.js';
import { rewardActor } from './reward.js';
import { methodTable, type BuiltinActor } from './runtime.js';

/** EthAccounts and Placeholders define no methods of their own and accept every exported one. */
const acceptsAnything: BuiltinActor = { methods: methodTable({}), acceptsExported: true };

const BUILTIN_ACTORS: Partial<Record<ActorKind, BuiltinActor>> = {
  init: initActor,
  account: accountActor,
  ethaccount: acceptsAnything,
  placeholder: acceptsAnything,
  storagemarket: marketActor,
  storageminer: minerActor,
  multisig: multisigActor,
  storagepower: powerActor,
  reward: rewardActor,
  verifiedregistry: verifregActor,
  datacap: datacapActor,
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
