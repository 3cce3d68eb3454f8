// Runs the CLI bundle (dist/cli.cjs) with V8's code cache (dist/cli.cjs.cache): the functions that
// start-up compiled when the build ran the node to its first answer (scripts/code-cache.mjs), so a
// start compiles next to nothing; ~90 ms of ~290 on Node 20, which has no module compile cache
// (module.enableCompileCache is Node 22) and caches CommonJS code only through vm.Script.
// A cache that does not fit (another Node or V8 flags, a rebuilt bundle) is rejected by V8 and the
// bundle compiles as it would without one.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

export const CLI_BUNDLE = fileURLToPath(new URL('./cli.cjs', import.meta.url));
export const CLI_CODE_CACHE = `${CLI_BUNDLE}.cache`;

function cachedData(): Buffer | undefined {
  try {
    return readFileSync(CLI_CODE_CACHE);
  } catch {
    return undefined; // not built yet: scripts/code-cache.mjs runs the bundle without it
  }
}

/** The CLI bundle compiled (with the cache when it fits) and a function that runs it as a CommonJS module. */
export function compileCli(): { script: Script; run(): void } {
  const script = new Script(Module.wrap(readFileSync(CLI_BUNDLE, 'utf8')), { filename: CLI_BUNDLE, cachedData: cachedData() });
  const run = () => {
    const module = { exports: {} };
    script.runInThisContext()(module.exports, createRequire(CLI_BUNDLE), module, CLI_BUNDLE, dirname(CLI_BUNDLE));
  };
  return { script, run };
}
