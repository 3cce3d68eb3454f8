// eth_feeHistory on a fork over a range reaching before the fork epoch: the blocks at or before it are
// the upstream's, as its own eth_feeHistory gives them (base fees, gas used, rewards of its
// transactions), joined to the fork's own after it as one answer; a range ending at or before the
// fork epoch is the upstream's answer; bad parameters get the local error.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { answerOrError, head, hex, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

const RECIPIENT = '0x3333333333333333333333333333333333333333';
const PERCENTILES = [10, 50, 90];

/** Transfers from two dev accounts paying different premiums, mined in one tipset. */
async function pricedTransfers(url: string): Promise<void> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    await rpc(url, 'evm_setAutomine', [false]);
    const sent = await Promise.all(
      [1n, 7n].map((gwei, i) =>
        new Wallet(DEV_ACCOUNTS[i].privateKey, provider).sendTransaction({ to: RECIPIENT, value: 1n, maxPriorityFeePerGas: gwei * 10n ** 9n, maxFeePerGas: 10n ** 11n }),
      ),
    );
    await rpc(url, 'anvil_mine', ['0x1']);
    await Promise.all(sent.map((tx) => tx.wait()));
  } finally {
    await rpc(url, 'evm_setAutomine', [true]);
    provider.destroy();
  }
}

for (const gatewayOnly of [false, true]) describe(`fork: eth_feeHistory across the fork epoch${gatewayOnly ? ' (a --gateway-only upstream)' : ''}`, () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  let forkEpoch: number;

  useForkSuite('fvm-fork-fee-history-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(gatewayOnly ? ['--gateway-only'] : []);
    for (let i = 0; i < 3; i++) await pricedTransfers(upstream.url);
    forkEpoch = await head(upstream.url);
    await pricedTransfers(upstream.url); // after the fork epoch: not the fork's
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch)]);
    await pricedTransfers(fork.url);
    await rpc(fork.url, 'anvil_mine', ['0x1']);
    await pricedTransfers(fork.url);
  });

  test('a range across the fork epoch is the upstream\'s part up to it joined to the fork\'s own', async () => {
    const newest = await head(fork!.url);
    const own = newest - forkEpoch;
    assert.equal(own, 3);
    // A gateway refuses more than 128 blocks: through one, the upstream's part must stay within that.
    if (gatewayOnly) await assert.rejects(rpc(fork!.url, 'eth_feeHistory', [hex(1024), 'latest', PERCENTILES]), /upstream eth_feeHistory: block count too high$/);
    for (const count of [own + 1, own + 4, gatewayOnly ? 128 + own : 1024]) {
      const history = await rpc(fork!.url, 'eth_feeHistory', [hex(count), 'latest', PERCENTILES]);
      const theirs = await rpc(upstream.url, 'eth_feeHistory', [hex(count - own), hex(forkEpoch), PERCENTILES]);
      const mine = await rpc(fork!.url, 'eth_feeHistory', [hex(own), 'latest', PERCENTILES]);
      // The upstream's tipsets up to the fork epoch from after its genesis (which Lotus leaves out), as many as the count leaves.
      const before = Math.min(count - own, forkEpoch);
      assert.equal(theirs.gasUsedRatio.length, before);
      assert.equal(history.oldestBlock, theirs.oldestBlock, `oldestBlock of ${count}`);
      assert.equal(Number(history.oldestBlock), forkEpoch - before + 1);
      assert.equal(history.gasUsedRatio.length, before + own);
      assert.equal(history.baseFeePerGas.length, before + own + 1);
      assert.equal(history.reward.length, before + own);
      assert.deepEqual(history.baseFeePerGas, [...theirs.baseFeePerGas.slice(0, before), ...mine.baseFeePerGas]);
      assert.deepEqual(history.gasUsedRatio, [...theirs.gasUsedRatio, ...mine.gasUsedRatio]);
      assert.deepEqual(history.reward, [...theirs.reward, ...mine.reward]);
    }
    // The block at the fork epoch is the upstream's, with its transactions' premiums (1 and 7 gwei).
    const atFork = await rpc(fork!.url, 'eth_feeHistory', [hex(own + 1), 'latest', PERCENTILES]);
    assert.ok(atFork.gasUsedRatio[0] > 0);
    assert.ok(atFork.reward[0].every((premium: string) => [hex(10 ** 9), hex(7 * 10 ** 9)].includes(premium)), JSON.stringify(atFork.reward[0]));
  });

  test('a range ending at or before the fork epoch is the upstream\'s answer', async () => {
    for (const [count, newest] of [
      [2, hex(forkEpoch)],
      [3, hex(forkEpoch - 1)],
      ['0x1', hex(1)],
    ] as const) {
      for (const wanted of [PERCENTILES, undefined]) {
        const params = wanted ? [count, newest, wanted] : [count, newest];
        assert.deepEqual(await rpc(fork!.url, 'eth_feeHistory', params), await rpc(upstream.url, 'eth_feeHistory', params), JSON.stringify(params));
      }
    }
  });

  test('without percentiles there are no rewards; bad parameters get the local error', async () => {
    const history = await rpc(fork!.url, 'eth_feeHistory', ['0x6', 'latest']);
    assert.equal(history.reward, undefined);
    assert.equal(history.gasUsedRatio.length, 6);
    for (const params of [
      ['0x6', 'latest', [50, 10]],
      [hex(1025), hex(forkEpoch)],
      ['0x2', 'pending-ish'],
      ['0x2', hex(forkEpoch), 'x'],
    ]) {
      const mine = await answerOrError(rpc(fork!.url, 'eth_feeHistory', params));
      assert.ok(mine.error, JSON.stringify(params));
      // A gateway checks its own 128 before the node's 1024; the fork answers as a node.
      const gatewayCount = gatewayOnly && params[0] === hex(1025);
      const theirs = gatewayCount ? { error: 'eth_feeHistory: block count should be smaller than 1024' } : await answerOrError(rpc(upstream.url, 'eth_feeHistory', params));
      assert.deepEqual(mine, theirs, JSON.stringify(params));
    }
  });
});
