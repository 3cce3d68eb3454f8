// The node and its pool, for tools: impersonation (anvil_impersonateAccount, …), anvil_nodeInfo,
// anvil_metadata, anvil_setLoggingEnabled, anvil_dropTransaction, anvil_removePoolTransactions,
// anvil_dropAllTransactions, anvil_setMinGasPrice, anvil_setNextBlockBaseFeePerGas, anvil_setRpcUrl, txpool_content,
// txpool_contentFrom, txpool_status, txpool_inspect; and what a Filecoin node cannot change:
// anvil_setCoinbase, hardhat_setPrevRandao / anvil_setNextBlockPrevRandao, anvil_setChainId,
// anvil_impersonateSignature.
import { randomBytes } from 'node:crypto';
import { DevnetError, InvalidParamsError } from '../../common/errors.js';
import { bytesToHex, quantity } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { Fork } from '../../devnet/fork/fork.js';
import { upstreamEndpoint } from '../../devnet/fork/upstream.js';
import { BLOCK_GAS_LIMIT } from '../../fevm/gas.js';
import { NETWORK_VERSION } from '../../fevm/network-version.js';
import type { PendingMessage } from '../../mining/mempool.js';
import { defineMethod, defineWriteMethod, type RpcMethod } from '../define-method.js';
import { formatPendingTransaction } from '../format.js';
import { address, amount, bool, data, describeValue, hash, invalid, numberOrQuantity, string, type Param } from '../params.js';
import { aliases } from './cheats-mining.js';
import { CLIENT_VERSION } from './web3-net.js';

/** A Lotus node's URL, as --fork-url takes it. */
const upstreamUrl = (name: string): Param<string> => ({
  name,
  parse: (v) => {
    const url = string(name).parse(v);
    try {
      upstreamEndpoint(url);
    } catch {
      throw invalid(name, `expected the http(s) URL of a Lotus node, got ${describeValue(url)}`);
    }
    return url;
  },
});

type BySender = Record<string, Record<string, unknown>>;

/**
 * Pool messages shown as Ethereum transactions, by sender and nonce, from one selection of the pool:
 * `pending` those the next tipset can run, `queued` the others; only `sender`'s when given.
 */
function txpool(devnet: Devnet, view: (p: PendingMessage) => unknown, sender?: string): { pending: BySender; queued: BySender } {
  const pool = devnet.poolContent();
  const runnable = new Set(pool.ready);
  const out = { pending: {} as BySender, queued: {} as BySender };
  for (const pending of pool.pending) {
    if (!pending.ethTx) continue;
    const from = bytesToHex(pending.ethTx.from);
    if (sender !== undefined && from !== sender) continue;
    ((runnable.has(pending) ? out.pending : out.queued)[from] ??= {})[String(pending.ethTx.nonce)] = view(pending);
  }
  return out;
}

/** Each fork's instanceId, drawn when it is first asked for (a re-fork is a new Fork). */
const forkInstanceIds = new WeakMap<Fork, string>();
function forkInstanceId(fork: Fork): string {
  const id = forkInstanceIds.get(fork) ?? bytesToHex(randomBytes(32));
  forkInstanceIds.set(fork, id);
  return id;
}

/**
 * Anvil's metadata. OpenZeppelin Upgrades keeps a development node's deployments in a manifest named
 * by chain id and `instanceId` (os.tmpdir()/openzeppelin-upgrades/anvil-<chain id>-<instanceId>.json,
 * upgrades-core 1.46 src/manifest.ts), so the id names the chain, not the process: its genesis hash.
 * A new chain's genesis carries the second it started, so each gets its own manifest; a chain kept
 * with --state keeps it, and its proxies stay upgradeable after a restart, as a calibnet project's
 * `.openzeppelin/unknown-314159.json` does. A fork, which no file keeps, gets a random id (its first
 * tipset is the upstream's, which other forks and a devnet upstream share). On a fork, `forkedNetwork`
 * names the upstream's chain and tipset (the fields of Hardhat's metadata), whose manifest
 * OpenZeppelin then starts from: proxies deployed on calibnet can be upgraded on a fork of it.
 * anvil_reset and hardhat_reset make a new instance, as Anvil 1.7.1 draws a new instanceId at each
 * (foundry crates/anvil/src/eth/api.rs anvil_reset: reset_instance_id), forked or not, so that
 * OpenZeppelin starts an empty manifest for the new chain; a revert keeps it, as Anvil's. The id a
 * plain reset draws is kept with the chain (Devnet.instanceId: --state, anvil_dumpState), so proxies
 * deployed after a reset stay upgradeable after a restart; a re-fork is a new Fork with its own.
 */
function metadata(devnet: Devnet) {
  const fork = devnet.fork;
  const reset = devnet.instanceId;
  const instanceId = reset ? bytesToHex(reset) : fork ? forkInstanceId(fork) : bytesToHex(devnet.chain.first.hash);
  return {
    clientVersion: CLIENT_VERSION,
    chainId: Number(devnet.chainId),
    instanceId,
    latestBlockNumber: devnet.head.epoch,
    latestBlockHash: bytesToHex(devnet.head.hash),
    forkedNetwork: fork ? { chainId: Number(fork.point.chainId), forkBlockNumber: fork.point.epoch, forkBlockHash: bytesToHex(devnet.chain.first.hash) } : null,
    snapshots: {},
  };
}

/** (Stop) impersonating an address, answering `answer` as the tool the name comes from does (Anvil null, Hardhat true). */
function impersonateMethod(name: string, on: boolean, answer: null | true): RpcMethod {
  return defineWriteMethod(name, [address('address')], async ({ devnet }, eth) => {
    await devnet.cheats.impersonate(eth, on);
    return answer;
  });
}

export const cheatsNode = [
  impersonateMethod('anvil_impersonateAccount', true, null),
  impersonateMethod('hardhat_impersonateAccount', true, true),
  impersonateMethod('anvil_stopImpersonatingAccount', false, null),
  impersonateMethod('hardhat_stopImpersonatingAccount', false, true),

  ...aliases(
    defineWriteMethod('anvil_autoImpersonateAccount', [bool('enabled')], async ({ devnet }, enabled) => {
      await devnet.cheats.autoImpersonate(enabled);
      return null;
    }),
    'hardhat_autoImpersonateAccount',
  ),

  defineMethod('anvil_nodeInfo', [], ({ devnet }) => devnet.withPremiumHistory(() => ({
    currentBlockNumber: devnet.head.epoch,
    currentBlockTimestamp: devnet.head.timestamp,
    currentBlockHash: bytesToHex(devnet.head.hash),
    hardFork: `filecoin-nv${NETWORK_VERSION}`,
    // Lotus's block producer takes the highest reward per gas first (mempool.ts select), as Anvil's default order does.
    transactionOrder: 'fees',
    environment: {
      baseFee: devnet.nextBaseFee().toString(),
      chainId: Number(devnet.chainId),
      gasLimit: String(BLOCK_GAS_LIMIT),
      gasPrice: (devnet.head.baseFee + devnet.gasPremium()).toString(),
    },
    // Anvil's fields: where the fork's data came from (the URL without its token) and at which block.
    forkConfig: devnet.fork ? { forkUrl: devnet.fork.url, forkBlockNumber: devnet.fork.point.epoch } : {},
  }))),

  // Not under Anvil's alias hardhat_metadata: hardhat-ethers takes an answer to it as "a Hardhat
  // node" and then sends every transaction on `localhost` with a fixed 16 777 216 gas instead of
  // asking eth_estimateGas, which Filecoin gas exceeds. Lotus does not answer it either, so a default
  // Hardhat config works here as it does on calibnet.
  defineMethod('anvil_metadata', [], ({ devnet }) => metadata(devnet)),

  ...aliases(
    defineWriteMethod('anvil_setLoggingEnabled', [bool('enabled')], ({ logging }, enabled) => {
      logging.enabled = enabled;
      return null;
    }),
    'hardhat_setLoggingEnabled',
  ),

  // Anvil answers the dropped transaction's hash or null.
  defineWriteMethod('anvil_dropTransaction', [hash('transactionHash')], async ({ devnet }, txHash) =>
    (await devnet.cheats.dropTransaction(txHash)) ? bytesToHex(txHash) : null,
  ),

  // Hardhat answers whether it dropped one and refuses a mined one (hardhat-network-helpers' dropTransaction
  // documents both; the text is Hardhat 2.29's).
  defineWriteMethod('hardhat_dropTransaction', [hash('transactionHash')], async ({ devnet }, txHash) => {
    if (await devnet.cheats.dropTransaction(txHash)) return true;
    if (devnet.chain.messageByTxHash(txHash)) throw new InvalidParamsError(`Transaction ${bytesToHex(txHash)} cannot be dropped because it's already mined`);
    return false;
  }),

  // Every pending message of the address's actor (a native one's too, through its masked ID).
  defineWriteMethod('anvil_removePoolTransactions', [address('address')], async ({ devnet }, eth) => {
    await devnet.cheats.removePoolTransactions(eth);
    return null;
  }),

  ...aliases(
    defineWriteMethod('anvil_dropAllTransactions', [], async ({ devnet }) => {
      await devnet.cheats.dropAllTransactions();
      return null;
    }),
    'hardhat_dropAllTransactions',
  ),

  // The FEVM's COINBASE is always the zero address (builtin-actors' EVM), so no block can name another.
  ...aliases(
    defineWriteMethod('anvil_setCoinbase', [address('address')], () => {
      throw new DevnetError('the coinbase is fixed on Filecoin: COINBASE is the zero address in the FEVM; fvm-devnet keeps it');
    }),
    'hardhat_setCoinbase',
  ),

  // Anvil's: a fork reads from the node at `url` from now on (one endpoint swapped for another of the
  // same chain); the node refuses one of another chain or that lacks the fork point, and keeps the
  // upstream it had. A node that is no fork has no upstream: null, as Anvil answers.
  defineWriteMethod('anvil_setRpcUrl', [upstreamUrl('url')], async ({ devnet }, url) => {
    await devnet.fork?.switchUpstream(url);
    return null;
  }),

  // PREVRANDAO is the randomness beacon's, drawn from --seed as builtin-actors draws it (see README's
  // Randomness): no tipset can be given another (hardhat-network-helpers' setPrevRandao sends this).
  ...aliases(
    defineWriteMethod('hardhat_setPrevRandao', [hash('prevRandao')], () => {
      throw new DevnetError('PREVRANDAO comes from the randomness beacon on Filecoin, which fvm-devnet draws from --seed: start it with another --seed for other values');
    }),
    'anvil_setNextBlockPrevRandao',
  ),

  // A Filecoin network's Ethereum chain id is fixed (Lotus's build parameter): transactions signed for
  // it stay valid only with it, so it is chosen once, at start.
  defineWriteMethod('anvil_setChainId', [numberOrQuantity('chainId')], () => {
    throw new DevnetError('the chain id is fixed for a Filecoin network (a Lotus build parameter); fvm-devnet keeps it: start it with --chain-id <id>');
  }),

  // Lotus checks every delegated signature against its sender (the FVM recovers it): a transaction
  // cannot name a sender its signature does not prove. Sending for an address without its key is impersonation's.
  defineWriteMethod('anvil_impersonateSignature', [data('signature'), address('address')], () => {
    throw new DevnetError('a transaction\'s signature must prove its sender on Filecoin; fvm-devnet keeps that: send for the address with anvil_impersonateAccount and eth_sendTransaction, or eth_sendUnsignedTransaction');
  }),

  ...aliases(
    defineWriteMethod('anvil_setMinGasPrice', [amount('minFeeCap')], async ({ devnet }, minFeeCap) => {
      await devnet.cheats.setMinimumFeeCap(minFeeCap);
      return null;
    }),
    'hardhat_setMinGasPrice',
  ),

  ...aliases(
    defineWriteMethod('anvil_setNextBlockBaseFeePerGas', [amount('baseFee')], async ({ devnet }, baseFee) => {
      await devnet.cheats.setNextBaseFee(baseFee);
      return null;
    }),
    'hardhat_setNextBlockBaseFeePerGas',
  ),

  defineMethod('txpool_content', [], ({ devnet }) => txpool(devnet, formatPendingTransaction)),

  // One sender's part of txpool_content, as Anvil answers it.
  defineMethod('txpool_contentFrom', [address('address')], ({ devnet }, from) => {
    const sender = bytesToHex(from);
    const { pending, queued } = txpool(devnet, formatPendingTransaction, sender);
    return { pending: pending[sender] ?? {}, queued: queued[sender] ?? {} };
  }),

  defineMethod('txpool_inspect', [], ({ devnet }) => {
    const summary = (p: PendingMessage) => {
      const tx = p.ethTx!;
      return `${tx.to ? bytesToHex(tx.to) : 'contract creation'}: ${tx.value} wei + ${tx.gasLimit} gas × ${tx.maxFeePerGas} wei`;
    };
    return txpool(devnet, summary);
  }),

  defineMethod('txpool_status', [], ({ devnet }) => {
    const { pending, ready } = devnet.poolContent();
    return { pending: quantity(ready.length), queued: quantity(pending.length - ready.length) };
  }),
];
