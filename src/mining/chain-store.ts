// The chain: every tipset by epoch and by hash, and every included message by CID and by
// Ethereum transaction hash. Epochs may be skipped: an epoch with no tipset is a null round (as in
// Filecoin), so the tipsets are kept in epoch order and found by binary search, not by index.
import { cidFromDigest, type CID } from '../common/cbor.js';
import { bytesToHex } from '../common/hex.js';
import { encodeMessage, encodeSignedMessage, messageCid, SigType } from '../fevm/message.js';
import { eventsRoot } from '../fevm/events-amt.js';
import type { ActorEvent } from '../fevm/types.js';
import { encodeBlockHeader, type IncludedMessage, type Tipset } from './tipset.js';

export interface MessageLocation {
  tipset: Tipset;
  message: IncludedMessage;
}

/** A CID as a key of the maps below: the hex of its bytes (one flat string, where its base32 text is a rope of pieces). */
function cidKey(cid: CID): string {
  return bytesToHex(cid.bytes);
}

export class ChainStore {
  private readonly tipsets: Tipset[] = [];
  private readonly byHash = new Map<string, Tipset>();
  private readonly byBlock = new Map<string, Tipset>();
  private readonly byCid = new Map<string, MessageLocation>();
  private readonly byTxHash = new Map<string, MessageLocation>();
  /** Receipts' events by their EventsRoot, and the blocks of those AMTs (ChainGetEvents, ChainReadObj). */
  private readonly eventsByRoot = new Map<string, readonly ActorEvent[]>();
  private readonly eventBlocks = new Map<string, Uint8Array>();
  /**
   * Signed messages whose unsigned CID (by which Lotus finds them too) is not in `byCid` yet: hashed
   * on the first lookup that misses, not while mining, where it cost as much as the signed CID.
   */
  private unindexedUnsigned: MessageLocation[] = [];
  /** Receipts' events whose AMTs are not built yet: built on the first lookup, not while mining. */
  private unindexedEvents: (readonly ActorEvent[])[] = [];

  get head(): Tipset {
    return this.tipsets[this.tipsets.length - 1];
  }

  /** The first tipset: genesis, or the upstream's tipset a fork starts from. */
  get first(): Tipset {
    return this.tipsets[0];
  }

  /** The head's epoch (-1 before genesis). */
  get height(): number {
    return this.tipsets.length === 0 ? -1 : this.head.epoch;
  }

  /**
   * Adds a tipset on top of the head: the first one without a parent (genesis at epoch 0, or the
   * upstream's tipset a fork starts from), then each child of the head, at a later epoch.
   */
  append(tipset: Tipset): void {
    const head = this.tipsets.length === 0 ? undefined : this.head;
    const follows = head
      ? tipset.epoch > head.epoch && tipset.parentKey !== undefined && tipset.parentKey.equals(head.key)
      : tipset.parentKey === undefined;
    if (!follows) throw new Error(`tipset ${tipset.epoch} does not follow ${this.height}`);
    this.tipsets.push(tipset);
    this.byHash.set(bytesToHex(tipset.hash), tipset);
    this.byBlock.set(cidKey(tipset.blockCid), tipset);
    for (const message of tipset.messages) {
      const location = { tipset, message };
      this.byCid.set(cidKey(message.cid), location);
      // A BLS message's CID is its unsigned CID; a signed one (an Ethereum transaction's: not made here) is found by either.
      if (message.ethTx || message.signed.signature.type !== SigType.BLS) this.unindexedUnsigned.push(location);
      if (message.ethTx) this.byTxHash.set(bytesToHex(message.ethTx.hash), location);
      if (message.receipt.events.length > 0) this.unindexedEvents.push(message.receipt.events);
    }
  }

  /** Every tipset, genesis first. */
  all(): readonly Tipset[] {
    return this.tipsets;
  }

  /** Forgets every tipset above `height` and what they included (evm_revert, anvil_reset). */
  truncate(height: number): void {
    while (this.tipsets.length > 0 && this.head.epoch > height) {
      const tipset = this.tipsets.pop()!;
      this.byHash.delete(bytesToHex(tipset.hash));
      this.byBlock.delete(cidKey(tipset.blockCid));
      for (const message of tipset.messages) {
        this.byCid.delete(cidKey(message.cid));
        this.byCid.delete(cidKey(messageCid(message.signed.message)));
        if (message.ethTx) this.byTxHash.delete(bytesToHex(message.ethTx.hash));
        // Events AMTs stay (built or not): they are content-addressed, so a receipt still on the chain
        // may share them (the same events emitted twice), as a Lotus blockstore keeps blocks across reorgs.
      }
    }
    this.unindexedUnsigned = this.unindexedUnsigned.filter((location) => location.tipset.epoch <= height);
  }

  /** The message with this CID (hex of its bytes), signed or unsigned, indexing the unsigned CIDs not indexed yet on a miss. */
  private located(key: string): MessageLocation | undefined {
    const found = this.byCid.get(key);
    if (found || this.unindexedUnsigned.length === 0) return found;
    for (const location of this.unindexedUnsigned) this.byCid.set(cidKey(messageCid(location.message.signed.message)), location);
    this.unindexedUnsigned = [];
    return this.byCid.get(key);
  }

  /** The tipset at `epoch`; undefined for a null round or an epoch beyond the head. */
  atEpoch(epoch: number): Tipset | undefined {
    const tipset = this.tipsets[this.firstIndexFrom(epoch)];
    return tipset?.epoch === epoch ? tipset : undefined;
  }

  /** The tipset at `epoch` or, for a null round, the last one before it (Lotus GetTipsetByHeight, prev = true). */
  atOrBefore(epoch: number): Tipset | undefined {
    const i = this.firstIndexFrom(epoch);
    return this.tipsets[i]?.epoch === epoch ? this.tipsets[i] : this.tipsets[i - 1];
  }

  /** The tipset at `epoch` or, for a null round, the first one after it (Lotus GetTipsetByHeight, prev = false). */
  atOrAfter(epoch: number): Tipset | undefined {
    return this.tipsets[this.firstIndexFrom(epoch)];
  }

  /** Whether `epoch` is a null round: within the chain, but without a tipset. */
  isNullRound(epoch: number): boolean {
    return this.tipsets.length > 0 && epoch >= this.tipsets[0].epoch && epoch <= this.height && this.atEpoch(epoch) === undefined;
  }

  /**
   * The block hash the FVM gives for `epoch` (BLOCKHASH, tipset_cid): the tipset's at that epoch or,
   * for a null round, the one before it's, as Lotus's extern looks it up.
   */
  hashAt(epoch: number): Uint8Array | undefined {
    return this.atOrBefore(epoch)?.hash;
  }

  /** The tipset a tipset's header names as its parent (the one before it, across null rounds). */
  parentOf(tipset: Tipset): Tipset | undefined {
    return tipset.parentKey && this.byHash.get(bytesToHex(tipset.parentKey.multihash.digest));
  }

  byBlockCid(cid: CID): Tipset | undefined {
    return this.byBlock.get(cidKey(cid));
  }

  /**
   * The encoded object with this CID, if the chain holds it (Filecoin.ChainReadObj): a block header,
   * a signed message or an unsigned one. Encoded when asked for, not kept.
   */
  readObject(cid: CID): Uint8Array | undefined {
    const key = cidKey(cid);
    const block = this.byBlock.get(key);
    if (block) return encodeBlockHeader(block.header);
    this.indexEvents();
    const eventBlock = this.eventBlocks.get(cid.toString());
    if (eventBlock) return eventBlock;
    const found = this.located(key);
    if (!found) return undefined;
    const { cid: signedCid, signed } = found.message;
    // Under its own CID a signed message reads signed; under its unsigned CID (a BLS message's only one), unsigned.
    return signedCid.equals(cid) && signed.signature.type !== SigType.BLS ? encodeSignedMessage(signed) : encodeMessage(signed.message);
  }

  /** The events of the receipt whose EventsRoot is `root` (Filecoin.ChainGetEvents). */
  eventsOf(root: CID): readonly ActorEvent[] | undefined {
    this.indexEvents();
    return this.eventsByRoot.get(root.toString());
  }

  /** Builds the events AMTs of the receipts appended since the last lookup. */
  private indexEvents(): void {
    for (const events of this.unindexedEvents) {
      const amt = eventsRoot(events)!;
      this.eventsByRoot.set(amt.root.toString(), events);
      for (const [key, bytes] of amt.blocks) this.eventBlocks.set(key, bytes);
    }
    this.unindexedEvents = [];
  }

  byBlockHash(hash: Uint8Array): Tipset | undefined {
    return this.byHash.get(bytesToHex(hash));
  }

  messageByCid(cid: CID): MessageLocation | undefined {
    return this.located(cidKey(cid));
  }

  /** An Ethereum transaction hash, or the digest of a native message's CID (as Lotus maps them). */
  messageByTxHash(hash: Uint8Array): MessageLocation | undefined {
    return this.byTxHash.get(bytesToHex(hash)) ?? this.located(cidKey(cidFromDigest(hash)));
  }

  /** The tipsets at epochs from `from` to `to`, both included (null rounds have none). */
  range(from: number, to: number): Tipset[] {
    return this.tipsets.slice(this.firstIndexFrom(from), this.firstIndexFrom(to + 1));
  }

  /** The last `count` tipsets up to `epoch` (included), oldest first. */
  lastUpTo(epoch: number, count: number): Tipset[] {
    const end = this.firstIndexFrom(epoch + 1);
    return this.tipsets.slice(Math.max(0, end - count), end);
  }

  /** The index of the first tipset at or after `epoch` (the length if none is). */
  private firstIndexFrom(epoch: number): number {
    const { tipsets } = this;
    // Fast path: a chain without null rounds up to `epoch` holds it at its distance from the first tipset.
    const dense = epoch - (tipsets[0]?.epoch ?? 0);
    if (dense >= 0 && tipsets[dense]?.epoch === epoch) return dense;
    let lo = 0;
    let hi = tipsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tipsets[mid].epoch < epoch) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The chain as readers see it: everything but appending and truncating, which only the miner's queue does. */
export type ChainView = Omit<ChainStore, 'append' | 'truncate'>;
