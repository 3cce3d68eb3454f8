// A Hardhat 2 project whose contracts import filecoin-solidity-api from node_modules, as a
// deal-making developer writes one (test/fixtures/hardhat-filecoin-solidity): Hardhat's default
// compiler settings (no optimizer, no viaIR) build the library, `hardhat test --network localhost`
// deploys a library with a public function and the contract Hardhat links it into, and the
// project's tests check what the contract reads through MarketAPI and MinerAPI against the node's
// Filecoin.* JSON-RPC. (test/e2e/filecoin-solidity.test.ts covers the library's APIs one by one.)
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertEveryTestPassed, describeRunAndNode, hardhat, projectTestTitles, type HardhatRun } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hardhat-filecoin-solidity');
// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;

describe('Hardhat 2 project importing filecoin-solidity-api', () => {
  const devnet = useDevnet();

  test('`hardhat test --network localhost`: the linked contract reads a deal and a provider as Filecoin.* reports them', async () => {
    const result = await hardhat(PROJECT_DIR, ['test', '--network', 'localhost'], { FVM_DEVNET_URL: devnet.url }, TIMEOUT_MS);
    assertEveryTestPassed(result, projectTestTitles(PROJECT_DIR), (why: string, run: HardhatRun) => describeRunAndNode(why, run, devnet));
  });
});
