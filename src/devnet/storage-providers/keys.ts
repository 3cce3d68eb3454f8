// The keys of the simulated storage providers: one secp256k1 key per provider, derived from the
// mnemonic at m/44'/461'/0'/0/i (461 is Filecoin's SLIP-44 coin type), whose f1 address owns and
// works the provider's miner actor; and a libp2p peer ID per provider (an ed25519 key derived from it).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { base58btc } from 'multiformats/bases/base58';
import type { FilAddress } from '../../common/address.js';
import { blake2b256 } from '../../common/hashes.js';
import { concatBytes } from '../../common/hex.js';
import { secp256k1Address } from '../../fevm/signature.js';
import { builtPeerKey, hdKey } from '../hd-keys.js';

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
/** RFC 8410's PKCS #8 wrapping of a 32-byte Ed25519 secret, as Node's crypto takes it. */
const ED25519_PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/**
 * The Ed25519 public key of a secret, by Node's crypto (OpenSSL): JavaScript curve code builds a
 * precomputed table on first use, ~40 ms of start-up. The SPKI encoding ends with the 32-byte key.
 */
function ed25519PublicKey(secret: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, secret)), format: 'der', type: 'pkcs8' });
  return new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32));
}

/** The Ed25519 public key a provider's peer ID holds: that of a secret drawn from its owner key. */
export function peerKeyOf(privateKey: Uint8Array): Uint8Array {
  return ed25519PublicKey(blake2b256(concatBytes(new TextEncoder().encode('fvm-devnet peer id'), privateKey)));
}

export function deriveStorageProviderKeys(mnemonic: string, count: number): StorageProviderKey[] {
  return Array.from({ length: count }, (_, i) => {
    const { privateKey, publicKey } = hdKey(mnemonic, SP_DERIVATION_PATH, i);
    const address = secp256k1Address(publicKey);
    // The default mnemonic's, as the build derived them (hd-keys.ts).
    const peerKey = builtPeerKey(mnemonic, SP_DERIVATION_PATH, i) ?? peerKeyOf(privateKey);
    return { address, privateKey, peerId: ed25519PeerId(peerKey) };
  });
}

/** The libp2p peer ID of an Ed25519 public key: an identity multihash of its protobuf PublicKey. */
export const ed25519PeerId = (publicKey: Uint8Array): Uint8Array => concatBytes(ED25519_PEER_ID_PREFIX, publicKey);

/**
 * The BLS worker key of a provider the node adds (devnet_addStorageProvider): builtin-actors requires
 * a miner's worker to be a BLS account (actors/miner/src/lib.rs resolve_worker_address), so the
 * provider's secp256k1 key owns the miner and this key, derived from it, works it. Little-endian, as
 * Lotus's KeyInfo (and NativeWallet.import) holds BLS secrets.
 */
export function blsWorkerSecret(key: StorageProviderKey): Uint8Array {
  const seed = blake2b(concatBytes(new TextEncoder().encode('fvm-devnet bls worker'), key.privateKey), { dkLen: 48 });
  return bls12_381.utils.randomSecretKey(seed).reverse();
}

/** A peer ID as libp2p prints it: base58btc without a multibase prefix ("12D3KooW…"). */
export function peerIdString(peerId: Uint8Array): string {
  return base58btc.baseEncode(peerId);
}
