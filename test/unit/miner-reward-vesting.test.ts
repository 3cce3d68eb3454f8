// Block rewards vest as builtin-actors v18 vests them (actors/miner/src/lib.rs apply_rewards,
// monies.rs locked_reward_from_reward, state.rs add_locked_funds, vesting_state.rs): three quarters of
// each reward locked, vesting linearly over 180 days in daily steps quantized to 12-hour marks from the
// proving period's start; unlocked by the deadline cron after they vest, by a withdrawal, and by a fee,
// which draws on them first. The power actor's pledge total, Lotus's FilLocked, follows the locked funds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppendedMap } from '../../src/common/appended-map.js';
import { decodeBigInt, encodeBigInt } from '../../src/common/cbor.js';
import { POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { deadlineEndAfter, provingPeriodStart } from '../../src/fevm/actors/miner/policy.js';
import {
  addLockedFunds,
  loadedVestingFunds,
  loadMiner,
  minerStateValue,
  PENDING_GRANTS_MAX,
  repayPartialDebt,
  rewardVestingTable,
  unlockVestedAndUnvestedFunds,
  unlockVestedFunds,
  vestingHead,
  vestingTable,
  type FullMinerState,
  type MinerState,
  type VestingFund,
} from '../../src/fevm/actors/miner/state.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { BLOCK_REWARD } from '../../src/fevm/actors/reward.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { FIL, MINER, NETWORK_LOCKED_REWARDS, OTHER_MINER, OWNER, createMiner, minerHarness, precommit, type MinerHarness } from '../helpers/miner-harness.js';

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

/**
 * builtin-actors v18's VestingFunds (vesting_state.rs), transcribed: the head kept apart from the tail,
 * load leaving out a head of no amount, a fee taken from the head alone when it covers it (the fast
 * path), else fund by fund, the fund it stops in kept even at zero.
 */
class ReferenceVesting {
  funds: VestingFund[] = [];
  locked = 0n;

  private load(): VestingFund[] {
    return this.funds[0]?.amount === 0n ? this.funds.slice(1) : [...this.funds];
  }

  /** state.rs add_locked_funds: the new table merged in, what vested before `epoch` taken. */
  addLocked(epoch: number, amount: bigint, periodStart: number): bigint {
    const merged = referenceMerge([this.load(), amount > 0n ? referenceTable(amount, epoch, periodStart) : []]);
    const vested = merged.filter((f) => f.epoch < epoch);
    this.funds = merged.slice(vested.length);
    const unlocked = vested.reduce((sum, f) => sum + f.amount, 0n);
    this.locked += amount - unlocked;
    return unlocked;
  }

  /** state.rs unlock_vested_funds. */
  unlockVested(epoch: number): bigint {
    if (this.locked === 0n || this.funds.length === 0 || this.funds[0]!.epoch >= epoch) return 0n;
    const funds = this.load();
    const vested = funds.filter((f) => f.epoch < epoch);
    this.funds = funds.slice(vested.length);
    const unlocked = vested.reduce((sum, f) => sum + f.amount, 0n);
    this.locked -= unlocked;
    return unlocked;
  }

  /** state.rs unlock_vested_and_unvested_funds: the total unlocked. */
  unlockVestedAndUnvested(epoch: number, target: bigint): bigint {
    if (target === 0n || this.locked === 0n || this.funds.length === 0) return 0n;
    const head = this.funds[0]!;
    if (head.epoch >= epoch && head.amount >= target) {
      this.funds = [{ epoch: head.epoch, amount: head.amount - target }, ...this.funds.slice(1)];
      this.locked -= target;
      return target;
    }
    const funds = this.load();
    let [unlocked, left, i] = [0n, target, 0];
    for (; i < funds.length; i++) {
      const f = funds[i]!;
      if (f.epoch < epoch) unlocked += f.amount;
      else if (f.amount < left) [unlocked, left] = [unlocked + f.amount, left - f.amount];
      else {
        unlocked += left;
        funds[i] = { epoch: f.epoch, amount: f.amount - left };
        break;
      }
    }
    this.funds = funds.slice(i);
    this.locked -= unlocked;
    return unlocked;
  }
}

const vestingFunds = async (h: MinerHarness, miner = MINER) => {
  const [funds] = (await h.send(OWNER, miner, methodNumber('GetVestingFunds'))).value as [[number, Uint8Array][]];
  return funds.map(([epoch, amount]) => ({ epoch, amount: decodeBigInt(amount) }));
};
const available = async (h: MinerHarness) => decodeBigInt((await h.send(OWNER, MINER, methodNumber('GetAvailableBalance'))).value as Uint8Array);
const pledgeTotal = (h: MinerHarness) => h.state.getActor(POWER_ACTOR_ID)!.power!.totalPledgeCollateral ?? 0n;

/** Pays the block reward of epoch `epoch` to MINER. */
async function award(h: MinerHarness, epoch: number) {
  await h.advanceTo(epoch);
  assert.equal(await h.executor.awardBlockReward(h.state, h.ctx(), MINER), ExitCode.Ok);
}

describe('the creation deposit of a genesis provider (Lotus genesis CreateMiner, builtin-actors miner constructor)', () => {
  test('is locked at genesis with a reward\'s vesting table from epoch 0, and nothing else vests', async () => {
    const h = await minerHarness();
    for (const id of [MINER, OTHER_MINER]) {
      const m = h.miner(id);
      assert.equal(m.lockedFunds, CREATE_MINER_DEPOSIT);
      assert.deepEqual(await vestingFunds(h, id), referenceTable(CREATE_MINER_DEPOSIT, 0, provingPeriodStart(0, m.provingPeriodOffset)));
    }
    // The constructor locks it without telling the power actor: its total holds the pre-seal pledge only
    // (beside what the harness gives the rest of the chain).
    assert.equal(pledgeTotal(h), NETWORK_LOCKED_REWARDS + 20n);
  });

  test('the deadline cron after its first step unlocks that step, as it runs from the pre-seal pre-commits', async () => {
    const h = await minerHarness();
    // The other provider's deposit would leave the pledge total at its own deadline's end.
    h.depositWithdrawn(OTHER_MINER);
    // A block reward first, as the devnet pays one each tipset, so that the unlock leaves the pledge total above zero.
    await award(h, 1);
    const [first] = await vestingFunds(h);
    const offset = h.miner().provingPeriodOffset;
    // The reward's first step merges with the deposit's.
    assert.deepEqual(first, referenceMerge([referenceTable(CREATE_MINER_DEPOSIT, 0, provingPeriodStart(0, offset)), referenceTable(LOCKED, 1, provingPeriodStart(1, offset))])[0]);
    const [locked, pledge] = [h.miner().lockedFunds!, pledgeTotal(h)];
    const end = deadlineEndAfter(first!.epoch, offset);
    await h.advanceTo(end);
    assert.equal(h.miner().lockedFunds, locked);
    await h.advanceTo(end + 1);
    assert.equal(h.miner().lockedFunds, locked - first!.amount);
    assert.equal(pledgeTotal(h), pledge - first!.amount);
  });
});

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
    h.depositWithdrawn();
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
    h.depositWithdrawn();
    const epochs = Array.from({ length: 150 }, (_, i) => 5 + i * 7);
    for (const epoch of epochs) await award(h, epoch);
    const offset = h.miner().provingPeriodOffset;
    const expected = referenceMerge(epochs.map((e) => referenceTable(LOCKED, e, provingPeriodStart(e, offset))));
    assert.deepEqual(await vestingFunds(h), expected);
    assert.deepEqual(vestingTable(h.miner()), expected);
    assert.equal(h.miner().lockedFunds, LOCKED * BigInt(epochs.length));
  });

  test('a reward waiting to be merged adds one entry to the rewards waiting before it, sharing them: the state keeps every version', () => {
    let m = loadMiner({ provingPeriodOffset: 100 } as MinerState);
    const versions: FullMinerState[] = [];
    for (let epoch = 10; epoch < 20; epoch++) versions.push((m = addLockedFunds(m, epoch, 1000n).state));
    for (let i = 1; i < versions.length; i++) {
      const [before, after] = [versions[i - 1]!.vestingGrants, versions[i]!.vestingGrants];
      assert.ok(after instanceof AppendedMap && before instanceof AppendedMap);
      assert.deepEqual(after.appendedSince(before), [[10 + i, 1000n]], `version ${i}: only its own reward is new`);
    }
    // Rewards held as a plain Map (AppendedMap.with takes any): the next reward takes them in, in order.
    const loaded = addLockedFunds({ ...m, vestingGrants: new Map(m.vestingGrants!) }, 20, 1000n).state;
    assert.deepEqual([...loaded.vestingGrants!], [...addLockedFunds(m, 20, 1000n).state.vestingGrants!]);
    assert.deepEqual(vestingTable(loaded), vestingTable(addLockedFunds(m, 20, 1000n).state));
  });

  test('rewards wait apart from the table up to PENDING_GRANTS_MAX, then merge into it: the table is the same as each reward merged at once', () => {
    const offset = 700;
    let m = loadMiner({ provingPeriodOffset: offset } as MinerState);
    const epochs = Array.from({ length: PENDING_GRANTS_MAX + 20 }, (_, i) => 10 + i);
    for (const [i, epoch] of epochs.entries()) {
      m = addLockedFunds(m, epoch, 1_000_000n + BigInt(i)).state;
      assert.equal(m.vestingGrants?.size ?? 0, (i + 1) % PENDING_GRANTS_MAX, `after reward ${i + 1}`);
    }
    assert.deepEqual(vestingTable(m), referenceMerge(epochs.map((e, i) => referenceTable(1_000_000n + BigInt(i), e, provingPeriodStart(e, offset)))));
  });

  test('the deadline cron after a fund\'s epoch unlocks it: it leaves the table, the locked funds and the pledge total', async () => {
    const h = await minerHarness();
    // Both providers' deposits, so that only this miner's rewards move the pledge total.
    h.depositWithdrawn();
    h.depositWithdrawn(OTHER_MINER);
    await award(h, 1);
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
    h.depositWithdrawn();
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

  test('fees drawn one after another before anything vests leave the table one draw of their sum leaves (earliest first; a fund of nothing the draw passes over is dropped)', () => {
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
    h.depositWithdrawn();
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
  test('a fee that draws a fund to exactly zero leaves it as the head (builtin-actors\' fast and slow paths): in the raw state, not in GetVestingFunds; the next cron drops it', async () => {
    // The pure functions: a fee of the head's amount (fast path), of the first two funds' (slow path).
    const table: VestingFund[] = [{ epoch: 100, amount: 10n }, { epoch: 160, amount: 20n }, { epoch: 220, amount: 30n }];
    const miner = loadMiner({ lockedFunds: 60n, vestingFunds: table } as unknown as MinerState);
    const fast = unlockVestedAndUnvestedFunds(miner, 50, 10n);
    assert.deepEqual(vestingTable(fast.state), [{ epoch: 100, amount: 0n }, ...table.slice(1)]);
    assert.deepEqual(loadedVestingFunds(vestingTable(fast.state)), table.slice(1));
    assert.deepEqual([fast.unlocked, fast.state.lockedFunds, vestingHead(fast.state)], [10n, 50n, 100]);
    const slow = unlockVestedAndUnvestedFunds(fast.state, 50, 20n);
    assert.deepEqual(vestingTable(slow.state), [{ epoch: 160, amount: 0n }, { epoch: 220, amount: 30n }]);
    const all = unlockVestedAndUnvestedFunds(miner, 50, 60n);
    assert.deepEqual([all.unlocked, all.state.lockedFunds, vestingTable(all.state)], [60n, 0n, [{ epoch: 220, amount: 0n }]]);
    // Unlocking once the zero head's epoch is behind drops it, unlocking nothing.
    const vested = unlockVestedFunds(fast.state, 101);
    assert.deepEqual([vested.unlocked, vestingTable(vested.state)], [0n, table.slice(1)]);
    // A reward merges into the table as builtin-actors loads it: without the zero head.
    assert.deepEqual(vestingTable(addLockedFunds(fast.state, 60, 0n).state), table.slice(1));

    // Through the miner: RepayDebt of the first fund's amount.
    const h = await minerHarness();
    // Both providers' deposits, so that only this miner's rewards move the pledge total.
    h.depositWithdrawn();
    h.depositWithdrawn(OTHER_MINER);
    await award(h, 1);
    const [first, second] = await vestingFunds(h);
    h.state.putActor({ ...h.state.getActor(MINER)!, miner: { ...h.miner(), feeDebt: first!.amount } });
    const pledge = pledgeTotal(h);
    assert.equal((await h.send(OWNER, MINER, methodNumber('RepayDebt'))).exitCode, ExitCode.Ok);
    assert.deepEqual(vestingTable(h.miner())[0], { epoch: first!.epoch, amount: 0n });
    assert.deepEqual((minerStateValue(h.miner(), h.epoch) as unknown[])[3], [[first!.epoch, encodeBigInt(0n)], vestingTable(h.miner()).slice(1).map((f) => [f.epoch, encodeBigInt(f.amount)])]);
    assert.deepEqual((await vestingFunds(h))[0], second);
    assert.equal(pledgeTotal(h), pledge - first!.amount);
    // The deadline cron after its epoch drops it: nothing unlocked, nothing told to the power actor.
    await h.advanceTo(first!.epoch + 60);
    assert.deepEqual(vestingTable(h.miner())[0], second);
    assert.equal(h.miner().lockedFunds, LOCKED - first!.amount);
    assert.equal(pledgeTotal(h), pledge - first!.amount);
  });

  test('a reward after a head drawn to zero was dropped, with a zero fund next and grants waiting, counts each grant once (review R69)', () => {
    // Rewards of a few attoFIL vest in steps of 0 and 1: the table's next fund is itself zero.
    const sum = (m: FullMinerState) => vestingTable(m).reduce((total, f) => total + f.amount, 0n);
    let m = addLockedFunds(loadMiner({ provingPeriodOffset: 888 } as MinerState), 533, 76n).state;
    m = repayPartialDebt({ ...m, feeDebt: 11n }, 534, 10n ** 20n).state;
    m = unlockVestedFunds(m, 535).state;
    m = addLockedFunds(m, 536, 988n).state;
    m = addLockedFunds(m, 537, 613n).state;
    assert.equal(m.lockedFunds, 76n - 11n + 988n + 613n);
    assert.equal(sum(m), m.lockedFunds);
  });

  test('random rewards, fees and unlocks leave the table, the locked funds and each unlock as builtin-actors\' VestingFunds leaves them', () => {
    let x = 0x2545f491;
    const next = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    // Runs 20-29 lock rewards of a few attoFIL, whose tables hold funds of 0: builtin-actors drops a zero
    // head at each reward, which the waiting grants' lazy merge does not, so there only the funds of some
    // amount are compared (with the locked funds and each unlock), and the table's sum.
    for (let run = 0; run < 30; run++) {
      const tiny = run >= 20;
      const offset = next(2880);
      let m = loadMiner({ provingPeriodOffset: offset } as MinerState);
      const ref = new ReferenceVesting();
      let epoch = 1 + next(3000);
      for (let step = 0; step < 400; step++) {
        epoch += next(4) === 0 ? next(3000) : next(30);
        const op = next(10);
        let got: { state: FullMinerState; unlocked: bigint };
        let want: bigint;
        if (op < 6) {
          const amount = next(8) === 0 ? 0n : tiny ? BigInt(1 + next(1000)) : BigInt(1000 + next(1_000_000)) * 10n ** BigInt(next(13));
          got = addLockedFunds(m, epoch, amount);
          want = ref.addLocked(epoch, amount, provingPeriodStart(epoch, offset));
        } else if (op < 9) {
          // A fee: some amount, or exactly what the first funds hold (a fund drawn to zero), or more than everything.
          const loaded = loadedVestingFunds(vestingTable(m)).filter((f) => f.epoch >= epoch);
          const upTo = loaded.slice(0, 1 + next(3)).reduce((sum, f) => sum + f.amount, 0n);
          const target = [BigInt(next(1_000_000)) * 10n ** BigInt(next(13)), upTo, upTo + 1n, 0n, (m.lockedFunds ?? 0n) * 2n][next(5)]!;
          got = unlockVestedAndUnvestedFunds(m, epoch, target);
          want = ref.unlockVestedAndUnvested(epoch, target);
        } else {
          got = unlockVestedFunds(m, epoch);
          want = ref.unlockVested(epoch);
        }
        m = got.state;
        assert.equal(got.unlocked, want, `run ${run} step ${step}`);
        assert.equal(m.lockedFunds ?? 0n, ref.locked, `run ${run} step ${step}`);
        assert.equal(vestingTable(m).reduce((sum, f) => sum + f.amount, 0n), ref.locked, `run ${run} step ${step}`);
        if (tiny) {
          const some = (funds: readonly VestingFund[]) => funds.filter((f) => f.amount > 0n);
          assert.deepEqual(some(vestingTable(m)), some(ref.funds), `run ${run} step ${step}`);
          continue;
        }
        assert.deepEqual(vestingTable(m), ref.funds, `run ${run} step ${step}`);
        assert.equal(vestingHead(m), ref.funds[0]?.epoch, `run ${run} step ${step}`);
      }
    }
  });

  test('a miner that never pre-committed runs no deadline cron: its creation deposit unlocks only when it withdraws, until its first pre-commit starts the cron (review R64)', async () => {
    const h = await minerHarness();
    const [owner] = h.accounts;
    const miner = await createMiner(h, owner!, CREATE_MINER_DEPOSIT + 30n * FIL);
    const [f1, f2, f3, f4] = vestingTable(h.miner(miner));
    const locked = () => h.miner(miner).lockedFunds;
    const withdraw = async () => decodeBigInt((await h.send(owner!, miner, methodNumber('WithdrawBalance'), [encodeBigInt(10_000n * FIL)])).value as Uint8Array);
    await h.advanceTo(f1!.epoch + 1);
    assert.equal(await withdraw(), 30n * FIL + f1!.amount);
    // Well past the deadline end after the next fund's epoch: no cron has unlocked it.
    await h.advanceTo(f2!.epoch + 200);
    assert.equal(locked(), CREATE_MINER_DEPOSIT - f1!.amount);
    assert.deepEqual((await vestingFunds(h, miner))[0], f2);
    assert.equal(await withdraw(), f2!.amount);
    // The first pre-commit, after the next fund vested: the cron unlocks it at the end of this deadline.
    await h.advanceTo(f3!.epoch + 200);
    const sent = await h.send(owner!, miner, 28, [[precommit(h, 1, { miner })]], 5n * FIL);
    assert.equal(sent.exitCode, ExitCode.Ok);
    const end = deadlineEndAfter(h.epoch - 1, h.miner(miner).provingPeriodOffset);
    await h.advanceTo(end);
    assert.equal(locked(), CREATE_MINER_DEPOSIT - f1!.amount - f2!.amount);
    await h.advanceTo(end + 1);
    assert.equal(locked(), CREATE_MINER_DEPOSIT - f1!.amount - f2!.amount - f3!.amount);
    // And from then on at the deadline end after each fund.
    await h.advanceTo(deadlineEndAfter(f4!.epoch, h.miner(miner).provingPeriodOffset) + 1);
    assert.equal(locked(), CREATE_MINER_DEPOSIT - f1!.amount - f2!.amount - f3!.amount - f4!.amount);
  });

  test("an unlock that would take the network's pledge total below zero is refused, as builtin-actors' power actor refuses it (X2)", async () => {
    const h = await minerHarness();
    const [owner] = h.accounts;
    const miner = await createMiner(h, owner!, CREATE_MINER_DEPOSIT + 30n * FIL);
    const [f1] = vestingTable(h.miner(miner));
    // A network with no locked rewards, as the devnet's at genesis: the total holds the genesis sectors'
    // pre-seal pledge (1 attoFIL each); the deposit never joined it.
    const power = h.state.getActor(POWER_ACTOR_ID)!;
    h.state.putActor({ ...power, power: { ...power.power!, totalPledgeCollateral: 20n } });
    // Past its first step without running cron (the genesis providers' deposits' unlocks would be refused too).
    h.epoch = f1!.epoch + 1;
    // WithdrawBalance unlocks what vested and tells the power actor (builtin-actors withdraw_balance:
    // notify_pledge_changed(-newly_vested)), whose update_pledge_total aborts with USR_ILLEGAL_STATE: the
    // whole withdrawal is undone.
    const balance = h.balance(miner);
    const refused = await h.send(owner!, miner, methodNumber('WithdrawBalance'), [encodeBigInt(FIL)]);
    assert.equal(refused.exitCode, ExitCode.ErrIllegalState);
    assert.deepEqual([pledgeTotal(h), h.miner(miner).lockedFunds, h.balance(miner)], [20n, CREATE_MINER_DEPOSIT, balance]);
    // With a block reward's locked part in the total, the same withdrawal goes through.
    h.epoch += 1;
    assert.equal(await h.executor.awardBlockReward(h.state, h.ctx(), MINER), ExitCode.Ok);
    const paid = await h.send(owner!, miner, methodNumber('WithdrawBalance'), [encodeBigInt(FIL)]);
    assert.equal(paid.exitCode, ExitCode.Ok);
    assert.equal(h.miner(miner).lockedFunds, CREATE_MINER_DEPOSIT - f1!.amount);
  });
});
