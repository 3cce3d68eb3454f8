// An esbuild plugin that has fastify load its JSON-schema compilers (@fastify/ajv-compiler with ajv,
// @fastify/fast-json-stringify-compiler with fast-json-stringify: ~400 KB of the bundle) when a route
// with a schema first needs one, not when a server is made. The node's routes have no schemas, so a
// start evaluated all of that for nothing. Each builder is still made once per server, on first use,
// and is the one fastify would have made; the build fails if a new version of fastify's
// lib/schema-controller.js no longer has the code this expects.
import { readFile } from 'node:fs/promises';

/** `const Selector = require('<compiler>')` and the line that makes the builder from it. */
const BUILDERS = [
  { selector: 'ValidatorSelector', module: '@fastify/ajv-compiler', builder: 'buildValidator' },
  { selector: 'SerializerSelector', module: '@fastify/fast-json-stringify-compiler', builder: 'buildSerializer' },
];

export function lazySchemaCompilers(source, path) {
  let out = source;
  for (const { selector, module, builder } of BUILDERS) {
    const eager = `    const ${selector} = require('${module}')\n    compilersFactory.${builder} = ${selector}()\n`;
    if (out.split(eager).length !== 2) throw new Error(`${path}: not the ${builder} scripts/lazy-schema-compilers.mjs expects; update the plugin`);
    // Two lines, as before, so that the file's later lines keep their numbers.
    out = out.replace(eager, `    let ${selector}Built\n    compilersFactory.${builder} = (...args) => (${selector}Built ??= require('${module}')())(...args)\n`);
  }
  return out;
}

export const lazySchemaCompilersPlugin = {
  name: 'lazy-schema-compilers',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]fastify[\\/]lib[\\/]schema-controller\.js$/ }, async ({ path }) => ({
      contents: lazySchemaCompilers(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};
