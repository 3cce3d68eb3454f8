// The JSON-RPC dispatcher on its own, with a fake method table: framing, notifications, batches,
// arity, parsing, and how errors become JSON-RPC errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { DevnetError, ExecutionRevertedError } from '../../src/common/errors.js';
import { defineMethod, type RpcContext } from '../../src/eth-rpc/define-method.js';
import { BatchAnswer } from '../../src/eth-rpc/batch-answer.js';
import { Dispatcher, type JsonRpcResponse } from '../../src/eth-rpc/dispatch.js';
import type { JsonRpcError } from '../../src/eth-rpc/errors.js';
import { amount, optional, string } from '../../src/eth-rpc/params.js';

// A node that is no fork: every call is the node's own, and no error names fork state to fetch.
const ctx = { devnet: { fork: undefined, fetchMissing: async () => false, holdInstantMining: () => () => undefined } } as unknown as RpcContext;

function dispatcher() {
  const logged: Record<string, unknown>[] = [];
  const observed: { method: string; error?: JsonRpcError }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  const calls: unknown[][] = [];
  const methods = [
    defineMethod('echo', [string('text')], (_ctx, text) => text),
    defineMethod('add', [amount('a'), optional(amount('b'))], (_ctx, a, b) => {
      calls.push([a, b]);
      return `0x${(a + (b ?? 0n)).toString(16)}`;
    }),
    defineMethod('nothing', [], () => undefined),
    defineMethod('slow', [], async () => 'done'),
    defineMethod('fails', [], () => {
      throw new DevnetError('it failed');
    }),
    defineMethod('reverts', [], () => {
      throw new ExecutionRevertedError('execution reverted', new Uint8Array([0xde, 0xad]));
    }),
    defineMethod('crashes', [], () => {
      throw new TypeError('undefined is not a function');
    }),
  ];
  const d = new Dispatcher(methods, log, (method, _ms, error) => observed.push({ method, error }));
  return { d, logged, observed, calls };
}

const req = (method: string, params: unknown[] = [], id: unknown = 1) => ({ jsonrpc: '2.0', id, method, params });
/** A batch's answers, parsed from the JSON the dispatcher wrote (or its one error for the whole batch). */
const batchOf = async (d: Dispatcher, body: unknown[]) => {
  const answer = await d.handle(body, ctx);
  return (answer instanceof BatchAnswer ? JSON.parse(answer.json()) : answer) as JsonRpcResponse[];
};
const one = async (d: Dispatcher, body: unknown) => (await d.handle(body, ctx)) as JsonRpcResponse & { result?: unknown; error?: JsonRpcError };

describe('Dispatcher', () => {
  test('a call answers its result with the same id', async () => {
    const { d } = dispatcher();
    assert.deepEqual(await one(d, req('echo', ['hi'], 7)), { jsonrpc: '2.0', id: 7, result: 'hi' });
    assert.deepEqual(await one(d, req('echo', ['hi'], 'x-1')), { jsonrpc: '2.0', id: 'x-1', result: 'hi' });
    assert.deepEqual(await one(d, req('slow')), { jsonrpc: '2.0', id: 1, result: 'done' });
  });

  test('an undefined result is sent as null', async () => {
    const { d } = dispatcher();
    assert.deepEqual(await one(d, req('nothing')), { jsonrpc: '2.0', id: 1, result: null });
  });

  test('id null is a request (answered with id null); no id is a notification (no answer)', async () => {
    const { d, calls } = dispatcher();
    assert.deepEqual(await one(d, req('echo', ['a'], null)), { jsonrpc: '2.0', id: null, result: 'a' });
    assert.equal(await d.handle({ jsonrpc: '2.0', method: 'add', params: ['0x1'] }, ctx), undefined);
    // The notification still ran.
    assert.deepEqual(calls, [[1n, undefined]]);
    // A failing notification gets no answer either.
    assert.equal(await d.handle({ jsonrpc: '2.0', method: 'fails', params: [] }, ctx), undefined);
  });

  // JSON-RPC 2.0 would make this -32600 (Invalid Request); Lotus's go-jsonrpc answers -32700 "failed to
  // parse ID: invalid id type" with id null, and the devnet answers as calibnet does.
  test('an id that is an array, object or boolean is a -32700 error with id null, as Lotus answers it; the method does not run', async () => {
    const { d, calls } = dispatcher();
    for (const id of [[1], { nested: true }, true]) {
      const answer = await one(d, req('add', ['0x1'], id));
      assert.equal(answer.id, null);
      assert.equal(answer.error?.code, -32700, JSON.stringify(answer));
      assert.match(answer.error!.message, /^failed to parse ID: invalid id type: (array|object|boolean)$/);
    }
    assert.deepEqual(calls, []);
    // In a batch, only that request is refused.
    const batch = await batchOf(d, [req('echo', ['a'], [2]), req('echo', ['b'], 3)]);
    assert.deepEqual(batch.map((a) => ('error' in a ? a.error.code : a.result)), [-32700, 'b']);
  });

  // go-jsonrpc decodes a numeric id into a float64 (encoding/json convertNumber): an id past a
  // float64's range fails the request's decode, -32700 with id null; one beyond 2^53 is rounded, as here.
  test('an id past a double’s range is a -32700 error with id null, and the method does not run; one beyond 2^53 comes back rounded', async () => {
    const { d, calls } = dispatcher();
    for (const text of ['1e400', '-1e400']) {
      const answer = await one(d, JSON.parse(`{"jsonrpc":"2.0","id":${text},"method":"add","params":["0x1"]}`));
      assert.deepEqual([answer.id, answer.error?.code], [null, -32700], JSON.stringify(answer));
      assert.equal(answer.error!.message, 'Parse error');
    }
    // In a batch, Lotus's decode of the whole body fails: one parse error, nothing run.
    assert.deepEqual(await one(d, [req('add', ['0x1'], 1), JSON.parse('{"jsonrpc":"2.0","id":1e400,"method":"add","params":["0x2"]}')]), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error' },
    });
    assert.deepEqual(calls, []);
    const big = await one(d, JSON.parse('{"jsonrpc":"2.0","id":9007199254740993,"method":"echo","params":["a"]}'));
    assert.equal(JSON.stringify(big.id), '9007199254740992');
  });

  test('missing params mean none; params that are not an array are -32602', async () => {
    const { d } = dispatcher();
    assert.deepEqual(await one(d, { jsonrpc: '2.0', id: 1, method: 'nothing' }), { jsonrpc: '2.0', id: 1, result: null });
    const err = (await one(d, { jsonrpc: '2.0', id: 1, method: 'echo', params: { text: 'hi' } })).error;
    assert.equal(err?.code, -32602);
  });

  test('arity: required and optional params, in Lotus\'s wording', async () => {
    const { d, calls } = dispatcher();
    assert.deepEqual((await one(d, req('echo', []))).error, { code: -32602, message: "wrong param count (method 'echo'): 0 != 1" });
    assert.deepEqual((await one(d, req('echo', ['a', 'b']))).error, { code: -32602, message: "wrong param count (method 'echo'): 2 != 1" });
    assert.deepEqual((await one(d, req('add', []))).error, { code: -32602, message: "wrong param count (method 'add'): 0 != 1 to 2" });
    assert.deepEqual((await one(d, req('add', ['0x1', '0x2', '0x3']))).error, { code: -32602, message: "wrong param count (method 'add'): 3 != 1 to 2" });
    assert.equal((await one(d, req('add', ['0x1']))).result, '0x1');
    assert.equal((await one(d, req('add', ['0x1', '0x2']))).result, '0x3');
    assert.deepEqual(calls, [
      [1n, undefined],
      [1n, 2n],
    ]);
  });

  test('a param that does not parse is -32602 naming the parameter, and the handler does not run', async () => {
    const { d, calls } = dispatcher();
    const err = (await one(d, req('add', ['0x1', 'two']))).error;
    assert.equal(err?.code, -32602);
    assert.match(err!.message, /^invalid argument 'b': /);
    assert.deepEqual(calls, []);
  });

  test('unknown method -32601; missing method or non-object request -32600', async () => {
    const { d } = dispatcher();
    assert.deepEqual(await one(d, req('nope')), { jsonrpc: '2.0', id: 1, error: { code: -32601, message: "method 'nope' not found" } });
    assert.equal((await one(d, { jsonrpc: '2.0', id: 4, params: [] })).error?.code, -32600);
    assert.equal((await one(d, { jsonrpc: '2.0', id: 4, params: [] })).id, 4);
    for (const body of [null, 'x', 3, true]) assert.equal((await one(d, body)).error?.code, -32600, JSON.stringify(body));
  });

  test('method errors keep their code; reverts carry their data as hex; unexpected throws are -32603 and logged', async () => {
    const { d, logged } = dispatcher();
    assert.deepEqual((await one(d, req('fails'))).error, { code: 1, message: 'it failed' });
    assert.deepEqual((await one(d, req('reverts'))).error, { code: 3, message: 'execution reverted', data: '0xdead' });
    assert.equal(logged.length, 0);
    assert.deepEqual((await one(d, req('crashes'))).error, { code: -32603, message: 'Internal error: undefined is not a function' });
    assert.equal(logged.length, 1);
    assert.equal(logged[0].level, 50);
    assert.match(String((logged[0].err as { stack?: string }).stack), /TypeError: undefined is not a function/);
  });

  test('batches: answered in order, notifications left out; empty and oversized batches are -32600', async () => {
    const { d } = dispatcher();
    const answers = await batchOf(d, [req('echo', ['a'], 1), { jsonrpc: '2.0', method: 'echo', params: ['b'] }, req('nope', [], 3), 5]);
    assert.deepEqual(answers, [
      { jsonrpc: '2.0', id: 1, result: 'a' },
      { jsonrpc: '2.0', id: 3, error: { code: -32601, message: "method 'nope' not found" } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: expected a JSON-RPC request object' } },
    ]);
    assert.equal(await d.handle([{ jsonrpc: '2.0', method: 'echo', params: ['b'] }], ctx), undefined);
    assert.equal((await one(d, [])).error?.code, -32600);
    const big = Array.from({ length: 1001 }, (_, i) => req('echo', ['x'], i));
    const tooBig = await one(d, big);
    assert.equal(tooBig.error?.code, -32600);
    assert.equal(tooBig.id, null);
    assert.equal((await batchOf(d, big.slice(0, 1000))).length, 1000);
  });

  // audit15 C1: a batch of heavy reads ran every request before its answers were bounded, holding
  // every other client meanwhile. geth runs no more of a batch once its answers pass the bound
  // (go-ethereum rpc/handler.go handleBatch).
  test('a batch runs no request once its answers pass --max-batch-bytes, and lets other requests in between long ones', async () => {
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const events: string[] = [];
    const big = 'x'.repeat(100_000);
    const methods = [
      defineMethod('heavy', [], () => {
        events.push('heavy');
        busy(12);
        return big;
      }),
      defineMethod('echo', [string('text')], (_ctx, text) => text),
    ];
    const d = new Dispatcher(methods, pino({ level: 'silent' }), undefined, 1000, 250_000);
    const batch = Array.from({ length: 20 }, (_, i) => req('heavy', [], i));
    const answering = batchOf(d, batch);
    // Another client's request, arriving while the batch runs.
    setImmediate(() => void d.handle(req('echo', ['other']), ctx).then(() => events.push('other')));
    const answers = await answering;
    // Two answers fit in 250 000 bytes; the third crosses the bound and is refused; the rest never run.
    assert.deepEqual(events.filter((e) => e === 'heavy').length, 3);
    assert.deepEqual(answers.map((a) => ('error' in a ? a.error.code : (a.result as string).length)), [100_000, 100_000, ...Array(18).fill(-32003)]);
    assert.deepEqual(answers.map((a) => a.id), batch.map((r) => r.id));
    assert.ok(events.indexOf('other') < 3, events.join());
  });

  // review R1/R2: a batch that yields while starting its requests must not let the instant miner cut
  // its sends into several tipsets, nor a WebSocket's next message start in its middle.
  test('a batch holds instant mining until all its requests have started, and then says so', async () => {
    const events: string[] = [];
    const holding = {
      devnet: { fork: undefined, holdInstantMining: () => (events.push('hold'), () => events.push('release')) },
    } as unknown as RpcContext;
    const methods = [
      defineMethod('slowSend', [], () => {
        events.push('send');
        const until = performance.now() + 12;
        while (performance.now() < until);
        return '0x1';
      }),
    ];
    const d = new Dispatcher(methods, pino({ level: 'silent' }));
    const answer = d.handle([req('slowSend', [], 1), req('slowSend', [], 2), req('slowSend', [], 3)], holding, () => events.push('started'));
    setImmediate(() => events.push('other'));
    assert.ok((await answer) instanceof BatchAnswer);
    assert.deepEqual(events.filter((e) => e !== 'other'), ['hold', 'send', 'send', 'send', 'release', 'started']);
    assert.ok(events.indexOf('other') < events.lastIndexOf('send'), events.join());
    // A single request has started at once.
    const single: string[] = [];
    await d.handle(req('slowSend'), holding, () => single.push('started'));
    assert.deepEqual(single, ['started']);
  });

  test('the observer hears every call with its error', async () => {
    const { d, observed } = dispatcher();
    await one(d, req('echo', ['a']));
    await one(d, req('fails'));
    await one(d, req('nope'));
    assert.deepEqual(observed, [
      { method: 'echo', error: undefined },
      { method: 'fails', error: { code: 1, message: 'it failed' } },
      { method: 'nope', error: { code: -32601, message: "method 'nope' not found" } },
    ]);
    assert.equal(d.has('echo'), true);
    assert.equal(d.has('nope'), false);
  });
});
