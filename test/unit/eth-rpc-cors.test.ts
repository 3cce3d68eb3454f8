// CORS through fastify's inject(): preflights and headers on every route with any origin allowed
// (the default), an --allow-origin list that browsers and the server both enforce, and the
// WebSocket handshake from a refused origin on a real port.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { parseOrigin } from '../../src/eth-rpc/cors.js';
import { buildServer } from '../../src/eth-rpc/server.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const DAPP = 'http://localhost:3000';
const OTHER = 'http://localhost:4000';
const CHAIN_ID = { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] };
const MINE = { jsonrpc: '2.0', id: 2, method: 'evm_mine', params: [] };
const BLOCK_NUMBER = { jsonrpc: '2.0', id: 3, method: 'eth_blockNumber', params: [] };
const PIECE = '/piece/baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly';

/** The preflight a browser sends before a JSON POST (or a PUT) from `origin`. */
const preflight = (url: string, origin: string, method = 'POST') => ({
  method: 'OPTIONS' as const,
  url,
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
});

/** A server allowing only `origins`, closed when the test ends. */
async function restricted(t: TestContext, origins: string[]) {
  const devnet = await createDevnet(testConfig());
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }), allowOrigins: origins });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  return app;
}

describe('CORS, any origin (the default)', () => {
  test('a preflight on /, /rpc/v1 and /piece/<cid> is 204 with the methods, the asked headers and a max age', async (t) => {
    const { app } = await setupRpc(t);
    for (const [url, method] of [['/', 'POST'], ['/rpc/v1', 'POST'], [PIECE, 'PUT']] as const) {
      const res = await app.inject(preflight(url, DAPP, method));
      assert.equal(res.statusCode, 204, url);
      assert.equal(res.headers['access-control-allow-origin'], '*', url);
      assert.equal(res.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT', url);
      assert.equal(res.headers['access-control-allow-headers'], 'content-type', url);
      assert.equal(res.headers['access-control-max-age'], '600', url);
      assert.equal(res.body, '');
    }
  });

  test('answers carry Access-Control-Allow-Origin: * on JSON-RPC, pieces, and a route added later', async (t) => {
    const { app } = await setupRpc(t);
    app.get('/added-later', async () => ({ ok: true }));
    for (const url of ['/', '/rpc/v1']) {
      const res = await app.inject({ method: 'POST', url, headers: { origin: DAPP }, payload: CHAIN_ID });
      assert.equal(res.headers['access-control-allow-origin'], '*', url);
      assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 1, result: '0x1df5e76' });
    }
    const piece = await app.inject({ method: 'GET', url: PIECE, headers: { origin: DAPP } });
    assert.equal(piece.statusCode, 404);
    assert.equal(piece.headers['access-control-allow-origin'], '*');
    const later = await app.inject({ method: 'GET', url: '/added-later', headers: { origin: DAPP } });
    assert.deepEqual(later.json(), { ok: true });
    assert.equal(later.headers['access-control-allow-origin'], '*');
  });

  test('an OPTIONS request that is not a preflight (no Origin) is refused with 400', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'OPTIONS', url: '/' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['access-control-allow-origin'], '*');
  });
});

describe('CORS with --allow-origin', () => {
  test('an allowed origin gets its own origin back, with Vary: Origin', async (t) => {
    const app = await restricted(t, [DAPP, 'http://127.0.0.1:5173']);
    const pre = await app.inject(preflight('/', DAPP));
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], DAPP);
    assert.match(String(pre.headers.vary), /Origin/);
    const res = await app.inject({ method: 'POST', url: '/', headers: { origin: DAPP }, payload: CHAIN_ID });
    assert.equal(res.headers['access-control-allow-origin'], DAPP);
    assert.match(String(res.headers.vary), /Origin/);
    assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 1, result: '0x1df5e76' });
  });

  test('another origin: its preflight has no Access-Control-Allow-Origin, and its requests are refused with 403 unexecuted', async (t) => {
    const app = await restricted(t, [DAPP]);
    const pre = await app.inject(preflight('/', OTHER));
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    // A "simple" request (text/plain, no preflight) would otherwise run: it must not mine.
    for (const url of ['/', '/rpc/v1']) {
      const res = await app.inject({ method: 'POST', url, headers: { origin: OTHER, 'content-type': 'text/plain' }, payload: JSON.stringify(MINE) });
      assert.equal(res.statusCode, 403, url);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.body, `origin ${OTHER} is not allowed: start fvm-devnet with --allow-origin ${OTHER}\n`);
    }
    const piece = await app.inject({ method: 'PUT', url: PIECE, headers: { origin: OTHER }, payload: Buffer.alloc(10) });
    assert.equal(piece.statusCode, 403);
    const height = await app.inject({ method: 'POST', url: '/', payload: BLOCK_NUMBER });
    assert.deepEqual(height.json(), { jsonrpc: '2.0', id: 3, result: '0x0' });
  });

  test('requests without an Origin (curl, Node.js) and pages of the node itself are served', async (t) => {
    const app = await restricted(t, [DAPP]);
    const plain = await app.inject({ method: 'POST', url: '/', payload: MINE });
    assert.equal(plain.statusCode, 200);
    assert.equal(typeof (plain.json() as { result: unknown }).result, 'string');
    // inject() sends Host: localhost:80.
    const own = await app.inject({ method: 'POST', url: '/', headers: { origin: 'http://localhost:80' }, payload: BLOCK_NUMBER });
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json(), { jsonrpc: '2.0', id: 3, result: '0x1' });
  });

  test('a WebSocket handshake from another origin is refused with 403; an allowed one connects', async (t) => {
    const app = await restricted(t, [DAPP]);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { origin: OTHER });
      // With this listener, ws leaves closing the refused request to us.
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      ws.once('open', () => reject(new Error(`a WebSocket from ${OTHER} was accepted`)));
      ws.once('error', reject);
    });
    assert.equal(status, 403);
    const answer = await new Promise<unknown>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { origin: DAPP });
      ws.once('open', () => ws.send(JSON.stringify(CHAIN_ID)));
      ws.once('message', (data) => {
        ws.close();
        resolve(JSON.parse(String(data)));
      });
      ws.once('error', reject);
    });
    assert.deepEqual(answer, { jsonrpc: '2.0', id: 1, result: '0x1df5e76' });
  });
});

describe('parseOrigin (--allow-origin)', () => {
  test('normalises origins as browsers send them; keeps * and null', () => {
    assert.equal(parseOrigin('http://LocalHost:3000/'), 'http://localhost:3000');
    assert.equal(parseOrigin('https://app.example:443'), 'https://app.example');
    assert.equal(parseOrigin('*'), '*');
    assert.equal(parseOrigin('null'), 'null');
  });

  test('refuses what is not an origin, saying what it expects', () => {
    for (const text of ['localhost:3000', 'http://localhost:3000/app', 'http://localhost:3000?x=1', 'file:///tmp/a.html', '']) {
      assert.throws(() => parseOrigin(text), /is not an origin: expected scheme:\/\/host\[:port\]/, text);
    }
  });
});
