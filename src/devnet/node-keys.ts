// The keys of the node's own genesis accounts: the only signer of the verified registry's root key
// (the multisig t080, which appoints verifiers) at m/44'/461'/1'/0/0, its verifier (which grants
// datacap, devnet_addVerifiedClient) at m/44'/461'/1'/0/1, and a storage deal client at
// m/44'/461'/1'/0/2 (`fvm-devnet deal` proposes with it). All are secp256k1 f1 keys derived from the
// mnemonic, on an account path apart from the dev accounts' (m/44'/60'/…) and the storage providers'
// (m/44'/461'/0'/0/i). The node's libp2p peer ID is drawn from the key at m/44'/461'/1'/0/3.
import type { FilAddress } from '../common/address.js';
import { secp256k1Address } from '../fevm/signature.js';
import { hdKey } from './hd-keys.js';
import { ed25519PeerId, peerIdString, peerKeyOf } from './storage-providers/keys.js';

export const NODE_KEYS_DERIVATION_PATH = "m/44'/461'/1'/0";

/** The genesis verifier's allowance: 1 EiB of DataCap, more than a devnet will grant. */
export const GENESIS_VERIFIER_ALLOWANCE = 1n << 60n;

interface NodeKey {
  address: FilAddress;
  privateKey: Uint8Array;
}

interface NodeKeys {
  /** The only signer of the root key multisig (t080). */
  rootKey: NodeKey;
  verifier: NodeKey;
  /** A funded native account for deals made without naming a client. */
  dealClient: NodeKey;
}

/**
 * The node's libp2p peer ID (Filecoin.ID), as libp2p prints it ("12D3KooW…"): a Lotus node has an
 * Ed25519 libp2p key of its own; the devnet's is drawn from the node's key at m/44'/461'/1'/0/3, so
 * that one mnemonic gives one peer ID, restart after restart. No libp2p host listens with it.
 */
export function nodePeerId(mnemonic: string): string {
  return peerIdString(ed25519PeerId(peerKeyOf(hdKey(mnemonic, NODE_KEYS_DERIVATION_PATH, PEER_KEY_INDEX).privateKey)));
}

/** The node keys' index of the key its peer ID is drawn from (after the root key, verifier and deal client). */
const PEER_KEY_INDEX = 3;

export function deriveNodeKeys(mnemonic: string): NodeKeys {
  const key = (index: number): NodeKey => {
    const { privateKey, publicKey } = hdKey(mnemonic, NODE_KEYS_DERIVATION_PATH, index);
    return { address: secp256k1Address(publicKey), privateKey };
  };
  return { rootKey: key(0), verifier: key(1), dealClient: key(2) };
}
