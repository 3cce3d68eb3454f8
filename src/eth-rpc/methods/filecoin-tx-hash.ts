// Between a message's Filecoin CID and its Ethereum transaction hash:
// Filecoin.EthGetMessageCidByTransactionHash, Filecoin.EthGetTransactionHashByCid.
import { CID } from '../../common/cbor.js';
import { bytesToHex, equalBytes } from '../../common/hex.js';
import { defineMethod } from '../define-method.js';
import { transactionHash } from '../logs.js';
import { hash, invalid, type Param } from '../params.js';

/** A CID in Lotus's JSON form, {"/": "bafy…"}. */
const cidParam = (name: string): Param<CID> => ({
  name,
  parse: (v) => {
    const text = v && typeof v === 'object' ? (v as Record<string, unknown>)['/'] : undefined;
    if (typeof text !== 'string') throw invalid(name, 'expected a CID as {"/": "…"}');
    try {
      return CID.parse(text);
    } catch {
      throw invalid(name, `invalid CID ${text.slice(0, 80)}`);
    }
  },
});

export const filecoinTxHash = [
  defineMethod('Filecoin.EthGetMessageCidByTransactionHash', [hash('transactionHash')], ({ devnet }, txHash) => {
    const cid =
      devnet.chain.messageByTxHash(txHash)?.message.cid ??
      devnet.mempool.pending().find((p) => p.ethTx && equalBytes(p.ethTx.hash, txHash))?.cid;
    return cid ? { '/': cid.toString() } : null;
  }),

  defineMethod('Filecoin.EthGetTransactionHashByCid', [cidParam('cid')], ({ devnet }, cid) => {
    const mined = devnet.chain.messageByCid(cid.toString());
    if (mined) return bytesToHex(transactionHash(mined.message));
    const pending = devnet.mempool.pending().find((p) => p.cid.equals(cid));
    return pending ? bytesToHex(pending.ethTx?.hash ?? pending.cid.multihash.digest) : null;
  }),
];
