// The dev accounts: keys derived from the mnemonic, the node holds them and signs for them.
import { EAM_NAMESPACE, FilAddress } from '../common/address.js';
import { keccak256 } from '../common/hashes.js';
import { bytesToHex } from '../common/hex.js';
import { hdKey } from './hd-keys.js';

export interface DevAccount {
  address: Uint8Array;
  filAddress: FilAddress;
  privateKey: string;
}

export const DERIVATION_PATH = "m/44'/60'/0'/0";

export function deriveAccounts(mnemonic: string, count: number): DevAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const { privateKey, publicKey } = hdKey(mnemonic, DERIVATION_PATH, i);
    // An Ethereum address: the last 20 bytes of keccak256 of the public key without its 0x04 prefix.
    const address = keccak256(publicKey.subarray(1)).subarray(12);
    return { address, filAddress: FilAddress.fromDelegated(EAM_NAMESPACE, address), privateKey: bytesToHex(privateKey) };
  });
}
