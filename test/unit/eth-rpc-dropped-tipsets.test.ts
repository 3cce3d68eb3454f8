// Tipsets an evm_revert, anvil_rollback or anvil_reorg dropped stay known by hash and block CID, as
// Lotus answers a reorged tipset from its blockstore, state reads by its hash included; numbers and
// lookups by transaction follow the live chain only; what is kept stays bounded across thousands of reverts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBytes, getCreateAddress } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { CID, encodeCbor } from '../../src/common/cbor.js';
import { create as createDigest } from 'multiformats/hashes/digest';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { METHOD_INVOKE_CONTRACT } from '../../src/fevm/message.js';
import { droppedTipsets, KEPT_DROPPED } from '../../src/eth-rpc/dropped-tipsets.js';
import { BLOCK_READER_INITCODE, readerAnswer } from '../helpers/block-reader.js';
import { CALL, devWallet } from '../helpers/dev-wallet.js';
import { LOG_EMITTER_INITCODE, LOG_EMITTER_RUNTIME, LOG_TOPIC, word } from '../helpers/log-emitter.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const hex = (n: number) => '0x' + n.toString(16);
/** The multicodec codes of raw bytes and of sha2-256. */
const RAW = 0x55;
const SHA2_256 = 0x12;
/** A key the node holds, other than the dev wallet's (Filecoin.MpoolPushMessage signs with it). */
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();

/** A devnet with a log emitter deployed (block 1) and called (block 2), and what it answered for block 2. */
async function emitted(t: Parameters<typeof setupRpc>[0]) {
  const rpc = await setupRpc(t, {}, { txDefaults: CALL });
  const emitter = getCreateAddress({ from: devWallet.address, nonce: 0 });
  const snapshot = await rpc.result('evm_snapshot');
  await rpc.send({ nonce: 0, data: LOG_EMITTER_INITCODE });
  const tx = await rpc.send({ nonce: 1, to: emitter, data: word(7) });
  const block = await rpc.result('eth_getBlockByNumber', ['0x2', true]);
  const receipts = await rpc.result('eth_getBlockReceipts', [block.hash]);
  const header = await rpc.result('Filecoin.ChainHead');
  return { ...rpc, emitter, snapshot, tx, block, receipts, header };
}

describe('dropped tipsets', () => {
  test('after evm_revert a dropped block answers by hash, its receipts and logs removed; by number and transaction it is gone', async (t) => {
    const { result, error, snapshot, tx, block, receipts, header, emitter } = await emitted(t);
    assert.equal(await result('evm_revert', [snapshot]), true);

    assert.deepEqual(await result('eth_getBlockByHash', [block.hash, true]), block);
    assert.equal(await result('eth_getBlockTransactionCountByHash', [block.hash]), '0x1');
    assert.deepEqual(await result('eth_getTransactionByBlockHashAndIndex', [block.hash, '0x0']), block.transactions[0]);
    // Lotus reads a reorged tipset's events from its index, reverted: `removed: true`.
    const removed = receipts.map((r: any) => ({ ...r, logs: r.logs.map((l: any) => ({ ...l, removed: true })) }));
    assert.equal(removed[0].logs.length, 1);
    assert.deepEqual(await result('eth_getBlockReceipts', [block.hash]), removed);
    assert.deepEqual(await result('eth_getBlockReceipts', [{ blockHash: block.hash }]), removed);
    assert.equal((await error('eth_getBlockReceipts', [{ blockHash: block.hash, requireCanonical: true }])).message, 'tipset is not canonical');
    const logs = await result('eth_getLogs', [{ blockHash: block.hash }]);
    assert.deepEqual(logs, removed[0].logs);
    assert.deepEqual(await result('eth_getLogs', [{ blockHash: block.hash, address: emitter, topics: [LOG_TOPIC, word(7)] }]), logs);
    assert.deepEqual(await result('eth_getLogs', [{ blockHash: block.hash, topics: [null, word(8)] }]), []);

    // Lotus's blockstore holds its header and messages: ChainGetTipSet, ChainGetBlock, ChainGetBlockMessages.
    const [blockCid] = header.Cids;
    assert.deepEqual(await result('Filecoin.ChainGetTipSet', [header.Cids]), header);
    assert.deepEqual(await result('Filecoin.ChainGetBlock', [blockCid]), header.Blocks[0]);
    assert.equal((await result('Filecoin.ChainGetBlockMessages', [blockCid])).Cids.length, 1);

    // The live chain: the number is beyond the head, the transaction and its receipt unknown, its traces by transaction gone.
    assert.match((await error('eth_getBlockByNumber', [block.number, false])).message, /beyond 'latest'|future epoch/);
    assert.equal(await result('eth_getTransactionByHash', [tx]), null);
    assert.equal(await result('eth_getTransactionReceipt', [tx]), null);
    assert.match((await error('debug_traceTransaction', [tx])).message, /not found/);
    assert.match((await error('trace_transaction', [tx])).message, /not found/);
    assert.deepEqual(await result('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]), []);
  });

  test('state reads by a dropped block\'s hash answer what that block had, whatever the chain mined since; requireCanonical refuses them', async (t) => {
    const { result, error, snapshot, block, emitter } = await emitted(t);
    const deployed = await result('eth_getBlockByNumber', ['0x1', false]);
    const reads = (ref: unknown) =>
      Promise.all([
        result('eth_getBalance', [devWallet.address, ref]),
        result('eth_getTransactionCount', [devWallet.address, ref]),
        result('eth_getCode', [emitter, ref]),
        result('eth_getStorageAt', [emitter, '0x0', ref]),
      ]);
    const [atOne, atTwo] = [await reads('0x1'), await reads('0x2')];
    assert.deepEqual(atOne.slice(1), ['0x1', LOG_EMITTER_RUNTIME, word(42)]);
    assert.equal(atTwo[1], '0x2');
    assert.notEqual(atOne[0], atTwo[0]);
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain mines over the same epochs without the emitter, a cheat code changing the sender's balance first.
    await result('anvil_setBalance', [devWallet.address, '0x1234']);
    await result('anvil_mine', ['0x2']);
    assert.deepEqual(await reads('0x2'), ['0x1234', '0x0', '0x', word(0)]);

    // Lotus reads a reorged tipset's state (GetTipsetByBlockNumberOrHash finds it in its blockstore, then TipSetState).
    assert.deepEqual(await reads({ blockHash: deployed.hash }), atOne);
    assert.deepEqual(await reads({ blockHash: block.hash }), atTwo);
    assert.deepEqual(await reads({ blockHash: block.hash, requireCanonical: false }), atTwo);
    for (const method of ['eth_getBalance', 'eth_getTransactionCount', 'eth_getCode']) {
      assert.equal((await error(method, [emitter, { blockHash: block.hash, requireCanonical: true }])).message, 'tipset is not canonical', method);
    }
    assert.equal((await error('eth_getStorageAt', [emitter, '0x0', { blockHash: block.hash, requireCanonical: true }])).message, 'tipset is not canonical');
  });

  test('debug_traceBlockByHash of dropped blocks (parent on the chain, parent dropped too) and debug_traceCall on one answer what they traced before the revert, whatever the chain mined since', async (t) => {
    const { result, error, snapshot, block, emitter } = await emitted(t);
    const deployed = await result('eth_getBlockByNumber', ['0x1', false]);
    const configs = [{}, { enableMemory: true }, { tracer: 'callTracer', tracerConfig: { withLog: true } }, { tracer: 'prestateTracer' }, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }];
    // A call on block 1 (not the head: at its own epoch, on or off the chain) to the emitter it deployed.
    const call = { from: devWallet.address, to: emitter, data: word(9) };
    const traces = () =>
      Promise.all([
        ...[deployed.hash, block.hash].flatMap((hash) => configs.map((config) => result('debug_traceBlockByHash', [hash, config]))),
        ...configs.map((config) => result('debug_traceCall', [call, { blockHash: deployed.hash }, config])),
      ]);
    const before = await traces();
    assert.equal(before[12].logs.length, 1);
    assert.equal(before[5][0].result.structLogs.some((l: any) => l.op === 'LOG2'), true);
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain mines over the same epochs without the emitter, a cheat code changing the sender's balance first.
    await result('anvil_setBalance', [devWallet.address, '0x1234']);
    await result('anvil_mine', ['0x3']);
    assert.deepEqual(await traces(), before);
    // The live chain's blocks at those heights are other blocks, with nothing to trace, nor a contract to call.
    assert.deepEqual(await result('debug_traceBlockByNumber', ['0x2']), []);
    assert.deepEqual((await result('debug_traceCall', [call, '0x1'])).structLogs, []);
    assert.equal((await error('debug_traceCall', [call, { blockHash: deployed.hash, requireCanonical: true }])).message, 'tipset is not canonical');
  });

  test('eth_call by a dropped block\'s hash runs on its state, BLOCKHASH seeing its own ancestors; requireCanonical refuses it', async (t) => {
    const { result, error, send } = await setupRpc(t, {}, { txDefaults: CALL });
    const snapshot = await result('evm_snapshot');
    await send({ nonce: 0, data: BLOCK_READER_INITCODE });
    const reader = getCreateAddress({ from: devWallet.address, nonce: 0 });
    await result('anvil_mine', ['0x3']);
    const dropped = await Promise.all([1, 2, 3].map((n) => result('eth_getBlockByNumber', [hex(n), false])));
    const call = (n: number, block: unknown) => result('eth_call', [{ to: reader, data: word(n) }, block]);
    // On block 3, not the head: BLOCKHASH(1) and (2) are blocks 1 and 2, slot 0 the 42 the deployment stored.
    const before = await call(1, '0x3');
    assert.equal(before, readerAnswer(dropped[0].hash));
    assert.equal(await call(2, '0x3'), readerAnswer(dropped[1].hash));
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x4']);
    assert.notEqual((await result('eth_getBlockByNumber', ['0x1', false])).hash, dropped[0].hash);

    const byHash = { blockHash: dropped[2].hash };
    assert.equal(await call(1, byHash), before);
    assert.equal(await call(2, byHash), readerAnswer(dropped[1].hash));
    // Below where the branch left the chain, the chain's own: genesis.
    assert.equal(await call(0, byHash), readerAnswer((await result('eth_getBlockByNumber', ['0x0', false])).hash));
    // The live chain has no contract there.
    assert.equal(await call(1, '0x3'), '0x');
    assert.equal((await error('eth_call', [{ to: reader, data: word(1) }, { ...byHash, requireCanonical: true }])).message, 'tipset is not canonical');
  });

  test(`eth_call on a dropped block answers BLOCKHASH of an ancestor the ${KEPT_DROPPED} kept let go: each tipset holds its parent`, async (t) => {
    const { result, error, send } = await setupRpc(t, {}, { txDefaults: CALL });
    const genesis = Number((await result('eth_getBlockByNumber', ['0x0', false])).timestamp);
    const first = await result('evm_snapshot');
    await send({ nonce: 0, data: BLOCK_READER_INITCODE });
    const reader = getCreateAddress({ from: devWallet.address, nonce: 0 });
    await result('anvil_mine', ['0x2']);
    const dropped = await Promise.all([1, 2, 3].map((n) => result('eth_getBlockByNumber', [hex(n), false])));
    await result('evm_revert', [first]);
    // The oldest kept go first: block 1, the bottom of the three-block branch, whose state block 3's branch still holds.
    for (let i = 1; i <= KEPT_DROPPED - 2; i++) {
      const id = await result('evm_snapshot');
      await result('evm_mine', [hex(genesis + 100 + i)]);
      await result('evm_revert', [id]);
    }
    assert.match((await error('eth_getBlockByHash', [dropped[0].hash, false])).message, /^failed to get tipset by hash: /);
    const call = (n: number) => result('eth_call', [{ to: reader, data: word(n) }, { blockHash: dropped[2].hash }]);
    assert.equal(await call(1), readerAnswer(dropped[0].hash));
    assert.equal(await call(2), readerAnswer(dropped[1].hash));
    assert.equal(await call(0), readerAnswer((await result('eth_getBlockByNumber', ['0x0', false])).hash));
  });

  test('Filecoin.StateGetActor, StateReadState, StateCall, the address lookups and v2\'s selectors by a dropped tipset\'s key answer as they did while it was on the chain', async (t) => {
    const { result, error, send, call: rpcCall } = await setupRpc(t, {}, { txDefaults: CALL });
    const v2 = async (method: string, params: unknown[]) => (await rpcCall(method, params, '/rpc/v2')).result;
    const snapshot = await result('evm_snapshot');
    await send({ nonce: 0, data: BLOCK_READER_INITCODE });
    const reader = FilAddress.fromEthAddress(getBytes(getCreateAddress({ from: devWallet.address, nonce: 0 }))).toString();
    await result('anvil_mine', ['0x2']);
    const key = (await result('Filecoin.ChainGetTipSetByHeight', [2, null])).Cids;
    const call = {
      Version: 0,
      From: FilAddress.fromEthAddress(getBytes(devWallet.address)).toString(),
      To: reader,
      Nonce: 0,
      Value: '0',
      GasLimit: 0,
      GasFeeCap: '0',
      GasPremium: '0',
      Method: METHOD_INVOKE_CONTRACT,
      Params: Buffer.from(encodeCbor(getBytes(word(1)))).toString('base64'),
    };
    const reads = async () => ({
      actor: await result('Filecoin.StateGetActor', [reader, key]),
      call: { ...(await result('Filecoin.StateCall', [call, key])), Duration: 0 },
      // The contract's State (its storage root from its slots), the init actor's, the sender's account.
      states: await Promise.all([reader, 't01', call.From].map((address) => result('Filecoin.StateReadState', [address, key]))),
      // The reader's ID (it has none on the chain now), its robust address from it, the sender's key.
      id: await result('Filecoin.StateLookupID', [reader, key]),
      robust: await result('Filecoin.StateLookupRobustAddress', [await result('Filecoin.StateLookupID', [reader, key]), key]),
      accountKey: await result('Filecoin.StateAccountKey', [await result('Filecoin.StateLookupID', [call.From, key]), key]),
      // /rpc/v2's selectors by the key, and by its height anchored at it (Lotus resolves them as its ChainGetTipSet).
      v2: await Promise.all([{ key }, { height: { at: 2, anchor: { key } } }].flatMap((selector) => [v2('Filecoin.StateGetActor', [reader, selector]), v2('Filecoin.StateGetID', [reader, selector])])),
    });
    const before = await reads();
    assert.equal(before.actor.Nonce, 0);
    assert.equal(before.call.MsgRct.ExitCode, 0);
    assert.ok(before.states[0].State.ContractState);
    // A contract's robust address is the f2 the EAM gave it; an EthAccount's key its f410.
    assert.deepEqual([before.robust.slice(0, 2), before.accountKey], ['t2', call.From]);
    assert.deepEqual(before.v2, [before.actor, before.id, before.actor, before.id]);
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x3']);
    assert.match((await error('Filecoin.StateGetActor', [reader, (await result('Filecoin.ChainGetTipSetByHeight', [2, null])).Cids])).message, /actor not found/);

    assert.deepEqual(await reads(), before);
  });

  test('Otterscan\'s ots_getBlockDetailsByHash and ots_hasCode by a dropped block\'s hash answer it as before the revert (its issuance and code from its kept state); numbers and transaction hashes are the live chain\'s', async (t) => {
    const { result, error, snapshot, tx, block, emitter } = await emitted(t);
    const deployed = await result('eth_getBlockByNumber', ['0x1', false]);
    const details = await Promise.all([deployed.hash, block.hash].map((hash) => result('ots_getBlockDetailsByHash', [hash])));
    // The genesis providers win each block's reward: what it minted is not zero.
    assert.notEqual(details[1].issuance.blockReward, '0x0');
    assert.equal(details[1].block.transactionCount, 1);
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain's head is below them: their issuance is read in the state they kept, not the chain's at their epochs.
    assert.deepEqual(await Promise.all([deployed.hash, block.hash].map((hash) => result('ots_getBlockDetailsByHash', [hash]))), details);
    await result('anvil_mine', ['0x3']);
    assert.deepEqual(await Promise.all([deployed.hash, block.hash].map((hash) => result('ots_getBlockDetailsByHash', [hash]))), details);
    assert.equal((await result('ots_getBlockDetails', ['0x2'])).block.transactionCount, 0);

    // ots_hasCode by its hash (Erigon takes a block number or hash) reads its kept state, as eth_getCode does.
    assert.equal(await result('ots_hasCode', [emitter, block.hash]), true);
    assert.equal(await result('ots_hasCode', [emitter, { blockHash: block.hash }]), true);
    assert.equal(await result('ots_hasCode', [emitter, 2]), false);
    assert.equal((await error('ots_hasCode', [emitter, { blockHash: block.hash, requireCanonical: true }])).message, 'tipset is not canonical');
    assert.match((await error('ots_getBlockDetailsByHash', ['0x' + '12'.repeat(32)])).message, /^failed to get tipset by hash: /);

    // By number, and by transaction hash (looked up on the chain, as Erigon's and debug_traceTransaction's), the dropped block is gone.
    assert.equal((await result('ots_getBlockTransactions', [2, 0, 10])).fullblock.transactions.length, 0);
    for (const method of ['ots_traceTransaction', 'ots_getInternalOperations', 'ots_getTransactionError']) {
      assert.equal((await error(method, [tx])).message, `transaction ${tx} not found`, method);
    }
    assert.equal(await result('ots_getContractCreator', [emitter]), null);
  });

  test('a block mined after evm_revert on other cheat edits, at the same second, is another block than the dropped one, whose state its hash still reads (X1); without edits it is the same block', async (t) => {
    const { result } = await setupRpc(t);
    const holder = '0x' + '55'.repeat(20);
    const at = Number((await result('eth_getBlockByNumber', ['0x0', false])).timestamp) + 100;
    const snapshot = await result('evm_snapshot');
    await result('anvil_setBalance', [holder, '0x1111']);
    await result('evm_mine', [hex(at)]);
    const dropped = await result('eth_getBlockByNumber', ['latest', false]);
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_setBalance', [holder, '0x2222']);
    await result('evm_mine', [hex(at)]);
    const mined = await result('eth_getBlockByNumber', ['latest', false]);
    assert.deepEqual([mined.number, mined.timestamp, mined.parentHash], [dropped.number, dropped.timestamp, dropped.parentHash]);
    // Lotus's headers name the state they were mined on: the edits differ, so do the blocks.
    assert.notEqual(mined.hash, dropped.hash);
    assert.equal(await result('eth_getBalance', [holder, { blockHash: dropped.hash }]), '0x1111');
    assert.equal(await result('eth_getBalance', [holder, { blockHash: mined.hash }]), '0x2222');

    // Mined again on the same state, without an edit since the revert, a block is the one dropped.
    const again = await result('evm_snapshot');
    await result('evm_mine', [hex(at + 1)]);
    const next = await result('eth_getBlockByNumber', ['latest', false]);
    assert.equal(await result('evm_revert', [again]), true);
    await result('evm_mine', [hex(at + 1)]);
    assert.equal((await result('eth_getBlockByNumber', ['latest', false])).hash, next.hash);
    // The edit is state: a snapshot taken after it mines its block again as it was.
    await result('anvil_setBalance', [holder, '0x3333']);
    const edited = await result('evm_snapshot');
    await result('evm_mine', [hex(at + 2)]);
    const afterEdit = await result('eth_getBlockByNumber', ['latest', false]);
    assert.equal(await result('evm_revert', [edited]), true);
    await result('evm_mine', [hex(at + 2)]);
    assert.equal((await result('eth_getBlockByNumber', ['latest', false])).hash, afterEdit.hash);
  });

  test('eth_newFilter with a dropped block\'s hash holds its logs, removed', async (t) => {
    const { result, snapshot, block, receipts } = await emitted(t);
    assert.equal(await result('evm_revert', [snapshot]), true);
    // Lotus fills the filter from its chain index by tipset CID, which keeps a reorged tipset's events, reverted.
    const id = await result('eth_newFilter', [{ blockHash: block.hash }]);
    const removed = receipts[0].logs.map((log: any) => ({ ...log, removed: true }));
    assert.deepEqual(await result('eth_getFilterChanges', [id]), removed);
    assert.deepEqual(await result('eth_getFilterChanges', [id]), []);
    const matching = await result('eth_newFilter', [{ blockHash: block.hash, topics: [LOG_TOPIC, word(7)] }]);
    assert.deepEqual(await result('eth_getFilterLogs', [matching]), removed);
    const none = await result('eth_newFilter', [{ blockHash: block.hash, topics: [null, word(8)] }]);
    assert.deepEqual(await result('eth_getFilterChanges', [none]), []);
  });

  test('eth_estimateGas with a dropped block\'s hash resolves it and estimates on the head; requireCanonical refuses it', async (t) => {
    const { result, error, snapshot, block } = await emitted(t);
    assert.equal(await result('evm_revert', [snapshot]), true);
    // Lotus resolves the block (GetTipsetByBlockNumberOrHash, from its blockstore), then estimates on the head.
    const estimate = { from: devWallet.address, to: '0x' + '77'.repeat(20), value: '0x1' };
    const onHead = await result('eth_estimateGas', [estimate]);
    assert.equal(await result('eth_estimateGas', [estimate, { blockHash: block.hash }]), onHead);
    assert.equal(await result('eth_estimateGas', [estimate, block.hash]), onHead);
    assert.equal((await error('eth_estimateGas', [estimate, { blockHash: block.hash, requireCanonical: true }])).message, 'tipset is not canonical');
    assert.match((await error('eth_estimateGas', [estimate, '0x' + '12'.repeat(32)])).message, /^failed to get tipset by hash: /);
  });

  test('after anvil_reorg the dropped head answers by hash, and a new block at its height by number', async (t) => {
    const { result, block } = await emitted(t);
    await result('anvil_reorg', ['0x1', []]);
    const replaced = await result('eth_getBlockByNumber', ['0x2', false]);
    assert.notEqual(replaced.hash, block.hash);
    assert.deepEqual(await result('eth_getBlockByHash', [block.hash, true]), block);
    // Its parent is still the chain's: an indexer walks back to where the chains meet.
    assert.equal((await result('eth_getBlockByHash', [block.parentHash, false])).hash, replaced.parentHash);
    assert.equal((await result('eth_getLogs', [{ blockHash: block.hash }]))[0].removed, true);
  });

  test('ChainGetPath walks a dropped tipset back to where it left the chain, as Lotus\'s ReorgOps; EthGetBlockReceiptsLimited answers it as eth_getBlockReceipts', async (t) => {
    const { result, error, block, receipts, header } = await emitted(t);
    await result('anvil_reorg', ['0x1', []]);
    const replaced = await result('Filecoin.ChainHead');
    assert.notDeepEqual(replaced.Cids, header.Cids);
    assert.deepEqual(await result('Filecoin.ChainGetPath', [header.Cids, replaced.Cids]), [{ Type: 'revert', Val: header }, { Type: 'apply', Val: replaced }]);
    assert.deepEqual(await result('Filecoin.ChainGetPath', [replaced.Cids, header.Cids]), [{ Type: 'revert', Val: replaced }, { Type: 'apply', Val: header }]);
    const removed = receipts.map((r: any) => ({ ...r, logs: r.logs.map((l: any) => ({ ...l, removed: true })) }));
    assert.deepEqual(await result('Filecoin.EthGetBlockReceiptsLimited', [block.hash, -1]), removed);
    await result('anvil_mine', [hex(3)]);
    assert.equal((await error('Filecoin.EthGetBlockReceiptsLimited', [block.hash, 2])).message, `tipset {${header.Cids[0]['/']}} is older than the allowed lookback limit`);

    // After evm_revert both dropped tipsets are reverted on the way down to the head.
    const reverted = await emitted(t);
    const first = await reverted.result('Filecoin.ChainGetTipSetByHeight', [1, null]);
    assert.equal(await reverted.result('evm_revert', [reverted.snapshot]), true);
    const head = await reverted.result('Filecoin.ChainHead');
    assert.deepEqual(await reverted.result('Filecoin.ChainGetPath', [reverted.header.Cids, head.Cids]), [{ Type: 'revert', Val: reverted.header }, { Type: 'revert', Val: first }]);
  });

  test('ChainGetTipSetByHeight / AfterHeight from a dropped tipset walk its branch, across null rounds, then the chain below it', async (t) => {
    const { result, call } = await setupRpc(t);
    const v2 = (selector: unknown) => call('Filecoin.ChainGetTipSet', [selector], '/rpc/v2');
    const genesis = await result('Filecoin.ChainHead');
    await result('evm_mine');
    const below = await result('Filecoin.ChainHead');
    // Past 1000 epochs anvil_mine makes null rounds and one tipset, the one the revert drops.
    const snapshot = await result('evm_snapshot');
    await result('anvil_mine', [2000]);
    const dropped = await result('Filecoin.ChainHead');
    assert.equal(dropped.Height, 2001);
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', [hex(5)]);
    const at = (method: string, height: number) => result(method, [height, dropped.Cids]);
    assert.deepEqual(await at('Filecoin.ChainGetTipSetByHeight', 2001), dropped);
    // In the null rounds of the dropped branch: the branch's tipsets, not the chain's mined since at those epochs.
    assert.deepEqual(await at('Filecoin.ChainGetTipSetByHeight', 3), below);
    assert.deepEqual(await at('Filecoin.ChainGetTipSetAfterHeight', 3), dropped);
    assert.deepEqual(await at('Filecoin.ChainGetTipSetByHeight', 1), below);
    assert.deepEqual(await at('Filecoin.ChainGetTipSetAfterHeight', 0), genesis);
    assert.notDeepEqual(await result('Filecoin.ChainGetTipSetByHeight', [3, null]), below);
    // /rpc/v2's selectors the same, by key and by a height anchored at it (Lotus's chain_v2.go: GetTipSetFromKey).
    assert.deepEqual((await v2({ key: dropped.Cids })).result, dropped);
    assert.deepEqual((await v2({ height: { at: 3, previous: true, anchor: { key: dropped.Cids } } })).result, below);
    assert.deepEqual((await v2({ height: { at: 3, anchor: { key: dropped.Cids } } })).result, dropped);
  });

  test(`a dropped tipset whose parent the ${KEPT_DROPPED} kept let go is walked below it, and its parent messages read, through the headers it holds, as Lotus keeps every header`, async (t) => {
    const { result, error, send, call } = await setupRpc(t);
    const genesis = await result('Filecoin.ChainGetTipSetByHeight', [0, null]);
    const first = await result('evm_snapshot');
    // A message in the bottom tipset, from another sender than the dev wallet read below.
    const message = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
    await result('anvil_mine', [hex(2)]);
    const [bottom, middle, top] = await Promise.all([1, 2, 3].map((h) => result('Filecoin.ChainGetTipSetByHeight', [h, null])));
    assert.deepEqual((await result('Filecoin.ChainGetMessagesInTipset', [bottom.Cids])).map((m: { Cid: unknown }) => m.Cid), [message.CID]);
    await result('evm_revert', [first]);
    // The oldest kept go first: the bottom of the three-tipset branch.
    for (let i = 1; i <= KEPT_DROPPED - 2; i++) {
      const id = await result('evm_snapshot');
      await result('evm_mine', [hex(genesis.Blocks[0].Timestamp + 100 + i)]);
      await result('evm_revert', [id]);
    }
    assert.match((await error('Filecoin.ChainGetTipSet', [bottom.Cids])).message, /not found/);
    assert.deepEqual(await result('Filecoin.ChainGetTipSetByHeight', [2, top.Cids]), middle);
    assert.deepEqual(await result('Filecoin.ChainGetTipSetByHeight', [1, top.Cids]), bottom);
    assert.deepEqual(await result('Filecoin.ChainGetTipSetByHeight', [0, top.Cids]), genesis);
    const head = await result('Filecoin.ChainHead');
    assert.deepEqual(await result('Filecoin.ChainGetPath', [top.Cids, head.Cids]), [top, middle, bottom].map((Val) => ({ Type: 'revert', Val })));
    // The middle block's parent messages and receipts are the bottom's, read from the header it holds.
    assert.deepEqual((await result('Filecoin.ChainGetParentMessages', [middle.Cids[0]])).map((m: { Cid: unknown }) => m.Cid), [message.CID]);
    assert.deepEqual((await result('Filecoin.ChainGetParentReceipts', [middle.Cids[0]])).map((r: { ExitCode: number }) => r.ExitCode), [0]);
    // Its state is not kept: a state read reaching it refuses, never reads the chain's at its epoch (R77).
    await send({ nonce: 0 });
    const v2 = (params: unknown[]) => call('Filecoin.StateGetActor', params, '/rpc/v2');
    const sender = FilAddress.fromEthAddress(getBytes(devWallet.address)).toString();
    const anchored = await v2([sender, { height: { at: 1, anchor: { key: top.Cids } } }]);
    assert.equal(anchored.error?.message, `the dropped tipset at epoch 1 is no longer kept (at most ${KEPT_DROPPED} dropped tipsets are)`);
    assert.equal((await v2([sender, { height: { at: 2, anchor: { key: top.Cids } } }])).result.Nonce, 0);
  });

  test('anvil_reset forgets them; a chain mined again over the same epochs answers its own blocks', async (t) => {
    const { result, error, snapshot, block } = await emitted(t);
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', [hex(3)]);
    assert.notEqual((await result('eth_getBlockByNumber', ['0x2', false])).hash, block.hash);
    assert.equal((await result('eth_getBlockByHash', [block.hash, false])).hash, block.hash);
    await result('anvil_reset');
    assert.match((await error('eth_getBlockByHash', [block.hash, false])).message, /^failed to get tipset by hash: /);
  });

  test('a message only a dropped tipset holds is found by its CID, dag-cbor over blake2b-256, as on the chain; a CID of another codec or hash over the same digest names no message, kept or on the chain (final-s52 D1)', async (t) => {
    const { devnet, result } = await setupRpc(t);
    const push = async (value: string) =>
      CID.parse((await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: value, Method: 0 }, null])).CID['/']);
    const onChain = await push('1');
    const snapshot = await result('evm_snapshot');
    const dropped = await push('2');
    assert.equal(await result('evm_revert', [snapshot]), true);
    assert.equal(devnet.chain.messageByCid(dropped), undefined);
    assert.equal(droppedTipsets(devnet).messageByCid(dropped)?.message.cid.toString(), dropped.toString());
    const rawCodec = (cid: CID) => CID.createV1(RAW, cid.multihash);
    const otherHash = (cid: CID) => CID.createV1(cid.code, createDigest(SHA2_256, cid.multihash.digest));
    for (const named of [rawCodec, otherHash]) {
      assert.equal(droppedTipsets(devnet).messageByCid(named(dropped)), undefined);
      assert.equal(devnet.chain.messageByCid(named(onChain)), undefined);
    }
  });

  test('a secp message and an Ethereum transaction only a dropped tipset holds are found by their unsigned CIDs too, as on the chain (Lotus\'s pool puts both forms in its blockstore)', async (t) => {
    const { devnet, result, snapshot, tx } = await emitted(t);
    assert.match(CLIENT, /^[tf]1/);
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
    const signedTx = (await result('Filecoin.EthGetMessageCidByTransactionHash', [tx]))['/'];
    const unsignedTx = (await result('Filecoin.ChainGetMessage', [{ '/': signedTx }])).CID['/'];
    const pairs = [
      [pushed.CID['/'], pushed.Message.CID['/']],
      [signedTx, unsignedTx],
    ];
    const answers = (unsigned: string) =>
      Promise.all([result('Filecoin.ChainGetMessage', [{ '/': unsigned }]), result('Filecoin.EthGetTransactionHashByCid', [{ '/': unsigned }])]);
    const before = await Promise.all(pairs.map(([, unsigned]) => answers(unsigned)));
    assert.equal(await result('evm_revert', [snapshot]), true);

    for (const [i, [signed, unsigned]] of pairs.entries()) {
      assert.notEqual(unsigned, signed);
      assert.equal(devnet.chain.messageByCid(CID.parse(unsigned)), undefined);
      assert.equal(droppedTipsets(devnet).messageByCid(CID.parse(unsigned))?.message.cid.toString(), signed);
      assert.notEqual(before[i][1], null);
      assert.deepEqual(await answers(unsigned), before[i]);
    }
  });

  test(`a transaction two kept tipsets included (sent again after a revert) is found by its hash until the ${KEPT_DROPPED} kept let go of both`, async (t) => {
    const { result, error, send, devnet } = await setupRpc(t);
    const kept = droppedTipsets(devnet);
    const genesis = Number((await result('eth_getBlockByNumber', ['0x0', false])).timestamp);
    const droppedAt = async (timestamp: number) => {
      const id = await result('evm_snapshot');
      await result('evm_setNextBlockTimestamp', [hex(timestamp)]);
      const tx = await send({ nonce: 0 });
      const { blockHash } = await result('eth_getTransactionReceipt', [tx]);
      await result('evm_revert', [id]);
      return { tx, blockHash };
    };
    const first = await droppedAt(genesis + 1);
    const again = await droppedAt(genesis + 2);
    assert.equal(again.tx, first.tx);
    assert.notEqual(again.blockHash, first.blockHash);
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [first.tx]);
    assert.notEqual(cid, null);

    // The oldest kept tipset (the first inclusion) is let go; the second still holds the transaction.
    for (let i = 0; i < KEPT_DROPPED - 1; i++) {
      const id = await result('evm_snapshot');
      await result('evm_mine', [hex(genesis + 10 + i)]);
      await result('evm_revert', [id]);
    }
    assert.equal(kept.size, KEPT_DROPPED);
    assert.match((await error('eth_getBlockByHash', [first.blockHash, false])).message, /^failed to get tipset by hash: /);
    assert.equal((await result('eth_getBlockByHash', [again.blockHash, false])).hash, again.blockHash);
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [first.tx]), cid);

    const id = await result('evm_snapshot');
    await result('evm_mine', [hex(genesis + 10 + KEPT_DROPPED)]);
    await result('evm_revert', [id]);
    assert.equal(await result('Filecoin.EthGetMessageCidByTransactionHash', [first.tx]), null);
  });

  test(`thousands of reverts keep at most ${KEPT_DROPPED} tipsets, a long revert its first ones`, async (t) => {
    const { result, error, devnet } = await setupRpc(t);
    const kept = droppedTipsets(devnet);
    const genesis = Number((await result('eth_getBlockByNumber', ['0x0', false])).timestamp);
    for (let i = 1; i <= KEPT_DROPPED + 20; i++) {
      const id = await result('evm_snapshot');
      // Each at its own timestamp: a tipset mined again as it was has its hash, kept once.
      await result('evm_mine', [hex(genesis + i)]);
      await result('evm_revert', [id]);
    }
    assert.equal(kept.size, KEPT_DROPPED);
    // A revert's kept state goes with its last kept tipset: here one a revert.
    assert.equal(kept.keptStates, KEPT_DROPPED);

    const id = await result('evm_snapshot');
    await result('anvil_mine', [hex(KEPT_DROPPED + 10)]);
    const first = await result('eth_getBlockByNumber', [hex(KEPT_DROPPED), false]);
    const last = await result('eth_getBlockByNumber', [hex(KEPT_DROPPED + 10), false]);
    await result('evm_revert', [id]);
    // Those more than KEPT_DROPPED above where the revert went are let go (each holds its parents).
    assert.equal((await result('eth_getBlockByHash', [first.hash, false])).hash, first.hash);
    assert.match((await error('eth_getBlockByHash', [last.hash, false])).message, /^failed to get tipset by hash: /);
    assert.equal(kept.size, KEPT_DROPPED);
    assert.equal(kept.keptStates, 1);
  });
});
