// The Filecoin.Eth* methods of Lotus's FullNode API that have no eth_ name (api/api_full.go): the
// lookups with a lookback limit, which Lotus's gateway calls with its own 20 epochs, and
// EthSendRawTransactionUntrusted, which it sends transactions through.
import { bytesToHex } from '../../common/hex.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { resolveKeptBlock } from '../block-ref.js';
import { formatReceipt, formatTransaction } from '../format.js';
import { integer } from '../lotus-params.js';
import { beyondLookback, checkReceiptsLookback } from '../message-lookback.js';
import { blockRef, data, hash } from '../params.js';
import { blockReceipts } from './eth-blocks.js';
import { pendingByHash } from './eth-transactions.js';

/** node/impl/eth/send.go: eth_sendRawTransaction through MpoolPushUntrusted (at most 100 pending per sender). */
export const ethSendRawTransactionUntrusted = defineWriteMethod('Filecoin.EthSendRawTransactionUntrusted', [data('rawTransaction')], async ({ devnet }, raw) =>
  bytesToHex(await devnet.sendRawTransaction(raw, { untrusted: true })),
);

export const filecoinEthLimited = [
  // node/impl/eth/transaction.go: eth_getTransactionByHash, eth_getTransactionReceipt and
  // eth_getBlockReceipts are these with limit -1. A transaction mined more than `limit` epochs
  // before the head is not found (then looked for in the pool, as Lotus does).
  defineMethod('Filecoin.EthGetTransactionByHashLimited', [hash('transactionHash'), integer('limit')], ({ devnet }, txHash, limit) => {
    const found = devnet.chain.messageByTxHash(txHash);
    return found && !beyondLookback(found.tipset.epoch, limit, devnet.head.epoch) ? formatTransaction(devnet, found.tipset, found.message) : pendingByHash(devnet, txHash);
  }),

  defineMethod('Filecoin.EthGetTransactionReceiptLimited', [hash('transactionHash'), integer('limit')], ({ devnet }, txHash, limit) => {
    const found = devnet.chain.messageByTxHash(txHash);
    return found && !beyondLookback(found.tipset.epoch, limit, devnet.head.epoch) ? formatReceipt(devnet, found.tipset, found.message) : null;
  }),

  // By hash a tipset a revert dropped too, as eth_getBlockReceipts (Lotus: GetTipsetByBlockNumberOrHash reads its blockstore).
  defineMethod('Filecoin.EthGetBlockReceiptsLimited', [blockRef('block'), integer('limit')], ({ devnet }, block, limit) => {
    const tipset = resolveKeptBlock(devnet, block);
    checkReceiptsLookback(tipset, limit, devnet.head);
    return blockReceipts(devnet, tipset);
  }),

  ethSendRawTransactionUntrusted,
];
