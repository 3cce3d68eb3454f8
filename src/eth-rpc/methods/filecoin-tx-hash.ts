// Between a message's Filecoin CID and its Ethereum transaction hash:
// Filecoin.EthGetMessageCidByTransactionHash, Filecoin.EthGetTransactionHashByCid.
import { bytesToHex } from '../../common/hex.js';
import { defineMethod } from '../define-method.js';
import { transactionHash } from '../logs.js';
import { cid } from '../lotus-params.js';
import { hash } from '../params.js';

export const filecoinTxHash = [
  defineMethod('Filecoin.EthGetMessageCidByTransactionHash', [hash('transactionHash')], ({ devnet }, txHash) => {
    const cid =
      devnet.chain.messageByTxHash(txHash)?.message.cid ??
      devnet.pendingTransaction(txHash)?.cid;
    return cid ? { '/': cid.toString() } : null;
  }),

  defineMethod('Filecoin.EthGetTransactionHashByCid', [cid('cid')], ({ devnet }, target) => {
    const mined = devnet.chain.messageByCid(target);
    if (mined) return bytesToHex(transactionHash(mined.message));
    const pending = devnet.pendingMessage(target);
    return pending ? bytesToHex(transactionHash(pending)) : null;
  }),
];
