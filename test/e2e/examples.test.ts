// The application examples (examples/<name>: contracts, a deploy script, a test), each run as its
// README tells a user to: `npm run deploy` and `npm test` in its folder against a fresh devnet CLI.
// Each example's own test asserts its flow; this checks that every one of its tests passed, and
// reports how long each example took.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startDevnet } from '../helpers/devnet-process.js';
import { REPO_ROOT } from '../helpers/solc.js';

const EXAMPLES = ['deal-automation', 'reputation-oracle', 'collateral-lending', 'storage-nft', 'data-dao'];
/** Files every example carries a copy of, so that each folder can be copied alone; they must not drift apart. */
const SHARED_FILES = ['lib/devnet.mjs', 'contracts/Filecoin.sol'];
const RUN_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  output: string;
}

/** `npm <args>` in the example's folder, against the devnet at `url`. */
function npm(example: string, args: string[], url: string): Promise<Run> {
  // A test runner's child context must not leak into the example's own `node --test`.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      'npm',
      args,
      { cwd: join(REPO_ROOT, 'examples', example), timeout: RUN_TIMEOUT_MS, env: { ...env, FVM_DEVNET_URL: url, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }),
    );
  });
}

describe('application examples, each against a fresh devnet', () => {
  for (const example of EXAMPLES) {
    test(`examples/${example}: npm run deploy, then npm test`, async (t) => {
      const devnet = await startDevnet();
      try {
        const explain = (what: string, run: Run): string =>
          `${what} (exit ${run.code})\n--- output ---\n${run.output}\n--- devnet (last 3000 characters) ---\n${devnet.output().slice(-3000)}`;
        const deployed = await npm(example, ['run', 'deploy'], devnet.url);
        assert.equal(deployed.code, 0, explain('npm run deploy failed', deployed));

        const started = performance.now();
        const tested = await npm(example, ['test'], devnet.url);
        const ms = Math.round(performance.now() - started);
        assert.equal(tested.code, 0, explain('npm test failed', tested));
        const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tested.output)?.[1]);
        assert.ok(count('pass') > 0, explain('no test passed', tested));
        for (const none of ['fail', 'cancelled', 'skipped', 'todo']) assert.equal(count(none), 0, explain(`some tests: ${none}`, tested));
        t.diagnostic(`examples/${example}: ${count('pass')} tests passed in ${ms} ms (npm test)`);
      } finally {
        await devnet.stop();
      }
    });
  }

  test('the files every example carries are the same in each', () => {
    for (const file of SHARED_FILES) {
      const [first, ...others] = EXAMPLES.map((example) => readFileSync(join(REPO_ROOT, 'examples', example, file), 'utf8'));
      for (const [i, other] of others.entries()) assert.equal(other, first, `examples/${EXAMPLES[i + 1]}/${file} differs from examples/${EXAMPLES[0]}/${file}`);
    }
  });
});
