// scripts/test-bundles.mjs, how `npm test` builds the test files: each one (this one too) is a bundle
// whose imports are Node's modules, the shared chunks and the packages left in node_modules, not
// src/ or test/helpers one file at a time, nor ethers or @ethereumjs from node_modules; the chunks sit
// two folders deep, where the import.meta.url readers among them find dist/ and the repository.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { build, type Plugin } from 'esbuild';
import { EXPLORER_DIR } from '../../src/eth-rpc/explorer-routes.js';
import { REPO_ROOT } from '../helpers/solc.js';

const { CHUNKS_DIR, KEPT_PACKAGES, TEST_BUNDLE_OPTIONS } = await import(pathToFileURL(join(REPO_ROOT, 'scripts/test-bundles.mjs')).href);
/** The build this file was compiled into (.test-build for `npm test`); run from the sources, .test-build. */
const here = fileURLToPath(new URL('../..', import.meta.url));
const OUT = relative(REPO_ROOT, here) === '' ? join(REPO_ROOT, '.test-build') : here;

/**
 * The static imports of each file (and its dynamic imports of relative paths), as esbuild parses them:
 * a build that writes nothing and leaves every import out.
 */
async function importsOf(files: string[]): Promise<Map<string, string[]>> {
  const leaveOut: Plugin = { name: 'leave-out', setup: (b) => b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path, external: true })) };
  const { metafile } = await build({ entryPoints: files, bundle: true, write: false, metafile: true, outdir: 'out', format: 'esm', platform: 'node', logLevel: 'silent', plugins: [leaveOut] });
  const imports = new Map<string, string[]>();
  for (const [input, { imports: list }] of Object.entries(metafile.inputs)) {
    imports.set(join(process.cwd(), input), list.filter((i) => i.kind === 'import-statement' || (i.kind === 'dynamic-import' && i.path.startsWith('.'))).map((i) => i.path));
  }
  return imports;
}

function isKeptPackage(specifier: string): boolean {
  return (KEPT_PACKAGES as string[]).some((kept) =>
    kept.endsWith('/*') ? specifier.startsWith(kept.slice(0, -1)) : specifier === kept || specifier.startsWith(`${kept}/`));
}

test('each compiled test file and chunk imports only Node modules, chunks two folders deep and the packages kept out', async () => {
  const chunks = join(OUT, CHUNKS_DIR);
  assert.equal(relative(OUT, chunks).split(/[\\/]/).length, 2);
  const files = [
    ...['test/unit', 'test/e2e'].flatMap((dir) => readdirSync(join(OUT, dir)).map((file) => join(OUT, dir, file))),
    ...(existsSync(chunks) ? readdirSync(chunks).map((file) => join(chunks, file)) : []),
  ];
  assert.ok(files.some((file) => file.endsWith('build-test-bundles.test.js')), 'this file is among them');
  const imports = await importsOf(files);
  const own = imports.get(fileURLToPath(import.meta.url)) ?? [];
  assert.ok(own.includes('node:test') && own.some((specifier) => specifier.startsWith('.')), `read this file's imports: ${own}`);
  const strays: string[] = [];
  for (const file of files) {
    if (!readFileSync(file, 'utf8').startsWith(TEST_BUNDLE_OPTIONS.banner.js)) strays.push(`${relative(OUT, file)} has no banner giving it require`);
    for (const specifier of imports.get(file) ?? []) {
      const ok = specifier.startsWith('.')
        ? dirname(join(dirname(file), specifier)) === chunks
        : specifier.startsWith('node:') || builtinModules.includes(specifier) || isKeptPackage(specifier);
      if (!ok) strays.push(`${relative(OUT, file)} imports ${specifier}`);
    }
  }
  assert.deepEqual(strays, []);
});

test('the explorer page, found from a chunk through import.meta.url, is there', () => {
  assert.ok(existsSync(join(EXPLORER_DIR, 'index.html')), EXPLORER_DIR);
});
