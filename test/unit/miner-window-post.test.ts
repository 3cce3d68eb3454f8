// A miner whose Window PoSts are required (a forked miner: postsRequired): SubmitWindowedPoSt (5)
// and its checks, the deadline closes the fork's cron hands out (ForkedMinerDeadlines), faults for
// partitions no PoSt proved once a message took the miner over, expirations at the close of the
// sector's deadline, the closes a miner missed before the fork held it, caught up in order, and
// recoveries (DeclareFaultsRecovered makes a sector recovering; its partition's next PoSt recovers it,
// a deadline closing unproven retracts it), as builtin-actors does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBitfield } from '../../src/common/bitfield.js';
import { withUpstreamSchedule } from '../../src/devnet/fork/deal-ops.js';
import { ForkedMinerDeadlines } from '../../src/devnet/fork/miner-deadlines.js';
import type { ForkedProving } from '../../src/devnet/fork/upstream-proving.js';
import { BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { deadlineEndAtOrAfter, deadlineInfo, FAULT_MAX_AGE, faultFeeFor, provingPeriodStart, WPOST_CHALLENGE_WINDOW, WPOST_PROVING_PERIOD } from '../../src/fevm/actors/miner/policy.js';
import { sectorPower } from '../../src/fevm/actors/miner/state.js';
import { claimOf } from '../../src/fevm/actors/power.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { MINER, OWNER, minerHarness, type MinerHarness } from '../helpers/miner-harness.js';

const GIB32 = 32n << 30n;
const SUBMIT_WINDOWED_POST = 5;
const DECLARE_FAULTS = 10;
const DECLARE_FAULTS_RECOVERED = 11;
const powerOf = (h: MinerHarness) => claimOf(h.state.getActor(POWER_ACTOR_ID)!.power!, MINER)!.rawBytePower;

/**
 * The harness's miner (10 sectors: sector n in deadline n, partition 0) forked at the harness's first
 * epoch, its PoSts required; `expiration` changes sector 3's, `faultEpoch` makes sector 5 faulty since
 * then. The cron closes its deadlines once `held` has it (as the fork's does once it holds the miner's
 * proving state; from the start unless `held` is given).
 */
async function forkedMiner(expiration?: number, options: { faultEpoch?: number; held?: Map<number, ForkedProving | null> } = {}): Promise<MinerHarness> {
  const h = await minerHarness();
  const actor = h.state.getActor(MINER)!;
  const sectors = new Map(h.miner().sectors);
  if (expiration !== undefined) sectors.set(3, { ...sectors.get(3)!, expiration });
  if (options.faultEpoch !== undefined) sectors.set(5, { ...sectors.get(5)!, faultEpoch: options.faultEpoch });
  const forkEpoch = h.epoch - 1;
  h.state.putActor({ ...actor, miner: { ...actor.miner!, sectors, postsRequired: true, deadlinesClosedThrough: forkEpoch } });
  const held = options.held ?? new Map([[MINER, null]]);
  const deadlines = new ForkedMinerDeadlines(held, (id) => (id === MINER ? h.miner().provingPeriodOffset : undefined));
  h.state.putActor(withUpstreamSchedule(h.state.getActor(CRON_ACTOR_ID)!, deadlines, forkEpoch));
  return h;
}

const deadline = (h: MinerHarness) => deadlineInfo(h.epoch, h.miner().provingPeriodOffset);

/** SubmitWindowedPoStParams for `partitions` of deadline `index`, committed at the deadline's challenge. */
function post(h: MinerHarness, index: number, partitions: number[], overrides: { proofType?: number; commit?: number; skipped?: number[] } = {}) {
  return [index, partitions.map((p) => [p, encodeBitfield(overrides.skipped ?? [])]), [[overrides.proofType ?? h.miner().windowPoStProofType, new Uint8Array(192)]], overrides.commit ?? deadline(h).challenge, new Uint8Array(32)];
}

/** Moves to the opening of deadline `index` (its next occurrence). */
async function toDeadline(h: MinerHarness, index: number): Promise<void> {
  const d = deadline(h);
  await h.advanceTo(d.open + (((index - d.index + 48) % 48) || 48) * WPOST_CHALLENGE_WINDOW);
}

describe('SubmitWindowedPoSt (5) for a miner whose PoSts are required', () => {
  test('records the partitions proven in the current deadline; refuses another deadline, a partition twice, one without sectors', async () => {
    const h = await forkedMiner();
    await toDeadline(h, 4);
    assert.equal((await h.send(h.accounts[0], MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 5, [0]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0], { proofType: 99 }))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0], { commit: h.epoch }))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [1]))).exitCode, ExitCode.ErrNotFound);
    assert.equal(h.miner().takenOverAt, undefined);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, 0);
    assert.deepEqual(h.miner().postSubmissions?.get(4), [0]);
    // The first message that changes the miner takes it over.
    assert.equal(h.miner().takenOverAt, h.epoch);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, ExitCode.ErrIllegalArgument);
  });

  test('refuses skipped sectors outside the partition and a proof of no active sector, as builtin-actors', async () => {
    const h = await forkedMiner();
    await toDeadline(h, 4);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0], { skipped: [5] }))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0], { skipped: [4] }))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(h.miner().sectors.get(4)!.faultEpoch, undefined);
    // A partition whose sectors are all faulty has nothing to prove either (the fault declared before
    // the cut-off of the deadline's next occurrence: during the deadline it is late).
    assert.equal((await h.send(OWNER, MINER, DECLARE_FAULTS, [[[4, 0, encodeBitfield([4])]]])).exitCode, ExitCode.ErrIllegalArgument);
    await toDeadline(h, 2);
    assert.equal((await h.send(OWNER, MINER, DECLARE_FAULTS, [[[4, 0, encodeBitfield([4])]]])).exitCode, 0);
    await toDeadline(h, 4);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(h.miner().postSubmissions?.get(4), undefined);
  });

  test('a miner proven by simulation (the devnet\'s own) records no PoSt and is not taken over', async () => {
    const h = await minerHarness();
    await toDeadline(h, 4);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, 0);
    assert.equal(h.miner().postSubmissions, undefined);
    assert.equal(h.miner().takenOverAt, undefined);
    await h.advanceTo(h.epoch + 48 * WPOST_CHALLENGE_WINDOW);
    assert.equal(powerOf(h), 10n * GIB32);
  });

  test('at a deadline\'s close, the sectors of partitions no PoSt proved are faulted; proven ones keep their power', async () => {
    const h = await forkedMiner();
    await toDeadline(h, 4);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, 0);
    await toDeadline(h, 5);
    assert.equal(h.miner().sectors.get(4)!.faultEpoch, undefined);
    assert.equal(h.miner().postSubmissions?.has(4), false);
    await toDeadline(h, 6);
    assert.equal(h.miner().sectors.get(5)!.faultEpoch, deadline(h).open - 1);
    assert.equal(powerOf(h), 9n * GIB32);
    // A whole period unproven: every sector faulty, the closes still going.
    await h.advanceTo(h.epoch + 48 * WPOST_CHALLENGE_WINDOW);
    assert.equal([...h.miner().sectors.values()].filter((s) => s.faultEpoch === undefined).length, 0);
    assert.equal(powerOf(h), 0n);
    assert.ok(h.miner().deadlinesClosedThrough! >= h.epoch - WPOST_CHALLENGE_WINDOW);
  });

  test('a sector expires at the close of its deadline once its expiration has come', async () => {
    const h = await forkedMiner(100);
    await toDeadline(h, 0);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 0, [0]))).exitCode, 0);
    await toDeadline(h, 3);
    assert.ok(h.epoch > 100);
    assert.equal(h.miner().sectors.has(3), true);
    await toDeadline(h, 4);
    assert.equal(h.miner().sectors.has(3), false);
  });

  test('a sector due in an unproven partition is faulted before it expires, as builtin-actors detects missed proofs first', async () => {
    const h = await forkedMiner(100);
    await toDeadline(h, 3);
    assert.ok(h.epoch > 100);
    assert.equal((await h.send(OWNER, MINER, DECLARE_FAULTS, [[]])).exitCode, 0);
    await toDeadline(h, 4);
    assert.equal(h.miner().sectors.has(3), false);
    // Its power went once, with the fault; the devnet's own fault-fee cron is not the forked miner's.
    assert.equal(powerOf(h), 9n * GIB32);
    assert.equal(h.miner().faultCronEpoch, undefined);
  });

  test("the upstream's record of proven partitions holds only for the challenge window open at the fork point", async () => {
    // Forked at deadline 4: the upstream recorded partition 0 of deadline 4, and (stale, as an upstream may) of deadline 7.
    const forked = async () => {
      const h = await forkedMiner();
      await toDeadline(h, 4);
      const actor = h.state.getActor(MINER)!;
      const postSubmissions = new Map([[4, [0]], [7, [0]]]);
      h.state.putActor({ ...actor, miner: { ...actor.miner!, postSubmissions, upstreamPostWindow: deadline(h).open } });
      return h;
    };
    // First write in the fork's window: deadline 4's record holds (a PoSt again is refused), deadline 7's does not.
    const early = await forked();
    assert.equal((await early.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(early, 4, [0]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await early.send(OWNER, MINER, DECLARE_FAULTS, [[]])).exitCode, 0);
    assert.deepEqual([...early.miner().postSubmissions!], [[4, [0]]]);
    assert.equal(early.miner().upstreamPostWindow, undefined);
    // First write a deadline later: the fork's window has closed, nothing recorded holds; deadline 7 closes unproven.
    const late = await forked();
    await toDeadline(late, 5);
    assert.equal((await late.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(late, 5, [0]))).exitCode, 0);
    assert.deepEqual([...late.miner().postSubmissions!], [[5, [0]]]);
    await toDeadline(late, 8);
    assert.equal(late.miner().sectors.get(7)!.faultEpoch, deadline(late).open - 1);
  });

  test('until a message takes it over, its upstream provider is taken to prove it: closes fault nothing, sectors still expire', async () => {
    const h = await forkedMiner(100);
    await h.advanceTo(48 * WPOST_CHALLENGE_WINDOW + 1);
    assert.equal(h.miner().sectors.has(3), false);
    assert.equal([...h.miner().sectors.values()].filter((s) => s.faultEpoch !== undefined).length, 0);
    assert.equal(powerOf(h), 9n * GIB32);
  });

  test('a miner held late catches up the closes it missed, in order: the same sectors, faults, power and pledge as one held from the fork', async () => {
    // Sector 5 faulty upstream, reaching FAULT_MAX_AGE a few deadlines after the fork; sector 3 expiring at 100.
    const faultEpoch = 400 - FAULT_MAX_AGE;
    const early = await forkedMiner(100, { faultEpoch });
    const held = new Map<number, ForkedProving | null>();
    const late = await forkedMiner(100, { faultEpoch, held });
    await early.advanceTo(1000);
    await late.advanceTo(1000);
    assert.equal(late.miner().sectors.size, 10);
    assert.equal(late.miner().deadlinesClosedThrough, 0);
    // The fork fetches the miner's proving state now: its next close catches up the ones it missed.
    held.set(MINER, null);
    await late.advanceTo(1000 + WPOST_CHALLENGE_WINDOW + 1);
    assert.ok(late.miner().deadlinesClosedThrough! > 1000);
    await late.advanceTo(1000 + 49 * WPOST_CHALLENGE_WINDOW);
    await early.advanceTo(1000 + 49 * WPOST_CHALLENGE_WINDOW);
    const view = (h: MinerHarness) => ({ sectors: [...h.miner().sectors.keys()], power: powerOf(h), pledge: h.miner().initialPledge, through: h.miner().deadlinesClosedThrough, balance: h.balance(MINER) });
    assert.deepEqual(view(late), view(early));
    // Sector 3 expired, sector 5 terminated at FAULT_MAX_AGE (its fee burnt from the miner's balance).
    assert.deepEqual(view(early).sectors, [0, 1, 2, 4, 6, 7, 8, 9]);
  });

  test('its faulty sectors, those faulty upstream too, pay the fault fee at each proving period end, also when caught up late', async () => {
    // Sector 5 faulty upstream since before the fork (from the end of its deadline's last occurrence
    // before it, as a fork reads a fault back from its Early); the fork spans two proving periods' ends.
    const offset = (await minerHarness()).miner().provingPeriodOffset;
    const faultEpoch = deadlineEndAtOrAfter(0, offset, 5) - WPOST_PROVING_PERIOD;
    const early = await forkedMiner(undefined, { faultEpoch });
    const held = new Map<number, ForkedProving | null>();
    const late = await forkedMiner(undefined, { faultEpoch, held });
    const fee = faultFeeFor(sectorPower(early.miner().sectorSize, early.miner().sectors.get(5)!).qa);
    /** What the miner has been charged: burnt (block rewards repay debt by burning it) or owed. */
    const charged = (h: MinerHarness) => h.balance(BURNT_FUNDS_ACTOR_ID) + h.miner().feeDebt;
    const before = charged(early);
    assert.equal(charged(late), before);
    const end = early.epoch + 2 * WPOST_PROVING_PERIOD;
    await early.advanceTo(end);
    await late.advanceTo(end);
    assert.equal(charged(early) - before, 2n * fee);
    assert.equal(charged(late) - before, 0n);
    // The fork holds the late miner's proving state only now: its next close charges both periods' ends it missed.
    held.set(MINER, null);
    await early.advanceTo(end + WPOST_CHALLENGE_WINDOW);
    await late.advanceTo(end + WPOST_CHALLENGE_WINDOW);
    // Two periods' ends, or three if the last deadline closed was one.
    const lastClose = end + WPOST_CHALLENGE_WINDOW - 1;
    const ends = provingPeriodStart(lastClose + 1, early.miner().provingPeriodOffset) > end ? 3n : 2n;
    assert.equal(charged(early) - before, ends * fee);
    assert.equal(charged(late), charged(early));
    assert.equal(late.balance(MINER), early.balance(MINER));
    assert.equal(late.miner().sectors.get(5)!.faultEpoch, faultEpoch);
  });

  test('a declared recovery waits for the partition\'s next PoSt, which recovers the sector and its power', async () => {
    const h = await forkedMiner();
    // Two deadlines ahead: before deadline 4's fault cut-off (70 epochs before it opens).
    await toDeadline(h, 2);
    assert.equal((await h.send(OWNER, MINER, DECLARE_FAULTS, [[[4, 0, encodeBitfield([4])]]])).exitCode, 0);
    assert.equal((await h.send(OWNER, MINER, DECLARE_FAULTS_RECOVERED, [[[4, 0, encodeBitfield([4])]]])).exitCode, 0);
    const declared = h.miner().sectors.get(4)!;
    assert.deepEqual([declared.faultEpoch !== undefined, declared.recovering], [true, true]);
    // Still faulty: no power back yet.
    assert.equal(powerOf(h), 9n * GIB32);
    // A partition whose only sector is recovering can be proven, and the proof recovers it.
    await toDeadline(h, 4);
    const before = powerOf(h);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, 0);
    const proven = h.miner().sectors.get(4)!;
    assert.deepEqual([proven.faultEpoch, proven.recovering], [undefined, undefined]);
    assert.equal(powerOf(h), before + GIB32);
  });

  test('a recovery the PoSt skips, or whose deadline closes unproven, is retracted: the sector stays faulty', async () => {
    const h = await forkedMiner();
    await toDeadline(h, 2);
    for (const n of [4, 5]) {
      assert.equal((await h.send(OWNER, MINER, DECLARE_FAULTS, [[[n, 0, encodeBitfield([n])]]])).exitCode, 0);
      assert.equal((await h.send(OWNER, MINER, DECLARE_FAULTS_RECOVERED, [[[n, 0, encodeBitfield([n])]]])).exitCode, 0);
    }
    await toDeadline(h, 4);
    const before = powerOf(h);
    // Skipping the partition's only (recovering) sector leaves nothing to prove.
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0], { skipped: [4] }))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(h.miner().sectors.get(4)!.recovering, true);
    // Deadline 4 closes unproven, deadline 5 too: both recoveries are retracted, the sectors still faulty.
    await toDeadline(h, 6);
    for (const n of [4, 5]) {
      const sector = h.miner().sectors.get(n)!;
      assert.deepEqual([sector.faultEpoch !== undefined, sector.recovering], [true, undefined]);
    }
    assert.equal(powerOf(h), before);
  });
});

