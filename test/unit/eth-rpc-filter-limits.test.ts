// Polling filters' bounds (filters.ts), as Lotus bounds them: a filter keeps its newest
// MaxFilterResults items, one not polled within FilterTTL is removed, at most MaxFilters are installed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { DEFAULT_MAX_FILTERS } from '../../src/config.js';
import { Filters, FILTER_TTL_MS, MAX_FILTER_RESULTS } from '../../src/eth-rpc/filters.js';
import { formatLog } from '../../src/eth-rpc/format.js';
import { logCriteria, tipsetLogs } from '../../src/eth-rpc/logs.js';
import { signTx } from '../helpers/dev-wallet.js';
import { withDevnet } from '../helpers/devnet-harness.js';
import { heapUsed } from '../helpers/heap.js';

/** Initcode emitting 500 logs (LOG1, topic the countdown, 32 bytes of memory as data), deploying nothing. */
const LOGS_500 = '0x6101f4' + '5b' + '80' + '6020' + '6000' + 'a1' + '6001' + '90' + '03' + '80' + '6003' + '57' + '00';

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
    filters.newLogFilter(logCriteria([], []), [], { from: 0, openStart: false });
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

// audit16 A1: every filter kept its own formatted copy of each log, so filters a front-end left behind
// (a page reload each) multiplied the memory of every log by their number until the node's heap ran out.
describe('log filters share the logs they collect', () => {
  withDevnet('100 filters never polled hold 500 logs about once, not 100 times; each still answers them all', {}, async (devnet) => {
    const filters = new Filters(devnet, { maxFilters: 100 });
    const ids = Array.from({ length: 100 }, () => filters.newLogFilter(logCriteria([], []), [], { from: 0, openStart: false }));
    const before = heapUsed();
    await devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 0, to: null, value: 0n, data: LOGS_500, gasLimit: 5_000_000_000 })));
    const logs = tipsetLogs(devnet, devnet.head);
    assert.equal(logs.length, 500);
    // Each formatted copy took ~1.1 KB (55 MB for 100 × 500); the logs themselves and the tipset take a few.
    const grown = heapUsed() - before;
    assert.ok(grown < 10 * 2 ** 20, `the heap grew ${(grown / 2 ** 20).toFixed(1)} MB for 500 logs in 100 filters`);
    const expected = JSON.parse(JSON.stringify(logs.map((l) => formatLog(l))));
    for (const id of [ids[0]!, ids[99]!]) assert.deepEqual(JSON.parse(JSON.stringify(filters.takeChanges(id))), expected);
    assert.deepEqual(filters.takeChanges(ids[0]!), []);
  });
});
