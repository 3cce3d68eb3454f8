// --state: the chain kept in a file across runs. The file is the whole chain, written atomically at
// start, every few seconds when it changed, and on exit; between two writes, each mined tipset is
// appended to a journal beside it (<file>.journal) before anyone hears of the tipset, so a node
// killed at any moment restarts with every transaction it had answered with a receipt. Appends are
// not fsynced: they survive the process dying, not the machine losing power. A rewind writes the
// whole file again; when that fails, the journal is never left mixing the branch left behind with
// the new one (see rewound()).
import { appendFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import type { Devnet } from './devnet.js';
import type { RewindKind } from './events.js';
import { decodeChain, removeStaleTemporaries, StateFileError, writeFileAtomically, type SavedChain } from './persistence.js';
import type { Tipset } from '../mining/tipset.js';

/** How often the whole chain is written again when it changed (which also empties the journal). */
const FULL_SAVE_INTERVAL_MS = 5_000;

export const journalPath = (path: string): string => `${path}.journal`;

/** The chain in `path` and its journal, or undefined when there is no file yet. */
export function readStateFile(path: string): SavedChain | undefined {
  if (!existsSync(path)) return undefined;
  const journal = existsSync(journalPath(path)) ? new Uint8Array(readFileSync(journalPath(path))) : undefined;
  return decodeChain(new Uint8Array(readFileSync(path)), `state file ${path}`, journal);
}

export class StateFile {
  /** The state version the file and the journal hold up to. */
  private journaled: number;
  /** The state version the file holds; undefined after a rewind the file missed (versions repeat after a revert). */
  private saved: number | undefined;
  /** An append failed, or a rewind could not be journaled: only a whole save can go on. */
  private broken = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onTipset = (tipset: Tipset) => this.append(tipset);
  private readonly onRewound = (kind: RewindKind) => this.attempt(() => this.rewound(kind));

  /** Writes the file at once (a path that cannot be written is a StateFileError here, before the node serves). */
  constructor(
    readonly path: string,
    private readonly devnet: Devnet,
    /** Told when a save or an append fails while running; the node goes on, the file keeps its last good chain. */
    private readonly onError: (err: StateFileError) => void,
  ) {
    removeStaleTemporaries(path);
    this.save();
    this.journaled = this.saved = devnet.stateVersion;
    // First in line, so the record is written before a subscriber or a waiting sender hears of the tipset.
    devnet.events.prependListener('tipset', this.onTipset);
    devnet.events.on('rewound', this.onRewound);
    this.timer = setInterval(() => {
      if (devnet.stateVersion !== this.saved) this.attempt(() => this.save());
    }, FULL_SAVE_INTERVAL_MS).unref();
  }

  /**
   * Writes the whole chain (`chain`: already encoded), then empties the journal (a crash in between
   * leaves records the load skips). A write that fails leaves the file and the journal as they were.
   */
  save(chain = this.devnet.save()): void {
    try {
      writeFileAtomically(this.path, chain);
    } catch (err) {
      throw new StateFileError(`cannot save the chain to ${this.path}: ${(err as Error).message}; the file is left as it was`);
    }
    try {
      if (existsSync(journalPath(this.path))) truncateSync(journalPath(this.path));
      else writeFileSync(journalPath(this.path), new Uint8Array());
    } catch (err) {
      throw new StateFileError(`cannot empty ${journalPath(this.path)}: ${(err as Error).message}`);
    }
    this.journaled = this.saved = this.devnet.stateVersion;
    this.broken = false;
  }

  /** Stops saving; the caller writes the final state with `save()`. */
  close(): void {
    clearInterval(this.timer);
    this.devnet.events.off('tipset', this.onTipset);
    this.devnet.events.off('rewound', this.onRewound);
  }

  private append(tipset: Tipset): void {
    if (this.broken) return this.attempt(() => this.save());
    const version = this.devnet.stateVersion;
    this.attempt(() => {
      try {
        appendFileSync(journalPath(this.path), this.devnet.journalRecord(this.journaled, tipset));
      } catch (err) {
        this.broken = true;
        throw new StateFileError(`cannot append tipset ${tipset.epoch} to ${journalPath(this.path)}: ${(err as Error).message}`);
      }
      this.journaled = version;
    });
  }

  /**
   * The journal holds the chain before the rewind, so the whole chain is written again. When it cannot
   * be, new records must not be stacked on the branch left behind: after a revert, a rewind record says
   * where the chain went back to; after a replaced chain (or if that record cannot be written) nothing
   * more is appended until a whole save succeeds, and a restart has the chain as it was before.
   */
  private rewound(kind: RewindKind): void {
    try {
      this.save();
      return;
    } catch (err) {
      this.saved = undefined;
      this.onError(err as StateFileError);
    }
    // Already broken: the journal may end in a record cut short, after which nothing can be read.
    if (this.broken) return;
    this.broken = true;
    const stopped = (before: string) => `nothing more is journaled until a whole save succeeds; a restart now has the chain as it was before ${before}`;
    if (kind === 'replace') throw new StateFileError(`the chain was replaced and cannot be saved: ${stopped('it')}`);
    try {
      appendFileSync(journalPath(this.path), this.devnet.journalRewind());
    } catch (err) {
      throw new StateFileError(`cannot append the revert to ${journalPath(this.path)}: ${(err as Error).message}; ${stopped('the revert')}`);
    }
    this.journaled = Math.min(this.journaled, this.devnet.stateVersion);
    this.broken = false;
  }

  private attempt(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.onError(err as StateFileError);
    }
  }
}
