// The explorer's routes through fastify's inject(): the page for a browser's GET /, JSON-RPC's
// answer for other GETs, the prebuilt files (dist/explorer, from `npm run build`), the method names,
// and --no-explorer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { EXPLORER_DIR, methodNames } from '../../src/eth-rpc/explorer-routes.js';
import { buildServer } from '../../src/eth-rpc/server.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { setupRpc, type RpcResponse } from '../helpers/rpc-harness.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('the explorer page', () => {
  test('a browser opening / gets the page; JSON-RPC still answers GET without HTML and POST', async (t) => {
    const { app, result } = await setupRpc(t);
    const page = await app.inject({ method: 'GET', url: '/', headers: { accept: BROWSER_ACCEPT } });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.body, readFileSync(join(EXPLORER_DIR, 'index.html'), 'utf8'));
    assert.match(page.body, /<script type="module" src="\/explorer\/app.js"><\/script>/);
    // Lotus's path stays JSON-RPC only.
    const v1 = await app.inject({ method: 'GET', url: '/rpc/v1', headers: { accept: BROWSER_ACCEPT } });
    assert.equal((v1.json() as RpcResponse).error?.code, -32600);
    const plain = await app.inject({ method: 'GET', url: '/' });
    assert.equal((plain.json() as RpcResponse).error?.code, -32600);
    assert.equal(await result('eth_chainId'), '0x1df5e76');
  });

  test('/explorer/ serves the script and the styles it was built with, and 404 for anything else', async (t) => {
    const { app } = await setupRpc(t);
    const script = await app.inject({ method: 'GET', url: '/explorer/app.js' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.body, readFileSync(join(EXPLORER_DIR, 'app.js'), 'utf8'));
    const styles = await app.inject({ method: 'GET', url: '/explorer/app.css' });
    assert.equal(styles.headers['content-type'], 'text/css; charset=utf-8');
    for (const url of ['/explorer/secret.txt', '/explorer/..%2Fpackage.json']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
    }
  });

  test('methods.json names the builtin actors\' methods by kind and number, FRC-42 and legacy', async (t) => {
    const { app } = await setupRpc(t);
    const names = (await app.inject({ method: 'GET', url: '/explorer/methods.json' })).json() as Record<string, Record<string, string>>;
    assert.deepEqual(names, JSON.parse(JSON.stringify(methodNames())));
    assert.equal(names.storagemarket!['4'], 'PublishStorageDeals');
    assert.equal(names.storagemarket!['2'], 'AddBalance');
    assert.equal(names.storageminer!['0'], 'Send');
    assert.equal(names.evm!['3844450837'], 'InvokeContract');
    assert.equal(names.eam!['4'], 'CreateExternal');
    // FRC-42: blake2b-512("1|GetBalance")'s first word >= 2^24.
    assert.equal(Object.entries(names.storagemarket!).find(([, name]) => name === 'GetBalance')?.[0], '726108461');
  });

  test('--no-explorer: GET / is JSON-RPC\'s answer, and /explorer/ is not served', async (t) => {
    const devnet = await createDevnet(testConfig({ explorer: false }));
    const app = await buildServer(devnet, { log: pino({ level: 'silent' }), explorer: false });
    t.after(async () => {
      devnet.close();
      await app.close();
    });
    const page = await app.inject({ method: 'GET', url: '/', headers: { accept: BROWSER_ACCEPT } });
    assert.deepEqual(page.json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'send JSON-RPC requests with POST, or open a WebSocket' } });
    assert.equal((await app.inject({ method: 'GET', url: '/explorer/app.js' })).statusCode, 404);
  });
});
