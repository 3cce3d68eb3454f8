// viem set up as a user's script sets it up against the devnet CLI: the chain, a public client and a
// wallet client for one dev account, over HTTP; and a fixture contract deployed from that wallet.
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, defineChain, http, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from './devnet-process.js';
import type { CompiledContract } from './solc.js';

/** The devnet's chain as a viem user defines it, served at `url` (the devnet, or a tool forking it). */
export function devnetChain(url: string, name = 'fvm-devnet') {
  return defineChain({
    id: DEVNET_CHAIN_ID,
    name,
    nativeCurrency: { name: 'testnet filecoin', symbol: 'tFIL', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
}

export function devnetClients(url: string, devAccount: number) {
  const chain = devnetChain(url);
  const account = privateKeyToAccount(DEV_ACCOUNTS[devAccount]!.privateKey);
  const publicClient = createPublicClient({ chain, transport: http(url), pollingInterval: 100 });
  const walletClient = createWalletClient({ chain, account, transport: http(url) });
  return { publicClient, walletClient };
}

export type DevnetClients = ReturnType<typeof devnetClients>;

/** Deploys the contract from the wallet client's account; its address once the receipt says success. */
export async function deployFixture({ publicClient, walletClient }: DevnetClients, contract: CompiledContract): Promise<Address> {
  const hash = await walletClient.deployContract({ abi: contract.abi, bytecode: contract.bytecode, args: [], account: walletClient.account, chain: walletClient.chain });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  return receipt.contractAddress!;
}
