// Block rewards vest as builtin-actors v18 vests them (actors/miner/src/lib.rs apply_rewards,
// monies.rs locked_reward_from_reward, state.rs add_locked_funds, vesting_state.rs): three quarters of
// each reward locked, vesting linearly over 180 days in daily steps quantized to 12-hour marks from the
// proving period's start; unlocked by the deadline cron after they vest, by a withdrawal, and by a fee,
// which draws on them first. The power actor's pledge total, Lotus's FilLocked, follows the locked funds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBigInt, encodeBigInt } from '../../src/common/cbor.js';
import { POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { provingPeriodStart } from '../../src/fevm/actors/miner/policy.js';
import { rewardVestingTable, unlockVestedAndUnvestedFunds, vestingHead, vestingTable, type FullMinerState, type VestingFund } from '../../src/fevm/actors/miner/state.js';
import { BLOCK_REWARD } from '../../src/fevm/actors/reward.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { FIL, MINER, OWNER, minerHarness, type MinerHarness } from '../helpers/miner-harness.js';

const DAY = 2880;
const LOCKED = (BLOCK_REWARD * 3n) / 4n;

/** builtin-actors' add_locked_funds table, step by step as vesting_state.rs computes it (QuantSpec quantize_up, div_floor). */
function referenceTable(amount: bigint, epoch: number, periodStart: number): VestingFund[] {
  const unit = DAY / 2;
  const quantizeUp = (e: number) => {
    const offset = ((periodStart % unit) + unit) % unit;
    const remainder = (((e - offset) % unit) + unit) % unit;
    return remainder === 0 ? e : e - remainder + unit;
  };
  const funds: VestingFund[] = [];
  let vested = 0n;
  for (let e = epoch + DAY; vested < amount; e += DAY) {
    const vestEpoch = quantizeUp(e);
    const elapsed = vestEpoch - epoch;
    const target = elapsed < 180 * DAY ? (amount * BigInt(elapsed)) / BigInt(180 * DAY) : amount;
    funds.push({ epoch: vestEpoch, amount: target - vested });
    vested = target;
  }
  return funds;
}

/** merge_join_by of two tables: by epoch, amounts of one epoch added. */
function referenceMerge(tables: VestingFund[][]): VestingFund[] {
  const sums = new Map<number, bigint>();
  for (const table of tables) for (const f of table) sums.set(f.epoch, (sums.get(f.epoch) ?? 0n) + f.amount);
  return [...sums].sort(([a], [b]) => a - b).map(([epoch, amount]) => ({ epoch, amount }));
}

const vestingFunds = async (h: MinerHarness) => {
  const [funds] = (await h.send(OWNER, MINER, methodNumber('GetVestingFunds'))).value as [[number, Uint8Array][]];
  return funds.map(([epoch, amount]) => ({ epoch, amount: decodeBigInt(amount) }));
};
const available = async (h: MinerHarness) => decodeBigInt((await h.send(OWNER, MINER, methodNumber('GetAvailableBalance'))).value as Uint8Array);
const pledgeTotal = (h: MinerHarness) => h.state.getActor(POWER_ACTOR_ID)!.power!.totalPledgeCollateral ?? 0n;

/** Pays the block reward of epoch `epoch` to MINER. */
async function award(h: MinerHarness, epoch: number) {
  await h.advanceTo(epoch);
  assert.equal(await h.executor.awardBlockReward(h.state, h.ctx(), MINER), ExitCode.Ok);
}

describe('block reward vesting (builtin-actors v18 apply_rewards)', () => {
  test('a reward\'s table: 180 daily steps on 12-hour marks from the proving period\'s start, adding up to the amount', () => {
    for (const [amount, epoch, offset] of [
      [LOCKED, 7, 0],
      [LOCKED + 12_345n, 1_000_003, 1_717],
      [3n, 50, 2_879],
      [10n ** 27n + 1n, 518_399, 60],
    ] as const) {
      const periodStart = provingPeriodStart(epoch, offset);
      const table = rewardVestingTable(amount, epoch, periodStart);
      assert.deepEqual(table, referenceTable(amount, epoch, periodStart));
      assert.equal(table.reduce((sum, f) => sum + f.amount, 0n), amount);
      assert.ok(table.every((f) => (f.epoch - periodStart) % (DAY / 2) === 0));
      assert.ok(table[0]!.epoch >= epoch + DAY && table[0]!.epoch < epoch + DAY + DAY / 2);
    }
    assert.equal(rewardVestingTable(LOCKED, 7, 0).length, 180);
  });

  test('ApplyRewards locks three quarters with that table, the rest available at once; the pledge total counts the locked part', async () => {
    const h = await minerHarness();
    const [pledge, availableBefore] = [pledgeTotal(h), await available(h)];
    await award(h, 10);
    const m = h.miner();
    assert.equal(m.lockedFunds, LOCKED);
    assert.deepEqual(await vestingFunds(h), referenceTable(LOCKED, 10, provingPeriodStart(10, m.provingPeriodOffset)));
    assert.equal(await available(h), availableBefore + BLOCK_REWARD - LOCKED);
    assert.equal(pledgeTotal(h) - pledge, LOCKED);
  });

  test('rewards of many tipsets merge into one table, amounts of one epoch added', async () => {
    const h = await minerHarness();
    const epochs = Array.from({ length: 150 }, (_, i) => 5 + i * 7);
    for (const epoch of epochs) await award(h, epoch);
    const offset = h.miner().provingPeriodOffset;
    const expected = referenceMerge(epochs.map((e) => referenceTable(LOCKED, e, provingPeriodStart(e, offset))));
    assert.deepEqual(await vestingFunds(h), expected);
    assert.deepEqual(vestingTable(h.miner()), expected);
    assert.equal(h.miner().lockedFunds, LOCKED * BigInt(epochs.length));
  });

  test('the deadline cron after a fund\'s epoch unlocks it: it leaves the table, the locked funds and the pledge total', async () => {
    const h = await minerHarness();
    await award(h, 10);
    const [first] = await vestingFunds(h);
    const pledge = pledgeTotal(h);
    // Not before the end of the deadline after its epoch (which begins there: a 12-hour mark is a deadline's start).
    await h.advanceTo(first!.epoch + 59);
    assert.equal(h.miner().lockedFunds, LOCKED);
    await h.advanceTo(first!.epoch + 60);
    assert.equal(h.miner().lockedFunds, LOCKED - first!.amount);
    assert.equal((await vestingFunds(h))[0]!.epoch, first!.epoch + DAY);
    assert.equal(pledgeTotal(h), pledge - first!.amount);
  });

  test('fee debt is repaid from the vesting funds first, after the reward is locked', async () => {
    const h = await minerHarness();
    await award(h, 10);
    const miner = h.state.getActor(MINER)!;
    h.state.putActor({ ...miner, miner: { ...h.miner(), feeDebt: 2n * FIL } });
    const [balance, pledge] = [h.balance(MINER), pledgeTotal(h)];
    await award(h, 20);
    const m = h.miner();
    assert.equal(m.feeDebt, 0n);
    assert.equal(h.balance(MINER), balance + BLOCK_REWARD - 2n * FIL);
    // Both rewards locked, less the 2 FIL the debt took from the earliest funds.
    assert.equal(m.lockedFunds, 2n * LOCKED - 2n * FIL);
    assert.equal(pledgeTotal(h), pledge + LOCKED - 2n * FIL);
    const offset = m.provingPeriodOffset;
    const whole = referenceMerge([10, 20].map((e) => referenceTable(LOCKED, e, provingPeriodStart(e, offset))));
    assert.equal((await vestingFunds(h)).reduce((sum, f) => sum + f.amount, 0n), whole.reduce((sum, f) => sum + f.amount, 0n) - 2n * FIL);
  });

  test('fees drawn one after another before anything vests leave the table one draw of their sum leaves (earliest first, no fund of nothing kept)', () => {
    const table: VestingFund[] = [{ epoch: 100, amount: 10n }, { epoch: 160, amount: 0n }, { epoch: 220, amount: 20n }, { epoch: 280, amount: 30n }];
    const miner = { lockedFunds: 60n, vestingFunds: table } as unknown as FullMinerState;
    const first = unlockVestedAndUnvestedFunds(miner, 50, 4n);
    const second = unlockVestedAndUnvestedFunds(first.state, 60, 8n);
    const once = unlockVestedAndUnvestedFunds(miner, 60, 12n);
    assert.deepEqual([first.unlocked, second.unlocked, once.unlocked], [4n, 8n, 12n]);
    for (const m of [second.state, once.state]) {
      assert.deepEqual(vestingTable(m), [{ epoch: 220, amount: 18n }, { epoch: 280, amount: 30n }]);
      assert.equal(m.lockedFunds, 48n);
      assert.equal(vestingHead(m), 220);
    }
    // A fee larger than what is left empties the table.
    const all = unlockVestedAndUnvestedFunds(second.state, 70, 1000n);
    assert.equal(all.unlocked, 48n);
    assert.deepEqual([all.state.lockedFunds, vestingTable(all.state), vestingHead(all.state)], [0n, [], undefined]);
  });

  test('WithdrawBalance pays what is unlocked: the quarter paid at once and what has vested, not what is still vesting', async () => {
    const h = await minerHarness();
    await award(h, 10);
    const [first] = await vestingFunds(h);
    const withdraw = async () => decodeBigInt((await h.send(OWNER, MINER, methodNumber('WithdrawBalance'), [encodeBigInt(10_000n * FIL)])).value as Uint8Array);
    const unlockedAtOnce = await available(h);
    assert.equal(await withdraw(), unlockedAtOnce);
    assert.equal(await withdraw(), 0n);
    // The first fund has vested (its epoch is behind), no cron has run for it yet: the withdrawal unlocks it.
    await h.advanceTo(first!.epoch + 1);
    const pledge = pledgeTotal(h);
    assert.equal(await withdraw(), first!.amount);
    assert.equal(h.miner().lockedFunds, LOCKED - first!.amount);
    assert.equal(pledgeTotal(h), pledge - first!.amount);
  });
});
