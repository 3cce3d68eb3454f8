// An actor with no state of its kind (an account, EthAccount or Placeholder: an ID, a kind, a nonce,
// a balance and its addresses) as the state tree keeps it, under its ID: one flat string of ~48
// bytes, where the object with its balance and address objects is ~390. Most actors a chain makes are such accounts,
// written once and read seldom, so the tree keeps them packed and makes the object when read; the
// objects made last are kept (actors are immutable), as the same few accounts are read over and over.
import { FilAddress } from '../common/address.js';
import { ACTOR_KINDS, type Actor, type ActorKind } from './actor.js';

/** The fields of a packable actor, in the order it must have them (so that the object made back is the same). */
const PLAIN_FIELDS = ['id', 'kind', 'nonce', 'balance', 'delegated', 'robust'];
const KIND_INDEX = new Map<ActorKind, number>(ACTOR_KINDS.map((kind, i) => [kind, i]));
const COMMA = 0x2c;
const DELEGATED = 1;
const ROBUST = 2;

/** Balances from this one on are kept as objects (a cheat code may set any). */
const PACKED_BALANCE_LIMIT = 1n << 256n;
/** Room for the kind and flags, two decimal numbers (a balance below 2^256) with their commas, and two addresses with their lengths. */
const scratch = Buffer.alloc(2 + 16 + 1 + 78 + 1 + 2 * (1 + 1 + 63));

/** How many unpacked actors are kept, for the process (~0.35 MB): one per slot, the slot chosen by the actor's ID. */
const KEPT_UNPACKED = 1024;
const keptPacked: (string | undefined)[] = new Array(KEPT_UNPACKED).fill(undefined);
const keptActors: (Actor | undefined)[] = new Array(KEPT_UNPACKED).fill(undefined);

function keep(id: number, packed: string, actor: Actor): void {
  const slot = id & (KEPT_UNPACKED - 1);
  keptPacked[slot] = packed;
  keptActors[slot] = actor;
}

function isPlain(actor: Actor): boolean {
  let field = 0;
  for (const key in actor) {
    // Each field in order, optional ones skipped; a field set to undefined is not plain (it would not come back).
    while (field < PLAIN_FIELDS.length && PLAIN_FIELDS[field] !== key) field++;
    if (field === PLAIN_FIELDS.length || (actor as unknown as Record<string, unknown>)[key] === undefined) return false;
  }
  return actor.balance >= 0n && actor.balance < PACKED_BALANCE_LIMIT;
}

function writeAddress(address: FilAddress, at: number): number {
  const { payload } = address;
  scratch[at++] = 1 + payload.length;
  scratch[at++] = address.protocol;
  scratch.set(payload, at);
  return at + payload.length;
}

/**
 * The actor as one flat string (made from a buffer: one made by concatenation would be kept as its
 * parts), or undefined when it has state of its kind or fields out of the usual order.
 */
export function packActor(actor: Actor): string | undefined {
  if (!isPlain(actor)) return undefined;
  scratch[0] = KIND_INDEX.get(actor.kind)!;
  scratch[1] = (actor.delegated ? DELEGATED : 0) | (actor.robust ? ROBUST : 0);
  let at = 2 + scratch.write(`${actor.nonce},${actor.balance},`, 2, 'latin1');
  if (actor.delegated) at = writeAddress(actor.delegated, at);
  if (actor.robust) at = writeAddress(actor.robust, at);
  const packed = scratch.toString('latin1', 0, at);
  // What is written is read next: the object itself stands for its packed form.
  keep(actor.id, packed, actor);
  return packed;
}

/** The decimal number in `packed` from `from` to the next comma, and where it ends. */
function readNumber(packed: string, from: number): [number, number] {
  let n = 0;
  let at = from;
  for (let c = packed.charCodeAt(at); c !== COMMA; c = packed.charCodeAt(++at)) n = n * 10 + (c - 0x30);
  return [n, at];
}

function readAddress(packed: string, at: number): FilAddress {
  const bytes = new Uint8Array(packed.charCodeAt(at));
  for (let i = 0; i < bytes.length; i++) bytes[i] = packed.charCodeAt(at + 1 + i);
  return FilAddress.fromBytes(bytes);
}

/** The actor `id` that `packActor` packed: an object with the same fields in the same order. */
export function unpackActor(id: number, packed: string): Actor {
  const slot = id & (KEPT_UNPACKED - 1);
  if (keptPacked[slot] === packed && keptActors[slot]!.id === id) return keptActors[slot]!;
  const actor = unpackNew(id, packed);
  keep(id, packed, actor);
  return actor;
}

function unpackNew(id: number, packed: string): Actor {
  const kind = ACTOR_KINDS[packed.charCodeAt(0)]!;
  const [nonce, nonceEnd] = readNumber(packed, 2);
  const balanceEnd = packed.indexOf(',', nonceEnd + 1);
  const balance = BigInt(packed.slice(nonceEnd + 1, balanceEnd));
  // One literal per shape, so that each object has its fields in itself.
  switch (packed.charCodeAt(1)) {
    case DELEGATED:
      return { id, kind, nonce, balance, delegated: readAddress(packed, balanceEnd + 1) };
    case ROBUST:
      return { id, kind, nonce, balance, robust: readAddress(packed, balanceEnd + 1) };
    case DELEGATED | ROBUST:
      return { id, kind, nonce, balance, delegated: readAddress(packed, balanceEnd + 1), robust: readAddress(packed, balanceEnd + 2 + packed.charCodeAt(balanceEnd + 1)) };
    default:
      return { id, kind, nonce, balance };
  }
}
