// journal-diffs.ts shares one empty diff among @ethereumjs's journal checkpoints and commits that
// record nothing: a journal with it must warm, touch, revert and clean exactly as one without it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Common, Mainnet } from '@ethereumjs/common';
import { EVM } from '@ethereumjs/evm';
import { Account, Address } from '@ethereumjs/util';
import { shareEmptyDiffs } from '../../src/fevm/actors/evm/journal-diffs.js';

type Journal = EVM['journal'];
/** Enough of a state manager for the journal: it forwards checkpoints and account writes. */
const stateManager = { checkpoint: async () => {}, commit: async () => {}, revert: async () => {}, putAccount: async () => {} };

function journals(): [Journal, Journal] {
  const common = new Common({ chain: Mainnet, hardfork: 'cancun' });
  const JournalClass = (new EVM({ common }).journal as object).constructor as new (sm: unknown, common: Common) => Journal;
  const shared = new JournalClass(stateManager, common);
  shareEmptyDiffs(shared);
  return [new JournalClass(stateManager, common), shared];
}

const addresses = [1, 2, 3].map((n) => new Address(new Uint8Array(20).fill(n)));
const slots = [1, 2].map((n) => new Uint8Array(32).fill(n));

/** What the journal answers: warm addresses and slots, touched accounts. */
function view(journal: Journal) {
  return {
    warm: addresses.map((a) => journal.isWarmedAddress(a.bytes)),
    warmSlots: addresses.flatMap((a) => slots.map((s) => journal.isWarmedStorage(a.bytes, s))),
    touched: [...(journal as unknown as { touched: Set<string> }).touched].sort(),
  };
}

describe('journal diffs', () => {
  test('a journal sharing empty diffs warms, touches, reverts and cleans as one that does not', async () => {
    // Steps as messages run them: frames open (checkpoint) and end (commit or revert), some warm or touch.
    const steps: ((j: Journal) => unknown)[] = [
      (j) => j.checkpoint(),
      (j) => j.checkpoint(),
      (j) => j.addWarmedAddress(addresses[0]!.bytes),
      (j) => j.commit(),
      (j) => j.checkpoint(),
      (j) => j.addWarmedStorage(addresses[1]!.bytes, slots[0]!),
      (j) => j.putAccount(addresses[2]!, new Account()),
      (j) => j.revert(),
      (j) => j.checkpoint(),
      (j) => j.checkpoint(),
      (j) => j.commit(),
      (j) => j.putAccount(addresses[1]!, new Account()),
      (j) => j.addWarmedStorage(addresses[0]!.bytes, slots[1]!),
      (j) => j.revert(),
      (j) => j.commit(),
      (j) => j.cleanJournal(),
      (j) => j.checkpoint(),
      (j) => j.commit(),
      (j) => j.cleanJournal(),
      (j) => j.checkpoint(),
      (j) => j.addWarmedAddress(addresses[2]!.bytes),
      (j) => j.putAccount(addresses[0]!, new Account()),
      (j) => j.commit(),
      (j) => j.checkpoint(),
      (j) => j.revert(),
    ];
    const [plain, shared] = journals();
    for (const [i, step] of steps.entries()) {
      await step(plain);
      await step(shared);
      assert.deepEqual(view(shared), view(plain), `after step ${i}`);
    }
    // Something was warm and touched along the way, and the last step's view is not empty.
    assert.ok(view(plain).warm.some(Boolean));
    assert.ok(view(plain).touched.length > 0);
  });

  test('the shared empty diff stays empty', async () => {
    const [, journal] = journals();
    await journal.checkpoint();
    journal.addWarmedAddress(addresses[0]!.bytes);
    await journal.putAccount(addresses[1]!, new Account());
    await journal.commit();
    await journal.checkpoint();
    journal.addWarmedStorage(addresses[2]!.bytes, slots[0]!);
    await journal.revert();
    await journal.checkpoint();
    await journal.commit();
    const diffs = (journal as unknown as { journalDiff: [number, [Set<string>, Map<string, unknown>, Set<string>]][] }).journalDiff;
    // The diffs that recorded nothing are one object (the shared one), which holds nothing.
    const counts = new Map<object, number>();
    for (const [, diff] of diffs) counts.set(diff, (counts.get(diff) ?? 0) + 1);
    const shared = [...counts].filter(([, n]) => n > 1).map(([diff]) => diff as [Set<string>, Map<string, unknown>, Set<string>]);
    assert.equal(shared.length, 1);
    assert.ok(shared[0]!.every((collection) => collection.size === 0));
  });
});
