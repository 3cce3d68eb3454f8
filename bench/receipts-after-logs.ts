// X20: receipts read right after an eth_getLogs over their tipsets (docs/performance.md, receipts3).
// A fresh node (this checkout's bundle or --bundle's), the token deployed, --n token transfers mined (a
// tipset each, each receipt polled once as it is mined). The transfers are cut into sets of --set; each set
// gets one variant, rotated from set to set, then its receipts are read (their first read since mining)
// and read again at once (hot):
//   none      the receipts alone
//   logs      eth_getLogs over the set's epochs on the same keep-alive connection first
//   logs-conn the same eth_getLogs on another connection (another client) first
//   big       an answer about as large as that eth_getLogs' that reads no tipset first (a batch of
//             eth_getCode of the token), same connection
// Each set's line gives the size of the answer before its reads (eth_getLogs' or the batch's), so the two
// can be compared. --n defaults to two sets a variant, and must give every variant the same number of sets.
// Per read, the node's CPU (/proc schedstat: all threads, main thread), its user and system time and
// minor faults (/proc/<pid>/stat, all threads; ticks of 10 ms, so summed over the sets), its context
// switches, and the client's wall time. --nologs runs only `none` (rcpt3's flag).
//
//   npm run build && npm run bench:receipts-after-logs [-- [--n 2000 --set 250] [--variants none,logs] [--nologs] [--strace] [--bundle <path>]]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { checkReceipt, erc20Transfers, median, type Mined, type TxReceipt } from './phases.js';
import { RunningPeer } from './peers.js';
import { RpcClient } from './rpc-client.js';
import { Signer, deployContracts } from './workload.js';

const VARIANTS = ['none', 'logs', 'logs-conn', 'big'];
const { values } = parseArgs({
  options: {
    n: { type: 'string' },
    set: { type: 'string', default: '250' },
    variants: { type: 'string', default: VARIANTS.join(',') },
    nologs: { type: 'boolean', default: false },
    bundle: { type: 'string' },
    strace: { type: 'boolean', default: false },
  },
});
const variants = values.nologs ? ['none'] : values.variants.split(',');
for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}: the variants are ${VARIANTS.join(', ')}`);
const setSize = Number(values.set);
// Two sets a variant unless told, so that no median is a single set's.
const n = values.n === undefined ? setSize * variants.length * 2 : Number(values.n);
const sets = Math.floor(n / setSize);
if (!(setSize > 0) || sets === 0 || sets % variants.length !== 0) {
  throw new Error(`--n ${n} makes ${sets} sets of ${setSize}: give each of the ${variants.length} variants the same number of sets`);
}

type Segment = { all: number; main: number; wall: number; utime: number; stime: number; minflt: number; ctxt: number; reads: number };

const peer = await RunningPeer.start('fvm-devnet', () => ({ bundle: values.bundle }));
try {
  const { rpc } = peer;
  const signer = await Signer.create(rpc);
  const contracts = await deployContracts(signer);
  const { mined } = await erc20Transfers(rpc, signer, contracts, n);
  const other = new RpcClient(rpc.url);
  const rangeOf = (set: Mined[]) => ({ fromBlock: `0x${set[0]!.block.toString(16)}`, toBlock: `0x${set[set.length - 1]!.block.toString(16)}` });
  const logsOn = async (client: RpcClient, set: Mined[]) => {
    const logs = await client.call<unknown[]>('eth_getLogs', [rangeOf(set)]);
    if (logs.length !== set.length) throw new Error(`eth_getLogs answered ${logs.length} logs, expected ${set.length}`);
    return JSON.stringify(logs).length;
  };
  // The logs path and the batch path warmed once each over the genesis' epochs, not measured (no transfer there).
  await other.call('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x1' }]);
  const codeBytes = (await other.call('eth_getCode', [contracts.token, 'latest'])).length + 3;
  const bigBatch = Array.from({ length: Math.min(1000, Math.ceil((setSize * 600) / codeBytes)) }, () => [contracts.token, 'latest']);
  await other.batch('eth_getCode', [[contracts.token, 'latest']]);

  const measure = async (client: RpcClient, set: Mined[], label: string): Promise<Segment> => {
    const tracer = values.strace ? await straced(peer.pid) : undefined;
    const [before, procBefore] = [peer.cpu(), peer.counters()];
    const t0 = performance.now();
    for (const m of set) checkReceipt(await client.call<TxReceipt>('eth_getTransactionReceipt', [m.hash]), m);
    const wall = performance.now() - t0;
    const [after, procAfter] = [peer.cpu(), peer.counters()];
    if (tracer) console.log(`${label}: ${await tracer()}`);
    const per = (a: number, b: number) => (a - b) / set.length;
    return {
      all: per(after.all, before.all),
      main: per(after.main, before.main),
      wall: (wall * 1000) / set.length,
      utime: procAfter.utime - procBefore.utime,
      stime: procAfter.stime - procBefore.stime,
      minflt: procAfter.minflt - procBefore.minflt,
      ctxt: procAfter.ctxt - procBefore.ctxt,
      reads: set.length,
    };
  };
  const results: Record<string, { first: Segment[]; again: Segment[] }> = Object.fromEntries(variants.map((v) => [v, { first: [], again: [] }]));
  const show = (s: Segment) =>
    `${s.all.toFixed(0).padStart(4)} / ${s.main.toFixed(0).padStart(4)} µs, wall ${s.wall.toFixed(0).padStart(5)} µs, user ${s.utime} sys ${s.stime} ticks, ${(s.minflt / s.reads).toFixed(1)} faults, ${(s.ctxt / s.reads).toFixed(1)} switches a read`;
  for (let i = 0; i < sets; i++) {
    const set = mined.slice(i * setSize, (i + 1) * setSize);
    const variant = variants[i % variants.length]!;
    // The answer the node wrote before the reads, as JSON of its results: its size, to set eth_getLogs' beside the batch's.
    let answered = 0;
    if (variant === 'logs') answered = await logsOn(rpc, set);
    else if (variant === 'logs-conn') answered = await logsOn(other, set);
    else if (variant === 'big') answered = JSON.stringify(await rpc.batch('eth_getCode', bigBatch)).length;
    const first = await measure(rpc, set, `set ${i + 1} ${variant} first`);
    const again = await measure(rpc, set, `set ${i + 1} ${variant} again`);
    results[variant]!.first.push(first);
    results[variant]!.again.push(again);
    const before = answered > 0 ? `after ${(answered / 1024).toFixed(0)} KiB, ` : '';
    console.log(`set ${i + 1} ${variant.padEnd(9)} ${before}first ${show(first)}; again ${show(again)}; load ${loadavg()[0]!.toFixed(1)}`);
  }
  other.close();
  console.log(`\nmedians over the sets of ${setSize} (node CPU all / main, wall, µs a read); ticks summed`);
  for (const v of variants) {
    for (const key of ['first', 'again'] as const) {
      const rs = results[v]![key];
      const sum = (f: (s: Segment) => number) => rs.reduce((a, s) => a + f(s), 0);
      console.log(
        `${v.padEnd(9)} ${key.padEnd(5)} ${median(rs.map((r) => r.all)).toFixed(0).padStart(4)} / ${median(rs.map((r) => r.main)).toFixed(0).padStart(4)}  ${median(rs.map((r) => r.wall)).toFixed(0).padStart(5)}  user ${sum((s) => s.utime)} sys ${sum((s) => s.stime)} ticks over ${sum((s) => s.reads)} reads, ${(sum((s) => s.minflt) / sum((s) => s.reads)).toFixed(1)} faults, ${(sum((s) => s.ctxt) / sum((s) => s.reads)).toFixed(1)} switches a read`,
      );
    }
  }
} finally {
  await peer.stop();
}

/**
 * `strace -c` attached to the node's threads: kernel CPU time a system call (strace's default for -c), for
 * the socket's writev and the rest; the function returned detaches it and gives the summary's lines.
 */
async function straced(pid: number): Promise<() => Promise<string>> {
  const child = spawn('strace', ['-c', '-f', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  // Attached once it says so (with -p and -f: "Process N attached with M threads"); none of the set's
  // system calls may be missed, so no fixed wait: refused after 5 s.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strace did not attach to ${pid} within 5 s: ${text.trim() || 'no output'}`));
    }, 5000);
    child.once('error', (error) => (clearTimeout(timer), reject(error)));
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
      if (/attached/.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    return text
      .split('\n')
      .filter((l) => /writev|write\b|read\b|epoll|total|futex|madvise|mmap|munmap/.test(l))
      .map((l) => l.trim().replace(/\s+/g, ' '))
      .join('; ');
  };
}
