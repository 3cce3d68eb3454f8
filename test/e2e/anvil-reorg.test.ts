// anvil_reorg end to end, as a Foundry user sends it (`cast rpc anvil_reorg <depth> <pairs>`) and as
// an indexer watching the chain sees it: viem's WebSocket log watcher, a newHeads subscription, a
// Lotus ChainNotify channel and a polled log filter; the new chain's blocks, receipts and state;
// --state after a reorg; the refusals, which leave the chain as it was; and a fork's reorg, of its own
// tipsets only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getCreateAddress, JsonRpcProvider } from 'ethers';
import { createPublicClient, webSocket, type Log } from 'viem';
import WebSocket from 'ws';
import { DEV_ACCOUNTS, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rpc as jsonRpc, sendFromDev } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { cast, castOk } from '../helpers/foundry.js';
import { LOG_EMITTER_INITCODE, word } from '../helpers/log-emitter.js';
import { devnetChain } from '../helpers/viem-devnet.js';

const SINK = '0x0000000000000000000000000000000000000042';

interface Block {
  number: string;
  hash: string;
  timestamp: string;
  transactions: string[];
}

describe('anvil_reorg through cast, watched over WebSocket', () => {
  let devnet: DevnetProcess;
  let tmp: string;
  const [dev0, dev1] = [DEV_ACCOUNTS[0]!, DEV_ACCOUNTS[1]!];
  const rpcUrl = (node = devnet): string[] => ['--rpc-url', node.url];
  const rpc = async <T = unknown>(method: string, ...params: string[]): Promise<T> => JSON.parse(await castOk(['rpc', method, ...params, ...rpcUrl()])) as T;
  const block = (n: number | string, node = devnet) => castOk(['rpc', 'eth_getBlockByNumber', typeof n === 'number' ? '0x' + n.toString(16) : n, 'false', ...rpcUrl(node)]).then((out) => JSON.parse(out) as Block);
  const refusal = async (...params: string[]): Promise<string> => {
    const r = await cast(['rpc', 'anvil_reorg', ...params, ...rpcUrl()]);
    assert.notEqual(r.code, 0, `anvil_reorg should be refused; stdout: ${r.stdout}`);
    return r.stderr;
  };
  const send = async (...args: string[]) => JSON.parse(await castOk(['send', '--json', ...rpcUrl(), ...args])) as { transactionHash: string; blockNumber: string };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fvm-reorg-'));
    devnet = await startDevnet(['--state', join(tmp, 'chain.json')]);
  });

  after(async () => {
    await devnet?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the dropped blocks\' transactions are gone, the new ones hold what was given; watchers see the removed logs, then the new, once each', async (t) => {
    const emitter = getCreateAddress({ from: dev0.address, nonce: Number(await castOk(['nonce', dev0.address, ...rpcUrl()])) });
    await send('--private-key', dev0.privateKey, '--create', LOG_EMITTER_INITCODE);

    // The watchers, before the chain they watch is mined.
    const client = createPublicClient({ chain: devnetChain(devnet.url), transport: webSocket(devnet.wsUrl, { reconnect: false, retryCount: 0 }) });
    const watched: Log[] = [];
    const unwatch = client.watchEvent({ address: emitter as `0x${string}`, onLogs: (logs) => watched.push(...logs) });
    // viem's socket would keep the test process alive.
    t.after(async () => {
      unwatch();
      (await client.transport.getRpcClient()).close();
    });
    // viem subscribes in the background: logs are sent until one reaches it (review R30), then forgotten;
    // a watcher that never gets one fails the test rather than spinning.
    for (let live = false, tries = 0; !live; tries++) {
      assert.ok(tries < 10, "viem's log watcher received none of 10 warm-up logs");
      const warmUp = await send('--private-key', dev0.privateKey, emitter, word(0));
      live = await pollUntil('a warm-up log', async () => (watched.some((l) => l.transactionHash === warmUp.transactionHash) ? true : undefined), { attempts: 10 }).catch(() => false);
    }
    watched.length = 0;
    const socket = new WebSocket(devnet.wsUrl);
    t.after(() => socket.close());
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const messages: { id?: number; method?: string; params?: any; result?: any }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'Filecoin.ChainNotify', params: [] }));
    await pollUntil('the subscriptions', async () => (messages.filter((m) => m.id !== undefined).length === 2 ? true : undefined));
    const heads = () => messages.filter((m) => m.method === 'eth_subscription').map((m) => m.params.result as Block);
    const headChanges = () => messages.filter((m) => m.method === 'xrpc.ch.val').map((m) => m.params[1] as { Type: string; Val: { Height: number } }[]).slice(1);
    const filter = await rpc<string>('eth_newFilter', JSON.stringify({ address: emitter }));
    // A filter from 'latest' starts with the latest block's logs, as Lotus's: the warm-up's, taken here.
    await rpc('eth_getFilterChanges', filter);
    const logged = await send('--private-key', dev0.privateKey, emitter, word(1));
    await pollUntil('the first log', async () => (watched.length === 1 ? true : undefined));
    assert.deepEqual((await rpc<{ data: string; removed: boolean }[]>('eth_getFilterChanges', filter)).map((l) => [l.data, l.removed]), [[word(1), false]]);
    const transfer = await send('--private-key', dev1.privateKey, SINK, '--value', '5');
    await rpc('anvil_mine', '1');
    const first = Number(logged.blockNumber);
    const head = await block('latest');
    assert.equal(Number(head.number), first + 2);
    assert.equal(Number(transfer.blockNumber), first + 1);
    const dropped = [await block(first), await block(first + 1), head];
    const parent = await block(first - 1);
    const sinkBefore = BigInt(await castOk(['balance', SINK, ...rpcUrl()]));
    const dev1Nonce = await castOk(['nonce', dev1.address, ...rpcUrl()]);

    // The transfer again, of 7 this time and two blocks later, estimated where SINK does not exist yet
    // (it costs more than on the head); another log in the first new block.
    const pairs = [
      [{ from: dev1.address, to: SINK, value: '0x7' }, 2],
      [{ from: dev0.address, to: emitter, data: word(2) }, 0],
    ];
    assert.equal(await rpc('anvil_reorg', '3', JSON.stringify(pairs)), null);

    const reorged = [await block(first), await block(first + 1), await block('latest')];
    assert.deepEqual(reorged.map((b) => Number(b.number)), [first, first + 1, first + 2]);
    for (const [i, b] of reorged.entries()) assert.notEqual(b.hash, dropped[i]!.hash, `block ${b.number} is a new block`);
    assert.deepEqual(await block(first - 1), parent);
    const timestamps = reorged.map((b) => Number(b.timestamp));
    assert.ok(timestamps[0]! > Number(head.timestamp) && timestamps[1]! > timestamps[0]! && timestamps[2]! > timestamps[1]!, `timestamps ${timestamps} after the old head's ${Number(head.timestamp)}`);
    assert.deepEqual(reorged.map((b) => b.transactions.length), [1, 0, 1]);
    for (const hash of [logged.transactionHash, transfer.transactionHash]) {
      assert.equal(await rpc('eth_getTransactionReceipt', hash), null);
      assert.equal(await rpc('eth_getTransactionByHash', hash), null);
    }
    const remined = await rpc<{ status: string; blockNumber: string; from: string; gasUsed: string }>('eth_getTransactionReceipt', reorged[2]!.transactions[0]!);
    assert.deepEqual([remined.status, Number(remined.blockNumber), remined.from], ['0x1', first + 2, dev1.address.toLowerCase()]);
    assert.equal(BigInt(await castOk(['balance', SINK, ...rpcUrl()])), sinkBefore - 5n + 7n);
    assert.equal(await castOk(['nonce', dev1.address, ...rpcUrl()]), dev1Nonce);
    assert.deepEqual((await rpc<{ data: string }[]>('eth_getLogs', JSON.stringify({ address: emitter, fromBlock: '0x' + first.toString(16) }))).map((l) => l.data), [word(2)]);

    // The watchers: the dropped log removed, then the new one, each once.
    await pollUntil('the reorg\'s logs', async () => (watched.length === 3 ? true : undefined));
    assert.deepEqual(watched.map((l) => [l.data, l.removed, Number(l.blockNumber)]), [[word(1), false, first], [word(1), true, first], [word(2), false, first]]);
    assert.deepEqual((await rpc<{ data: string; removed: boolean }[]>('eth_getFilterChanges', filter)).map((l) => [l.data, l.removed]), [[word(1), true], [word(2), false]]);
    await pollUntil('the new heads', async () => (heads().length === 6 ? true : undefined));
    assert.deepEqual(heads().map((h) => h.hash), [...dropped, ...reorged].map((b) => b.hash));
    // Lotus's ChainNotify: the reorg as one head change, its reverts (newest first), then its applies.
    await pollUntil('the head change', async () => (headChanges().length === 4 ? true : undefined));
    assert.deepEqual(headChanges().at(-1)!.map((c) => [c.Type, c.Val.Height]), [['revert', first + 2], ['revert', first + 1], ['revert', first], ['apply', first], ['apply', first + 1], ['apply', first + 2]]);

    // A signed transaction, in Anvil's other form, replaces the head: its gas as cast estimates it on
    // the head would not create SINK again, so it is given.
    const nonce = Number(await castOk(['nonce', dev1.address, ...rpcUrl()]));
    const raw = await castOk(['mktx', '--private-key', dev1.privateKey, SINK, '--value', '9', '--nonce', String(nonce - 1), '--gas-limit', String(remined.gasUsed), ...rpcUrl()]);
    assert.equal(await rpc('anvil_reorg', '1', JSON.stringify([[raw, 0]])), null);
    assert.equal(BigInt(await castOk(['balance', SINK, ...rpcUrl()])), sinkBefore - 5n + 9n);
  });

  test('refused: a depth of 0 or past the chain, a block past the new ones, a transaction that cannot be decoded, signed, or run at its nonce; the chain as it was', async () => {
    // A chain of its own to refuse on, whatever the test before left.
    await send('--private-key', dev1.privateKey, SINK, '--value', '1');
    await rpc('anvil_mine', '12');
    const before = await block('latest');
    const height = Number(before.number);
    // F3 finalizes the tipset 10 epochs behind the head (--f3-lag's default): a reorg may not replace it.
    assert.match(await refusal('11', '[]'), new RegExp(`-32602: Reorg depth must not reach the finalized tipset \\(epoch ${height - 10}, --f3-lag 10 behind the head\\)`));
    assert.match(await refusal('0', '[]'), /-32602: Reorg depth must be at least 1/);
    assert.match(await refusal(String(height + 1), '[]'), new RegExp(`-32602: Reorg depth must not exceed current chain height: current height ${height}, depth ${height + 1}`));
    assert.match(await refusal('2', JSON.stringify([[{ to: SINK }, 2]])), /-32602: Block number for reorg tx will exceed the reorged chain height. Block number 2 must not exceed \(depth-1\) 1/);
    assert.match(await refusal('1', JSON.stringify([['0x1234', 0]])), /-32602: txBlockPairs\[0\]\[0\]: Failed to decode transaction/);
    assert.match(await refusal('1', JSON.stringify([[{ from: SINK, to: SINK }, 0]])), /-32602: txBlockPairs\[0\]\[0\]: No Signer available/);
    // Checked on the new chain's parent: the nonce there, whatever the head holds.
    const nonce = Number(await castOk(['nonce', dev1.address, '--block', String(height - 1), ...rpcUrl()]));
    const ahead = await castOk(['mktx', '--private-key', dev1.privateKey, SINK, '--value', '1', '--nonce', String(nonce + 5), ...rpcUrl()]);
    assert.match(await refusal('1', JSON.stringify([[ahead, 0]])), new RegExp(`-32602: transaction 0x[0-9a-f]{64} \\(block 0 of the reorg\\): wrong nonce \\(exp: ${nonce}, got: ${nonce + 5}\\)`));
    assert.deepEqual(await block('latest'), before);
  });

  test('--state: the chain after a reorg (its params as one object, as alloy sends them) loads back', async () => {
    const options = { depth: 2, tx_block_pairs: [[{ from: dev0.address, to: SINK, value: '0x3' }, 1]] };
    assert.equal(JSON.parse(await castOk(['rpc', '--raw', 'anvil_reorg', JSON.stringify(options), ...rpcUrl()])), null);
    const head = await block('latest');
    assert.equal(head.transactions.length, 1);
    const sink = await castOk(['balance', SINK, ...rpcUrl()]);
    await devnet.stop();
    devnet = await startDevnet(['--state', join(tmp, 'chain.json')]);
    assert.deepEqual(await block('latest'), head);
    assert.equal(await castOk(['balance', SINK, ...rpcUrl()]), sink);
  });
});

describe('anvil_reorg on a fork: only the fork\'s own tipsets', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;

  useForkSuite('fvm-reorg-fork-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(['--storage-providers', '0']);
    await jsonRpc(upstream.url, 'anvil_mine', ['0x3']);
    fork = await startDevnet(['--storage-providers', '0', '--fork-url', upstream.url, '--fork-block-number', '3']);
  });

  test('a transfer on the fork re-mined a block later by ethers\' node; deeper than the fork\'s first tipset is refused', async () => {
    const first = Number(await jsonRpc(fork.url, 'eth_blockNumber'));
    assert.equal(first, 3);
    const sent = await sendFromDev(fork.url, { to: SINK, value: 5n });
    assert.equal(sent.block, first + 1);
    await jsonRpc(fork.url, 'anvil_mine', ['0x1']);
    const provider = new JsonRpcProvider(fork.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      await jsonRpc(fork.url, 'anvil_reorg', [2, [[{ from: DEV_ACCOUNTS[0]!.address, to: SINK, value: '0x6' }, 1]]]);
      assert.equal(await provider.getBlockNumber(), first + 2);
      assert.equal(await provider.getTransactionReceipt(sent.hash), null);
      assert.equal(await provider.getBalance(SINK), 6n);
      const block = await provider.getBlock(first + 2);
      assert.equal(block!.transactions.length, 1);
      await assert.rejects(jsonRpc(fork.url, 'anvil_reorg', [3, []]), new RegExp(`Reorg depth must not exceed current chain height: current height ${first + 2}, depth 3 \\(this chain starts at epoch ${first}\\)`));
      assert.equal(await provider.getBlockNumber(), first + 2);
    } finally {
      provider.destroy();
    }
  });
});
