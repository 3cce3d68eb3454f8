// Hardhat 2's own network forking fvm-devnet, as Hardhat's docs fork a chain (`forking: { url }`,
// test/fixtures/hardhat-fork; `npx hardhat node --fork <url>` runs the same EDR code). Hardhat reads
// the fork block with its transactions and requires a `gasPrice` on each; Lotus gives an EIP-1559
// transaction none (chain/types/ethtypes EthTx), so forking a block that holds one stops Hardhat, as
// it does against calibnet (filecoin-project/lotus#11995). Forked at a block without transactions, a
// suite reads the devnet's state and sends on top of it: what README's Hardhat bullet tells users
// (newuser9 s49 U80; Hardhat 2.29.1).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Wallet } from 'ethers';
import { rpc } from '../helpers/fork-calls.js';
import { assertEveryTestPassed, describeRunAndNode, hardhat, projectTestTitles, type HardhatRun } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hardhat-fork');
// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;
const FUNDED_BALANCE = 12_345n;

const titles = projectTestTitles(PROJECT_DIR);

describe("Hardhat's network forking fvm-devnet (`forking: { url }`)", () => {
  const devnet = useDevnet();
  const funded = Wallet.createRandom().address;
  const run = (): Promise<HardhatRun> =>
    hardhat(PROJECT_DIR, ['test'], { FORK_URL: devnet.url, FUNDED: funded, FUNDED_BALANCE: String(FUNDED_BALANCE) }, TIMEOUT_MS);

  before(async () => {
    await (await devnet.wallet.sendTransaction({ to: funded, value: FUNDED_BALANCE })).wait();
  });

  test('a head holding an EIP-1559 transaction (no gasPrice, as Lotus answers) stops Hardhat, as on calibnet', async () => {
    const head = await rpc(devnet.url, 'eth_getBlockByNumber', ['latest', true]);
    assert.equal(head.transactions.length, 1);
    assert.equal(head.transactions[0].type, '0x2');
    assert.equal('gasPrice' in head.transactions[0], false, 'Lotus gives an EIP-1559 transaction no gasPrice');
    const result = await run();
    assert.notEqual(result.code, 0, describeRunAndNode('hardhat test passed on a fork block with a transaction', result, devnet));
    assert.match(result.output, /failed to parse with expected type/, describeRunAndNode('Hardhat failed otherwise', result, devnet));
  });

  test('forked at a block without transactions (evm_mine first), a suite reads the devnet and sends', async () => {
    await rpc(devnet.url, 'evm_mine');
    const result = await run();
    assertEveryTestPassed(result, titles, (why, r) => describeRunAndNode(why, r, devnet));
  });
});
