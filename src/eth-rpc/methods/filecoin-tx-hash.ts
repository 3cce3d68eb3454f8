// Between a message's Filecoin CID and its Ethereum transaction hash:
// Filecoin.EthGetMessageCidByTransactionHash, Filecoin.EthGetTransactionHashByCid.
import { cidFromDigest } from '../../common/cbor.js';
import { bytesToHex, equalBytes } from '../../common/hex.js';
import type { MessageLocation } from '../../mining/chain-store.js';
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
  // A message found by its unsigned CID's digest (a signed one's, which Lotus's blockstore holds too
  // from the pool's push on: X19, R98) is answered with that CID, as Lotus answers the CID it made of
  // the hash (transaction.go EthGetMessageCidByTransactionHash: GetMessage finds it).
  defineMethod('Filecoin.EthGetMessageCidByTransactionHash', [hash('transactionHash')], ({ devnet }, txHash) => {
    const asCid = cidFromDigest(txHash);
    const mined = (found: MessageLocation | undefined) => found && (found.message.ethTx && equalBytes(found.message.ethTx.hash, txHash) ? found.message.cid : asCid);
    const cid =
      mined(devnet.chain.messageByTxHash(txHash)) ??
      (devnet.pendingTransaction(txHash) ?? devnet.replacedTransaction(txHash) ?? devnet.pendingMessage(asCid) ?? devnet.replacedMessage(asCid))?.cid ??
      mined(droppedTipsets(devnet).messageByTxHash(txHash)) ??
      (devnet.pooledByUnsignedCid(asCid) ? asCid : undefined);
    return cid ? { '/': cid.toString() } : null;
  }),

  // Lotus loads the message from its blockstore (lotus b835fab70 node/impl/eth/utils.go
  // getTransactionHashByCid): one only a kept dropped tipset included is answered too. By a signed
  // message's unsigned CID (mined, pending or replaced) it finds no signed message there but the
  // unsigned one, and answers as for a BLS message: that CID's digest, not the transaction's hash (X19, R98).
  defineMethod('Filecoin.EthGetTransactionHashByCid', [cid('cid')], ({ devnet }, target) => {
    const mined = devnet.chain.messageByCid(target) ?? droppedTipsets(devnet).messageByCid(target);
    const { digest } = target.multihash;
    if (mined) return bytesToHex(mined.message.cid.equals(target) ? transactionHash(mined.message) : digest);
    const known = devnet.pendingMessage(target) ?? devnet.replacedMessage(target);
    if (known) return bytesToHex(transactionHash(known));
    return devnet.pooledByUnsignedCid(target) ? bytesToHex(digest) : null;
  }),
];
