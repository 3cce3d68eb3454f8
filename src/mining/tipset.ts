// Tipsets and their block headers, with CIDs computed as Lotus computes them (dag-cbor, blake2b-256).
// The devnet mines one block per tipset. Its state, message and receipt roots are commitments of the
// devnet's own (a hash chain over what each tipset did), not HAMT/AMT roots.
import { FilAddress } from '../common/address.js';
import { cidOf, encodeBigInt, encodeCbor, type CID } from '../common/cbor.js';
import { blake2b256 } from '../common/hashes.js';
import { concatBytes } from '../common/hex.js';
import { SigType } from '../fevm/message.js';
import type { EthTransaction } from '../fevm/eth-tx.js';
import type { SignedMessage } from '../fevm/message.js';
import type { MessageReceipt } from '../fevm/types.js';

/** The block miner named in headers: the first miner of Lotus's local devnet genesis. */
const GENESIS_MINER = FilAddress.fromId(1000);

export interface IncludedMessage {
  cid: CID;
  signed: SignedMessage;
  /** The Ethereum transaction a delegated-signature message was made from. */
  ethTx?: EthTransaction;
  receipt: MessageReceipt;
  /** Position in the tipset. */
  index: number;
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

export interface Tipset {
  epoch: number;
  /** Unix seconds. */
  timestamp: number;
  /** The base fee that applied to this tipset's messages (the header's ParentBaseFee). */
  baseFee: bigint;
  parentKey: CID | undefined;
  header: BlockHeader;
  blockCid: CID;
  /** The tipset key's CID; its 32-byte digest is the Ethereum block hash. */
  key: CID;
  hash: Uint8Array;
  stateRoot: CID;
  receiptsRoot: CID;
  messages: IncludedMessage[];
  gasUsed: number;
  gasLimit: number;
}

export interface TipsetInput {
  epoch: number;
  timestamp: number;
  baseFee: bigint;
  parent: Tipset | undefined;
  messages: IncludedMessage[];
}

/** The tipset key: a CBOR byte string of the block CIDs' bytes (Lotus chain/types/tipset_key.go). */
export function tipsetKeyCid(blockCids: CID[]): CID {
  return cidOf(encodeCbor(concatBytes(...blockCids.map((c) => c.bytes))));
}

/** The 16-field CBOR tuple of a block header, as Lotus encodes it. */
export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  return encodeCbor([
    h.miner.bytes,
    [h.ticket],
    [h.electionProof.winCount, h.electionProof.vrfProof],
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
function messagesRoot(messages: IncludedMessage[]): CID {
  if (messages.length === 0) return EMPTY_MESSAGES_ROOT;
  const bls = messages.filter((m) => m.signed.signature.type === SigType.BLS).map((m) => m.cid);
  const secp = messages.filter((m) => m.signed.signature.type !== SigType.BLS).map((m) => m.cid);
  return cidOf(encodeCbor([bls, secp]));
}

function receiptsRootOf(messages: IncludedMessage[]): CID {
  if (messages.length === 0) return EMPTY_RECEIPTS_ROOT;
  return cidOf(encodeCbor(messages.map((m) => [m.receipt.exitCode, m.receipt.returnData, m.receipt.gasUsed])));
}

// The roots of an empty tipset, computed once: most tipsets of a test chain are empty.
const EMPTY_MESSAGES_ROOT = cidOf(encodeCbor([[], []]));
const EMPTY_RECEIPTS_ROOT = cidOf(encodeCbor([]));

/** What a devnet block header holds; the rest is the same in every block or follows from the height. */
type StoredHeaderFields = Omit<BlockHeader, 'miner' | 'ticket' | 'electionProof'>;

/**
 * A devnet block header. Its ticket and election proof are deterministic stand-ins, functions of
 * the height, made when read rather than kept: two 32-byte hashes and their objects (~0.45 KB) on
 * each of a test chain's thousands of tipsets, where only encoding the header reads them.
 */
class DevnetBlockHeader implements BlockHeader {
  readonly parents: CID[];
  readonly parentWeight: bigint;
  readonly height: number;
  readonly parentStateRoot: CID;
  readonly parentMessageReceipts: CID;
  readonly messages: CID;
  readonly timestamp: number;
  readonly parentBaseFee: bigint;

  constructor(fields: StoredHeaderFields) {
    this.parents = fields.parents;
    this.parentWeight = fields.parentWeight;
    this.height = fields.height;
    this.parentStateRoot = fields.parentStateRoot;
    this.parentMessageReceipts = fields.parentMessageReceipts;
    this.messages = fields.messages;
    this.timestamp = fields.timestamp;
    this.parentBaseFee = fields.parentBaseFee;
  }

  get miner(): FilAddress {
    return GENESIS_MINER;
  }

  get ticket(): Uint8Array {
    return blake2b256(encodeCbor(['ticket', this.height]));
  }

  get electionProof(): BlockHeader['electionProof'] {
    return { winCount: 1, vrfProof: blake2b256(encodeCbor(['election', this.height])) };
  }
}

export function buildTipset({ epoch, timestamp, baseFee, parent, messages }: TipsetInput): Tipset {
  const receiptsRoot = receiptsRootOf(messages);
  const parentStateRoot = parent?.stateRoot ?? cidOf(encodeCbor('fvm-devnet genesis'));
  const header = new DevnetBlockHeader({
    parents: parent ? [parent.blockCid] : [],
    // A stand-in for Lotus's weight, which grows with each tipset (not each epoch): the parent's tipset count.
    parentWeight: parent ? parent.header.parentWeight + 1n : 0n,
    height: epoch,
    parentStateRoot,
    parentMessageReceipts: parent?.receiptsRoot ?? receiptsRoot,
    messages: messagesRoot(messages),
    timestamp,
    parentBaseFee: baseFee,
  });
  const blockCid = cidOf(encodeBlockHeader(header));
  const key = tipsetKeyCid([blockCid]);
  return {
    epoch,
    timestamp,
    baseFee,
    parentKey: parent?.key,
    header,
    blockCid,
    key,
    hash: key.multihash.digest,
    stateRoot: cidOf(encodeCbor([parentStateRoot, header.messages, receiptsRoot])),
    receiptsRoot,
    messages,
    gasUsed: messages.reduce((n, m) => n + m.receipt.gasUsed, 0),
    gasLimit: messages.reduce((n, m) => n + m.signed.message.gasLimit, 0),
  };
}
