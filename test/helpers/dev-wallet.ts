// The dev wallet the tests sign with, and the fields every test transaction shares, so that a test
// spells out only the fields it is about. Plain ethers: no code of the devnet under test.
import { Wallet, type TransactionRequest } from 'ethers';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from './devnet-process.js';

/** The devnet's chain id as a bigint, as ethers and the Devnet report it. */
export const CHAIN_ID = BigInt(DEVNET_CHAIN_ID);
/** Dev account 0, funded at genesis: the default sender. */
export const devWallet = new Wallet(DEV_ACCOUNTS[0]!.privateKey);
/** An address with no actor (Lotus's f410 test vector): the default transfer target. */
export const RECIPIENT = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
/** Defaults of a plain transfer: 1 attoFIL to RECIPIENT under a 10M gas limit. */
export const TRANSFER: TransactionRequest = { gasLimit: 10_000_000, to: RECIPIENT, value: 1n };
/** Defaults of a deployment or contract call: no value under a 100M gas limit; the test gives `to`. */
export const CALL: TransactionRequest = { gasLimit: 100_000_000, value: 0n };

/** Signs a type-2 transaction on the devnet chain (fee cap 1 gwei, Lotus's idle premium 200000) of `defaults` overridden by `tx`. */
export function signTx(
  tx: TransactionRequest,
  { defaults = TRANSFER, signer = devWallet }: { defaults?: TransactionRequest; signer?: Wallet } = {},
): Promise<string> {
  return signer.signTransaction({ type: 2, chainId: CHAIN_ID, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 200_000n, ...defaults, ...tx });
}
