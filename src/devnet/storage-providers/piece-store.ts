// The storage providers' piece data: payloads on disk, one file per piece CID, as Boost and Curio
// keep the pieces they store and serve at /piece/<cid>. A payload is only ever stored under its own
// CommP, computed while the upload streams in, so whoever reads a piece can trust that its bytes
// match the CID. Each upload is written to a temporary file, flushed, and renamed to its CID once
// whole: a node killed mid-upload leaves no half piece under a real CID.
// With a directory (--state's `<file>.pieces`) the pieces outlive the node; without, they go to a
// temporary directory, made at the first upload and removed when the store closes (or the process
// exits). Only the pieces' sizes stay in memory; the store holds at most `limitBytes` of payloads.
import { mkdtempSync, promises as fs, readdirSync, rmdirSync, rmSync, statSync, type ReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { DEFAULT_MAX_PIECE_SIZE, DEFAULT_PIECE_STORE_LIMIT } from '../../config.js';
import { removeIfOrphaned } from '../persistence.js';
import { paddedPieceCid, paddedPieceSize, paddedPieces, parsePieceCid, pieceCidHasher, PieceError, type PieceInfo } from './piece-cid.js';

export interface StoredPiece extends PieceInfo {
  /** Bytes of the payload as uploaded (without fr32 or zero padding). */
  payloadSize: number;
}

export class PieceTooLargeError extends PieceError {
  override name = 'PieceTooLargeError';
}

/** The store's limit (or the disk) leaves no room for the payload. */
export class PieceStoreFullError extends PieceError {
  override name = 'PieceStoreFullError';
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

/** An open file an upload writes (node:fs/promises's FileHandle). */
export interface PieceFile {
  write(bytes: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file system calls an upload makes (a test passes failing ones). */
export interface PieceWriteCalls {
  open(path: string, flags: 'wx'): Promise<PieceFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const nodeCalls: PieceWriteCalls = {
  open: (path, flags) => fs.open(path, flags),
  rename: (from, to) => fs.rename(from, to),
  unlink: (path) => fs.unlink(path),
};

export interface PieceStoreOptions {
  /** Where the pieces are kept across restarts; undefined: a temporary directory. */
  dir?: string;
  /** Most payload bytes of all pieces together. */
  limitBytes?: number;
  /** Most payload bytes of one piece (--max-piece-size). */
  maxPayloadBytes?: number;
  calls?: PieceWriteCalls;
}

/** Where --state's pieces are kept: a directory beside the state file. */
export const piecesDirOf = (statePath: string): string => `${statePath}.pieces`;

/** The temporary directory of a store without one, in the system's (os.tmpdir(): $TMPDIR, else /tmp). */
const temporaryDirPrefix = () => join(tmpdir(), 'fvm-devnet-pieces-');

/**
 * The temporary directory cannot be made in $TMPDIR (not there, not writable): at start, or at an
 * upload once someone removed $TMPDIR under the running node. Answered 507, naming $TMPDIR.
 */
export class PieceStoreUnavailableError extends PieceError {
  override name = 'PieceStoreUnavailableError';
  constructor(cause: unknown) {
    super(
      `cannot make the piece store's temporary directory in ${tmpdir()} (the system's temporary directory, $TMPDIR): ${(cause as Error).message}; set TMPDIR to a writable directory, or give --state <file> to keep the pieces in <file>.pieces/`,
    );
  }
}

/**
 * Throws PieceStoreUnavailableError if the temporary directory a store without one makes at its
 * first upload cannot be made there (a directory made and removed now): a node refuses to start
 * rather than answer that upload a 500 (audit16 L8).
 */
export function checkTemporaryPieces(): void {
  try {
    rmdirSync(mkdtempSync(temporaryDirPrefix()));
  } catch (err) {
    throw new PieceStoreUnavailableError(err);
  }
}

/** The largest piece a deal can have: a 64 GiB sector's. */
const LARGEST_PIECE = 2 ** 36;

/** An upload's temporary file: `upload.<pid>.<n>.tmp`, removed at the next start if its process died. */
const TEMPORARY = /^upload\.(\d+)\.\d+\.tmp$/;

export class PieceStore {
  readonly limitBytes: number;
  readonly maxPayloadBytes: number;
  /** The pieces stored, by their CID's text: sizes only, the payloads are files named so in `dir`. */
  private readonly pieces = new Map<string, StoredPiece>();
  /** Payload bytes of the pieces stored. */
  private storedBytes = 0;
  /** Payload bytes the uploads in progress have written so far. */
  private pendingBytes = 0;
  private uploads = 0;
  private dir: string | undefined;
  /** Whether `dir` is the store's own temporary directory, removed at close. */
  private temporary = false;
  /** The temporary directory being made by the first upload (or made). */
  private making: Promise<string> | undefined;
  private readonly calls: PieceWriteCalls;
  private readonly removeAtExit = () => this.close();

  constructor(options: PieceStoreOptions = {}) {
    this.limitBytes = options.limitBytes ?? DEFAULT_PIECE_STORE_LIMIT;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PIECE_SIZE;
    this.calls = options.calls ?? nodeCalls;
    this.dir = options.dir;
    if (this.dir !== undefined) this.load(this.dir);
  }

  /** Payload bytes of all the pieces stored. */
  get usedBytes(): number {
    return this.storedBytes;
  }

  /** The directory the pieces are in (undefined before the first upload without a directory). */
  get directory(): string | undefined {
    return this.dir;
  }

  /**
   * Streams `source` to disk while computing its CommP and keeps it under that CID, once whole. With
   * `expected`, it is kept only if its CommP is that CID, or with `paddedTo` (a deal's piece size)
   * if it is that CID once the piece is zero-padded to `paddedTo` bytes (PieceMismatchError
   * otherwise). `length` (an upload's Content-Length) refuses a payload over a limit before it is
   * read; without it, the limits stop the upload at the first chunk over them. Nothing is left on
   * disk after an error.
   */
  async put(source: Uint8Array | AsyncIterable<Uint8Array>, expected?: CID, length?: number, paddedTo?: number): Promise<StoredPiece> {
    // A piece stored already (a second deal for the same data) is only hashed, never written: its
    // bytes are not known to match before the last one, so they must not take room meanwhile.
    if (expected !== undefined) {
      const stored = await this.find(expected, paddedTo);
      if (stored) return this.check(source, stored, expected, length, paddedTo);
    }
    const declared = source instanceof Uint8Array ? source.length : length;
    if (declared !== undefined) this.checkRoom(declared, 0);
    const dir = await this.ensureDir();
    const temporary = join(dir, `upload.${process.pid}.${++this.uploads}.tmp`);
    const hasher = pieceCidHasher();
    let reserved = 0;
    let file: PieceFile | undefined;
    try {
      file = await this.calls.open(temporary, 'wx');
      for await (const chunk of source instanceof Uint8Array ? [source] : source) {
        this.checkRoom(hasher.length + chunk.length, reserved);
        this.pendingBytes += chunk.length;
        reserved += chunk.length;
        hasher.write(chunk);
        await writeWhole(file, chunk);
      }
      await file.sync();
      // Cleared first: a close that fails has still freed the handle, which must not be closed again.
      const written = file;
      file = undefined;
      await written.close();
      const piece = { ...hasher.digest(), payloadSize: hasher.length };
      if (expected && !isPiece(piece, expected, paddedTo)) throw new PieceMismatchError(expected, piece);
      const key = piece.cid.toString();
      // Renamed even over a piece indexed already (the same payload uploaded twice at once, or one
      // whose file was removed meanwhile): the same CommP is the same bytes, and the file is whole again.
      await this.calls.rename(temporary, join(dir, key));
      if (!this.pieces.has(key)) this.add(key, piece);
      return this.pieces.get(key)!;
    } catch (err) {
      if (file) await file.close().catch(() => {});
      await this.calls.unlink(temporary).catch(() => {});
      if (isDiskFull(err)) throw new PieceStoreFullError(`no space left on the disk holding the piece store (${dir}): ${(err as Error).message}`);
      throw err;
    } finally {
      this.pendingBytes -= reserved;
    }
  }

  get(cid: CID): StoredPiece | undefined {
    return this.pieces.get(cid.toString());
  }

  has(cid: CID): boolean {
    return this.pieces.has(cid.toString());
  }

  /**
   * A stored piece whose file is still there; undefined for one not stored, or whose file is gone
   * (someone removed the directory under a running node): that piece is forgotten. With `paddedTo`
   * (a deal's piece size), a smaller piece that is `cid` once zero-padded to it is found too.
   */
  async find(cid: CID, paddedTo?: number): Promise<StoredPiece | undefined> {
    const key = cid.toString();
    const piece = this.pieces.get(key) ?? (paddedTo === undefined ? undefined : [...this.pieces.values()].find((p) => isPiece(p, cid, paddedTo)));
    if (!piece) return undefined;
    try {
      await fs.stat(join(this.dir!, piece.cid.toString()));
      return piece;
    } catch (err) {
      return this.forgetIfGone(piece.cid.toString(), err);
    }
  }

  /**
   * A stored piece that is `cid` once zero-padded to a larger size, up to a 64 GiB sector's: the data
   * of a deal whose PieceSize is larger than its data's piece, which a provider serves under the
   * deal's piece CID (booster-http looks pieces up by the deal's). Each stored piece costs one hash
   * a size, so only a lookup that found nothing else comes here.
   */
  async findPadded(cid: CID): Promise<StoredPiece | undefined> {
    for (const piece of this.pieces.values()) {
      for (const padded of paddedPieces(piece, LARGEST_PIECE)) if (cid.equals(padded.cid)) return this.find(piece.cid);
    }
    return undefined;
  }

  /** The payload of a stored piece, read from its file as a stream; undefined as `find` answers it. */
  async read(cid: CID): Promise<ReadStream | undefined> {
    const key = cid.toString();
    if (!this.pieces.has(key)) return undefined;
    try {
      return (await fs.open(join(this.dir!, key), 'r')).createReadStream();
    } catch (err) {
      return this.forgetIfGone(key, err);
    }
  }

  /** Removes the temporary directory and its pieces; a directory given to the store is kept. */
  close(): void {
    if (!this.temporary) return;
    process.off('exit', this.removeAtExit);
    rmSync(this.dir!, { recursive: true, force: true });
    this.temporary = false;
    this.making = undefined;
    this.dir = undefined;
    this.pieces.clear();
    this.storedBytes = 0;
  }

  /**
   * Throws if a payload of `total` bytes, `reserved` of them counted already (written), exceeds the
   * per-piece limit or, unless it is a piece stored already (`again`), the store's.
   */
  private checkRoom(total: number, reserved: number, again = false): void {
    const more = reserved > 0 ? ' or more' : '';
    if (total > this.maxPayloadBytes) throw new PieceTooLargeError(`a piece payload may have at most ${this.maxPayloadBytes} bytes (--max-piece-size), got ${total}${more}`);
    const others = this.pendingBytes - reserved;
    if (!again && this.storedBytes + others + total > this.limitBytes) {
      const uploading = others > 0 ? ` and ${others} of uploads in progress` : '';
      throw new PieceStoreFullError(
        `the piece store is full: a payload of ${total}${more} bytes does not fit in its limit of ${this.limitBytes} bytes (--piece-store-limit), which holds ${this.storedBytes} bytes of pieces${uploading}`,
      );
    }
  }

  /**
   * Hashes an upload of a piece stored already, writing nothing: `stored` if its CommP is `expected`
   * (padded to `paddedTo`, if given), PieceMismatchError otherwise. Only the per-piece limit applies (`again`).
   */
  private async check(source: Uint8Array | AsyncIterable<Uint8Array>, stored: StoredPiece, expected: CID, length?: number, paddedTo?: number): Promise<StoredPiece> {
    const declared = source instanceof Uint8Array ? source.length : length;
    if (declared !== undefined) this.checkRoom(declared, 0, true);
    const hasher = pieceCidHasher();
    for await (const chunk of source instanceof Uint8Array ? [source] : source) {
      this.checkRoom(hasher.length + chunk.length, 0, true);
      hasher.write(chunk);
    }
    const piece = { ...hasher.digest(), payloadSize: hasher.length };
    if (!isPiece(piece, expected, paddedTo)) throw new PieceMismatchError(expected, piece);
    if (!this.pieces.has(stored.cid.toString())) throw new PieceError(`piece ${stored.cid}'s file was removed during the upload: upload it again`);
    return stored;
  }

  private add(key: string, piece: StoredPiece): void {
    this.pieces.set(key, piece);
    this.storedBytes += piece.payloadSize;
  }

  /** Drops a piece whose file `err` says is gone (and rethrows any other error). */
  private forgetIfGone(key: string, err: unknown): undefined {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const piece = this.pieces.get(key);
    if (piece) {
      this.pieces.delete(key);
      this.storedBytes -= piece.payloadSize;
    }
    return undefined;
  }

  /**
   * The pieces' directory, made off the event loop: a given one at each upload (a user may have
   * removed it under the running node); a temporary one at the first upload, and made again at a
   * later one if it is gone (tmp cleaners such as systemd-tmpfiles remove old directories in /tmp),
   * its pieces forgotten as their reads find them gone. A $TMPDIR that is gone itself is not made
   * again: the upload answers PieceStoreUnavailableError, naming it.
   */
  private async ensureDir(): Promise<string> {
    if (this.dir !== undefined && !this.temporary) {
      await fs.mkdir(this.dir, { recursive: true });
      return this.dir;
    }
    if (this.making) {
      const dir = await this.making;
      await fs.mkdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw new PieceStoreUnavailableError(err);
      });
      return dir;
    }
    const making = fs.mkdtemp(temporaryDirPrefix()).then(
      (dir) => {
        this.dir = dir;
        this.temporary = true;
        process.once('exit', this.removeAtExit);
        return dir;
      },
      (err) => {
        // The next upload tries again, once $TMPDIR is there.
        this.making = undefined;
        throw new PieceStoreUnavailableError(err);
      },
    );
    this.making = making;
    return making;
  }

  /**
   * The pieces a directory holds from an earlier run: each file named by its piece CID, trusted as
   * written (only a whole payload under its own CommP is ever renamed so). Temporary files of a
   * node that died mid-upload are removed; anything else is left alone.
   */
  private load(dir: string): void {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) {
      const upload = TEMPORARY.exec(name);
      if (upload) {
        removeIfOrphaned(join(dir, name), Number(upload[1]));
        continue;
      }
      const piece = storedPieceFile(dir, name);
      if (piece) this.add(name, piece);
    }
  }
}

/** Whether `piece` is `cid`: its own, or that of it zero-padded to `paddedTo` bytes (Boost's check of a deal's data). */
function isPiece(piece: PieceInfo, cid: CID, paddedTo?: number): boolean {
  if (cid.equals(piece.cid)) return true;
  const padded = paddedTo === undefined ? undefined : paddedPieceCid(piece, paddedTo);
  return padded !== undefined && cid.equals(padded);
}

/** The piece file `name` holds, if it is one: named by its v1 piece CID, with a payload long enough for a CommP. */
function storedPieceFile(dir: string, name: string): StoredPiece | undefined {
  try {
    const cid = parsePieceCid(name);
    if (cid.toString() !== name) return undefined;
    const stat = statSync(join(dir, name));
    return stat.isFile() ? { cid, size: paddedPieceSize(stat.size), payloadSize: stat.size } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes all of `bytes`: a filling disk first writes short without an error. */
async function writeWhole(file: PieceFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, at, bytes.length - at);
    if (!(bytesWritten > 0)) throw Object.assign(new Error(`the write stopped at byte ${at} of a ${bytes.length}-byte chunk`), { code: 'ENOSPC' });
    at += bytesWritten;
  }
}

/** A full disk or an exhausted quota. */
function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
