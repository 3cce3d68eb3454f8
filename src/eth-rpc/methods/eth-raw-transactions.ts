// Transaction lookups and sends that Anvil, Erigon and reth serve beyond Lotus:
// eth_getTransactionBySenderAndNonce, eth_getRawTransactionByHash,
// eth_getRawTransactionByBlockNumberAndIndex, eth_getRawTransactionByBlockHashAndIndex and
// eth_sendUnsignedTransaction (impersonated senders). A native Filecoin message has no Ethereum
// encoding: its raw transaction is null.
import { DevnetError } from '../../common/errors.js';
import { bytesToHex } from '../../common/hex.js';
import { encodeEthTransaction } from '../../fevm/eth-tx.js';
import type { IncludedMessage, Tipset } from '../../mining/tipset.js';
import { resolveBlock } from '../block-ref.js';
import { transactionToSign } from '../call-request.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { formatTransaction } from '../format.js';
import { address, blockRef, hash, safeNumber } from '../params.js';
import { transactionBySenderAndNonce } from './ots.js';

/** The signed bytes of a message sent as an Ethereum transaction (not an impersonated one, which has no signature). */
function rawOf(message: { ethTx?: IncludedMessage['ethTx'] } | undefined): string | null {
  const tx = message?.ethTx;
  return tx && tx.r !== 0n ? bytesToHex(encodeEthTransaction(tx)) : null;
}

function rawAt(tipset: Tipset, index: number): string | null {
  // As eth_getTransactionByBlock*AndIndex: an index out of range is an error, in Lotus's words.
  if (!tipset.messages[index]) throw new DevnetError(`index ${index} out of range: tipset contains ${tipset.messages.length} messages`);
  return rawOf(tipset.messages[index]);
}

export const ethRawTransactions = [
  defineMethod('eth_getTransactionBySenderAndNonce', [address('sender'), safeNumber('nonce')], ({ devnet }, sender, nonce) => {
    const found = transactionBySenderAndNonce(devnet, sender, nonce);
    return found ? formatTransaction(devnet, found.tipset, found.message) : null;
  }),

  defineMethod('eth_getRawTransactionByHash', [hash('transactionHash')], ({ devnet }, txHash) =>
    rawOf(devnet.chain.messageByTxHash(txHash)?.message ?? devnet.pendingTransaction(txHash)),
  ),

  defineMethod('eth_getRawTransactionByBlockNumberAndIndex', [blockRef('block', { allowHash: false }), safeNumber('index')], ({ devnet }, block, index) =>
    rawAt(resolveBlock(devnet, block), index),
  ),

  defineMethod('eth_getRawTransactionByBlockHashAndIndex', [hash('blockHash'), safeNumber('index')], ({ devnet }, blockHash, index) =>
    rawAt(resolveBlock(devnet, { hash: blockHash }), index),
  ),

  // Sent for its sender without a signature, as Anvil does: the node makes the message an impersonated sender's would be.
  defineWriteMethod('eth_sendUnsignedTransaction', [transactionToSign('transaction')], async ({ devnet }, tx) =>
    bytesToHex(await devnet.sendTransaction(tx, { unsigned: true })),
  ),
];
