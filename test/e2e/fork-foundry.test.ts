// Foundry against a fork, as its users run it: the example project's Counter deployed on an
// fvm-devnet upstream with `forge script`, then fvm-devnet forking that upstream, and
// `forge test --fork-url <the fork>` (forge forks the fork) and `cast call` of the forked Counter.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { stopForkSuite } from '../helpers/fork-suite.js';
import { castOk, forge, type CastResult, type FoundryRunOptions } from '../helpers/foundry.js';
import { REPO_ROOT } from '../helpers/solc.js';

const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'foundry');

describe('Foundry against a fork', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let tmp: string;
  let run: FoundryRunOptions;
  let counter: string;
  /** The upstream transaction that deployed the Counter: before the fork point. */
  let deployTx: string;

  const explain = (what: string, r: CastResult) => `${what} exited with ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n--- fork log ---\n${fork?.output()}`;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fvm-fork-foundry-'));
    mkdirSync(join(tmp, 'home'));
    process.env.FVM_DEVNET_CACHE_DIR = join(tmp, 'fork-cache');
    // The example's project, its output folders and home directory moved out of the repository.
    run = { cwd: EXAMPLE_DIR, env: { FOUNDRY_OUT: join(tmp, 'out'), FOUNDRY_CACHE_PATH: join(tmp, 'cache'), FOUNDRY_BROADCAST: join(tmp, 'broadcast'), HOME: join(tmp, 'home') } };
    upstream = await startDevnet(['--gateway-only']);
    const args = ['script', 'script/Deploy.s.sol', '--broadcast', '--skip-simulation', '--rpc-url', upstream.url, '--private-key', DEV_ACCOUNTS[0].privateKey];
    const deployed = await forge(args, run);
    assert.equal(deployed.code, 0, explain(`forge ${args.join(' ')}`, deployed));
    counter = /counter: contract Counter (0x[0-9a-fA-F]{40})/.exec(deployed.stdout)![1];
    // forge's record of the broadcast: the CREATE first.
    const broadcast = join(tmp, 'broadcast', 'Deploy.s.sol', String(DEVNET_CHAIN_ID), 'run-latest.json');
    deployTx = (JSON.parse(readFileSync(broadcast, 'utf8')) as { transactions: { hash: string }[] }).transactions[0]!.hash;
    // At the upstream's head: its default, the finalized tipset, is from before the deployment.
    const head = await castOk(['block-number', '--rpc-url', upstream.url], run);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', head]);
  });

  after(() => stopForkSuite([fork, upstream], tmp));

  test('cast call reads the Counter forked from the upstream', async () => {
    // The deploy script increments once after deploying.
    assert.equal(await castOk(['call', counter, 'count()(uint256)', '--rpc-url', fork.url], run), '1');
  });

  test('forge test --fork-url <the fork> passes, including the tests on the forked Counter and its upstream deployment', async () => {
    const args = ['test', '--fork-url', fork.url];
    const r = await forge(args, { ...run, env: { ...run.env, COUNTER_ADDRESS: counter, DEPLOY_TX: deployTx } });
    const what = `COUNTER_ADDRESS=${counter} DEPLOY_TX=${deployTx} forge ${args.join(' ')}`;
    assert.equal(r.code, 0, explain(what, r));
    assert.match(r.stdout, /Suite result: ok\. 8 passed; 0 failed; 0 skipped/, explain(what, r));
    assert.match(r.stdout, /\[PASS\] test_DeployedCounter\(\)/, explain(what, r));
    // vm.rollFork(txHash) and vm.transact through the fork: the upstream tipset with its transactions, and the state before it.
    assert.match(r.stdout, /\[PASS\] test_DeploymentTransaction\(\)/, explain(what, r));
    // What forge changed stays in forge: the fork's Counter, and the upstream's, still count 1.
    assert.equal(await castOk(['call', counter, 'count()(uint256)', '--rpc-url', fork.url], run), '1');
    assert.equal(await castOk(['call', counter, 'count()(uint256)', '--rpc-url', upstream.url], run), '1');
  });
});
