// The sample Hardhat 2 project in examples/hardhat, run as a user runs it: `hardhat test --network
// localhost` against the devnet CLI, with hardhat-ethers, the chai matchers and
// hardhat-network-helpers. Hardhat is started through its own CLI entry (what `npx hardhat` runs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { describeRun, hardhat as hardhatIn, mochaTitles, type HardhatRun } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'hardhat');
// Limits that only catch a hung Hardhat: on a loaded shared machine (load ~20) a compile took over
// 30 s and the example's tests over 45 s, with nothing wrong.
const COMPILE_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 300_000;

const hardhat = (args: string[], env: Record<string, string>, timeoutMs: number): Promise<HardhatRun> => hardhatIn(EXAMPLE_DIR, args, env, timeoutMs);

/** The titles of the example's mocha tests. */
function exampleTestTitles(): string[] {
  return mochaTitles(['DealClient.test.js', 'Vault.test.js'].map((file) => readFileSync(join(EXAMPLE_DIR, 'test', file), 'utf8')));
}

describe('Hardhat 2 sample project (examples/hardhat)', () => {
  const devnet = useDevnet();

  test('compiles offline with the solc-js build of the `solc` package', async () => {
    const run = await hardhat(['compile', '--force'], {}, COMPILE_TIMEOUT_MS);
    assert.equal(run.code, 0, describeRun('hardhat compile --force failed', run));
    assert.match(run.output, /Compiled 3 Solidity files successfully/, describeRun('unexpected compile output', run));
    assert.doesNotMatch(run.output, /Downloading compiler/i, describeRun('Hardhat tried to download solc', run));
  });

  test('`hardhat test --network localhost` passes every test of the example (Vault, DealClient)', async () => {
    const titles = exampleTestTitles();
    assert.ok(titles.length >= 14, `found only ${titles.length} tests in examples/hardhat/test`);

    const run = await hardhat(['test', '--network', 'localhost'], { FVM_DEVNET_URL: devnet.url }, TEST_TIMEOUT_MS);
    const explain = (why: string): string =>
      describeRun(why, run) + `\n--- devnet output (last 4000 characters) ---\n${devnet.output().slice(-4000)}--- end ---`;

    assert.equal(run.code, 0, explain('hardhat test --network localhost failed'));
    assert.doesNotMatch(run.output, /\d+ failing/, explain('some tests failed'));
    assert.doesNotMatch(run.output, /\d+ pending/, explain('some tests were skipped'));
    const passing = /(\d+) passing/.exec(run.output);
    assert.ok(passing, explain('mocha printed no "N passing" line'));
    assert.equal(Number(passing[1]), titles.length, explain(`expected ${titles.length} passing tests`));
    for (const title of titles) assert.ok(run.output.includes(`✔ ${title}`), explain(`test "${title}" did not pass`));

    // It ran against this devnet (not Hardhat's in-process network): the node saw the deployments,
    // the helpers' cheat codes and the impersonated sender.
    const log = devnet.output();
    for (const method of [
      'eth_sendTransaction',
      'eth_estimateGas',
      'evm_snapshot',
      'evm_revert',
      'evm_setNextBlockTimestamp',
      'hardhat_mine',
      'hardhat_setBalance',
      'hardhat_impersonateAccount',
    ]) {
      assert.match(log, new RegExp(`\\b${method}\\b`), explain(`the devnet never received ${method}`));
    }
  });
});
