// The CPU-time budget of executions that do not change the chain (--call-timeout, run-budget.ts):
// a loop that would run its 10 000 000 000 gas for tens of seconds is cut with geth's error, leaves
// nothing behind; mined messages, and replays of them for traces, are never cut.
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
    const { call, result, send, devnet } = await setupRpc(t, { callTimeoutMs: 500 }, { txDefaults: CALL });
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
      assert.deepEqual(answer.error, { code: -32000, message: 'execution aborted (timeout = 500ms)' }, `${method} ${JSON.stringify(params)}`);
    }
    assert.deepEqual(await state(), before);
    assert.equal(await result('eth_call', [{ to: contract }, 'latest']), FORTY_TWO);
    assert.equal(typeof (await result('eth_estimateGas', [{ from: ME, to: contract }])), 'string');
    const hash = await send({ nonce: 1, to: contract });
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    assert.equal(devnet.head.epoch, Number(before[0]) + 1);
  });

  test('a mined transaction is never cut, nor its replay for a trace', async (t) => {
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
});
