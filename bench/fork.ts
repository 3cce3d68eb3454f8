// `npm run bench`, the fork's part: an fvm-devnet upstream on loopback with a contract holding 100
// storage slots, then fvm-devnet forking it (--fork-url) and, side by side, Anvil forking the same
// upstream over its Ethereum API. Measured: fork start (spawn to listening), the first touch of the
// contract (eth_getCode), a call reading the 100 slots cold and warm, and the cold call again after
// a restart from the disk cache (fvm-devnet only).
// Each phase is timed in RUNS runs, each on a fresh fork (fvm-devnet's with an empty cache directory),
// fvm-devnet's and Anvil's runs alternating, and the table gives each cell's median: a first touch
// or a cold call happens once per fork, and a single timing of it on the shared machine moved 2-4x
// between benches with no change in the node's CPU. Five runs, so that two disturbed ones do not
// move a median; the part takes ~11-14 s instead of ~3-4 s at load 7-9 (the whole bench takes
// minutes). A run's "warm" is the median of WARM_CALLS calls after the cold one: the first few still
// carry the JIT's warm-up (fvm-devnet's second call 9-17 ms, its tenth ~2), which one timing measured.
// From 718ab019 on, fvm-devnet's first touch answers once the contract's code and State are read and
// its storage KAMT walk goes on behind the answer; the cold call, timed right after, waits for the
// walk's rest. So compare its first touch and cold call with benches before 718ab019 only as their
// sum (at load 12-14: 597/487/334 ms before, 757/366/348 after; docs/performance.md, forkfirst).
// bench/run.ts calls benchFork() after its own table.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Interface } from 'ethers';
import { compileSolidity } from '../test/helpers/solc.js';
import { ROOT } from './peers.js';
import { median } from './phases.js';
import { medianFigures } from './report.js';
import { RpcClient } from './rpc-client.js';
import { Signer } from './workload.js';

const FVM_BUNDLE = join(ROOT, 'dist/fvm-devnet.js');
const ANVIL_BIN = join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
const START_TIMEOUT_MS = 30_000;
/** fvm-devnet and Anvil both print this line once they listen; its group is the port. */
const LISTENING = /Listening on [^:\s]+:(\d+)/;
const RUNS = 5;
const WARM_CALLS = 20;
const slots = new Interface(['function sum() view returns (uint256)']);

/** A node started as a child process, ready once `Listening on …` appears on its output. */
interface Started {
  child: ChildProcess;
  rpc: RpcClient;
  startMs: number;
}

async function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready within ${START_TIMEOUT_MS / 1000} s:\n${out}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = LISTENING.exec(out);
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

/** `sum()` on the forking node, its answer checked. */
async function callSum(node: Started, contract: string, expected: bigint): Promise<void> {
  const answer = BigInt(await node.rpc.call('eth_call', [{ to: contract, data: slots.encodeFunctionData('sum') }, 'latest']));
  if (answer !== expected) throw new Error(`sum() answered ${answer}, not ${expected}`);
}

/** The first touch of the contract on a fresh node, then the 100-slot call cold. */
async function firstReads(node: Started, contract: string, expected: bigint): Promise<{ firstTouchMs: number; coldCallMs: number }> {
  const firstTouchMs = await timed(() => node.rpc.call('eth_getCode', [contract, 'latest']));
  return { firstTouchMs, coldCallMs: await timed(() => callSum(node, contract, expected)) };
}

/** The median of WARM_CALLS calls after the cold one. */
async function warmCall(node: Started, contract: string, expected: bigint): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < WARM_CALLS; i++) times.push(await timed(() => callSum(node, contract, expected)));
  return median(times);
}

/** One fvm-devnet run: a fork started with an empty cache directory, its phases, then a restart that reads that cache. */
async function fvmDevnetRun(forkArgs: string[], cacheDir: string, contract: string, expected: bigint): Promise<ForkFigures> {
  const env = { ...process.env, FVM_DEVNET_CACHE_DIR: cacheDir };
  const fork = await start(process.execPath, forkArgs, env);
  let figures: ForkFigures;
  try {
    figures = { startMs: fork.startMs, ...(await firstReads(fork, contract, expected)), warmCallMs: await warmCall(fork, contract, expected) };
  } finally {
    await stop(fork);
  }
  // Again at the same epoch: what the first start fetched comes from the disk cache.
  const cached = await start(process.execPath, forkArgs, env);
  try {
    const again = await firstReads(cached, contract, expected);
    return { ...figures, cachedStartMs: cached.startMs, cachedCallMs: again.coldCallMs };
  } finally {
    await stop(cached);
  }
}

async function anvilRun(anvilArgs: string[], contract: string, expected: bigint): Promise<ForkFigures> {
  const anvil = await start(ANVIL_BIN, anvilArgs);
  try {
    return { startMs: anvil.startMs, ...(await firstReads(anvil, contract, expected)), warmCallMs: await warmCall(anvil, contract, expected) };
  } finally {
    await stop(anvil);
  }
}

/** Runs the fork phases and prints their table. */
export async function benchFork(): Promise<void> {
  if (!existsSync(FVM_BUNDLE)) throw new Error(`${FVM_BUNDLE} not found: run \`npm run build\` first`);
  const upstream = await start(process.execPath, [FVM_BUNDLE, '--port', '0']);
  const cacheDirs = mkdtempSync(join(tmpdir(), 'fvm-bench-fork-'));
  const runs: Record<string, ForkFigures[]> = { 'fvm-devnet': [] };
  try {
    const { HundredSlots } = await compileSolidity({ 'ForkBench.sol': readFileSync(join(ROOT, 'bench/contracts/ForkBench.sol'), 'utf8') });
    const signer = await Signer.create(upstream.rpc);
    const { contractAddress } = await signer.send({ data: HundredSlots!.bytecode });
    const epoch = String(Number(await upstream.rpc.call('eth_blockNumber')));
    const expected = 5050n;
    const forkArgs = [FVM_BUNDLE, '--port', '0', '--fork-url', upstream.rpc.url, '--fork-block-number', epoch];
    const anvilArgs = ['--port', '0', '--fork-url', upstream.rpc.url, '--fork-block-number', epoch, '--no-storage-caching'];
    let anvil = existsSync(ANVIL_BIN);
    if (anvil) runs.anvil = [];
    for (let r = 0; r < RUNS; r++) {
      const cacheDir = join(cacheDirs, String(r));
      mkdirSync(cacheDir);
      runs['fvm-devnet']!.push(await fvmDevnetRun(forkArgs, cacheDir, contractAddress!, expected));
      if (!anvil) continue;
      try {
        runs.anvil!.push(await anvilRun(anvilArgs, contractAddress!, expected));
      } catch (error) {
        process.stderr.write(`anvil forking the fvm-devnet upstream failed: ${(error as Error).message}\n`);
        anvil = false;
      }
    }
  } finally {
    await stop(upstream);
    rmSync(cacheDirs, { recursive: true, force: true });
  }
  const ms = (n: number | undefined) => (n === undefined ? '—' : `${n.toFixed(1)} ms`);
  console.log(`\nFork of a local fvm-devnet upstream (100-slot contract; medians of ${RUNS} runs, a run's warm call the median of ${WARM_CALLS})`);
  console.log('| node | fork start | first touch (eth_getCode) | call, 100 slots cold | warm | start from disk cache | call from disk cache |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, figures] of Object.entries(runs)) {
    if (!figures.length) continue;
    const f = medianFigures(figures);
    console.log(`| ${name} | ${ms(f.startMs)} | ${ms(f.firstTouchMs)} | ${ms(f.coldCallMs)} | ${ms(f.warmCallMs)} | ${ms(f.cachedStartMs)} | ${ms(f.cachedCallMs)} |`);
  }
}
