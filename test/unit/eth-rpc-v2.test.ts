// Lotus's v2 API on /rpc/v2: ChainGetTipSet, StateGetActor and StateGetID with TipSetSelectors
// (tags, heights below an anchor, keys), the Ethereum methods beside them, and v1's methods not there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { keccak256 } from 'ethers';
import { devWallet, signTx } from '../helpers/dev-wallet.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { setupRpc, type RpcResponse } from '../helpers/rpc-harness.js';

async function setupV2(t: TestContext) {
  // F3 900 epochs behind: with the head at 300, finalized is EC finality's genesis and safe head − 200.
  const rpc = await setupRpc(t, { f3Lag: 900 });
  await rpc.result('anvil_mine', ['0x12c']);
  let id = 0;
  const v2 = async (method: string, params: unknown[]): Promise<RpcResponse> => {
    const res = await rpc.app.inject({ method: 'POST', url: '/rpc/v2', payload: { jsonrpc: '2.0', id: ++id, method, params } });
    assert.equal(res.statusCode, 200);
    return res.json() as RpcResponse;
  };
  return { ...rpc, v2 };
}

describe('/rpc/v2', () => {
  test('ChainGetTipSet: tags, heights below their anchor, and keys', async (t) => {
    const { v2, result } = await setupV2(t);
    const height = async (selector: unknown) => ((await v2('Filecoin.ChainGetTipSet', [selector])).result as { Height: number }).Height;
    assert.equal(await height({ tag: 'latest' }), 300);
    assert.equal(await height({ tag: 'finalized' }), 0);
    assert.equal(await height({ tag: 'safe' }), 100);
    assert.equal(await height({ height: { at: 50, anchor: { tag: 'latest' } } }), 50);
    assert.equal(await height({ height: { at: 80, previous: true, anchor: { tag: 'safe' } } }), 80);
    const seven = (await result('Filecoin.ChainGetTipSetByHeight', [7, null])) as { Cids: unknown[] };
    assert.equal(await height({ key: seven.Cids }), 7);
    // Without an anchor a height is looked up below the finalized tipset (here genesis).
    const tooHigh = await v2('Filecoin.ChainGetTipSet', [{ height: { at: 50 } }]);
    assert.match(tooHigh.error!.message, /looking for tipset with height greater than start point/);
  });

  test('StateGetActor and StateGetID: the actor at the selected tipset, null when there is none', async (t) => {
    const { v2, result } = await setupV2(t);
    const f410 = (await result('Filecoin.EthAddressToFilecoinAddress', [devWallet.address])) as string;
    const actor = (await v2('Filecoin.StateGetActor', [f410, { tag: 'latest' }])).result as { Balance: string; Nonce: number };
    assert.equal(actor.Balance, BigInt(await result('eth_getBalance', [devWallet.address, 'latest']) as string).toString());
    const id = (await v2('Filecoin.StateGetID', [f410, { tag: 'finalized' }])).result as string;
    assert.equal(id, await result('Filecoin.StateLookupID', [f410, null]));
    assert.deepEqual(await v2('Filecoin.StateGetActor', ['t0999999', { tag: 'latest' }]), { jsonrpc: '2.0', id: 3, result: null });
    assert.equal((await v2('Filecoin.StateGetID', ['t0999999', { tag: 'latest' }])).result, null);
  });

  test("the address and message-CID converters of Lotus's v2 gateway answer as v1's", async (t) => {
    const { v2, result, send } = await setupV2(t);
    const txHash = await send({ nonce: 0 });
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [txHash]);
    const f410 = await result('Filecoin.EthAddressToFilecoinAddress', [devWallet.address]);
    for (const [method, params, expected] of [
      ['Filecoin.EthAddressToFilecoinAddress', [devWallet.address], f410],
      ['Filecoin.FilecoinAddressToEthAddress', [f410], devWallet.address.toLowerCase()],
      ['Filecoin.EthGetMessageCidByTransactionHash', [txHash], cid],
      ['Filecoin.EthGetTransactionHashByCid', [cid], txHash],
    ] as const) {
      assert.deepEqual((await v2(method, [...params])).result, expected, method);
    }
  });

  test('a selector that decodes but is not valid: Lotus\'s error, code 1, with its text; one that does not decode: -32602 naming the field', async (t) => {
    const { v2 } = await setupV2(t);
    // chain/types/tipset_selector.go Validate and node/impl/full/chain_v2.go, wrapped by state_v2.go for the state methods.
    for (const [selector, message] of [
      [{}, 'validating selector: exactly one tipset selection criteria must be specified, found: 0'],
      [{ tag: 'latest', key: [] }, 'validating selector: exactly one tipset selection criteria must be specified, found: 2'],
      [{ foo: 1 }, 'validating selector: exactly one tipset selection criteria must be specified, found: 0'],
      [{ tag: 'head' }, 'unknown tipset tag: head'],
      [{ height: { at: -1 } }, 'validating selector: validating tipset height: invalid tipset height: epoch cannot be less than zero'],
      [{ height: { previous: true } }, 'validating selector: validating tipset height: invalid tipset height: at epoch must be specified'],
      [{ height: { at: 1, anchor: { tag: 'latest', key: [] } } }, 'validating selector: validating tipset height: invalid tipset anchor: at most one of key or tag must be specified'],
      [{ height: { at: 1, anchor: { tag: 'head' } } }, 'getting anchor from tipset: unknown tipset tag: head'],
    ] as const) {
      assert.deepEqual((await v2('Filecoin.ChainGetTipSet', [selector])).error, { code: 1, message }, JSON.stringify(selector));
      assert.deepEqual((await v2('Filecoin.StateGetActor', ['t01', selector])).error, { code: 1, message: `getting tipset: ${message}` }, JSON.stringify(selector));
    }
    for (const [selector, field] of [
      [{ tag: 1 }, 'selector.tag'],
      [{ height: 1 }, 'selector.height'],
      [{ height: { at: 1.5 } }, 'selector.height.at'],
      [{ height: { at: 1, previous: 'yes' } }, 'selector.height.previous'],
      [{ height: { at: 1, anchor: 'latest' } }, 'selector.height.anchor'],
      ['latest', 'selector'],
    ] as const) {
      const { error } = await v2('Filecoin.ChainGetTipSet', [selector]);
      assert.equal(error?.code, -32602, JSON.stringify(selector));
      assert.match(error!.message, new RegExp(`'${field.replace(/\./g, '\\.')}'`), JSON.stringify(selector));
    }
  });

  test('an anchor with neither key nor tag is the head, as Lotus reads a zero-valued one; unknown fields are ignored, fields match in any case', async (t) => {
    const { v2, result } = await setupV2(t);
    const head = await result('Filecoin.ChainHead', []);
    const below = (anchor: unknown) => v2('Filecoin.ChainGetTipSet', [{ height: { at: head.Height, anchor } }]);
    assert.equal(((await below({})).result as { Height: number }).Height, head.Height);
    assert.equal(((await below({ height: { at: 1 } })).result as { Height: number }).Height, head.Height);
    assert.equal(((await v2('Filecoin.ChainGetTipSet', [{ tag: 'latest', extra: true }])).result as { Height: number }).Height, head.Height);
    // Go's JSON matches a field's name in any case (review R16).
    assert.equal(((await v2('Filecoin.ChainGetTipSet', [{ Tag: 'latest' }])).result as { Height: number }).Height, head.Height);
    assert.equal(((await v2('Filecoin.ChainGetTipSet', [{ HEIGHT: { At: 7, Anchor: { TAG: 'latest' } } }])).result as { Height: number }).Height, 7);
    assert.equal((await v2('Filecoin.StateGetActor', ['t01', { TAG: 'latest' }])).error, undefined);
  });

  // Lotus's v2 FullNode API (api/v2api/full.go at b835fab70, its OpenRPC document vendored as
  // test/fixtures/lotus-openrpc/v2-full.json.gz) has the Eth*Limited lookups and EthSendRawTransactionUntrusted;
  // its v2 gateway (api/v2api/gateway.go) has neither.
  test("every Filecoin.* method of Lotus's v2 full node is served; EthSendRawTransactionUntrusted sends, not on --gateway-only", async (t) => {
    const { v2, result } = await setupV2(t);
    const lotus = (JSON.parse(gunzipSync(readFileSync(join(REPO_ROOT, 'test/fixtures/lotus-openrpc/v2-full.json.gz'))).toString()) as { methods: { name: string }[] }).methods.map((m) => m.name);
    const served = new Set(((await v2('rpc.discover', [])).result as { methods: { name: string }[] }).methods.map((m) => m.name));
    assert.deepEqual(lotus.filter((name) => name.startsWith('Filecoin.') && !served.has(name)), []);

    const raw = await signTx({ nonce: 0 });
    const sent = await v2('Filecoin.EthSendRawTransactionUntrusted', [raw]);
    assert.equal(sent.result, keccak256(raw));
    assert.equal((await result('eth_getTransactionReceipt', [sent.result])).status, '0x1');
    const limited = await v2('Filecoin.EthGetTransactionReceiptLimited', [sent.result, -1]);
    assert.equal((limited.result as { transactionHash: string }).transactionHash, sent.result);

    const gateway = await setupRpc(t, { gatewayOnly: true });
    const onGateway = await gateway.app.inject({ method: 'POST', url: '/rpc/v2', payload: { jsonrpc: '2.0', id: 1, method: 'Filecoin.EthSendRawTransactionUntrusted', params: [raw] } });
    assert.equal((onGateway.json() as RpcResponse).error?.code, -32601);
  });

  test('the Ethereum methods are there; v1-only Filecoin methods are not; v1 keeps tipset keys', async (t) => {
    const { v2, result } = await setupV2(t);
    assert.equal((await v2('eth_blockNumber', [])).result, '0x12c');
    assert.equal((await v2('Filecoin.EthBlockNumber', [])).result, '0x12c');
    assert.equal((await v2('Filecoin.StateReadState', ['t05', null])).error?.code, -32601);
    assert.equal(((await result('Filecoin.ChainGetTipSet', [null])) as { Height: number }).Height, 300);
  });
});
