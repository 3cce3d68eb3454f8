// unlessUnknown: only an upstream's "I do not hold this" is taken for an unknown block or tipset;
// a rate limit or any other upstream error is the upstream's failure (issue 13: never mistake one
// for the other). And a transaction hash the upstream answers null for is the fork's own answer.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Upstream, UpstreamAnswerError } from '../../src/devnet/fork/upstream.js';
import { unlessUnknown } from '../../src/eth-rpc/fork-lookups.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { digestOf, setupRpc } from '../helpers/rpc-harness.js';

const refusal = (message: string) => Promise.reject(new UpstreamAnswerError('Filecoin.ChainGetTipSet', 1, message));

test('Lotus\'s and fvm-devnet\'s unknown-CID answers read as unknown', async () => {
  assert.equal(await unlessUnknown(refusal('loading tipset {bafy2bzace}: get block bafy2bzace: ipld: could not find bafy2bzace')), undefined);
  assert.equal(await unlessUnknown(refusal('loading tipset {bafy2bzace}: not found')), undefined);
  assert.deepEqual(await unlessUnknown(Promise.resolve({ Height: 3 })), { Height: 3 });
});

test('a gateway\'s rate limit, retried by the client, or another upstream error is thrown, naming the upstream call', async (t) => {
  // A Lotus gateway whose limiter refuses every call (gateway/node.go: code 1, HTTP 200).
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const { id } = JSON.parse(text) as { id: number };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: 1, message: 'server busy. rate: Wait(n=3) would exceed context deadline' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const upstream = new Upstream(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc/v1`), { retries: 1, backoffMs: 10 });
  await assert.rejects(unlessUnknown(upstream.call('Filecoin.ChainGetTipSet', [[]])), /upstream Filecoin\.ChainGetTipSet failed after 2 attempts: rate limited: server busy/);
  assert.equal(upstream.stats.retries, 1);
  await assert.rejects(unlessUnknown(refusal('bad tipset: lookbacks of more than 24h0m0s are disallowed')), /upstream Filecoin\.ChainGetTipSet: bad tipset/);
  await assert.rejects(unlessUnknown(Promise.reject(new Error('connect ECONNREFUSED'))), /ECONNREFUSED/);
});

test("on a fork, EthGetMessageCidByTransactionHash by a pending message's unsigned CID's digest answers that CID (the upstream's null falls back to the fork's answer, as Lotus finds it in its blockstore: final-s54 D1)", async (t) => {
  const upstream = await startDevnet(testConfig());
  t.after(() => upstream.close());
  const { result } = await setupRpc(t, { fork: { url: upstream.url, blockNumber: upstream.devnet.head.epoch }, noMining: true });
  const client = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
  const pushed = await result('Filecoin.MpoolPushMessage', [{ From: client, To: 't0100', Value: '1', Method: 0 }, null]);
  assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [digestOf(pushed.Message.CID)]), pushed.Message.CID);
  // A hash neither the upstream nor the fork knows is still null.
  assert.equal(await result('Filecoin.EthGetMessageCidByTransactionHash', ['0x' + '11'.repeat(32)]), null);
});
