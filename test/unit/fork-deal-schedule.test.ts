// The market's checks of forked deals: each deal the fork reads is checked at the epoch builtin-actors
// scheduled it for (the first epoch at or after its start equal to its ID modulo the update
// interval), unless that check ran at or before the fork epoch; the cron actor hands them out beside
// its own queue, each once, and a state from before they ran (a revert) runs them again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { ForkedDealSchedule, forkedDealCheckEpoch, withDealSchedule } from '../../src/devnet/fork/deal-schedule.js';
import type { ForkedDeal } from '../../src/devnet/fork/upstream-tables.js';
import { CRON_ACTOR_ID, MARKET_ACTOR_ID } from '../../src/fevm/actor.js';
import { enrollCron, nextCronEpoch, takeDueCron } from '../../src/fevm/actors/cron.js';
import { DEAL_UPDATES_INTERVAL } from '../../src/fevm/actors/market/policy.js';

const FORK_EPOCH = 1000;
const deal = (startEpoch: number, activated = false): ForkedDeal => ({
  proposal: {
    pieceCid: CID.parse('baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq'),
    pieceSize: 2048,
    verifiedDeal: false,
    label: '',
    client: 1001,
    provider: 1002,
    startEpoch,
    endEpoch: startEpoch + 600_000,
    storagePricePerEpoch: 0n,
    providerCollateral: 0n,
    clientCollateral: 0n,
  },
  ...(activated ? { state: { sectorNumber: 1, sectorStartEpoch: 900, lastUpdatedEpoch: -1, slashEpoch: -1 } } : {}),
});
const check = (id: number) => ({ actor: MARKET_ACTOR_ID, event: id });

describe('forked deals\' cron checks', () => {
  test('a deal\'s check is at the first epoch at or after its start equal to its ID modulo the interval, if after the fork epoch', () => {
    assert.equal(forkedDealCheckEpoch(1500, deal(1200), FORK_EPOCH), 1500);
    assert.equal(forkedDealCheckEpoch(1100, deal(1200), FORK_EPOCH), 1100 + DEAL_UPDATES_INTERVAL);
    // Started before the fork epoch, with its check after it.
    assert.equal(forkedDealCheckEpoch(1001, deal(10, true), FORK_EPOCH), 1001);
    // Its check came at or before the fork epoch: it ran upstream.
    assert.equal(forkedDealCheckEpoch(900, deal(10, true), FORK_EPOCH), undefined);
    assert.equal(forkedDealCheckEpoch(1000, deal(10, true), FORK_EPOCH), undefined);
  });

  test('the schedule hands out the checks in a window of epochs, in epoch then ID order, and names the next', () => {
    const schedule = new ForkedDealSchedule(FORK_EPOCH);
    schedule.add(1500, deal(1200));
    schedule.add(1100, deal(1200));
    schedule.add(900, deal(10, true));
    schedule.add(1001, deal(10, true));
    schedule.add(7, null);
    assert.equal(schedule.next(FORK_EPOCH), 1001);
    assert.equal(schedule.next(1001), 1500);
    assert.deepEqual(schedule.between(FORK_EPOCH, 1500), [[1001, check(1001)], [1500, check(1500)]]);
    assert.deepEqual(schedule.between(1001, 1499), []);
    assert.equal(schedule.next(1500), 1100 + DEAL_UPDATES_INTERVAL);
  });

  test('the cron actor runs them beside its queue, each once, as the chain\'s own state (a revert runs them again)', () => {
    const schedule = new ForkedDealSchedule(FORK_EPOCH);
    const tree = createGenesisState([], 0n);
    const staged = tree.stage();
    staged.putActor(withDealSchedule(staged.getActor(CRON_ACTOR_ID)!, schedule, FORK_EPOCH));
    tree.commit(staged, FORK_EPOCH);

    const state = tree.stage();
    assert.equal(nextCronEpoch(state), undefined);
    // Read after the cron actor was forked: scheduled all the same.
    schedule.add(1500, deal(1200));
    schedule.add(1001, deal(10, true));
    enrollCron(state, 1200, { actor: 100, event: 'queued' });
    enrollCron(state, 1500, { actor: 100, event: 'queued too' });
    assert.equal(nextCronEpoch(state), 1001);
    assert.deepEqual(takeDueCron(state, 1001), [check(1001)]);
    assert.equal(nextCronEpoch(state), 1200);
    assert.deepEqual(takeDueCron(state, 1600), [{ actor: 100, event: 'queued' }, { actor: 100, event: 'queued too' }, check(1500)]);
    assert.equal(nextCronEpoch(state), undefined);
    assert.deepEqual(takeDueCron(state, 1700), []);
    // The committed state is from before: its checks are still to run.
    assert.deepEqual(takeDueCron(tree.stage(), 1500), [check(1001), check(1500)]);
  });
});
