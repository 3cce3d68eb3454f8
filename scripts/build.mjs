// Bundles the CLI and the library into single ESM files: importing the stack as separate
// packages costs ~0.7 s on Node 20, one bundled file a fraction of that (see docs/architecture.md).
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  // secp256k1 loads a prebuilt native addon from its own folder: load it from node_modules.
  external: ['secp256k1'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

await build({ ...shared, entryPoints: ['bin/fvm-devnet.ts'], outfile: 'dist/fvm-devnet.js',
  banner: { js: '#!/usr/bin/env node\n' + shared.banner.js } });
await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });

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
