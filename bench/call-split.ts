// `npm run bench:call-split`: where fvm-devnet's time goes in the bench's eth_call workload
// (balanceOf of a different address each call, sequential, keep-alive HTTP), split the way issue 14
// states its goal: time inside EVM execution against the node's whole time per request (parsing,
// state set-up, formatting, logging, the HTTP path, garbage collection), outside ÷ inside ≤ 1.0.
//
// The node runs as the bench runs it (dist/fvm-devnet.js, --silent) with node's inspector on a
// loopback port; V8's sampling profiler is started over it just before the timed calls and stopped
// just after, so the profile holds only the calls. A sample is inside EVM execution when its stack
// holds a frame of the interpreter (the bundle's source map names each frame's source): @ethereumjs's
// interpreter and opcode handlers and the project's loop (`--inside` takes another pattern of source
// paths). Idle samples are left out; the rest is the main thread's time. The node's CPU over all
// its threads (/proc) is printed beside it, from a run of the same calls without the profiler.
//
//   npm run bench:call-split [-- [--calls 4000] [--interval 200] [--inside <regex>] [--save <file.cpuprofile>]]
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { SourceMap } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { balanceOfCalls, erc20Transfers } from './phases.js';
import { ROOT, RunningPeer } from './peers.js';
import { Signer, deployContracts } from './workload.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '4000' },
    interval: { type: 'string', default: '200' },
    inside: { type: 'string', default: String.raw`@ethereumjs/evm/(src|dist/\w+)/(interpreter\.[jt]s|opcodes/)|src/fevm/actors/evm/interpreter-loop\.ts` },
    save: { type: 'string' },
  },
});
const calls = Number(values.calls);
const intervalUs = Number(values.interval);
const inside = new RegExp(values.inside);
if (!Number.isInteger(calls) || calls < 100) throw new Error('--calls takes an integer >= 100');
if (!Number.isInteger(intervalUs) || intervalUs < 50) throw new Error('--interval takes microseconds, an integer >= 50');

/** Addresses the ERC-20 phase gives a token, so that about half the calls read a non-zero balance. */
const HOLDERS = 200;
const WARM_UP = 1000;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A minimal Chrome DevTools Protocol client on the node's inspector. */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id!);
      if (msg.error) waiter.reject(new Error(msg.error.message));
      else waiter.resolve(msg.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Inspector(ws);
  }

  send<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  close(): void {
    this.ws.close();
  }
}

/** Each profile frame's source: the original file through the bundle's source map, else its URL. */
function sourceOf(bundleMap: SourceMap): (frame: ProfileNode['callFrame']) => string {
  return ({ url, lineNumber, columnNumber, functionName }) => {
    if (!url) return functionName.startsWith('(') ? functionName : '(native)';
    if (!url.endsWith('cli.cjs')) return url.replace(/^file:\/\//, '');
    const entry = bundleMap.findEntry(lineNumber, columnNumber) as { originalSource?: string };
    return (entry.originalSource ?? url).replace(/^.*?(node_modules\/|src\/|bin\/)/, '$1');
  };
}

interface Split {
  busyUs: number;
  insideUs: number;
  gcUs: number;
  programUs: number;
  /** The kernel's socket writes of the answers (node's native write calls). */
  socketUs: number;
  /** Self time by source file and by function (JS, and native code called from JS). */
  outsideBySource: Map<string, number>;
  insideByFunction: Map<string, number>;
  outsideByFunction: Map<string, number>;
  samples: number;
}

function split(profile: Profile, source: (frame: ProfileNode['callFrame']) => string): Split {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const isInside = new Map<number, boolean>();
  const insideOf = (id: number): boolean => {
    let known = isInside.get(id);
    if (known === undefined) {
      const p = parent.get(id);
      known = inside.test(source(byId.get(id)!.callFrame)) || (p !== undefined && insideOf(p));
      isInside.set(id, known);
    }
    return known;
  };
  const s: Split = { busyUs: 0, insideUs: 0, gcUs: 0, programUs: 0, socketUs: 0, outsideBySource: new Map(), insideByFunction: new Map(), outsideByFunction: new Map(), samples: 0 };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample stands for the time until the next one.
    const us = i + 1 < samples.length ? timeDeltas[i + 1]! : Math.max(0, profile.endTime - profile.startTime - timeDeltas.reduce((a, b) => a + b, 0));
    const node = byId.get(samples[i]!)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    s.samples++;
    s.busyUs += us;
    const src = source(node.callFrame);
    const fn = `${name || '(anonymous)'} ${src}`;
    if (name === '(garbage collector)') s.gcUs += us;
    else if (name === '(program)') s.programUs += us;
    else if (insideOf(node.id)) {
      s.insideUs += us;
      add(s.insideByFunction, fn, us);
    } else {
      if (src === '(native)' && SOCKET_WRITES.test(name)) s.socketUs += us;
      add(s.outsideBySource, src, us);
      add(s.outsideByFunction, fn, us);
    }
  }
  return s;
}

/** Node's native calls that hand an answer to the kernel (stream_base's writes). */
const SOCKET_WRITES = /^(writev|writeBuffer|write\w*String)$/;

const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);

/**
 * A free loopback port kept listening until `release()`, so that a port chosen meanwhile (the
 * node's, by freePort) cannot be the same one.
 */
function reservePort(): Promise<{ port: number; release(): void }> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      // close() gives the socket back at once; its callback only reports it.
      resolve({ port: typeof addr === 'object' && addr ? addr.port : 0, release: () => srv.close() });
    });
  });
}

const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
const inspect = await reservePort();
// RunningPeer.start chooses the node's port before it asks for the flags: the inspector's is freed just before the spawn.
const node = await RunningPeer.start('fvm-devnet', () => {
  inspect.release();
  return { nodeFlags: [`--inspect=127.0.0.1:${inspect.port}`] };
});
let inspector: Inspector | undefined;
try {
  const { rpc } = node;
  const signer = await Signer.create(rpc);
  const contracts = await deployContracts(signer);
  await erc20Transfers(rpc, signer, contracts, HOLDERS);
  const holds = (n: number) => n < HOLDERS;
  // Addresses from `calls` on for the warm-up, so that the timed calls ask for addresses no call asked for.
  await balanceOfCalls(rpc, contracts.token, calls, WARM_UP, 1, holds);
  // The same calls without the profiler: the node's CPU over all its threads.
  /** The node's CPU time so far, all threads, in ms (utime + stime: clock ticks of 10 ms). */
  const cpuMs = () => {
    const { utime, stime } = node.counters();
    return (utime + stime) * 10;
  };
  const cpu0 = cpuMs();
  const plainRate = await balanceOfCalls(rpc, contracts.token, 0, calls, 1, holds);
  const plainCpuUs = ((cpuMs() - cpu0) * 1000) / calls;

  inspector = await Inspector.connect(inspect.port);
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await inspector.send('Profiler.start');
  // Addresses from calls + WARM_UP on: none of them asked for before.
  const profiledRate = await balanceOfCalls(rpc, contracts.token, calls + WARM_UP, calls, 1, holds);
  const { profile } = await inspector.send<{ profile: Profile }>('Profiler.stop');
  if (values.save) writeFileSync(values.save, JSON.stringify(profile));

  const map = new SourceMap(JSON.parse(readFileSync(join(ROOT, 'dist/cli.cjs.map'), 'utf8')));
  const s = split(profile, sourceOf(map));
  const perCall = (us: number) => (us / calls).toFixed(1).padStart(8);
  const outsideUs = s.busyUs - s.insideUs;
  console.log(`\nfvm-devnet, eth_call balanceOf, ${calls} sequential calls (a different address each, after ${WARM_UP} warm-up calls)`);
  console.log(`  without the profiler: ${plainRate.toFixed(0)} calls/s; node CPU, all threads (/proc): ${plainCpuUs.toFixed(0)} µs a call`);
  console.log(`  with it (every ${intervalUs} µs, ${s.samples} busy samples): ${profiledRate.toFixed(0)} calls/s\n`);
  console.log(`µs a call, main thread (profile)`);
  console.log(`  busy                                 ${perCall(s.busyUs)}`);
  console.log(`  inside EVM execution                 ${perCall(s.insideUs)}   (stacks through ${inside.source})`);
  console.log(`  outside it                           ${perCall(outsideUs)}`);
  console.log(`    garbage collector                  ${perCall(s.gcUs)}`);
  console.log(`    native, not attributed to JS       ${perCall(s.programUs)}   ((program): V8 and node's C++ between JS frames)`);
  console.log(`    socket writes (kernel)             ${perCall(s.socketUs)}   (writev…, also in "(native)" below)`);
  console.log(`    JS and native called from JS, by source (self time):`);
  for (const [src, us] of top(s.outsideBySource, 12)) console.log(`      ${src.slice(-60).padEnd(60)} ${perCall(us)}`);
  console.log(`  top functions inside (self time):`);
  for (const [fn, us] of top(s.insideByFunction, 6)) console.log(`      ${fn.slice(-60).padEnd(60)} ${perCall(us)}`);
  console.log(`  top functions outside (self time):`);
  for (const [fn, us] of top(s.outsideByFunction, 10)) console.log(`      ${fn.slice(-60).padEnd(60)} ${perCall(us)}`);
  const ratio = outsideUs / s.insideUs;
  console.log(`\noutside ÷ inside EVM execution: ${ratio.toFixed(2)} (issue 14's goal ≤ 1.0: ${ratio <= 1 ? 'met' : 'MISSED'})`);
  console.log(`the same without the socket writes: ${((outsideUs - s.socketUs) / s.insideUs).toFixed(2)}`);
  console.log(`(${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after)`);
} finally {
  inspector?.close();
  await node.stop();
}
