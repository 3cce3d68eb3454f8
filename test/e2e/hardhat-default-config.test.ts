// A Hardhat 2 project whose `localhost` network is what Hardhat's docs write (a url; or a url and
// the chain id), with no gas setting: `hardhat run` of a deploy script and `hardhat test` with the
// chai matchers and network helpers (test/fixtures/hardhat-default); the `localnet` of Filecoin's
// starter kits (Lotus's /rpc/v1, keys Hardhat signs with); and Hardhat Ignition, the sample project's
// deploy tool: a deployment, its journal on a second run, a node restarted with --state, a new chain.
// examples/hardhat, which sets gas: "auto", is hardhat.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interface, JsonRpcProvider } from 'ethers';
import { after, describe, test } from 'node:test';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { assertEveryTestPassed, describeRunAndNode, hardhat, projectTestTitles, type HardhatRun } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hardhat-default');
// Only catches a hung Hardhat: under load ~20 a run took over 45 s with nothing wrong.
const TIMEOUT_MS = 300_000;
/** The two configs: only `url`, and `url` + `chainId`. */
const CONFIGS = ['hardhat.config.js', 'hardhat-chainid.config.js'];

const titles = projectTestTitles(PROJECT_DIR);

describe('Hardhat 2 project with the default localhost network (no gas setting)', () => {
  const devnet = useDevnet();

  // The configs share the project's artifacts, so they run one after the other.
  for (const config of CONFIGS) {
    const run = (args: string[]): Promise<HardhatRun> => hardhat(PROJECT_DIR, ['--config', config, ...args], { FVM_DEVNET_URL: devnet.url }, TIMEOUT_MS);
    const explain = (why: string, result: HardhatRun): string => describeRunAndNode(why, result, devnet);

    test(`${config}: \`hardhat run scripts/deploy.js --network localhost\` deploys and sends`, async () => {
      const result = await run(['run', 'scripts/deploy.js', '--network', 'localhost']);
      assert.equal(result.code, 0, explain('hardhat run failed', result));
      assert.match(result.output, /Token deployed to 0x[0-9a-fA-F]{40}/, explain('no Token deployment', result));
      assert.match(result.output, /TipJar deployed to 0x[0-9a-fA-F]{40}/, explain('no TipJar deployment', result));
      const transfer = /transfer mined in block \d+ with status 1, gas limit (\d+)/.exec(result.output);
      assert.ok(transfer, explain('the transfer did not succeed', result));
      // Estimated by the node, not hardhat-ethers' fixed 16 777 216 for a Hardhat node.
      assert.notEqual(Number(transfer[1]), 16_777_216, explain('the gas limit was not estimated', result));
      assert.match(result.output, /recipient balance 250/, explain('wrong token balance', result));
      // The first run met a fresh node at its genesis, whose eth_feeHistory row Hardhat's fee provider
      // reads: it sent EIP-1559 fees with the node's premium, not legacy gasPrice fees (audit24 H5).
      const provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1, staticNetwork: true });
      const [first] = (await provider.send('eth_getBlockByNumber', ['0x1', true])).transactions;
      provider.destroy();
      assert.equal(first.type, '0x2', explain(`the first send was type ${first.type}`, result));
      assert.equal(BigInt(first.maxPriorityFeePerGas), 100_000n, explain(`the first send's premium was ${first.maxPriorityFeePerGas}`, result));
    });

    test(`${config}: \`hardhat test --network localhost\` passes with the chai matchers and network helpers`, async () => {
      const result = await run(['test', '--network', 'localhost']);
      assertEveryTestPassed(result, titles, explain);
    });
  }

  test("the starter kits' `localnet` (/rpc/v1, chain id, accounts: [PRIVATE_KEY]): `hardhat run` signs with the keys and deploys", async () => {
    const [deployer, recipient] = [DEV_ACCOUNTS[5]!, DEV_ACCOUNTS[6]!];
    const env = { FVM_DEVNET_URL: devnet.url, PRIVATE_KEY: deployer.privateKey.slice(2), RECIPIENT_KEY: recipient.privateKey };
    const result = await hardhat(PROJECT_DIR, ['--config', 'hardhat-kit.config.js', 'run', 'scripts/deploy.js', '--network', 'localnet'], env, TIMEOUT_MS);
    const explain = (why: string): string => describeRunAndNode(why, result, devnet);
    assert.equal(result.code, 0, explain('hardhat run failed'));
    assert.match(result.output, /transfer mined in block \d+ with status 1/, explain('the transfer did not succeed'));
    assert.match(result.output, new RegExp(`recipient balance 250; deployer ${deployer.address}`, 'i'), explain('wrong balance or deployer'));
    // Hardhat signed them: the node got raw transactions (the other runs send eth_sendTransaction).
    assert.match(devnet.output(), /\beth_sendRawTransaction\b/, explain('no raw transaction reached the node'));
  });

  test('the runs went to this devnet, which estimated their gas', () => {
    const log = devnet.output();
    for (const method of ['eth_estimateGas', 'eth_sendTransaction', 'evm_snapshot', 'evm_revert', 'hardhat_mine', 'hardhat_setBalance', 'hardhat_impersonateAccount']) {
      assert.match(log, new RegExp(`\\b${method}\\b`), `the devnet never received ${method}`);
    }
  });
});

describe('Hardhat Ignition against the devnet (`hardhat ignition deploy … --network localhost`)', () => {
  const deploymentId = `fvm-devnet-test-${process.pid}`;
  const deploymentDir = join(PROJECT_DIR, 'ignition', 'deployments', deploymentId);
  const stateDir = mkdtempSync(join(tmpdir(), 'fvm-devnet-ignition-'));
  const stateFile = join(stateDir, 'chain.json');
  let devnet: DevnetProcess | undefined;
  let deployed: { token: string; jar: string } | undefined;

  // Ignition asks before deploying to a chain other than 31337 (and before --reset): these say yes.
  const ignition = (url: string, extra: string[] = []): Promise<HardhatRun> =>
    hardhat(
      PROJECT_DIR,
      ['ignition', 'deploy', 'ignition/modules/TipJar.js', '--network', 'localhost', '--deployment-id', deploymentId, ...extra],
      { FVM_DEVNET_URL: url, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: 'false', HARDHAT_IGNITION_CONFIRM_RESET: 'false' },
      TIMEOUT_MS,
    );
  const explain = (why: string, result: HardhatRun): string => describeRunAndNode(why, result, devnet);
  /** The module's deployed addresses, from Ignition's "Deployed Addresses" lines. */
  const addresses = (result: HardhatRun): { token: string; jar: string } => {
    const token = /TipJarModule#Token - (0x[0-9a-fA-F]{40})/.exec(result.output)?.[1];
    const jar = /TipJarModule#TipJar - (0x[0-9a-fA-F]{40})/.exec(result.output)?.[1];
    assert.ok(token && jar, explain('Ignition printed no deployed addresses', result));
    return { token, jar };
  };
  /** The recipient's token balance on the node (the module's call sent it 250). */
  const recipientBalance = async (url: string, token: string): Promise<bigint> => {
    const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      const erc20 = new Interface(['function balanceOf(address) view returns (uint256)']);
      const data = erc20.encodeFunctionData('balanceOf', [DEV_ACCOUNTS[1]!.address]);
      return erc20.decodeFunctionResult('balanceOf', await provider.call({ to: token, data }))[0] as bigint;
    } finally {
      provider.destroy();
    }
  };

  after(async () => {
    await devnet?.stop();
    rmSync(deploymentDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('deploys the module and runs its call; a second run finds everything in its journal', async () => {
    rmSync(deploymentDir, { recursive: true, force: true });
    devnet = await startDevnet(['--state', stateFile]);
    const first = await ignition(devnet.url);
    assert.equal(first.code, 0, explain('ignition deploy failed', first));
    assert.match(first.output, /successfully deployed/, explain('no success line', first));
    deployed = addresses(first);
    assert.equal(await recipientBalance(devnet.url, deployed.token), 250n, explain('the module call did not run', first));

    const second = await ignition(devnet.url);
    assert.equal(second.code, 0, explain('the second ignition deploy failed', second));
    assert.match(second.output, /Nothing new to deploy/, explain('the second run did not use the journal', second));
    assert.deepEqual(addresses(second), deployed);
  });

  test('a node restarted with the same --state still has what the journal says', async () => {
    assert.ok(deployed, 'the first deployment failed');
    await devnet!.stop();
    devnet = await startDevnet(['--state', stateFile]);
    const again = await ignition(devnet.url);
    assert.equal(again.code, 0, explain('ignition deploy after the restart failed', again));
    assert.match(again.output, /Nothing new to deploy/, explain('the run after the restart redeployed', again));
    assert.deepEqual(addresses(again), deployed);
    assert.equal(await recipientBalance(devnet.url, deployed.token), 250n, explain('the restarted node lost the deployment', again));
  });

  test('on a new chain (a restart without --state), `--reset` deploys the module again, as the README says', async () => {
    await devnet!.stop();
    devnet = await startDevnet();
    const provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      const reset = await ignition(devnet.url, ['--reset']);
      assert.equal(reset.code, 0, explain('ignition deploy --reset failed', reset));
      assert.match(reset.output, /successfully deployed/, explain('--reset did not deploy', reset));
      const redeployed = addresses(reset);
      assert.notEqual(await provider.getCode(redeployed.token), '0x');
      assert.equal(await recipientBalance(devnet.url, redeployed.token), 250n, explain('the module call did not run on the new chain', reset));
    } finally {
      provider.destroy();
    }
  });

  test('a module with a linked library (m.library), a static call feeding a call (m.staticCall) and FIL sent (m.send)', async () => {
    const id = `${deploymentId}-doubler`;
    const provider = new JsonRpcProvider(devnet!.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      const tipped = DEV_ACCOUNTS[2]!.address;
      const before = await provider.getBalance(tipped);
      const run = await hardhat(
        PROJECT_DIR,
        ['ignition', 'deploy', 'ignition/modules/Doubler.js', '--network', 'localhost', '--deployment-id', id],
        { FVM_DEVNET_URL: devnet!.url, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: 'false' },
        TIMEOUT_MS,
      ).finally(() => rmSync(join(PROJECT_DIR, 'ignition', 'deployments', id), { recursive: true, force: true }));
      assert.equal(run.code, 0, explain('ignition deploy of the Doubler module failed', run));
      const twice = /DoublerModule#Twice - (0x[0-9a-fA-F]{40})/.exec(run.output)?.[1];
      const doubler = /DoublerModule#Doubler - (0x[0-9a-fA-F]{40})/.exec(run.output)?.[1];
      assert.ok(twice && doubler, explain('Ignition printed no deployed addresses', run));
      // Linked: the library's address is in the contract's code.
      assert.ok((await provider.getCode(doubler)).includes(twice.slice(2).toLowerCase()), explain('Doubler is not linked to Twice', run));
      const iface = new Interface(['function last() view returns (uint256)']);
      const last = iface.decodeFunctionResult('last', await provider.call({ to: doubler, data: iface.encodeFunctionData('last') }))[0];
      // preview(21) is 42, which double() makes 84.
      assert.equal(last, 84n, explain('the static call\'s 42 did not reach double()', run));
      assert.equal(await provider.getBalance(doubler), 1234n);
      assert.equal(await provider.getBalance(tipped), before + 55n);
    } finally {
      provider.destroy();
    }
  });
});
