// scripts/lazy-duplexify.mjs, the build's esbuild plugin that has @fastify/websocket require duplexify
// on first use: a bundle of it made with the plugin has not loaded duplexify after registering the
// plugin, and its injectWS (duplexify's one user) still connects and echoes; a file that uses the name
// otherwise than in `new Duplexify(` fails the build.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import type { Plugin } from 'esbuild';
import { bundleWithPlugin } from '../helpers/bundle.js';
import { REPO_ROOT } from '../helpers/solc.js';

const { lazyDuplexify, lazyDuplexifyPlugin } = await import(pathToFileURL(join(REPO_ROOT, 'scripts/lazy-duplexify.mjs')).href);

/** The plugin, with duplexify left to node_modules as the CLI bundle leaves it, so that require.cache shows when it loads. */
const withDuplexifyOutside: Plugin = {
  name: 'lazy-duplexify-test',
  setup(build) {
    build.onResolve({ filter: /^duplexify$/ }, () => ({ path: 'duplexify', external: true }));
    lazyDuplexifyPlugin.setup(build);
  },
};

const ENTRY = `
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
const loaded = () => Object.keys(require.cache).some((path) => path.includes('/node_modules/duplexify/'));
const app = Fastify();
await app.register(websocket);
app.get('/', { websocket: true }, (socket) => socket.on('message', (data) => socket.send('echo ' + data)));
await app.ready();
const out = { afterRegister: loaded() };
const ws = await app.injectWS('/');
ws.send('hi');
out.echo = String(await new Promise((resolve) => ws.once('message', resolve)));
out.afterInject = loaded();
ws.terminate();
await app.close();
console.log(JSON.stringify(out));
`;

describe('the lazy-duplexify build plugin', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fvm-devnet-lazy-duplexify-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('a bundle of @fastify/websocket loads duplexify for injectWS, not before, and injectWS works', async () => {
    const outfile = await bundleWithPlugin(scratch, ENTRY, withDuplexifyOutside, true);
    const run = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules') } }));
    assert.deepEqual(run, { afterRegister: false, echo: 'echo hi', afterInject: true });
  });

  test('a file that uses Duplexify otherwise than in `new Duplexify(` fails the build', () => {
    const declaration = "const Duplexify = require('duplexify')\n";
    assert.match(lazyDuplexify(`${declaration}const s = new Duplexify(a, b)\n`, 'index.js'), /^let DuplexifyLoaded; const Duplexify = function/);
    assert.throws(() => lazyDuplexify(`${declaration}const s = Duplexify.obj(a, b)\n`, 'index.js'), /index\.js: not the require\('duplexify'\) used only by `new Duplexify\(`/);
    assert.throws(() => lazyDuplexify("const Duplexify = require('duplexify');\nnew Duplexify(a, b)\n", 'index.js'), /update the plugin/);
  });
});
