// `npm run bench:long`: resident memory along 100 000 pipelined transfers (each to a new address),
// on a fresh node of each peer, read every 10 000; and how much it grows per transaction over the
// second half, when the start-up's and the first collections' effects are behind.
//
// For fvm-devnet, beside it, the stored history: a second fresh node gets the same transactions in
// the same steps with `--state <file>`, and after each step, once no save is being written, the size
// of the file and its journal is read: the state's history, every tipset with its messages, Ethereum
// transactions and receipts, as the node itself encodes them (dag-cbor; the journal's records add a
// few bytes each). Its growth per transaction over the second half is what RSS is compared with
// (issue 14: RSS "grows no faster than the stored history", ratio ≤ 1.0). A separate node, so that
// its saves do not touch the memory measured.
//
// Then, for fvm-devnet, the same for a chain of empty tipsets (`--tipsets`, mined with anvil_mine, the
// default two storage providers winning and paid each tipset, as an idle node under --block-time):
// RSS growth per tipset over the second half against its --state file's (issue 14, U67).
//
//   npm run bench:long [-- [--only fvm-devnet,anvil] [--count 100000] [--step 10000] [--tipsets 40000]]
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_TIPSETS_MINED } from '../src/devnet/cheats.js';
import { alongTransfers, longTransfers } from './phases.js';
import { PEER_NAMES, RunningPeer, missingPeer, queuesNonceGaps, type PeerName } from './peers.js';
import { Signer } from './workload.js';

/** How long to wait for fvm-devnet to finish writing its state file. */
const SAVE_TIMEOUT_MS = 60_000;

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'fvm-devnet,anvil' },
    count: { type: 'string', default: '100000' },
    step: { type: 'string', default: '10000' },
    tipsets: { type: 'string', default: '40000' },
  },
});
const peers = values.only.split(',').map((p) => p.trim()) as PeerName[];
const count = Number(values.count);
const step = Number(values.step);
if (peers.some((p) => !(PEER_NAMES as readonly string[]).includes(p))) throw new Error(`--only takes a list of ${PEER_NAMES.join(', ')}`);
if (!Number.isInteger(count) || !Number.isInteger(step) || step < 100 || count < 2 * step) throw new Error('--count and --step take integers, step >= 100, count >= 2 × step (growth is read over the second half, which one step leaves empty)');
const tipsets = Number(values.tipsets);
/** anvil_mine's most tipsets a call (beyond, it mines null rounds); the empty tipsets are measured every TIPSET_STEP. */
const MINE_AT_ONCE = MAX_TIPSETS_MINED;
const TIPSET_STEP = 5000;
// The growth is read over the second half: from a step at or past the middle to the last, so two steps at least.
if (!Number.isInteger(tipsets) || tipsets % TIPSET_STEP !== 0 || (tipsets !== 0 && tipsets < 2 * TIPSET_STEP)) throw new Error(`--tipsets takes a multiple of ${TIPSET_STEP}, at least ${2 * TIPSET_STEP} (0: none)`);

type Points = [number, number][];
const MiB = 1024 * 1024;

/** RSS (MiB) along the transfers on a fresh node; also returns the transactions sent, for the history node. */
async function rssAlong(peer: PeerName): Promise<{ points: Points; raws: string[]; firstNonce: number }> {
  const missing = missingPeer(peer);
  if (missing) throw new Error(missing);
  const node = await RunningPeer.start(peer);
  try {
    const signer = await Signer.create(node.rpc);
    const { raws, firstNonce } = await longTransfers(signer, count);
    const points = await alongTransfers(node.rpc, signer, raws, firstNonce, step, queuesNonceGaps(peer), () => {
      const { rssMiB } = node.memory();
      process.stderr.write(`  ${peer}: ${rssMiB.toFixed(0)} MiB\n`);
      return rssMiB;
    });
    return { points, raws, firstNonce };
  } finally {
    await node.stop();
  }
}

const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size;

/**
 * The size of fvm-devnet's state file and its journal, which together hold the whole chain, once no
 * whole save is being written (its temporary file is gone) and two reads agree: a save that ends
 * renames its file into place, then replaces the journal, and a read between the two counts the
 * journal's older records twice.
 */
async function savedChainBytes(file: string, pid: number): Promise<number> {
  const deadline = Date.now() + SAVE_TIMEOUT_MS;
  let last: number | undefined;
  for (;;) {
    const writing = sizeOf(`${file}.${pid}.tmp`) !== undefined;
    const size = (sizeOf(file) ?? NaN) + (sizeOf(`${file}.journal`) ?? 0);
    if (!writing && size === last) return size;
    last = writing ? undefined : size;
    if (Date.now() > deadline) throw new Error(`${file} was still being written after ${SAVE_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** fvm-devnet's stored history (MiB of its --state file) along the same transactions, on a fresh node. */
async function historyAlong(raws: string[], firstNonce: number): Promise<Points> {
  const node = await RunningPeer.start('fvm-devnet', (scratch) => ({ args: ['--state', join(scratch, 'chain')] }));
  const file = join(node.scratch, 'chain');
  try {
    const signer = await Signer.create(node.rpc);
    return await alongTransfers(node.rpc, signer, raws, firstNonce, step, queuesNonceGaps('fvm-devnet'), async () => {
      const mib = (await savedChainBytes(file, node.pid)) / MiB;
      process.stderr.write(`  fvm-devnet: stored history ${mib.toFixed(1)} MiB\n`);
      return mib;
    });
  } finally {
    await node.stop();
  }
}

/** `tipsets` empty tipsets mined on `node`, measured every TIPSET_STEP: [tipsets so far, MiB] pairs. */
async function alongEmptyTipsets(node: RunningPeer, measure: () => number | Promise<number>): Promise<Points> {
  const points: Points = [[0, await measure()]];
  for (let mined = 0; mined < tipsets; ) {
    for (let n = 0; n < TIPSET_STEP; n += MINE_AT_ONCE) await node.rpc.call('anvil_mine', [`0x${MINE_AT_ONCE.toString(16)}`]);
    mined += TIPSET_STEP;
    points.push([mined, await measure()]);
  }
  return points;
}

/** fvm-devnet's RSS along empty tipsets on a fresh node, then its stored history along the same on a second one with --state. */
async function emptyTipsetsRssAndHistory(): Promise<{ rss: Points; history: Points }> {
  const node = await RunningPeer.start('fvm-devnet');
  let rss: Points;
  try {
    rss = await alongEmptyTipsets(node, () => node.memory().rssMiB);
  } finally {
    await node.stop();
  }
  const saving = await RunningPeer.start('fvm-devnet', (scratch) => ({ args: ['--state', join(scratch, 'chain')] }));
  try {
    const history = await alongEmptyTipsets(saving, async () => (await savedChainBytes(join(saving.scratch, 'chain'), saving.pid)) / MiB);
    return { rss, history };
  } finally {
    await saving.stop();
  }
}

const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
const rss = new Map<PeerName, Points>();
let history: Points | undefined;
for (const peer of peers) {
  const along = await rssAlong(peer);
  rss.set(peer, along.points);
  if (peer === 'fvm-devnet') history = await historyAlong(along.raws, along.firstNonce);
}

const points = rss.get(peers[0]!)!;
const columns: [string, Points][] = peers.flatMap((p): [string, Points][] => [[`${p} RSS, MiB`, rss.get(p)!], ...(p === 'fvm-devnet' && history ? [['fvm-devnet history, MiB', history] as [string, Points]] : [])]);
const half = points.findIndex(([sent]) => sent >= count / 2);
/** KiB per transaction from `half` to the last step. */
const growth = (pts: Points) => ((pts.at(-1)![1] - pts[half]![1]) * 1024) / (pts.at(-1)![0] - pts[half]![0]);
const width = Math.max(...columns.map(([label]) => label.length)) + 2;
console.log(`\n${'transactions'.padEnd(14)}${columns.map(([label]) => label.padStart(width)).join('')}`);
points.forEach(([sent], i) => console.log(`${String(sent).padEnd(14)}${columns.map(([, pts]) => pts[i]![1].toFixed(1).padStart(width)).join('')}`));
console.log(`${'KiB per tx *'.padEnd(14)}${columns.map(([, pts]) => growth(pts).toFixed(2).padStart(width)).join('')}`);
console.log(`(* growth from ${points[half]![0]} to ${count} transactions; ${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after)`);
if (history) {
  const ratio = growth(rss.get('fvm-devnet')!) / growth(history);
  console.log(`fvm-devnet: RSS growth ÷ stored history's growth (its --state file), per transaction: ${ratio.toFixed(2)} (target ≤ 1.0: ${ratio <= 1 ? 'met' : 'MISSED'})`);
}
if (peers.includes('fvm-devnet') && tipsets > 0) {
  const empty = await emptyTipsetsRssAndHistory();
  const mid = empty.rss.findIndex(([mined]) => mined >= tipsets / 2);
  /** Bytes per tipset from `mid` to the last step. */
  const perTipset = (pts: Points) => ((pts.at(-1)![1] - pts[mid]![1]) * MiB) / (pts.at(-1)![0] - pts[mid]![0]);
  console.log(`\n${'empty tipsets'.padEnd(14)}${'fvm-devnet RSS, MiB'.padStart(24)}${'history, MiB'.padStart(16)}`);
  empty.rss.forEach(([mined, mib], i) => console.log(`${String(mined).padEnd(14)}${mib.toFixed(1).padStart(24)}${empty.history[i]![1].toFixed(2).padStart(16)}`));
  const [rssBytes, storedBytes] = [perTipset(empty.rss), perTipset(empty.history)];
  console.log(`fvm-devnet, empty tipsets ${empty.rss[mid]![0]} to ${tipsets}: RSS ${rssBytes.toFixed(0)} B a tipset, stored history ${storedBytes.toFixed(0)} B a tipset, ratio ${(rssBytes / storedBytes).toFixed(2)} (target ≤ 1.0: ${rssBytes <= storedBytes ? 'met' : 'MISSED'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
}
