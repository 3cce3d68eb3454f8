// `npm run bench`, the fork's part: an fvm-devnet upstream on loopback with a contract holding 100
// storage slots, then fvm-devnet forking it (--fork-url) and, side by side, Anvil forking the same
// upstream over its Ethereum API. Measured: fork start (spawn to listening), the first touch of the
// contract (eth_getCode), a call reading the 100 slots cold and warm, and the cold call again after
// a restart from the disk cache (fvm-devnet only).
// bench/run.ts calls benchFork() after its own table.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Interface } from 'ethers';
import { compileSolidity } from '../test/helpers/solc.js';
import { ROOT } from './peers.js';
import { RpcClient } from './rpc-client.js';
import { Signer } from './workload.js';

const FVM_BUNDLE = join(ROOT, 'dist/fvm-devnet.js');
const ANVIL_BIN = join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
const START_TIMEOUT_MS = 30_000;
const slots = new Interface(['function sum() view returns (uint256)']);

/** A node started as a child process, ready once its `ready` pattern appears on stdout. */
interface Started {
  child: ChildProcess;
  rpc: RpcClient;
  startMs: number;
}

async function start(command: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready within ${START_TIMEOUT_MS / 1000} s:\n${out}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) during start-up:\n${out}`)));
  });
  return { child, rpc: new RpcClient(`http://127.0.0.1:${port}`), startMs: performance.now() - t0 };
}

async function stop({ child, rpc }: Started): Promise<void> {
  rpc.close();
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface ForkFigures {
  startMs: number;
  firstTouchMs: number;
  coldCallMs: number;
  warmCallMs: number;
  cachedStartMs?: number;
  cachedCallMs?: number;
}

/** The phases on one forking node: start, first touch, the 100-slot call cold then warm. */
async function measure(fork: Started, contract: string, expected: bigint): Promise<Omit<ForkFigures, 'startMs'>> {
  const call = async () => {
    const answer = BigInt(await fork.rpc.call('eth_call', [{ to: contract, data: slots.encodeFunctionData('sum') }, 'latest']));
    if (answer !== expected) throw new Error(`sum() answered ${answer}, not ${expected}`);
  };
  const firstTouchMs = await timed(() => fork.rpc.call('eth_getCode', [contract, 'latest']));
  const coldCallMs = await timed(call);
  const warmCallMs = await timed(call);
  return { firstTouchMs, coldCallMs, warmCallMs };
}

/** Runs the fork phases and prints their table. */
export async function benchFork(): Promise<void> {
  if (!existsSync(FVM_BUNDLE)) throw new Error(`${FVM_BUNDLE} not found: run \`npm run build\` first`);
  const listening = /Listening on [^:\s]+:(\d+)/;
  const upstream = await start(process.execPath, [FVM_BUNDLE, '--port', '0'], listening);
  const cacheDir = mkdtempSync(join(tmpdir(), 'fvm-bench-fork-'));
  const results: Record<string, ForkFigures> = {};
  try {
    const { HundredSlots } = await compileSolidity({ 'ForkBench.sol': readFileSync(join(ROOT, 'bench/contracts/ForkBench.sol'), 'utf8') });
    const signer = await Signer.create(upstream.rpc);
    const { contractAddress } = await signer.send({ data: HundredSlots!.bytecode });
    const epoch = Number(await upstream.rpc.call('eth_blockNumber'));
    const expected = 5050n;
    const forkArgs = [FVM_BUNDLE, '--port', '0', '--fork-url', upstream.rpc.url, '--fork-block-number', String(epoch)];
    const env = { ...process.env, FVM_DEVNET_CACHE_DIR: cacheDir };

    const fork = await start(process.execPath, forkArgs, listening, env);
    results['fvm-devnet'] = { startMs: fork.startMs, ...(await measure(fork, contractAddress!, expected)) };
    await stop(fork);
    // Again at the same epoch: what the first run fetched comes from the disk cache.
    const cached = await start(process.execPath, forkArgs, listening, env);
    const again = await measure(cached, contractAddress!, expected);
    results['fvm-devnet'] = { ...results['fvm-devnet'], cachedStartMs: cached.startMs, cachedCallMs: again.coldCallMs };
    await stop(cached);

    if (existsSync(ANVIL_BIN)) {
      const anvil = await start(ANVIL_BIN, ['--port', '0', '--fork-url', upstream.rpc.url, '--fork-block-number', String(epoch), '--no-storage-caching'], /Listening on [^:\s]+:(\d+)/);
      try {
        results.anvil = { startMs: anvil.startMs, ...(await measure(anvil, contractAddress!, expected)) };
      } catch (error) {
        process.stderr.write(`anvil forking the fvm-devnet upstream failed: ${(error as Error).message}\n`);
      } finally {
        await stop(anvil);
      }
    }
  } finally {
    await stop(upstream);
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const ms = (n: number | undefined) => (n === undefined ? '—' : `${n.toFixed(1)} ms`);
  console.log('\nFork of a local fvm-devnet upstream (100-slot contract)');
  console.log('| node | fork start | first touch (eth_getCode) | call, 100 slots cold | warm | start from disk cache | call from disk cache |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, f] of Object.entries(results)) {
    console.log(`| ${name} | ${ms(f.startMs)} | ${ms(f.firstTouchMs)} | ${ms(f.coldCallMs)} | ${ms(f.warmCallMs)} | ${ms(f.cachedStartMs)} | ${ms(f.cachedCallMs)} |`);
  }
}
