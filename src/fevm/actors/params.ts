// Reading builtin-actor params from decoded CBOR: each reader checks one field's shape and names it in
// the serialization error (exit code 21) that a malformed message gets, as builtin-actors' decoding does.
import { FilAddress } from '../../common/address.js';
import { CID, decodeBigInt } from '../../common/cbor.js';
import { ExitCode } from '../exit-code.js';
import { ActorError } from './runtime.js';

export function serializationError(what: string): ActorError {
  return new ActorError(ExitCode.ErrSerialization, `failed to decode ${what}`);
}

export function tuple(value: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length) throw serializationError(`${what}: expected a tuple of ${length}`);
  return value;
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw serializationError(`${what}: expected a list`);
  return value;
}

/** An unsigned integer that fits a JavaScript number (IDs, epochs, sizes up to 2^53). */
export function u64(value: unknown, what: string): number {
  const n = typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw serializationError(`${what}: expected an unsigned integer`);
  return n;
}

/** A u64 that may pass 2^53 − 1 (a payment channel's lanes and nonces), kept whole as a bigint. */
export function u64Big(value: unknown, what: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) throw serializationError(`${what}: expected an unsigned integer`);
  return value;
}

/** A signed integer (ChainEpoch). */
export function i64(value: unknown, what: string): number {
  const n = typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw serializationError(`${what}: expected an integer`);
  return n;
}

/** A TokenAmount / BigInt: sign byte and magnitude; leading zeros are accepted, as FVM does (at most 128 bytes). */
export function bigInt(value: unknown, what: string): bigint {
  if (!(value instanceof Uint8Array) || value.length > 128) throw serializationError(`${what}: expected a big integer`);
  try {
    return decodeBigInt(value);
  } catch {
    throw serializationError(`${what}: expected a big integer`);
  }
}

export function bytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw serializationError(`${what}: expected bytes`);
  return value;
}

export function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw serializationError(`${what}: expected a boolean`);
  return value;
}

export function cid(value: unknown, what: string): CID {
  const parsed = CID.asCID(value);
  if (!parsed) throw serializationError(`${what}: expected a CID`);
  return parsed;
}

export function address(value: unknown, what: string): FilAddress {
  try {
    return FilAddress.fromBytes(bytes(value, what));
  } catch (error) {
    if (error instanceof ActorError) throw error;
    throw serializationError(`${what}: invalid address (${(error as Error).message})`);
  }
}

export function optional<T>(value: unknown, read: (value: unknown, what: string) => T, what: string): T | undefined {
  return value === null || value === undefined ? undefined : read(value, what);
}

/**
 * A crypto Signature as its CBOR bytes carry it: a type byte, then the signature. builtin-actors v18's
 * fvm_shared (~4.8) knows secp256k1 (1) and BLS (2) only: any other byte, a delegated key's 3
 * included, is a decode error (21).
 */
export function signature(value: unknown, what: string): { type: number; data: Uint8Array } {
  const raw = bytes(value, what);
  if (raw.length === 0) throw serializationError(`${what}: Cannot deserialize empty bytes`);
  if (raw[0] !== 1 && raw[0] !== 2) throw serializationError(`${what}: Invalid signature type byte (must be 1 or 2)`);
  return { type: raw[0], data: raw.subarray(1) };
}
