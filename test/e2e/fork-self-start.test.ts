// End to end: a node started with --fork-url naming its own address (its --host and --port, or a
// loopback name for them, or for --host 0.0.0.0 the machine's network address) is refused at start,
// before it listens. It used to find nothing listening there, take the upstream for down and start
// from the disk cache of a node that listened there earlier; its first read the cache did not hold
// then asked itself and failed (the self-fork's 508).
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

let upstream: DevnetProcess | undefined;
let fork: DevnetProcess | undefined;
/** Self-forks that started (the regression this test catches): stopped with the rest, not left on the port. */
const selfForks: DevnetProcess[] = [];
useForkSuite('fvm-fork-self-start-', () => [...selfForks, fork, upstream]);

/** This machine's IPv4 address on a network (a LAN's, a container's), where a node on 0.0.0.0 listens too; none on a machine with loopback only. */
const networkAddress = Object.values(networkInterfaces())
  .flatMap((addresses) => addresses ?? [])
  .find(({ family, internal }) => family === 'IPv4' && !internal)?.address;

test("--fork-url of the node's own address is refused at start, even with the disk cache holding a fork point for that URL", async () => {
  upstream = await startDevnet(['--storage-providers', '0']);
  const forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
  const forkArgs = ['--fork-block-number', String(forkEpoch), '--storage-providers', '0'];
  // A fork of the upstream fills the cache for the upstream's URL; then the upstream stops, freeing its port.
  fork = await startDevnet([...forkArgs, '--fork-url', upstream.url]);
  await fork.stop();
  await upstream.stop();
  const { port } = upstream;
  const cases: [host: string, url: string][] = [
    ['127.0.0.1', `http://127.0.0.1:${port}`],
    ['127.0.0.1', `http://localhost:${port}/rpc/v1`],
    ['127.0.0.1', `http://0.0.0.0:${port}`],
    ['0.0.0.0', `http://127.0.0.1:${port}`],
  ];
  if (networkAddress) cases.push(['0.0.0.0', `http://${networkAddress}:${port}`]);
  for (const [host, url] of cases) {
    const refusal = `--fork-url ${url.replace(/(\/rpc\/v1)?$/, '/rpc/v1')} is this node's own address (${host}:${port}): a node cannot fork itself; fork another node, or give this one another --port`;
    const got = await startDevnet([...forkArgs, '--host', host, '--port', String(port), '--fork-url', url]).then(
      (node) => (selfForks.push(node), node),
      (err: Error) => err,
    );
    assert.ok(got instanceof Error && got.message.includes(refusal), `--host ${host} --fork-url ${url}: ${got instanceof Error ? got.message : 'started'}`);
  }
});
