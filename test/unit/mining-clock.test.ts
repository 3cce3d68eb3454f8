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

  test('upcomingTimestamps gives what epochTimestamps will, consuming nothing (the cheat codes check the last before mining)', () => {
    for (const interval of [undefined, 0, 7]) {
      const { clock } = clockAt(1_000);
      clock.setNextTimestamp(2_000);
      const ahead = clock.upcomingTimestamps(1_500, interval);
      assert.equal(clock.upcomingTimestamp(1_500), 2_000, 'the override is still there');
      const mined = clock.epochTimestamps(1_500, interval);
      for (const k of [1, 2, 1_000]) assert.equal(ahead(k), mined(k), `interval ${interval}, epoch ${k}`);
      assert.equal(clock.upcomingTimestamp(1_500), 1_501, 'epochTimestamps consumed it');
    }
  });
});
