// The JSON-RPC answers about null rounds, as Lotus gives them: after anvil_mine of a million epochs the
// chain has genesis and one tipset at 1 000 000. Block methods refuse a null round (code 12), state
// reads take the tipset before it, ChainGetTipSetByHeight the tipset before, AfterHeight the one after.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskedIdAddress } from '../../src/common/address.js';
import { bytesToHex } from '../../src/common/hex.js';
import { installCronProbe, PROBE_ACCOUNT, scheduleProbe } from '../helpers/cron-probe.js';
import { devWallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const MILLION = '0xf4240';
const NULL_ROUND = '0x7a120'; // 500 000

async function afterMillion(t: Parameters<typeof setupRpc>[0]) {
  const rpc = await setupRpc(t);
  const genesis = await rpc.result('eth_getBlockByNumber', ['0x0', false]);
  assert.equal(await rpc.result('anvil_mine', [MILLION]), null);
  return { ...rpc, genesis };
}

describe('null rounds over JSON-RPC', () => {
  test('eth_blockNumber is the head epoch; the new head is a block whose parent is genesis', async (t) => {
    const { result, genesis } = await afterMillion(t);
    assert.equal(await result('eth_blockNumber'), MILLION);
    const head = await result('eth_getBlockByNumber', ['latest', false]);
    assert.equal(head.number, MILLION);
    assert.equal(head.parentHash, genesis.hash);
    assert.deepEqual(await result('eth_getBlockByNumber', [MILLION, false]), head);
    assert.deepEqual(await result('eth_getBlockByHash', [head.hash, false]), head);
  });

  test('block methods refuse a null round with Lotus error 12; a later number is still in the future', async (t) => {
    const { error } = await afterMillion(t);
    const nullRound = { code: 12, message: 'requested epoch was a null round (500000)', data: 500_000 };
    assert.deepEqual(await error('eth_getBlockByNumber', [NULL_ROUND, false]), nullRound);
    assert.deepEqual(await error('eth_getBlockTransactionCountByNumber', [NULL_ROUND]), nullRound);
    assert.deepEqual(await error('eth_getTransactionByBlockNumberAndIndex', [NULL_ROUND, '0x0']), nullRound);
    assert.deepEqual(await error('trace_block', [NULL_ROUND]), nullRound);
    assert.match((await error('eth_getBlockByNumber', ['0xf4241', false])).message, /requested a future epoch/);
  });

  test('state reads at a null round see the tipset before it', async (t) => {
    const rpc = await setupRpc(t);
    const runs = installCronProbe(t);
    const probe = bytesToHex(maskedIdAddress(PROBE_ACCOUNT));
    // Cron work inside the gap changes the probe's balance, but Lotus reads a null round as the
    // state of the tipset before it: the work shows from the next tipset on.
    await scheduleProbe(rpc.devnet, [[400_000, { tag: 'a' }]]);
    await rpc.send({ nonce: 0, to: RECIPIENT, value: 5n });
    const atOne = await rpc.result('eth_getBalance', [probe, '0x1']);
    await rpc.result('anvil_mine', [MILLION]);
    assert.equal(runs.length, 1);
    assert.equal(await rpc.result('eth_getBalance', [probe, NULL_ROUND]), atOne);
    assert.equal(BigInt(await rpc.result('eth_getBalance', [probe, 'latest'])), BigInt(atOne) + 1n);
    assert.equal(await rpc.result('eth_getBalance', [RECIPIENT, NULL_ROUND]), '0x5');
    assert.equal(await rpc.result('eth_getTransactionCount', [devWallet.address, NULL_ROUND]), '0x1');
    assert.equal(await rpc.result('eth_call', [{ to: RECIPIENT }, NULL_ROUND]), '0x');
  });

  test('eth_getLogs, eth_feeHistory and trace_filter cross the gap', async (t) => {
    const { result, send } = await afterMillion(t);
    await send({ nonce: 0, to: RECIPIENT, value: 1n });
    assert.deepEqual(await result('eth_getLogs', [{ fromBlock: '0xf3e58', toBlock: 'latest' }]), []);
    const history = await result('eth_feeHistory', ['0x4', 'latest', []]);
    // Two tipsets after genesis, which Lotus leaves out: the one after the gap and the transfer's.
    assert.equal(history.oldestBlock, '0xf4240');
    assert.equal(history.gasUsedRatio.length, 2);
    const traces = await result('trace_filter', [{ fromBlock: '0xf3e58', toBlock: 'latest' }]);
    assert.equal(traces.length, 1);
    assert.equal(traces[0].blockNumber, 1_000_001);
  });

  test('Filecoin.ChainGetTipSetByHeight gives the tipset before a null round, AfterHeight the one after', async (t) => {
    const { result } = await afterMillion(t);
    const head = await result('Filecoin.ChainHead');
    assert.equal(head.Height, 1_000_000);
    const before = await result('Filecoin.ChainGetTipSetByHeight', [500_000, null]);
    assert.equal(before.Height, 0);
    assert.deepEqual(await result('Filecoin.ChainGetTipSetAfterHeight', [500_000, null]), head);
    assert.deepEqual(await result('Filecoin.ChainGetTipSetByHeight', [1_000_000, null]), head);
    assert.deepEqual(head.Blocks[0].Parents, before.Cids);
    // The head's parent receipts are those of the tipset before the gap.
    assert.deepEqual(await result('Filecoin.ChainGetParentReceipts', [head.Cids[0]]), []);
  });

  test('evm_snapshot and evm_revert across a gap', async (t) => {
    const { result } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    await result('anvil_mine', [MILLION]);
    const atMillion = await result('evm_snapshot');
    await result('anvil_mine', ['0x2']);
    assert.equal(await result('eth_blockNumber'), '0xf4242');
    assert.equal(await result('evm_revert', [atMillion]), true);
    assert.equal(await result('eth_blockNumber'), MILLION);
    assert.equal(await result('evm_revert', [snapshot]), true);
    assert.equal(await result('eth_blockNumber'), '0x0');
    assert.equal((await result('Filecoin.ChainHead')).Height, 0);
    // The chain grows again from genesis, one epoch at a time.
    await result('evm_mine');
    assert.equal((await result('eth_getBlockByNumber', ['0x1', false])).number, '0x1');
  });
});
