// The HTTP layer through fastify's inject(): JSON-RPC framing, HTTP 200 for every answer, batches,
// notifications, body limits, paths, and arity errors.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import pino from 'pino';
import { DEFAULT_MAX_BODY_BYTES as MAX_BODY_BYTES } from '../../src/config.js';
import { buildServer } from '../../src/eth-rpc/server.js';
import { createDevnet, testConfig } from '../../src/index.js';
import WebSocket from 'ws';
import { hexToBytes } from '../../src/common/hex.js';
import { devWallet, signTx } from '../helpers/dev-wallet.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { Wallet } from 'ethers';
import { setupRpc, setupWebSocketRpc, type RpcResponse } from '../helpers/rpc-harness.js';

describe('JSON-RPC over HTTP (inject)', () => {
  test('a single call is answered with HTTP 200, jsonrpc 2.0 and its id', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: 'abc', method: 'eth_chainId', params: [] } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 'abc', result: '0x1df5e76' });
  });

  test('Lotus\'s path /rpc/v1 serves the same methods', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'POST', url: '/rpc/v1', payload: { jsonrpc: '2.0', id: 1, method: 'net_version', params: [] } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 1, result: '31415926' });
  });

  test('a body sent as text/plain is parsed as JSON too', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] }),
    });
    assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 2, result: '0x0' });
  });

  test('a body is parsed as JSON whatever its content type says, and a malformed one is a parse error either way', async (t) => {
    const { app } = await setupRpc(t);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'eth_chainId', params: [] });
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/octet-stream', undefined]) {
      for (let i = 0; i < 2; i++) {
        const res = await app.inject({ method: 'POST', url: '/', headers: type === undefined ? {} : { 'content-type': type }, payload: body });
        assert.equal(res.statusCode, 200, `${type}`);
        assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 3, result: '0x1df5e76' }, `${type}`);
        const bad = await app.inject({ method: 'POST', url: '/', headers: type === undefined ? {} : { 'content-type': type }, payload: '{"jsonrpc":' });
        assert.equal(bad.statusCode, 200, `${type}`);
        assert.equal(bad.json().error.code, -32700, `${type}`);
      }
    }
  });

  test('a batch is answered member by member, errors included', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({
      method: 'POST',
      url: '/',
      payload: [
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
        { jsonrpc: '2.0', id: 2, method: 'eth_nope', params: [] },
        { jsonrpc: '2.0', method: 'eth_blockNumber', params: [] },
        { jsonrpc: '2.0', id: 3, method: 'eth_getBalance', params: ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', 'latest'] },
      ],
    });
    assert.equal(res.statusCode, 200);
    const answers = res.json() as RpcResponse[];
    // The notification (no id) gets no answer.
    assert.equal(answers.length, 3);
    const byId = new Map(answers.map((a) => [a.id, a]));
    assert.equal(byId.get(1)?.result, '0x1df5e76');
    assert.deepEqual(byId.get(2)?.error, { code: -32601, message: "method 'eth_nope' not found" });
    assert.equal(byId.get(3)?.result, '0x21e19e0c9bab2400000');
  });

  // readme1 M5 (session 40): a node-signed send reaches the pool only after its estimate and signature,
  // when the batch had already let go of instant mining: each mined alone, one tipset per send.
  test('a batch\'s node-signed sends (eth_sendTransaction, MpoolPushMessage) mine in one tipset, as its raw sends do', async (t) => {
    const { app, devnet } = await setupRpc(t);
    const [a, b] = [DEV_ACCOUNTS[0]!.address, DEV_ACCOUNTS[1]!.address];
    const send = (id: number, from: string, gas?: string) => ({ jsonrpc: '2.0', id, method: 'eth_sendTransaction', params: [{ from, to: b, value: '0x1', ...(gas ? { gas } : {}) }] });
    const owner = devnet.wallet.list()[0]!.toString();
    const push = { jsonrpc: '2.0', id: 5, method: 'Filecoin.MpoolPushMessage', params: [{ To: owner, From: owner, Value: '1', Method: 0, Params: null }, null] };
    const res = await app.inject({ method: 'POST', url: '/', payload: [send(1, a), send(2, a, '0x989680'), send(3, b), send(4, a), push] });
    const answers = res.json() as RpcResponse[];
    assert.ok(answers.every((answer) => answer.result !== undefined), JSON.stringify(answers));
    const hashes = answers.slice(0, 4).map((answer) => answer.result as string);
    const epochs = hashes.map((hash) => devnet.chain.messageByTxHash(hexToBytes(hash))?.tipset.epoch);
    assert.deepEqual(epochs, [1, 1, 1, 1]);
    assert.equal(devnet.head.epoch, 1);
  });

  test('--gateway-only answers a method outside the gateway\'s set with HTTP 500, as go-jsonrpc does; a batch and the normal devnet with HTTP 200', async (t) => {
    const outside = { jsonrpc: '2.0', id: 1, method: 'Filecoin.StateMarketDeals', params: [[]] };
    const refusal = { jsonrpc: '2.0', id: 1, error: { code: -32601, message: "method 'Filecoin.StateMarketDeals' not found" } };
    const gateway = (await setupRpc(t, { gatewayOnly: true })).app;
    const alone = await gateway.inject({ method: 'POST', url: '/rpc/v1', payload: outside });
    assert.equal(alone.statusCode, 500);
    assert.deepEqual(alone.json(), refusal);
    const batch = await gateway.inject({ method: 'POST', url: '/rpc/v1', payload: [outside] });
    assert.equal(batch.statusCode, 200);
    assert.deepEqual(batch.json(), [refusal]);
    const served = await gateway.inject({ method: 'POST', url: '/rpc/v1', payload: { jsonrpc: '2.0', id: 2, method: 'Filecoin.ChainHead', params: [] } });
    assert.equal(served.statusCode, 200);
    const devnet = (await setupRpc(t)).app;
    const unknown = await devnet.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: 3, method: 'eth_nope', params: [] } });
    assert.equal(unknown.statusCode, 200);
    assert.equal(unknown.json().error.code, -32601);
  });

  test('a notification gets no body (HTTP 204)', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', method: 'eth_chainId', params: [] } });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
  });

  test('malformed JSON is -32700 with id null, HTTP 200', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload: '{"jsonrpc":"2.0",' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as RpcResponse;
    assert.equal(body.id, null);
    assert.equal(body.error?.code, -32700);
  });

  test('an empty batch and a non-object request are -32600', async (t) => {
    const { app } = await setupRpc(t);
    for (const payload of ['[]', '"hello"', '42']) {
      const res = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(res.statusCode, 200);
      const body = res.json() as RpcResponse;
      assert.equal(body.error?.code, -32600, payload);
      assert.equal(body.id, null);
    }
  });

  test('a body over 16 MiB is a JSON-RPC error with HTTP 200', async (t) => {
    const { app } = await setupRpc(t);
    assert.equal(MAX_BODY_BYTES, 16 * 1024 * 1024);
    const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: ['0x' + 'ab'.repeat(MAX_BODY_BYTES / 2)] });
    assert.ok(payload.length > MAX_BODY_BYTES);
    const res = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(res.statusCode, 200);
    const body = res.json() as RpcResponse;
    assert.equal(body.jsonrpc, '2.0');
    assert.equal(body.id, null);
    assert.equal(body.error?.code, -32600);
    assert.match(body.error!.message, /too large/);
    // The node still answers.
    const after = await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] } });
    assert.deepEqual(after.json(), { jsonrpc: '2.0', id: 2, result: '0x0' });
  });

  test('a wrong number of positional params is -32602 in Lotus\'s wording', async (t) => {
    const { app } = await setupRpc(t);
    const call = async (method: string, params: unknown[]) =>
      (await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: 1, method, params } })).json() as RpcResponse;
    assert.deepEqual((await call('eth_getBalance', ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'])).error, {
      code: -32602,
      message: "wrong param count (method 'eth_getBalance'): 1 != 2",
    });
    assert.deepEqual((await call('eth_blockNumber', [1])).error, { code: -32602, message: "wrong param count (method 'eth_blockNumber'): 1 != 0" });
    assert.deepEqual((await call('eth_getStorageAt', ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', '0x0'])).error?.code, -32602);
    // fidaudit F8a: the methods Lotus decodes the params of itself (jsonrpc.RawParams) answer their
    // own code-1 error (lotus b835fab70 chain/types/ethtypes/eth_types.go, node/impl/eth/gas.go,
    // events.go, filecoin.go: "decoding params: …"): Remix's eth_estimateGas with a state override.
    assert.deepEqual((await call('eth_feeHistory', ['0x1'])).error, { code: 1, message: 'decoding params: expected 2 or 3 params, got 1' });
    const remix = [{ to: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' }, 'latest', {}];
    assert.deepEqual((await call('eth_estimateGas', remix)).error, { code: 1, message: 'decoding params: expected 1 or 2 params, got 3' });
    assert.deepEqual((await call('Filecoin.EthEstimateGas', remix)).error, { code: 1, message: 'decoding params: expected 1 or 2 params, got 3' });
    assert.deepEqual((await call('eth_subscribe', [])).error, { code: 1, message: 'decoding params: expected 1 or 2 params, got 0' });
    assert.deepEqual((await call('Filecoin.FilecoinAddressToEthAddress', ['t01', null, null])).error, {
      code: 1,
      message: 'decoding params: expected 1 or 2 params, got 3',
    });
  });

  test('an unexpected throw in the HTTP layer is -32603 with HTTP 200, logged with its stack', async (t) => {
    const devnet = await createDevnet(testConfig());
    const lines: { level: number; msg: string; err?: { stack?: string } }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const app = await buildServer(devnet, { log });
    t.after(async () => {
      devnet.close();
      await app.close();
    });
    // A route beside JSON-RPC's that fails the way a devnet bug would.
    app.get('/boom', () => {
      throw new TypeError('a devnet bug');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error: a devnet bug' } });
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 50);
    assert.match(lines[0].err!.stack!, /TypeError: a devnet bug\n\s+at /);
  });

  test('GET is answered with a JSON-RPC error', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as RpcResponse).error?.code, -32600);
  });

  test('eth_subscribe over HTTP: "connection doesn\'t support callbacks"', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: 9, method: 'eth_subscribe', params: ['newHeads'] } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual((res.json() as RpcResponse).error, { code: 1, message: "connection doesn't support callbacks" });
  });

  // go-jsonrpc (handler.go) refuses a method returning a Go channel over HTTP before reading its
  // params; the devnet answers it with HTTP 200, as every error (a Lotus node: HTTP 500).
  test('ChainNotify, MpoolSub and SubscribeActorEventsRaw over HTTP: go-jsonrpc\'s -32601 `not supported in this mode`, before their params', async (t) => {
    const { app } = await setupRpc(t);
    for (const [method, params] of [['Filecoin.ChainNotify', []], ['Filecoin.MpoolSub', [1]], ['Filecoin.SubscribeActorEventsRaw', [{ fromHeight: 'x' }]]] as const) {
      const res = await app.inject({ method: 'POST', url: '/rpc/v1', payload: { jsonrpc: '2.0', id: 9, method, params } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual((res.json() as RpcResponse).error, { code: -32601, message: `method '${method}' not supported in this mode (no out channel support)` }, method);
    }
  });

  // fidaudit3 P5g: Lotus decodes eth_subscribe's params itself (lotus b835fab70 eth_types.go
  // EthSubscribeParams.UnmarshalJSON, events.go EthSubscribe): another JSON type is its code-1
  // "decoding params: json: cannot unmarshal …", geth's full-transaction flag included.
  test('eth_subscribe params of another JSON type: Lotus\'s code-1 decoding error, over a WebSocket and HTTP', async (t) => {
    const { app, socket, waitFor } = await setupWebSocketRpc(t);
    const cases: [unknown[], string][] = [
      [['newPendingTransactions', true], 'decoding params: json: cannot unmarshal bool into Go value of type ethtypes.EthSubscriptionParams'],
      [['logs', ['0x01']], 'decoding params: json: cannot unmarshal array into Go value of type ethtypes.EthSubscriptionParams'],
      [['logs', 'x'], 'decoding params: json: cannot unmarshal string into Go value of type ethtypes.EthSubscriptionParams'],
      [[7], 'decoding params: json: cannot unmarshal number into Go value of type string'],
      [[null], 'unsupported event type: '],
    ];
    for (const [i, [params, message]] of cases.entries()) {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'eth_subscribe', params }));
      assert.deepEqual((await waitFor((m) => m.id === 100 + i)).error, { code: 1, message }, JSON.stringify(params));
    }
    // Over HTTP the params are decoded before the connection is found to take no callbacks, as in Lotus.
    const http = await app.inject({ method: 'POST', url: '/rpc/v1', payload: { jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newPendingTransactions', true] } });
    assert.deepEqual((http.json() as RpcResponse).error, { code: 1, message: cases[0]![1] });
  });

  // fidaudit F8i: Lotus's subscription manager is node-wide (lotus b835fab70 node/impl/eth/events.go
  // EthUnsubscribe): any connection, HTTP too, ends a subscription by its id; an unknown id is false.
  test('eth_unsubscribe over HTTP ends a WebSocket subscription by its id, and answers false for an unknown one', async (t) => {
    const { app, call } = await setupWebSocketRpc(t);
    const unsubscribe = async (id: string) =>
      (await app.inject({ method: 'POST', url: '/rpc/v1', payload: { jsonrpc: '2.0', id: 9, method: 'eth_unsubscribe', params: [id] } })).json() as RpcResponse;
    assert.deepEqual((await unsubscribe('0x' + '00'.repeat(32))).result, false);
    const id = await call('eth_subscribe', ['newHeads']);
    assert.equal((await unsubscribe(id)).result, true);
    assert.equal((await unsubscribe(id)).result, false);
    assert.equal(await call('eth_unsubscribe', [id]), false);
  });
});

/** A devnet and its server listening on a loopback port, both closed when the test ends; the port. */
async function listening(t: TestContext) {
  const devnet = await createDevnet(testConfig());
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  return { devnet, port: (app.server.address() as { port: number }).port };
}

// review R3: requests a client sent before closing its WebSocket are run, as geth runs every message
// it read before the connection ended; only a socket the node cuts has the rest dropped.
describe('a WebSocket client that sends a burst and closes', () => {
  test('every request it sent before its close runs', async (t) => {
    const { devnet, port } = await listening(t);
    const count = 100;
    const raws = await Promise.all(Array.from({ length: count }, (_, nonce) => signTx({ nonce })));
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    for (const [i, raw] of raws.entries()) socket.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [raw] }));
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
    const sender = hexToBytes(devWallet.address);
    for (let i = 0; i < 500 && devnet.actorAt(sender, devnet.head.epoch)?.nonce !== count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(devnet.actorAt(sender, devnet.head.epoch)?.nonce, count);
  });
});

// audit16 L6: clients saw 1005 (no status) when the node stopped.
describe('a WebSocket client when the node stops', () => {
  test('is closed with 1001, going away', async () => {
    const devnet = await createDevnet(testConfig());
    const app = await buildServer(devnet, { log: pino({ level: 'silent' }) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const socket = new WebSocket(`ws://127.0.0.1:${(app.server.address() as { port: number }).port}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<[number, string]>((resolve) => socket.once('close', (code, reason) => resolve([code, reason.toString()])));
    devnet.close();
    await app.close();
    assert.deepEqual(await closed, [1001, 'the node is shutting down']);
  });
});

// A batch holds instant mining while it starts its requests (review R2). Two WebSocket clients each
// streaming batches of sends start each batch as the last one's requests have started, so their
// holds overlap without end: before, no tipset was mined until both streams had stopped.
describe('two WebSocket clients streaming batches of sends', () => {
  test('every send is mined and answered, each batch in one tipset, and the first batches do not wait for the last', async (t) => {
    const { devnet, port } = await listening(t);
    // Batches long enough to start (signature recovery) that each gives the other client turns.
    const [batches, size] = [4, 200];
    const clients = [0, 1].map((c) => new Wallet(DEV_ACCOUNTS[c]!.privateKey));
    const messages = await Promise.all(clients.map((signer) => Promise.all(Array.from({ length: batches }, async (_, b) =>
      JSON.stringify(await Promise.all(Array.from({ length: size }, async (_, i) => ({ jsonrpc: '2.0', id: b * size + i, method: 'eth_sendRawTransaction', params: [await signTx({ nonce: b * size + i }, { signer })] }))))))));
    const answers = await Promise.all(messages.map(async (batchesOf) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      t.after(() => socket.close());
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const received: RpcResponse[][] = [];
      const all = new Promise<RpcResponse[][]>((resolve) => socket.on('message', (raw) => {
        received.push(JSON.parse(String(raw)));
        if (received.length === batches) resolve(received);
      }));
      for (const message of batchesOf) socket.send(message);
      return all;
    }));
    for (const received of answers) {
      const epochs = received.map((batch) => {
        const places = batch.map((answer) => {
          assert.equal(answer.error, undefined, JSON.stringify(answer.error));
          return devnet.chain.messageByTxHash(hexToBytes(answer.result))!.tipset.epoch;
        });
        assert.equal(new Set(places).size, 1, `a batch's sends in tipsets ${[...new Set(places)].join()}`);
        return places[0]!;
      }).sort((a, b) => a - b);
      assert.ok(epochs[0]! < epochs[batches - 1]!, `every batch of a client in tipset ${epochs[0]}: mining waited for the streams to end`);
    }
  });
});
