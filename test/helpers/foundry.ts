// Runs Foundry's `cast` for the end-to-end tests. It calls the platform binary directly: the
// node_modules/.bin/cast wrapper exits 0 even when cast fails (see tool-quirks.md).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './solc.js';

export const CAST_BIN = join(REPO_ROOT, 'node_modules', '@foundry-rs', 'cast-linux-amd64', 'bin', 'cast');
const CAST_TIMEOUT_MS = 60_000;

export interface CastResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when cast was killed by a signal (e.g. the timeout). */
  code: number | null;
}

/** Runs `cast ...args` and resolves with its output and exit code, whatever the code. */
export function cast(args: string[]): Promise<CastResult> {
  return new Promise((resolve, reject) => {
    execFile(
      CAST_BIN,
      args,
      {
        cwd: REPO_ROOT,
        timeout: CAST_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        // No colours, and no Foundry config from the developer's home directory.
        env: { ...process.env, NO_COLOR: '1', FOUNDRY_DISABLE_NIGHTLY_WARNING: '1' },
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number' && error.code != null) {
          // Spawning failed (ENOENT, EACCES, ...), so there is no exit code at all.
          reject(new Error(`could not run ${CAST_BIN}: ${error.message}`));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** Runs `cast ...args` and returns its trimmed stdout; throws with stderr when the exit code is not 0. */
export async function castOk(args: string[]): Promise<string> {
  const r = await cast(args);
  if (r.code !== 0) {
    throw new Error(`cast ${args.join(' ')} exited with ${r.code}\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout}`);
  }
  return r.stdout.trim();
}
