// One node at a time on a --state file, as Lotus locks its repository (a second daemon refuses to
// start: node/repo/fsrepo.go, ErrRepoAlreadyLocked). Two nodes on one file would both journal into it
// and the last to exit would overwrite the other's chain (audit15 C6). The lock is `<file>.lock`,
// holding the owner's pid, made whole in one step (a temporary file linked into place, which fails if
// the lock exists). A lock whose pid no longer runs (kill -9, a crash), or is this process's own (a
// pid used again, as a container's restart gives), is stale: it is moved aside under a name of this
// process's and checked there before it is removed, so that two nodes taking over one stale lock
// cannot both remove the other's new one.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAlive, StateFileError } from './persistence.js';

export const lockPath = (path: string): string => `${path}.lock`;

/** Takes the lock of the state file `path`; returns how to release it. Throws if another running process holds it. */
export function lockStateFile(path: string): () => void {
  const lock = lockPath(path);
  const mine = `${lock}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryLink(mine, lock)) {
        return () => {
          if (ownerOf(lock) === process.pid) removeIfThere(lock);
        };
      }
      takeOverIfStale(path, lock);
    }
  } finally {
    removeIfThere(mine);
  }
  throw new StateFileError(`cannot lock state file ${path}: ${lock} keeps being made again by another process`);
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateFileError(`cannot lock state file ${to.slice(0, -'.lock'.length)}: ${(err as Error).message}`);
  }
}

/** Removes `lock` if its owner is gone (or is this process); throws if another running process holds it. */
function takeOverIfStale(path: string, lock: string): void {
  const owner = ownerOf(lock);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw inUse(path, lock, owner);
  const aside = `${lock}.${process.pid}.stale`;
  try {
    renameSync(lock, aside);
  } catch (err) {
    // Gone already: another node took it over first; the next attempt finds its new lock.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StateFileError(`cannot take over the stale lock ${lock}: ${(err as Error).message}`);
  }
  const moved = ownerOf(aside);
  if (moved !== owner) {
    // Another node took it over meanwhile and this moved its new lock: put it back, and refuse.
    tryLink(aside, lock);
    removeIfThere(aside);
    throw inUse(path, lock, moved ?? 0);
  }
  removeIfThere(aside);
}

const inUse = (path: string, lock: string, owner: number) =>
  new StateFileError(`state file ${path} is in use by another fvm-devnet (pid ${owner}); stop it, or remove ${lock} if no such node runs`);

/** The pid a lock file holds; undefined if it holds none (damaged: taken as stale) or is gone. */
function ownerOf(lock: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8').trim();
  } catch {
    return undefined;
  }
  return /^[1-9]\d*$/.test(text) ? Number(text) : undefined;
}

function removeIfThere(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateFileError(`cannot remove ${file}: ${(err as Error).message}`);
  }
}
