// Tipsets an evm_revert, anvil_rollback or anvil_reorg dropped, still answered by hash, block CID and
// key, as Lotus keeps a reorged tipset in its blockstore (lotus b835fab70 chain/store/store.go
// GetTipSetByCid reads the blockstore, not the canonical chain): indexers fetch a new head by hash
// before they check its parent (Ponder), and a revert may drop the head they queued. On a fork they
// are the fork's own, never asked upstream. Each keeps its logs, made while it was the chain's, and
// its state, a branch of the state tree (state-branch.ts). Which methods answer one: README's
// "A revert undoes logs out loud". How they do, in three rules:
// - a tipset becomes a state read in statePointOf: a kept dropped one reads its kept state; one
//   KEPT_DROPPED let go is refused, never read as the chain's state at its epoch (another tipset's);
// - a walk down a dropped tipset's branch steps by walkedParentOf (branchDown): a kept parent, else
//   the one a tipset holds (Tipset.parent), down to where the branch left the chain;
// - a Filecoin.* tipset key, the pool's methods' too, is loaded with keptTipsetOf, as Lotus's
//   GetTipSetFromKey loads a reorged one; lotus-params.ts tipsetOf, which refuses a dropped key,
//   is for what follows the live chain only.
import { DevnetError } from '../common/errors.js';
import { bytesToHex, equalBytes } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { KeepDroppedState } from '../devnet/events.js';
import type { FeeHistory } from '../devnet/fee-estimates.js';
import { executedIn } from '../devnet/message-search.js';
import type { OffChainPoint } from '../devnet/replay.js';
import type { StateBranch } from '../fevm/state-branch.js';
import { messageCid, SigType, type Message } from '../fevm/message.js';
import type { StateReader } from '../fevm/state-tree.js';
import type { CID } from '../common/cbor.js';
import { messageDigest, type MessageLocation } from '../mining/chain-store.js';
import { loggedMessagesOf, messageDigestOf, tipsetKeyCid, type Tipset } from '../mining/tipset.js';
import { tipsetLogs, type EthLog } from './logs.js';
import { heldTipset, tipsetOf } from './lotus-params.js';

/**
 * How many dropped tipsets are kept, and how far above the epoch a revert goes back to: a kept
 * tipset holds its parents (a MinedTipset links to its parent), so a revert also lets go of those
 * more than this above its target, and a long revert keeps only its first tipsets. Thousands of
 * evm_revert (Hardhat's loadFixture) keep no more than this.
 */
export const KEPT_DROPPED = 128;

/** What is kept of a dropped tipset. */
interface KeptTipset {
  /** Its logs, made while its state was still the chain's (a contract it created has no actor after). */
  readonly logs: readonly EthLog[];
  /** Its state: the branch of the state tree its revert dropped (shared by that revert's tipsets, released with the last of them). */
  readonly state: StateBranch;
  /** Its number of messages, read as it is kept (a cold tipset's count is in its encoded messages). */
  readonly messageCount: number;
  /** Its Ethereum transactions' hashes (hex), as in `byTxHash`. */
  readonly txHashes: readonly string[];
  /**
   * Its messages' unsigned CIDs' digests (none for a BLS message, whose CID is its unsigned one),
   * made on the first lookup that misses the CIDs, as the chain's byUnsignedCid.
   */
  unsignedDigests?: readonly (Uint8Array | undefined)[];
}

class DroppedTipsets {
  /**
   * The kept tipsets, oldest first. Found by the tipset object: a receipt or block read asks on every
   * call, and a dropped tipset mined again as it was is another object, on the chain.
   */
  private readonly kept = new Map<Tipset, KeptTipset>();
  private readonly byHash = new Map<string, Tipset>();
  /**
   * Where kept tipsets included each Ethereum transaction, by its hash (hex), filled as they are kept:
   * a kept transaction's hash is one lookup, not a decode of every kept tipset. A hash found neither
   * here nor on the chain (EthGetMessageCidByTransactionHash of a hash the node never saw) goes on to
   * byDigest, as a CID's digest: its unsigned pass reads each kept tipset's messages (decoding a cold
   * one's) and hashes their unsigned CIDs the first time a lookup misses, then compares the digests
   * kept. Most hashes have one place; a transaction mined again after a revert and dropped again has
   * one a tipset.
   */
  private readonly byTxHash = new Map<string, { tipset: Tipset; index: number }[]>();

  constructor(private readonly devnet: Devnet) {
    devnet.events.on('reverting', (tipsets, kind, keepState) => (kind === 'reset' ? this.clear() : this.keep(tipsets, keepState)));
    devnet.events.on('rewound', (kind) => {
      if (kind === 'replace') this.clear();
    });
  }

  /** How many are kept (tests). */
  get size(): number {
    return this.kept.size;
  }

  /** How many reverts' states are kept (tests). */
  get keptStates(): number {
    return new Set([...this.kept.values()].map((k) => k.state)).size;
  }

  /** `tipsets`: the ones a revert drops, newest first, while they are still the chain's. */
  private keep(tipsets: readonly Tipset[], keepState: KeepDroppedState): void {
    const limit = tipsets[tipsets.length - 1].epoch + KEPT_DROPPED;
    for (const tipset of this.kept.keys()) if (tipset.epoch >= limit) this.forget(tipset);
    // Taken after the forgetting above: a branch let go is not rebased by this revert.
    const state = keepState(limit - 1);
    for (let i = tipsets.length - 1; i >= 0 && tipsets[i].epoch < limit; i--) {
      const tipset = tipsets[i];
      // A tipset mined again as it was and dropped again takes the place of the one kept under its hash.
      const before = this.byHash.get(bytesToHex(tipset.hash));
      if (before) this.forget(before);
      const messages = loggedMessagesOf(tipset);
      const txHashes: string[] = [];
      messages.forEach(({ ethTx }, index) => {
        if (!ethTx) return;
        const hash = bytesToHex(ethTx.hash);
        txHashes.push(hash);
        const places = this.byTxHash.get(hash);
        if (places) places.push({ tipset, index });
        else this.byTxHash.set(hash, [{ tipset, index }]);
      });
      this.kept.set(tipset, { logs: tipsetLogs(this.devnet, tipset), state, messageCount: messages.length, txHashes });
      this.byHash.set(bytesToHex(tipset.hash), tipset);
    }
    for (const tipset of this.kept.keys()) {
      if (this.kept.size <= KEPT_DROPPED) break;
      this.forget(tipset);
    }
  }

  private forget(tipset: Tipset): void {
    const { state, txHashes } = this.kept.get(tipset)!;
    this.kept.delete(tipset);
    this.byHash.delete(bytesToHex(tipset.hash));
    for (const hash of txHashes) {
      const places = this.byTxHash.get(hash)!.filter((place) => place.tipset !== tipset);
      if (places.length > 0) this.byTxHash.set(hash, places);
      else this.byTxHash.delete(hash);
    }
    // Released with the last kept tipset that reads it: a look through at most twice KEPT_DROPPED, on a revert only.
    if (![...this.kept.values()].some((k) => k.state === state)) state.release();
  }

  private clear(): void {
    for (const state of new Set([...this.kept.values()].map((k) => k.state))) state.release();
    this.kept.clear();
    this.byHash.clear();
    this.byTxHash.clear();
  }

  /**
   * The dropped tipset with this block hash. Its callers ask the chain first (keptByBlockHash): a
   * dropped tipset mined again as it was is the chain's.
   */
  byBlockHash(hash: Uint8Array): Tipset | undefined {
    return this.byHash.get(bytesToHex(hash));
  }

  /**
   * The dropped tipset whose block has this CID, asked after the chain as byBlockHash: a devnet
   * tipset has one block, so its hash is the digest of the key of that block alone (a lookup hashes,
   * a revert keeps no second index).
   */
  byBlockCid(cid: CID): Tipset | undefined {
    return this.byHash.size === 0 ? undefined : this.byBlockHash(tipsetKeyCid([cid]).multihash.digest);
  }

  /**
   * The state a kept tipset's block names by its ParentStateRoot `root`: the state its messages ran
   * on (its branch's before it, the edits made at its parent's epoch in), asked after the chain's
   * blocks as byBlockHash: a look through at most KEPT_DROPPED tipsets.
   */
  stateByParentRoot(root: CID): StateReader | undefined {
    for (const tipset of this.kept.keys()) if (tipset.header.parentStateRoot.equals(root)) return this.branchOf(tipset).at(tipset.epoch - 1);
    return undefined;
  }

  /**
   * The kept tipset whose state root is `root` (the ParentStateRoot of one mined on it with no edit
   * between), asked after the chain as byBlockHash: a look through at most KEPT_DROPPED tipsets.
   */
  byStateRoot(root: CID): Tipset | undefined {
    for (const tipset of this.kept.keys()) if (tipset.stateRoot.equals(root)) return tipset;
    return undefined;
  }

  /**
   * Where a kept tipset included the message `cid`, signed or unsigned, if one did: as on the chain
   * (ChainStore.messageByCid), since Lotus's blockstore holds a reorged tipset's messages, and its
   * pool put both forms of each there (lotus b835fab70 chain/messagepool/messagepool.go addLocked:
   * PutMessage of the signed message and of its Message), which ChainGetMessage and SearchForMessage
   * read (chain/store/messages.go GetCMessage). Its digest is compared with theirs
   * (messageDigestOf), so that no CID object is made and no cold tipset's messages decoded but the
   * one that holds it, until a lookup misses them all and the unsigned CIDs are made. As on the
   * chain, only a dag-cbor CID over blake2b-256 names a message, so a digest that matches names that
   * message whatever tipset holds it; a CID of another codec or hash over the same digest names none.
   */
  messageByCid(cid: CID): MessageLocation | undefined {
    const digest = messageDigest(cid);
    return digest && this.byDigest(digest);
  }

  /** Where a kept tipset included the message whose CID's digest, signed or unsigned, is `digest`. */
  private byDigest(digest: Uint8Array): MessageLocation | undefined {
    for (const [tipset, { messageCount }] of this.kept) {
      for (let i = 0; i < messageCount; i++) {
        if (equalBytes(messageDigestOf(tipset, i), digest)) return { tipset, message: tipset.messages[i]! };
      }
    }
    for (const [tipset, kept] of this.kept) {
      const i = unsignedDigestsOf(tipset, kept).findIndex((unsigned) => unsigned && equalBytes(unsigned, digest));
      if (i >= 0) return { tipset, message: tipset.messages[i]! };
    }
    return undefined;
  }

  /**
   * Where a kept tipset included the Ethereum transaction `hash`, or the message whose CID's digest
   * it is, as the chain's messageByTxHash: Lotus's index keeps a transaction hash's message CID
   * through a revert, and its blockstore the message (EthGetMessageCidByTransactionHash).
   */
  messageByTxHash(hash: Uint8Array): MessageLocation | undefined {
    const place = this.byTxHash.get(bytesToHex(hash))?.[0];
    return place ? { tipset: place.tipset, message: place.tipset.messages[place.index]! } : this.byDigest(hash);
  }

  /** A kept tipset's state branch, or what says it is no longer kept (a revert let it go after it was found). */
  private branchOf(tipset: Tipset): StateBranch {
    const kept = this.kept.get(tipset);
    if (!kept) throw noLongerKept(tipset);
    return kept.state;
  }

  /**
   * A kept tipset as a call runs on it (eth_call by its hash): its state (after it was applied, as
   * stateAt reads a tipset on the chain), read when the call runs (a revert meanwhile may have let it
   * go: said so), and its ancestors' hashes for BLOCKHASH; undefined for any other tipset (one on the chain).
   */
  pointOf(tipset: Tipset): OffChainPoint | undefined {
    if (!this.kept.has(tipset)) return undefined;
    const { devnet } = this;
    return {
      tipset,
      state: (deferred) => this.branchOf(tipset).at(tipset.epoch, deferred),
      // Its branch holds every epoch above the point its revert went back to, which is below it: the one before it too.
      stateBefore: (deferred) => this.branchOf(tipset).at(tipset.epoch - 1, deferred),
      stateAt: (epoch, deferred) => this.branchOf(tipset).at(epoch, deferred),
      requireKept: () => void this.branchOf(tipset),
      writtenSlots: (id, generation) => this.branchOf(tipset).writtenSlots(id, generation, tipset.epoch),
      hashAt: (epoch) => {
        // Its ancestor at or before `epoch`, or the chain's there, below where its branch left it.
        const { below } = branchDown(devnet, tipset, epoch);
        return below.epoch <= epoch ? below.hash : devnet.chain.hashAt(epoch);
      },
    };
  }

  /** A dropped tipset's logs; undefined for any other tipset (one on the chain). */
  logsOf(tipset: Tipset): readonly EthLog[] | undefined {
    return this.kept.get(tipset)?.logs;
  }
}

/** A kept tipset's unsigned CIDs' digests (KeptTipset.unsignedDigests), made on the first call. */
function unsignedDigestsOf(tipset: Tipset, kept: KeptTipset): readonly (Uint8Array | undefined)[] {
  return (kept.unsignedDigests ??= tipset.messages.map(({ signed }) =>
    signed.signature.type === SigType.BLS ? undefined : messageCid(signed.message).multihash.digest,
  ));
}

/** What a read of a dropped tipset's state answers once KEPT_DROPPED let it go. */
function noLongerKept(tipset: Tipset): DevnetError {
  return new DevnetError(`the dropped tipset at epoch ${tipset.epoch} is no longer kept (at most ${KEPT_DROPPED} dropped tipsets are)`);
}

const byDevnet = new WeakMap<Devnet, DroppedTipsets>();

/** The devnet's dropped tipsets; made by the server at start, to hear every revert. */
export function droppedTipsets(devnet: Devnet): DroppedTipsets {
  let dropped = byDevnet.get(devnet);
  if (!dropped) byDevnet.set(devnet, (dropped = new DroppedTipsets(devnet)));
  return dropped;
}

/** The tipset with this block hash: on the chain, or dropped by a revert or reorg and kept. */
export function keptByBlockHash(devnet: Devnet, hash: Uint8Array): Tipset | undefined {
  return devnet.chain.byBlockHash(hash) ?? droppedTipsets(devnet).byBlockHash(hash);
}

/** The tipset whose block has this CID: on the chain, or dropped and kept. */
export function keptByBlockCid(devnet: Devnet, cid: CID): Tipset | undefined {
  return devnet.chain.byBlockCid(cid) ?? droppedTipsets(devnet).byBlockCid(cid);
}

/**
 * The parent of a tipset on the chain or dropped: the chain's or a kept dropped one with its hash, or,
 * once KEPT_DROPPED let the parent go, the one the tipset holds (Tipset.parent): Lotus's blockstore
 * keeps every header, and a kept tipset keeps its ancestors'. None for the chain's first tipset.
 */
export function keptParentOf(devnet: Devnet, tipset: Tipset): Tipset | undefined {
  return (tipset.parentKey && keptByBlockHash(devnet, tipset.parentKey.multihash.digest)) ?? tipset.parent;
}

/**
 * The state a tipset's messages ran on (Lotus's ts.ParentState()): a kept dropped one's branch before
 * it, with the edits made at its parent's epoch before it was mined, never the chain's there now
 * (A2.2, as stateByParentRoot); a chain tipset's parent's; none for the chain's first tipset (a fork's
 * is the upstream's). A dropped tipset KEPT_DROPPED let go is refused (noLongerKept).
 */
export function keptParentState(devnet: Devnet, tipset: Tipset): StateReader | undefined {
  const { dropped } = statePointOf(devnet, tipset);
  if (dropped) return dropped.stateBefore();
  const parent = keptParentOf(devnet, tipset);
  return parent && tipsetState(devnet, parent);
}

/** keptParentOf on a walk back from a dropped tipset to the chain (branchDown, ChainGetPath). */
export function walkedParentOf(devnet: Devnet, tipset: Tipset): Tipset {
  const parent = keptParentOf(devnet, tipset);
  // Only the chain's first tipset has none, and walks stop at the chain before it.
  if (!parent) throw new Error(`the tipset at epoch ${tipset.epoch} has no parent to walk to`);
  return parent;
}

/**
 * The chain as a premium estimate walks it from a tipset on the chain or dropped (fee-estimates.ts):
 * each tipset's kept parent, as Lotus's GasEstimateGasPremium loads each tipset's Parents from its
 * blockstore whether reorged or not (lotus b835fab70 node/impl/gasutils/gasutils.go).
 */
export function keptFeeHistory(devnet: Devnet): FeeHistory {
  const { chain } = devnet;
  return { first: chain.first, upstreamFees: chain.upstreamFees, parentOf: (tipset) => keptParentOf(devnet, tipset) };
}

/**
 * The one walk down a tipset's own branch (a height from it, its ancestry, a message search, BLOCKHASH):
 * `dropped`, the tipsets off the chain from `tipset` down while above `height`, newest first, each
 * mined on the next (walkedParentOf), and `below`, the one under them: the first at or below `height`,
 * or the chain's where the branch left it, whose tipsets below are its ancestors. A tipset on the
 * chain is its own `below`. Lotus walks a tipset's Parents the same way, reorged or not.
 */
export function branchDown(devnet: Devnet, tipset: Tipset, height: number): { dropped: Tipset[]; below: Tipset } {
  const dropped: Tipset[] = [];
  let t = tipset;
  for (; t.epoch > height && !devnet.chain.byBlockHash(t.hash); t = walkedParentOf(devnet, t)) dropped.push(t);
  return { dropped, below: t };
}

/**
 * A tipset and its ancestors down to `height`, newest first: a dropped tipset's are the dropped ones
 * it was mined on, then the chain's below where its branch left it, as Lotus walks a reorged
 * tipset's parents (node/impl/full/state.go StateListMessages: LoadTipSet of each Parents()).
 */
export function keptAncestry(devnet: Devnet, tipset: Tipset, height: number): Tipset[] {
  const { dropped, below } = branchDown(devnet, tipset, height - 1);
  return below.epoch < height ? dropped : [...dropped, ...devnet.chain.range(height, below.epoch).reverse()];
}

/**
 * Where the message `cid` ran, searched from `from` as Lotus's SearchForMessage does (lotus b835fab70
 * chain/stmgr/searchwait.go): from a tipset on the chain, Devnet.searchMessage; from a dropped one,
 * that tipset itself, then the chain (Lotus's message index holds the chain's), then back through
 * its own dropped parents (searchBackForMsg walks the tipset's parents), then the chain below where
 * its branch left it (Devnet.searchMessage). A message the chain does not hold under `cid`
 * (loadedMessage, or the chain's found by its unsigned CID) stands for the message mined at its
 * sender's nonce, looked for in each dropped tipset as in the chain's, as Lotus's
 * tipsetExecutedMessage looks in any tipset it walks.
 */
export function keptSearchMessage(devnet: Devnet, cid: CID, allowReplaced: boolean, from: Tipset): MessageLocation | undefined {
  const onChain = devnet.chain.messageByCid(cid);
  // A signed message the chain holds by its unsigned CID `cid` is another to a search, as to Lotus's:
  // it is searched for at its nonce (message-search.ts).
  const own = onChain?.message.cid.equals(cid) ? onChain : undefined;
  const loaded = () => (own ? undefined : onChain?.message.signed.message) ?? loadedMessage(devnet, cid);
  if (devnet.chain.byBlockHash(from.hash)) {
    // The chain's message is what the search answers; only a search for another reads a kept tipset.
    return own ?? devnet.searchMessage(cid, allowReplaced, from, false, loaded());
  }
  const searched = loaded();
  const inDropped = (tipset: Tipset, lookback: boolean) => messageIn(tipset, cid) ?? (searched && executedIn(tipset, cid, searched, allowReplaced, lookback));
  const found = inDropped(from, false) ?? own;
  if (found) return found;
  const { dropped, below } = branchDown(devnet, from, -1);
  for (const tipset of dropped.slice(1)) {
    const inBranch = inDropped(tipset, true);
    if (inBranch) return inBranch;
  }
  // All of the chain's part is searched back to from `from`: a replacement there is found in the lookback.
  return devnet.searchMessage(cid, allowReplaced, below, true, searched);
}

/**
 * The message `cid` as Lotus loads it from its blockstore before searching for it (lotus b835fab70
 * chain/stmgr/searchwait.go SearchForMessage and WaitForMessage: GetCMessage), when the chain does not
 * hold it: one a replacement pushed out of the pool, one only a kept dropped tipset included, or one
 * the pool took (pending or replaced) by its unsigned CID, which Lotus's pool stores too (R98). The
 * search matches it by sender and nonce (message-search.ts): the chain's message at its nonce stands
 * for it as a replacement, or is refused as another call (R84).
 */
export function loadedMessage(devnet: Devnet, cid: CID): Message | undefined {
  // A pending message's own CID (StateWaitMsg's usual one) is no unsigned CID: the pool's walk is skipped.
  const byUnsignedCid = () => (devnet.pendingMessage(cid) ? undefined : devnet.pooledByUnsignedCid(cid));
  return (devnet.replacedMessage(cid) ?? droppedTipsets(devnet).messageByCid(cid)?.message ?? byUnsignedCid())?.signed.message;
}

/** The message `cid` among those a tipset included (a dropped one's: the chain's index has only the chain's). */
export function messageIn(tipset: Tipset, cid: CID): MessageLocation | undefined {
  const message = tipset.messages.find((m) => m.cid.equals(cid));
  return message && { tipset, message };
}

/**
 * The tipset a non-empty key names: on the chain (heldTipset), or dropped and kept (a devnet tipset
 * has one block, so a one-block key). On a fork it is the fork's own, which the upstream cannot know.
 */
export function keptTipset(devnet: Devnet, key: CID[]): Tipset | undefined {
  return key.length === 1 ? keptByBlockCid(devnet, key[0]) : heldTipset(devnet, key);
}

/**
 * The tipset a key names as tipsetOf finds it (the empty key is the head), or one a revert or reorg
 * dropped: for what reads the tipset, and the state reads that read a dropped one's kept state
 * (keptStatePoint), as Lotus loads any tipset its blockstore holds (chain/store/store.go LoadTipSet).
 */
export function keptTipsetOf(devnet: Devnet, key: CID[] | undefined): Tipset {
  return (key && key.length > 0 ? keptTipset(devnet, key) : undefined) ?? tipsetOf(devnet, key);
}

// The state of a tipset, dropped or not: by a key, keptStateOf (to read) or keptStatePoint (to run a
// call on); by a tipset already found, tipsetState or statePointOf; pointState reads a point.

/**
 * The tipset a key names as tipsetOf finds it, or one a revert or reorg dropped, with its kept state
 * as a call runs on it: for the Filecoin state methods, as Lotus loads any tipset its blockstore holds
 * and reads its state (node/impl/full/state.go StateGetActor: GetTipSetFromKey, then LoadActor).
 */
export function keptStatePoint(devnet: Devnet, key: CID[] | undefined): StatePoint {
  return statePointOf(devnet, keptTipsetOf(devnet, key));
}

/** A tipset, and its kept state if a revert or reorg dropped it (its state is then not the chain's at its epoch). */
export type StatePoint = { tipset: Tipset; dropped?: OffChainPoint };

/**
 * `tipset` as a state point: with its kept state if it is a dropped one. A dropped one KEPT_DROPPED let
 * go (a walk from a kept descendant reaches it through Tipset.parent) is refused: the chain's state at
 * its epoch is another tipset's.
 */
export function statePointOf(devnet: Devnet, tipset: Tipset): StatePoint {
  const dropped = droppedTipsets(devnet).pointOf(tipset);
  if (!dropped && !devnet.chain.byBlockHash(tipset.hash)) throw noLongerKept(tipset);
  return { tipset, dropped };
}

/** The state of the tipset a key names (keptStatePoint). */
export function keptStateOf(devnet: Devnet, key: CID[] | undefined): StateReader {
  return pointState(devnet, keptStatePoint(devnet, key));
}

/**
 * The state after a tipset keptTipsetOf found: its kept one if a revert or reorg dropped it (never
 * the chain's at its epoch, which is another tipset's), else the chain's.
 */
export function tipsetState(devnet: Devnet, tipset: Tipset): StateReader {
  return pointState(devnet, statePointOf(devnet, tipset));
}

/** A state point's state: the one a dropped tipset kept, else the chain's after the tipset. */
export function pointState(devnet: Devnet, { tipset, dropped }: StatePoint): StateReader {
  return dropped ? dropped.state() : devnet.stateAt(tipset.epoch);
}

/**
 * A tipset's logs, and whether a revert or reorg dropped it: a dropped one's are those made before
 * it left the chain, which Lotus answers as reverted (`removed: true`, lotus b835fab70
 * node/impl/eth/events.go ethFilterLogsFromEvents: Removed is the event's Reverted).
 */
export function blockLogs(devnet: Devnet, tipset: Tipset): { logs: readonly EthLog[]; removed: boolean } {
  const dropped = droppedTipsets(devnet).logsOf(tipset);
  return dropped ? { logs: dropped, removed: true } : { logs: tipsetLogs(devnet, tipset), removed: false };
}
