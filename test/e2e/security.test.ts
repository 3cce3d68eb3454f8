// The CLI's exposure: it listens on loopback unless --host says otherwise, and --max-body-size /
// --max-batch bound what one HTTP request or WebSocket message may ask of it.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { startDevnet } from '../helpers/devnet-process.js';
import type { RpcResponse } from '../helpers/rpc-harness.js';

const post = async (url: string, body: string): Promise<unknown> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(res.status, 200);
  return res.json();
};

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('fvm-devnet CLI exposure', () => {
  test('listens on 127.0.0.1 by default, not on the machine\'s other addresses, and gives no exposure warning', async (t) => {
    const node = await startDevnet();
    t.after(() => node.stop());
    assert.match(node.output(), /Listening on 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(node.output(), /WARNING/);
    assert.equal(await accepts('127.0.0.1', node.port), true);
    // Connecting to the machine's own non-loopback address stays on this machine.
    const own = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (own) assert.equal(await accepts(own.address, node.port), false, `the node accepted a connection on ${own.address}`);
  });

  test('--max-body-size and --max-batch: larger requests get a JSON-RPC error, a larger WebSocket message closes the socket (1009), the node goes on', async (t) => {
    const node = await startDevnet(['--max-body-size', '4096', '--max-batch', '2']);
    t.after(() => node.stop());
    const call = (id: number, pad = '') => ({ jsonrpc: '2.0', id, method: 'eth_chainId', params: [], ...(pad ? { pad } : {}) });
    assert.deepEqual(await post(node.url, JSON.stringify(call(1, 'x'.repeat(5000)))), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'request body too large (max 4096 bytes, --max-body-size)' },
    });
    assert.deepEqual(await post(node.url, JSON.stringify([call(1), call(2), call(3)])), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'batch too large (3 > 2 requests)' },
    });
    assert.equal(((await post(node.url, JSON.stringify([call(1), call(2)]))) as RpcResponse[]).length, 2);

    const ws = new WebSocket(node.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify(call(1, 'x'.repeat(5000))));
    assert.equal(await closed, 1009);
    assert.deepEqual(await post(node.url, JSON.stringify(call(7))), { jsonrpc: '2.0', id: 7, result: '0x1df5e76' });
  });
});
