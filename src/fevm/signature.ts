// Checks the signature of a native Filecoin message (chain/types/signedmessage.go, lib/sigs):
// secp256k1 signs blake2b-256 of the unsigned message's CID bytes (65 bytes r‖s‖v, recovered to the
// f1 key hash); BLS signs the CID bytes themselves (96-byte G2 signature, 48-byte public key in the f3).
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { FilAddress, Protocol } from '../common/address.js';
import { blake2b160, blake2b256 } from '../common/hashes.js';
import { recoverPublicKey } from '../common/secp256k1.js';
import { messageCid, SigType, type SignedMessage } from './message.js';

/** The f1 address of an uncompressed secp256k1 public key. */
export function secp256k1Address(publicKey: Uint8Array): FilAddress {
  return FilAddress.fromPayload(Protocol.Secp256k1, blake2b160(publicKey));
}

/** Whether `sm` carries a valid signature by the key behind `keyAddress` (an f1 or f3 address). */
export function verifyNativeSignature(sm: SignedMessage, keyAddress: FilAddress): boolean {
  return verifySignature(sm.signature.type, sm.signature.data, messageCid(sm.message).bytes, keyAddress);
}

/**
 * Whether `signature` (of `type`) signs `data` for the key behind `keyAddress`, as the FVM's
 * verify_signature checks it: secp256k1 over blake2b-256 of the data, BLS over the data itself.
 */
export function verifySignature(type: number, signature: Uint8Array, data: Uint8Array, keyAddress: FilAddress): boolean {
  try {
    if (type === SigType.Secp256k1 && keyAddress.protocol === Protocol.Secp256k1) {
      if (signature.length !== 65 || signature[64] > 1) return false;
      const publicKey = recoverPublicKey(blake2b256(data), signature.subarray(0, 64), signature[64]);
      return publicKey !== null && secp256k1Address(publicKey).equals(keyAddress);
    }
    if (type === SigType.BLS && keyAddress.protocol === Protocol.BLS) {
      if (signature.length !== 96) return false;
      const bls = bls12_381.longSignatures;
      return bls.verify(bls.Signature.fromBytes(signature), bls.hash(data), keyAddress.payload);
    }
  } catch {
    return false;
  }
  return false;
}
