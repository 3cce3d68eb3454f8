// Hardhat 2's `hardhat test --parallel` against the devnet (test/fixtures/hardhat-parallel: two test
// files, two mocha workers). Hardhat hands `--network` to its own process only: each worker loads
// Hardhat again and takes HARDHAT_NETWORK or the config's defaultNetwork, so with `--network
// localhost` alone the tests run on Hardhat's in-process network and pass without reaching the node
// (NomicFoundation/hardhat#2756, open), here as against calibnet. With HARDHAT_NETWORK=localhost
// both workers deploy and send through hardhat-ethers' signers for the same dev accounts
// (the fixture keeps the first account's sends in step, so that they alternate on the chain, which
// the test reads): each send is an eth_sendTransaction without a nonce, the node gives the nonces
// and mines each transaction in a tipset of its own, so a balance matcher sees only its own transaction
// (a sender's FIL change still carries the effectiveGasPrice rounding README states).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { assertEveryTestPassed, describeRunAndNode, hardhat, mochaTitles, projectTestTitles, type HardhatRun } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hardhat-parallel');
// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;

describe('Hardhat 2 `test --parallel` against the default localhost network', () => {
  const devnet = useDevnet();
  const titles = projectTestTitles(PROJECT_DIR);
  const [owner, alice] = [DEV_ACCOUNTS[0]!.address, DEV_ACCOUNTS[1]!.address];

  const run = (args: string[], env: Record<string, string> = {}): Promise<HardhatRun> =>
    hardhat(PROJECT_DIR, ['test', '--parallel', ...args], { FVM_DEVNET_URL: devnet.url, ...env }, TIMEOUT_MS);
  /** The two senders' nonces at the head: how many of their transactions the node mined. */
  const nonces = async (): Promise<number[]> =>
    Promise.all([owner, alice].map((address) => devnet.provider.getTransactionCount(address, 'latest')));

  // One file (one worker) is enough to show it, and costs one Hardhat start less.
  test('with `--network localhost` only, the workers run on Hardhat\'s own network: the node receives no transaction', async () => {
    const file = join('test', 'First.test.js');
    const result = await run(['--network', 'localhost', file]);
    const explain = (why: string): string => describeRunAndNode(why, result, devnet);
    assertEveryTestPassed(result, mochaTitles([readFileSync(join(PROJECT_DIR, file), 'utf8')]), explain);
    assert.deepEqual(await nonces(), [0, 0], explain('the workers sent to the node'));
    assert.doesNotMatch(devnet.output(), /eth_sendTransaction/, explain('the node received a send'));
  });

  test('with HARDHAT_NETWORK=localhost, two workers sending from the same dev accounts in turn: every test passes on the node', async () => {
    assert.equal(titles.length, 2, 'the fixture has a test in each of its two files');
    const result = await run([], { HARDHAT_NETWORK: 'localhost' });
    const explain = (why: string): string => describeRunAndNode(why, result, devnet);
    assertEveryTestPassed(result, titles, explain);
    // Each file sent a deployment and 3 transfers from the first account and a send from the
    // second: 8 and 2 transactions mined, no nonce given twice or skipped.
    assert.deepEqual(await nonces(), [8, 2], explain('not every send was mined'));

    const mined = await minedTransactions();
    assert.equal(mined.length, 10, explain('the chain holds other transactions than the 10 sends'));
    assert.ok(mined.every((t) => t.alone), explain('a tipset holds more than one of the sends'));
    // The first account's in nonce order: the two deployments, then three rounds of one transfer
    // to each file's Coin. Workers that ran one after the other would give two runs of three.
    const fromOwner = mined.filter((t) => t.from.toLowerCase() === owner.toLowerCase()).sort((a, b) => a.nonce - b.nonce);
    const coins = await Promise.all(fromOwner.slice(0, 2).map(async (t) => (await devnet.provider.getTransactionReceipt(t.hash))!.contractAddress));
    assert.ok(coins.every((c) => c !== null) && coins[0] !== coins[1], explain('the first two sends were not the two deployments'));
    const rounds = [2, 4, 6].map((n) => fromOwner.slice(n, n + 2).map((t) => t.to).sort());
    assert.deepEqual(rounds, [2, 4, 6].map(() => [...coins].sort()), explain('the two workers\' transfers did not alternate'));
  });

  /** Every transaction on the chain: its sender, nonce, recipient and whether its tipset holds it alone. */
  async function minedTransactions(): Promise<{ hash: string; from: string; nonce: number; to: string | null; alone: boolean }[]> {
    const head = await devnet.provider.getBlockNumber();
    const blocks = await Promise.all(Array.from({ length: head + 1 }, (_, n) => devnet.provider.getBlock(n, true)));
    return blocks.flatMap((block) =>
      block!.prefetchedTransactions.map((tx) => ({ hash: tx.hash, from: tx.from, nonce: tx.nonce, to: tx.to, alone: block!.transactions.length === 1 })),
    );
  }
});
