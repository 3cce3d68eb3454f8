// Chain time: the wall clock plus an offset; tipsets mined ahead of the clock pull the offset along,
// so evm_increaseTime(N) always gives a tipset at least N seconds after the last one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Clock } from '../../src/mining/clock.js';

/** A clock over a wall clock the test moves by hand. */
function clockAt(start: number) {
  const wall = { now: start };
  return { wall, clock: new Clock(0, () => wall.now) };
}

/** Mines `count` tipsets after `parent` at once (the wall clock does not move), as the miner does. */
function mineFast(clock: Clock, parent: number, count: number): number {
  for (let i = 0; i < count; i++) {
    parent = clock.nextTipsetTimestamp(parent);
    clock.reached(parent);
  }
  return parent;
}

describe('Clock', () => {
  test('tipsets follow the wall clock, strictly increasing', () => {
    const { wall, clock } = clockAt(1_000);
    assert.equal(clock.nextTipsetTimestamp(900), 1_000);
    assert.equal(clock.nextTipsetTimestamp(1_000), 1_001);
    wall.now = 1_050;
    assert.equal(clock.nextTipsetTimestamp(1_001), 1_050);
  });

  test('setTime (evm_setTime) sets chain time, which runs on with the wall clock, and forgets a next timestamp set before', () => {
    const { wall, clock } = clockAt(1_000);
    clock.increase(50);
    clock.setNextTimestamp(9_000);
    clock.setTime(5_000);
    assert.equal(clock.now(), 5_000);
    assert.equal(clock.upcomingTimestamp(1_000), 5_000);
    wall.now = 1_010;
    assert.equal(clock.nextTipsetTimestamp(1_000), 5_010);
    // evm_increaseTime's total counts from the wall clock: setTime moved it to 4 000.
    assert.equal(clock.increase(0), 4_000);
  });

  test('setTime with an interval set: the next tipset is the interval after the time set, as Anvil counts it', () => {
    const { clock } = clockAt(1_000);
    clock.setInterval(60);
    clock.setTime(5_000);
    assert.equal(clock.nextTipsetTimestamp(1_000), 5_060);
    assert.equal(clock.nextTipsetTimestamp(5_060), 5_120);
  });

  test('upcomingTimestamp tells the next tipset\'s timestamp without consuming evm_setNextBlockTimestamp', () => {
    const { clock } = clockAt(1_000);
    assert.equal(clock.upcomingTimestamp(1_000), 1_001);
    clock.increase(3_600);
    assert.equal(clock.upcomingTimestamp(1_000), 4_600);
    clock.setNextTimestamp(9_000);
    assert.equal(clock.upcomingTimestamp(1_000), 9_000);
    assert.equal(clock.upcomingTimestamp(1_000), 9_000, 'still set');
    assert.equal(clock.nextTipsetTimestamp(1_000), 9_000);
    assert.equal(clock.upcomingTimestamp(9_000), 9_001, 'consumed by the tipset');
  });

  test('after ten tipsets in one second, increaseTime(3600) still gives +3600', () => {
    const { clock } = clockAt(1_000);
    const last = mineFast(clock, 999, 10);
    assert.equal(last, 1_009);
    assert.equal(clock.now(), 1_009, 'chain time follows the tipsets pushed ahead of the clock');
    clock.increase(3_600);
    assert.equal(clock.nextTipsetTimestamp(last), last + 3_600);
  });

  test('a tipset behind the clock leaves the offset alone', () => {
    const { wall, clock } = clockAt(1_000);
    wall.now = 2_000;
    clock.reached(1_500);
    assert.equal(clock.now(), 2_000);
  });

  test('a one-off timestamp ahead of the clock moves chain time to it', () => {
    const { clock } = clockAt(1_000);
    clock.setNextTimestamp(5_000);
    const t = clock.nextTipsetTimestamp(999);
    clock.reached(t);
    assert.equal(clock.nextTipsetTimestamp(t), 5_001);
    assert.equal(clock.save().offsetSeconds, 4_000);
  });

  test("a run's interval: Anvil's from the first tipset, Hardhat's from the second; a set block timestamp interval wins (H3)", () => {
    const { clock } = clockAt(1_000);
    const anvil = { seconds: 10, fromFirst: true };
    const hardhat = { seconds: 10, fromFirst: false };
    assert.deepEqual([1, 2, 3].map(clock.upcomingTimestamps(1_000, anvil)), [1_010, 1_020, 1_030]);
    assert.deepEqual([1, 2, 3].map(clock.upcomingTimestamps(1_000, hardhat)), [1_001, 1_011, 1_021]);
    assert.equal(clock.runTimestamp(1_000, anvil, true), 1_010);
    assert.equal(clock.runTimestamp(1_000, hardhat, true), undefined, "the clock's next timestamp");
    assert.equal(clock.runTimestamp(1_001, hardhat, false), 1_011);
    clock.setNextTimestamp(5_000);
    assert.equal(clock.runTimestamp(1_000, anvil, true), undefined, 'a one-off timestamp takes the first');
    assert.deepEqual([1, 2].map(clock.upcomingTimestamps(1_000, anvil)), [5_000, 5_010]);
    clock.nextTipsetTimestamp(1_000);
    // Anvil's first is `interval` after chain time: with what evm_increaseTime added (H14), or after an idle head.
    clock.increase(100);
    assert.deepEqual([1, 2, 3].map(clock.upcomingTimestamps(1_000, anvil)), [1_110, 1_120, 1_130]);
    assert.equal(clock.runTimestamp(1_000, anvil, true), 1_110);
    assert.deepEqual([1, 2].map(clock.upcomingTimestamps(1_000, hardhat)), [1_100, 1_110]);
    assert.deepEqual([1, 2].map(clock.upcomingTimestamps(900, anvil)), [1_110, 1_120]);
    clock.setInterval(7);
    assert.deepEqual([1, 2, 3].map(clock.upcomingTimestamps(1_000, anvil)), [1_007, 1_014, 1_021], "as in Anvil, the set interval wins over anvil_mine's");
  });

  test('an interval of 0 is none: two tipsets never share a timestamp (H2)', () => {
    const { clock } = clockAt(1_000);
    for (const fromFirst of [true, false]) {
      assert.deepEqual([1, 2, 3].map(clock.upcomingTimestamps(1_000, { seconds: 0, fromFirst })), [1_001, 1_002, 1_003]);
      assert.equal(clock.runTimestamp(1_001, { seconds: 0, fromFirst }, false), undefined, "the clock's next timestamp");
    }
    clock.setInterval(0);
    assert.equal(clock.nextTipsetTimestamp(1_000), 1_001, 'anvil_setBlockTimestampInterval(0) is none too');
  });

  test('upcomingTimestamps gives what epochTimestamps will, consuming nothing (the cheat codes check the last before mining)', () => {
    for (const interval of [undefined, { seconds: 0, fromFirst: true }, { seconds: 7, fromFirst: false }, { seconds: 7, fromFirst: true }]) {
      const { clock } = clockAt(1_000);
      clock.setNextTimestamp(2_000);
      const ahead = clock.upcomingTimestamps(1_500, interval);
      assert.equal(clock.upcomingTimestamp(1_500), 2_000, 'the override is still there');
      const mined = clock.epochTimestamps(1_500, interval);
      for (const k of [1, 2, 1_000]) assert.equal(ahead(k), mined(k), `interval ${JSON.stringify(interval)}, epoch ${k}`);
      assert.equal(clock.upcomingTimestamp(1_500), 1_501, 'epochTimestamps consumed it');
    }
  });
});
