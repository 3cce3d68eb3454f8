// The keys of the node's own genesis accounts: the only signer of the verified registry's root key
// (the multisig t080, which appoints verifiers) at m/44'/461'/1'/0/0, its verifier (which grants
// datacap, devnet_addVerifiedClient) at m/44'/461'/1'/0/1, and a storage deal client at
// m/44'/461'/1'/0/2 (`fvm-devnet deal` proposes with it). All are secp256k1 f1 keys derived from the
// mnemonic, on an account path apart from the dev accounts' (m/44'/60'/…) and the storage providers'
// (m/44'/461'/0'/0/i).
import type { FilAddress } from '../common/address.js';
import { secp256k1Address } from '../fevm/signature.js';
import { hdKey } from './hd-keys.js';

export const NODE_KEYS_DERIVATION_PATH = "m/44'/461'/1'/0";

/** The genesis verifier's allowance: 1 EiB of DataCap, more than a devnet will grant. */
export const GENESIS_VERIFIER_ALLOWANCE = 1n << 60n;

export interface NodeKey {
  address: FilAddress;
  privateKey: Uint8Array;
}

export interface NodeKeys {
  /** The only signer of the root key multisig (t080). */
  rootKey: NodeKey;
  verifier: NodeKey;
  /** A funded native account for deals made without naming a client. */
  dealClient: NodeKey;
}

export function deriveNodeKeys(mnemonic: string): NodeKeys {
  const key = (index: number): NodeKey => {
    const { privateKey, publicKey } = hdKey(mnemonic, NODE_KEYS_DERIVATION_PATH, index);
    return { address: secp256k1Address(publicKey), privateKey };
  };
  return { rootKey: key(0), verifier: key(1), dealClient: key(2) };
}
