// `npm run bench:fork-start-instr`: the bench's fork start (bench/fork.ts: fvm-devnet forking an
// fvm-devnet upstream that holds the 100-slot contract, an empty cache directory) counted in
// instructions executed (valgrind's callgrind), which the machine's load does not move, so that two
// builds' starts compare where their wall times on this shared machine spread by more than the gap.
//
// Each `--bundle` (give two or more: builds to compare, or one build twice as the A/A control) gets its
// own upstream, that bundle's node as in the bench given the contract, run under callgrind with
// instrumentation off from its start. Each run starts every bundle's fork once, in an order that
// rotates between runs, the forking node under callgrind counting from its first instruction: dumped
// when it prints `Listening on` ("to listening", what the bench's fork start times) and again
// `--quiet-ms` later (the work it does after listening). Its upstream counts over the same window
// (instrumentation on for it and its counters zeroed, then off), since the bench's wall time holds
// the upstream's answers too.
// Printed per fork: the forking node's instructions (all threads, the main thread, the main thread
// outside V8's garbage collector) to listening and after, and the upstream's main thread; then each
// bundle's medians and spread (max − min ÷ median). Compare both windows together: the fork cache's
// save, a second after the last fetch (Fork.scheduleSave, ~20 M instructions), falls before or after
// the line as valgrind's pace on the loaded machine has it.
//
// `--attribute` adds `--perf-basic-prof` and `--dump-instr=yes` to the forking nodes and prints the
// `--top` functions (self instructions of the main thread to listening) by which the last bundle's
// median run differs from the first's.
//
//   npm run build && npm run bench:fork-start-instr -- --bundle <a>/dist/fvm-devnet.js --bundle <b>/dist/fvm-devnet.js [--runs 4] [--quiet-ms 4000] [--attribute] [--top 40] [--keep]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileSolidity } from '../test/helpers/solc.js';
import { control, dump, instructionsOf, readCallgrindDump, type Counting, type FunctionCosts } from './callgrind-dump.js';
import { median } from './phases.js';
import { ROOT, RunningPeer } from './peers.js';
import { Signer } from './workload.js';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string', default: '4' },
    'quiet-ms': { type: 'string', default: '4000' },
    attribute: { type: 'boolean', default: false },
    top: { type: 'string', default: '40' },
    keep: { type: 'boolean', default: false },
  },
});
const bundles = values.bundle;
const [runs, quietMs, top] = [values.runs, values['quiet-ms'], values.top].map(Number) as [number, number, number];
if (bundles.length < 2) throw new Error('give two --bundle or more (the same one twice is the A/A control)');
for (const b of bundles) if (!existsSync(b)) throw new Error(`${b} not found`);
if (![runs, quietMs, top].every((v) => Number.isInteger(v) && v > 0)) throw new Error('--runs, --quiet-ms and --top take positive integers');
/** Under valgrind a fork start took ~3–5 minutes at load 12–22 (~60 % more with `--attribute`): half an hour is a hang. */
const START_TIMEOUT_MS = 30 * 60_000;
const LISTENING = /Listening on [^:\s]+:(\d+)/;

const dumps = mkdtempSync(join(tmpdir(), 'fvm-fork-start-instr-'));
interface Upstream extends Counting {
  peer: RunningPeer;
  url: string;
  epoch: string;
}

/** A bundle's upstream under callgrind (instrumentation off from its start), holding the 100-slot contract as bench/fork.ts deploys it. */
async function startUpstream(bundle: string, index: number, bytecode: string): Promise<Upstream> {
  const outFile = join(dumps, `upstream${index}`, 'callgrind.out');
  mkdirSync(dirname(outFile));
  const wrapper = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${outFile}`];
  const peer = await RunningPeer.start('fvm-devnet', () => ({ wrapper, bundle }));
  const signer = await Signer.create(peer.rpc);
  await signer.send({ data: bytecode });
  const epoch = String(Number(await peer.rpc.call('eth_blockNumber')));
  return { peer, pid: peer.pid, outFile, dumped: 0, url: peer.rpc.url, epoch };
}

interface Counted {
  listening: { all: number; main: number; mutator: number };
  after: { all: number; main: number; mutator: number };
  upstreamMain: number;
  /** The forking node's main thread's dump to listening. */
  mainFile: string;
  perfMap?: string;
}

/** One fork start of `bundle` from `upstream` under callgrind, counted from its first instruction. */
async function forkStart(bundle: string, upstream: Upstream, tag: string): Promise<Counted> {
  const dir = join(dumps, tag);
  mkdirSync(dir);
  const cacheDir = join(dir, 'cache');
  mkdirSync(cacheDir);
  const outFile = join(dir, 'callgrind.out');
  const valgrind = ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${outFile}`, ...(values.attribute ? ['--dump-instr=yes'] : [])];
  const node = [process.execPath, ...(values.attribute ? ['--perf-basic-prof'] : []), bundle, '--port', '0', '--fork-url', upstream.url, '--fork-block-number', upstream.epoch];
  control(upstream.pid, '--instr=on');
  // Switching instrumentation on zeroes each thread's running count but not its count at the last
  // dump, from which the next dump's total is taken: after an earlier run's dumps that total would be
  // negative (read unsigned, near 2^64). Zeroing sets the count at the last dump to the running one.
  control(upstream.pid, '--zero');
  const child: ChildProcess = spawn('valgrind', [...valgrind, ...node], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FVM_DEVNET_CACHE_DIR: cacheDir } });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fork of ${bundle} not listening within ${START_TIMEOUT_MS / 1000} s:\n${out.slice(-2000)}`)), START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (LISTENING.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`fork of ${bundle} exited (${code}) during start-up:\n${out.slice(-2000)}`)));
    });
    const fork: Counting = { pid: child.pid!, outFile, dumped: 0 };
    const listening = dump(fork);
    const upListening = instructionsOf(dump(upstream));
    await new Promise((r) => setTimeout(r, quietMs));
    const after = dump(fork);
    const upAfter = instructionsOf(dump(upstream));
    return {
      listening: instructionsOf(listening),
      after: instructionsOf(after),
      upstreamMain: upListening.main + upAfter.main,
      mainFile: listening[0]!,
      perfMap: values.attribute ? `/tmp/perf-${child.pid}.map` : undefined,
    };
  } finally {
    control(upstream.pid, '--instr=off');
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

const M = (ir: number) => (ir / 1e6).toFixed(2).padStart(8);
const upstreams: Upstream[] = [];
const perfMaps: string[] = [];
try {
  const loadBefore = loadavg()[0]!.toFixed(1);
  const { HundredSlots } = await compileSolidity({ 'ForkBench.sol': readFileSync(join(ROOT, 'bench/contracts/ForkBench.sol'), 'utf8') });
  for (const [i, b] of bundles.entries()) upstreams.push(await startUpstream(b, i, HundredSlots!.bytecode));
  console.log(`upstream epochs ${upstreams.map((u) => u.epoch).join(', ')}`);
  const counted: Counted[][] = bundles.map(() => []);
  for (let r = 0; r < runs; r++) {
    // Rotated each run, so that no bundle always comes first after the others' starts.
    const order = bundles.map((_, i) => (i + r) % bundles.length);
    for (const i of order) {
      const c = await forkStart(bundles[i]!, upstreams[i]!, `run${r}-b${i}`);
      if (c.perfMap) perfMaps.push(c.perfMap);
      counted[i]!.push(c);
      console.log(
        `run ${r + 1} bundle ${i} (${bundles[i]}): to listening ${M(c.listening.all)} M all threads, ${M(c.listening.main)} M main, ${M(c.listening.mutator)} M main outside the GC; ` +
          `after listening ${M(c.after.main)} M main; the two ${M(c.listening.mutator + c.after.mutator)} M main outside the GC; upstream main ${M(c.upstreamMain)} M (load ${loadavg()[0]!.toFixed(1)})`,
      );
    }
  }
  const stat = (xs: number[]) => {
    const mid = median(xs);
    // One start has no spread: "—", not 0.00 %.
    const spread = xs.length < 2 ? '—'.padStart(7) : `${(((Math.max(...xs) - Math.min(...xs)) / mid) * 100).toFixed(2).padStart(5)} %`;
    return `${M(mid)} M (${spread})`;
  };
  console.log(`\nfork start under callgrind, ${runs} runs a bundle, medians (max − min ÷ median)`);
  console.log(`bundle  to listening: all threads, main, main outside the GC | after listening: main | both: main outside the GC | upstream: main`);
  for (const [i, list] of counted.entries()) {
    const columns = [
      stat(list.map((c) => c.listening.all)),
      stat(list.map((c) => c.listening.main)),
      stat(list.map((c) => c.listening.mutator)),
      '|',
      stat(list.map((c) => c.after.main)),
      '|',
      stat(list.map((c) => c.listening.mutator + c.after.mutator)),
      '|',
      stat(list.map((c) => c.upstreamMain)),
    ];
    console.log(`${i} ${columns.join(' ')}  ${bundles[i]}`);
  }
  if (values.attribute) {
    const pick = (list: Counted[]) => [...list].sort((a, b) => a.listening.mutator - b.listening.mutator)[Math.floor(list.length / 2)]!;
    const a = pick(counted[0]!);
    const b = pick(counted[counted.length - 1]!);
    printTop(readCallgrindDump(a.mainFile, true, a.perfMap).functions, readCallgrindDump(b.mainFile, true, b.perfMap).functions);
  }
  console.log(`(${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after${values.keep ? `; dumps kept in ${dumps}` : ''})`);
} finally {
  await Promise.all(upstreams.map((u) => u.peer.stop()));
  if (!values.keep) {
    rmSync(dumps, { recursive: true, force: true });
    for (const map of perfMaps) rmSync(map, { force: true });
  }
}

/** The functions whose self instructions (main thread, to listening) differ most between the first bundle's median run and the last's. */
function printTop(first: FunctionCosts, last: FunctionCosts): void {
  const names = new Set([...first.keys(), ...last.keys()]);
  const rows = [...names].map((name) => ({ name, a: first.get(name) ?? 0, b: last.get(name) ?? 0 })).map((r) => ({ ...r, diff: r.b - r.a }));
  rows.sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff));
  console.log(`\ntop ${top} functions by |last − first|, self instructions of the main thread to listening:`);
  console.log(`${'first'.padStart(11)} ${'last'.padStart(11)} ${'diff'.padStart(11)}  function`);
  for (const r of rows.slice(0, top)) console.log(`${String(r.a).padStart(11)} ${String(r.b).padStart(11)} ${String(r.diff).padStart(11)}  ${r.name}`);
}
