// Bundles the CLI and the library into single files: importing the stack as separate packages
// costs ~0.7 s on Node 20, one bundled file a fraction of that (see docs/architecture.md). The CLI
// is a CommonJS bundle (dist/cli.cjs) that the command (dist/fvm-devnet.js) runs with V8's code
// cache, which scripts/code-cache.mjs writes last (bin/code-cache.ts says why). Before it, the
// default mnemonic's keys (dist/default-keys.json, scripts/default-keys.ts), which a start reads
// rather than derives. Beside them, the library's type declarations (dist/types), emitted by tsc while
// esbuild bundles.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { lazyBuiltins } from './lazy-builtins.mjs';
import { lazyDuplexifyPlugin } from './lazy-duplexify.mjs';
import { lazySchemaCompilersPlugin } from './lazy-schema-compilers.mjs';
import { linearCustomOpcodesPlugin } from './linear-custom-opcodes.mjs';
import { noBigintTable } from './no-bigint-table.mjs';
import { syncWasmCompile } from './sync-wasm-compile.mjs';

// V8 checks a code cache against the length of the source only: never leave one beside another bundle.
rmSync('dist/cli.cjs.cache', { force: true });
// A library bundle of an older build (dist/index.js, before dist/ was CommonJS) would no longer load.
rmSync('dist/index.js', { force: true });
rmSync('dist/index.js.map', { force: true });

// The declarations of what src/index.ts exports, for TypeScript users of the library (package.json's
// "types"). tsconfig.declarations.json emits them without a type check (`npm test`'s tsc --noEmit is
// the check): ~1 s of CPU, in a process of its own while the bundles build. A folder of ES modules in
// dist/, which is CommonJS, as the library they describe is (dist/index.mjs).
rmSync('dist/types', { recursive: true, force: true });
const tsc = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.declarations.json'], { stdio: 'inherit' });
const declarationsEmitted = new Promise((resolve) => tsc.on('close', (code) => resolve(code === 0)));

/** Dependencies fastify and @fastify/websocket require only on first use, which the command never makes: ~540 KB of text. */
const NEVER_RUN_BY_THE_COMMAND = ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request', 'duplexify'];

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // secp256k1 loads a prebuilt native addon from its own folder: load it from node_modules.
  external: ['secp256k1'],
  // Start-up does not build @ethereumjs/util's table of 65 536 BigInts, makes hash-wasm's hashers
  // synchronously, loads node:http2, https, tls and zlib only if used, fastify's schema compilers
  // only for a schema and duplexify only for injectWS, and builds the EVM's opcode table without a
  // copy per custom opcode (each plugin says why).
  plugins: [noBigintTable, syncWasmCompile, lazyBuiltins, lazySchemaCompilersPlugin, lazyDuplexifyPlugin, linearCustomOpcodesPlugin],
};

await build({
  ...shared,
  entryPoints: ['bin/fvm-devnet.ts'],
  outfile: 'dist/cli.cjs',
  format: 'cjs',
  // What the command never runs stays in node_modules, out of the text every start reads: fastify's
  // schema compilers (a route with a schema; the node's have none), light-my-request (inject) and
  // duplexify (@fastify/websocket's injectWS).
  external: [...shared.external, ...NEVER_RUN_BY_THE_COMMAND],
  // The explorer's files are found beside the bundle, through import.meta.url.
  define: { 'import.meta.url': '__import_meta_url' },
  // The bundle is a function expression, CommonJS's module wrapper: bin/code-cache.ts compiles it as it is.
  // Strict, as the ES modules it is made of (a directive counts only first in the function).
  banner: { js: "(function (exports, require, module, __filename, __dirname) {\n'use strict';\nconst __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  // ASCII only (esbuild's default, said here because the loader reads the bundle as Latin-1).
  charset: 'ascii',
  // Without indentation and comments: every start reads the bundle into a string V8 keeps (4.1 → 2.7 MB);
  // names stay, so stack traces still name functions.
  minifyWhitespace: true,
});
// dist/ is CommonJS (its own package.json), so that `node dist/fvm-devnet.js` starts without Node's ES
// module loader (~12 ms of CPU and ~200 page faults a start); the library is dist/index.mjs.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
const launcherUrl = { define: { 'import.meta.url': '__import_meta_url' }, banner: { js: "'use strict';\nconst __import_meta_url = require('node:url').pathToFileURL(__filename).href;" } };
await build({ ...shared, ...launcherUrl, entryPoints: ['bin/code-cache.ts'], outfile: 'dist/code-cache.js', format: 'cjs', sourcemap: false });
await build({ ...shared, ...launcherUrl, entryPoints: ['bin/launch.ts'], outfile: 'dist/fvm-devnet.js', format: 'cjs', sourcemap: false,
  banner: { js: `#!/usr/bin/env node\n${launcherUrl.banner.js}` } });
await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.mjs', format: 'esm',
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });

// The explorer page (src/explorer) for browsers, and its static files: the node serves dist/explorer.
await build({
  entryPoints: ['src/explorer/main.ts'],
  outfile: 'dist/explorer/app.js',
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'esm',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(`src/explorer/static/${file}`, `dist/explorer/${file}`);

// The default mnemonic's keys, derived by the sources' own code, bundled to a scratch file and run.
const scratch = mkdtempSync(join(tmpdir(), 'fvm-devnet-build-'));
try {
  const writer = join(scratch, 'default-keys.mjs');
  await build({ ...shared, entryPoints: ['scripts/default-keys.ts'], outfile: writer, format: 'esm', sourcemap: false,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  execFileSync(process.execPath, [writer, 'dist/default-keys.json'], { stdio: 'inherit' });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// Last, as it runs the CLI bundle built above (in a process of its own: it starts a node).
execFileSync(process.execPath, ['scripts/code-cache.mjs'], { stdio: 'inherit' });

if (!(await declarationsEmitted)) throw new Error('tsc -p tsconfig.declarations.json failed');
writeFileSync('dist/types/package.json', '{ "type": "module" }\n');
