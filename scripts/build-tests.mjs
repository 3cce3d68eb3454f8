// Compiles the test files (test/unit, test/e2e; not test/live, nor the projects in test/fixtures,
// which their own tools run) to JavaScript in .test-build/, so that `npm test` runs each test file on
// plain Node: through tsx's loader hooks a file spent ~2.4 s of CPU before its first test. Each one is a
// bundle of what it imports (scripts/test-bundles.mjs says how and why); nothing else is compiled, as
// nothing under `npm test` loads a module of src/, bin/, bench/ or test/helpers alone (a child process
// that needs one runs the sources through tsx). The type check is `tsc --noEmit`, which `npm test` runs
// first. The chunks find dist/ from import.meta.url (../../dist) through a link; the tests' REPO_ROOT
// is the folder with package.json (test/helpers/solc.ts), which .test-build has none of.
import { readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { isTestFile, META_FILE, TEST_BUNDLE_OPTIONS } from './test-bundles.mjs';

const OUT = '.test-build';

const testFiles = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .map((file) => join('test', file))
  .filter(isTestFile);

rmSync(OUT, { recursive: true, force: true });
const bundles = await build({
  outdir: OUT, outbase: '.', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning',
  ...TEST_BUNDLE_OPTIONS, entryPoints: testFiles, metafile: true,
});
// What each bundle and chunk imports, as esbuild wrote them, for test/unit/build-test-bundles.test.ts.
const imports = Object.entries(bundles.metafile.outputs).map(([file, { imports: list }]) => [file, { imports: list }]);
writeFileSync(join(OUT, META_FILE), JSON.stringify({ outputs: Object.fromEntries(imports) }));
symlinkSync('../dist', join(OUT, 'dist'));
