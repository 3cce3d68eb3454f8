// The devnet's randomness beacon. Filecoin draws randomness from drand; the devnet has no drand, so
// it derives a deterministic beacon from a seed (DevnetConfig.seed, carried by ExecutionContext):
//
//   beacon entry data for epoch e   = blake2b-256(seed ‖ i64be(e))
//   beacon randomness for epoch e   = blake2b-256(entry data)          (Lotus GetBeaconRandomness;
//                                                                        the get_randomness precompile)
//   PREVRANDAO at the current epoch = blake2b-256(i64be(10) ‖ beacon randomness(e) ‖ i64be(e) ‖ "prevrandao")
//                                     (builtin-actors draw_randomness with DST EvmPrevRandao = 10)
//
// so anyone who knows the seed can recompute every value a contract sees.
import { blake2b256 } from '../common/hashes.js';
import { concatBytes } from '../common/hex.js';

/** The default seed: the ASCII bytes of "fvm-devnet". */
export const DEFAULT_BEACON_SEED: Uint8Array = new TextEncoder().encode('fvm-devnet');

/** builtin-actors DomainSeparationTag::EvmPrevRandao. */
const DST_EVM_PREVRANDAO = 10n;
const PREVRANDAO_ENTROPY = new TextEncoder().encode('prevrandao');

function i64be(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(n));
  return out;
}

/** The data of the devnet beacon's entry for `epoch`. */
export function beaconEntryData(seed: Uint8Array, epoch: number): Uint8Array {
  return blake2b256(concatBytes(seed, i64be(epoch)));
}

/** What Lotus GetBeaconRandomness returns for `epoch`: blake2b-256 of the entry's data. */
export function beaconRandomness(seed: Uint8Array, epoch: number): Uint8Array {
  return blake2b256(beaconEntryData(seed, epoch));
}

/** Lotus DrawRandomnessFromDigest: blake2b-256(i64be(tag) ‖ digest ‖ i64be(epoch) ‖ entropy). */
function drawRandomness(tag: bigint, digest: Uint8Array, epoch: number, entropy: Uint8Array): Uint8Array {
  return blake2b256(concatBytes(i64be(tag), digest, i64be(epoch), entropy));
}

/** builtin-actors draw_randomness over the beacon randomness of `epoch`. */
export function drawBeaconRandomness(seed: Uint8Array, tag: bigint, epoch: number, entropy: Uint8Array): Uint8Array {
  return drawRandomness(tag, beaconRandomness(seed, epoch), epoch, entropy);
}

/** Lotus's chain randomness digest (chain/rand/rand.go getChainRandomness): blake2b-256 of the epoch's (smallest) block ticket. */
export function ticketDigest(ticket: Uint8Array): Uint8Array {
  return blake2b256(ticket);
}

/** Lotus's ticket randomness: drawn over the ticket digest. */
export function drawTicketRandomness(ticket: Uint8Array, tag: bigint, epoch: number, entropy: Uint8Array): Uint8Array {
  return drawRandomness(tag, ticketDigest(ticket), epoch, entropy);
}

/** What PREVRANDAO gives at `epoch` (the current epoch's beacon, not the previous one's). */
export function prevRandao(seed: Uint8Array, epoch: number): Uint8Array {
  return drawBeaconRandomness(seed, DST_EVM_PREVRANDAO, epoch, PREVRANDAO_ENTROPY);
}
