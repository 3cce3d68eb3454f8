// Runs Hardhat 2 projects as a user does (`npx hardhat …`), through Hardhat's own CLI entry, for the
// end-to-end tests of examples/hardhat and the fixture projects.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './solc.js';

const HARDHAT_DIR = dirname(createRequire(import.meta.url).resolve('hardhat/package.json'));
const HARDHAT_CLI = join(HARDHAT_DIR, 'internal', 'cli', 'bootstrap.js');

export interface HardhatRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs `node <hardhat cli> ...args` in `cwd`; kills it after `timeoutMs`. */
export function hardhat(cwd: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<HardhatRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', ...env },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[killed: hardhat ${args.join(' ')} ran longer than ${timeoutMs} ms]\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${HARDHAT_CLI}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/**
 * A project as `hardhat init` makes it, in `projectDir`: `parts` of the installed Hardhat's `sample`
 * project, the files of test/fixtures/`fixture` (its config and package.json), hardhat-default's
 * offline solc, and the repo's node_modules (the user's `npm install`).
 */
export function sampleProject(projectDir: string, sample: 'javascript' | 'typescript-viem', parts: string[], fixture: string): void {
  for (const part of parts) cpSync(join(HARDHAT_DIR, 'sample-projects', sample, part), join(projectDir, part), { recursive: true });
  cpSync(join(REPO_ROOT, 'test', 'fixtures', fixture), projectDir, { recursive: true });
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'hardhat-default', 'offline-solc.js'), join(projectDir, 'offline-solc.js'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(projectDir, 'node_modules'), 'dir');
}

export function describeRun(what: string, run: HardhatRun): string {
  return `${what} (exit ${run.code}, signal ${run.signal})\n--- hardhat output ---\n${run.output}--- end ---`;
}

/** describeRun, then the last 3000 characters of the node's output (the requests Hardhat's run sent it). */
export function describeRunAndNode(what: string, run: HardhatRun, devnet: { output(): string } | undefined): string {
  return describeRun(what, run) + `\n--- devnet output (last 3000 characters) ---\n${devnet?.output().slice(-3000)}--- end ---`;
}

/** The titles of a project's mocha tests, read from their source: `it("title", ...`. */
export function mochaTitles(sources: string[]): string[] {
  return sources.flatMap((source) => [...source.matchAll(/\bit\(\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1')));
}

/** The titles of the mocha tests in every file of a Hardhat project's test/ folder. */
export function projectTestTitles(projectDir: string): string[] {
  return mochaTitles(readdirSync(join(projectDir, 'test')).map((file) => readFileSync(join(projectDir, 'test', file), 'utf8')));
}

/**
 * Asserts that a `hardhat test` run passed each of `titles` (its project's tests) and nothing else
 * failed or was skipped; `explain` adds the run's output (and the node's) to a failure.
 */
export function assertEveryTestPassed(result: HardhatRun, titles: string[], explain: (why: string, result: HardhatRun) => string): void {
  assert.equal(result.code, 0, explain('hardhat test failed', result));
  const passing = /(\d+) passing/.exec(result.output);
  assert.ok(passing, explain('mocha printed no "N passing" line', result));
  assert.equal(Number(passing[1]), titles.length, explain(`expected ${titles.length} passing tests`, result));
  assert.doesNotMatch(result.output, /\d+ (failing|pending)/, explain('some tests failed or were skipped', result));
  for (const title of titles) assert.ok(result.output.includes(`✔ ${title}`), explain(`test "${title}" did not pass`, result));
}
