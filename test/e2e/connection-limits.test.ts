// The node's limits on what one client may hold, from outside (audit14 B8–B11): the bytes of a batch's
// answers (--max-batch-bytes), the polling filters (--max-filters, freed by anvil_reset), the
// WebSocket subscriptions of the whole node (--max-subscriptions) and of one connection, the time a request may take to
// arrive (--request-timeout) and the connections open at once (--max-connections).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { pollUntil, startDevnet } from '../helpers/devnet-process.js';

type Answer = { id: unknown; result?: unknown; error?: { code: number; message: string } };

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

const request = (id: number, method: string, params: unknown[] = []) => ({ jsonrpc: '2.0', id, method, params });

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws)).once('error', reject);
  });
}

/** Sends one request over `ws` and resolves with its answer. */
function wsCall(ws: WebSocket, body: unknown): Promise<any> {
  const id = Array.isArray(body) ? (body[0] as { id: number }).id : (body as { id: number }).id;
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString());
      const first = Array.isArray(message) ? message[0] : message;
      if (first?.id !== id) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(body));
  });
}

/** A raw TCP connection to the node, its bytes collected, resolved once connected. */
function rawSocket(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', () => undefined); // a reset is one way of being cut
    socket.once('connect', () => resolve({ socket, received: () => received, closed }));
    socket.once('error', reject);
  });
}

// PUSH2 0x0400 PUSH1 0 REVERT, as init code: an eth_call that reverts with 1 KiB of zeros, ~4.2 KB of answer.
const REVERT_1KIB = '0x6104006000fd';

describe('limits on what one client may hold', () => {
  test('a batch whose answers pass --max-batch-bytes: the answers past the bound are -32003 "response too large" (geth), over HTTP and WebSocket', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet(['--max-batch-bytes', '16384']);
    t.after(() => node.stop());
    const batch = Array.from({ length: 10 }, (_, i) => request(i + 1, 'eth_call', [{ data: REVERT_1KIB }, 'latest']));
    const check = (answers: Answer[]) => {
      assert.deepEqual(
        answers.map((a) => a.id),
        batch.map((r) => r.id),
      );
      // 16 384 bytes hold three ~4.2 KB answers; the fourth would cross the bound.
      for (const answer of answers.slice(0, 3)) assert.equal(answer.error?.code, 3, JSON.stringify(answer).slice(0, 200));
      for (const answer of answers.slice(3)) assert.deepEqual(answer.error, { code: -32003, message: 'response too large' });
      assert.ok(JSON.stringify(answers).length < 16_384 + 7 * 80);
    };
    check(await post(node.url, batch));
    const ws = await openSocket(node.wsUrl);
    t.after(() => ws.close());
    check(await wsCall(ws, batch));
    // Under the bound, a batch is answered whole, and the node goes on.
    const small = await post(node.url, [request(1, 'eth_call', [{ data: REVERT_1KIB }, 'latest']), request(2, 'eth_chainId')]);
    assert.equal(small[0].error.code, 3);
    assert.equal(small[1].result, '0x1df5e76');
  });

  test('a batch runs none of its requests once its answers pass --max-batch-bytes: the node\'s memory stays bounded (audit15 C1)', { timeout: 120_000 }, async (t) => {
    const node = await startDevnet(['--max-batch-bytes', String(32 * 2 ** 20), '--storage-providers', '0']);
    t.after(() => node.stop());
    // 256 KiB of code: each eth_getCode answer is 512 KiB of hex; 1 000 of them would be 512 MiB.
    const code = `0x${'5b'.repeat(256 * 1024)}`;
    const holder = '0x00000000000000000000000000000000000c0de1';
    assert.equal((await post(node.url, request(1, 'anvil_setCode', [holder, code]))).result, true);
    const peakMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${node.pid}/status`, 'utf8'))![1]) / 1024;
    const before = peakMiB();

    const batch = Array.from({ length: 1000 }, (_, i) => request(i + 1, 'eth_getCode', [holder, 'latest']));
    const answers: Answer[] = await post(node.url, batch);
    assert.deepEqual(
      answers.map((a) => a.id),
      batch.map((r) => r.id),
    );
    const whole = answers.findIndex((a) => a.result === undefined);
    assert.ok(whole >= 1 && whole <= 64, `${whole} answers whole within 32 MiB`);
    for (const answer of answers.slice(0, whole)) assert.equal(answer.result, code);
    for (const answer of answers.slice(whole)) assert.deepEqual(answer.error, { code: -32003, message: 'response too large' });
    // The answers past the bound were never made: the node's peak memory grew by a few times the bound, not by 512 MiB.
    const grown = peakMiB() - before;
    assert.ok(grown < 250, `peak RSS grew ${grown.toFixed(0)} MiB`);
  });

  test('--max-filters caps the polling filters with Lotus\'s error; anvil_reset frees them', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet(['--max-filters', '3']);
    t.after(() => node.stop());
    const answers: Answer[] = await post(node.url, Array.from({ length: 4 }, (_, i) => request(i, 'eth_newBlockFilter')));
    assert.equal(answers.filter((a) => typeof a.result === 'string').length, 3);
    assert.deepEqual(answers[3]!.error, { code: 1, message: 'maximum number of filters registered' });
    // Another client is refused too: the cap is the node's, as Lotus's MaxFilters.
    assert.equal((await post(node.url, request(9, 'eth_newFilter', [{}]))).error.message, 'maximum number of filters registered');
    assert.equal((await post(node.url, request(10, 'anvil_reset'))).result, null);
    const after: Answer[] = await post(node.url, Array.from({ length: 3 }, (_, i) => request(i, 'eth_newFilter', [{}])));
    assert.ok(after.every((a) => typeof a.result === 'string'), JSON.stringify(after));
    // The filters of the old chain are gone.
    assert.equal((await post(node.url, request(11, 'eth_getFilterChanges', [answers[0]!.result]))).error.message, 'filter not found');
  });

  test('--max-subscriptions caps the WebSocket subscriptions of all connections together; a closed connection frees its own', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet(['--max-subscriptions', '3']);
    t.after(() => node.stop());
    const [a, b] = await Promise.all([openSocket(node.wsUrl), openSocket(node.wsUrl)]);
    t.after(() => b.close());
    assert.match((await wsCall(a, request(1, 'eth_subscribe', ['newHeads']))).result, /^0x/);
    assert.match((await wsCall(a, request(2, 'Filecoin.ChainNotify'))).result.toString(), /^\d+$/);
    assert.match((await wsCall(b, request(3, 'eth_subscribe', ['logs', {}]))).result, /^0x/);
    assert.deepEqual((await wsCall(b, request(4, 'eth_subscribe', ['newHeads']))).error, { code: 1, message: 'too many subscriptions on the node (3, --max-subscriptions)' });
    a.close();
    await pollUntil('a closed connection to free its subscriptions', async () => ((await wsCall(b, request(5, 'eth_subscribe', ['newHeads']))).result ? true : undefined));
    assert.match((await wsCall(b, request(6, 'eth_subscribe', ['newPendingTransactions']))).result, /^0x/);
    assert.equal((await wsCall(b, request(7, 'eth_subscribe', ['newHeads']))).error.code, 1);
  });

  // M4 (readme1, session 40): calibnet's public endpoints are Lotus gateways, which allow 16
  // subscriptions and filters together per WebSocket connection (lotus b835fab70 gateway/node.go
  // DefaultEthMaxFiltersPerConn; gateway/proxy_eth_v1.go ErrTooManyFilters).
  test('a WebSocket connection holds 16 subscriptions and filters together, as a Lotus gateway; HTTP filters and other connections are not counted', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet();
    t.after(() => node.stop());
    const [a, b] = await Promise.all([openSocket(node.wsUrl), openSocket(node.wsUrl)]);
    t.after(() => (a.close(), b.close()));
    const opened: Answer[] = await wsCall(a, [
      ...Array.from({ length: 10 }, (_, i) => request(i + 1, 'eth_subscribe', ['newHeads'])),
      ...Array.from({ length: 6 }, (_, i) => request(i + 11, i % 2 ? 'eth_newFilter' : 'eth_newBlockFilter', i % 2 ? [{}] : [])),
      request(17, 'eth_subscribe', ['logs', {}]),
      request(18, 'eth_newPendingTransactionFilter'),
    ]);
    assert.ok(opened.slice(0, 16).every((answer) => typeof answer.result === 'string'), JSON.stringify(opened));
    const refused = { code: 1, message: 'too many subscriptions and filters per connection' };
    assert.deepEqual(opened.slice(16).map((answer) => answer.error), [refused, refused]);
    // Lotus's channels are not counted by the gateway; another connection has its own 16; HTTP filters none.
    assert.match((await wsCall(a, request(19, 'Filecoin.ChainNotify'))).result.toString(), /^\d+$/);
    assert.match((await wsCall(b, request(20, 'eth_subscribe', ['newHeads']))).result, /^0x/);
    assert.match((await post(node.url, request(21, 'eth_newBlockFilter'))).result, /^0x/);
    // A filter uninstalled, from any connection, gives its place back.
    assert.equal((await post(node.url, request(22, 'eth_uninstallFilter', [opened[10]!.result]))).result, true);
    assert.match((await wsCall(a, request(23, 'eth_newBlockFilter'))).result, /^0x/);
    assert.deepEqual((await wsCall(a, request(24, 'eth_subscribe', ['newHeads']))).error, refused);
  });

  test('--request-timeout: a body that trickles in is cut (408); a WebSocket subscription outlives it', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet(['--request-timeout', '1000']);
    t.after(() => node.stop());
    const ws = await openSocket(node.wsUrl);
    t.after(() => ws.close());
    const heads: string[] = [];
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.method === 'eth_subscription') heads.push(message.params.result.number);
    });
    assert.match((await wsCall(ws, request(1, 'eth_subscribe', ['newHeads']))).result, /^0x/);

    const slow = await rawSocket(node.port);
    slow.socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
    const drip = setInterval(() => slow.socket.writable && slow.socket.write(' '), 200);
    t.after(() => clearInterval(drip));
    const started = Date.now();
    await slow.closed;
    clearInterval(drip);
    assert.ok(Date.now() - started < 15_000, `cut after ${Date.now() - started} ms`);
    assert.match(slow.received(), /^HTTP\/1\.1 408 /);

    // Three request timeouts later the WebSocket is still open and notified.
    await new Promise((resolve) => setTimeout(resolve, 3000 - (Date.now() - started)));
    await post(node.url, request(2, 'evm_mine'));
    await pollUntil('the WebSocket to be notified of the new head', async () => (heads.includes('0x1') ? true : undefined));
    assert.equal(ws.readyState, WebSocket.OPEN);
  });

  test('--max-connections: a connection past the cap is dropped at once and the log says why, once per burst; one freed lets the next in', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet(['--max-connections', '2']);
    t.after(() => node.stop());
    const held = [await rawSocket(node.port), await rawSocket(node.port)];
    const refusedLines = () => node.output().split('\n').filter((line) => line.includes('(--max-connections')).length;
    const third = await rawSocket(node.port);
    await third.closed;
    assert.equal(third.received(), '');
    await pollUntil('the refusal to be logged', async () => (refusedLines() === 1 ? true : undefined));
    assert.match(node.output(), /refused a connection: 2 connections are open \(--max-connections\)/);
    // The rest of the burst is counted, not logged one by one.
    for (let i = 0; i < 3; i++) await (await rawSocket(node.port)).closed;
    assert.equal(refusedLines(), 1);
    held[0]!.socket.destroy();
    await pollUntil('the node to take a connection again', async () => {
      try {
        const answer = await post(node.url, request(1, 'eth_chainId'));
        return answer.result === '0x1df5e76' ? true : undefined;
      } catch {
        return undefined;
      }
    });
    // At least the three: a retry of the poll above that reached the node before it saw the freed
    // connection close is refused too, and counted in the same burst.
    const summed = () => /refused (\d+) more connections \(--max-connections 2\)/.exec(node.output());
    await pollUntil('the burst to be summed up', async () => (summed() ? true : undefined));
    assert.ok(Number(summed()![1]) >= 3, summed()![0]);
    held[1]!.socket.destroy();
  });
});
