// resolve_address (0xfe00…01): raw Filecoin address bytes in (not ABI-encoded), the actor ID out as
// one 32-byte word, or empty output if the address resolves to no actor. Bytes that are no address
// fail the precompile. Any call kind. Only a non-ID address costs the resolve_address syscall.
// (builtin-actors precompiles/fvm.rs resolve_address)
import { EAM_NAMESPACE, FilAddress, Protocol, isMaskedId } from '../common/address.js';
import { PrecompileError, word } from './abi.js';
import type { PrecompileRuntime } from './runtime.js';

const EMPTY = new Uint8Array();

export function resolveAddress(input: Uint8Array, runtime: PrecompileRuntime): Uint8Array {
  let address: FilAddress;
  try {
    address = FilAddress.fromBytes(input);
  } catch (error) {
    const fvmOnly = fvmOnlyAddress(input);
    if (fvmOnly === 'unassignable') {
      // The syscall runs, and finds nothing.
      runtime.resolveAddress(undefined);
      return EMPTY;
    }
    if (fvmOnly) return word(fvmOnly);
    throw new PrecompileError('InvalidInput', `not a Filecoin address: ${(error as Error).message}`);
  }
  // An ID address is its ID, existing or not, with no syscall (fvm_sdk actor::resolve_address).
  if (address.id !== undefined) return word(BigInt(address.id));
  const id = runtime.resolveAddress(address);
  return id === undefined ? EMPTY : word(BigInt(id));
}

/**
 * Addresses the FVM parses but FilAddress refuses: an ID beyond 2^53 (its ID); a namespace beyond
 * 2^53, or an f410 embedding a masked ID (the EAM never assigns one): 'unassignable'. Undefined:
 * not an address at all.
 */
function fvmOnlyAddress(bytes: Uint8Array): bigint | 'unassignable' | undefined {
  const first = leb128(bytes, 1);
  if (!first) return undefined;
  if (bytes[0] === Protocol.ID) {
    return first.end === bytes.length && first.value > BigInt(Number.MAX_SAFE_INTEGER) ? first.value : undefined;
  }
  if (bytes[0] !== Protocol.Delegated) return undefined;
  const sub = bytes.subarray(first.end);
  if (sub.length > 54) return undefined;
  const unassignable = first.value > BigInt(Number.MAX_SAFE_INTEGER) || (first.value === BigInt(EAM_NAMESPACE) && isMaskedId(sub));
  return unassignable ? 'unassignable' : undefined;
}

/** An unsigned LEB128 u64 at `offset`, minimally encoded, as unsigned-varint reads it. */
function leb128(bytes: Uint8Array, offset: number): { value: bigint; end: number } | undefined {
  let value = 0n;
  for (let i = 0; i < 10 && offset + i < bytes.length; i++) {
    const byte = bytes[offset + i];
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      if (i > 0 && byte === 0) return undefined;
      return value >> 64n === 0n ? { value, end: offset + i + 1 } : undefined;
    }
  }
  return undefined;
}
