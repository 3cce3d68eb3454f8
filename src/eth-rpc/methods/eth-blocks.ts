// Blocks: eth_blockNumber, eth_getBlockByNumber, eth_getBlockByHash, eth_getBlockReceipts, eth_getBlockTransactionCountBy*.
import { quantity } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { Tipset } from '../../mining/tipset.js';
import { resolveBlock, resolveKeptBlock } from '../block-ref.js';
import { defineMethod } from '../define-method.js';
import { formatBlock, formatReceipt } from '../format.js';
import { blockRef, bool, hash } from '../params.js';
import { plainValue } from '../plain-json.js';

/**
 * Every transaction's receipt in the block, in order (Lotus's EthGetBlockReceipts, Anvil's). An array
 * of marked receipts is marked too: the indexers' poll is written as joined text, as a receipt is.
 */
export function blockReceipts(devnet: Devnet, tipset: Tipset) {
  return plainValue(tipset.messages.map((message) => formatReceipt(devnet, tipset, message)));
}

export const ethBlocks = [
  defineMethod('eth_blockNumber', [], ({ devnet }) => quantity(devnet.head.epoch)),

  defineMethod('eth_getBlockByNumber', [blockRef('block', { allowHash: false }), bool('fullTransactions')], ({ devnet }, block, full) =>
    formatBlock(devnet, resolveBlock(devnet, block), full),
  ),

  defineMethod('eth_getBlockReceipts', [blockRef('block')], ({ devnet }, block) => blockReceipts(devnet, resolveKeptBlock(devnet, block))),

  defineMethod('eth_getBlockByHash', [hash('blockHash'), bool('fullTransactions')], ({ devnet }, blockHash, full) =>
    formatBlock(devnet, resolveKeptBlock(devnet, { hash: blockHash }), full),
  ),

  defineMethod('eth_getBlockTransactionCountByNumber', [blockRef('block', { allowHash: false })], ({ devnet }, block) =>
    quantity(resolveBlock(devnet, block).messages.length),
  ),

  defineMethod('eth_getBlockTransactionCountByHash', [hash('blockHash')], ({ devnet }, blockHash) =>
    quantity(resolveKeptBlock(devnet, { hash: blockHash }).messages.length),
  ),
];
