// End to end: a fork started without --fork-block-number lands on the tipset the upstream's F3 has
// finalized (Filecoin.ChainGetFinalizedTipSet), or on head − 900 when the upstream does not serve it;
// the banner names that epoch and eth_blockNumber agrees.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { EC_FINALITY } from '../../src/mining/finality.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, mineTo, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const F3_LAG = 10;
const HEAD = EC_FINALITY + 100;

describe('the default fork epoch', () => {
  let upstream: DevnetProcess;

  useForkSuite('fvm-fork-default-epoch-', () => [upstream]);

  before(async () => {
    upstream = await startDevnet(['--f3-lag', String(F3_LAG)]);
    await mineTo(upstream.url, HEAD);
  });

  /** Forks `url` at its default epoch; checks the banner, the head and its block against the upstream's tipset at `epoch`. */
  async function forkLandsAt(url: string, epoch: number): Promise<void> {
    const fork = await startDevnet(['--fork-url', url, '--storage-providers', '0']);
    try {
      assert.match(fork.output(), new RegExp(`Fork: +${url}/rpc/v1 \\(fvm-devnet\\) at epoch ${epoch}\\b`));
      assert.equal(await rpc(fork.url, 'eth_blockNumber'), hex(epoch));
      const upstreamBlock = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(epoch), false]);
      assert.equal((await rpc(fork.url, 'eth_getBlockByNumber', ['latest', false])).hash, upstreamBlock.hash);
    } finally {
      await fork.stop();
    }
  }

  test('an upstream that serves ChainGetFinalizedTipSet: the fork lands on F3\'s finalized tipset', async () => {
    const finalized = await rpc(upstream.url, 'Filecoin.ChainGetFinalizedTipSet');
    assert.equal(finalized.Height, HEAD - F3_LAG);
    await forkLandsAt(upstream.url, finalized.Height);
  });

  test('an upstream that does not serve it: the fork lands on head − 900', async (t) => {
    const proxy = await upstreamProxy(t, upstream.url);
    proxy.mode.unserved.add('Filecoin.ChainGetFinalizedTipSet');
    await assert.rejects(rpc(proxy.url, 'Filecoin.ChainGetFinalizedTipSet'), /method 'Filecoin.ChainGetFinalizedTipSet' not found/);
    await forkLandsAt(proxy.url, HEAD - EC_FINALITY);
  });
});
