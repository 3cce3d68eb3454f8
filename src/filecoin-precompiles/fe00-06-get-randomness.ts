// get_randomness (0xfe00…06, FIP-0095, since nv24): one word holding an epoch (i64: the upper 24
// bytes must be zero) in, 32 bytes of beacon randomness for that epoch out: blake2b-256 of the
// beacon entry's data, as Lotus GetBeaconRandomness gives it, with no domain tag or entropy mixed
// in. A future epoch runs the caller out of gas (ref-fvm charges its negative lookback saturated), a
// negative one draws the genesis entry, one too far back fails the precompile. Any call kind.
// (builtin-actors precompiles/fvm.rs)
import { PrecompileError, WordReader } from './abi.js';
import type { PrecompileRuntime } from './runtime.js';

export function getRandomness(input: Uint8Array, runtime: PrecompileRuntime): Uint8Array {
  const epoch = new WordReader(input).readI64('epoch');
  const randomness = runtime.beaconRandomness(epoch);
  if (!randomness) throw new PrecompileError('InvalidInput', `cannot draw beacon randomness for epoch ${epoch}`);
  return randomness;
}
