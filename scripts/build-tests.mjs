// Compiles the TypeScript the tests run (src/, bin/, scripts/, bench/ and test/, without test/live and the
// projects in test/fixtures, which their own tools run) to
// JavaScript in .test-build/, with the same layout, so that `npm test` runs each test
// file on plain Node: through tsx's loader hooks a file spent ~2.4 s of CPU before its first test.
// The type check is `tsc --noEmit`, which `npm test` runs first. Paths the sources compute from
// import.meta.url (../../dist from src/ and test/) find dist/ through a link; the tests' REPO_ROOT
// is the folder with package.json (test/helpers/solc.ts), which .test-build has none of.
// Each test file is bundled (scripts/test-bundles.mjs says how and why); the other files are compiled
// one by one, for what runs or imports them by path (scripts, bench, a child process's import).
import { readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { isTestFile, META_FILE, TEST_BUNDLE_OPTIONS } from './test-bundles.mjs';

const OUT = '.test-build';

const sources = ['src', 'bin', 'scripts', 'bench', 'test'].flatMap((dir) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.startsWith('live/') && !file.startsWith('fixtures/'))
    .map((file) => join(dir, file)));

const options = { outdir: OUT, outbase: '.', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' };
rmSync(OUT, { recursive: true, force: true });
const [, bundles] = await Promise.all([
  build({ ...options, entryPoints: sources.filter((file) => !isTestFile(file)) }),
  build({ ...options, ...TEST_BUNDLE_OPTIONS, entryPoints: sources.filter(isTestFile), metafile: true }),
]);
// What each bundle and chunk imports, as esbuild wrote them, for test/unit/build-test-bundles.test.ts.
const imports = Object.entries(bundles.metafile.outputs).map(([file, { imports: list }]) => [file, { imports: list }]);
writeFileSync(join(OUT, META_FILE), JSON.stringify({ outputs: Object.fromEntries(imports) }));
symlinkSync('../dist', join(OUT, 'dist'));
