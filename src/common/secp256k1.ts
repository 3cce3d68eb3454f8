// secp256k1 public-key recovery, the hot path of accepting a transaction, and public keys of
// secrets, which start-up derives for every dev account. Recovery uses the `secp256k1` package:
// libsecp256k1 as a Node addon, loaded from the prebuilt binaries the package ships (no install
// script, no compiler); a recovery takes ~0.05 ms there where @noble/curves takes ~1 ms. Loading the
// addon takes ~15 ms, so it is loaded by the first recovery, not at start-up; public keys come from
// Node's own libcrypto (ECDH), which needs no loading and no precomputed table (noble's first
// multiplication builds one: ~60 ms).
import { createECDH } from 'node:crypto';
import { createRequire } from 'node:module';
import { keccak256 } from './hashes.js';

type Libsecp256k1 = typeof import('secp256k1');
let addon: Libsecp256k1 | undefined;

function libsecp256k1(): Libsecp256k1 {
  return (addon ??= createRequire(import.meta.url)('secp256k1') as Libsecp256k1);
}

/** The uncompressed (65-byte) public key that signed `digest` with r‖s `signature`, or null. */
export function recoverPublicKey(digest: Uint8Array, signature: Uint8Array, recoveryId: number): Uint8Array | null {
  // Loaded outside the try: a package that cannot be loaded is the install's error, not a bad signature.
  const lib = libsecp256k1();
  try {
    return lib.ecdsaRecover(signature, recoveryId, digest, false);
  } catch {
    return null;
  }
}

/** The Ethereum address of an uncompressed public key: the last 20 bytes of keccak-256 of its x‖y. */
export function publicKeyEthAddress(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey.subarray(1)).subarray(12);
}

/** The public key of a 32-byte secret (1 ≤ secret < n): compressed (33 bytes) or uncompressed (65). */
export function publicKeyOf(secret: Uint8Array, compressed: boolean): Uint8Array {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(secret);
  return new Uint8Array(ecdh.getPublicKey(null, compressed ? 'compressed' : 'uncompressed'));
}
