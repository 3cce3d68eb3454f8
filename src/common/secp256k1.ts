// secp256k1 public-key recovery, the hot path of accepting a transaction, and public keys of
// secrets, which start-up derives for every dev account. It uses the `secp256k1` package:
// libsecp256k1 as a Node addon, loaded from the prebuilt binaries the package ships (no install
// script, no compiler). A recovery takes ~0.05 ms here where @noble/curves takes ~1 ms; a public key
// needs no precomputed table (noble's first multiplication builds one: ~60 ms of start-up).
import secp256k1 from 'secp256k1';
import { keccak256 } from './hashes.js';

/** The uncompressed (65-byte) public key that signed `digest` with r‖s `signature`, or null. */
export function recoverPublicKey(digest: Uint8Array, signature: Uint8Array, recoveryId: number): Uint8Array | null {
  try {
    return secp256k1.ecdsaRecover(signature, recoveryId, digest, false);
  } catch {
    return null;
  }
}

/** The Ethereum address of an uncompressed public key: the last 20 bytes of keccak-256 of its x‖y. */
export function publicKeyEthAddress(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey.subarray(1)).subarray(12);
}

/** The public key of a 32-byte secret: compressed (33 bytes) or uncompressed (65). */
export function publicKeyOf(secret: Uint8Array, compressed: boolean): Uint8Array {
  return secp256k1.publicKeyCreate(secret, compressed);
}
