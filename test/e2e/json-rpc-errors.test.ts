// JSON-RPC 2.0 framing and error codes, over raw HTTP (fetch) against the devnet CLI.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ContractFactory, Interface, Wallet, JsonRpcProvider } from 'ethers';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}
interface RpcResponse {
  jsonrpc: string;
  id: number | string | null;
  result?: unknown;
  error?: RpcError;
}

describe('JSON-RPC framing and errors', () => {
  const devnet = useDevnet();
  let artifacts: Record<string, CompiledContract>;

  before(async () => {
    artifacts = await compileFixtures();
  });

  /** POSTs a raw body; JSON-RPC answers are HTTP 200, errors included (docs: DESIGN.md). */
  async function post(body: string): Promise<unknown> {
    const res = await fetch(devnet.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await res.text();
    assert.equal(res.status, 200, `HTTP status for ${body}: ${text}`);
    return JSON.parse(text) as unknown;
  }

  async function call(method: string, params: unknown[], id: number | string = 1): Promise<RpcResponse> {
    const res = (await post(JSON.stringify({ jsonrpc: '2.0', id, method, params }))) as RpcResponse;
    assert.equal(res.jsonrpc, '2.0');
    assert.equal(res.id, id);
    return res;
  }

  function assertError(res: unknown, code: number): RpcError {
    assert.ok(res !== null && typeof res === 'object' && !Array.isArray(res), `expected one response object, got ${JSON.stringify(res)}`);
    const r = res as RpcResponse;
    assert.equal(r.jsonrpc, '2.0');
    assert.ok(r.error, `expected an error, got ${JSON.stringify(r)}`);
    assert.equal(r.error.code, code, JSON.stringify(r.error));
    assert.equal(typeof r.error.message, 'string');
    assert.ok(!('result' in r), 'an error response has no result');
    return r.error;
  }

  test('malformed JSON is -32700 with id null', async () => {
    const res = await post('{"jsonrpc":"2.0","id":1,"method":"eth_chainId",');
    assertError(res, -32700);
    assert.equal((res as RpcResponse).id, null);
  });

  test('an empty batch is one -32600 response', async () => {
    const res = await post('[]');
    assertError(res, -32600);
    assert.equal((res as RpcResponse).id, null);
  });

  test('a non-object request is -32600', async () => {
    assertError(await post('"x"'), -32600);
    assertError(await post('42'), -32600);
  });

  test('an unknown method is -32601 and names the method', async () => {
    const res = await call('eth_noSuchMethod', [], 7);
    const err = assertError(res, -32601);
    assert.match(err.message, /eth_noSuchMethod/);
  });

  test('eth_getBalance with bad params is -32602', async () => {
    const address = DEV_ACCOUNTS[0]!.address;
    assertError(await call('eth_getBalance', [address]), -32602);
    assertError(await call('eth_getBalance', ['0xnot-an-address', 'latest']), -32602);
    assertError(await call('eth_getBalance', ['0x1234', 'latest']), -32602);
    // The same method with good params works.
    const ok = await call('eth_getBalance', [address, 'latest']);
    assert.equal(ok.error, undefined);
    assert.match(ok.result as string, /^0x[0-9a-f]+$/);
  });

  test('a batch of 2 requests gets 2 answers with matching ids', async () => {
    const res = await post(JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] },
    ]));
    assert.ok(Array.isArray(res), `expected an array, got ${JSON.stringify(res)}`);
    assert.equal(res.length, 2);
    const byId = new Map((res as RpcResponse[]).map((r) => [r.id, r]));
    assert.equal(byId.get('a')?.result, '0x' + DEVNET_CHAIN_ID.toString(16));
    assert.match(byId.get(2)?.result as string, /^0x(0|[1-9a-f][0-9a-f]*)$/);
  });

  test('a batch answers each member on its own, errors included', async () => {
    const res = await post(JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'eth_noSuchMethod', params: [] },
    ]));
    assert.ok(Array.isArray(res), `expected an array, got ${JSON.stringify(res)}`);
    assert.equal(res.length, 2);
    const byId = new Map((res as RpcResponse[]).map((r) => [r.id, r]));
    assert.equal(byId.get(1)?.result, '0x' + DEVNET_CHAIN_ID.toString(16));
    assertError(byId.get(2), -32601);
  });

  test('eth_sendRawTransaction with garbage bytes is an error, and the node keeps answering', async () => {
    const res = await call('eth_sendRawTransaction', ['0xdeadbeef']);
    assert.ok(res.error, `expected an error, got ${JSON.stringify(res)}`);
    assert.equal(typeof res.error.code, 'number');
    assert.ok(res.error.message.length > 0);
    assert.ok(!('result' in res));

    const after = await call('eth_blockNumber', []);
    assert.equal(after.error, undefined);
    assert.match(after.result as string, /^0x(0|[1-9a-f][0-9a-f]*)$/);
  });

  test('a revert in eth_call is code 3 with data = the revert bytes', async () => {
    const provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      const wallet = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
      const { abi, bytecode } = artifacts.Counter!;
      const counter = await new ContractFactory(abi, bytecode, wallet).deploy();
      await counter.waitForDeployment();
      const to = await counter.getAddress();
      const iface = new Interface(abi);

      const custom = await call('eth_call', [{ from: wallet.address, to, data: iface.encodeFunctionData('set', [5000n]) }, 'latest']);
      const err = assertError(custom, 3);
      assert.equal(err.data, iface.encodeErrorResult('TooLarge', [5000n, 1000n]));
      // ethers finds revert data only next to a message that mentions "revert".
      assert.match(err.message, /revert/i);

      const reason = await call('eth_call', [{ to, data: iface.encodeFunctionData('fail') }, 'latest']);
      const err2 = assertError(reason, 3);
      assert.equal(err2.data, iface.encodeErrorResult('Error', ['nope']));
      assert.match(err2.message, /nope/);

      const estimate = await call('eth_estimateGas', [{ from: wallet.address, to, data: iface.encodeFunctionData('set', [5000n]) }]);
      assert.equal(assertError(estimate, 3).data, iface.encodeErrorResult('TooLarge', [5000n, 1000n]));
    } finally {
      provider.destroy();
    }
  });
});
