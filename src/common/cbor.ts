// Filecoin's data model: dag-cbor, CIDs over blake2b-256, and the byte encoding of big integers.
import * as dagCbor from '@ipld/dag-cbor';
import { Tokenizer, tokensToObject, Type } from 'cborg';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { blake2b256 } from './hashes.js';
import { bigintToBytes, bytesToBigint, EMPTY_BYTES } from './hex.js';

export { CID };

export const DAG_CBOR = 0x71;
export const RAW = 0x55;
/** Multicodec code of plain CBOR: Lotus's codec for a message's params and the actors' blocks. */
export const CBOR = 0x51;
/** Multihash code of blake2b-256. */
export const BLAKE2B_256 = 0xb220;

export const encodeCbor = (value: unknown): Uint8Array => dagCbor.encode(value);
export const decodeCbor = <T = unknown>(bytes: Uint8Array): T => dagCbor.decode<T>(bytes);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether a decoded value holds a string with U+FFFD, the character cborg puts for bytes that are not UTF-8. */
function hasReplacementChar(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\uFFFD');
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || CID.asCID(value)) return false;
  return Object.values(value).some(hasReplacementChar);
}

/**
 * Whether a text string of the CBOR `bytes` (decoded as `value`) is not valid UTF-8. cborg decodes such
 * bytes to U+FFFD; serde, which builtin-actors decode with, refuses them (`InvalidUtf8`). Only a value
 * holding U+FFFD is tokenized again to look at its strings' bytes.
 */
export function hasInvalidUtf8Text(bytes: Uint8Array, value: unknown): boolean {
  if (!hasReplacementChar(value)) return false;
  const tokens = new Tokenizer(bytes, { ...dagCbor.decodeOptions, retainStringBytes: true });
  while (!tokens.done()) {
    const token = tokens.next();
    if (token.type === Type.string && token.byteValue) {
      try {
        strictUtf8.decode(token.byteValue);
      } catch {
        return true;
      }
    }
  }
  return false;
}

/** The length of a CBOR head: a byte string's or list's length, a map's size, or an unsigned integer. */
export const cborHeadSize = (n: number): number => (n < 24 ? 1 : n < 256 ? 2 : n < 65_536 ? 3 : n < 2 ** 32 ? 5 : 9);

/** The length of `encodeCbor` of a byte string of `bytes` bytes, without encoding it. */
export const cborBytesSize = (bytes: number): number => bytes + cborHeadSize(bytes);

/** The size of a block and the CIDs it links (what block_open and block_create charge for). */
export interface BlockShape {
  readonly bytes: number;
  readonly links: number;
}

/** The CIDs in a decoded dag-cbor value, however deep. */
export function countLinks(value: unknown): number {
  if (CID.asCID(value)) return 1;
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + countLinks(item), 0);
  if (value instanceof Map) return [...value.values()].reduce((n: number, item) => n + countLinks(item), 0);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) return Object.values(value).reduce((n: number, item) => n + countLinks(item), 0);
  return 0;
}

/** A dag-cbor block's shape, decoding it. */
export const blockShape = (bytes: Uint8Array): BlockShape => ({ bytes: bytes.length, links: countLinks(decodeCbor(bytes)) });

/** A block of a table met on the way to an entry: its shape and its CID (the same node met twice is opened once). */
export interface PathBlock extends BlockShape {
  readonly cid: string;
}

export const pathBlock = (cid: CID, bytes: Uint8Array): PathBlock => ({ cid: cid.toString(), ...blockShape(bytes) });

/** A CID as dag-cbor links one: tag 42, a byte string's head, multibase 0x00 and a CIDv1 dag-cbor blake2b-256 (38 bytes). */
export const CID_LINK_BYTES = 2 + 2 + 1 + 38;

/**
 * A dag-cbor document read a value at a time (cborg's tokenizer, which @ipld/dag-cbor decodes with,
 * under dag-cbor's options), so that a large document's arrays can be taken item by item without
 * the whole document ever decoded at once. Malformed CBOR throws as decodeCbor would.
 */
export class CborReader {
  private readonly tokens: Tokenizer;

  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    // A plain Uint8Array, as cborg's decode makes of a Buffer: byte strings are then sliced (copied) alike.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.tokens = new Tokenizer(this.bytes, dagCbor.decodeOptions);
  }

  /** The length of the map that comes next, whose entries (key, then value) are read after it. */
  mapHeader(): number {
    return this.header(Type.map);
  }

  /** The length of the array that comes next, whose items are read after it. */
  arrayHeader(): number {
    return this.header(Type.array);
  }

  /** The byte string that comes next. */
  byteString(): Uint8Array {
    if (this.tokens.done()) throw new Error('CBOR decode error: the bytes end before bytes');
    const token = this.tokens.next();
    if (!Type.equals(token.type, Type.bytes)) throw new Error(`CBOR decode error: found ${token.type.name}, expected bytes`);
    return token.value as Uint8Array;
  }

  /** The next value, whole. */
  value<T = unknown>(): T {
    if (this.tokens.done()) throw new Error('CBOR decode error: the bytes end before the value');
    return tokensToObject(this.tokens, dagCbor.decodeOptions) as T;
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.tokens.pos() >= this.bytes.length;
  }

  private header(type: Type): number {
    if (this.tokens.done()) throw new Error(`CBOR decode error: the bytes end before ${type.name}`);
    const token = this.tokens.next();
    if (!Type.equals(token.type, type)) throw new Error(`CBOR decode error: found ${token.type.name}, expected ${type.name}`);
    return token.value as number;
  }
}

/**
 * The byte string `bytes` start with, whatever follows it, as cbor-gen's ReadByteArray reads one
 * (Lotus's Ethereum views read InvokeContract's and CreateExternal's params so: decodePayload below);
 * undefined if they start with anything else. The actors decode strictly.
 */
function leadingByteString(bytes: Uint8Array): Uint8Array | undefined {
  try {
    return new CborReader(bytes).byteString();
  } catch {
    return undefined;
  }
}

/**
 * A payload of `codec` as Lotus's Ethereum views read an InvokeContract's or CreateExternal's params
 * (decodePayload, node/impl/eth/utils.go): nothing for codec 0, the leading byte string for CBOR and
 * DAG-CBOR, the bytes as they are for RAW; undefined where Lotus fails (then it shows the send as
 * handle_filecoin_method).
 */
export function decodePayload(payload: Uint8Array, codec: number): Uint8Array | undefined {
  if (codec === 0) return EMPTY_BYTES;
  if (codec === CBOR || codec === DAG_CBOR) return leadingByteString(payload);
  return codec === RAW ? payload : undefined;
}

/** The CIDv1 of bytes under `codec`, hashed with blake2b-256, as Lotus makes them. */
export function cidOf(bytes: Uint8Array, codec: number = DAG_CBOR): CID {
  return blake2bCid(codec, blake2b256(bytes));
}

/** Rebuilds a CIDv1 dag-cbor blake2b-256 CID from its 32-byte digest (Lotus's EthHash.ToCid). */
export function cidFromDigest(digest: Uint8Array): CID {
  return blake2bCid(DAG_CBOR, digest);
}

/** What comes before the digest in a CIDv1 of `codec` over blake2b-256: version, codec, hash code, length. */
const cidPrefixes = new Map<number, Uint8Array>();
function cidPrefix(codec: number): Uint8Array {
  let prefix = cidPrefixes.get(codec);
  if (!prefix) cidPrefixes.set(codec, (prefix = CID.createV1(codec, Digest.create(BLAKE2B_256, new Uint8Array(32))).bytes.subarray(0, -32)));
  return prefix;
}
/** The multihash's own prefix (blake2b-256's code and the length), the end of the CID's. */
const MULTIHASH_PREFIX_BYTES = Digest.create(BLAKE2B_256, new Uint8Array(32)).bytes.length - 32;

/**
 * The CIDv1 of `codec` over a blake2b-256 digest, with its bytes, multihash and digest views of one
 * buffer: multiformats' CID.createV1 copies the digest into a multihash and that into the CID's
 * bytes, three buffers (~0.3 KB more) for as long as the chain keeps the CID, and the chain keeps
 * several for every tipset and one for every message.
 */
function blake2bCid(codec: number, digest: Uint8Array): CID {
  const prefix = cidPrefix(codec);
  const bytes = new Uint8Array(prefix.length + 32);
  bytes.set(prefix);
  bytes.set(digest, prefix.length);
  const multihash = new Digest.Digest(BLAKE2B_256, 32, bytes.subarray(prefix.length), bytes.subarray(prefix.length - MULTIHASH_PREFIX_BYTES));
  return new CID(1, codec, multihash, bytes);
}

/** Filecoin big integers in CBOR: a byte string, sign byte 0x00 then big-endian magnitude; zero is empty. */
export function encodeBigInt(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array();
  if (n > 0n) return bigintToBytes(n, 1);
  const bytes = bigintToBytes(-n, 1);
  bytes[0] = 1;
  return bytes;
}

export function decodeBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  if (bytes[0] > 1) throw new Error('big int prefix should be either 0 or 1');
  const magnitude = bytesToBigint(bytes, 1);
  return bytes[0] === 1 ? -magnitude : magnitude;
}
