// `npm run bench:call-window`: the bench's sequential eth_call window, this checkout's bundle (B)
// against another build's (A, `--base`: a clone of another commit with `npm run build` done), both
// nodes up together, measured by what the machine's load moves least: each node's CPU time
// (/proc/<pid>/task/*/schedstat, all its threads and its main thread) per block of calls.
//
// Each iteration starts a node of each bundle and puts both through the bench's throughput workload
// at once (phases.ts, as bench/run.ts runs it for `--n`: transfers sequential and pipelined, mine to
// 2880, ERC-20 transfers, tokens given, heavy calls; at once, so that neither sits idle while the
// other is prepared: an idle node's young generation shrinks, and it then collects several times as
// often in the window). Then each node's CALL_WARM_UP calls and the window's `--calls` sequential
// `balanceOf`s (the bench's addresses: the first n hold a token), in blocks of `--block` calls, the
// blocks alternated between the nodes (A B, B A, …) and the first node swapped each iteration, so
// that a change of load meets both alike. A pair is one iteration's figure for A and for B.
//
//   npm run bench:call-window -- --base /tmp/main-clone [--iterations 8] [--n 1000] [--calls 2000] [--block 500]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CALL_WARM_UP, balanceOfCalls, erc20Transfers, giveTokens, heavyCalls, mineTo, pipelinedTransfers, sequentialTransfers } from './phases.js';
import { ROOT, RunningPeer } from './peers.js';
import { Signer, deployContracts, type Contracts } from './workload.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    iterations: { type: 'string', default: '8' },
    n: { type: 'string', default: '1000' },
    calls: { type: 'string', default: '2000' },
    block: { type: 'string', default: '500' },
  },
});
const iterations = Number(values.iterations);
const n = Number(values.n);
const calls = Number(values.calls);
const block = Number(values.block);
const baseBundle = values.base && join(values.base, 'dist/fvm-devnet.js');
if (!baseBundle || !existsSync(baseBundle)) throw new Error('--base takes the directory of another build (its dist/fvm-devnet.js)');
if (![iterations, n, calls, block].every((v) => Number.isInteger(v) && v > 0) || calls % block !== 0) throw new Error('--iterations, --n, --calls and --block take positive integers, --calls a multiple of --block');

/** Microseconds of CPU a node has used: all its threads (the compiler's and collector's too), and its main thread. */
interface Cpu {
  all: number;
  main: number;
}

function cpuOf(pid: number): Cpu {
  const ranNs = (task: string) => Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  let all = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      all += ranNs(task);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { all: all / 1000, main: ranNs(String(pid)) / 1000 };
}

interface WindowNode {
  name: 'A' | 'B';
  peer: RunningPeer;
  contracts: Contracts;
  /** µs of CPU per call, each block's. */
  blocks: Cpu[];
}

/** The bench's throughput phases before its eth_call phase (bench/run.ts), on `peer`. */
async function prepare(peer: RunningPeer): Promise<Contracts> {
  const rpc = peer.rpc;
  const signer = await Signer.create(rpc);
  const contracts = await deployContracts(signer);
  await sequentialTransfers(rpc, signer, n);
  await pipelinedTransfers(rpc, signer, n, true);
  await mineTo(rpc, 'anvil_mine', 2880);
  await erc20Transfers(rpc, signer, contracts, n);
  await giveTokens(rpc, signer, contracts, 2 * n + CALL_WARM_UP, n, true);
  await heavyCalls(rpc, signer, contracts, Math.round(n / 5));
  return contracts;
}

/** The addresses the bench's phases gave a token (bench/run.ts `holds`). */
const holds = (i: number) => i < n || (i >= 2 * n + CALL_WARM_UP && i < 3 * n + CALL_WARM_UP);

/** `count` calls of the addresses from `first` on, on `node`; µs of its CPU per call. */
async function cpuPerCall(node: WindowNode, first: number, count: number): Promise<Cpu> {
  const before = cpuOf(node.peer.pid);
  await balanceOfCalls(node.peer.rpc, node.contracts.token, first, count, 1, holds);
  const after = cpuOf(node.peer.pid);
  return { all: (after.all - before.all) / count, main: (after.main - before.main) / count };
}

async function iteration(i: number): Promise<[WindowNode, WindowNode]> {
  const [peerA, peerB] = await Promise.all([RunningPeer.start('fvm-devnet', () => ({ bundle: baseBundle })), RunningPeer.start('fvm-devnet')]);
  try {
    const [a, b] = await Promise.all([prepare(peerA), prepare(peerB)]);
    const nodes: [WindowNode, WindowNode] = [
      { name: 'A', peer: peerA, contracts: a, blocks: [] },
      { name: 'B', peer: peerB, contracts: b, blocks: [] },
    ];
    const first = i % 2 === 0 ? nodes : [nodes[1], nodes[0]];
    for (const node of first) await balanceOfCalls(node.peer.rpc, node.contracts.token, calls, CALL_WARM_UP, 1, holds);
    for (let k = 0; k < calls / block; k++) {
      for (const node of k % 2 === 0 ? first : [first[1], first[0]]) node.blocks.push(await cpuPerCall(node, k * block, block));
    }
    return nodes;
  } finally {
    await Promise.all([peerA.stop(), peerB.stop()]);
  }
}

const mean = (cpus: Cpu[], key: keyof Cpu) => cpus.reduce((sum, c) => sum + c[key], 0) / cpus.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const us = (v: number) => v.toFixed(0);

console.log(`A: ${baseBundle}\nB: ${join(ROOT, 'dist/fvm-devnet.js')}\nµs of node CPU per eth_call, all threads / main thread; window = the ${calls} calls, then each block of ${block}`);
const pairs: [WindowNode, WindowNode][] = [];
for (let i = 0; i < iterations; i++) {
  const load = loadavg()[0]!.toFixed(1);
  const pair = await iteration(i);
  pairs.push(pair);
  const line = (node: WindowNode) => `${node.name} ${us(mean(node.blocks, 'all'))} / ${us(mean(node.blocks, 'main'))} (${node.blocks.map((c) => `${us(c.all)}/${us(c.main)}`).join(' ')})`;
  console.log(`${i + 1}. load ${load} → ${loadavg()[0]!.toFixed(1)}, ${i % 2 === 0 ? 'A' : 'B'} first: ${line(pair[0])}  ${line(pair[1])}`);
}
for (const key of ['all', 'main'] as const) {
  const diffs = pairs.map(([a, b]) => mean(b.blocks, key) - mean(a.blocks, key));
  const byBlock = Array.from({ length: calls / block }, (_, k) => {
    const d = pairs.map(([a, b]) => b.blocks[k]![key] - a.blocks[k]![key]);
    return `block ${k + 1} ${d.filter((x) => x < 0).length}/${d.length} lower, median ${d.length ? us(median(d)) : '-'}`;
  });
  console.log(`${key === 'all' ? 'all threads' : 'main thread'}: window A ${us(median(pairs.map(([a]) => mean(a.blocks, key))))} → B ${us(median(pairs.map(([, b]) => mean(b.blocks, key))))} µs (medians), B lower in ${diffs.filter((d) => d < 0).length} of ${diffs.length} pairs, median difference ${us(median(diffs))}; ${byBlock.join('; ')}`);
}
