// The chain: every tipset by epoch and by hash, and every included message by CID and by
// Ethereum transaction hash.
import { cidFromDigest, type CID } from '../common/cbor.js';
import { bytesToHex } from '../common/hex.js';
import { encodeMessage, encodeSignedMessage, messageCid } from '../fevm/message.js';
import { encodeBlockHeader, type IncludedMessage, type Tipset } from './tipset.js';

export interface MessageLocation {
  tipset: Tipset;
  message: IncludedMessage;
}

export class ChainStore {
  private readonly tipsets: Tipset[] = [];
  private readonly byHash = new Map<string, Tipset>();
  private readonly byBlock = new Map<string, Tipset>();
  /** Every object the chain holds by CID, encoded: block headers, signed and unsigned messages. */
  private readonly objects = new Map<string, Uint8Array>();
  private readonly byCid = new Map<string, MessageLocation>();
  private readonly cidByTxHash = new Map<string, string>();

  get head(): Tipset {
    return this.tipsets[this.tipsets.length - 1];
  }

  get height(): number {
    return this.tipsets.length - 1;
  }

  append(tipset: Tipset): void {
    if (tipset.epoch !== this.tipsets.length) throw new Error(`tipset ${tipset.epoch} does not follow ${this.height}`);
    this.tipsets.push(tipset);
    this.byHash.set(bytesToHex(tipset.hash), tipset);
    this.byBlock.set(tipset.blockCid.toString(), tipset);
    this.objects.set(tipset.blockCid.toString(), encodeBlockHeader(tipset.header));
    for (const message of tipset.messages) {
      const cid = message.cid.toString();
      this.byCid.set(cid, { tipset, message });
      this.objects.set(cid, encodeSignedMessage(message.signed));
      const unsigned = messageCid(message.signed.message).toString();
      this.objects.set(unsigned, encodeMessage(message.signed.message));
      // A BLS message's CID is its unsigned CID; a signed one is found by either.
      if (unsigned !== cid) this.byCid.set(unsigned, { tipset, message });
      if (message.ethTx) this.cidByTxHash.set(bytesToHex(message.ethTx.hash), cid);
    }
  }

  /** Every tipset, genesis first. */
  all(): readonly Tipset[] {
    return this.tipsets;
  }

  /** Forgets every tipset above `height` and what they included (evm_revert, anvil_reset). */
  truncate(height: number): void {
    while (this.tipsets.length - 1 > height) {
      const tipset = this.tipsets.pop()!;
      this.byHash.delete(bytesToHex(tipset.hash));
      this.byBlock.delete(tipset.blockCid.toString());
      this.objects.delete(tipset.blockCid.toString());
      for (const message of tipset.messages) {
        const cid = message.cid.toString();
        const unsigned = messageCid(message.signed.message).toString();
        this.byCid.delete(cid);
        this.byCid.delete(unsigned);
        this.objects.delete(cid);
        this.objects.delete(unsigned);
        if (message.ethTx) this.cidByTxHash.delete(bytesToHex(message.ethTx.hash));
      }
    }
  }

  atEpoch(epoch: number): Tipset | undefined {
    return this.tipsets[epoch];
  }

  byBlockCid(cid: CID): Tipset | undefined {
    return this.byBlock.get(cid.toString());
  }

  /** The encoded object with this CID, if the chain holds it (Filecoin.ChainReadObj). */
  readObject(cid: CID): Uint8Array | undefined {
    return this.objects.get(cid.toString());
  }

  byBlockHash(hash: Uint8Array): Tipset | undefined {
    return this.byHash.get(bytesToHex(hash));
  }

  messageByCid(cid: string): MessageLocation | undefined {
    return this.byCid.get(cid);
  }

  /** An Ethereum transaction hash, or the digest of a native message's CID (as Lotus maps them). */
  messageByTxHash(hash: Uint8Array): MessageLocation | undefined {
    const cid = this.cidByTxHash.get(bytesToHex(hash)) ?? cidFromDigest(hash).toString();
    return this.byCid.get(cid);
  }

  /** Tipsets from `from` to `to`, both included. */
  range(from: number, to: number): Tipset[] {
    return this.tipsets.slice(Math.max(0, from), Math.min(this.tipsets.length, to + 1));
  }
}
