// The nodes the bench compares: how to start each (a fresh process, its own executable, so the
// child's pid is the server's), stop it, and read its memory and CPU time.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RpcClient } from './rpc-client.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FVM_BUNDLE = join(ROOT, 'dist/fvm-devnet.js');
const ANVIL_BIN = join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
const HARDHAT_CLI = join(dirname(createRequire(import.meta.url).resolve('hardhat/package.json')), 'internal/cli/bootstrap.js');
const HARDHAT_CONFIG = join(ROOT, 'bench/hardhat.config.cjs');
const START_TIMEOUT_MS = 30_000;
/** Under a wrapper (valgrind), start-up takes many times as long. */
const WRAPPED_START_TIMEOUT_MS = 300_000;

export const PEER_NAMES = ['fvm-devnet', 'anvil', 'hardhat'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** What a caller adds to a peer's command line: node's own flags (the node-based peers) and the peer's options. */
export interface ExtraArgs {
  nodeFlags?: string[];
  args?: string[];
  /** fvm-devnet: another build's bundle instead of this checkout's (bench:call-window's base). */
  bundle?: string;
  /** fvm-devnet: a command the node runs under (bench:call-instr's valgrind); the child's pid stays the node's. */
  wrapper?: string[];
}

interface PeerKind {
  /** The command line; `scratch` is an empty directory of this node's own, removed when it stops. */
  command(port: number, scratch: string, extra: ExtraArgs): [string, string[]];
  /** What is missing when the executable is not there. */
  missing(): string | undefined;
  /** The cheat code that mines `n` blocks at once. */
  mineMethod: string;
  /** Whether it holds a transaction whose nonce is ahead until the gap fills (Hardhat's automine refuses it). */
  queuesNonceGaps: boolean;
}

const KINDS: Record<PeerName, PeerKind> = {
  'fvm-devnet': {
    command: (port, _scratch, { nodeFlags = [], args = [], bundle = FVM_BUNDLE, wrapper = [] }) => {
      const node = [process.execPath, ...nodeFlags, bundle, '--port', String(port), '--silent', ...args];
      const [cmd, ...rest] = [...wrapper, ...node];
      return [cmd!, rest];
    },
    missing: () => (existsSync(FVM_BUNDLE) ? undefined : `${FVM_BUNDLE} not found: run \`npm run build\` first`),
    mineMethod: 'anvil_mine',
    queuesNonceGaps: true,
  },
  anvil: {
    // Anvil writes old blocks' states to disk (GBs over the bench) and leaves them there when stopped:
    // they go to the scratch directory, which is removed.
    command: (port, scratch, { args = [] }) => [ANVIL_BIN, ['--port', String(port), '--host', '127.0.0.1', '--silent', '--cache-path', scratch, ...args]],
    missing: () => (existsSync(ANVIL_BIN) ? undefined : `${ANVIL_BIN} not found: run \`npm install\` (it comes with @foundry-rs/anvil)`),
    mineMethod: 'anvil_mine',
    queuesNonceGaps: true,
  },
  // Hardhat has no --silent: its request log goes to an ignored stdout.
  hardhat: {
    command: (port, _scratch, { nodeFlags = [], args = [] }) => [process.execPath, [...nodeFlags, HARDHAT_CLI, 'node', '--port', String(port), '--hostname', '127.0.0.1', '--config', HARDHAT_CONFIG, ...args]],
    missing: () => (existsSync(HARDHAT_CLI) ? undefined : `${HARDHAT_CLI} not found: run \`npm install\``),
    mineMethod: 'hardhat_mine',
    queuesNonceGaps: false,
  },
};

export function missingPeer(name: PeerName): string | undefined {
  return KINDS[name].missing();
}

export function mineMethod(name: PeerName): string {
  return KINDS[name].mineMethod;
}

export function queuesNonceGaps(name: PeerName): boolean {
  return KINDS[name].queuesNonceGaps;
}

const children = new Set<ChildProcess>();
const scratchDirs = new Set<string>();
// Last resort: never leave a node running or its files behind, whatever way the bench exits.
process.on('exit', () => {
  children.forEach((c) => c.kill('SIGKILL'));
  scratchDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

export function freePort(): Promise<number> {
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

/** A started node: its client, the time from spawn to its first answer, and its memory. */
export class RunningPeer {
  private constructor(
    readonly name: PeerName,
    private readonly child: ChildProcess,
    /** An empty directory of this node's own, removed when it stops. */
    readonly scratch: string,
    readonly rpc: RpcClient,
    readonly spawnMs: number,
  ) {}

  /** Spawns a fresh node and polls eth_chainId (every 5 ms) until it answers; `extra(scratch)` adds to its command line. */
  static async start(name: PeerName, extra: (scratch: string) => ExtraArgs = () => ({})): Promise<RunningPeer> {
    const port = await freePort();
    const scratch = mkdtempSync(join(tmpdir(), `fvm-bench-${name}-`));
    scratchDirs.add(scratch);
    const extraArgs = extra(scratch);
    const [cmd, args] = KINDS[name].command(port, scratch, extraArgs);
    const timeoutMs = extraArgs.wrapper?.length ? WRAPPED_START_TIMEOUT_MS : START_TIMEOUT_MS;
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let errTail = '';
    child.stderr?.on('data', (d: Buffer) => (errTail = (errTail + d.toString()).slice(-2000)));
    child.on('error', (e) => (errTail += `\nspawn error: ${e.message}`));
    const rpc = new RpcClient(`http://127.0.0.1:${port}`);
    while (performance.now() - t0 < timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited during start-up:\n${errTail}`);
      try {
        await rpc.call('eth_chainId');
        return new RunningPeer(name, child, scratch, rpc, performance.now() - t0);
      } catch {
        await new Promise((r) => setTimeout(r, 5)); // not listening yet
      }
    }
    throw new Error(`${name} did not answer within ${timeoutMs / 1000} s:\n${errTail}`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resident memory now (VmRSS) and the most it has used (VmHWM), in MiB. */
  memory(): { rssMiB: number; peakMiB: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  }

  /**
   * Microseconds of CPU this node has used (/proc/<pid>/task/<tid>/schedstat): all its threads (the
   * compiler's and collector's too) and its main thread. The server's pid is the node's for
   * fvm-devnet and Anvil; Anvil's main thread is not the one that answers.
   */
  cpu(): { all: number; main: number } {
    const pid = this.child.pid!;
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

  /**
   * The node's counters now (/proc/<pid>/stat, whole process): user and system time in clock ticks of
   * 10 ms, minor faults; and context switches over all its threads (/proc/<pid>/task/<tid>/status).
   */
  counters(): { utime: number; stime: number; minflt: number; ctxt: number } {
    const pid = this.child.pid!;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    let ctxt = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
        ctxt += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)![1]) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)![1]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    // Fields after the command: state is 0, minflt 7, utime 11, stime 12.
    return { minflt: Number(fields[7]), utime: Number(fields[11]), stime: Number(fields[12]), ctxt };
  }

  async stop(): Promise<void> {
    this.rpc.close();
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // 2 s to exit cleanly, then forced, so the next node gets the CPU to itself.
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
    rmSync(this.scratch, { recursive: true, force: true });
    scratchDirs.delete(this.scratch);
  }
}
