// Piece commitments (CommP): the CID a storage deal names its data by. The payload is zero-padded
// to a whole number of 127-byte quads, fr32-expanded to 128 bytes each, and hashed into a binary
// sha2-256-trunc254 tree whose leaf count is a power of two. @web3-storage/data-segment computes the
// tree; it answers v2 piece CIDs (FRC-0069, which also carry height and padding), so this module
// rebuilds the v1 CID that deals, Lotus and Boost use from the tree's root.
import { createReadStream } from 'node:fs';
import { MIN_PAYLOAD_SIZE, Piece, Proof, ZeroComm } from '@web3-storage/data-segment';
import { create as createPieceHasher } from '@web3-storage/data-segment/multihash';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { FIL_COMMITMENT_UNSEALED, isPieceCid, SHA2_256_TRUNC254_PADDED } from '../../fevm/actors/market/deal-proposal.js';

/** The v2 piece CID's multihash (FRC-0069), named in errors so a v2 CID is recognised. */
const FR32_SHA2_256_TRUNC254_PADDED_BINARY_TREE = 0x1011;
/** Raw codec, which v2 piece CIDs use. */
const RAW = 0x55;

/**
 * Payloads shorter than this have no CommP: go-fil-commp-hashhash (Boost's and Curio's commP) and
 * data-segment refuse them, since 64 bytes or fewer would fill only 2 of a 4-leaf tree's leaves.
 */
export const MIN_PIECE_PAYLOAD = MIN_PAYLOAD_SIZE;

/** Bytes that cannot be a piece, or text that is not a v1 piece CID. */
export class PieceError extends Error {
  override name = 'PieceError';
}

export interface PieceInfo {
  /** CIDv1, fil-commitment-unsealed, sha2-256-trunc254-padded. */
  cid: CID;
  /** Padded piece size in bytes: a power of two, at least 128 (the deal's PieceSize). */
  size: number;
}

function checkPayloadLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < MIN_PIECE_PAYLOAD) {
    throw new PieceError(`commP is not defined for payloads shorter than ${MIN_PIECE_PAYLOAD} bytes (got ${length})`);
  }
}

/** The padded piece size of a payload of `length` bytes: 128 per 127-byte quad, rounded up to a power of two. */
export function paddedPieceSize(length: number): number {
  checkPayloadLength(length);
  const quads = Math.ceil(length / 127);
  return 128 * 2 ** Math.ceil(Math.log2(quads));
}

/**
 * The largest payload a sector of `sectorSize` bytes holds: a piece padded to the whole sector, of
 * which fr32 leaves 127 bytes in 128 to the data.
 */
export function sectorPayloadCapacity(sectorSize: bigint): number {
  return Number((sectorSize / 128n) * 127n);
}

/** The v1 piece CID of a tree root. */
export function pieceCidFromRoot(root: Uint8Array): CID {
  if (root.length !== 32) throw new PieceError(`a piece commitment is 32 bytes, got ${root.length}`);
  return CID.createV1(FIL_COMMITMENT_UNSEALED, Digest.create(SHA2_256_TRUNC254_PADDED, root));
}

/**
 * The piece CID of `piece`'s data zero-padded to a piece of `size` bytes; undefined unless `size` is
 * a power of two larger than the piece. Its tree has the piece's as its leftmost subtree, and each
 * right sibling on the way up is the root of an all-zero subtree of the same height. This is
 * go-fil-commp-hashhash's PadCommP, with which Boost checks a deal's data when the proposal's
 * PieceSize is larger than the data's own.
 */
export function paddedPieceCid(piece: PieceInfo, size: number): CID | undefined {
  if (!(size > piece.size) || !Number.isInteger(Math.log2(size))) return undefined;
  let padded: PieceInfo | undefined;
  for (padded of paddedPieces(piece, size));
  return padded!.cid;
}

/** `piece` zero-padded to twice its size, four times, … up to `maxSize`: each level one hash more. */
export function* paddedPieces(piece: PieceInfo, maxSize: number): Generator<PieceInfo> {
  let root: Uint8Array = piece.cid.multihash.digest;
  for (let size = piece.size; size < maxSize; size *= 2) {
    // Height 0 is a 32-byte leaf: the sibling is the all-zero subtree as high as the piece so far.
    root = Proof.computeNode(root, ZeroComm.fromLevel(Math.log2(size / 32)));
    yield { cid: pieceCidFromRoot(root), size: size * 2 };
  }
}

/** What data-segment's v2 digest says, as v1 CID and padded size. */
function fromV2Digest(digest: Parameters<typeof Piece.fromDigest>[0]): PieceInfo {
  const piece = Piece.fromDigest(digest);
  return { cid: pieceCidFromRoot(piece.root), size: Number(piece.size) };
}

/** CommP computed as the payload comes, a chunk at a time (a file read or an upload streamed). */
interface PieceCidHasher {
  write(chunk: Uint8Array): void;
  /** Bytes written so far. */
  readonly length: number;
  /** The piece of everything written (PieceError if it is too short for a CommP). */
  digest(): PieceInfo;
}

export function pieceCidHasher(): PieceCidHasher {
  const hasher = createPieceHasher();
  return {
    write: (chunk) => void hasher.write(chunk),
    get length() {
      return Number(hasher.count());
    },
    digest() {
      checkPayloadLength(Number(hasher.count()));
      return fromV2Digest(hasher.digest());
    },
  };
}

/** CommP of `payload`, as a deal would name it. */
export function computePieceCid(payload: Uint8Array): PieceInfo {
  checkPayloadLength(payload.length);
  const hasher = pieceCidHasher();
  hasher.write(payload);
  return hasher.digest();
}

/** CommP of a file, read as a stream (files larger than memory work too). */
export async function computeFilePieceCid(path: string): Promise<PieceInfo & { payloadSize: number }> {
  const hasher = pieceCidHasher();
  for await (const chunk of createReadStream(path)) hasher.write(chunk as Buffer);
  return { ...hasher.digest(), payloadSize: hasher.length };
}

/**
 * The v2 piece CID (FRC-0069: raw codec, a multihash holding the padding, the tree's height and its
 * root) of a piece whose payload is `payloadSize` bytes: what PDP and Synapse name pieces by.
 */
export function pieceCidV2(piece: PieceInfo, payloadSize: number): CID {
  const padding = BigInt((piece.size / 128) * 127 - payloadSize);
  return CID.asCID(Piece.toLink({ root: piece.cid.multihash.digest, height: Math.log2(piece.size / 32), padding }))!;
}

/**
 * A v1 or v2 piece CID: the v1 CID, and for a v2 the payload's length it names (v2 CIDs carry it);
 * anything else is a PieceError saying what is wrong.
 */
export function parseAnyPieceCid(text: string): { cid: CID; payloadSize?: number } {
  const cid = parseCid(text);
  if (!isV2(cid)) return { cid: parsePieceCid(text) };
  try {
    const piece = Piece.fromLink(cid as Parameters<typeof Piece.fromLink>[0]);
    return { cid: pieceCidFromRoot(piece.root), payloadSize: Number((piece.size / 128n) * 127n - piece.padding) };
  } catch (err) {
    throw new PieceError(`invalid v2 piece CID ${text}: ${(err as Error).message}`);
  }
}

const isV2 = (cid: CID) => cid.code === RAW && cid.multihash.code === FR32_SHA2_256_TRUNC254_PADDED_BINARY_TREE;

function parseCid(text: string): CID {
  try {
    return CID.parse(text);
  } catch (err) {
    throw new PieceError(`invalid piece CID ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

/** Parses a v1 piece CID (baga6ea4sea…); anything else is a PieceError saying what is wrong. */
export function parsePieceCid(text: string): CID {
  const cid = parseCid(text);
  if (isV2(cid)) throw new PieceError(`${text} is a v2 piece CID (FRC-0069); deals use the v1 piece CID (baga6ea4sea…)`);
  if (!isPieceCid(cid)) {
    throw new PieceError(
      `${text} is not a piece CID: expected CIDv1, codec fil-commitment-unsealed (0xf101), multihash sha2-256-trunc254-padded (0x1012), 32-byte digest`,
    );
  }
  return cid;
}
