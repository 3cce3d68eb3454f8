// Hardhat 2's `hardhat init` "JavaScript project" as a new user runs it: the sample's own Lock
// contract and test/Lock.js, copied from the installed Hardhat, under `hardhat test --network
// localhost`. The README says 8 of its 9 tests pass and one fails here as on calibnet: the owner's
// `changeEtherBalances` after a withdrawal, whose fee Lotus's `effectiveGasPrice` understates by less
// than `gasUsed` attoFIL. The sample loads @nomicfoundation/hardhat-toolbox, not a devDependency:
// the fixture's config loads the two plugins of it the test uses (hardhat-ethers, the chai matchers),
// and the test's `hardhat-toolbox/network-helpers` import, a re-export, names the package it re-exports.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { id } from 'ethers';
import { describeRunAndNode, hardhat, projectTestTitles, sampleProject } from '../helpers/hardhat.js';
import { useDevnet } from '../helpers/use-devnet.js';

// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;
const FAILING = 'Should transfer the funds to the owner';
// test/Lock.js's locked amount (ONE_GWEI), which the owner's balance is expected to gain.
const LOCKED = 1_000_000_000n;
/** The calldata of the sample's Lock.withdraw(). */
const WITHDRAW = id('withdraw()').slice(0, 10);

describe("Hardhat 2's JavaScript sample project (test/Lock.js) against the devnet", () => {
  const projectDir = mkdtempSync(join(tmpdir(), 'fvm-devnet-hardhat-js-'));
  const devnet = useDevnet();

  before(() => {
    sampleProject(projectDir, 'javascript', ['contracts', 'test'], 'hardhat-js-sample');
    const testFile = join(projectDir, 'test', 'Lock.js');
    const source = readFileSync(testFile, 'utf8');
    const rewritten = source.replace('"@nomicfoundation/hardhat-toolbox/network-helpers"', '"@nomicfoundation/hardhat-network-helpers"');
    assert.notEqual(rewritten, source, "the sample's test no longer imports hardhat-toolbox/network-helpers");
    writeFileSync(testFile, rewritten);
  });
  after(() => {
    rmSync(projectDir, { recursive: true, force: true });
  });

  test('`hardhat test --network localhost`: 8 tests pass; the owner\'s changeEtherBalances fails short by less than the withdrawal\'s gasUsed', async () => {
    const titles = projectTestTitles(projectDir);
    assert.equal(titles.length, 9, `the sample has ${titles.length} tests, the README says 9`);
    const head = BigInt(await devnet.provider.send('eth_blockNumber', []));
    const result = await hardhat(projectDir, ['test', '--network', 'localhost'], { FVM_DEVNET_URL: devnet.url }, TIMEOUT_MS);
    const explain = (why: string): string => describeRunAndNode(why, result, devnet);

    assert.equal(result.code, 1, explain('expected exactly one failing test (mocha exits with the count)'));
    assert.match(result.output, /\b8 passing\b/, explain('expected 8 passing tests'));
    assert.match(result.output, /\b1 failing\b/, explain('expected 1 failing test'));
    for (const title of titles.filter((t) => t !== FAILING)) assert.ok(result.output.includes(`✔ ${title}`), explain(`test "${title}" did not pass`));
    assert.ok(result.output.includes(`1) ${FAILING}`), explain(`"${FAILING}" is not the failing test`));

    // The owner's side: it gained the locked amount less the fee it paid, plus the matcher's
    // gasUsed × effectiveGasPrice added back, which falls short of the fee.
    const changed = new RegExp(`to change by ${LOCKED} wei, but it changed by (\\d+) wei`).exec(result.output);
    assert.ok(changed, explain("no changeEtherBalances failure for the owner's balance"));
    const shortfall = LOCKED - BigInt(changed[1]!);
    // The run's last mined transaction is that test's withdrawal: the newest tipset with a transaction
    // (by parent hash, which steps over null rounds) ends with Lock's withdraw().
    let block = await devnet.provider.send('eth_getBlockByNumber', ['latest', true]);
    while (block.transactions.length === 0 && BigInt(block.number) > head) block = await devnet.provider.send('eth_getBlockByHash', [block.parentHash, true]);
    const withdrawal = block.transactions.at(-1);
    assert.equal(withdrawal?.input, WITHDRAW, explain("the run's last transaction is not Lock's withdraw()"));
    const gasUsed = BigInt((await devnet.provider.send('eth_getTransactionReceipt', [withdrawal.hash])).gasUsed);
    assert.ok(shortfall > 0n && shortfall < gasUsed, explain(`the shortfall ${shortfall} is not within (0, gasUsed ${gasUsed})`));
  });
});
