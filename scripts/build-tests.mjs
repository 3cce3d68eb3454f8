// Compiles the TypeScript the tests run (src/, bin/, scripts/, bench/ and test/, without test/live and the
// projects in test/fixtures, which their own tools run) to
// JavaScript in .test-build/, file by file with the same layout, so that `npm test` runs each test
// file on plain Node: through tsx's loader hooks a file spent ~2.4 s of CPU before its first test.
// The type check is `tsc --noEmit`, which `npm test` runs first. Paths the sources compute from
// import.meta.url (../../dist from src/ and test/) find dist/ through a link; the tests' REPO_ROOT
// is the folder with package.json (test/helpers/solc.ts), which .test-build has none of.
import { readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const OUT = '.test-build';

const sources = ['src', 'bin', 'scripts', 'bench', 'test'].flatMap((dir) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.startsWith('live/') && !file.startsWith('fixtures/'))
    .map((file) => join(dir, file)));

rmSync(OUT, { recursive: true, force: true });
await build({ entryPoints: sources, outdir: OUT, outbase: '.', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
symlinkSync('../dist', join(OUT, 'dist'));
