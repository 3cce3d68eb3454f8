// One node at a time on a --state file, as Lotus locks its repository (a second daemon refuses to
// start: node/repo/fsrepo.go, ErrRepoAlreadyLocked). Two nodes on one file would both journal into it
// and the last to exit would overwrite the other's chain (audit15 C6). The lock is `<file>.lock`,
// holding the owner's pid, made whole in one step (a temporary file linked into place, which fails if
// the lock exists). A file system without hard links (FAT, exFAT, some network mounts) gets the lock
// by an exclusive create instead, the pid written just after; a lock found empty is given a moment
// to get its pid before it counts as damaged. A lock whose pid no longer runs (kill -9, a crash), or
// is this process's own (a pid used again, as a container's restart gives), is stale: it is moved
// aside under a name of this process's and checked there before it is removed, so that two nodes
// taking over one stale lock cannot both remove the other's new one.
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { isAlive, StateFileError } from './persistence.js';

export const lockPath = (path: string): string => `${path}.lock`;

/** Takes the lock of the state file `path`; returns how to release it. Throws if another running process holds it. */
export function lockStateFile(path: string): () => void {
  const lock = lockPath(path);
  const mine = `${lock}.${process.pid}`;
  try {
    writeFileSync(mine, `${process.pid}\n`);
  } catch (err) {
    throw cannotLock(lock, err);
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryPlace(mine, lock)) {
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

/** The codes link() fails with where the file system has no hard links (link(2): EPERM; ENOTSUP on macOS and SMB). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);
/** How long a lock found empty may take to get its pid (an exclusive create, then one write of a few bytes). */
const EMPTY_LOCK_WAIT_MS = 1000;

/** Puts `from` at `to` too (a hard link, or a copy where there are none) unless `to` exists: false if it does. */
function tryPlace(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code!)) throw cannotLock(to, err);
  }
  return tryCreate(readFileSync(from), to);
}

/** The lock made by an exclusive create (O_EXCL), its content written after: false if it exists. */
function tryCreate(content: Uint8Array, to: string): boolean {
  let fd: number;
  try {
    fd = openSync(to, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannotLock(to, err);
  }
  try {
    writeSync(fd, content);
  } catch (err) {
    closeSync(fd);
    removeIfThere(to);
    throw cannotLock(to, err);
  }
  closeSync(fd);
  return true;
}

const cannotLock = (lock: string, err: unknown) => new StateFileError(`cannot lock state file ${lock.slice(0, -'.lock'.length)}: ${(err as Error).message}`);

/** Removes `lock` if its owner is gone (or is this process); throws if another running process holds it. */
function takeOverIfStale(path: string, lock: string): void {
  const owner = settledOwnerOf(lock);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw inUse(path, lock, owner);
  const aside = `${lock}.${process.pid}.stale`;
  try {
    renameSync(lock, aside);
  } catch (err) {
    // Gone already: another node took it over first; the next attempt finds its new lock.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StateFileError(`cannot take over the stale lock ${lock}: ${(err as Error).message}`);
  }
  const moved = settledOwnerOf(aside);
  if (moved !== owner) {
    // Another node took it over meanwhile and this moved its new lock: put it back, and refuse.
    tryPlace(aside, lock);
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

/** ownerOf, once a lock found empty has had its moment to get its pid (see tryCreate). */
function settledOwnerOf(lock: string): number | undefined {
  const waitedSince = Date.now();
  for (;;) {
    const owner = ownerOf(lock);
    if (owner !== undefined || statSync(lock, { throwIfNoEntry: false })?.size !== 0 || Date.now() - waitedSince >= EMPTY_LOCK_WAIT_MS) return owner;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

function removeIfThere(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateFileError(`cannot remove ${file}: ${(err as Error).message}`);
  }
}
