// Filecoin's data model: dag-cbor, CIDs over blake2b-256, and the byte encoding of big integers.
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { blake2b256 } from './hashes.js';
import { bigintToBytes, bytesToBigint, concatBytes } from './hex.js';

export { CID };

export const DAG_CBOR = 0x71;
export const RAW = 0x55;
/** Multihash code of blake2b-256. */
export const BLAKE2B_256 = 0xb220;

export const encodeCbor = (value: unknown): Uint8Array => dagCbor.encode(value);
export const decodeCbor = <T = unknown>(bytes: Uint8Array): T => dagCbor.decode<T>(bytes);

/** The CIDv1 of bytes under `codec`, hashed with blake2b-256, as Lotus makes them. */
export function cidOf(bytes: Uint8Array, codec: number = DAG_CBOR): CID {
  return CID.createV1(codec, Digest.create(BLAKE2B_256, blake2b256(bytes)));
}

/** Rebuilds a CIDv1 dag-cbor blake2b-256 CID from its 32-byte digest (Lotus's EthHash.ToCid). */
export function cidFromDigest(digest: Uint8Array): CID {
  return CID.createV1(DAG_CBOR, Digest.create(BLAKE2B_256, digest));
}

/** Filecoin big integers in CBOR: a byte string, sign byte 0x00 then big-endian magnitude; zero is empty. */
export function encodeBigInt(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array();
  const negative = n < 0n;
  return concatBytes(new Uint8Array([negative ? 1 : 0]), bigintToBytes(negative ? -n : n));
}

export function decodeBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  if (bytes[0] > 1) throw new Error('big int prefix should be either 0 or 1');
  const magnitude = bytesToBigint(bytes.subarray(1));
  return bytes[0] === 1 ? -magnitude : magnitude;
}
