// --state: the chain kept in a file across runs. The file is the whole chain, written atomically at
// start, every few seconds when it changed, and on exit; between two writes, each mined tipset is
// appended to a journal beside it (<file>.journal) before anyone hears of the tipset, so a node
// killed at any moment restarts with every transaction it had answered with a receipt. Appends are
// not fsynced: they survive the process dying, not the machine losing power.
import { appendFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import type { Devnet } from './devnet.js';
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
  private saved: number;
  /** An append failed: the journal misses a tipset, so only a whole save can go on. */
  private broken = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onTipset = (tipset: Tipset) => this.append(tipset);
  private readonly onRewound = () => this.attempt(() => this.save());

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
    const version = this.devnet.stateVersion;
    // Commits were undone since the last record (a snapshot revert): the journal cannot say so, the whole file can.
    if (version < this.journaled || this.broken) return this.attempt(() => this.save());
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

  private attempt(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.onError(err as StateFileError);
    }
  }
}
