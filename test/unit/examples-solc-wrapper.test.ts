// examples/foundry/solc-wrapper.mjs, the `solc` forge runs offline: its answer to `--version`, which
// forge asks before every command. Run on a copy beside a stand-in `solc` package, so what it loads shows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/solc.js';

describe('solc-wrapper.mjs --version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-solc-wrapper-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(REPO_ROOT, 'examples', 'foundry', 'solc-wrapper.mjs'), join(dir, 'solc-wrapper.mjs'));
  const solc = join(dir, 'node_modules', 'solc');
  mkdirSync(solc, { recursive: true });
  writeFileSync(join(solc, 'package.json'), JSON.stringify({ name: 'solc', version: '0.8.99', main: 'index.js' }));
  // Loading the compiler (solc-js's soljson) takes a second of CPU: the stand-in refuses to be loaded.
  writeFileSync(join(solc, 'index.js'), "throw new Error('the compiler was loaded');\n");

  test('answers the solc package\'s version in solc\'s format without loading the compiler', () => {
    const run = spawnSync(process.execPath, [join(dir, 'solc-wrapper.mjs'), '--version'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    // forge reads the last line and strips "Version: ".
    assert.equal(run.stdout, 'solc, the solidity compiler commandline interface\nVersion: 0.8.99\n');
  });

  test('--standard-json loads the compiler (the stand-in says so)', () => {
    const run = spawnSync(process.execPath, [join(dir, 'solc-wrapper.mjs'), '--standard-json'], { encoding: 'utf8', input: '{}' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /solc-wrapper: cannot load the solc npm package \(npm install --save-dev solc\): the compiler was loaded/);
  });
});
