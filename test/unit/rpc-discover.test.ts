// rpc.discover and Filecoin.Discover: an OpenRPC document of the methods the path serves, made from
// the node's own method table, with the fields the OpenRPC spec requires.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setupRpc } from '../helpers/rpc-harness.js';

type Document = { openrpc: string; info: { title: string; version: string }; methods: { name: string; params: { name: string; required: boolean; schema: object }[]; result: { name: string; schema: object } }[] };

describe('rpc.discover', () => {
  test("names every method the path answers, with its params, and the spec's required fields", async (t) => {
    const { app, result, call } = await setupRpc(t);
    const document: Document = await result('rpc.discover');
    assert.deepEqual(await result('Filecoin.Discover'), document);
    assert.equal(document.openrpc, '1.2.6');
    assert.equal(document.info.title, 'fvm-devnet RPC API');
    assert.equal(document.info.version, (await result('Filecoin.Version')).Version);
    const names = document.methods.map((m) => m.name);
    assert.equal(new Set(names).size, names.length, 'each method once');
    for (const name of ['eth_chainId', 'Filecoin.ChainHead', 'Filecoin.EthChainId', 'anvil_mine', 'rpc.discover', 'Filecoin.Discover']) assert.ok(names.includes(name), name);
    // Every name listed is answered (not -32601, whatever else its empty params get; over HTTP a channel
    // method is go-jsonrpc's -32601 `not supported in this mode`), and a name not listed is not.
    for (const name of names) {
      const error = (await call(name, [])).error;
      assert.ok(error?.code !== -32601 || error.message.endsWith('not supported in this mode (no out channel support)'), `${name}: ${error?.message}`);
    }
    assert.equal(names.includes('Filecoin.StateGetReceipt'), false);
    assert.equal((await call('Filecoin.StateGetReceipt', [])).error?.code, -32601);
    const searchMsg = document.methods.find((m) => m.name === 'Filecoin.StateSearchMsg');
    assert.deepEqual(searchMsg?.params.map((p) => [p.name, p.required]), [['tipsetKey', false], ['messageCid', true], ['lookbackLimit', true], ['allowReplaced', true]]);
    assert.deepEqual(searchMsg?.result, { name: 'result', schema: {} });
    // /rpc/v0 lists its own forms: StateGetReceipt, StateSearchMsg of one param.
    const v0: Document = (await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method: 'rpc.discover', params: [] } })).json().result;
    assert.ok(v0.methods.some((m) => m.name === 'Filecoin.StateGetReceipt'));
    assert.deepEqual(v0.methods.find((m) => m.name === 'Filecoin.StateSearchMsg')?.params.map((p) => p.name), ['messageCid']);
  });

  test('--gateway-only lists only what the gateway answers', async (t) => {
    const { result } = await setupRpc(t, { gatewayOnly: true });
    const names = (await result('rpc.discover')).methods.map((m: { name: string }) => m.name);
    assert.ok(names.includes('Filecoin.ChainHead') && names.includes('Filecoin.Discover'));
    assert.equal(names.includes('Filecoin.WalletNew'), false);
  });
});
