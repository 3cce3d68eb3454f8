// On a fork, an eth_call that is done waits for the answer of the next queued call, which is fetching
// from a slow upstream (SerialQueue.read holds answers "up to the next write").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { DEV_ACCOUNTS, startDevnet } from '../test/helpers/devnet-process.js';
import { freshForkCache, stopForkSuite } from '../test/helpers/fork-suite.js';
import { upstreamProxy } from '../test/helpers/upstream-proxy.js';
import { rpc } from '../test/helpers/fork-calls.js';

test('a warm eth_call is answered without waiting for a cold one queued after it', async (t) => {
  const cacheDir = freshForkCache('fvm-review-held-');
  const upstream = await startDevnet();
  const proxy = await upstreamProxy(t, upstream.url);
  const fork = await startDevnet(['--fork-url', proxy.url, '--storage-providers', '0']);
  try {
    const [a, b] = DEV_ACCOUNTS;
    const warm = { from: a.address, to: b.address, data: '0x' };
    // warm it
    await rpc(fork.url, 'eth_call', [warm, 'latest']);
    await rpc(fork.url, 'eth_call', [warm, 'latest']);
    proxy.mode.delayMs = 2000;
    const cold = { from: a.address, to: '0x' + '5a'.repeat(20), data: '0x' };
    const ws = new WebSocket(fork.url.replace(/^http/, 'ws'));
    await new Promise((r) => ws.once('open', r));
    const t0 = performance.now();
    const times = new Map<number, number>();
    const done = new Promise<void>((resolve) => ws.on('message', (m) => {
      const { id } = JSON.parse(String(m));
      times.set(id, performance.now() - t0);
      if (times.size === 2) resolve();
    }));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [warm, 'latest'] }));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_call', params: [cold, 'latest'] }));
    await done;
    ws.close();
    console.log(`warm call answered after ${times.get(1)!.toFixed(0)} ms, cold after ${times.get(2)!.toFixed(0)} ms`);
    assert.ok(times.get(1)! < 500, `warm call answered after ${times.get(1)!.toFixed(0)} ms`);
  } finally {
    await stopForkSuite([fork, upstream], cacheDir);
  }
});
