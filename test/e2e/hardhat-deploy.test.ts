// hardhat-deploy (fevm-hardhat-kit's deploy tool) in a Hardhat 2 project against the devnet
// (test/fixtures/hardhat-deploy): `hardhat deploy --network localhost` deploys and records
// deployments/localhost, a second run reuses what did not change and deploys again what did, the
// project's tests find deployments through `deployments.fixture` / `get`, and
// `deterministicDeployment` goes through the Safe singleton factory the config names, or stops at
// Arachnid's keyless deployer as the README says (as on calibnet).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { AbiCoder, concat, getCreate2Address, keccak256, ZeroHash } from 'ethers';
import { assertEveryTestPassed, describeRunAndNode, hardhat, projectTestTitles, type HardhatRun } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hardhat-deploy');
const DEPLOYMENTS_DIR = join(PROJECT_DIR, 'deployments');
const SAFE_SINGLETON_FACTORY = '0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7';
// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;

interface Deployment {
  address: string;
  bytecode: string;
  deployedBytecode: string;
  args: string[];
}
const deployment = (name: string): Deployment => JSON.parse(readFileSync(join(DEPLOYMENTS_DIR, 'localhost', `${name}.json`), 'utf8')) as Deployment;

describe('hardhat-deploy against the devnet (`hardhat deploy --network localhost`)', () => {
  const devnet = useDevnet();
  const run = (args: string[], env: Record<string, string> = {}): Promise<HardhatRun> => hardhat(PROJECT_DIR, args, { FVM_DEVNET_URL: devnet.url, ...env }, TIMEOUT_MS);
  const explain = (why: string, result: HardhatRun): string => describeRunAndNode(why, result, devnet);
  // The first deployment, made once by whichever test needs it first: each test can run alone (--test-name-pattern).
  let first: Promise<{ simpleCoin: string; deterministic: string }> | undefined;
  const firstDeployment = () => (first ??= deployFirst());
  async function deployFirst(): Promise<{ simpleCoin: string; deterministic: string }> {
    const result = await run(['deploy', '--network', 'localhost']);
    assert.equal(result.code, 0, explain('hardhat deploy failed', result));
    assert.equal(readFileSync(join(DEPLOYMENTS_DIR, 'localhost', '.chainId'), 'utf8'), String(Number(await devnet.provider.send('eth_chainId', []))));
    const coin = deployment('SimpleCoin');
    assert.match(result.output, new RegExp(`deploying "SimpleCoin" \\(tx: 0x[0-9a-f]{64}\\)\\.\\.\\.: deployed at ${coin.address}`), explain('no SimpleCoin deployment line', result));
    assert.equal(await devnet.provider.getCode(coin.address), coin.deployedBytecode);
    const deterministic = deployment('DeterministicCoin');
    const initCode = concat([deterministic.bytecode, AbiCoder.defaultAbiCoder().encode(['uint256'], deterministic.args)]);
    assert.equal(deterministic.address, getCreate2Address(SAFE_SINGLETON_FACTORY, ZeroHash, keccak256(initCode)));
    assert.equal(await devnet.provider.getCode(deterministic.address), deterministic.deployedBytecode);
    return { simpleCoin: coin.address, deterministic: deterministic.address };
  }

  // deployments/localhost of an earlier run names a chain this node never saw.
  before(() => rmSync(DEPLOYMENTS_DIR, { recursive: true, force: true }));

  test('deploys SimpleCoin, and DeterministicCoin through the Safe singleton factory at its CREATE2 address', async () => {
    await firstDeployment();
  });

  test('a second run reuses DeterministicCoin and deploys SimpleCoin again, its arguments changed', async () => {
    const { simpleCoin, deterministic } = await firstDeployment();
    const result = await run(['deploy', '--network', 'localhost'], { SIMPLECOIN_SUPPLY: '9000' });
    assert.equal(result.code, 0, explain('the second hardhat deploy failed', result));
    assert.match(result.output, new RegExp(`reusing "DeterministicCoin" at ${deterministic}`), explain('DeterministicCoin was not reused', result));
    const coin = deployment('SimpleCoin');
    assert.notEqual(coin.address, simpleCoin, explain('SimpleCoin was not deployed again', result));
    assert.deepEqual(coin.args, ['9000']);
    assert.equal(await devnet.provider.getCode(coin.address), coin.deployedBytecode);
  });

  test('`hardhat test --network localhost`: deployments.fixture, get, execute and read', async () => {
    const result = await run(['test', '--network', 'localhost']);
    assertEveryTestPassed(result, projectTestTitles(PROJECT_DIR), explain);
  });

  test('`hardhat test --grep` runs one of the project\'s later tests alone: it sets up its own fixture and snapshot', async () => {
    const title = projectTestTitles(PROJECT_DIR).at(-1)!;
    // Mocha reads --grep as a regular expression.
    const result = await run(['test', '--network', 'localhost', '--grep', title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')]);
    assertEveryTestPassed(result, [title], explain);
  });

  test('`deterministicDeployment: true` with no factory for the chain stops at Arachnid\'s pre-signed 100 000-gas transaction', async () => {
    const result = await run(['--config', 'hardhat-arachnid.config.js', 'deploy', '--network', 'localhost', '--reset', '--tags', 'Deterministic']);
    assert.notEqual(result.code, 0, explain('the deployment went through', result));
    assert.match(result.output, /'GasLimit' field cannot be less than the cost of storing a message on chain 100000 < \d+/, explain('not the README\'s error', result));
  });
});
