// --gateway-only in-process: the checks and limits of Lotus's gateway (gateway/proxy_eth_v1.go,
// gateway/node.go) on the eth_ methods (and StateWaitMsg's confidence), before the method runs, and
// its filters and subscriptions, which are a WebSocket connection's (gateway/handler.go).
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { buildServer } from '../../src/eth-rpc/server.js';
import { createDevnet, startDevnet, testConfig } from '../../src/index.js';
import { rpc } from '../helpers/fork-calls.js';
import { pollUntil } from '../helpers/devnet-process.js';
import { signTx } from '../helpers/dev-wallet.js';
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

  test('/rpc/v2 checks its eth_ methods as /rpc/v1 does and leaves its Filecoin.* selectors unchecked, as Lotus\'s v2 proxy does', async (t) => {
    const { app, result, error, block, blockHash, txHash } = await gatewayWithTransfer(t);
    const v2 = async (method: string, params: unknown[] = []) => {
      const answer = await app.inject({ method: 'POST', url: '/rpc/v2', payload: { jsonrpc: '2.0', id: 1, method, params } });
      return { status: answer.statusCode, ...answer.json() };
    };
    const key = (await v2('Filecoin.ChainGetTipSet', [{ height: { at: block, anchor: { tag: 'latest' } } }])).result.Cids;
    const sender = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
    const f410 = await result('Filecoin.EthAddressToFilecoinAddress', [sender]);
    await result('evm_increaseTime', [PAST_THE_CAP]);
    await result('evm_mine');
    const byHeight = `bad tipset height: ${REFUSED}`;
    assert.equal((await error('eth_getBlockByNumber', [hex(block), false]))?.message, byHeight);
    assert.equal((await v2('eth_getBlockByNumber', [hex(block), false])).error?.message, byHeight);
    assert.equal((await v2('Filecoin.EthGetBlockByNumber', [hex(block), false])).error?.message, byHeight);
    assert.equal((await v2('eth_getBalance', [sender, hex(block)])).error?.message, byHeight);
    assert.equal((await v2('eth_getBlockByHash', [blockHash, false])).error?.message, `bad tipset: ${REFUSED}`);
    // The v2 proxy only rate-limits ChainGetTipSet, StateGetActor and StateGetID: a tipset past the cap answers.
    assert.equal((await v2('Filecoin.ChainGetTipSet', [{ key }])).result.Height, block);
    assert.equal(typeof (await v2('Filecoin.StateGetActor', [f410, { key }])).result.Nonce, 'number');
    assert.match((await v2('Filecoin.StateGetID', [f410, { key }])).result, /^t0\d+$/);
    // The 20-epoch message lookback: 21 epochs after it, the transaction is not found.
    assert.equal((await v2('eth_getTransactionReceipt', [txHash])).result.transactionHash, txHash);
    await result('anvil_mine', [hex(20)]);
    assert.equal((await v2('eth_getTransactionReceipt', [txHash])).result, null);
    assert.equal((await v2('eth_getTransactionByHash', [txHash])).result, null);
    // Filters are a WebSocket connection's, and a method outside the v2 gateway is not found (HTTP 500).
    const stateful = 'EthNewBlockFilter not supported: stateful methods are only available on websocket connections';
    assert.deepEqual((await v2('eth_newBlockFilter')).error, { code: 1, message: stateful });
    assert.deepEqual(await v2('Filecoin.EthSendTransaction', [{}]), { status: 500, jsonrpc: '2.0', id: 1, error: { code: -32601, message: "method 'Filecoin.EthSendTransaction' not found" } });
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

  // review R65: Lotus's gateway loads a block hash's tipset key and the tipset (checkBlkHash, checkTipSetKey), a reorged one from its blockstore.
  test('a tipset a revert dropped is aged as the gateway loads it, by hash and by key: answered within the cap, refused past it', async (t) => {
    const { result, error, send } = await setupRpc(t, { gatewayOnly: true });
    const snapshot = await result('evm_snapshot');
    const txHash = await send({ nonce: 0 });
    const { blockHash } = await result('eth_getTransactionReceipt', [txHash]);
    const key = (await result('Filecoin.ChainHead')).Cids;
    const sender = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
    const paid = await result('eth_getBalance', [sender, 'latest']);
    const f410 = await result('Filecoin.EthAddressToFilecoinAddress', [sender]);
    const sent = await result('Filecoin.StateGetActor', [f410, key]);
    assert.equal(await result('evm_revert', [snapshot]), true);
    assert.equal((await result('eth_getBlockByHash', [blockHash, false])).hash, blockHash);
    // Within the cap a key is the method's: it reads the state kept with the dropped tipset (the
    // sender's nonce 1, the live chain's 0), as by hash.
    assert.deepEqual(await result('Filecoin.StateGetActor', [f410, key]), sent);
    assert.notDeepEqual(await result('Filecoin.StateGetActor', [f410, null]), sent);
    assert.notEqual(await result('eth_getBalance', [sender, 'latest']), paid);
    assert.equal(await result('eth_getBalance', [sender, { blockHash }]), paid);
    await result('evm_increaseTime', [PAST_THE_CAP]);
    await result('evm_mine');
    for (const [method, params] of [
      ['eth_getBlockByHash', [blockHash, false]],
      ['eth_getTransactionByBlockHashAndIndex', [blockHash, '0x0']],
      ['eth_getLogs', [{ blockHash }]],
      ['eth_getBalance', [sender, { blockHash }]],
      ['Filecoin.StateGetActor', ['t01', key]],
      ['Filecoin.ChainGetTipSetByHeight', [0, key]],
    ] as const) {
      assert.equal((await error(method, [...params]))?.message, `bad tipset: ${REFUSED}`, method);
    }
    // The gateway does not check ChainGetTipSet's key.
    assert.deepEqual((await result('Filecoin.ChainGetTipSet', [key])).Cids, key);
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
    // v0's own forms, which Lotus's gateway runs through its v1 search: within the lookback too.
    const receipt = (await v0('Filecoin.StateSearchMsg', [cid])).result.Receipt;
    assert.deepEqual((await v0('Filecoin.StateGetReceipt', [cid, null])).result, receipt);
    assert.equal((await v0('Filecoin.StateSearchMsgLimited', [cid, -1])).result.Height, block);
    assert.equal((await v0('Filecoin.StateWaitMsgLimited', [cid, 0, -1])).result.Height, block);
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
    assert.equal((await v0('Filecoin.StateSearchMsgLimited', [cid, -1])).result, null);
    assert.equal((await v0('Filecoin.StateSearchMsgLimited', [cid, 100])).result, null);
    assert.equal((await v0('Filecoin.StateGetReceipt', [cid, null])).result, null);
    // Counted from the tipset searched from, as the gateway's v1 StateSearchMsg counts it.
    const after = (await result('Filecoin.ChainGetTipSetByHeight', [block + 1, null])).Cids;
    assert.deepEqual((await v0('Filecoin.StateGetReceipt', [cid, after])).result, receipt);
    assert.equal((await v0('Filecoin.StateWaitMsgLimited', [cid, 21, -1])).error.message, overCap.message);
    // A block by number or hash still answers within the 24 hour cap.
    assert.equal((await result('eth_getBlockByNumber', [hex(block), true])).transactions[0].hash, tx.hash);
    assert.equal((await call('eth_getTransactionByBlockNumberAndIndex', [hex(block), '0x0'])).result.hash, txHash);
  });
});

/** A --gateway-only node listening on loopback, with at most `maxFilters` polling filters, and a way to open WebSocket connections to it. */
async function gatewayOnSockets(t: TestContext, maxFilters: number) {
  const devnet = await createDevnet(testConfig({ gatewayOnly: true }));
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }), gatewayOnly: true, maxFilters });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  const { port } = app.server.address() as { port: number };
  const connect = async (path = '/rpc/v1') => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    t.after(() => socket.close());
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    let id = 0;
    const call = (method: string, params: unknown[] = []) =>
      new Promise<{ result?: any; error?: { code: number; message: string } }>((resolve) => {
        const mine = ++id;
        const onMessage = (raw: Buffer) => {
          const answer = JSON.parse(String(raw));
          if (answer.id !== mine) return;
          socket.off('message', onMessage);
          resolve(answer);
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: mine, method, params }));
      });
    const closed = () => new Promise((resolve) => socket.once('close', resolve).close());
    return { call, closed };
  };
  const http = async (method: string, params: unknown[] = []) => (await app.inject({ method: 'POST', url: '/rpc/v1', payload: { jsonrpc: '2.0', id: 1, method, params } })).json();
  return { devnet, connect, http };
}

describe('--gateway-only: polling filters and subscriptions are a WebSocket connection\'s, as the gateway keeps them', () => {
  test('over HTTP every filter method and eth_unsubscribe is refused with the gateway\'s words, eth_subscribe too', async (t) => {
    const { http } = await gatewayOnSockets(t, 100);
    const stateful = 'stateful methods are only available on websocket connections';
    const id = '0x' + '11'.repeat(32);
    const cases: [string, unknown[], string][] = [
      ['eth_newFilter', [{}], `EthNewFilter not supported: ${stateful}`],
      ['Filecoin.EthNewFilter', [{}], `EthNewFilter not supported: ${stateful}`],
      ['eth_newBlockFilter', [], `EthNewBlockFilter not supported: ${stateful}`],
      ['eth_newPendingTransactionFilter', [], `EthNewPendingTransactionFilter not supported: ${stateful}`],
      ['eth_getFilterChanges', [id], `EthGetFilterChanges not supported: ${stateful}`],
      ['eth_getFilterLogs', [id], `EthGetFilterLogs not supported: ${stateful}`],
      ['eth_uninstallFilter', [id], `EthUninstallFilter not supported: ${stateful}`],
      ['eth_unsubscribe', [id], `EthUnsubscribe not supported: ${stateful}`],
      ['eth_subscribe', ['newHeads'], "EthSubscribe not supported: connection doesn't support callbacks"],
    ];
    for (const [method, params, message] of cases) assert.deepEqual((await http(method, params)).error, { code: 1, message }, method);
    // eth_getLogs is no filter: it answers over HTTP.
    assert.deepEqual((await http('eth_getLogs', [{ fromBlock: 'latest' }])).result, []);
  });

  test('over a WebSocket a filter is its connection\'s: another sees none, and it is uninstalled when its connection closes', async (t) => {
    const { devnet, connect } = await gatewayOnSockets(t, 2);
    const a = await connect();
    const b = await connect();
    const blocks = (await a.call('eth_newBlockFilter')).result as string;
    const logs = (await a.call('eth_newFilter', [{}])).result as string;
    const subscription = (await a.call('eth_subscribe', ['newHeads'])).result as string;
    await devnet.mine();
    assert.equal((await a.call('eth_getFilterChanges', [blocks])).result.length, 1);
    assert.deepEqual((await b.call('eth_getFilterChanges', [blocks])).error, { code: 1, message: 'filter not found' });
    assert.deepEqual((await b.call('eth_getFilterLogs', [logs])).error, { code: 1, message: 'filter not found' });
    assert.equal((await b.call('eth_uninstallFilter', [blocks])).result, false);
    assert.equal((await b.call('eth_unsubscribe', [subscription])).result, false);
    // The node holds its two filters (--max-filters 2), both a's.
    assert.equal((await b.call('eth_newBlockFilter')).error?.message, 'maximum number of filters registered');
    assert.equal((await a.call('eth_getFilterLogs', [logs])).result.length, 0);
    await a.closed();
    // a's filters go with it (once the node has seen the close): b may install two.
    const first = await pollUntil('a\'s filters to be uninstalled', async () => (await b.call('eth_newBlockFilter')).result as string | undefined);
    assert.match(first, /^0x[0-9a-f]{64}$/);
    assert.match((await b.call('eth_newFilter', [{}])).result, /^0x[0-9a-f]{64}$/);
  });
});

describe('--gateway-only: sends go in as the gateway pushes them, untrusted', () => {
  // gateway/proxy_eth_v1.go EthSendRawTransaction and proxy_v2.go: EthSendRawTransactionUntrusted;
  // proxy_fil_v1.go MpoolPush: MpoolPushUntrusted (lotus b835fab70). The pool then holds at most
  // MaxUntrustedActorPendingMessages (100) of a sender's messages, not MaxActorPendingMessages (1 000).
  const TOO_MANY = { code: 1, message: 'failed to add locked: too many pending messages for actor' };

  test('eth_sendRawTransaction on /rpc/v1, /rpc/v2 and / and its Filecoin.EthSendRawTransaction name take 100 pending transactions from a sender, not 1 000', async (t) => {
    const { app } = await setupRpc(t, { gatewayOnly: true, noMining: true });
    const send = async (url: string, method: string, raw: string) =>
      (await app.inject({ method: 'POST', url, payload: { jsonrpc: '2.0', id: 1, method, params: [raw] } })).json();
    const paths: [string, string][] = [['/rpc/v1', 'eth_sendRawTransaction'], ['/rpc/v2', 'eth_sendRawTransaction'], ['/', 'Filecoin.EthSendRawTransaction'], ['/rpc/v1', 'Filecoin.EthSendRawTransaction']];
    for (let nonce = 0; nonce < 100; nonce++) {
      const [url, method] = paths[nonce % paths.length]!;
      assert.match((await send(url, method, await signTx({ nonce }))).result ?? '', /^0x[0-9a-f]{64}$/, `${method} on ${url}, nonce ${nonce}`);
    }
    const over = await signTx({ nonce: 100 });
    for (const [url, method] of paths) assert.deepEqual((await send(url, method, over)).error, TOO_MANY, `${method} on ${url}`);
  });

  test('Filecoin.MpoolPush on /rpc/v1 and /rpc/v0 takes 100 pending messages from a sender, not 1 000', async (t) => {
    // Signed by the full node (WalletSignMessage is no gateway method), pushed through the gateway.
    const { devnet, result } = await setupRpc(t, { noMining: true });
    const gateway = await buildServer(devnet, { log: pino({ level: 'silent' }), gatewayOnly: true });
    t.after(() => gateway.close());
    const from = await result('Filecoin.WalletDefaultAddress');
    const sign = (nonce: number) => result('Filecoin.WalletSignMessage', [from, { Version: 0, To: 't0100', From: from, Value: '1', Nonce: nonce, GasLimit: 1_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null }]);
    const push = async (url: string, signed: unknown) =>
      (await gateway.inject({ method: 'POST', url, payload: { jsonrpc: '2.0', id: 1, method: 'Filecoin.MpoolPush', params: [signed] } })).json();
    const start = await result('Filecoin.MpoolGetNonce', [from]);
    for (let i = 0; i < 100; i++) {
      const signed = await sign(start + i);
      assert.deepEqual((await push(i % 2 ? '/rpc/v0' : '/rpc/v1', signed)).result, signed.CID);
    }
    const over = await sign(start + 100);
    assert.deepEqual((await push('/rpc/v1', over)).error, TOO_MANY);
    assert.deepEqual((await push('/rpc/v0', over)).error, TOO_MANY);
    // The full node's own MpoolPush takes it: its cap is 1 000.
    assert.deepEqual(await result('Filecoin.MpoolPush', [over]), over.CID);
  });
});

describe('--gateway-only: a method outside the gateway, as each path of Lotus\'s gateway answers it', () => {
  test('/rpc/v0 answers v0\'s other methods `method not supported` (code 1, HTTP 200) after their param count; /rpc/v1 and unknown names -32601 with HTTP 500', async (t) => {
    const { app, devnet } = await setupRpc(t, { gatewayOnly: true });
    const post = async (url: string, method: string, params: unknown[]) => {
      const answer = await app.inject({ method: 'POST', url, payload: { jsonrpc: '2.0', id: 1, method, params } });
      return { status: answer.statusCode, error: answer.json().error };
    };
    const notSupported = { status: 200, error: { code: 1, message: 'method not supported' } };
    assert.deepEqual(await post('/rpc/v0', 'Filecoin.StateMarketDeals', [null]), notSupported);
    // A method that would write runs nothing: no key is made.
    const keys = devnet.wallet.list().length;
    assert.deepEqual(await post('/rpc/v0', 'Filecoin.WalletNew', ['secp256k1']), notSupported);
    assert.equal(devnet.wallet.list().length, keys);
    // go-jsonrpc counts the params before the call reaches the gateway's empty slot.
    assert.deepEqual((await post('/rpc/v0', 'Filecoin.WalletNew', [])).error, { code: -32602, message: "wrong param count (method 'Filecoin.WalletNew'): 0 != 1" });
    // A name v0's API does not have is not found, and /rpc/v1 registers the gateway's methods only.
    assert.deepEqual(await post('/rpc/v0', 'Filecoin.StateNope', []), { status: 500, error: { code: -32601, message: "method 'Filecoin.StateNope' not found" } });
    assert.equal((await post('/rpc/v0', 'Filecoin.EthSendTransaction', [{}])).error.code, -32601);
    assert.deepEqual(await post('/rpc/v1', 'Filecoin.StateMarketDeals', [null]), { status: 500, error: { code: -32601, message: "method 'Filecoin.StateMarketDeals' not found" } });
    // The gateway's own methods still answer on /rpc/v0, and its Discover lists them only.
    const discover = await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method: 'rpc.discover', params: [] } });
    const names = discover.json().result.methods.map((m: { name: string }) => m.name);
    assert.ok(names.includes('Filecoin.StateGetReceipt') && !names.includes('Filecoin.StateMarketDeals'));
    assert.equal((await post('/rpc/v0', 'Filecoin.ChainHead', [])).status, 200);
  });

  // go-jsonrpc (handler.go) refuses a method returning a Go channel over HTTP before its params are
  // read, whether the gateway serves it or not; over a WebSocket /rpc/v0's MpoolSub reaches the
  // gateway's empty slot.
  test('channel methods over HTTP: go-jsonrpc\'s -32601 `not supported in this mode` (HTTP 500) on every path; over a WebSocket ChainNotify opens and /rpc/v0\'s MpoolSub is `method not supported`', async (t) => {
    const { connect } = await gatewayOnSockets(t, 100);
    const { app } = await setupRpc(t, { gatewayOnly: true });
    const post = async (url: string, method: string, params: unknown[]) => {
      const answer = await app.inject({ method: 'POST', url, payload: { jsonrpc: '2.0', id: 1, method, params } });
      return { status: answer.statusCode, error: answer.json().error };
    };
    const noChannel = (method: string) => ({ status: 500, error: { code: -32601, message: `method '${method}' not supported in this mode (no out channel support)` } });
    assert.deepEqual(await post('/rpc/v0', 'Filecoin.MpoolSub', []), noChannel('Filecoin.MpoolSub'));
    assert.deepEqual(await post('/rpc/v0', 'Filecoin.MpoolSub', [1]), noChannel('Filecoin.MpoolSub'));
    assert.deepEqual(await post('/rpc/v0', 'Filecoin.ChainNotify', []), noChannel('Filecoin.ChainNotify'));
    assert.deepEqual(await post('/rpc/v1', 'Filecoin.ChainNotify', []), noChannel('Filecoin.ChainNotify'));
    assert.deepEqual(await post('/rpc/v1', 'Filecoin.SubscribeActorEventsRaw', [{}]), noChannel('Filecoin.SubscribeActorEventsRaw'));
    // /rpc/v1 registers the gateway's methods only: MpoolSub is not found there.
    assert.deepEqual(await post('/rpc/v1', 'Filecoin.MpoolSub', []), { status: 500, error: { code: -32601, message: "method 'Filecoin.MpoolSub' not found" } });
    const v0 = await connect('/rpc/v0');
    assert.deepEqual((await v0.call('Filecoin.MpoolSub')).error, { code: 1, message: 'method not supported' });
    assert.equal(typeof (await v0.call('Filecoin.ChainNotify')).result, 'number');
  });

  test('on a fork, /rpc/v0\'s other methods are refused too, a tipset of the upstream\'s named or not', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    await upstream.devnet.mine();
    await upstream.devnet.mine();
    const upstreamKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [1, null])).Cids;
    const { app } = await setupRpc(t, { gatewayOnly: true, fork: { url: upstream.url, blockNumber: 2 } });
    const v0 = async (method: string, params: unknown[]) => (await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method, params } })).json();
    assert.deepEqual((await v0('Filecoin.StateMarketDeals', [upstreamKey])).error, { code: 1, message: 'method not supported' });
    assert.deepEqual((await v0('Filecoin.StateMarketDeals', [null])).error, { code: 1, message: 'method not supported' });
    // The gateway's own methods still read the upstream's tipsets.
    assert.deepEqual((await v0('Filecoin.ChainGetTipSet', [upstreamKey])).result.Cids, upstreamKey);
  });
});
