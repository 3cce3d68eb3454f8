// Benchmarks fvm-devnet against Anvil over Ethereum JSON-RPC: start-up time, memory,
// transaction latency and throughput, eth_call throughput, and anvil_mine of many epochs.
//
//   npm run bench [-- --json] [-- --only fvm-devnet|anvil] [-- --n <transfers>]
//
// Nodes run one at a time (start, measure, kill) so they do not compete for CPU.
// Raw fetch is used for RPC (lowest client overhead); ethers only signs transactions.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Wallet } from 'ethers';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FVM_BUNDLE = 'dist/fvm-devnet.js';
const ANVIL_BIN = 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil';
// Account 0 / 1 of the default `test … junk` mnemonic; both nodes fund them.
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
// Runtime: mstore(0, 0x2a) return(0, 32). Initcode copies the 10 runtime bytes after itself.
const RUNTIME = '602a60005260206000f3';
const INITCODE = '0x600a80600b6000396000f3' + RUNTIME;
const PHASE_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const BATCH_SIZE = 50;
const BATCHES_IN_FLIGHT = 4;
const CALL_CONCURRENCY = 8;

type NodeName = 'fvm-devnet' | 'anvil';
type Figures = {
  spawnMs: number;
  idleRssMiB: number;
  sendReceiptMedianMs: number;
  sendReceiptP95Ms: number;
  pipelinedTps: number;
  ethCallPerSec: number;
  loadedRssMiB: number;
  mine1kMs: number;
  /** anvil_mine of a million epochs: fvm-devnet only (null rounds); Anvil takes minutes. */
  mine1MMs?: number;
};
type Options = { json: boolean; only?: NodeName; n: number };

// ---------- command line ----------

function parseArgs(argv: string[]): Options {
  const opts: Options = { json: false, n: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') opts.json = true;
    else if (arg === '--only') {
      const v = argv[++i];
      if (v !== 'fvm-devnet' && v !== 'anvil') throw new Error('--only takes fvm-devnet or anvil');
      opts.only = v;
    } else if (arg === '--n') {
      opts.n = Number(argv[++i]);
      if (!Number.isInteger(opts.n) || opts.n < 10) throw new Error('--n takes an integer >= 10');
    } else throw new Error(`unknown argument ${arg} (use --json, --only fvm-devnet|anvil, --n <transfers>)`);
  }
  return opts;
}

// ---------- child processes ----------

const children = new Set<ChildProcess>();
// Last resort: never leave a node running, whatever way we exit.
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

type Running = { child: ChildProcess; url: string; stderr: () => string };

// Spawns the server executable itself (no shell / npx) so child.pid is the server's pid.
function startNode(name: NodeName, port: number): Running {
  const [cmd, args] =
    name === 'anvil'
      ? [ANVIL_BIN, ['--port', String(port), '--host', '127.0.0.1', '--silent']]
      : [process.execPath, [FVM_BUNDLE, '--port', String(port), '--silent']];
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let errTail = '';
  child.stderr?.on('data', (d: Buffer) => (errTail = (errTail + d.toString()).slice(-2000)));
  child.on('error', (e) => (errTail += `\nspawn error: ${e.message}`));
  return { child, url: `http://127.0.0.1:${port}`, stderr: () => errTail };
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    // Give it 2 s to exit cleanly, then force it, so the next node gets the CPU to itself.
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
  children.delete(child);
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

// ---------- JSON-RPC over fetch ----------

type RpcReply = { id: number; result?: unknown; error?: { message: string } };
let nextId = 1;

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return res.json();
}

async function rpc<T = string>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const reply = (await post(url, { jsonrpc: '2.0', id: nextId++, method, params })) as RpcReply;
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

// One HTTP request carrying many calls; returns results in request order.
async function rpcBatch(url: string, method: string, paramsList: unknown[][]): Promise<unknown[]> {
  const reqs = paramsList.map((params) => ({ jsonrpc: '2.0', id: nextId++, method, params }));
  const replies = (await post(url, reqs)) as RpcReply[];
  const byId = new Map(replies.map((r) => [r.id, r]));
  return reqs.map((req) => {
    const r = byId.get(req.id);
    if (!r || r.error) throw new Error(`${method} (batch): ${r?.error?.message ?? 'missing reply'}`);
    return r.result;
  });
}

// ---------- helpers ----------

// Runs `step` until it returns a value, bounded by PHASE_TIMEOUT_MS (and thus by count).
async function until<T>(what: string, step: () => Promise<T | undefined>, pauseMs = 0): Promise<T> {
  const deadline = performance.now() + PHASE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const v = await step();
    if (v !== undefined) return v;
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
  }
  throw new Error(`gave up after ${PHASE_TIMEOUT_MS / 1000} s waiting for ${what}`);
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

type Receipt = { status: string; contractAddress: string | null };

async function receipt(url: string, hash: string, pauseMs = 0): Promise<Receipt> {
  return until(`receipt of ${hash}`, async () => (await rpc<Receipt | null>(url, 'eth_getTransactionReceipt', [hash])) ?? undefined, pauseMs);
}

// Signs transactions for account 0 with fees read fresh from the node (fees drift as blocks pass).
class Signer {
  private wallet = new Wallet(DEV_KEY);
  private constructor(private chainId: bigint, public nonce: number, private fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }) {}

  static async create(url: string): Promise<Signer> {
    const chainId = BigInt(await rpc(url, 'eth_chainId'));
    const nonce = Number(await rpc(url, 'eth_getTransactionCount', [new Wallet(DEV_KEY).address, 'latest']));
    const s = new Signer(chainId, nonce, { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n });
    await s.refreshFees(url);
    return s;
  }

  async refreshFees(url: string): Promise<void> {
    const maxFeePerGas = 2n * BigInt(await rpc(url, 'eth_gasPrice'));
    const tip = BigInt(await rpc(url, 'eth_maxPriorityFeePerGas'));
    this.fees = { maxFeePerGas, maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas };
  }

  get address(): string {
    return this.wallet.address;
  }

  sign(tx: { to?: string; value?: bigint; data?: string; gasLimit: bigint }): Promise<string> {
    return this.wallet.signTransaction({ type: 2, chainId: this.chainId, nonce: this.nonce++, ...this.fees, ...tx });
  }
}

// Filecoin gas units differ wildly from Ethereum's, so always ask the node.
async function estimate(url: string, tx: object): Promise<bigint> {
  return BigInt(await rpc(url, 'eth_estimateGas', [tx]));
}

// ---------- phases ----------

async function spawnToFirstAnswer(name: NodeName): Promise<{ node: Running; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const node = startNode(name, port);
  await until(`${name} to answer eth_chainId`, async () => {
    if (node.child.exitCode !== null || node.child.signalCode !== null)
      throw new Error(`${name} exited during start-up:\n${node.stderr()}`);
    try {
      return await rpc(node.url, 'eth_chainId');
    } catch {
      return undefined; // not listening yet
    }
  }, 5);
  return { node, ms: performance.now() - t0 };
}

async function deployConstant(url: string, s: Signer): Promise<string> {
  const gasLimit = await estimate(url, { from: s.address, data: INITCODE });
  const hash = await rpc(url, 'eth_sendRawTransaction', [await s.sign({ data: INITCODE, gasLimit })]);
  const r = await receipt(url, hash, 1);
  if (BigInt(r.status) !== 1n || !r.contractAddress) throw new Error(`deploy failed: ${JSON.stringify(r)}`);
  return r.contractAddress;
}

async function sequentialLatency(url: string, s: Signer, gasLimit: bigint, count: number): Promise<number[]> {
  await s.refreshFees(url);
  const raws: string[] = [];
  for (let i = 0; i < count; i++) raws.push(await s.sign({ to: RECIPIENT, value: 1n, gasLimit }));
  const times: number[] = [];
  for (const raw of raws) {
    const t0 = performance.now();
    const hash = await rpc(url, 'eth_sendRawTransaction', [raw]);
    await receipt(url, hash); // tight loop: we measure latency, not politeness
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function pipelinedTps(url: string, s: Signer, gasLimit: bigint, count: number): Promise<number> {
  await s.refreshFees(url);
  const raws: string[] = [];
  for (let i = 0; i < count; i++) raws.push(await s.sign({ to: RECIPIENT, value: 1n, gasLimit }));
  const batches: string[][] = [];
  for (let i = 0; i < raws.length; i += BATCH_SIZE) batches.push(raws.slice(i, i + BATCH_SIZE));

  const t0 = performance.now();
  // A few batches in flight, taken in nonce order, keeps the pipe full without
  // shuffling nonces much (nodes that queue nonce gaps don't care either way).
  const hashes: string[][] = new Array(batches.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < batches.length; i = next++)
      hashes[i] = (await rpcBatch(url, 'eth_sendRawTransaction', batches[i].map((raw) => [raw]))) as string[];
  };
  await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, worker));
  const last = await receipt(url, hashes[hashes.length - 1].at(-1)!, 1);
  const elapsed = performance.now() - t0;
  if (BigInt(last.status) !== 1n) throw new Error(`last pipelined transfer failed: ${JSON.stringify(last)}`);
  // The last receipt only proves all were included if nonces are consecutive; check the count too.
  const mined = Number(await rpc(url, 'eth_getTransactionCount', [s.address, 'latest']));
  if (mined !== s.nonce) throw new Error(`expected nonce ${s.nonce} after the batch, node reports ${mined}`);
  return count / (elapsed / 1000);
}

async function ethCallRate(url: string, contract: string, count: number): Promise<number> {
  const expected = '0x' + '2a'.padStart(64, '0');
  const first = await rpc(url, 'eth_call', [{ to: contract, data: '0x' }, 'latest']);
  if (first !== expected) throw new Error(`eth_call returned ${first}, expected ${expected}`);
  let issued = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (issued < count) {
      issued++;
      await rpc(url, 'eth_call', [{ to: contract, data: '0x' }, 'latest']);
    }
  };
  await Promise.all(Array.from({ length: CALL_CONCURRENCY }, worker));
  return count / ((performance.now() - t0) / 1000);
}

// anvil_mine of `epochs` on a node started for it alone, so that it starts from genesis.
async function mineOnFreshNode(name: NodeName, epochs: number): Promise<number> {
  const { node } = await spawnToFirstAnswer(name);
  try {
    const t0 = performance.now();
    await rpc(node.url, 'anvil_mine', [`0x${epochs.toString(16)}`]);
    const ms = performance.now() - t0;
    const head = Number(await rpc(node.url, 'eth_blockNumber'));
    if (head !== epochs) throw new Error(`after anvil_mine of ${epochs} the head is ${head}`);
    return ms;
  } finally {
    await stopNode(node.child);
  }
}

// Each phase has its own label so a failure says where it happened.
async function phase<T>(name: NodeName, label: string, fn: () => Promise<T>, quiet: boolean): Promise<T> {
  if (!quiet) process.stderr.write(`  ${name}: ${label}…\n`);
  try {
    return await fn();
  } catch (e) {
    throw new Error(`${name}, ${label}: ${(e as Error).message}`);
  }
}

async function benchNode(name: NodeName, n: number, quiet: boolean): Promise<Figures> {
  const mine1kMs = await phase(name, 'anvil_mine 1000 epochs', () => mineOnFreshNode(name, 1000), quiet);
  const mine1MMs = name === 'fvm-devnet' ? await phase(name, 'anvil_mine 1000000 epochs', () => mineOnFreshNode(name, 1_000_000), quiet) : undefined;
  const started = await phase(name, 'start', () => spawnToFirstAnswer(name), quiet);
  const { node } = started;
  try {
    const pid = node.child.pid!;
    const idleRssMiB = rssMiB(pid);
    const url = node.url;
    const s = await phase(name, 'setup', () => Signer.create(url), quiet);
    const gas = await phase(name, 'estimate transfer gas', () => estimate(url, { from: s.address, to: RECIPIENT, value: '0x1' }), quiet);
    // Deploying first also warms the node up before the timed phases.
    const contract = await phase(name, 'deploy contract', () => deployConstant(url, s), quiet);
    const seqCount = Math.max(5, Math.round(n / 5));
    const lat = await phase(name, `${seqCount} sequential transfers`, () => sequentialLatency(url, s, gas, seqCount), quiet);
    const tps = await phase(name, `${n} pipelined transfers`, () => pipelinedTps(url, s, gas, n), quiet);
    const calls = await phase(name, `${2 * n} eth_calls`, () => ethCallRate(url, contract, 2 * n), quiet);
    return {
      spawnMs: started.ms,
      idleRssMiB,
      sendReceiptMedianMs: percentile(lat, 0.5),
      sendReceiptP95Ms: percentile(lat, 0.95),
      pipelinedTps: tps,
      ethCallPerSec: calls,
      loadedRssMiB: rssMiB(pid),
      mine1kMs,
      mine1MMs,
    };
  } finally {
    await stopNode(node.child);
  }
}

// ---------- report ----------

const ROWS: { key: keyof Figures; label: string; higherIsBetter: boolean; digits: number }[] = [
  { key: 'spawnMs', label: 'spawn → first answer (ms)', higherIsBetter: false, digits: 0 },
  { key: 'idleRssMiB', label: 'idle RSS (MiB)', higherIsBetter: false, digits: 0 },
  { key: 'sendReceiptMedianMs', label: 'send→receipt median (ms)', higherIsBetter: false, digits: 2 },
  { key: 'sendReceiptP95Ms', label: 'send→receipt p95 (ms)', higherIsBetter: false, digits: 2 },
  { key: 'pipelinedTps', label: 'pipelined transfers/s', higherIsBetter: true, digits: 0 },
  { key: 'ethCallPerSec', label: `eth_call/s (concurrency ${CALL_CONCURRENCY})`, higherIsBetter: true, digits: 0 },
  { key: 'loadedRssMiB', label: 'RSS after load (MiB)', higherIsBetter: false, digits: 0 },
  { key: 'mine1kMs', label: 'anvil_mine 1000 (ms)', higherIsBetter: false, digits: 1 },
  { key: 'mine1MMs', label: 'anvil_mine 1000000 (ms)', higherIsBetter: false, digits: 1 },
];

// How many times worse fvm-devnet is than Anvil (>1 = worse), whichever way the metric points;
// undefined for a metric only one of them was measured on.
function worseBy(row: (typeof ROWS)[number], fvm: Figures, anvil: Figures): number | undefined {
  const [f, a] = [fvm[row.key], anvil[row.key]];
  if (f === undefined || a === undefined) return undefined;
  return row.higherIsBetter ? a / f : f / a;
}

function printTable(results: Partial<Record<NodeName, Figures>>, n: number): void {
  const names = (['fvm-devnet', 'anvil'] as const).filter((k) => results[k]);
  const { 'fvm-devnet': fvm, anvil } = results;
  const both = fvm && anvil;
  console.log(`\n${''.padEnd(30)}${names.map((k) => k.padStart(12)).join('')}${both ? 'ratio'.padStart(9) : ''}`);
  for (const row of ROWS) {
    const cells = names.map((k) => (results[k]![row.key]?.toFixed(row.digits) ?? '-').padStart(12)).join('');
    const worse = both ? worseBy(row, fvm, anvil) : undefined;
    const ratio = worse === undefined ? '' : `${worse.toFixed(2)}x`.padStart(9);
    console.log(`${row.label.padEnd(30)}${cells}${ratio}`);
  }
  console.log(`\n(${n} pipelined transfers in batches of ${BATCH_SIZE}, ${Math.max(5, Math.round(n / 5))} sequential, ${2 * n} eth_calls;` +
    ` anvil_mine on a fresh node, 1000000 on fvm-devnet only` +
    `${both ? '; ratio = how many times worse fvm-devnet is, >1 = slower/bigger' : ''})`);
  if (!both) return;
  // Start time has an absolute target (Anvil's ~50 ms is a native binary, not a fair bar);
  // every other metric must be within 3x of Anvil.
  const misses = ROWS.filter((r) => r.key !== 'spawnMs' && (worseBy(r, fvm, anvil) ?? 0) > 3).map((r) => `${r.label} ${worseBy(r, fvm, anvil)!.toFixed(1)}x`);
  if (fvm.spawnMs >= 1000) misses.unshift(`start ${fvm.spawnMs.toFixed(0)} ms >= 1000 ms`);
  console.log(
    `verdict: ${misses.length ? `MISSED on ${misses.join(', ')}` : 'OK, every metric within 3x of anvil'}` +
      ` (start ${fvm.spawnMs.toFixed(0)} ms, target < 1000 ms)`,
  );
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const nodes = (['fvm-devnet', 'anvil'] as const).filter((k) => !opts.only || opts.only === k);
  if (nodes.includes('fvm-devnet') && !existsSync(`${ROOT}/${FVM_BUNDLE}`))
    throw new Error(`${FVM_BUNDLE} not found: run \`npm run build\` first (or use --only anvil)`);
  if (nodes.includes('anvil') && !existsSync(`${ROOT}/${ANVIL_BIN}`))
    throw new Error(`${ANVIL_BIN} not found: run \`npm install\` (it comes with @foundry-rs/anvil)`);

  const results: Partial<Record<NodeName, Figures>> = {};
  for (const name of nodes) results[name] = await benchNode(name, opts.n, opts.json);
  if (opts.json) console.log(JSON.stringify({ n: opts.n, ...results }, null, 2));
  else printTable(results, opts.n);
}

main().catch((e: Error) => {
  console.error(`bench failed: ${e.message}`);
  process.exit(1);
});
