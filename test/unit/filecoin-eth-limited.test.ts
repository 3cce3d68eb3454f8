// Lotus's FullNode Eth methods without an eth_ name (api/api_full.go, F22): the lookups with a
// lookback limit and EthSendRawTransactionUntrusted (node/impl/eth/transaction.go, send.go).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keccak256 } from 'ethers';
import { signTx } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';

describe('Filecoin.Eth*Limited', () => {
  test('a transaction mined more than `limit` epochs before the head is not found; -1 is no limit', async (t) => {
    const { result, error, send, devnet } = await setupRpc(t);
    const hash = await send({ nonce: 0 });
    assert.deepEqual(await result('Filecoin.EthGetTransactionByHashLimited', [hash, -1]), await result('eth_getTransactionByHash', [hash]));
    assert.deepEqual(await result('Filecoin.EthGetTransactionReceiptLimited', [hash, 0]), await result('eth_getTransactionReceipt', [hash]));
    await devnet.mine();
    await devnet.mine();
    // Mined at epoch 1, the head at 3 (chain/stmgr/searchwait.go: found unless epoch + limit < head).
    assert.equal((await result('Filecoin.EthGetTransactionByHashLimited', [hash, 2])).hash, hash);
    assert.equal(await result('Filecoin.EthGetTransactionByHashLimited', [hash, 1]), null);
    assert.equal(await result('Filecoin.EthGetTransactionReceiptLimited', [hash, 1]), null);
    assert.equal((await result('Filecoin.EthGetTransactionReceiptLimited', [hash, -1])).transactionHash, hash);
    assert.deepEqual(await result('Filecoin.EthGetBlockReceiptsLimited', ['0x1', 2]), await result('eth_getBlockReceipts', ['0x1']));
    assert.deepEqual(await result('Filecoin.EthGetBlockReceiptsLimited', ['0x1', -1]), await result('eth_getBlockReceipts', ['0x1']));
    const older = await error('Filecoin.EthGetBlockReceiptsLimited', ['0x1', 1]);
    assert.equal(older.code, 1);
    assert.match(older.message, /^tipset \{bafy[a-z2-7]+\} is older than the allowed lookback limit$/);
    assert.equal((await error('Filecoin.EthGetTransactionByHashLimited', [hash, '0x1'])).code, -32602);
  });

  test('EthSendRawTransactionUntrusted sends as eth_sendRawTransaction does, with at most 100 pending per sender', async (t) => {
    // chain/messagepool/messagepool.go: MaxUntrustedActorPendingMessages 100, MaxActorPendingMessages 1000.
    const { result, error } = await setupRpc(t, { noMining: true });
    for (let nonce = 0; nonce < 100; nonce++) {
      const raw = await signTx({ nonce });
      assert.equal(await result('Filecoin.EthSendRawTransactionUntrusted', [raw]), keccak256(raw));
    }
    const next = await signTx({ nonce: 100 });
    assert.deepEqual(await error('Filecoin.EthSendRawTransactionUntrusted', [next]), { code: 1, message: 'failed to add locked: too many pending messages for actor' });
    assert.equal(await result('eth_sendRawTransaction', [next]), keccak256(next));
    await result('evm_mine');
    assert.equal((await result('eth_getTransactionReceipt', [keccak256(next)])).status, '0x1');
  });
});
