// A range across the fork epoch (eth_getLogs, trace_filter) is checked against Lotus's
// MaxFilterHeightRange (2880 epochs) as a whole, as the upstream would check it without the fork,
// though the fork asks the upstream only for its part up to the fork epoch. Against a full upstream
// and a --gateway-only one.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, hex, rpc, sendFromDev } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

/** Init code that logs one event (LOG0, no data) and deploys an empty contract. */
const LOGGING_DEPLOYMENT = '0x60006000a000';

/** A call's JSON-RPC error (code and message), or its answer. */
async function rawAnswer(url: string, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
}

for (const gatewayOnly of [false, true]) describe(`fork: block ranges across the fork epoch${gatewayOnly ? ' (a --gateway-only upstream)' : ''}`, () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  let forkEpoch: number;
  /** A logging deployment upstream before the fork epoch, and one on the fork after it. */
  let theirs: { hash: string; block: number };
  let ours: { hash: string; block: number };

  useForkSuite('fvm-fork-ranges-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(gatewayOnly ? ['--gateway-only'] : []);
    await rpc(upstream.url, 'anvil_mine', [hex(2880)]);
    theirs = await sendFromDev(upstream.url, { data: LOGGING_DEPLOYMENT });
    await rpc(upstream.url, 'anvil_mine', ['0x3']);
    forkEpoch = await head(upstream.url);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch)]);
    ours = await sendFromDev(fork.url, { data: LOGGING_DEPLOYMENT });
  });

  test('eth_getLogs over at most 2880 epochs answers both sides\' logs; one epoch more is refused as a whole with Lotus\'s -32005', async () => {
    const widest = { fromBlock: hex(ours.block - 2880), toBlock: hex(ours.block) };
    const logs = await rpc(fork!.url, 'eth_getLogs', [widest]);
    assert.deepEqual(logs.map((log: any) => log.transactionHash), [theirs.hash, ours.hash]);
    assert.deepEqual(await rpc(fork!.url, 'eth_getLogs', [{ fromBlock: hex(ours.block - 2880) }]), logs);
    const refused = { code: -32005, message: 'block range exceeds maximum of 2880 (got 2881)' };
    for (const filter of [{ fromBlock: hex(ours.block - 2881), toBlock: hex(ours.block) }, { fromBlock: hex(ours.block - 2881), toBlock: 'latest' }, { fromBlock: hex(ours.block - 2881) }]) {
      assert.deepEqual((await rawAnswer(fork!.url, 'eth_getLogs', [filter])).error, refused, JSON.stringify(filter));
      assert.deepEqual((await rawAnswer(fork!.url, 'Filecoin.EthGetLogs', [filter])).error, refused, JSON.stringify(filter));
    }
    assert.deepEqual((await rawAnswer(fork!.url, 'eth_getLogs', [{ fromBlock: 'earliest' }])).error, { code: -32005, message: `block range exceeds maximum of 2880 (got ${ours.block})` });
    // The width comes first, as on Lotus: a range too wide that also ends in the future is refused for its width.
    assert.deepEqual((await rawAnswer(fork!.url, 'eth_getLogs', [{ fromBlock: hex(ours.block - 2880), toBlock: hex(ours.block + 1) }])).error, refused);
  });

  test('trace_filter is refused the same way over more than 2880 epochs across the fork epoch', async () => {
    const refused = { code: -32005, message: 'block range exceeds maximum of 2880 (got 2881)' };
    for (const filter of [{ fromBlock: hex(ours.block - 2881), toBlock: hex(ours.block) }, { fromBlock: hex(ours.block - 2881) }]) {
      assert.deepEqual((await rawAnswer(fork!.url, 'trace_filter', [filter])).error, refused, JSON.stringify(filter));
      assert.deepEqual((await rawAnswer(fork!.url, 'Filecoin.EthTraceFilter', [filter])).error, refused, JSON.stringify(filter));
    }
    // Within the limit, both sides' traces.
    const traces = await rpc(fork!.url, 'trace_filter', [{ fromBlock: hex(theirs.block), toBlock: hex(ours.block) }]);
    assert.deepEqual(traces.map((trace: any) => trace.transactionHash), [theirs.hash, ours.hash]);
  });
});
