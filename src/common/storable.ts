// Plain data with big integers and maps, as dag-cbor can store it and back: the state-file form of
// the builtin actors' states. A bigint becomes `{$big: <Filecoin big-int bytes>}`, a Map becomes
// `{$map: [[key, value]…]}`, a value with a shape of its own the list of pairs its `storedPairs()`
// returns; CIDs, bytes, strings, numbers, booleans, null, arrays and objects pass through. State
// objects never use keys starting with `$`, so these forms cannot be confused.
//
// A value written again (an actor at a later epoch) can be stored as what changed from the value
// before it (`toStorableChange`): an object as `{$set: {field: change…}, $unset?: [field…]}`, a Map as
// `{$mapSet: [[key, change]…], $mapUnset?: [key…]}`, a value of pairs as `{$pairsSet: [[key, item]…],
// $pairsUnset?: [key…]}`, each only for the fields and entries that are
// not the same as before; anything else whole. Values are immutable, so an unchanged part is most
// often the very same object, and that is checked first: a storage provider's miner, paid the block
// reward each epoch, is stored as its new balance, not with every sector record again.
import { CID } from 'multiformats/cid';
import { AppendedMap } from './appended-map.js';
import { decodeBigInt, encodeBigInt } from './cbor.js';
import { equalBytes } from './hex.js';
import { SharedMap } from './shared-map.js';

/** A list of [key, item] pairs, ascending by key. */
export type Pairs = readonly (readonly [key: number, item: unknown])[];

/**
 * A value kept in a shape of its own (the cron actor's queue) that files store as the pairs it
 * stands for, and read back as that list; written again, as the pairs set and unset since.
 */
export interface StoredAsPairs {
  storedPairs(): Pairs;
  /**
   * The pairs set (with the item before, if any) and the keys unset since `previous`, in key order,
   * when this value can tell them without listing both (undefined: the lists are compared).
   */
  pairsChangedFrom?(previous: StoredAsPairs): PairsChange | undefined;
}

/** What changed in a value stored as pairs: the pairs set, each with the item it had before if any, and the keys unset, ascending. */
export interface PairsChange {
  set: [key: number, item: unknown, before: { item: unknown } | undefined][];
  unset: number[];
}

const isStoredAsPairs = (value: unknown): value is StoredAsPairs => typeof (value as Partial<StoredAsPairs> | null)?.storedPairs === 'function';

/**
 * Pairs read back from a change (`$pairsSet`): still stored as pairs when written again, so that a
 * chain loaded and saved is the same bytes. Kept by key in a SharedMap, so that the versions a loaded
 * chain keeps share their pairs, and one made from another by a change tells what changed without
 * listing either.
 */
export class ReadPairs implements StoredAsPairs {
  private constructor(private readonly byKey: SharedMap<number, unknown>) {}

  static of(pairs: Pairs): ReadPairs {
    return new ReadPairs(new SharedMap(pairs));
  }

  /** `previous` (pairs, or a list of them) with the keys `unset` taken out and the pairs `set` put in. */
  static changed(previous: ReadPairs | Pairs, set: Pairs, unset: readonly number[]): ReadPairs {
    const byKey = previous instanceof ReadPairs ? previous.byKey.copy() : new SharedMap(previous);
    for (const key of unset) byKey.delete(key);
    for (const [key, item] of set) byKey.set(key, item);
    return new ReadPairs(byKey);
  }

  /** The pairs, ascending by key. */
  get pairs(): Pairs {
    return [...this.byKey].sort(([a], [b]) => a - b);
  }

  storedPairs(): Pairs {
    return this.pairs;
  }

  pairsChangedFrom(previous: StoredAsPairs): PairsChange | undefined {
    if (!(previous instanceof ReadPairs)) return undefined;
    const { set, deleted } = this.byKey.entriesChangedFrom(previous.byKey);
    return { set: set.sort(([a], [b]) => a - b).map(([key, item, before]) => [key, item, before && { item: before.value }]), unset: deleted.sort((a, b) => a - b) };
  }
}

export function toStorable(value: unknown): unknown {
  if (isStoredAsPairs(value)) return toStorable(value.storedPairs());
  if (typeof value === 'bigint') return { $big: encodeBigInt(value) };
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [toStorable(k), toStorable(v)]) };
  if (Array.isArray(value)) return value.map(toStorable);
  if (value === undefined || value === null || typeof value !== 'object') return value ?? null;
  if (value instanceof Uint8Array || CID.asCID(value)) return value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, toStorable(v)]));
}

export function fromStorable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromStorable);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || CID.asCID(value)) return value;
  const object = value as Record<string, unknown>;
  if (object.$big instanceof Uint8Array) return decodeBigInt(object.$big);
  if (Array.isArray(object.$map)) return new Map(object.$map.map(([k, v]: [unknown, unknown]) => [fromStorable(k), fromStorable(v)]));
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fromStorable(v)]));
}

/** An object toStorable stores field by field (not a bigint, Map, array, bytes or CID). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Map) && !Array.isArray(value) && !(value instanceof Uint8Array) && !CID.asCID(value) && !isStoredAsPairs(value);
}

/** A Map that is only what it holds, plain, a SharedMap or an AppendedMap (a fork's LazyMap also reads what it does not hold: stored whole). */
const isPlainMap = (value: unknown): value is Map<unknown, unknown> => value instanceof Map && (value.constructor === Map || value.constructor === SharedMap || value.constructor === AppendedMap);

/**
 * `value` stored as a change from `previous` (the value before it under the same key): what fromStorableChange
 * makes `value` again from `previous`. Whole (toStorable) when there is nothing to compare with.
 */
export function toStorableChange(value: unknown, previous: unknown): unknown {
  const change = changeOf(value, previous);
  return change === UNCHANGED ? (isRecord(value) ? { $set: {} } : toStorable(value)) : change;
}

const UNCHANGED = Symbol('unchanged');

function changeOf(value: unknown, previous: unknown): unknown {
  if (value === previous) return UNCHANGED;
  if (isPlainMap(value) && value instanceof SharedMap && previous instanceof SharedMap && value.sameAs(previous)) return UNCHANGED;
  if (isRecord(value) && isRecord(previous)) return recordChange(value, previous);
  if (isPlainMap(value) && isPlainMap(previous)) return mapChange(value, previous);
  // The value before may be the whole list a file held (what fromStorable read).
  if (isStoredAsPairs(value) && (isStoredAsPairs(previous) || Array.isArray(previous))) {
    const change = isStoredAsPairs(previous) ? value.pairsChangedFrom?.(previous) : undefined;
    if (change) return storedPairsChange(change);
    return storedPairsChange(pairsChangeOf(value.storedPairs(), isStoredAsPairs(previous) ? previous.storedPairs() : (previous as Pairs)));
  }
  return same(value, previous) ? UNCHANGED : toStorable(value);
}

/**
 * The pairs of `now` that are new or hold another item than under the same key in `was` (with the item
 * before), and the keys of `was` gone, walking both lists in key order; added to `change`.
 */
export function pairsChangeOf(now: Pairs, was: Pairs, change: PairsChange = { set: [], unset: [] }): PairsChange {
  let j = 0;
  for (const [key, item] of now) {
    while (j < was.length && was[j]![0] < key) change.unset.push(was[j++]![0]);
    const before = was[j]?.[0] === key ? was[j++]![1] : undefined;
    if (before !== item) change.set.push([key, item, before === undefined ? undefined : { item: before }]);
  }
  while (j < was.length) change.unset.push(was[j++]![0]);
  return change;
}

/** A change of pairs as files store it: the pairs whose items store alike left out. */
function storedPairsChange({ set, unset }: PairsChange): unknown {
  const stored = set.filter(([, item, before]) => before === undefined || changeOf(item, before.item) !== UNCHANGED).map(([key, item]) => [key, toStorable(item)]);
  if (stored.length === 0 && unset.length === 0) return UNCHANGED;
  return unset.length === 0 ? { $pairsSet: stored } : { $pairsSet: stored, $pairsUnset: unset };
}

function recordChange(value: Record<string, unknown>, previous: Record<string, unknown>): unknown {
  const set: Record<string, unknown> = {};
  let changed = false;
  for (const key in value) {
    const field = value[key];
    if (field === undefined) continue;
    const change = changeOf(field, previous[key]);
    if (change === UNCHANGED) continue;
    set[key] = change;
    changed = true;
  }
  const unset: string[] = [];
  for (const key in previous) if (previous[key] !== undefined && value[key] === undefined) unset.push(key);
  if (!changed && unset.length === 0) return UNCHANGED;
  return unset.length === 0 ? { $set: set } : { $set: set, $unset: unset };
}

/**
 * A Map's changed entries, when its keys are plain values in the order the change keeps (the
 * previous keys still there in their order, then the new ones), so that the Map made again iterates
 * as this one does; otherwise the Map whole.
 */
function mapChange(value: Map<unknown, unknown>, previous: Map<unknown, unknown>): unknown {
  if (value instanceof SharedMap && previous instanceof SharedMap) return sharedMapChange(value, previous);
  // A version appended to the one before: its new entries, without comparing the others (the same objects).
  const appended = value instanceof AppendedMap && previous instanceof AppendedMap ? value.appendedSince(previous) : undefined;
  if (appended) return appended.length === 0 ? UNCHANGED : { $mapSet: appended.map(([key, entry]) => [toStorable(key), toStorable(entry)]) };
  const kept: unknown[] = [];
  const unset: unknown[] = [];
  for (const key of previous.keys()) {
    if (value.has(key)) kept.push(key);
    else unset.push(toStorable(key));
  }
  const set: [unknown, unknown][] = [];
  let at = 0;
  for (const [key, entry] of value) {
    if (typeof key === 'object' && key !== null) return toStorable(value);
    if (at < kept.length) {
      if (key !== kept[at++]) return toStorable(value);
      const change = changeOf(entry, previous.get(key));
      if (change !== UNCHANGED) set.push([toStorable(key), change]);
    } else set.push([toStorable(key), toStorable(entry)]);
  }
  if (set.length === 0 && unset.length === 0) return UNCHANGED;
  return unset.length === 0 ? { $mapSet: set } : { $mapSet: set, $mapUnset: unset };
}

/**
 * mapChange of two versions of a builtin actor's table: the same change, found along the branches
 * they do not share (SharedMap.changesFrom) rather than by walking every entry of both, which made
 * each state write of the market's cron cost as much as all its deals.
 */
function sharedMapChange(value: SharedMap<unknown, unknown>, previous: SharedMap<unknown, unknown>): unknown {
  const changes = value.changesFrom(previous);
  if (!changes) return toStorable(value);
  const set: [unknown, unknown][] = [];
  for (const [key, entry, before] of changes.set) {
    const change = before ? changeOf(entry, before.value) : toStorable(entry);
    if (change !== UNCHANGED) set.push([toStorable(key), change]);
  }
  if (set.length === 0 && changes.deleted.length === 0) return UNCHANGED;
  const unset = changes.deleted.map(toStorable);
  return unset.length === 0 ? { $mapSet: set } : { $mapSet: set, $mapUnset: unset };
}

/** Whether two values that are not both objects or both Maps store alike (bigints, bytes, CIDs, arrays of them). */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return equalBytes(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => changeOf(item, b[i]) === UNCHANGED);
  const cid = CID.asCID(a);
  if (cid) return cid.equals(b);
  return false;
}

/** The value a toStorableChange stored: made from `previous`, sharing its unchanged parts. Throws for a change to a value that is not there. */
export function fromStorableChange(stored: unknown, previous: unknown): unknown {
  if (!isRecord(stored)) return fromStorable(stored);
  if ('$set' in stored) {
    if (!isRecord(stored.$set) || !isRecord(previous)) throw new Error('a change to a value that is not there');
    const value: Record<string, unknown> = { ...previous };
    for (const [key, change] of Object.entries(stored.$set)) {
      // No state object has one: set, it would replace the value's prototype.
      if (key === '__proto__') throw new Error('a change to a field __proto__');
      value[key] = fromStorableChange(change, previous[key]);
    }
    for (const key of keyList(stored.$unset)) delete value[key as string];
    return value;
  }
  if ('$mapSet' in stored) {
    if (!Array.isArray(stored.$mapSet) || !isPlainMap(previous)) throw new Error('a change to a Map that is not there');
    const unset = keyList(stored.$mapUnset).map(fromStorable);
    const set = (stored.$mapSet as [unknown, unknown][]).map(([key, change]) => [fromStorable(key), change] as const);
    // A version appended to the one before (mapChange stores it as its new entries): appended again, sharing the rest.
    if (previous instanceof AppendedMap && unset.length === 0 && set.every(([key]) => typeof key === 'number')) {
      let appended: AppendedMap<unknown> = previous;
      for (const [key, change] of set) appended = AppendedMap.with(appended, key as number, fromStorableChange(change, previous.get(key)));
      return appended;
    }
    const value = changedCopy(previous, set.every(([key]) => isSharedMapKey(key)));
    for (const key of unset) value.delete(key);
    for (const [key, change] of set) value.set(key, fromStorableChange(change, previous.get(key)));
    return value;
  }
  if ('$pairsSet' in stored) {
    const before = previous instanceof ReadPairs || !isStoredAsPairs(previous) ? previous : previous.storedPairs();
    if (!Array.isArray(stored.$pairsSet) || !(before instanceof ReadPairs || Array.isArray(before))) throw new Error('a change to a list of pairs that is not there');
    const set = (stored.$pairsSet as [unknown, unknown][]).map(([key, item]): [number, unknown] => [pairKey(key), fromStorable(item)]);
    return ReadPairs.changed(before as ReadPairs | Pairs, set, keyList(stored.$pairsUnset).map(pairKey));
  }
  return fromStorable(stored);
}

const isSharedMapKey = (key: unknown): boolean => typeof key === 'number' || typeof key === 'string' || typeof key === 'bigint';

/**
 * A copy of `previous` to change: a SharedMap when the keys allow (a plain Map, as a file's first
 * version of a table reads, becomes one, as the running node's tables do at their first change), so
 * that the versions a loaded chain keeps share their entries rather than each being a whole copy.
 */
function changedCopy(previous: Map<unknown, unknown>, newKeysFit: boolean): Map<unknown, unknown> {
  if (!newKeysFit) return new Map(previous);
  if (previous instanceof SharedMap) return previous.copy();
  for (const key of previous.keys()) if (!isSharedMapKey(key)) return new Map(previous);
  return new SharedMap(previous);
}

function pairKey(key: unknown): number {
  if (typeof key !== 'number') throw new Error('a change to a list of pairs whose key is not a number');
  return key;
}

function keyList(keys: unknown): unknown[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys)) throw new Error('a change whose removed keys are not a list');
  return keys;
}
