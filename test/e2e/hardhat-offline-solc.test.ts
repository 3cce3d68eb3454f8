// test/fixtures/hardhat-default/offline-solc.js, which every Hardhat fixture project compiles with:
// a second fresh project with the same sources takes solc-js's output from the cache and does not
// load solc-js at all (a preload that refuses to load soljson.js proves it), and gets the same
// bytecode. Without the cache the test suite's fresh projects (three copies of Hardhat's sample Lock)
// load solc-js in the Hardhat process and again in Hardhat's compiler process for each compile.
// An e2e (it runs Hardhat's CLI, with no node); its projects' cache is a folder of its own, removed
// after, so the shared cache gets no entry that no other file reads.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeRun, hardhat } from '../helpers/hardhat.js';
import { REPO_ROOT } from '../helpers/solc.js';

// Only catches a hung Hardhat.
const TIMEOUT_MS = 120_000;

/** Throws on loading solc-js's soljson.js, in the Hardhat process and in the compiler process it spawns. */
const REFUSE_SOLC_JS = `const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/soljson(\\.js)?$/.test(request)) throw new Error('solc-js was loaded: ' + request);
  return load.call(this, request, ...rest);
};
`;

describe("the Hardhat fixtures' offline solc-js, cached", () => {
  const root = mkdtempSync(join(tmpdir(), 'fvm-devnet-offline-solc-'));
  const refuse = join(root, 'refuse-solc-js.cjs');
  writeFileSync(refuse, REFUSE_SOLC_JS);
  const cache = { FVM_DEVNET_SOLC_CACHE: join(root, 'solc-cache') };
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A fresh Hardhat project in `root/name` with one contract whose constant is `salt` (a fresh cache key). */
  function project(name: string, salt: string): string {
    const dir = join(root, name);
    mkdirSync(join(dir, 'contracts'), { recursive: true });
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'hardhat-default', 'offline-solc.js'), join(dir, 'offline-solc.js'));
    writeFileSync(join(dir, 'hardhat.config.js'), 'module.exports = { solidity: require("./offline-solc").SOLC_VERSION };\n');
    writeFileSync(join(dir, 'contracts', 'Probe.sol'), `// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Probe { bytes32 public constant SALT = 0x${salt}; }\n`);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return dir;
  }
  const bytecode = (dir: string) => (JSON.parse(readFileSync(join(dir, 'artifacts', 'contracts', 'Probe.sol', 'Probe.json'), 'utf8')) as { bytecode: string }).bytecode;

  test('a second project with the same sources compiles to the same bytecode without loading solc-js; other sources still load it', async () => {
    const salt = randomBytes(32).toString('hex');
    const first = project('first', salt);
    const compiled = await hardhat(first, ['compile'], cache, TIMEOUT_MS);
    assert.equal(compiled.code, 0, describeRun('the first compile failed', compiled));
    assert.match(bytecode(first), /^0x[0-9a-f]{100,}$/);

    const second = project('second', salt);
    const again = await hardhat(second, ['compile'], { ...cache, NODE_OPTIONS: `--require ${refuse}` }, TIMEOUT_MS);
    assert.equal(again.code, 0, describeRun('the second compile, solc-js refused, failed', again));
    assert.match(again.output, /Compiled 1 Solidity file/, describeRun('Hardhat did not compile the second project', again));
    assert.equal(bytecode(second), bytecode(first));

    // The refusal bites: different sources are compiled by solc-js, which it stops.
    const other = project('other', randomBytes(32).toString('hex'));
    const refused = await hardhat(other, ['compile'], { ...cache, NODE_OPTIONS: `--require ${refuse}` }, TIMEOUT_MS);
    assert.notEqual(refused.code, 0, describeRun('a compile of new sources ran with solc-js refused', refused));
    assert.match(refused.output, /solc-js was loaded/, describeRun('the compile failed for another reason', refused));
  });
});
