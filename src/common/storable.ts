// Plain data with big integers and maps, as dag-cbor can store it and back: the state-file form of
// the builtin actors' states. A bigint becomes `{$big: <Filecoin big-int bytes>}`, a Map becomes
// `{$map: [[key, value]…]}`; CIDs, bytes, strings, numbers, booleans, null, arrays and objects pass
// through. State objects never use keys starting with `$`, so the two forms cannot be confused.
import { CID } from 'multiformats/cid';
import { decodeBigInt, encodeBigInt } from './cbor.js';

export function toStorable(value: unknown): unknown {
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
