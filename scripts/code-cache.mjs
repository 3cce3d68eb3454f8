// Writes dist/cli.cjs.cache, the code cache bin/code-cache.ts gives V8: runs the CLI bundle in this
// process as the command does, waits for the node's first answer, and saves the code of every
// function compiled by then (what start-up needs, not what later requests use, which would only make
// the cache bigger to read). Run by scripts/build.mjs after the bundles are built.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { CLI_CODE_CACHE, compileCli } from '../dist/code-cache.js'; // CommonJS (dist/package.json)

const TIMEOUT_MS = 30_000;

const port = await new Promise((resolve, reject) => {
  const server = createServer().once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

const { script, run } = compileCli();
process.argv = [process.argv[0], process.argv[1], '--port', String(port), '--silent'];
run();

const started = Date.now();
for (;;) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }),
    });
    await response.json();
    break;
  } catch (err) {
    if (Date.now() - started > TIMEOUT_MS) throw new Error(`the node did not answer within ${TIMEOUT_MS / 1000} s: ${err.message}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
writeFileSync(CLI_CODE_CACHE, script.createCachedData());
process.exit(0);
