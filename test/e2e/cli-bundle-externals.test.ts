// The packages the CLI bundle (dist/cli.cjs) leaves in node_modules (scripts/build.mjs: the addon, and
// what fastify requires only on first use) resolve from dist/, where the command requires them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/solc.js';

/** ws's optional native addons, which it requires inside a try and does without. */
const OPTIONAL = new Set(['bufferutil', 'utf-8-validate']);

test('every package the CLI bundle requires at run time resolves from dist/', () => {
  const bundle = `${REPO_ROOT}/dist/cli.cjs`;
  const names = new Set([...readFileSync(bundle, 'latin1').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
  const packages = [...names].filter((name) => !name.startsWith('node:') && !builtinModules.includes(name) && !OPTIONAL.has(name));
  assert.ok(packages.includes('@fastify/ajv-compiler') && packages.includes('light-my-request'), `external packages found: ${packages.join(', ')}`);
  const require = createRequire(bundle);
  for (const name of packages) assert.doesNotThrow(() => require.resolve(name), `${name} does not resolve from dist/`);
});
