// Replays of mined tipsets (trace_block, trace_filter, debug_trace*, ots_*) and the node's other
// clients (audit15 C10): a replay runs in slices of the miner's queue, so another client's send is
// answered between its messages, and clients that keep the queue busy do not hold it back for good
// (review R4); a replay whose client has gone (HTTP connection or WebSocket closed) stops; one whose
// tipset left the chain meanwhile (a revert) says so.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { buildServer } from '../../src/eth-rpc/server.js';
import type { JsonRpcError } from '../../src/eth-rpc/errors.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';

/** A deployment whose code loops until its gas is spent (JUMPDEST PUSH1 0 JUMP), as audit15 traced. */
const LOOP = '0x5b600056';
/** Each loop's gas: a few tens of ms of replay each. */
const LOOP_GAS = '0x5f5e100'; // 100 M
/** Where a client's leaving or a revert must reach a replay that has begun: a client's 'close' takes a few event-loop turns (slices) to arrive. */
const LONG_LOOP_GAS = '0x17d78400'; // 400 M
const MESSAGES = 8;
const [, looper, one, two] = DEV_ACCOUNTS;
const transfer = { from: one!.address, to: two!.address, value: '0x1' };

/** A devnet listening on loopback, every call it answers recorded as the request log hears it. */
async function setup(t: TestContext) {
  const devnet = await createDevnet(testConfig());
  const observed: { method: string; error?: JsonRpcError }[] = [];
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }), observe: (method, _ms, error) => observed.push({ method, error }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  const result = async (method: string, params: unknown[] = []): Promise<any> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const body = (await res.json()) as { result?: unknown; error?: JsonRpcError };
    assert.equal(body.error, undefined, `${method} failed: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  // Resolves once the server has a request's headers, and a little later: its replay has begun.
  const received = () => new Promise((resolve) => app.server.once('request', () => setTimeout(resolve, 30)));
  return { devnet, observed, port, url, result, received };
}

/** Mines one tipset of MESSAGES looping deployments of `gas` each; its epoch as a quantity. */
async function mineLoops(result: (method: string, params?: unknown[]) => Promise<any>, gas = LOOP_GAS): Promise<string> {
  await result('evm_setAutomine', [false]);
  for (let i = 0; i < MESSAGES; i++) await result('eth_sendTransaction', [{ from: looper!.address, data: LOOP, gas }]);
  await result('evm_mine');
  await result('evm_setAutomine', [true]);
  const block = await result('eth_getBlockByNumber', ['latest', false]);
  assert.equal(block.transactions.length, MESSAGES);
  return block.number;
}

/** Waits until `observed` has an answer to `method`. */
async function answered(observed: { method: string; error?: JsonRpcError }[], method: string) {
  for (;;) {
    const found = observed.find((o) => o.method === method);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('replays of mined tipsets and the other clients', () => {
  test("another client's send is answered between a replay's messages, and the replay's answer is the one it gives alone", async (t) => {
    const { result, received } = await setup(t);
    // Long loops, so that the send's steps (estimate, admission, tipset) all come while the trace runs on a loaded machine.
    const block = await mineLoops(result, LONG_LOOP_GAS);
    const alone = await result('trace_block', [block]);
    assert.equal(alone.length, MESSAGES);

    const finished: string[] = [];
    const track = (name: string, call: Promise<unknown>) => call.then((value) => (finished.push(name), value));
    const begun = received();
    const traced = track('trace_block', result('trace_block', [block]));
    await begun;
    // A send as a wallet makes it: the gas estimated, the transaction admitted, then mined.
    await track('send', result('eth_sendTransaction', [transfer]));
    assert.deepEqual(await traced, alone);
    assert.deepEqual(finished, ['send', 'trace_block']);
  });

  test('a replay goes on while other clients keep the queue busy: it is answered while they still loop calls', async (t) => {
    const { result } = await setup(t);
    const block = await mineLoops(result);
    // Each client calls back to back until the trace is answered, or until it has made CALLS calls:
    // a replay that waited for a quiet queue would be answered only once they stopped.
    const CLIENTS = 6;
    const CALLS = 500;
    let traced = false;
    let calls = 0;
    let capped = 0;
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (let n = 0; !traced; n++) {
        if (n === CALLS) {
          capped++;
          return;
        }
        await result('eth_call', [{ from: one!.address, to: two!.address, data: '0x' }, 'latest']);
        calls++;
      }
    });
    while (calls < CLIENTS) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = calls;
    const trace = await result('trace_block', [block]);
    traced = true;
    const during = calls - before;
    await Promise.all(clients);
    assert.equal(trace.length, MESSAGES);
    assert.equal(capped, 0, `the trace was answered only after ${capped} of the ${CLIENTS} clients had stopped`);
    assert.ok(during > 0);
  });

  test('a replay whose HTTP client has gone stops', async (t) => {
    const { observed, port, result, received } = await setup(t);
    const block = await mineLoops(result, LONG_LOOP_GAS);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'trace_filter', params: [{ fromBlock: block, toBlock: block }] });
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    const begun = received();
    req.end(body);
    await begun;
    req.destroy();
    const { error } = await answered(observed, 'trace_filter');
    assert.equal(error?.message, 'replay stopped: its client has gone');
    // The node goes on: the same trace for a client that stays.
    assert.equal((await result('trace_filter', [{ fromBlock: block, toBlock: block }])).length, MESSAGES);
  });

  test('a replay whose WebSocket closed stops', async (t) => {
    const { observed, port, result } = await setup(t);
    const block = await mineLoops(result, LONG_LOOP_GAS);
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'debug_traceBlockByNumber', params: [block, { tracer: 'callTracer' }] }));
    // The socket's messages start in order: once the next is answered, the replay has begun.
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] }));
    await new Promise((resolve) => socket.once('message', resolve));
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.terminate();
    const { error } = await answered(observed, 'debug_traceBlockByNumber');
    assert.equal(error?.message, 'replay stopped: its client has gone');
  });

  test('a replay whose tipset a revert dropped meanwhile says so', async (t) => {
    const { observed, url, result, received } = await setup(t);
    const snapshot = await result('evm_snapshot');
    const block = await mineLoops(result, LONG_LOOP_GAS);
    const begun = received();
    const traced = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'trace_block', params: [block] }) });
    await begun;
    assert.equal(await result('evm_revert', [snapshot]), true);
    const { error } = (await (await traced).json()) as { error?: JsonRpcError };
    assert.equal(error?.message, `tipset ${Number(block)} left the chain while it was replayed (a revert or a reset); trace again`);
    assert.ok(observed.some((o) => o.method === 'trace_block' && o.error !== undefined));
  });
});
