// log-json.ts: a log in a long eth_getLogs answer is written as the bytes of JSON.stringify of its
// Ethereum view (format.ts formatLog), whatever its topics, data and numbers, the first time and from
// the kept bytes; the bytes kept stay within its bound however many logs are answered. A filter's log
// (removed, renumbered) is its live view (formatLiveLog), never kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLiveLog, formatLog } from '../../src/eth-rpc/format.js';
import { KEPT_BYTES, keptBytes, LogAnswer } from '../../src/eth-rpc/log-json.js';
import type { EthLog } from '../../src/eth-rpc/logs.js';

/** Bytes that differ from log to log, all 256 values among them. */
const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (seed * 131 + i * 37) % 256);

function log(seed: number, topics: number, dataBytes: number, numbers: [number, number, number]): EthLog {
  return {
    address: bytes(20, seed),
    emitter: seed,
    topics: Array.from({ length: topics }, (_, i) => bytes(32, seed + i + 1)),
    data: bytes(dataBytes, seed + 7),
    logIndex: numbers[0],
    transactionIndex: numbers[1],
    transactionHash: bytes(32, seed + 11),
    blockHash: bytes(32, seed + 13),
    blockNumber: numbers[2],
  };
}

const NUMBERS = [0, 1, 9, 10, 15, 16, 255, 256, 4095, 4096, 2 ** 32 - 1, 2 ** 32, 2 ** 52, Number.MAX_SAFE_INTEGER];
const LOGS = [
  ...[0, 1, 2, 3, 4].flatMap((topics) => [0, 1, 31, 32, 33, 1000].map((data) => log(topics * 10 + data, topics, data, [topics, data, 3000]))),
  ...NUMBERS.map((n, i) => log(i, 3, 32, [n, NUMBERS[(i + 5) % NUMBERS.length]!, NUMBERS[(i + 9) % NUMBERS.length]!])),
];

function written(answer: LogAnswer): string {
  return Buffer.from(answer.jsonBytes()).toString('latin1');
}

test('jsonBytes are the bytes of JSON.stringify(formatLog(log)), the first time and again', () => {
  for (const [i, each] of LOGS.entries()) {
    const expected = JSON.stringify(formatLog(each));
    assert.equal(written(new LogAnswer(each)), expected, `log ${i}`);
    assert.equal(written(new LogAnswer(each)), expected, `log ${i} again`);
  }
});

test('serialised anywhere else (JSON.stringify: WebSocket, batches) it is its Ethereum view', () => {
  const each = LOGS[7]!;
  assert.equal(JSON.stringify([new LogAnswer(each)]), JSON.stringify([formatLog(each)]));
});

test('the JSON kept stays within KEPT_BYTES; a log whose JSON was dropped is written the same', () => {
  const first = log(1, 3, 32, [0, 0, 1]);
  const expected = JSON.stringify(formatLog(first));
  written(new LogAnswer(first));
  const count = Math.ceil((1.25 * KEPT_BYTES) / expected.length);
  for (let i = 0; i < count; i++) {
    new LogAnswer(log(i, 3, 32, [i % 7, 0, i])).jsonBytes();
    assert.ok(keptBytes() <= KEPT_BYTES, `${keptBytes()} bytes kept after ${i + 1} logs`);
  }
  assert.ok(keptBytes() > KEPT_BYTES / 2, 'it keeps logs up to its bound');
  assert.equal(written(new LogAnswer(first)), expected);
});

test('a kept log holds bytes of its own, not a pool slab shared with what was made between two logs (R106)', () => {
  // Between two logs' first formatting, other code takes small buffers from node's shared pool (hex.ts's
  // copies, receipts and blocks formatted between two polls); a kept pool slice would hold the whole slab.
  const keptJson: Uint8Array[] = [];
  for (let i = 0; i < 2000; i++) {
    for (let j = 0; j < 20; j++) Buffer.from(new Uint8Array(32));
    keptJson.push(new LogAnswer(log(i, 3, 32, [i % 5, 1, 100_000 + i])).jsonBytes());
  }
  const counted = keptJson.reduce((sum, json) => sum + json.length, 0);
  const held = [...new Set(keptJson.map((json) => json.buffer))].reduce((sum, buffer) => sum + buffer.byteLength, 0);
  assert.ok(held <= counted * 1.05, `${held} bytes held for ${counted} counted`);
});

test("a filter's log (removed after a revert, or renumbered as the filter numbers it) is written as its live view, and its JSON is not kept", () => {
  for (const [i, each] of LOGS.entries()) {
    const before = keptBytes();
    const renumbered = each.logIndex === 7 ? 8 : 7;
    assert.equal(written(new LogAnswer(each, true)), JSON.stringify(formatLiveLog(each, each.logIndex, true)), `log ${i} removed`);
    assert.equal(written(new LogAnswer(each, false, renumbered)), JSON.stringify(formatLiveLog(each, renumbered, false)), `log ${i} renumbered`);
    assert.equal(written(new LogAnswer(each, true, renumbered)), JSON.stringify(formatLiveLog(each, renumbered, true)), `log ${i} both`);
    assert.equal(keptBytes(), before, `log ${i}: nothing kept`);
  }
});
