// Polling filters' bounds (filters.ts), as Lotus bounds them: a filter keeps its newest
// MaxFilterResults items, one not polled within FilterTTL is removed, at most MaxFilters are installed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex } from '../../src/common/hex.js';
import { DEFAULT_MAX_FILTERS } from '../../src/config.js';
import { Filters, FILTER_TTL_MS, MAX_FILTER_RESULTS } from '../../src/eth-rpc/filters.js';
import { withDevnet } from '../helpers/devnet-harness.js';

describe('polling filters are bounded', () => {
  test('Lotus\'s figures: 10 000 results, one hour', () => {
    assert.equal(MAX_FILTER_RESULTS, 10_000);
    assert.equal(FILTER_TTL_MS, 3_600_000);
  });

  withDevnet('a full filter drops its oldest item for each new one', { noMining: true }, async (devnet) => {
    const filters = new Filters(devnet, { maxResults: 3, ttlMs: FILTER_TTL_MS, now: Date.now });
    const id = filters.newBlockFilter();
    const mined: string[] = [];
    for (let i = 0; i < 5; i++) mined.push(bytesToHex((await devnet.mine()).hash));
    assert.deepEqual(filters.takeChanges(id), mined.slice(2));
    mined.length = 0;
    mined.push(bytesToHex((await devnet.mine()).hash));
    assert.deepEqual(filters.takeChanges(id), mined);
  });

  withDevnet('a filter not polled within the TTL is removed; polling keeps it', { noMining: true }, async (devnet) => {
    let now = 1_000_000;
    const filters = new Filters(devnet, { maxResults: MAX_FILTER_RESULTS, ttlMs: 10_000, now: () => now });
    const idle = filters.newBlockFilter();
    const polled = filters.newPendingTransactionFilter();
    for (let i = 0; i < 3; i++) {
      now += 6_000;
      assert.deepEqual(filters.takeChanges(polled), []);
    }
    // idle was made 18 s ago and never polled; polled was polled 0 s ago.
    assert.throws(() => filters.takeChanges(idle), /filter not found/);
    assert.deepEqual(filters.takeChanges(polled), []);
    now += 10_001;
    await devnet.mine();
    assert.throws(() => filters.takeChanges(polled), /filter not found/);
    assert.equal(filters.uninstall(polled), false);
  });

  withDevnet('at most maxFilters installed (Lotus\'s MaxFilters and its error); clear() removes them all (anvil_reset)', { noMining: true }, async (devnet) => {
    const filters = new Filters(devnet, { maxFilters: 2 });
    const first = filters.newBlockFilter();
    filters.newLogFilter({ addresses: [], topics: [] }, []);
    assert.throws(() => filters.newPendingTransactionFilter(), /maximum number of filters registered/);
    assert.equal(filters.uninstall(first), true);
    filters.newPendingTransactionFilter();
    filters.clear();
    assert.throws(() => filters.takeChanges(first), /filter not found/);
    filters.newBlockFilter();
    filters.newBlockFilter();
  });

  test('100 filters by default, as Lotus', () => {
    assert.equal(DEFAULT_MAX_FILTERS, 100);
  });
});
