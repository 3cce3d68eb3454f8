// scripts/lazy-schema-compilers.mjs, the build's esbuild plugin that has fastify make its schema
// compilers (ajv, fast-json-stringify) on first use: a bundle of fastify made with it evaluates
// neither when a server is made, and a route with a schema still validates its body and serializes
// its answer; a schema-controller.js without the code it expects fails the build.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { bundleWithPlugin } from '../helpers/bundle.js';
import { REPO_ROOT } from '../helpers/solc.js';

const plugin = await import(pathToFileURL(join(REPO_ROOT, 'scripts/lazy-schema-compilers.mjs')).href);

/** ajv's schema compilations, counted: none for a server whose routes have no schema. */
const ENTRY = `
import Fastify from 'fastify';
const made = { ajv: 0 };
const { default: Ajv } = await import('ajv');
const compile = Ajv.prototype.compile;
Ajv.prototype.compile = function (...args) { made.ajv++; return compile.apply(this, args); };
const out = {};
const plain = Fastify();
plain.post('/', async (request) => ({ echo: request.body }));
await plain.ready();
out.plain = { ...made, answer: (await plain.inject({ method: 'POST', url: '/', payload: { a: 1 } })).json() };
const app = Fastify();
app.post('/', {
  schema: {
    body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
  },
}, async (request) => ({ n: request.body.n, hidden: 'not in the schema' }));
await app.ready();
out.valid = (await app.inject({ method: 'POST', url: '/', payload: { n: 2 } })).json();
out.invalid = (await app.inject({ method: 'POST', url: '/', payload: { n: 'x' } })).statusCode;
out.schema = { ...made };
console.log(JSON.stringify(out));
`;

describe('the lazy-schema-compilers build plugin', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fvm-devnet-lazy-schemas-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('fastify compiles no schema for routes without one, and validates and serializes with one', async () => {
    const outfile = await bundleWithPlugin(scratch, ENTRY, plugin.lazySchemaCompilersPlugin, true);
    const run = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
    assert.deepEqual(run.plain, { ajv: 0, answer: { echo: { a: 1 } } });
    assert.deepEqual(run.valid, { n: 2 });
    assert.equal(run.invalid, 400);
    assert.ok(run.schema.ajv > 0);
  });

  test('the bundle leaves the compilers unevaluated until a schema needs one', async () => {
    const outfile = await bundleWithPlugin(scratch, `
import Fastify from 'fastify';
const app = Fastify();
app.post('/', async () => 'ok');
await app.ready();
console.log(JSON.stringify({ ajvLoaded: globalThis.__ajvLoaded === true }));
`, {
      name: 'mark-ajv',
      setup(build) {
        plugin.lazySchemaCompilersPlugin.setup(build);
        build.onLoad({ filter: /[\\/]@fastify[\\/]ajv-compiler[\\/]index\.js$/ }, async ({ path }) => ({
          contents: `globalThis.__ajvLoaded = true;\n${(await import('node:fs')).readFileSync(path, 'utf8')}`,
          loader: 'js',
        }));
      },
    }, true);
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' })), { ajvLoaded: false });
  });

  test('a schema-controller.js without the code the plugin expects fails the build', () => {
    assert.throws(() => plugin.lazySchemaCompilers("const x = require('@fastify/ajv-compiler')\n", 'schema-controller.js'), /schema-controller\.js: not the buildValidator/);
  });
});
