// An esbuild plugin for @ethereumjs/util's bytes.js, whose top level fills a table of the 65 536
// BigInts 0–65 535 that bytesToBigInt returns for one- and two-byte inputs. Every start paid for
// it before its first answer (~4 ms, and ~2 MB of heap that made start-up's scavenges copy more and
// the idle node ~5 MiB larger); bytesToBigInt has built the input's hex string by then, so
// BigInt(n) costs it next to nothing. The bundles get the same function without the table; the
// build fails if a new version of the file no longer has the table this expects.
import { readFile } from 'node:fs/promises';

const TABLE = /\/\/ BigInt cache[^\n]*\nconst BIGINT_CACHE = \[\];\nfor \(let i = 0; i <= 256 \* 256 - 1; i\+\+\) \{\n\s*BIGINT_CACHE\[i\] = BigInt\(i\);\n\}\n/;
const LOOKUP = /BIGINT_CACHE\[(.+?)\];/g;

export const noBigintTable = {
  name: 'no-bigint-table',
  setup(build) {
    build.onLoad({ filter: /[\\/]@ethereumjs[\\/]util[\\/]dist[\\/]esm[\\/]bytes\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replace(TABLE, '').replace(LOOKUP, 'BigInt($1);');
      if (!TABLE.test(source) || contents.includes('BIGINT_CACHE')) {
        throw new Error(`${path}: not the BigInt table scripts/no-bigint-table.mjs expects; update the plugin`);
      }
      return { contents, loader: 'js' };
    });
  },
};
