// The storage providers' piece data: payloads kept in memory under their piece CID, as Boost or
// Curio keep the pieces they store and serve at /piece/<cid>. A payload is only ever stored under
// its own CommP, so whoever reads a piece can trust that its bytes match the CID. Not saved with
// the chain (--state): pieces are off-chain data and a restarted node starts with none.
import type { CID } from 'multiformats/cid';
import { computePieceCid, PieceError, type PieceInfo } from './piece-cid.js';

/** Largest payload one piece may have: 64 MiB (a padded piece of up to 128 MiB). */
export const MAX_PIECE_PAYLOAD_BYTES = 64 << 20;

export interface StoredPiece extends PieceInfo {
  /** The payload as uploaded (without fr32 or zero padding). */
  bytes: Uint8Array;
}

export class PieceTooLargeError extends PieceError {
  override name = 'PieceTooLargeError';
}

/** The payload's CommP is not the CID it was uploaded under. */
export class PieceMismatchError extends PieceError {
  override name = 'PieceMismatchError';
  constructor(
    readonly expected: CID,
    readonly computed: PieceInfo,
  ) {
    super(`the payload's piece CID is ${computed.cid} (padded size ${computed.size}), not ${expected}`);
  }
}

export class PieceStore {
  private readonly pieces = new Map<string, StoredPiece>();

  constructor(readonly maxPayloadBytes: number = MAX_PIECE_PAYLOAD_BYTES) {}

  /**
   * Computes the payload's CommP and keeps a copy of the payload under it. With `expected`, the
   * payload is kept only if its CommP is that CID (PieceMismatchError otherwise).
   */
  put(payload: Uint8Array, expected?: CID): StoredPiece {
    if (payload.length > this.maxPayloadBytes) {
      throw new PieceTooLargeError(`a piece payload may have at most ${this.maxPayloadBytes} bytes, got ${payload.length}`);
    }
    const computed = computePieceCid(payload);
    if (expected && !expected.equals(computed.cid)) throw new PieceMismatchError(expected, computed);
    const key = computed.cid.toString();
    const known = this.pieces.get(key);
    if (known) return known;
    // A copy as a plain Uint8Array (Buffer's slice() would share the caller's memory).
    const stored = { ...computed, bytes: new Uint8Array(payload) };
    this.pieces.set(key, stored);
    return stored;
  }

  get(cid: CID): StoredPiece | undefined {
    return this.pieces.get(cid.toString());
  }

  has(cid: CID): boolean {
    return this.pieces.has(cid.toString());
  }
}
