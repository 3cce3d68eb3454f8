// Long calls from outside, on the real node: the executions of one JSON-RPC batch (HTTP or
// WebSocket) share one --call-timeout, as geth gives a batch one deadline (go-ethereum
// rpc/handler.go handleBatch: calls not done by then answered -32002 "request timed out"); and after
// a long call the node answers other connections before running the next, so a queue of them cannot
// keep eth_chainId waiting for all of them (audit14 session 34, F-batch).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { useDevnet } from '../helpers/use-devnet.js';

/** Far below the loop's time, so that a fast machine still cuts it (review R12); four of them are a window of 200 ms. */
const TIMEOUT_MS = 50;
/** JUMPDEST PUSH1 0 JUMP, run as init code: loops until its 10 000 000 000 gas is gone (~0.6 s of CPU here). */
const LOOP = { data: '0x5b600056' };
/** STOP, run as init code: answered at once with empty bytes. */
const QUICK = { data: '0x00' };
const CALL_ABORTED = { code: -32000, message: `execution aborted (timeout = ${TIMEOUT_MS}ms)` };
const BATCH_TIMED_OUT = { code: -32002, message: 'request timed out' };

type Answer = { id: number; result?: unknown; error?: { code: number; message: string } };

const request = (id: number, method: string, params: unknown[] = []) => ({ jsonrpc: '2.0', id, method, params });

describe('long calls: batches share one --call-timeout, other clients are answered meanwhile', () => {
  const node = useDevnet(['--call-timeout', String(TIMEOUT_MS)]);
  const post = async (body: unknown): Promise<any> => {
    const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.json();
  };

  /** The batch of looping calls (and a quick request between them) every transport is checked with. */
  const loopBatch = () => [request(1, 'eth_call', [LOOP, 'latest']), request(2, 'eth_estimateGas', [LOOP]), request(3, 'eth_chainId'), ...[4, 5, 6, 7, 8].map((id) => request(id, 'eth_call', [LOOP, 'latest']))];

  /** The first execution runs its whole budget (its own timeout); the rest of the batch's find it spent. */
  const assertBatchAnswers = (answers: Answer[]) => {
    const byId = new Map(answers.map((a) => [a.id, a]));
    assert.deepEqual(byId.get(1)?.error, CALL_ABORTED);
    assert.equal(byId.get(3)?.result, '0x1df5e76');
    for (const id of [2, 4, 5, 6, 7, 8]) assert.deepEqual(byId.get(id)?.error, BATCH_TIMED_OUT, `request ${id}`);
  };

  test('an HTTP batch of looping calls: the first is cut at --call-timeout, the others answered "request timed out"; later requests have budgets of their own', async () => {
    assertBatchAnswers(await post(loopBatch()));
    // A request after the batch has a whole budget again, and a batch of quick calls is answered whole.
    assert.deepEqual((await post(request(9, 'eth_call', [LOOP, 'latest']))).error, CALL_ABORTED);
    const quick = (await post(Array.from({ length: 50 }, (_, i) => request(i, 'eth_call', [QUICK, 'latest'])))) as Answer[];
    assert.deepEqual(quick.map((a) => a.result), Array(50).fill('0x'));
  });

  test('a WebSocket batch shares one budget as an HTTP batch does', async () => {
    const ws = new WebSocket(node.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      const answer = new Promise<Answer[]>((resolve) => ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
      ws.send(JSON.stringify(loopBatch()));
      assertBatchAnswers(await answer);
    } finally {
      ws.close();
    }
  });

  test('while four clients\' looping calls run, eth_chainId from a fifth is answered before the last of them', async () => {
    const answeredAt: number[] = [];
    const loops = Array.from({ length: 4 }, async () => {
      assert.deepEqual((await post(request(1, 'eth_call', [LOOP, 'latest']))).error, CALL_ABORTED);
      answeredAt.push(performance.now());
    });
    // Sent once the loops are queued (the first runs for TIMEOUT_MS of CPU).
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 4));
    assert.equal((await post(request(2, 'eth_chainId'))).result, '0x1df5e76');
    const chainIdAt = performance.now();
    await Promise.all(loops);
    assert.ok(chainIdAt < Math.max(...answeredAt), 'eth_chainId waited for every looping call');
  });
});
