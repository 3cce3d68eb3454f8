// builtin-actors' reward arithmetic, which a fork's reward actor runs from the upstream's State:
// checked against builtin-actors' own figures (actors/reward/testdata/TestSimpleReward.golden and
// TestBaselineReward.golden, tests/reward_actor_test.rs construct_with_zero_power).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { baselinePowerFromPrev, computeReward, computeRTheta, estimateThrough, EXACT_KPI_EPOCHS, kpiThrough, nextEstimate, updateNetworkKpi, type RewardKpi } from '../../src/fevm/actors/reward-logic.js';
import { POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { powerStateValue, updatePowerSmoothed } from '../../src/fevm/actors/power.js';
import { verifregWorld } from '../helpers/verifreg-world.js';

const FIL = 10n ** 18n;
const SIMPLE_TOTAL = 330_000_000n * FIL;
const BASELINE_TOTAL = 770_000_000n * FIL;
const BASELINE_INITIAL_VALUE = 2_888_888_880_000_000_000n;
const Q128 = 1n << 128n;

/** A reward State with no power realized yet at the initial baseline, `changes` set. */
const freshKpi = (changes: Partial<RewardKpi>): RewardKpi => ({
  cumsumBaseline: 0n,
  cumsumRealized: 0n,
  effectiveNetworkTime: 0,
  effectiveBaselinePower: BASELINE_INITIAL_VALUE,
  thisEpochReward: 0n,
  thisEpochRewardSmoothed: { position: 36n * FIL << 128n, velocity: 0n },
  thisEpochBaselinePower: BASELINE_INITIAL_VALUE,
  epoch: 0,
  simpleTotal: SIMPLE_TOTAL,
  baselineTotal: BASELINE_TOTAL,
  ...changes,
});

describe('reward arithmetic (builtin-actors actors/reward logic.rs)', () => {
  test('the simple reward decays with the epoch as the golden file has it', () => {
    for (const [epoch, reward] of [
      [0, 36266264293777134739n],
      [5000, 36246341860983438171n],
      [10000, 36226430372336764970n],
      [995000, 32509737996787721011n],
      [2555000, 27387841182142501307n],
    ] as const) {
      assert.equal(computeReward(epoch, 0n, 0n, SIMPLE_TOTAL, BASELINE_TOTAL), reward, `epoch ${epoch}`);
    }
  });

  test('the baseline reward between two effective network times as the golden file has it', () => {
    const simple = computeReward(0, 0n, 0n, SIMPLE_TOTAL, BASELINE_TOTAL);
    for (const [prev, curr, reward] of [
      [0n, 340282366920938463463374607398434878123n, 84621274052457285111n],
      [1701411834604692317316873037158763279502223n, 1701752116971613255780336411766161714380346n, 84574788381047331439n],
      [507020726712198310560428165073311457291662454n, 507021066994565231498891628447918855726540577n, 71839756331331232539n],
    ] as const) {
      assert.equal(computeReward(0, prev, curr, SIMPLE_TOTAL, BASELINE_TOTAL) - simple, reward);
    }
  });

  test('the fractional network time interpolates between cumulative baselines (logic.rs test_compute_r_theta)', () => {
    const baselineAt = (epoch: number) => BigInt(epoch + 1) * 2048n;
    assert.equal(computeRTheta(1, baselineAt(1), 2048n + 2048n, 2048n + 2n * 2048n), Q128 / 2n);
    assert.equal(computeRTheta(1, baselineAt(1), 2048n + 1024n, 2048n + 2n * 2048n), Q128 / 4n);
    assert.equal(computeRTheta(0, baselineAt(0), 5n, 7n), 0n);
  });

  test('a State made at epoch -1 with no power moves to epoch 0 as the constructor makes it', () => {
    // State::new: the initial baseline one epoch back, undefined epoch, the initial smoothed reward.
    const initBaseline = ((BASELINE_INITIAL_VALUE << 256n) / 340282591298641078465964189926313473653n) >> 128n;
    const kpi = freshKpi({
      thisEpochRewardSmoothed: { position: 36266260308195979333n << 128n, velocity: -109897758509n << 128n },
      thisEpochBaselinePower: initBaseline,
      epoch: -1,
    });
    const next = updateNetworkKpi(kpi, -1, 0n);
    assert.equal(next.epoch, 0);
    assert.equal(next.thisEpochReward, 36266264293777134739n);
    assert.equal(next.thisEpochBaselinePower, BASELINE_INITIAL_VALUE - 1n);
    assert.equal(next.effectiveBaselinePower, BASELINE_INITIAL_VALUE);
    assert.equal(next.cumsumRealized, 0n);
  });

  test('an update after null rounds catches them up: the baseline grows and realized power adds up once an epoch', () => {
    const power = 1n << 50n;
    const kpi = freshKpi({ epoch: 10 });
    // The cron of epoch 13 after the one of epoch 9 (State.epoch 10): epochs 10..13 done, the State at 14.
    const next = updateNetworkKpi(kpi, 13, power);
    assert.equal(next.epoch, 14);
    assert.equal(next.cumsumRealized, 4n * power);
    let baseline = BASELINE_INITIAL_VALUE;
    for (let i = 0; i < 4; i++) baseline = baselinePowerFromPrev(baseline);
    assert.equal(next.thisEpochBaselinePower, baseline);
    // Realized power far below the baseline: the network time moves one epoch only. The smoothed reward
    // is the filter run once over the 4 epochs.
    assert.equal(next.effectiveNetworkTime, 1);
    assert.deepEqual(next.thisEpochRewardSmoothed, nextEstimate(kpi.thisEpochRewardSmoothed, next.thisEpochReward, 4));
  });

  test('kpiThrough moves the State one epoch at a time, as Lotus\'s cron at every null round does; a longer run\'s earlier epochs in one step, the estimate within 10^-6, the baseline 10^-12', () => {
    const power = 32n << 30n;
    const kpi = freshKpi({ epoch: 100 });
    const epochByEpoch = (through: number) => {
      let next = kpi;
      for (let epoch = kpi.epoch; epoch <= through; epoch++) next = updateNetworkKpi(next, epoch, power);
      return next;
    };
    assert.deepEqual(kpiThrough(kpi, 100 + 1_500, power), epochByEpoch(100 + 1_500));
    assert.deepEqual(kpiThrough(kpi, 99, power), kpi);
    const through = 100 + EXACT_KPI_EPOCHS + 20_000;
    const [fast, exact] = [kpiThrough(kpi, through, power), epochByEpoch(through)];
    // Same cumulative figures and reward (one power throughout); the smoothed estimate close.
    const within = (got: bigint, want: bigint, parts: bigint) => {
      const off = got - want;
      assert.ok((off < 0n ? -off : off) * parts <= want, `${got} is more than 1/${parts} off ${want}`);
    };
    const close = (got: RewardKpi) => {
      assert.deepEqual({ ...got, thisEpochRewardSmoothed: undefined, thisEpochBaselinePower: undefined }, { ...exact, thisEpochRewardSmoothed: undefined, thisEpochBaselinePower: undefined });
      within(got.thisEpochRewardSmoothed.position, exact.thisEpochRewardSmoothed.position, 1_000_000n);
      // The baseline's growth over the one-step epochs by squaring, not floored epoch by epoch.
      within(got.thisEpochBaselinePower, exact.thisEpochBaselinePower, 10n ** 12n);
    };
    close(fast);
    // The same run in pieces (a cron due every 60 epochs), epoch by epoch only from the run's exactFrom.
    const exactFrom = through - EXACT_KPI_EPOCHS + 1;
    let pieces = kpi;
    for (let end = kpi.epoch + 59; end < through; end += 60) pieces = kpiThrough(pieces, end, power, exactFrom);
    close(kpiThrough(pieces, through, power, exactFrom));
  });

  test("the power actor's smoothed QA power moves one filter step an epoch (on_epoch_tick_end update_smoothed_estimate(1)); a longer run's earlier epochs in one step, within 10^-6", () => {
    const observation = 64n << 30n;
    // An upstream's estimate near its power, which the fork's differs from by a sector or so (1 %).
    const start = { position: ((observation * 99n) / 100n) << 128n, velocity: 5n << 120n };
    const epochByEpoch = (from: number, through: number) => {
      let next = start;
      for (let epoch = from; epoch < through; epoch++) next = nextEstimate(next, observation, 1);
      return next;
    };
    assert.deepEqual(estimateThrough(start, 100, 100 + 1_500, observation), epochByEpoch(100, 100 + 1_500));
    assert.deepEqual(estimateThrough(start, 100, 100, observation), start);
    const through = 100 + EXACT_KPI_EPOCHS + 20_000;
    const [fast, exact] = [estimateThrough(start, 100, through, observation), epochByEpoch(100, through)];
    const off = fast.position - exact.position;
    assert.ok((off < 0n ? -off : off) * 1_000_000n <= exact.position, `${fast.position} vs ${exact.position}`);
  });

  test("updatePowerSmoothed moves a fork's power estimate through an epoch's cron with the QA power the state holds, and its Head with it; a chain of its own has none to move", async () => {
    const w = await verifregWorld();
    const actor = w.state.getActor(POWER_ACTOR_ID)!;
    updatePowerSmoothed(w.state, 20);
    assert.equal(w.state.getActor(POWER_ACTOR_ID), actor);
    const start = { position: 7n << 128n, velocity: 0n };
    w.state.putActor({ ...actor, power: { ...actor.power!, qaPowerSmoothed: { estimate: start, through: 10 } } });
    const before = powerStateValue(w.state.getActor(POWER_ACTOR_ID)!.power!);
    updatePowerSmoothed(w.state, 13);
    const qa = actor.power!.totalQualityAdjPower;
    const moved = w.state.getActor(POWER_ACTOR_ID)!.power!.qaPowerSmoothed!;
    assert.deepEqual(moved, { estimate: nextEstimate(nextEstimate(nextEstimate(start, qa, 1), qa, 1), qa, 1), through: 13 });
    assert.notDeepEqual(powerStateValue(w.state.getActor(POWER_ACTOR_ID)!.power!), before);
    // Already through that epoch: unchanged.
    updatePowerSmoothed(w.state, 12);
    assert.equal(w.state.getActor(POWER_ACTOR_ID)!.power!.qaPowerSmoothed, moved);
  });
});
