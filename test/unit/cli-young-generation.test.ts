// bin/young-generation.ts: an allocation load whose survivors make V8 grow its young generation to
// its default 32 MiB stays within the command's 16 MiB cap when its collections come in separate
// tasks; within one task the cap is soft; held (start-up), the young generation keeps its first size.
// Each case runs in a fresh process, as V8 sizes the young generation per process and the cap sets a V8 flag.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { YOUNG_GENERATION_CAP_BYTES } from '../../bin/young-generation.js';
import { REPO_ROOT } from '../helpers/solc.js';

/** V8's own maximum for Node 20 on 64 bits: two semi-spaces of 16 MiB. */
const V8_DEFAULT_BYTES = 32 << 20;

/**
 * The largest new space seen while a loop allocates objects and keeps some: one in ten for a while,
 * yielding to the event loop between rounds (`spread`), or half of 600 000 in one task (`burst`).
 */
function peakNewSpace(capped: boolean, load: 'spread' | 'burst', held = false): number {
  const program = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { capYoungGeneration, holdYoungGeneration } from './bin/young-generation.ts';
    if (${held}) holdYoungGeneration();
    if (${capped}) capYoungGeneration();
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    let peak = 0;
    if (${load === 'burst'}) {
      const kept = [];
      for (let i = 0; i < 600_000; i++) {
        const o = { i, list: [i, i + 1], text: 'x' + i };
        if (i % 2 === 0) kept.push(o);
        if (i % 1000 === 0) peak = Math.max(peak, newSpace());
      }
    } else {
      const kept = [];
      for (let round = 0; round < 60; round++) {
        for (let i = 0; i < 50_000; i++) {
          const o = { i, list: [i, i + 1], text: 'x' + i };
          if (i % 10 === 0) kept.push(o);
        }
        if (kept.length > 40_000) kept.splice(0, 20_000);
        peak = Math.max(peak, newSpace());
        await new Promise((resolve) => setImmediate(resolve)); // lets the observer see the collections
      }
    }
    console.log(peak);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
}

/** The new space's size in a fresh process (what V8 starts it with). */
function firstNewSpace(): number {
  const program = "import { getHeapSpaceStatistics } from 'node:v8'; console.log(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);";
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
}

test("the load grows V8's young generation beyond the cap when nothing caps it", () => {
  assert.ok(peakNewSpace(false, 'spread') > YOUNG_GENERATION_CAP_BYTES);
});

test('capYoungGeneration keeps the young generation within its cap under the same load', () => {
  const peak = peakNewSpace(true, 'spread');
  assert.ok(peak <= YOUNG_GENERATION_CAP_BYTES, `new space reached ${peak} bytes`);
});

test('held, the young generation keeps its first size under the same load', () => {
  assert.equal(peakNewSpace(false, 'spread', true), firstNewSpace());
});

test('capYoungGeneration after a hold lets it grow again, to the cap', () => {
  const peak = peakNewSpace(true, 'spread', true);
  assert.ok(peak > firstNewSpace() && peak <= YOUNG_GENERATION_CAP_BYTES, `new space reached ${peak} bytes`);
});

test("the cap is soft: one task keeping much of what it allocates grows the space to V8's own maximum", () => {
  // V8 reports the collections only after the task, so the factor is still 2 while the space grows.
  assert.equal(peakNewSpace(true, 'burst'), V8_DEFAULT_BYTES);
});
