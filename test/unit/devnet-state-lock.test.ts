// --state's lock (state-lock.ts): one node at a time on a file; a lock whose owner is gone, or is this
// very process (a pid used again after a kill -9), is taken over (review R6).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
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
