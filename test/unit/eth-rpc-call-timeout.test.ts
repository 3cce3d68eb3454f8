// The CPU-time budget of executions that do not change the chain (--call-timeout, run-budget.ts):
// a loop that would run its 10 000 000 000 gas for ~0.6 s of CPU is cut with geth's error, leaves
// nothing behind; mined messages, and replays of them for traces, are never cut. The budgets are far
// below what the loops take (20 ms for ~0.6 s, 2 ms for a ~60 ms replay; review R12): a machine
// would have to run them more than 15 times faster than this one to finish them uncut.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getCreateAddress } from 'ethers';
import { CALL, devWallet as wallet } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';

/** JUMPDEST PUSH1 0 JUMP: runs until its gas is gone. */
const LOOP = '0x5b600056';
/** Deploys runtime `mstore(0, 42) return(0, 32)`. */
const RETURN_42_INITCODE = '0x600a600c600039600a6000f3602a60005260206000f3';
const FORTY_TWO = '0x' + '00'.repeat(31) + '2a';
const ME = wallet.address.toLowerCase();

describe('--call-timeout', () => {
  test('a loop in eth_call, estimates and traces is cut with geth\'s error; the chain and later calls are as before', async (t) => {
    const { call, result, send, devnet } = await setupRpc(t, { callTimeoutMs: 20 }, { txDefaults: CALL });
    await send({ nonce: 0, to: null, data: RETURN_42_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    const state = async () => [await result('eth_blockNumber'), await result('eth_getBalance', [ME, 'latest']), await result('eth_getTransactionCount', [ME, 'latest'])];
    const before = await state();
    const loop = { from: ME, data: LOOP };
    for (const [method, params] of [
      ['eth_call', [loop, 'latest']],
      ['Filecoin.EthCall', [loop, 'latest']],
      ['eth_estimateGas', [loop]],
      ['Filecoin.EthEstimateGas', [loop]],
      ['debug_traceCall', [loop, 'latest', {}]],
      ['debug_traceCall', [loop, 'latest', { tracer: 'callTracer' }]],
    ] as const) {
      const answer = await call(method, [...params]);
      assert.deepEqual(answer.error, { code: -32000, message: 'execution aborted (timeout = 20ms)' }, `${method} ${JSON.stringify(params)}`);
    }
    assert.deepEqual(await state(), before);
    assert.equal(await result('eth_call', [{ to: contract }, 'latest']), FORTY_TWO);
    assert.equal(typeof (await result('eth_estimateGas', [{ from: ME, to: contract }])), 'string');
    const hash = await send({ nonce: 1, to: contract });
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    assert.equal(devnet.head.epoch, Number(before[0]) + 1);
  });

  test('a mined transaction is never cut, nor by --call-timeout its replay for a trace', async (t) => {
    const { call, result, send } = await setupRpc(t, { callTimeoutMs: 1 }, { txDefaults: CALL });
    assert.equal((await call('eth_call', [{ from: ME, data: LOOP }, 'latest'])).error?.code, -32000);
    // 100 000 000 gas of the loop runs far longer than 1 ms: the message runs out of gas, as on calibnet.
    const hash = await send({ nonce: 0, to: null, data: LOOP });
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    assert.equal(receipt.status, '0x0');
    assert.equal(BigInt(receipt.gasUsed), BigInt(CALL.gasLimit!));
    const trace = await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    assert.equal(BigInt(trace.gasUsed), BigInt(CALL.gasLimit!));
    assert.equal(trace.error, 'out of gas');
    assert.equal((await result('trace_transaction', [hash])).length, 1);
  });

  test('a geth-style trace of a mined transaction is cut at the trace config\'s timeout (geth: 5 s by default) with "execution timeout"; Lotus\'s trace_* is not', async (t) => {
    const { call, result, send } = await setupRpc(t, { callTimeoutMs: 0 }, { txDefaults: CALL });
    const hash = await send({ nonce: 0, to: null, data: LOOP, gasLimit: 1_000_000_000 });
    const block = (await result('eth_getTransactionReceipt', [hash])).blockNumber;
    const cut = { code: -32000, message: 'execution timeout' };
    // The loop's 1 000 000 000 gas (~590 000 iterations) replays for tens of ms, far longer than 2 ms.
    for (const [method, params] of [
      ['debug_traceTransaction', [hash, { tracer: 'callTracer', timeout: '2ms' }]],
      ['debug_traceTransaction', [hash, { timeout: '0.002s' }]],
      ['debug_traceBlockByNumber', [block, { tracer: 'callTracer', timeout: '2ms' }]],
    ] as const) {
      assert.deepEqual((await call(method, [...params])).error, cut, `${method} ${JSON.stringify(params)}`);
    }
    assert.equal((await call('debug_traceTransaction', [hash, { timeout: '5 s' }])).error?.code, -32602);
    // Uncut: the default 5 s is enough here, and trace_transaction (Lotus's) has no timeout.
    assert.equal((await result('debug_traceTransaction', [hash, { tracer: 'callTracer' }])).error, 'out of gas');
    assert.equal((await result('trace_transaction', [hash])).length, 1);
  });
});

