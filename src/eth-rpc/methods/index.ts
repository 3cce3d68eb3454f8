// Every RPC method the node serves.
import type { RpcMethod } from '../define-method.js';
import { ethBlocks } from './eth-blocks.js';
import { ethExecution } from './eth-execution.js';
import { ethLogs } from './eth-logs.js';
import { ethState } from './eth-state.js';
import { ethTransactions } from './eth-transactions.js';
import { evmMine } from './evm-mine.js';
import { filecoinAddressMethods } from './filecoin-address.js';
import { filecoinTxHash } from './filecoin-tx-hash.js';
import { web3Net } from './web3-net.js';

export const allMethods: RpcMethod[] = [
  ...web3Net,
  ...ethState,
  ...ethBlocks,
  ...ethTransactions,
  ...ethExecution,
  ...ethLogs,
  ...filecoinAddressMethods,
  ...filecoinTxHash,
  ...evmMine,
];
