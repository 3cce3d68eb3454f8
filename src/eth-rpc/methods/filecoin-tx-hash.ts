// Between a message's Filecoin CID and its Ethereum transaction hash:
// Filecoin.EthGetMessageCidByTransactionHash, Filecoin.EthGetTransactionHashByCid.
import { cidFromDigest } from '../../common/cbor.js';
import { bytesToHex } from '../../common/hex.js';
import { defineMethod } from '../define-method.js';
import { droppedTipsets } from '../dropped-tipsets.js';
import { transactionHash } from '../logs.js';
import { cid } from '../lotus-params.js';
import { hash } from '../params.js';

export const filecoinTxHash = [
  // Lotus (b835fab70 node/impl/eth/transaction.go) asks its index, which holds the hash of every
  // Ethereum transaction it was sent, replaced ones too, and keeps it through a revert (chain/index
  // indexer.go Revert marks the tipset's messages reverted and leaves eth_tx_hash; only the GC by age
  // removes a hash); any other hash is taken as a CID's digest and answered if the blockstore holds
  // that message: mined, pending, replaced, or only in a tipset a revert dropped (kept ones here).
  defineMethod('Filecoin.EthGetMessageCidByTransactionHash', [hash('transactionHash')], ({ devnet }, txHash) => {
    const asCid = cidFromDigest(txHash);
    const cid =
      devnet.chain.messageByTxHash(txHash)?.message.cid ??
      (devnet.pendingTransaction(txHash) ?? devnet.replacedTransaction(txHash) ?? devnet.pendingMessage(asCid) ?? devnet.replacedMessage(asCid))?.cid ??
      droppedTipsets(devnet).messageByTxHash(txHash)?.message.cid;
    return cid ? { '/': cid.toString() } : null;
  }),

  // Lotus loads the message from its blockstore (lotus b835fab70 node/impl/eth/utils.go
  // getTransactionHashByCid): one only a kept dropped tipset included is answered too.
  defineMethod('Filecoin.EthGetTransactionHashByCid', [cid('cid')], ({ devnet }, target) => {
    const mined = devnet.chain.messageByCid(target) ?? droppedTipsets(devnet).messageByCid(target);
    if (mined) return bytesToHex(transactionHash(mined.message));
    const known = devnet.pendingMessage(target) ?? devnet.replacedMessage(target);
    return known ? bytesToHex(transactionHash(known)) : null;
  }),
];
