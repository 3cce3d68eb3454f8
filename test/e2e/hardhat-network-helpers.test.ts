// A Hardhat 2 suite grown against Hardhat node or Anvil, run unchanged against fvm-devnet
// (test/fixtures/hardhat-suite): every hardhat-network-helpers call such a suite makes, nested
// loadFixture, mine with an interval, setCode (a copy; "0x" on an account, which must still send, and
// on a contract, which becomes an account that sends and finds its slots when code comes back: U8),
// setStorageAt, setNonce, impersonation, takeSnapshot, dropTransaction, the base fee, the three
// refusals, and reset(url, block) then reset(), which must come back to the devnet's own chain
// (newuser3 s46 U4, U5: Hardhat 2.29.1, hardhat-network-helpers 1.1.2; each passes on Hardhat's node too).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { assertEveryTestPassed, describeRunAndNode, hardhat, projectTestTitles } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hardhat-suite');
// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;

const titles = projectTestTitles(PROJECT_DIR);

describe('a Hardhat suite grown against Hardhat node, with the network helpers, on fvm-devnet', () => {
  let devnet: DevnetProcess;
  let upstream: DevnetProcess;

  before(async () => {
    [devnet, upstream] = await Promise.all([startDevnet(), startDevnet()]);
    // The Lotus node the suite forks at epoch 2.
    await rpc(upstream.url, 'anvil_mine', ['0x3']);
  });
  after(async () => {
    await Promise.all([devnet?.stop(), upstream?.stop()]);
  });

  test('`hardhat test --network localhost` passes every test of the suite', async () => {
    const result = await hardhat(PROJECT_DIR, ['test', '--network', 'localhost'], { FVM_DEVNET_URL: devnet.url, UPSTREAM_URL: `${upstream.url}/rpc/v1` }, TIMEOUT_MS);
    assertEveryTestPassed(result, titles, (why, run) => describeRunAndNode(why, run, devnet));
    for (const method of ['evm_snapshot', 'evm_revert', 'hardhat_setCode', 'hardhat_setNonce', 'hardhat_dropTransaction', 'hardhat_reset']) {
      assert.match(devnet.output(), new RegExp(`\\b${method}\\b`), `the devnet never received ${method}`);
    }
  });
});
