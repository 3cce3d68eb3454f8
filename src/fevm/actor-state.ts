// The state object an actor's Head CID names, in the CBOR shapes of builtin-actors for the kinds the
// devnet models (account: [address]; EVM: its State tuple; miner, power and market: the fields the
// devnet keeps, src/fevm/actors/miner/state.ts, power.ts and market/state.ts; verifreg and datacap:
// their State tuples with maps shown as entries; multisig and payment channel: their State tuples; reward: its figures, so that
// its Head moves with them, as Lotus's does every epoch). Other kinds have an empty tuple.
import { cidOf, encodeCbor, RAW, type CID } from '../common/cbor.js';
import { toStorable } from '../common/storable.js';
import type { Actor } from './actor.js';
import { datacapStateValue, EMPTY_DATACAP_STATE } from './actors/datacap/state.js';
import { EMPTY_MARKET_STATE, marketStateValue } from './actors/market/state.js';
import { minerStateValue } from './actors/miner/state.js';
import { multisigStateValue } from './actors/multisig/state.js';
import { paychStateValue } from './actors/paych/state.js';
import { powerStateValue } from './actors/power.js';
import { rewardStateValue } from './actors/reward.js';
import { EMPTY_VERIFREG_STATE, verifregStateValue } from './actors/verifreg/state.js';
import { LazyMap } from './lazy-map.js';

/** The CID of a contract's bytecode block (raw codec, as the EVM actor stores it). */
export const bytecodeCid = (bytecode: Uint8Array): CID => cidOf(bytecode, RAW);

/** The CBOR value of an actor's state. */
function actorStateValue(actor: Actor): unknown {
  if (actor.kind === 'account' && actor.robust) return [actor.robust.bytes];
  if (actor.evm) {
    const { bytecode, bytecodeHash, nonce, storageGeneration } = actor.evm;
    // The storage KAMT is not materialised: its root stands for (actor, storage generation).
    const contractState = cidOf(encodeCbor(['contract-state', actor.id, storageGeneration]));
    return [bytecodeCid(bytecode), bytecodeHash, contractState, null, nonce, null];
  }
  if (actor.miner) return minerStateValue(actor.miner);
  if (actor.power) return powerStateValue(actor.power);
  if (actor.multisig) return multisigStateValue(actor.multisig);
  if (actor.paych) return paychStateValue(actor.paych);
  if (actor.kind === 'storagemarket') return marketStateValue(actor.market ?? EMPTY_MARKET_STATE);
  if (actor.kind === 'verifiedregistry') return verifregStateValue(actor.verifreg ?? EMPTY_VERIFREG_STATE);
  if (actor.kind === 'datacap') return datacapStateValue(actor.datacap ?? EMPTY_DATACAP_STATE);
  if (actor.kind === 'reward') return rewardStateValue(actor.reward);
  return [];
}

/** The state a forked singleton's tables live in: the field of its kind (the reward actor's has none, only scalars). */
const SINGLETON_FIELDS = ['power', 'market', 'verifreg', 'datacap', 'reward'] as const;

export const forkedSingletonState = (actor: Actor): object | undefined => SINGLETON_FIELDS.map((field) => actor[field]).find((state) => state !== undefined);

/** Whether a forked singleton is as the upstream had it: no write since the fork handed it out. */
export const unchangedSinceForked = (actor: Actor): boolean => actor.forkedFrom !== undefined && forkedSingletonState(actor) === actor.forkedFrom.handedOut;

/**
 * A forked singleton's state with each table the fork reads by key reduced to what the fork wrote
 * to it, and the keys it deleted from each: what the fork read does not show.
 */
function writtenPart(actor: Actor): { actor: Actor; removed: [string, unknown[]][] } {
  const field = SINGLETON_FIELDS.find((f) => actor[f] !== undefined)!;
  const view: Record<string, unknown> = { ...actor[field] };
  const removed: [string, unknown[]][] = [];
  for (const [name, value] of Object.entries(view)) {
    if (!(value instanceof LazyMap)) continue;
    const written = writtenTable(value);
    view[name] = written.table;
    removed.push([name, written.removed]);
  }
  return { actor: { ...actor, [field]: view }, removed };
}

/** A forked table reduced to what the fork wrote to it, a forked table within it likewise, and the keys deleted from each. */
export function writtenTable(table: LazyMap<unknown, unknown>): { table: Map<unknown, unknown>; removed: unknown[] } {
  const { held, removed } = table.written();
  const nested: unknown[] = [];
  const entries = held.map(([key, value]) => {
    if (!(value instanceof LazyMap)) return [key, value] as const;
    const inner = writtenTable(value);
    nested.push([key, inner.removed]);
    return [key, inner.table] as const;
  });
  return { table: new Map(entries), removed: [removed, nested] };
}

/**
 * The CID of the actor's state. A forked singleton answers the upstream's until the fork writes to
 * it; then a CID of the upstream's with what the fork wrote, so that which entries the fork merely
 * read never changes it.
 */
export function actorHead(actor: Actor): CID {
  if (actor.forkedFrom) {
    if (unchangedSinceForked(actor)) return actor.forkedFrom.head;
    const written = writtenPart(actor);
    return cidOf(encodeCbor([actor.forkedFrom.head, actorStateValue(written.actor), toStorable(written.removed)]));
  }
  return cidOf(encodeCbor(actorStateValue(actor)));
}
