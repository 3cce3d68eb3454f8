// eth_subscribe's per-connection state on its own (the WebSocket side of lotus-eth-rpc.md §6.4):
// eth_subscription notifications for newHeads, logs and newPendingTransactions, unsubscribe, limits.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { getCreateAddress } from 'ethers';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { Filters } from '../../src/eth-rpc/filters.js';
import { SubscriptionCount, Subscriptions } from '../../src/eth-rpc/subscriptions.js';
import { logCriteria } from '../../src/eth-rpc/logs.js';
import { createDevnet, testConfig, type Devnet, type DevnetConfig } from '../../src/index.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { signedMessageCid } from '../../src/fevm/message.js';
import { devWallet as wallet } from '../helpers/dev-wallet.js';
import { directSender } from '../helpers/devnet-harness.js';
import { tipsetActorEvents } from '../../src/eth-rpc/actor-events.js';
import { pollUntil } from '../helpers/devnet-process.js';
import { LOG_EMITTER_INITCODE, LOG_TOPIC, word } from '../helpers/log-emitter.js';

interface Notification {
  jsonrpc: string;
  method: string;
  params: { subscription: string; result: any };
}

async function setup(t: TestContext, overrides: Partial<DevnetConfig> = {}) {
  const devnet = await createDevnet(testConfig(overrides));
  const sent: Notification[] = [];
  const subs = new Subscriptions(devnet, (message) => sent.push(JSON.parse(message) as Notification));
  t.after(() => {
    subs.close();
    devnet.close();
  });
  return { devnet, subs, sent, send: directSender(devnet) };
}

const of = (sent: Notification[], id: string) => sent.filter((n) => n.params.subscription === id).map((n) => n.params.result);

describe('Subscriptions', () => {
  test('newHeads: one eth_subscription notification per tipset with the full block', async (t) => {
    const { devnet, subs, sent, send } = await setup(t);
    const id = subs.subscribe({ kind: 'newHeads' });
    assert.match(id, /^0x[0-9a-f]{32}0{32}$/);
    const hash = await send({ to: '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef', value: 1n, gasLimit: 10_000_000 });
    await devnet.mine();
    assert.equal(sent.length, 2);
    assert.equal(sent[0].jsonrpc, '2.0');
    assert.equal(sent[0].method, 'eth_subscription');
    const [first, second] = of(sent, id);
    assert.equal(first.number, '0x1');
    assert.equal(first.hash, bytesToHex(devnet.chain.atEpoch(1)!.hash));
    assert.equal(first.transactions.length, 1);
    assert.equal(first.transactions[0].hash, hash);
    assert.equal(second.number, '0x2');
    assert.equal(second.parentHash, first.hash);
  });

  test('logs: only matching logs, one notification each', async (t) => {
    const { subs, sent, send } = await setup(t);
    await send({ to: null, data: LOG_EMITTER_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    const all = subs.subscribe({ kind: 'logs', criteria: logCriteria([], []) });
    const sevens = subs.subscribe({ kind: 'logs', criteria: logCriteria([hexToBytes(contract)], [null, [hexToBytes(word(7))]]) });
    await send({ to: contract, data: word(7) });
    await send({ to: contract, data: word(8) });
    assert.deepEqual(of(sent, all).map((l) => l.data), [word(7), word(8)]);
    const [log] = of(sent, sevens);
    assert.equal(of(sent, sevens).length, 1);
    assert.equal(log.address, contract);
    assert.deepEqual(log.topics, [LOG_TOPIC, word(7)]);
    assert.equal(log.removed, false);
  });

  // fidaudit2 G7: Lotus's event filter pushes a subscription's events before it counts them
  // (chain/events/filter/event.go CollectEvents), so every log it sends has logIndex 0.
  test('logs: every log numbered 0, as Lotus sends them; eth_getLogs numbers them across the tipset', async (t) => {
    const { devnet, subs, sent, send } = await setup(t);
    await send({ to: null, data: LOG_EMITTER_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    const id = subs.subscribe({ kind: 'logs', criteria: logCriteria([], []) });
    await devnet.cheats.setMiningMode({ type: 'manual' });
    await send({ to: contract, data: word(1) });
    await send({ to: contract, data: word(2) });
    await devnet.mine();
    assert.deepEqual(of(sent, id).map((l) => [l.data, l.logIndex]), [[word(1), '0x0'], [word(2), '0x0']]);
  });

  // audit16 A5: Lotus's event filter behind a logs subscription sends a reverted tipset's events again
  // with `removed: true`, as geth does on a reorg.
  test('logs: after evm_revert the dropped tipsets\' matching logs come again with removed: true, newest first', async (t) => {
    const { devnet, subs, sent, send } = await setup(t);
    await send({ to: null, data: LOG_EMITTER_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    const id = subs.subscribe({ kind: 'logs', criteria: logCriteria([hexToBytes(contract)], []) });
    const snapshot = await devnet.cheats.snapshot();
    await send({ to: contract, data: word(7) });
    await send({ to: contract, data: word(8) });
    await devnet.cheats.revert(snapshot);
    assert.deepEqual(of(sent, id).map((l) => [l.data, l.blockNumber, l.removed]), [
      [word(7), '0x2', false],
      [word(8), '0x3', false],
      [word(8), '0x3', true],
      [word(7), '0x2', true],
    ]);
  });

  // audit16 A9: a revert of many logs sent them all in one go, holding every other client meanwhile.
  test('logs: a long revert\'s removed logs go out a slice at a time, other work in between, and what follows waits behind them', async (t) => {
    const { devnet, subs, sent, send } = await setup(t);
    // Runtime: 1000 × LOG1 with the counter as topic; initcode copies it out.
    const runtime = '6103e8' + '5b' + '80' + '6000' + '6000' + 'a1' + '6001' + '90' + '03' + '80' + '6003' + '57' + '00';
    await send({ to: null, data: '0x6015' + '80' + '600b' + '6000' + '39' + '6000' + 'f3' + runtime });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    const id = subs.subscribe({ kind: 'logs', criteria: logCriteria([], []) });
    const snapshot = await devnet.cheats.snapshot();
    for (let i = 0; i < 5; i++) await send({ to: contract, gasLimit: 10_000_000_000 });
    const live = of(sent, id).length;
    assert.equal(live, 5000);
    await devnet.cheats.revert(snapshot);
    const removedAtAnswer = of(sent, id).length - live;
    assert.ok(removedAtAnswer > 0 && removedAtAnswer < 5000, `${removedAtAnswer} removed logs sent before the revert answered: all or none`);
    // A tipset mined meanwhile: its log comes after every removed one.
    await send({ nonce: 1, to: contract, gasLimit: 10_000_000_000 });
    await pollUntil('the removed logs and the new tipset\'s', async () => (of(sent, id).length === live + 5000 + 1000 ? true : undefined), { attempts: 500, intervalMs: 20 });
    const after = of(sent, id).slice(live);
    assert.ok(after.slice(0, 5000).every((l) => l.removed === true));
    assert.deepEqual([after[0].blockNumber, after[4999].blockNumber], ['0x6', '0x2']);
    assert.ok(after.slice(5000).every((l) => l.removed === false && l.blockNumber === '0x2'));
  });

  // The same for SubscribeActorEventsRaw channels, whose reverted events (contracts' logs among them)
  // Lotus sends with `reverted: true`.
  test('actor events: a long revert\'s reverted events go out a slice at a time, newest tipset first', async (t) => {
    const { devnet, subs, sent, send } = await setup(t);
    const runtime = '6103e8' + '5b' + '80' + '6000' + '6000' + 'a1' + '6001' + '90' + '03' + '80' + '6003' + '57' + '00';
    await send({ to: null, data: '0x6015' + '80' + '600b' + '6000' + '39' + '6000' + 'f3' + runtime });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    const filter = { addresses: [], fields: new Map() };
    const channel = subs.actorEvents([], (tipset) => tipsetActorEvents(devnet, tipset, filter), () => false, false);
    const values = () => (sent as unknown as { method: string; params: [number, any] }[]).filter((m) => m.method === 'xrpc.ch.val' && m.params[0] === channel).map((m) => m.params[1]);
    const snapshot = await devnet.cheats.snapshot();
    for (let i = 0; i < 5; i++) await send({ to: contract, gasLimit: 10_000_000_000 });
    assert.equal(values().length, 5000);
    await devnet.cheats.revert(snapshot);
    const atAnswer = values().length - 5000;
    assert.ok(atAnswer > 0 && atAnswer < 5000, `${atAnswer} reverted events sent before the revert answered: all or none`);
    await pollUntil('the reverted events', async () => (values().length === 10_000 ? true : undefined), { attempts: 500, intervalMs: 20 });
    const reverted = values().slice(5000);
    assert.ok(reverted.every((e) => e.reverted === true));
    assert.deepEqual([reverted[0].height, reverted[4999].height], [6, 2]);
  });

  // audit16 A9: anvil_reset starts the chain over; re-sending a long session's every log as removed
  // held every client for seconds. Anvil sends its subscribers nothing; ChainNotify still hears the reverts.
  test('logs: anvil_reset sends no removed logs; a ChainNotify channel still gets the dropped tipsets as revert changes', async (t) => {
    const { devnet, subs, sent, send } = await setup(t);
    await send({ to: null, data: LOG_EMITTER_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    const id = subs.subscribe({ kind: 'logs', criteria: logCriteria([], []) });
    const channel = subs.chainNotify(null);
    await send({ to: contract, data: word(7) });
    await devnet.cheats.reset();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(of(sent, id).map((l) => [l.data, l.removed]), [[word(7), false]]);
    const changes = sent.filter((n) => n.method === 'xrpc.ch.val').map((n) => (n.params as unknown as [number, { Type: string; Val: { Height: number } }[]])[1]);
    const reverts = changes.filter((list) => list[0]?.Type === 'revert');
    assert.deepEqual(reverts.map((list) => list.map((c) => [c.Type, c.Val.Height])), [[['revert', 2], ['revert', 1]]]);
    assert.equal(sent.filter((n) => n.method === 'xrpc.ch.val' && (n.params as unknown as [number])[0] !== channel).length, 0);
  });

  test('newPendingTransactions: the hash of each transaction entering the pool', async (t) => {
    const { subs, sent, send } = await setup(t, { noMining: true });
    const id = subs.subscribe({ kind: 'newPendingTransactions' });
    const a = await send({ to: '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef', value: 1n, gasLimit: 10_000_000 });
    const b = await send({ to: '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef', value: 1n, gasLimit: 10_000_000 });
    assert.deepEqual(of(sent, id), [a, b]);
  });

  test('newPendingTransactions: native (f1) messages too, by the digest of their signed CID, as Lotus reports every message added (F20)', async (t) => {
    const { devnet, subs, sent, send } = await setup(t, { noMining: true });
    const id = subs.subscribe({ kind: 'newPendingTransactions' });
    const eth = await send({ to: '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef', value: 1n, gasLimit: 10_000_000 });
    // The deal client: an f1 account whose key the node holds.
    const from = deriveNodeKeys(testConfig().mnemonic).dealClient.address;
    const signed = await devnet.pushWithWallet({ version: 0, to: from, from, nonce: 0, value: 1n, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method: 0, params: new Uint8Array() });
    assert.deepEqual(of(sent, id), [eth, bytesToHex(signedMessageCid(signed).multihash.digest)]);
  });

  test('unsubscribe stops notifications and answers false the second time', async (t) => {
    const { devnet, subs, sent } = await setup(t);
    const id = subs.subscribe({ kind: 'newHeads' });
    await devnet.mine();
    assert.equal(subs.unsubscribe(id.toUpperCase().replace('0X', '0x')), true);
    assert.equal(subs.unsubscribe(id), false);
    await devnet.mine();
    assert.equal(sent.length, 1);
  });

  test('close() detaches from the devnet', async (t) => {
    const { devnet, subs, sent } = await setup(t);
    subs.subscribe({ kind: 'newHeads' });
    const before = devnet.events.listenerCount('tipset');
    subs.close();
    assert.equal(devnet.events.listenerCount('tipset'), before - 1);
    await devnet.mine();
    assert.equal(sent.length, 0);
  });

  // M4 (readme1, session 40): a Lotus gateway (calibnet's public endpoints) allows 16 subscriptions and
  // filters together per connection (lotus b835fab70 gateway/node.go DefaultEthMaxFiltersPerConn,
  // gateway/proxy_eth_v1.go EthSubscribe, addUserFilterLimited); channels are not counted there.
  test('at most 16 subscriptions and filters per connection, counted together as a Lotus gateway counts them', async (t) => {
    const { devnet } = await setup(t);
    const filters = new Filters(devnet);
    const subs = new Subscriptions(devnet, () => undefined, new SubscriptionCount(Infinity), filters);
    t.after(() => subs.close());
    for (let i = 0; i < 10; i++) subs.subscribe({ kind: 'newHeads' });
    const filterIds = await Promise.all(Array.from({ length: 6 }, () => subs.installFilter(() => filters.newBlockFilter())));
    assert.throws(() => subs.subscribe({ kind: 'newHeads' }), /too many subscriptions and filters per connection/);
    await assert.rejects(subs.installFilter(() => filters.newBlockFilter()), /too many subscriptions and filters per connection/);
    // The Filecoin.* channels are not counted, as the gateway does not count them.
    subs.chainNotify(null);
    subs.mpoolSub();
    // A filter uninstalled (from any connection) gives its place back.
    assert.equal(filters.uninstall(filterIds[0]!), true);
    subs.subscribe({ kind: 'logs', criteria: logCriteria([], []) });
    assert.throws(() => subs.subscribe({ kind: 'newHeads' }), /too many subscriptions and filters per connection/);
  });

  test('--max-subscriptions counts every connection\'s subscriptions and channels; unsubscribing, an ended channel and a close give theirs back', async (t) => {
    const { devnet } = await setup(t);
    const node = new SubscriptionCount(4);
    const a = new Subscriptions(devnet, () => undefined, node);
    const b = new Subscriptions(devnet, () => undefined, node);
    t.after(() => (a.close(), b.close()));
    const heads = a.subscribe({ kind: 'newHeads' });
    a.mpoolSub();
    b.subscribe({ kind: 'newPendingTransactions' });
    // A channel that ends after its backlog holds nothing.
    b.actorEvents([], () => [], () => false, true);
    b.chainNotify(null);
    assert.equal(node.open, 4);
    assert.throws(() => b.subscribe({ kind: 'newHeads' }), /too many subscriptions on the node \(4, --max-subscriptions\)/);
    assert.throws(() => a.mpoolSub(), /too many subscriptions on the node/);
    assert.equal(a.unsubscribe(heads), true);
    assert.equal(a.unsubscribe(heads), false);
    assert.equal(node.open, 3);
    b.subscribe({ kind: 'newHeads' });
    // A channel that ends at a tipset gives its place back then.
    b.close();
    b.close();
    assert.equal(node.open, 1);
    // A request that reaches a closed connection takes no place.
    assert.throws(() => b.subscribe({ kind: 'newHeads' }), /the connection is closed/);
    assert.equal(node.open, 1);
    a.actorEvents([], () => [], () => true, false);
    assert.equal(node.open, 2);
    await devnet.mine();
    assert.equal(node.open, 1);
  });

  test('one devnet, two connections: each gets its own notifications', async (t) => {
    const { devnet, subs, sent } = await setup(t);
    const other: string[] = [];
    const second = new Subscriptions(devnet as Devnet, (m) => other.push(m));
    t.after(() => second.close());
    subs.subscribe({ kind: 'newHeads' });
    second.subscribe({ kind: 'newHeads' });
    await devnet.mine();
    assert.equal(sent.length, 1);
    assert.equal(other.length, 1);
  });
});
