// Saving and loading a whole chain: the state's history, every tipset with its messages and
// receipts, and the time offset, as one dag-cbor document. Loading reads the document a state commit
// and a tipset at a time into a state tree and a chain store of their own (which make the old tipsets
// cold as they come, so the decoded document never exists whole), rebuilds each tipset and checks its
// block CID against the saved one; a node takes them only once all is read, so a damaged file is
// refused rather than half-loaded. The block CIDs do not cover the state (the devnet's state roots
// are a hash chain over messages and receipts, not HAMT roots), so the document ends with a BLAKE2b
// checksum of all its bytes before it, and each journal record carries one of its own.
import { closeSync, fsync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CborReader, decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import { blake2b256, blake2b256Stream, blake2b32 } from '../common/hashes.js';
import { DEFAULT_HOT_MESSAGES } from '../config.js';
import { INIT_ACTOR_ID } from '../fevm/actor.js';
import { toFilecoinMessage } from '../fevm/eth-tx.js';
import { chainIdentity, signedMessageCid } from '../fevm/message.js';
import { StateTree, storableChange, type SavedCommit } from '../fevm/state-tree.js';
import { ChainStore } from '../mining/chain-store.js';
import { LAST_TIMESTAMP, type Clock } from '../mining/clock.js';
import type { ReplacedMessage } from '../mining/mempool.js';
import { decodeSavedMessage, decodeUnminedMessage, encodeUnminedMessage, type SavedMessage, type SavedUnminedMessage } from '../mining/saved-message.js';
import { buildTipset, parentEdit, savedMessagesOf, type IncludedMessage, type Tipset } from '../mining/tipset.js';

/**
 * The format this version writes (10: as 9, and a block's ParentStateRoot names the cheat-code edit
 * its messages ran after, and a tipset's state root its epoch, timestamp, miner and base fee too (tipset.ts
 * RootFormat), so every block CID after the first differs from 9's; `timed`, when present, is the
 * epoch below which roots are made as 9 made them, as a chain first saved in an older format was
 * built; 9: as 8, and the state root of a tipset mined after a cheat-code
 * edit names the edit too, so its child's block CID differs from 8's; `roots`, when present, is the
 * epoch below which roots name none, as a chain first saved in an older format was built; 8: as 7,
 * and the state holds the last cheat-code edit's id, key 'e', which the ticket of the tipset mined
 * after it names; a reader of 7 would take the key for damage; 7: as 6, and each tipset names its
 * block's miner, which a reader of 6 would not hash its block with; 6: as 5, without the storage KAMT
 * shape of a contract, which the load makes from its slots and a reader of 5 would take for unknown;
 * 5: as 4, and the cron actor's queue written again as the epochs it changed, `$pairsSet`, which a
 * reader of 4 would take for the queue itself); it reads it, format 9 (its tipsets' roots as 9 made
 * them: ChainStore.untimedRootsBefore past its head), format 8 (its tipsets' roots name no
 * edit, as they were written: ChainStore.editlessRootsBefore past its head), formats 7, 6 and 5 (no
 * edit ids: their tickets name none, as they were written), format 4 (an actor written again is
 * stored as what changed since its previous write, common/storable.ts toStorableChange), format 3
 * (each actor whole; the document ends with its checksum, journal records carry theirs, as in 4 to
 * 10) and format 2 (no checksums), and refuses others. A node started from a file of an older format
 * writes it again as STATE_FORMAT.
 */
export const STATE_FORMAT = 10;
/** The first format whose state roots name cheat-code edits (a file of an older one was built without). */
const EDIT_ROOTS_FORMAT = 9;
/** The first format whose roots are made as this version makes them (tipset.ts RootFormat 10). */
const TIMED_ROOTS_FORMAT = 10;
/** The format before checksums, still read. */
const UNCHECKED_FORMAT = 2;
const MAGIC = 'fvm-devnet state';
/**
 * The document's last key (canonical dag-cbor sorts keys by length, then bytes: this one comes after
 * every other): BLAKE2b-256 of the document's bytes before its value's 32 bytes.
 */
const CHECKSUM_KEY = 'fileChecksum';
/** How the document ends before the checksum's 32 bytes: its key, then a 32-byte byte string's header. */
const CHECKSUM_TAIL = encodeCbor({ [CHECKSUM_KEY]: new Uint8Array(32) }).subarray(1, -32);

export interface SavedChain {
  chainId: bigint;
  /** The state's history, in a tree of its own (StateTree.adopt takes it). */
  state: StateTree;
  /** The tipsets, built, checked and indexed, the old ones cold (ChainStore.adopt takes them). */
  chain: ChainStore;
  /** How many state commits and tipsets were loaded (`state` and `chain` are left empty once a node takes them). */
  size: { commits: number; tipsets: number };
  /** What evm_increaseTime added, in seconds. */
  clockOffset: number;
  /** The instance anvil_reset made last (anvil_metadata's instanceId); absent for a chain never reset, and in older files. */
  instanceId?: Uint8Array;
  /** The messages replacements pushed out of the pool, in the order they were (none in older files). */
  replaced: ReplacedMessage[];
  /**
   * Loaded with a journal from a file of this format: the bytes of it read (a record cut short after
   * them is not). Undefined for a file of an older format, which is then written again whole.
   */
  journalBytes?: number;
}

export class StateFileError extends DevnetError {
  override name = 'StateFileError';
}

/** Anvil's state dump given where the devnet's own goes: refused by name, with the code Anvil answers for a dump it cannot decode (-32602). */
class AnvilStateDumpError extends StateFileError {
  override readonly code = -32602;
  override name = 'AnvilStateDumpError';
}

/** How a JSON object starts ('{'); as CBOR it is a text string with a 64-bit length, so no state file starts so. */
const JSON_OBJECT_START = 0x7b;

/**
 * Refuses Anvil's state dump (a JSON object with its `accounts`, as anvil_dumpState gzips it and
 * `anvil --dump-state` writes it), which Anvil and Hardhat users bring as fixtures: the formats are
 * unrelated, and a CBOR decode error would read as a damaged file.
 */
function refuseAnvilDump(bytes: Uint8Array, where: string): void {
  if (bytes[0] !== JSON_OBJECT_START) return;
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return;
  }
  const accounts = (doc as { accounts?: unknown } | null)?.accounts;
  if (typeof accounts !== 'object' || accounts === null) return;
  throw new AnvilStateDumpError(
    `${where} is an Anvil state dump (JSON with \`accounts\`), not an fvm-devnet one: fvm-devnet loads only what its own anvil_dumpState or --dump-state wrote; recreate the accounts with anvil_setBalance, anvil_setNonce, anvil_setCode and anvil_setStorageAt`,
  );
}

/** The parts of a node a saved chain is made of. */
interface ChainParts {
  chainId: bigint;
  state: StateTree;
  chain: ChainStore;
  clock: Clock;
  /** The instance anvil_reset made last, if any (saved with the chain: SavedChain.instanceId). */
  instanceId?: Uint8Array;
  /** The messages replacements pushed out of the pool, kept as Lotus's blockstore keeps them (SavedChain.replaced). */
  replaced?: readonly ReplacedMessage[];
}

/** The whole chain, encoded (anvil_dumpState, --dump-state). */
export function saveChain(parts: ChainParts): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const piece of encodeChainInSteps(parts)) if (piece) pieces.push(piece);
  const bytes = Buffer.concat(pieces);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Puts a saved chain in place of the node's (run it in the miner's queue); refuses another chain id's. */
export function restoreChain({ chainId, state, chain, clock }: ChainParts, saved: SavedChain): void {
  if (saved.chainId !== chainId) throw new StateFileError(`the saved chain has chain id ${saved.chainId}, not ${chainId}`);
  state.adopt(saved.state);
  chain.adopt(saved.chain);
  clock.restore({ offsetSeconds: saved.clockOffset, nextTimestamp: undefined, intervalSeconds: undefined });
}

const big = encodeBigInt;

/**
 * A tipset as the file holds it (formats 4 to 8): a tuple, and of its block CID only the first bytes of
 * the digest, which tell a tipset rebuilt otherwise (each block's header holds its parent's CID, so
 * a wrong tipset also changes every one after it); from format 7 its miner's actor ID last. Formats 2
 * and 3 held an object with the whole CID (`SavedTipsetObject`), still read.
 */
function encodeTipset(t: Tipset, messages: unknown = savedMessagesOf(t)): SavedTipsetTuple {
  return [t.epoch, t.timestamp, big(t.baseFee), blockCheck(t.blockCid), messages as SavedMessage[], t.header.miner.id!];
}

/** The bytes of a block CID a tipset is checked against. */
const blockCheck = (cid: Tipset['blockCid']): Uint8Array => cid.multihash.digest.subarray(0, 4);

const encodeCommit = ({ epoch, changes }: SavedCommit) => [epoch, changes];

/** A replaced message as the file holds it: its sender's actor ID and the message. */
type SavedReplaced = [senderId: number, message: SavedUnminedMessage];

const encodeReplaced = ({ pending, senderId }: ReplacedMessage): SavedReplaced => [senderId, encodeUnminedMessage(pending)];

function decodeReplaced([senderId, saved]: SavedReplaced): ReplacedMessage {
  if (!Number.isSafeInteger(senderId) || senderId < 0) throw new Error(`a replaced message's sender is ${String(senderId)}, not an actor ID`);
  const { ethTx, native } = decodeUnminedMessage(saved);
  const signed = native ?? toFilecoinMessage(ethTx);
  return { pending: { signed, ethTx, ...chainIdentity(signed) }, senderId };
}

/** A piece of an encoded chain, or undefined where encodeChainInSteps yields between two parts of one piece's work. */
export type ChainPiece = Uint8Array | undefined;

/**
 * The whole chain encoded (saveChain's bytes), a piece at a time: between two yields the work is at
 * most one tipset's messages decoded (a cold tipset) or GROUP_ITEMS messages or state values encoded,
 * so that a long chain can be written across turns of the event loop. It is the chain as it is at the
 * call: tipsets and commits added meanwhile are left out; a rewind meanwhile (evm_revert,
 * anvil_loadState) spoils it.
 */
export function encodeChainInSteps({ chainId, state, chain, clock, instanceId, replaced = [] }: ChainParts): Generator<ChainPiece, void, void> {
  const header: DocumentHeader = { chainId, clockOffset: clock.save().offsetSeconds, instanceId, replaced: replaced.map(encodeReplaced) };
  return chainPieces(state, chain, state.snapshot().write, chain.all().length, header);
}

/** What the document holds beside the state and the tipsets. */
interface DocumentHeader {
  chainId: bigint;
  clockOffset: number;
  instanceId: Uint8Array | undefined;
  replaced: SavedReplaced[];
}

function* chainPieces(state: StateTree, chain: ChainStore, commitCount: number, tipsetCount: number, header: DocumentHeader): Generator<ChainPiece, void, void> {
  // Every byte before the checksum goes through it.
  const checksum = blake2b256Stream();
  for (const piece of documentPieces(state, chain, commitCount, tipsetCount, header)) {
    if (piece) checksum.update(piece);
    yield piece;
  }
  yield CHECKSUM_TAIL;
  checksum.update(CHECKSUM_TAIL);
  yield checksum.digest();
}

/** The document up to its checksum's value (the checksum's key is put last, as canonical dag-cbor orders it). */
function* documentPieces(state: StateTree, chain: ChainStore, commitCount: number, tipsetCount: number, { chainId, clockOffset, instanceId, replaced }: DocumentHeader): Generator<ChainPiece, void, void> {
  // The document with a marker in place of each array, cut at the markers: the array's header and
  // items go there (a CBOR array is its header, then its items' encodings one after another). A chain
  // never reset has no instanceId, and one without replaced messages no `replaced`.
  // `roots` and `timed` (short keys: canonical dag-cbor puts them before the tipsets, which a load rebuilds with them).
  const [roots, timed] = [chain.editlessRootsBefore, chain.untimedRootsBefore];
  const optional = { ...(instanceId ? { instanceId } : {}), ...(replaced.length > 0 ? { replaced } : {}), ...(roots > 0 ? { roots } : {}), ...(timed > 0 ? { timed } : {}) };
  const document = encodeCbor({ magic: MAGIC, format: STATE_FORMAT, chainId: big(chainId), clockOffset, ...optional, state: STATE_MARKER, tipsets: TIPSETS_MARKER, [CHECKSUM_KEY]: new Uint8Array(32) });
  const [stateAt, tipsetsAt] = [STATE_MARKER, TIPSETS_MARKER].map((marker) => Buffer.from(document).indexOf(encodeCbor(marker)));
  if (!(0 < stateAt && stateAt < tipsetsAt)) throw new Error('the saved document does not hold the state before the tipsets');
  const checksumAt = document.length - 32 - CHECKSUM_TAIL.length;
  if (!equal(document.subarray(checksumAt, -32), CHECKSUM_TAIL)) throw new Error('the saved document does not end with its checksum');
  yield document.subarray(0, stateAt);
  yield arrayHeader(commitCount);
  for (const { epoch, written } of state.writtenBetween(0, commitCount)) yield* inGroups((changes) => [epoch, changes], written, storableChange);
  yield document.subarray(stateAt + encodeCbor(STATE_MARKER).length, tipsetsAt);
  yield arrayHeader(tipsetCount);
  const tipsets = chain.all();
  for (let i = 0; i < tipsetCount; i++) {
    const messages = savedMessagesOf(tipsets[i]);
    // Decoding a cold tipset's messages is a step's work of its own.
    if (messages.length > GROUP_ITEMS) yield undefined;
    yield* inGroups((items) => encodeTipset(tipsets[i], items), messages, (message) => message);
  }
  yield document.subarray(tipsetsAt + encodeCbor(TIPSETS_MARKER).length, checksumAt);
}

const STATE_MARKER = new TextEncoder().encode('(the state commits go here)');
const TIPSETS_MARKER = new TextEncoder().encode('(the tipsets go here)');
const ITEMS_MARKER = new TextEncoder().encode('(the items go here)');

/** How many items of a large array (a tipset's messages, a commit's changes) one piece encodes. */
const GROUP_ITEMS = 128;

/**
 * The encoding of `make(items.map(item))`: whole when `items` is short, else cut where a marker
 * stands in for the array, which goes there as its header and its items' encodings, GROUP_ITEMS at a
 * time (each group made with `item` and encoded as an array, its own header cut off).
 */
function* inGroups<T>(make: (items: unknown) => unknown, items: readonly T[], item: (value: T) => unknown): Generator<Uint8Array, void, void> {
  if (items.length <= GROUP_ITEMS) {
    yield encodeCbor(make(items.map(item)));
    return;
  }
  const template = encodeCbor(make(ITEMS_MARKER));
  const marker = Buffer.from(encodeCbor(ITEMS_MARKER));
  const at = Buffer.from(template).indexOf(marker);
  if (at < 0 || Buffer.from(template).lastIndexOf(marker) !== at) throw new Error('the marker of a large array is not in its encoding once');
  yield template.subarray(0, at);
  yield arrayHeader(items.length);
  for (let from = 0; from < items.length; from += GROUP_ITEMS) {
    const group = items.slice(from, from + GROUP_ITEMS).map(item);
    yield encodeCbor(group).subarray(arrayHeader(group.length).length);
  }
  yield template.subarray(at + marker.length);
}

/** The header of a CBOR array of `length` items, as the encoder writes it. */
function arrayHeader(length: number): Uint8Array {
  const zeros = encodeCbor(new Array(length).fill(0));
  return zeros.subarray(0, zeros.length - length);
}

/*
 * The journal beside a --state file (<file>.journal): one record per tipset mined since the file
 * was written, appended before anyone is told of the tipset, so that a node killed between two
 * saves still has every transaction it answered with a receipt. A record is a 4-byte big-endian
 * length, BLAKE2b-32 of those 4 bytes (so that a damaged length is told from a record cut short by
 * a crash), a dag-cbor document, and BLAKE2b-256 of the document (format 2's records, read beside a
 * file of that format or left beside a file of this one, are the length and the document alone). The document holds
 * the state commits since the record before (from commit number
 * `from`), the tipset (none for state edits made between tipsets), the clock offset, and the
 * messages replaced by fee since the record before (the document keeps them all, `replaced`, as
 * Lotus's blockstore keeps every message its pool took). A rewind
 * record says the chain went back to an earlier point of its history (evm_revert): the load cuts
 * what it has so far there (and the replaced messages past the number it keeps: anvil_reset keeps
 * none), and the records after it go on from that point. A whole save empties
 * the journal; records the file already holds (a node killed before that) are skipped by the load.
 */
interface TipsetRecord {
  from: number;
  state: [number, [string, unknown][]][];
  /** Absent when the record holds only state edits made between tipsets (cheat codes). */
  tipset?: SavedTipset;
  clockOffset: number;
  /** The messages replaced since the record before, if any. */
  replaced?: SavedReplaced[];
}

interface RewindRecord {
  /** The chain goes back to its first `commits` state commits and its tipsets up to `epoch`. */
  rewind: { commits: number; epoch: number };
  clockOffset: number;
  /** The instance after the rewind (an anvil_reset makes one); absent while the chain was never reset. */
  instanceId?: Uint8Array;
  /** How many replaced messages are kept after the rewind (anvil_reset forgets them); absent in older records: all. */
  replaced?: number;
}

type JournalRecord = TipsetRecord | RewindRecord;

/** One journal record: the commits numbered after `from`, then `tipset` if given, and the messages replaced since the record before. */
export function encodeJournalRecord(from: number, commits: SavedCommit[], tipset: Tipset | undefined, clockOffset: number, replaced: readonly ReplacedMessage[] = []): Uint8Array {
  const record: TipsetRecord = { from, state: commits.map(encodeCommit) as TipsetRecord['state'], clockOffset };
  if (tipset) record.tipset = encodeTipset(tipset);
  if (replaced.length > 0) record.replaced = replaced.map(encodeReplaced);
  return frame(encodeCbor(record));
}

/** The journal record of a rewind to the first `commits` state commits and the tipsets up to `epoch`, keeping the first `replaced` replaced messages. */
export function encodeJournalRewind(commits: number, epoch: number, clockOffset: number, instanceId: Uint8Array | undefined, replaced: number): Uint8Array {
  return frame(encodeCbor({ rewind: { commits, epoch }, clockOffset, ...(instanceId ? { instanceId } : {}), replaced } satisfies RewindRecord));
}

/** A record as the journal holds it: its length and the length's checksum, its body, the body's checksum. */
function frame(body: Uint8Array): Uint8Array {
  const record = new Uint8Array(8 + body.length + 32);
  new DataView(record.buffer).setUint32(0, body.length);
  record.set(blake2b32(record.subarray(0, 4)), 4);
  record.set(body, 8);
  record.set(blake2b256(body), 8 + body.length);
  return record;
}

/** A state commit as the file holds it. */
type SavedCommitItem = [epoch: number, changes: [string, unknown][]];

type SavedTipsetTuple = [epoch: number, timestamp: number, baseFee: Uint8Array, blockCheck: Uint8Array, messages: SavedMessage[], miner?: number];

/** The miner every block header named up to format 6: t01000, the first miner of Lotus's local devnet genesis (no actor here). */
export const FORMAT_6_MINER = 1000;

/** A tipset as formats 2 and 3 held it. */
interface SavedTipsetObject {
  epoch: number;
  timestamp: number;
  baseFee: Uint8Array;
  blockCid: Uint8Array;
  messages: SavedMessage[];
}

type SavedTipset = SavedTipsetTuple | SavedTipsetObject;

/** A saved tipset's fields, and whether a block CID is the one it was saved with. */
function tipsetFields(saved: SavedTipset): Omit<SavedTipsetObject, 'blockCid'> & { miner: number; hashes: (cid: Tipset['blockCid']) => boolean } {
  if (!Array.isArray(saved)) return { ...saved, miner: FORMAT_6_MINER, hashes: (cid) => equal(cid.bytes, saved.blockCid) };
  const [epoch, timestamp, baseFee, check, messages, miner = FORMAT_6_MINER] = saved;
  if (!Number.isSafeInteger(miner) || miner < 0) throw new Error(`tipset ${epoch}'s miner is ${String(miner)}, not an actor ID`);
  return { epoch, timestamp, baseFee, messages, miner, hashes: (cid) => equal(blockCheck(cid), check) };
}

/**
 * The epoch below which a saved chain's roots are made as an older format made them: all of a
 * format before `since`'s (its tipsets were built so), else the document's `epoch` (`roots` below
 * which roots name no edit, `timed` below which they name no time), if any.
 */
function olderRootsBefore(format: number, since: number, name: string, epoch: unknown): number {
  if (format < since) return Infinity;
  if (epoch === undefined) return 0;
  if (!(Number.isSafeInteger(epoch) && (epoch as number) > 0)) throw new Error(`its ${name} epoch ${String(epoch)} is not a positive epoch`);
  return epoch as number;
}

/** A saved chain as it is read: each state commit and tipset added as it is decoded. */
class LoadingChain {
  readonly state = new StateTree();
  readonly chain: ChainStore;
  /** Per state commit: the latest epoch written up to it (the state's epoch after a rewind to it). */
  private readonly epochs: number[] = [];
  /** The replaced messages, in the order they were replaced. */
  readonly replaced: ReplacedMessage[] = [];
  /** Their CIDs' bytes in hex: a record the file already holds adds none twice. */
  private readonly replacedKeys = new Set<string>();

  constructor(hotMessages: number) {
    this.chain = new ChainStore(hotMessages);
  }

  get commits(): number {
    return this.epochs.length;
  }

  get head(): Tipset | undefined {
    return this.chain.height < 0 ? undefined : this.chain.head;
  }

  addCommit([epoch, changes]: SavedCommitItem): void {
    this.state.loadCommit({ epoch, changes });
    this.epochs.push(Math.max(epoch, this.epochs.at(-1) ?? -1));
  }

  /** Rebuilds a saved tipset on the head, checks it against its saved block CID, and appends it. */
  addTipset(stored: SavedTipset): void {
    const saved = tipsetFields(stored);
    const messages: IncludedMessage[] = saved.messages.map((m, index) => {
      // An Ethereum transaction's message is made from it, as the chain made it: its CID, checked by
      // the block CID below, is that message's.
      if (!m.ethTx && !m.signed) throw new Error(`a message of tipset ${saved.epoch} has neither a signed message nor an Ethereum transaction`);
      const { ethTx, native, receipt } = decodeSavedMessage(m);
      const signed = native ?? toFilecoinMessage(ethTx);
      return { cid: signedMessageCid(signed), signed, ethTx, receipt, index };
    });
    // Epochs may skip (null rounds); each tipset's parent is the one saved before it.
    const parent = this.head;
    if (parent && !(saved.epoch > parent.epoch)) throw new Error(`tipset ${saved.epoch} does not follow ${parent.epoch}`);
    // Its edit is read from the state loaded so far, which holds the commits before it.
    const edit = parentEdit((e) => this.state.editAt(e), parent);
    const tipset = buildTipset({ epoch: saved.epoch, timestamp: saved.timestamp, baseFee: decodeBigInt(saved.baseFee), parent, messages, miner: saved.miner, edit, roots: this.chain.rootsAt(saved.epoch) });
    if (!saved.hashes(tipset.blockCid)) throw new Error(`tipset ${saved.epoch} does not hash to its saved block CID`);
    this.chain.append(tipset);
  }

  /** Adds replaced messages, in order; one already there is left as it is. */
  addReplaced(saved: unknown): void {
    if (!Array.isArray(saved)) throw new Error('its replaced messages are not a list');
    for (const message of (saved as SavedReplaced[]).map(decodeReplaced)) {
      const key = Buffer.from(message.pending.cid.bytes).toString('hex');
      if (this.replacedKeys.has(key)) continue;
      this.replacedKeys.add(key);
      this.replaced.push(message);
    }
  }

  /** Forgets the replaced messages after the first `keep` (a rewind of anvil_reset). */
  forgetReplaced(keep: number): void {
    for (const { pending } of this.replaced.splice(keep)) this.replacedKeys.delete(Buffer.from(pending.cid.bytes).toString('hex'));
  }

  /** Goes back to the first `commits` state commits and the tipsets up to `epoch`. */
  rewind(commits: number, epoch: number): void {
    if (commits < this.epochs.length) {
      this.state.revert({ write: commits, epoch: commits > 0 ? this.epochs[commits - 1]! : -1 });
      this.epochs.length = commits;
    }
    this.chain.truncate(epoch);
  }
}

/**
 * A journal's records (their bodies), up to one cut short by a crash, each with the offset where it
 * ends; `checked`: records with checksums, any that does not match one is damage (thrown).
 */
function* journalRecords(journal: Uint8Array, checked: boolean): Generator<{ body: Uint8Array; end: number }, void, void> {
  const view = new DataView(journal.buffer, journal.byteOffset, journal.byteLength);
  const [header, trailer] = checked ? [8, 32] : [4, 0];
  for (let at = 0; at + header <= journal.length; ) {
    if (checked && !equal(blake2b32(journal.subarray(at, at + 4)), journal.subarray(at + 4, at + 8))) throw new Error(`its journal's record at byte ${at} has a damaged length`);
    const bodyEnd = at + header + view.getUint32(at);
    const end = bodyEnd + trailer;
    if (end > journal.length) return;
    const body = journal.subarray(at + header, bodyEnd);
    if (checked && !equal(blake2b256(body), journal.subarray(bodyEnd, end))) throw new Error(`its journal's record at byte ${at} does not match its checksum`);
    yield { body, end };
    at = end;
  }
}

/** The epoch a rewind record goes back to, read from its first key (`rewind` sorts before `clockOffset`); undefined for other records. */
function rewindEpoch(body: Uint8Array): number | undefined {
  try {
    const reader = new CborReader(body);
    reader.mapHeader();
    return reader.value() === 'rewind' ? reader.value<RewindRecord['rewind']>().epoch : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds the journal's records to a chain being loaded: those the file already holds are skipped, a
 * record cut short by a crash ends it, one that does not match its checksum is damage (thrown); in
 * a journal without checksums (format 2) a record that does not decode ends it too. A tipset that a later rewind drops
 * (a branch evm_revert left) is not built: it need not follow the chain as loaded, as the file may
 * hold the branch taken. Returns the bytes read (the records before the one that ends it), the clock
 * offset of the last record read, and whether a record that does not decode ended it after a tipset
 * was left out for a rewind (the journal must then be read again without that record).
 */
function applyJournal(loading: LoadingChain, journal: Uint8Array, checked: boolean): { bytes: number; clockOffset?: number; instanceId?: Uint8Array; readAgain: boolean } {
  const records = [...journalRecords(journal, checked)];
  /** Per record: the lowest epoch a later rewind goes back to. */
  const rewoundTo: number[] = new Array(records.length);
  for (let i = records.length - 1, lowest = Infinity; i >= 0; i--) {
    rewoundTo[i] = lowest;
    lowest = Math.min(lowest, rewindEpoch(records[i]!.body) ?? Infinity);
  }
  let bytes = 0;
  let clockOffset: number | undefined;
  let instanceId: Uint8Array | undefined;
  /** A tipset was not built for a rewind, which the journal may now end before (the one that does not decode may be it). */
  let skipped = false;
  for (let i = 0; i < records.length; i++) {
    let record: JournalRecord;
    try {
      record = decodeCbor<JournalRecord>(records[i]!.body);
    } catch {
      return { bytes, clockOffset, instanceId, readAgain: skipped };
    }
    bytes = records[i]!.end;
    clockOffset = record.clockOffset;
    if ('rewind' in record) {
      loading.rewind(record.rewind.commits, record.rewind.epoch);
      instanceId = record.instanceId ?? instanceId;
      if (record.replaced !== undefined) loading.forgetReplaced(record.replaced);
      continue;
    }
    // Kept whatever happens to the record's tipset: a revert keeps them (as Lotus's blockstore does).
    if (record.replaced !== undefined) loading.addReplaced(record.replaced);
    const have = loading.commits;
    if (record.from > have) throw new Error(`the journal skips state commits ${have + 1} to ${record.from}`);
    for (const commit of record.state.slice(have - record.from)) loading.addCommit(commit);
    const { tipset } = record;
    const head = loading.head;
    const epoch = tipset && tipsetFields(tipset).epoch;
    if (epoch === undefined || (head && epoch <= head.epoch)) continue;
    if (epoch <= rewoundTo[i]!) loading.addTipset(tipset!);
    else skipped = true;
  }
  return { bytes, clockOffset, instanceId, readAgain: false };
}

/**
 * applyJournal for a file of a format with checksums. Its journal has them too, except in one case: a file of
 * format 2 is written again in this format as soon as it is loaded, then its journal is emptied, and a
 * node killed between the two leaves the new file beside the old journal. (A format 3 or 4 journal left so
 * beside a newer file has checksums and is read as it is: the file holds its records, skipped.) Such a journal is told by
 * its first record, which has no length checksum, reads as format 2 and adds nothing to the chain: the
 * file holds its records already. It is then read as none (0 bytes: resuming empties it). Anything else
 * there is damage: a damaged first record of this format neither decodes as format 2 nor leaves the
 * chain as it was.
 */
function applyCheckedJournal(loading: LoadingChain, journal: Uint8Array): ReturnType<typeof applyJournal> {
  if (journal.length < 8 || equal(blake2b32(journal.subarray(0, 4)), journal.subarray(4, 8))) return applyJournal(loading, journal, true);
  const damaged = new Error("its journal's record at byte 0 has a damaged length");
  const before = chainMark(loading);
  // Its tipsets were built with format 2's roots, its rewinds too: they do not make later tipsets this version's.
  const { chain } = loading;
  const roots = [chain.editlessRootsBefore, chain.untimedRootsBefore] as const;
  chain.editlessRootsBefore = chain.untimedRootsBefore = Infinity;
  let leftover: ReturnType<typeof applyJournal>;
  try {
    leftover = applyJournal(loading, journal, false);
  } catch {
    throw damaged;
  } finally {
    [chain.editlessRootsBefore, chain.untimedRootsBefore] = roots;
  }
  if (leftover.readAgain) return leftover;
  if (leftover.bytes === 0 || chainMark(loading) !== before) throw damaged;
  return { bytes: 0, readAgain: false };
}

/** What a journal that adds nothing leaves as it was: the number of state commits, the tipsets, the head's block. */
const chainMark = (loading: LoadingChain): string => `${loading.commits} ${loading.chain.all().length} ${loading.head?.blockCid.toString()}`;

/**
 * Decodes and checks a saved chain, with its journal's records if given, a state commit and a tipset
 * at a time; the tipsets before the last `hotMessages` messages are made cold as they come. The
 * document's checksum is checked first, so that nothing of a damaged one is read. Any damage is a
 * StateFileError saying what is wrong.
 */
export function decodeChain(bytes: Uint8Array, where: string, { journal, hotMessages = DEFAULT_HOT_MESSAGES }: { journal?: Uint8Array; hotMessages?: number } = {}): SavedChain {
  refuseAnvilDump(bytes, where);
  const reader = new CborReader(bytes);
  /** The next value (or header) of the document: what cannot be read there is no state file. */
  const read = <T>(next: () => T): T => {
    try {
      return next();
    } catch (err) {
      throw new StateFileError(`${where} is not a state file (${(err as Error).message})`);
    }
  };
  const damaged = (err: unknown) => (err instanceof StateFileError ? err : new StateFileError(`${where} is damaged: ${(err as Error).message}`));
  const checksummed = endsWithChecksum(bytes);
  if (checksummed && !equal(blake2b256(bytes.subarray(0, -32)), bytes.subarray(-32))) throw damaged(new Error('its bytes do not match the checksum it ends with'));
  const loading = new LoadingChain(hotMessages);
  const doc: { magic?: unknown; format?: unknown; chainId?: Uint8Array; clockOffset?: number; instanceId?: unknown; replaced?: unknown; roots?: unknown; timed?: unknown; [CHECKSUM_KEY]?: unknown } = {};
  /** What was wrong with a state commit: said once the file is known to be of this format (which comes after the state). */
  let stateError: unknown;
  /** The document's magic and format, once the tipsets come or the document ends (canonical dag-cbor has both before the tipsets). */
  const checkHeader = () => {
    if (doc.magic !== MAGIC) throw new StateFileError(`${where} is not an fvm-devnet state file`);
    if (!(Number.isInteger(doc.format) && (doc.format as number) >= UNCHECKED_FORMAT && (doc.format as number) <= STATE_FORMAT)) {
      const by = (doc.format as number) > STATE_FORMAT ? 'a newer' : 'an older';
      throw new StateFileError(`${where} was written by ${by} fvm-devnet (format ${doc.format}; this one reads formats ${UNCHECKED_FORMAT} to ${STATE_FORMAT})`);
    }
    // Formats 3 and 4 end with their checksum (checked above), format 2 has none: anything else was changed.
    if ((doc.format !== UNCHECKED_FORMAT) !== checksummed || (doc.format === UNCHECKED_FORMAT && CHECKSUM_KEY in doc)) {
      throw damaged(new Error(doc.format === UNCHECKED_FORMAT ? `a format ${UNCHECKED_FORMAT} file has a checksum` : 'it does not end with its checksum'));
    }
    if (stateError !== undefined) throw damaged(stateError);
  };
  const entries = read(() => reader.mapHeader());
  const keys = new Set<string>();
  try {
    for (let i = 0; i < entries; i++) {
      const key = read(() => reader.value());
      if (typeof key !== 'string' || keys.has(key)) throw new StateFileError(`${where} is not a state file (a repeated or non-text key)`);
      keys.add(key);
      if (key === 'state') {
        const count = read(() => reader.arrayHeader());
        for (let j = 0; j < count; j++) {
          const commit = read(() => reader.value<SavedCommitItem>());
          if (stateError !== undefined) continue;
          try {
            loading.addCommit(commit);
          } catch (err) {
            stateError = err;
          }
        }
      } else if (key === 'tipsets') {
        checkHeader();
        loading.chain.editlessRootsBefore = olderRootsBefore(doc.format as number, EDIT_ROOTS_FORMAT, 'roots', doc.roots);
        loading.chain.untimedRootsBefore = olderRootsBefore(doc.format as number, TIMED_ROOTS_FORMAT, 'timed', doc.timed);
        const count = read(() => reader.arrayHeader());
        for (let j = 0; j < count; j++) loading.addTipset(read(() => reader.value<SavedTipset>()));
      } else {
        (doc as Record<string, unknown>)[key] = read(() => reader.value());
      }
    }
    if (!reader.done) throw new StateFileError(`${where} is not a state file (bytes after the document)`);
    checkHeader();
    const current = doc.format === STATE_FORMAT;
    if (doc.replaced !== undefined) loading.addReplaced(doc.replaced);
    const applied = journal && (doc.format !== UNCHECKED_FORMAT ? applyCheckedJournal(loading, journal) : applyJournal(loading, journal, false));
    if (applied?.readAgain) return decodeChain(bytes, where, { journal: journal!.subarray(0, applied.bytes), hotMessages });
    if (!loading.head || loading.chain.first.epoch !== 0) throw new Error('the chain has no genesis');
    // An older format's tipsets, the journal's too, were built with its roots; those mined from now on have this version's.
    if ((doc.format as number) < EDIT_ROOTS_FORMAT) loading.chain.editlessRootsBefore = loading.head.epoch + 1;
    if ((doc.format as number) < TIMED_ROOTS_FORMAT) loading.chain.untimedRootsBefore = loading.head.epoch + 1;
    if (!loading.state.at(0).getActor(INIT_ACTOR_ID)) throw new Error('its genesis state has no init actor');
    const clockOffset = applied?.clockOffset ?? doc.clockOffset;
    // Chain time moves forward (evm_increaseTime, tipsets ahead of the clock) and back (anvil_rollback
    // to an older tipset's time, evm_setTime), within the last timestamp either way.
    if (!(typeof clockOffset === 'number' && Number.isSafeInteger(clockOffset) && Math.abs(clockOffset) <= LAST_TIMESTAMP)) throw new Error(`its clock offset ${String(clockOffset)} s is not from -${LAST_TIMESTAMP} to ${LAST_TIMESTAMP}`);
    const instanceId = applied?.instanceId ?? doc.instanceId;
    if (!(instanceId === undefined || (instanceId instanceof Uint8Array && instanceId.length === 32))) throw new Error('its instanceId is not 32 bytes');
    return {
      chainId: decodeBigInt(doc.chainId!),
      clockOffset,
      ...(instanceId === undefined ? {} : { instanceId }),
      state: loading.state,
      chain: loading.chain,
      replaced: loading.replaced,
      size: { commits: loading.commits, tipsets: loading.chain.all().length },
      ...(applied === undefined || !current ? {} : { journalBytes: applied.bytes }),
    };
  } catch (err) {
    throw damaged(err);
  }
}

/** Whether `bytes` end as a document of this format does: the checksum's key and its 32-byte value. */
function endsWithChecksum(bytes: Uint8Array): boolean {
  const tailAt = bytes.length - 32 - CHECKSUM_TAIL.length;
  return tailAt > 0 && equal(bytes.subarray(tailAt, -32), CHECKSUM_TAIL);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The file system calls writeFileAtomically makes (a test passes failing ones). */
export interface AtomicWriteCalls {
  openSync(path: string, flags: 'w'): number;
  writeSync(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const nodeCalls: AtomicWriteCalls = { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync };

/** The temporary file `pid` writes before renaming it to `path`. */
export const temporaryPath = (path: string, pid = process.pid): string => `${path}.${pid}.tmp`;

/**
 * Writes a file so that it is either the old one or the new one, never half of either: a temporary
 * file beside it, written whole and flushed to disk, then renamed over it. On any failure the
 * temporary file is removed, `path` is left as it was, and the error is thrown.
 */
export function writeFileAtomically(path: string, bytes: Uint8Array, fs: AtomicWriteCalls = nodeCalls): void {
  const file = new AtomicFile(path, fs);
  try {
    file.write(bytes);
    file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
}

/**
 * writeFileAtomically a piece at a time: the temporary file is open from the constructor to `commit`
 * (flush, rename over `path`) or `abort` (removed; `path` left as it was), which the caller makes
 * after any error.
 */
export class AtomicFile {
  private readonly temporary: string;
  private fd: number | undefined;
  /** Bytes written so far. */
  length = 0;

  constructor(
    private readonly path: string,
    private readonly fs: AtomicWriteCalls = nodeCalls,
  ) {
    this.temporary = temporaryPath(path);
    this.fd = fs.openSync(this.temporary, 'w');
  }

  write(bytes: Uint8Array): void {
    // A full disk first writes short without an error: only a whole file may replace the old one.
    for (let at = 0; at < bytes.length; ) {
      const written = this.fs.writeSync(this.fd!, bytes, at, bytes.length - at);
      if (!(written > 0)) throw new Error(`the write stopped at byte ${this.length + at} of ${this.length + bytes.length}`);
      at += written;
    }
    this.length += bytes.length;
  }

  /** Flushes what is written to the disk without holding the event loop (`commit` flushes again, at once). */
  flush(callback: (err: Error | null) => void): void {
    fsync(this.fd!, callback);
  }

  commit(): void {
    this.fs.fsyncSync(this.fd!);
    // Cleared first: a close that fails has still freed the descriptor, which must not be closed again.
    const open = this.fd!;
    this.fd = undefined;
    this.fs.closeSync(open);
    this.fs.renameSync(this.temporary, this.path);
  }

  abort(): void {
    if (this.fd !== undefined) ignoreError(() => this.fs.closeSync(this.fd!));
    this.fd = undefined;
    ignoreError(() => this.fs.unlinkSync(this.temporary));
  }
}

/** Removes the temporary files beside `path` left by processes that died while writing it (kill -9 during a save). */
export function removeStaleTemporaries(path: string): void {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? name.slice(prefix.length, -'.tmp'.length) : '';
    if (/^[1-9]\d*$/.test(pid)) removeIfOrphaned(join(dirname(path), name), Number(pid));
  }
}

/** Removes `file`, a temporary file process `pid` was writing, if that process has died (best effort). */
export function removeIfOrphaned(file: string, pid: number): void {
  if (!isAlive(pid)) ignoreError(() => unlinkSync(file));
}

/** Whether process `pid` runs (this one does): its temporary files are still being written. */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, another user's.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function ignoreError(call: () => void): void {
  try {
    call();
  } catch {
    // Best effort: a file that cannot be closed or removed is left as it is.
  }
}
