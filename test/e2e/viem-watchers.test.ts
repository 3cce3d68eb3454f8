// viem's watchers as its docs write them and as wagmi's hooks call them (useWatchContractEvent,
// useBlockNumber({ watch: true }), …): over http(), so they poll, on a full node through filters
// (eth_newFilter / eth_newPendingTransactionFilter + eth_getFilterChanges), and against --gateway-only,
// which refuses filters over HTTP as calibnet's public endpoints do, through eth_getLogs, viem's
// fallback (viem/src/actions/public/watchContractEvent.ts, watchEvent.ts); and a node restarted under
// them, which README's filter paragraph describes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BaseError, RpcRequestError, createPublicClient, parseAbiItem, type Address, type Block, type Hash, webSocket } from 'viem';
import { pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { devnetClients } from '../helpers/viem-devnet.js';

const INCREMENTED = parseAbiItem('event Incremented(address indexed by, uint256 newCount)');

/** A log as the watchers hand it over, decoded. */
interface Seen {
  newCount: bigint;
  transactionHash: Hash | null;
  removed: boolean;
}

/** How many calls of `method` the node has answered so far (its log has a line for each, errors included). */
function answered(node: DevnetProcess, method: string): number {
  return node.output().match(new RegExp(`^${method}(?= |$)`, 'gm'))?.length ?? 0;
}

/** An onLogs that keeps what each Incremented log says in `into`. */
function seen(into: Seen[]) {
  return (logs: { args: { newCount?: bigint }; transactionHash: Hash | null; removed: boolean }[]) =>
    into.push(...logs.map((l) => ({ newCount: l.args.newCount!, transactionHash: l.transactionHash, removed: l.removed })));
}

describe("viem's watchers over http() (and webSocket() across a restart)", () => {
  let artifacts: Record<string, CompiledContract>;
  const nodes: DevnetProcess[] = [];

  before(async () => {
    artifacts = await compileFixtures();
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  async function start(args: string[]) {
    const node = await startDevnet(args);
    nodes.push(node);
    // As the docs write it, with a shorter polling interval than viem's 4 s.
    const { publicClient: client, walletClient: wallet } = devnetClients(node.url, 1);
    const { abi, bytecode } = artifacts.Counter!;
    const deployed = await client.waitForTransactionReceipt({ hash: await wallet.deployContract({ abi, bytecode }) });
    const address = deployed.contractAddress as Address;
    const increment = async () => {
      const hash = await wallet.writeContract({ address, abi, functionName: 'increment' });
      return client.waitForTransactionReceipt({ hash });
    };
    const calls = (method: string) => answered(node, method);
    return { node, chain: client.chain, client, address, firstBlock: deployed.blockNumber + 1n, increment, calls };
  }

  test('on a full node: watchContractEvent, watchEvent, watchBlocks, watchBlockNumber and watchPendingTransactions poll filters and hand over each increment once', async () => {
    const { client, address, increment, calls } = await start([]);
    const errors: unknown[] = [];
    const onError = (e: Error) => errors.push(e);
    const contractLogs: Seen[] = [];
    const eventLogs: Seen[] = [];
    const blocks: Block[] = [];
    const numbers: bigint[] = [];
    const pending: Hash[] = [];
    const unwatch = [
      client.watchContractEvent({ address, abi: artifacts.Counter!.abi, eventName: 'Incremented', onLogs: seen(contractLogs) as never, onError }),
      client.watchEvent({ address, event: INCREMENTED, onLogs: seen(eventLogs), onError }),
      // emitMissed: a poll otherwise hands over only the newest of the blocks mined since the last.
      client.watchBlocks({ emitOnBegin: true, emitMissed: true, onBlock: (b) => blocks.push(b), onError }),
      client.watchBlockNumber({ emitOnBegin: true, emitMissed: true, onBlockNumber: (n) => numbers.push(n), onError }),
      client.watchPendingTransactions({ onTransactions: (hashes) => pending.push(...hashes), onError }),
    ];
    try {
      // Each watcher's first poll installs its filter or reads the head it counts from.
      await pollUntil('the watchers\' filters and first blocks', async () =>
        calls('eth_newFilter') === 2 && calls('eth_newPendingTransactionFilter') === 1 && blocks.length > 0 && numbers.length > 0 ? true : undefined);
      const receipts = [];
      for (let i = 0; i < 3; i++) receipts.push(await increment());
      const hashes = receipts.map((r) => r.transactionHash);
      const last = receipts.at(-1)!.blockNumber;
      await pollUntil('every watcher to see the three increments', async () =>
        contractLogs.length >= 3 && eventLogs.length >= 3 && blocks.some((b) => b.number! >= last) && numbers.some((n) => n >= last) &&
        hashes.every((h) => pending.includes(h)) ? true : undefined);

      assert.deepEqual(errors, []);
      const expected = receipts.map((r, i) => ({ newCount: BigInt(i + 1), transactionHash: r.transactionHash, removed: false }));
      assert.deepEqual(contractLogs, expected);
      assert.deepEqual(eventLogs, expected);
      for (const r of receipts) {
        assert.equal(blocks.find((b) => b.number === r.blockNumber)?.hash, r.blockHash, `watchBlocks handed over block ${r.blockNumber}`);
        assert.ok(numbers.includes(r.blockNumber), `watchBlockNumber handed over ${r.blockNumber}: ${numbers.join(', ')}`);
      }
      const consecutive = (ns: bigint[]) => ns.every((n, i) => i === 0 || n === ns[i - 1]! + 1n);
      assert.ok(consecutive(numbers), `block numbers one after another: ${numbers.join(', ')}`);
      assert.ok(consecutive(blocks.map((b) => b.number!)), `blocks one after another: ${blocks.map((b) => b.number).join(', ')}`);
      // Through the filters, not viem's eth_getLogs fallback.
      assert.ok(calls('eth_getFilterChanges') > 0);
      assert.equal(calls('eth_getLogs'), 0);
    } finally {
      for (const u of unwatch) u();
    }
  });

  // README "A revert undoes logs out loud": what viem's watchers hand to onLogs across evm_revert
  // (Hardhat's loadFixture between tests), through a filter over http() and a subscription over webSocket().
  test('across evm_revert: watchContractEvent over http() and webSocket() hands over the undone increments with removed: true, newest first, then the new ones, once each', async (t) => {
    const { node, chain, client, address, increment, calls } = await start([]);
    const ws = createPublicClient({ chain, transport: webSocket(node.wsUrl) });
    const errors: Error[] = [];
    const overHttp: Seen[] = [];
    const overWs: Seen[] = [];
    const watch = (c: typeof client | typeof ws, into: Seen[]) =>
      c.watchContractEvent({ address, abi: artifacts.Counter!.abi, eventName: 'Incremented', onLogs: seen(into) as never, onError: (e) => errors.push(e) });
    const unwatch = [watch(client, overHttp), watch(ws, overWs)];
    t.after(async () => {
      for (const u of unwatch) u();
      (await ws.transport.getRpcClient()).close();
    });
    await pollUntil('the filter and the subscription', async () => (calls('eth_newFilter') === 1 && calls('eth_subscribe') === 1 ? true : undefined));
    const snapshot = await client.request({ method: 'evm_snapshot' as never });
    const undone = [await increment(), await increment()];
    await pollUntil('both watchers to see the two increments', async () => (overHttp.length === 2 && overWs.length === 2 ? true : undefined));
    assert.equal(await client.request({ method: 'evm_revert' as never, params: [snapshot] as never }), true);
    const redone = await increment();
    await pollUntil('both watchers to see the undone increments and the new one', async () => (overHttp.length === 5 && overWs.length === 5 ? true : undefined));

    const log = (r: { transactionHash: Hash }, newCount: bigint, removed: boolean): Seen => ({ newCount, transactionHash: r.transactionHash, removed });
    const expected = [log(undone[0]!, 1n, false), log(undone[1]!, 2n, false), log(undone[1]!, 2n, true), log(undone[0]!, 1n, true), log(redone, 1n, false)];
    assert.deepEqual(overHttp, expected);
    assert.deepEqual(overWs, expected);
    assert.equal(redone.blockNumber, undone[0]!.blockNumber);
    assert.deepEqual(errors, []);
  });

  test('against --gateway-only (calibnet\'s public endpoints): eth_newFilter is refused over HTTP, so the event watchers read eth_getLogs and hand over each increment once; watchPendingTransactions reports the refusal', async () => {
    const { client, address, firstBlock, increment, calls } = await start(['--gateway-only']);
    const errors: Error[] = [];
    const contractLogs: Seen[] = [];
    const eventLogs: Seen[] = [];
    const pendingErrors: Error[] = [];
    // fromBlock: without it the fallback counts from the head its first poll reads, which may come
    // after the first increment.
    const unwatch = [
      client.watchContractEvent({ address, abi: artifacts.Counter!.abi, eventName: 'Incremented', fromBlock: firstBlock, onLogs: seen(contractLogs) as never, onError: (e) => errors.push(e) }),
      client.watchEvent({ address, event: INCREMENTED, fromBlock: firstBlock, onLogs: seen(eventLogs), onError: (e) => errors.push(e) }),
      client.watchPendingTransactions({ onTransactions: () => {}, onError: (e) => pendingErrors.push(e) }),
    ];
    try {
      await pollUntil('the gateway to refuse both event watchers\' filters', async () => (calls('eth_newFilter') === 2 ? true : undefined));
      const receipts = [];
      for (let i = 0; i < 3; i++) receipts.push(await increment());
      await pollUntil('the event watchers to see the three increments', async () =>
        contractLogs.length >= 3 && eventLogs.length >= 3 && pendingErrors.length > 0 ? true : undefined);

      assert.deepEqual(errors, []);
      const expected = receipts.map((r, i) => ({ newCount: BigInt(i + 1), transactionHash: r.transactionHash, removed: false }));
      assert.deepEqual(contractLogs, expected);
      assert.deepEqual(eventLogs, expected);
      assert.ok(calls('eth_getLogs') > 0);
      assert.equal(calls('eth_getFilterChanges'), 0);
      assert.match(pendingErrors[0]!.message, /stateful methods are only available on websocket connections/);
    } finally {
      for (const u of unwatch) u();
    }
  });
  test('the node restarted under them (same port, --state): webSocket() watchers resubscribe and go on; http() ones get Lotus\'s `filter not found` (code 1) on every poll and make no new filter, as against a restarted calibnet Lotus', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fvm-watchers-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const state = join(dir, 'chain.json');
    const { node, chain, client, address, increment, calls } = await start(['--state', state]);
    // viem 2.57's socket retries once `delay` after the close, and gives up for good if that connect is
    // refused (utils/rpc/socket.ts: the failed setup() is only logged, and the error it reports finds a
    // reconnect still in progress), so more `attempts` do not help: the default 2 s is shorter than a
    // save, exit and start at load 12 (3 runs in 3 failed): wait longer than the restart takes.
    const reconnectDelayMs = 10_000;
    const ws = createPublicClient({ chain, transport: webSocket(node.wsUrl, { reconnect: { delay: reconnectDelayMs } }) });
    const overHttp: Seen[] = [];
    const overWs: Seen[] = [];
    const httpErrors: Error[] = [];
    const unwatch = [
      client.watchEvent({ address, event: INCREMENTED, onLogs: seen(overHttp), onError: (e) => httpErrors.push(e) }),
      ws.watchEvent({ address, event: INCREMENTED, onLogs: seen(overWs) }),
    ];
    // The node that answers now: the first, then the restarted one.
    let live = node;
    t.after(async () => {
      for (const u of unwatch) u();
      (await ws.transport.getRpcClient()).close();
      // viem's http() watchEvent stops polling only after its eth_uninstallFilter is answered
      // (watchEvent.ts: the cleanup awaits uninstallFilter, then unwatch()); refused by a node stopped
      // meanwhile (describe's after), it would poll the closed port for ever and the process never exit.
      await pollUntil('the node to answer viem\'s eth_uninstallFilter', async () => (answered(live, 'eth_uninstallFilter') === 1 ? true : undefined));
    });
    await pollUntil('the filter and the subscription', async () => (calls('eth_newFilter') === 1 && calls('eth_subscribe') === 1 ? true : undefined));
    const first = await increment();
    await pollUntil('both watchers to see the first increment', async () => (overHttp.length === 1 && overWs.length === 1 ? true : undefined));

    // The socket closes once the stop begins; viem's one retry finds the node only if it is up by then.
    const restartStart = performance.now();
    await node.stop();
    const again = await startDevnet(['--port', String(node.port), '--state', state]);
    nodes.push(again);
    live = again;
    const restartMs = Math.round(performance.now() - restartStart);
    assert.ok(restartMs < reconnectDelayMs, `the restart took ${restartMs} ms, longer than viem's reconnect delay (${reconnectDelayMs} ms): viem 2.57 retries once and does not retry after a refused connect`);
    // viem's socket reconnects (10 s after the close) and subscribes again.
    await pollUntil('viem to subscribe again', async () => (answered(again, 'eth_subscribe') === 1 ? true : undefined), { attempts: 600 });
    const second = await increment();
    // The node's answers to the http() watcher's polls (not the refused connections while it was down).
    const answers = () => httpErrors.map((e) => (e instanceof BaseError ? e.walk((c) => c instanceof RpcRequestError) : undefined))
      .filter((c): c is RpcRequestError => c instanceof RpcRequestError);
    await pollUntil('the WebSocket watcher to see the second increment, and two answered polls', async () =>
      overWs.length === 2 && answers().length >= 2 ? true : undefined);

    assert.deepEqual(overWs.map((l) => [l.newCount, l.transactionHash]), [[1n, first.transactionHash], [2n, second.transactionHash]]);
    assert.deepEqual(overHttp.map((l) => [l.newCount, l.transactionHash]), [[1n, first.transactionHash]]);
    assert.equal(answered(again, 'eth_newFilter'), 0, 'viem makes a new filter only for -32000 (Anvil\'s code)');
    for (const a of answers()) assert.deepEqual([a.code, a.details], [1, 'filter not found']);
  });
});
