// A Foundry user's first deployments, as Foundry's docs write them, against the devnet CLI
// (test/fixtures/foundry-deploy): `forge create` of a contract whose payable constructor takes an
// argument (`--value`, `--constructor-args`), signed with a key or sent by the node for a dev account
// (`--unlocked --from`), and one whose constructor reverts; a four-transaction `forge script
// --broadcast --slow` (a deployment with value, a payable call, a plain transfer, a deployment), with
// a key and with `--unlocked --sender`, then `cast run` of its payable call; a script as Filecoin's
// FEVM Foundry kit writes it (the key from $PRIVATE_KEY given to `vm.startBroadcast`), cut off
// after its first transaction and finished with `forge script --resume`; and `forge test
// --fork-url` going back to the blocks the script deployed in (`vm.rollFork(block)`,
// `vm.createSelectFork(alias, block)`). forge and cast are the platform binaries (real exit codes).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getAddress, Interface, parseEther } from 'ethers';
import { DEV_ACCOUNTS, pollUntil } from '../helpers/devnet-process.js';
import { assertRunMatches, cast, explainRun, forge, FORGE_BIN, foundryEnv, type FoundryRunOptions } from '../helpers/foundry.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'foundry-deploy');
const PIGGY = new Interface(['function owner() view returns (address)', 'function unlockTime() view returns (uint256)']);
/** Where script/Fill.s.sol sends its plain transfer of 0.5 FIL: a fresh address. */
const RECIPIENT = '0x00000000000000000000000000000000000f1115';

interface Broadcast {
  transactions: { hash: string; transactionType: string; function: string | null; contractAddress: string | null }[];
  receipts: { transactionHash: string; status: string; blockNumber: string; from: string }[];
}

/** A JSON file's text and value; undefined while it is missing or not whole (being written). */
function readJson<T>(file: string): { text: string; value: T } | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return { text, value: JSON.parse(text) as T };
  } catch {
    return undefined;
  }
}

describe('forge create and forge script deployments against the devnet CLI', () => {
  const devnet = useDevnet();
  let tmp: string;
  let run: FoundryRunOptions;
  /** What the first `forge script` broadcast, read back from its broadcast file. */
  let filled: Broadcast;

  const rpc = (): string[] => ['--rpc-url', devnet.url];
  const read = async (to: string, fn: string): Promise<unknown> =>
    PIGGY.decodeFunctionResult(fn, await devnet.provider.call({ to, data: PIGGY.encodeFunctionData(fn) }))[0];
  /** A day after the head's time: an unlock time the next tipset's constructor accepts. */
  const aDayAhead = async (): Promise<string> => String((await devnet.provider.getBlock('latest'))!.timestamp + 86_400);

  /** `forge create … --json` of PiggyBank; its deployer, address and transaction once it succeeded. */
  async function create(args: string[], unlockTime: string): Promise<{ deployer: string; deployedTo: string; transactionHash: string }> {
    // --constructor-args takes every argument after it, so it comes last.
    const all = ['create', 'src/PiggyBank.sol:PiggyBank', ...rpc(), '--broadcast', '--json', ...args, '--constructor-args', unlockTime];
    const r = await forge(all, run);
    assert.equal(r.code, 0, explainRun(`forge ${all.join(' ')}`, r, devnet));
    return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  }

  /** `forge script script/Fill.s.sol --broadcast --skip-simulation --slow` with `signer`; its broadcast file. */
  async function fill(signer: string[]): Promise<Broadcast> {
    const args = ['script', 'script/Fill.s.sol', ...rpc(), '--broadcast', '--skip-simulation', '--slow', ...signer];
    const r = await forge(args, { ...run, env: { ...run.env, RECIPIENT } });
    assert.equal(r.code, 0, explainRun(`forge ${args.join(' ')}`, r, devnet));
    assertRunMatches(`forge ${args.join(' ')}`, r, 'stdout', /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/, devnet);
    return JSON.parse(readFileSync(join(tmp, 'broadcast', 'Fill.s.sol', '31415926', 'run-latest.json'), 'utf8'));
  }

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'fvm-devnet-foundry-deploy-'));
    const home = join(tmp, 'home');
    mkdirSync(home);
    // forge's output folders out of the repository, and a home of its own (no ~/.foundry of the developer's).
    run = { cwd: PROJECT_DIR, env: { FOUNDRY_OUT: join(tmp, 'out'), FOUNDRY_CACHE_PATH: join(tmp, 'cache'), FOUNDRY_BROADCAST: join(tmp, 'broadcast'), HOME: home } };
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('forge build compiles the contract, the script and the test', async () => {
    const r = await forge(['build'], run);
    assert.equal(r.code, 0, explainRun('forge build', r, devnet));
  });

  test('forge create --value 1ether --constructor-args <time>: the contract holds the FIL and its argument', async () => {
    const deployer = DEV_ACCOUNTS[0]!;
    const unlockTime = await aDayAhead();
    const created = await create(['--private-key', deployer.privateKey, '--value', '1ether'], unlockTime);
    assert.equal(getAddress(created.deployer), deployer.address);
    assert.equal(await devnet.provider.getBalance(created.deployedTo), parseEther('1'));
    assert.equal(await read(created.deployedTo, 'unlockTime'), BigInt(unlockTime));
    assert.equal(await read(created.deployedTo, 'owner'), deployer.address);
    const tx = await devnet.provider.getTransaction(created.transactionHash);
    assert.equal(tx?.value, parseEther('1'));
    assert.equal(tx?.to, null);
  });

  test('forge create --unlocked --from <dev account>: the node signs, the dev account owns it', async () => {
    const deployer = DEV_ACCOUNTS[1]!;
    const created = await create(['--unlocked', '--from', deployer.address, '--value', '0.25ether'], await aDayAhead());
    assert.equal(await read(created.deployedTo, 'owner'), deployer.address);
    assert.equal(await devnet.provider.getBalance(created.deployedTo), parseEther('0.25'));
    assert.match(devnet.output(), /\beth_sendTransaction\b/, 'forge did not send through the node');
  });

  test("forge create whose constructor reverts fails with the require reason, and deploys nothing", async () => {
    const deployer = DEV_ACCOUNTS[0]!;
    const nonce = await devnet.provider.getTransactionCount(deployer.address);
    const args = ['create', 'src/PiggyBank.sol:PiggyBank', ...rpc(), '--broadcast', '--private-key', deployer.privateKey, '--constructor-args', '1'];
    const r = await forge(args, run);
    assert.notEqual(r.code, 0, explainRun(`forge ${args.join(' ')}`, r, devnet));
    assertRunMatches(`forge ${args.join(' ')}`, r, 'stderr', /unlock time must be in the future/, devnet);
    assert.equal(await devnet.provider.getTransactionCount(deployer.address), nonce, 'a transaction was sent');
  });

  test('forge script --broadcast --slow (four transactions) works: one tipset each, the FIL where the script sent it', async () => {
    const sender = DEV_ACCOUNTS[2]!;
    filled = await fill(['--private-key', sender.privateKey]);
    assert.deepEqual(filled.transactions.map((t) => [t.transactionType, t.function]), [
      ['CREATE', null],
      ['CALL', 'deposit()'],
      ['CALL', null],
      ['CREATE', null],
    ]);
    assert.deepEqual(filled.receipts.map((r) => r.status), ['0x1', '0x1', '0x1', '0x1']);
    // Instant mining gives each a tipset of its own (forge sends them one at a time, with or without --slow).
    const blocks = filled.receipts.map((r) => Number(r.blockNumber));
    assert.ok(blocks.every((b, i) => i === 0 || b > blocks[i - 1]!), `not one tipset each: blocks ${blocks.join(', ')}`);
    const [piggy, , , empty] = filled.transactions.map((t) => t.contractAddress);
    assert.equal(await devnet.provider.getBalance(piggy!), parseEther('3'));
    assert.equal(await devnet.provider.getBalance(RECIPIENT), parseEther('0.5'));
    assert.equal(await read(empty!, 'owner'), sender.address);
    assert.equal(await devnet.provider.getBalance(empty!), 0n);
  });

  test("cast run replays the script's payable call", async () => {
    const deposit = filled.transactions[1]!.hash;
    const r = await cast(['run', deposit, ...rpc()], run);
    assert.equal(r.code, 0, explainRun(`cast run ${deposit}`, r, devnet));
    assertRunMatches(`cast run ${deposit}`, r, 'stdout', /deposit\{value: 2000000000000000000\}\(\)/, devnet);
    assertRunMatches(`cast run ${deposit}`, r, 'stdout', /Transaction successfully executed/, devnet);
  });

  test('forge script --unlocked --sender <dev account>: the node sends all four from that account', async () => {
    const sender = DEV_ACCOUNTS[3]!;
    const again = await fill(['--unlocked', '--sender', sender.address]);
    assert.deepEqual(again.receipts.map((r) => [r.status, getAddress(r.from)]), Array(4).fill(['0x1', sender.address]));
    assert.equal(await devnet.provider.getBalance(RECIPIENT), parseEther('1'));
  });

  test("Filecoin's FEVM Foundry kit's script (vm.startBroadcast(vm.envUint(\"PRIVATE_KEY\"))), cut off while its first transaction waits in the pool, is finished by forge script --resume", async (t) => {
    const sender = DEV_ACCOUNTS[4]!;
    const script = ['script', 'script/FillWithKey.s.sol', ...rpc(), '--skip-simulation'];
    const withKey: FoundryRunOptions = { ...run, env: { ...run.env, PRIVATE_KEY: sender.privateKey } };
    const broadcastFile = join(tmp, 'broadcast', 'FillWithKey.s.sol', '31415926', 'run-latest.json');
    // The rest of what --resume loads: each transaction's RPC URL, kept out of the broadcast folder.
    const sensitiveFile = join(tmp, 'cache', 'FillWithKey.s.sol', '31415926', 'run-latest.json');
    // Tipsets only on request, so the broadcast stops at its first receipt, as one cut off by a lost
    // connection or a Ctrl-C does.
    await devnet.provider.send('evm_setAutomine', [false]);
    t.after(() => devnet.provider.send('evm_setAutomine', [true]));
    const first = spawn(FORGE_BIN, [...script, '--broadcast'], { cwd: PROJECT_DIR, env: foundryEnv(withKey), stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    first.stdout.setEncoding('utf8').on('data', (text: string) => (output.stdout += text));
    first.stderr.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
    // Once it has exited and its output is all read.
    const closed = new Promise((resolve) => first.once('close', resolve));
    t.after(() => first.kill('SIGKILL'));
    // Once it has sent a transaction, forge saves its sequence twice in a row (the broadcast file, then
    // the sensitive one; each emptied, then written), then waits for the receipt. It is cut off once
    // both files hold the deployment as pending and read the same on two polls in a row: not while a
    // save is half written, which --resume could not load.
    let lastRead: string | undefined;
    const pending = await pollUntil('forge to send the deployment and save it as pending', async () => {
      // A forge that stopped first (a compile error, no signer, a send the node refused) fails the test
      // at once, with what it printed.
      if (first.exitCode !== null || first.signalCode !== null) {
        await closed;
        throw explainRun(`forge ${script.join(' ')} --broadcast (first run)`, { code: first.exitCode, ...output }, devnet);
      }
      const saved = readJson<Broadcast & { pending: string[] }>(broadcastFile);
      const sensitive = readJson<{ transactions: unknown[] }>(sensitiveFile);
      const read = saved?.value.pending.length === 1 && sensitive?.value.transactions.length === 2 ? saved.text + sensitive.text : undefined;
      const steady = read !== undefined && read === lastRead;
      lastRead = read;
      return steady ? saved!.value.pending[0] : undefined;
    }, { attempts: 600, intervalMs: 100 });
    first.kill('SIGTERM');
    await closed;
    assert.equal(await devnet.provider.getTransactionCount(sender.address, 'pending'), 1, 'not one transaction in the pool');
    await devnet.provider.send('evm_setAutomine', [true]);
    await devnet.provider.send('evm_mine', []);
    assert.equal((await devnet.provider.getTransactionReceipt(pending))?.status, 1);

    const r = await forge([...script, '--resume'], withKey);
    assert.equal(r.code, 0, explainRun(`forge ${script.join(' ')} --resume`, r, devnet));
    assertRunMatches(`forge ${script.join(' ')} --resume`, r, 'stdout', /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/, devnet);
    const resumed = JSON.parse(readFileSync(broadcastFile, 'utf8')) as Broadcast;
    assert.equal(resumed.transactions[0]!.hash, pending);
    assert.deepEqual(resumed.receipts.map((rc) => [rc.status, getAddress(rc.from)]), Array(2).fill(['0x1', sender.address]));
    const piggy = resumed.transactions[0]!.contractAddress!;
    assert.equal(await read(piggy, 'owner'), sender.address);
    assert.equal(await devnet.provider.getBalance(piggy), parseEther('3'));
  });

  test('forge test --fork-url: vm.rollFork(block) and vm.createSelectFork(alias, block) read the blocks the script deployed in', async () => {
    const [created, deposited] = filled.receipts.map((r) => String(Number(r.blockNumber)));
    const env = { PIGGY: filled.transactions[0]!.contractAddress!, CREATED_AT: created!, DEPOSITED_AT: deposited!, DEVNET_URL: devnet.url };
    const args = ['test', '--fork-url', devnet.url];
    const r = await forge(args, { ...run, env: { ...run.env, ...env } });
    const what = `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} forge ${args.join(' ')}`;
    assert.equal(r.code, 0, explainRun(what, r, devnet));
    assertRunMatches(what, r, 'stdout', /Suite result: ok\. 3 passed; 0 failed; 0 skipped/, devnet);
    // The fork's withdrawal stayed in forge.
    assert.equal(await devnet.provider.getBalance(env.PIGGY), parseEther('3'));
  });
});
