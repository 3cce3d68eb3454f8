// The keys of the verified registry's genesis roles, held by the node: the root key (which appoints
// verifiers) at m/44'/461'/1'/0/0 and a verifier (which grants datacap, devnet_addVerifiedClient) at
// m/44'/461'/1'/0/1; and a storage deal client at m/44'/461'/1'/0/2 (`fvm-devnet deal` proposes with
// it). All are secp256k1 f1 keys derived from the mnemonic, on an account path apart from the dev
// accounts' (m/44'/60'/…) and the storage providers' (m/44'/461'/0'/0/i).
import { HDNodeWallet, Mnemonic } from 'ethers';
import type { FilAddress } from '../common/address.js';
import { hexToBytes } from '../common/hex.js';
import { secp256k1Address } from '../fevm/signature.js';

export const VERIFREG_DERIVATION_PATH = "m/44'/461'/1'/0";

/** The genesis verifier's allowance: 1 EiB of DataCap, more than a devnet will grant. */
export const GENESIS_VERIFIER_ALLOWANCE = 1n << 60n;

export interface VerifregKey {
  address: FilAddress;
  privateKey: Uint8Array;
}

export interface VerifregKeys {
  rootKey: VerifregKey;
  verifier: VerifregKey;
  /** Not a registry role: a funded native account the node holds, for deals made without naming a client. */
  dealClient: VerifregKey;
}

export function deriveVerifregKeys(mnemonic: string): VerifregKeys {
  const root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(mnemonic), VERIFREG_DERIVATION_PATH);
  const key = (index: number): VerifregKey => {
    const wallet = root.deriveChild(index);
    return { address: secp256k1Address(hexToBytes(wallet.signingKey.publicKey)), privateKey: hexToBytes(wallet.privateKey) };
  };
  return { rootKey: key(0), verifier: key(1), dealClient: key(2) };
}
