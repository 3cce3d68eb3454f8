// scripts/lazy-builtins.mjs, the build's esbuild plugin that has fastify and ws load node:http2,
// node:https, node:tls and node:zlib on first use: a bundle of them made with it loads none of those
// modules at its top level, and each works when used; a file whose use of one is not only property
// reads fails the build.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { bundleWithPlugin } from '../helpers/bundle.js';
import { REPO_ROOT } from '../helpers/solc.js';

const plugin = await import(pathToFileURL(join(REPO_ROOT, 'scripts/lazy-builtins.mjs')).href);

/** Which of the four modules are loaded after the imports, then after each is used; printed as JSON. */
const ENTRY = `
import Fastify from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
const LAZY = ['http2', 'https', 'tls', 'zlib'];
const loaded = () => LAZY.filter((name) => process.moduleLoadList.includes('NativeModule ' + name));
const out = { atLoad: loaded() };

// node:http2 (fastify's http2 option).
const h2 = Fastify({ http2: true });
h2.get('/', async () => 'h2');
await h2.listen({ host: '127.0.0.1', port: 0 });
out.http2Server = h2.server.constructor.name;
await h2.close();

// node:zlib: a WebSocket message compressed both ways (permessage-deflate).
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
await new Promise((resolve) => wss.once('listening', resolve));
wss.on('connection', (socket) => socket.on('message', (data) => socket.send('echo ' + data)));
const client = new WebSocket('ws://127.0.0.1:' + wss.address().port, { perMessageDeflate: { threshold: 0 } });
await new Promise((resolve) => client.once('open', resolve));
client.send('x'.repeat(1000));
out.echo = String(await new Promise((resolve) => client.once('message', resolve))).length;
out.compressed = client.extensions;
client.close();
wss.close();

// node:https and node:tls: a wss:// client reaching for a closed port.
const secure = new WebSocket('wss://127.0.0.1:1');
out.wss = await new Promise((resolve) => secure.once('error', (err) => resolve(err.code)));
out.afterUse = loaded();
console.log(JSON.stringify(out));
`;

describe('the lazy-builtins build plugin', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fvm-devnet-lazy-builtins-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('a bundle of fastify and ws loads http2, https, tls and zlib when used, and each works', async () => {
    const outfile = await bundleWithPlugin(scratch, ENTRY, plugin.lazyBuiltins, true);
    const run = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
    assert.deepEqual(run, {
      atLoad: [],
      http2Server: 'Http2Server',
      echo: 1005,
      compressed: 'permessage-deflate',
      wss: 'ECONNREFUSED',
      afterUse: ['http2', 'https', 'tls', 'zlib'],
    });
  });

  test('a file that uses one of the modules otherwise than by reading its properties fails the build', () => {
    const destructured = "const { connect } = require('tls');\nconnect();\n";
    assert.throws(() => plugin.lazyRequires(destructured, 'websocket.js', ['tls']), /websocket\.js: not the require\('tls'\) whose properties alone are read/);
    const instance = "const zlib = require('zlib');\nif (x instanceof zlib.Gzip) zlib.gzipSync(x);\nconst z = zlib;\n";
    assert.throws(() => plugin.lazyRequires(instance, 'permessage-deflate.js', ['zlib']), /update the plugin/);
    const reads = "const zlib = require('zlib')\n// zlib for messages, see https://zlib.net\nconst s = 'zlib'; f({ zlib: 1 }, zlib.Z_SYNC_FLUSH);\n";
    assert.match(plugin.lazyRequires(reads, 'ok.js', ['zlib']), /^let zlibLoaded; const zlib = new Proxy/);
  });
});
