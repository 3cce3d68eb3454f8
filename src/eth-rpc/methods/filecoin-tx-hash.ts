// Between a message's Filecoin CID and its Ethereum transaction hash:
// Filecoin.EthGetMessageCidByTransactionHash, Filecoin.EthGetTransactionHashByCid.
import { cidFromDigest, type CID } from '../../common/cbor.js';
import { bytesToHex, equalBytes } from '../../common/hex.js';
import type { MessageLocation } from '../../mining/chain-store.js';
import { defineMethod } from '../define-method.js';
import { droppedTipsets } from '../dropped-tipsets.js';
import { transactionHash } from '../logs.js';
import { cid } from '../lotus-params.js';
import { hash } from '../params.js';

/**
 * The CID a message `found` by the hash `txHash` answers (mined, or in a kept dropped tipset): its own
 * for its transaction's hash, else `asCid`, the CID the hash is a digest of. By a signed (secp or
 * delegated) message's unsigned CID, Lotus finds no signed message in its blockstore but the unsigned
 * one its pool stored too, and answers as for a BLS message: by its digest that CID, by that CID its
 * digest, never the transaction's hash (X19, R98; lotus b835fab70 node/impl/eth/transaction.go:208-233).
 */
function answeredCid(found: MessageLocation | undefined, txHash: Uint8Array, asCid: CID): CID | undefined {
  return found && (found.message.ethTx && equalBytes(found.message.ethTx.hash, txHash) ? found.message.cid : asCid);
}

export const filecoinTxHash = [
  // Lotus (b835fab70 node/impl/eth/transaction.go) asks its index, which holds the hash of every
  // Ethereum transaction it was sent, replaced ones too, and keeps it through a revert (chain/index
  // indexer.go Revert marks the tipset's messages reverted and leaves eth_tx_hash; only the GC by age
  // removes a hash); any other hash is taken as a CID's digest and answered if the blockstore holds
  // that message: mined, pending, replaced, or only in a tipset a revert dropped (kept ones here).
  // A message found by its unsigned CID's digest answers that CID (answeredCid).
  defineMethod('Filecoin.EthGetMessageCidByTransactionHash', [hash('transactionHash')], ({ devnet }, txHash) => {
    const asCid = cidFromDigest(txHash);
    const cid =
      answeredCid(devnet.chain.messageByTxHash(txHash), txHash, asCid) ??
      (devnet.pendingTransaction(txHash) ?? devnet.replacedTransaction(txHash) ?? devnet.pendingMessage(asCid) ?? devnet.replacedMessage(asCid))?.cid ??
      answeredCid(droppedTipsets(devnet).messageByTxHash(txHash), txHash, asCid) ??
      (devnet.pooledByUnsignedCid(asCid) ? asCid : undefined);
    return cid ? { '/': cid.toString() } : null;
  }),

  // Lotus loads the message from its blockstore (lotus b835fab70 node/impl/eth/utils.go
  // getTransactionHashByCid): one only a kept dropped tipset included is answered too. By a signed
  // message's unsigned CID (mined, pending or replaced), that CID's digest (answeredCid's rule).
  defineMethod('Filecoin.EthGetTransactionHashByCid', [cid('cid')], ({ devnet }, target) => {
    const found = devnet.chain.messageByCid(target) ?? droppedTipsets(devnet).messageByCid(target);
    const { digest } = target.multihash;
    if (found) return bytesToHex(found.message.cid.equals(target) ? transactionHash(found.message) : digest);
    const known = devnet.pendingMessage(target) ?? devnet.replacedMessage(target);
    if (known) return bytesToHex(transactionHash(known));
    return devnet.pooledByUnsignedCid(target) ? bytesToHex(digest) : null;
  }),
];
