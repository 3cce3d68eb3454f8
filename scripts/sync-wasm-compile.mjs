// An esbuild plugin for hash-wasm's one-algorithm builds (src/common/hashes.ts), which decode their
// WebAssembly from base64 with a JavaScript loop and compile it with WebAssembly.compile: ~5 ms of
// CPU for the two at every start (the loop runs not yet optimised, and the asynchronous compile sets
// up its background jobs), where Node's base64 decoder and a synchronous compile of these few KB take
// ~1 ms. The bundles get the same hashers, still made through hash-wasm's own promises, from a module
// compiled on the spot; the build fails if a new version of the files no longer has the code this expects.
import { readFile } from 'node:fs/promises';

/** `const bytes=decode(wasm.data),module=WebAssembly.compile(bytes.buffer)`, names as minified. */
const DECODE_AND_COMPILE = /const (\w+)=\w+\((\w+)\.data\),(\w+)=WebAssembly\.compile\(\1\.buffer\)/;

export function syncCompiled(source, path) {
  if (!DECODE_AND_COMPILE.test(source) || source.split('WebAssembly.compile(').length !== 2) {
    throw new Error(`${path}: not the WebAssembly loading scripts/sync-wasm-compile.mjs expects; update the plugin`);
  }
  return source.replace(DECODE_AND_COMPILE, (_, bytes, wasm, module) =>
    `const ${bytes}=Buffer.from(${wasm}.data,"base64"),${module}=Promise.resolve(new WebAssembly.Module(${bytes}))`);
}

export const syncWasmCompile = {
  name: 'sync-wasm-compile',
  setup(build) {
    build.onLoad({ filter: /[\\/]hash-wasm[\\/]dist[\\/](keccak|blake2b)\.umd\.min\.js$/ }, async ({ path }) => ({
      contents: syncCompiled(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};
