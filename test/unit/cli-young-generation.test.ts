// bin/young-generation.ts: under an allocation load whose survivors make V8 grow the young
// generation to its default 32 MiB, the command's cap keeps it at 8 MiB. Each case runs in a fresh
// process, as V8 sizes the young generation per process and the cap sets a V8 flag.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/solc.js';

const MiB = 1 << 20;

/** The largest new space seen while a loop allocates objects and keeps one in ten for a while. */
function peakNewSpace(capped: boolean): number {
  const program = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { capYoungGeneration } from './bin/young-generation.ts';
    if (${capped}) capYoungGeneration();
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const kept = [];
    let peak = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 50_000; i++) {
        const o = { i, list: [i, i + 1], text: 'x' + i };
        if (i % 10 === 0) kept.push(o);
      }
      if (kept.length > 40_000) kept.splice(0, 20_000);
      peak = Math.max(peak, newSpace());
      await new Promise((resolve) => setImmediate(resolve)); // lets the observer see the collections
    }
    console.log(peak);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
}

test("the load grows V8's young generation beyond 8 MiB when nothing caps it", () => {
  assert.ok(peakNewSpace(false) > 8 * MiB);
});

test('capYoungGeneration keeps the young generation at 8 MiB under the same load', () => {
  assert.ok(peakNewSpace(true) <= 8 * MiB);
});
