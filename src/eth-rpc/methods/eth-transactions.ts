// Transactions: sending them and finding them again.
import { cidFromDigest } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { bytesToHex } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { Tipset } from '../../mining/tipset.js';
import { resolveBlock, resolveKeptBlock } from '../block-ref.js';
import { transactionToSign } from '../call-request.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { formatPendingTransaction, formatReceipt, formatTransaction } from '../format.js';
import { blockRef, data, ethUint64, hash } from '../params.js';

function transactionAt(devnet: Devnet, tipset: Tipset, index: number) {
  const message = tipset.messages[index];
  // Lotus answers an index out of range with an error, not null.
  if (!message) throw new DevnetError(`index ${index} out of range: tipset contains ${tipset.messages.length} messages`);
  return formatTransaction(devnet, tipset, message);
}

/**
 * A pending transaction by hash. A native (f1/f3) message's hash is its CID's digest: Lotus finds it
 * in the pool, cannot make it a transaction, and answers that error, not null
 * (node/impl/eth/transaction.go EthGetTransactionByHashLimited).
 */
export function pendingByHash(devnet: Devnet, txHash: Uint8Array) {
  const pending = devnet.pendingTransaction(txHash);
  if (pending) return formatPendingTransaction(pending);
  const native = devnet.pendingMessage(cidFromDigest(txHash));
  if (native) throw new DevnetError(`could not convert Filecoin message into tx: signature is not delegated type, is type: ${native.signed.signature.type}`);
  return null;
}

export const ethTransactions = [
  defineWriteMethod('eth_sendRawTransaction', [data('rawTransaction')], async ({ devnet }, raw) => bytesToHex(await devnet.sendRawTransaction(raw))),

  defineWriteMethod('eth_sendTransaction', [transactionToSign('transaction')], async ({ devnet }, tx) => bytesToHex(await devnet.sendTransaction(tx))),

  defineMethod('eth_getTransactionByHash', [hash('transactionHash')], ({ devnet }, txHash) => {
    const found = devnet.chain.messageByTxHash(txHash);
    return found ? formatTransaction(devnet, found.tipset, found.message) : pendingByHash(devnet, txHash);
  }),

  defineMethod('eth_getTransactionReceipt', [hash('transactionHash')], ({ devnet }, txHash) => {
    const found = devnet.chain.messageByTxHash(txHash);
    return found ? formatReceipt(devnet, found.tipset, found.message) : null;
  }),

  defineMethod('eth_getTransactionByBlockNumberAndIndex', [blockRef('block', { allowHash: false }), ethUint64('index')], ({ devnet }, block, index) =>
    transactionAt(devnet, resolveBlock(devnet, block), index),
  ),

  defineMethod('eth_getTransactionByBlockHashAndIndex', [hash('blockHash'), ethUint64('index')], ({ devnet }, blockHash, index) =>
    transactionAt(devnet, resolveKeptBlock(devnet, { hash: blockHash }), index),
  ),
];
