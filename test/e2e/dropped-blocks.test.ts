// An indexer arriving as Ponder does over WebSocket: it hears a new head, queues it, and fetches it
// by hash (block, logs, receipts) before it checks the parent. A revert or reorg in between drops
// that head; Lotus still answers it by hash from its blockstore (its logs as reverted), so the
// indexer sees the fork by the parent and walks back, where it retried on an error for a minute.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { JsonRpcProvider } from 'ethers';
import { createPublicClient, webSocket, type Hash, type Hex } from 'viem';
import { pollUntil } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { BLOCK_READER_INITCODE, BLOCK_READER_RUNTIME, readerAnswer } from '../helpers/block-reader.js';
import { LOG_EMITTER_INITCODE, word } from '../helpers/log-emitter.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { devnetClients } from '../helpers/viem-devnet.js';

describe('a dropped head fetched by hash, as an indexer queues it', () => {
  const devnet = useDevnet();

  const clients = (t: TestContext) => {
    const { walletClient: wallet } = devnetClients(devnet.url, 0);
    const ws = createPublicClient({ chain: wallet.chain, transport: webSocket(devnet.wsUrl, { reconnect: false, retryCount: 0 }) });
    t.after(async () => (await ws.transport.getRpcClient()).close());
    return { ws, wallet };
  };

  type Clients = ReturnType<typeof clients>;

  /** Heads as the indexer hears them over newHeads, queued by hash. */
  const watchHeads = (ws: Clients['ws']) => {
    const heads: Hash[] = [];
    const unwatch = ws.watchBlocks({ onBlock: (block) => heads.push(block.hash!), onError: (e) => assert.fail(e) });
    return { heads, unwatch };
  };

  /** A log emitter deployed and called: the head holding the call, once the indexer heard it. */
  const emitOnce = async ({ ws, wallet }: Clients, heads: Hash[], value: number): Promise<Hash> => {
    const deployed = await ws.waitForTransactionReceipt({ hash: await wallet.sendTransaction({ data: LOG_EMITTER_INITCODE as Hex }) });
    const called = await ws.waitForTransactionReceipt({ hash: await wallet.sendTransaction({ to: deployed.contractAddress!, data: word(value) as Hex }) });
    await pollUntil('the indexer hears the head', async () => heads.includes(called.blockHash) || undefined);
    return called.blockHash;
  };

  /** What the indexer fetches for a queued head, by hash: the block, its logs, its receipts. */
  const fetchQueued = async (ws: Clients['ws'], head: Hash) => {
    const block = await ws.getBlock({ blockHash: head, includeTransactions: true });
    const logs = await ws.getLogs({ blockHash: head });
    const receipts = await ws.request({ method: 'eth_getBlockReceipts' as never, params: [head] as never });
    return { block, logs, receipts: receipts as { logs: { removed: boolean }[] }[] };
  };

  test('after evm_revert (loadFixture) the queued head answers by hash, its logs removed; its parent shows where the chain went back', async (t) => {
    const c = clients(t);
    const { heads, unwatch } = watchHeads(c.ws);
    const snapshot = await c.ws.request({ method: 'evm_snapshot' as never });
    const before = await c.ws.getBlockNumber();
    const head = await emitOnce(c, heads, 1);
    const queued = await fetchQueued(c.ws, head);
    assert.equal(queued.logs.length, 1);
    assert.equal(await c.ws.request({ method: 'evm_revert' as never, params: [snapshot] as never }), true);

    const after = await fetchQueued(c.ws, head);
    assert.equal(after.block.hash, head);
    assert.deepEqual(after.block.transactions, queued.block.transactions);
    assert.deepEqual(after.logs, queued.logs.map((log) => ({ ...log, removed: true })));
    assert.equal(after.receipts[0]!.logs[0]!.removed, true);
    // The chain is back at the snapshot: the head's number is beyond it, its parent's still on it.
    assert.equal(await c.ws.getBlockNumber(), before);
    const parent = await c.ws.getBlock({ blockHash: after.block.parentHash });
    assert.equal(parent.number, after.block.number - 1n);
    // ethers by hash too.
    const provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true });
    assert.equal((await provider.getBlock(head))?.hash, head);
    provider.destroy();
    unwatch();
  });

  test('after evm_revert a dropped block\'s state by its hash, through ethers and viem: as that block had it, its calls too', async (t) => {
    const c = clients(t);
    // Uncached: a read by number is asked again after the revert.
    const provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    t.after(() => provider.destroy());
    const sender = c.wallet.account.address;
    const snapshot = await c.ws.request({ method: 'evm_snapshot' as never });
    const deployed = await c.ws.waitForTransactionReceipt({ hash: await c.wallet.sendTransaction({ data: BLOCK_READER_INITCODE as Hex }) });
    const reader = deployed.contractAddress!;
    const parent = (await c.ws.getBlock({ blockHash: deployed.blockHash })).parentHash;
    await c.ws.request({ method: 'evm_mine' as never });
    // What ethers reads at the deployment's block by number while it is on the chain (not the head).
    const at = deployed.blockNumber;
    const before = {
      balance: await provider.getBalance(sender, at),
      nonce: await provider.getTransactionCount(sender, at),
      code: await provider.getCode(reader, at),
      slot: await provider.getStorage(reader, 0, at),
      call: await provider.call({ to: reader, data: word(Number(at) - 1), blockTag: at }),
    };
    assert.equal(before.code, BLOCK_READER_RUNTIME);
    assert.equal(before.call, readerAnswer(parent));
    assert.equal(await c.ws.request({ method: 'evm_revert' as never, params: [snapshot] as never }), true);
    // The chain goes on without the reader, the sender's balance set by a cheat code; undone for the next cases.
    const restore = await c.ws.request({ method: 'evm_snapshot' as never });
    t.after(() => rpc(devnet.url, 'evm_revert', [restore]));
    await c.ws.request({ method: 'anvil_setBalance' as never, params: [sender, '0x1'] as never });
    await c.ws.request({ method: 'anvil_mine' as never, params: ['0x3'] as never });
    assert.equal(await provider.getCode(reader, at), '0x');

    // ethers sends the hash as the block tag; Lotus reads the reorged tipset's state.
    const hash = deployed.blockHash;
    assert.deepEqual(
      {
        balance: await provider.getBalance(sender, hash),
        nonce: await provider.getTransactionCount(sender, hash),
        code: await provider.getCode(reader, hash),
        slot: await provider.getStorage(reader, 0, hash),
        call: await provider.call({ to: reader, data: word(Number(at) - 1), blockTag: hash }),
      },
      before,
    );
    // viem with EIP-1898's object; requireCanonical refuses a block off the chain, in Lotus's words.
    const call = { to: reader, data: word(Number(at) - 1) };
    assert.equal(await c.ws.request({ method: 'eth_call' as never, params: [call, { blockHash: hash }] as never }), before.call);
    await assert.rejects(c.ws.request({ method: 'eth_call' as never, params: [call, { blockHash: hash, requireCanonical: true }] as never }), /tipset is not canonical/);
  });

  test('after evm_revert debug_traceBlockByHash of a dropped block answers what it traced before, BLOCKHASH reading its own parent; debug_traceCall on one too', async (t) => {
    const c = clients(t);
    const snapshot = await c.ws.request({ method: 'evm_snapshot' as never });
    const deployed = await c.ws.waitForTransactionReceipt({ hash: await c.wallet.sendTransaction({ data: BLOCK_READER_INITCODE as Hex }) });
    // A transaction asking the reader for BLOCKHASH of the deployment's block: the dropped parent of its own.
    const called = await c.ws.waitForTransactionReceipt({ hash: await c.wallet.sendTransaction({ to: deployed.contractAddress!, data: word(Number(deployed.blockNumber)) as Hex }) });
    assert.equal(called.blockNumber, deployed.blockNumber + 1n);
    const trace = (tracer: object) => c.ws.request({ method: 'debug_traceBlockByHash' as never, params: [called.blockHash, tracer] as never }) as Promise<{ txHash: Hash; result: any }[]>;
    const tracers = [{}, { tracer: 'callTracer' }, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }];
    // A call on the deployment's block (not the head), by its hash, for BLOCKHASH of its parent.
    const call = { to: deployed.contractAddress!, data: word(Number(deployed.blockNumber) - 1) };
    const traceCall = () => c.ws.request({ method: 'debug_traceCall' as never, params: [call, { blockHash: deployed.blockHash }, { tracer: 'callTracer' }] as never }) as Promise<{ output: Hex }>;
    const before = await Promise.all(tracers.map(trace));
    assert.equal(before[1]![0]!.result.output, readerAnswer(deployed.blockHash));
    const callBefore = await traceCall();
    assert.equal(callBefore.output, readerAnswer((await c.ws.getBlock({ blockHash: deployed.blockHash })).parentHash));
    assert.equal(await c.ws.request({ method: 'evm_revert' as never, params: [snapshot] as never }), true);
    // The chain goes on over those heights without them; undone for the next cases.
    const restore = await c.ws.request({ method: 'evm_snapshot' as never });
    t.after(() => rpc(devnet.url, 'evm_revert', [restore]));
    await c.ws.request({ method: 'anvil_mine' as never, params: ['0x3'] as never });
    assert.notEqual((await c.ws.getBlock({ blockNumber: deployed.blockNumber })).hash, deployed.blockHash);

    assert.deepEqual(await Promise.all(tracers.map(trace)), before);
    assert.deepEqual(await traceCall(), callBefore);
  });

  test('after evm_revert Otterscan\'s block page of a dropped block answers by its hash (ots_getBlockDetailsByHash, ots_hasCode), as before the revert', async (t) => {
    const c = clients(t);
    const ots = (method: string, params: unknown[]) => c.ws.request({ method: method as never, params: params as never }) as Promise<any>;
    const snapshot = await c.ws.request({ method: 'evm_snapshot' as never });
    const deployed = await c.ws.waitForTransactionReceipt({ hash: await c.wallet.sendTransaction({ data: BLOCK_READER_INITCODE as Hex }) });
    const reader = deployed.contractAddress!;
    const details = await ots('ots_getBlockDetailsByHash', [deployed.blockHash]);
    assert.equal(details.block.hash, deployed.blockHash);
    assert.equal(details.block.transactionCount, 1);
    assert.notEqual(details.totalFees, '0x0');
    assert.equal(await c.ws.request({ method: 'evm_revert' as never, params: [snapshot] as never }), true);
    // The chain goes on over that height without the reader; undone for the next cases.
    const restore = await c.ws.request({ method: 'evm_snapshot' as never });
    t.after(() => rpc(devnet.url, 'evm_revert', [restore]));
    await c.ws.request({ method: 'anvil_mine' as never, params: ['0x2'] as never });

    assert.deepEqual(await ots('ots_getBlockDetailsByHash', [deployed.blockHash]), details);
    assert.equal(await ots('ots_hasCode', [reader, deployed.blockHash]), true);
    // Otterscan's pages by number show the live chain's block, without the reader.
    assert.equal(await ots('ots_hasCode', [reader, Number(deployed.blockNumber)]), false);
    assert.equal((await ots('ots_getBlockDetails', [Number(deployed.blockNumber)])).block.transactionCount, 0);
    await assert.rejects(ots('ots_traceTransaction', [deployed.transactionHash]), /not found/);
  });

  test('after anvil_reorg the queued head answers by hash; the new head at its height has another', async (t) => {
    const c = clients(t);
    const { heads, unwatch } = watchHeads(c.ws);
    const head = await emitOnce(c, heads, 2);
    const queued = await fetchQueued(c.ws, head);
    await c.ws.request({ method: 'anvil_reorg' as never, params: [1, []] as never });
    await pollUntil('the indexer hears the new head', async () => (heads.length > 0 && heads[heads.length - 1] !== head) || undefined);

    const after = await fetchQueued(c.ws, head);
    assert.equal(after.block.hash, head);
    assert.deepEqual(after.logs, queued.logs.map((log) => ({ ...log, removed: true })));
    const replaced = await c.ws.getBlock({ blockNumber: after.block.number });
    assert.notEqual(replaced.hash, head);
    assert.equal(replaced.parentHash, after.block.parentHash);
    unwatch();
  });
});
