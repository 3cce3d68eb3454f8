// The node's exposure: where it listens by default and the warning for a non-loopback address,
// request body and batch limits (configurable, answered as JSON-RPC errors), and who
// eth_sendTransaction signs for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MNEMONIC, defaultConfig } from '../../src/config.js';
import { exposureWarning, isLoopbackHost } from '../../src/eth-rpc/exposure.js';
import { RECIPIENT } from '../helpers/dev-wallet.js';
import { setupRpc, type RpcResponse } from '../helpers/rpc-harness.js';

const DEV = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';

describe('where the node listens', () => {
  test('the default host is loopback', () => {
    assert.equal(defaultConfig().host, '127.0.0.1');
    assert.equal(exposureWarning(defaultConfig().host, true), undefined);
  });

  test('loopback addresses are told from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '[::]', '192.168.1.10', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
  });

  test('a non-loopback address gets a warning naming it, and the keys when the mnemonic is the default', () => {
    const warning = exposureWarning('0.0.0.0', defaultConfig().mnemonic === DEFAULT_MNEMONIC)!;
    assert.match(warning, /^WARNING: listening on 0\.0\.0\.0/);
    assert.match(warning, /public knowledge/);
    assert.match(warning, /eth_sendTransaction/);
    assert.doesNotMatch(exposureWarning('10.0.0.1', false)!, /public knowledge/);
  });
});

describe('request limits', () => {
  const post = (app: Awaited<ReturnType<typeof setupRpc>>['app'], payload: string) =>
    app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload });

  test('a body over --max-body-size is a -32600 naming the limit, and the node still answers', async (t) => {
    const { app, result } = await setupRpc(t, { maxBodyBytes: 2048 });
    const fits = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [], pad: 'x'.repeat(1900) });
    assert.ok(fits.length <= 2048);
    assert.equal(((await post(app, fits)).json() as RpcResponse).result, '0x0');
    const res = await post(app, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [], pad: 'x'.repeat(2048) }));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'request body too large (max 2048 bytes, --max-body-size)' } });
    assert.equal(await result('eth_blockNumber'), '0x0');
  });

  test('a batch over --max-batch is one -32600; a batch at the limit is answered in full', async (t) => {
    const { app } = await setupRpc(t, { maxBatch: 3 });
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId', params: [] })));
    const atLimit = (await post(app, batch(3))).json() as RpcResponse[];
    assert.deepEqual(atLimit.map((a) => a.result), ['0x1df5e76', '0x1df5e76', '0x1df5e76']);
    assert.deepEqual((await post(app, batch(4))).json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch too large (4 > 3 requests)' } });
  });

  test('the defaults are 16 MiB and 1000 requests', () => {
    assert.equal(defaultConfig().maxBodyBytes, 16 << 20);
    assert.equal(defaultConfig().maxBatch, 1000);
  });
});

describe('who the node signs for', () => {
  test('eth_sendTransaction signs for dev accounts and impersonated addresses only; a refusal changes nothing', async (t) => {
    const { result, error, devnet } = await setupRpc(t);
    const before = devnet.stateVersion;
    const stranger = { from: RECIPIENT, to: DEV, value: '0x1' };
    assert.match((await error('eth_sendTransaction', [stranger])).message, /holds no key/);
    assert.equal(devnet.stateVersion, before);
    assert.equal(await result('eth_blockNumber'), '0x0');
    // Impersonation lets it through, until it stops; the automatic kind likewise.
    await result('anvil_setBalance', [RECIPIENT, '0xde0b6b3a7640000']);
    await result('anvil_impersonateAccount', [RECIPIENT]);
    assert.equal((await result('eth_getTransactionReceipt', [await result('eth_sendTransaction', [stranger])])).status, '0x1');
    await result('anvil_stopImpersonatingAccount', [RECIPIENT]);
    const afterStop = devnet.stateVersion;
    assert.match((await error('eth_sendTransaction', [stranger])).message, /does not impersonate/);
    assert.equal(devnet.stateVersion, afterStop);
    await result('anvil_autoImpersonateAccount', [true]);
    assert.equal((await result('eth_getTransactionReceipt', [await result('eth_sendTransaction', [stranger])])).status, '0x1');
    await result('anvil_autoImpersonateAccount', [false]);
    assert.match((await error('eth_sendTransaction', [stranger])).message, /does not impersonate/);
  });

  test('eth_sign, personal_sign, eth_signTypedData_v4 and eth_signTransaction sign for dev accounts only, and change nothing', async (t) => {
    const { result, error, devnet } = await setupRpc(t);
    const typed = { types: { M: [{ name: 'a', type: 'uint256' }] }, primaryType: 'M', domain: { chainId: 31415926 }, message: { a: 1 } };
    const calls = (from: string): [string, unknown[]][] => [
      ['eth_sign', [from, '0x68690a']],
      ['personal_sign', ['0x68690a', from]],
      ['eth_signTypedData_v4', [from, typed]],
      ['eth_signTransaction', [{ from, to: DEV, value: '0x1' }]],
    ];
    for (const [method, params] of calls(DEV)) assert.match(await result(method, params), /^0x[0-9a-f]+$/, method);
    await result('anvil_impersonateAccount', [RECIPIENT]);
    const before = devnet.stateVersion;
    for (const [method, params] of calls(RECIPIENT)) assert.match((await error(method, params)).message, /impersonated: the node sends for it but holds no key/, method);
    for (const [method, params] of calls('0x' + '12'.repeat(20))) assert.match((await error(method, params)).message, /holds no key/, method);
    assert.equal(devnet.stateVersion, before);
    assert.equal(await result('eth_blockNumber'), '0x0');
  });

  test("Filecoin.WalletSign signs only with the wallet's keys", async (t) => {
    const { error } = await setupRpc(t);
    assert.match((await error('Filecoin.WalletSign', ['t1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y', 'aGk='])).message, /^key not found for t1ick6/);
  });
});
