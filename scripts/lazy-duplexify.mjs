// An esbuild plugin that has @fastify/websocket require duplexify on first use instead of at its top
// level: only its `injectWS` (a test helper, never used by the node) makes one, and duplexify brings
// readable-stream (~70 KB of text whose top level builds its error classes on every start). With it,
// the CLI bundle leaves duplexify in node_modules (scripts/build.mjs). `const Duplexify = require(...)`
// becomes a function that constructs the real class, the same where the file does nothing with the name
// but `new Duplexify(`: the plugin checks that, and fails the build where a new version differs.
import { readFile } from 'node:fs/promises';

const DECLARATION = "const Duplexify = require('duplexify')\n";

/** The source with duplexify required by the first `new Duplexify(`; throws where that would not be the same. */
export function lazyDuplexify(source, path) {
  const uses = [...source.matchAll(/\bDuplexify\b(.{0,1})/g)];
  const constructions = source.split('new Duplexify(').length - 1;
  if (source.split(DECLARATION).length !== 2 || uses.length !== constructions + 1) {
    throw new Error(`${path}: not the require('duplexify') used only by \`new Duplexify(\` that scripts/lazy-duplexify.mjs expects; update the plugin`);
  }
  // On the declaration's one line, so that the file's later lines keep their numbers.
  return source.replace(DECLARATION, "let DuplexifyLoaded; const Duplexify = function Duplexify (...args) { return new (DuplexifyLoaded ??= require('duplexify'))(...args) }\n");
}

export const lazyDuplexifyPlugin = {
  name: 'lazy-duplexify',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@fastify[\\/]websocket[\\/]index\.js$/ }, async ({ path }) => ({
      contents: lazyDuplexify(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};
