// The dev accounts: keys derived from the mnemonic, the node holds them and signs for them.
import { EAM_NAMESPACE, FilAddress } from '../common/address.js';
import { bytesToHex } from '../common/hex.js';
import { publicKeyEthAddress } from '../common/secp256k1.js';
import { DERIVATION_PATH } from '../config.js';
import { hdKey } from './hd-keys.js';

export interface DevAccount {
  address: Uint8Array;
  filAddress: FilAddress;
  privateKey: string;
}

export function deriveAccounts(mnemonic: string, count: number, path = DERIVATION_PATH): DevAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const { privateKey, publicKey, ethAddress } = hdKey(mnemonic, path, i);
    const address = ethAddress ?? publicKeyEthAddress(publicKey);
    return { address, filAddress: FilAddress.fromDelegated(EAM_NAMESPACE, address), privateKey: bytesToHex(privateKey) };
  });
}
