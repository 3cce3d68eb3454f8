// A fork in-process against an upstream devnet behind a loopback proxy that misbehaves on command:
// slow answers past the client's timeout, and an upstream that dies after the fork started. Every
// failure is a JSON-RPC error naming the upstream call; nothing unfetched is answered as a zero, and
// once the upstream answers again the same request succeeds.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { setupRpc } from '../helpers/rpc-harness.js';
import { startDevnet, testConfig } from '../../src/index.js';

const CONTRACT_ACCOUNT = '0x3333333333333333333333333333333333333333';

/** A proxy to `target` that can delay each answer or refuse connections (as a dead upstream). */
async function proxy(t: TestContext, target: string) {
  const mode = { delayMs: 0, dead: false };
  const server = createServer((req, res) => {
    if (mode.dead) {
      req.socket.destroy();
      return;
    }
    const forward = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      setTimeout(() => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      }, mode.delayMs);
    });
    // A client that gave up (timed out) leaves the forwarded request to fail: that is expected here.
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, mode };
}

describe('fork against a failing upstream', () => {
  test('a slow upstream times out into an error naming the call; a dead one too; then it recovers', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    await upstream.devnet.cheats.setBalance(new Uint8Array(20).fill(0x33), 7n);
    const { url, mode } = await proxy(t, upstream.url);
    const { result, error } = await setupRpc(t, { fork: { url, upstream: { timeoutMs: 1000, retries: 1, backoffMs: 10 } } });

    mode.delayMs = 1500;
    const slow = await error('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']);
    assert.equal(slow.code, 1);
    assert.match(slow.message, /^upstream Filecoin\.StateLookupID failed after 2 attempts: timed out \(http:\/\/127\.0\.0\.1:\d+\/rpc\/v1\)$/);

    mode.delayMs = 0;
    mode.dead = true;
    const dead = await error('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']);
    assert.match(dead.message, /^upstream Filecoin\.StateLookupID failed after 2 attempts: /);

    mode.dead = false;
    assert.equal(await result('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']), '0x7');
  });

  test('an upstream that cannot be reached at start, with no cache, stops the start with the error', async (t) => {
    const upstream = await startDevnet(testConfig());
    const { url, mode } = await proxy(t, upstream.url);
    await upstream.close();
    mode.dead = true;
    await assert.rejects(setupRpc(t, { fork: { url, upstream: { timeoutMs: 1000, retries: 0 } } }), /upstream Filecoin\.\w+ failed after 1 attempts/);
  });
});
