// bin/tier-up.ts: with the command's interrupt budget V8 asks TurboFan for a hot function after fewer
// calls than at its default. Each case runs in a fresh process, as the budget is a V8 flag.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/solc.js';

/** Calls of a small function until V8 marks it for TurboFan or compiles it (%GetOptimizationStatus). */
function callsUntilOptimising(sooner: boolean): number {
  const program = `
    import { tierUpSooner } from './bin/tier-up.ts';
    if (${sooner}) tierUpSooner();
    const f = new Function('a', 'let s = 0; for (let i = 0; i < 3; i++) s += a[i] * 2; return s;');
    const OPTIMISING = (1 << 4) | (1 << 8) | (1 << 9) | (1 << 10); // optimized, marked (either way), compiling
    const args = [1, 2, 3];
    let calls = 0;
    while (calls < 100_000 && !(%GetOptimizationStatus(f) & OPTIMISING)) { f(args); calls++; }
    console.log(calls);`;
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', program], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
}

test('tierUpSooner makes V8 optimise a hot function after fewer calls', () => {
  const atDefault = callsUntilOptimising(false);
  const sooner = callsUntilOptimising(true);
  assert.ok(atDefault < 100_000, 'V8 never optimised the function at its default budget');
  assert.ok(sooner < atDefault / 2, `optimising after ${sooner} calls, at the default after ${atDefault}`);
});
