// Ethereum transactions as Lotus accepts them (EIP-1559 and legacy Homestead / EIP-155), turned into
// the Filecoin message Lotus would make (chain/types/ethtypes/eth_transactions.go).
import { RLP } from '@ethereumjs/rlp';
import { EAM_NAMESPACE, FilAddress, isMaskedId, maskedIdAddress, Protocol } from '../common/address.js';
import type { CID } from 'multiformats/cid';
import { DevnetError, MessageRejectedError } from '../common/errors.js';
import { keccak256, keccak256Parts } from '../common/hashes.js';
import { publicKeyEthAddress, recoverPublicKey } from '../common/secp256k1.js';
import { bigintToBytes, bytesToBigint, bytesToHex, concatBytes, EMPTY_BYTES, padStart } from '../common/hex.js';
import { EAM_ACTOR_ID } from './actor.js';
import {
  decodeBytesParams,
  encodeBytesParams,
  messageCid,
  signedMessageCid,
  METHOD_CREATE_EXTERNAL,
  METHOD_INVOKE_CONTRACT,
  SigType,
  type Message,
  type SignedMessage,
} from './message.js';

/** The type byte an EIP-1559 transaction and its signed payload start with. */
const TYPE_1559 = Uint8Array.of(0x02);

/** Lotus's RLP input limit. */
const MAX_TX_BYTES = 2 << 20;

export interface EthTransaction {
  /** 2 for EIP-1559, 0 for legacy. */
  type: 0 | 2;
  /** keccak256 of the signed bytes: the Ethereum transaction hash. */
  hash: Uint8Array;
  /** 0 for Homestead transactions, which carry none. */
  chainId: bigint;
  nonce: number;
  from: Uint8Array;
  to: Uint8Array | null;
  value: bigint;
  input: Uint8Array;
  gasLimit: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  v: bigint;
  r: bigint;
  s: bigint;
}

/**
 * The secp256k1 group order; signatures must have 0 < r, s < n. A high s (> n/2), which Ethereum has
 * refused since Homestead, is accepted as Lotus accepts it: it recovers the sender with go-crypto's
 * EcRecover (chain/types/ethtypes/eth_transactions.go sender), whose secp256k1-voi RecoverPublicKey
 * takes any s in [1, n) and leaves the malleability check to callers, and none on that path makes it.
 */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The chain id a legacy v encodes, as Lotus derives it (chain/types/ethtypes/eth_legacy_155_transactions.go
 * deriveEIP155ChainId): none (0) for Homestead's 27/28, otherwise (v - 35) / 2, the subtraction
 * wrapping as a uint64 for a v of 64 bits or fewer (a v under 35 gives a huge id, never a negative one).
 */
function legacyChainId(v: bigint): bigint {
  if (v === 27n || v === 28n) return 0n;
  return (v < 1n << 64n ? BigInt.asUintN(64, v - 35n) : v - 35n) / 2n;
}

/** An RLP integer: big-endian without leading zeros (Lotus enforces canonical encodings). */
function integer(field: unknown, name: string): bigint {
  if (!(field instanceof Uint8Array) || field.length > 32 || (field.length > 0 && field[0] === 0)) {
    throw new MessageRejectedError(`failed to parse transaction: invalid ${name}`);
  }
  return bytesToBigint(field);
}

function safeInteger(field: unknown, name: string): number {
  const n = integer(field, name);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new MessageRejectedError(`failed to parse transaction: ${name} out of range`);
  return Number(n);
}

function bytesField(field: unknown, name: string): Uint8Array {
  if (!(field instanceof Uint8Array)) throw new MessageRejectedError(`failed to parse transaction: invalid ${name}`);
  return field.length === 0 ? EMPTY_BYTES : field;
}

/** What recovers a transaction's sender: r‖s over the signing hash, and the recovery id. */
interface SenderSignature {
  digest: Uint8Array;
  /**
   * r‖s‖recovery id, 65 bytes (recovery reads the first 64): an EIP-1559 transaction's v is its
   * recovery id, so this is also its Filecoin message's delegated signature.
   */
  signature: Uint8Array;
  recoveryId: number;
}

/** A signed transaction decoded and checked, all but its sender, which recovering `signature` gives (withSender). */
interface UnrecoveredEthTransaction {
  tx: Omit<EthTransaction, 'from'>;
  signature: SenderSignature;
}

/**
 * The signature over `sigHash`, checked as Lotus checks it before recovering. `rBytes`
 * and `sBytes` are r's and s's RLP fields, which integer() has checked are canonical (no leading
 * zero): the bytes of r and s themselves.
 */
function senderSignature(sigHash: Uint8Array, r: bigint, s: bigint, recoveryId: bigint, rBytes: Uint8Array, sBytes: Uint8Array): SenderSignature {
  if (r <= 0n || r >= SECP256K1_N || s <= 0n || s >= SECP256K1_N || (recoveryId !== 0n && recoveryId !== 1n)) {
    throw new MessageRejectedError('failed to calculate sender: invalid signature values');
  }
  const signature = new Uint8Array(65);
  signature.set(rBytes, 32 - rBytes.length);
  signature.set(sBytes, 64 - sBytes.length);
  signature[64] = Number(recoveryId);
  return { digest: sigHash, signature, recoveryId: Number(recoveryId) };
}

/**
 * The transaction with its sender: keccak of the public key its signature recovered to (null: none),
 * last 20 bytes. Written out field by field: a spread made many of the node's transactions (the chain
 * keeps them all) an object shape of their own, ~0.45 KB each, in the CLI's process.
 */
function withSender({ tx }: UnrecoveredEthTransaction, publicKey: Uint8Array | null): EthTransaction {
  if (!publicKey) throw new MessageRejectedError('failed to calculate sender: invalid signature');
  const { type, hash, chainId, nonce, to, value, input, gasLimit, maxFeePerGas, maxPriorityFeePerGas, v, r, s } = tx;
  return { type, hash, chainId, nonce, from: publicKeyEthAddress(publicKey), to, value, input, gasLimit, maxFeePerGas, maxPriorityFeePerGas, v, r, s };
}

/** Decodes and checks a signed raw transaction for this chain; errors carry Lotus's wording. */
export function decodeEthTransaction(raw: Uint8Array, chainId: bigint): EthTransaction {
  return recovered(decodeUnrecovered(raw, chainId));
}

/**
 * decodeEthTransaction, with the Filecoin message Lotus makes of the transaction (toFilecoinMessage):
 * an EIP-1559 one's delegated signature is the r‖s‖v that decoding wrote, not made again from r and s.
 */
export function decodeEthTransactionMessage(raw: Uint8Array, chainId: bigint): { tx: EthTransaction; signed: SignedMessage } {
  const unrecovered = decodeUnrecovered(raw, chainId);
  const tx = recovered(unrecovered);
  return { tx, signed: tx.type === 2 ? toFilecoinMessage(tx, unrecovered.signature.signature) : toFilecoinMessage(tx) };
}

function recovered(unrecovered: UnrecoveredEthTransaction): EthTransaction {
  const { digest, signature, recoveryId } = unrecovered.signature;
  return withSender(unrecovered, recoverPublicKey(digest, signature.subarray(0, 64), recoveryId));
}

/** decodeEthTransaction up to recovering the sender: the fields and the signature, checked. */
function decodeUnrecovered(raw: Uint8Array, chainId: bigint): UnrecoveredEthTransaction {
  if (raw.length === 0) throw new MessageRejectedError('empty data');
  if (raw.length > MAX_TX_BYTES) throw new MessageRejectedError('transaction too large');
  const first = raw[0];
  if (first === 0x01) throw new MessageRejectedError('EIP-2930 transaction is not supported');
  if (first !== 0x02 && first <= 0x7f) throw new MessageRejectedError('unsupported transaction type');
  return first === 0x02 ? decode1559(raw, chainId) : decodeLegacy(raw, chainId);
}

/** rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value, data, accessList, v, r, s]) after 0x02. */
function decode1559(raw: Uint8Array, chainId: bigint): UnrecoveredEthTransaction {
  const fields = decodeList(raw.subarray(1), 12, 'not an EIP-1559 transaction');
  if (!Array.isArray(fields[8]) || fields[8].length !== 0) throw new MessageRejectedError('access list should be an empty list');
  const txChainId = integer(fields[0], 'chain id');
  if (txChainId !== chainId) throw new MessageRejectedError(`failed to convert to unsigned msg: invalid chain id: ${txChainId}`);
  const v = integer(fields[9], 'v');
  if (v > 1n) throw new MessageRejectedError('EIP-1559 transactions only support 0 or 1 for v');
  const r = integer(fields[10], 'r');
  const s = integer(fields[11], 's');
  const sigHash = keccak256Parts(TYPE_1559, RLP.encode(fields.slice(0, 9) as Uint8Array[]));
  const tx = {
    type: 2 as const,
    hash: keccak256(raw),
    chainId,
    nonce: safeInteger(fields[1], 'nonce'),
    to: recipient(fields[5], ''),
    value: integer(fields[6], 'value'),
    input: bytesField(fields[7], 'data'),
    gasLimit: safeInteger(fields[4], 'gas limit'),
    maxFeePerGas: integer(fields[3], 'max fee per gas'),
    maxPriorityFeePerGas: integer(fields[2], 'max priority fee per gas'),
    v,
    r,
    s,
  };
  return { tx, signature: senderSignature(sigHash, r, s, v, fields[10] as Uint8Array, fields[11] as Uint8Array) };
}

/** What Lotus's ParseEthTransaction puts before a legacy transaction's parse errors. */
const LEGACY = 'failed to parse legacy transaction: ';

/** rlp([nonce, gasPrice, gas, to, value, data, v, r, s]): Homestead (v 27/28) or EIP-155. */
function decodeLegacy(raw: Uint8Array, chainId: bigint): UnrecoveredEthTransaction {
  const fields = decodeList(raw, 9, `${LEGACY}not a Legacy transaction`);
  const v = integer(fields[6], 'v');
  const txChainId = legacyChainId(v);
  if (txChainId !== 0n && txChainId !== chainId) {
    throw new MessageRejectedError(
      `${LEGACY}failed to validate EIP155 chain id: invalid chain id, expected ${chainId}, got ${txChainId}`,
    );
  }
  const unsigned = fields.slice(0, 6) as Uint8Array[];
  const signed = txChainId === 0n ? unsigned : [...unsigned, bigintToBytes(chainId), new Uint8Array(), new Uint8Array()];
  const recoveryId = txChainId === 0n ? v - 27n : v - 35n - 2n * chainId;
  const gasPrice = integer(fields[1], 'gas price');
  const r = integer(fields[7], 'r');
  const s = integer(fields[8], 's');
  const tx = {
    type: 0 as const,
    hash: keccak256(raw),
    chainId: txChainId,
    nonce: safeInteger(fields[0], 'nonce'),
    to: recipient(fields[3], LEGACY),
    value: integer(fields[4], 'value'),
    input: bytesField(fields[5], 'data'),
    gasLimit: safeInteger(fields[2], 'gas limit'),
    maxFeePerGas: gasPrice,
    maxPriorityFeePerGas: gasPrice,
    v,
    r,
    s,
  };
  return { tx, signature: senderSignature(keccak256(RLP.encode(signed)), r, s, recoveryId, fields[7] as Uint8Array, fields[8] as Uint8Array) };
}

/** Empty for a deployment, else a 20-byte address (Lotus's CastEthAddress; `prefix`: a legacy transaction's). */
function recipient(field: unknown, prefix: string): Uint8Array | null {
  const to = bytesField(field, 'to');
  if (to.length === 0) return null;
  if (to.length !== 20) throw new MessageRejectedError(`${prefix}cannot parse bytes into an EthAddress: incorrect input length`);
  return to;
}

/** The transaction's RLP list of `expected` fields; otherwise Lotus's error after `notOne` (parseEip1559Tx, parseLegacyTx). */
function decodeList(bytes: Uint8Array, expected: number, notOne: string): unknown[] {
  // A type byte alone (0x02): Lotus's DecodeRLP of nothing (ethtypes/rlp.go errRLPEmptyInput).
  if (bytes.length === 0) throw new MessageRejectedError('invalid rlp data: data is empty');
  let decoded: unknown;
  try {
    decoded = RLP.decode(bytes);
  } catch (err) {
    throw new MessageRejectedError(`failed to parse transaction: ${(err as Error).message}`);
  }
  if (!Array.isArray(decoded)) throw new MessageRejectedError(`${notOne}: decoded data is not a list`);
  if (decoded.length !== expected) throw new MessageRejectedError(`${notOne}: should have ${expected} elements in the rlp list`);
  return decoded;
}

/**
 * The message Lotus makes of a transaction: a deployment goes to the EAM's CreateExternal, anything
 * else (plain value transfers included) is an InvokeContract; the input is wrapped as a CBOR byte string.
 * `signature`: its delegated signature, when already made (decoding writes an EIP-1559 one).
 */
export function toFilecoinMessage(tx: EthTransaction, signature = delegatedSignature(tx)): SignedMessage {
  return { message: toUnsignedMessage(tx), signature: { type: SigType.Delegated, data: signature } };
}

/** The message of toFilecoinMessage without its signature. */
export function toUnsignedMessage(tx: EthTransaction): Message {
  return unsignedMessage(tx.from, tx.to, tx.nonce, tx.value, tx.input, tx.gasLimit, tx.maxFeePerGas, tx.maxPriorityFeePerGas);
}

/**
 * The message Lotus makes of a transaction's fields (a call, an estimate: nothing is signed). The
 * fields one by one, not an object: a call's object of another shape than a transaction's threw away
 * the code optimized for transactions at every estimate (docs/performance.md, "eighth pass").
 */
export function unsignedMessage(from: Uint8Array, to: Uint8Array | null, nonce: number, value: bigint, input: Uint8Array, gasLimit: number, gasFeeCap: bigint, gasPremium: bigint): Message {
  return {
    version: 0,
    to: to === null ? FilAddress.fromId(EAM_ACTOR_ID) : FilAddress.fromEthAddress(to),
    // A masked ID sender (a call or an impersonated send from a native account) is its f0.
    from: FilAddress.fromEthAddress(from),
    nonce,
    value,
    gasLimit,
    gasFeeCap,
    gasPremium,
    method: to === null ? METHOD_CREATE_EXTERNAL : METHOD_INVOKE_CONTRACT,
    params: encodeBytesParams(input),
  };
}

/**
 * The signed Ethereum transaction a delegated-signature message stands for (Lotus
 * EthTransactionFromSignedFilecoinMessage): the signature's shape gives the type, the message the
 * fields. Throws unless the signature recovers to the message's sender and converts back to the message.
 */
export function ethTransactionFromMessage(sm: SignedMessage, chainId: bigint): EthTransaction {
  const { message: m, signature } = sm;
  const sig = signature.data;
  // In the pool's AuthenticateMessage's order and words (chain/consensus/signatures.go, chain/types/ethtypes
  // eth_transactions.go EthTransactionFromSignedFilecoinMessage at b835fab70): the sender must have an
  // Ethereum address (an f410 of the EAM's, or an ID's masked one), the message must be one a
  // transaction makes, and the signature's length and first byte give the transaction's type.
  const unreconstructed = (reason: string) => new MessageRejectedError(`signature verification failed: failed to validate signature: failed to reconstruct Ethereum transaction: ${reason}`);
  if (!m.from.ethAddress && m.from.protocol !== Protocol.ID) throw unreconstructed('sender was not an eth account');
  const converted = ethParamsAndRecipient(m);
  if (typeof converted === 'string') throw unreconstructed(`failed to parse input params and recipient: ${converted}`);
  const { input, to } = converted;
  // An EIP-155 signature's v (chain ID × 2 + 35 or 36) in as few bytes as it takes, after the type byte, r and s.
  const eip155Lengths = [35n, 36n].map((add) => 65 + bigintToBytes(chainId * 2n + add).length);
  let raw: Uint8Array;
  if (sig.length === 65) {
    const fields = [...eip1559Fields(m, chainId, to, input), int(sig[64]), trim(sig.subarray(0, 32)), trim(sig.subarray(32, 64))];
    raw = concatBytes(new Uint8Array([0x02]), RLP.encode(fields));
  } else if (sig.length === 66 || eip155Lengths.includes(sig.length)) {
    if (sig[0] === 0x01 && sig.length !== 66) throw unreconstructed(`failed to initialise signature: signature should be 66 bytes long, but got ${sig.length} bytes`);
    if (sig[0] === 0x02 && !eip155Lengths.includes(sig.length)) {
      throw unreconstructed(`failed to initialise signature: signature should be ${eip155Lengths[0]} or ${eip155Lengths[1]} bytes long, but got ${sig.length} bytes`);
    }
    if (sig[0] !== 0x01 && sig[0] !== 0x02) throw unreconstructed(`unsupported legacy transaction; first byte of signature is ${sig[0]}`);
    if (sig[0] === 0x01 && sig[65] !== 27 && sig[65] !== 28) throw unreconstructed('failed to initialise signature: legacy homestead transactions only support 27 or 28 for v');
    const v = sig.subarray(65);
    // Lotus's InitialiseSignature checks an EIP-155 v's chain from the value, before anything is decoded:
    // a 27 or 28 in this chain's length of v (leading zeros) is chain 0 there, not a Homestead transaction.
    const vChainId = sig[0] === 0x02 ? legacyChainId(bytesToBigint(v)) : chainId;
    if (vChainId !== chainId) {
      throw unreconstructed(`failed to initialise signature: failed to validate EIP155 chain id: invalid chain id, expected ${chainId}, got ${vChainId}`);
    }
    raw = RLP.encode([int(m.nonce), int(m.gasFeeCap), int(m.gasLimit), to ?? new Uint8Array(), int(m.value), input, trim(v), trim(sig.subarray(1, 33)), trim(sig.subarray(33, 65))]);
  } else {
    throw unreconstructed('unsupported signature length');
  }
  // AuthenticateMessage (chain/consensus/signatures.go:33-40, b835fab70) checks the round trip before the
  // signature: the message the transaction makes (ToUnsignedFilecoinMessage), From as the message gives
  // it, must be the message. The transaction has the message's fields, but a legacy one has one gas
  // price, its fee cap, which its message takes as the premium too: a premium of its own is a mismatch,
  // whatever its v, r and s.
  const gasPremium = sig.length === 65 ? m.gasPremium : m.gasFeeCap;
  const made = { ...unsignedMessage(NO_SENDER, to, m.nonce, m.value, input, m.gasLimit, m.gasFeeCap, gasPremium), from: m.from };
  if (!messageCid(made).equals(messageCid(m))) {
    throw new MessageRejectedError('signature verification failed: failed to validate signature: Ethereum transaction roundtrip mismatch');
  }
  // Then lib/sigs Verify: a bad v, r or s (decoding recovers the signer) is refused, an ID sender
  // (sigs.go), and an f410 must be the key that signed (lib/sigs/delegated Verify).
  const invalid = (reason: string) => invalidSignature(signedMessageCid(sm), signature.type, reason);
  const tx = rebuiltTransaction(raw, chainId, invalid);
  if (m.from.protocol === Protocol.ID) throw invalid('must resolve ID addresses before using them to verify a signature');
  const signer = FilAddress.fromEthAddress(tx.from);
  if (!signer.equals(m.from)) throw invalid(`signature did not match maybeaddr: ${signer.toString()}, signer: ${m.from.toString()}`);
  return tx;
}

/**
 * decodeEthTransaction of the transaction a delegated signature rebuilt (its v already of this chain, as
 * Lotus's InitialiseSignature checks), its refusals (an EIP-1559 v other than 0 or 1, r or s out of
 * range), which Lotus finds when it verifies the signature, `invalid`'s: AuthenticateMessage's "invalid
 * signature for message <cid> (type 3): " (chain/consensus/signatures.go), in our words after it.
 */
function rebuiltTransaction(raw: Uint8Array, chainId: bigint, invalid: (reason: string) => MessageRejectedError): EthTransaction {
  try {
    return decodeEthTransaction(raw, chainId);
  } catch (error) {
    if (!(error instanceof MessageRejectedError)) throw error;
    throw invalid(error.message);
  }
}

const int = (n: bigint | number) => bigintToBytes(BigInt(n));

/** The sender unsignedMessage is given where the message's own From replaces it. */
const NO_SENDER = new Uint8Array(20);

/**
 * The input and recipient (null for a deployment) of the EIP-1559 transaction a message stands for,
 * or why it stands for none, in Lotus's words (chain/types/ethtypes/eth_transactions.go
 * getEthParamsAndRecipient, the check messagesigner's SigningBytes makes before a delegated key signs
 * for MpoolPushMessage). Params that are not one CBOR byte string get the words of their commonest case.
 */
export function ethParamsAndRecipient(m: Message): { input: Uint8Array; to: Uint8Array | null } | string {
  const input = decodeBytesParams(m.params);
  if (!input) return m.params[0] >> 5 !== 2 ? "failed to read params byte array: expected cbor type 'byte string' in input" : 'extra data found in params';
  if (m.params.length > 0 && input.length === 0) return 'non-empty params encode empty byte array';
  if (m.to.id === EAM_ACTOR_ID) return m.method === METHOD_CREATE_EXTERNAL ? { input, to: null } : 'unsupported EAM method';
  if (m.method !== METHOD_INVOKE_CONTRACT) return `invalid methodnum ${m.method}: only allowed method is InvokeContract(${METHOD_INVOKE_CONTRACT}) or CreateExternal(${METHOD_CREATE_EXTERNAL})`;
  // EthAddressFromFilecoinAddress: an ID (its masked address), or an f410 holding an Ethereum address.
  const { id, subaddress } = m.to;
  if (id !== undefined) return { input, to: maskedIdAddress(id) };
  if (!subaddress || m.to.namespace !== EAM_NAMESPACE) return 'invalid Filecoin Eth address';
  if (subaddress.length !== 20) return 'cannot parse bytes into an EthAddress: incorrect input length';
  if (isMaskedId(subaddress)) return `f410f addresses cannot embed masked-ID payloads: ${bytesToHex(subaddress)}`;
  return { input, to: subaddress };
}

/** Why a message cannot be signed as the EIP-1559 transaction it stands for (ethParamsAndRecipient); undefined if it can. */
export function ethParamsAndRecipientError(m: Message): string | undefined {
  const converted = ethParamsAndRecipient(m);
  return typeof converted === 'string' ? converted : undefined;
}

/** The unsigned fields of the EIP-1559 transaction a message stands for, in RLP order. */
function eip1559Fields(m: Message, chainId: bigint, to: Uint8Array | null, input: Uint8Array) {
  return [int(chainId), int(m.nonce), int(m.gasPremium), int(m.gasFeeCap), int(m.gasLimit), to ?? new Uint8Array(), int(m.value), input, []];
}

/**
 * What a delegated (f410) key signs for a message: the unsigned EIP-1559 transaction it stands for,
 * 0x02 ‖ RLP. A message that stands for none is refused in Lotus's words, as its wallet refuses to
 * sign it (lotus b835fab70 node/impl/full/wallet.go:56 WalletSignMessage, chain/messagesigner/
 * messagesigner.go:198-211 SigningBytes, chain/types/ethtypes/eth_1559_transactions.go:322-330:
 * version 0 only, then ethParamsAndRecipient).
 */
export function unsignedEip1559(m: Message, chainId: bigint): Uint8Array {
  const refused = (why: string) => new DevnetError(`failed to reconstruct eth transaction: ${why}`);
  if (m.version !== 0) throw refused(`unsupported msg version: ${m.version}`);
  const converted = ethParamsAndRecipient(m);
  if (typeof converted === 'string') throw refused(`failed to get eth params and recipient: ${converted}`);
  return concatBytes(new Uint8Array([0x02]), RLP.encode(eip1559Fields(m, chainId, converted.to, converted.input)));
}

/** Big-endian integer bytes without leading zeros, as RLP wants them. */
function trim(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

/** The signature bytes of a delegated-signature message; their shape tells the transaction type apart. */
function delegatedSignature(tx: EthTransaction): Uint8Array {
  if (tx.type === 2) {
    // r ‖ s ‖ v, written in place: every raw transaction the node takes is made into one of these.
    const sig = new Uint8Array(65);
    writeWord(sig, 0, tx.r);
    writeWord(sig, 32, tx.s);
    sig[64] = Number(tx.v);
    return sig;
  }
  const rs = concatBytes(padStart(bigintToBytes(tx.r), 32), padStart(bigintToBytes(tx.s), 32));
  if (tx.chainId === 0n) return concatBytes(new Uint8Array([0x01]), rs, new Uint8Array([Number(tx.v)]));
  return concatBytes(new Uint8Array([0x02]), rs, bigintToBytes(tx.v));
}

/** Writes `n` (0 ≤ n < 2^256) as a 32-byte big-endian word at `offset` of `out` (an array larger than 64 bytes: its buffer is its own). */
function writeWord(out: Uint8Array, offset: number, n: bigint): void {
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(n.toString(16).padStart(64, '0'), offset, 'hex');
}

/**
 * The signed bytes of a transaction as it was sent (eth_getRawTransactionByHash): EIP-1559 as
 * 0x02 ‖ RLP, legacy as RLP with its v; their keccak-256 is the transaction hash.
 */
export function encodeEthTransaction(tx: EthTransaction): Uint8Array {
  const to = tx.to ?? new Uint8Array();
  if (tx.type === 2) {
    const fields = [int(tx.chainId), int(tx.nonce), int(tx.maxPriorityFeePerGas), int(tx.maxFeePerGas), int(tx.gasLimit), to, int(tx.value), tx.input, [], int(tx.v), int(tx.r), int(tx.s)];
    return concatBytes(new Uint8Array([0x02]), RLP.encode(fields));
  }
  return RLP.encode([int(tx.nonce), int(tx.maxFeePerGas), int(tx.gasLimit), to, int(tx.value), tx.input, int(tx.v), int(tx.r), int(tx.s)]);
}

/** Lotus's words for a signature AuthenticateMessage refuses (chain/consensus/signatures.go), for message `cid` of signature `type`. */
export function invalidSignature(cid: CID, type: number, reason: string): MessageRejectedError {
  return new MessageRejectedError(`signature verification failed: failed to validate signature: invalid signature for message ${cid.toString()} (type ${type}): ${reason}`);
}
