// The builtin actors the executor runs natively, by kind. The EVM actor and the EAM have their own
// paths in the executor (they run bytecode); every other kind with methods is listed here.
import type { ActorKind } from '../actor.js';
import { accountActor } from './account.js';
import { datacapActor } from './datacap/actor.js';
import { verifregActor } from './verifreg/actor.js';
import { methodTable, type BuiltinActor } from './runtime.js';

/** EthAccounts and Placeholders define no methods of their own and accept every exported one. */
const acceptsAnything: BuiltinActor = { methods: methodTable({}), acceptsExported: true };

const BUILTIN_ACTORS: Partial<Record<ActorKind, BuiltinActor>> = {
  account: accountActor,
  ethaccount: acceptsAnything,
  placeholder: acceptsAnything,
  verifiedregistry: verifregActor,
  datacap: datacapActor,
};

export function builtinActor(kind: ActorKind): BuiltinActor | undefined {
  return BUILTIN_ACTORS[kind];
}
