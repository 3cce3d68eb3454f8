#!/usr/bin/env node
// A `solc` for forge that needs no download: it answers the two things forge asks of a compiler,
// `--version` and `--standard-json` (input on stdin, output on stdout), with solc-js, the `solc`
// npm package (`npm install --save-dev solc`). foundry.toml points at it with `solc = "..."`.
//
// It never calls process.exit() after writing: stdout is a pipe, and exiting at once cuts a large
// compiler output at 64 KiB. It sets process.exitCode and lets Node drain the pipe.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** `require(id)` from the `solc` package, or undefined after saying how to install it. */
function fromSolcPackage(id) {
  try {
    return require(id);
  } catch (err) {
    process.stderr.write(`solc-wrapper: cannot load the solc npm package (npm install --save-dev solc): ${err.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
}

/** The value of `--name value` or `--name=value`, for every occurrence. */
function optionValues(name) {
  const values = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) values.push(args[++i]);
    else if (args[i].startsWith(`${name}=`)) values.push(args[i].slice(name.length + 1));
  }
  return values.flatMap((v) => v.split(',')).filter((v) => v !== '');
}

function readStdin() {
  return new Promise((resolvePromise, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

if (args.includes('--version') || args.includes('-v')) {
  // forge asks this before every command, even with nothing to compile: the package's version (solc-js
  // is published under its compiler's), not the compiler loaded for solc.version(), which costs a
  // second of CPU. forge reads the last line, strips "Version: " and keeps major.minor.patch.
  const pkg = fromSolcPackage('solc/package.json');
  if (pkg) process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${pkg.version}\n`);
} else if (args.includes('--standard-json')) {
  const solc = fromSolcPackage('solc');
  if (solc) {
    const input = await readStdin();
    // forge puts every source in the input; this callback only serves an import it left out,
    // looked up under --base-path and --include-path as solc does.
    const roots = [...optionValues('--base-path'), ...optionValues('--include-path'), process.cwd()];
    const findImports = (path) => {
      for (const root of isAbsolute(path) ? [''] : roots) {
        try {
          return { contents: readFileSync(resolve(root, path), 'utf8') };
        } catch {
          // try the next root
        }
      }
      return { error: `File not found: ${path}` };
    };
    process.stdout.write(solc.compile(input, { import: findImports }));
  }
} else {
  process.stderr.write('solc-wrapper: only --version and --standard-json are supported\n');
  process.exitCode = 1;
}
