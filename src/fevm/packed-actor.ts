// An actor with no state of its kind (an account, EthAccount or Placeholder: an ID, a kind, a nonce,
// a balance and its addresses) as the state tree keeps it, under its ID: ~30–40 bytes in one buffer
// of the tree's (outside the JS heap, where a byte costs about twice its size in RSS), named by its
// offset, where the object with its balance and address objects is ~390. Most actors a chain makes
// are such accounts, written once and read seldom, so the tree keeps them packed and makes the
// object when read; the objects made last are kept (actors are immutable), as the same few accounts
// are read over and over. The same buffer also holds the tree's past actor versions kept as changes
// (actor-change.ts, state-tree.ts ActorHistory), which a revert truncates with the actors packed after it.
import { FilAddress } from '../common/address.js';
import { doubled } from '../common/doubled.js';
import { ACTOR_KINDS, plainActor, type Actor, type ActorKind } from './actor.js';

/** The fields of a packable actor, in the order it must have them (so that the object made back is the same). */
const PLAIN_FIELDS = ['id', 'kind', 'nonce', 'balance', 'delegated', 'robust'];
const KIND_INDEX = new Map<ActorKind, number>(ACTOR_KINDS.map((kind, i) => [kind, i]));
const DELEGATED = 1;
const ROBUST = 2;

/** Balances from this one on are kept as objects (a cheat code may set any). */
const PACKED_BALANCE_LIMIT = 1n << 256n;
/** The most one actor takes: kind and flags, a nonce (up to 7 bytes) and a balance (up to 32) with their lengths, two addresses with theirs. */
const MAX_PACKED = 2 + (1 + 7) + (1 + 32) + 2 * (1 + 1 + 63);

/** How many unpacked actors are kept per tree (~0.35 MB): one per slot, the slot chosen by the actor's ID. */
const KEPT_UNPACKED = 1024;

function isPlain(actor: Actor): boolean {
  let field = 0;
  for (const key in actor) {
    // Each field in order, optional ones skipped; a field set to undefined is not plain (it would not come back).
    while (field < PLAIN_FIELDS.length && PLAIN_FIELDS[field] !== key) field++;
    if (field === PLAIN_FIELDS.length || (actor as unknown as Record<string, unknown>)[key] === undefined) return false;
  }
  return actor.balance >= 0n && actor.balance < PACKED_BALANCE_LIMIT;
}

/**
 * The packed actors of one state tree, appended to one buffer that doubles as it fills; each is named
 * by the offset it starts at; also the bytes of past actor versions kept as changes (actor-change.ts,
 * `append`). `truncate` lets go of what was packed or appended after a point (a revert).
 */
export class PackedActors {
  private bytes = new Uint8Array(4096);
  /** The same bytes as a Buffer, for its hex reads and writes. */
  private view = Buffer.from(this.bytes.buffer);
  private length = 0;
  /** The actors unpacked or packed last, by slot, with the offset each came from or went to. */
  private readonly keptAt = new Float64Array(KEPT_UNPACKED).fill(-1);
  private readonly keptActors: (Actor | undefined)[] = new Array(KEPT_UNPACKED).fill(undefined);

  /** The bytes used so far: what `truncate` takes to go back to this point. */
  get size(): number {
    return this.length;
  }

  /**
   * Packs the actor and returns its offset, or undefined when it has state of its kind or fields out
   * of the usual order.
   */
  pack(actor: Actor): number | undefined {
    if (!isPlain(actor)) return undefined;
    if (this.length + MAX_PACKED > this.bytes.length) this.grow();
    const out = this.bytes;
    const start = this.length;
    out[start] = KIND_INDEX.get(actor.kind)!;
    out[start + 1] = (actor.delegated ? DELEGATED : 0) | (actor.robust ? ROBUST : 0);
    let at = this.writeNonce(actor.nonce, start + 2);
    at = this.writeBalance(actor.balance, at);
    if (actor.delegated) at = this.writeAddress(actor.delegated, at);
    if (actor.robust) at = this.writeAddress(actor.robust, at);
    this.length = at;
    // What is written is read next: the object itself stands for its packed form.
    this.keep(actor.id, start, actor);
    return start;
  }

  /** The actor `id` that `pack` packed at `at`: an object with the same fields in the same order. */
  unpack(id: number, at: number): Actor {
    const slot = id & (KEPT_UNPACKED - 1);
    if (this.keptAt[slot] === at && this.keptActors[slot]!.id === id) return this.keptActors[slot]!;
    const actor = this.unpackNew(id, at);
    this.keep(id, at, actor);
    return actor;
  }

  /**
   * Appends `bytes` (a past version of an actor as what changed, actor-change.ts) and returns their
   * offset: kept with the packed actors, so that `truncate` lets go of them with those packed after the same point.
   */
  append(bytes: Uint8Array): number {
    while (this.length + bytes.length > this.bytes.length) this.grow();
    const at = this.length;
    this.bytes.set(bytes, at);
    this.length += bytes.length;
    return at;
  }

  /**
   * The bytes appended and packed so far (from 0 to `size`): the live array itself, which the next
   * `pack` or `append` may replace by a larger one, so read it again after either.
   */
  get bytesUntilNextAppend(): Uint8Array {
    return this.bytes;
  }

  /** Lets go of what was packed from `size` on (a `size` read earlier): those offsets name nothing now. */
  truncate(size: number): void {
    if (size >= this.length) return;
    this.length = size;
    // An offset let go of is used again: no actor kept may stand for it.
    for (let slot = 0; slot < KEPT_UNPACKED; slot++) {
      if (this.keptAt[slot]! >= size) {
        this.keptAt[slot] = -1;
        this.keptActors[slot] = undefined;
      }
    }
  }

  private keep(id: number, at: number, actor: Actor): void {
    const slot = id & (KEPT_UNPACKED - 1);
    this.keptAt[slot] = at;
    this.keptActors[slot] = actor;
  }

  private grow(): void {
    this.bytes = doubled(this.bytes, this.length);
    this.view = Buffer.from(this.bytes.buffer);
  }

  /** A nonce (below 2^53) as its length and big-endian bytes. */
  private writeNonce(nonce: number, at: number): number {
    let length = 0;
    for (let n = nonce; n > 0; n = Math.floor(n / 256)) length++;
    this.bytes[at] = length;
    for (let i = length, n = nonce; i > 0; i--, n = Math.floor(n / 256)) this.bytes[at + i] = n % 256;
    return at + 1 + length;
  }

  /** A balance (below 2^256) as its length and big-endian bytes. */
  private writeBalance(balance: bigint, at: number): number {
    if (balance === 0n) {
      this.bytes[at] = 0;
      return at + 1;
    }
    const hex = balance.toString(16);
    const length = this.view.write(hex.length & 1 ? `0${hex}` : hex, at + 1, 'hex');
    this.bytes[at] = length;
    return at + 1 + length;
  }

  private writeAddress(address: FilAddress, at: number): number {
    const { payload } = address;
    this.bytes[at++] = 1 + payload.length;
    this.bytes[at++] = address.protocol;
    this.bytes.set(payload, at);
    return at + payload.length;
  }

  private unpackNew(id: number, start: number): Actor {
    const bytes = this.bytes;
    const kind = ACTOR_KINDS[bytes[start]!]!;
    let at = start + 2;
    const nonceEnd = at + 1 + bytes[at]!;
    let nonce = 0;
    for (at++; at < nonceEnd; at++) nonce = nonce * 256 + bytes[at]!;
    const balanceEnd = at + 1 + bytes[at]!;
    const balance = balanceEnd === at + 1 ? 0n : BigInt(`0x${this.view.toString('hex', at + 1, balanceEnd)}`);
    // An address's bytes are copied by FilAddress.fromBytes (a Uint8Array's slice, not a Buffer's view), so none keeps the buffer.
    const address = (from: number) => FilAddress.fromBytes(bytes.subarray(from + 1, from + 1 + bytes[from]!));
    const flags = bytes[start + 1]!;
    const delegated = flags & DELEGATED ? address(balanceEnd) : undefined;
    const robust = flags & ROBUST ? address(flags & DELEGATED ? balanceEnd + 1 + bytes[balanceEnd]! : balanceEnd) : undefined;
    return plainActor(id, kind, nonce, balance, delegated, robust);
  }
}
