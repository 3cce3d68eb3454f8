// Bundles the CLI and the library into single ESM files: importing the stack as separate
// packages costs ~0.7 s on Node 20, one bundled file a fraction of that (see docs/architecture.md).
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
