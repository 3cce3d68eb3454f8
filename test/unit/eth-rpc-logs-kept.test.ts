// logs.ts: a devnet's tipsets' logs are made once and kept for the tipsets read last, at most KEPT_LOGS
// logs (a tipset without logs counts one), so reading the whole chain keeps no more; a tipset read again
// while kept gives the same logs, one read after it left them gives equal ones made again. Each devnet
// keeps its own; a revert lets go of the tipsets it drops, a replaced chain of all.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { getCreateAddress } from 'ethers';
import { RAW } from '../../src/common/cbor.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { KEPT_LOGS, keptLogs, tipsetLogs } from '../../src/eth-rpc/logs.js';
import type { Tipset } from '../../src/mining/tipset.js';
import { CALL, devWallet } from '../helpers/dev-wallet.js';
import { LOG_EMITTER_INITCODE } from '../helpers/log-emitter.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const word = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (n >> (8 * (i % 4))) & 255);
/** Each actor ID is an EVM actor without a delegated address (its masked ID address is its log address). */
const fakeDevnet = (events = new EventEmitter()) =>
  ({ events, stateAt: () => ({ getActor: (id: number) => ({ id, kind: 'evm', nonce: 0, balance: 0n }) }) }) as unknown as Devnet;
const devnet = fakeDevnet();

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
    assert.ok(keptLogs(devnet).size <= KEPT_LOGS, `${keptLogs(devnet).size} logs kept`);
  }
  assert.ok(keptLogs(devnet).size > KEPT_LOGS - 8, 'it keeps logs up to its bound');
  const again = tipsetLogs(devnet, chain[1]!);
  assert.notEqual(again, first, 'made again once it left');
  assert.deepEqual(again, first);
  assert.equal(tipsetLogs(devnet, chain[chain.length - 1]!), tipsetLogs(devnet, chain[chain.length - 1]!), 'the last read is kept');
});

test('a tipset read again stays kept while other tipsets come and go: the least recently read leave first', () => {
  const mine = fakeDevnet();
  const polled = tipset(1, 5);
  const once = tipset(2, 5);
  const logs = tipsetLogs(mine, polled);
  const onceLogs = tipsetLogs(mine, once);
  // Four times the bound in other tipsets' logs, the polled one read again between every 100 of them.
  for (let epoch = 3; epoch < 3 + (4 * KEPT_LOGS) / 8; epoch++) {
    tipsetLogs(mine, tipset(epoch, 8));
    if (epoch % 100 === 0) assert.equal(tipsetLogs(mine, polled), logs, `still kept at epoch ${epoch}`);
  }
  assert.equal(tipsetLogs(mine, polled), logs);
  assert.notEqual(tipsetLogs(mine, once), onceLogs, 'the tipset read once left');
});

test('each devnet keeps its own logs; a revert lets go of the tipsets it drops, a replaced chain of all', () => {
  const aEvents = new EventEmitter();
  const [a, b] = [fakeDevnet(aEvents), fakeDevnet()];
  const stays = tipset(1, 3);
  const drops = tipset(2, 2);
  const logs = tipsetLogs(a, stays);
  const droppedLogs = tipsetLogs(a, drops);
  assert.equal(keptLogs(a).size, 5);
  assert.equal(keptLogs(b).size, 0);
  assert.notEqual(tipsetLogs(b, stays), logs);
  aEvents.emit('reverting', [drops], 'revert');
  assert.equal(keptLogs(a).size, 5, 'let go once the revert is done, not while its listeners run');
  aEvents.emit('rewound', 'revert');
  assert.equal(keptLogs(a).size, 3);
  assert.equal(tipsetLogs(a, stays), logs, 'a tipset below the revert keeps its logs');
  assert.notEqual(tipsetLogs(a, drops), droppedLogs);
  aEvents.emit('rewound', 'replace');
  assert.equal(keptLogs(a).size, 0);
  assert.equal(keptLogs(b).size, 3);
  const again = tipsetLogs(a, stays);
  assert.notEqual(again, logs);
  assert.deepEqual(again, logs);
});

test('a tipset without messages is not kept', () => {
  const before = keptLogs(devnet).size;
  const empty = { epoch: 1, hash: word(1), messages: [] } as unknown as Tipset;
  assert.deepEqual(tipsetLogs(devnet, empty), []);
  assert.equal(keptLogs(devnet).size, before);
});

test('evm_revert keeps the logs of the tipsets below it and no others, anvil_loadState none; eth_getLogs answers from the chain as it is', async (t) => {
  const rpc = await setupRpc(t, {}, { txDefaults: CALL });
  let nonce = 0;
  // Logs its calldata's first word under topic 1: CALLDATALOAD 0, MSTORE 0, LOG1(0, 32, 1), STOP.
  await rpc.send({ nonce: nonce++, data: '0x600e80600b6000396000f3600035600052600160206000a100' });
  const logger = getCreateAddress({ from: devWallet.address, nonce: 0 });
  const log = (n: number) => rpc.send({ nonce: nonce++, to: logger, data: `0x${n.toString(16).padStart(64, '0')}` });
  const allLogs = () => rpc.result('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest', address: logger }]);
  const data = (logs: { data: string }[]) => logs.map((l) => Number(l.data));
  for (let n = 1; n <= 3; n++) await log(n);
  const snapshotHead = Number(await rpc.result('eth_blockNumber'));
  const snapshot = await rpc.result('evm_snapshot');
  await log(4);
  await log(5);
  assert.deepEqual(data(await allLogs()), [1, 2, 3, 4, 5]);
  const kept = keptLogs(rpc.devnet);
  assert.equal(kept.size, 5, 'the five logs read');
  const belowSnapshot = rpc.devnet.chain.all().filter((tipset) => tipset.epoch <= snapshotHead && tipsetLogs(rpc.devnet, tipset).length > 0);
  assert.equal(belowSnapshot.length, 3);
  const logsBefore = belowSnapshot.map((tipset) => tipsetLogs(rpc.devnet, tipset));

  assert.equal(await rpc.result('evm_revert', [snapshot]), true);
  // Below the snapshot: the three tipsets with a log, and the deployment's, without one (weight 1), the filter above read.
  assert.equal(kept.size, 3 + 1, 'the reverted tipsets are not kept, the ones below the snapshot are');
  assert.deepEqual(belowSnapshot.map((tipset) => tipsetLogs(rpc.devnet, tipset)), logsBefore);
  belowSnapshot.forEach((tipset, i) => assert.equal(tipsetLogs(rpc.devnet, tipset), logsBefore[i], `the same logs kept for epoch ${tipset.epoch}`));
  nonce = 4;
  await log(6);
  const reverted = await allLogs();
  assert.deepEqual(data(reverted), [1, 2, 3, 6]);

  const dump = await rpc.result('anvil_dumpState');
  await log(7);
  assert.deepEqual(data(await allLogs()), [1, 2, 3, 6, 7]);
  assert.equal(await rpc.result('anvil_loadState', [dump]), true);
  assert.equal(kept.size, 0, 'the replaced chain is not kept');
  assert.deepEqual(await allLogs(), reverted);
});

test('the first revert lets go of the logs of the tipsets it drops though no log was read before it', async (t) => {
  const rpc = await setupRpc(t, {}, { txDefaults: CALL });
  const snapshot = await rpc.result('evm_snapshot');
  // Two tipsets mined, their logs not read: the revert keeping them as dropped reads them first.
  await rpc.send({ nonce: 0, data: LOG_EMITTER_INITCODE });
  await rpc.send({ nonce: 1, to: getCreateAddress({ from: devWallet.address, nonce: 0 }), data: `0x${'7'.padStart(64, '0')}` });
  assert.equal(await rpc.result('evm_revert', [snapshot]), true);
  assert.equal(keptLogs(rpc.devnet).size, 0);
});
