// A fork in-process against an upstream devnet behind a loopback proxy that misbehaves on command:
// slow answers past the client's timeout, and an upstream that dies after the fork started. Every
// failure is a JSON-RPC error naming the upstream call; nothing unfetched is answered as a zero, and
// once the upstream answers again the same request succeeds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setupRpc } from '../helpers/rpc-harness.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';
import { startDevnet, testConfig } from '../../src/index.js';

const CONTRACT_ACCOUNT = '0x3333333333333333333333333333333333333333';

describe('fork against a failing upstream', () => {
  test('a slow upstream times out into an error naming the call; a dead one too; then it recovers', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    await upstream.devnet.cheats.setBalance(new Uint8Array(20).fill(0x33), 7n);
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { result, error } = await setupRpc(t, { fork: { url, upstream: { timeoutMs: 1000, retries: 1, backoffMs: 10 } } });

    mode.delayMs = 1500;
    const slow = await error('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']);
    assert.equal(slow.code, 1);
    // The address's ID and its actor are asked for together: the error names the first of them to fail.
    assert.match(slow.message, /^upstream Filecoin\.State(LookupID|GetActor) failed after 2 attempts: timed out \(http:\/\/127\.0\.0\.1:\d+\/rpc\/v1\)$/);

    mode.delayMs = 0;
    mode.dead = true;
    const dead = await error('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']);
    assert.match(dead.message, /^upstream Filecoin\.State(LookupID|GetActor) failed after 2 attempts: /);

    mode.dead = false;
    assert.equal(await result('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']), '0x7');
  });

  test('a warm-up that lasts over a second reports its progress', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { devnet, result } = await setupRpc(t, { fork: { url } });
    const reports: { actors: number; addresses: number }[] = [];
    devnet.events.on('forkProgress', (progress) => reports.push({ ...progress }));
    // Each upstream answer takes 300 ms: reading unknown addresses one after another takes seconds.
    mode.delayMs = 300;
    for (let i = 1; i <= 6; i++) assert.equal(await result('eth_getBalance', [`0x${i.toString(16).padStart(40, '4')}`, 'latest']), '0x0');
    assert.ok(reports.length >= 1, 'a progress report');
    assert.ok(reports.at(-1)!.addresses >= 3, JSON.stringify(reports));
  });

  test('an upstream that cannot be reached at start, with no cache, stops the start with the error', async (t) => {
    const upstream = await startDevnet(testConfig());
    const { url, mode } = await upstreamProxy(t, upstream.url);
    await upstream.close();
    mode.dead = true;
    await assert.rejects(setupRpc(t, { fork: { url, upstream: { timeoutMs: 1000, retries: 0 } } }), /upstream Filecoin\.\w+ failed after 1 attempts/);
  });
});
