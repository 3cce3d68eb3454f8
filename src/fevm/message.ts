// Filecoin messages as Lotus encodes them (chain/types/message.go, signedmessage.go).
import type { CID } from 'multiformats/cid';
import { FilAddress } from '../common/address.js';
import { cidOf, decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../common/cbor.js';
import { EMPTY_BYTES } from '../common/hex.js';

export interface Message {
  version: number;
  to: FilAddress;
  from: FilAddress;
  nonce: number;
  value: bigint;
  gasLimit: number;
  gasFeeCap: bigint;
  gasPremium: bigint;
  method: number;
  params: Uint8Array;
}

export enum SigType {
  Secp256k1 = 1,
  BLS = 2,
  /** An Ethereum signature over an Ethereum transaction (f410 senders). */
  Delegated = 3,
}

export interface Signature {
  type: SigType;
  data: Uint8Array;
}

export interface SignedMessage {
  message: Message;
  signature: Signature;
}

/** Method numbers used by the Ethereum mapping. */
export const METHOD_SEND = 0;
export const METHOD_CONSTRUCTOR = 1;
/** EAM.CreateExternal: deploys a contract from an EOA. */
export const METHOD_CREATE_EXTERNAL = 4;
/** Init.Exec4: makes an actor with a delegated (f4) address, as the EAM has each new contract made. */
export const METHOD_EXEC4 = 3;
/** EVM.InvokeContract = FRC-42("InvokeEVM"). */
export const METHOD_INVOKE_CONTRACT = 3844450837;

/** InvokeContract and CreateExternal params: the bytes as one CBOR byte string; none when empty. */
export function encodeBytesParams(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? EMPTY_BYTES : encodeCbor(bytes);
}

/**
 * The bytes of InvokeContract / CreateExternal params, or undefined when they are not a CBOR byte string.
 * Strict, as the actors decode (bytes after the string: undefined); Lotus's Ethereum views read
 * leniently: common/cbor.ts decodePayload.
 */
export function decodeBytesParams(params: Uint8Array): Uint8Array | undefined {
  if (params.length === 0) return new Uint8Array();
  try {
    const value = decodeCbor(params);
    return value instanceof Uint8Array ? value : undefined;
  } catch {
    return undefined;
  }
}

function messageTuple(m: Message): unknown[] {
  return [
    m.version,
    m.to.bytes,
    m.from.bytes,
    m.nonce,
    encodeBigInt(m.value),
    m.gasLimit,
    encodeBigInt(m.gasFeeCap),
    encodeBigInt(m.gasPremium),
    m.method,
    m.params,
  ];
}

/** A message for its sender (or MpoolPushMessage) to complete: nonce and gas left at zero. */
export function unsentMessage(from: FilAddress, to: FilAddress, method: number, params: Uint8Array, value = 0n): Message {
  return { version: 0, to, from, nonce: 0, value, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method, params };
}

/**
 * `m` with another nonce, gas limit or fees, written field by field in the order every message is made
 * (messageFromTuple, toUnsignedMessage). A spread copy (`{ ...m, nonce }`) would be an object of
 * another V8 shape (its first fields in the object, the rest in a separate store): the code that
 * transactions had optimized for their messages was thrown away at the first calls and compiled
 * again (README, "`eth_call`, what the bench's window holds").
 */
export function messageWith(m: Message, changes: { nonce?: number; gasLimit?: number; gasFeeCap?: bigint; gasPremium?: bigint }): Message {
  return {
    version: m.version,
    to: m.to,
    from: m.from,
    nonce: changes.nonce ?? m.nonce,
    value: m.value,
    gasLimit: changes.gasLimit ?? m.gasLimit,
    gasFeeCap: changes.gasFeeCap ?? m.gasFeeCap,
    gasPremium: changes.gasPremium ?? m.gasPremium,
    method: m.method,
    params: m.params,
  };
}

export function encodeMessage(m: Message): Uint8Array {
  return encodeCbor(messageTuple(m));
}

export function encodeSignedMessage(sm: SignedMessage): Uint8Array {
  const { type, data } = sm.signature;
  const signature = new Uint8Array(1 + data.length);
  signature[0] = type;
  signature.set(data, 1);
  return encodeCbor([messageTuple(sm.message), signature]);
}

export function decodeSignedMessage(bytes: Uint8Array): SignedMessage {
  const decoded = decodeCbor<unknown[]>(bytes);
  if (!Array.isArray(decoded) || decoded.length !== 2 || !(decoded[1] instanceof Uint8Array) || decoded[1].length < 1) {
    throw new Error('a signed message is a CBOR tuple [message, signature]');
  }
  const signature = decoded[1];
  return { message: messageFromTuple(decoded[0] as unknown[]), signature: { type: signature[0] as SigType, data: signature.slice(1) } };
}

function messageFromTuple(t: unknown[]): Message {
  if (!Array.isArray(t) || t.length !== 10) throw new Error('a message is a 10-field CBOR tuple');
  const [version, to, from, nonce, value, gasLimit, feeCap, premium, method, params] = t as [
    number, Uint8Array, Uint8Array, number, Uint8Array, number, Uint8Array, Uint8Array, number, Uint8Array,
  ];
  return {
    version,
    to: FilAddress.fromBytes(to),
    from: FilAddress.fromBytes(from),
    nonce,
    value: decodeBigInt(value),
    gasLimit,
    gasFeeCap: decodeBigInt(feeCap),
    gasPremium: decodeBigInt(premium),
    method,
    params,
  };
}

export const messageCid = (m: Message): CID => cidOf(encodeMessage(m));

/** The CID of `m` with a gas limit past the integers a number holds (an implicit message's, which Lotus sets to 2^62 - 1). */
export function messageCidWithGasLimit(m: Message, gasLimit: bigint): CID {
  const tuple = messageTuple(m);
  tuple[5] = gasLimit;
  return cidOf(encodeCbor(tuple));
}

/** What a block holds of a signed message: the unsigned message for BLS (blocks aggregate those signatures), the signed envelope otherwise. */
function chainEncoding(sm: SignedMessage): Uint8Array {
  return sm.signature.type === SigType.BLS ? encodeMessage(sm.message) : encodeSignedMessage(sm);
}

/** A signed message's CID: that of the unsigned message for BLS, of the signed envelope otherwise. */
export function signedMessageCid(sm: SignedMessage): CID {
  return cidOf(chainEncoding(sm));
}

/** The serialized size that the chain-inclusion gas cost is charged on. */
export function chainSize(sm: SignedMessage): number {
  return chainEncoding(sm).length;
}

/** The CID and chain size of a message entering the pool, from one encoding. */
export function chainIdentity(sm: SignedMessage): { cid: CID; chainSize: number } {
  const encoded = chainEncoding(sm);
  return { cid: cidOf(encoded), chainSize: encoded.length };
}
