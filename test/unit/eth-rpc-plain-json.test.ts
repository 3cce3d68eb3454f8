// Receipts, blocks and transactions are answered as text joined without JSON.stringify (plain-json.ts):
// byte for byte what JSON.stringify made of the same answer, for every kind the chain holds, and each
// of their strings hex, which needs no escaping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getCreateAddress } from 'ethers';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { answerJson, plainJson, plainValue } from '../../src/eth-rpc/plain-json.js';
import { resolveKeptBlock } from '../../src/eth-rpc/block-ref.js';
import { blockReceipts } from '../../src/eth-rpc/methods/eth-blocks.js';
import { formatBlock, formatLog, formatPendingTransaction, formatReceipt, formatTransaction } from '../../src/eth-rpc/format.js';
import { tipsetLogs } from '../../src/eth-rpc/logs.js';
import type { Tipset } from '../../src/mining/tipset.js';
import { CALL, devWallet } from '../helpers/dev-wallet.js';
import { LOG_EMITTER_INITCODE, word } from '../helpers/log-emitter.js';
import { setupRpc } from '../helpers/rpc-harness.js';

/** A key the node holds, other than the dev wallet's (Filecoin.MpoolPushMessage signs with it). */
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
/** Returns the runtime `revert(0, 0)`: every call to it reverts. */
const REVERTER_INITCODE = '0x' + '6460006000fd' + '600052' + '6005601bf3';
const hex = (n: number) => '0x' + n.toString(16);

/**
 * A chain with a transfer, a creation, a call with a log, a reverted call, a legacy transaction, a
 * tipset of two logging calls and a transfer, a native message, an empty tipset and a pending transaction.
 */
async function chain(t: Parameters<typeof setupRpc>[0]) {
  const rpc = await setupRpc(t, {}, { txDefaults: CALL });
  const emitter = getCreateAddress({ from: devWallet.address, nonce: 0 });
  const reverter = getCreateAddress({ from: devWallet.address, nonce: 1 });
  const hashes: string[] = [];
  hashes.push(await rpc.send({ nonce: 0, data: LOG_EMITTER_INITCODE }));
  hashes.push(await rpc.send({ nonce: 1, data: REVERTER_INITCODE }));
  hashes.push(await rpc.send({ nonce: 2, to: emitter, data: word(7) }));
  hashes.push(await rpc.send({ nonce: 3, to: reverter }));
  hashes.push(await rpc.send({ nonce: 4, to: emitter, data: word(8), type: 0, gasPrice: 2_000_000_000n, maxFeePerGas: null, maxPriorityFeePerGas: null }));
  hashes.push(await rpc.send({ nonce: 5, to: devWallet.address, value: 5n }));
  const pushed = await rpc.result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
  await rpc.result('evm_mine');
  hashes.push(await rpc.result('Filecoin.EthGetTransactionHashByCid', [pushed.CID]));
  await rpc.result('evm_setAutomine', [false]);
  hashes.push(await rpc.send({ nonce: 6, to: emitter, data: word(9) }), await rpc.send({ nonce: 7, to: emitter, data: word(10) }), await rpc.send({ nonce: 8, to: devWallet.address, value: 1n }));
  await rpc.result('evm_mine');
  await rpc.result('anvil_mine', [hex(2)]);
  const pending = await rpc.send({ nonce: 9, to: emitter, data: word(11) });
  return { ...rpc, hashes, pending };
}

/** Every string in `value`, its members' and elements' too. */
function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(stringLeaves);
}

/**
 * What plainValue's mark promises (its strings need no escaping), checked on a marked value of the
 * chain's: each string is hex, the words ('0x0') too. A field of free text (a revert reason, a name)
 * added to a shape fails here, not as invalid JSON to the user whose text holds a quote.
 */
function assertPlainStrings(value: object, what: string) {
  const strings = stringLeaves(value);
  assert.ok(strings.length > 0, what);
  for (const string of strings) assert.match(string, /^0x[0-9a-f]*$/, `${what}: a string that is not hex`);
}

/** The raw text of the answer to one request, and its id. */
async function answerText(app: Awaited<ReturnType<typeof setupRpc>>['app'], method: string, params: unknown[], id: number | string = 7) {
  const res = await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id, method, params } });
  return res.body;
}

describe('plain JSON answers', () => {
  test('receipts, transactions and blocks of every kind answer the bytes JSON.stringify made of them', async (t) => {
    const { devnet, app, result, hashes, pending } = await chain(t);
    const stringified = (id: unknown, value: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result: value });
    const receipts = [];
    for (const hash of hashes) {
      const found = devnet.chain.messageByTxHash(hexToBytes(hash))!;
      assert.ok(found, hash);
      const receipt = formatReceipt(devnet, found.tipset, found.message);
      receipts.push(receipt);
      // Its logs take the receipt's hashes, index and number: each as the log's own fields give them.
      const ownLogs = tipsetLogs(devnet, found.tipset).filter((l) => l.transactionIndex === found.message.index);
      assert.deepEqual(receipt.logs, ownLogs.map((l) => formatLog(l)), `logs of ${hash}`);
      assertPlainStrings(receipt, `receipt of ${hash}`);
      assertPlainStrings(formatTransaction(devnet, found.tipset, found.message), `transaction ${hash}`);
      assert.equal(await answerText(app, 'eth_getTransactionReceipt', [hash]), stringified(7, receipt));
      assert.equal(await answerText(app, 'eth_getTransactionReceipt', [hash], 'a"b'), stringified('a"b', receipt));
      assert.equal(await answerText(app, 'eth_getTransactionByHash', [hash]), stringified(7, formatTransaction(devnet, found.tipset, found.message)));
    }
    // The kinds are there: a creation, a revert, a legacy transaction, a tipset of three with two logging, a native message.
    assert.deepEqual(
      receipts.map((r) => [r.status, r.contractAddress !== null, r.logs.length, r.type, r.transactionIndex]),
      [['0x1', true, 0, '0x2', '0x0'], ['0x1', true, 0, '0x2', '0x0'], ['0x1', false, 1, '0x2', '0x0'], ['0x0', false, 0, '0x2', '0x0'], ['0x1', false, 1, '0x0', '0x0'], ['0x1', false, 0, '0x2', '0x0'], ['0x1', false, 0, '0x2', '0x0'], ['0x1', false, 1, '0x2', '0x0'], ['0x1', false, 1, '0x2', '0x1'], ['0x1', false, 0, '0x2', '0x2']],
    );
    assert.ok(devnet.chain.messageByTxHash(hexToBytes(hashes[6]!))!.message.ethTx === undefined, 'the native message has no Ethereum transaction');
    // Each block, with and without its transactions: the genesis, one per transaction, the tipset of three, two empty ones.
    for (let number = 0; number <= devnet.head.epoch; number++) {
      const tipset = devnet.chain.atOrBefore(number)!;
      for (const full of [false, true]) {
        const block = formatBlock(devnet, tipset, full);
        assert.equal(await answerText(app, 'eth_getBlockByNumber', [hex(number), full]), stringified(7, block), `${number} ${full}`);
        assertPlainStrings(block, `block ${number} ${full}`);
      }
    }
    // Pending: the transaction as the pool shows it, no receipt; unknown: null.
    const pendingTransaction = formatPendingTransaction(devnet.pendingTransaction(hexToBytes(pending))!)!;
    assert.equal(await answerText(app, 'eth_getTransactionByHash', [pending]), stringified(7, pendingTransaction));
    assertPlainStrings(pendingTransaction, 'the pending transaction');
    assert.equal(await answerText(app, 'eth_getTransactionReceipt', [pending]), stringified(7, null));
    assert.equal(await answerText(app, 'eth_getTransactionReceipt', ['0x' + '12'.repeat(32)]), stringified(7, null));
    // Each shape is marked: a string added to one afterwards is joined unescaped (what the contract forbids).
    const tipset = devnet.chain.atOrBefore(3)!;
    for (const value of [receipts[0]!, formatBlock(devnet, tipset, true), formatTransaction(devnet, tipset, tipset.messages[0]!)]) {
      assert.match(answerJson({ jsonrpc: '2.0', id: 1, result: Object.assign(value, { probe: 'x"y' }) }), /"probe":"x"y"}}$/);
    }
    // A block a revert dropped, by hash.
    const snapshot = await result('evm_snapshot');
    await result('evm_mine');
    const dropped = (await result('eth_getBlockByNumber', ['latest', false])).hash;
    assert.equal(await result('evm_revert', [snapshot]), true);
    const droppedTipset = resolveKeptBlock(devnet, { hash: hexToBytes(dropped) });
    assert.notEqual(devnet.chain.atOrBefore(droppedTipset.epoch)?.hash, droppedTipset.hash);
    const droppedBlock = formatBlock(devnet, droppedTipset, true);
    assert.equal(await answerText(app, 'eth_getBlockByHash', [dropped, true]), stringified(7, droppedBlock));
    assertPlainStrings(droppedBlock, 'the dropped block');
    // A batch writes each answer the same way.
    const batch = await app.inject({ method: 'POST', url: '/', payload: [{ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [hashes[2]] }, { jsonrpc: '2.0', id: 2, method: 'eth_getBlockByNumber', params: ['0x3', true] }] });
    assert.equal(batch.body, `[${stringified(1, receipts[2])},${stringified(2, await result('eth_getBlockByNumber', ['0x3', true]))}]`);
  });

  test("eth_getBlockReceipts answers the bytes JSON.stringify made of its receipts: every block, a dropped one's removed logs, none", async (t) => {
    const { devnet, app, result, send } = await chain(t);
    const stringified = (value: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 7, result: value });
    /** The block's receipts as format.ts makes each, in an array of their own (not marked). */
    const receiptsOf = (tipset: Tipset) => tipset.messages.map((message) => formatReceipt(devnet, tipset, message));
    // Every block: the genesis, one per transaction (a transfer, two creations, a log, a revert, a legacy
    // one), the native message's, an empty one (evm_mine after it), the tipset of three (two logging), two empty ones;
    // by number and by hash.
    const counts = [];
    for (let number = 0; number <= devnet.head.epoch; number++) {
      const tipset = devnet.chain.atOrBefore(number)!;
      const expected = stringified(receiptsOf(tipset));
      assert.equal(await answerText(app, 'eth_getBlockReceipts', [hex(number)]), expected, `block ${number}`);
      assert.equal(await answerText(app, 'eth_getBlockReceipts', [{ blockHash: bytesToHex(tipset.hash) }]), expected, `block ${number} by hash`);
      counts.push(tipset.messages.length);
    }
    assert.deepEqual(counts, [0, 1, 1, 1, 1, 1, 1, 1, 0, 3, 0, 0]);
    assert.equal(await answerText(app, 'eth_getBlockReceipts', ['0x0']), stringified([]));
    // A tipset a revert dropped, by hash: its receipt's log is shown removed.
    const snapshot = await result('evm_snapshot');
    const emitter = getCreateAddress({ from: devWallet.address, nonce: 0 });
    await result('evm_setAutomine', [true]);
    const hash = await send({ nonce: 10, to: emitter, data: word(12) });
    const blockHash = (await result('eth_getTransactionReceipt', [hash])).blockHash;
    assert.equal(await result('evm_revert', [snapshot]), true);
    const dropped = resolveKeptBlock(devnet, { hash: hexToBytes(blockHash) });
    const droppedReceipts = receiptsOf(dropped);
    assert.deepEqual(droppedReceipts.map((r) => r.logs.map((l) => l.removed)), [[true]]);
    assert.equal(await answerText(app, 'eth_getBlockReceipts', [blockHash]), stringified(droppedReceipts));
    // A block the node does not hold: the error, as before.
    const unknown = await answerText(app, 'eth_getBlockReceipts', ['0x' + '12'.repeat(32)]);
    assert.equal(unknown, JSON.stringify(JSON.parse(unknown)));
    assert.match(unknown, /"error":\{"code":1,"message":"failed to get tipset by hash/);
    // The array is marked, not only its receipts: a string added to it afterwards is joined unescaped.
    const answer = await result('eth_getBlockReceipts', ['0x3']);
    assert.equal(answer.length, 1);
    const marked = blockReceipts(devnet, devnet.chain.atOrBefore(3)!);
    marked.push(Object.assign({}, marked[0]!, { probe: 'x"y' }));
    assert.match(answerJson({ jsonrpc: '2.0', id: 1, result: marked }), /"probe":"x"y"\}\]\}$/);
  });

  test('plainJson writes what JSON.stringify writes for the shapes it is given; a marked result is joined unescaped', () => {
    const values = [{ a: '0x1', b: null, c: [], d: ['0x2', { e: false, f: true }], g: undefined, h: 3, i: { j: [[]] } }, [], {}, ['x'], '0x', null];
    for (const value of values) assert.equal(plainJson(value), JSON.stringify(value));
    // The contract is the caller's: a marked value's strings are joined as they are; a copy of one is not marked.
    const marked = plainValue({ a: 'x"y' });
    assert.equal(answerJson({ jsonrpc: '2.0', id: 1, result: marked }), '{"jsonrpc":"2.0","id":1,"result":{"a":"x"y"}}');
    assert.equal(answerJson({ jsonrpc: '2.0', id: 1, result: { ...marked } }), '{"jsonrpc":"2.0","id":1,"result":{"a":"x\\"y"}}');
    assert.equal(answerJson({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'm' } }), '{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"m"}}');
  });
});
