// The keys of the simulated storage providers: one secp256k1 key per provider, derived from the
// mnemonic at m/44'/461'/0'/0/i (461 is Filecoin's SLIP-44 coin type), whose f1 address owns and
// works the provider's miner actor; and a libp2p peer ID per provider (an ed25519 key derived from it).
import { ed25519 } from '@noble/curves/ed25519.js';
import { base58btc } from 'multiformats/bases/base58';
import type { FilAddress } from '../../common/address.js';
import { blake2b256 } from '../../common/hashes.js';
import { concatBytes } from '../../common/hex.js';
import { secp256k1Address } from '../../fevm/signature.js';
import { hdKey } from '../hd-keys.js';

export const SP_DERIVATION_PATH = "m/44'/461'/0'/0";

export interface StorageProviderKey {
  /** The f1 address of the owner/worker key. */
  address: FilAddress;
  /** The secp256k1 secret, 32 bytes big-endian. */
  privateKey: Uint8Array;
  /** The provider's libp2p peer ID (an identity multihash of its ed25519 public key). */
  peerId: Uint8Array;
}

/** libp2p's protobuf PublicKey header for a 32-byte ed25519 key, inside an identity multihash of 36 bytes. */
const ED25519_PEER_ID_PREFIX = new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);

export function deriveStorageProviderKeys(mnemonic: string, count: number): StorageProviderKey[] {
  return Array.from({ length: count }, (_, i) => {
    const { privateKey, publicKey } = hdKey(mnemonic, SP_DERIVATION_PATH, i);
    const address = secp256k1Address(publicKey);
    const peerKey = ed25519.getPublicKey(blake2b256(concatBytes(new TextEncoder().encode('fvm-devnet peer id'), privateKey)));
    return { address, privateKey, peerId: concatBytes(ED25519_PEER_ID_PREFIX, peerKey) };
  });
}

/** A peer ID as libp2p prints it: base58btc without a multibase prefix ("12D3KooW…"). */
export function peerIdString(peerId: Uint8Array): string {
  return base58btc.baseEncode(peerId);
}
