// An esbuild plugin that loads some of Node's built-in modules on their first use instead of at a
// dependency's top level: fastify requires node:http2 and node:https (for servers the node never
// makes), ws node:https and node:tls (for client connections) and node:zlib (for compressed
// messages, which only a client that asks for them gets). A start loaded and initialised the 17
// internal modules behind them before its first answer, which needs none of them.
// Each listed `const name = require('module')` becomes an object that requires the module when one
// of its properties is first read. That is the same only where the file reads properties of `name`
// and nothing else (no destructuring, instanceof or spreading): the plugin checks that every use of
// the name is `name.`, and fails the build, naming the file, where a new version of it differs.
import { readFile } from 'node:fs/promises';

/** Files (by the end of their path in node_modules) and the built-ins they load lazily. */
const LAZY = [
  { file: 'fastify/lib/server.js', modules: ['node:http2', 'node:https'] },
  { file: 'ws/lib/websocket.js', modules: ['https', 'tls'] },
  { file: 'ws/lib/permessage-deflate.js', modules: ['zlib'] },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The source without its comments (and the rest of a line after `//` that no `:` or quote precedes). */
const withoutComments = (source) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');

/** The source with each module's `const name = require(...)` made lazy; throws where that would not be the same. */
export function lazyRequires(source, path, modules) {
  let out = source;
  for (const module of modules) {
    const declaration = new RegExp(`^const (\\w+) = require\\('${escape(module)}'\\)(;?)\\n`, 'm');
    const found = declaration.exec(out);
    const name = found?.[1];
    // The name, outside comments, where it is not a property (`.name`), inside a string or a URL, or an
    // object's key or a URL's scheme (`name:`): the declaration, then only reads of its properties (`name.`).
    const uses = name ? [...withoutComments(out).matchAll(new RegExp(`(?<![\\w.$'"\`/:])${name}\\b(?!:)(.?)`, 'g'))] : [];
    if (!found || uses.filter((use) => use[1] !== '.').length !== 1) {
      throw new Error(`${path}: not the require('${module}') whose properties alone are read that scripts/lazy-builtins.mjs expects; update the plugin`);
    }
    // On the declaration's one line, so that the file's later lines keep their numbers.
    const lazy = `let ${name}Loaded; const ${name} = new Proxy({}, { get: (_, key) => (${name}Loaded ??= require('${module}'))[key] })${found[2]}\n`;
    out = out.replace(declaration, lazy);
  }
  return out;
}

export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    for (const { file, modules } of LAZY) {
      const filter = new RegExp(`[\\\\/]node_modules[\\\\/]${escape(file).replace(/\\\//g, '[\\\\/]')}$`);
      build.onLoad({ filter }, async ({ path }) => ({ contents: lazyRequires(await readFile(path, 'utf8'), path, modules), loader: 'js' }));
    }
  },
};
