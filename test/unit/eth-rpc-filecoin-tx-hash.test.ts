// Filecoin.EthGetMessageCidByTransactionHash and Filecoin.EthGetTransactionHashByCid through the
// HTTP layer (lotus-eth-rpc.md §1.1, §3.3).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { digestOf, setupRpc } from '../helpers/rpc-harness.js';

/** A key the node holds, other than the dev wallet's (Filecoin.MpoolPushMessage signs with it). */
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();

describe('transaction hash ⇄ message CID', () => {
  test('a mined transaction: its CID is the signed message CID, and the CID leads back to the hash', async (t) => {
    const { devnet, result, send } = await setupRpc(t);
    const hash = await send({ nonce: 0 });
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    const message = devnet.head.messages[0];
    assert.deepEqual(cid, { '/': message.cid.toString() });
    assert.match(cid['/'], /^bafy2bza/);
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [cid]), hash);
  });

  test('a pending transaction is found both ways', async (t) => {
    const { devnet, result, send } = await setupRpc(t, { noMining: true });
    const hash = await send({ nonce: 0 });
    const [pending] = devnet.poolContent().pending;
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]), { '/': pending.cid.toString() });
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [{ '/': pending.cid.toString() }]), hash);
  });

  test('a transaction only a dropped tipset holds, its nonce used again on the chain: its hash answers its message CID, as Lotus keeps the hash in its index through a revert; a native message there answers by its CID\'s digest, as Lotus finds it in its blockstore (X12)', async (t) => {
    const { result, send } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    const hash = await send({ nonce: 0, value: 1n });
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    const native = (await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null])).CID;
    assert.equal(await result('evm_revert', [snapshot]), true);
    const other = await send({ nonce: 0, value: 2n });
    assert.notEqual(other, hash);
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]), cid);
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [cid]), hash);
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [digestOf(native)]), native);
  });

  test("by a signed message's unsigned CID (a secp message, an Ethereum transaction), mined or only in a dropped tipset: that CID's digest, and from it that CID, as Lotus answers from its blockstore (X19)", async (t) => {
    const { result, send } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    const tx = await send({ nonce: 0 });
    const signedTx = await result('Filecoin.EthGetMessageCidByTransactionHash', [tx]);
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
    const unsigned = [(await result('Filecoin.ChainGetMessage', [signedTx])).CID, pushed.Message.CID];
    const answers = async () => {
      for (const cid of unsigned) {
        assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [cid]), digestOf(cid));
        assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [digestOf(cid)]), cid);
      }
      // By the signed CID and the transaction hash, as before.
      assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [signedTx]), tx);
      assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [tx]), signedTx);
      assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [pushed.CID]), digestOf(pushed.CID));
    };
    await answers();
    assert.equal(await result('evm_revert', [snapshot]), true);
    await answers();
  });

  test("by a pending or replaced signed message's unsigned CID: ChainGetMessage reads it, the tx-hash methods answer that CID's digest and back, StateWaitMsg waits for it, as Lotus's pool puts both forms in its blockstore at push (review-s54 R98)", async (t) => {
    const { result, send } = await setupRpc(t, { noMining: true });
    const message = { Version: 0, To: 't0100', From: CLIENT, Value: '1', GasLimit: 5_000_000, GasFeeCap: '1000000000', Method: 0, Params: null };
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    // A secp message replaced by fee, its replacement, and an Ethereum transaction: all pending or replaced.
    const replaced = await result('Filecoin.WalletSignMessage', [CLIENT, { ...message, Nonce: nonce, GasPremium: '100000' }]);
    await result('Filecoin.MpoolPush', [replaced]);
    const pushed = await result('Filecoin.WalletSignMessage', [CLIENT, { ...message, Nonce: nonce, GasPremium: '200000' }]);
    await result('Filecoin.MpoolPush', [pushed]);
    const tx = await send({ nonce: 0 });
    const txCid = await result('Filecoin.EthGetMessageCidByTransactionHash', [tx]);
    const txUnsigned = (await result('Filecoin.ChainGetMessage', [txCid])).CID;
    assert.notDeepEqual(txUnsigned, txCid);
    for (const unsigned of [replaced.Message.CID, pushed.Message.CID, txUnsigned]) {
      assert.deepEqual((await result('Filecoin.ChainGetMessage', [unsigned])).CID, unsigned);
      assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [unsigned]), digestOf(unsigned));
      assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [digestOf(unsigned)]), unsigned);
      // Lotus's eth_getTransactionByHash matches the pool's messages by their signed CIDs only.
      assert.equal(await result('eth_getTransactionByHash', [digestOf(unsigned)]), null);
    }
    // Loaded, then found once mined as the message at its nonce (allowReplaced: the signed CID answers).
    const waiting = result('Filecoin.StateWaitMsg', [pushed.Message.CID, 0, -1, true]);
    await result('evm_mine');
    assert.deepEqual((await waiting).Message, pushed.CID);
  });

  test("StateWaitMsg for a pending message by its own CID loads it without walking the pool for an unsigned CID, which that CID never is", async (t) => {
    const { devnet, result } = await setupRpc(t, { noMining: true });
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
    const walks = t.mock.method(devnet, 'pooledByUnsignedCid');
    assert.deepEqual((await result('Filecoin.ChainGetMessage', [pushed.Message.CID])).CID, pushed.Message.CID);
    assert.equal(walks.mock.callCount(), 1, 'by its unsigned CID the pool is walked');
    walks.mock.resetCalls();
    const waiting = result('Filecoin.StateWaitMsg', [pushed.CID, 0, -1, true]);
    await result('evm_mine');
    assert.deepEqual((await waiting).Message, pushed.CID);
    assert.equal(walks.mock.callCount(), 0);
  });

  test('unknown hashes and CIDs are null; malformed ones are -32602', async (t) => {
    const { call, result, send } = await setupRpc(t);
    await send({ nonce: 0 });
    assert.equal(await result('Filecoin.EthGetMessageCidByTransactionHash', ['0x' + '42'.repeat(32)]), null);
    assert.equal(
      await result('Filecoin.EthGetTransactionHashByCid', [{ '/': 'bafy2bzacedjmgm4v7g3hrtmlv6ybbyz7v4vpvw5f5gsouxkbhlnxlw6mkmb7u' }]),
      null,
    );
    assert.equal((await call('Filecoin.EthGetTransactionHashByCid', ['bafy2bzace'])).error?.code, -32602);
    assert.equal((await call('Filecoin.EthGetTransactionHashByCid', [{ '/': 'not a cid' }])).error?.code, -32602);
    assert.equal((await call('Filecoin.EthGetMessageCidByTransactionHash', ['0x1234'])).error?.code, -32602);
  });
});
