// Hardhat 2's `hardhat init` "TypeScript project (with Viem)" as a new user gets it: the template's
// own contracts, tests, Ignition module and tsconfig.json, copied from the installed Hardhat's
// sample project, with its config plus a `localhost` url (test/fixtures/hardhat-viem). Its tests run
// under `hardhat test --network localhost` (hardhat-toolbox-viem: hardhat-viem clients, network
// helpers, chai-as-promised) and its module under `hardhat ignition deploy`, against the real node.
// Hardhat runs a TypeScript project through ts-node, which needs TypeScript 5's compiler API: the
// repo's `typescript` is 7, so TS_NODE_COMPILER names the `typescript5` devDependency (a new
// project has TypeScript 5 as `typescript`, which `hardhat init` installs).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPublicClient, http, parseAbi, parseEther, type Address } from 'viem';
import { assertEveryTestPassed, describeRunAndNode, hardhat, projectTestTitles, sampleProject, type HardhatRun } from '../helpers/hardhat.js';
import { useDevnet } from '../helpers/use-devnet.js';

// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;
// The template's Ignition module's defaults (ignition/modules/Lock.ts): Jan 1st 2030, 0.001 ether.
const MODULE_UNLOCK_TIME = 1_893_456_000n;
const MODULE_LOCKED_AMOUNT = parseEther('0.001');

describe("Hardhat 2's TypeScript + viem sample project (hardhat-toolbox-viem) against the devnet", () => {
  const projectDir = mkdtempSync(join(tmpdir(), 'fvm-devnet-hardhat-viem-'));
  const devnet = useDevnet();

  const run = (args: string[], env: Record<string, string> = {}): Promise<HardhatRun> =>
    hardhat(
      projectDir,
      args,
      { FVM_DEVNET_URL: devnet.url, TS_NODE_COMPILER: 'typescript5', HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: 'false', ...env },
      TIMEOUT_MS,
    );
  const explain = (why: string, result: HardhatRun): string => describeRunAndNode(why, result, devnet);

  before(() => {
    sampleProject(projectDir, 'typescript-viem', ['contracts', 'test', 'ignition', 'tsconfig.json'], 'hardhat-viem');
  });
  after(async () => {
    rmSync(projectDir, { recursive: true, force: true });
  });

  test('`hardhat ignition deploy ignition/modules/Lock.ts --network localhost` deploys Lock with its value', async () => {
    const result = await run(['ignition', 'deploy', 'ignition/modules/Lock.ts', '--network', 'localhost']);
    assert.equal(result.code, 0, explain('ignition deploy failed', result));
    assert.match(result.output, /successfully deployed/, explain('no success line', result));
    const lock = /LockModule#Lock - (0x[0-9a-fA-F]{40})/.exec(result.output)?.[1] as Address | undefined;
    assert.ok(lock, explain('Ignition printed no deployed address', result));
    const client = createPublicClient({ transport: http(devnet.url) });
    assert.equal(await client.getBalance({ address: lock }), MODULE_LOCKED_AMOUNT);
    const unlockTime = await client.readContract({ address: lock, abi: parseAbi(['function unlockTime() view returns (uint256)']), functionName: 'unlockTime' });
    assert.equal(unlockTime, MODULE_UNLOCK_TIME);
  });

  // hardhat-viem builds its clients' chain from viem's list by chain id; 31415926 is not in it (calibnet's
  // 314159 is), so it takes the node for an Anvil-like development chain when `anvil_nodeInfo` answers,
  // and otherwise stops with "No network with chain id 31415926 found". loadFixture's snapshots and
  // the Events test's getEvents (eth_getLogs) go to this node too: the run's part of the node's log says so.
  // The run has the toolbox's gas reporter on, as the template's README runs it (`REPORT_GAS=true npx
  // hardhat test`): on a network other than Hardhat's own it reads each transaction's receipt, so its
  // table shows the node's Filecoin gas (millions) and its block gas limit.
  test("`REPORT_GAS=true hardhat test --network localhost` passes every test of the template's test/Lock.ts, hardhat-viem and its helpers reaching the node; the gas report has the node's figures", async () => {
    const titles = projectTestTitles(projectDir);
    assert.ok(titles.length > 0, 'found no tests in the template');
    const logFrom = devnet.output().length;
    const result = await run(['test', '--network', 'localhost'], { REPORT_GAS: 'true' });
    assertEveryTestPassed(result, titles, explain);
    const log = devnet.output().slice(logFrom);
    for (const method of ['anvil_nodeInfo', 'eth_sendTransaction', 'evm_snapshot', 'evm_revert', 'eth_getLogs']) {
      assert.match(log, new RegExp(`\\b${method}\\b`), explain(`the devnet never received ${method} during the run`, result));
    }
    const report = result.output.replace(/\x1b\[[0-9;]*m/g, '');
    const { gasLimit } = await createPublicClient({ transport: http(devnet.url) }).getBlock();
    assert.match(report, new RegExp(`Block: ${gasLimit.toLocaleString('en-US')} gas`), explain('the report does not show the node\'s block gas limit', result));
    const gasUsed = new Set([...log.matchAll(/Gas used: (\d+)/g)].map((m) => Number(m[1]).toLocaleString('en-US')));
    for (const row of ['withdraw', 'Lock']) {
      // A row's average, the column before its count (a method) or its % of the block limit (a
      // deployment): each of the template's withdrawals and deployments used the same gas.
      const average = new RegExp(`\\|\\s+${row}\\s+·[^\\n]*?·\\s+([\\d,]+)\\s+·\\s+(?:\\d+|[\\d.]+ %)\\s+·`).exec(report)?.[1];
      assert.ok(average && gasUsed.has(average), explain(`the report's ${row} row (${average}) is no gas the node mined a transaction with (${[...gasUsed].join(', ')})`, result));
    }
  });
});
