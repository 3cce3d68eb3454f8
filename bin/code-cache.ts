// Runs the CLI bundle (dist/cli.cjs) with V8's code cache (dist/cli.cjs.cache): the functions that
// start-up compiled when the build ran the node to its first answer (scripts/code-cache.mjs), so a
// start compiles next to nothing; ~90 ms of ~290 on Node 20, which has no module compile cache
// (module.enableCompileCache is Node 22) and caches CommonJS code only through vm.Script.
// A cache that does not fit (another Node or V8 flags, a bundle of another length) is rejected by V8
// and the bundle compiles as it would without one; V8 checks only the source's length, so
// scripts/build.mjs deletes the cache before it rebuilds the bundle.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

export const CLI_BUNDLE = fileURLToPath(new URL('./cli.cjs', import.meta.url));
export const CLI_CODE_CACHE = `${CLI_BUNDLE}.cache`;

/**
 * The old generation may grow to twice what the last full collection left before the next, where V8
 * lets it grow up to fourfold when collections are fast: eth_call's short-lived objects, kept a while
 * by the serial queue, reach the old generation, and the node's peak memory over the bench went from
 * ~320 to ~250 MiB at no measurable CPU cost (1.5× saved ~35 MiB more for ~8 % more CPU).
 * V8 checks a code cache against its flags, so the command and the cache's producer both set them here.
 */
const V8_FLAGS = '--heap-growing-percent=100';

/** Reads the file at `path` into `buffer` from its start; the bytes read. */
function readInto(path: string, buffer: Buffer): number {
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    for (let n; read < buffer.length && (n = readSync(fd, buffer, read, buffer.length - read, read)) > 0; ) read += n;
    return read;
  } finally {
    closeSync(fd);
  }
}

/** A file's size, or undefined if it does not exist (the cache before scripts/code-cache.mjs wrote it). */
function sizeOf(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.size;
}

/**
 * The bundle's text and its code cache, read through one buffer: the cache goes where the bundle's
 * bytes were once they are a string. Every page of memory a start touches for the first time costs
 * it (~3.5 ms a MB on the machines the bench ran on), and this saves the cache's 2 MB of them.
 */
function readBundle(): { source: string; cachedData?: Buffer } {
  const cacheSize = sizeOf(CLI_CODE_CACHE);
  const sourceSize = sizeOf(CLI_BUNDLE) ?? 0;
  const buffer = Buffer.allocUnsafeSlow(Math.max(sourceSize, cacheSize ?? 0));
  const source = buffer.toString('latin1', 0, readInto(CLI_BUNDLE, buffer));
  if (cacheSize === undefined) return { source };
  return { source, cachedData: buffer.subarray(0, readInto(CLI_CODE_CACHE, buffer.subarray(0, cacheSize))) };
}

/**
 * The CLI bundle compiled (with the cache when it fits) and a function that runs it as a CommonJS
 * module. The bundle is its own module wrapper (scripts/build.mjs), so its text is compiled as read,
 * not copied into a wrapped one (V8 keeps the source of compiled code: ~2.7 MB).
 */
export function compileCli(): { script: Script; run(): void } {
  setFlagsFromString(V8_FLAGS);
  const { source, cachedData } = readBundle();
  const script = new Script(source, { filename: CLI_BUNDLE, cachedData });
  const run = () => {
    const module = { exports: {} };
    script.runInThisContext()(module.exports, createRequire(CLI_BUNDLE), module, CLI_BUNDLE, dirname(CLI_BUNDLE));
  };
  return { script, run };
}
