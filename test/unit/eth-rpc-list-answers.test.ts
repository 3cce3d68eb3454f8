// list-answers.ts: a long list answer written a chunk at a time into reused memory has exactly the
// bytes of JSON.stringify(answer), whatever its items, size and the buffer's earlier use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonRpcResponse } from '../../src/eth-rpc/dispatch.js';
import { isListAnswer, LIST_ANSWER_MIN, ListAnswers, type ListAnswer } from '../../src/eth-rpc/list-answers.js';

const answer = (id: string | number | null, result: unknown[]): ListAnswer => ({ jsonrpc: '2.0', id, result });
const json = (a: ListAnswer) => Buffer.from(JSON.stringify(a));

test('the bytes of JSON.stringify for lists around the chunk size, with any JSON items', () => {
  const writer = new ListAnswers();
  const item = (i: number) => [i, `é${i}😀\u2028"\\`, null, undefined, { nested: [i, { deep: true }], skipped: undefined }, 1.5e300, -0][i % 7];
  for (const length of [LIST_ANSWER_MIN, LIST_ANSWER_MIN + 1, 2 * LIST_ANSWER_MIN, 1000]) {
    for (const id of [7, 'a "quoted" id', null]) {
      const a = answer(id, Array.from({ length }, (_, i) => item(i)));
      assert.deepEqual(writer.write(a), json(a), `${length} items, id ${id}`);
    }
  }
});

test('a list larger than the buffer grows it; a shorter one after it leaves nothing of it behind', () => {
  const writer = new ListAnswers();
  const large = answer(1, Array.from({ length: 300 }, (_, i) => 'x'.repeat(10_000) + i));
  const first = writer.write(large);
  assert.deepEqual(first, json(large));
  writer.release(first);
  const small = answer(2, Array.from({ length: LIST_ANSWER_MIN }, (_, i) => i));
  const second = writer.write(small);
  assert.equal(second.buffer, first.buffer, 'the released memory is reused');
  assert.deepEqual(second, json(small));
});

test('a buffer not released is not reused', () => {
  const writer = new ListAnswers();
  const a = answer(1, Array.from({ length: LIST_ANSWER_MIN }, (_, i) => i));
  const first = writer.write(a);
  const second = writer.write(answer(2, a.result));
  assert.notEqual(second.buffer, first.buffer);
  assert.deepEqual(first, json(a));
});

test('only single answers whose result is a list of at least LIST_ANSWER_MIN items', () => {
  const list = (n: number): JsonRpcResponse => ({ jsonrpc: '2.0', id: 1, result: Array.from({ length: n }, () => 0) });
  assert.equal(isListAnswer(list(LIST_ANSWER_MIN)), true);
  assert.equal(isListAnswer(list(LIST_ANSWER_MIN - 1)), false);
  assert.equal(isListAnswer([list(LIST_ANSWER_MIN)]), false);
  assert.equal(isListAnswer({ jsonrpc: '2.0', id: 1, result: { length: 500 } }), false);
  assert.equal(isListAnswer({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'no' } }), false);
});

test('an id longer than the buffer (the client chooses it) is written whole', () => {
  const writer = new ListAnswers();
  for (const id of ['i'.repeat(1_100_000), '€'.repeat(400_000)]) {
    const a = answer(id, Array.from({ length: 200 }, (_, i) => i));
    assert.deepEqual(writer.write(a), json(a), `an id of ${id.length} characters`);
  }
});
