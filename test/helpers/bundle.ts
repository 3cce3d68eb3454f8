// Bundles a test's entry module with one of the build's esbuild plugins (scripts/*.mjs) as the build
// does for Node, so a plugin test can run or import what the plugin made.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { REPO_ROOT } from './solc.js';

/**
 * Writes `source` as entry.mjs in `dir`, bundles it with `plugin` into bundle.mjs and returns that
 * path. `withRequire` gives the ES module bundle a `require`, for CommonJS dependencies that call one.
 */
export async function bundleWithPlugin(dir: string, source: string, plugin: Plugin, withRequire = false): Promise<string> {
  const entry = join(dir, 'entry.mjs');
  const outfile = join(dir, 'bundle.mjs');
  writeFileSync(entry, source);
  await build({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent',
    nodePaths: [join(REPO_ROOT, 'node_modules')], plugins: [plugin],
    banner: withRequire ? { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } : undefined,
  });
  return outfile;
}
