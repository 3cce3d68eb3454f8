// The state tree: every actor, the init actor's address -> ID map and EVM storage, kept with their
// history so that any past epoch can be read. Changes are staged in a StateOverlay (with nested
// checkpoints, as calls nest) and written to the tree as one epoch. What this chain never wrote is
// read from the StateSource under the tree: nothing for a chain of its own, an upstream node's state
// for a fork. Everything above the tree reads through StateReader and never knows which.
import { FilAddress } from '../common/address.js';
import { AppendedMap } from '../common/appended-map.js';
import { decodeBigInt, encodeBigInt } from '../common/cbor.js';
import { doubled } from '../common/doubled.js';
import { equalBytes } from '../common/hex.js';
import { fromStorable, fromStorableChange, toStorable, toStorableChange } from '../common/storable.js';
import { Uint32List } from '../common/uint32-list.js';
import { ACTOR_KINDS, FIRST_NON_SINGLETON_ID, type Actor } from './actor.js';
import { decodeChange, encodeChange, refsStart } from './actor-change.js';
import { EMPTY_KAMT, withSlot, type KamtNode } from './actors/evm/kamt-shape.js';
import { KeyTable } from './key-table.js';
import { PackedActors } from './packed-actor.js';
import { BranchWrites, StateBranch } from './state-branch.js';

/**
 * The values of a key written more than once, in the order they were written: each with the write
 * that wrote it, whose epoch (the one it holds from) the map keeps per write (VersionedMap.epochs),
 * not per key and value. Several writes may share an epoch (a cheat code edits the head's state); a
 * read takes the last one.
 */
class History<V> {
  /**
   * Its writes: a JS array (8 B a write) while there are few, then, from TYPED_WRITES_FROM on, a
   * Uint32List (4 B a write, outside the JS heap; commits are counted in 32 bits). Most keys are
   * written a few times; the reward, power and winning miner's actors are written each tipset.
   */
  private list: number[] | Uint32List;

  constructor(
    writes: number[],
    readonly values: V[],
  ) {
    this.list = writes;
  }

  /** How many writes it holds (as many as its values). */
  get writeCount(): number {
    return this.list.length;
  }

  /** Its `index`th write. */
  writeAt(index: number): number {
    const { list } = this;
    return list instanceof Uint32List ? list.get(index) : list[index]!;
  }

  lastWrite(): number {
    const { list } = this;
    return list instanceof Uint32List ? list.get(list.length - 1) : list[list.length - 1]!;
  }

  pushWrite(write: number): void {
    const { list } = this;
    if (list instanceof Uint32List || list.length < TYPED_WRITES_FROM) list.push(write);
    else (this.list = new Uint32List(list)).push(write);
  }

  popWrite(): void {
    this.list.pop();
  }
}

/** How many writes a History keeps in a JS array before it keeps them in a typed one (History.list). */
const TYPED_WRITES_FROM = 32;

/**
 * An actor's History, whose past versions are kept as what changed from the version before
 * (actor-change.ts: bytes appended to the tree's packed actors), named in `values` by -1 - their offset;
 * every WHOLE_EVERY-th version, and any a change cannot describe, stays an object. The newest is
 * always an object, its change kept beside it until a newer one is written.
 */
class ActorHistory extends History<unknown> {
  /** What this key's changes keep by reference, in the order they were encoded; made at the first. */
  refs: unknown[] | undefined;
  /** The newest value's change from the one before (its offset), which it is kept as once it is past; -1 for none. */
  newestChange = -1;
}

/** How many address objects VersionedMap keeps the key numbers of (getAddress): a power of two. */
const ADDRESS_SLOTS = 64;

/** How many slots of versions made of changes VersionedMap keeps (a ref's slot: its low bits): reads of one actor's past version come several to a request. */
const MADE_SLOTS = 256;

/**
 * How many versions made of changes it keeps a slot, the least recently used one going first. Each
 * tipset's election (mining/election.ts) reads the power actor and the miners in three states in
 * turn: the base's parent, the lookback's (900 epochs back) and the lookback's parent. With one kept,
 * each read made its version again from the last whole one: ~124 changes decoded a tipset.
 */
const MADE_WAYS = 4;

/** How often a past actor version stays whole: a read of an old version makes it from the last whole one, at most this many changes back. */
const WHOLE_EVERY = 32;

/** A version kept as a change: its offset, from the number `values` holds for it (-1 - offset; a packed account's offset is 0 or more). */
const changeAt = (held: unknown): number => (typeof held === 'number' && held < 0 ? -1 - held : -1);

/** The last index below `count` where `holds` does, when it holds up to some index and not after; -1 when it holds nowhere. */
function lastWhere(count: number, holds: (index: number) => boolean): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (holds(mid)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * How the tree's history names a value, as one number: an actor by its ID, the rest (addresses,
 * storage slots, the next ID) by -1 - their number in the tree's KeyTable.
 */
type TreeRef = number;
const tableRef = (k: number): TreeRef => -1 - k;

/**
 * Every key's values over time. Most keys (a new account's actor and address) are written once and
 * never again: such a key holds the number of a slot, whose write and value sit in two arrays (no
 * object per key), and gets a `History` (its writes, a typed array once there are a few dozen, and its
 * values; each write's epoch is in `epochs`) only on its second write. The keys other than actors' IDs,
 * the accounts' actors, and the past versions of other actors (ActorHistory), are kept as bytes outside
 * the JS heap (`keys`, `packed`).
 */
class VersionedMap {
  readonly keys = new KeyTable();
  readonly packed = new PackedActors();
  /** Actors' entries by ID (IDs are taken in order, so the array stays dense: 8 bytes an entry, where a Map's are ~40). */
  private readonly actors: (number | History<unknown> | undefined)[] = [];
  /** The other keys' entries, by their number in `keys`. */
  private readonly keyed: (number | History<unknown> | undefined)[] = [];
  /** Per slot, in the order the slots were taken (so in the order of their writes): the write and its value. */
  private slotWrites = new Uint32Array(1024);
  private slotCount = 0;
  private readonly slotValues: unknown[] = [];
  /**
   * The epoch each write wrote, plus one, by write - 1 (0: a write of nothing): a typed array, 4 B a
   * commit outside the JS heap where a JS array's element was 8 B of heap that each idle tipset kept.
   * A Float64Array once an epoch plus one is not a 32-bit unsigned integer (the cheats mine up to 2^53 - 2).
   */
  private epochs: Uint32Array | Float64Array = new Uint32Array(1024);

  /** The value of a key given as the string an overlay stages it under. */
  getKey(key: string, epoch: number): unknown {
    const k = this.keys.find(key);
    return k < 0 ? undefined : this.get(tableRef(k), epoch);
  }

  /**
   * The numbers in `keys` of addresses looked up before, by address object, ADDRESS_SLOTS of them (a
   * slot by the address's last byte): a call's sender and receiver are the same objects call after
   * call (address.ts keeps the f410s it made), whose keys were made, hashed and compared in the key
   * table every call. A key's number holds until `keys` is truncated (dropAfter forgets them all); an
   * address not in the table yet is not kept (a later commit may add it).
   */
  private readonly addressFor: (FilAddress | undefined)[] = new Array(ADDRESS_SLOTS).fill(undefined);
  private readonly addressNumber = new Int32Array(ADDRESS_SLOTS);

  /** The ID `address` (not an ID address) had after `epoch`, as getKey of its key (addressKey) would read it. */
  getAddress(address: FilAddress, epoch: number): number | undefined {
    const { payload } = address;
    const slot = (payload.length > 0 ? payload[payload.length - 1]! : 0) & (ADDRESS_SLOTS - 1);
    let k: number;
    if (this.addressFor[slot] === address) k = this.addressNumber[slot]!;
    else {
      k = this.keys.find(addressKey(address));
      if (k < 0) return undefined;
      this.addressFor[slot] = address;
      this.addressNumber[slot] = k;
    }
    return this.get(tableRef(k), epoch) as number | undefined;
  }

  get(ref: TreeRef, epoch: number): unknown {
    const entry = this.entry(ref);
    if (entry === undefined) return undefined;
    // Each write here wrote something, so its epoch is kept: epochs[write - 1] is 1 + it.
    const after = epoch + 1;
    if (typeof entry === 'number') return this.epochs[this.slotWrites[entry]! - 1]! <= after ? this.slotValues[entry] : undefined;
    const { values } = entry;
    // Fast path: the newest value, which is what most reads want.
    if (this.epochs[entry.lastWrite() - 1]! <= after) return values[values.length - 1];
    // The writes ascend, so their epochs do too.
    const found = lastWhere(entry.writeCount, (i) => this.epochs[entry.writeAt(i) - 1]! <= after);
    return found < 0 ? undefined : this.version(ref, entry, found);
  }

  /**
   * The value `entry` (`ref`'s) holds at `index`, made again when it is kept as a change: from the last
   * whole version before it, or a version made before for this ref when that is nearer (exporting a
   * history in order makes each version from the one before; each of the election's states goes on
   * from the version made for it the tipset before).
   */
  private version(ref: TreeRef, entry: History<unknown>, index: number): unknown {
    const held = entry.values[index]!;
    if (changeAt(held) < 0) return held;
    const slot = ref & (MADE_SLOTS - 1);
    const hit = this.madeWay(slot, entry, index);
    if (hit >= 0) {
      this.madeUsed[hit] = ++this.madeClock;
      return this.madeValue[hit];
    }
    let from = index - 1;
    let way = -1;
    while (changeAt(entry.values[from]) >= 0 && (way = this.madeWay(slot, entry, from)) < 0) from--;
    let actor = (way >= 0 ? this.madeValue[way] : entry.values[from]) as Actor;
    const { refs } = entry as unknown as ActorHistory;
    for (let i = from + 1; i <= index; i++) actor = decodeChange(this.packed.bytesUntilNextAppend, changeAt(entry.values[i]), actor, refs!);
    // The version it was made from was used too: it stays, another goes.
    if (way >= 0) this.madeUsed[way] = ++this.madeClock;
    let into = slot * MADE_WAYS;
    for (let w = into + 1; w < (slot + 1) * MADE_WAYS; w++) if (this.madeUsed[w]! < this.madeUsed[into]!) into = w;
    this.madeFor[into] = entry;
    this.madeIndex[into] = index;
    this.madeValue[into] = actor;
    this.madeUsed[into] = ++this.madeClock;
    return actor;
  }

  /** Where `slot` keeps `entry`'s version at `index` (an index into the made arrays), or -1. */
  private madeWay(slot: number, entry: History<unknown>, index: number): number {
    for (let way = slot * MADE_WAYS; way < (slot + 1) * MADE_WAYS; way++) if (this.madeFor[way] === entry && this.madeIndex[way] === index) return way;
    return -1;
  }

  /** The versions made by `version`, MADE_WAYS per slot (a ref's slot: its low bits), with the History and index each is of, and when each was last used. */
  private readonly madeFor: (History<unknown> | undefined)[] = new Array(MADE_SLOTS * MADE_WAYS).fill(undefined);
  private readonly madeIndex = new Int32Array(MADE_SLOTS * MADE_WAYS);
  private readonly madeValue: unknown[] = new Array(MADE_SLOTS * MADE_WAYS).fill(undefined);
  private readonly madeUsed = new Float64Array(MADE_SLOTS * MADE_WAYS);
  private madeClock = 0;

  /** Forgets the versions `version` made of `entry`, whose place another takes (a revert, a write again in the same commit). */
  private forgetMade(ref: TreeRef, entry: History<unknown>): void {
    const slot = ref & (MADE_SLOTS - 1);
    for (let way = slot * MADE_WAYS; way < (slot + 1) * MADE_WAYS; way++) {
      if (this.madeFor[way] !== entry) continue;
      this.madeFor[way] = undefined;
      this.madeValue[way] = undefined;
    }
  }

  /** `value`'s change from `previous` appended to the packed bytes, for `entry` to keep it as once it is past (its offset); -1 when it has none. */
  private changeFrom(entry: ActorHistory, value: unknown, previous: unknown): number {
    if (typeof value !== 'object' || typeof previous !== 'object' || value === null || previous === null) return -1;
    const change = encodeChange(value as Actor, previous as Actor, (entry.refs ??= []));
    return change ? this.packed.append(change) : -1;
  }

  /** Forgets `entry`'s newest change (the value it was of is replaced or kept whole), and the refs it added. */
  private dropNewestChange(entry: ActorHistory): void {
    if (entry.newestChange >= 0) entry.refs!.length = refsStart(this.packed.bytesUntilNextAppend, entry.newestChange);
    entry.newestChange = -1;
  }

  /** The value of `ref` once the first `write` commits were made (a dropped branch's base, StateTree.branch). */
  getAsOf(ref: TreeRef, write: number): unknown {
    const entry = this.entry(ref);
    if (entry === undefined) return undefined;
    if (typeof entry === 'number') return this.slotWrites[entry]! <= write ? this.slotValues[entry] : undefined;
    const found = lastWhere(entry.writeCount, (i) => entry.writeAt(i) <= write);
    return found < 0 ? undefined : this.version(ref, entry, found);
  }

  /** getAsOf of a key given as the string an overlay stages it under. */
  getKeyAsOf(key: string, write: number): unknown {
    const k = this.keys.find(key);
    return k < 0 ? undefined : this.getAsOf(tableRef(k), write);
  }

  set(ref: TreeRef, value: unknown, epoch: number, write: number): void {
    this.keepEpoch(write, epoch);
    const entry = this.entry(ref);
    if (entry === undefined) {
      this.put(ref, this.slotCount);
      if (this.slotCount === this.slotWrites.length) this.slotWrites = doubled(this.slotWrites);
      this.slotWrites[this.slotCount++] = write;
      this.slotValues.push(value);
    } else if (typeof entry === 'number') {
      const first = this.slotWrites[entry]!;
      if (first === write) this.slotValues[entry] = value;
      else {
        const before = this.slotValues[entry]!;
        if (ref >= 0) {
          const history = new ActorHistory([first, write], [before, value]);
          history.newestChange = this.changeFrom(history, value, before);
          this.put(ref, history);
        } else this.put(ref, new History([first, write], [before, value]));
        // The slot stays taken (slots are let go from the end), its value no longer kept.
        this.slotValues[entry] = undefined;
      }
    } else if (entry.lastWrite() === write) {
      const last = entry.values.length - 1;
      entry.values[last] = value;
      if (entry instanceof ActorHistory) {
        this.dropNewestChange(entry);
        this.forgetMade(ref, entry);
        if (last > 0) entry.newestChange = this.changeFrom(entry, value, this.version(ref, entry, last - 1));
      }
    } else {
      if (entry instanceof ActorHistory) {
        const last = entry.values.length - 1;
        const previous = entry.values[last];
        // The newest so far becomes past: kept as its change, unless it is a whole one.
        if (last % WHOLE_EVERY === 0) this.dropNewestChange(entry);
        else if (entry.newestChange >= 0) entry.values[last] = -1 - entry.newestChange;
        entry.newestChange = this.changeFrom(entry, value, previous);
      }
      entry.pushWrite(write);
      entry.values.push(value);
    }
  }

  /**
   * The epoch `write` wrote; undefined for a write of nothing (or of epoch -1, a tree's before its first
   * commit: its callers read either as an epoch no later than any).
   */
  epochOf(write: number): number | undefined {
    const kept = this.epochs[write - 1] ?? 0;
    return kept === 0 ? undefined : kept - 1;
  }

  /** The epoch of `write`, which wrote something. */
  private epochOfWrite(write: number): number {
    return this.epochs[write - 1]! - 1;
  }

  private keepEpoch(write: number, epoch: number): void {
    const kept = epoch + 1;
    if (!(kept >= 0 && kept <= 0xffffffff && Number.isInteger(kept)) && this.epochs instanceof Uint32Array) this.epochs = Float64Array.from(this.epochs);
    while (write > this.epochs.length) this.epochs = doubled(this.epochs);
    this.epochs[write - 1] = kept;
  }

  /** What `write` wrote to `ref`, at which epoch, and the value the write before it to `ref` wrote (undefined for the first). */
  atWrite(ref: TreeRef, write: number): { epoch: number; value: unknown; previous: unknown } | undefined {
    const entry = this.entry(ref);
    if (entry === undefined) return undefined;
    if (typeof entry === 'number') return this.slotWrites[entry] === write ? { epoch: this.epochOfWrite(write), value: this.slotValues[entry]!, previous: undefined } : undefined;
    // Writes only grow: a binary search, so that exporting a long history in order stays O(log n) a value.
    const found = lastWhere(entry.writeCount, (i) => entry.writeAt(i) <= write);
    if (found < 0 || entry.writeAt(found) !== write) return undefined;
    // The one before first: walking a history in order, it is the version made last, and this one is one change from it.
    const previous = found > 0 ? this.version(ref, entry, found - 1) : undefined;
    return { epoch: this.epochOfWrite(write), value: this.version(ref, entry, found), previous };
  }

  /** Forgets what writes after `write` wrote to `ref`. */
  undo(ref: TreeRef, write: number): void {
    const entry = this.entry(ref);
    if (entry === undefined) return;
    if (typeof entry === 'number') {
      if (this.slotWrites[entry]! > write) this.put(ref, undefined);
      return;
    }
    const { values } = entry;
    if (!(entry.lastWrite() > write)) return;
    if (entry instanceof ActorHistory) this.undoChanges(ref, entry, write);
    while (entry.writeCount > 0 && entry.lastWrite() > write) {
      entry.popWrite();
      values.pop();
    }
    if (entry.writeCount === 0) this.put(ref, undefined);
    else if (entry instanceof ActorHistory) {
      // The newest version again: an object, its change kept beside it.
      const last = values.length - 1;
      const change = changeAt(values[last]);
      if (change >= 0) {
        values[last] = this.version(ref, entry, last);
        entry.newestChange = change;
      }
    }
  }

  /** Before `undo` forgets the versions written after `write`: the refs their changes added, and any version made of them. */
  private undoChanges(ref: TreeRef, entry: ActorHistory, write: number): void {
    this.forgetMade(ref, entry);
    const { values } = entry;
    // The refs of the first change forgotten start where the ones it and those after it added do.
    let first = entry.newestChange;
    for (let i = entry.writeCount - 2; i >= 0 && entry.writeAt(i) > write; i--) if (changeAt(values[i]) >= 0) first = changeAt(values[i]);
    if (first >= 0) entry.refs!.length = refsStart(this.packed.bytesUntilNextAppend, first);
    entry.newestChange = -1;
  }

  private entry(ref: TreeRef): number | History<unknown> | undefined {
    return ref >= 0 ? this.actors[ref] : this.keyed[-1 - ref];
  }

  private put(ref: TreeRef, entry: number | History<unknown> | undefined): void {
    if (ref >= 0) this.actors[ref] = entry;
    else this.keyed[-1 - ref] = entry;
  }

  /**
   * Lets go of what writes after `write` took, once `undo` has forgotten their keys: their slots,
   * the keys they added to the table (their entries now empty: keys are numbered in the order of
   * their first writes) and their packed actors (from `packedSize`, the packed bytes after `write`).
   */
  dropAfter(write: number, packedSize: number): void {
    let slots = this.slotCount;
    while (slots > 0 && this.slotWrites[slots - 1]! > write) slots--;
    this.slotCount = slots;
    this.slotValues.length = slots;
    let keys = this.keys.size;
    while (keys > 0 && this.keyed[keys - 1] === undefined) keys--;
    this.keys.truncate(keys);
    this.addressFor.fill(undefined);
    this.keyed.length = keys;
    this.packed.truncate(packedSize);
  }
}

/** One commit of the state's history, as saved: its epoch and the key/value pairs it wrote. */
export interface SavedCommit {
  epoch: number;
  changes: [string, unknown][];
}

/** A key a commit wrote, its value, and the value the write before it to that key wrote (undefined for the first). */
type WrittenValue = [key: string, value: unknown, previous: unknown];

/** An actor's fields as files store them: its addresses as bytes. */
function actorFields(actor: Actor): Record<string, unknown> {
  const { delegated, robust, ...rest } = actor;
  return { ...rest, delegated: delegated?.bytes, robust: robust?.bytes };
}

/** An actor as files store it: its state through storable.ts, its addresses as bytes (CBOR-encodable). */
export function storableActor(actor: Actor): unknown {
  return toStorable(actorFields(actor));
}

export function actorFromStorable(value: unknown): Actor {
  return withAddresses(fromStorable(value) as Record<string, unknown>);
}

/** An actor's fields with its addresses made again from their bytes; those the same as `previous`'s are its very objects. */
function withAddresses(fields: Record<string, unknown>, previous?: Actor): Actor {
  const { delegated, robust, ...actor } = fields;
  const address = (bytes: unknown, before: FilAddress | undefined) => (before && equalBytes(before.bytes, bytes as Uint8Array) ? before : FilAddress.fromBytes(bytes as Uint8Array));
  if (delegated) actor.delegated = address(delegated, previous?.delegated);
  if (robust) actor.robust = address(robust, previous?.robust);
  return actor as unknown as Actor;
}

/**
 * Whether a contract's storage KAMT shape is what its slots make, all of which the tree holds: not
 * a forked contract's (its upstream holds slots the chain does not).
 */
const shapedBySlots = (actor: Actor): boolean => actor.evm !== undefined && actor.evm.upstreamStorageRoot === undefined;

/**
 * An actor's fields as the state file stores them: as files store an actor, without the storage
 * shape of a contract whose shape its slots make (loadCommit makes it again from them). Stored, a
 * new slot whose key splits an extension above a big subtree wrote that whole subtree again
 * (review Q2: ~112 KB a transaction for a contract with a 2 000-slot array).
 */
function savedFields(actor: Actor): Record<string, unknown> {
  const fields = actorFields(actor);
  if (shapedBySlots(actor)) delete fields.storageShape;
  return fields;
}

/** A value as the state file stores it (an actor written before as what changed, storable.ts; slots as bytes). */
function encodeValue(key: string, value: unknown, previous: unknown): unknown {
  if (key.startsWith('s')) return encodeBigInt(value as bigint);
  if (!key.startsWith('a')) return value;
  return previous === undefined ? toStorable(savedFields(value as Actor)) : toStorableChange(savedFields(value as Actor), savedFields(previous as Actor));
}

/** A key/value pair the tree holds as the state file stores it. */
export const storableChange = ([key, value, previous]: WrittenValue): [string, unknown] => [key, encodeValue(key, value, previous)];

/** Whether `n` is a count the tree keeps as a number (an ID, a nonce): an integer from 0 to 2^53 - 1. */
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

const WORD_LIMIT = 1n << 256n;

/**
 * A saved value as the tree keeps it. Throws for a key or value no node writes: a state file's
 * checksum tells damage, not crafting, and a value out of range (a nonce of -1 or past 2^53, a
 * negative balance) would fail every later send or answer a malformed quantity.
 */
function decodeValue(key: string, value: unknown, previous: unknown): unknown {
  if (key.startsWith('s')) {
    const word = decodeBigInt(value as Uint8Array);
    if (word < 0n || word >= WORD_LIMIT) throw new Error(`its storage slot ${key} holds ${word}, not a 256-bit word`);
    return word;
  }
  if (key.startsWith('a')) return savedActor(key, value, previous as Actor | undefined);
  if (key === EDIT_KEY) {
    if (!isCount(value)) throw new Error(`its edit id is ${String(value)}, not a count`);
    return value;
  }
  if (key !== NEXT_ID_KEY && !key.startsWith('x0x')) throw new Error(`its state has a key ${JSON.stringify(key)} that no node writes`);
  if (!isCount(value)) throw new Error(`its ${key === NEXT_ID_KEY ? 'next actor ID' : `address ${key.slice(1)}`} is ${String(value)}, not an actor ID`);
  return value;
}

/** The actor saved under `key` (`a` and its ID), whole or as a change from `previous`, checked as decodeValue says. */
function savedActor(key: string, value: unknown, previous: Actor | undefined): Actor {
  const id = Number(key.slice(1));
  if (!isCount(id) || key !== actorKey(id)) throw new Error(`its state has a key ${JSON.stringify(key)} that no node writes`);
  let actor: Actor;
  try {
    actor = withAddresses(fromStorableChange(value, previous && actorFields(previous)) as Record<string, unknown>, previous);
  } catch (err) {
    throw new Error(`its actor ${id} is ${(err as Error).message}`);
  }
  const field = (name: string, held: unknown) => new Error(`its actor ${id} has ${name} ${String(held)}`);
  if (actor.id !== id) throw field('id', actor.id);
  if (!(ACTOR_KINDS as readonly unknown[]).includes(actor.kind)) throw field('kind', actor.kind);
  if (!isCount(actor.nonce)) throw field('nonce', actor.nonce);
  if (typeof actor.balance !== 'bigint' || actor.balance < 0n) throw field('balance', actor.balance);
  if (actor.evm && !isCount(actor.evm.nonce)) throw field('contract nonce', actor.evm.nonce);
  // A miner's pending rewards stored whole read as a Map: an AppendedMap, as the node keeps them, so
  // that the versions after it (stored as their appended entries) share it (fromStorableChange).
  const grants = actor.miner?.vestingGrants;
  if (grants && grants.size > 0 && !(grants instanceof AppendedMap)) return { ...actor, miner: { ...actor.miner!, vestingGrants: AppendedMap.of(grants) } };
  return actor;
}

/** A value as the tree's history keeps it: an account's actor packed (packed-actor.ts: its offset), the rest as staged. */
function heldValue(values: VersionedMap, ref: TreeRef, value: unknown): unknown {
  return ref >= 0 ? (values.packed.pack(value as Actor) ?? value) : value;
}

/** An actor as the tree keeps it, as an object. */
const heldActor = (values: VersionedMap, id: number, held: unknown): Actor | undefined =>
  typeof held === 'number' ? values.packed.unpack(id, held) : (held as Actor | undefined);

/**
 * The refs each commit wrote (so that a revert can undo them), one after another in one array that
 * doubles as it fills (numbers, where lists of keys were ~44 bytes of heap a transfer): 32-bit
 * integers, until an actor's ID beyond them (up to 2^53) makes them doubles.
 */
class CommitLog {
  private refs: Int32Array | Float64Array = new Int32Array(1024);
  private length = 0;
  /** Per commit: where its refs end, and how many bytes of packed actors the tree had after it. */
  private readonly ends = new Uint32List();
  private readonly packedSizes = new Uint32List();

  /** How many commits there are. */
  get count(): number {
    return this.ends.length;
  }

  add(ref: TreeRef): void {
    if ((ref | 0) !== ref && this.refs instanceof Int32Array) this.refs = Float64Array.from(this.refs);
    if (this.length === this.refs.length) this.refs = doubled(this.refs);
    this.refs[this.length++] = ref;
  }

  /** Ends a commit: the refs added since the last are its own. */
  close(packedSize: number): void {
    this.ends.push(this.length);
    this.packedSizes.push(packedSize);
  }

  /** The refs commit `write` (from 1) wrote: a view, valid until the next change. */
  refsOf(write: number): Int32Array | Float64Array {
    return this.refs.subarray(write === 1 ? 0 : this.ends.get(write - 2), this.ends.get(write - 1));
  }

  /** The refs added since the last commit ended (the commit being made): a view, valid until the next change. */
  refsOfOpen(): Int32Array | Float64Array {
    return this.refs.subarray(this.count === 0 ? 0 : this.ends.get(this.count - 1), this.length);
  }

  /** The packed actors' size after commit `write` (0 before the first). */
  packedSizeAfter(write: number): number {
    return write === 0 ? 0 : this.packedSizes.get(write - 1);
  }

  /** Forgets the last commit and returns its refs (a view, valid until the next add). */
  pop(): Int32Array | Float64Array {
    const refs = this.refsOf(this.count);
    this.ends.pop();
    this.packedSizes.pop();
    this.length = this.count === 0 ? 0 : this.ends.get(this.count - 1);
    return refs;
  }
}

/** A point the tree can go back to (evm_snapshot): the last write and the epoch it made. */
export interface StateSnapshot {
  write: number;
  epoch: number;
}

/** Read access to the state at one point: a past epoch, the head, or a staged overlay. */
export interface StateReader {
  getActor(id: number): Actor | undefined;
  /** The ID an address resolves to: an f0 names it, other addresses go through the init actor's map. */
  lookupId(address: FilAddress): number | undefined;
  getStorage(id: number, generation: number, slot: bigint): bigint;
  /** The ID the next new actor gets. */
  nextId(): number;
}

/**
 * Where the values this chain has not written come from: one read per kind of value (an actor, with
 * a builtin actor's state in its record; an address's ID in the init actor's map; an EVM storage
 * slot; the init actor's next ID), undefined when the source has none. Reads are synchronous, as the
 * EVM's are: a source that fetches from elsewhere must already hold what it answers.
 */
export interface StateSource {
  getActor(id: number): Actor | undefined;
  lookupId(address: FilAddress): number | undefined;
  getStorage(id: number, generation: number, slot: bigint): bigint | undefined;
  nextId(): number | undefined;
}

/** The forked tables whose upstream keys can be listed whole (the Lotus list methods). */
export type ListedTable = 'deals' | 'marketBalances' | 'allocations' | 'claims' | 'miners';

/** A value a StateSource does not hold yet, named as the source's reads name it. */
export type MissingState =
  | { kind: 'actor'; id: number }
  | { kind: 'address'; address: FilAddress }
  | { kind: 'storage'; id: number; slot: bigint }
  | { kind: 'nextId' }
  // Entries of the builtin actors' tables (lazy-map.ts), by the key the upstream reads them by:
  | { kind: 'deal'; id: number }
  | { kind: 'marketBalance'; id: number }
  | { kind: 'allocations'; client: number }
  | { kind: 'claims'; provider: number }
  | { kind: 'verifier'; id: number }
  | { kind: 'removeDataCapProposalId'; pair: string }
  | { kind: 'datacap'; id: number }
  | { kind: 'datacapAllowances'; owner: number }
  | { kind: 'pendingProposal'; cid: string }
  | { kind: 'sectorDeals'; provider: number; sector: number }
  | { kind: 'powerClaim'; miner: number }
  | { kind: 'sector'; miner: number; number: number }
  // The deal work the upstream's market scheduled (its DealOpsByEpoch): the epochs that have some, and one epoch's deals.
  | { kind: 'dealOpEpochs' }
  | { kind: 'dealOps'; epoch: number }
  // A miner's proving state: all its sectors with their deadlines and partitions, and its PoSts.
  | { kind: 'provingState'; miner: number }
  // A miner's live and faulty sector counts, which say whether its missed closes change its balance and deals.
  | { kind: 'sectorCount'; miner: number }
  // The upstream's list of a table's keys (and the entries that come with it), for a whole-table view.
  | { kind: 'tableList'; table: ListedTable }
  // The hashes of the upstream's tipsets before the fork epoch (BLOCKHASH), a run of epochs from `from`.
  | { kind: 'tipsetHashes'; from: number };

/**
 * Thrown by a source's read of a value it has not fetched yet. Execution is deterministic and runs on
 * overlays that are dropped on a throw, so whoever catches it fetches the values (`StateTree.fetchMissing`)
 * and runs the same work again from its start.
 */
export class MissingStateError extends Error {
  override name = 'MissingStateError';
  constructor(readonly missing: MissingState[]) {
    super(`state not fetched yet: ${missing.map((m) => m.kind).join(', ')}`);
  }
}

/**
 * `read` of each item, the undefined answers left out. The state the reads find missing is named
 * together in one MissingStateError, so that one fetch brings it all; `tooMuch` may refuse (throw)
 * once it sees how much is missing so far.
 */
export function readEach<T, R>(items: Iterable<T>, read: (item: T) => R | undefined, tooMuch?: (missing: number) => void): R[] {
  const found: R[] = [];
  const missing: MissingState[] = [];
  for (const item of items) {
    try {
      const value = read(item);
      if (value !== undefined) found.push(value);
    } catch (error) {
      if (!(error instanceof MissingStateError)) throw error;
      missing.push(...error.missing);
      tooMuch?.(missing.length);
    }
  }
  if (missing.length) throw new MissingStateError(missing);
  return found;
}

/** A source that fills itself from elsewhere: its reads throw MissingStateError until `fetch` has brought what they name. */
export interface FetchingStateSource extends StateSource {
  fetch(missing: MissingState[]): Promise<void>;
  /** The tree went back to its first `write` commits (a revert): what the source did for the later ones no longer holds. */
  revertedTo?(write: number): void;
}

/** A chain of its own: everything it holds it wrote itself (genesis included), so nothing lies under it. */
export const localStateSource: StateSource = {
  getActor: () => undefined,
  lookupId: () => undefined,
  getStorage: () => undefined,
  nextId: () => undefined,
};

// Keys of the one flat map an overlay stages changes in.
/** How many actor keys `actorKey` keeps (a power of two): a slot per ID's low 12 bits, holding the last ID keyed there. */
const ACTOR_KEY_SLOTS = 4096;
// NaN marks an empty slot, equal to no ID (with -1, actorKey(-1) found slot 4095's '' as its key).
const actorKeyIds = new Float64Array(ACTOR_KEY_SLOTS).fill(NaN);
const actorKeys: string[] = new Array<string>(ACTOR_KEY_SLOTS).fill('');
/**
 * `a` and the actor's ID. The key made last time for the same ID, where there is one: a `balanceOf`
 * eth_call asks the overlay's getActor 6 times (counted in docs/performance.md, callouter3), and a new
 * string is joined and then hashed by the first Map lookup each time, where a kept one keeps its hash.
 */
function actorKey(id: number): string {
  // `&` takes the ID's low 32 bits: any slot of the table for an ID past 2^31.
  const slot = id & (ACTOR_KEY_SLOTS - 1);
  if (actorKeyIds[slot] === id) return actorKeys[slot]!;
  const key = `a${id}`;
  actorKeyIds[slot] = id;
  actorKeys[slot] = key;
  return key;
}
/** `x`, then room for the longest address: a protocol byte, a namespace's varint (up to 8 bytes) and a 54-byte subaddress. */
const addressKeyScratch = Buffer.alloc(1 + 1 + 8 + 54, 'x', 'latin1');
/**
 * `x` and the address's bytes as latin1 characters (23 for an f410, where their hex was 47), written
 * as one flat string: the tree's map keeps it as its key, and a string made by concatenation would be
 * kept as its parts and a flattened copy. Not cached on the address (a stored address would keep it):
 * AddressKeys below keeps it for one overlay. Saved files have `x${address.key}` (savedKey).
 */
const addressKey = (address: FilAddress): string => {
  const out = addressKeyScratch;
  out[1] = address.protocol;
  out.set(address.payload, 2);
  return out.toString('latin1', 0, 2 + address.payload.length);
};
/**
 * The keys of the addresses looked up on one overlay and the state under it, each made once: a call
 * resolves the same few addresses many times. Dropped with the overlay (a call's, a block's), so no
 * key outlives the work that made it.
 */
class AddressKeys {
  /** Made at the first key asked for: a call stages no address, so its overlay never asks (StateOverlay.lookupId). */
  private keys: Map<FilAddress, string> | undefined;
  /**
   * The IDs the tree's state under the overlay gave address objects (StateAt.lookupId): a call asks
   * for its two addresses five times, each a probe of the tree's key table and its history. An
   * address keeps its ID, and the tree is written only by the work that staged the overlay, once
   * done (the miner's queue runs one at a time). An address with no ID yet is asked again: a fork's
   * fetch may bring one.
   */
  private readonly ids = new Map<FilAddress, number>();

  of(address: FilAddress): string {
    const keys = (this.keys ??= new Map());
    let key = keys.get(address);
    if (key === undefined) keys.set(address, (key = addressKey(address)));
    return key;
  }

  /** The ID the state gave `address` before (`found`), if any. */
  idOf(address: FilAddress): number | undefined {
    return this.ids.get(address);
  }

  /** Notes the ID the state gave `address` (none: nothing noted); returns it. */
  found(address: FilAddress, id: number | undefined): number | undefined {
    if (id !== undefined) this.ids.set(address, id);
    return id;
  }
}
const storageKey = (id: number, generation: number, slot: bigint) => `s${id}:${generation}:${slot.toString(16)}`;
const NEXT_ID_KEY = 'n';
/**
 * The id of the last cheat-code edit of the state (StateTree.newEditId): state of its own, so that a
 * revert, a kept branch and a saved chain carry it; the tipset mined next names it (tipset.ts parentEdit).
 */
const EDIT_KEY = 'e';

/** The tree's ref for an overlay's key: an actor's is its ID, the rest's their number in `keys` (added when new). */
const treeRef = (keys: KeyTable, key: string): TreeRef => (key.charCodeAt(0) === 0x61 /* a */ ? Number(key.slice(1)) : tableRef(keys.add(key)));

/** The key saved files have for a tree's ref: `a` and an actor's ID, `x` and an address's 0x hex (`x${address.key}`), the rest as they are. */
function savedKey(keys: KeyTable, ref: TreeRef): string {
  if (ref >= 0) return actorKey(ref);
  const key = keys.keyAt(-1 - ref);
  return key.startsWith('x') ? `x0x${Buffer.from(key.slice(1), 'latin1').toString('hex')}` : key;
}

/** The overlay's key for a saved one. */
function keyOfSaved(saved: string): string {
  if (!saved.startsWith('x0x')) return saved;
  const length = addressKeyScratch.write(saved.slice(3), 1, 'hex');
  return addressKeyScratch.toString('latin1', 0, 1 + length);
}

export class StateTree {
  private values = new VersionedMap();
  /** The newest epoch written. */
  private headEpoch = -1;
  /** Commits so far, and the keys each wrote. */
  private writes = new CommitLog();
  /** The dropped branches kept (branch), until released. */
  private readonly branches = new Set<StateBranch>();
  /** The last edit id handed out (newEditId). */
  private lastEditId = 0;

  constructor(private source: StateSource | FetchingStateSource = localStateSource) {}

  /** Forgets the whole history and reads what it has not written from `source` (a fork re-forked by anvil_reset). */
  rebase(source: StateSource | FetchingStateSource): void {
    this.source = source;
    this.load([]);
  }

  /**
   * Fetches what a MissingStateError names, so that the work that threw it can run again; false for
   * any other error (or a source that fetches nothing), which the caller rethrows.
   */
  async fetchMissing(error: unknown): Promise<boolean> {
    if (!(error instanceof MissingStateError) || !('fetch' in this.source)) return false;
    await this.source.fetch(error.missing);
    return true;
  }

  /**
   * Runs `work` until it finishes without reading state the source has not fetched: what each
   * MissingStateError names is fetched and `work` runs again from its start. So `work` must change
   * nothing before its last read: it only reads, or stages on an overlay that its caller commits.
   */
  async untilFetched<T>(work: () => T | Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (!(await this.fetchMissing(error))) throw error;
      }
    }
  }

  get epoch(): number {
    return this.headEpoch;
  }

  /**
   * The state as it was after `epoch` was applied. With `deferred`, a storage slot the source has
   * not fetched reads as zero and is added to `deferred` instead of throwing, so that one run finds
   * every slot it reads: its result is wrong and must be dropped unless `deferred` stays empty.
   */
  at(epoch: number, deferred?: MissingState[]): StateReader {
    return new StateAt(this.values, this.source, epoch, deferred, new AddressKeys());
  }

  /**
   * Keeps what the commits after `from` wrote up to `until` (their epoch at most), as a branch to read
   * once a revert to `from` has dropped them: the state of a dropped tipset at any of those epochs
   * (branchAt). Held, and rebased by later reverts, until `release`.
   */
  branch(from: StateSnapshot, until: number): StateBranch {
    const branch = new StateBranch(this, from.write, this.writesBetween(from.write, this.writes.count, until));
    this.branches.add(branch);
    return branch;
  }

  /** Lets go of a branch: the tree no longer keeps its base. */
  release(branch: StateBranch): void {
    this.branches.delete(branch);
  }

  /** The state of a kept branch after `epoch` (one of its dropped epochs); `deferred` as in `at`. */
  branchAt(branch: StateBranch, epoch: number, deferred?: MissingState[]): StateReader {
    if (!this.branches.has(branch)) throw new Error('the branch was released');
    return new BranchAt(this.values, this.source, branch, epoch, deferred);
  }

  /** writtenSlots of a kept branch after `epoch`: those the tree held at its base and those it wrote up to `epoch`. */
  branchWrittenSlots(branch: StateBranch, id: number, generation: number, epoch: number): bigint[] {
    if (!this.branches.has(branch)) throw new Error('the branch was released');
    const prefix = storageKey(id, generation, 0n).slice(0, -1);
    const keys = new Set(this.values.keys.withPrefix(prefix).filter((k) => this.values.getAsOf(tableRef(k), branch.base) !== undefined).map((k) => this.values.keys.keyAt(k)));
    for (const key of branch.writes.keysWithPrefix(prefix)) if (branch.writes.valueAt(key, epoch) !== undefined) keys.add(key);
    return [...keys].map((key) => BigInt(`0x${key.slice(prefix.length)}`));
  }

  /** What the commits `from` + 1 to `to` wrote at epochs up to `until`, by the keys an overlay stages. */
  private writesBetween(from: number, to: number, until = Number.MAX_SAFE_INTEGER): BranchWrites {
    const writes = new BranchWrites();
    for (let write = from + 1; write <= to; write++) {
      const epoch = this.values.epochOf(write);
      if (epoch !== undefined && epoch > until) break;
      for (const ref of this.writes.refsOf(write)) {
        const value = this.values.atWrite(ref, write);
        if (!value) continue;
        if (ref >= 0) writes.add(actorKey(ref), value.epoch, heldActor(this.values, ref, value.value));
        else writes.add(this.values.keys.keyAt(-1 - ref), value.epoch, value.value);
      }
    }
    return writes;
  }

  /**
   * The slots of a contract's storage generation this tree holds a value for after `epoch` (zero or
   * not; none of the source's): a scan of every key, for reads that list a contract's storage.
   */
  writtenSlots(id: number, generation: number, epoch: number): bigint[] {
    const prefix = storageKey(id, generation, 0n).slice(0, -1);
    const held = this.values.keys.withPrefix(prefix).filter((k) => this.values.get(tableRef(k), epoch) !== undefined);
    return held.map((k) => BigInt(`0x${this.values.keys.keyAt(k).slice(prefix.length)}`));
  }

  /** The id of the last cheat-code edit in the state after `epoch` (EDIT_KEY), if any. */
  editAt(epoch: number): number | undefined {
    return this.values.getKey(EDIT_KEY, epoch) as number | undefined;
  }

  /** A new edit id, above every one this tree has handed out or holds (a revert never makes one come back). */
  newEditId(): number {
    this.lastEditId = Math.max(this.lastEditId, this.editAt(Number.MAX_SAFE_INTEGER) ?? 0) + 1;
    return this.lastEditId;
  }

  /** A staging area on top of the state after `epoch` (by default the newest); `deferred` as in `at`. */
  stage(epoch = Number.MAX_SAFE_INTEGER, deferred?: MissingState[]): StateOverlay {
    const keys = new AddressKeys();
    return new StateOverlay(new StateAt(this.values, this.source, epoch, deferred, keys), keys);
  }

  /** Whether the source fetches what it has not got yet (a fork's): work may throw MissingStateError. */
  get fetches(): boolean {
    return 'fetch' in this.source;
  }

  /**
   * Runs `run` once on an overlay of the state after `epoch` (dropped afterwards). The storage slots
   * it misses read as zero and are collected, so a call reading many cold slots costs a few runs, not
   * one per slot: if it missed any, or anything else stopped it (MissingStateError), it throws one
   * MissingStateError naming them all, for the caller to fetch (untilFetched) and run it again.
   */
  runOnce<T>(epoch: number, run: (overlay: StateOverlay) => Promise<T>): Promise<T> {
    // A source that fetches nothing has nothing missing.
    if (!this.fetches) return run(this.stage(epoch));
    return this.runDeferring((deferred) => this.stage(epoch, deferred), run);
  }

  /** runOnce on an overlay of another state than the tree's at an epoch: `state`'s (a dropped branch's, branchAt), given `deferred`. */
  runOnceOn<T>(state: (deferred?: MissingState[]) => StateReader, run: (overlay: StateOverlay) => Promise<T>): Promise<T> {
    if (!this.fetches) return run(new StateOverlay(state()));
    return this.runDeferring((deferred) => new StateOverlay(state(deferred)), run);
  }

  private async runDeferring<T>(stage: (deferred: MissingState[]) => StateOverlay, run: (overlay: StateOverlay) => Promise<T>): Promise<T> {
    const deferred: MissingState[] = [];
    let result: T;
    try {
      result = await run(stage(deferred));
    } catch (error) {
      // The slots this run deferred are fetched with what stopped it.
      throw error instanceof MissingStateError ? new MissingStateError([...error.missing, ...deferred]) : error;
    }
    if (deferred.length > 0) throw new MissingStateError(deferred);
    return result;
  }

  /** Writes what an overlay staged as the state of `epoch` (which must not go backwards). */
  commit(overlay: StateOverlay, epoch: number): void {
    if (epoch < this.headEpoch) throw new Error(`cannot write epoch ${epoch} after ${this.headEpoch}`);
    const write = this.writes.count + 1;
    for (const [staged, value] of overlay.changes()) {
      const ref = treeRef(this.values.keys, staged);
      this.values.set(ref, heldValue(this.values, ref, value), epoch, write);
      this.writes.add(ref);
    }
    this.writes.close(this.values.packed.size);
    this.headEpoch = epoch;
  }

  snapshot(): StateSnapshot {
    return { write: this.writes.count, epoch: this.headEpoch };
  }

  /**
   * The point the tree was at once `epoch` was written (the commits of the epochs up to it, which
   * come first: epochs never go backwards), to revert to (anvil_reset of a chain loaded at start).
   */
  snapshotAt(epoch: number): StateSnapshot {
    let write = 0;
    while (write < this.writes.count && (this.values.epochOf(write + 1) ?? epoch) <= epoch) write++;
    return { write, epoch: Math.min(epoch, this.headEpoch) };
  }

  /**
   * The commits after the first `from`, with CBOR-encodable values: what a journal appends (from 0:
   * the whole history).
   */
  exportCommitsSince(from: number): SavedCommit[] {
    return [...this.writtenBetween(from, this.writes.count)].map(({ epoch, written }) => ({ epoch, changes: written.map(storableChange) }));
  }

  /**
   * The commits numbered `from` + 1 to `to`, each as its epoch and the key/value pairs it wrote as they
   * were staged (storableChange makes one what exportCommitsSince gives), made one at a time as they
   * are iterated, so that a long history can be saved across turns of the event loop without holding
   * all of it. A revert meanwhile spoils the result.
   */
  *writtenBetween(from: number, to: number): Generator<{ epoch: number; written: WrittenValue[] }, void, void> {
    for (let write = from + 1; write <= to; write++) {
      let epoch = 0;
      const written: WrittenValue[] = [];
      for (const ref of this.writes.refsOf(write)) {
        const value = this.values.atWrite(ref, write);
        if (!value) continue;
        epoch = value.epoch;
        const key = savedKey(this.values.keys, ref);
        written.push(ref >= 0 ? [key, heldActor(this.values, ref, value.value), heldActor(this.values, ref, value.previous)] : [key, value.value, value.previous]);
      }
      yield { epoch, written };
    }
  }

  /** Replaces the whole history with one `exportCommitsSince(0)` saved (the branches kept go with the old one). */
  load(commits: SavedCommit[]): void {
    this.branches.clear();
    this.values = new VersionedMap();
    this.writes = new CommitLog();
    this.headEpoch = -1;
    this.reshaped.clear();
    for (const commit of commits) this.loadCommit(commit);
  }

  /** Adds a saved commit after the last (a saved history read one commit at a time). */
  loadCommit({ epoch, changes }: SavedCommit): void {
    const write = this.writes.count + 1;
    // The contracts this commit wrote, or wrote slots of: a chain saved before their storage KAMT's shape was kept.
    let contracts: Set<number> | undefined;
    for (const [saved, value] of changes) {
      const key = keyOfSaved(saved);
      const ref = treeRef(this.values.keys, key);
      // What the key held before: an actor saved as what changed is made from it.
      const previous = ref >= 0 ? heldActor(this.values, ref, this.values.get(ref, Number.MAX_SAFE_INTEGER)) : undefined;
      const decoded = decodeValue(saved, value, previous);
      this.values.set(ref, heldValue(this.values, ref, decoded), epoch, write);
      this.writes.add(ref);
      if (ref >= 0 ? (decoded as Actor).evm !== undefined : key.charCodeAt(0) === 0x73 /* s */) (contracts ??= new Set()).add(ref >= 0 ? ref : Number(key.slice(1, key.indexOf(':'))));
    }
    if (contracts) for (const id of contracts) this.reshapeSaved(id, epoch, write);
    this.writes.close(this.values.packed.size);
    this.headEpoch = Math.max(this.headEpoch, epoch);
  }

  /** The storage generation whose KAMT shape loadCommit keeps from the slots, per contract. */
  private readonly reshaped = new Map<number, number>();

  /**
   * A contract whose storage KAMT shape the file does not hold gets it from its slots, as the node
   * that saved the chain kept it: format 6 on stores none (savedFields), a chain saved before shapes
   * were kept holds the root's bucket counts (`storageBuckets`) instead. The shape is the slots
   * commit `write` wrote applied to the shape before it (empty for a new contract or storage
   * generation), or made from all the slots when there is none. The actor is written again only
   * when its shape moved, which the saving node wrote it for: a chain loaded and saved is the same bytes.
   */
  private reshapeSaved(id: number, epoch: number, write: number): void {
    const actor = heldActor(this.values, id, this.values.get(id, Number.MAX_SAFE_INTEGER)) as (Actor & { storageBuckets?: unknown }) | undefined;
    if (!actor || !shapedBySlots(actor)) return;
    const generation = actor.evm!.storageGeneration;
    // A format 5 file's shape, as it was kept.
    if (actor.storageShape && actor.storageBuckets === undefined && !this.reshaped.has(id)) return;
    const written = this.values.atWrite(id, write);
    const before = written && heldActor(this.values, id, written.previous);
    let base: KamtNode | undefined;
    if (this.reshaped.get(id) === generation) base = actor.storageShape;
    else if (written && before?.evm?.storageGeneration !== generation) base = EMPTY_KAMT;
    let shape: KamtNode;
    if (base) {
      shape = base;
      const prefix = storageKey(id, generation, 0n).slice(0, -1);
      for (const ref of this.writes.refsOfOpen()) {
        if (ref >= 0) continue;
        const key = this.values.keys.keyAt(-1 - ref);
        if (!key.startsWith(prefix)) continue;
        const slot = BigInt(`0x${key.slice(prefix.length)}`);
        const value = this.values.atWrite(ref, write)!;
        shape = withSlot(shape, slot, (value.previous as bigint | undefined) ?? 0n, value.value as bigint);
      }
    } else {
      const value = (slot: bigint) => (this.values.getKey(storageKey(id, generation, slot), Number.MAX_SAFE_INTEGER) as bigint | undefined) ?? 0n;
      shape = this.writtenSlots(id, generation, Number.MAX_SAFE_INTEGER).reduce((kamt, slot) => withSlot(kamt, slot, 0n, value(slot)), EMPTY_KAMT);
    }
    this.reshaped.set(id, generation);
    if (shape === actor.storageShape && actor.storageBuckets === undefined) return;
    const { storageBuckets: _counts, ...kept } = actor;
    this.values.set(id, { ...kept, storageShape: shape }, epoch, write);
    if (!written) this.writes.add(id);
  }

  /** Takes `loaded`'s whole history in place of its own (a saved chain, loaded apart); `loaded` is left empty. */
  adopt(loaded: StateTree): void {
    this.branches.clear();
    this.values = loaded.values;
    this.writes = loaded.writes;
    this.headEpoch = loaded.headEpoch;
    loaded.load([]);
  }

  /**
   * Goes back to a snapshot: every commit since is forgotten, history included. A kept branch based
   * after it takes what those commits wrote up to its base, based at the snapshot from then on.
   */
  revert(snapshot: StateSnapshot): void {
    // Made once per base (a suite's reverts to one fixture share theirs): prepend shares what it is given, never changing it.
    const popped = new Map<number, BranchWrites>();
    for (const branch of this.branches) {
      if (branch.base <= snapshot.write) continue;
      let writes = popped.get(branch.base);
      if (!writes) popped.set(branch.base, (writes = this.writesBetween(snapshot.write, branch.base)));
      branch.writes.prepend(writes);
      branch.base = snapshot.write;
    }
    while (this.writes.count > snapshot.write) {
      for (const ref of this.writes.pop()) this.values.undo(ref, snapshot.write);
    }
    this.values.dropAfter(snapshot.write, this.writes.packedSizeAfter(snapshot.write));
    this.headEpoch = snapshot.epoch;
    if ('revertedTo' in this.source) this.source.revertedTo?.(snapshot.write);
  }
}

/** The tree's state after one epoch (StateTree.at): one object per call, its methods on the prototype. */
class StateAt implements StateReader {
  constructor(
    private readonly values: VersionedMap,
    private readonly source: StateSource,
    private readonly epoch: number,
    private readonly deferred: MissingState[] | undefined,
    private readonly keys: AddressKeys,
  ) {}

  getActor(id: number): Actor | undefined {
    const held = heldActor(this.values, id, this.values.get(id, this.epoch));
    if (held) return held.deleted ? undefined : held;
    return this.source.getActor(id);
  }

  lookupId(address: FilAddress): number | undefined {
    const { keys } = this;
    return address.id ?? keys.idOf(address) ?? keys.found(address, this.values.getAddress(address, this.epoch) ?? this.source.lookupId(address));
  }

  getStorage(id: number, generation: number, slot: bigint): bigint {
    return this.storageAtKey(storageKey(id, generation, slot), id, generation, slot);
  }

  /** getStorage of the slot whose key (storageKey) the caller made already: an overlay on this state, for its own layers. */
  storageAtKey(key: string, id: number, generation: number, slot: bigint): bigint {
    return (this.values.getKey(key, this.epoch) as bigint | undefined) ?? sourceSlot(this.source, this.deferred, id, generation, slot) ?? 0n;
  }

  nextId(): number {
    return (this.values.getKey(NEXT_ID_KEY, this.epoch) as number | undefined) ?? this.source.nextId() ?? FIRST_NON_SINGLETON_ID;
  }
}

/**
 * The state of a dropped branch after one of its epochs (StateTree.branchAt): what the branch wrote up
 * to it, else the tree as it was at the branch's base, else the source.
 */
class BranchAt implements StateReader {
  constructor(
    private readonly values: VersionedMap,
    private readonly source: StateSource,
    private readonly branch: StateBranch,
    private readonly epoch: number,
    private readonly deferred: MissingState[] | undefined,
  ) {}

  private held(key: string, ref: TreeRef | undefined): unknown {
    const written = this.branch.writes.valueAt(key, this.epoch);
    if (written !== undefined) return written;
    return ref === undefined ? this.values.getKeyAsOf(key, this.branch.base) : this.values.getAsOf(ref, this.branch.base);
  }

  getActor(id: number): Actor | undefined {
    const held = heldActor(this.values, id, this.held(actorKey(id), id));
    if (held) return held.deleted ? undefined : held;
    return this.source.getActor(id);
  }

  lookupId(address: FilAddress): number | undefined {
    return address.id ?? (this.held(addressKey(address), undefined) as number | undefined) ?? this.source.lookupId(address);
  }

  getStorage(id: number, generation: number, slot: bigint): bigint {
    return (this.held(storageKey(id, generation, slot), undefined) as bigint | undefined) ?? sourceSlot(this.source, this.deferred, id, generation, slot) ?? 0n;
  }

  nextId(): number {
    return (this.held(NEXT_ID_KEY, undefined) as number | undefined) ?? this.source.nextId() ?? FIRST_NON_SINGLETON_ID;
  }
}

/** A slot the source holds; with `deferred`, one it has not fetched reads as undefined and is added there (StateTree.at). */
function sourceSlot(source: StateSource, deferred: MissingState[] | undefined, id: number, generation: number, slot: bigint): bigint | undefined {
  if (!deferred) return source.getStorage(id, generation, slot);
  try {
    return source.getStorage(id, generation, slot);
  } catch (error) {
    if (!(error instanceof MissingStateError)) throw error;
    deferred.push(...error.missing);
    return undefined;
  }
}

/**
 * The layer of an overlay or checkpoint nothing was written to yet: one empty Map for all, never
 * written (the first write gives the layer a Map of its own). A call's base layer and the EVM's
 * checkpoint of a read-only message stay empty: two Maps a call for nothing.
 */
const UNWRITTEN: Map<string, unknown> = new Map();

/**
 * Staged changes over a base state, with nested checkpoints: `checkpoint()` opens a layer,
 * `revert()` drops it, `commit()` folds it into the one below.
 */
export class StateOverlay implements StateReader {
  private readonly layers: Map<string, unknown>[] = [UNWRITTEN];
  #version = 0;
  /**
   * Whether an address was ever staged here (kept after a revert): until one is, lookupId asks the
   * state below without making the address's key to look for in the layers (a call stages none).
   */
  private addressesStaged = false;
  /** Whether a storage slot was ever staged here (kept after a revert): until one is, getStorage asks the state below at once (a call's reads stage none). */
  private storageStaged = false;

  constructor(
    private readonly base: StateReader,
    private readonly keys = new AddressKeys(),
  ) {}

  /** Moves whenever what this overlay reads may change (a write, a dropped layer): readers may keep what they read until it does. */
  get version(): number {
    return this.#version;
  }

  private read<V>(key: string): V | undefined {
    // No value staged is undefined: one lookup per layer written to (a call's are mostly checkpoints that hold nothing).
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      if (layer === UNWRITTEN) continue;
      const value = layer.get(key);
      if (value !== undefined) return value as V;
    }
    return undefined;
  }

  private write(key: string, value: unknown): void {
    this.#version++;
    const kind = key.charCodeAt(0);
    if (kind === 0x78 /* x: addressKey */) this.addressesStaged = true;
    else if (kind === 0x73 /* s: storageKey */) this.storageStaged = true;
    const top = this.layers.length - 1;
    let layer = this.layers[top];
    if (layer === UNWRITTEN) this.layers[top] = layer = new Map();
    layer.set(key, value);
  }

  getActor(id: number): Actor | undefined {
    const staged = this.read<Actor>(actorKey(id));
    if (staged) return staged.deleted ? undefined : staged;
    return this.base.getActor(id);
  }

  lookupId(address: FilAddress): number | undefined {
    if (address.id !== undefined) return address.id;
    return (this.addressesStaged ? this.read<number>(this.keys.of(address)) : undefined) ?? this.base.lookupId(address);
  }

  getStorage(id: number, generation: number, slot: bigint): bigint {
    if (!this.storageStaged) return this.base.getStorage(id, generation, slot);
    const key = storageKey(id, generation, slot);
    const staged = this.read<bigint>(key);
    if (staged !== undefined) return staged;
    // The tree's state below (a staging area's usual base) looks the slot up by the same key, not one made again.
    return this.base instanceof StateAt ? this.base.storageAtKey(key, id, generation, slot) : this.base.getStorage(id, generation, slot);
  }

  nextId(): number {
    return this.read<number>(NEXT_ID_KEY) ?? this.base.nextId();
  }

  putActor(actor: Actor): void {
    this.write(actorKey(actor.id), actor);
  }

  /** Deletes an actor: a tombstone stands in its place, so that neither the layers below nor a fork's upstream answer it. */
  deleteActor(id: number): void {
    const actor = this.getActor(id);
    if (actor) this.write(actorKey(id), { id, kind: actor.kind, nonce: actor.nonce, balance: 0n, deleted: true } satisfies Actor);
  }

  /** Registers a non-ID address of an actor in the init actor's map. */
  putAddress(address: FilAddress, id: number): void {
    this.write(this.keys.of(address), id);
  }

  putStorage(id: number, generation: number, slot: bigint, value: bigint): void {
    this.write(storageKey(id, generation, slot), value);
  }

  /** Marks the staged changes as a cheat code's edit, `id` from StateTree.newEditId. */
  markEdit(id: number): void {
    this.write(EDIT_KEY, id);
  }

  /** Takes the next actor ID (the init actor's NextID). */
  allocateId(): number {
    const id = this.nextId();
    this.write(NEXT_ID_KEY, id + 1);
    return id;
  }

  /** Opens a layer; returns the depth to give revertTo() to drop it and everything above it. */
  checkpoint(): number {
    this.layers.push(UNWRITTEN);
    return this.layers.length - 1;
  }

  /** Whether anything was written since checkpoint() returned `depth` (a read-only call must write nothing). */
  changedSince(depth: number): boolean {
    return this.layers.slice(depth).some((layer) => layer.size > 0);
  }

  /** Drops the layer a checkpoint() opened and any still open above it. */
  revertTo(depth: number): void {
    if (depth < 1 || depth > this.layers.length) throw new Error(`no checkpoint at depth ${depth}`);
    this.#version++;
    this.layers.length = depth;
  }

  commit(): void {
    if (this.layers.length < 2) throw new Error('commit without checkpoint');
    const top = this.layers.pop()!;
    if (top.size === 0) return;
    const at = this.layers.length - 1;
    const below = this.layers[at];
    // Nothing below yet: the layer itself is what it holds.
    if (below === UNWRITTEN) this.layers[at] = top;
    else for (const [key, value] of top) below.set(key, value);
  }

  revert(): void {
    if (this.layers.length < 2) throw new Error('revert without checkpoint');
    this.#version++;
    this.layers.pop();
  }

  /** Stages the changes of an overlay that was staged on top of this one (its `changes()`). */
  absorb(changes: Iterable<[string, unknown]>): void {
    for (const [key, value] of changes) this.write(key, value);
  }

  /** Every staged change, for StateTree.commit; only valid with no open checkpoint. */
  changes(): Iterable<[string, unknown]> {
    if (this.layers.length !== 1) throw new Error('open checkpoints remain');
    return this.layers[0];
  }
}
