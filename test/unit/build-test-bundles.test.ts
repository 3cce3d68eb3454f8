// scripts/test-bundles.mjs, how `npm test` builds the test files: each one (this one too) is a bundle
// whose imports are Node's modules, the shared chunks and the packages left in node_modules, not
// src/ or test/helpers one file at a time, nor ethers or @ethereumjs from node_modules; the chunks sit
// two folders deep, where the import.meta.url readers among them find dist/ and the repository.
// The imports are read from the metafile esbuild wrote beside the build (milliseconds, where parsing
// the ~17 MB of bundles again took ~35 s); this file's own bundle is parsed too, to hold the two together.
// Every kind of import is checked: a bundled CommonJS package's require too, but the optional ones it
// tries in a try/catch. Run from the sources, this file checks the last build, .test-build, as it was
// left: run `node scripts/build-tests.mjs` first.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { build, type Plugin } from 'esbuild';
import { EXPLORER_DIR } from '../../src/eth-rpc/explorer-routes.js';
import { REPO_ROOT } from '../helpers/solc.js';

const { CHUNKS_DIR, KEPT_PACKAGES, META_FILE, TEST_BUNDLE_OPTIONS } = await import(pathToFileURL(join(REPO_ROOT, 'scripts/test-bundles.mjs')).href);
/** The build this file was compiled into (.test-build for `npm test`); run from the sources, .test-build. */
const here = fileURLToPath(new URL('../..', import.meta.url));
const FROM_SOURCES = relative(REPO_ROOT, here) === '';
const OUT = FROM_SOURCES ? join(REPO_ROOT, '.test-build') : here;

interface Import { path: string; kind: string; external?: boolean }
/** Each output's imports, from esbuild's metafile: a chunk by its path from the repository, a package or Node module by its name. */
const outputs = (): Map<string, Import[]> => {
  const { outputs: list } = JSON.parse(readFileSync(join(OUT, META_FILE), 'utf8')) as { outputs: Record<string, { imports: Import[] }> };
  return new Map(Object.entries(list).map(([file, { imports }]) => [join(REPO_ROOT, file), imports]));
};
/** The optional dependencies a bundled package requires in a try/catch, missing here: node-fetch's `encoding` (web3.js). */
const OPTIONAL_REQUIRES = ['encoding'];
const assertBuilt = () => assert.ok(existsSync(join(OUT, META_FILE)), `${join(OUT, META_FILE)} is missing: run node scripts/build-tests.mjs first (this checks the last test build)`);
/** This file's own bundle in that build. */
const self = FROM_SOURCES ? join(OUT, 'test', 'unit', 'build-test-bundles.test.js') : fileURLToPath(import.meta.url);

/** The static imports of one file as esbuild parses it: a build that writes nothing and leaves every import out. */
async function parsedImports(file: string): Promise<string[]> {
  const leaveOut: Plugin = { name: 'leave-out', setup: (b) => b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path, external: true })) };
  const { metafile } = await build({ entryPoints: [file], bundle: true, write: false, metafile: true, outdir: 'out', format: 'esm', platform: 'node', logLevel: 'silent', plugins: [leaveOut] });
  return Object.values(metafile.inputs).flatMap(({ imports }) => imports.filter((i) => i.kind === 'import-statement').map((i) => i.path));
}

/** Whether `file` starts with `text`: only that many bytes are read (the build is ~470 files, ~17 MB). */
function startsWith(file: string, text: string): boolean {
  const expected = Buffer.from(text);
  const head = Buffer.alloc(expected.length);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(expected);
  } finally {
    closeSync(fd);
  }
}

function isKeptPackage(specifier: string): boolean {
  return (KEPT_PACKAGES as string[]).some((kept) =>
    kept.endsWith('/*') ? specifier.startsWith(kept.slice(0, -1)) : specifier === kept || specifier.startsWith(`${kept}/`));
}

test('each compiled test file and chunk imports only Node modules, chunks two folders deep and the packages kept out', async () => {
  const chunks = join(OUT, CHUNKS_DIR);
  assert.equal(relative(OUT, chunks).split(/[\\/]/).length, 2);
  assertBuilt();
  const imports = outputs();
  assert.ok(imports.has(self), 'this file is among them');
  // The metafile says what this file imports as its bundle does.
  const own = (imports.get(self) ?? []).filter((i) => i.kind === 'import-statement');
  const parsed = (await parsedImports(self)).map((specifier) => (specifier.startsWith('.') ? join(dirname(self), specifier) : specifier));
  assert.deepEqual([...new Set(parsed)].sort(), [...new Set(own.map((i) => (i.external ? i.path : join(REPO_ROOT, i.path))))].sort());
  assert.ok(own.some((i) => i.path === 'node:test') && own.some((i) => !i.external), `read this file's imports: ${JSON.stringify(own)}`);
  const strays: string[] = [];
  for (const [file, list] of imports) {
    const name = relative(OUT, file);
    if (!/^test[\\/](unit|e2e|chunks)[\\/]/.test(name)) strays.push(`${name} is outside test/unit, test/e2e and the chunks`);
    if (!startsWith(file, TEST_BUNDLE_OPTIONS.banner.js)) strays.push(`${name} has no banner giving it require`);
    for (const i of list) {
      const ok = !i.external
        ? dirname(join(REPO_ROOT, i.path)) === chunks
        : i.path.startsWith('node:') || builtinModules.includes(i.path) || isKeptPackage(i.path)
          || (i.kind === 'require-call' && OPTIONAL_REQUIRES.includes(i.path));
      if (!ok) strays.push(`${name} ${i.kind === 'require-call' ? 'requires' : 'imports'} ${i.path}`);
    }
  }
  assert.deepEqual(strays, []);
});

test('the build holds the test files, their chunks, the metafile and the link to dist/, nothing compiled alone', () => {
  assertBuilt();
  assert.deepEqual(readdirSync(OUT).sort(), ['dist', META_FILE, 'test'].sort());
  assert.deepEqual(readdirSync(join(OUT, 'test')).sort(), [basename(CHUNKS_DIR), 'e2e', 'unit'].sort());
});

test('the explorer page, found from a chunk through import.meta.url, is the build\'s link to dist/ and is there', () => {
  // From a chunk one folder too shallow, ../../dist would be the repository's dist/, which is there too.
  assert.equal(EXPLORER_DIR, join(FROM_SOURCES ? REPO_ROOT : OUT, 'dist', 'explorer'));
  assert.ok(existsSync(join(EXPLORER_DIR, 'index.html')), EXPLORER_DIR);
});
