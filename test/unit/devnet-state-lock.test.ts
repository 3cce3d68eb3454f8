// --state's lock (state-lock.ts): one node at a time on a file; a lock whose owner is gone, or is this
// very process (a pid used again after a kill -9), is taken over (review R6); a file system without
// hard links gets it by an exclusive create.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs, { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, describe, mock, test } from 'node:test';
import { lockPath, lockStateFile } from '../../src/devnet/state-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that ran and has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('lockStateFile', () => {
  test('takes a free lock with its pid, and releases it', () => {
    const file = join(dir, 'free.state');
    const release = lockStateFile(file);
    assert.equal(readFileSync(lockPath(file), 'utf8').trim(), String(process.pid));
    release();
    assert.equal(existsSync(lockPath(file)), false);
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('free.state')), []);
  });

  test('a lock held by another running process is refused, naming it, and left as it was', () => {
    const file = join(dir, 'held.state');
    writeFileSync(lockPath(file), `${process.ppid}\n`);
    assert.throws(() => lockStateFile(file), new RegExp(`in use by another fvm-devnet \\(pid ${process.ppid}\\)`));
    assert.equal(readFileSync(lockPath(file), 'utf8').trim(), String(process.ppid));
  });

  test('a lock whose owner has exited, or that names this process (its pid used again), is taken over', () => {
    for (const [name, owner] of [['dead.state', deadPid()], ['own.state', process.pid]] as const) {
      const file = join(dir, name);
      writeFileSync(lockPath(file), `${owner}\n`);
      const release = lockStateFile(file);
      assert.equal(readFileSync(lockPath(file), 'utf8').trim(), String(process.pid));
      release();
      assert.deepEqual(readdirSync(dir).filter((entry) => entry.startsWith(name)), []);
    }
  });
});

describe('lockStateFile on a file system without hard links (FAT, exFAT, some network mounts)', () => {
  /** link() failing as such a file system makes it fail (link(2): EPERM; ENOTSUP on macOS and SMB). */
  const withoutHardLinks = (code: string, body: () => void) => {
    const link = mock.method(fs, 'linkSync', () => {
      throw Object.assign(new Error(`${code}: operation not permitted, link`), { code });
    });
    syncBuiltinESMExports();
    try {
      body();
    } finally {
      link.mock.restore();
      syncBuiltinESMExports();
    }
  };

  test('takes a free lock by an exclusive create, refuses a live owner\'s, takes a dead owner\'s over', () => {
    for (const code of ['EPERM', 'ENOTSUP']) {
      withoutHardLinks(code, () => {
        const file = join(dir, `nolinks-${code}.state`);
        const release = lockStateFile(file);
        assert.equal(readFileSync(lockPath(file), 'utf8').trim(), String(process.pid));
        // A second taker finds it: this process's own pid counts as stale, so another's is written.
        writeFileSync(lockPath(file), `${process.ppid}\n`);
        assert.throws(() => lockStateFile(file), new RegExp(`in use by another fvm-devnet \\(pid ${process.ppid}\\)`));
        writeFileSync(lockPath(file), `${deadPid()}\n`);
        const again = lockStateFile(file);
        assert.equal(readFileSync(lockPath(file), 'utf8').trim(), String(process.pid));
        again();
        release();
        assert.deepEqual(readdirSync(dir).filter((entry) => entry.startsWith(`nolinks-${code}`)), []);
      });
    }
  });

  test('a lock found empty (made, its pid not yet written) is waited for, not taken as damaged', async () => {
    const file = join(dir, 'empty.state');
    const lock = lockPath(file);
    // Another process makes the lock as the fallback does: created empty, its pid written 30 ms later.
    const other = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      fs.writeFileSync(${JSON.stringify(lock)}, '', { flag: 'wx' });
      console.log('made');
      setTimeout(() => fs.writeFileSync(${JSON.stringify(lock)}, process.pid + '\\n'), 30);
      setTimeout(() => {}, 60_000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(other.stdout!, 'data');
      assert.throws(() => lockStateFile(file), new RegExp(`in use by another fvm-devnet \\(pid ${other.pid}\\)`));
      assert.equal(readFileSync(lock, 'utf8').trim(), String(other.pid));
    } finally {
      other.kill();
    }
    // One that stays empty (its maker died between the two steps) is damaged: taken over.
    writeFileSync(lock, '');
    const release = lockStateFile(file);
    assert.equal(readFileSync(lock, 'utf8').trim(), String(process.pid));
    release();
  });
});
