// Otterscan's ots_* methods, erigon_getHeaderByNumber and the raw-transaction and sender/nonce
// lookups through the JSON-RPC server, against contracts that call, pay and deploy
// (test/fixtures/contracts/TraceFixtures.sol), in the shapes Otterscan's docs describe.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { AbiCoder, Interface, Transaction, getCreateAddress, keccak256, type InterfaceAbi } from 'ethers';
import { BLOCK_REWARD } from '../../src/fevm/actors/reward.js';
import { CALL, RECIPIENT, devWallet } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { compileFixtures } from '../helpers/solc.js';

const DEV = devWallet.address.toLowerCase();

async function setup(t: TestContext) {
  const contracts = await compileFixtures();
  const rpc = await setupRpc(t, {}, { txDefaults: { ...CALL, gasLimit: 2_000_000_000 } });
  const iface = new Interface(contracts.TraceCaller.abi as InterfaceAbi);
  const callee = getCreateAddress({ from: DEV, nonce: 0 }).toLowerCase();
  const caller = getCreateAddress({ from: DEV, nonce: 1 }).toLowerCase();
  let nonce = 0;
  const sendTx = (tx: { to: string | null; data: string; value?: bigint }) => rpc.send({ nonce: nonce++, ...tx });
  const deployCallee = await sendTx({ to: null, data: contracts.TraceCallee.bytecode });
  const deployCaller = await sendTx({ to: null, data: contracts.TraceCaller.bytecode + iface.encodeDeploy([callee]).slice(2), value: 1000n });
  const callCaller = (fn: string, args: unknown[] = [], value = 0n) => sendTx({ to: caller, data: iface.encodeFunctionData(fn, args), value });
  return { ...rpc, iface, callee, caller, deployCallee, deployCaller, callCaller };
}

describe('ots_* traces', () => {
  test('ots_getApiLevel, ots_hasCode, ots_traceTransaction and ots_getInternalOperations', async (t) => {
    const { result, callCaller, caller, callee } = await setup(t);
    assert.equal(await result('ots_getApiLevel'), 8);
    assert.equal(await result('ots_hasCode', [caller, 'latest']), true);
    assert.equal(await result('ots_hasCode', [DEV, 'latest']), false);
    assert.equal(await result('ots_hasCode', [caller, '0x0']), false);
    // Otterscan asks for the block before a transaction's as a JSON number (TransactionAddress.tsx,
    // InternalTransfer.tsx: useHasCode(…, blockNumber - 1)), as Anvil 1.7.1 takes it.
    assert.equal(await result('ots_hasCode', [caller, 0]), false);
    assert.equal(await result('ots_hasCode', [caller, 2]), true);

    const paid = await callCaller('pay', [RECIPIENT, 7], 0n);
    const trace = await result('ots_traceTransaction', [paid]);
    assert.deepEqual(trace.map((e: any) => [e.type, e.depth, e.from, e.to]), [
      ['CALL', 0, DEV, caller],
      ['CALL', 1, caller, RECIPIENT],
    ]);
    assert.equal(trace[1].value, '0x7');
    assert.equal(trace[0].input.slice(0, 10), new Interface(['function pay(address,uint256)']).getFunction('pay')!.selector);
    assert.deepEqual(await result('ots_getInternalOperations', [paid]), [{ type: 0, from: caller, to: RECIPIENT, value: '0x7' }]);

    const deployed = await callCaller('deployCallee');
    const operations = await result('ots_getInternalOperations', [deployed]);
    assert.equal(operations.length, 1);
    assert.equal(operations[0].type, 2);
    assert.equal(operations[0].from, caller);
    const created = operations[0].to;
    assert.deepEqual(await result('ots_getContractCreator', [created]), { hash: deployed, creator: caller });
    assert.equal((await result('ots_getContractCreator', [callee])).creator, DEV);
    assert.equal(await result('ots_getContractCreator', [DEV]), null);
  });

  test('ots_getTransactionError answers the revert data, 0x for success', async (t) => {
    const { result, callCaller } = await setup(t);
    const failed = await callCaller('failThrough', [3]);
    const data = await result('ots_getTransactionError', [failed]);
    assert.equal(data.slice(0, 10), '0x08c379a0');
    assert.match(AbiCoder.defaultAbiCoder().decode(['string'], '0x' + data.slice(10))[0], /./);
    assert.equal(await result('ots_getTransactionError', [await callCaller('callStore', [1])]), '0x');
  });
});

describe('ots_* blocks and search', () => {
  test('block details and a page of block transactions, in Otterscan\'s shapes', async (t) => {
    const { result, deployCaller } = await setup(t);
    const receipt = await result('eth_getTransactionReceipt', [deployCaller]);
    const details = await result('ots_getBlockDetails', [receipt.blockNumber]);
    assert.equal(details.block.hash, receipt.blockHash);
    assert.equal(details.block.transactionCount, 1);
    assert.equal(details.block.logsBloom, null);
    assert.equal(details.block.transactions, undefined);
    assert.deepEqual(details.issuance, { blockReward: '0x' + BLOCK_REWARD.toString(16), uncleReward: '0x0', issuance: '0x' + BLOCK_REWARD.toString(16) });
    assert.ok(BigInt(details.totalFees) > 0n);
    assert.deepEqual(await result('ots_getBlockDetailsByHash', [receipt.blockHash]), details);

    const page = await result('ots_getBlockTransactions', [receipt.blockNumber, 0, 10]);
    assert.equal(page.fullblock.transactionCount, 1);
    assert.equal(page.fullblock.transactions[0].hash, deployCaller);
    assert.equal(page.fullblock.transactions[0].input.length, 10);
    assert.equal(page.receipts[0].logs, null);
    assert.equal(page.receipts[0].logsBloom, null);
    assert.equal(page.receipts[0].transactionHash, deployCaller);
    assert.deepEqual((await result('ots_getBlockTransactions', [receipt.blockNumber, 1, 10])).receipts, []);
    // Otterscan's block pages send the number as a JSON number (audit15 C3), as Anvil takes it.
    const number = Number(receipt.blockNumber);
    assert.deepEqual(await result('ots_getBlockDetails', [number]), details);
    assert.deepEqual(await result('ots_getBlockTransactions', [number, 0, 10]), page);
    assert.equal((await result('erigon_getHeaderByNumber', [number])).hash, receipt.blockHash);
  });

  test('search before and after, newest first, with page flags; sender and nonce lookups', async (t) => {
    const { result, error, send, deployCallee, deployCaller } = await setup(t);
    const third = await send({ nonce: 2, to: RECIPIENT, value: 1n, data: '0x' });
    const hashes = [deployCallee, deployCaller, third];
    const before = await result('ots_searchTransactionsBefore', [DEV, 0, 10]);
    assert.deepEqual(before.txs.map((tx: any) => tx.hash), [...hashes].reverse());
    assert.deepEqual([before.firstPage, before.lastPage], [true, true]);
    assert.equal(before.receipts[0].timestamp, (await result('eth_getBlockByNumber', ['latest', false])).timestamp);
    const pageOne = await result('ots_searchTransactionsBefore', [DEV, 0, 1]);
    assert.deepEqual([pageOne.txs.map((tx: any) => tx.hash), pageOne.firstPage, pageOne.lastPage], [[third], true, false]);
    const after = await result('ots_searchTransactionsAfter', [DEV, 0, 2]);
    assert.deepEqual([after.txs.map((tx: any) => tx.hash), after.firstPage, after.lastPage], [[deployCaller, deployCallee], false, true]);
    assert.deepEqual((await result('ots_searchTransactionsBefore', [RECIPIENT, 0, 10])).txs.map((tx: any) => tx.hash), [third]);

    assert.equal(await result('ots_getTransactionBySenderAndNonce', [DEV, 1]), deployCaller);
    assert.equal(await result('ots_getTransactionBySenderAndNonce', [DEV, 3]), null);
    assert.equal((await result('eth_getTransactionBySenderAndNonce', [DEV, '0x2'])).hash, third);
    assert.equal((await error('ots_searchTransactionsBefore', [DEV, -1, 10])).code, -32602);
  });
});

describe('raw transactions and unsigned sends', () => {
  test('eth_getRawTransactionBy* give the signed bytes; eth_sendUnsignedTransaction sends for any sender', async (t) => {
    const { result, deployCaller } = await setup(t);
    const raw = await result('eth_getRawTransactionByHash', [deployCaller]);
    assert.equal(keccak256(raw), deployCaller);
    assert.equal(Transaction.from(raw).from?.toLowerCase(), DEV);
    const receipt = await result('eth_getTransactionReceipt', [deployCaller]);
    assert.equal(await result('eth_getRawTransactionByBlockNumberAndIndex', [receipt.blockNumber, '0x0']), raw);
    assert.equal(await result('eth_getRawTransactionByBlockHashAndIndex', [receipt.blockHash, '0x0']), raw);
    assert.equal(await result('eth_getRawTransactionByHash', ['0x' + '11'.repeat(32)]), null);

    const hash = await result('eth_sendUnsignedTransaction', [{ from: DEV, to: RECIPIENT, value: '0x5' }]);
    const sent = await result('eth_getTransactionReceipt', [hash]);
    assert.equal(sent.status, '0x1');
    assert.equal(sent.from, DEV);
    assert.equal(BigInt(await result('eth_getBalance', [RECIPIENT, 'latest'])), 5n);
    // No signature, so no raw bytes.
    assert.equal(await result('eth_getRawTransactionByHash', [hash]), null);
  });
});

describe('erigon_getHeaderByNumber', () => {
  test('the block\'s header fields without its transactions', async (t) => {
    const { result } = await setup(t);
    const header = await result('erigon_getHeaderByNumber', ['0x1']);
    const block = await result('eth_getBlockByNumber', ['0x1', false]);
    assert.equal(header.hash, block.hash);
    assert.equal(header.transactions, undefined);
    assert.equal(header.timestamp, block.timestamp);
  });
});
