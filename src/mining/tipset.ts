// Tipsets and their block headers, with CIDs computed as Lotus computes them (dag-cbor, blake2b-256).
// The devnet mines one block per tipset. Its state, message and receipt roots are commitments of the
// devnet's own (a hash chain over what each tipset did), not HAMT/AMT roots.
import { FilAddress } from '../common/address.js';
import { cidOf, encodeBigInt, encodeCbor, type CID } from '../common/cbor.js';
import { blake2b256 } from '../common/hashes.js';
import { concatBytes } from '../common/hex.js';
import type { EthTransaction } from '../fevm/eth-tx.js';
import type { SignedMessage } from '../fevm/message.js';
import type { MessageReceipt } from '../fevm/types.js';

/** The block miner named in headers: the first miner of Lotus's local devnet genesis. */
export const GENESIS_MINER = FilAddress.fromId(1000);

export interface IncludedMessage {
  cid: CID;
  signed: SignedMessage;
  /** The Ethereum transaction a delegated-signature message was made from. */
  ethTx?: EthTransaction;
  receipt: MessageReceipt;
  /** Position in the tipset. */
  index: number;
}

export interface Tipset {
  epoch: number;
  /** Unix seconds. */
  timestamp: number;
  /** The base fee that applied to this tipset's messages (the header's ParentBaseFee). */
  baseFee: bigint;
  parentKey: CID | undefined;
  blockCid: CID;
  /** The tipset key's CID; its 32-byte digest is the Ethereum block hash. */
  key: CID;
  hash: Uint8Array;
  stateRoot: CID;
  messagesRoot: CID;
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

export function buildTipset({ epoch, timestamp, baseFee, parent, messages }: TipsetInput): Tipset {
  const secp = messages.map((m) => m.cid);
  const messagesRoot = cidOf(encodeCbor([[], secp]));
  const receiptsRoot = cidOf(
    encodeCbor(messages.map((m) => [m.receipt.exitCode, m.receipt.returnData, m.receipt.gasUsed])),
  );
  const parentStateRoot = parent?.stateRoot ?? cidOf(encodeCbor('fvm-devnet genesis'));
  const stateRoot = cidOf(encodeCbor([parentStateRoot, messagesRoot, receiptsRoot]));
  const epochBytes = encodeCbor(epoch);
  // The 16 fields of a Lotus block header, in order.
  const header = [
    GENESIS_MINER.bytes,
    [blake2b256(concatBytes(new TextEncoder().encode('ticket'), epochBytes))],
    [1, blake2b256(concatBytes(new TextEncoder().encode('election'), epochBytes))],
    [],
    [],
    parent ? [parent.blockCid] : [],
    encodeBigInt(BigInt(epoch)),
    epoch,
    parentStateRoot,
    parent?.receiptsRoot ?? receiptsRoot,
    messagesRoot,
    null,
    timestamp,
    null,
    0,
    encodeBigInt(baseFee),
  ];
  const blockCid = cidOf(encodeCbor(header));
  const key = tipsetKeyCid([blockCid]);
  return {
    epoch,
    timestamp,
    baseFee,
    parentKey: parent?.key,
    blockCid,
    key,
    hash: key.multihash.digest,
    stateRoot,
    messagesRoot,
    receiptsRoot,
    messages,
    gasUsed: messages.reduce((n, m) => n + m.receipt.gasUsed, 0),
    gasLimit: messages.reduce((n, m) => n + m.signed.message.gasLimit, 0),
  };
}
