// WebSocket clients that stop reading or stop answering pings (ws-liveness.ts), against the node's
// real server: the node drops them and frees their subscriptions, and goes on serving the others.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { getCreateAddress } from 'ethers';
import WebSocket from 'ws';
import { startDevnet, testConfig, type DevnetConfig } from '../../src/index.js';
import { devWallet } from '../helpers/dev-wallet.js';
import { directSender } from '../helpers/devnet-harness.js';
import { pollUntil } from '../helpers/devnet-process.js';

/** Runtime: four LOG0s of the calldata. */
const RUNTIME = '3660006000' + '37' + '366000a0'.repeat(4) + '00';
const INITCODE = '0x6017600c60003960176000f3' + RUNTIME;

async function node(t: TestContext, wsLiveness: DevnetConfig['wsLiveness']) {
  const running = await startDevnet(testConfig({ wsLiveness }));
  t.after(() => running.close());
  return { ...running, wsUrl: running.url.replace('http:', 'ws:') };
}

/** A WebSocket client that records what it is sent; `tcp` is its socket, to stop reading. */
async function client(url: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, options);
  let tcp: Socket | undefined;
  ws.once('upgrade', (res) => (tcp = res.socket));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const received: any[] = [];
  ws.on('message', (data: Buffer) => received.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  let id = 0;
  const call = async (method: string, params: unknown[] = []) => {
    const request = ++id;
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: request, method, params }));
    const answer = await pollUntil(`the answer to ${method}`, async () => received.find((m) => m.id === request));
    return answer.result;
  };
  return { ws, tcp: tcp!, received, closed, call };
}

describe('WebSocket liveness', () => {
  test('a client that stops reading while logs and heads flow is closed (1008) and its subscriptions freed; the others are served', async (t) => {
    const running = await node(t, { pingIntervalMs: 0, maxBufferedBytes: 256 << 10 });
    const send = directSender(running.devnet);
    await send({ to: null, data: INITCODE });
    const emitter = getCreateAddress({ from: devWallet.address, nonce: 0 });
    const listeners = () => running.devnet.events.listenerCount('tipset');

    const reading = await client(running.wsUrl);
    const baseline = listeners();
    await reading.call('eth_subscribe', ['newHeads']);
    const stalled = await client(running.wsUrl);
    for (const kind of [['logs', { address: emitter }], ['newHeads']]) await stalled.call('eth_subscribe', kind);
    assert.equal(listeners(), baseline + 1);
    stalled.tcp.pause();

    // Each transaction sends the stalled client four 8 KiB logs and a head, until the node drops it
    // (the kernel's buffers take some megabytes first).
    const data = '0x' + 'ab'.repeat(8192);
    let sent = 0;
    while (listeners() > baseline && sent < 300) {
      await Promise.all(Array.from({ length: 10 }, () => send({ to: emitter, data })));
      sent += 10;
    }
    assert.equal(listeners(), baseline, `the stalled client was not dropped after ${sent} transactions`);
    t.diagnostic(`dropped after ${sent} transactions`);

    // The other client saw every head, and is answered.
    const head = Number(await reading.call('eth_blockNumber'));
    await pollUntil('every head at the reading client', async () => (reading.received.filter((m) => m.method === 'eth_subscription').length === head - 1 ? true : undefined));
    // The stalled client, reading again, gets what was sent before the limit, then the close.
    stalled.tcp.resume();
    assert.deepEqual(await stalled.closed, { code: 1008, reason: `more than ${256 << 10} bytes unsent (--ws-max-buffered)` });
    assert.ok(stalled.received.length > 0);
    reading.ws.close();
  });

  test('a client that does not answer pings is cut; one that does stays', async (t) => {
    // The test runs the node's ping checks itself, so no pong has to arrive before a timer does.
    const checks = new Set<() => void>();
    const tick = () => [...checks].forEach((check) => check());
    const repeat = (check: () => void) => (checks.add(check), () => checks.delete(check));
    const running = await node(t, { pingIntervalMs: 100, maxBufferedBytes: 64 << 20, repeat });
    const listeners = () => running.devnet.events.listenerCount('tipset');
    const baseline = listeners();
    const answering = await client(running.wsUrl);
    const silent = await client(running.wsUrl, { autoPong: false });
    await silent.call('eth_subscribe', ['newHeads']);
    await answering.call('eth_subscribe', ['newHeads']);
    assert.equal(listeners(), baseline + 2);
    assert.equal(checks.size, 2);
    let pings = 0;
    answering.ws.on('ping', () => pings++);

    for (let round = 1; round <= 3; round++) {
      tick();
      await pollUntil(`ping ${round}`, async () => (pings === round ? true : undefined));
      // The client sent its pong before this request, so once the answer is back the node has read the pong.
      assert.match(await answering.call('eth_blockNumber'), /^0x/);
    }
    // The second tick cut the silent client without a close frame: it sees the connection end abnormally.
    assert.equal((await silent.closed).code, 1006);
    assert.equal(listeners(), baseline + 1);
    await pollUntil('the cut socket to stop its checks', async () => (checks.size === 1 ? true : undefined));
    assert.equal(answering.ws.readyState, WebSocket.OPEN);
    answering.ws.close();
  });
});
