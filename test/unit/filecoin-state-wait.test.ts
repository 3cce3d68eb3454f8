// StateWaitMsg for a message the search back from the head finds only at its nonce (a secp message
// asked for by its unsigned CID, which the chain's index does not hold): as Lotus's WaitForMessage
// (lotus b835fab70 chain/stmgr/searchwait.go), an error there or a find beyond the lookback limit is not
// the answer; the wait watches new tipsets until its client goes or, over a WebSocket, cancels it
// (go-jsonrpc's xrpc.cancel), and then lets go of them.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { CID } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { pollUntil } from '../helpers/devnet-process.js';
import { setupRpc, setupWebSocketRpc, tipsetListeners } from '../helpers/rpc-harness.js';

const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const SEND = { From: CLIENT, To: 't0100', Value: '1', Method: 0 };

/** Whether `promise` is still unsettled once the calls `after` makes have been answered. */
async function stillWaiting(promise: Promise<unknown>, after: () => Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await after();
  return !settled;
}

describe('StateWaitMsg for a message found only by searching back at its nonce (Lotus WaitForMessage)', () => {
  test('by its unsigned CID, no replacement allowed, below the head: it waits on over new tipsets while StateSearchMsg answers null; its WebSocket closed, its tipset listener is gone', async (t) => {
    const { devnet, socket, received, call } = await setupWebSocketRpc(t);
    const pushed = await call('Filecoin.MpoolPushMessage', [SEND, null]);
    const [signed, unsigned] = [pushed.CID, pushed.Message.CID];
    await call('evm_mine');
    const before = tipsetListeners(devnet);
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'wait', method: 'Filecoin.StateWaitMsg', params: [unsigned, 0, -1, false] }));
    // Asked after the wait, answered after it began: the wait has not answered, over new tipsets either.
    assert.equal(await call('Filecoin.StateSearchMsg', [null, unsigned, -1, false]), null);
    const [waiter] = tipsetListeners(devnet).filter((listener) => !before.includes(listener));
    assert.ok(waiter);
    await call('evm_mine');
    await call('Filecoin.MpoolPushMessage', [SEND, null]);
    assert.equal(received.find((m) => m.id === 'wait'), undefined);
    // A replacement allowed, the signed message answers for it; by its own CID it is found too.
    assert.deepEqual((await call('Filecoin.StateWaitMsg', [unsigned, 0, -1, true])).Message, signed);
    assert.deepEqual((await call('Filecoin.StateWaitMsg', [signed, 0, -1, false])).Message, signed);

    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
    // The server learns of the close on its side a moment later.
    const waiting = () => tipsetListeners(devnet).includes(waiter!);
    await pollUntil('the wait to let go of its tipset listener', async () => (waiting() ? undefined : true), { intervalMs: 10 });
  });

  test("over a WebSocket, go-jsonrpc's xrpc.cancel naming the wait ends it: `context canceled` (code 1) under its id, as Lotus's handler answers its ctx's end, and its tipset listener gone", async (t) => {
    const { devnet, socket, received, call, waitFor } = await setupWebSocketRpc(t);
    const pushed = await call('Filecoin.MpoolPushMessage', [SEND, null]);
    await call('evm_mine');
    const before = tipsetListeners(devnet);
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'wait', method: 'Filecoin.StateWaitMsg', params: [pushed.Message.CID, 0, -1, false] }));
    await call('eth_chainId');
    const [waiter] = tipsetListeners(devnet).filter((listener) => !before.includes(listener));
    assert.ok(waiter);
    // A cancel naming no waiting request (another id; the number for the string, as go-jsonrpc keys them) changes nothing.
    for (const other of ['other', 1]) socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'xrpc.cancel', params: [other] }));
    await call('eth_chainId');
    assert.ok(tipsetListeners(devnet).includes(waiter));

    // As go-jsonrpc's client sends it once its call's context ends (client.go setupRequestChan); it then waits for the answer.
    socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'xrpc.cancel', params: ['wait'] }));
    const timeout = new Promise((resolve) => setTimeout(resolve, 2000).unref());
    const answer = await Promise.race([waitFor((m) => m.id === 'wait'), timeout]);
    assert.deepEqual(answer, { jsonrpc: '2.0', id: 'wait', error: { code: 1, message: 'context canceled' } });
    assert.equal(tipsetListeners(devnet).includes(waiter), false);
    // The cancels themselves are answered by nothing, as Lotus's cancelCtx sends nothing.
    assert.equal(received.some((m) => m.id === null || m.id === undefined), false);
  });

  test("11 waits at once on one connection (a WebSocket's, with ids and without; an HTTP connection's, pipelined) print no MaxListenersExceededWarning, and each lets go of its listener once its connection closes", async (t) => {
    const { devnet, app, socket, call } = await setupWebSocketRpc(t);
    const pushed = await call('Filecoin.MpoolPushMessage', [SEND, null]);
    await call('evm_mine');
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    t.after(() => process.off('warning', onWarning));
    const before = tipsetListeners(devnet);
    const added = () => tipsetListeners(devnet).filter((listener) => !before.includes(listener));
    const WAITS = 11;
    const wait = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'Filecoin.StateWaitMsg', params: [pushed.Message.CID, 0, -1, false] });
    for (let i = 0; i < WAITS; i++) socket.send(wait(1000 + i));
    // With no id to cancel them by (a notification, `"id": null`), they listen to the socket's own signal.
    const idless = (id: null | undefined) => JSON.stringify({ jsonrpc: '2.0', ...(id === null ? { id } : {}), method: 'Filecoin.StateWaitMsg', params: [pushed.Message.CID, 0, -1, false] });
    for (let i = 0; i < WAITS; i++) socket.send(idless(i % 2 === 0 ? null : undefined));
    await call('eth_chainId');
    assert.equal(added().length, 2 * WAITS);

    const http = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
    await once(http, 'connect');
    const waits: unknown[] = [];
    // Closed however the test ends: the server's close waits for its connections.
    try {
      const request = (body: string) => `POST /rpc/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      http.write(Array.from({ length: WAITS }, (_, i) => request(wait(i))).join(''));
      await pollUntil('every wait to listen for tipsets', async () => (added().length < 3 * WAITS ? undefined : true), { attempts: 200, intervalMs: 10 });
      assert.equal(added().length, 3 * WAITS);
      waits.push(...added());
      // Node emits the warning on its next tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message), []);
    } finally {
      http.destroy();
      socket.close();
    }
    const left = () => tipsetListeners(devnet).filter((listener) => waits.includes(listener)).length;
    await pollUntil('the waits to let go of their tipset listeners', async () => (left() > 0 ? undefined : true), { attempts: 200, intervalMs: 10 });
  });

  test('by its unsigned CID at the head, no replacement allowed: the error at once, as Lotus checks the head before it searches back', async (t) => {
    const { error, result } = await setupRpc(t);
    const pushed = await result('Filecoin.MpoolPushMessage', [SEND, null]);
    const { message } = await error('Filecoin.StateWaitMsg', [pushed.Message.CID, 0, -1, false]);
    assert.match(message, /^message was replaced: found message with equal nonce as the one we are looking for \(F:/);
  });

  test('a replacement beyond the lookback limit is not searched back to (v1 and v0 StateWaitMsgLimited): the wait goes on; within it, it answers', async (t) => {
    const { devnet, call, result } = await setupRpc(t);
    const pushed = await result('Filecoin.MpoolPushMessage', [SEND, null]);
    const [signed, unsigned] = [pushed.CID, pushed.Message.CID];
    await result('anvil_mine', ['0x3']);
    const v0 = (method: string, params: unknown[]) => call(method, params, '/rpc/v0');
    const listeners = devnet.events.listenerCount('tipset');
    const beyond = [result('Filecoin.StateWaitMsg', [unsigned, 0, 2, true]), v0('Filecoin.StateWaitMsgLimited', [unsigned, 0, 2])];
    for (const wait of beyond) assert.equal(await stillWaiting(wait, () => result('anvil_mine', ['0x2'])), true);
    assert.equal(devnet.events.listenerCount('tipset'), listeners + 2);
    // Mined at epoch 1, the head at 8 now.
    assert.deepEqual((await result('Filecoin.StateWaitMsg', [unsigned, 0, 7, true])).Message, signed);
    assert.deepEqual((await v0('Filecoin.StateWaitMsgLimited', [unsigned, 0, 7])).result.Message, signed);
    // The limit bounds the search back only: the chain's index finds a message by its own CID at any depth.
    assert.deepEqual((await result('Filecoin.StateWaitMsg', [signed, 0, 1, false])).Message, signed);
  });

  test('its client gone, the wait ends and lets go of its tipset listener', async (t) => {
    const { devnet, result } = await setupRpc(t);
    const pushed = await result('Filecoin.MpoolPushMessage', [SEND, null]);
    await result('evm_mine');
    const listeners = devnet.events.listenerCount('tipset');
    const gone = new AbortController();
    const waiting = devnet.waitForConfidence(CID.parse(pushed.Message.CID['/']), 0, false, { signal: gone.signal });
    assert.equal(await stillWaiting(waiting, () => result('evm_mine')), true);
    assert.equal(devnet.events.listenerCount('tipset'), listeners + 1);
    gone.abort();
    await assert.rejects(waiting, { name: 'ClientGoneError', message: 'message wait: its client has gone' });
    assert.equal(devnet.events.listenerCount('tipset'), listeners);
  });
});
