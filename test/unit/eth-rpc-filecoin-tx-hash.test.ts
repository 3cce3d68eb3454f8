// Filecoin.EthGetMessageCidByTransactionHash and Filecoin.EthGetTransactionHashByCid through the
// HTTP layer (lotus-eth-rpc.md §1.1, §3.3).
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Wallet } from 'ethers';
import pino from 'pino';
import { buildServer } from '../../src/eth-rpc/server.js';
import { createDevnet, testConfig, type DevnetConfig } from '../../src/index.js';

const wallet = new Wallet('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');

async function setup(t: TestContext, overrides: Partial<DevnetConfig> = {}) {
  const devnet = await createDevnet(testConfig(overrides));
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }) });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  let id = 0;
  const call = async (method: string, params: unknown[] = []) => {
    const res = await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: ++id, method, params } });
    assert.equal(res.statusCode, 200);
    return res.json() as { result?: any; error?: { code: number; message: string } };
  };
  const result = async (method: string, params: unknown[] = []) => {
    const res = await call(method, params);
    assert.equal(res.error, undefined, `${method} failed: ${JSON.stringify(res.error)}`);
    return res.result;
  };
  const send = async (nonce: number) =>
    result('eth_sendRawTransaction', [
      await wallet.signTransaction({
        type: 2,
        chainId: 31415926n,
        nonce,
        to: '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef',
        value: 1n,
        gasLimit: 10_000_000,
        maxFeePerGas: 10n ** 9n,
        maxPriorityFeePerGas: 200_000n,
      }),
    ]) as Promise<string>;
  return { devnet, call, result, send };
}

describe('transaction hash ⇄ message CID', () => {
  test('a mined transaction: its CID is the signed message CID, and the CID leads back to the hash', async (t) => {
    const { devnet, result, send } = await setup(t);
    const hash = await send(0);
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    const message = devnet.head.messages[0];
    assert.deepEqual(cid, { '/': message.cid.toString() });
    assert.match(cid['/'], /^bafy2bza/);
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [cid]), hash);
  });

  test('a pending transaction is found both ways', async (t) => {
    const { devnet, result, send } = await setup(t, { noMining: true });
    const hash = await send(0);
    const [pending] = devnet.mempool.pending();
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]), { '/': pending.cid.toString() });
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [{ '/': pending.cid.toString() }]), hash);
  });

  test('unknown hashes and CIDs are null; malformed ones are -32602', async (t) => {
    const { call, result, send } = await setup(t);
    await send(0);
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
