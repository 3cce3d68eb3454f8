// --state: the chain kept in a file across runs. The file is the whole chain as of its last whole
// save; each mined tipset is appended to a journal beside it (<file>.journal) before anyone hears of
// the tipset, and so are a revert (a rewind record) and state edits made between tipsets (within
// EDITS_INTERVAL_MS), so a node killed at any moment restarts with every transaction it had answered
// with a receipt (and the messages replaced by fee, found as their replacements). Appends are not fsynced: they survive the process dying, not the machine losing power.
//
// A whole save costs time in proportion to the chain, an append in proportion to its tipset. So the
// whole file is written when it is new (a node started from the file and its journal goes on with
// both), on exit, after a replaced chain (anvil_loadState), and otherwise only when the journal has
// grown to JOURNAL_SHARE of the file (a log-structured store's compaction), then in steps of about
// STEP_MS across turns of the event loop, while the node goes on serving and journaling; once
// the new file is in place, the journal keeps only the records appended since the compaction began.
// When the turns are long (clients that never let the queue idle: back-to-back anvil_mine of 1000
// tipsets, seconds a turn), a step takes TURN_SHARE of the time since the last one instead, up to
// MAX_STEP_MS, so that the compaction keeps pace with the journal rather than writing 8 ms a turn
// (the journal then reaches up to ~2x the file while a compaction runs, measured 1.8x, and falls
// back when it is in place).
// With the journal at most as long as the file, a load reads at most half the chain from records
// (which load 10-40 % slower than the file; up to two thirds under a queue never idle), and the
// saves of a whole run write about twice the final chain.
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import type { Devnet } from './devnet.js';
import type { RewindKind } from './events.js';
import { AtomicFile, decodeChain, removeStaleTemporaries, StateFileError, writeFileAtomically, type ChainPiece, type SavedChain } from './persistence.js';
import type { Tipset } from '../mining/tipset.js';

/** The journal's size, as a share of the file's, at which the whole file is written again. */
const JOURNAL_SHARE = 1;
/** The least time one step of a compaction may hold the event loop (TURN_SHARE can make it longer). */
const STEP_MS = 8;
/**
 * Or, if longer, this share of the time since the last step ended: the compaction gets at least a
 * fifth of the node's time however long the turns between its steps, up to MAX_STEP_MS a step.
 */
const TURN_SHARE = 0.25;
/**
 * The longest a step may hold the event loop, however long the turn before it (a 10 s turn would
 * otherwise add a 2.5 s step to every client's next answer); above the 1.9 s longest step measured
 * under a queue never idle, so it does not slow the compaction there.
 */
const MAX_STEP_MS = 2_000;
/** How often state edits made between tipsets (cheat codes) are journaled. */
const EDITS_INTERVAL_MS = 5_000;
/** How long after a failed compaction the next may start. */
const RETRY_MS = 5_000;

export interface CompactionRule {
  /** The journal's size, as a share of the file's, at which the whole file is written again. */
  journalShare: number;
  /** The least time one step of the write may hold the event loop (turnShare can make it longer). */
  stepMs: number;
  /** Or, if longer, this share of the time since the last step ended. */
  turnShare: number;
  /** The longest one step may hold the event loop, whatever turnShare gives. */
  maxStepMs: number;
  /** How long after a failed compaction the next may start. */
  retryMs: number;
}

export const journalPath = (path: string): string => `${path}.journal`;

/** The chain in `path` and its journal, or undefined when there is no file yet; `hotMessages` as the node's (decodeChain). */
export function readStateFile(path: string, hotMessages?: number): SavedChain | undefined {
  if (!existsSync(path)) return undefined;
  const journal = existsSync(journalPath(path)) ? readBytes(journalPath(path), `the journal ${journalPath(path)}`) : new Uint8Array();
  return decodeChain(readBytes(path, `state file ${path}`), `state file ${path}`, { journal, hotMessages });
}

/** A file's bytes, as a plain Uint8Array over the Buffer read (not a copy of it); `what` names it in the error of a file that cannot be read. */
export function readBytes(path: string, what = path): Uint8Array {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (err) {
    throw new StateFileError(`cannot read ${what}: ${(err as Error).message}`);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/** Cuts the journal of `path` to its first `length` bytes, making it (empty) if there is none. */
function cutJournal(path: string, length: number): void {
  if (existsSync(journalPath(path))) truncateSync(journalPath(path), length);
  else writeFileSync(journalPath(path), new Uint8Array());
}

const cannotSave = (path: string, err: unknown) => new StateFileError(`cannot save the chain to ${path}: ${(err as Error).message}; the file is left as it was`);

export class StateFile {
  /** The state version the file and the journal hold up to. */
  private journaled: number;
  /** The tipsets the file and the journal hold. */
  private journaledTipsets: number;
  /** The replaced messages (Devnet.replacedCount) the file and the journal hold. */
  private journaledReplaced: number;
  /**
   * An append failed, or a rewind could not be journaled: until the journal is healed (`heal`), sends
   * and cheat codes that change the chain are refused (`checkWritable`), as a restart would lose them.
   */
  private broken = false;
  /** Why: the failed write's error. */
  private failure = '';
  /** A rewind could not be journaled: only a whole save heals. */
  private wholeSaveNeeded = false;
  private fileBytes = 0;
  private journalBytes = 0;
  private compaction: Compaction | undefined;
  /** No compaction starts before this time (Date.now()): the last one failed. */
  private retryAt = 0;
  private readonly rule: CompactionRule;
  private readonly timer: NodeJS.Timeout;
  private readonly onTipset = (tipset: Tipset) => this.append(tipset);
  private readonly onRewound = (kind: RewindKind) => this.attempt(() => this.rewound(kind));

  /**
   * Writes the file at once, unless the devnet's chain is `loaded`, read from this file and its journal
   * (readStateFile), which then go on as they are. A path that cannot be written is a StateFileError
   * here, before the node serves.
   */
  constructor(
    readonly path: string,
    private readonly devnet: Devnet,
    /** Told when a save or an append fails while running; the node goes on, the file keeps its last good chain. */
    private readonly onError: (err: StateFileError) => void,
    { loaded, rule = {} }: { loaded?: SavedChain; rule?: Partial<CompactionRule> } = {},
  ) {
    this.rule = { journalShare: JOURNAL_SHARE, stepMs: STEP_MS, turnShare: TURN_SHARE, maxStepMs: MAX_STEP_MS, retryMs: RETRY_MS, ...rule };
    removeStaleTemporaries(path);
    removeStaleTemporaries(journalPath(path));
    const untouched = loaded?.journalBytes !== undefined && devnet.stateVersion === loaded.size.commits && devnet.chain.all().length === loaded.size.tipsets;
    if (untouched) this.resume(loaded.journalBytes!);
    else this.save();
    this.journaled = devnet.stateVersion;
    this.journaledTipsets = devnet.chain.all().length;
    this.journaledReplaced = devnet.replacedCount;
    devnet.guardWrites(() => this.checkWritable());
    // First in line, so the record is written before a subscriber or a waiting sender hears of the tipset.
    devnet.events.prependListener('tipset', this.onTipset);
    devnet.events.on('rewound', this.onRewound);
    this.timer = setInterval(() => {
      if (devnet.stateVersion !== this.journaled || devnet.replacedCount !== this.journaledReplaced) this.append(undefined);
    }, EDITS_INTERVAL_MS).unref();
    this.compactIfDue();
  }

  /**
   * Goes on with the file and the journal the chain was loaded from, the journal cut after the records
   * read. The temporary file a save writes is made and removed once, so that a directory where the
   * file cannot be written again stops the node here, as a new file does.
   */
  private resume(journalBytes: number): void {
    try {
      new AtomicFile(this.path).abort();
    } catch (err) {
      throw cannotSave(this.path, err);
    }
    try {
      cutJournal(this.path, journalBytes);
    } catch (err) {
      throw new StateFileError(`cannot append to ${journalPath(this.path)}: ${(err as Error).message}`);
    }
    this.fileBytes = statSync(this.path).size;
    this.journalBytes = journalBytes;
  }

  /**
   * Writes the whole chain (`chain`: already encoded), then empties the journal (a crash in between
   * leaves records the load skips, a format 2 journal too: persistence.ts applyCheckedJournal). A
   * write that fails leaves the file and the journal as they were.
   */
  save(chain = this.devnet.save()): void {
    this.stopCompaction();
    try {
      writeFileAtomically(this.path, chain);
    } catch (err) {
      throw cannotSave(this.path, err);
    }
    this.fileBytes = chain.length;
    try {
      cutJournal(this.path, 0);
    } catch (err) {
      throw new StateFileError(`cannot empty ${journalPath(this.path)}: ${(err as Error).message}`);
    }
    this.journalBytes = 0;
    this.markJournaled();
    this.broken = this.wholeSaveNeeded = false;
  }

  /** Stops saving (a compaction under way is dropped); the caller writes the final state with `save()`. */
  close(): void {
    clearInterval(this.timer);
    this.stopCompaction();
    this.devnet.events.off('tipset', this.onTipset);
    this.devnet.events.off('rewound', this.onRewound);
    this.devnet.guardWrites(() => {});
  }

  /**
   * Throws while the journal cannot be written, so that the node answers no send or chain edit that a
   * restart would lose (called before them, and after a send's or a mine's tipset is mined); each call
   * first tries to heal it, so the node recovers once the disk has room.
   */
  checkWritable(): void {
    if (!this.broken || this.heal()) return;
    const unsaved = this.devnet.chain.all()[this.journaledTipsets];
    const lost = unsaved ? `; the tipsets from epoch ${unsaved.epoch} on are mined but not saved (a restart would lose them)` : '';
    throw new StateFileError(`${this.failure}${lost}; sends and cheat codes that change the chain are refused until it can be written`);
  }

  /**
   * Writes what the journal misses: the records of the tipsets and edits since it was last written
   * (after cutting a record a failed append left short), or the whole file after an unjournaled rewind.
   */
  private heal(): boolean {
    try {
      // A journal shorter than what it held (removed, replaced) has lost records: the whole file is written.
      const journal = journalPath(this.path);
      if (this.wholeSaveNeeded || !existsSync(journal) || statSync(journal).size < this.journalBytes) {
        this.save();
        return true;
      }
      truncateSync(journal, this.journalBytes);
      const records = this.recordsAfter({ journalBytes: this.journalBytes, version: this.journaled, tipsets: this.journaledTipsets, replaced: this.journaledReplaced });
      appendFileSync(journal, records);
      this.journalBytes += records.length;
    } catch (err) {
      this.failure = err instanceof StateFileError ? err.message : `cannot append to ${journalPath(this.path)}: ${(err as Error).message}`;
      return false;
    }
    this.markJournaled();
    this.broken = false;
    return true;
  }

  /** Journals `tipset`, or the state edits since the last record when none is given. */
  private append(tipset: Tipset | undefined): void {
    // Broken: the journal is healed with this record, or the whole file is written again in steps, as soon as the retry interval allows.
    if (this.broken && !this.heal()) return this.compactIfDue();
    if (this.devnet.stateVersion === this.journaled && this.devnet.chain.all().length === this.journaledTipsets && this.devnet.replacedCount === this.journaledReplaced) return this.compactIfDue();
    this.attempt(() => {
      this.appendRecord(this.devnet.journalRecord(this.journaled, tipset, this.journaledReplaced), tipset ? `tipset ${tipset.epoch}` : 'the state edits');
      this.markJournaled();
      this.compactIfDue();
    });
  }

  private appendRecord(record: Uint8Array, what: string): void {
    try {
      appendFileSync(journalPath(this.path), record);
    } catch (err) {
      this.broken = true;
      this.failure = `cannot append ${what} to ${journalPath(this.path)}: ${(err as Error).message}`;
      throw new StateFileError(this.failure);
    }
    this.journalBytes += record.length;
  }

  /**
   * A revert is journaled as a rewind record (the load cuts the chain back there), so that the records
   * after it go on from that point; a replaced chain (or a revert that cannot be journaled) has the
   * whole chain written again. When that fails too, nothing more is appended until a whole save
   * succeeds, and a restart has the chain as it was before the rewind.
   */
  private rewound(kind: RewindKind): void {
    // A compaction under way reads the history the rewind has just changed.
    this.stopCompaction();
    const stopped = (before: string) => `nothing more is journaled until a whole save succeeds; a restart now has the chain as it was before ${before}`;
    if (kind === 'revert' && !this.broken) {
      try {
        this.appendRecord(this.devnet.journalRewind(), 'the revert');
        this.journaled = Math.min(this.journaled, this.devnet.stateVersion);
        this.journaledTipsets = this.devnet.chain.all().length;
        this.journaledReplaced = Math.min(this.journaledReplaced, this.devnet.replacedCount);
        this.compactIfDue();
        return;
      } catch (err) {
        this.onError(new StateFileError(`${(err as Error).message}; ${stopped('the revert')}`));
      }
    }
    try {
      this.save();
      return;
    } catch (err) {
      this.onError(err as StateFileError);
      this.failure = (err as Error).message;
    }
    this.wholeSaveNeeded = true;
    // Already broken by an append: the journal may end in a record cut short, after which nothing can be read.
    if (this.broken) return;
    this.broken = true;
    throw new StateFileError(`the chain was replaced and cannot be saved: ${stopped('it')}`);
  }

  /** Starts writing the whole file again, in steps, when the journal has grown to its share of the file (or is broken). */
  private compactIfDue(): void {
    const due = this.broken || this.journalBytes >= this.rule.journalShare * this.fileBytes;
    if (this.compaction || !due || Date.now() < this.retryAt) return;
    try {
      const holds = { journalBytes: this.journalBytes, version: this.devnet.stateVersion, tipsets: this.devnet.chain.all().length, replaced: this.devnet.replacedCount };
      this.compaction = new Compaction(this.path, this.devnet.saveInSteps(), holds, this.rule, (err) => this.compacted(err));
    } catch (err) {
      this.failedCompaction(err);
    }
  }

  /**
   * The compaction's new file is in place (or it failed): the journal keeps the records appended since
   * it began, or, when broken (nothing appended), gets the records of what came after the file's chain.
   */
  private compacted(err: unknown): void {
    const { bytes, holds } = this.compaction!;
    this.compaction = undefined;
    if (err) return this.failedCompaction(err);
    this.fileBytes = bytes;
    // Until the journal is replaced, its records the new file holds are skipped by a load.
    let journal: Uint8Array;
    try {
      journal = this.broken ? this.recordsAfter(holds) : readFrom(journalPath(this.path), holds.journalBytes);
      writeFileAtomically(journalPath(this.path), journal);
    } catch (error) {
      this.retryAt = Date.now() + this.rule.retryMs;
      return this.onError(new StateFileError(`cannot empty ${journalPath(this.path)}: ${(error as Error).message}`));
    }
    if (this.broken) {
      this.journalBytes = journal.length;
      this.markJournaled();
      this.broken = this.wholeSaveNeeded = false;
    } else this.journalBytes -= holds.journalBytes;
  }

  /** The file and the journal hold the chain as it is now. */
  private markJournaled(): void {
    this.journaled = this.devnet.stateVersion;
    this.journaledTipsets = this.devnet.chain.all().length;
    this.journaledReplaced = this.devnet.replacedCount;
  }

  /**
   * The records of the state commits, tipsets and replaced messages after `holds`: the commits and
   * replaced messages with the first tipset, then one record a tipset.
   */
  private recordsAfter(holds: CompactionHolds): Uint8Array {
    const records: Uint8Array[] = [];
    let from = holds.version;
    let replaced = holds.replaced;
    for (const tipset of this.devnet.chain.all().slice(holds.tipsets)) {
      records.push(this.devnet.journalRecord(from, tipset, replaced));
      from = this.devnet.stateVersion;
      replaced = this.devnet.replacedCount;
    }
    if (from !== this.devnet.stateVersion || replaced !== this.devnet.replacedCount) records.push(this.devnet.journalRecord(from, undefined, replaced));
    return Buffer.concat(records);
  }

  private failedCompaction(err: unknown): void {
    this.retryAt = Date.now() + this.rule.retryMs;
    this.onError(cannotSave(this.path, err));
  }

  private stopCompaction(): void {
    this.compaction?.stop();
    this.compaction = undefined;
  }

  private attempt(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.onError(err as StateFileError);
    }
  }
}

/** What a compaction's file holds: the chain at its start (state version, tipsets, replaced messages), and the journal's length then. */
interface CompactionHolds {
  journalBytes: number;
  version: number;
  tipsets: number;
  replaced: number;
}

/**
 * A whole save written in steps (encodeChainInSteps' pieces into an AtomicFile, one write about every
 * `stepMs`), each holding the event loop for `stepMs`, or `turnShare` of the time since the last step
 * ended if longer (at most `maxStepMs`), and the
 * piece that passes it (at most 128 messages or state values encoded, or one cold tipset's messages
 * decoded), the next on a later turn; `done` is told once the new file is
 * in place or the write failed (its temporary file then removed). `stop` drops it.
 */
class Compaction {
  private readonly file: AtomicFile;
  private next: NodeJS.Immediate | undefined;
  private stopped = false;
  private lastStepEnd = performance.now();

  constructor(
    path: string,
    private readonly pieces: Generator<ChainPiece, void, void>,
    readonly holds: CompactionHolds,
    private readonly rule: Pick<CompactionRule, 'stepMs' | 'turnShare' | 'maxStepMs'>,
    private readonly done: (err?: unknown) => void,
  ) {
    this.file = new AtomicFile(path);
    this.next = setImmediate(() => this.step());
  }

  get bytes(): number {
    return this.file.length;
  }

  stop(): void {
    this.stopped = true;
    clearImmediate(this.next);
    this.file.abort();
  }

  private step(): void {
    const { stepMs, turnShare, maxStepMs } = this.rule;
    const start = performance.now();
    const until = start + Math.min(maxStepMs, Math.max(stepMs, turnShare * (start - this.lastStepEnd)));
    // One write about every stepMs rather than one a piece (pieces are a few kB, and each write is a
    // system call), so a long step holds no more than a short one's pieces.
    let encoded: Uint8Array[] = [];
    let writeAt = start + stepMs;
    let more = false;
    try {
      for (let piece = this.pieces.next(); !piece.done; piece = this.pieces.next()) {
        if (piece.value) encoded.push(piece.value);
        const now = performance.now();
        if (now > until) {
          more = true;
          break;
        }
        if (now > writeAt && encoded.length > 0) {
          this.file.write(Buffer.concat(encoded));
          encoded = [];
          writeAt = now + stepMs;
        }
      }
      if (encoded.length > 0) this.file.write(Buffer.concat(encoded));
    } catch (err) {
      return this.finish(err);
    }
    if (more) {
      this.lastStepEnd = performance.now();
      this.next = setImmediate(() => this.step());
      return;
    }
    // Flushed to the disk off the event loop (a busy disk can take long over it); the commit's own
    // flush then has nothing left to write.
    this.file.flush((err) => this.stopped || this.finish(err));
  }

  private finish(err: unknown): void {
    try {
      if (err) throw err;
      this.file.commit();
    } catch (error) {
      this.file.abort();
      return this.done(error);
    }
    this.done();
  }
}

/** The bytes of the file at `path` from `offset` to its end. */
function readFrom(path: string, offset: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    for (let at = offset; ; ) {
      const chunk = Buffer.alloc(1 << 16);
      const read = readSync(fd, chunk, 0, chunk.length, at);
      if (read === 0) return Buffer.concat(chunks);
      chunks.push(chunk.subarray(0, read));
      at += read;
    }
  } finally {
    closeSync(fd);
  }
}
