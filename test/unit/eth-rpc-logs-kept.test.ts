// logs.ts: tipsets' logs are made once and kept for the tipsets read last, at most KEPT_LOGS logs
// (a tipset without logs counts one), so reading the whole chain keeps no more; a tipset read again
// while kept gives the same logs, one read after it left them gives equal ones made again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RAW } from '../../src/common/cbor.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { KEPT_LOGS, keptLogCount, tipsetLogs } from '../../src/eth-rpc/logs.js';
import type { Tipset } from '../../src/mining/tipset.js';

const word = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (n >> (8 * (i % 4))) & 255);
/** Each actor ID is an EVM actor without a delegated address (its masked ID address is its log address). */
const devnet = { stateAt: () => ({ getActor: (id: number) => ({ id, kind: 'evm', nonce: 0, balance: 0n }) }) } as unknown as Devnet;

/** A tipset with one message emitting `logs` events of one topic each (none: a message without events). */
function tipset(epoch: number, logs: number): Tipset {
  const events = Array.from({ length: logs }, (_, i) => ({ emitter: 1000 + i, entries: [{ flags: 3, key: 't1', codec: RAW, value: word(i) }, { flags: 3, key: 'd', codec: RAW, value: word(epoch) }] }));
  const message = { index: 0, ethTx: { hash: word(epoch + 1) }, receipt: { events } };
  return { epoch, hash: word(epoch + 2), messages: [message] } as unknown as Tipset;
}

test('at most KEPT_LOGS logs are kept, however many tipsets are read; a tipset still kept gives the same logs', () => {
  const chain = Array.from({ length: 3000 }, (_, i) => tipset(i, i % 3 === 0 ? 0 : 7));
  const first = tipsetLogs(devnet, chain[1]!);
  assert.equal(first.length, 7);
  assert.deepEqual(first.map((l) => l.blockNumber), Array(7).fill(1));
  assert.equal(tipsetLogs(devnet, chain[1]!), first, 'kept: the same logs');
  for (const each of chain) {
    tipsetLogs(devnet, each);
    assert.ok(keptLogCount() <= KEPT_LOGS, `${keptLogCount()} logs kept`);
  }
  assert.ok(keptLogCount() > KEPT_LOGS - 8, 'it keeps logs up to its bound');
  const again = tipsetLogs(devnet, chain[1]!);
  assert.notEqual(again, first, 'made again once it left');
  assert.deepEqual(again, first);
  assert.equal(tipsetLogs(devnet, chain[chain.length - 1]!), tipsetLogs(devnet, chain[chain.length - 1]!), 'the last read is kept');
});

test('a tipset without messages is not kept', () => {
  const before = keptLogCount();
  const empty = { epoch: 1, hash: word(1), messages: [] } as unknown as Tipset;
  assert.deepEqual(tipsetLogs(devnet, empty), []);
  assert.equal(keptLogCount(), before);
});
