// The FEVM's own precompiles, at 0xfe00…<index>, one file each, named by address. The Ethereum ones
// (0x01–0x09, BLS 0x0b–0x11, P256VERIFY 0x0100) come from @ethereumjs/evm; src/fevm/actors/evm wires
// both into the EVM. Table as in builtin-actors v17 (nv27) and v18 (nv28) precompiles/mod.rs: 0xfe…04 (get_actor_type) was never
// enabled, and 0xfe…07 onwards are empty; like every reserved address without a precompile, calling
// them succeeds with empty output.
import { equalBytes } from '../common/hex.js';
import { PrecompileError } from './abi.js';
import { resolveAddress } from './fe00-01-resolve-address.js';
import { lookupDelegatedAddress } from './fe00-02-lookup-delegated-address.js';
import { callActor } from './fe00-03-call-actor.js';
import { callActorId } from './fe00-05-call-actor-id.js';
import { getRandomness } from './fe00-06-get-randomness.js';
import type { FilecoinPrecompile, PrecompileRuntime } from './runtime.js';

export * from './runtime.js';

export interface FilecoinPrecompileEntry {
  /** The 20-byte Ethereum address 0xfe ‖ 18 zero bytes ‖ index. */
  address: Uint8Array;
  name: string;
  run: FilecoinPrecompile;
}

/** The prefix byte of the Filecoin precompiles' addresses. */
const NATIVE_PRECOMPILE_PREFIX = 0xfe;

function nativePrecompileAddress(index: number): Uint8Array {
  const address = new Uint8Array(20);
  address[0] = NATIVE_PRECOMPILE_PREFIX;
  address[19] = index;
  return address;
}

export const FILECOIN_PRECOMPILES: readonly FilecoinPrecompileEntry[] = [
  { address: nativePrecompileAddress(1), name: 'resolve_address', run: resolveAddress },
  { address: nativePrecompileAddress(2), name: 'lookup_delegated_address', run: lookupDelegatedAddress },
  { address: nativePrecompileAddress(3), name: 'call_actor', run: callActor },
  { address: nativePrecompileAddress(5), name: 'call_actor_id', run: callActorId },
  { address: nativePrecompileAddress(6), name: 'get_randomness', run: getRandomness },
];

const ZERO_MIDDLE = new Uint8Array(18);
const P256VERIFY_ADDRESS = Uint8Array.from({ length: 20 }, (_, i) => (i === 18 ? 0x01 : 0));

/**
 * Whether CALLs to this address go to the precompile path (never to an actor): first byte 0x00 or
 * 0xfe, 18 zero bytes, a non-zero last byte, and P256VERIFY's 0x…0100 (nv28; builtin-actors
 * is_reserved_precompile_address).
 */
export function isReservedPrecompileAddress(eth: Uint8Array): boolean {
  if (eth.length !== 20) return false;
  if (eth[19] === 0) return equalBytes(eth, P256VERIFY_ADDRESS);
  return (eth[0] === 0x00 || eth[0] === NATIVE_PRECOMPILE_PREFIX) && equalBytes(eth.subarray(1, 19), ZERO_MIDDLE);
}

type PrecompileOutcome = { ok: true; output: Uint8Array } | { ok: false; error: PrecompileError };

/** Runs a precompile; a PrecompileError becomes a failed outcome, anything else (a bug) propagates. */
export async function runFilecoinPrecompile(precompile: FilecoinPrecompile, input: Uint8Array, runtime: PrecompileRuntime): Promise<PrecompileOutcome> {
  try {
    return { ok: true, output: await precompile(input, runtime) };
  } catch (error) {
    if (error instanceof PrecompileError) return { ok: false, error };
    throw error;
  }
}
