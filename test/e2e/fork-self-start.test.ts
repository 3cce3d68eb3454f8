// End to end: a node started with --fork-url naming its own address (its --host and --port, or a
// loopback name for them) is refused at start, before it listens. It used to find nothing listening
// there, take the upstream for down and start from the disk cache of a node that listened there
// earlier; its first read the cache did not hold then asked itself and failed (the self-fork's 508).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { freshForkCache, stopForkSuite } from '../helpers/fork-suite.js';

const nodes: DevnetProcess[] = [];
let cacheDir: string | undefined;
after(() => stopForkSuite(nodes.reverse(), cacheDir));

test("--fork-url of the node's own address is refused at start, even with the disk cache holding a fork point for that URL", async () => {
  cacheDir = freshForkCache('fvm-fork-self-start-');
  const upstream = await startDevnet(['--storage-providers', '0']);
  nodes.push(upstream);
  const forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
  const forkArgs = ['--fork-block-number', String(forkEpoch), '--storage-providers', '0'];
  // A fork of the upstream fills the cache for the upstream's URL; then the upstream stops, freeing its port.
  const fork = await startDevnet([...forkArgs, '--fork-url', upstream.url]);
  await fork.stop();
  await upstream.stop();
  const { port } = upstream;
  const refusal = /--fork-url http:\/\/(127\.0\.0\.1|localhost):\d+\/rpc\/v1 is this node's own address \((127\.0\.0\.1|0\.0\.0\.0):\d+\): a node cannot fork itself; fork another node, or give this one another --port/;
  for (const [host, url] of [
    ['127.0.0.1', `http://127.0.0.1:${port}`],
    ['127.0.0.1', `http://localhost:${port}/rpc/v1`],
    ['0.0.0.0', `http://127.0.0.1:${port}`],
  ]) {
    await assert.rejects(startDevnet([...forkArgs, '--host', host!, '--port', String(port), '--fork-url', url!]), (err: Error) => refusal.test(err.message), `--host ${host} --fork-url ${url}`);
  }
});
