// `npm run bench:long`: resident memory along 100 000 pipelined transfers (each to a new address),
// on a fresh node of each peer, read every 10 000; and how much it grows per transaction over the
// second half, when the start-up's and the first collections' effects are behind.
//
//   npm run bench:long [-- --only fvm-devnet,anvil] [-- --count 100000] [-- --step 10000]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { rssAlongTransfers } from './phases.js';
import { PEER_NAMES, RunningPeer, missingPeer, queuesNonceGaps, type PeerName } from './peers.js';
import { Signer } from './workload.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'fvm-devnet,anvil' },
    count: { type: 'string', default: '100000' },
    step: { type: 'string', default: '10000' },
  },
});
const peers = values.only.split(',').map((p) => p.trim()) as PeerName[];
const count = Number(values.count);
const step = Number(values.step);
if (peers.some((p) => !(PEER_NAMES as readonly string[]).includes(p))) throw new Error(`--only takes a list of ${PEER_NAMES.join(', ')}`);
if (!Number.isInteger(count) || !Number.isInteger(step) || step < 100 || count < step) throw new Error('--count and --step take integers, step >= 100, count >= step');

async function alongTransfers(peer: PeerName): Promise<[number, number][]> {
  const missing = missingPeer(peer);
  if (missing) throw new Error(missing);
  const node = await RunningPeer.start(peer);
  try {
    const signer = await Signer.create(node.rpc);
    return await rssAlongTransfers(node.rpc, signer, count, step, queuesNonceGaps(peer), () => {
      const { rssMiB } = node.memory();
      process.stderr.write(`  ${peer}: ${rssMiB.toFixed(0)} MiB\n`);
      return rssMiB;
    });
  } finally {
    await node.stop();
  }
}

const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
const results = new Map<PeerName, [number, number][]>();
for (const peer of peers) results.set(peer, await alongTransfers(peer));
const points = results.get(peers[0]!)!;
console.log(`\n${'transactions'.padEnd(14)}${peers.map((p) => `${p}, MiB`.padStart(18)).join('')}`);
points.forEach(([sent], i) => console.log(`${String(sent).padEnd(14)}${peers.map((p) => results.get(p)![i]![1].toFixed(0).padStart(18)).join('')}`));
const half = points.findIndex(([sent]) => sent >= count / 2);
const perTx = (p: PeerName) => {
  const pts = results.get(p)!;
  return (((pts.at(-1)![1] - pts[half]![1]) * 1024) / (pts.at(-1)![0] - pts[half]![0])).toFixed(2);
};
console.log(`${'KiB per tx *'.padEnd(14)}${peers.map((p) => perTx(p).padStart(18)).join('')}`);
console.log(`(* growth from ${points[half]![0]} to ${count} transactions; ${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after)`);
