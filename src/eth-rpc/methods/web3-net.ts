// Node identity: web3_clientVersion, net_version, net_listening, eth_chainId, eth_protocolVersion,
// eth_syncing, eth_accounts (and eth_requestAccounts): the dev accounts and the impersonated ones.
import { bytesToHex, quantity } from '../../common/hex.js';
import { defineMethod, type RpcContext } from '../define-method.js';
import { NETWORK_VERSION } from '../../fevm/network-version.js';
import { VERSION } from '../../config.js';

/**
 * Named "anvil" before its first "/", as Anvil's `anvil/v1.7.1` is: Hardhat's network helpers accept
 * only nodes whose version starts with "anvil" or "HardhatNetwork", and OpenZeppelin Upgrades treats
 * a node as a development network (one whose reverts and resets drop deployments, which its manifest
 * then forgets instead of failing) only when that name is exactly "anvil" or "HardhatNetwork", or the
 * chain id is 1337 or 31337 (upgrades-core 1.46 `isDevelopmentNetwork`, src/provider.ts).
 */
export const CLIENT_VERSION = `anvil/fvm-devnet/v${VERSION}`;

export const web3Net = [
  defineMethod('web3_clientVersion', [], () => CLIENT_VERSION),
  defineMethod('net_version', [], ({ devnet }) => devnet.chainId.toString()),
  defineMethod('net_listening', [], () => true),
  defineMethod('eth_chainId', [], ({ devnet }) => quantity(devnet.chainId)),
  // As Lotus answers it: the network version (28), not an Ethereum wire protocol version.
  defineMethod('eth_protocolVersion', [], () => quantity(NETWORK_VERSION)),
  defineMethod('eth_syncing', [], () => false),
  // Lotus answers []; the devnet lists the accounts it holds keys for, as Anvil and Hardhat do,
  // because Hardhat and Foundry take their default signers from here.
  defineMethod('eth_accounts', [], nodeAccounts),
];

/**
 * EIP-1102's request for a wallet's accounts (web3.js requestAccounts, viem requestAddresses, a dApp's
 * `eth_requestAccounts` through a provider that forwards to the node): eth_accounts' list, as Anvil and
 * Hardhat's accounts provider answer it. Lotus has no such method, so it has no Filecoin.Eth* alias:
 * methods/index.ts lists it with the devnet's additions.
 */
export const ethRequestAccounts = defineMethod('eth_requestAccounts', [], nodeAccounts);

/**
 * The dev accounts, then the addresses the node impersonates that are not among them, as Anvil lists
 * them (crates/anvil/src/eth/api.rs `accounts`; anvil 1.7.1 answers so): ethers' `provider.getSigner(
 * address)` accepts only an address listed here, so an Anvil user's `getSigner` of an impersonated
 * whale works. --auto-impersonate names no address, so adds none (as Anvil's).
 */
function nodeAccounts({ devnet }: RpcContext): string[] {
  return [...new Set([...devnet.accounts.map((a) => bytesToHex(a.address)), ...devnet.impersonatedAddresses()])];
}
