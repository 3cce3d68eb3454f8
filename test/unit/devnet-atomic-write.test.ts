// writeFileAtomically and removeStaleTemporaries (src/devnet/persistence.ts): a write that fails for
// any reason (a full disk's short write, ENOSPC, a read-only directory) throws, removes its temporary
// file and leaves the old file as it was; temporary files of processes that died mid-save are removed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { removeStaleTemporaries, temporaryPath, writeFileAtomically, type AtomicWriteCalls } from '../../src/devnet/persistence.js';
import { REPO_ROOT } from '../helpers/solc.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-atomic-write-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const realCalls: AtomicWriteCalls = { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync };
const OLD = new TextEncoder().encode('the last good chain');
const NEW = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);

/** A file holding OLD, with no temporary file beside it. */
function goodFile(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, OLD);
  return path;
}

function assertUntouched(path: string): void {
  assert.deepEqual(new Uint8Array(readFileSync(path)), OLD);
  assert.equal(existsSync(temporaryPath(path)), false, 'the temporary file is removed');
}

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

describe('writeFileAtomically', () => {
  test('writes that each take part of the bytes are repeated until the whole file is out', () => {
    const path = goodFile('pieces');
    const lengths: number[] = [];
    writeFileAtomically(path, NEW, {
      ...realCalls,
      writeSync: (fd, bytes, offset, length) => {
        lengths.push(length);
        return writeSync(fd, bytes, offset, Math.min(length, 4096));
      },
    });
    assert.deepEqual(new Uint8Array(readFileSync(path)), NEW);
    assert.equal(lengths.length, Math.ceil(NEW.length / 4096));
    assert.equal(existsSync(temporaryPath(path)), false);
  });

  test('a full disk (a short write, then ENOSPC, as the kernel answers) leaves the old file and no temporary file', () => {
    const path = goodFile('full-disk');
    let room = 16_384;
    const full: AtomicWriteCalls = {
      ...realCalls,
      writeSync: (fd, bytes, offset, length) => {
        if (room === 0) throw errno('ENOSPC');
        const written = writeSync(fd, bytes, offset, Math.min(length, room));
        room -= written;
        return written;
      },
    };
    assert.throws(() => writeFileAtomically(path, NEW, full), /ENOSPC/);
    assertUntouched(path);
  });

  test('a write that makes no progress is an error, not a loop or a short file', () => {
    const path = goodFile('stalled');
    assert.throws(() => writeFileAtomically(path, NEW, { ...realCalls, writeSync: () => 0 }), /the write stopped at byte 0 of 100000/);
    assertUntouched(path);
  });

  test('a failed flush or rename leaves the old file and no temporary file', () => {
    const path = goodFile('flush');
    assert.throws(() => writeFileAtomically(path, NEW, { ...realCalls, fsyncSync: () => { throw errno('EIO'); } }), /EIO/);
    assertUntouched(path);
    assert.throws(() => writeFileAtomically(path, NEW, { ...realCalls, renameSync: () => { throw errno('EXDEV'); } }), /EXDEV/);
    assertUntouched(path);
  });

  test('a close that fails is not repeated: the kernel freed the descriptor, which another open may reuse', () => {
    const path = goodFile('close');
    const closed: number[] = [];
    const failingClose = (fd: number) => {
      closed.push(fd);
      closeSync(fd);
      throw errno('EIO');
    };
    assert.throws(() => writeFileAtomically(path, NEW, { ...realCalls, closeSync: failingClose }), /EIO/);
    assert.equal(closed.length, 1);
    assertUntouched(path);
  });

  test('ENOSPC from the kernel (the temporary file is /dev/full) leaves the old file', () => {
    const path = goodFile('dev-full');
    // Opening the temporary path opens /dev/full, whose every write fails with ENOSPC.
    symlinkSync('/dev/full', temporaryPath(path));
    assert.throws(() => writeFileAtomically(path, NEW), (err: NodeJS.ErrnoException) => err.code === 'ENOSPC');
    assertUntouched(path);
  });

  test('a read-only directory (EACCES) leaves the old file', (t) => {
    const readOnly = mkdtempSync(join(tmpdir(), 'fvm-devnet-read-only-'));
    t.after(() => {
      chmodSync(readOnly, 0o700);
      rmSync(readOnly, { recursive: true, force: true });
    });
    const path = join(readOnly, 'chain.state');
    writeFileSync(path, OLD);
    chmodSync(readOnly, 0o555);
    // Root ignores directory permissions, so when the tests run as root the write runs in a child
    // process as nobody (uid 65534), for whom the directory is read-only too.
    const asRoot = process.getuid?.() === 0;
    const script = `const { writeFileAtomically } = await import('./src/devnet/persistence.ts');
      try { writeFileAtomically(process.argv[1], new Uint8Array(1000)); console.log('written'); } catch (err) { console.log(err.code); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, path], { cwd: REPO_ROOT, encoding: 'utf8', ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    assert.equal(child.stdout.trim(), 'EACCES', child.stderr);
    assertUntouched(path);
  });
});

describe('removeStaleTemporaries', () => {
  test("removes the temporary files of dead processes, not a live process's nor other files", () => {
    const sub = mkdtempSync(join(dir, 'stale-'));
    const path = join(sub, 'chain.state');
    writeFileSync(path, OLD);
    // A real dead pid: a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const live = process.ppid;
    for (const pid of [dead, live, process.pid]) writeFileSync(temporaryPath(path, pid), 'half a chain');
    writeFileSync(join(sub, `other.state.${dead}.tmp`), 'another file');
    writeFileSync(join(sub, 'chain.state.x.tmp'), 'not a pid');
    removeStaleTemporaries(path);
    assert.deepEqual(readdirSync(sub).sort(), ['chain.state', `chain.state.${live}.tmp`, `chain.state.${process.pid}.tmp`, 'chain.state.x.tmp', `other.state.${dead}.tmp`].sort());
    assert.deepEqual(new Uint8Array(readFileSync(path)), OLD);
  });
});
