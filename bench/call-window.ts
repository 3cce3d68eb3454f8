// `npm run bench:call-window`: the bench's sequential eth_call window, this checkout's bundle (B)
// against another build's (A, `--base`: a clone of another commit with `npm run build` done), both
// nodes up together, measured by what the machine's load moves least: each node's CPU time
// (/proc/<pid>/task/*/schedstat, all its threads and its main thread) per block of calls.
//
// Each iteration starts a node of each bundle and puts both through the bench's throughput workload
// together, phase by phase (phases.ts, as bench/run.ts runs it for `--n`: transfers sequential and
// pipelined, mine to 2880, ERC-20 transfers, tokens given, heavy calls; together, so that neither
// sits idle while the other works: an idle node's young generation shrinks, and it then collects
// several times as often in the window). Then each node's CALL_WARM_UP calls and the window's
// `--calls` sequential `balanceOf`s (the bench's addresses: the first n hold a token), in blocks of
// `--block` calls, the blocks alternated between the nodes (first, second, then second, first, …),
// and which node comes first swapped each iteration, so that a change of load and any advantage of
// order meet both alike. A pair is one iteration's figure for A and for B.
//
//   npm run bench:call-window -- --base /tmp/main-clone [--iterations 8] [--n 1000] [--calls 2000] [--block 500]
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CALL_WARM_UP, balanceOfCalls, callWorkload, median } from './phases.js';
import { ROOT, RunningPeer } from './peers.js';
import type { Contracts } from './workload.js';

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
type Cpu = ReturnType<RunningPeer['cpu']>;

interface WindowNode {
  name: 'A' | 'B';
  peer: RunningPeer;
  contracts: Contracts;
  /** µs of CPU per call, each block's. */
  blocks: Cpu[];
}

/** `count` calls of the addresses from `first` on, on `node`; µs of its CPU per call. */
async function cpuPerCall(node: WindowNode, first: number, count: number, holds: (i: number) => boolean): Promise<Cpu> {
  const before = node.peer.cpu();
  await balanceOfCalls(node.peer.rpc, node.contracts.token, first, count, 1, holds);
  const after = node.peer.cpu();
  return { all: (after.all - before.all) / count, main: (after.main - before.main) / count };
}

async function iteration(i: number): Promise<[WindowNode, WindowNode]> {
  // Which node is started, sent each phase's requests and measured first: swapped each iteration. The
  // same build as both A and B came out 7–8 µs a call dearer as B when A always came first (B lower
  // in 2 and 3 of 8 pairs), +1 µs with the order swapped (4 and 3 of 8).
  const aFirst = i % 2 === 0;
  const startA = () => RunningPeer.start('fvm-devnet', () => ({ bundle: baseBundle }));
  const startB = () => RunningPeer.start('fvm-devnet');
  const firstPeer = await (aFirst ? startA : startB)();
  const secondPeer = await (aFirst ? startB : startA)().catch(async (error: unknown) => {
    await firstPeer.stop();
    throw error;
  });
  try {
    const { contracts: [firstContracts, secondContracts], holds } = await callWorkload([firstPeer, secondPeer], n);
    const first: WindowNode = { name: aFirst ? 'A' : 'B', peer: firstPeer, contracts: firstContracts!, blocks: [] };
    const second: WindowNode = { name: aFirst ? 'B' : 'A', peer: secondPeer, contracts: secondContracts!, blocks: [] };
    for (const node of [first, second]) await balanceOfCalls(node.peer.rpc, node.contracts.token, calls, CALL_WARM_UP, 1, holds);
    for (let k = 0; k < calls / block; k++) {
      for (const node of k % 2 === 0 ? [first, second] : [second, first]) node.blocks.push(await cpuPerCall(node, k * block, block, holds));
    }
    return aFirst ? [first, second] : [second, first];
  } finally {
    await Promise.all([firstPeer.stop(), secondPeer.stop()]);
  }
}

const mean = (cpus: Cpu[], key: keyof Cpu) => cpus.reduce((sum, c) => sum + c[key], 0) / cpus.length;
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
