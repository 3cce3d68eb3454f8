// The order of several messages in one tipset (audit17 H5, fidaudit3 P6), through the JSON-RPC server
// with automine off: Lotus's block producer takes the senders' chains by gas reward per gas, highest
// first (chain/messagepool/selection.go msgChain.Before), and a block runs and lists its BLS messages
// before the others (chain/consensus/common.go CreateBlockHeader, chain/store/messages.go
// MessagesForTipset); Anvil and Hardhat also run the higher tip first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const FIL = 10n ** 18n;
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const RECIPIENT = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
const hex = (n: bigint) => `0x${n.toString(16)}`;

describe('several messages in one tipset', () => {
  test('run BLS first, then by tip, highest first; a sender\'s nonces in order; ChainGetBlockMessages, the receipts and the Eth indexes agree', async (t) => {
    const { result } = await setupRpc(t);
    const [, low, high] = (await result('eth_accounts')) as string[];
    const bls = await result('Filecoin.WalletNew', ['bls']);
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: bls, Value: (10n * FIL).toString(), Method: 0 }, null]);
    await result('evm_setAutomine', [false]);
    const send = (from: string, tip: bigint, nonce: number) =>
      result('eth_sendTransaction', [{ from, to: RECIPIENT, value: '0x1', nonce: hex(BigInt(nonce)), maxPriorityFeePerGas: hex(tip), maxFeePerGas: hex(10n ** 10n) }]);
    // The low tip first, two nonces of it; then the high one; then a BLS account's send.
    const low0 = await send(low, 1000n, 0);
    const low1 = await send(low, 1000n, 1);
    const high0 = await send(high, 10n ** 9n, 0);
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: bls, To: CLIENT, Value: '1', Method: 0 }, null]);
    const blsHash = await result('Filecoin.EthGetTransactionHashByCid', [pushed.CID]);
    await result('evm_mine');
    const block = await result('eth_getBlockByNumber', ['latest', true]);
    assert.deepEqual(block.transactions.map((tx: { hash: string }) => tx.hash), [blsHash, high0, low0, low1]);
    for (const [i, hash] of [blsHash, high0, low0, low1].entries()) assert.equal((await result('eth_getTransactionReceipt', [hash])).transactionIndex, hex(BigInt(i)));
    // The Filecoin views: the block's message lists (BLS, then secp256k1 and delegated), the tipset's
    // messages and, one tipset later, its receipts, all in the order the messages ran.
    const head = await result('Filecoin.ChainHead');
    const listed = await result('Filecoin.ChainGetBlockMessages', [head.Cids[0]]);
    const cids = listed.Cids.map((c: { '/': string }) => c['/']);
    assert.equal(cids[0], pushed.CID['/']);
    assert.deepEqual((await result('Filecoin.ChainGetMessagesInTipset', [head.Cids])).map((m: { Cid: { '/': string } }) => m.Cid['/']), cids);
    await result('evm_mine');
    const next = await result('Filecoin.ChainHead');
    const parentMessages = await result('Filecoin.ChainGetParentMessages', [next.Cids[0]]);
    assert.deepEqual(parentMessages.map((m: { Cid: { '/': string } }) => m.Cid['/']), cids);
    const receipts = await result('Filecoin.ChainGetParentReceipts', [next.Cids[0]]);
    assert.equal(receipts.length, 4);
    assert.ok(receipts.every((r: { ExitCode: number }) => r.ExitCode === 0));
    // As Anvil's default (foundry anvil TransactionOrder::Fees) names it.
    assert.equal((await result('anvil_nodeInfo')).transactionOrder, 'fees');
  });

  // audit17 H12's re-check: a gas limit given by hand makes the larger total reward, which Lotus
  // takes first at an equal premium per gas (msgChain.Before: gasPerf, then gasReward).
  test('equal tips: the larger gas limit (total reward) first, whatever the arrival order', async (t) => {
    const { result } = await setupRpc(t);
    const [, first, second] = (await result('eth_accounts')) as string[];
    await result('evm_setAutomine', [false]);
    const tx = { to: RECIPIENT, value: '0x1', maxPriorityFeePerGas: '0x3e8', maxFeePerGas: hex(10n ** 10n) };
    const small = await result('eth_sendTransaction', [{ ...tx, from: first, gas: hex(3_000_000n) }]);
    const large = await result('eth_sendTransaction', [{ ...tx, from: second, gas: hex(60_000_000n) }]);
    await result('evm_mine');
    assert.deepEqual((await result('eth_getBlockByNumber', ['latest', false])).transactions, [large, small]);
  });

  test('equal tips keep the order the senders reached the pool in', async (t) => {
    const { result } = await setupRpc(t);
    const [, first, second, third] = (await result('eth_accounts')) as string[];
    await result('evm_setAutomine', [false]);
    const hashes = [];
    for (const from of [second, third, first]) hashes.push(await result('eth_sendTransaction', [{ from, to: RECIPIENT, value: '0x1', maxPriorityFeePerGas: '0x3e8', maxFeePerGas: hex(10n ** 10n) }]));
    await result('evm_mine');
    assert.deepEqual((await result('eth_getBlockByNumber', ['latest', false])).transactions, hashes);
  });
});
