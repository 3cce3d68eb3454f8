// A miner whose Window PoSts are required (a forked miner: postsRequired): SubmitWindowedPoSt (5)
// and its checks, the deadline cron its first message enrolls, faults for partitions no PoSt proved
// at their deadline's close, and expirations at the close of the sector's deadline.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBitfield } from '../../src/common/bitfield.js';
import { POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { deadlineInfo, WPOST_CHALLENGE_WINDOW } from '../../src/fevm/actors/miner/policy.js';
import { claimOf } from '../../src/fevm/actors/power.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { MINER, OWNER, minerHarness, type MinerHarness } from '../helpers/miner-harness.js';

const GIB32 = 32n << 30n;
const SUBMIT_WINDOWED_POST = 5;
const powerOf = (h: MinerHarness) => claimOf(h.state.getActor(POWER_ACTOR_ID)!.power!, MINER)!.rawBytePower;

/** The harness's miner (10 sectors: sector n in deadline n, partition 0), its PoSts required; `expiration` changes sector 3's. */
async function forkedMiner(expiration?: number): Promise<MinerHarness> {
  const h = await minerHarness();
  const actor = h.state.getActor(MINER)!;
  const sectors = new Map(h.miner().sectors);
  if (expiration !== undefined) sectors.set(3, { ...sectors.get(3)!, expiration });
  h.state.putActor({ ...actor, miner: { ...actor.miner!, sectors, postsRequired: true } });
  return h;
}

const deadline = (h: MinerHarness) => deadlineInfo(h.epoch, h.miner().provingPeriodOffset);

/** SubmitWindowedPoStParams for `partitions` of deadline `index`, committed at the deadline's challenge. */
function post(h: MinerHarness, index: number, partitions: number[], overrides: { proofType?: number; commit?: number } = {}) {
  return [index, partitions.map((p) => [p, encodeBitfield([])]), [[overrides.proofType ?? h.miner().windowPoStProofType, new Uint8Array(192)]], overrides.commit ?? deadline(h).challenge, new Uint8Array(32)];
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
    assert.equal(h.miner().deadlineCronEpoch, undefined);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, 0);
    assert.deepEqual(h.miner().postSubmissions?.get(4), [0]);
    // The first message that changes the miner enrolls its deadline cron at this deadline's last epoch.
    assert.equal(h.miner().deadlineCronEpoch, deadline(h).close - 1);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, ExitCode.ErrIllegalArgument);
  });

  test('a miner proven by simulation (the devnet\'s own) records no PoSt and gets no deadline cron', async () => {
    const h = await minerHarness();
    await toDeadline(h, 4);
    assert.equal((await h.send(OWNER, MINER, SUBMIT_WINDOWED_POST, post(h, 4, [0]))).exitCode, 0);
    assert.equal(h.miner().postSubmissions, undefined);
    assert.equal(h.miner().deadlineCronEpoch, undefined);
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
    // A whole period unproven: every sector faulty, the cron still going.
    await h.advanceTo(h.epoch + 48 * WPOST_CHALLENGE_WINDOW);
    assert.equal([...h.miner().sectors.values()].filter((s) => s.faultEpoch === undefined).length, 0);
    assert.equal(powerOf(h), 0n);
    assert.ok(h.miner().deadlineCronEpoch! >= h.epoch);
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
});
