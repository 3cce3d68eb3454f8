// --gateway-only in-process: the checks and limits of Lotus's gateway (gateway/proxy_eth_v1.go,
// gateway/node.go) on the eth_ methods (and StateWaitMsg's confidence), before the method runs.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { setupRpc } from '../helpers/rpc-harness.js';

const REFUSED = 'lookbacks of more than 24h0m0s are disallowed';
/** A little more than the gateway's 24 hour cap, in seconds. */
const PAST_THE_CAP = 25 * 60 * 60;

const hex = (n: number) => `0x${n.toString(16)}`;

/** A --gateway-only devnet with one transfer mined; its block's number and hash. */
async function gatewayWithTransfer(t: TestContext) {
  const rpc = await setupRpc(t, { gatewayOnly: true });
  const txHash = await rpc.send({ nonce: 0 });
  const receipt = await rpc.result('eth_getTransactionReceipt', [txHash]);
  return { ...rpc, txHash, block: Number(receipt.blockNumber), blockHash: receipt.blockHash as string };
}

describe('--gateway-only: the gateway\'s checks on eth_ methods', () => {
  test('a transaction by block number or hash and index is refused past the 24 hour cap, as the gateway checks the block', async (t) => {
    const { result, error, block, blockHash, txHash } = await gatewayWithTransfer(t);
    assert.equal((await result('eth_getTransactionByBlockNumberAndIndex', [hex(block), '0x0'])).hash, txHash);
    assert.equal((await result('eth_getTransactionByBlockHashAndIndex', [blockHash, '0x0'])).hash, txHash);
    await result('evm_increaseTime', [PAST_THE_CAP]);
    await result('evm_mine');
    assert.equal((await error('eth_getTransactionByBlockNumberAndIndex', [hex(block), '0x0']))?.message, `bad tipset height: ${REFUSED}`);
    assert.equal((await error('eth_getTransactionByBlockHashAndIndex', [blockHash, '0x0']))?.message, `bad tipset: ${REFUSED}`);
    // The head is always within the cap (its empty tipset has no message 0).
    assert.match((await error('eth_getTransactionByBlockNumberAndIndex', ['latest', '0x0']))?.message ?? '', /^index 0 out of range/);
  });

  test('a height is aged by the block delay counted back from the head, not by the timestamp of the tipset there', async (t) => {
    const { result, error, devnet, block, blockHash } = await gatewayWithTransfer(t);
    // One epoch more than 24 hours of block delays, mined 1 s apart: every tipset is under 7 hours old.
    const epochs = (24 * 60 * 60) / devnet.blockDelay + 1;
    await result('anvil_mine', [hex(epochs)]);
    const account = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
    assert.equal((await error('eth_getBalance', [account, hex(block)]))?.message, `bad tipset height: ${REFUSED}`);
    assert.equal((await error('Filecoin.ChainGetTipSetByHeight', [block, null]))?.message, `bad tipset height: ${REFUSED}`);
    // Within the cap by height; and a key is aged by its own tipset's timestamp, as the gateway does.
    const head = Number(await result('eth_blockNumber'));
    await result('eth_getBalance', [account, hex(head - epochs + 2)]);
    await result('eth_getBlockByHash', [blockHash, false]);
  });

  test('eth_feeHistory of more than 128 blocks and a trace_filter over more than 100 epochs are refused with the gateway\'s errors', async (t) => {
    const { result, error } = await setupRpc(t, { gatewayOnly: true });
    await result('anvil_mine', [hex(120)]);
    assert.deepEqual(await error('eth_feeHistory', [hex(129), 'latest', []]), { code: 1, message: 'block count too high' });
    assert.equal((await result('eth_feeHistory', [hex(128), 'latest', []])).baseFeePerGas.length, 121);
    assert.deepEqual(await error('trace_filter', [{ fromBlock: '0x0', toBlock: hex(101) }]), { code: -32005, message: 'block range exceeds maximum of 100 (got 101)' });
    assert.deepEqual(await result('trace_filter', [{ fromBlock: '0x1', toBlock: hex(101) }]), []);
    // Left out, toBlock is latest, as the gateway resolves it: the tipset below the head (119).
    assert.deepEqual(await error('trace_filter', [{ fromBlock: '0x1' }]), { code: -32005, message: 'block range exceeds maximum of 100 (got 118)' });
  });

  test('the gateway\'s 20-epoch message lookback: receipts of an older block are refused, transactions and messages executed earlier are not found', async (t) => {
    const { result, error, call, app, block, txHash } = await gatewayWithTransfer(t);
    const tx = await result('eth_getTransactionByHash', [txHash]);
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [txHash]);
    const v0 = async (method: string, params: unknown[]) => (await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method, params } })).json();
    await result('anvil_mine', [hex(20)]);
    // Executed 20 epochs before the head: still within the lookback.
    assert.equal((await result('eth_getBlockReceipts', [hex(block)])).length, 1);
    assert.equal((await result('eth_getTransactionReceipt', [txHash])).transactionHash, txHash);
    assert.equal((await v0('Filecoin.StateSearchMsg', [cid])).result.Height, block);
    // The gateway caps StateWaitMsg's confidence at 20 (gateway/node.go DefaultMaxMessageConfidence), v0's through v1's.
    const overCap = { code: 1, message: 'confidence 21 exceeds gateway maximum 20' };
    assert.deepEqual(await error('Filecoin.StateWaitMsg', [cid, 21, -1, true]), overCap);
    assert.equal((await v0('Filecoin.StateWaitMsg', [cid, 21])).error.message, overCap.message);
    assert.equal((await result('Filecoin.StateWaitMsg', [cid, 20, -1, true])).Height, block);
    await result('anvil_mine', ['0x1']);
    const key = (await result('Filecoin.ChainGetTipSetByHeight', [block, null])).Cids;
    assert.deepEqual(await error('eth_getBlockReceipts', [hex(block)]), { code: 1, message: `tipset {${key[0]['/']}} is older than the allowed lookback limit` });
    assert.equal(await result('eth_getTransactionReceipt', [txHash]), null);
    assert.equal(await result('eth_getTransactionByHash', [txHash]), null);
    assert.equal((await v0('Filecoin.StateSearchMsg', [cid])).result, null);
    // A block by number or hash still answers within the 24 hour cap.
    assert.equal((await result('eth_getBlockByNumber', [hex(block), true])).transactions[0].hash, tx.hash);
    assert.equal((await call('eth_getTransactionByBlockNumberAndIndex', [hex(block), '0x0'])).result.hash, txHash);
  });
});
