// Tipsets and their block headers, with CIDs computed as Lotus computes them (dag-cbor, blake2b-256).
// The devnet mines one block per tipset. Its state, message and receipt roots are commitments of the
// devnet's own (a hash chain over what each tipset did), not HAMT/AMT roots.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { FilAddress } from '../common/address.js';
import { BLAKE2B_256, cidFromDigest, cidOf, DAG_CBOR, encodeBigInt, encodeCbor, type CID } from '../common/cbor.js';
import { blake2b256 } from '../common/hashes.js';
import { concatBytes, EMPTY_BYTES } from '../common/hex.js';
import { SYSTEM_ACTOR_ID } from '../fevm/actor.js';
import { SigType } from '../fevm/message.js';
import { toFilecoinMessage, type EthTransaction } from '../fevm/eth-tx.js';
import { nextBaseFee, type MessageFees } from '../fevm/gas.js';
import type { SignedMessage } from '../fevm/message.js';
import type { ActorEvent, MessageReceipt } from '../fevm/types.js';
import { decodeColdLogged, decodeColdMessages, encodeColdMessages } from './cold-messages.js';
import { DigestSlab } from './digest-slab.js';
import { encodeSavedMessage, type SavedMessage } from './saved-message.js';

/**
 * The miner a block names when no miner won it: the system actor, as Lotus's genesis block names it
 * (chain/gen/genesis/genesis.go MakeGenesisBlock). The devnet's genesis names it, and so does a
 * tipset no miner was eligible for (no storage provider with power) and that paid no block reward.
 */
export const NO_MINER = SYSTEM_ACTOR_ID;

export interface IncludedMessage {
  cid: CID;
  signed: SignedMessage;
  /** The Ethereum transaction a delegated-signature message was made from. */
  ethTx?: EthTransaction;
  receipt: MessageReceipt;
  /** Position in the tipset. */
  index: number;
}

/**
 * What a read of a tipset's logs needs of one of its messages (eth-rpc/logs.ts): an included message,
 * or, for a cold tipset whose messages are not decoded now, its transaction's hash and events alone.
 */
export interface LoggedMessage {
  readonly cid: CID;
  readonly ethTx?: { readonly hash: Uint8Array } | undefined;
  readonly index: number;
  readonly receipt: { readonly events: readonly ActorEvent[] };
}

/**
 * An included message's gas limit, fee cap and premium; an Ethereum transaction's are its message's,
 * read from it without making the signed message (which a mined tipset makes when read).
 */
export function feeFieldsOf(m: IncludedMessage): MessageFees {
  const { ethTx } = m;
  return ethTx ? { gasLimit: ethTx.gasLimit, gasFeeCap: ethTx.maxFeePerGas, gasPremium: ethTx.maxPriorityFeePerGas } : m.signed.message;
}

/** A Lotus block header (chain/types/blockheader.go); the devnet's proofs are deterministic stand-ins. */
export interface BlockHeader {
  miner: FilAddress;
  ticket: Uint8Array;
  electionProof: { winCount: number; vrfProof: Uint8Array };
  parents: CID[];
  parentWeight: bigint;
  height: number;
  parentStateRoot: CID;
  parentMessageReceipts: CID;
  messages: CID;
  timestamp: number;
  parentBaseFee: bigint;
}

/** The upstream's tipset a fork's first tipset stands in for, as the upstream answered it. */
export interface UpstreamTipset {
  /** Its block CIDs (its key), which need not be dag-cbor blake2b-256. */
  blocks: CID[];
  /** Its block headers in the upstream's Lotus JSON: what the fork answers for it (ChainHead, ChainGetTipSet). */
  headers: readonly unknown[];
  parentWeight: bigint;
  /** Its own weight: the ParentWeight of the tipset mined on it. */
  weight: bigint;
}

export interface Tipset {
  epoch: number;
  /** Unix seconds. */
  timestamp: number;
  /** The base fee that applied to this tipset's messages (the header's ParentBaseFee). */
  baseFee: bigint;
  parentKey: CID | undefined;
  /**
   * The tipset it was mined on, held as long as it is: a tipset a revert dropped keeps its ancestors'
   * headers with it, whatever else is let go (dropped-tipsets.ts: BLOCKHASH on a kept one).
   */
  parent: Tipset | undefined;
  header: BlockHeader;
  blockCid: CID;
  /** The tipset key's CID; its 32-byte digest is the Ethereum block hash. */
  key: CID;
  hash: Uint8Array;
  stateRoot: CID;
  receiptsRoot: CID;
  /** Read-only: an empty tipset's is one array all share (frozen), and a mined tipset's may be a cold one's decoded copy. */
  messages: readonly IncludedMessage[];
  gasUsed: number;
  /** The base fee of a tipset mined on this one (Lotus ChainStore.ComputeBaseFee): from this one's and its messages' premiums. */
  nextBaseFee: bigint;
  /** A fork's first tipset: the upstream's it stands in for. */
  upstream?: UpstreamTipset | undefined;
}

interface TipsetInput {
  epoch: number;
  timestamp: number;
  baseFee: bigint;
  parent: Tipset | undefined;
  messages: readonly IncludedMessage[];
  /** The actor ID of the miner whose block it is (the block reward's winner); none (NO_MINER) when none won it. */
  miner?: number;
  /** The id of the last cheat-code edit of the state since its parent was mined, if any (parentEdit). */
  edit?: number | undefined;
  /** How its roots are made (RootFormat): as this version makes them unless rebuilt from an older --state file. */
  roots?: RootFormat;
}

/**
 * How a tipset's state root and its header's ParentStateRoot are made, by the --state format that
 * first made them, so that a chain saved in an older format is rebuilt with the block CIDs it was
 * saved with (ChainStore.rootsAt):
 * - 8 (and older): the root is [parent's root, messages root, receipts root];
 * - 9: and the cheat-code edit the tipset was mined after, if any (X5);
 * - 10: the header's ParentStateRoot names the state the block's messages ran on: its parent's root,
 *   or [parent's root, edit] when an edit was made since the parent was mined (R83); the root is
 *   [that, messages root, receipts root, epoch, timestamp, miner, base fee], what else decides the
 *   state a tipset leaves (X7: block.timestamp, block.number, the block reward's winner; A2.1: the
 *   burn, the miner's tip and BASEFEE, which anvil_setNextBlockBaseFeePerGas sets per tipset). The
 *   chain id, COINBASE, PREVRANDAO's seed and the block gas limit are fixed for a node (their cheat
 *   codes are refused), so no root needs to name them.
 */
export type RootFormat = 8 | 9 | 10;
export const CURRENT_ROOTS: RootFormat = 10;

/**
 * The id of the last cheat-code edit of the state a tipset on `parent` is mined on, if one was made
 * since `parent` was mined (the state it was mined on holds another): `editAt` reads a state's
 * (StateTree.editAt). Its header's ticket names it, and so do its ParentStateRoot and its state root
 * (RootFormat), which the devnet makes from its parent's root and what the tipset did, not from the
 * state: a tipset mined after an evm_revert on other edits must not take the hash of the one the
 * revert dropped (X1), nor its roots (X5, R83: StateChangedActors by a dropped root). A chain without
 * edits keeps its hashes.
 */
export function parentEdit(editAt: (epoch: number) => number | undefined, parent: Tipset | undefined): number | undefined {
  if (!parent) return undefined;
  const edit = editAt(parent.epoch);
  return edit !== (parent.parent ? editAt(parent.parent.epoch) : undefined) ? edit : undefined;
}

/** The edit (parentEdit) each tipset mined after one was made on: held off the tipsets, as few have one. */
const editsBefore = new WeakMap<Tipset, number>();

/** The ParentStateRoot of each tipset whose header names an edit in it (RootFormat 10), held off the tipsets as editsBefore. */
const editedParentRoots = new WeakMap<Tipset, CID>();

/** The tipset key: a CBOR byte string of the block CIDs' bytes (Lotus chain/types/tipset_key.go). */
export function tipsetKeyCid(blockCids: CID[]): CID {
  return cidOf(encodeCbor(concatBytes(...blockCids.map((c) => c.bytes))));
}

/** The 16-field CBOR tuple of a block header, as Lotus encodes it. */
export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  // Read once: a mined tipset's header makes its election proof when read (a CBOR encoding and a hash).
  const { winCount, vrfProof } = h.electionProof;
  return encodeCbor([
    h.miner.bytes,
    [h.ticket],
    [winCount, vrfProof],
    [], // beacon entries
    [], // winning PoSt proofs
    h.parents,
    encodeBigInt(h.parentWeight),
    h.height,
    h.parentStateRoot,
    h.parentMessageReceipts,
    h.messages,
    null, // BLS aggregate signature
    h.timestamp,
    null, // block signature
    0, // fork signaling
    encodeBigInt(h.parentBaseFee),
  ]);
}

/** The message-list root: [BLS message CIDs, secp256k1 and delegated message CIDs] (Lotus MsgMeta). */
function messagesRootOf(messages: readonly IncludedMessage[]): CID {
  if (messages.length === 0) return EMPTY_MESSAGES_ROOT;
  const bls = messages.filter((m) => m.signed.signature.type === SigType.BLS).map((m) => m.cid);
  const secp = messages.filter((m) => m.signed.signature.type !== SigType.BLS).map((m) => m.cid);
  return cidOf(encodeCbor([bls, secp]));
}

function receiptsRootOf(messages: readonly IncludedMessage[]): CID {
  if (messages.length === 0) return EMPTY_RECEIPTS_ROOT;
  return cidOf(encodeCbor(messages.map((m) => [m.receipt.exitCode, m.receipt.returnData, m.receipt.gasUsed])));
}

// The roots of an empty tipset, computed once: most tipsets of a test chain are empty.
const EMPTY_MESSAGES_ROOT = cidOf(encodeCbor([[], []]));
const EMPTY_RECEIPTS_ROOT = cidOf(encodeCbor([]));

/** The parent state root a first tipset names (the devnet's genesis, or a fork's anchor). */
const FIRST_PARENT_STATE_ROOT = cidOf(encodeCbor('fvm-devnet genesis'));

// A mined tipset's run of a slab chunk (MinedTipset) opens with five of its numbers, little-endian:
// its timestamp and its miner's actor ID as 32-bit unsigned integers, its parent's weight as two
// 32-bit halves, low first, then its epoch and its base fee as 32-bit unsigned integers (24 B outside
// the heap where five fields were 40 B in it). A value these cannot hold (a timestamp from 2106 on, an
// ID, epoch or base fee of 2^32 - 1 or more, a weight past 2^53) is marked WIDE there and all five are
// kept in `wideFields` instead: few tipsets have one (a base fee past 4.29 nanoFIL a gas unit, say).
const TIMESTAMP_AT = 0;
const MINER_AT = 4;
const WEIGHT_LOW_AT = 8;
const WEIGHT_HIGH_AT = 12;
const EPOCH_AT = 16;
const BASE_FEE_AT = 20;
const FIELDS_BYTES = 24;
const WIDE = 0xffffffff;
const TWO_32 = 2 ** 32;

/** A mined tipset's numbers that its run keeps (putFields). */
interface TipsetNumbers {
  readonly epoch: number;
  readonly timestamp: number;
  readonly minerId: number;
  readonly weightBefore: bigint;
  readonly baseFee: bigint;
}

/** The numbers of each tipset with one too wide for its run (WIDE), held off the tipsets as editsBefore. */
const wideFields = new WeakMap<Tipset, TipsetNumbers>();

const fitsUint32 = (value: number) => Number.isInteger(value) && value >= 0 && value < WIDE;

function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value;
  bytes[at + 1] = value >>> 8;
  bytes[at + 2] = value >>> 16;
  bytes[at + 3] = value >>> 24;
}

// Where a mined tipset's own CIDs sit among its digests, after its numbers (each a dag-cbor blake2b-256 CID).
const BLOCK = 0;
const KEY = 1;
const STATE_ROOT = 2;
/** An empty tipset's digests end here: its messages and receipts roots are EMPTY_MESSAGES_ROOT and EMPTY_RECEIPTS_ROOT. */
const EMPTY_TIPSET_SLOTS = 3;
const RECEIPTS_ROOT = 3;
const MESSAGES_ROOT = 4;
/** The included messages' CIDs follow, in the tipset's order. */
const FIRST_MESSAGE = 5;
const DIGEST_BYTES = 32;

/** The chunks every mined tipset's digests are cut from (one per process: a chunk is let go with its last tipset). */
const digestSlab = new DigestSlab();

const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
const WIDE_BIGINT = BigInt(WIDE);

/**
 * The messages of every tipset without any (most of an idle chain's), one array where each had its
 * own (32 B): read-only to the compiler (Tipset.messages), and frozen, so that a write that gets past
 * it throws instead of reaching every empty tipset.
 */
const NO_MESSAGES: readonly IncludedMessage[] = Object.freeze([]);

// Where an Ethereum transaction's byte fields sit in its tipset's buffer of them: its hash, sender, recipient (none for a deployment), then input.
const TX_HASH_BYTES = 32;
const ETH_ADDRESS_BYTES = 20;

/**
 * An Ethereum transaction as a mined tipset keeps it: its byte fields (hash, sender, recipient,
 * input) in the tipset's buffer of them, read as views of it, where each was an array of its own
 * with its buffer (~0.55 KB a transaction).
 */
class MinedEthTransaction implements EthTransaction {
  readonly type: 0 | 2;
  readonly chainId: bigint;
  readonly nonce: number;
  readonly value: bigint;
  readonly gasLimit: number;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly v: bigint;
  readonly r: bigint;
  readonly s: bigint;

  constructor(
    tx: EthTransaction,
    private readonly bytes: Uint8Array,
    /** Where its hash starts in `bytes`. */
    private readonly at: number,
    /** Where its input starts: after the recipient, if it has one. */
    private readonly inputAt: number,
    private readonly end: number,
  ) {
    this.type = tx.type;
    this.chainId = tx.chainId;
    this.nonce = tx.nonce;
    this.value = tx.value;
    this.gasLimit = tx.gasLimit;
    this.maxFeePerGas = tx.maxFeePerGas;
    this.maxPriorityFeePerGas = tx.maxPriorityFeePerGas;
    this.v = tx.v;
    this.r = tx.r;
    this.s = tx.s;
  }

  get hash(): Uint8Array {
    return this.bytes.subarray(this.at, this.at + TX_HASH_BYTES);
  }

  get from(): Uint8Array {
    const from = this.at + TX_HASH_BYTES;
    return this.bytes.subarray(from, from + ETH_ADDRESS_BYTES);
  }

  get to(): Uint8Array | null {
    const to = this.at + TX_HASH_BYTES + ETH_ADDRESS_BYTES;
    return this.inputAt === to ? null : this.bytes.subarray(to, this.inputAt);
  }

  get input(): Uint8Array {
    return this.inputAt === this.end ? EMPTY_BYTES : this.bytes.subarray(this.inputAt, this.end);
  }
}

/** The bytes a MinedEthTransaction keeps of `tx` in its tipset's buffer. */
const minedTxBytes = (tx: EthTransaction) => TX_HASH_BYTES + ETH_ADDRESS_BYTES + (tx.to ? ETH_ADDRESS_BYTES : 0) + tx.input.length;

/**
 * An included message as a mined tipset keeps it: its CID (dag-cbor over blake2b-256, as every
 * message's) as a digest in the tipset's buffer, made when read, where a CID object with its
 * multihash, three byte views and their buffer was ~0.55 KB of heap for each stored message. A
 * message made from an Ethereum transaction keeps only the transaction: its signed message (~1.2 KB
 * of heap) is made from it when read, as admission made it.
 */
class MinedMessage implements IncludedMessage {
  constructor(
    /** A native message's signed message; undefined when `ethTx` is kept instead. */
    private readonly native: SignedMessage | undefined,
    readonly ethTx: EthTransaction | undefined,
    readonly receipt: MessageReceipt,
    readonly index: number,
    /** The slab chunk its CID's digest is in, and where. */
    private readonly digests: Uint8Array,
    private readonly digestAt: number,
  ) {}

  get signed(): SignedMessage {
    return this.native ?? toFilecoinMessage(this.ethTx!);
  }

  get cid(): CID {
    return cidFromDigest(this.digests.subarray(this.digestAt, this.digestAt + DIGEST_BYTES));
  }
}

/** A message of a cold tipset as a read of its logs sees it (decodeColdLogged), its CID made when read. */
class ColdLoggedMessage implements LoggedMessage {
  readonly ethTx: { readonly hash: Uint8Array } | undefined;
  readonly receipt: { readonly events: readonly ActorEvent[] };

  constructor(
    ethTxHash: Uint8Array | undefined,
    events: readonly ActorEvent[],
    readonly index: number,
    /** The slab chunk its CID's digest is in, and where. */
    private readonly digests: Uint8Array,
    private readonly digestAt: number,
  ) {
    this.ethTx = ethTxHash && { hash: ethTxHash };
    this.receipt = { events };
  }

  get cid(): CID {
    return cidFromDigest(this.digests.subarray(this.digestAt, this.digestAt + DIGEST_BYTES));
  }
}

/**
 * What a tipset with messages keeps of them beside its digests: its messages as objects or, once cold,
 * in one buffer (cold-messages.ts, deflated if `deflated`) decoded through `decoded`; and what follows
 * from them, its gas used and the next base fee. An empty tipset keeps none of this (most of an idle
 * chain's: 0 gas, a base fee that moves by its own alone, no messages).
 */
class TipsetMessages {
  /** Its messages as objects; undefined once cold. */
  hot: readonly IncludedMessage[] | undefined;
  cold: Uint8Array | undefined;
  deflated = false;
  decoded: DecodedColdTipsets | undefined;

  constructor(
    messages: readonly IncludedMessage[],
    readonly gasUsed: number,
    readonly nextBaseFee: bigint,
  ) {
    this.hot = messages;
  }
}

/**
 * A tipset as the chain keeps it. Its own CIDs (block, key, state, receipts and messages roots) are
 * kept as their digests in a run of a shared chunk (digest-slab.ts) and made when read, after its
 * timestamp, miner, parent weight, epoch and base fee (FIELDS_BYTES), which are read from there: a CID object
 * with its multihash, three byte views and their buffer is ~0.55 KB of heap, and a chain of test
 * tipsets held five for each one; an empty tipset's messages and receipts roots, the same for every
 * one, are not kept. Its header is made when read too, its fields that are its parent's CIDs read from
 * the parent. Once the chain calls it cold (`compactMessages`), its messages are kept in one buffer
 * (cold-messages.ts, deflated from 2 KB on) and decoded when read (`DecodedColdTipsets`).
 */
class MinedTipset implements Tipset {
  constructor(
    readonly parent: Tipset | undefined,
    /**
     * The slab chunk its run is in, from `runAt` on: its timestamp, miner, parent weight, epoch and
     * base fee (FIELDS_BYTES), then its digests (block, key, state root, then, if it has messages, the
     * other roots and its messages').
     */
    private readonly run: Uint8Array,
    private readonly runAt: number,
  ) {}

  get epoch(): number {
    const epoch = readUint32(this.run, this.runAt + EPOCH_AT);
    return epoch === WIDE ? wideFields.get(this)!.epoch : epoch;
  }

  get timestamp(): number {
    const timestamp = readUint32(this.run, this.runAt + TIMESTAMP_AT);
    return timestamp === WIDE ? wideFields.get(this)!.timestamp : timestamp;
  }

  /** The actor ID its header names as its miner. */
  get minerId(): number {
    const id = readUint32(this.run, this.runAt + MINER_AT);
    return id === WIDE ? wideFields.get(this)!.minerId : id;
  }

  /** Its parent's weight (weightOf). */
  private get weightBefore(): bigint {
    const high = readUint32(this.run, this.runAt + WEIGHT_HIGH_AT);
    return high === WIDE ? wideFields.get(this)!.weightBefore : BigInt(high * TWO_32 + readUint32(this.run, this.runAt + WEIGHT_LOW_AT));
  }

  /** Its messages and what follows from them: none for this class, whose tipsets have none (TipsetWithMessages has them). */
  protected get filled(): TipsetMessages | undefined {
    return undefined;
  }

  /** The base fee that applied to its messages (the header's ParentBaseFee). */
  get baseFee(): bigint {
    const fee = readUint32(this.run, this.runAt + BASE_FEE_AT);
    return fee === WIDE ? wideFields.get(this)!.baseFee : BigInt(fee);
  }

  get gasUsed(): number {
    return this.filled?.gasUsed ?? 0;
  }

  /** A tipset without messages: its base fee's next, as buildTipset computes it for any. */
  get nextBaseFee(): bigint {
    return this.filled?.nextBaseFee ?? nextBaseFee(this.baseFee, []);
  }

  /** A fork's first tipset's (ForkedFirstTipset); none for the others. */
  get upstream(): UpstreamTipset | undefined {
    return undefined;
  }

  get header(): BlockHeader {
    return new DevnetBlockHeader(this, this.weightBefore);
  }

  get messages(): readonly IncludedMessage[] {
    const { filled } = this;
    if (!filled) return NO_MESSAGES;
    return filled.hot ?? filled.decoded!.messagesOf(this);
  }

  get isCold(): boolean {
    return this.filled?.cold !== undefined;
  }

  /** Keeps its messages encoded from now on. */
  compact(decoded: DecodedColdTipsets): void {
    const { filled } = this;
    if (!filled?.hot) return;
    const encoded = encodeColdMessages(filled.hot);
    filled.deflated = encoded.length >= DEFLATE_FROM_BYTES;
    // Copied out of zlib's output, a view of a 16 KB chunk.
    filled.cold = filled.deflated ? new Uint8Array(deflateRawSync(encoded, { level: 1 })) : encoded;
    filled.decoded = decoded;
    filled.hot = undefined;
  }

  /** Its messages as the --state file saves them: a cold tipset's decoded apart, not kept decoded. */
  savedMessages(): SavedMessage[] {
    return (this.isCold ? this.decodeCold() : this.messages).map(encodeSavedMessage);
  }

  /** What a read of its logs needs of its messages: a cold tipset's not decoded now are read without decoding them. */
  loggedMessages(): readonly LoggedMessage[] {
    const { filled } = this;
    if (!filled) return NO_MESSAGES;
    if (filled.hot) return filled.hot;
    const decoded = filled.decoded!.decodedOf(this);
    if (decoded) return decoded;
    return decodeColdLogged(this.encodedCold(), (ethTxHash, events, i) => new ColdLoggedMessage(ethTxHash, events, i, this.run, this.slotAt(FIRST_MESSAGE + i)));
  }

  /** Its cold messages decoded, as buildTipset made them. */
  decodeCold(): readonly IncludedMessage[] {
    const cold = decodeColdMessages(this.encodedCold());
    return cold.map(({ native, ethTx, receipt }, i) => new MinedMessage(native, ethTx, receipt, i, this.run, this.slotAt(FIRST_MESSAGE + i)));
  }

  private encodedCold(): Uint8Array {
    const filled = this.filled!;
    return filled.deflated ? inflateRawSync(filled.cold!) : filled.cold!;
  }

  private cid(slot: number): CID {
    return cidFromDigest(this.digest(slot));
  }

  /** Its message's CID's digest at `index`, without making the CID (messageDigestOf). */
  messageDigest(index: number): Uint8Array {
    return this.digest(FIRST_MESSAGE + index);
  }

  /** Its state root's digest, without making the CID (stateRootDigestOf). */
  stateRootDigest(): Uint8Array {
    return this.digest(STATE_ROOT);
  }

  private digest(slot: number): Uint8Array {
    const at = this.slotAt(slot);
    return this.run.subarray(at, at + DIGEST_BYTES);
  }

  /** Where the digest in `slot` starts in its chunk. */
  private slotAt(slot: number): number {
    return this.runAt + FIELDS_BYTES + slot * DIGEST_BYTES;
  }

  get parentKey(): CID | undefined {
    return this.parent?.key;
  }

  get blockCid(): CID {
    return this.cid(BLOCK);
  }

  get key(): CID {
    return this.cid(KEY);
  }

  get hash(): Uint8Array {
    return this.digest(KEY);
  }

  get stateRoot(): CID {
    return this.cid(STATE_ROOT);
  }

  get receiptsRoot(): CID {
    return this.filled ? this.cid(RECEIPTS_ROOT) : EMPTY_RECEIPTS_ROOT;
  }

  get messagesRoot(): CID {
    return this.filled ? this.cid(MESSAGES_ROOT) : EMPTY_MESSAGES_ROOT;
  }
}

/**
 * A tipset with messages: the field that keeps them is its own, so that an empty tipset (most of an
 * idle chain's) is an object of three fields (48 B of heap, where a field always undefined made it 56).
 * Only its subclass ForkedFirstTipset, a fork's first tipset, may have none.
 */
class TipsetWithMessages extends MinedTipset {
  readonly #filled: TipsetMessages | undefined;

  constructor(filled: TipsetMessages | undefined, ...mined: ConstructorParameters<typeof MinedTipset>) {
    super(...mined);
    this.#filled = filled;
  }

  protected override get filled(): TipsetMessages | undefined {
    return this.#filled;
  }
}

/** A fork's first tipset: it stands in for the upstream's, whose block CIDs it answers (fields only this one tipset of a chain keeps). */
class ForkedFirstTipset extends TipsetWithMessages {
  readonly #upstream: UpstreamTipset;

  constructor(upstream: UpstreamTipset, ...withMessages: ConstructorParameters<typeof TipsetWithMessages>) {
    super(...withMessages);
    this.#upstream = upstream;
  }

  override get upstream(): UpstreamTipset {
    return this.#upstream;
  }

  override get blockCid(): CID {
    return this.#upstream.blocks[0];
  }
}

/**
 * A cold tipset's encoded messages from this size on are deflated (zlib's fastest level): in a tipset
 * of 50 transfers a transfer's ~181 encoded bytes take ~130, as its messages repeat their sender,
 * chain ID, fees and receipt, for ~4 µs a message to deflate and ~2 to inflate. Each deflate also
 * sets up zlib's state (~40-70 µs): a tipset of one or a few messages, which saves little, is kept as
 * it is (a sequential send's tipset goes cold with each later one).
 */
const DEFLATE_FROM_BYTES = 2048;

/**
 * A tipset's weight, the ParentWeight of one mined on it: a stand-in for Lotus's, which grows with
 * each tipset (not each epoch), the parent's plus one; a fork's first tipset has the upstream's.
 */
export const weightOf = (tipset: Tipset): bigint => tipset.upstream?.weight ?? tipset.header.parentWeight + 1n;

/** How many messages of cold tipsets stay decoded: those of the tipsets read last. */
const DECODED_COLD_MESSAGES = 4096;

/**
 * Cold tipsets' decoded messages, least recently read first: one per chain store, which clears it
 * when it drops tipsets, so that no entry keeps a replaced chain (each tipset holds its ancestry).
 */
export class DecodedColdTipsets {
  private readonly decoded = new Map<MinedTipset, readonly IncludedMessage[]>();
  private count = 0;

  messagesOf(tipset: MinedTipset): readonly IncludedMessage[] {
    let messages = this.decoded.get(tipset);
    if (messages) {
      this.decoded.delete(tipset);
    } else {
      messages = tipset.decodeCold();
      this.count += messages.length;
      for (const [oldest, its] of this.decoded) {
        if (this.count <= DECODED_COLD_MESSAGES) break;
        this.decoded.delete(oldest);
        this.count -= its.length;
      }
    }
    this.decoded.set(tipset, messages);
    return messages;
  }

  /** A tipset's messages if they are decoded now, not counted as a read. */
  decodedOf(tipset: MinedTipset): readonly IncludedMessage[] | undefined {
    return this.decoded.get(tipset);
  }

  clear(): void {
    this.decoded.clear();
    this.count = 0;
  }
}

/**
 * Keeps a tipset's messages as one encoded buffer from now on, decoded when read through `decoded`:
 * the chain makes its old tipsets cold, whose messages are read seldom (~0.13 KB a transfer where
 * the objects were ~0.5 KB).
 */
export function compactMessages(tipset: Tipset, decoded: DecodedColdTipsets): void {
  if (tipset instanceof MinedTipset) tipset.compact(decoded);
}

/**
 * The digest of the CID of a tipset's message at `index` (dag-cbor over blake2b-256, as buildTipset
 * checks): read from a mined tipset's digests, where the message's `cid` makes a CID object to read it
 * from (the chain store indexes every message it appends by this digest).
 */
export function messageDigestOf(tipset: Tipset, index: number): Uint8Array {
  return tipset instanceof MinedTipset ? tipset.messageDigest(index) : tipset.messages[index].cid.multihash.digest;
}

/** The digest of a tipset's state root, read from a mined tipset's digests without making a CID (a scan of the chain by root). */
export function stateRootDigestOf(tipset: Tipset): Uint8Array {
  return tipset instanceof MinedTipset ? tipset.stateRootDigest() : tipset.stateRoot.multihash.digest;
}

/** The digest of the ParentStateRoot of a tipset's block (BlockHeader.parentStateRoot) without making its header. */
export function parentStateRootDigestOf(tipset: Tipset): Uint8Array {
  const named = editedParentRoots.get(tipset);
  if (named) return named.multihash.digest;
  return tipset.parent ? stateRootDigestOf(tipset.parent) : FIRST_PARENT_STATE_ROOT.multihash.digest;
}

/** Whether a tipset keeps its messages encoded. */
export function isCold(tipset: Tipset): boolean {
  return tipset instanceof MinedTipset && tipset.isCold;
}

/** What a read of a tipset's logs needs of its messages (LoggedMessage). */
export function loggedMessagesOf(tipset: Tipset): readonly LoggedMessage[] {
  return tipset instanceof MinedTipset ? tipset.loggedMessages() : tipset.messages;
}

/** A tipset's messages as the --state file saves them. */
export function savedMessagesOf(tipset: Tipset): SavedMessage[] {
  return tipset instanceof MinedTipset ? tipset.savedMessages() : tipset.messages.map(encodeSavedMessage);
}

/**
 * A devnet block header: what it names of its tipset and its parent is read from them, and its
 * ticket and election proof are deterministic stand-ins, functions of the height (the ticket also of
 * the cheat-code edit it was mined after, parentEdit), made when read (only encoding the header reads them).
 */
class DevnetBlockHeader implements BlockHeader {
  constructor(
    private readonly tipset: MinedTipset,
    /** Its parent's weight (weightOf). */
    readonly parentWeight: bigint,
  ) {}

  get miner(): FilAddress {
    return FilAddress.fromId(this.tipset.minerId);
  }

  get ticket(): Uint8Array {
    const edit = editsBefore.get(this.tipset);
    return blake2b256(encodeCbor(edit === undefined ? ['ticket', this.height] : ['ticket', this.height, edit]));
  }

  get electionProof(): BlockHeader['electionProof'] {
    return { winCount: 1, vrfProof: blake2b256(encodeCbor(['election', this.height])) };
  }

  get parents(): CID[] {
    const { parent } = this.tipset;
    return parent ? (parent.upstream?.blocks ?? [parent.blockCid]) : [];
  }

  get height(): number {
    return this.tipset.epoch;
  }

  get parentStateRoot(): CID {
    return editedParentRoots.get(this.tipset) ?? this.tipset.parent?.stateRoot ?? FIRST_PARENT_STATE_ROOT;
  }

  get parentMessageReceipts(): CID {
    return (this.tipset.parent ?? this.tipset).receiptsRoot;
  }

  get messages(): CID {
    return this.tipset.messagesRoot;
  }

  get timestamp(): number {
    return this.tipset.timestamp;
  }

  get parentBaseFee(): bigint {
    return this.tipset.baseFee;
  }
}

/**
 * Writes a mined tipset's numbers at the start of its run (FIELDS_BYTES), WIDE for any its bytes
 * cannot hold; whether they held all five (else the caller keeps them in wideFields).
 */
function putFields(run: Uint8Array, at: number, { epoch, timestamp, minerId, weightBefore, baseFee }: TipsetNumbers): boolean {
  const [timestampFits, minerFits, epochFits] = [fitsUint32(timestamp), fitsUint32(minerId), fitsUint32(epoch)];
  const [weightFits, feeFits] = [weightBefore >= 0n && weightBefore <= MAX_SAFE_BIGINT, baseFee >= 0n && baseFee < WIDE_BIGINT];
  writeUint32(run, at + TIMESTAMP_AT, timestampFits ? timestamp : WIDE);
  writeUint32(run, at + MINER_AT, minerFits ? minerId : WIDE);
  if (weightFits) {
    const weight = Number(weightBefore);
    writeUint32(run, at + WEIGHT_LOW_AT, weight % TWO_32);
    writeUint32(run, at + WEIGHT_HIGH_AT, Math.floor(weight / TWO_32));
  } else writeUint32(run, at + WEIGHT_HIGH_AT, WIDE);
  writeUint32(run, at + EPOCH_AT, epochFits ? epoch : WIDE);
  writeUint32(run, at + BASE_FEE_AT, feeFits ? Number(baseFee) : WIDE);
  return timestampFits && minerFits && weightFits && epochFits && feeFits;
}

/** What a tipset's state root is the CID of, as `roots` makes it (RootFormat). */
function stateRootFields(
  roots: RootFormat,
  f: { parentRoot: CID; editedParentRoot: CID | undefined; edit: number | undefined; messagesRoot: CID; receiptsRoot: CID; epoch: number; timestamp: number; miner: number; baseFee: bigint },
): unknown[] {
  if (roots === 8 || (roots === 9 && f.edit === undefined)) return [f.parentRoot, f.messagesRoot, f.receiptsRoot];
  if (roots === 9) return [f.parentRoot, f.messagesRoot, f.receiptsRoot, f.edit];
  return [f.editedParentRoot ?? f.parentRoot, f.messagesRoot, f.receiptsRoot, f.epoch, f.timestamp, f.miner, encodeBigInt(f.baseFee)];
}

/**
 * A tipset of the devnet's own, or (`upstream`) the stand-in for an upstream's at a fork's epoch: its
 * block CIDs are the upstream's, so that its key and hash are the upstream's.
 */
export function buildTipset({ epoch, timestamp, baseFee, parent, messages, miner = NO_MINER, edit, roots = CURRENT_ROOTS }: TipsetInput, upstream?: UpstreamTipset): Tipset {
  const receiptsRoot = receiptsRootOf(messages);
  const messagesRoot = messagesRootOf(messages);
  const { bytes: run, at: runAt } = digestSlab.take(FIELDS_BYTES + (messages.length === 0 ? EMPTY_TIPSET_SLOTS : FIRST_MESSAGE + messages.length) * DIGEST_BYTES);
  const slotAt = (slot: number) => runAt + FIELDS_BYTES + slot * DIGEST_BYTES;
  // Each is a CID this module made with cidOf, or a message's: dag-cbor over blake2b-256.
  const put = (slot: number, cid: CID) => run.set(cid.multihash.digest, slotAt(slot));
  const txBytes = messages.reduce((n, m) => n + (m.ethTx ? minedTxBytes(m.ethTx) : 0), 0);
  const txs = txBytes > 0 ? new Uint8Array(txBytes) : EMPTY_BYTES;
  let txEnd = 0;
  /** `tx` with its byte fields copied to the end of `txs`. */
  const mine = (tx: EthTransaction) => {
    if (tx.hash.length !== TX_HASH_BYTES || tx.from.length !== ETH_ADDRESS_BYTES) throw new Error('a transaction hash has 32 bytes and a sender 20');
    const at = txEnd;
    txs.set(tx.hash, at);
    txs.set(tx.from, at + TX_HASH_BYTES);
    let inputAt = at + TX_HASH_BYTES + ETH_ADDRESS_BYTES;
    if (tx.to) {
      txs.set(tx.to, inputAt);
      inputAt += ETH_ADDRESS_BYTES;
    }
    txs.set(tx.input, inputAt);
    txEnd = inputAt + tx.input.length;
    return new MinedEthTransaction(tx, txs, at, inputAt, txEnd);
  };
  let filled: TipsetMessages | undefined;
  if (messages.length > 0) {
    const mined = messages.map((m, i) => {
      if (m.cid.code !== DAG_CBOR || m.cid.multihash.code !== BLAKE2B_256) throw new Error(`message CID ${m.cid} is not dag-cbor over blake2b-256`);
      put(FIRST_MESSAGE + i, m.cid);
      return new MinedMessage(m.ethTx ? undefined : m.signed, m.ethTx && mine(m.ethTx), m.receipt, i, run, slotAt(FIRST_MESSAGE + i));
    });
    put(RECEIPTS_ROOT, receiptsRoot);
    put(MESSAGES_ROOT, messagesRoot);
    const gasUsed = messages.reduce((n, m) => n + m.receipt.gasUsed, 0);
    filled = new TipsetMessages(mined, gasUsed, nextBaseFee(baseFee, messages.map(feeFieldsOf)));
  }
  const parentRoot = parent?.stateRoot ?? FIRST_PARENT_STATE_ROOT;
  const editedParentRoot = roots >= 10 && edit !== undefined ? cidOf(encodeCbor([parentRoot, edit])) : undefined;
  // A first tipset ran nothing on the state the chain starts from: its root is as every format made it.
  const rootFormat = parent ? roots : 8;
  put(STATE_ROOT, cidOf(encodeCbor(stateRootFields(rootFormat, { parentRoot, editedParentRoot, edit, messagesRoot, receiptsRoot, epoch, timestamp, miner, baseFee }))));
  const weightBefore = upstream ? upstream.parentWeight : parent ? weightOf(parent) : 0n;
  const fields = [parent, run, runAt] as const;
  const tipset = upstream ? new ForkedFirstTipset(upstream, filled, ...fields) : filled ? new TipsetWithMessages(filled, ...fields) : new MinedTipset(...fields);
  const numbers = { epoch, timestamp, minerId: miner, weightBefore, baseFee };
  if (!putFields(run, runAt, numbers)) wideFields.set(tipset, numbers);
  if (edit !== undefined) editsBefore.set(tipset, edit);
  if (editedParentRoot) editedParentRoots.set(tipset, editedParentRoot);
  // The header reads the roots just put; the block CID and the key follow from it.
  if (upstream) {
    put(KEY, tipsetKeyCid(upstream.blocks));
  } else {
    const block = cidOf(encodeBlockHeader(tipset.header));
    put(BLOCK, block);
    put(KEY, tipsetKeyCid([block]));
  }
  return tipset;
}
