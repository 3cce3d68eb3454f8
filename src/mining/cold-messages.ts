// A cold tipset's messages (tipset.ts) in one buffer: the RLP list [messages, hashes, events]. The
// messages are their own RLP list, kept encoded as one byte string, so that a read of the tipset's
// logs decodes the hashes and events alone (decodeColdLogged), not every message's values. A message
// made from an Ethereum transaction is its transaction's values but its hash, then its receipt's (exit
// code, gas used, return data); a native one is its signed message (dag-cbor) then its receipt's. The
// hashes are the transactions' (empty for a native message: its hash is its CID's digest). The
// receipts' events are kept apart, as dag-cbor (empty when none has any), and decoded on the first
// read of a receipt's events: reading a receipt or a block whose logs the node keeps
// (eth-rpc/logs.ts) decodes no CBOR. RLP, not dag-cbor as the --state file: the send path decodes
// every raw transaction with the same RLP decoder, so it is compiled before the first cold read, where
// cborg's decoder was compiled during a node's first cold reads (~300 µs more each; docs/performance.md,
// "Receipts and full blocks as the bench reads them"). The transaction's values, not its signed bytes:
// a transaction sent for an impersonated sender has no signature, and its hash is not the keccak of
// any signed bytes.
import { RLP } from '@ethereumjs/rlp';
import { decodeCbor, encodeCbor } from '../common/cbor.js';
import { bigintToBytes, bytesToBigint, EMPTY_BYTES } from '../common/hex.js';
import type { EthTransaction } from '../fevm/eth-tx.js';
import { decodeSignedMessage, encodeSignedMessage, type SignedMessage } from '../fevm/message.js';
import { NO_EVENTS, type ActorEvent, type MessageReceipt } from '../fevm/types.js';

/** What a cold tipset keeps of a message: its transaction, or (none) its signed message, and its receipt. */
export interface MessageToKeepCold {
  ethTx?: EthTransaction | undefined;
  /** Read only when there is no `ethTx`. */
  readonly signed: SignedMessage;
  receipt: MessageReceipt;
}

/** A cold message decoded: its Ethereum transaction, or (`native`) its signed message, and its receipt. */
type ColdMessage = { ethTx: EthTransaction; native?: undefined; receipt: MessageReceipt } | { ethTx?: undefined; native: SignedMessage; receipt: MessageReceipt };

const int = (n: number | bigint): Uint8Array => bigintToBytes(BigInt(n));
const numberOf = (bytes: Uint8Array): number => Number(bytesToBigint(bytes));
const bytesOf = (bytes: Uint8Array): Uint8Array => (bytes.length === 0 ? EMPTY_BYTES : bytes);

/** A native message's entry: its signed message and its receipt's three values. */
const NATIVE_ENTRY = 4;

function ethTxValues(tx: EthTransaction): Uint8Array[] {
  const { type, chainId, nonce, from, to, value, input, gasLimit, maxFeePerGas, maxPriorityFeePerGas, v, r, s } = tx;
  return [int(type), int(chainId), int(nonce), from, to ?? EMPTY_BYTES, int(value), input, int(gasLimit), int(maxFeePerGas), int(maxPriorityFeePerGas), int(v), int(r), int(s)];
}

function ethTxOf(values: Uint8Array[], hash: Uint8Array): EthTransaction {
  const [type, chainId, nonce, from, to, value, input, gasLimit, maxFeePerGas, maxPriorityFeePerGas, v, r, s] = values;
  return {
    type: numberOf(type) as EthTransaction['type'],
    hash,
    chainId: bytesToBigint(chainId),
    nonce: numberOf(nonce),
    from,
    to: to.length === 0 ? null : to,
    value: bytesToBigint(value),
    input: bytesOf(input),
    gasLimit: numberOf(gasLimit),
    maxFeePerGas: bytesToBigint(maxFeePerGas),
    maxPriorityFeePerGas: bytesToBigint(maxPriorityFeePerGas),
    v: bytesToBigint(v),
    r: bytesToBigint(r),
    s: bytesToBigint(s),
  };
}

export function encodeColdMessages(messages: readonly MessageToKeepCold[]): Uint8Array {
  const entries = messages.map((m) => {
    const { ethTx, receipt } = m;
    const outcome = [int(receipt.exitCode), int(receipt.gasUsed), receipt.returnData];
    return ethTx ? [...ethTxValues(ethTx), ...outcome] : [encodeSignedMessage(m.signed), ...outcome];
  });
  const hashes = messages.map((m) => m.ethTx?.hash ?? EMPTY_BYTES);
  const events = messages.some((m) => m.receipt.events.length > 0) ? encodeCbor(messages.map((m) => m.receipt.events)) : EMPTY_BYTES;
  return RLP.encode([RLP.encode(entries), hashes, events]);
}

export function decodeColdMessages(bytes: Uint8Array): ColdMessage[] {
  const [entries, hashes, events] = RLP.decode(bytes) as [Uint8Array, Uint8Array[], Uint8Array];
  const tipsetEvents = new ColdEvents(events);
  return (RLP.decode(entries) as Uint8Array[][]).map((entry, i): ColdMessage => {
    const at = entry.length - 3;
    const receipt = new ColdReceipt(numberOf(entry[at]), numberOf(entry[at + 1]), bytesOf(entry[at + 2]), tipsetEvents, i);
    return entry.length === NATIVE_ENTRY ? { native: decodeSignedMessage(entry[0]), receipt } : { ethTx: ethTxOf(entry, hashes[i]), receipt };
  });
}

/**
 * What a read of a cold tipset's logs needs of its messages, without decoding them: `make` of each
 * message's transaction hash (none: a native message's), its receipt's events and its index.
 */
export function decodeColdLogged<T>(bytes: Uint8Array, make: (ethTxHash: Uint8Array | undefined, events: readonly ActorEvent[], index: number) => T): T[] {
  const [, hashes, events] = RLP.decode(bytes) as [Uint8Array, Uint8Array[], Uint8Array];
  const tipsetEvents = new ColdEvents(events);
  return hashes.map((hash, i) => make(hash.length === 0 ? undefined : hash, tipsetEvents.of(i), i));
}

/** A cold tipset's receipts' events, decoded on the first read of any of them. */
class ColdEvents {
  private decoded: (readonly ActorEvent[])[] | undefined;

  constructor(private readonly encoded: Uint8Array) {}

  of(index: number): readonly ActorEvent[] {
    if (this.encoded.length === 0) return NO_EVENTS;
    // One array for all receipts without events, as the chain keeps them.
    this.decoded ??= decodeCbor<ActorEvent[][]>(this.encoded).map((events) => (events.length > 0 ? events : NO_EVENTS));
    return this.decoded[index];
  }
}

class ColdReceipt implements MessageReceipt {
  constructor(
    readonly exitCode: number,
    readonly gasUsed: number,
    readonly returnData: Uint8Array,
    private readonly tipsetEvents: ColdEvents,
    private readonly index: number,
  ) {}

  get events(): readonly ActorEvent[] {
    return this.tipsetEvents.of(this.index);
  }
}
