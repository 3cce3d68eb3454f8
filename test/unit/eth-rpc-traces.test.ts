// debug_traceTransaction, debug_traceCall, debug_traceBlockBy* (geth's struct logger, callTracer,
// prestateTracer) and Lotus's trace_block, trace_replayBlockTransactions, trace_transaction,
// trace_filter, on contracts that call each other, revert, reach the resolve_address and
// call_actor_id precompiles, move value and deploy (test/fixtures/contracts/TraceFixtures.sol).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { AbiCoder, Interface, getCreate2Address, getCreateAddress, keccak256, type InterfaceAbi } from 'ethers';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { bytecodeCid } from '../../src/fevm/actor-state.js';
import { codeCid } from '../../src/fevm/actor.js';
import { METHOD_INVOKE_CONTRACT } from '../../src/fevm/message.js';
import { bytecodeSendGas, eamOwnCreationGas, eamOwnEntryGas, eamOwnReturnGas, exec4ParamsPutGas, OPCODE_CLASSES, resurrectParamsPutGas, SEND_SYSCALL } from '../../src/fevm/actors/evm/evm-gas.js';
import { PLACEHOLDER_INVOCATION } from '../../src/fevm/builtin-method-gas.js';
import { ACTOR_LOOKUP, actorCreatedGas, HOST_CALL, onChainReturn, SEND_TRANSFER_FUNDS } from '../../src/fevm/price-list.js';
import type { DevnetConfig } from '../../src/index.js';
import { CALL, devWallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { compileFixtures } from '../helpers/solc.js';

const DEV = devWallet.address.toLowerCase();
const GAS_LIMIT = 2_000_000_000;
const abi = AbiCoder.defaultAbiCoder();
/** handle_filecoin_method(uint64,uint64,bytes) */
const HANDLE_FILECOIN_METHOD = '0x868e10c4';
const RESOLVE_ADDRESS = '0xfe00000000000000000000000000000000000001';
const CALL_ACTOR_ID = '0xfe00000000000000000000000000000000000005';
const errorString = (reason: string) => '0x08c379a0' + abi.encode(['string'], [reason]).slice(2);

/** A devnet with TraceCallee (nonce 0) and TraceCaller (nonce 1, 1000 attoFIL) deployed by dev account 0. */
async function setupTraces(t: TestContext, overrides: Partial<DevnetConfig> = {}) {
  const contracts = await compileFixtures();
  const rpc = await setupRpc(t, overrides, { txDefaults: { ...CALL, gasLimit: GAS_LIMIT } });
  let nonce = 0;
  const callerIface = new Interface(contracts.TraceCaller.abi as InterfaceAbi);
  const calleeIface = new Interface(contracts.TraceCallee.abi as InterfaceAbi);
  const callee = getCreateAddress({ from: DEV, nonce: 0 }).toLowerCase();
  const caller = getCreateAddress({ from: DEV, nonce: 1 }).toLowerCase();
  const sendTx = (tx: { to: string | null; data: string; value?: bigint }) => rpc.send({ nonce: nonce++, ...tx });
  const deployCallee = await sendTx({ to: null, data: contracts.TraceCallee.bytecode });
  const deployCaller = await sendTx({ to: null, data: contracts.TraceCaller.bytecode + callerIface.encodeDeploy([callee]).slice(2), value: 1000n });
  if (overrides.noMining) await rpc.devnet.mine();
  for (const hash of [deployCallee, deployCaller]) assert.equal((await rpc.result('eth_getTransactionReceipt', [hash])).status, '0x1');
  const devId = rpc.devnet.stateAt(rpc.devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(DEV)))!;
  /** Sends a transaction calling TraceCaller.`fn`; the hash. */
  const callCaller = (fn: string, args: unknown[] = [], value = 0n) => sendTx({ to: caller, data: callerIface.encodeFunctionData(fn, args), value });
  /** everything(7, f0<dev>, RECIPIENT) with 5 attoFIL: CALL, STATICCALL, resolve_address, a transfer. */
  const everything = () => callCaller('everything', [7, bytesToHex(FilAddress.fromId(devId).bytes), RECIPIENT], 5n);
  return { ...rpc, contracts, callerIface, calleeIface, callee, caller, devId, deployCallee, deployCaller, sendTx, callCaller, everything, nonce: () => nonce };
}

/** FevmProbe deployed from the dev account: its address and ABI. */
async function deployProbe(rpc: Awaited<ReturnType<typeof setupTraces>>) {
  const probe = getCreateAddress({ from: DEV, nonce: rpc.nonce() }).toLowerCase();
  await rpc.sendTx({ to: null, data: rpc.contracts.FevmProbe.bytecode });
  return { probe, iface: new Interface(rpc.contracts.FevmProbe.abi as InterfaceAbi) };
}

describe('debug_traceTransaction: struct logs', () => {
  test('the opcodes a transaction ran, gas in FVM units, the result; stack and storage by default, memory on request', async (t) => {
    const { result, everything, calleeIface, devId } = await setupTraces(t);
    const hash = await everything();
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    const trace = await result('debug_traceTransaction', [hash]);
    assert.equal(trace.failed, false);
    assert.equal(trace.gas, Number(receipt.gasUsed));
    // 7*2 + 7 + the dev account's actor ID.
    assert.equal(BigInt(trace.returnValue), 21n + BigInt(devId));
    const ops: string[] = trace.structLogs.map((l: any) => l.op);
    for (const op of ['CALL', 'STATICCALL', 'SSTORE', 'SLOAD', 'LOG1', 'RETURN']) assert.ok(ops.includes(op), `${op} ran`);
    assert.ok(ops.indexOf('CALL') < ops.indexOf('STATICCALL'));
    const depths = new Set(trace.structLogs.map((l: any) => l.depth));
    assert.deepEqual([...depths].sort(), [1, 2]);
    const first = trace.structLogs[0];
    assert.deepEqual(Object.keys(first).sort(), ['depth', 'gas', 'gasCost', 'op', 'pc', 'stack']);
    assert.equal(first.pc, 0);
    assert.equal(trace.structLogs[1].gas, first.gas - first.gasCost, 'gas left falls by each opcode\'s FVM cost');
    assert.equal(first.gasCost, OPCODE_CLASSES.stack, "PUSH1 costs the interpreter's work for a stack opcode");
    // The callee's SSTORE of 7 into slot 0 shows the slot.
    const sstore = trace.structLogs.find((l: any) => l.op === 'SSTORE' && l.depth === 2);
    assert.deepEqual(sstore.storage, { ['0x' + '00'.repeat(32)]: '0x' + '00'.repeat(31) + '07' });
    assert.equal(sstore.stack.at(-1), '0x0');
    assert.equal(sstore.stack.at(-2), '0x7');
    // The callee's input is in its memory once copied there; LOG1 carries Stored's topic.
    const log1 = trace.structLogs.find((l: any) => l.op === 'LOG1');
    assert.equal(log1.stack.at(-3), calleeIface.getEvent('Stored')!.topicHash.replace(/^0x0*/, '0x'));

    const withMemory = await result('debug_traceTransaction', [hash, { enableMemory: true, disableStack: true, disableStorage: true }]);
    assert.ok(withMemory.structLogs.some((l: any) => l.memory?.length > 0));
    assert.ok(withMemory.structLogs.every((l: any) => l.stack === undefined && l.storage === undefined));
    assert.ok(withMemory.structLogs.every((l: any) => (l.memory ?? []).every((w: string) => /^0x[0-9a-f]{64}$/.test(w))));
    const limited = await result('debug_traceTransaction', [hash, { limit: 5 }]);
    assert.equal(limited.structLogs.length, 5);
  });

  test('a revert: failed, the revert data as returnValue, the error on the REVERT', async (t) => {
    const { result, callCaller } = await setupTraces(t);
    const hash = await callCaller('failThrough', [1]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x0');
    const trace = await result('debug_traceTransaction', [hash, {}]);
    assert.equal(trace.failed, true);
    assert.equal(trace.returnValue, errorString('callee says no'));
    const last = trace.structLogs.at(-1);
    assert.equal(last.op, 'REVERT');
    assert.equal(last.depth, 1);
    assert.equal(last.error, 'execution reverted');
    assert.ok(trace.structLogs.some((l: any) => l.op === 'REVERT' && l.depth === 2 && l.error === 'execution reverted'));
  });

  test('a plain transfer runs no code: no struct logs', async (t) => {
    const { result, sendTx } = await setupTraces(t);
    const hash = await sendTx({ to: RECIPIENT, data: '0x', value: 1n });
    const trace = await result('debug_traceTransaction', [hash]);
    assert.deepEqual(trace.structLogs, []);
    assert.equal(trace.failed, false);
  });
});

describe('debug_traceTransaction: callTracer', () => {
  test('nested calls, a precompile by its name, a value transfer, logs', async (t) => {
    const { result, everything, caller, callee, calleeIface, devId } = await setupTraces(t);
    const hash = await everything();
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    const tx = await result('eth_getTransactionByHash', [hash]);
    const root = await result('debug_traceTransaction', [hash, { tracer: 'callTracer', tracerConfig: { withLog: true } }]);
    assert.equal(root.type, 'CALL');
    assert.equal(root.from, DEV);
    assert.equal(root.to, caller);
    assert.equal(root.value, '0x5');
    assert.equal(root.gas, tx.gas);
    assert.equal(root.gasUsed, receipt.gasUsed);
    assert.equal(root.input, tx.input);
    assert.equal(BigInt(root.output), 21n + BigInt(devId));
    assert.equal(root.error, undefined);
    assert.deepEqual(
      root.calls.map((c: any) => [c.type, c.to, c.precompile]),
      [
        ['CALL', callee, undefined],
        ['STATICCALL', callee, undefined],
        ['STATICCALL', RESOLVE_ADDRESS, 'resolve_address'],
        ['CALL', RECIPIENT, undefined],
      ],
    );
    const [store, read, resolve, transfer] = root.calls;
    assert.equal(store.from, caller);
    assert.equal(store.input, calleeIface.encodeFunctionData('store', [7]));
    assert.equal(BigInt(store.output), 14n);
    assert.ok(BigInt(store.gasUsed) > 0n && BigInt(store.gasUsed) < BigInt(store.gas));
    assert.deepEqual(store.logs, [
      { address: callee, topics: [calleeIface.getEvent('Stored')!.topicHash], data: abi.encode(['uint256'], [7]), position: '0x0' },
    ]);
    assert.equal(read.value, undefined, 'geth leaves value out of STATICCALL frames');
    assert.equal(BigInt(read.output), 7n);
    assert.equal(resolve.input, bytesToHex(FilAddress.fromId(devId).bytes));
    assert.equal(BigInt(resolve.output), BigInt(devId));
    assert.equal(transfer.value, '0x5');
    assert.equal(transfer.input, '0x');
    assert.equal(transfer.calls, undefined);

    const top = await result('debug_traceTransaction', [hash, { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } }]);
    assert.equal(top.calls, undefined);
    assert.equal(top.gasUsed, root.gasUsed);
    const noLogs = await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    assert.equal(noLogs.calls[0].logs, undefined);
  });

  test('a revert bubbling up and a caught one: error and revertReason', async (t) => {
    const { result, callCaller, callee, calleeIface } = await setupTraces(t);
    const failed = await result('debug_traceTransaction', [await callCaller('failThrough', [1]), { tracer: 'callTracer' }]);
    assert.equal(failed.error, 'execution reverted');
    assert.equal(failed.revertReason, 'callee says no');
    assert.equal(failed.output, errorString('callee says no'));
    // fail() is pure: Solidity reaches it with STATICCALL.
    assert.equal(failed.calls.length, 1);
    assert.equal(failed.calls[0].type, 'STATICCALL');
    assert.equal(failed.calls[0].to, callee);
    assert.equal(failed.calls[0].error, 'execution reverted');
    assert.equal(failed.calls[0].revertReason, 'callee says no');

    const caught = await result('debug_traceTransaction', [await callCaller('catchFail'), { tracer: 'callTracer' }]);
    assert.equal(caught.error, undefined);
    assert.equal(caught.calls[0].type, 'CALL');
    assert.equal(caught.calls[0].input, calleeIface.encodeFunctionData('fail', [1]));
    assert.equal(caught.calls[0].revertReason, 'callee says no');
  });

  test('call_actor_id into a native account: the send by its Filecoin names, encoded as Lotus encodes native calls', async (t) => {
    const { result, callCaller, caller, devId } = await setupTraces(t);
    const hash = await callCaller('sendToActor', [devId, 3]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    const root = await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    const [precompile] = root.calls;
    assert.equal(precompile.type, 'DELEGATECALL');
    assert.equal(precompile.to, CALL_ACTOR_ID);
    assert.equal(precompile.precompile, 'call_actor_id');
    const [send] = precompile.calls;
    assert.equal(send.type, 'CALL');
    assert.equal(send.from, caller);
    assert.equal(send.to, DEV);
    assert.equal(send.value, '0x3');
    assert.deepEqual(send.filecoin, { address: `t0${devId}`, actor: 'ethaccount', method: 0, exitCode: 0 });
    assert.equal(send.input, HANDLE_FILECOIN_METHOD + abi.encode(['uint64', 'uint64', 'bytes'], [0, 0, '0x']).slice(2));
    assert.equal(send.output, abi.encode(['uint32', 'uint64', 'bytes'], [0, 0, '0x']));
  });

  test('deployments: the transaction and a CREATE inside one, with the deployed code as output', async (t) => {
    const { result, deployCaller, caller, callCaller, contracts } = await setupTraces(t);
    const deployment = await result('debug_traceTransaction', [deployCaller, { tracer: 'callTracer' }]);
    assert.equal(deployment.type, 'CREATE');
    assert.equal(deployment.to, caller);
    assert.equal(deployment.value, '0x3e8');
    assert.equal(deployment.output, await result('eth_getCode', [caller, 'latest']));

    const hash = await callCaller('deployCallee');
    const created = getCreateAddress({ from: caller, nonce: 1 }).toLowerCase();
    const root = await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    assert.equal(root.calls[0].type, 'CREATE');
    assert.equal(root.calls[0].from, caller);
    assert.equal(root.calls[0].to, created);
    assert.equal(root.calls[0].input, contracts.TraceCallee.bytecode);
    assert.equal(root.calls[0].output, contracts.TraceCallee.deployedBytecode);
  });
});

describe('debug_traceTransaction: prestateTracer', () => {
  test('the accounts a transaction touched as they were before it; diffMode shows what changed', async (t) => {
    const { result, everything, caller, callee, devnet } = await setupTraces(t);
    const before = devnet.head.epoch;
    const hash = await everything();
    const at = (n: number) => `0x${n.toString(16)}`;
    const pre = await result('debug_traceTransaction', [hash, { tracer: 'prestateTracer' }]);
    assert.equal(pre[DEV].balance, await result('eth_getBalance', [DEV, at(before)]));
    assert.equal(pre[DEV].nonce, 2);
    assert.equal(pre[caller].balance, '0x3e8');
    assert.equal(pre[caller].code, await result('eth_getCode', [caller, at(before)]));
    assert.equal(pre[caller].nonce, 1);
    assert.deepEqual(pre[callee].storage, { ['0x' + '00'.repeat(32)]: '0x' + '00'.repeat(32) });
    assert.deepEqual(pre[RECIPIENT], { balance: '0x0' });

    const { pre: diffPre, post } = await result('debug_traceTransaction', [hash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }]);
    assert.equal(post[DEV].nonce, 3);
    assert.equal(post[DEV].balance, await result('eth_getBalance', [DEV, at(before + 1)]));
    assert.deepEqual(post[callee], { storage: { ['0x' + '00'.repeat(32)]: '0x' + '00'.repeat(31) + '07' } });
    assert.deepEqual(post[RECIPIENT], { balance: '0x5' });
    assert.equal(diffPre[RECIPIENT], undefined, 'created by the transaction: only in post');
    assert.equal(diffPre[callee].storage, undefined, 'slot 0 was empty');
    assert.equal(diffPre[DEV].nonce, 2);
  });
});

describe('debug_traceCall and debug_traceBlockBy*', () => {
  test('a call traced as eth_call runs it, on the block asked for', async (t) => {
    const { result, error, callCaller, callerIface, caller, callee, devnet } = await setupTraces(t);
    const before = `0x${devnet.head.epoch.toString(16)}`;
    await callCaller('callStore', [9]);
    const call = { from: DEV, to: caller, data: callerIface.encodeFunctionData('read') };
    const root = await result('debug_traceCall', [call, 'latest', { tracer: 'callTracer' }]);
    assert.equal(root.output, await result('eth_call', [call, 'latest']));
    assert.equal(BigInt(root.output), 9n);
    assert.equal(root.calls[0].type, 'STATICCALL');
    assert.equal(root.calls[0].to, callee);
    const earlier = await result('debug_traceCall', [call, before, { tracer: 'callTracer' }]);
    assert.equal(BigInt(earlier.output), 0n);
    const logs = await result('debug_traceCall', [call]);
    assert.equal(logs.failed, false);
    assert.ok(logs.structLogs.some((l: any) => l.op === 'STATICCALL'));
    const pre = await result('debug_traceCall', [call, 'latest', { tracer: 'prestateTracer' }]);
    assert.deepEqual(pre[callee].storage, { ['0x' + '00'.repeat(32)]: '0x' + '00'.repeat(31) + '09' });
    const failing = await result('debug_traceCall', [{ from: DEV, to: caller, data: callerIface.encodeFunctionData('failThrough', [1]) }, 'latest', { tracer: 'callTracer' }]);
    assert.equal(failing.revertReason, 'callee says no');
    assert.equal((await error('debug_traceCall', [call, 'latest', { stateOverrides: {} }])).code, -32602);
  });

  test('every transaction of a block', async (t) => {
    const { result, callCaller, everything, devnet } = await setupTraces(t, { noMining: true });
    const h1 = await callCaller('callStore', [3]);
    const h2 = await everything();
    await devnet.mine();
    const block = await result('eth_getBlockByNumber', ['latest', false]);
    assert.deepEqual(block.transactions, [h1, h2]);
    const byNumber = await result('debug_traceBlockByNumber', ['latest', { tracer: 'callTracer' }]);
    assert.deepEqual(byNumber.map((r: any) => r.txHash), [h1, h2]);
    assert.deepEqual(await result('debug_traceBlockByHash', [block.hash, { tracer: 'callTracer' }]), byNumber);
    assert.deepEqual(byNumber[1].result, await result('debug_traceTransaction', [h2, { tracer: 'callTracer' }]));
  });
});

describe('trace_* in Lotus shape', () => {
  test('trace_transaction: one trace per send, precompiles left out, gas and numbers as Lotus gives them', async (t) => {
    const { result, everything, caller, callee, calleeIface } = await setupTraces(t);
    const hash = await everything();
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    const tx = await result('eth_getTransactionByHash', [hash]);
    const traces = await result('trace_transaction', [hash]);
    assert.deepEqual(
      traces.map((tr: any) => [tr.type, tr.action.callType, tr.action.from, tr.action.to, tr.traceAddress, tr.subtraces]),
      [
        ['call', 'call', DEV, caller, [], 3],
        ['call', 'call', caller, callee, [0], 0],
        ['call', 'staticcall', caller, callee, [1], 0],
        ['call', 'call', caller, RECIPIENT, [2], 0],
      ],
    );
    const [root, store, , transfer] = traces;
    assert.deepEqual(Object.keys(root), ['type', 'subtraces', 'traceAddress', 'action', 'result', 'blockHash', 'blockNumber', 'transactionHash', 'transactionPosition']);
    assert.deepEqual(root.action, { callType: 'call', from: DEV, to: caller, gas: tx.gas, value: '0x5', input: tx.input });
    // Each send's own gas, without the sends under it (Lotus: the frame's SumGas of its GasCharges):
    // the callee's frames made no sends, so theirs is all they used as geth's callTracer counts it;
    // the top-level one is the receipt's less those (resolve_address is no send: its gas stays).
    const geth = await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    const [gethStore, gethRead, , gethTransfer] = geth.calls;
    assert.deepEqual(
      traces.slice(1).map((tr: any) => tr.result.gasUsed),
      [gethStore, gethRead, gethTransfer].map((c: any) => c.gasUsed),
    );
    const sendsGas = [gethStore, gethRead, gethTransfer].reduce((sum: bigint, c: any) => sum + BigInt(c.gasUsed), 0n);
    assert.equal(BigInt(root.result.gasUsed), BigInt(receipt.gasUsed) - sendsGas);
    assert.equal(root.blockNumber, Number(receipt.blockNumber));
    assert.equal(root.blockHash, receipt.blockHash);
    assert.equal(root.transactionHash, hash);
    assert.equal(root.transactionPosition, 0);
    assert.equal(store.action.input, calleeIface.encodeFunctionData('store', [7]));
    assert.equal(BigInt(store.result.output), 14n);
    assert.equal(transfer.action.value, '0x5');
    // The transfer creates RECIPIENT's Placeholder: the send, the actor and its address, the value moved, the placeholder invoked.
    const transferGas = SEND_SYSCALL + actorCreatedGas(true) + SEND_TRANSFER_FUNDS + PLACEHOLDER_INVOCATION;
    assert.deepEqual(transfer.result, { gasUsed: `0x${transferGas.toString(16)}`, output: '0x' });
    assert.deepEqual(await result('trace_block', [receipt.blockNumber]), traces);
    assert.deepEqual(await result('Filecoin.EthTraceBlock', [receipt.blockNumber]), traces);
    assert.deepEqual(await result('Filecoin.EthTraceTransaction', [hash]), traces);
  });

  test('a revert, a call_actor send, a CREATE and a deployment', async (t) => {
    const { result, callCaller, caller, devId, deployCaller } = await setupTraces(t);
    const failed = await result('trace_transaction', [await callCaller('failThrough', [1])]);
    assert.equal(failed[0].error, 'Reverted');
    assert.equal(failed[0].result.output, errorString('callee says no'));
    assert.equal(failed[1].error, 'Reverted');
    assert.equal(failed[1].action.callType, 'staticcall');

    const sendHash = await callCaller('sendToActor', [devId, 3]);
    const send = await result('trace_transaction', [sendHash]);
    assert.equal(send.length, 2);
    // call_actor's send is the contract's own: its gas is left out of the contract's (the precompile's work stays in).
    assert.ok(BigInt(send[1].result.gasUsed) > 0n);
    assert.equal(BigInt(send[0].result.gasUsed), BigInt((await result('eth_getTransactionReceipt', [sendHash])).gasUsed) - BigInt(send[1].result.gasUsed));
    assert.equal(send[0].subtraces, 1);
    assert.deepEqual(send[1].action, {
      callType: 'call',
      from: caller,
      to: DEV,
      gas: send[1].action.gas,
      value: '0x3',
      input: HANDLE_FILECOIN_METHOD + abi.encode(['uint64', 'uint64', 'bytes'], [0, 0, '0x']).slice(2),
    });
    assert.equal(send[1].result.output, abi.encode(['uint32', 'uint64', 'bytes'], [0, 0, '0x']));
    assert.deepEqual(send[1].traceAddress, [0]);

    const created = getCreateAddress({ from: caller, nonce: 1 }).toLowerCase();
    const createHash = await callCaller('deployCallee');
    const create = await result('trace_transaction', [createHash]);
    assert.equal(create[1].type, 'create');
    // The create is the EAM's own frame, a small part of the CREATE's (Init and the constructor are not
    // traced); the caller's is the rest without the CREATE's send.
    const gethCreate = (await result('debug_traceTransaction', [createHash, { tracer: 'callTracer' }])).calls[0];
    assert.ok(BigInt(create[1].result.gasUsed) * 10n < BigInt(gethCreate.gasUsed), `${create[1].result.gasUsed} vs ${gethCreate.gasUsed}`);
    assert.equal(BigInt(create[0].result.gasUsed), BigInt((await result('eth_getTransactionReceipt', [createHash])).gasUsed) - BigInt(gethCreate.gasUsed));
    assert.equal(create[1].action.from, caller);
    assert.deepEqual(Object.keys(create[1].action), ['from', 'gas', 'value', 'init']);
    assert.equal(create[1].result.address, created);
    assert.equal(create[1].result.code, '0xfe');

    const deployment = await result('trace_transaction', [deployCaller]);
    assert.equal(deployment.length, 1);
    assert.equal(deployment[0].type, 'create');
    assert.equal(deployment[0].action.value, '0x3e8');
    assert.equal(deployment[0].result.address, caller);
    assert.equal(deployment[0].result.code, '0xfe');
  });

  // Lotus's create trace is the EAM's frame (node/impl/eth/trace.go traceEthCreate: SumGas of the EAM's
  // own charges; Init's Exec4 and the constructor are not traced): what the constructor does does not
  // move it. Two init codes of one length, one storing three slots, one storing nothing.
  test("a create's gasUsed is the EAM's own charges, whatever the constructor does: a deployment's and a contract's CREATE", async (t) => {
    const { result, sendTx, contracts, nonce, devnet } = await setupTraces(t);
    const stores = '0x600160005560016001556001600255' + '60006000f3';
    const storesNothing = '0x600060005560006001556000600255' + '60006000f3';
    const traced = async (hash: string) => ({
      traces: await result('trace_transaction', [hash]),
      receipt: BigInt((await result('eth_getTransactionReceipt', [hash])).gasUsed),
      geth: await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]),
    });
    const [deployA, deployB] = [await traced(await sendTx({ to: null, data: stores })), await traced(await sendTx({ to: null, data: storesNothing }))];
    assert.ok(deployA.receipt > deployB.receipt + 1_000_000n, `${deployA.receipt} vs ${deployB.receipt}`);
    assert.equal(deployA.traces[0].result.gasUsed, deployB.traces[0].result.gasUsed);
    // The message's own charges and the EAM's: a part of the receipt.
    assert.ok(BigInt(deployA.traces[0].result.gasUsed) * 4n < deployB.receipt, deployA.traces[0].result.gasUsed);
    // trace_block, trace_replayBlockTransactions and trace_filter report the same entry.
    const block = deployA.traces[0].blockNumber;
    const blockHex = `0x${block.toString(16)}`;
    const [fromBlock, replayed, filtered] = [
      await result('trace_block', [blockHex]),
      await result('trace_replayBlockTransactions', [blockHex, ['trace']]),
      await result('trace_filter', [{ fromBlock: blockHex, toBlock: blockHex }]),
    ];
    for (const trace of [fromBlock[0], replayed[0].trace[0], filtered[0]]) assert.deepEqual(trace.result, deployA.traces[0].result);
    // Over a Placeholder (the address funded first), the EAM also asks for its code and type and reads it; Init writes it.
    await result('anvil_setBalance', [getCreateAddress({ from: DEV, nonce: nonce() }), '0x1']);
    const overPlaceholder = await traced(await sendTx({ to: null, data: storesNothing }));
    assert.equal(BigInt(overPlaceholder.traces[0].result.gasUsed) - BigInt(deployB.traces[0].result.gasUsed), BigInt(2 * HOST_CALL + ACTOR_LOOKUP));

    // Onto a self-destructed contract the EAM sends Resurrect instead of Exec4: it looks the contract
    // up and sends it the ConstructorParams, where a new one's Exec4Params go to Init, and reads no Exec4Return.
    const dead = getCreateAddress({ from: DEV, nonce: nonce() + 1 });
    await result('anvil_setCode', [dead, '0x33ff']); // CALLER SELFDESTRUCT
    await sendTx({ to: dead, data: '0x' });
    const resurrected = await traced(await sendTx({ to: null, data: storesNothing }));
    const fresh = await traced(await sendTx({ to: null, data: storesNothing }));
    const idOf = (address: string) => devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(address)))!;
    assert.equal(resurrected.traces[0].result.address, dead.toLowerCase());
    const resurrectPart = ACTOR_LOOKUP + HOST_CALL + resurrectParamsPutGas(20) + eamOwnReturnGas(idOf(dead), false);
    const exec4Part = exec4ParamsPutGas(20) + eamOwnReturnGas(idOf(fresh.traces[0].result.address), true);
    // The EAM's Return, stored on chain in the top frame (ref-fvm on_method_return at depth 1), names no robust address then: 21 bytes fewer.
    assert.equal(BigInt(resurrected.traces[0].result.gasUsed) - BigInt(fresh.traces[0].result.gasUsed), BigInt(resurrectPart - exec4Part - onChainReturn(21)));

    const probe = getCreateAddress({ from: DEV, nonce: nonce() }).toLowerCase();
    await sendTx({ to: null, data: contracts.CreateProbe.bytecode });
    const iface = new Interface(contracts.CreateProbe.abi as InterfaceAbi);
    for (const fn of ['create', 'create2'] as const) {
      const args = (initcode: string) => (fn === 'create' ? [initcode] : [initcode, `0x${'07'.repeat(32)}`]);
      const a = await traced(await sendTx({ to: probe, data: iface.encodeFunctionData(fn, args(stores)) }));
      const b = await traced(await sendTx({ to: probe, data: iface.encodeFunctionData(fn, args(storesNothing)) }));
      assert.deepEqual([a.traces[1].type, a.traces[1].subtraces, b.traces[1].type], ['create', 0, 'create'], fn);
      assert.ok(BigInt(a.geth.calls[0].gasUsed) > BigInt(b.geth.calls[0].gasUsed) + 1_000_000n, fn);
      assert.equal(a.traces[1].result.gasUsed, b.traces[1].result.gasUsed, fn);
      // The EAM's invocation, work, params read and hashes, its send to Init, the Exec4 params it puts, Init's return it reads and its own Return.
      const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(a.traces[1].result.address)))!;
      const eam = eamOwnCreationGas(true, undefined, false) + eamOwnEntryGas(true, fn === 'create2', 20, fn === 'create' ? 1n : 0n) + exec4ParamsPutGas(20) + eamOwnReturnGas(id, true);
      assert.equal(BigInt(a.traces[1].result.gasUsed), BigInt(eam), fn);
    }
  });

  test("G5: a contract's CREATE whose init code reverts is a create trace, 'Reverted' with the revert data and no address", async (t) => {
    const { result, sendTx, contracts, nonce } = await setupTraces(t);
    const probe = getCreateAddress({ from: DEV, nonce: nonce() }).toLowerCase();
    await sendTx({ to: null, data: contracts.CreateProbe.bytecode });
    const iface = new Interface(contracts.CreateProbe.abi as InterfaceAbi);
    // mstore(0, 0xdeadbeef) revert(28, 4)
    const initcode = '0x63deadbeef6000526004601cfd';
    for (const data of [iface.encodeFunctionData('create', [initcode]), iface.encodeFunctionData('create2', [initcode, `0x${'09'.repeat(32)}`])]) {
      const hash = await sendTx({ to: probe, data });
      assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
      const [top, create, ...rest] = await result('trace_transaction', [hash]);
      assert.deepEqual(rest, []);
      assert.equal(top.subtraces, 1);
      assert.deepEqual([create.type, create.error, create.traceAddress, create.action.from, create.action.init], ['create', 'Reverted', [0], probe, initcode]);
      assert.deepEqual(Object.keys(create.result), ['gasUsed', 'code']);
      assert.equal(create.result.code, '0xdeadbeef');
    }
  });

  test('DELEGATECALL, and the sends Lotus drops or fails: a masked ID naming no actor, a read-only call to nothing, a builtin actor', async (t) => {
    const { result, sendTx, contracts, nonce } = await setupTraces(t);
    const probe = getCreateAddress({ from: DEV, nonce: nonce() }).toLowerCase();
    await sendTx({ to: null, data: contracts.FevmProbe.bytecode });
    const counter = getCreateAddress({ from: DEV, nonce: nonce() }).toLowerCase();
    await sendTx({ to: null, data: contracts.Counter.bytecode });
    const probeIface = new Interface(contracts.FevmProbe.abi as InterfaceAbi);
    const counterIface = new Interface(contracts.Counter.abi as InterfaceAbi);
    const viaProbe = async (fn: string, args: unknown[]) => {
      const hash = await sendTx({ to: probe, data: probeIface.encodeFunctionData(fn, args) });
      return { lotus: await result('trace_transaction', [hash]), geth: await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]) };
    };
    const maskedId = (id: number) => '0xff' + '00'.repeat(11) + id.toString(16).padStart(16, '0');

    const delegate = await viaProbe('delegateCallTo', [counter, counterIface.encodeFunctionData('increment')]);
    assert.deepEqual(delegate.lotus[1].action, {
      callType: 'delegatecall',
      from: probe,
      to: counter,
      gas: delegate.lotus[1].action.gas,
      value: '0x0',
      input: counterIface.encodeFunctionData('increment'),
    });
    assert.deepEqual([delegate.geth.calls[0].type, delegate.geth.calls[0].from, delegate.geth.calls[0].to], ['DELEGATECALL', probe, counter]);
    // The delegate call's own gas; the probe's leaves it out, and the GetBytecode sent before it.
    assert.equal(delegate.lotus[1].result.gasUsed, delegate.geth.calls[0].gasUsed);
    assert.equal(BigInt(delegate.lotus[0].result.gasUsed), BigInt(delegate.geth.gasUsed) - BigInt(delegate.geth.calls[0].gasUsed) - BigInt(bytecodeSendGas(false, false)));

    // No send happened: Lotus has no trace; geth's callTracer still shows the EVM's CALL.
    for (const [fn, target] of [
      ['callTo', maskedId(99999)],
      ['staticCallTo', '0x' + '12'.repeat(20)],
    ] as const) {
      const { lotus, geth } = await viaProbe(fn, fn === 'callTo' ? [target, 0, '0x'] : [target, '0x']);
      assert.equal(lotus.length, 1, `${fn}(${target}) has only the top-level trace`);
      assert.equal(lotus[0].subtraces, 0);
      assert.equal(geth.calls[0].to, target);
    }

    // A CALL into the market actor (f05): the actor does not handle InvokeContract (exit 22).
    const builtin = await viaProbe('callTo', [maskedId(5), 0, '0x']);
    assert.equal(builtin.lotus[1].action.to, maskedId(5));
    assert.equal(builtin.lotus[1].error, 'actor error: ErrUnhandledMessage(22)');
    assert.match(builtin.geth.calls[0].error, /exit 22/);
  });

  test("gasUsed per trace is the send's own gas: a call in the middle leaves out the call under it", async (t) => {
    const rpc = await setupTraces(t);
    const { probe, iface } = await deployProbe(rpc);
    // DEV -> probe -> caller.callStore(9) -> callee.store(9)
    const hash = await rpc.sendTx({ to: probe, data: iface.encodeFunctionData('callTo', [rpc.caller, 0, rpc.callerIface.encodeFunctionData('callStore', [9])]) });
    const receipt = await rpc.result('eth_getTransactionReceipt', [hash]);
    assert.equal(receipt.status, '0x1');
    const lotus = await rpc.result('trace_transaction', [hash]);
    assert.deepEqual(lotus.map((tr: any) => tr.traceAddress), [[], [0], [0, 0]]);
    const geth = await rpc.result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    const middle = geth.calls[0];
    const inner = middle.calls[0];
    const gas = (hex: string) => BigInt(hex);
    assert.deepEqual(
      lotus.map((tr: any) => gas(tr.result.gasUsed)),
      [gas(receipt.gasUsed) - gas(middle.gasUsed), gas(middle.gasUsed) - gas(inner.gasUsed), gas(inner.gasUsed)],
    );
  });

  test('trace_replayBlockTransactions and 0-based positions in a block of several transactions', async (t) => {
    const { result, error, callCaller, everything, devnet, callee } = await setupTraces(t, { noMining: true });
    const h1 = await callCaller('callStore', [3]);
    const h2 = await everything();
    await devnet.mine();
    const block = await result('trace_block', ['latest']);
    assert.deepEqual([...new Set(block.map((tr: any) => tr.transactionPosition))], [0, 1]);
    assert.deepEqual(block.filter((tr: any) => tr.transactionPosition === 1).map((tr: any) => tr.transactionHash)[0], h2);
    const replay = await result('trace_replayBlockTransactions', ['latest', ['trace']]);
    assert.deepEqual(
      replay.map((r: any) => [r.transactionHash, r.stateDiff, r.vmTrace, r.trace.length]),
      [
        [h1, null, null, 2],
        [h2, null, null, 4],
      ],
    );
    assert.equal(replay[1].output, replay[1].trace[0].result.output);
    assert.deepEqual(Object.keys(replay[0].trace[0]), ['type', 'subtraces', 'traceAddress', 'action', 'result']);
    // The second transaction is replayed on top of the first: callee's slot 0 held 3 before it.
    const pre = await result('debug_traceTransaction', [h2, { tracer: 'prestateTracer' }]);
    assert.deepEqual(pre[callee].storage, { ['0x' + '00'.repeat(32)]: '0x' + '00'.repeat(31) + '03' });
    for (const types of [['vmTrace'], ['trace', 'stateDiff'], []]) {
      assert.equal((await error('trace_replayBlockTransactions', ['latest', types])).message, "only 'trace' is supported");
    }
  });

  test('trace_filter: block range, from and to addresses, after and count', async (t) => {
    const { result, error, everything, callCaller, caller, callee } = await setupTraces(t);
    await everything();
    await callCaller('callStore', [4]);
    const all = await result('trace_filter', [{ fromBlock: '0x1' }]);
    // Two deployments, then 4 + 2 traces.
    assert.equal(all.length, 8);
    const fromDev = await result('trace_filter', [{ fromBlock: '0x1', toBlock: 'latest', fromAddress: [DEV] }]);
    assert.deepEqual(fromDev.map((tr: any) => tr.traceAddress), [[], [], [], []]);
    const toCallee = await result('trace_filter', [{ fromBlock: '0x1', toAddress: callee }]);
    assert.deepEqual(toCallee.map((tr: any) => [tr.action.from, tr.action.to ?? tr.result.address]), [
      [DEV, callee],
      [caller, callee],
      [caller, callee],
      [caller, callee],
    ]);
    const page = await result('trace_filter', [{ fromBlock: '0x1', after: 2, count: '0x3' }]);
    assert.deepEqual(page, all.slice(2, 5));
    assert.deepEqual(await result('trace_filter', [{ fromBlock: '0x1', after: '2', count: '3' }]), all.slice(2, 5));
    assert.deepEqual(await result('trace_filter', [{ fromBlock: '0x1', count: 0 }]), []);
    assert.deepEqual(await result('trace_filter', [{}]), all.filter((tr: any) => tr.blockNumber === all.at(-1).blockNumber));
    assert.equal((await error('trace_filter', [{ count: 501 }])).message, 'invalid response count, requested 501, maximum supported is 500');
    // Lotus's own parser (node/impl/eth/trace.go): code 1; 'finalized' is no tag there, and a number's "0x" is optional (F5).
    assert.deepEqual(await error('trace_filter', [{ fromBlock: 'earliest' }]), { code: 1, message: 'cannot parse fromBlock: block param "earliest" is not supported' });
    assert.deepEqual(await error('trace_filter', [{ fromBlock: '0x1', toBlock: 'earliest' }]), { code: 1, message: 'cannot parse toBlock: block param "earliest" is not supported' });
    assert.deepEqual(await error('trace_filter', [{ fromBlock: 'finalized' }]), {
      code: 1,
      message: 'cannot parse fromBlock: cannot parse fromBlock: strconv.ParseUint: parsing "finalized": invalid syntax',
    });
    assert.deepEqual(await error('trace_filter', [{ fromBlock: '0x1', toBlock: '0xsoon' }]), {
      code: 1,
      message: 'cannot parse toBlock: cannot parse fromBlock: strconv.ParseUint: parsing "soon": invalid syntax',
    });
    assert.deepEqual(await result('trace_filter', [{ fromBlock: '1' }]), all);
    // 'safe' is 30 epochs below the latest: before epoch 30, genesis.
    assert.deepEqual(await result('trace_filter', [{ fromBlock: 'safe' }]), all);
    assert.equal((await error('trace_filter', [{ fromAddress: ['0x12'] }])).code, -32602);
    assert.match((await error('trace_filter', [{ toBlock: '0x999' }])).message, /cannot get trace for block \d+: requested a future epoch/);
    // Lotus's MaxFilterHeightRange, checked before any block is traced.
    assert.deepEqual(await error('trace_filter', [{ fromBlock: '0x1', toBlock: '0xb42' }]), { code: -32005, message: 'block range exceeds maximum of 2880 (got 2881)' });
    assert.match((await error('trace_filter', [{ fromBlock: '0x1', toBlock: '0xb41' }])).message, /requested a future epoch/);
  });

  test('a native message: handle_filecoin_method input and (exit, codec, data) output, as Lotus shows it', async (t) => {
    const secret = new Uint8Array(32).fill(3);
    const { accountFromPrivateKey } = await import('iso-filecoin/wallet');
    const secp = accountFromPrivateKey(secret, 'SECP256K1', 'testnet');
    const from = FilAddress.parse(secp.address.toString());
    const { result, devId } = await setupTraces(t, { fund: [{ address: from, balance: 10n ** 18n }] });
    await result('Filecoin.WalletImport', [{ Type: 'secp256k1', PrivateKey: Buffer.from(secret).toString('base64') }]);
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: from.toString(), To: `t0${devId}`, Value: '7', Method: 0 }, null]);
    const hash = await result('Filecoin.EthGetTransactionHashByCid', [pushed.CID]);
    const [trace] = await result('trace_transaction', [hash]);
    assert.equal(trace.action.input, HANDLE_FILECOIN_METHOD + abi.encode(['uint64', 'uint64', 'bytes'], [0, 0, '0x']).slice(2));
    assert.equal(trace.result.output, abi.encode(['uint32', 'uint64', 'bytes'], [0, 0, '0x']));
    assert.equal(trace.action.value, '0x7');
    assert.match(trace.action.from, /^0xff0000000000000000000000/);
    assert.equal(trace.action.to, DEV);
    const frame = await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    assert.deepEqual(frame.filecoin, { address: `t0${devId}`, actor: 'ethaccount', method: 0, exitCode: 0 });
  });
});

describe('trace errors', () => {
  test('unknown and pending transactions, future blocks, bad parameters', async (t) => {
    const { error, callCaller, devnet } = await setupTraces(t);
    const unknown = '0x' + '11'.repeat(32);
    assert.match((await error('debug_traceTransaction', [unknown])).message, /transaction 0x1{64} not found/);
    assert.equal((await error('trace_transaction', [unknown])).message, 'transaction not found');
    assert.match((await error('trace_block', ['0x999'])).message, /requested a future epoch/);
    assert.match((await error('debug_traceBlockByNumber', ['0x999'])).message, /requested a future epoch/);
    assert.equal((await error('debug_traceTransaction', ['0x12'])).code, -32602);
    assert.equal((await error('debug_traceTransaction', [unknown, 'callTracer'])).code, -32602);
    const badTracer = await error('debug_traceTransaction', [unknown, { tracer: 'fooTracer' }]);
    assert.equal(badTracer.code, -32602);
    assert.match(badTracer.message, /unsupported tracer "fooTracer"/);
    assert.equal((await error('debug_traceTransaction', [unknown, { tracerConfig: { onlyTopCall: 1 }, tracer: 'callTracer' }])).code, -32602);
    assert.equal((await error('trace_replayBlockTransactions', ['latest', 'trace'])).code, -32602);
    assert.equal((await error('trace_block', [])).code, -32602);

    // In manual mode a sent transaction waits in the pool.
    await devnet.cheats.setMiningMode({ type: 'manual' });
    const hash = await callCaller('callStore', [1]);
    assert.match((await error('debug_traceTransaction', [hash])).message, /is pending/);
    assert.equal((await error('trace_transaction', [hash])).message, 'no trace for pending transactions');
  });
});

describe('tracing leaves the chain alone', () => {
  test('replays change no state, and the miner keeps mining while traces run', async (t) => {
    const { result, everything, callCaller, caller, callee, devnet } = await setupTraces(t);
    const hash = await everything();
    const head = devnet.head.epoch;
    const snapshot = async () => ({
      block: await result('eth_blockNumber'),
      balances: await Promise.all([DEV, caller, callee, RECIPIENT].map((a) => result('eth_getBalance', [a, 'latest']))),
      slot: await result('eth_getStorageAt', [callee, '0x0', 'latest']),
      nonce: await result('eth_getTransactionCount', [DEV, 'latest']),
    });
    const before = await snapshot();
    const traces = [
      result('debug_traceTransaction', [hash]),
      result('debug_traceTransaction', [hash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }]),
      result('trace_block', ['latest']),
      result('trace_filter', [{ fromBlock: '0x1' }]),
      result('debug_traceCall', [{ from: DEV, to: caller, data: '0x' }, 'latest']),
    ];
    assert.deepEqual(await snapshot(), before);
    // A transaction sent while traces are queued is mined once they are done, in the same queue.
    const sent = callCaller('callStore', [11]);
    await Promise.all(traces);
    const receipt = await result('eth_getTransactionReceipt', [await sent]);
    assert.equal(receipt.status, '0x1');
    assert.equal(devnet.head.epoch, head + 1);
    assert.equal(await result('eth_getStorageAt', [callee, '0x0', 'latest']), '0x' + '00'.repeat(31) + '0b');
    // The trace of the first transaction is the same after more blocks.
    assert.deepEqual(await result('trace_transaction', [hash]), await result('trace_transaction', [hash]));
  });

  test('a replayed message ends as it did when mined', async (t) => {
    const { everything, callCaller, devnet } = await setupTraces(t);
    for (const hash of [await everything(), await callCaller('failThrough', [1]), await callCaller('deployCallee')]) {
      const found = devnet.chain.messageByTxHash(hexToBytes(hash))!;
      const [traced] = await devnet.traceTipset(found.tipset, [found.message.index], {});
      assert.equal(traced.exitCode, found.message.receipt.exitCode);
      assert.equal(traced.gasUsed, found.message.receipt.gasUsed);
      assert.deepEqual(traced.returnData, found.message.receipt.returnData);
    }
  });
});

describe('Filecoin.StateReplay: the execution trace Lotus shows', () => {
  const subcallsOf = (trace: any): any[] => trace.Subcalls ?? [];
  const f410 = (eth: string) => FilAddress.fromEthAddress(hexToBytes(eth)).toString('t');
  /** A contract's ID address: how the FVM's trace names a send's sender (filecoin-ffi build_lotus_trace). */
  const idAddress = (devnet: { head: { epoch: number }; stateAt(epoch: number): { lookupId(a: FilAddress): number | undefined } }, eth: string) =>
    `t0${devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(eth)))}`;
  const cborBytes = (hex: string) => Buffer.from(encodeCbor(hexToBytes(hex))).toString('base64');
  const replay = async (rpc: { result: (m: string, p?: unknown[]) => Promise<any> }, hash: string) =>
    (await rpc.result('Filecoin.StateReplay', [null, await rpc.result('Filecoin.EthGetMessageCidByTransactionHash', [hash])])).ExecutionTrace;
  /** An actor as StateGetActor gives it now (before the next message). */
  const actorNow = (rpc: { result: (m: string, p?: unknown[]) => Promise<any> }, address: string) => rpc.result('Filecoin.StateGetActor', [address, null]);
  /** builtin-actors' EMPTY_ARR_CID (ref-fvm shared/src/lib.rs): the state of an actor made but not constructed yet. */
  const EMPTY_ARR_CID = { '/': 'bafy2bzacebc3bt6cedhoyw34drrmjvazhu4oj25er2ebk4u445pzycvq4ta4a' };

  test("a contract's CALL, STATICCALL and value transfer are InvokeContract sends; a precompile call is none", async (t) => {
    const rpc = await setupTraces(t);
    const { everything, callee, caller, calleeIface, devnet } = rpc;
    const [callerBefore, calleeBefore] = [await actorNow(rpc, f410(caller)), await actorNow(rpc, f410(callee))];
    const trace = await replay(rpc, await everything());
    // The message as the FVM's trace names it: its sender by ID, its receiver as the message does.
    assert.deepEqual([trace.Msg.From, trace.Msg.To], [`t0${rpc.devId}`, f410(caller)]);
    const callerId = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(caller)));
    // The invoked actor as it was before the message's 5 attoFIL moved to it (ref-fvm InvokeActor).
    assert.deepEqual(trace.InvokedActor, { Id: callerId, State: callerBefore });
    assert.deepEqual([callerBefore.Code, callerBefore.Balance, callerBefore.DelegatedAddress], [{ '/': codeCid('evm').toString() }, '1000', f410(caller)]);
    const [store, read, transfer, ...rest] = subcallsOf(trace);
    assert.deepEqual(rest, []);
    const calleeId = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(callee)));
    assert.deepEqual(store.Msg, {
      From: idAddress(devnet, caller),
      To: f410(callee),
      Value: '0',
      Method: METHOD_INVOKE_CONTRACT,
      Params: Buffer.from(hexToBytes(calleeIface.encodeFunctionData('store', [7]))).toString('base64'),
      ParamsCodec: 0x55,
      GasLimit: store.Msg.GasLimit,
      ReadOnly: false,
    });
    assert.deepEqual(store.MsgRct, { ExitCode: 0, Return: cborBytes(abi.encode(['uint256'], [14])), ReturnCodec: 0x51 });
    assert.deepEqual(store.InvokedActor, { Id: calleeId, State: calleeBefore });
    assert.equal(store.Subcalls, null);
    assert.deepEqual([read.Msg.To, read.Msg.ReadOnly, read.MsgRct.Return], [f410(callee), true, cborBytes(abi.encode(['uint256'], [7]))]);
    // The transfer to an address with no contract: no params, nothing returned.
    assert.deepEqual([transfer.Msg.To, transfer.Msg.Value, transfer.Msg.Params, transfer.MsgRct], [f410(RECIPIENT), '5', null, { ExitCode: 0, Return: null, ReturnCodec: 0 }]);
    // Its receiver, a Placeholder the send made: invoked empty, the 5 attoFIL not moved yet.
    const recipientId = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(RECIPIENT)));
    assert.deepEqual(transfer.InvokedActor, { Id: recipientId, State: { Code: { '/': codeCid('placeholder').toString() }, Head: EMPTY_ARR_CID, Nonce: 0, Balance: '0', DelegatedAddress: f410(RECIPIENT) } });
  });

  test('a send that fails as a syscall: short of funds it invoked its receiver (InvokedActor, exit 6); to no actor it invoked none (left out, exit 5)', async (t) => {
    const rpc = await setupTraces(t);
    const { callCaller, caller, devId, devnet } = rpc;
    const devBefore = await actorNow(rpc, `t0${devId}`);
    const short = subcallsOf(await replay(rpc, await callCaller('sendToActor', [devId, 10n ** 6n])));
    assert.equal(short.length, 1);
    assert.deepEqual([short[0].Msg.From, short[0].Msg.To, short[0].Msg.Value, short[0].Msg.Method, short[0].MsgRct], [idAddress(devnet, caller), `t0${devId}`, '1000000', 0, { ExitCode: 6, Return: null, ReturnCodec: 0 }]);
    // The dev account as it was invoked: the message's sender, its nonce moved.
    const { Id, State } = short[0].InvokedActor;
    assert.deepEqual([Id, State.Code, State.Nonce, State.DelegatedAddress], [devId, devBefore.Code, devBefore.Nonce + 1, devBefore.DelegatedAddress]);
    const nowhere = subcallsOf(await replay(rpc, await callCaller('sendToActor', [999999, 0])));
    assert.equal(nowhere.length, 1);
    assert.deepEqual([nowhere[0].Msg.To, nowhere[0].MsgRct, 'InvokedActor' in nowhere[0]], ['t0999999', { ExitCode: 5, Return: null, ReturnCodec: 0 }, false]);
  });

  test('a CALL or STATICCALL to no actor is still a send (the EVM walks away): to an ID naming none exit 5, read-only to an address it may not make exit 24', async (t) => {
    const rpc = await setupTraces(t);
    const { sendTx, devnet } = rpc;
    const { probe, iface } = await deployProbe(rpc);
    const maskedId = `0xff${(999999).toString(16).padStart(38, '0')}`;
    const nowhere = `0x${'7a'.repeat(20)}`;
    const sends = [
      ...subcallsOf(await replay(rpc, await sendTx({ to: probe, data: iface.encodeFunctionData('callTo', [maskedId, 0, '0x01']) }))),
      ...subcallsOf(await replay(rpc, await sendTx({ to: probe, data: iface.encodeFunctionData('staticCallTo', [nowhere, '0x']) }))),
    ];
    assert.deepEqual(
      sends.map((s) => [s.Msg.From, s.Msg.To, s.Msg.Method, s.Msg.Params, s.Msg.ReadOnly, s.MsgRct, 'InvokedActor' in s, s.Subcalls]),
      [
        [idAddress(devnet, probe), 't0999999', METHOD_INVOKE_CONTRACT, Buffer.from([1]).toString('base64'), false, { ExitCode: 5, Return: null, ReturnCodec: 0 }, false, null],
        [idAddress(devnet, probe), f410(nowhere), METHOD_INVOKE_CONTRACT, null, true, { ExitCode: 24, Return: null, ReturnCodec: 0 }, false, null],
      ],
    );
  });

  test('call_actor read-only: to an f1 address with no actor a send the FVM refuses to create (exit 24, nothing invoked); with value no send at all', async (t) => {
    const rpc = await setupTraces(t);
    const { sendTx, devnet } = rpc;
    const { probe, iface } = await deployProbe(rpc);
    const unknown = FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(0x5c));
    const READ_ONLY = 1;
    const callActor = (value: bigint) => sendTx({ to: probe, data: iface.encodeFunctionData('callActor', [0, value, READ_ONLY, 0, '0x', unknown.bytes]), value });
    const [refused, ...rest] = subcallsOf(await replay(rpc, await callActor(0n)));
    assert.deepEqual(rest, []);
    assert.deepEqual(
      [refused.Msg.From, refused.Msg.To, refused.Msg.Method, refused.Msg.ReadOnly, refused.MsgRct, 'InvokedActor' in refused],
      [idAddress(devnet, probe), unknown.toString('t'), 0, true, { ExitCode: 24, Return: null, ReturnCodec: 0 }, false],
    );
    // ref-fvm's kernel refuses value in a read-only send before its call_actor: nothing traced.
    assert.equal((await replay(rpc, await callActor(5n))).Subcalls, null);
  });

  test('a DELEGATECALL reads the code contract\'s bytecode CID, then sends InvokeContractDelegate to the caller itself', async (t) => {
    const rpc = await setupTraces(t);
    const { contracts, callee, sendTx, devnet } = rpc;
    const proxy = getCreateAddress({ from: DEV, nonce: rpc.nonce() }).toLowerCase();
    await sendTx({ to: null, data: contracts.DelegateCaller.bytecode });
    const iface = new Interface(contracts.DelegateCaller.abi as InterfaceAbi);
    const [proxyBefore, calleeBefore] = [await actorNow(rpc, f410(proxy)), await actorNow(rpc, f410(callee))];
    const trace = await replay(rpc, await sendTx({ to: proxy, data: iface.encodeFunctionData('storeWith', [callee, 9]) }));
    const [getBytecode, delegate, ...rest] = subcallsOf(trace);
    assert.deepEqual(rest, []);
    const code = devnet.stateAt(devnet.head.epoch).getActor(devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(callee)))!)!;
    const codeCid = bytecodeCid(code.evm!.bytecode);
    assert.deepEqual([getBytecode.Msg.From, getBytecode.Msg.To, getBytecode.Msg.Method, getBytecode.Msg.ReadOnly], [idAddress(devnet, proxy), f410(callee), 3, true]);
    // GetBytecode answers DAG-CBOR (builtin-actors v18 evm/src/lib.rs bytecode: WithCodec<_, DAG_CBOR>).
    assert.deepEqual(getBytecode.MsgRct, { ExitCode: 0, Return: Buffer.from(encodeCbor(codeCid)).toString('base64'), ReturnCodec: 0x71 });
    assert.deepEqual([delegate.Msg.From, delegate.Msg.To, delegate.Msg.Method, delegate.Msg.Value, delegate.Msg.ParamsCodec], [idAddress(devnet, proxy), f410(proxy), 6, '0', 0x71]);
    const input = hexToBytes(new Interface(['function store(uint256)']).encodeFunctionData('store', [9]));
    assert.deepEqual(decodeCbor(Buffer.from(delegate.Msg.Params, 'base64')), [codeCid, input, hexToBytes(DEV), encodeBigInt(0n)]);
    assert.deepEqual(delegate.MsgRct, { ExitCode: 0, Return: cborBytes(abi.encode(['uint256'], [18])), ReturnCodec: 0x51 });
    // GetBytecode invokes the code contract; InvokeContractDelegate the calling contract itself.
    assert.deepEqual([getBytecode.InvokedActor, delegate.InvokedActor], [{ Id: code.id, State: calleeBefore }, { Id: trace.InvokedActor.Id, State: proxyBefore }]);
  });

  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const decoded = <T>(base64: string) => decodeCbor<T>(Buffer.from(base64, 'base64'));

  test("a deployment is the EAM's CreateExternal: it sends Init Exec4, which sends the new contract its Constructor", async (t) => {
    const rpc = await setupTraces(t);
    const { contracts, callerIface, callee, caller, devnet } = rpc;
    const trace = await replay(rpc, rpc.deployCaller);
    const state = devnet.stateAt(devnet.head.epoch);
    const id = state.lookupId(FilAddress.fromEthAddress(hexToBytes(caller)))!;
    const robust = state.getActor(id)!.robust!;
    assert.deepEqual([trace.Msg.To, trace.Msg.Method, trace.InvokedActor], ['t010', 4, { Id: 10, State: await actorNow(rpc, 't010') }]);
    assert.deepEqual(decoded(trace.MsgRct.Return), [id, robust.bytes, hexToBytes(caller)]);
    const [exec4, ...rest] = subcallsOf(trace);
    assert.deepEqual(rest, []);
    const initcode = hexToBytes(contracts.TraceCaller.bytecode + callerIface.encodeDeploy([callee]).slice(2));
    const constructorParams = encodeCbor([hexToBytes(DEV), initcode]);
    const exec4Params = encodeCbor([codeCid('evm'), constructorParams, hexToBytes(caller)]);
    assert.deepEqual(exec4.Msg, { From: 't010', To: 't01', Value: '1000', Method: 3, Params: b64(exec4Params), ParamsCodec: 0x71, GasLimit: exec4.Msg.GasLimit, ReadOnly: false });
    assert.deepEqual(exec4.MsgRct, { ExitCode: 0, Return: b64(encodeCbor([FilAddress.fromId(id).bytes, robust.bytes])), ReturnCodec: 0x71 });
    // Init as it was before it made the contract (its state changed since: compared by its other fields).
    const init = await actorNow(rpc, 't01');
    assert.deepEqual(exec4.InvokedActor.Id, 1);
    assert.deepEqual({ ...exec4.InvokedActor.State, Head: init.Head }, init);
    const [construct, ...more] = subcallsOf(exec4);
    assert.deepEqual(more, []);
    assert.deepEqual(construct.Msg, { From: 't01', To: `t0${id}`, Value: '1000', Method: 1, Params: b64(constructorParams), ParamsCodec: 0x71, GasLimit: construct.Msg.GasLimit, ReadOnly: false });
    // The new contract before its constructor ran and the 1000 attoFIL moved: EVM code, empty state.
    const made = { Code: { '/': codeCid('evm').toString() }, Head: EMPTY_ARR_CID, Nonce: 0, Balance: '0', DelegatedAddress: f410(caller) };
    assert.deepEqual([construct.MsgRct, construct.InvokedActor], [{ ExitCode: 0, Return: null, ReturnCodec: 0 }, { Id: id, State: made }]);
  });

  test("a contract's CREATE is the EAM's Create [initcode, nonce], and CREATE2 its Create2 [initcode, salt], each with Exec4 and Constructor under it", async (t) => {
    const rpc = await setupTraces(t);
    const { contracts, caller, devnet, sendTx } = rpc;
    const created = async (eth: Uint8Array) => devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(eth))!;
    /** The EAM send under `trace`, checked down to the Constructor; its decoded params. */
    const eamSend = async (trace: any, from: string, method: number, initcode: Uint8Array) => {
      const [send, ...rest] = subcallsOf(trace);
      assert.deepEqual(rest, []);
      assert.deepEqual([send.Msg.From, send.Msg.To, send.Msg.Method, send.Msg.ParamsCodec, send.InvokedActor], [idAddress(devnet, from), 't010', method, 0x71, { Id: 10, State: await actorNow(rpc, 't010') }]);
      const [id, robust, eth] = decoded<[number, null, Uint8Array]>(send.MsgRct.Return);
      assert.deepEqual([id, robust], [await created(eth), null]);
      const [exec4] = subcallsOf(send);
      const constructorParams = encodeCbor([hexToBytes(from), initcode]);
      assert.deepEqual([exec4.Msg.From, exec4.Msg.To, exec4.Msg.Method, exec4.Msg.Params], ['t010', 't01', 3, b64(encodeCbor([codeCid('evm'), constructorParams, eth]))]);
      // The devnet gives a contract made by CREATE or CREATE2 no f2 address: Exec4's return is left out.
      assert.equal(exec4.MsgRct.Return, null);
      const [construct] = subcallsOf(exec4);
      const made = { Code: { '/': codeCid('evm').toString() }, Head: EMPTY_ARR_CID, Nonce: 0, Balance: '0', DelegatedAddress: f410(bytesToHex(eth)) };
      assert.deepEqual([construct.Msg.From, construct.Msg.To, construct.Msg.Method, construct.Msg.Params, construct.InvokedActor], ['t01', `t0${id}`, 1, b64(constructorParams), { Id: id, State: made }]);
      return { params: decoded<[Uint8Array, unknown]>(send.Msg.Params), eth: bytesToHex(eth) };
    };

    const create = await eamSend(await replay(rpc, await rpc.callCaller('deployCallee')), caller, 2, hexToBytes(contracts.TraceCallee.bytecode));
    const [initcode, nonce] = create.params as [Uint8Array, number];
    assert.deepEqual(initcode, hexToBytes(contracts.TraceCallee.bytecode));
    assert.equal(create.eth, getCreateAddress({ from: caller, nonce }).toLowerCase());

    const factory = getCreateAddress({ from: DEV, nonce: rpc.nonce() }).toLowerCase();
    await sendTx({ to: null, data: contracts.SaltedFactory.bytecode });
    const salt = `0x${'42'.repeat(32)}`;
    const deploy = new Interface(contracts.SaltedFactory.abi as InterfaceAbi).encodeFunctionData('deploy', [salt]);
    const create2 = await eamSend(await replay(rpc, await sendTx({ to: factory, data: deploy })), factory, 3, hexToBytes(contracts.Counter.bytecode));
    assert.deepEqual(create2.params, [hexToBytes(contracts.Counter.bytecode), hexToBytes(salt)]);
    assert.equal(create2.eth, getCreate2Address(factory, salt, keccak256(contracts.Counter.bytecode)).toLowerCase());
  });

  test("a CREATE over a funded Placeholder: the Constructor invokes the Placeholder turned into the contract, its balance kept (ref-fvm create_actor)", async (t) => {
    const rpc = await setupTraces(t);
    const { caller, sendTx, devnet } = rpc;
    const next = getCreateAddress({ from: caller, nonce: 1 }).toLowerCase();
    await sendTx({ to: next, data: '0x', value: 7n });
    const placeholder = await actorNow(rpc, f410(next));
    assert.equal(placeholder.Code['/'], codeCid('placeholder').toString());
    const trace = await replay(rpc, await rpc.callCaller('deployCallee'));
    const [create] = subcallsOf(trace);
    const [exec4] = subcallsOf(create);
    const [construct] = subcallsOf(exec4);
    const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(next)));
    assert.deepEqual(construct.InvokedActor, { Id: id, State: { ...placeholder, Code: { '/': codeCid('evm').toString() }, Balance: '7' } });
  });

  test("a deployment (CreateExternal) over a funded Placeholder: the Constructor invokes the Placeholder turned into the contract, its balance kept", async (t) => {
    const rpc = await setupTraces(t);
    const { sendTx, devnet } = rpc;
    // The dev account's next deployment goes at the CREATE address of its nonce after this transfer.
    const next = getCreateAddress({ from: DEV, nonce: rpc.nonce() + 1 }).toLowerCase();
    await sendTx({ to: next, data: '0x', value: 9n });
    const placeholder = await actorNow(rpc, f410(next));
    assert.equal(placeholder.Code['/'], codeCid('placeholder').toString());
    const trace = await replay(rpc, await sendTx({ to: null, data: rpc.contracts.TraceCallee.bytecode, value: 2n }));
    assert.equal(trace.Msg.Method, 4);
    const [exec4] = subcallsOf(trace);
    const [construct] = subcallsOf(exec4);
    const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(next)));
    // ref-fvm create_actor keeps the Placeholder's balance and nonce; the deployment's 2 attoFIL have not moved yet.
    assert.deepEqual(construct.InvokedActor, { Id: id, State: { ...placeholder, Code: { '/': codeCid('evm').toString() }, Balance: '9' } });
    assert.equal((await actorNow(rpc, f410(next))).Balance, '11');
  });

  test("G6d: EXTCODESIZE, EXTCODEHASH and EXTCODECOPY of a contract are the EVM actor's read-only GetBytecode / GetBytecodeHash sends", async (t) => {
    const rpc = await setupTraces(t);
    const { callee, devnet, sendTx } = rpc;
    const { probe, iface } = await deployProbe(rpc);
    const codeInfo = await sendTx({ to: probe, data: iface.encodeFunctionData('codeInfo', [callee]) });
    const trace = await replay(rpc, codeInfo);
    const target = devnet.stateAt(devnet.head.epoch).getActor(devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(callee)))!)!;
    const cid = b64(encodeCbor(bytecodeCid(target.evm!.bytecode)));
    const hash = b64(encodeCbor(hexToBytes(keccak256(target.evm!.bytecode))));
    // extcodesize, extcodehash, then `target.code`: extcodesize and extcodecopy.
    assert.deepEqual(
      subcallsOf(trace).map((s) => [s.Msg.From, s.Msg.To, s.Msg.Method, s.Msg.ReadOnly, s.MsgRct, s.InvokedActor.Id]),
      [3, 4, 3, 3].map((method) => [idAddress(devnet, probe), f410(callee), method, true, { ExitCode: 0, Return: method === 3 ? cid : hash, ReturnCodec: method === 3 ? 0x71 : 0x51 }, target.id]),
    );
    // Lotus's trace_transaction drops these sends, and its gasUsed leaves their frames' gas out of the probe's.
    const [top, ...rest] = await rpc.result('trace_transaction', [codeInfo]);
    assert.deepEqual(rest, []);
    const reads = [false, true, false, false].reduce((sum, hashOnly) => sum + bytecodeSendGas(hashOnly, false), 0);
    assert.equal(BigInt(top.result.gasUsed), BigInt((await rpc.result('eth_getTransactionReceipt', [codeInfo])).gasUsed) - BigInt(reads));
  });

  test('G5: a failed creation keeps its sends: EAM, Exec4 and Constructor each exit 33 with the revert data; a collision is a refused Resurrect', async (t) => {
    const rpc = await setupTraces(t);
    const { contracts, devnet, sendTx } = rpc;
    const state = () => devnet.stateAt(devnet.head.epoch);
    const probe = getCreateAddress({ from: DEV, nonce: rpc.nonce() }).toLowerCase();
    await sendTx({ to: null, data: contracts.CreateProbe.bytecode });
    const iface = new Interface(contracts.CreateProbe.abi as InterfaceAbi);
    // mstore(0, 0xdeadbeef) revert(28, 4); and init code deploying 10 bytes of code.
    const reverting = '0x63deadbeef6000526004601cfd';
    const deploying = '0x600a600c600039600a6000f3602a60005260206000f3';
    const reverted = { ExitCode: 33, Return: b64(encodeCbor(hexToBytes('0xdeadbeef'))), ReturnCodec: 0x51 };
    /** The EAM send under `trace` and the sends under it, as [from, to, method, MsgRct] rows. */
    const rows = (trace: any): unknown[] => subcallsOf(trace).flatMap((s) => [[s.Msg.From, s.Msg.To, s.Msg.Method, s.MsgRct], ...rows(s)]);

    // The ID Exec4 gave is given back: the next contract created gets it.
    const id = state().nextId();
    const create = await replay(rpc, await sendTx({ to: probe, data: iface.encodeFunctionData('create', [reverting]) }));
    assert.deepEqual(rows(create), [
      [idAddress(devnet, probe), 't010', 2, reverted],
      ['t010', 't01', 3, reverted],
      ['t01', `t0${id}`, 1, reverted],
    ]);
    assert.equal(state().nextId(), id);

    const salt = `0x${'09'.repeat(32)}`;
    await sendTx({ to: probe, data: iface.encodeFunctionData('create2', [deploying, salt]) });
    const existing = state().lookupId(FilAddress.fromEthAddress(hexToBytes(getCreate2Address(probe, salt, keccak256(deploying)))))!;
    const collision = await replay(rpc, await sendTx({ to: probe, data: iface.encodeFunctionData('create2', [deploying, salt]) }));
    const refused = { ExitCode: 18, Return: null, ReturnCodec: 0 };
    assert.deepEqual(rows(collision), [
      [idAddress(devnet, probe), 't010', 3, refused],
      ['t010', `t0${existing}`, 2, refused],
    ]);

    // A deployment whose init code reverts: CreateExternal, then Exec4 and the Constructor.
    const next = state().nextId();
    const deployment = await replay(rpc, await sendTx({ to: null, data: reverting }));
    assert.deepEqual([deployment.Msg.To, deployment.Msg.Method, deployment.MsgRct.ExitCode], ['t010', 4, 33]);
    assert.deepEqual(rows(deployment), [
      ['t010', 't01', 3, reverted],
      ['t01', `t0${next}`, 1, reverted],
    ]);
  });
});
