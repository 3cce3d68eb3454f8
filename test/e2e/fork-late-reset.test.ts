// End to end (audit15 C12): an anvil_reset {forking} to a slow upstream does not wipe what was sent
// while the new fork was being read. The node serves sends meanwhile; a reset that would drop a
// transaction already answered is refused, naming why, and the chain keeps it. One sent after
// nothing changed still forks. One whose client has gone before the new fork was read is dropped.
// One onto the node's own URL is refused (U97), also when the fork cache holds a point for that URL.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEV_ACCOUNTS, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { answerOrError, rpc } from '../helpers/fork-calls.js';
import { stopForkSuite } from '../helpers/fork-suite.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const nodes: (DevnetProcess | undefined)[] = [];
after(() => stopForkSuite(nodes.reverse(), undefined));

test('anvil_reset {forking} to a slow upstream: refused if a transaction was sent meanwhile, kept on the chain', { timeout: 120_000 }, async (t) => {
  const upstream = await startDevnet(['--storage-providers', '0']);
  nodes.push(upstream);
  const node = await startDevnet(['--storage-providers', '0']);
  nodes.push(node);
  const proxy = await upstreamProxy(t, upstream.url);
  const forking = [{ forking: { jsonRpcUrl: proxy.url } }];

  // Each upstream request waits, so the reset is still reading when the send is mined.
  proxy.mode.holdMs = 1500;
  const reset = answerOrError(rpc(node.url, 'anvil_reset', forking));
  await pollUntil('the reset to ask the upstream', async () => (proxy.mode.received.length > 0 ? true : undefined), { attempts: 1200 });
  const hash = await rpc(node.url, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[1].address, to: '0x000000000000000000000000000000000000dEaD', value: '0x1' }]);
  assert.ok((await rpc(node.url, 'eth_getTransactionReceipt', [hash])) !== null, 'the send is mined at once');
  proxy.mode.holdMs = 0;
  const answer = await reset;
  assert.match(answer.error ?? '', /^anvil_reset: anvil_reset not done: 1 transaction\(s\) were sent while the new fork was read \(\d+ s\), which the reset would drop; send it again$/, JSON.stringify(answer));
  assert.ok((await rpc(node.url, 'eth_getTransactionReceipt', [hash])) !== null, 'the answered transaction is still on the chain');
  assert.equal(await rpc(node.url, 'eth_getTransactionCount', [DEV_ACCOUNTS[1].address, 'latest']), '0x1');

  // Nothing sent meanwhile: the same reset forks the upstream (its chain id is kept, its head is the fork point).
  assert.equal(await rpc(node.url, 'anvil_reset', forking), null);
  assert.equal(await rpc(node.url, 'eth_getTransactionCount', [DEV_ACCOUNTS[1].address, 'latest']), '0x0');
});

test('anvil_reset {forking} whose client left while the new fork was read: dropped, logged, the chain untouched', { timeout: 120_000 }, async (t) => {
  const upstream = await startDevnet(['--storage-providers', '0']);
  nodes.push(upstream);
  const node = await startDevnet(['--storage-providers', '0']);
  nodes.push(node);
  const proxy = await upstreamProxy(t, upstream.url);
  const before = await rpc(node.url, 'eth_getBlockByNumber', ['latest', false]);

  // The client gives up (its own timeout) while the upstream holds the reset's first reads; nothing is sent meanwhile.
  proxy.mode.holdMs = 1500;
  const client = new AbortController();
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_reset', params: [{ forking: { jsonRpcUrl: proxy.url } }] });
  const reset = fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: client.signal }).catch((error: Error) => error);
  await pollUntil('the reset to ask the upstream', async () => (proxy.mode.received.length > 0 ? true : undefined), { attempts: 1200 });
  client.abort();
  assert.ok((await reset) instanceof Error, 'the client gave up');
  proxy.mode.holdMs = 0;

  // The reset ends once the upstream has answered it: its request line says it was dropped.
  const line = await pollUntil('the reset to end', async () => /^anvil_reset\b.*$/m.exec(node.output())?.[0], { attempts: 1200 });
  assert.equal(line, 'anvil_reset  error 1: anvil_reset not done: its client has gone');
  const info = await rpc(node.url, 'anvil_nodeInfo');
  assert.equal(info.forkConfig?.forkUrl, undefined, `still no fork: ${JSON.stringify(info.forkConfig)}`);
  assert.deepEqual(await rpc(node.url, 'eth_getBlockByNumber', ['latest', false]), before);
});

// U97: a url-only Hardhat config's helpers.reset(url, n), url the node's own, made a fork whose
// upstream was the node itself: the reset answered null, then each read of an actor it had not read
// waited on itself for good. The node names itself in its upstream requests and answers 508 to its own.
test('anvil_reset {forking} to the node\'s own URL is refused at once, naming why; the chain untouched, reads answered', { timeout: 120_000 }, async () => {
  const node = await startDevnet(['--storage-providers', '0']);
  nodes.push(node);
  const hash = await rpc(node.url, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[1].address, to: '0x000000000000000000000000000000000000dEaD', value: '0x1' }]);
  const ownUrl = node.url.replace('127.0.0.1', 'localhost');
  for (const params of [[{ forking: { jsonRpcUrl: ownUrl, blockNumber: 1 } }], [{ forking: { jsonRpcUrl: `${node.url}/rpc/v1` } }]]) {
    const answer = await answerOrError(rpc(node.url, 'hardhat_reset', params));
    assert.match(answer.error ?? '', /is this node itself \(HTTP 508 Loop Detected\): a node cannot fork itself; to go back on its own chain, use evm_snapshot and evm_revert$/, JSON.stringify(answer));
  }
  assert.ok((await rpc(node.url, 'eth_getTransactionReceipt', [hash])) !== null, 'the chain is the one it was');
  assert.equal(await rpc(node.url, 'eth_getBalance', ['0x1111111111111111111111111111111111111111', 'latest']), '0x0');
});

// reread-s57 A.1: a fork (--fork-url, so with the disk cache) whose cache held a fork point for its
// own URL took the 508 as an upstream that is down and started from that point: the reset answered
// null and swapped the chain for a state the cache kept (another node's that listened there, here a
// fork of this one), and every read it had not cached failed with the 508.
test('anvil_reset {forking} to the node\'s own URL is refused even when its fork cache holds a fork point for that URL', { timeout: 120_000 }, async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fork-self-cached-'));
  const env = { FVM_DEVNET_CACHE_DIR: cacheDir };
  const started: DevnetProcess[] = [];
  t.after(() => stopForkSuite(started.reverse(), cacheDir));
  const upstream = await startDevnet(['--storage-providers', '0']);
  started.push(upstream);
  const node = await startDevnet(['--fork-url', upstream.url, '--storage-providers', '0'], env);
  started.push(node);
  // A fork of the node, on the same cache, leaves a fork point for the node's URL there when it stops.
  const forkOfNode = await startDevnet(['--fork-url', node.url, '--storage-providers', '0'], env);
  await forkOfNode.stop();
  const index = JSON.parse(readFileSync(join(cacheDir, 'index.json'), 'utf8')) as Record<string, string>;
  assert.ok(`${node.url}/rpc/v1 finalized` in index, `a point cached for the node's URL: ${JSON.stringify(index)}`);

  const hash = await rpc(node.url, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[1].address, to: '0x000000000000000000000000000000000000dEaD', value: '0x1' }]);
  const before = await rpc(node.url, 'eth_getBlockByNumber', ['latest', false]);
  const answer = await answerOrError(rpc(node.url, 'hardhat_reset', [{ forking: { jsonRpcUrl: node.url } }]));
  // Without the refusal it answered null, the chain swapped.
  assert.match(answer?.error ?? '', /is this node itself \(HTTP 508 Loop Detected\): a node cannot fork itself; to go back on its own chain, use evm_snapshot and evm_revert$/, JSON.stringify(answer));
  assert.deepEqual(await rpc(node.url, 'eth_getBlockByNumber', ['latest', false]), before);
  assert.ok((await rpc(node.url, 'eth_getTransactionReceipt', [hash])) !== null, 'the chain is the one it was');
  assert.equal((await rpc(node.url, 'anvil_nodeInfo')).forkConfig?.forkUrl, `${upstream.url}/rpc/v1`);
});
