// Starts a server the end-to-end tests talk to (the devnet's CLI, Anvil) and waits for the line that
// says it is ready; stops it with SIGTERM, then SIGKILL. A process that cannot be spawned, exits
// first or is not ready in time fails the test with what it printed, and is killed, never left running.
import { spawn, type ChildProcess } from 'node:child_process';

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;]*[A-Za-z]/g;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s; false if it still has not exited 5 s after that. */
async function terminate(child: ChildProcess): Promise<boolean> {
  // No pid: it was never spawned, so nothing runs.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return true;
  child.kill('SIGTERM');
  if (await waitForExit(child, STOP_TIMEOUT_MS)) return true;
  child.kill('SIGKILL');
  return waitForExit(child, STOP_TIMEOUT_MS);
}

export interface ReadyProcessOptions {
  /** What the process is, for errors: "devnet", "anvil". */
  name: string;
  /** The whole environment of the process. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * The ready line, matched against everything read so far from `readyOn` with colour codes removed.
   * It must match only once the line is whole (a port followed by something), since output comes in chunks.
   */
  readyLine: RegExp;
  /** The streams the ready line may be printed on. */
  readyOn: 'stdout' | 'stdout and stderr';
  /** Whether output() keeps what the process prints once it is ready (a request log can be long). */
  keepOutputAfterReady: boolean;
  timeoutMs?: number;
}

export interface ReadyProcess {
  child: ChildProcess;
  /** The ready line's match. */
  ready: RegExpExecArray;
  /** What the process printed on stdout and stderr (up to its ready line unless keepOutputAfterReady). */
  output(): string;
  /** Terminates it and waits for it to exit; throws if even SIGKILL did not end it. */
  stop(): Promise<void>;
  /** An error saying `why`, with the command and the process's output. */
  failure(why: string): Error;
}

/** Spawns `command args` and resolves once it prints its ready line. */
export async function spawnReady(command: string, args: string[], options: ReadyProcessOptions): Promise<ReadyProcess> {
  const { name, readyLine, timeoutMs = READY_TIMEOUT_MS } = options;
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: options.env });
  running.add(child);
  child.once('exit', () => running.delete(child));

  let out = '';
  let scanned = '';
  let found = false;
  const output = (): string => out;
  const failure = (why: string): Error =>
    new Error(`${why}\ncommand: ${command} ${args.join(' ')}${options.cwd ? ` (cwd ${options.cwd})` : ''}\n--- output ---\n${out}--- end ---`);
  const stop = async (): Promise<void> => {
    if (!(await terminate(child))) throw failure(`${name} did not exit after SIGKILL`);
  };

  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(failure(`${name} printed no ready line within ${timeoutMs} ms`)), timeoutMs);
    const read = (scan: boolean) => (chunk: string) => {
      if (found && !options.keepOutputAfterReady) return;
      out += chunk;
      if (found || !scan) return;
      scanned += chunk;
      const match = readyLine.exec(scanned.replace(ANSI_RE, ''));
      if (match) {
        found = true;
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', read(true));
    child.stderr!.setEncoding('utf8').on('data', read(options.readyOn === 'stdout and stderr'));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(failure(`could not spawn ${name}: ${err.message}`));
    });
    // 'close' rather than 'exit': by then all of the output has been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(failure(`${name} exited before it was ready (code ${code}, signal ${signal})`));
    });
  });

  try {
    return { child, ready: await ready, output, stop, failure };
  } catch (err) {
    await stop();
    throw err;
  }
}
