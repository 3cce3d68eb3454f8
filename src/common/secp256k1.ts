// secp256k1 public-key recovery, the hot path of accepting a transaction. It uses the `secp256k1`
// package: libsecp256k1 as a Node addon, loaded from the prebuilt binaries the package ships (no
// install script, no compiler). It takes ~0.05 ms here where @noble/curves takes ~1 ms.
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
