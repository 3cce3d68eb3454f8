// @ethereumjs's journal (10.1) keeps, for each checkpoint and each commit, a diff of what was warmed
// and touched since (a Set, a Map and a Set), and `cleanJournal` makes two Maps, two Sets and a first
// diff anew: ~12 collections, ~4 KB, a message of one frame. On FEVM they mostly stay empty (warm
// addresses and slots only price Ethereum gas, which the FVM's replaces; accounts are touched only
// by value moves). Here a new diff is one shared empty diff until the journal records something in
// it, and a journal that recorded nothing is cleaned without new collections. The same steps
// otherwise: the journal's own methods run, on the diff that is then the last.
import type { EVM } from '@ethereumjs/evm';

type Diff = [Set<string>, Map<string, Set<string>>, Set<string>];

/** What this uses of @ethereumjs's Journal, private there. */
interface JournalInternals {
  journal: Map<string, Set<string>>;
  alwaysWarmJournal: Map<string, Set<string>>;
  touched: Set<string>;
  journalDiff: [number, Diff][];
  journalHeight: number;
  stateManager: { checkpoint(): Promise<void>; commit(): Promise<void> };
  preimages?: Map<string, Uint8Array>;
  accessList?: Map<string, Set<string>>;
  checkpoint(): Promise<void>;
  commit(): Promise<void>;
  cleanJournal(): void;
  touchAccount(address: string): void;
  addWarmedAddress(address: Uint8Array): void;
  addWarmedStorage(address: Uint8Array, slot: Uint8Array): void;
}

/** The diff of a checkpoint or commit that recorded nothing (never written: see ownLastDiff). */
const EMPTY_DIFF: Diff = [new Set(), new Map(), new Set()];

/** Makes an EVM's journal open empty diffs as one shared diff, copied when first written to. */
export function shareEmptyDiffs(evmJournal: EVM['journal']): void {
  const journal = evmJournal as unknown as JournalInternals;
  const { cleanJournal, touchAccount, addWarmedAddress, addWarmedStorage } = Object.getPrototypeOf(journal) as JournalInternals;
  journal.checkpoint = function (this: JournalInternals) {
    this.journalHeight++;
    this.journalDiff.push([this.journalHeight, EMPTY_DIFF]);
    return this.stateManager.checkpoint();
  };
  journal.commit = function (this: JournalInternals) {
    this.journalHeight--;
    this.journalDiff.push([this.journalHeight, EMPTY_DIFF]);
    return this.stateManager.commit();
  };
  journal.cleanJournal = function (this: JournalInternals) {
    // All three sizes read and the diffs forgotten every time: calls (nothing recorded) and
    // transactions (something recorded) then run the same code, and neither deoptimizes the other's.
    const recorded = this.journal.size + this.alwaysWarmJournal.size + this.touched.size;
    this.journalHeight = 0;
    this.journalDiff = [[0, EMPTY_DIFF]];
    if (recorded > 0) cleanJournal.call(this);
  };
  // The journal's writers add to the last diff.
  journal.touchAccount = function (this: JournalInternals, address: string) {
    ownLastDiff(this);
    touchAccount.call(this, address);
  };
  journal.addWarmedAddress = function (this: JournalInternals, address: Uint8Array) {
    ownLastDiff(this);
    addWarmedAddress.call(this, address);
  };
  journal.addWarmedStorage = function (this: JournalInternals, address: Uint8Array, slot: Uint8Array) {
    ownLastDiff(this);
    addWarmedStorage.call(this, address, slot);
  };
}

/** The last diff made the journal's own (new collections) if it is the shared empty one. */
function ownLastDiff(journal: JournalInternals): void {
  const last = journal.journalDiff[journal.journalDiff.length - 1]!;
  if (last[1] === EMPTY_DIFF) last[1] = [new Set(), new Map(), new Set()];
}
