// A fork's history: what the upstream included at or before the fork epoch is found on the fork by
// every name a tool uses for it (the Lotus aliases of the Ethereum methods, message CIDs and
// transaction hashes, the Filecoin message searches on /rpc/v1 and /rpc/v0, block CIDs); what the
// upstream included after the fork epoch is unknown there; bad parameters get the local error; and the
// fork's own messages are searched and waited on without the upstream; traces of that history are the
// upstream's. Against a full upstream and one that answers as a Lotus gateway (--gateway-only); and
// through a proxy answering as Lotus does where it differs (a message executed by the next tipset), a
// message included at the fork epoch is found there, in the state the fork starts from (and, before
// the fork mines, 'latest' names that block: its logs and traces).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import WebSocket from 'ws';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { answerOrError, head, hex, rpc, sendFromDev } from '../helpers/fork-calls.js';
import { t410 } from '../helpers/f410.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { LOTUS_NETWORK_NAME, lotusUpstreamProxy } from '../helpers/lotus-upstream-proxy.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const RECIPIENT = '0x3333333333333333333333333333333333333333';

const transfer = (url: string, wei: bigint) => sendFromDev(url, { to: RECIPIENT, value: wei });

/** Init code that logs one event (LOG0, no data) and deploys an empty contract. */
const LOGGING_DEPLOYMENT = '0x60006000a000';

/**
 * The events a Filecoin.SubscribeActorEventsRaw channel on the node at `url` sends over WebSocket,
 * until it closes (closed: true) or `count` have come.
 */
async function subscribedEvents(url: string, filter: unknown, count = Infinity): Promise<{ events: unknown[]; closed: boolean }> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/rpc/v1`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  try {
    return await new Promise((resolve, reject) => {
      const events: unknown[] = [];
      let channel: number | undefined;
      const timer = setTimeout(() => reject(new Error(`${events.length} events and no close after 20 s`)), 20_000);
      const finish = (closed: boolean) => (clearTimeout(timer), resolve({ events, closed }));
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw));
        if (message.id === 1) {
          if (message.error) reject(new Error(message.error.message));
          channel = message.result;
        } else if (message.method === 'xrpc.ch.val' && message.params[0] === channel) {
          events.push(message.params[1]);
          if (events.length >= count) finish(false);
        } else if (message.method === 'xrpc.ch.close' && message.params[0] === channel) finish(true);
      });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'Filecoin.SubscribeActorEventsRaw', params: [filter] }));
    });
  } finally {
    socket.close();
  }
}

/**
 * Actor events of the fork's own tipsets (after `forkEpoch`): whatever the cases before mined there,
 * and the one event of a LOGGING_DEPLOYMENT this case mined at `ownBlock`.
 */
function assertForkOwn(events: { height: number }[], forkEpoch: number, ownBlock: number): void {
  assert.ok(events.every((event) => event.height > forkEpoch), 'after the fork epoch');
  assert.equal(events.filter((event) => event.height === ownBlock).length, 1, 'this case\'s deployment');
}

/**
 * Every lookup by CID or hash of a message the upstream included after the fork epoch answers it as
 * unknown on the fork, though the upstream finds it searching from the key the fork searches from
 * (its state key), as a Lotus node with the chain index does.
 */
async function assertUnknownOnFork(forkUrl: string, upstreamUrl: string, txHash: string, stateKey: unknown): Promise<void> {
  const cid = await rpc(upstreamUrl, 'Filecoin.EthGetMessageCidByTransactionHash', [txHash]);
  assert.ok(await rpc(upstreamUrl, 'Filecoin.StateSearchMsg', [stateKey, cid, -1, true]), 'the upstream finds it searching from the fork\'s state key');
  const forkKey = (await rpc(forkUrl, 'Filecoin.ChainHead')).Cids;
  for (const method of ['eth_getTransactionByHash', 'eth_getTransactionReceipt', 'Filecoin.EthGetTransactionByHash', 'Filecoin.EthGetTransactionReceipt', 'Filecoin.EthGetMessageCidByTransactionHash']) {
    assert.equal(await rpc(forkUrl, method, [txHash]), null, method);
  }
  await assert.rejects(rpc(forkUrl, 'trace_transaction', [txHash]), /transaction not found/);
  const v0 = `${forkUrl}/rpc/v0`;
  for (const [url, method, params] of [
    [forkUrl, 'Filecoin.StateSearchMsg', [null, cid, -1, true]],
    [forkUrl, 'Filecoin.StateSearchMsg', [forkKey, cid, 20, false]],
    [v0, 'Filecoin.StateSearchMsg', [cid]],
    [v0, 'Filecoin.StateSearchMsgLimited', [cid, 20]],
    [forkUrl, 'Filecoin.EthGetTransactionHashByCid', [cid]],
  ] as const) {
    assert.equal(await rpc(url, method, [...params]), null, `${method} on ${url}`);
  }
  for (const [url, method, params] of [
    [forkUrl, 'Filecoin.ChainGetMessage', [cid]],
    [forkUrl, 'Filecoin.StateWaitMsg', [cid, 1, -1, true]],
    [v0, 'Filecoin.StateWaitMsg', [cid, 1]],
    [v0, 'Filecoin.StateWaitMsgLimited', [cid, 1, 20]],
  ] as const) {
    await assert.rejects(rpc(url, method, [...params]), /could not find/, `${method} on ${url}`);
  }
}

for (const gatewayOnly of [false, true]) describe(`fork history of an fvm-devnet upstream${gatewayOnly ? ' started with --gateway-only' : ''}`, () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  let forkEpoch: number;
  /** Transfers mined upstream: before the fork epoch, at it, and after it. */
  let early: { hash: string; block: number };
  let atFork: { hash: string; block: number };
  let later: { hash: string; block: number };
  /** The upstream's block CID at an epoch. */
  const blockCid = async (epoch: number) => (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [epoch, null])).Cids[0];

  useForkSuite('fvm-fork-history-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(gatewayOnly ? ['--gateway-only'] : []);
    early = await transfer(upstream.url, 1n);
    await rpc(upstream.url, 'anvil_mine', ['0x2']);
    atFork = await transfer(upstream.url, 2n);
    forkEpoch = atFork.block;
    later = await transfer(upstream.url, 3n);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch)]);
  });

  test('the Lotus aliases of the Ethereum methods answer from the upstream as their eth_ names do', async () => {
    for (const [alias, method, params] of [
      ['Filecoin.EthGetTransactionByHash', 'eth_getTransactionByHash', [early.hash]],
      ['Filecoin.EthGetTransactionReceipt', 'eth_getTransactionReceipt', [atFork.hash]],
      ['Filecoin.EthGetBalance', 'eth_getBalance', [RECIPIENT, hex(early.block)]],
      ['Filecoin.EthGetBlockByNumber', 'eth_getBlockByNumber', [hex(early.block), false]],
      ['Filecoin.EthGetLogs', 'eth_getLogs', [{ fromBlock: '0x0', toBlock: hex(forkEpoch) }]],
    ] as const) {
      const theirs = await rpc(upstream.url, method, [...params]);
      assert.deepEqual(await rpc(fork!.url, alias, [...params]), theirs, alias);
      assert.deepEqual(await rpc(fork!.url, method, [...params]), theirs, method);
    }
    assert.equal(await rpc(fork!.url, 'Filecoin.EthGetBalance', [RECIPIENT, hex(early.block)]), '0x1');
  });

  // fidaudit4 V10: the lookups with a lookback limit (Lotus's gateway asks them with 20) and `lotus state
  // replay <cid>` (StateReplay with the empty key) of a forked message; an estimate at a pre-fork block.
  test('the Limited lookups and StateReplay by search answer from the upstream; eth_estimateGas at a pre-fork block is the fork head\'s', async () => {
    for (const [limited, twin] of [
      ['Filecoin.EthGetTransactionByHashLimited', 'eth_getTransactionByHash'],
      ['Filecoin.EthGetTransactionReceiptLimited', 'eth_getTransactionReceipt'],
    ] as const) {
      const theirs = await rpc(upstream.url, twin, [early.hash]);
      assert.ok(theirs);
      assert.deepEqual(await rpc(fork!.url, limited, [early.hash, -1]), theirs, limited);
      // Counted from the fork's head: a limit that does not reach back to it finds nothing.
      const head = Number(await rpc(fork!.url, 'eth_blockNumber'));
      assert.deepEqual(await rpc(fork!.url, limited, [early.hash, head - early.block]), theirs, `${limited} at the limit`);
      assert.equal(await rpc(fork!.url, limited, [early.hash, head - early.block - 1]), null, `${limited} past the limit`);
      assert.equal(await rpc(fork!.url, limited, [later.hash, -1]), null, `${limited} of a transaction after the fork epoch`);
    }
    // eth_estimateGas runs on the newest state whatever block it names, as Lotus's does (its gas
    // search takes the pool's tipset, node/impl/gasutils/gasutils.go): the fork's head, not the upstream's.
    const call = { from: DEV_ACCOUNTS[0].address, to: RECIPIENT, value: '0x1' };
    const onHead = await rpc(fork!.url, 'eth_estimateGas', [call, 'latest']);
    assert.equal(await rpc(fork!.url, 'eth_estimateGas', [call, hex(early.block)]), onHead);
    // By hash: the upstream's block before the fork epoch resolves; one after it, or none, is refused as on a node without a fork.
    const { hash: earlyHash } = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(early.block), false]);
    const { hash: laterHash } = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(later.block), false]);
    assert.equal(await rpc(fork!.url, 'eth_estimateGas', [call, { blockHash: earlyHash, requireCanonical: true }]), onHead);
    for (const unknown of [laterHash, '0x' + '12'.repeat(32)]) {
      await assert.rejects(rpc(fork!.url, 'eth_estimateGas', [call, unknown]), /^Error: eth_estimateGas: failed to get tipset by hash: cannot find tipset with cid \w+: ipld: could not find/);
    }
    const cid = await rpc(upstream.url, 'Filecoin.EthGetMessageCidByTransactionHash', [early.hash]);
    // Each replay is a run of its own, timed anew (Duration, ns).
    const replay = async (url: string) => ({ ...(await rpc(url, 'Filecoin.StateReplay', [null, cid])), Duration: 0 });
    assert.deepEqual(await replay(fork!.url), await replay(upstream.url));
  });

  // review R1 (on V17): the filter's prefill and its install must not have the upstream's answer between them.
  test('a log filter installed while the upstream answers slowly holds the logs of the tipsets the fork mines meanwhile', async (t) => {
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const slow = await startDevnet(['--fork-url', url, '--fork-block-number', String(forkEpoch)]);
    t.after(() => slow.stop());
    // A contract that logs (LOG0) when called, deployed and called once before the upstream turns slow:
    // then a call reads nothing from the upstream.
    const logger = await sendFromDev(slow.url, { data: '0x6006600c60003960066000f360006000a000' });
    const contract = (await rpc(slow.url, 'eth_getTransactionReceipt', [logger.hash])).contractAddress;
    const first = await sendFromDev(slow.url, { to: contract });
    mode.delayMs = 2_000;
    let installed = false;
    const installing = rpc(slow.url, 'eth_newFilter', [{ fromBlock: '0x0' }]).finally(() => (installed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const meanwhile = await sendFromDev(slow.url, { to: contract });
    assert.equal(installed, false, 'the deployment was mined while the filter waited for the upstream');
    const id = await installing;
    mode.delayMs = 0;
    const changes = await rpc(slow.url, 'eth_getFilterChanges', [id]);
    assert.deepEqual(changes.map((log: { transactionHash: string }) => log.transactionHash), [first.hash, meanwhile.hash]);
  });

  // review2 Q1's rest: a gateway refuses a block by hash past its lookback (lotus b835fab70
  // gateway/proxy_eth_v1.go EthGetBlockByHash → checkBlkHash, gateway/node.go checkTipSet: 'bad tipset:
  // lookbacks of more than … are disallowed'), and a provider may refuse any call for a while: neither
  // is an unknown block or transaction, so the client gets the upstream's error, not the fork's "unknown".
  test('a lookup by hash the upstream refuses (a gateway\'s lookback, a provider in trouble) answers the upstream\'s error, not an unknown block or transaction', async (t) => {
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const refusing = await startDevnet(['--fork-url', url, '--fork-block-number', String(forkEpoch)]);
    t.after(() => refusing.stop());
    const { hash: blockHash } = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(early.block), false]);
    const lookback = { code: 1, message: 'bad tipset: lookbacks of more than 24h0m0s are disallowed' };
    const trouble = { code: -32000, message: 'upstream in trouble' };
    mode.refused.set('eth_getBlockByHash', lookback);
    for (const method of ['eth_getTransactionByHash', 'eth_getTransactionReceipt']) mode.refused.set(method, trouble);
    for (const [method, params] of [
      ['eth_newFilter', [{ blockHash }]],
      ['eth_getLogs', [{ blockHash }]],
      ['eth_getBlockReceipts', [blockHash]],
      ['eth_getBalance', [RECIPIENT, { blockHash }]],
      ['eth_getBlockByHash', [blockHash, false]],
      ['eth_getBlockTransactionCountByHash', [blockHash]],
      ['eth_getTransactionByHash', [early.hash]],
      ['eth_getTransactionReceipt', [early.hash]],
      ['Filecoin.EthGetTransactionByHashLimited', [early.hash, -1]],
      ['trace_transaction', [early.hash]],
    ] as const) {
      const refusal = typeof params[0] === 'string' && params[0] === early.hash ? trouble : lookback;
      const { error } = await answerOrError(rpc(refusing.url, method, [...params]));
      assert.ok(error?.startsWith(`${method}: upstream eth_`) && error.endsWith(`: ${refusal.message}`), `${method}: ${error}`);
    }
    mode.refused.clear();
    assert.equal(await rpc(refusing.url, 'eth_getBalance', [RECIPIENT, { blockHash }]), '0x1');
    assert.deepEqual(await rpc(refusing.url, 'eth_getTransactionByHash', [early.hash]), await rpc(upstream.url, 'eth_getTransactionByHash', [early.hash]));
  });

  // A tipset a revert dropped is the fork's own, whose hash the upstream cannot know: it is not asked.
  test('a tipset a revert dropped is the fork\'s by hash, block CID and key (its block, logs, state, parent messages, key routes) while the upstream refuses every block by hash or CID, then is stopped', async (t) => {
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const reverting = await startDevnet(['--fork-url', url, '--fork-block-number', String(forkEpoch)]);
    t.after(() => reverting.stop());
    const snapshot = await rpc(reverting.url, 'evm_snapshot', []);
    // The dropped tipset's state: the recipient's balance set on it, the second dev account's the upstream's; its one event, a deployment's.
    await rpc(reverting.url, 'anvil_setBalance', [RECIPIENT, '0x77']);
    await sendFromDev(reverting.url, { data: LOGGING_DEPLOYMENT });
    const dropped = await rpc(reverting.url, 'eth_getBlockByNumber', ['latest', false]);
    const tipset = await rpc(reverting.url, 'Filecoin.ChainHead');
    const recipient = t410(RECIPIENT);
    const recipientActor = await rpc(reverting.url, 'Filecoin.StateGetActor', [recipient, tipset.Cids]);
    const { Cids: [blockCid], Blocks: [header] } = tipset;
    const call = { from: DEV_ACCOUNTS[0].address, to: DEV_ACCOUNTS[1].address, value: '0x1' };
    // Its parent is the fork's first tipset: its parent messages are the upstream's at the fork epoch.
    const parentMessages = await rpc(reverting.url, 'Filecoin.ChainGetParentMessages', [blockCid]);
    const events: { reverted: boolean }[] = await rpc(reverting.url, 'Filecoin.GetActorEventsRaw', [{ tipsetKey: tipset.Cids }]);
    assert.deepEqual(events.map((event) => event.reverted), [false]);
    assert.equal(await rpc(reverting.url, 'evm_revert', [snapshot]), true);
    const lookback = { code: 1, message: 'bad tipset: lookbacks of more than 24h0m0s are disallowed' };
    mode.refused.set('eth_getBlockByHash', lookback);
    mode.refused.set('Filecoin.ChainGetBlock', lookback);
    assert.deepEqual(await rpc(reverting.url, 'Filecoin.ChainGetBlock', [blockCid]), header);
    assert.deepEqual(await rpc(reverting.url, 'Filecoin.ChainGetParentMessages', [blockCid]), parentMessages);
    assert.deepEqual(await rpc(reverting.url, 'eth_getBlockByHash', [dropped.hash, false]), dropped);
    const logs: { removed: boolean }[] = await rpc(reverting.url, 'eth_getLogs', [{ blockHash: dropped.hash }]);
    assert.deepEqual(logs.map((log) => log.removed), [true]);
    // Its state is kept: what it wrote, over the upstream's at the fork point (read after the revert, as the live chain reads it).
    assert.equal(await rpc(reverting.url, 'eth_getBalance', [RECIPIENT, { blockHash: dropped.hash }]), '0x77');
    assert.equal(await rpc(reverting.url, 'eth_getBalance', [RECIPIENT, 'latest']), await rpc(upstream.url, 'eth_getBalance', [RECIPIENT, hex(forkEpoch)]));
    const second = DEV_ACCOUNTS[1].address;
    assert.equal(await rpc(reverting.url, 'eth_getBalance', [second, { blockHash: dropped.hash }]), await rpc(reverting.url, 'eth_getBalance', [second, 'latest']));
    // Its key too, with the upstream stopped (review R65): the methods taking a key or a selector, and
    // eth_estimateGas and eth_newFilter by its hash, answer as on a devnet without a fork.
    const onHead = await rpc(reverting.url, 'eth_estimateGas', [call]);
    mode.dead = true;
    assert.deepEqual(await rpc(reverting.url, 'Filecoin.ChainGetTipSet', [tipset.Cids]), tipset);
    assert.deepEqual(await rpc(`${reverting.url}/rpc/v2`, 'Filecoin.ChainGetTipSet', [{ key: tipset.Cids }]), tipset);
    // The recipient's actor as the dropped tipset left it (its balance 0x77), not the live chain's.
    assert.deepEqual(await rpc(reverting.url, 'Filecoin.StateGetActor', [recipient, tipset.Cids]), recipientActor);
    // Its events by its key, as Lotus answers a reorged tipset's: the same, marked reverted.
    assert.deepEqual(await rpc(reverting.url, 'Filecoin.GetActorEventsRaw', [{ tipsetKey: tipset.Cids }]), events.map((event) => ({ ...event, reverted: true })));
    assert.deepEqual(await rpc(`${reverting.url}/rpc/v2`, 'Filecoin.StateGetActor', [recipient, { key: tipset.Cids }]), recipientActor);
    assert.equal(await rpc(reverting.url, 'eth_estimateGas', [call, { blockHash: dropped.hash }]), onHead);
    const filter = await rpc(reverting.url, 'eth_newFilter', [{ blockHash: dropped.hash }]);
    assert.deepEqual(await rpc(reverting.url, 'eth_getFilterChanges', [filter]), logs);
  });

  test('state at a pre-fork block named by hash (EIP-1898, as cast --block <hash> sends it) is the upstream\'s', async () => {
    const { hash } = await rpc(fork!.url, 'eth_getBlockByNumber', [hex(early.block), false]);
    for (const at of [{ blockHash: hash }, hash]) {
      const balance = await rpc(fork!.url, 'eth_getBalance', [RECIPIENT, at]);
      assert.equal(balance, '0x1');
      assert.equal(balance, await rpc(upstream.url, 'eth_getBalance', [RECIPIENT, at]));
      assert.equal(await rpc(fork!.url, 'eth_getTransactionCount', [RECIPIENT, at]), await rpc(upstream.url, 'eth_getTransactionCount', [RECIPIENT, at]));
    }
    // The upstream's block after the fork epoch is not in the fork's chain.
    const { hash: laterHash } = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(later.block), false]);
    await assert.rejects(rpc(fork!.url, 'eth_getBalance', [RECIPIENT, { blockHash: laterHash }]), /failed to get tipset by hash: cannot find tipset with cid \w+: ipld: could not find/);
  });

  test('traces of blocks and transactions at or before the fork epoch are the upstream\'s, by their trace_ names and Lotus aliases', async () => {
    // A young fork's 'latest' is its first tipset, the upstream's at the fork epoch.
    assert.equal(await head(fork!.url), forkEpoch);
    assert.deepEqual(await rpc(fork!.url, 'trace_block', ['latest']), await rpc(upstream.url, 'trace_block', [hex(forkEpoch)]));
    for (const { hash, block } of [early, atFork]) {
      const traces = await rpc(upstream.url, 'trace_block', [hex(block)]);
      assert.equal(traces.length, 1, `the transfer's trace at ${block}`);
      assert.equal(traces[0].transactionHash, hash);
      for (const [alias, method, params] of [
        ['Filecoin.EthTraceBlock', 'trace_block', [hex(block)]],
        ['Filecoin.EthTraceReplayBlockTransactions', 'trace_replayBlockTransactions', [hex(block), ['trace']]],
        ['Filecoin.EthTraceTransaction', 'trace_transaction', [hash]],
      ] as const) {
        const theirs = await rpc(upstream.url, method, [...params]);
        assert.deepEqual(await rpc(fork!.url, method, [...params]), theirs, `${method} at ${block}`);
        assert.deepEqual(await rpc(fork!.url, alias, [...params]), theirs, `${alias} at ${block}`);
      }
    }
    // What the upstream traced after the fork epoch is not the fork's: an unknown transaction.
    await assert.rejects(rpc(fork!.url, 'trace_transaction', [later.hash]), /transaction not found/);
    const upToFork = { fromBlock: '0x1', toBlock: hex(forkEpoch) };
    assert.deepEqual(await rpc(fork!.url, 'trace_filter', [upToFork]), await rpc(upstream.url, 'trace_filter', [upToFork]));
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.EthTraceFilter', [upToFork]), await rpc(upstream.url, 'trace_filter', [upToFork]));

    // A range across the fork epoch: the upstream's traces up to it, then the fork's own, paged as one list.
    const own = await transfer(fork!.url, 4n);
    const across = await rpc(fork!.url, 'trace_filter', [{ fromBlock: hex(early.block), toBlock: 'latest' }]);
    assert.deepEqual(across.map((t: any) => t.transactionHash), [early.hash, atFork.hash, own.hash]);
    assert.deepEqual(across.slice(0, 2), await rpc(upstream.url, 'trace_filter', [{ fromBlock: hex(early.block), toBlock: hex(forkEpoch) }]));
    assert.deepEqual(across[2], (await rpc(fork!.url, 'trace_transaction', [own.hash]))[0]);
    for (let after = 0; after <= 3; after++) {
      for (const count of [1, 2]) {
        const page = await rpc(fork!.url, 'trace_filter', [{ fromBlock: hex(early.block), after: hex(after), count: hex(count) }]);
        assert.deepEqual(page, across.slice(after, after + count), `after ${after}, count ${count}`);
      }
    }
    const toRecipient = await rpc(fork!.url, 'trace_filter', [{ fromBlock: '0x1', toAddress: [RECIPIENT], after: '0x1' }]);
    assert.deepEqual(toRecipient.map((t: any) => t.transactionHash), [atFork.hash, own.hash]);
  });

  test('messages the upstream included at or before the fork epoch are found by CID and hash, on /rpc/v1 and /rpc/v0', async () => {
    const v0 = `${fork!.url}/rpc/v0`;
    for (const { hash, block } of [early, atFork]) {
      const cid = await rpc(upstream.url, 'Filecoin.EthGetMessageCidByTransactionHash', [hash]);
      assert.deepEqual(await rpc(fork!.url, 'Filecoin.EthGetMessageCidByTransactionHash', [hash]), cid);
      assert.equal(await rpc(fork!.url, 'Filecoin.EthGetTransactionHashByCid', [cid]), hash);
      assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetMessage', [cid]), await rpc(upstream.url, 'Filecoin.ChainGetMessage', [cid]));
      const lookup = await rpc(upstream.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]);
      assert.equal(lookup.Height, block);
      for (const [url, method, params] of [
        [fork!.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]],
        [fork!.url, 'Filecoin.StateWaitMsg', [cid, 1, -1, true]],
        [v0, 'Filecoin.StateSearchMsg', [cid]],
        [v0, 'Filecoin.StateSearchMsgLimited', [cid, 100]],
        [v0, 'Filecoin.StateWaitMsg', [cid, 1]],
        [v0, 'Filecoin.StateWaitMsgLimited', [cid, 1, 100]],
      ] as const) {
        assert.deepEqual(await rpc(url, method, [...params]), lookup, `${method} on ${url}`);
      }
      // A confidence above one chain finality is refused before the message is looked for, as Lotus does.
      await assert.rejects(rpc(fork!.url, 'Filecoin.StateWaitMsg', [cid, 901, -1, true]), /message confidence exceeds maximum: 901 > 900/);
    }
  });

  test('what the upstream included after the fork epoch is unknown on the fork', async () => {
    await assertUnknownOnFork(fork!.url, upstream.url, later.hash, (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids);
    const laterBlock = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(later.block), false]);
    await assert.rejects(rpc(fork!.url, 'eth_getBlockByHash', [laterBlock.hash, false]), /failed to get tipset by hash: cannot find tipset with cid \w+: ipld: could not find/);
    await assert.rejects(rpc(fork!.url, 'eth_getBlockTransactionCountByHash', [laterBlock.hash]), /failed to get tipset by hash: cannot find tipset with cid \w+: ipld: could not find/);
    await assert.rejects(rpc(fork!.url, 'Filecoin.ChainGetBlock', [await blockCid(later.block)]), /could not find/);
  });

  test('blocks at or before the fork epoch are the upstream\'s by CID and hash, and the fork epoch\'s messages by its key; the fork\'s first tipset has the upstream\'s as parent', async () => {
    for (const epoch of [early.block, forkEpoch]) {
      const block = await blockCid(epoch);
      for (const method of ['Filecoin.ChainGetBlock', 'Filecoin.ChainGetBlockMessages', 'Filecoin.ChainGetParentMessages', 'Filecoin.ChainGetParentReceipts']) {
        assert.deepEqual(await rpc(fork!.url, method, [block]), await rpc(upstream.url, method, [block]), `${method} at ${epoch}`);
      }
      const { hash } = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(epoch), false]);
      for (const [method, params] of [
        ['eth_getBlockByHash', [hash, true]],
        ['eth_getBlockTransactionCountByHash', [hash]],
        ['eth_getTransactionByBlockHashAndIndex', [hash, '0x0']],
      ] as const) {
        assert.deepEqual(await rpc(fork!.url, method, [...params]), await rpc(upstream.url, method, [...params]), `${method} at ${epoch}`);
      }
      assert.equal(await rpc(fork!.url, 'eth_getBlockTransactionCountByHash', [hash]), '0x1');
      // fidaudit4 V5: a block's receipts and logs by its hash (EIP-1898), the fork-epoch block included.
      for (const [method, params] of [
        ['eth_getBlockReceipts', [hash]],
        ['eth_getBlockReceipts', [{ blockHash: hash }]],
        ['eth_getLogs', [{ blockHash: hash }]],
      ] as const) {
        const theirs = await rpc(upstream.url, method, [...params]);
        // These blocks hold one transfer each, which logs nothing; below, the fork-epoch block with a log.
        assert.equal(theirs.length, method === 'eth_getLogs' ? 0 : 1, `${method} upstream at ${epoch}`);
        assert.deepEqual(await rpc(fork!.url, method, [...params]), theirs, `${method} ${JSON.stringify(params)} at ${epoch}`);
      }
    }
    // A tool walking back from the fork's first tipset reaches the upstream's block at the fork epoch.
    await rpc(fork!.url, 'anvil_mine', ['0x1']);
    const first = await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch + 1, null]);
    const [parent] = first.Blocks[0].Parents;
    assert.deepEqual(parent, await blockCid(forkEpoch));
    assert.equal((await rpc(fork!.url, 'Filecoin.ChainGetBlock', [parent])).Height, forkEpoch);
    // Its parent messages and receipts are those of the upstream's tipset at the fork epoch.
    const firstBlock = first.Cids[0];
    const parentMessages = await rpc(fork!.url, 'Filecoin.ChainGetParentMessages', [firstBlock]);
    assert.deepEqual(parentMessages, await rpc(upstream.url, 'Filecoin.ChainGetMessagesInTipset', [first.Blocks[0].Parents]));
    assert.deepEqual(parentMessages.map((m: any) => m.Cid), [await rpc(upstream.url, 'Filecoin.EthGetMessageCidByTransactionHash', [atFork.hash])]);
    // The fork's first tipset's own messages, by its key, are those too (fidaudit4 V3).
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetMessagesInTipset', [first.Blocks[0].Parents]), parentMessages);
    const upstreamNext = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch + 1, null]);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetParentReceipts', [firstBlock]), await rpc(upstream.url, 'Filecoin.ChainGetParentReceipts', [upstreamNext.Cids[0]]));
    // The fork's own block by hash is the fork's: its own transactions' receipts (the trace test's
    // transfer, when it ran first), never the upstream's next block's (the later transfer); no logs.
    const ownBlock = await rpc(fork!.url, 'eth_getBlockByNumber', [hex(forkEpoch + 1), false]);
    assert.ok(!ownBlock.transactions.includes(later.hash));
    assert.deepEqual((await rpc(fork!.url, 'eth_getBlockReceipts', [ownBlock.hash])).map((r: { transactionHash: string }) => r.transactionHash), ownBlock.transactions);
    assert.deepEqual(await rpc(fork!.url, 'eth_getLogs', [{ blockHash: ownBlock.hash }]), []);
  });

  test('bad parameters get the local error, as the upstream gives it', async () => {
    const unknownHash = `0x${'ab'.repeat(32)}`;
    const earlyCid = await rpc(upstream.url, 'Filecoin.EthGetMessageCidByTransactionHash', [early.hash]);
    const unknownTipset = [{ '/': 'bafy2bzaceaxm23epjsmh75yvzcecsrbavlmkcxnva66bkdebdcnyw3bjrc74u' }];
    for (const [method, params] of [
      ['Filecoin.StateSearchMsg', [unknownTipset, earlyCid, -1, true]],
      ['Filecoin.ChainGetBlock', ['not a cid']],
      ['Filecoin.ChainGetParentReceipts', [{ '/': 'bafy-not' }]],
      ['Filecoin.ChainGetMessage', [{}]],
      ['Filecoin.StateSearchMsg', [null, 'x', -1, true]],
      ['Filecoin.StateWaitMsg', [42, 1, -1, true]],
      ['Filecoin.EthGetMessageCidByTransactionHash', ['0x12']],
      ['Filecoin.EthGetTransactionHashByCid', [7]],
      ['eth_getBlockByHash', ['0x12', false]],
      ['eth_getTransactionByBlockHashAndIndex', [unknownHash, 'one']],
      ['Filecoin.EthGetTransactionByHash', ['0x12']],
      ['trace_block', ['one']],
      ['trace_replayBlockTransactions', [hex(early.block), ['vmTrace']]],
      ['Filecoin.EthTraceTransaction', ['0x12']],
      ['trace_filter', [{ fromBlock: '0x1', count: hex(501) }]],
    ] as const) {
      const mine = await answerOrError(rpc(fork!.url, method, [...params]));
      assert.ok(mine.error, `${method}: an error`);
      assert.deepEqual(mine, await answerOrError(rpc(upstream.url, method, [...params])), method);
    }
    // 'earliest' in trace_filter is refused by the node's parser; a gateway refuses it before the node (its block parameter check).
    const earliest = [{ fromBlock: 'earliest' }];
    const nodeRefusal = 'trace_filter: cannot parse fromBlock: block param "earliest" is not supported';
    assert.deepEqual(await answerOrError(rpc(fork!.url, 'trace_filter', earliest)), { error: nodeRefusal });
    const upstreamRefusal = gatewayOnly ? 'trace_filter: block param "earliest" is not supported' : nodeRefusal;
    assert.deepEqual(await answerOrError(rpc(upstream.url, 'trace_filter', earliest)), { error: upstreamRefusal });
  });

  test('the fork\'s own messages, pending or mined, are searched and waited on without the upstream', async () => {
    await upstream.stop();
    await rpc(fork!.url, 'evm_setAutomine', [false]);
    const provider = new JsonRpcProvider(fork!.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      const sent = await new Wallet(DEV_ACCOUNTS[1].privateKey, provider).sendTransaction({ to: DEV_ACCOUNTS[0].address, value: 5n });
      const cid = await rpc(fork!.url, 'Filecoin.EthGetMessageCidByTransactionHash', [sent.hash]);
      assert.ok(cid, 'the pending transaction\'s CID');
      assert.equal(await rpc(fork!.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]), null);
      assert.equal((await rpc(fork!.url, 'Filecoin.ChainGetMessage', [cid])).Value, '5');
      const waited = rpc(fork!.url, 'Filecoin.StateWaitMsg', [cid, 1, -1, true]);
      const waitedV0 = rpc(`${fork!.url}/rpc/v0`, 'Filecoin.StateWaitMsg', [cid, 1]);
      // Manual mining: a confidence of 1 answers once a tipset is on top of the message's.
      await rpc(fork!.url, 'anvil_mine', ['0x2']);
      const lookup = await waited;
      assert.ok(lookup.Height > forkEpoch);
      assert.deepEqual(await waitedV0, lookup);
      assert.deepEqual(await rpc(fork!.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]), lookup);
    } finally {
      provider.destroy();
    }
  });
});

/** The null rounds after the fork epoch of the upstream that answers as Lotus (anvil_mine leaves null rounds beyond 1 000 epochs). */
const NULL_ROUNDS = 1000;

describe('fork history of an upstream that answers as Lotus (a tipset\'s messages executed by the next one, after null rounds)', () => {
  let upstream: DevnetProcess;
  let proxy: { url: string; close: () => Promise<void> } | undefined;
  let fork: DevnetProcess | undefined;
  let forkEpoch: number;
  let early: { hash: string; block: number };
  let atFork: { hash: string; block: number };
  let later: { hash: string; block: number };
  const messageCid = (hash: string) => rpc(upstream.url, 'Filecoin.EthGetMessageCidByTransactionHash', [hash]);

  useForkSuite('fvm-fork-lotus-history-', () => [fork, proxy, upstream]);

  before(async () => {
    upstream = await startDevnet();
    early = await transfer(upstream.url, 1n);
    await rpc(upstream.url, 'anvil_mine', ['0x2']);
    atFork = await sendFromDev(upstream.url, { data: LOGGING_DEPLOYMENT });
    forkEpoch = atFork.block;
    // Null rounds, then the tipset that executes atFork on Lotus, empty: the devnet's state there is Lotus's parent state of it.
    await rpc(upstream.url, 'anvil_mine', [hex(NULL_ROUNDS + 1)]);
    later = await transfer(upstream.url, 3n);
    // The tipset that executes `later` on Lotus, and one more, past which Lotus's index finds it.
    await rpc(upstream.url, 'anvil_mine', ['0x2']);
    // Its trace_filter answers one trace at a time, as a Lotus node whose EthTraceFilterMaxResults is 1.
    proxy = await lotusUpstreamProxy(upstream.url, { traceFilterMaxResults: 1 });
    fork = await startDevnet(['--fork-url', proxy.url, '--fork-block-number', String(forkEpoch)]);
  });

  test('on a fork that has not mined yet, \'latest\' names the upstream\'s block at the fork epoch: its logs and traces', async () => {
    const logs = await rpc(upstream.url, 'eth_getLogs', [{ fromBlock: hex(forkEpoch), toBlock: hex(forkEpoch) }]);
    assert.equal(logs.length, 1);
    assert.equal(logs[0].transactionHash, atFork.hash);
    // By the block's hash too (fidaudit4 V5: the fork's first tipset stands in for it, without its messages).
    const { hash } = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(forkEpoch), false]);
    for (const filter of [{}, { fromBlock: 'latest' }, { fromBlock: hex(early.block), toBlock: 'latest' }, { toBlock: hex(forkEpoch) }, { blockHash: hash }]) {
      assert.deepEqual(await rpc(fork!.url, 'eth_getLogs', [filter]), logs, JSON.stringify(filter));
    }
    // A log filter by that hash starts with them too (fidaudit4 V21).
    const byHash = await rpc(fork!.url, 'eth_newFilter', [{ blockHash: hash }]);
    assert.deepEqual(await rpc(fork!.url, 'eth_getFilterLogs', [byHash]), logs);
    // A hash the fork does not hold (the upstream's block past the fork epoch, or none) is refused, as Lotus does (review2 Q1).
    const { hash: past } = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(later.block), false]);
    for (const unknown of [past, '0x' + '99'.repeat(32)]) {
      const refused = await answerOrError(rpc(fork!.url, 'eth_newFilter', [{ blockHash: unknown }]));
      assert.match(refused.error ?? '', /failed to install event filter: get events for filter: failed to get tipset by cid: cannot find tipset with cid /, unknown);
    }
    // Lotus takes no other tag in a log range: the fork refuses them as the upstream does.
    for (const filter of [{ fromBlock: 'safe', toBlock: 'finalized' }, { fromBlock: hex(early.block), toBlock: 'pending' }, { fromBlock: 'finalized' }]) {
      const refused = await answerOrError(rpc(fork!.url, 'eth_getLogs', [filter]));
      assert.match(refused.error ?? '', /(From|To)Block is not a hex/, JSON.stringify(filter));
      assert.deepEqual(refused, await answerOrError(rpc(upstream.url, 'eth_getLogs', [filter])), JSON.stringify(filter));
    }
    const traces = await rpc(upstream.url, 'trace_block', [hex(forkEpoch)]);
    assert.equal(traces[0].transactionHash, atFork.hash);
    assert.deepEqual(await rpc(fork!.url, 'trace_block', ['latest']), traces);
    assert.deepEqual(await rpc(fork!.url, 'trace_filter', [{ fromBlock: 'latest' }]), traces);
  });

  test('a message the upstream included at the fork epoch is found there, in the state the fork starts from', async () => {
    const cid = await messageCid(atFork.hash);
    const lotus = await rpc(proxy!.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]);
    assert.equal(lotus.Height, forkEpoch + NULL_ROUNDS + 1, 'Lotus names the next tipset, after the null rounds, which the fork does not have');
    const first = await rpc(fork!.url, 'Filecoin.ChainHead');
    assert.equal(first.Height, forkEpoch);
    const found = { ...lotus, TipSet: first.Cids, Height: forkEpoch };
    // A wait also answers the return decoded, as the upstream's StateWaitMsg gives it (fidaudit4 V7).
    const { ReturnDec } = await rpc(proxy!.url, 'Filecoin.StateWaitMsg', [cid, 0, -1, true]);
    assert.ok(ReturnDec, 'the deployment returns its addresses');
    const waited = { ...found, ReturnDec };
    const v0 = `${fork!.url}/rpc/v0`;
    for (const [url, method, params] of [
      [fork!.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]],
      [fork!.url, 'Filecoin.StateSearchMsg', [first.Cids, cid, -1, true]],
      [fork!.url, 'Filecoin.StateWaitMsg', [cid, 1, -1, true]],
      [v0, 'Filecoin.StateSearchMsg', [cid]],
      [v0, 'Filecoin.StateWaitMsgLimited', [cid, 1, 100]],
    ] as const) {
      assert.deepEqual(await rpc(url, method, [...params]), method.includes('Wait') ? waited : found, `${method} on ${url}`);
    }
    // The state at the tipset the lookup names holds the message: its sender's nonce counts it, in both views.
    const sender = t410(DEV_ACCOUNTS[0].address);
    assert.equal((await rpc(fork!.url, 'Filecoin.StateGetActor', [sender, found.TipSet])).Nonce, 2);
    assert.equal(await rpc(fork!.url, 'eth_getTransactionCount', [DEV_ACCOUNTS[0].address, hex(forkEpoch)]), '0x2');
    const receipt = await rpc(fork!.url, 'eth_getTransactionReceipt', [atFork.hash]);
    assert.equal(Number(receipt.blockNumber), forkEpoch);
    assert.deepEqual(receipt, await rpc(upstream.url, 'eth_getTransactionReceipt', [atFork.hash]));
    // The fork's next tipset holds its receipt among its parent receipts, as Lotus's does.
    await rpc(fork!.url, 'anvil_mine', ['0x1']);
    const next = await rpc(fork!.url, 'Filecoin.ChainHead');
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetParentReceipts', [next.Cids[0]]), [lotus.Receipt]);
  });

  // fidaudit4 V16: the fork's state is the upstream's network's; a fork of it is still read as an fvm-devnet (its Version).
  test('the fork answers the upstream\'s network name, and a fork of it at its head reads it at that tipset', async () => {
    assert.equal(await rpc(fork!.url, 'Filecoin.StateNetworkName'), LOTUS_NETWORK_NAME);
    assert.equal((await rpc(fork!.url, 'Filecoin.StateGetNetworkParams')).NetworkName, LOTUS_NETWORK_NAME);
    assert.equal((await rpc(fork!.url, 'Filecoin.StateReadState', ['t01', null])).State.NetworkName, LOTUS_NETWORK_NAME);
    // At the fork's head: read as Lotus (the next tipset's parent state) it would be refused, there being no next tipset.
    const second = await startDevnet(['--fork-url', fork!.url, '--fork-block-number', String(await head(fork!.url))]);
    try {
      assert.equal(await rpc(second.url, 'Filecoin.StateNetworkName'), LOTUS_NETWORK_NAME);
      assert.equal(await rpc(second.url, 'eth_getBalance', [RECIPIENT, 'latest']), await rpc(fork!.url, 'eth_getBalance', [RECIPIENT, 'latest']));
    } finally {
      await second.stop();
    }
  });

  test('a message from before the fork epoch is found where Lotus executed it; one from after it is unknown', async () => {
    const cid = await messageCid(early.hash);
    const lotus = await rpc(proxy!.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]);
    assert.equal(lotus.Height, early.block + 1);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.StateSearchMsg', [null, cid, -1, true]), lotus);
    // Lotus's index finds `later` from the fork's state key too (the tipset after the null rounds).
    const stateKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetAfterHeight', [forkEpoch + 1, null])).Cids;
    const laterLookup = await rpc(proxy!.url, 'Filecoin.StateSearchMsg', [stateKey, await messageCid(later.hash), -1, true]);
    assert.equal(laterLookup.Height, later.block + 1);
    await assertUnknownOnFork(fork!.url, proxy!.url, later.hash, stateKey);
  });

  test('trace_filter pages across the fork epoch by the upstream\'s own EthTraceFilterMaxResults when it is below Lotus\'s default', async () => {
    const upstreamTraces = [];
    for (let after = 0; after < 3; after++) {
      upstreamTraces.push(...(await rpc(upstream.url, 'trace_filter', [{ fromBlock: hex(early.block), toBlock: hex(forkEpoch), after: hex(after), count: '0x1' }])));
    }
    assert.deepEqual(upstreamTraces.map((t: any) => t.transactionHash), [early.hash, atFork.hash]);
    const own = await transfer(fork!.url, 4n);
    const ownTrace = (await rpc(fork!.url, 'trace_transaction', [own.hash]))[0];
    // `after` skips past every upstream trace: the fork counts them one page of 1 at a time, then answers its own.
    const range = { fromBlock: hex(early.block), toBlock: 'latest' };
    assert.deepEqual(await rpc(fork!.url, 'trace_filter', [{ ...range, after: '0x2', count: '0x1' }]), [ownTrace]);
    assert.deepEqual(await rpc(fork!.url, 'trace_filter', [{ ...range, after: '0x2' }]), [ownTrace]);
    assert.deepEqual(await rpc(fork!.url, 'trace_filter', [{ ...range, after: '0x1', count: '0x1' }]), [upstreamTraces[1]]);
    // A count above the upstream's limit is the upstream's refusal, as that node gives it.
    await assert.rejects(rpc(fork!.url, 'trace_filter', [{ ...range, count: '0x2' }]), /invalid response count, requested 2, maximum supported is 1/);
  });

  // fidaudit4 V17: Lotus fills a log filter installed from a past block from its chain index
  // (chain/events/filter/event.go Install, Fill); on the fork that past is the upstream's.
  test('a log filter from a block before the fork epoch starts with the upstream\'s logs, then collects the fork\'s own', async () => {
    const theirs = await rpc(upstream.url, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: hex(forkEpoch) }]);
    assert.equal(theirs.length, 1);
    const fromGenesis = await rpc(fork!.url, 'eth_newFilter', [{ fromBlock: '0x0' }]);
    const range = await rpc(fork!.url, 'eth_newFilter', [{ fromBlock: hex(early.block), toBlock: hex(forkEpoch) }]);
    const elsewhere = await rpc(fork!.url, 'eth_newFilter', [{ fromBlock: '0x0', address: RECIPIENT }]);
    assert.deepEqual(await rpc(fork!.url, 'eth_getFilterLogs', [range]), theirs);
    assert.deepEqual(await rpc(fork!.url, 'eth_getFilterLogs', [elsewhere]), []);
    const own = await sendFromDev(fork!.url, { data: LOGGING_DEPLOYMENT });
    const changes = await rpc(fork!.url, 'eth_getFilterChanges', [fromGenesis]);
    assert.deepEqual(changes.slice(0, 1), theirs);
    assert.deepEqual(changes.slice(1).map((log: { transactionHash: string }) => log.transactionHash), [own.hash]);
    assert.deepEqual(await rpc(fork!.url, 'eth_getFilterChanges', [fromGenesis]), []);
  });

  // fidaudit4 V4: a Lotus gateway serves both (api/api_gateway.go ChainGetEvents, GetActorEventsRaw).
  test('actor events before the fork epoch are the upstream\'s: GetActorEventsRaw over that range, ChainGetEvents of a forked receipt\'s root', async () => {
    const upToFork = { fromHeight: 0, toHeight: forkEpoch };
    const theirs = await rpc(proxy!.url, 'Filecoin.GetActorEventsRaw', [upToFork]);
    assert.ok(theirs.length >= 1);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.GetActorEventsRaw', [upToFork]), theirs);
    // Across the fork epoch: the upstream's, then the fork's own (this case's deployment among them).
    const own = await sendFromDev(fork!.url, { data: LOGGING_DEPLOYMENT });
    const across = await rpc(fork!.url, 'Filecoin.GetActorEventsRaw', [{ fromHeight: 0 }]);
    assert.deepEqual(across.slice(0, theirs.length), theirs);
    assertForkOwn(across.slice(theirs.length), forkEpoch, own.block);
    const lookup = await rpc(fork!.url, 'Filecoin.StateSearchMsg', [null, await messageCid(atFork.hash), -1, true]);
    const root = lookup.Receipt.EventsRoot;
    assert.ok(root, 'the forked receipt has events');
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetEvents', [root]), await rpc(proxy!.url, 'Filecoin.ChainGetEvents', [root]));
  });

  // fidaudit4 V4's rest: Lotus's other filter form, a tipset key, and a subscription's backlog (lotus
  // b835fab70 node/impl/full/actor_events.go SubscribeActorEventsRaw: the events the filter collected
  // from fromHeight first, then each new tipset's; closed after the backlog when toHeight is reached).
  test('actor events by the key of an upstream tipset at or before the fork epoch, and a subscription\'s backlog from before it, are the upstream\'s', async () => {
    const upstreamKey = async (epoch: number) => (await rpc(proxy!.url, 'Filecoin.ChainGetTipSetByHeight', [epoch, null])).Cids;
    // The fork epoch's tipset (the fork's first: the upstream's, under its key) and an earlier one.
    for (const epoch of [forkEpoch, early.block]) {
      const filter = { tipsetKey: await upstreamKey(epoch) };
      const theirs = await rpc(proxy!.url, 'Filecoin.GetActorEventsRaw', [filter]);
      if (epoch === forkEpoch) assert.equal(theirs.length, 1, 'the deployment\'s event');
      assert.deepEqual(await rpc(fork!.url, 'Filecoin.GetActorEventsRaw', [filter]), theirs, `at ${epoch}`);
    }
    // The upstream's tipset after the fork epoch is not in the fork's chain: an unknown key.
    const past = { tipsetKey: await upstreamKey(later.block) };
    assert.equal(await rpc(proxy!.url, 'Filecoin.GetActorEventsRaw', [past]), null, 'the upstream knows it: a transfer, no events');
    await assert.rejects(rpc(fork!.url, 'Filecoin.GetActorEventsRaw', [past]), /not found/);

    const upToFork = { fromHeight: 0, toHeight: forkEpoch };
    const theirs = await rpc(proxy!.url, 'Filecoin.GetActorEventsRaw', [upToFork]);
    assert.deepEqual(await subscribedEvents(fork!.url, upToFork), { events: theirs, closed: true });
    // Open-ended: the upstream's, then the fork's own (this case's deployment among them), and the channel stays open.
    const own = await sendFromDev(fork!.url, { data: LOGGING_DEPLOYMENT });
    const across = await rpc(fork!.url, 'Filecoin.GetActorEventsRaw', [{ fromHeight: 0 }]);
    assert.deepEqual(across.slice(0, theirs.length), theirs);
    assertForkOwn(across.slice(theirs.length), forkEpoch, own.block);
    assert.deepEqual(await subscribedEvents(fork!.url, { fromHeight: 0 }, across.length), { events: across, closed: false });
  });

  // Lotus installs a subscription's filter with the tipset its tipsetKey names and sends the events it
  // collected there (b835fab70 node/impl/full/actor_events.go SubscribeActorEventsRaw: GetTipSetCid,
  // Install); the devnet closes the channel after them. On a fork, an upstream tipset's are the
  // upstream's, as GetActorEventsRaw answers them (fork-events.ts).
  test('a subscription by the key of an upstream tipset at or before the fork epoch sends the upstream\'s events of it, then closes', async () => {
    const upstreamKey = async (epoch: number) => (await rpc(proxy!.url, 'Filecoin.ChainGetTipSetByHeight', [epoch, null])).Cids;
    // The fork epoch's tipset (the fork's first: the upstream's, under its key) and an earlier one (a transfer: none).
    for (const epoch of [forkEpoch, early.block]) {
      const filter = { tipsetKey: await upstreamKey(epoch) };
      const theirs = (await rpc(proxy!.url, 'Filecoin.GetActorEventsRaw', [filter])) ?? [];
      if (epoch === forkEpoch) assert.equal(theirs.length, 1, 'the deployment\'s event');
      assert.deepEqual(await subscribedEvents(fork!.url, filter), { events: theirs, closed: true }, `at ${epoch}`);
    }
    // A tipset of the fork's own: its events.
    const own = await sendFromDev(fork!.url, { data: LOGGING_DEPLOYMENT });
    const ownKey = { tipsetKey: (await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [own.block, null])).Cids };
    const ownEvents = await rpc(fork!.url, 'Filecoin.GetActorEventsRaw', [ownKey]);
    assert.equal(ownEvents.length, 1);
    assert.deepEqual(await subscribedEvents(fork!.url, ownKey), { events: ownEvents, closed: true });
    // The upstream's tipset after the fork epoch is not in the fork's chain: an unknown key.
    await assert.rejects(subscribedEvents(fork!.url, { tipsetKey: await upstreamKey(later.block) }), /not found/);
  });
});

// fidaudit4 V14: the fork's state is the upstream's at one tipset; a reorg there must not mix two chains.
describe('a fork whose upstream reorganises at the fork epoch', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  useForkSuite('fvm-fork-reorg-', () => [fork, upstream]);

  test('a contract slot read after the reorg is never the new chain\'s: one first touched before or after is the fork point\'s, the upstream keeping the fork epoch\'s dropped tipset\'s state', async () => {
    upstream = await startDevnet([]);
    const snapshot = await rpc(upstream.url, 'evm_snapshot');
    /** Init code that stores `value` in slots 0 and 1 and deploys an empty contract. */
    const storing = (value: number) => `0x60${value.toString(16)}60005560${value.toString(16)}60015500`;
    const deploy = async (value: number) => {
      const sent = await sendFromDev(upstream.url, { data: storing(value) });
      return { ...sent, contract: (await rpc(upstream.url, 'eth_getTransactionReceipt', [sent.hash])).contractAddress as string };
    };
    const [first, second] = [await deploy(0x11), await deploy(0x33)];
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(second.block)]);
    const slot = (contract: string, n: number) => rpc(fork!.url, 'eth_getStorageAt', [contract, hex(n), 'latest']);
    assert.equal(BigInt(await slot(first.contract, 0)), 0x11n);
    // Another history at the same heights: the same contract addresses, other values.
    await rpc(upstream.url, 'evm_revert', [snapshot]);
    const again = [await deploy(0x22), await deploy(0x44)];
    assert.deepEqual(again.map((d) => [d.contract, d.block]), [first, second].map((d) => [d.contract, d.block]));
    await rpc(upstream.url, 'anvil_mine', ['0x2']);
    // The first contract's storage came whole with it at the fork point (its KAMT's values).
    assert.equal(BigInt(await slot(first.contract, 1)), 0x11n);
    // Its actor is read at the fork point's state key: a tipset the upstream's revert dropped, whose
    // state the upstream keeps, as Lotus keeps a reorged tipset's (a devnet upstream refused it before).
    assert.equal(BigInt(await slot(second.contract, 1)), 0x33n);
    assert.equal(BigInt(await slot(first.contract, 0)), 0x11n);
  });
});
