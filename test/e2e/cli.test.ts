// The fvm-devnet command line (dist/fvm-devnet.js, built by `npm run build`): flags, the banner,
// the output modes, and errors for bad flags.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HDNodeWallet } from 'ethers';
import { CHAIN_ID, signTx } from '../helpers/dev-wallet.js';
import { CLI_PATH, DEV_ACCOUNTS, DEV_MNEMONIC, pollUntil, startDevnet, within, type DevnetProcess } from '../helpers/devnet-process.js';
import { t410 } from '../helpers/f410.js';
import type { RpcResponse } from '../helpers/rpc-harness.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { NETWORK_NAME } from '../../src/eth-rpc/methods/filecoin-state.js';
import { CLIENT_VERSION } from '../../src/eth-rpc/methods/web3-net.js';

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

async function rpc(url: string, method: string, params: unknown[] = []): Promise<RpcResponse> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  assert.equal(res.status, 200);
  return (await res.json()) as RpcResponse;
}

async function result(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await rpc(url, method, params);
  assert.equal(res.error, undefined, `${method}: ${JSON.stringify(res.error)}`);
  return res.result;
}

/** Starts the CLI with `args`, runs `body`, and always stops it. */
async function withCli(args: string[], body: (node: DevnetProcess) => Promise<void>): Promise<void> {
  const node = await startDevnet(args);
  try {
    await body(node);
  } finally {
    await node.stop();
  }
}

/** A transfer of 1 attoFIL from dev account 0 to RECIPIENT (dev-wallet.ts's TRANSFER). */
const signTransfer = (nonce: number, chainId = CHAIN_ID): Promise<string> => signTx({ nonce, chainId });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs the CLI to completion (for flags that exit). */
function runToExit(args: string[]) {
  return spawnSync(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 15_000, env: { ...process.env, NO_COLOR: '1' } });
}

describe('fvm-devnet CLI', () => {
  test('the banner shows each account\'s 0x address, t410 address, private key and balance, and the Lotus API\'s URL; one line per transaction follows', async () => {
    assert.equal(t410('0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef'), 't410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa');
    await withCli([], async (node) => {
      const lines = node.output().split('\n');
      assert.ok(lines.some((l) => /Chain ID:\s+31415926$/.test(l)), 'no chain id line');
      DEV_ACCOUNTS.forEach(({ address, privateKey }, i) => {
        const account = lines.find((l) => l.startsWith(`(${i}) ${address.toLowerCase()}`));
        assert.ok(account, `no banner line for account ${i}`);
        assert.ok(account.includes(t410(address.toLowerCase())), `account ${i} line lacks its t410 address: ${account}`);
        assert.ok(account.includes('(10000 FIL)'), `account ${i} line lacks its balance: ${account}`);
        assert.ok(lines.includes(`(${i}) ${privateKey}`), `no private key line for account ${i}`);
      });
      assert.ok(lines.includes(`Listening on 127.0.0.1:${node.port}`));
      const lotusApi = `${node.url}/rpc/v1`;
      assert.ok(lines.includes(`Lotus API:    ${lotusApi}`), 'no Lotus API line naming /rpc/v1');
      assert.equal(await result(lotusApi, 'Filecoin.StateNetworkName'), NETWORK_NAME);
      assert.equal((await result(node.url, 'eth_accounts')).length, 10);
      const hash = await result(node.url, 'eth_sendRawTransaction', [await signTransfer(0)]);
      await pollUntil('the transaction in the log', async () => (node.output().includes(`Transaction: ${hash}`) ? true : undefined));
    });
  });

  test('--accounts 3 --balance 5: three accounts of 5 FIL', async () => {
    await withCli(['--accounts', '3', '--balance', '5'], async (node) => {
      const accounts = await result(node.url, 'eth_accounts');
      assert.deepEqual(accounts, DEV_ACCOUNTS.slice(0, 3).map((a) => a.address.toLowerCase()));
      for (const account of accounts) assert.equal(await result(node.url, 'eth_getBalance', [account, 'latest']), '0x4563918244f40000');
      const lines = node.output().split('\n');
      assert.equal(lines.filter((l) => /^\(\d\) 0x[0-9a-f]{40} /.test(l)).length, 3);
      assert.ok(lines.filter((l) => /^\(\d\) 0x[0-9a-f]{40} /.test(l)).every((l) => l.endsWith('(5 FIL)')));
    });
  });

  test('--storage-providers: two miners by default in the banner and StateListMiners; 1 gives one, 0 none', async () => {
    await withCli([], async (node) => {
      assert.deepEqual(await result(node.url, 'Filecoin.StateListMiners', [null]), ['t0111', 't0113']);
      const lines = node.output().split('\n');
      assert.equal(lines.filter((l) => /^t0\d+  owner\/worker t1[a-z0-9]+  \(32 GiB sectors\)$/.test(l)).length, 2);
    });
    await withCli(['--storage-providers', '1'], async (node) => {
      assert.deepEqual(await result(node.url, 'Filecoin.StateListMiners', [null]), ['t0111']);
    });
    await withCli(['--storage-providers', '0'], async (node) => {
      assert.deepEqual(await result(node.url, 'Filecoin.StateListMiners', [null]), []);
      assert.ok(!node.output().includes('Storage providers'));
    });
    const bad = runToExit(['--port', '0', '--storage-providers', '-1']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--storage-providers/);
  });

  test('--sector-size sets the storage providers\' sectors; an unsupported size is refused', async () => {
    await withCli(['--sector-size', '2KiB', '--storage-providers', '1'], async (node) => {
      assert.equal((await result(node.url, 'Filecoin.StateMinerInfo', ['t0111', null])).SectorSize, 2048);
      assert.ok(node.output().split('\n').some((l) => /^t0111  owner\/worker t1[a-z0-9]+  \(2 KiB sectors\)$/.test(l)));
    });
    const bad = runToExit(['--port', '0', '--sector-size', '3KiB']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--sector-size/);
  });

  test('--chain-id 314159 changes eth_chainId and net_version', async () => {
    await withCli(['--chain-id', '314159'], async (node) => {
      assert.equal(await result(node.url, 'eth_chainId'), '0x4cb2f');
      assert.equal(await result(node.url, 'net_version'), '314159');
      const hash = await result(node.url, 'eth_sendRawTransaction', [await signTransfer(0, 314159n)]);
      assert.equal((await result(node.url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
      assert.equal((await rpc(node.url, 'eth_sendRawTransaction', [await signTransfer(1)])).error?.message, 'failed to convert to unsigned msg: invalid chain id: 31415926');
    });
  });

  test('--f3-lag sets how far finalized trails the head (10 by default); over 900 is refused', async () => {
    const finalized = async (url: string) => Number((await result(url, 'eth_getBlockByNumber', ['finalized', false])).number);
    await withCli([], async (node) => {
      await result(node.url, 'anvil_mine', ['0x1e']);
      assert.equal(await finalized(node.url), 20);
    });
    await withCli(['--f3-lag', '3'], async (node) => {
      await result(node.url, 'anvil_mine', ['0x1e']);
      assert.equal(await finalized(node.url), 27);
    });
    const tooFar = runToExit(['--port', '0', '--f3-lag', '901']);
    assert.notEqual(tooFar.status, 0);
    assert.match(tooFar.stderr, /--f3-lag/);
    assert.match(tooFar.stderr, /expected an integer from 0 to 900/);
  });

  // Anvil's flags that test harnesses pass (prool's anvil instance: timestamp, autoImpersonate) (audit26 V3).
  test('--timestamp sets a new chain\'s genesis time and --auto-impersonate sends for any sender, as Anvil\'s flags do', async () => {
    await withCli(['--timestamp', '1700000000', '--auto-impersonate'], async (node) => {
      assert.equal(Number((await result(node.url, 'eth_getBlockByNumber', ['0x0', false])).timestamp), 1_700_000_000);
      const stranger = '0x00000000000000000000000000000000005ca1ab';
      await result(node.url, 'anvil_setBalance', [stranger, '0xde0b6b3a7640000']);
      const hash = await result(node.url, 'eth_sendTransaction', [{ from: stranger, to: stranger, value: '0x1' }]);
      assert.equal((await result(node.url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
      // Chain time goes on from the genesis time, at the wall clock's pace.
      const block = Number((await result(node.url, 'eth_getBlockByNumber', ['latest', false])).timestamp);
      assert.ok(block > 1_700_000_000 && block < Date.now() / 1000 - 86_400, `block 1 at ${block}`);
    });
    const fork = runToExit(['--port', '0', '--timestamp', '1700000000', '--fork-url', 'http://127.0.0.1:1']);
    assert.notEqual(fork.status, 0);
    assert.match(fork.stderr, /--timestamp <seconds>' sets a new chain's genesis time/);
  });

  // prool's `Instance.anvil({ binary })` and @viem/anvil's `createAnvil({ anvilBinary })` run the node
  // with the command line their options make (prool's toArgs: each option in kebab case, `true` as the
  // bare flag, `false` as `--flag false`, then `--port`) and wait for `Listening on` (audit26 V8; README).
  test('the command line prool\'s anvil instance builds from its options starts the node with them; an Anvil-only option exits it', async () => {
    const prool = ['--chain-id', '31337', '--accounts', '2', '--balance', '100', '--mnemonic', ABANDON, '--block-time', '1', '--timestamp', '1700000000', '--auto-impersonate', '--port', '0'];
    await withCli(prool, async (node) => {
      assert.equal(await result(node.url, 'eth_chainId'), '0x7a69');
      const first = HDNodeWallet.fromPhrase(ABANDON, undefined, "m/44'/60'/0'/0/0").address.toLowerCase();
      const accounts: string[] = await result(node.url, 'eth_accounts');
      assert.deepEqual([accounts.length, accounts[0]], [2, first]);
      assert.equal(BigInt(await result(node.url, 'eth_getBalance', [first, 'latest'])), 100n * 10n ** 18n);
      assert.equal(Number((await result(node.url, 'eth_getBlockByNumber', ['0x0', false])).timestamp), 1_700_000_000);
    });
    for (const [extra, refusal] of [[['--gas-limit', '30000000'], /fvm-devnet has no --gas-limit \(Anvil's\): the block gas limit is Filecoin's/], [['--auto-impersonate', 'false'], /unexpected argument 'false': .*a flag such as --auto-impersonate takes no value/]] as const) {
      const run = runToExit(['--port', '0', ...extra]);
      assert.notEqual(run.status, 0, `${extra.join(' ')} started`);
      assert.match(run.stderr, refusal);
    }
  });

  // A user's habits from the other nodes: their flags are refused naming what to use here, not as unknown
  // options (commander guessed --port for Hardhat's --fork), and flags that cannot go together are
  // refused as Anvil refuses them, rather than one of them silently ignored.
  test("Anvil's, hardhat node's and lotus daemon's own flags exit naming fvm-devnet's; --no-mining with --block-time, or --fork-block-number without --fork-url, exit too", () => {
    const refusals: [string[], RegExp][] = [
      [['--fork', 'https://api.calibration.node.glif.io/rpc/v1'], /fvm-devnet has no --fork \(Hardhat's\): use --fork-url <url>/],
      [['--hostname', '127.0.0.1'], /fvm-devnet has no --hostname \(Hardhat's\): use --host <address>/],
      [['--api', '1234'], /fvm-devnet has no --api \(Lotus's\): use --port <number>/],
      [['--gas-price', '1'], /fvm-devnet has no --gas-price \(Anvil's\): fees are Filecoin's/],
      [['--code-size-limit', '100000'], /fvm-devnet has no --code-size-limit \(Anvil's\): the FEVM refuses code over 24 KiB/],
      [['--hardfork', 'prague'], /fvm-devnet has no --hardfork \(Anvil's\): the EVM is calibnet's FEVM/],
      [['--base-fee', '0'], /fvm-devnet has no --base-fee \(Anvil's\): .*anvil_setNextBlockBaseFeePerGas/],
      [['--prune-history'], /fvm-devnet has no --prune-history \(Anvil's\): the node keeps every tipset's state/],
      [['--config-out', 'anvil.json'], /fvm-devnet has no --config-out \(Anvil's\): --json prints `Listening on` as a JSON line/],
      [['--no-mining', '--block-time', '2'], /option '--no-mining' cannot be used with option '-b, --block-time <seconds>'/],
      [['--fork-block-number', '5'], /option '--fork-block-number <epoch>' is the epoch of a fork: give --fork-url <url> too/],
    ];
    for (const [flags, refusal] of refusals) {
      const run = runToExit(['--port', '0', ...flags]);
      assert.equal(run.status, 1, `${flags.join(' ')} started: ${run.stdout}`);
      assert.match(run.stderr, refusal);
      assert.doesNotMatch(run.stderr, /unknown option|Did you mean/);
    }
    // Hidden: --help lists fvm-devnet's own options only.
    const help = runToExit(['--help']);
    assert.doesNotMatch(help.stdout, /--hostname|--gas-limit|--quiet|--no-mine\b/);
  });

  // A URL puts an IPv6 address in brackets: `http://::1:8545/rpc/v1` is no URL a tool or browser takes.
  test('--host ::1: the Explorer and Lotus API URLs and the Listening line write the address in brackets, as Anvil\'s line does', async () => {
    await withCli(['--host', '::1'], async (node) => {
      assert.match(node.output(), new RegExp(`\nExplorer: +http://\\[::1\\]:${node.port}/\n`));
      assert.match(node.output(), new RegExp(`\nLotus API: +http://\\[::1\\]:${node.port}/rpc/v1\n`));
      assert.match(node.output(), new RegExp(`\nListening on \\[::1\\]:${node.port}\n`));
      assert.equal(await result(`http://[::1]:${node.port}/rpc/v1`, 'eth_chainId'), '0x1df5e76');
    });
  });

  // Anvil's --derivation-path (the index follows it): the accounts Anvil derives there, funded and signed for.
  test("--derivation-path m/44'/60'/1'/0/ derives the dev accounts there, as Anvil's does; a path that is not BIP-32 exits", async () => {
    const path = "m/44'/60'/1'/0/";
    await withCli(['--derivation-path', path, '--accounts', '2'], async (node) => {
      const expected = [0, 1].map((i) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `${path}${i}`).address.toLowerCase());
      assert.deepEqual(await result(node.url, 'eth_accounts'), expected);
      assert.match(node.output(), /\nDerivation: +m\/44'\/60'\/1'\/0\/i\n/);
      const hash = await result(node.url, 'eth_sendTransaction', [{ from: expected[0], to: expected[1], value: '0x1' }]);
      assert.equal((await result(node.url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
    });
    const bad = runToExit(['--port', '0', '--derivation-path', "m/44'/60'/x/0/"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--derivation-path <path>' argument 'm\/44'\/60'\/x\/0\/' is invalid. expected a BIP-32 path/);
  });

  // Two nodes side by side on the default port, or one left running from an earlier step.
  test('a port another process listens on: the node exits 1 naming the port and what to do', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const run = runToExit(['--port', String(port)]);
      assert.equal(run.status, 1);
      assert.equal(run.stderr, `fvm-devnet: listen EADDRINUSE: address already in use 127.0.0.1:${port}: a node (or another program) already listens there; stop it, or give another --port (0 picks a free one)\n`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  test('--mnemonic changes the accounts', async () => {
    await withCli(['--mnemonic', ABANDON, '--accounts', '2'], async (node) => {
      const expected = [0, 1].map((i) => HDNodeWallet.fromPhrase(ABANDON, undefined, `m/44'/60'/0'/0/${i}`));
      assert.deepEqual(await result(node.url, 'eth_accounts'), expected.map((w) => w.address.toLowerCase()));
      assert.ok(node.output().includes(expected[1].privateKey));
      assert.ok(node.output().includes(ABANDON));
      assert.equal(await result(node.url, 'eth_getBalance', [DEV_ACCOUNTS[0]!.address, 'latest']), '0x0');
    });
  });

  // Anvil's other names for options the node has (its visible aliases): a script written for Anvil runs unchanged (review R66).
  test("Anvil's --no-mine, --auto-unlock and --blockTime act as --no-mining, --auto-impersonate and --block-time, their checks too", async () => {
    await withCli(['--no-mine', '--auto-unlock'], async (node) => {
      const stranger = '0x00000000000000000000000000000000005ca1ab';
      await result(node.url, 'anvil_setBalance', [stranger, '0xde0b6b3a7640000']);
      const hash = await result(node.url, 'eth_sendTransaction', [{ from: stranger, to: stranger, value: '0x1' }]);
      assert.equal(await result(node.url, 'eth_getTransactionReceipt', [hash]), null);
      assert.equal(await result(node.url, 'eth_blockNumber'), '0x0');
      await result(node.url, 'evm_mine');
      assert.equal((await result(node.url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
    });
    await withCli(['--blockTime', '1'], async (node) => assert.match(node.output(), /\nMining: +every 1 s\n/));
    for (const [flags, refusal] of [[['--no-mine', '--blockTime', '2'], /option '--no-mining' cannot be used with option '-b, --block-time <seconds>'/], [['--blockTime', '0'], /option '-b, --block-time <seconds>' argument '0' is invalid/]] as const) {
      const run = runToExit(['--port', '0', ...flags]);
      assert.equal(run.status, 1, `${flags.join(' ')} started: ${run.stdout}`);
      assert.match(run.stderr, refusal);
    }
  });

  test('--no-mining leaves a sent transaction pending until evm_mine', async () => {
    await withCli(['--no-mining'], async (node) => {
      const hash = await result(node.url, 'eth_sendRawTransaction', [await signTransfer(0)]);
      assert.equal(await result(node.url, 'eth_getTransactionReceipt', [hash]), null);
      assert.equal(await result(node.url, 'eth_blockNumber'), '0x0');
      assert.equal((await result(node.url, 'eth_getTransactionByHash', [hash])).blockNumber, null);
      assert.equal(await result(node.url, 'evm_mine'), '0x0');
      const receipt = await result(node.url, 'eth_getTransactionReceipt', [hash]);
      assert.equal(receipt.status, '0x1');
      assert.equal(receipt.blockNumber, '0x1');
    });
  });

  test('--block-time 1 mines the transaction in a tipset within 10 s', async () => {
    await withCli(['--block-time', '1'], async (node) => {
      assert.ok(node.output().includes('every 1 s'));
      const hash = await result(node.url, 'eth_sendRawTransaction', [await signTransfer(0)]);
      const receipt = await pollUntil(
        'a receipt under --block-time 1',
        async () => (await result(node.url, 'eth_getTransactionReceipt', [hash])) ?? undefined,
        { attempts: 100, intervalMs: 100 },
      );
      assert.equal(receipt.status, '0x1');
      assert.ok(Number(receipt.blockNumber) >= 1);
    });
  });

  test("--block-time takes fractions of a second, as Anvil's: tipsets keep coming, Lotus's block delay in whole seconds", async () => {
    await withCli(['--block-time', '0.2'], async (node) => {
      assert.match(node.output(), /\nMining: +every 0\.2 s\n/);
      await pollUntil('three tipsets under --block-time 0.2', async () => (Number(await result(node.url, 'eth_blockNumber')) >= 3 ? true : undefined), { attempts: 100, intervalMs: 100 });
      // Lotus's BlockDelaySecs is a uint64: a fraction is rounded up (timestamps step a second at least).
      assert.equal((await result(node.url, 'Filecoin.StateGetNetworkParams')).BlockDelaySecs, 1);
      assert.equal((await result(node.url, 'Filecoin.Version')).BlockDelay, 1);
    });
  });

  test('--json prints pino JSON lines', async () => {
    await withCli(['--json'], async (node) => {
      await result(node.url, 'eth_chainId');
      const entries = await pollUntil('a JSON log line for eth_chainId', async () => {
        const parsed = node
          .output()
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        return parsed.some((e) => e.method === 'eth_chainId') ? parsed : undefined;
      });
      const listening = entries.find((e) => typeof e.msg === 'string' && e.msg.startsWith('Listening on'));
      assert.ok(listening, 'no Listening entry');
      assert.equal(listening.level, 30);
      assert.equal(listening.port, node.port);
      assert.equal(listening.chainId, '31415926');
      assert.equal(typeof listening.time, 'number');
      assert.ok(!node.output().includes('Private keys'), 'the human banner is not printed with --json');
    });
  });

  // -q, --quiet: Foundry's, which Anvil reads as its silent (review R66).
  for (const flag of ['--silent', '-q', '--quiet']) test(`${flag} prints nothing and still serves`, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI_PATH, '--port', String(port), flag], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const url = `http://127.0.0.1:${port}`;
      const chainId = await pollUntil(
        'the silent node to answer',
        async () => {
          if (child.exitCode !== null) throw new Error(`the node exited with ${child.exitCode}: ${output}`);
          try {
            return await result(url, 'eth_chainId');
          } catch {
            return undefined;
          }
        },
        { attempts: 150, intervalMs: 100 },
      );
      assert.equal(chainId, '0x1df5e76');
      const hash = await result(url, 'eth_sendRawTransaction', [await signTransfer(0)]);
      assert.equal((await result(url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
      assert.equal(output, '');
    } finally {
      child.kill('SIGTERM');
      await within('the silent node to exit', 10_000, exited);
    }
    assert.equal(output, '');
  });

  test('its stdout closed by the reader (`| grep -m1 Listening`, `| head`), the node goes on serving (audit16 A10)', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI_PATH, '--port', String(port)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      // Read up to "Listening on", then close the pipe as grep -m1 does on its first match.
      await new Promise<void>((resolve) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Listening on')) resolve();
        });
      });
      child.stdout.destroy();
      const url = `http://127.0.0.1:${port}`;
      // Each answer logs lines, each send a tipset's: writes to a pipe nobody reads.
      for (let nonce = 0; nonce < 3; nonce++) {
        const hash = await result(url, 'eth_sendRawTransaction', [await signTransfer(nonce)]);
        assert.equal((await result(url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
      }
      assert.equal(await result(url, 'eth_blockNumber'), '0x3');
      assert.equal(child.exitCode, null, `the node exited: ${stderr}`);
      assert.doesNotMatch(stderr, /EPIPE/);
    } finally {
      child.kill('SIGTERM');
      await within('the node to exit', 10_000, exited);
    }
  });

  // The version is written in two places (package.json; config.ts VERSION, which the command and web3_clientVersion name): they must agree.
  test("--version and -V print package.json's version and exit 0, the version web3_clientVersion names", () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = runToExit([flag]);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, `${version}\n`);
    }
    assert.ok(CLIENT_VERSION.endsWith(`/v${version}`), CLIENT_VERSION);
  });

  test('--help lists the flags and exits 0', () => {
    const run = runToExit(['--help']);
    assert.equal(run.status, 0, run.stderr);
    for (const flag of ['--port', '--host', '--accounts', '--storage-providers', '--sector-size', '--seal-delay', '--f3-lag', '--mnemonic', '--balance', '--chain-id', '--timestamp', '--auto-impersonate', '--block-time', '--no-mining', '--allow-origin', '--call-timeout', '--no-explorer', '--silent', '--json', '--help']) {
      assert.ok(run.stdout.includes(flag), `--help does not mention ${flag}`);
    }
  });

  test("`fvm-devnet help` prints --help's text, `help deal` the command's; a word that is no command (`hardhat node`'s habit, an unquoted mnemonic) exits naming the commands", () => {
    const help = runToExit(['help']);
    assert.equal(help.status, 0, help.stderr);
    assert.equal(help.stdout, runToExit(['--help']).stdout);
    const deal = runToExit(['help', 'deal']);
    assert.equal(deal.status, 0, deal.stderr);
    assert.match(deal.stdout, /^Usage: fvm-devnet deal \[options\] <file>/);
    // An unquoted mnemonic leaves its other words as arguments.
    for (const [args, word] of [[['node'], 'node'], [['--port', '0', 'start'], 'start'], [['--port', '0', '--mnemonic', ...ABANDON.split(' ')], 'abandon']] as const) {
      const run = runToExit([...args]);
      assert.equal(run.status, 1, `${args.join(' ')} started: ${run.stdout}`);
      assert.match(run.stderr, new RegExp(`unexpected argument '${word}': \`fvm-devnet \\[options\\]\` starts the node, its commands are piece and deal; quote a value with spaces`));
    }
  });

  test("README's option list is --help's, option by option (audit29 D1)", () => {
    const run = runToExit(['--help']);
    assert.equal(run.status, 0, run.stderr);
    // commander wraps a description over indented lines: one entry per option, its lines joined.
    const entries = (lines: string[]): string[] =>
      lines.reduce<string[]>((all, line) => {
        if (/^ {2}-/.test(line)) all.push(line.trim().replace(/\s+/g, ' '));
        else if (line.trim() && all.length) all[all.length - 1] += ` ${line.trim()}`;
        return all;
      }, []);
    const help = run.stdout.slice(run.stdout.indexOf('Options:\n'), run.stdout.indexOf('\nCommands:')).split('\n');
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf('## Command line'));
    const listed = block.slice(0, block.indexOf('\n```\n', block.indexOf('```') + 3)).split('\n');
    const fromHelp = entries(help);
    assert.ok(fromHelp.length > 40, `${fromHelp.length} options in --help`);
    assert.deepEqual(entries(listed), fromHelp);
  });

  test('a bad flag value exits non-zero with a message', () => {
    const port = runToExit(['--port', 'abc']);
    assert.notEqual(port.status, 0);
    assert.match(port.stderr, /--port/);
    assert.match(port.stderr, /'abc' is invalid/);
    assert.match(port.stderr, /expected an integer from 0 to 65535/);

    // An unset variable (`--port $PORT`) is refused as Anvil refuses it, not read as 0 (audit16 A3).
    for (const [flag, range] of [['--port', '0 to 65535'], ['--call-timeout', '0 to 3600000'], ['--fork-block-number', '0 to 9007199254740991']]) {
      for (const empty of ['', ' ']) {
        const run = runToExit(flag === '--port' ? [flag, empty] : ['--port', '0', flag, empty]);
        assert.notEqual(run.status, 0, `${flag} '${empty}' started`);
        assert.match(run.stderr, new RegExp(`${flag} <\\w+>' argument '${empty}' is invalid. expected an integer from ${range}`));
      }
    }
    // The same for a text option: an empty --host listened on every address, an empty --state saved nothing.
    for (const [flag, expected] of [['--host', 'an address, such as 127.0.0.1 or 0.0.0.0'], ['--state', 'a file'], ['--load-state', 'a file'], ['--dump-state', 'a file'], ['--fork-url', 'a URL']]) {
      const run = runToExit(['--port', '0', flag!, '']);
      assert.equal(run.status, 1, `${flag} '' started`);
      assert.match(run.stderr, new RegExp(`${flag} <\\w+>' argument '' is invalid. expected ${expected}`));
    }
    // Anvil's <url>@<block> with a block that is no epoch: refused before any upstream is asked.
    for (const [suffix, expected] of [['latest', "a fork starts at the upstream's finalized tipset unless given an epoch: leave @latest out"], ['30000O0', 'expected <url>@<epoch>, an epoch from 0']]) {
      const run = runToExit(['--port', '0', '--fork-url', `http://127.0.0.1:1/rpc/v1@${suffix}`]);
      assert.equal(run.status, 1, `@${suffix} started`);
      assert.match(run.stderr, new RegExp(`--fork-url <url>' argument 'http://127.0.0.1:1/rpc/v1@${suffix}' is invalid. ${expected}`));
    }
    // Lotus's API info with its token (FULLNODE_API_INFO): refused naming the URL and where the token goes, without echoing it.
    const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJBbGxvdyI6WyJyZWFkIl19.c2VjcmV0';
    const apiInfo = runToExit(['--port', '0', '--fork-url', `${token}:/ip4/127.0.0.1/tcp/1234/http`]);
    assert.equal(apiInfo.status, 1);
    assert.match(apiInfo.stderr, /is Lotus's API info with its token: give http:\/\/127.0.0.1:1234 and the token in \$FVM_DEVNET_FORK_TOKEN/);
    assert.doesNotMatch(apiInfo.stderr, /c2VjcmV0/);
    const chainId = runToExit(['--port', '0', '--chain-id', 'abc']);
    assert.notEqual(chainId.status, 0);
    assert.match(chainId.stderr, /--chain-id <number>' argument 'abc' is invalid. expected an integer from 1 to 9007199254740991/);

    const balance = runToExit(['--port', '0', '--balance', 'lots']);
    assert.notEqual(balance.status, 0);
    assert.match(balance.stderr, /invalid FIL amount: lots/);

    const accounts = runToExit(['--port', '0', '--accounts', '0']);
    assert.notEqual(accounts.status, 0);
    assert.match(accounts.stderr, /--accounts/);

    const origin = runToExit(['--port', '0', '--allow-origin', 'localhost:3000']);
    assert.notEqual(origin.status, 0);
    assert.match(origin.stderr, /--allow-origin/);
    assert.match(origin.stderr, /localhost:3000 is not an origin: expected scheme:\/\/host\[:port\]/);
  });
});
