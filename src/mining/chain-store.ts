// The chain: every tipset by epoch and by hash, and every included message by CID and by
// Ethereum transaction hash. Epochs may be skipped: an epoch with no tipset is a null round (as in
// Filecoin), so the tipsets are kept in epoch order and found by binary search, not by index.
import { BLAKE2B_256, DAG_CBOR, type CID } from '../common/cbor.js';
import { Uint32List } from '../common/uint32-list.js';
import { encodeMessage, encodeSignedMessage, messageCid, SigType } from '../fevm/message.js';
import { eventsRoot } from '../fevm/events-amt.js';
import type { ActorEvent } from '../fevm/types.js';
import { DigestIndex } from './digest-index.js';
import { compactMessages, CURRENT_ROOTS, DecodedColdTipsets, encodeBlockHeader, messageDigestOf, type IncludedMessage, type RootFormat, type Tipset } from './tipset.js';

/** What a premium estimate reads of a tipset: its block count and its messages' premiums and gas limits. */
export interface TipsetFees {
  blocks: number;
  fees: readonly { premium: bigint; gasLimit: number }[];
}

export interface MessageLocation {
  tipset: Tipset;
  message: IncludedMessage;
}

const DIGEST_BYTES = 32;

/**
 * The digest a message CID is found by: every included message's CID is dag-cbor over blake2b-256
 * (buildTipset checks), so no other CID names one, and among those the digest alone tells them apart.
 */
export function messageDigest(cid: CID): Uint8Array | undefined {
  return cid.code === DAG_CBOR && cid.multihash.code === BLAKE2B_256 ? cid.multihash.digest : undefined;
}

export class ChainStore {
  private tipsets: Tipset[] = [];
  /** Per tipset: the ordinal of its first message (messages are numbered from 0 in chain order). */
  private firstOrdinals = new Uint32List();
  /** How many messages the chain holds. */
  private messageCount = 0;
  /**
   * The indexes (in `tipsets`) of the tipsets with any event in their receipts, in chain order: a log
   * query skips the others without reading them (most of a devnet's tipsets are empty or log nothing).
   */
  private withEvents: number[] = [];
  /** The tipsets from this index on keep their messages as objects; those before it are cold. */
  private hotFrom = 0;
  private decodedCold = new DecodedColdTipsets();
  /** Tipsets (their indexes in `tipsets`) by hash and by their block's CID's digest: typed arrays, where Maps by hex were ~0.3 KB a tipset. */
  private readonly byHash = new DigestIndex((index) => this.tipsets[index]?.hash);
  private readonly byBlock = new DigestIndex((index) => this.tipsets[index]?.blockCid.multihash.digest);
  /** Messages by their CID's digest: a BLS message's unsigned CID, the signed one otherwise. */
  private readonly byCid = new DigestIndex((ordinal) => this.messageAt(ordinal)?.message.cid.multihash.digest);
  private readonly byTxHash = new DigestIndex((ordinal) => this.messageAt(ordinal)?.message.ethTx?.hash);
  /**
   * Signed messages by their unsigned CID's digest (by which Lotus finds them too), for the ordinals
   * below `unsignedIndexed`: hashed on the first lookup that misses, not while mining, where it cost
   * as much as the signed CID.
   */
  private readonly byUnsignedCid = new DigestIndex((ordinal) => (ordinal < this.unsignedIndexed ? this.unsignedDigest(ordinal) : undefined));
  private unsignedDigests = new Uint8Array(0);
  private unsignedIndexed = 0;
  /**
   * Receipts' events by their EventsRoot (ChainGetEvents): the ordinal of the first message whose
   * receipt has them (read from its tipset, cold or not, so the chain keeps no second copy), and the
   * keys of its AMT's blocks. Dropped with that message (truncate): a devnet's revert is its garbage
   * collection, so that a suite's thousands of reverts keep nothing of the receipts they undid.
   */
  private eventsByRoot = new Map<string, { ordinal: number; blocks: readonly string[] }>();
  /** The blocks of those events AMTs (ChainReadObj), each with how many roots' AMTs hold it. */
  private eventBlocks = new Map<string, { bytes: Uint8Array; roots: number }>();
  /** Ordinals of receipts with events whose AMTs are not built yet, oldest first: built on the first lookup, not while mining. */
  private unindexedEvents: number[] = [];

  /**
   * The tipsets below this epoch have roots made as --state format 8 made them (tipset.ts RootFormat),
   * naming no cheat-code edit: those of a chain saved in format 8 or older, rebuilt as they were
   * saved; 0 for a chain of this version's. A cut below it lowers it (`truncate`), so that the tipsets
   * mined again there have this version's roots; Infinity while an older format's file and journal load.
   */
  editlessRootsBefore = 0;
  /** Likewise, the tipsets below this epoch have roots made as format 9 made them, or 8 below editlessRootsBefore. */
  untimedRootsBefore = 0;

  /** How the roots of a tipset at `epoch` are made (tipset.ts RootFormat): as the format that first saved them. */
  rootsAt(epoch: number): RootFormat {
    return epoch < this.editlessRootsBefore ? 8 : epoch < this.untimedRootsBefore ? 9 : CURRENT_ROOTS;
  }

  /**
   * The block hash of an epoch before the first tipset: a fork's upstream's (ForkSource.tipsetHash,
   * which may throw MissingStateError); none on a chain of its own.
   */
  hashBeforeFirst: ((epoch: number) => Uint8Array | undefined) | undefined;

  /**
   * A fork's upstream's tipsets from the first tipset down (the fork epoch's, then those before it,
   * newest first) as premium estimates read them, once fetched (ForkSource.fetchTipsetFees); none on
   * a chain of its own.
   */
  upstreamFees: (() => readonly TipsetFees[] | undefined) | undefined;

  /**
   * @param hotMessages the chain's last messages, which tests and dApps read right after sending, stay
   * in their tipsets' objects; the tipsets before them keep their messages encoded (compactMessages).
   */
  constructor(private readonly hotMessages = Infinity) {}

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
    this.firstOrdinals.push(this.messageCount);
    this.byHash.add(tipset.hash, this.tipsets.length - 1);
    this.byBlock.add(tipset.blockCid.multihash.digest, this.tipsets.length - 1);
    let events = false;
    const { messages } = tipset;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      const ordinal = this.messageCount++;
      this.byCid.add(messageDigestOf(tipset, i), ordinal);
      const txHash = message.ethTx?.hash;
      if (txHash) this.byTxHash.add(txHash, ordinal);
      if (message.receipt.events.length > 0) {
        this.unindexedEvents.push(ordinal);
        events = true;
      }
    }
    if (events) this.withEvents.push(this.tipsets.length - 1);
    this.coolDown();
  }

  /**
   * Takes `loaded`'s tipsets and indexes in place of its own (a saved chain, built and checked apart,
   * so that a damaged one changes nothing here); `loaded` is left empty. Its tipsets before this
   * chain's last `hotMessages` messages go cold, if they are not already.
   */
  adopt(loaded: ChainStore): void {
    this.truncate(-1);
    this.editlessRootsBefore = loaded.editlessRootsBefore;
    this.untimedRootsBefore = loaded.untimedRootsBefore;
    [this.tipsets, loaded.tipsets] = [loaded.tipsets, this.tipsets];
    [this.firstOrdinals, loaded.firstOrdinals] = [loaded.firstOrdinals, this.firstOrdinals];
    [this.messageCount, loaded.messageCount] = [loaded.messageCount, this.messageCount];
    [this.withEvents, loaded.withEvents] = [loaded.withEvents, this.withEvents];
    [this.hotFrom, loaded.hotFrom] = [loaded.hotFrom, this.hotFrom];
    // The cold tipsets are decoded through the store that made them cold.
    [this.decodedCold, loaded.decodedCold] = [loaded.decodedCold, this.decodedCold];
    this.byHash.swap(loaded.byHash);
    this.byBlock.swap(loaded.byBlock);
    this.byCid.swap(loaded.byCid);
    this.byTxHash.swap(loaded.byTxHash);
    this.byUnsignedCid.swap(loaded.byUnsignedCid);
    [this.unsignedDigests, loaded.unsignedDigests] = [loaded.unsignedDigests, this.unsignedDigests];
    [this.unsignedIndexed, loaded.unsignedIndexed] = [loaded.unsignedIndexed, this.unsignedIndexed];
    // This chain's events went with its messages (truncate): `loaded`'s are the only ones.
    [this.eventsByRoot, loaded.eventsByRoot] = [loaded.eventsByRoot, this.eventsByRoot];
    [this.eventBlocks, loaded.eventBlocks] = [loaded.eventBlocks, this.eventBlocks];
    [this.unindexedEvents, loaded.unindexedEvents] = [loaded.unindexedEvents, this.unindexedEvents];
    this.coolDown();
  }

  /** Makes cold each tipset whose later tipsets hold `hotMessages` messages or more. */
  private coolDown(): void {
    const last = this.tipsets.length - 1;
    while (this.hotFrom < last && this.messageCount - this.firstOrdinals.get(this.hotFrom + 1) >= this.hotMessages) {
      compactMessages(this.tipsets[this.hotFrom++], this.decodedCold);
    }
  }

  /** The message with this ordinal and its tipset, if the chain holds it. */
  private messageAt(ordinal: number): MessageLocation | undefined {
    if (ordinal >= this.messageCount) return undefined;
    // The last tipset whose first ordinal is at or below it.
    let lo = 0;
    let hi = this.tipsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.firstOrdinals.get(mid) <= ordinal) lo = mid;
      else hi = mid - 1;
    }
    const tipset = this.tipsets[lo];
    return { tipset, message: tipset.messages[ordinal - this.firstOrdinals.get(lo)] };
  }

  /** Every tipset, genesis first. */
  all(): readonly Tipset[] {
    return this.tipsets;
  }

  /** Forgets every tipset above `height` and what they included (evm_revert, anvil_reset). */
  truncate(height: number): void {
    // Tipsets mined from here on have this version's roots; a journal's replay cuts here too, so it rebuilds the same roots.
    if (Number.isFinite(this.editlessRootsBefore)) this.editlessRootsBefore = Math.min(this.editlessRootsBefore, height + 1);
    if (Number.isFinite(this.untimedRootsBefore)) this.untimedRootsBefore = Math.min(this.untimedRootsBefore, height + 1);
    const count = this.messageCount;
    let droppedEvents = false;
    while (this.tipsets.length > 0 && this.head.epoch > height) {
      this.byHash.remove(this.head.hash, this.tipsets.length - 1);
      this.byBlock.remove(this.head.blockCid.multihash.digest, this.tipsets.length - 1);
      const tipset = this.tipsets.pop()!;
      const first = this.firstOrdinals.pop()!;
      tipset.messages.forEach((message, i) => {
        this.unindex(message, messageDigestOf(tipset, i), first + i);
        if (message.receipt.events.length > 0) droppedEvents = true;
      });
      this.messageCount = first;
      this.hotFrom = Math.min(this.hotFrom, this.tipsets.length);
      this.unsignedIndexed = Math.min(this.unsignedIndexed, first);
    }
    while (this.withEvents.length > 0 && this.withEvents[this.withEvents.length - 1] >= this.tipsets.length) this.withEvents.pop();
    if (this.messageCount === count) return;
    this.decodedCold.clear();
    if (droppedEvents) this.dropEventsFrom(this.messageCount);
  }

  /**
   * Forgets the events AMTs that messages from `ordinal` on named, and the blocks no other root holds.
   * A root a kept receipt shares stays named by it: the first receipt with them names them, and every
   * kept message comes before the dropped ones. (Lotus keeps a reorg's blocks until its blockstore's
   * garbage collection; a devnet reverts far more often, and has no other collection.)
   */
  private dropEventsFrom(ordinal: number): void {
    while (this.unindexedEvents.length > 0 && this.unindexedEvents[this.unindexedEvents.length - 1] >= ordinal) this.unindexedEvents.pop();
    for (const [root, entry] of this.eventsByRoot) {
      if (entry.ordinal < ordinal) continue;
      this.eventsByRoot.delete(root);
      for (const key of entry.blocks) {
        const block = this.eventBlocks.get(key)!;
        if (--block.roots === 0) this.eventBlocks.delete(key);
      }
    }
  }

  /** Removes a message the chain drops from the message indexes; `digest`: its CID's (messageDigestOf). */
  private unindex(message: IncludedMessage, digest: Uint8Array, ordinal: number): void {
    this.byCid.remove(digest, ordinal);
    const txHash = message.ethTx?.hash;
    if (txHash) this.byTxHash.remove(txHash, ordinal);
    // A BLS message's digest here is its CID's, which this index does not hold: nothing to remove.
    if (ordinal < this.unsignedIndexed) this.byUnsignedCid.remove(this.unsignedDigest(ordinal), ordinal);
  }

  /** The unsigned CID's digest of an ordinal below `unsignedIndexed`. */
  private unsignedDigest(ordinal: number): Uint8Array {
    return this.unsignedDigests.subarray(ordinal * DIGEST_BYTES, (ordinal + 1) * DIGEST_BYTES);
  }

  /** The message with this CID, signed or unsigned. */
  private located(cid: CID): MessageLocation | undefined {
    const digest = messageDigest(cid);
    return digest && this.locatedByDigest(digest);
  }

  /** The message whose CID (signed or unsigned) has this digest, indexing the unsigned CIDs not indexed yet on a miss. */
  private locatedByDigest(digest: Uint8Array): MessageLocation | undefined {
    const found = this.byCid.find(digest);
    if (found !== undefined) return this.messageAt(found);
    this.indexUnsigned();
    const unsigned = this.byUnsignedCid.find(digest);
    return unsigned === undefined ? undefined : this.messageAt(unsigned);
  }

  /** Hashes the unsigned CIDs of the signed messages appended since the last time. */
  private indexUnsigned(): void {
    if (this.unsignedIndexed === this.messageCount) return;
    if (this.unsignedDigests.length < this.messageCount * DIGEST_BYTES) {
      const grown = new Uint8Array(Math.max(this.messageCount, 2 * this.unsignedIndexed, 1024) * DIGEST_BYTES);
      grown.set(this.unsignedDigests.subarray(0, this.unsignedIndexed * DIGEST_BYTES));
      this.unsignedDigests = grown;
    }
    for (let ordinal = this.unsignedIndexed; ordinal < this.messageCount; ordinal++) {
      const { message } = this.messageAt(ordinal)!;
      const { signed } = message;
      const at = ordinal * DIGEST_BYTES;
      // A BLS message's CID is its unsigned CID, found in `byCid`: it is kept here but not indexed again.
      if (signed.signature.type === SigType.BLS) {
        this.unsignedDigests.set(message.cid.multihash.digest, at);
        continue;
      }
      const digest = messageCid(signed.message).multihash.digest;
      this.unsignedDigests.set(digest, at);
      this.byUnsignedCid.add(digest, ordinal);
    }
    this.unsignedIndexed = this.messageCount;
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
   * for a null round, the one before it's, as Lotus's extern looks it up; before a fork's first
   * tipset, the upstream's.
   */
  hashAt(epoch: number): Uint8Array | undefined {
    if (epoch < (this.first?.epoch ?? 0)) return this.hashBeforeFirst?.(epoch);
    return this.atOrBefore(epoch)?.hash;
  }

  /**
   * The chain's tipset a tipset's header names as its parent (the one before it, across null rounds),
   * found by hash: for a tipset on the chain, its Tipset.parent; undefined for a parent a revert
   * dropped, which Tipset.parent still holds (read that along a kept dropped tipset's branch).
   */
  parentOf(tipset: Tipset): Tipset | undefined {
    return tipset.parentKey && this.byBlockHash(tipset.parentKey.multihash.digest);
  }

  byBlockCid(cid: CID): Tipset | undefined {
    const found = this.byBlock.find(cid.multihash.digest);
    const tipset = found === undefined ? undefined : this.tipsets[found];
    return tipset?.blockCid.equals(cid) ? tipset : undefined;
  }

  /**
   * The encoded object with this CID, if the chain holds it (Filecoin.ChainReadObj): a block header,
   * a signed message or an unsigned one. Encoded when asked for, not kept.
   */
  readObject(cid: CID): Uint8Array | undefined {
    const block = this.byBlockCid(cid);
    // A fork's first tipset stands in for the upstream's, whose header bytes only the upstream holds.
    if (block) return block.upstream ? undefined : encodeBlockHeader(block.header);
    this.indexEvents();
    const eventBlock = this.eventBlocks.get(cid.toString());
    if (eventBlock) return eventBlock.bytes;
    const found = this.located(cid);
    if (!found) return undefined;
    const { cid: signedCid, signed } = found.message;
    // Under its own CID a signed message reads signed; under its unsigned CID (a BLS message's only one), unsigned.
    return signedCid.equals(cid) && signed.signature.type !== SigType.BLS ? encodeSignedMessage(signed) : encodeMessage(signed.message);
  }

  /** The events of the receipt whose EventsRoot is `root` (Filecoin.ChainGetEvents). */
  eventsOf(root: CID): readonly ActorEvent[] | undefined {
    this.indexEvents();
    const entry = this.eventsByRoot.get(root.toString());
    return entry && this.eventsAt(entry.ordinal);
  }

  private eventsAt(ordinal: number): readonly ActorEvent[] {
    return this.messageAt(ordinal)!.message.receipt.events;
  }

  /** Builds the events AMTs of the receipts appended since the last lookup. */
  private indexEvents(): void {
    for (const ordinal of this.unindexedEvents) {
      const amt = eventsRoot(this.eventsAt(ordinal))!;
      const root = amt.root.toString();
      // The first receipt with these events names them: a later one may be dropped without it.
      if (this.eventsByRoot.has(root)) continue;
      const blocks: string[] = [];
      for (const [key, bytes] of amt.blocks) {
        const block = this.eventBlocks.get(key);
        if (block) block.roots++;
        else this.eventBlocks.set(key, { bytes, roots: 1 });
        blocks.push(key);
      }
      this.eventsByRoot.set(root, { ordinal, blocks });
    }
    this.unindexedEvents = [];
  }

  byBlockHash(hash: Uint8Array): Tipset | undefined {
    const found = this.byHash.find(hash);
    return found === undefined ? undefined : this.tipsets[found];
  }

  messageByCid(cid: CID): MessageLocation | undefined {
    return this.located(cid);
  }

  /** An Ethereum transaction hash, or the digest of a native message's CID (as Lotus maps them). */
  messageByTxHash(hash: Uint8Array): MessageLocation | undefined {
    const found = this.byTxHash.find(hash);
    return found === undefined ? this.locatedByDigest(hash) : this.messageAt(found);
  }

  /** The tipsets at epochs from `from` to `to`, both included (null rounds have none). */
  range(from: number, to: number): Tipset[] {
    return this.tipsets.slice(this.firstIndexFrom(from), this.firstIndexFrom(to + 1));
  }

  /** The tipsets of range(from, to) with any event in their receipts: those that may hold logs. */
  rangeWithEvents(from: number, to: number): Tipset[] {
    const { withEvents } = this;
    const first = this.firstIndexFrom(from);
    const end = this.firstIndexFrom(to + 1);
    const tipsets: Tipset[] = [];
    for (let i = firstAtLeast(withEvents, first); i < withEvents.length && withEvents[i] < end; i++) tipsets.push(this.tipsets[withEvents[i]]);
    return tipsets;
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

/** The index of the first of the ascending `values` at or above `value` (their length if none is). */
function firstAtLeast(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The chain as readers see it: everything but appending and truncating, which only the miner's queue does. */
export type ChainView = Omit<ChainStore, 'append' | 'truncate'>;
