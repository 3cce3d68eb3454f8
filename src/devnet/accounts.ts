// The dev accounts: keys derived from the mnemonic, the node holds them and signs for them.
import { HDNodeWallet, Mnemonic } from 'ethers';
import { EAM_NAMESPACE, FilAddress } from '../common/address.js';
import { hexToBytes } from '../common/hex.js';

export interface DevAccount {
  address: Uint8Array;
  filAddress: FilAddress;
  privateKey: string;
}

export const DERIVATION_PATH = "m/44'/60'/0'/0";

export function deriveAccounts(mnemonic: string, count: number): DevAccount[] {
  // The seed is computed once (2048 PBKDF2 rounds); each account is one child derivation.
  const root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(mnemonic), DERIVATION_PATH);
  return Array.from({ length: count }, (_, i) => {
    const wallet = root.deriveChild(i);
    const address = hexToBytes(wallet.address);
    return { address, filAddress: FilAddress.fromDelegated(EAM_NAMESPACE, address), privateKey: wallet.privateKey };
  });
}
