// Actor events through the JSON-RPC server: receipts' EventsRoot as an events AMT (ChainGetEvents,
// ChainReadObj), GetActorEventsRaw with Lotus's filter, SubscribeActorEventsRaw over WebSocket, and an
// indexer that follows a verified deal's life (publication, allocation, claim, activation,
// termination) window by window and sees each event once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decode as decodeCbor, encode as encodeCbor } from '@ipld/dag-cbor';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { eventsAmt } from '../../src/fevm/events-amt.js';
import { setupRpc, setupWebSocketRpc } from '../helpers/rpc-harness.js';
import { MIN_DATACAP, randomVerifiedPiece } from '../helpers/verified-piece.js';

const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const b64 = (value: unknown) => Buffer.from(encodeCbor(value)).toString('base64');
const typeOf = (event: { entries: { Key: string; Value: string }[] }) => decodeCbor(Buffer.from(event.entries.find((e) => e.Key === '$type')!.Value, 'base64')) as string;

describe('EventsRoot and ChainGetEvents', () => {
  test('a receipt with events names their AMT, which ChainReadObj and ChainGetEvents read; none: null', async (t) => {
    const { result, error } = await setupRpc(t);
    const granted = await result('devnet_addVerifiedClient', [CLIENT, MIN_DATACAP]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, granted.cid, -1, true]);
    const root = lookup.Receipt.EventsRoot;
    assert.ok(root, 'the registry emitted verifier-balance');
    const events = await result('Filecoin.ChainGetEvents', [root]);
    assert.equal(events.length, 1);
    assert.equal(events[0].Emitter, 6);
    assert.deepEqual(events[0].Entries[0], { Flags: 3, Key: '$type', Codec: 0x51, Value: b64('verifier-balance') });
    // G3: a plain field (builtin-actors EventBuilder::field) has only its key indexed: flag 1.
    assert.deepEqual(events[0].Entries.map((e: { Key: string; Flags: number }) => [e.Key, e.Flags]), [['$type', 3], ['verifier', 3], ['balance', 1], ['client', 3]]);
    // The root block: [bit width 5, height 0, count 1, [bitmap, links, values]].
    const [bitWidth, height, count, [bitmap, links, values]] = decodeCbor(Buffer.from(await result('Filecoin.ChainReadObj', [root]), 'base64')) as any;
    assert.deepEqual([bitWidth, height, count, [...bitmap], links], [5, 0, 1, [1, 0, 0, 0], []]);
    assert.equal(values[0][0], 6);
    assert.equal(await result('Filecoin.ChainHasObj', [root]), true);

    const sent = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
    assert.equal((await result('Filecoin.StateSearchMsg', [null, sent.CID, -1, true])).Receipt.EventsRoot, null);
    assert.match((await error('Filecoin.ChainGetEvents', [sent.CID])).message, /load events amt/);
  });

  // fidaudit5 G1: builtin-actors v18 (interpreter/instructions/log_event.rs) leaves the data entry
  // out of a LOG whose data region is empty; Lotus's logs read its absence as data 0x.
  test('a contract\'s LOG with no data has no "d" entry; with data, one', async (t) => {
    const { result, send } = await setupRpc(t);
    // Initcode: LOG1(topic 0xaa) with no data, then LOG0 of the byte 0x42; deploys nothing.
    const hash = await send({ nonce: 0, to: null, data: '0x60aa60006000a1604260005360016000a000', gasLimit: 100_000_000 });
    const block = (await result('eth_getTransactionReceipt', [hash])).blockNumber;
    const events = await result('Filecoin.GetActorEventsRaw', [{ fromHeight: Number(block), toHeight: Number(block) }]);
    assert.deepEqual(events.map((e: { entries: { Key: string; Value: string }[] }) => e.entries.map((entry) => [entry.Key, Buffer.from(entry.Value, 'base64').toString('hex')])), [
      [['t1', `${'00'.repeat(31)}aa`]],
      [['d', '42']],
    ]);
    const logs = await result('eth_getLogs', [{ blockHash: (await result('eth_getBlockByNumber', [block, false])).hash }]);
    assert.deepEqual(logs.map((log: { topics: string[]; data: string }) => [log.topics.length, log.data]), [[1, '0x'], [0, '0x42']]);
  });

  test('more than 32 events make an AMT of height 1 whose children are blocks of their own', () => {
    const events = Array.from({ length: 33 }, (_, i) => ({ emitter: 100 + i, entries: [{ flags: 3, key: 'n', codec: 0x51, value: encodeCbor(i) }] }));
    const amt = eventsAmt(events);
    const [bitWidth, height, count, [bitmap, links, values]] = decodeCbor(amt.blocks.get(amt.root.toString())!) as any;
    assert.deepEqual([bitWidth, height, count, [...bitmap], links.length, values.length], [5, 1, 33, [3, 0, 0, 0], 2, 0]);
    const second = decodeCbor(amt.blocks.get(links[1].toString())!) as any;
    assert.deepEqual([[...second[0]], second[2][0][0]], [[1, 0, 0, 0], 132]);
  });
});

describe('GetActorEventsRaw', () => {
  test('Lotus\'s filter: addresses, indexed fields, heights and a tipset key; its refusals', async (t) => {
    const { result, error } = await setupRpc(t);
    const granted = await result('devnet_addVerifiedClient', [CLIENT, MIN_DATACAP]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, granted.cid, -1, true]);
    const all = await result('Filecoin.GetActorEventsRaw', [{ fromHeight: 0 }]);
    assert.equal(all.length, 1);
    assert.deepEqual({ ...all[0], entries: undefined }, { entries: undefined, emitter: 't06', reverted: false, height: lookup.Height, tipsetKey: lookup.TipSet, msgCid: granted.cid });
    assert.equal(await result('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, addresses: ['t05'] }]), null);
    assert.equal((await result('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, addresses: ['t06'] }])).length, 1);
    const byType = (type: string) => ({ fromHeight: 0, fields: { $type: [{ codec: 0x51, value: b64(type) }] } });
    assert.equal((await result('Filecoin.GetActorEventsRaw', [byType('verifier-balance')])).length, 1);
    assert.equal(await result('Filecoin.GetActorEventsRaw', [byType('claim')]), null);
    assert.equal((await result('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, fields: { $type: [] } }])).length, 1);
    // G6c: keys in any case, as Go's encoding/json reads Lotus's structs.
    assert.deepEqual(await result('Filecoin.GetActorEventsRaw', [{ FromHeight: 0, Fields: { $type: [{ Codec: 0x51, Value: b64('verifier-balance') }] } }]), all);
    assert.equal(await result('Filecoin.GetActorEventsRaw', [{ FROMHEIGHT: 0, toheight: lookup.Height - 1 }]), null);
    assert.deepEqual(await result('Filecoin.GetActorEventsRaw', [{ tipsetKey: lookup.TipSet }]), all);
    assert.equal(await result('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, toHeight: lookup.Height - 1 }]), null);
    // Without fromHeight there is no history, as in Lotus.
    assert.equal(await result('Filecoin.GetActorEventsRaw', [{}]), null);

    assert.match((await error('Filecoin.GetActorEventsRaw', [{ fromHeight: -1 }])).message, /range 'from' must be greater than or equal to 0/);
    assert.match((await error('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, tipsetKey: lookup.TipSet }])).message, /cannot specify both TipSetKey and FromHeight\/ToHeight/);
    assert.match((await error('Filecoin.GetActorEventsRaw', [{ fromHeight: 5, toHeight: 1 }])).message, /invalid epoch range/);
    assert.match((await error('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, toHeight: 3000 }])).message, /range between to and 'from' heights is too large \(maximum: 2880\)/);
    const bad = await error('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, fields: { $type: [{ codec: 'cbor', value: '' }] } }]);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'filter.fields.\$type\[0\].codec'/);
  });

  test('an indexer polling window by window sees a verified deal\'s every event once, in order', async (t) => {
    const { result, devnet } = await setupRpc(t, { sealDelay: 2 });
    const seen: { type: string; key: string }[] = [];
    let next = 0;
    const poll = async () => {
      const head = (await result('Filecoin.ChainHead')).Height;
      if (head < next) return;
      for (const e of (await result('Filecoin.GetActorEventsRaw', [{ fromHeight: next, toHeight: head }])) ?? []) {
        seen.push({ type: typeOf(e), key: `${e.msgCid['/']}/${JSON.stringify(e.entries)}` });
      }
      next = head + 1;
    };
    const piece = randomVerifiedPiece();
    await result('devnet_addVerifiedClient', [CLIENT, String(piece.size)]);
    await poll();
    const deal = await result('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: 't0111', verifiedDeal: true }]);
    await poll();
    for (let i = 0; i < 4; i++) {
      await result('evm_mine');
      await devnet.storageProviders.settled();
      await poll();
    }
    const { State } = await result('Filecoin.StateMarketStorageDeal', [deal.dealId, null]);
    assert.ok(State.SectorStartEpoch > 0, 'sealed');
    await result('devnet_terminateSectors', ['t0111', [State.SectorNumber]]);
    await poll();
    const types = seen.map((s) => s.type);
    for (const type of ['verifier-balance', 'allocation', 'deal-published', 'sector-precommitted', 'claim', 'deal-activated', 'sector-activated', 'deal-terminated', 'sector-terminated']) {
      assert.equal(types.filter((x) => x === type).length, 1, `${type} once in ${types.join(', ')}`);
    }
    assert.ok(types.indexOf('deal-published') < types.indexOf('deal-activated') && types.indexOf('deal-activated') < types.indexOf('deal-terminated'));
    assert.equal(new Set(seen.map((s) => s.key)).size, seen.length, 'no event twice');
    // The same events again in one query over the whole range.
    const again = await result('Filecoin.GetActorEventsRaw', [{ fromHeight: 0 }]);
    assert.deepEqual(again.map(typeOf), types);
  });
});

describe('SubscribeActorEventsRaw', () => {
  test('the past events from fromHeight, then new ones; a past toHeight closes the channel after its backlog', async (t) => {
    const { devnet, received, waitFor, call, channelValues } = await setupWebSocketRpc(t);
    await call('devnet_addVerifiedClient', [CLIENT, MIN_DATACAP]);
    const head = devnet.head.epoch;
    const live = await call('Filecoin.SubscribeActorEventsRaw', [{ fromHeight: 0 }]);
    const past = await call('Filecoin.SubscribeActorEventsRaw', [{ fromHeight: 0, toHeight: head }]);
    await waitFor((m) => m.method === 'xrpc.ch.close' && m.params[0] === past);
    assert.equal(channelValues(past).length, 1);
    assert.equal(typeOf(channelValues(past)[0]), 'verifier-balance');
    await call('devnet_addVerifiedClient', [CLIENT, MIN_DATACAP]);
    await waitFor(() => channelValues(live).length === 2);
    assert.deepEqual(channelValues(live).map((e) => e.height), [head, head + 1]);
    assert.equal(received.some((m) => m.method === 'xrpc.ch.close' && m.params[0] === live), false);
  });

  // Lotus's subscription passes on what its event filter collects, a reorg's reverted events included,
  // with `reverted: true` (node/impl/full/actor_events.go; chain/events/filter/event.go Revert).
  test('after evm_revert the dropped tipsets\' events come again with reverted: true', async (t) => {
    const { call, waitFor, channelValues } = await setupWebSocketRpc(t);
    const live = await call('Filecoin.SubscribeActorEventsRaw', [{ fromHeight: 0 }]);
    const snapshot = await call('evm_snapshot');
    await call('devnet_addVerifiedClient', [CLIENT, MIN_DATACAP]);
    await waitFor(() => channelValues(live).length === 1);
    const [granted] = channelValues(live);
    assert.equal(granted.reverted, false);
    // The events are sent before evm_revert's answer.
    assert.equal(await call('evm_revert', [snapshot]), true);
    assert.deepEqual(channelValues(live), [granted, { ...granted, reverted: true }]);
  });
});
