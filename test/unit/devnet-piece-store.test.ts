// The piece store: payloads streamed to files named by their CommP, the expected-CID check, the
// per-piece and total limits, atomic writes (no file under a CID before it is whole, nothing left
// after a failure or a full disk), pieces found again in their directory, and the temporary directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, test, type TestContext } from 'node:test';
import type { CID } from 'multiformats/cid';
import { computePieceCid, paddedPieceCid, paddedPieceSize, PieceError, sectorPayloadCapacity } from '../../src/devnet/storage-providers/piece-cid.js';
import {
  PieceMismatchError,
  PieceStore,
  piecesDirOf,
  PieceStoreFullError,
  PieceTooLargeError,
  type PieceStoreOptions,
  type PieceWriteCalls,
} from '../../src/devnet/storage-providers/piece-store.js';

const payload = (length: number, seed = 1) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);

/** A directory of the test's own, removed when it ends. */
function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-piece-store-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in a directory of the test's own (`dir`), closed when the test ends. */
function storeFor(t: TestContext, options: PieceStoreOptions = {}): { store: PieceStore; dir: string } {
  const dir = options.dir ?? join(scratch(t), 'pieces');
  const store = new PieceStore({ dir, ...options });
  t.after(() => store.close());
  return { store, dir };
}

const readPiece = async (store: PieceStore, cid: CID) => new Uint8Array(await buffer((await store.read(cid))!));

/** A promise and its resolve (Promise.withResolvers is Node 22's). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** `bytes` in chunks of `size`, as an upload arrives. */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('piece store', () => {
  test('a payload is kept in a file named by its CommP, with its sizes, and read back', async (t) => {
    const { store, dir } = storeFor(t);
    const bytes = payload(1000);
    const stored = await store.put(bytes);
    const expected = computePieceCid(bytes);
    assert.ok(stored.cid.equals(expected.cid));
    assert.equal(stored.size, 1024);
    assert.equal(stored.payloadSize, 1000);
    assert.ok(store.has(expected.cid));
    assert.deepEqual(store.get(expected.cid), stored);
    assert.deepEqual(await readPiece(store, expected.cid), bytes);
    assert.deepEqual(readdirSync(dir), [expected.cid.toString()]);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, expected.cid.toString()))), bytes);
    assert.equal(store.usedBytes, 1000);
    const other = computePieceCid(payload(1000, 2)).cid;
    assert.equal(store.get(other), undefined);
    assert.equal(await store.read(other), undefined);
  });

  test('a streamed payload is hashed as it comes and stored as one given whole; the same piece twice is stored once', async (t) => {
    const { store, dir } = storeFor(t);
    const bytes = payload(300_000, 5);
    const streamed = await store.put(chunks(bytes, 65_536), computePieceCid(bytes).cid);
    assert.deepEqual(streamed, { ...computePieceCid(bytes), payloadSize: 300_000 });
    assert.deepEqual(await readPiece(store, streamed.cid), bytes);
    assert.deepEqual(await store.put(bytes), streamed);
    assert.equal(store.usedBytes, 300_000);
    assert.deepEqual(readdirSync(dir), [streamed.cid.toString()]);
  });

  test('with an expected CID, a payload whose CommP differs is refused and leaves no file', async (t) => {
    const { store, dir } = storeFor(t);
    const other = computePieceCid(payload(300, 9)).cid;
    const computed = computePieceCid(payload(300));
    await assert.rejects(store.put(payload(300), other), (err: unknown) => {
      assert.ok(err instanceof PieceMismatchError);
      assert.ok(err.computed.cid.equals(computed.cid));
      assert.equal(err.message, `the payload's piece CID is ${computed.cid} (padded size 512), not ${other}`);
      return true;
    });
    assert.equal(store.has(computed.cid), false);
    assert.deepEqual(readdirSync(dir), []);
    assert.ok((await store.put(payload(300), computed.cid)).cid.equals(computed.cid));
  });

  // audit18 K4: a deal whose PieceSize is larger than its data's piece, checked as Boost checks it (the data zero-padded).
  test("with a deal's piece size, a payload whose piece zero-padded to it is the expected CID is kept under its own CID, and found by the padded one", async (t) => {
    const { store, dir } = storeFor(t);
    const own = computePieceCid(payload(3000));
    const dealPiece = paddedPieceCid(own, 16_384)!;
    await assert.rejects(store.put(payload(3000), dealPiece), PieceMismatchError);
    await assert.rejects(store.put(payload(3000, 2), dealPiece, undefined, 16_384), PieceMismatchError);
    assert.deepEqual(readdirSync(dir), []);
    const stored = await store.put(chunks(payload(3000), 1000), dealPiece, 3000, 16_384);
    assert.ok(stored.cid.equals(own.cid));
    assert.deepEqual(readdirSync(dir), [own.cid.toString()]);
    assert.deepEqual(await store.find(dealPiece, 16_384), stored);
    assert.equal(await store.find(dealPiece), undefined);
    assert.equal(await store.find(dealPiece, 32_768), undefined);
    // Again: hashed only, nothing written.
    assert.deepEqual(await store.put(payload(3000), dealPiece, 3000, 16_384), stored);
    assert.equal(store.usedBytes, 3000);
    // By the padded CID alone, whatever the size (review R4: /piece/ serves a deal's piece so); not another CID.
    assert.deepEqual(await store.findPadded(dealPiece), stored);
    assert.deepEqual(await store.findPadded(paddedPieceCid(own, 1 << 30)!), stored);
    assert.equal(await store.findPadded(computePieceCid(payload(3000, 2)).cid), undefined);
  });

  test("a sector holds a payload of 127/128 of its size, padded to exactly the sector (--max-piece-size's ceiling)", () => {
    assert.equal(sectorPayloadCapacity(2048n), 2032);
    assert.equal(sectorPayloadCapacity(32n << 30n), 34_091_302_912);
    assert.equal(sectorPayloadCapacity(64n << 30n), 68_182_605_824);
    for (const sector of [2048n, 8n << 20n, 32n << 30n]) {
      assert.equal(paddedPieceSize(sectorPayloadCapacity(sector)), Number(sector));
      assert.equal(paddedPieceSize(sectorPayloadCapacity(sector) + 1), 2 * Number(sector));
    }
  });

  test('a payload over the per-piece limit (64 MiB by default) is refused before it is read, or at the chunk that passes it', async (t) => {
    assert.equal(new PieceStore().maxPayloadBytes, 64 * 1024 * 1024);
    const { store, dir } = storeFor(t, { maxPayloadBytes: 1000 });
    assert.equal((await store.put(payload(1000))).payloadSize, 1000);
    await assert.rejects(store.put(payload(1001)), (err: unknown) => {
      assert.ok(err instanceof PieceTooLargeError && err instanceof PieceError);
      assert.equal(err.message, 'a piece payload may have at most 1000 bytes (--max-piece-size), got 1001');
      return true;
    });
    // Without a declared length (a chunked upload), the chunk that passes the limit stops it.
    await assert.rejects(store.put(chunks(payload(1500), 600)), { name: 'PieceTooLargeError', message: 'a piece payload may have at most 1000 bytes (--max-piece-size), got 1200 or more' });
    assert.deepEqual(readdirSync(dir), [computePieceCid(payload(1000)).cid.toString()]);
  });

  test('the store holds at most its limit in all: an upload over it is refused with the limit named, and nothing is left of it', async (t) => {
    const { store, dir } = storeFor(t, { limitBytes: 3000 });
    const first = await store.put(payload(2000));
    const full = (size: string, uploading = '') => ({
      name: 'PieceStoreFullError',
      message: `the piece store is full: a payload of ${size} bytes does not fit in its limit of 3000 bytes (--piece-store-limit), which holds 2000 bytes of pieces${uploading}`,
    });
    await assert.rejects(store.put(payload(1500, 2)), full('1500'));
    await assert.rejects(store.put(chunks(payload(1500, 2), 500), undefined, 1500), full('1500'));
    await assert.rejects(store.put(chunks(payload(1500, 2), 500)), full('1500 or more'));
    assert.deepEqual(readdirSync(dir), [first.cid.toString()]);
    assert.equal(store.usedBytes, 2000);
    // A piece stored already, uploaded again under its CID (a second deal for the same data), takes no more room.
    assert.deepEqual(await store.put(payload(2000), first.cid), first);
    assert.equal(store.usedBytes, 2000);
    // What is left still takes a piece that fits; uploads in progress count against the limit too.
    const gate = deferred();
    const firstWritten = deferred();
    const slow = store.put(
      (async function* () {
        yield payload(600, 3);
        firstWritten.resolve();
        await gate.promise;
      })(),
    );
    await firstWritten.promise;
    await assert.rejects(store.put(payload(500, 4)), full('500', ' and 600 of uploads in progress'));
    gate.resolve();
    assert.equal((await slow).payloadSize, 600);
    assert.equal(store.usedBytes, 2600);
  });

  test('a full disk (ENOSPC, or a write that stops short) fails the upload as a full store, removes its temporary file, and the store goes on', async (t) => {
    const dir = join(scratch(t), 'pieces');
    let failure: 'ENOSPC' | 'short' | undefined = 'ENOSPC';
    const calls: PieceWriteCalls = {
      async open(path, flags) {
        const file = await fs.open(path, flags);
        return {
          async write(bytes, offset, length) {
            if (failure === 'ENOSPC') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            if (failure === 'short') return { bytesWritten: 0 };
            return file.write(bytes, offset, length);
          },
          sync: () => file.sync(),
          close: () => file.close(),
        };
      },
      rename: (from, to) => fs.rename(from, to),
      unlink: (path) => fs.unlink(path),
    };
    const { store } = storeFor(t, { dir, calls });
    const bytes = payload(5000);
    await assert.rejects(store.put(bytes), (err: unknown) => {
      assert.ok(err instanceof PieceStoreFullError);
      assert.equal(err.message, `no space left on the disk holding the piece store (${dir}): ENOSPC: no space left on device, write`);
      return true;
    });
    failure = 'short';
    await assert.rejects(store.put(bytes), /^PieceStoreFullError: no space left on the disk holding the piece store .*: the write stopped at byte 0 of a 5000-byte chunk$/);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(store.usedBytes, 0);
    failure = undefined;
    const stored = await store.put(bytes);
    assert.deepEqual(await readPiece(store, stored.cid), bytes);
  });

  test('an upload under a CID stored already is hashed only: nothing written, no room taken, a mismatch refused (review R11)', async (t) => {
    const opened: string[] = [];
    const calls: PieceWriteCalls = {
      open: (path, flags) => (opened.push(path), fs.open(path, flags)),
      rename: (from, to) => fs.rename(from, to),
      unlink: (path) => fs.unlink(path),
    };
    const { store, dir } = storeFor(t, { limitBytes: 2000, calls });
    const stored = await store.put(payload(2000));
    opened.length = 0;
    // Two at once, under the stored CID, with other bodies: the store is full, yet neither is
    // refused for room (they take none) and neither writes a byte; both fail on their CommP.
    const gate = deferred();
    const body = async function* (seed: number) {
      yield payload(1000, seed);
      await gate.promise;
      yield payload(1000, seed + 1);
    };
    const uploads = [store.put(body(10), stored.cid), store.put(body(20), stored.cid)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(readdirSync(dir), [stored.cid.toString()]);
    gate.resolve();
    for (const upload of uploads) await assert.rejects(upload, PieceMismatchError);
    // The same payload again is the stored piece, still without a write.
    assert.deepEqual(await store.put(chunks(payload(2000), 700), stored.cid), stored);
    assert.deepEqual(opened, []);
    assert.equal(store.usedBytes, 2000);
  });

  test('a piece whose file was removed under the running store is forgotten, and an upload of it stores it again (review R1)', async (t) => {
    const { store, dir } = storeFor(t, { limitBytes: 4000 });
    const bytes = payload(2000);
    const stored = await store.put(bytes);
    rmSync(dir, { recursive: true });
    assert.equal(await store.read(stored.cid), undefined);
    assert.equal(await store.find(stored.cid), undefined);
    assert.equal(store.has(stored.cid), false);
    assert.equal(store.usedBytes, 0);
    assert.deepEqual(await store.put(chunks(bytes, 700), stored.cid), stored);
    assert.deepEqual(await readPiece(store, stored.cid), bytes);
    // Indexed but gone, found only by the upload itself (no read in between): written again too.
    rmSync(join(dir, stored.cid.toString()));
    assert.deepEqual(await store.put(bytes), stored);
    assert.deepEqual(await readPiece(store, stored.cid), bytes);
    assert.equal(store.usedBytes, 2000);
  });

  test('no file is under the CID before the payload is whole; an upload cut off leaves nothing', async (t) => {
    const { store, dir } = storeFor(t);
    const bytes = payload(4000);
    const gate = deferred();
    const firstWritten = deferred();
    const cut = store.put(
      (async function* () {
        yield bytes.subarray(0, 2000);
        // The store asks for the next chunk only once the first is on disk.
        firstWritten.resolve();
        await gate.promise;
        throw new Error('the client went away');
      })(),
    );
    await firstWritten.promise;
    assert.deepEqual(readdirSync(dir).map((name) => /^upload\.\d+\.\d+\.tmp$/.test(name)), [true]);
    gate.resolve();
    await assert.rejects(cut, /the client went away/);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(store.has(computePieceCid(bytes).cid), false);
  });

  test('a store opened on a directory finds the pieces an earlier one stored; temporary files of a dead node go, other files stay', async (t) => {
    const dir = join(scratch(t), 'chain.json.pieces');
    assert.equal(piecesDirOf(join(dir, '..', 'chain.json')), join(dir, '..', 'chain.json.pieces'));
    const first = new PieceStore({ dir });
    const a = await first.put(payload(3000));
    const b = await first.put(payload(70_000, 4));
    first.close();
    // What kill -9 mid-upload leaves (a process that has exited), one of this process (alive), and a stranger.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, `upload.${dead}.1.tmp`), payload(100));
    writeFileSync(join(dir, `upload.${process.pid}.999.tmp`), payload(100));
    writeFileSync(join(dir, 'notes.txt'), 'not a piece');
    const { store } = storeFor(t, { dir });
    assert.deepEqual(store.get(a.cid), a);
    assert.deepEqual(store.get(b.cid), b);
    assert.equal(store.usedBytes, 73_000);
    assert.deepEqual(await readPiece(store, b.cid), payload(70_000, 4));
    assert.deepEqual(readdirSync(dir).sort(), [a.cid.toString(), b.cid.toString(), 'notes.txt', `upload.${process.pid}.999.tmp`].sort());
  });

  test('without a directory, the pieces go to a temporary one made at the first upload and removed at close', async (t) => {
    const store = new PieceStore();
    t.after(() => store.close());
    assert.equal(store.directory, undefined);
    const { cid } = await store.put(payload(2000));
    const dir = store.directory!;
    assert.ok(dir.startsWith(join(tmpdir(), 'fvm-devnet-pieces-')));
    assert.ok(existsSync(join(dir, cid.toString())));
    store.close();
    assert.equal(existsSync(dir), false);
    assert.equal(store.has(cid), false);
    // A directory given to the store is the user's: close keeps it.
    const { store: kept, dir: given } = storeFor(t);
    await kept.put(payload(2000));
    kept.close();
    assert.ok(existsSync(join(given, cid.toString())));
  });

  test('payloads too short for a CommP are refused', async (t) => {
    const { store, dir } = storeFor(t);
    await assert.rejects(store.put(payload(64)), /commP is not defined for payloads shorter than 65 bytes/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
