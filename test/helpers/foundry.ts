// Runs Foundry's `cast`, `forge` and `anvil` for the end-to-end tests. It calls the platform binaries
// directly: the node_modules/.bin wrappers exit 0 even when the tool fails (see tool-quirks.md).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { spawnReady } from './ready-process.js';
import { REPO_ROOT } from './solc.js';

export const CAST_BIN = join(REPO_ROOT, 'node_modules', '@foundry-rs', 'cast-linux-amd64', 'bin', 'cast');
export const FORGE_BIN = join(REPO_ROOT, 'node_modules', '@foundry-rs', 'forge-linux-amd64', 'bin', 'forge');
export const ANVIL_BIN = join(REPO_ROOT, 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil');
const FOUNDRY_TIMEOUT_MS = 60_000;

export interface CastResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the tool was killed by a signal (e.g. the timeout). */
  code: number | null;
}

export interface FoundryRunOptions {
  /** Working directory (default: the repository root); forge reads foundry.toml from here. */
  cwd?: string;
  /** Extra environment variables, on top of this process's. */
  env?: Record<string, string>;
  /** Kill the tool after this many ms (default 60 000); the result then has code null. */
  timeoutMs?: number;
}

/** The environment a Foundry tool runs in: this process's, no colours, no nightly warning, then `options.env`. */
export function foundryEnv(options: FoundryRunOptions = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', FOUNDRY_DISABLE_NIGHTLY_WARNING: '1', ...options.env };
}

function runFoundryTool(bin: string, args: string[], options: FoundryRunOptions): Promise<CastResult> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      {
        cwd: options.cwd ?? REPO_ROOT,
        timeout: options.timeoutMs ?? FOUNDRY_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        env: foundryEnv(options),
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number' && error.code != null) {
          // Spawning failed (ENOENT, EACCES, ...), so there is no exit code at all.
          reject(new Error(`could not run ${bin}: ${error.message}`));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** Runs `cast ...args` and resolves with its output and exit code, whatever the code. */
export function cast(args: string[], options: FoundryRunOptions = {}): Promise<CastResult> {
  return runFoundryTool(CAST_BIN, args, options);
}

/** Runs `forge ...args` and resolves with its output and exit code, whatever the code. */
export function forge(args: string[], options: FoundryRunOptions = {}): Promise<CastResult> {
  return runFoundryTool(FORGE_BIN, args, options);
}

/**
 * What a test says when a Foundry run went wrong, as the message of an assertion on it: its exit code,
 * its output, and the last 3000 characters of the node's. The message is built, and the node's output
 * read, only when something reads it: when the assertion fails. node:assert throws an Error message as
 * it is, without the assertion's actual and expected: a match on the output goes through
 * assertRunMatches, whose message names the pattern.
 */
export function explainRun(what: string, r: CastResult, devnet: { output(): string }): Error {
  const failure = new Error();
  const message = () => `${what} exited with ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n--- devnet output (last 3000 characters) ---\n${devnet.output().slice(-3000)}`;
  Object.defineProperty(failure, 'message', { get: message, configurable: true });
  return failure;
}

/** assert.match on a Foundry run's stdout or stderr, failing with explainRun's message headed by the pattern expected. */
export function assertRunMatches(what: string, r: CastResult, stream: 'stdout' | 'stderr', expected: RegExp, devnet: { output(): string }): void {
  assert.match(r[stream], expected, explainRun(`${what} (its ${stream} should match ${expected})`, r, devnet));
}

/** Runs `cast ...args` and returns its trimmed stdout; throws with stderr when the exit code is not 0. */
export async function castOk(args: string[], options: FoundryRunOptions = {}): Promise<string> {
  const r = await cast(args, options);
  if (r.code !== 0) {
    throw new Error(`cast ${args.join(' ')} exited with ${r.code}\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout}`);
  }
  return r.stdout.trim();
}

export interface AnvilProcess {
  url: string;
  /** SIGTERM, then SIGKILL; resolved once Anvil has exited. */
  stop(): Promise<void>;
}

// Anvil's ready line. The port must be followed by something (the newline), so a chunk cut inside
// the digits does not match (as devnet-process.ts's LISTENING_RE).
const ANVIL_LISTENING_RE = /Listening on [^:\s]+:(\d+)(?=\D)/;

/**
 * Starts `anvil --port 0 ...args` (with `env` added to the environment); resolves once it prints `Listening on`, with its URL. Rejects with
 * what Anvil printed if it cannot be spawned, exits first, or is not listening within 15 s (then it is
 * killed), so a fork that never starts fails the test instead of hanging it.
 */
export async function startAnvil(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AnvilProcess> {
  const { ready, stop } = await spawnReady(ANVIL_BIN, ['--port', '0', ...args], {
    name: 'anvil',
    env: { ...process.env, ...env },
    readyLine: ANVIL_LISTENING_RE,
    readyOn: 'stdout and stderr',
    // Its request log is read and dropped.
    keepOutputAfterReady: false,
  });
  return { url: `http://127.0.0.1:${ready[1]}`, stop };
}
