// Cold history: tipsets older than the chain's last `hotMessages` messages keep their messages
// encoded and decode them when read. Every read path gives the same answers before and after a
// tipset goes cold: Ethereum transactions, receipts, blocks, logs, traces, Otterscan's ots_*, the
// Filecoin.Chain*/State* message reads; and across evm_revert into cold history and a saved and
// loaded chain.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { Interface, getCreateAddress, type InterfaceAbi } from 'ethers';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { FilAddress } from '../../src/common/address.js';
import { decodeChain } from '../../src/devnet/persistence.js';
import { decodeColdLogged, decodeColdMessages, encodeColdMessages, type MessageToKeepCold } from '../../src/mining/cold-messages.js';
import type { EthTransaction } from '../../src/fevm/eth-tx.js';
import { SigType } from '../../src/fevm/message.js';
import { NO_EVENTS, type MessageReceipt } from '../../src/fevm/types.js';
import { eventsRoot } from '../../src/fevm/events-amt.js';
import { isCold, loggedMessagesOf, type LoggedMessage } from '../../src/mining/tipset.js';
import { fevmSetup } from '../helpers/fevm.js';
import { CALL, devWallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { compileFixtures } from '../helpers/solc.js';

const DEV = devWallet.address.toLowerCase();
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const HOT_MESSAGES = 3;

/**
 * A node that keeps only its last HOT_MESSAGES messages decoded, with a history of every kind of
 * message: deployments, a call that emits events and calls another contract, a failed transaction,
 * a transfer, and a native f1 message, each in a tipset of its own; and fourteen transactions in one tipset.
 */
async function history(t: TestContext) {
  const contracts = await compileFixtures();
  const rpc = await setupRpc(t, { hotMessages: HOT_MESSAGES }, { txDefaults: { ...CALL, gasLimit: 2_000_000_000 } });
  const { result, send, devnet } = rpc;
  let nonce = 0;
  const caller = new Interface(contracts.TraceCaller.abi as InterfaceAbi);
  const callee = getCreateAddress({ from: DEV, nonce: 0 });
  const callerAddress = getCreateAddress({ from: DEV, nonce: 1 });
  const hashes = [
    await send({ nonce: nonce++, to: null, data: contracts.TraceCallee.bytecode }),
    await send({ nonce: nonce++, to: null, data: contracts.TraceCaller.bytecode + caller.encodeDeploy([callee]).slice(2), value: 1000n }),
    await send({ nonce: nonce++, to: callerAddress, data: caller.encodeFunctionData('callStore', [7]) }),
    await send({ nonce: nonce++, to: callerAddress, data: caller.encodeFunctionData('failThrough', [1]) }),
    await send({ nonce: nonce++, to: RECIPIENT, value: 5n }),
  ];
  const native = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
  // Fourteen transactions in one tipset: their encoded messages (over 2 KB) go cold deflated, as do
  // the deployments' (their bytecode); the calls' and the transfer's tipsets of one message as they are.
  await result('evm_setAutomine', [false]);
  hashes.push(await send({ nonce: nonce++, to: callerAddress, data: caller.encodeFunctionData('catchFail', []) }));
  for (let i = 0; i < 13; i++) hashes.push(await send({ nonce: nonce++, to: RECIPIENT, value: 6n + BigInt(i), gasLimit: 10_000_000 }));
  await result('evm_mine', []);
  await result('evm_setAutomine', [true]);
  const nativeHash = await result('Filecoin.EthGetTransactionHashByCid', [native.CID]);
  const last = devnet.head.epoch;
  /** Transfers enough to make every tipset up to `last` cold. */
  const coolDown = async () => {
    for (let i = 0; i < HOT_MESSAGES + 1; i++) await send({ nonce: nonce++, to: RECIPIENT, value: 1n });
    for (let epoch = 1; epoch <= last; epoch++) {
      const tipset = devnet.chain.atEpoch(epoch);
      if (tipset && tipset.messages.length > 0) assert.ok(isCold(tipset), `tipset ${epoch} is cold`);
    }
  };
  return { ...rpc, hashes: [...hashes, nativeHash], native: native.CID, last, coolDown };
}

/** Every read of the history's messages, blocks and logs, by the methods that read tipsets' messages. */
async function readAll(rpc: Awaited<ReturnType<typeof history>>): Promise<Record<string, unknown>> {
  const { result, call, hashes, native, last } = rpc;
  const answers: Record<string, unknown> = {};
  const read = async (method: string, params: unknown[]) => {
    const answer = await call(method, params);
    answers[`${method} ${JSON.stringify(params)}`] = answer.error ?? answer.result;
  };
  for (const hash of hashes) {
    for (const method of ['eth_getTransactionByHash', 'eth_getTransactionReceipt', 'eth_getRawTransactionByHash', 'debug_traceTransaction', 'trace_transaction', 'ots_getTransactionError', 'ots_traceTransaction', 'ots_getInternalOperations']) {
      await read(method, [hash]);
    }
    await read('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    await read('Filecoin.ChainGetMessage', [cid]);
    await read('Filecoin.StateSearchMsg', [null, cid, -1, true]);
    // Each replay's Duration is its own run's (ns): set aside.
    const replay = await result('Filecoin.StateReplay', [null, cid]);
    answers[`Filecoin.StateReplay ${cid['/']}`] = { ...replay, Duration: 0 };
    await read('Filecoin.ChainReadObj', [cid]);
  }
  for (let epoch = 1; epoch <= last; epoch++) {
    const block = `0x${epoch.toString(16)}`;
    for (const full of [false, true]) await read('eth_getBlockByNumber', [block, full]);
    for (const method of ['eth_getBlockReceipts', 'eth_getBlockTransactionCountByNumber', 'trace_block', 'debug_traceBlockByNumber', 'ots_getBlockDetails']) await read(method, [block]);
    await read('eth_getTransactionByBlockNumberAndIndex', [block, '0x0']);
    await read('ots_getBlockTransactions', [epoch, 0, 10]);
    const tipset = await result('Filecoin.ChainGetTipSetByHeight', [epoch, null]);
    await read('Filecoin.ChainGetBlockMessages', [tipset.Cids[0]]);
    await read('Filecoin.ChainGetParentMessages', [tipset.Cids[0]]);
    await read('Filecoin.ChainGetParentReceipts', [tipset.Cids[0]]);
  }
  await read('eth_getLogs', [{ fromBlock: '0x0', toBlock: `0x${last.toString(16)}` }]);
  await read('Filecoin.GetActorEventsRaw', [{ fromHeight: 0, toHeight: last }]);
  await read('ots_searchTransactionsBefore', [DEV, last + 1, 25]);
  // The sender's first five transactions: the history's, not those mined after it.
  await read('ots_searchTransactionsAfter', [DEV, 0, 5]);
  await read('ots_getTransactionBySenderAndNonce', [DEV, 3]);
  await read('Filecoin.StateSearchMsg', [null, native, -1, true]);
  return answers;
}

describe('cold history', () => {
  test("a cold tipset's messages encoded decode to every value they had; events are decoded once, when read", () => {
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    const events = [{ emitter: 1001, entries: [{ flags: 3, key: 't1', codec: 0x55, value: bytes(32, 9) }] }];
    const tx: EthTransaction = { type: 2, hash: bytes(32, 1), chainId: 314159n, nonce: 7, from: bytes(20, 3), to: null, value: 2n ** 70n, input: bytes(40, 5), gasLimit: 9, maxFeePerGas: 100n, maxPriorityFeePerGas: 0n, v: 0n, r: 2n ** 255n + 1n, s: 12345n };
    // A legacy transaction sent for an impersonated sender: no signature, a hash of its own, its chain ID not in v.
    const impersonated: EthTransaction = { ...tx, type: 0, hash: bytes(32, 2), to: bytes(20, 4), input: new Uint8Array(), maxPriorityFeePerGas: 100n, v: 0n, r: 0n, s: 0n };
    const signed = {
      message: { version: 0, to: FilAddress.fromId(100), from: FilAddress.fromId(1001), nonce: 3, value: 1n, gasLimit: 1000, gasFeeCap: 200n, gasPremium: 100n, method: 0, params: new Uint8Array() },
      signature: { type: SigType.Secp256k1, data: bytes(65, 6) },
    };
    const fromTx = (ethTx: EthTransaction, receipt: MessageReceipt): MessageToKeepCold => ({
      ethTx,
      receipt,
      get signed(): never {
        throw new Error("an Ethereum transaction's message is not read");
      },
    });
    const messages: MessageToKeepCold[] = [
      fromTx(tx, { exitCode: 33, returnData: bytes(4, 10), gasUsed: 1234, events }),
      { signed, receipt: { exitCode: 0, returnData: new Uint8Array(), gasUsed: 5, events: NO_EVENTS } },
      fromTx(impersonated, { exitCode: 0, returnData: new Uint8Array(), gasUsed: 2 ** 40, events: NO_EVENTS }),
    ];
    const decoded = decodeColdMessages(encodeColdMessages(messages));
    assert.deepEqual(decoded.map(({ ethTx, native }) => ethTx ?? native), [tx, signed, impersonated]);
    assert.deepEqual(
      decoded.map(({ receipt: { exitCode, returnData, gasUsed, events } }) => ({ exitCode, returnData, gasUsed, events })),
      messages.map(({ receipt }) => receipt),
    );
    assert.equal(decoded[0].receipt.events, decoded[0].receipt.events, 'decoded once');
    assert.equal(decoded[1].receipt.events, NO_EVENTS);
    // Without any events, none to decode.
    assert.equal(decodeColdMessages(encodeColdMessages(messages.slice(1)))[0].receipt.events, NO_EVENTS);
    // What a logs read needs, its messages left encoded: the transactions' hashes (a native message has none) and events.
    assert.deepEqual(decodeColdLogged(encodeColdMessages(messages), (ethTxHash, events) => ({ ethTxHash, events })), [
      { ethTxHash: tx.hash, events },
      { ethTxHash: undefined, events: NO_EVENTS },
      { ethTxHash: impersonated.hash, events: NO_EVENTS },
    ]);
  });

  test('every read path answers a cold tipset as it answered it hot', async (t) => {
    const rpc = await history(t);
    const hot = await readAll(rpc);
    await rpc.coolDown();
    assert.deepEqual(await readAll(rpc), hot);
  });

  test('evm_revert into cold history: the tipsets left answer as before, and the chain goes on from them', async (t) => {
    const rpc = await history(t);
    const { result, devnet, send } = rpc;
    const hot = await readAll(rpc);
    const snapshot = await result('evm_snapshot', []);
    await rpc.coolDown();
    assert.equal(await result('evm_revert', [snapshot]), true);
    assert.equal(devnet.head.epoch, rpc.last);
    assert.deepEqual(await readAll(rpc), hot);
    const nonce = Number(await result('eth_getTransactionCount', [DEV, 'latest']));
    const hash = await send({ nonce, to: RECIPIENT, value: 9n });
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
  });

  test('a chain saved with cold tipsets loads with the same answers', async (t) => {
    const rpc = await history(t);
    await rpc.coolDown();
    const cold = await readAll(rpc);
    const dump = await rpc.result('anvil_dumpState', []);
    const fresh = await setupRpc(t, { hotMessages: HOT_MESSAGES });
    assert.equal(await fresh.result('anvil_loadState', [dump]), true);
    assert.deepEqual(await readAll({ ...rpc, ...fresh }), cold);
  });

  test('a node started from a saved chain, read a tipset at a time and made cold as it comes, answers as the saved one and saves the same bytes', async (t) => {
    const rpc = await history(t);
    await rpc.coolDown();
    const cold = await readAll(rpc);
    const bytes = rpc.devnet.save();
    const saved = decodeChain(bytes, 'the file', { hotMessages: HOT_MESSAGES });
    // Cold before any node takes the chain: the loader's own store made them so as it appended.
    for (let epoch = 1; epoch <= rpc.last; epoch++) {
      const tipset = saved.chain.atEpoch(epoch);
      if (tipset && tipset.messages.length > 0) assert.ok(isCold(tipset), `tipset ${epoch} is cold as loaded`);
    }
    const loaded = await setupRpc(t, { hotMessages: HOT_MESSAGES }, { saved });
    assert.equal(saved.chain.all().length, 0, 'the node took the tipsets');
    assert.deepEqual(await readAll({ ...rpc, ...loaded }), cold);
    assert.deepEqual(loaded.devnet.save(), bytes);
  });

  test("a logs read of a cold tipset not decoded reads its messages' CIDs, hashes, positions and events alone; of one decoded, its decoded messages", async (t) => {
    const rpc = await history(t);
    const { result, send, devnet } = rpc;
    await rpc.coolDown();
    // A revert that drops messages empties the decoded cold tipsets: none is decoded after it.
    const snapshot = await result('evm_snapshot', []);
    await send({ nonce: Number(await result('eth_getTransactionCount', [DEV, 'latest'])), to: RECIPIENT, value: 1n });
    assert.equal(await result('evm_revert', [snapshot]), true);
    const cold = devnet.chain.all().filter((tipset) => isCold(tipset));
    assert.ok(cold.length >= 7);
    const seen = (messages: readonly LoggedMessage[]) => messages.map(({ cid, ethTx, index, receipt }) => ({ cid: cid.toString(), hash: ethTx?.hash, index, events: receipt.events }));
    for (const tipset of cold) {
      const logged = loggedMessagesOf(tipset);
      assert.notEqual(loggedMessagesOf(tipset), logged, 'not decoded: read anew');
      const { messages } = tipset;
      assert.deepEqual(seen(logged), seen(messages));
      assert.equal(loggedMessagesOf(tipset), messages, 'decoded: its decoded messages');
    }
    const all = cold.flatMap((tipset) => tipset.messages);
    assert.ok(all.some((m) => !m.ethTx) && all.some((m) => m.receipt.events.length > 0), 'a native message and events among them');
  });

  test("the chain store reads a receipt's events from its tipset, cold or hot; a dropped receipt's go; a revert empties the decoded tipsets", async (t) => {
    const { sendRaw, devnet, wallet } = await fevmSetup(t, { hotMessages: 1 });
    // Logs its calldata's first word under topic 1: CALLDATALOAD 0, MSTORE 0, LOG1(0, 32, 1), STOP.
    const runtime = '600035600052600160206000a100';
    assert.equal((await sendRaw(null, `0x600e80600b6000396000f3${runtime}`)).exitCode, 0);
    const logger = getCreateAddress({ from: wallet.address, nonce: 0 });
    const word = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
    for (let i = 1; i <= 3; i++) assert.equal((await sendRaw(logger, word(i))).events.length, 1);
    const snapshot = await devnet.cheats.snapshot();
    const dropped = (await sendRaw(logger, word(4))).events;
    await sendRaw(logger, word(5));
    const withEvents = () => devnet.chain.all().flatMap((tipset) => tipset.messages.filter((m) => m.receipt.events.length > 0).map((m) => ({ tipset, index: m.index })));
    const found = withEvents();
    assert.equal(found.length, 5);
    assert.ok(found.filter(({ tipset }) => isCold(tipset)).length >= 3);
    for (const { tipset, index } of found) {
      const { events } = tipset.messages[index].receipt;
      // The very array its tipset gives (decoded once for a cold one): the store holds no copy of its own.
      assert.equal(devnet.chain.eventsOf(eventsRoot(events)!.root), events);
    }
    const coldTipset = found[0].tipset;
    const decodedBefore = coldTipset.messages;
    await devnet.cheats.revert(snapshot);
    assert.equal(withEvents().length, 3);
    assert.notEqual(coldTipset.messages, decodedBefore, 'the revert emptied the decoded cold tipsets');
    assert.deepEqual(coldTipset.messages, decodedBefore);
    // A dropped receipt's events AMT goes with it (audit16 A2); the kept receipts' stay, read from their tipsets.
    assert.equal(devnet.chain.eventsOf(eventsRoot(dropped)!.root), undefined);
    for (const { tipset, index } of withEvents()) assert.deepEqual(devnet.chain.eventsOf(eventsRoot(tipset.messages[index].receipt.events)!.root), tipset.messages[index].receipt.events);
  });
});
