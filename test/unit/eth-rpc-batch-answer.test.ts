// A batch's answers bounded in bytes (batch-answer.ts), as geth bounds them (rpc/handler.go
// handleBatch, BatchResponseMaxSize; rpc/errors.go: -32003 "response too large").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchAnswer, RESPONSE_TOO_LARGE } from '../../src/eth-rpc/batch-answer.js';
import type { JsonRpcResponse } from '../../src/eth-rpc/dispatch.js';
import { DEFAULT_MAX_BATCH_RESPONSE_BYTES } from '../../src/config.js';

const answer = (id: number, result: unknown): JsonRpcResponse => ({ jsonrpc: '2.0', id, result });
const tooLarge = (id: number) => ({ jsonrpc: '2.0', id, error: RESPONSE_TOO_LARGE });
/** The JSON of `answers` written in their order within `maxBytes`. */
function batchAnswerJson(answers: JsonRpcResponse[], maxBytes: number): string {
  const batch = new BatchAnswer(answers.length, maxBytes);
  answers.forEach((answer, i) => batch.put(i, answer));
  return batch.json();
}

describe('BatchAnswer', () => {
  test('geth\'s default bound and error', () => {
    assert.equal(DEFAULT_MAX_BATCH_RESPONSE_BYTES, 25_000_000);
    assert.deepEqual(RESPONSE_TOO_LARGE, { code: -32003, message: 'response too large' });
  });

  test('within the bound: the bytes of JSON.stringify of the whole batch', () => {
    const answers = [answer(1, '0x1'), { jsonrpc: '2.0' as const, id: 'a', error: { code: 3, message: 'reverted', data: '0x00' } }, answer(2, ['é', { x: null }])];
    const json = JSON.stringify(answers);
    assert.equal(batchAnswerJson(answers, Buffer.byteLength(json)), json);
  });

  test('the answer that crosses the bound and every later one, small or not, are -32003 with their ids', () => {
    const big = 'x'.repeat(1000);
    const answers = [answer(1, big), answer(2, big), answer(3, big), answer(4, '0x1')];
    const one = Buffer.byteLength(JSON.stringify(answers[0]));
    assert.deepEqual(JSON.parse(batchAnswerJson(answers, 2 * one + 10)), [answers[0], answers[1], tooLarge(3), tooLarge(4)]);
    assert.deepEqual(JSON.parse(batchAnswerJson(answers, one - 1)), [tooLarge(1), tooLarge(2), tooLarge(3), tooLarge(4)]);
  });

  test('bytes, not UTF-16 units, are counted', () => {
    const answers = [answer(1, 'é'.repeat(100)), answer(2, '0x1')];
    const first = JSON.stringify(answers[0]);
    // 100 more bytes than characters: a bound of the first's characters refuses it.
    assert.deepEqual(JSON.parse(batchAnswerJson(answers, first.length)), [tooLarge(1), tooLarge(2)]);
  });

  test('an answer too long for one string (V8\'s "Invalid string length") is -32003, not a failure of the batch', () => {
    const unwritable = { toJSON: () => { throw new RangeError('Invalid string length'); } };
    const answers = [answer(1, '0x1'), answer(2, unwritable), answer(3, '0x2')];
    assert.deepEqual(JSON.parse(batchAnswerJson(answers, 1 << 20)), [answers[0], tooLarge(2), tooLarge(3)]);
  });

  test('answers written as they are ready stand in their requests\' order; notifications are owed nothing', () => {
    const batch = new BatchAnswer(4, 1 << 20);
    batch.put(3, answer(4, '0x4'));
    batch.put(1, undefined);
    assert.equal(batch.isEmpty, false);
    batch.put(0, answer(1, '0x1'));
    assert.deepEqual(JSON.parse(batch.json()), [answer(1, '0x1'), answer(4, '0x4')]);
    const notifications = new BatchAnswer(2, 1 << 20);
    notifications.put(0, undefined);
    assert.equal(notifications.isEmpty, true);
  });
});
