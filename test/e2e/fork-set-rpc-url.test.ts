// End to end: viem's testClient.setRpcUrl (anvil_setRpcUrl) on a fork swaps its upstream for
// another endpoint of the same chain, as Anvil's does (audit17 H8): state the fork has not read yet
// comes from the new endpoint once the old one is gone. An endpoint of another chain is refused and
// the fork keeps its upstream, and so is the fork's own URL; a node that is no fork answers null, as Anvil does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestClient, http } from 'viem';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { answerOrError, rpc } from '../helpers/fork-calls.js';
import { deployHundredSlots, HUNDRED_SLOTS_SUM, hundredSlots, useForkSuite } from '../helpers/fork-suite.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const nodes: (DevnetProcess | undefined)[] = [];
// The nodes in the order they were started; stopped the other way round (each fork before its upstream).
useForkSuite('fvm-fork-set-rpc-url-', () => [...nodes].reverse());

test('anvil_setRpcUrl (viem setRpcUrl): a fork reads from the new endpoint of its chain; another chain is refused; no fork: null', async (t) => {
  const upstream = await startDevnet();
  nodes.push(upstream);
  const contract = await deployHundredSlots(upstream.url);
  const forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));

  // Two endpoints of the same chain, as a rate-limited public one and another.
  const first = await upstreamProxy(t, upstream.url);
  const second = await upstreamProxy(t, upstream.url);
  const fork = await startDevnet(['--fork-url', first.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0'], { FVM_DEVNET_FORK_TOKEN: 's3cret' });
  nodes.push(fork);
  const testClient = createTestClient({ mode: 'anvil', transport: http(fork.url) });

  await testClient.setRpcUrl(second.url);
  assert.equal((await rpc(fork.url, 'anvil_nodeInfo')).forkConfig.forkUrl, `${second.url}/rpc/v1`);
  // The first endpoint gone, the contract and its 100 slots, never read, come from the second (its code, and its storage KAMT, which holds the slots).
  first.mode.dead = true;
  const sum = await rpc(fork.url, 'eth_call', [{ to: contract, data: hundredSlots.encodeFunctionData('sum') }, 'latest']);
  assert.equal(BigInt(sum), HUNDRED_SLOTS_SUM);
  for (const method of ['eth_getCode', 'Filecoin.ChainReadObj']) assert.ok(second.mode.received.includes(method), `the contract must be read from the new endpoint: ${method}`);
  // The token goes to --fork-url's origin only, never to another a caller names (review2 Q3): any page may call the node.
  assert.ok(first.mode.authorizations.length > 0 && first.mode.authorizations.every((a) => a === 'Bearer s3cret'));
  assert.ok(second.mode.authorizations.length > 0 && second.mode.authorizations.every((a) => a === undefined), String(second.mode.authorizations));

  // Another chain (its own genesis, from its own genesis time: two devnets started in one second have
  // one genesis, as this test's could be): refused, and the fork keeps reading from the second endpoint.
  const other = await startDevnet(['--timestamp', '1700000000']);
  nodes.push(other);
  const refused = await answerOrError(testClient.setRpcUrl(other.url));
  assert.match(refused.error ?? '', /is another chain: its genesis is \S+, the fork's \S+/);
  assert.equal((await rpc(fork.url, 'anvil_nodeInfo')).forkConfig.forkUrl, `${second.url}/rpc/v1`);
  // Its own URL (U97): refused at once, naming why (its reads would have waited on themselves); the second endpoint kept.
  const itself = await answerOrError(testClient.setRpcUrl(fork.url));
  assert.match(itself.error ?? '', /is this node itself \(HTTP 508 Loop Detected\): a node cannot fork itself/);
  assert.equal((await rpc(fork.url, 'anvil_nodeInfo')).forkConfig.forkUrl, `${second.url}/rpc/v1`);
  // Not a URL: -32602.
  await assert.rejects(rpc(fork.url, 'anvil_setRpcUrl', ['not a url']), /invalid argument 'url': expected the http\(s\) URL of a Lotus node/);
  // anvil_reset with a block number alone re-forks the upstream now set.
  second.mode.received.length = 0;
  await rpc(fork.url, 'anvil_reset', [{ forking: { blockNumber: forkEpoch } }]);
  assert.ok(second.mode.received.includes('Filecoin.ChainGetTipSetByHeight'), 'the re-fork must read the endpoint set last');
  assert.ok(second.mode.authorizations.every((a) => a === undefined), 'nor does a re-fork carry it there');

  // A node that is no fork has no upstream to change: null, as Anvil answers, and nothing changes.
  assert.equal(await createTestClient({ mode: 'anvil', transport: http(other.url) }).request({ method: 'anvil_setRpcUrl', params: [second.url] }), null);
  assert.deepEqual((await rpc(other.url, 'anvil_nodeInfo')).forkConfig, {});
});
