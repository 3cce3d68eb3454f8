// lookup_delegated_address (0xfe00…02): one word holding an actor ID (u64) in, the raw bytes of the
// actor's delegated (f4) address out, e.g. 0x040a ‖ 20-byte Ethereum address, or empty output if it
// has none (f1 accounts, builtin actors, unknown IDs). An ID beyond u64 fails the precompile.
// (builtin-actors precompiles/fvm.rs lookup_delegated_address)
import { WordReader } from './abi.js';
import type { PrecompileRuntime } from './runtime.js';

export function lookupDelegatedAddress(input: Uint8Array, runtime: PrecompileRuntime): Uint8Array {
  const id = new WordReader(input).readUint(64, 'actor id');
  return runtime.lookupDelegatedAddress(id)?.bytes ?? new Uint8Array();
}
