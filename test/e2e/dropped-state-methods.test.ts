// A Lotus client (Glif's, unmodified, on /rpc/v1) reading the storage market and a miner at a tipset
// key that a test's evm_revert (Hardhat's loadFixture) then drops: Lotus answers a reorged tipset's
// state from its blockstore, so the same calls by the same key answer as they did before the revert,
// whatever the chain mined over those epochs since.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { hex, mineUntilActive, rpc } from '../helpers/fork-calls.js';
import { glifClient } from '../helpers/glif.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';

const SEAL_DELAY = 2;
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();

describe('Filecoin state methods at a tipset evm_revert dropped, over HTTP', () => {
  const devnet = useDevnet(['--seal-delay', String(SEAL_DELAY)]);

  test('StateMinerInfo, StateMarketDeals, StateMarketStorageDeal, StateMinerSectors, StateGetAllClaims and GetActorEventsRaw answer as before the revert', async () => {
    const lotus = glifClient(devnet.url);
    const [miner] = await lotus.request('StateListMiners', null);
    const snapshot = await rpc(devnet.url, 'evm_snapshot');
    const piece = randomVerifiedPiece();
    await rpc(devnet.url, 'devnet_addVerifiedClient', [CLIENT, String(piece.size)]);
    const { dealId } = await rpc(devnet.url, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: miner, verifiedDeal: true }]);
    await mineUntilActive(devnet.url, dealId, SEAL_DELAY);
    const head = await lotus.request('ChainHead');
    const reads = async (key: unknown) => ({
      info: await lotus.request('StateMinerInfo', miner, key),
      deals: await lotus.request('StateMarketDeals', key),
      deal: await lotus.request('StateMarketStorageDeal', dealId, key),
      sectors: await lotus.request('StateMinerSectors', miner, null, key),
      claims: await lotus.request('StateGetAllClaims', key),
    });
    const before = await reads(head.Cids);
    assert.ok(before.deal.State.SectorStartEpoch > 0);
    assert.equal(Object.keys(before.claims).length, 1);
    // The events of the tipsets from the deal's activation back to the snapshot.
    const events = async () => {
      const all = [];
      for (let height = head.Height; height > head.Height - 2 * SEAL_DELAY - 2; height--) {
        const { Cids } = await lotus.request('ChainGetTipSetByHeight', height, head.Cids);
        all.push(...((await lotus.request('GetActorEventsRaw', { tipsetKey: Cids })) ?? []));
      }
      return all;
    };
    const emitted = await events();
    assert.ok(emitted.length > 0 && emitted.every((e) => e.reverted === false));

    assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
    await rpc(devnet.url, 'anvil_mine', [hex(2 * SEAL_DELAY + 4)]);
    const now = await lotus.request('ChainGetTipSetByHeight', head.Height, null);
    assert.notDeepEqual(now.Cids, head.Cids);
    assert.deepEqual(await lotus.request('StateMarketDeals', now.Cids), {});

    assert.deepEqual(await reads(head.Cids), before);
    // Its events by key come as Lotus's index keeps a reorged tipset's: reverted.
    assert.deepEqual(await events(), emitted.map((e) => ({ ...e, reverted: true })));
  });

  test("MpoolPending at the dropped head's key answers the pool and the dropped tipsets' messages, as Lotus's does for a key above its pool's head", async () => {
    const lotus = glifClient(devnet.url);
    const snapshot = await rpc(devnet.url, 'evm_snapshot');
    const sent = [];
    for (const value of ['1', '2']) sent.push((await lotus.request('MpoolPushMessage', { From: CLIENT, To: 't0100', Value: value, Method: 0 }, null)).CID);
    const head = await lotus.request('ChainHead');
    assert.deepEqual(await lotus.request('MpoolPending', head.Cids), []);
    assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
    assert.deepEqual(await lotus.request('MpoolPending', null), []);
    // Newest tipset first, as Lotus walks down from the key.
    assert.deepEqual(await lotus.request('MpoolPending', head.Cids).then((ms: { CID: unknown }[]) => ms.map((m) => m.CID)), sent.reverse());
  });

  test('StateCompute at the dropped head\'s key replays its messages on its kept state and applies the given ones after it, as before the revert', async () => {
    const lotus = glifClient(devnet.url);
    const snapshot = await rpc(devnet.url, 'evm_snapshot');
    const sent = await lotus.request('MpoolPushMessage', { From: CLIENT, To: 't0100', Value: '5', Method: 0 }, null);
    const head = await lotus.request('ChainHead');
    const next = { ...sent.Message, Nonce: sent.Message.Nonce + 1 };
    // Durations are each run's own timing.
    const timeless = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(timeless) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'Duration' ? 0 : timeless(v)])) : value;
    const compute = async () => timeless(await lotus.request('StateCompute', head.Height + 1, [next], head.Cids));
    const before = (await compute()) as { Trace: { MsgCid: unknown; MsgRct: { ExitCode: number } }[] };
    assert.deepEqual(before.Trace[0].MsgCid, sent.CID);
    assert.equal(before.Trace.at(-1)!.MsgRct.ExitCode, 0);
    assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
    await rpc(devnet.url, 'anvil_mine', ['0x3']);
    assert.deepEqual(await compute(), before);
  });

  test('StateChangedActors by the dropped block\'s ParentStateRoot shows the balance a cheat edit gave before the revert, not the one the chain gave after it', async () => {
    const lotus = glifClient(devnet.url);
    const target = '0x' + '22'.repeat(20);
    // A cheat edit is a write at the head's epoch: the old root is the state before the head's.
    await rpc(devnet.url, 'evm_mine');
    const snapshot = await rpc(devnet.url, 'evm_snapshot');
    const base = (await lotus.request('ChainHead')).Blocks[0].ParentStateRoot;
    const changedTo = async (root: unknown) => {
      const id = await lotus.request('StateLookupID', await lotus.request('EthAddressToFilecoinAddress', target), null);
      return (await lotus.request('StateChangedActors', base, root))[id]?.Balance;
    };
    await rpc(devnet.url, 'anvil_setBalance', [target, '0x1111']);
    await rpc(devnet.url, 'anvil_mine', ['0x2']);
    const dropped = (await lotus.request('ChainHead')).Blocks[0].ParentStateRoot;
    assert.equal(await changedTo(dropped), String(0x1111));
    assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
    await rpc(devnet.url, 'anvil_setBalance', [target, '0x2222']);
    await rpc(devnet.url, 'anvil_mine', ['0x2']);
    const onChain = (await lotus.request('ChainHead')).Blocks[0].ParentStateRoot;
    assert.notDeepEqual(onChain, dropped);
    assert.equal(await changedTo(onChain), String(0x2222));
    assert.equal(await changedTo(dropped), String(0x1111));
  });

  test("StateChangedActors by a dropped branch's first block's ParentStateRoot shows the state it was mined on (the edit before it), not its parent's as edited after the revert (R83)", async () => {
    const lotus = glifClient(devnet.url);
    const target = '0x' + '33'.repeat(20);
    await rpc(devnet.url, 'evm_mine');
    const snapshot = await rpc(devnet.url, 'evm_snapshot');
    await rpc(devnet.url, 'anvil_setBalance', [target, '0x1111']);
    await rpc(devnet.url, 'evm_mine');
    const first = (await lotus.request('ChainHead')).Blocks[0];
    await rpc(devnet.url, 'evm_mine');
    const second = (await lotus.request('ChainHead')).Blocks[0];
    const changed = () => lotus.request('StateChangedActors', first.ParentStateRoot, second.ParentStateRoot);
    const before = await changed();
    assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
    await rpc(devnet.url, 'anvil_setBalance', [target, '0x2222']);
    await rpc(devnet.url, 'evm_mine');
    assert.deepEqual(await changed(), before);
  });

  test("StateChangedActors by a dropped block's ParentStateRoot shows its state where the chain mined the same transaction at another second: the root names the timestamp (X7)", async () => {
    const lotus = glifClient(devnet.url);
    const { wallet, provider } = devnet;
    // Pays block.timestamp attoFIL to PAYEE on each call: the state depends on the time, as StateChangedActors shows it.
    const payee = '0x' + '44'.repeat(20);
    // runtime: PUSH1 0 ×4, TIMESTAMP, PUSH20 payee, GAS, CALL, POP, STOP (0x22 bytes);
    // init: CODECOPY the 0x22 bytes at 0x0c to memory 0, RETURN them.
    const runtime = `60006000600060004273${payee.slice(2)}5af15000`;
    const deployed = await (await wallet.sendTransaction({ data: `0x6022600c60003960226000f3${runtime}`, value: 10n ** 18n })).wait();
    const contract = deployed!.contractAddress!;
    const snapshot = await rpc(devnet.url, 'evm_snapshot');
    const raw = await wallet.signTransaction(await wallet.populateTransaction({ to: contract }));
    // The call's block, and the ParentStateRoot of the block mined on it: the state the call left.
    const call = async () => {
      await (await provider.broadcastTransaction(raw)).wait();
      await rpc(devnet.url, 'evm_mine');
      const next = (await lotus.request('ChainHead')).Blocks[0];
      const { Blocks: [mined] } = await lotus.request('ChainGetTipSet', next.Parents);
      return { timestamp: mined.Timestamp, base: mined.ParentStateRoot, root: next.ParentStateRoot };
    };
    const payeeId = async () => lotus.request('StateLookupID', await lotus.request('EthAddressToFilecoinAddress', payee), null);
    const paid = async ({ base, root }: { base: unknown; root: unknown }) => (await lotus.request('StateChangedActors', base, root))[await payeeId()]?.Balance;
    const dropped = await call();
    assert.equal(await paid(dropped), String(dropped.timestamp));
    assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
    await rpc(devnet.url, 'evm_setNextBlockTimestamp', [dropped.timestamp + 1]);
    const again = await call();
    assert.equal(again.timestamp, dropped.timestamp + 1);
    assert.notDeepEqual(again.root, dropped.root);
    assert.deepEqual(again.base, dropped.base);
    assert.equal(await paid(again), String(again.timestamp));
    assert.equal(await paid(dropped), String(dropped.timestamp));
  });

  test("a message mined only in a dropped block, its sender's nonce then used on the chain, loaded as Lotus loads it from its blockstore (R84): for another call at the nonce StateSearchMsg is an error and StateWaitMsg waits on; for the same call both answer the chain's message", async () => {
    const lotus = glifClient(devnet.url);
    const push = async (value: string, premium: string) => {
      const nonce = await lotus.request('MpoolGetNonce', CLIENT);
      const message = { Version: 0, To: 't0100', From: CLIENT, Value: value, Nonce: nonce, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: premium, Method: 0, Params: null };
      return lotus.request('MpoolPush', await lotus.request('WalletSignMessage', CLIENT, message));
    };
    const minedAfterRevert = async (value: string, premium: string, again: [string, string]) => {
      const snapshot = await rpc(devnet.url, 'evm_snapshot');
      const dropped = await push(value, premium);
      await rpc(devnet.url, 'evm_mine');
      assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
      const onChain = await push(...again);
      await rpc(devnet.url, 'evm_mine');
      return { dropped, onChain };
    };
    // Another call at the nonce.
    const other = await minedAfterRevert('1', '100000', ['2', '100000']);
    assert.equal((await lotus.request('ChainGetMessage', other.dropped)).Value, '1');
    await assert.rejects(lotus.request('StateSearchMsg', null, other.dropped, -1, true), /NOT a valid replacement message/);
    // Found searching back from the head (a tipset was mined since): Lotus's wait logs that error and
    // waits on, here until the client gives up (lotus b835fab70 chain/stmgr/searchwait.go WaitForMessage).
    const waiting = rpc(`${devnet.url}/rpc/v1`, 'Filecoin.StateWaitMsg', [other.dropped, 0, -1, true], AbortSignal.timeout(1500));
    await assert.rejects(waiting, { name: 'TimeoutError' });
    // The same call with another premium stands for it.
    const same = await minedAfterRevert('3', '100000', ['3', '200000']);
    const lookup = await lotus.request('StateSearchMsg', null, same.dropped, -1, true);
    assert.deepEqual(lookup.Message, same.onChain);
    assert.deepEqual(lookup, await lotus.request('StateSearchMsg', null, same.onChain, -1, true));
    assert.deepEqual((await lotus.request('StateWaitMsg', same.dropped, 0, -1, true)).Message, same.onChain);
  });

  test('StateSearchMsg from the dropped head finds a message its replacement stood for in a dropped block, as before the revert', async () => {
    const lotus = glifClient(devnet.url);
    await rpc(devnet.url, 'evm_setAutomine', [false]);
    try {
      const snapshot = await rpc(devnet.url, 'evm_snapshot');
      const nonce = await lotus.request('MpoolGetNonce', CLIENT);
      const push = async (premium: string) =>
        lotus.request('MpoolPush', await lotus.request('WalletSignMessage', CLIENT, { Version: 0, To: 't0100', From: CLIENT, Value: '1', Nonce: nonce, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: premium, Method: 0, Params: null }));
      const first = await push('100000');
      const replacement = await push('200000');
      await rpc(devnet.url, 'anvil_mine', ['0x2']);
      const head = (await lotus.request('ChainHead')).Cids;
      const search = () => lotus.request('StateSearchMsg', head, first, -1, true);
      const before = await search();
      assert.deepEqual(before.Message, replacement);
      assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
      await rpc(devnet.url, 'anvil_mine', ['0x3']);
      assert.equal(await lotus.request('StateSearchMsg', null, first, -1, true), null);
      assert.deepEqual(await search(), before);
    } finally {
      await rpc(devnet.url, 'evm_setAutomine', [true]);
    }
  });

  test("GasEstimateGasPremium, GasEstimateFeeCap, GasEstimateMessageGas and MpoolSelect at the dropped head's key answer from its branch and its kept state, as Lotus", async () => {
    const lotus = glifClient(devnet.url);
    await rpc(devnet.url, 'evm_setAutomine', [false]);
    try {
      const snapshot = await rpc(devnet.url, 'evm_snapshot');
      await lotus.request('MpoolPushMessage', { From: CLIENT, To: 't0100', Value: '1', Method: 0, GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '500000000' }, null);
      await rpc(devnet.url, 'anvil_mine', ['0x2']);
      const head = (await lotus.request('ChainHead')).Cids;
      const transfer = { From: CLIENT, To: 't0100', Value: '1', Method: 0, GasLimit: 1_000_000 };
      const estimates = async (key: unknown) => {
        const { GasPremium, GasFeeCap } = await lotus.request('GasEstimateMessageGas', transfer, null, key);
        return { premium: await lotus.request('GasEstimateGasPremium', 1, CLIENT, 0, key), feeCap: await lotus.request('GasEstimateFeeCap', transfer, 20, key), filled: { GasPremium, GasFeeCap } };
      };
      const before = await estimates(head);
      assert.equal(before.premium, '500000000');
      assert.equal(await rpc(devnet.url, 'evm_revert', [snapshot]), true);
      await rpc(devnet.url, 'anvil_setNextBlockBaseFeePerGas', ['0x3b9aca00']);
      await rpc(devnet.url, 'anvil_mine', ['0x3']);
      assert.equal(await lotus.request('GasEstimateGasPremium', 1, CLIENT, 0, null), '200000');
      assert.deepEqual(await estimates(head), before);
      // The client's message at the nonce its dropped message took: ready on the chain, already past in the dropped head's state.
      const pending = await lotus.request('MpoolPushMessage', { From: CLIENT, To: 't0100', Value: '2', Method: 0 }, null);
      assert.deepEqual((await lotus.request('MpoolSelect', null, 0.9)).map((m: { CID: unknown }) => m.CID), [pending.CID]);
      // Pending, so Lotus answers [] (null only for an empty pool).
      assert.deepEqual(await lotus.request('MpoolSelect', head, 0.9), []);
      await rpc(devnet.url, 'evm_mine');
    } finally {
      await rpc(devnet.url, 'evm_setAutomine', [true]);
    }
  });
});
