// An included message as dag-cbor values: how the --state file stores it (devnet/persistence.ts).
// An Ethereum transaction is stored without its Filecoin message, which is made from it when needed,
// as admission made it.
import { decodeBigInt, encodeBigInt } from '../common/cbor.js';
import type { EthTransaction } from '../fevm/eth-tx.js';
import { decodeSignedMessage, encodeSignedMessage, type SignedMessage } from '../fevm/message.js';
import { NO_EVENTS, type MessageReceipt } from '../fevm/types.js';

const big = encodeBigInt;

function encodeEthTx(tx: EthTransaction) {
  return {
    type: tx.type,
    hash: tx.hash,
    chainId: big(tx.chainId),
    nonce: tx.nonce,
    from: tx.from,
    to: tx.to,
    value: big(tx.value),
    input: tx.input,
    gasLimit: tx.gasLimit,
    maxFeePerGas: big(tx.maxFeePerGas),
    maxPriorityFeePerGas: big(tx.maxPriorityFeePerGas),
    v: big(tx.v),
    r: big(tx.r),
    s: big(tx.s),
  };
}

function decodeEthTx(saved: ReturnType<typeof encodeEthTx>): EthTransaction {
  return {
    ...saved,
    chainId: decodeBigInt(saved.chainId),
    value: decodeBigInt(saved.value),
    maxFeePerGas: decodeBigInt(saved.maxFeePerGas),
    maxPriorityFeePerGas: decodeBigInt(saved.maxPriorityFeePerGas),
    v: decodeBigInt(saved.v),
    r: decodeBigInt(saved.r),
    s: decodeBigInt(saved.s),
  };
}

type SavedEthTx = ReturnType<typeof encodeEthTx>;
type SavedReceipt = Pick<MessageReceipt, 'exitCode' | 'returnData' | 'gasUsed' | 'events'>;

export interface SavedMessage {
  /** A native message's; absent when `ethTx` is there, as the message is made from it (older files have both). */
  signed?: Uint8Array;
  ethTx: SavedEthTx | null;
  receipt: SavedReceipt;
}

/** What a message is saved from: its transaction if it came from one, its signed message otherwise. */
interface MessageToSave {
  ethTx?: EthTransaction;
  signed: SignedMessage;
  receipt: MessageReceipt;
}

export function encodeSavedMessage(m: MessageToSave): SavedMessage {
  const { exitCode, returnData, gasUsed, events } = m.receipt;
  const receipt = { exitCode, returnData, gasUsed, events };
  return m.ethTx ? { ethTx: encodeEthTx(m.ethTx), receipt } : { signed: encodeSignedMessage(m.signed), ethTx: null, receipt };
}

/** A saved message decoded (it has `ethTx` or `signed`): its Ethereum transaction, or (`native`) its signed message, and its receipt. */
export function decodeSavedMessage(m: SavedMessage): { ethTx: EthTransaction; native?: undefined; receipt: MessageReceipt } | { ethTx?: undefined; native: SignedMessage; receipt: MessageReceipt } {
  const receipt = savedReceipt(m.receipt as MessageReceipt);
  // A `signed` beside an Ethereum transaction (older files) is not read: the message is made from the transaction.
  return m.ethTx ? { ethTx: decodeEthTx(m.ethTx), receipt } : { native: decodeSignedMessage(m.signed!), receipt };
}

/** A message never mined (one a replacement pushed out of the pool) as the --state file keeps it: as an included one, without a receipt. */
export type SavedUnminedMessage = Omit<SavedMessage, 'receipt'>;

export function encodeUnminedMessage(m: Omit<MessageToSave, 'receipt'>): SavedUnminedMessage {
  return m.ethTx ? { ethTx: encodeEthTx(m.ethTx) } : { signed: encodeSignedMessage(m.signed), ethTx: null };
}

/** A saved unmined message decoded: its Ethereum transaction, or (`native`) its signed message. */
export function decodeUnminedMessage(m: SavedUnminedMessage): { ethTx: EthTransaction; native?: undefined } | { ethTx?: undefined; native: SignedMessage } {
  if (!m.ethTx && !m.signed) throw new Error('a saved message has neither a signed message nor an Ethereum transaction');
  return m.ethTx ? { ethTx: decodeEthTx(m.ethTx) } : { native: decodeSignedMessage(m.signed!) };
}

/** A saved receipt as the chain keeps it: one array for all receipts without events. */
function savedReceipt(r: MessageReceipt): MessageReceipt {
  return r.events.length > 0 ? r : { ...r, events: NO_EVENTS };
}
