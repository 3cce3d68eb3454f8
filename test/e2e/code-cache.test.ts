// The command's code cache (bin/code-cache.ts, written by scripts/code-cache.mjs during the build):
// V8 takes it, in a plain node process as the command runs; a cache it refused would cost start-up
// ~90 ms and nothing else would notice.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/solc.js';

test('the build leaves a code cache beside the CLI bundle, and V8 accepts it', () => {
  assert.ok(existsSync(`${REPO_ROOT}/dist/cli.cjs.cache`), 'dist/cli.cjs.cache is missing: run `npm run build`');
  const probe = "import { compileCli } from './dist/code-cache.js'; const { script } = compileCli(); console.log(JSON.stringify({ rejected: script.cachedDataRejected }));";
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { rejected: false });
});
