// Every RPC method the node serves.
import type { RpcMethod } from '../define-method.js';
import { ethBlocks } from './eth-blocks.js';
import { ethExecution } from './eth-execution.js';
import { ethLogs } from './eth-logs.js';
import { ethSign } from './eth-sign.js';
import { ethState } from './eth-state.js';
import { ethTransactions } from './eth-transactions.js';
import { filecoinEthLimited } from './filecoin-eth-limited.js';
import { cheatsErc20 } from './cheats-erc20.js';
import { cheatsMining } from './cheats-mining.js';
import { cheatsNode } from './cheats-node.js';
import { cheatsState } from './cheats-state.js';
import { cheatsStorage } from './cheats-storage.js';
import { cheatsVerifreg } from './cheats-verifreg.js';
import { filecoinAddressMethods } from './filecoin-address.js';
import { filecoinChain, filecoinChainV0 } from './filecoin-chain.js';
import { filecoinEvents } from './filecoin-events.js';
import { filecoinF3 } from './filecoin-f3.js';
import { filecoinMarket } from './filecoin-market.js';
import { filecoinMarketFunds } from './filecoin-market-funds.js';
import { filecoinMpoolCheck } from './filecoin-mpool-check.js';
import { filecoinMinerDeadlines } from './filecoin-miner-deadlines.js';
import { filecoinMsig, filecoinMsigV0 } from './filecoin-msig.js';
import { filecoinPaych, filecoinPaychV0 } from './filecoin-paych.js';
import { filecoinMsigState } from './filecoin-msig-state.js';
import { filecoinParams } from './filecoin-params.js';
import { filecoinStateActors } from './filecoin-state-actors.js';
import { filecoinStateCompute } from './filecoin-state-compute.js';
import { filecoinMiners } from './filecoin-miners.js';
import { filecoinMpool } from './filecoin-mpool.js';
import { filecoinRandomness } from './filecoin-randomness.js';
import { filecoinNetwork } from './filecoin-network.js';
import { filecoinState, filecoinStateV0 } from './filecoin-state.js';
import { filecoinTxHash } from './filecoin-tx-hash.js';
import { filecoinV2 } from './filecoin-v2.js';
import { filecoinVerifreg } from './filecoin-verifreg.js';
import { filecoinWallet } from './filecoin-wallet.js';
import { ethRequestAccounts, web3Net } from './web3-net.js';
import { debugTrace } from './debug-trace.js';
import { ethRawTransactions } from './eth-raw-transactions.js';
import { otsMethods } from './ots.js';
import { traceMethods } from './trace.js';
import { lotusAlias } from '../lotus-aliases.js';

const ethereumMethods: RpcMethod[] = [...web3Net, ...ethState, ...ethBlocks, ...ethTransactions, ...ethExecution, ...ethLogs, ...traceMethods];

/** An Ethereum method under its Lotus alias (lotus-aliases.ts). */
const aliased = (method: RpcMethod): RpcMethod => ({ ...method, name: lotusAlias(method.name) });

export const allMethods: RpcMethod[] = [
  ...ethereumMethods,
  ...ethereumMethods.map(aliased),
  ...filecoinAddressMethods,
  ...filecoinEthLimited,
  ...filecoinTxHash,
  ...filecoinChain,
  ...filecoinEvents,
  ...filecoinF3,
  ...filecoinState,
  ...filecoinNetwork,
  ...filecoinStateActors,
  ...filecoinStateCompute,
  ...filecoinParams,
  ...filecoinMiners,
  ...filecoinMinerDeadlines,
  ...filecoinMarket,
  ...filecoinVerifreg,
  ...filecoinMsigState,
  ...filecoinMsig,
  ...filecoinRandomness,
  ...filecoinMpool,
  ...filecoinMpoolCheck,
  ...filecoinMarketFunds,
  ...filecoinPaych,
  ...filecoinWallet,
  ...cheatsMining,
  ...cheatsState,
  ...cheatsVerifreg,
  ...cheatsStorage,
  ...cheatsErc20,
  ...cheatsNode,
  // The devnet's additions, as Anvil and geth serve them (Lotus has no debug_*, signing or
  // eth_requestAccounts methods), and Otterscan's ots_* (with the Erigon and Anvil methods it uses).
  ...debugTrace,
  ...ethSign,
  ethRequestAccounts,
  ...otsMethods,
  ...ethRawTransactions,
];

/**
 * What /rpc/v2 serves: Lotus's v2 methods, which select tipsets with a TipSetSelector, beside the
 * Ethereum methods (and their Filecoin.Eth* names), the address and message-CID converters, the
 * lookups with a lookback limit and EthSendRawTransactionUntrusted, which Lotus's v2 API
 * (api/v2api/full.go at b835fab70) has as v1's. Other Filecoin.* methods are v1's only. With
 * --gateway-only the Filecoin.Eth*Limited and Untrusted methods go, as Lotus's v2 gateway has none.
 */
export const v2Methods: RpcMethod[] = [...ethereumMethods, ...ethereumMethods.map(aliased), ...filecoinAddressMethods, ...filecoinEthLimited, ...filecoinTxHash, ...filecoinV2];

/**
 * What /rpc/v0 serves: v1's methods, but with Lotus's v0 forms (api/v0api) where they differ: the
 * Msig* builders sign and push the message from the node's wallet and answer its CID (v1 answers a
 * MessagePrototype), the message lookups take v0's parameters (with StateSearchMsgLimited and
 * StateWaitMsgLimited, which are v0's only), Version answers v0's API version, and PaychGet takes no
 * options and funds without reserving (v1's PaychFund).
 */
const v0Only = [...filecoinMsigV0, ...filecoinStateV0, ...filecoinChainV0, ...filecoinPaychV0];
const v0Names = new Set(v0Only.map((m) => m.name));
export const v0Methods: RpcMethod[] = [...allMethods.filter((m) => !v0Names.has(m.name)), ...v0Only];
