// `npm run bench`: fvm-devnet beside Anvil and Hardhat node, each started fresh for each part of the
// run and measured alone (no two nodes compete for the CPU), over keep-alive HTTP JSON-RPC with
// pre-signed transactions. Prints the side-by-side table of bench/README.md and issue 14's targets.
//
//   npm run bench [-- [--only fvm-devnet,anvil] [--n 1000] [--cycles 200] [--rounds 3] [--long] [--json]]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { mineWithDeals } from './deals.js';
import { benchFork } from './fork.js';
import { CALL_WARM_UP, CLIENTS, LOGS_WARM_UP, chainIds, erc20Transfers, ethCalls, fixtureCycles, getLogs, giveTokens, heavyCalls, mineTo, msPerTransfer, pipelinedTransfers, receiptsAndBlocks, rssAlongTransfers, sequentialTransfers, warmGetLogs } from './phases.js';
import { PEER_NAMES, RunningPeer, mineMethod, missingPeer, queuesNonceGaps, type PeerName } from './peers.js';
import { medianFigures, printTable, type Figures, type Results } from './report.js';
import { Signer, deployContracts } from './workload.js';

const LONG_RUN_TRANSACTIONS = 100_000;
/** How long a fresh node sits idle before its idle RSS is read a second time. */
const IDLE_MS = 10_000;
/** loadFixture cycles run, not timed, before the timed ones. */
const FIXTURE_WARM_UP = 20;

interface Options {
  peers: PeerName[];
  n: number;
  cycles: number;
  rounds: number;
  long: boolean;
  json: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', default: PEER_NAMES.join(',') },
      n: { type: 'string', default: '1000' },
      cycles: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '1' },
      long: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const peers = values.only.split(',').map((p) => p.trim());
  const unknown = peers.filter((p) => !(PEER_NAMES as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`--only takes a list of ${PEER_NAMES.join(', ')}; not ${unknown.join(', ')}`);
  const n = Number(values.n);
  const cycles = Number(values.cycles);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(n) || n < 50) throw new Error('--n takes an integer >= 50');
  if (!Number.isInteger(cycles) || cycles < 1) throw new Error('--cycles takes an integer >= 1');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes an integer >= 1');
  return { peers: peers as PeerName[], n, cycles, rounds, long: values.long, json: values.json };
}

let quiet = false;

/** Runs one labelled step, so a failure says which peer and which step. */
async function step<T>(peer: PeerName, label: string, fn: () => Promise<T>): Promise<T> {
  if (!quiet) process.stderr.write(`  ${peer}: ${label}\n`);
  try {
    return await fn();
  } catch (e) {
    throw new Error(`${peer}, ${label}: ${(e as Error).message}`);
  }
}

/** Starts a fresh node, runs `fn` on it, stops it; also reports its spawn time and peak memory. */
async function onFreshNode<T>(peer: PeerName, fn: (node: RunningPeer) => Promise<T>): Promise<{ value: T; spawnMs: number; peakMiB: number }> {
  const node = await step(peer, 'start', () => RunningPeer.start(peer));
  try {
    const value = await fn(node);
    const { peakMiB } = node.memory();
    if (!quiet) process.stderr.write(`  ${peer}: peak RSS of this node ${peakMiB.toFixed(0)} MiB\n`);
    return { value, spawnMs: node.spawnMs, peakMiB };
  } finally {
    await node.stop();
  }
}

/** The workload on one node: transactions, calls, logs. */
async function throughput(peer: PeerName, node: RunningPeer, n: number) {
  const rpc = node.rpc;
  const idleRssMiB = node.memory().rssMiB;
  // "Idle RSS stays ≤ 110 MB": read again after the node sat idle a while (its timers and agents ran).
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const idleLaterRssMiB = node.memory().rssMiB;
  const signer = await Signer.create(rpc);
  const contracts = await step(peer, 'deploy the contracts', async () => deployContracts(signer));
  const transfersSeqTps = await step(peer, `${n} sequential transfers`, () => sequentialTransfers(rpc, signer, n));
  const transfersPipelinedTps = await step(peer, `${n} pipelined transfers`, () => pipelinedTransfers(rpc, signer, n, queuesNonceGaps(peer)));
  // The logs: one per ERC-20 transfer, in the last n blocks of a chain at least 2880 long.
  await step(peer, 'mine to block 2880', () => mineTo(rpc, mineMethod(peer), 2880));
  const erc20 = await step(peer, `${n} ERC-20 transfers`, () => erc20Transfers(rpc, signer, contracts, n));
  const lastLog = Number(await rpc.call('eth_blockNumber'));
  // Each eth_call phase asks for 2n addresses of its own (then its warm-up's), the first n holding a
  // token: the ERC-20 phase's for the sequential one, n more given here for the 32 clients' (after
  // lastLog: their Transfer logs are outside the ranges eth_getLogs asks for).
  const calls = 2 * n;
  const first32 = calls + CALL_WARM_UP;
  await step(peer, `a token each to ${n} more addresses`, () => giveTokens(rpc, signer, contracts, first32, n, queuesNonceGaps(peer)));
  const lastGift = Number(await rpc.call('eth_blockNumber'));
  const heavyTps = await step(peer, `${n / 5} heavy calls`, () => heavyCalls(rpc, signer, contracts, Math.round(n / 5)));
  // Calls and the node's floor, alternated so that drift in the machine's load hits both alike.
  const holds = (i: number) => i < n || (i >= first32 && i < first32 + n);
  const callSeqPerSec = await step(peer, `${calls} eth_calls`, () => ethCalls(rpc, contracts, 0, calls, 1, holds));
  const chainIdSeqPerSec = await step(peer, `${calls} eth_chainIds`, () => chainIds(rpc, calls, 1, signer.chainId));
  const call32PerSec = await step(peer, `${calls} eth_calls, ${CLIENTS} clients`, () => ethCalls(rpc, contracts, first32, calls, CLIENTS, holds));
  const chainId32PerSec = await step(peer, `${calls} eth_chainIds, ${CLIENTS} clients`, () => chainIds(rpc, calls, CLIENTS, signer.chainId));
  // The node's first eth_getLogs, over the timed range, shown on a line of its own: the timed calls then run warm.
  const logsFirst = await step(peer, 'eth_getLogs over 1000 epochs, first call', () => getLogs(rpc, lastLog, 1000, contracts.token, erc20.mined, 1));
  await step(peer, `${LOGS_WARM_UP} eth_getLogs over the gifts' epochs (warm-up)`, () => warmGetLogs(rpc, lastLog + 1, lastGift));
  const logs1000 = await step(peer, 'eth_getLogs over 1000 epochs', () => getLogs(rpc, lastLog, 1000, contracts.token, erc20.mined));
  const logs2880 = await step(peer, 'eth_getLogs over 2880 epochs', () => getLogs(rpc, lastLog, 2880, contracts.token, erc20.mined));
  const reads = await step(peer, `${n} receipts, then their ${n} blocks with full transactions`, () => receiptsAndBlocks(rpc, erc20.mined));
  return {
    idleRssMiB, idleLaterRssMiB, transfersSeqTps, transfersPipelinedTps, erc20SeqTps: erc20.tps, heavyTps, callSeqPerSec, chainIdSeqPerSec, call32PerSec, chainId32PerSec,
    getLogs1000FirstMs: logsFirst.ms, getLogs1000Ms: logs1000.ms, getLogs1000Count: logs1000.logs, getLogs2880Ms: logs2880.ms, getLogs2880Count: logs2880.logs,
    receiptSeqPerSec: reads.receiptsPerSec, blockFullSeqPerSec: reads.blocksPerSec,
  };
}

/** Milliseconds per sequential transfer near block 100 and again at block 10 000 of the same chain. */
async function costByHeight(peer: PeerName, node: RunningPeer, n: number) {
  const { rpc } = node;
  const signer = await Signer.create(rpc);
  const count = Math.round(n / 5);
  // Each run to addresses of its own, all new, so that both heights do the same work.
  await step(peer, 'warm up', () => sequentialTransfers(rpc, signer, 50, 1_000_000));
  await mineTo(rpc, mineMethod(peer), 100);
  const msPerTxAt100 = await step(peer, `${count} transfers at block 100`, () => msPerTransfer(rpc, signer, count, 2_000_000));
  await step(peer, 'mine to block 10 000', () => mineTo(rpc, mineMethod(peer), 10_000));
  const msPerTxAt10000 = await step(peer, `${count} transfers at block 10 000`, () => msPerTransfer(rpc, signer, count, 3_000_000));
  return { msPerTxAt100, msPerTxAt10000 };
}

/** loadFixture-style cycles on a fresh node whose chain holds only the bench's two contracts (a suite's fixture). */
async function snapshotCycles(peer: PeerName, node: RunningPeer, cycles: number) {
  const signer = await Signer.create(node.rpc);
  const contracts = await step(peer, 'deploy the contracts', () => deployContracts(signer));
  const { cyclesPerSec, snapshotRevertMs } = await step(peer, `${cycles} cycles of evm_snapshot, 4 transactions, evm_revert`, () => fixtureCycles(node.rpc, signer, contracts, cycles, FIXTURE_WARM_UP));
  return { fixtureCyclesPerSec: cyclesPerSec, snapshotRevertMs };
}

async function benchPeer(peer: PeerName, opts: Options): Promise<Figures> {
  const main = await onFreshNode(peer, (node) => throughput(peer, node, opts.n));
  const byHeight = await onFreshNode(peer, (node) => costByHeight(peer, node, opts.n));
  const fixture = await onFreshNode(peer, (node) => snapshotCycles(peer, node, opts.cycles));
  const runs: { spawnMs: number; peakMiB: number }[] = [main, byHeight, fixture];
  let mine1MWithDealsMs: number | undefined;
  if (peer === 'fvm-devnet') {
    const mined = await onFreshNode(peer, (node) => step(peer, '100 deals, then anvil_mine 1 000 000', () => mineWithDeals(node.rpc, 100, 1_000_000)));
    mine1MWithDealsMs = mined.value;
    runs.push(mined);
  }
  let rssAfter100kMiB: number | undefined;
  if (opts.long) {
    const long = await onFreshNode(peer, async (node) => {
      const signer = await Signer.create(node.rpc);
      const along = await step(peer, `${LONG_RUN_TRANSACTIONS} pipelined transfers`, () =>
        rssAlongTransfers(node.rpc, signer, LONG_RUN_TRANSACTIONS, LONG_RUN_TRANSACTIONS / 10, queuesNonceGaps(peer), () => node.memory().rssMiB));
      return along.at(-1)![1];
    });
    rssAfter100kMiB = long.value;
    runs.push(long);
  }
  const spawns = runs.map((r) => r.spawnMs).sort((a, b) => a - b);
  return {
    ...main.value,
    ...byHeight.value,
    ...fixture.value,
    spawnMs: spawns[spawns.length >> 1]!,
    mine1MWithDealsMs,
    peakRssMiB: Math.max(...runs.map((r) => r.peakMiB)),
    rssAfter100kMiB,
  };
}

async function main(): Promise<void> {
  const opts = options();
  quiet = opts.json;
  for (const peer of opts.peers) {
    const missing = missingPeer(peer);
    if (missing) throw new Error(missing);
  }
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadBefore = load();
  const rounds: Partial<Record<PeerName, Figures[]>> = {};
  for (let r = 0; r < opts.rounds; r++) {
    // Alternate the order, so that no peer always runs first or last on a machine whose load drifts.
    const order = r % 2 ? [...opts.peers].reverse() : opts.peers;
    for (const peer of order) (rounds[peer] ??= []).push(await benchPeer(peer, opts));
  }
  const results: Results = Object.fromEntries(Object.entries(rounds).map(([peer, figures]) => [peer, medianFigures(figures)]));
  const note = `${new Date().toISOString()}, ${opts.rounds} round(s), medians; n = ${opts.n}, ${opts.cycles} cycles; load average ${loadBefore} before, ${load()} after`;
  if (opts.json) console.log(JSON.stringify({ note, results, rounds }, null, 2));
  else printTable(results, note);
  if (!opts.json) await benchFork();
}

main().catch((e: Error) => {
  console.error(`bench failed: ${e.message}`);
  process.exit(1);
});
