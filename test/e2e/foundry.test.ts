// End to end with the sample Foundry project in examples/foundry: forge build, forge script
// --broadcast, forge test --fork-url, cast receipt / call / run, against the devnet CLI, exactly as
// examples/foundry/README.md tells a user to run them. forge and cast are the platform binaries,
// so exit codes are real; forge's out/, cache/ and broadcast/ go to a temp dir.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AbiCoder, Interface, concat, getAddress, getCreate2Address, getCreateAddress, id, keccak256, toBeHex, zeroPadValue } from 'ethers';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { cast, castOk, forge, type CastResult, type FoundryRunOptions } from '../helpers/foundry.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'foundry');
/** The Safe singleton factory, on calibnet and mainnet and on the devnet from genesis. */
const SAFE_SINGLETON_FACTORY = '0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7';

interface ForgeArtifact {
  abi: any[];
  bytecode: { object: string };
  deployedBytecode: { object: string; immutableReferences?: Record<string, { start: number; length: number }[]> };
}

interface BroadcastRun {
  transactions: { hash: string; transactionType: string; contractName: string | null; contractAddress: string | null }[];
  receipts: { transactionHash: string; status: string; contractAddress: string | null }[];
}

interface CastReceipt {
  status: string;
  transactionHash: string;
  contractAddress: string | null;
  logs: { address: string; topics: string[]; data: string }[];
}

describe('examples/foundry: forge and cast against the devnet CLI', () => {
  const devnet = useDevnet();
  let tmp: string;
  let run: FoundryRunOptions;
  let counterAbi: Interface;
  let counter: string;
  let deployTx: string;
  const deployer = DEV_ACCOUNTS[0]!;
  const stranger = DEV_ACCOUNTS[1]!;

  const rpc = (): string[] => ['--rpc-url', devnet.url];

  /** What a failed step needs for a diagnosis: the tool's output and the node's log of calls. */
  function explain(what: string, r: CastResult): string {
    return `${what} exited with ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n--- devnet log ---\n${devnet.output()}`;
  }
  /** Runs a `forge script` that deploys a Counter with --broadcast; the address it printed, once the run succeeded. */
  async function broadcastCounter(args: string[]): Promise<string> {
    const r = await forge(args, run);
    const what = `forge ${args.join(' ')}`;
    assert.equal(r.code, 0, explain(what, r));
    assert.match(r.stdout, /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/, explain(what, r));
    const returned = /counter: contract Counter (0x[0-9a-fA-F]{40})/.exec(r.stdout);
    assert.ok(returned, explain(what, r));
    return getAddress(returned[1]!);
  }


  async function rpcCall(method: string, params: unknown[]): Promise<any> {
    const res = await fetch(devnet.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
    if (body.error) throw new Error(`${method} failed: ${body.error.code} ${body.error.message}`);
    return body.result;
  }

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'fvm-devnet-foundry-'));
    const home = join(tmp, 'home');
    mkdirSync(home);
    run = {
      cwd: EXAMPLE_DIR,
      env: {
        // The example's foundry.toml, with its output folders moved out of the repository, and a
        // home directory of its own so that no ~/.foundry config or cache of the developer's applies.
        FOUNDRY_OUT: join(tmp, 'out'),
        FOUNDRY_CACHE_PATH: join(tmp, 'cache'),
        FOUNDRY_BROADCAST: join(tmp, 'broadcast'),
        HOME: home,
      },
    };
  });

  after(async () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('forge build compiles with the solc-js wrapper, offline', async () => {
    const r = await forge(['build'], run);
    assert.equal(r.code, 0, explain('forge build', r));
    assert.match(r.stdout, /Compiler run successful/, explain('forge build', r));
    const artifact = JSON.parse(readFileSync(join(tmp, 'out', 'Counter.sol', 'Counter.json'), 'utf8')) as ForgeArtifact;
    assert.match(artifact.bytecode.object, /^0x[0-9a-f]{200,}$/);
    counterAbi = new Interface(artifact.abi);
    assert.ok(existsSync(join(tmp, 'out', 'Deploy.s.sol', 'Deploy.json')));
    assert.ok(existsSync(join(tmp, 'out', 'Counter.t.sol', 'CounterTest.json')));
  });

  test('forge script --broadcast --skip-simulation deploys Counter and increments it', async () => {
    const nonce = Number(await rpcCall('eth_getTransactionCount', [deployer.address, 'latest']));
    const args = ['script', 'script/Deploy.s.sol', '--broadcast', '--skip-simulation', ...rpc(), '--private-key', deployer.privateKey];
    counter = await broadcastCounter(args);
    assert.equal(counter, getCreateAddress({ from: deployer.address, nonce }));

    // forge's record of the broadcast: a CREATE and a CALL, both mined with status 1.
    const file = join(tmp, 'broadcast', 'Deploy.s.sol', String(DEVNET_CHAIN_ID), 'run-latest.json');
    const broadcast = JSON.parse(readFileSync(file, 'utf8')) as BroadcastRun;
    assert.deepEqual(broadcast.transactions.map((t) => t.transactionType), ['CREATE', 'CALL']);
    assert.equal(getAddress(broadcast.transactions[0]!.contractAddress!), counter);
    deployTx = broadcast.transactions[0]!.hash;
    assert.deepEqual(broadcast.receipts.map((x) => x.status), ['0x1', '0x1']);
    assert.deepEqual(broadcast.receipts.map((x) => x.transactionHash), broadcast.transactions.map((t) => t.hash));
  });

  test('the deployed code is the compiled runtime code, with the owner in its immutable', async () => {
    const artifact = JSON.parse(readFileSync(join(tmp, 'out', 'Counter.sol', 'Counter.json'), 'utf8')) as ForgeArtifact;
    let expected = artifact.deployedBytecode.object.slice(2);
    const owner = zeroPadValue(deployer.address, 32).slice(2).toLowerCase();
    const refs = Object.values(artifact.deployedBytecode.immutableReferences ?? {}).flat();
    assert.ok(refs.length > 0, 'Counter has an immutable (owner)');
    for (const { start, length } of refs) {
      assert.equal(length, 32);
      expected = expected.slice(0, start * 2) + owner + expected.slice((start + length) * 2);
    }
    assert.equal(await rpcCall('eth_getCode', [counter, 'latest']), `0x${expected}`);
  });

  test('cast call reads the deployed Counter', async () => {
    assert.equal(await castOk(['call', counter, 'count()(uint256)', ...rpc()], run), '1');
    assert.equal(await castOk(['call', counter, 'MAX()(uint256)', ...rpc()], run), '1000');
    assert.equal(getAddress(await castOk(['call', counter, 'owner()(address)', ...rpc()], run)), deployer.address);
  });

  test('forge test --fork-url passes, including the tests that use the deployed Counter and its deployment', async () => {
    const args = ['test', '--fork-url', devnet.url];
    const r = await forge(args, { ...run, env: { ...run.env, COUNTER_ADDRESS: counter, DEPLOY_TX: deployTx } });
    const what = `COUNTER_ADDRESS=${counter} DEPLOY_TX=${deployTx} forge ${args.join(' ')}`;
    assert.equal(r.code, 0, explain(what, r));
    assert.match(r.stdout, /Suite result: ok\. 8 passed; 0 failed; 0 skipped/, explain(what, r));
    assert.match(r.stdout, /\[PASS\] test_DeployedCounter\(\)/, explain(what, r));
    // vm.rollFork(txHash) and vm.transact: the tipset with its transactions, and the state before it.
    assert.match(r.stdout, /\[PASS\] test_DeploymentTransaction\(\)/, explain(what, r));
    assert.match(r.stdout, /\[PASS\] test_ForkIsTheDevnet\(\)/, explain(what, r));
    // The fork's changes stay in forge: the chain's Counter still counts 1.
    assert.equal(await castOk(['call', counter, 'count()(uint256)', ...rpc()], run), '1');
  });

  test('cast receipt of the deployment transaction', async () => {
    assert.match(await castOk(['receipt', deployTx, 'status', ...rpc()], run), /^(true|1 \(success\))$/);
    const receipt = JSON.parse(await castOk(['receipt', deployTx, '--json', ...rpc()], run)) as CastReceipt;
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.transactionHash, deployTx);
    assert.equal(getAddress(receipt.contractAddress!), counter);
    assert.equal(receipt.logs.length, 1);
    assert.equal(getAddress(receipt.logs[0]!.address), counter);
    assert.equal(receipt.logs[0]!.topics[0], id('CountChanged(address,uint256,uint256)'));
    assert.equal(receipt.logs[0]!.topics[1], zeroPadValue(deployer.address, 32).toLowerCase());
  });

  test('cast call of a reverting function shows the custom error', async () => {
    const args = ['call', counter, 'add(uint256)', '5000', ...rpc()];
    const r = await cast(args, run);
    assert.notEqual(r.code, 0, explain(`cast ${args.join(' ')}`, r));
    const data = counterAbi.encodeErrorResult('CountTooHigh', [5001, 1000]);
    assert.ok(r.stderr.includes(data), `the revert data ${data} is shown\n${explain(`cast ${args.join(' ')}`, r)}`);
    assert.match(r.stderr, /execution failed|revert/);
    // Decoded by name: from the revert data, and by cast's local trace with the project's artifacts.
    assert.equal(await castOk(['decode-error', '--sig', 'CountTooHigh(uint256,uint256)', data], run), '5001\n1000');
    const traced = await cast([...args, '--trace', '--with-local-artifacts'], run);
    assert.match(traced.stdout, /\[Revert\] CountTooHigh\(5001, 1000\)/, explain('cast call --trace', traced));
  });

  test('cast call shows a require() reason', async () => {
    const reset = JSON.parse(
      await castOk(['send', counter, 'reset()', '--private-key', deployer.privateKey, '--json', ...rpc()], run),
    ) as CastReceipt;
    assert.equal(reset.status, '0x1');
    const args = ['call', counter, 'decrement()', ...rpc()];
    const r = await cast(args, run);
    assert.notEqual(r.code, 0, explain(`cast ${args.join(' ')}`, r));
    assert.match(r.stderr, /Counter: cannot go below zero/, explain(`cast ${args.join(' ')}`, r));
  });

  test('a failed transaction: receipt status 0, and cast run names the custom error', async () => {
    // A fixed gas limit skips eth_estimateGas (which would refuse a reverting call), so it is mined.
    const sendArgs = ['send', counter, 'reset()', '--private-key', stranger.privateKey, '--gas-limit', '30000000', '--json', ...rpc()];
    const sent = await cast(sendArgs, run);
    const receipt = JSON.parse(sent.stdout) as CastReceipt;
    assert.equal(receipt.status, '0x0', explain(`cast ${sendArgs.join(' ')}`, sent));
    const runArgs = ['run', receipt.transactionHash, '--with-local-artifacts', ...rpc()];
    const r = await cast(runArgs, run);
    assert.equal(r.code, 0, explain(`cast ${runArgs.join(' ')}`, r));
    assert.match(r.stdout, new RegExp(`\\[Revert\\] NotOwner\\(${stranger.address}\\)`), explain(`cast ${runArgs.join(' ')}`, r));
  });

  test("a script's new C{salt: s}(): refused without a CREATE2 deployer, deployed through the Safe singleton factory", async () => {
    const args = ['script', 'script/DeployDeterministic.s.sol', '--broadcast', '--skip-simulation', ...rpc(), '--private-key', deployer.privateKey];
    // Foundry's default deployer (0x4e59…956C) is not there, as on calibnet.
    const refused = await forge(args, run);
    assert.notEqual(refused.code, 0, explain(`forge ${args.join(' ')}`, refused));
    assert.match(refused.stdout + refused.stderr, /missing CREATE2 deployer/, explain(`forge ${args.join(' ')}`, refused));

    const withFactory = [...args, '--create2-deployer', SAFE_SINGLETON_FACTORY];
    const deployed = await broadcastCounter(withFactory);
    // Where CREATE2 puts it: the factory, the script's salt (1), the init code with its argument (0).
    const artifact = JSON.parse(readFileSync(join(tmp, 'out', 'Counter.sol', 'Counter.json'), 'utf8')) as ForgeArtifact;
    const initCode = concat([artifact.bytecode.object, AbiCoder.defaultAbiCoder().encode(['uint256'], [0])]);
    const address = getCreate2Address(SAFE_SINGLETON_FACTORY, toBeHex(1, 32), keccak256(initCode));
    assert.equal(deployed, address);
    // cast create2 predicts it when named the factory (README: its default deployer is 0x4e59…956C).
    const predictArgs = ['create2', '--deployer', SAFE_SINGLETON_FACTORY, '--salt', toBeHex(1, 32), '--init-code-hash', keccak256(initCode)];
    assert.equal(getAddress(await castOk(predictArgs, run)), address);
    // The factory made it, so it is the owner; the constructor's count is there.
    assert.equal(getAddress(await castOk(['call', address, 'owner()(address)', ...rpc()], run)), SAFE_SINGLETON_FACTORY);
    assert.equal(await castOk(['call', address, 'count()(uint256)', ...rpc()], run), '0');
  });
});
