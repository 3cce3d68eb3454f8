// bin/young-generation.ts: an allocation load whose survivors make V8 grow its young generation to
// its default 32 MiB stays within the command's 16 MiB cap. Each case runs in a fresh process, as
// V8 sizes the young generation per process and the cap sets a V8 flag.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { YOUNG_GENERATION_CAP_BYTES } from '../../bin/young-generation.js';
import { REPO_ROOT } from '../helpers/solc.js';

/** The largest new space seen while a loop allocates objects and keeps one in ten for a while. */
function peakNewSpace(capped: boolean): number {
  const program = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { capYoungGeneration } from './bin/young-generation.ts';
    if (${capped}) capYoungGeneration();
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const kept = [];
    let peak = 0;
    for (let round = 0; round < 60; round++) {
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

test("the load grows V8's young generation beyond the cap when nothing caps it", () => {
  assert.ok(peakNewSpace(false) > YOUNG_GENERATION_CAP_BYTES);
});

test('capYoungGeneration keeps the young generation within its cap under the same load', () => {
  const peak = peakNewSpace(true);
  assert.ok(peak <= YOUNG_GENERATION_CAP_BYTES, `new space reached ${peak} bytes`);
});
