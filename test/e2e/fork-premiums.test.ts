// Premium estimates on a young fork read on past its first tipset into the upstream's tipsets, as
// Lotus's GasEstimateGasPremium walks the 2 × n tipsets before the head: a fork of an upstream whose
// last tipsets carry premiums of 200 000 answers GasEstimateGasPremium, GasEstimateMessageGas's
// premium and eth_maxPriorityFeePerGas as the upstream does, at the fork epoch and after the fork
// (and the upstream) mined empty tipsets of their own.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

const PREMIUM = 200_000n;
const RECIPIENT = '0x3333333333333333333333333333333333333333';

/** `count` transfers paying PREMIUM, one a tipset. */
async function pricedTransfers(url: string, count: number): Promise<void> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const wallet = new Wallet(DEV_ACCOUNTS[1].privateKey, provider);
    for (let i = 0; i < count; i++) await (await wallet.sendTransaction({ to: RECIPIENT, value: 1n, maxPriorityFeePerGas: PREMIUM, maxFeePerGas: 10n ** 9n })).wait();
  } finally {
    provider.destroy();
  }
}

/** What each node estimates: GasEstimateGasPremium for 1, 2, 5 and 10 blocks, the premium GasEstimateMessageGas fills, eth_maxPriorityFeePerGas. */
async function estimates(url: string): Promise<Record<string, string>> {
  const sender = await rpc(url, 'Filecoin.EthAddressToFilecoinAddress', [DEV_ACCOUNTS[0].address]);
  const answers: Record<string, string> = {};
  for (const blocks of [1, 2, 5, 10]) answers[`GasEstimateGasPremium ${blocks}`] = await rpc(url, 'Filecoin.GasEstimateGasPremium', [blocks, sender, 1_000_000, null]);
  const to = await rpc(url, 'Filecoin.EthAddressToFilecoinAddress', [DEV_ACCOUNTS[2].address]);
  const message = { Version: 0, To: to, From: sender, Nonce: 0, Value: '1', GasLimit: 0, GasFeeCap: '0', GasPremium: '0', Method: 0, Params: null };
  answers.GasEstimateMessageGas = (await rpc(url, 'Filecoin.GasEstimateMessageGas', [message, null, null])).GasPremium;
  answers.eth_maxPriorityFeePerGas = await rpc(url, 'eth_maxPriorityFeePerGas', []);
  return answers;
}

describe('fork: premium estimates read the upstream\'s tipsets before the fork epoch', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;

  useForkSuite('fvm-fork-premiums-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet();
    await pricedTransfers(upstream.url, 24);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(await head(upstream.url))]);
  });

  test('at the fork epoch, the fork answers what the upstream answers', async () => {
    const theirs = await estimates(upstream.url);
    assert.equal(theirs['GasEstimateGasPremium 10'], PREMIUM.toString());
    assert.deepEqual(await estimates(fork!.url), theirs);
  });

  test('after empty tipsets of its own, the walk still reaches the upstream\'s, as on the upstream after as many', async () => {
    await rpc(fork!.url, 'anvil_mine', ['0x5']);
    await rpc(upstream.url, 'anvil_mine', ['0x5']);
    const theirs = await estimates(upstream.url);
    assert.equal(theirs['GasEstimateGasPremium 10'], PREMIUM.toString());
    assert.equal(theirs['GasEstimateGasPremium 2'], '150000');
    assert.deepEqual(await estimates(fork!.url), theirs);
  });
});
