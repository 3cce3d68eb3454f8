// OpenZeppelin Upgrades in a Hardhat 2 project set up as its docs do (hardhat-ethers and
// @openzeppelin/hardhat-upgrades, a `localhost` network with only a url: test/fixtures/hardhat-upgrades):
// `hardhat run` deploys a UUPS proxy, a transparent proxy and a beacon with its proxy; a second run,
// after the node was restarted on its --state file, validates and upgrades them (as a project upgrades
// days later on calibnet); Hardhat Ignition deploys and upgrades a transparent proxy as its guide does;
// `hardhat test` upgrades a proxy from a loadFixture snapshot in each test.
// Then a fork upgrades proxies deployed on its upstream, from the manifest the project keeps for that
// chain (as for calibnet, .openzeppelin/unknown-314159.json). Each run's os.tmpdir() is this test's,
// where the plugin keeps a development node's manifest.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getAddress, getCreateAddress, Interface, JsonRpcProvider, zeroPadValue } from 'ethers';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { describeRun, describeRunAndNode, hardhat, mochaTitles, type HardhatRun } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hardhat-upgrades');
const DEPLOYED_FILE = join(PROJECT_DIR, 'deployed.json');
// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;
// ERC-1967's slots: keccak256 of their names, minus one.
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';
const ADMIN_SLOT = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103';
const BEACON_SLOT = '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50';

describe('OpenZeppelin Upgrades with Hardhat 2 (`localhost` with only a url)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fvm-devnet-oz-hardhat-'));
  const stateFile = join(stateDir, 'chain.json');
  const osTmp = join(stateDir, 'tmp');
  let devnet: DevnetProcess | undefined;
  let provider: JsonRpcProvider;
  let lines: Map<string, string>;

  const run = (args: string[]): Promise<HardhatRun> => hardhat(PROJECT_DIR, args, { FVM_DEVNET_URL: devnet!.url, TMPDIR: osTmp }, TIMEOUT_MS);
  const explain = (why: string, result: HardhatRun): string => describeRunAndNode(why, result, devnet);
  /** The script's "<fact>: <value>" lines by fact. */
  const facts = (result: HardhatRun): Map<string, string> => new Map([...result.output.matchAll(/^([a-z][a-z ]*): (.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const slotAddress = async (address: string, slot: string): Promise<string> => getAddress('0x' + (await provider.getStorage(address, slot)).slice(-40));
  const fact = (name: string): string => {
    const value = lines.get(name);
    assert.ok(value, `the script printed no "${name}" line`);
    return value;
  };

  before(async () => {
    mkdirSync(osTmp);
    rmSync(DEPLOYED_FILE, { force: true });
    devnet = await startDevnet(['--state', stateFile]);
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1, staticNetwork: true });
  });
  after(async () => {
    provider?.destroy();
    await devnet?.stop();
    rmSync(DEPLOYED_FILE, { force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('`hardhat run scripts/deploy.js`: UUPS, transparent and beacon proxies deployed and called', async () => {
    const result = await run(['run', 'scripts/deploy.js', '--network', 'localhost']);
    assert.equal(result.code, 0, explain('hardhat run scripts/deploy.js failed', result));
    assert.match(result.output, /^deployed all$/m, explain('the script did not finish', result));
    lines = facts(result);
    const deployer = DEV_ACCOUNTS[0]!.address;

    // UUPS: the initializer ran through the proxy; ERC-1967's slot names the implementation, which has code.
    assert.equal(fact('uups retrieve'), '42');
    assert.equal(fact('uups stored'), '7');
    const box = fact('uups proxy');
    assert.equal(await slotAddress(box, IMPLEMENTATION_SLOT), fact('uups implementation'));
    assert.notEqual(await provider.getCode(fact('uups implementation')), '0x');
    assert.equal(await provider.getStorage(box, ADMIN_SLOT), zeroPadValue('0x', 32));
    // The implementation was the deployer's first creation, the proxy its second, as on Ethereum and calibnet.
    assert.equal(fact('uups implementation'), getCreateAddress({ from: deployer, nonce: 0 }));
    assert.equal(box, getCreateAddress({ from: deployer, nonce: 1 }));

    // Transparent: the proxy made its ProxyAdmin (its own first creation), owned by the deployer.
    const greeter = fact('transparent proxy');
    assert.equal(await slotAddress(greeter, IMPLEMENTATION_SLOT), fact('transparent implementation'));
    assert.equal(await slotAddress(greeter, ADMIN_SLOT), fact('transparent admin'));
    assert.equal(fact('transparent admin'), getCreateAddress({ from: greeter, nonce: 1 }));
    assert.equal(fact('transparent admin owner'), deployer);
    assert.equal(fact('transparent greet'), 'hello');

    // Beacon: the proxy's slot names the beacon, which names the implementation (reused: the same bytecode).
    assert.equal(await slotAddress(fact('beacon proxy'), BEACON_SLOT), fact('beacon'));
    assert.equal(fact('beacon of proxy'), fact('beacon'));
    assert.equal(fact('beacon implementation'), fact('transparent implementation'));
    assert.equal(fact('beacon greet'), 'hi');

    // The plugin took the devnet for a development node: its manifest is in os.tmpdir(), named by the
    // chain id and the chain's genesis hash, and the project has no .openzeppelin folder.
    const genesis = (await provider.getBlock(0))!.hash!;
    const manifest = join(osTmp, 'openzeppelin-upgrades', `anvil-${DEVNET_CHAIN_ID}-${genesis}.json`);
    assert.ok(existsSync(manifest), `no manifest at ${manifest}`);
    const proxies = (JSON.parse(readFileSync(manifest, 'utf8')) as { proxies: { address: string; kind: string }[] }).proxies;
    assert.deepEqual(
      proxies.map((p) => [p.address, p.kind]),
      [
        [box, 'uups'],
        [greeter, 'transparent'],
        [fact('beacon proxy'), 'beacon'],
      ],
    );
    assert.equal(existsSync(join(PROJECT_DIR, '.openzeppelin')), false, 'the plugin wrote a .openzeppelin folder');
  });

  test('after a restart on the --state file, `hardhat run scripts/upgrade.js` refuses an unsafe upgrade and upgrades all three', async (t) => {
    if (!lines) return t.skip('the deployment failed');
    await devnet!.stop();
    devnet = await startDevnet(['--state', stateFile]);
    provider.destroy();
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1, staticNetwork: true });

    const result = await run(['run', 'scripts/upgrade.js', '--network', 'localhost']);
    assert.equal(result.code, 0, explain('hardhat run scripts/upgrade.js failed', result));
    assert.match(result.output, /^upgraded all$/m, explain('the script did not finish', result));
    const upgraded = facts(result);
    assert.equal(upgraded.get('unsafe upgrade refused'), 'New storage layout is incompatible', explain('the unsafe upgrade was not refused for its storage', result));

    const box = fact('uups proxy');
    const boxV2 = upgraded.get('uups upgraded implementation')!;
    assert.notEqual(boxV2, fact('uups implementation'));
    assert.equal(await slotAddress(box, IMPLEMENTATION_SLOT), boxV2);
    assert.equal(upgraded.get('uups after upgrade'), 'v2 8', explain('the UUPS proxy lost its value or was not upgraded', result));

    const greeterV2 = upgraded.get('transparent upgraded implementation')!;
    assert.equal(await slotAddress(fact('transparent proxy'), IMPLEMENTATION_SLOT), greeterV2);
    // The ProxyAdmin's upgradeAndCall did it, and ran setGreeting: the admin slot still names the same ProxyAdmin.
    assert.equal(await slotAddress(fact('transparent proxy'), ADMIN_SLOT), fact('transparent admin'));
    assert.equal(upgraded.get('transparent after upgrade'), 'v2 hello again!');

    assert.equal(upgraded.get('beacon upgraded implementation'), greeterV2);
    assert.equal(upgraded.get('beacon after upgrade'), 'v2 hi!');
  });

  test("`hardhat ignition deploy`: Ignition's proxy module (ProxyAdmin from the AdminChanged event) and its upgrade through upgradeAndCall", async () => {
    const deploymentId = `fvm-devnet-oz-${process.pid}`;
    const result = await hardhat(
      PROJECT_DIR,
      ['ignition', 'deploy', 'ignition/modules/Greeter.js', '--network', 'localhost', '--deployment-id', deploymentId],
      // Ignition asks before deploying to a chain other than 31337: this says yes.
      { FVM_DEVNET_URL: devnet!.url, TMPDIR: osTmp, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: 'false' },
      TIMEOUT_MS,
    ).finally(() => rmSync(join(PROJECT_DIR, 'ignition', 'deployments', deploymentId), { recursive: true, force: true }));
    assert.equal(result.code, 0, explain('hardhat ignition deploy failed', result));
    const address = (future: string): string => {
      const found = new RegExp(`${future} - (0x[0-9a-fA-F]{40})`).exec(result.output)?.[1];
      assert.ok(found, explain(`Ignition printed no address for ${future}`, result));
      return found;
    };
    const proxy = address('GreeterProxyModule#TransparentUpgradeableProxy');
    assert.equal(await slotAddress(proxy, ADMIN_SLOT), address('GreeterProxyModule#ProxyAdmin'));
    assert.equal(await slotAddress(proxy, IMPLEMENTATION_SLOT), address('GreeterUpgradeModule#GreeterV2'));
    const greeter = new Interface(['function greet() view returns (string)']);
    assert.equal(greeter.decodeFunctionResult('greet', await provider.call({ to: proxy, data: greeter.encodeFunctionData('greet') }))[0], 'upgraded!');
  });

  test('`hardhat test`: a proxy from a loadFixture snapshot upgraded in each test, the reverted upgrades forgotten', async () => {
    const titles = mochaTitles([readFileSync(join(PROJECT_DIR, 'test', 'Box.test.js'), 'utf8')]);
    const result = await run(['test', '--network', 'localhost']);
    assert.equal(result.code, 0, explain('hardhat test failed', result));
    assert.equal(Number(/(\d+) passing/.exec(result.output)?.[1]), titles.length, explain(`expected ${titles.length} passing tests`, result));
    assert.doesNotMatch(result.output, /\d+ (failing|pending)/, explain('some tests failed or were skipped', result));
    for (const title of titles) assert.ok(result.output.includes(`✔ ${title}`), explain(`test "${title}" did not pass`, result));
  });

  test('after anvil_reset, `hardhat run scripts/deploy.js` deploys all three again, into a new manifest (a new instanceId, as Anvil draws at a reset)', async () => {
    const manifests = () => readdirSync(join(osTmp, 'openzeppelin-upgrades')).filter((name) => name.endsWith('.json'));
    const kept = manifests();
    assert.equal(kept.length, 1, `manifests before the reset: ${kept.join(', ')}`);
    await provider.send('anvil_reset', []);
    const result = await run(['run', 'scripts/deploy.js', '--network', 'localhost']);
    assert.equal(result.code, 0, explain('hardhat run scripts/deploy.js after anvil_reset failed', result));
    assert.match(result.output, /^deployed all$/m, explain('the script did not finish', result));
    // The node was restarted on its --state file: the reset goes back to the chain it loaded (README).
    assert.equal(facts(result).get('uups retrieve'), '42', explain('the new UUPS proxy was not initialised', result));
    const made = manifests();
    assert.equal(made.length, 2, `manifests after the reset: ${made.join(', ')}`);
    const instanceId = (await provider.send('anvil_metadata', [])).instanceId;
    assert.ok(made.includes(`anvil-${DEVNET_CHAIN_ID}-${instanceId}.json`), `no manifest for ${instanceId}: ${made.join(', ')}`);
  });
});

describe('OpenZeppelin Upgrades on a fork: proxies deployed upstream, upgraded on the fork', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-oz-fork-'));
  const projectManifests = join(PROJECT_DIR, '.openzeppelin');
  const UPSTREAM_CHAIN_ID = 314159;
  let upstream: DevnetProcess | undefined;
  let fork: DevnetProcess | undefined;

  const run = (node: DevnetProcess, args: string[]): Promise<HardhatRun> => hardhat(PROJECT_DIR, args, { FVM_DEVNET_URL: node.url, TMPDIR: dir }, TIMEOUT_MS);
  const explain = (why: string, result: HardhatRun): string =>
    describeRun(why, result) + `\n--- fork output (last 3000 characters) ---\n${fork?.output().slice(-3000)}--- end ---`;

  after(async () => {
    await fork?.stop();
    await upstream?.stop();
    rmSync(DEPLOYED_FILE, { force: true });
    rmSync(projectManifests, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test("upgrade.js against a fork of the upstream the proxies were deployed to, from the project's manifest of that chain", async () => {
    rmSync(DEPLOYED_FILE, { force: true });
    upstream = await startDevnet(['--chain-id', String(UPSTREAM_CHAIN_ID)]);
    const deployed = await run(upstream, ['run', 'scripts/deploy.js', '--network', 'localhost']);
    assert.equal(deployed.code, 0, describeRun('hardhat run scripts/deploy.js on the upstream failed', deployed));
    // What a deployment to calibnet leaves in the project: the manifest of its chain id, in .openzeppelin/.
    const [upstreamManifest] = readdirSync(join(dir, 'openzeppelin-upgrades'));
    assert.ok(upstreamManifest, 'the plugin kept no manifest for the upstream');
    mkdirSync(projectManifests, { recursive: true });
    copyFileSync(join(dir, 'openzeppelin-upgrades', upstreamManifest), join(projectManifests, `unknown-${UPSTREAM_CHAIN_ID}.json`));
    rmSync(join(dir, 'openzeppelin-upgrades'), { recursive: true });

    const upstreamProvider = new JsonRpcProvider(upstream.url, undefined, { staticNetwork: true });
    const head = await upstreamProvider.getBlockNumber();
    upstreamProvider.destroy();
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(head)]);
    const upgraded = await run(fork, ['run', 'scripts/upgrade.js', '--network', 'localhost']);
    assert.equal(upgraded.code, 0, explain('hardhat run scripts/upgrade.js on the fork failed', upgraded));
    assert.match(upgraded.output, /^unsafe upgrade refused: New storage layout is incompatible$/m, explain('the unsafe upgrade was not refused for its storage', upgraded));
    assert.match(upgraded.output, /^uups after upgrade: v2 8$/m, explain('the UUPS proxy was not upgraded', upgraded));
    assert.match(upgraded.output, /^transparent after upgrade: v2 hello again!$/m, explain('the transparent proxy was not upgraded', upgraded));
    assert.match(upgraded.output, /^beacon after upgrade: v2 hi!$/m, explain('the beacon was not upgraded', upgraded));
    // The fork wrote its own manifest (its chain id, an id of its own), not the project's.
    const forkManifests = readdirSync(join(dir, 'openzeppelin-upgrades'));
    assert.equal(forkManifests.length, 1);
    assert.match(forkManifests[0]!, new RegExp(`^anvil-${UPSTREAM_CHAIN_ID}-0x[0-9a-f]{64}\\.json$`));
  });
});
