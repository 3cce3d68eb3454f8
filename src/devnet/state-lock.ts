// One node at a time on a --state file, as Lotus locks its repository (a second daemon refuses to
// start: node/repo/fsrepo.go ErrRepoAlreadyLocked). Two nodes on one file would both journal into it
// and the last to exit would overwrite the other's chain (audit15 C6). The lock is `<file>.lock`,
// created exclusively and holding the owner's pid; one whose process is gone (kill -9, a crash) is
// taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { isAlive, StateFileError } from './persistence.js';

export const lockPath = (path: string): string => `${path}.lock`;

/** Takes the lock of the state file `path`; returns how to release it. Throws if a running process holds it. */
export function lockStateFile(path: string): () => void {
  const lock = lockPath(path);
  // A second try after removing a stale lock; a lock that is back by then is another node's.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateFileError(`cannot lock state file ${path}: ${(err as Error).message}`);
      const owner = ownerOf(lock);
      if (owner !== undefined && isAlive(owner)) {
        throw new StateFileError(`state file ${path} is in use by another fvm-devnet (pid ${owner}); stop it, or remove ${lock} if no such node runs`);
      }
      removeIfThere(lock);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return () => {
      if (ownerOf(lock) === process.pid) removeIfThere(lock);
    };
  }
  throw new StateFileError(`cannot lock state file ${path}: ${lock} was made again by another process`);
}

/** The pid a lock file holds; undefined if it holds none (being written, or damaged: taken as stale). */
function ownerOf(lock: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8').trim();
  } catch {
    return undefined;
  }
  return /^[1-9]\d*$/.test(text) ? Number(text) : undefined;
}

function removeIfThere(lock: string): void {
  try {
    unlinkSync(lock);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateFileError(`cannot remove the stale lock ${lock}: ${(err as Error).message}`);
  }
}
