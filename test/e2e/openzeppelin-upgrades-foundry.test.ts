// OpenZeppelin Foundry Upgrades (@openzeppelin/foundry-upgrades from npm) in a Foundry project set up as
// its README says (ffi, ast, build_info, storageLayout; remappings into node_modules:
// test/fixtures/foundry-upgrades): `forge script --broadcast` deploys a UUPS proxy with
// Upgrades.deployUUPSProxy, then upgrades it with Upgrades.upgradeProxy, whose safety validation runs
// `npx @openzeppelin/upgrades-core validate` through ffi; and `forge test --fork-url` runs a test that does
// both on a fork of the devnet. forge is the platform binary (real exit codes).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getAddress, Interface, JsonRpcProvider } from 'ethers';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { assertRunMatches, explainRun, forge, type CastResult, type FoundryRunOptions } from '../helpers/foundry.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'foundry-upgrades');
// The project's own node_modules, as a user's has: a link to this repository's (made here, not kept in git).
const PROJECT_MODULES = join(PROJECT_DIR, 'node_modules');
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';
// solc-js compiles the OpenZeppelin sources in ~30 s on an idle machine; only a hang should hit this.
const TIMEOUT_MS = 300_000;
const BOX = new Interface(['function retrieve() view returns (uint256)', 'function owner() view returns (address)', 'function version() pure returns (string)']);

describe('OpenZeppelin Foundry Upgrades: forge script against the devnet', () => {
  const home = mkdtempSync(join(tmpdir(), 'fvm-devnet-oz-foundry-'));
  const deployer = DEV_ACCOUNTS[0]!;
  const devnet = useDevnet();
  let provider: JsonRpcProvider;
  let run: FoundryRunOptions;
  let proxy: string | undefined;
  let firstImplementation: string;

  const script = (path: string, env: Record<string, string> = {}): Promise<CastResult> =>
    forge(['script', path, '--broadcast', '--skip-simulation', '--rpc-url', devnet.url, '--private-key', deployer.privateKey], { ...run, env: { ...run.env, ...env } });
  /** A value the script returned: its "name: type value" line under "== Return ==". */
  const returned = (r: CastResult, name: string): string => {
    const value = new RegExp(`^${name}: \\w+ (\\S+)$`, 'm').exec(r.stdout)?.[1];
    assert.ok(value, explainRun(`the script returned no ${name}`, r, devnet));
    return value;
  };
  const read = async (to: string, fn: string): Promise<unknown> => BOX.decodeFunctionResult(fn, await provider.call({ to, data: BOX.encodeFunctionData(fn) }))[0];
  const slotAddress = async (address: string): Promise<string> => getAddress('0x' + (await provider.getStorage(address, IMPLEMENTATION_SLOT)).slice(-40));

  before(() => {
    // A link an interrupted run left (even a dangling one) is replaced.
    rmSync(PROJECT_MODULES, { force: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), PROJECT_MODULES, 'dir');
    // A home of its own: no ~/.foundry config or npm settings of the developer's; npm asks no registry
    // for a newer npm when the library's ffi runs npx.
    run = { cwd: PROJECT_DIR, timeoutMs: TIMEOUT_MS, env: { HOME: home, npm_config_update_notifier: 'false' } };
    provider = devnet.provider;
  });
  after(async () => {
    for (const dir of ['out', 'cache', 'broadcast']) rmSync(join(PROJECT_DIR, dir), { recursive: true, force: true });
    rmSync(PROJECT_MODULES, { force: true });
    rmSync(home, { recursive: true, force: true });
  });

  test('`forge build --force` compiles the project with the library (its README asks for a clean build)', async () => {
    const r = await forge(['build', '--force'], run);
    assert.equal(r.code, 0, explainRun('forge build', r, devnet));
  });

  test('Upgrades.deployUUPSProxy: the proxy is initialized and its ERC-1967 slot names the implementation', async () => {
    const r = await script('script/DeployBox.s.sol');
    assert.equal(r.code, 0, explainRun('forge script DeployBox', r, devnet));
    assertRunMatches('forge script DeployBox', r, 'stdout', /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/, devnet);
    proxy = getAddress(returned(r, 'proxy'));
    firstImplementation = getAddress(returned(r, 'implementation'));
    assert.equal(await slotAddress(proxy), firstImplementation);
    assert.notEqual(await provider.getCode(firstImplementation), '0x');
    assert.equal(await read(proxy, 'retrieve'), 7n);
    assert.equal(await read(proxy, 'owner'), deployer.address);
  });

  test('Upgrades.upgradeProxy: validated against Box (npx upgrades-core through ffi), upgraded, the value kept', async (t) => {
    if (!proxy) return t.skip('the deployment failed');
    const r = await script('script/UpgradeBox.s.sol', { PROXY: proxy });
    assert.equal(r.code, 0, explainRun('forge script UpgradeBox', r, devnet));
    const implementation = getAddress(returned(r, 'implementation'));
    assert.notEqual(implementation, firstImplementation);
    assert.equal(await slotAddress(proxy), implementation);
    assert.equal(await read(proxy, 'version'), 'v2');
    assert.equal(await read(proxy, 'retrieve'), 8n);
  });

  test('`forge test --fork-url`: a test deploys and upgrades a proxy with the library on a fork of the devnet', async () => {
    const r = await forge(['test', '--fork-url', devnet.url], run);
    assert.equal(r.code, 0, explainRun('forge test', r, devnet));
    assertRunMatches('forge test', r, 'stdout', /\[PASS\] testUpgrade\(\)/, devnet);
    assertRunMatches('forge test', r, 'stdout', /1 tests passed, 0 failed/, devnet);
  });
});
