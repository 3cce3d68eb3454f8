// list-answers.ts: a long list answer written a chunk at a time into reused memory has exactly the
// bytes of JSON.stringify(answer), whatever its items, size and the buffer's earlier use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonRpcResponse } from '../../src/eth-rpc/dispatch.js';
import { isListAnswer, LIST_ANSWER_MIN, ListAnswers, type ListAnswer, type SelfWritten } from '../../src/eth-rpc/list-answers.js';

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

/** An item that writes its own JSON: {"n":<n>} and, from 3 on, a padding as long as n is large. */
class Written implements SelfWritten {
  constructor(private readonly n: number) {}
  private get text() {
    return JSON.stringify(this.toJSON());
  }
  toJSON() {
    return this.n < 3 ? { n: this.n } : { n: this.n, pad: 'p'.repeat(this.n) };
  }
  jsonBytes() {
    return Buffer.from(this.text, 'latin1');
  }
}

test('items that write their own JSON (SelfWritten), alone, in runs and between others, first or last, also past the buffer', () => {
  const writer = new ListAnswers();
  const other = (i: number) => [i, 'x', null, { o: i }][i % 4];
  const lists: [string, unknown[]][] = [
    ['all written', Array.from({ length: 1000 }, (_, i) => new Written(i % 5))],
    ['alternating', Array.from({ length: 300 }, (_, i) => (i % 2 ? new Written(i) : other(i)))],
    ['runs longer than a chunk', Array.from({ length: 900 }, (_, i) => (Math.floor(i / 200) % 2 ? new Written(i % 7) : other(i)))],
    ['one written first', [new Written(1), ...Array.from({ length: LIST_ANSWER_MIN }, (_, i) => other(i))]],
    ['one written last', [...Array.from({ length: LIST_ANSWER_MIN }, (_, i) => other(i)), new Written(2)]],
    ['larger than the first buffer', Array.from({ length: 400 }, (_, i) => (i % 3 ? new Written(10_000 + i) : other(i)))],
  ];
  for (const [name, list] of lists) {
    const a = answer(9, list);
    const bytes = writer.write(a);
    assert.deepEqual(bytes, json(a), name);
    writer.release(bytes);
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

test('only answers whose result is a list of at least LIST_ANSWER_MIN items', () => {
  const list = (n: number): JsonRpcResponse => ({ jsonrpc: '2.0', id: 1, result: Array.from({ length: n }, () => 0) });
  assert.equal(isListAnswer(list(LIST_ANSWER_MIN)), true);
  assert.equal(isListAnswer(list(LIST_ANSWER_MIN - 1)), false);
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
