// The interval-mining timer: a period past what a Node timer can wait (2^31 - 1 ms) ticks at that
// period, not every millisecond (audit17 H13: a 30-day interval mined ~700 tipsets a second).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { every, MAX_TIMER_MS } from '../../src/mining/every.js';

const DAY_MS = 86_400_000;

/**
 * Moves the mocked clock `ms` forward a minute at a time: the mock runs a timer that a timer sets
 * from the end of the step it fires in, so each of a long period's waits may end up to a step late.
 */
const STEP_MS = 60_000;
function advance(ms: number): void {
  for (let left = ms; left > 0; left -= STEP_MS) mock.timers.tick(Math.min(left, STEP_MS));
}

describe('every', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'setTimeout'] }));
  afterEach(() => mock.timers.reset());

  for (const periodMs of [5 * STEP_MS, MAX_TIMER_MS, MAX_TIMER_MS + 1, 30 * DAY_MS, 100 * DAY_MS]) {
    test(`a period of ${periodMs} ms ticks once per period, until stopped`, () => {
      let ticks = 0;
      const stop = every(periodMs, () => ticks++);
      // The mock's lateness (advance): up to a step for each of the period's waits.
      const slack = Math.ceil(periodMs / MAX_TIMER_MS) * STEP_MS;
      advance(1);
      assert.equal(ticks, 0, 'nothing after a millisecond');
      advance(periodMs - STEP_MS);
      assert.equal(ticks, 0, 'nothing before the period');
      advance(STEP_MS + slack);
      assert.equal(ticks, 1, 'one at the period');
      advance(periodMs + slack);
      assert.equal(ticks, 2, 'one a period later');
      stop();
      advance(2 * periodMs);
      assert.equal(ticks, 2, 'stopped');
    });
  }
});
