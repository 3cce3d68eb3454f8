// Tipsets a revert dropped on a fork (--fork-url another devnet): their traces, their calls'
// BLOCKHASH below the fork point (the upstream's hashes, fetched once the revert is done), and the
// state of the upstream's miners there, read as the dropped tipsets left it: the upstream's at the
// fork point under what those tipsets wrote, never what the chain wrote after the revert.
import assert from 'node:assert/strict';
import { before, describe, test, type TestContext } from 'node:test';
import { JsonRpcProvider } from 'ethers';
import { BLOCK_READER_INITCODE, readerAnswer } from '../helpers/block-reader.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, masked, rpc, sendFromDev } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { word } from '../helpers/log-emitter.js';

describe('tipsets a revert dropped on a fork', () => {
  let upstream: DevnetProcess;
  let forkEpoch: number;
  const forks: DevnetProcess[] = [];
  useForkSuite('fvm-fork-dropped-', () => [...forks, upstream]);

  before(async () => {
    upstream = await startDevnet([]);
    // Miners with faulty sectors: the fork takes each (runs its missed deadline closes) when it first reads it.
    for (const miner of await rpc(upstream.url, 'Filecoin.StateListMiners', [null])) await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2]]);
    await rpc(upstream.url, 'anvil_mine', ['0x5']);
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
  });

  /** A fork of the upstream at forkEpoch, that has read nothing yet. */
  const newFork = async () => {
    const fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch)]);
    forks.push(fork);
    return fork;
  };

  /** The chain goes on over the dropped heights without them. */
  const mineOver = async (url: string, blocks: number) => {
    await rpc(url, 'anvil_mine', [hex(blocks)]);
  };

  test('debug_traceBlockByHash, debug_traceCall and eth_call by a dropped block answer as before the revert; its BLOCKHASH below the fork point is the upstream\'s', async (t: TestContext) => {
    const fork = await newFork();
    const provider = new JsonRpcProvider(fork.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    t.after(() => provider.destroy());
    const snapshot = await rpc(fork.url, 'evm_snapshot');
    const deployed = await sendFromDev(fork.url, { data: BLOCK_READER_INITCODE });
    const reader = (await rpc(fork.url, 'eth_getTransactionReceipt', [deployed.hash])).contractAddress as string;
    // A transaction asking the reader for BLOCKHASH of the deployment's block, the dropped parent of its own.
    const called = await sendFromDev(fork.url, { to: reader, data: word(deployed.block) });
    assert.equal(called.block, deployed.block + 1);
    // Not the head, where a call would run at the next epoch's context.
    await rpc(fork.url, 'evm_mine');
    const [deployedBlock, calledBlock] = await Promise.all([deployed.block, called.block].map((n) => rpc(fork.url, 'eth_getBlockByNumber', [hex(n), false])));
    const tracers = [{}, { tracer: 'callTracer' }, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }];
    const traces = () => Promise.all([deployedBlock.hash, calledBlock.hash].flatMap((hash) => tracers.map((tracer) => rpc(fork.url, 'debug_traceBlockByHash', [hash, tracer]))));
    const ownCall = { to: reader, data: word(deployed.block) };
    const traceCall = () => rpc(fork.url, 'debug_traceCall', [ownCall, { blockHash: calledBlock.hash }, { tracer: 'callTracer' }]);
    const before = await traces();
    assert.equal(before[4][0].result.output, readerAnswer(deployedBlock.hash));
    const callBefore = await traceCall();
    assert.equal(callBefore.output, readerAnswer(deployedBlock.hash));
    assert.equal(await rpc(fork.url, 'evm_revert', [snapshot]), true);
    await mineOver(fork.url, 4);
    assert.notEqual((await rpc(fork.url, 'eth_getBlockByNumber', [hex(called.block), false])).hash, calledBlock.hash);

    assert.deepEqual(await traces(), before);
    assert.deepEqual(await traceCall(), callBefore);
    // Below the fork point, read for the first time on the dropped block (ethers sends its hash as the
    // block tag): the upstream's tipsets, as on the fork's own chain.
    for (const epoch of [1, forkEpoch - 1]) {
      const theirs = (await rpc(upstream.url, 'eth_getBlockByNumber', [hex(epoch), false])).hash;
      assert.equal(await provider.call({ to: reader, data: word(epoch), blockTag: calledBlock.hash }), readerAnswer(theirs), `BLOCKHASH(${epoch})`);
      const traced = await rpc(fork.url, 'debug_traceCall', [{ to: reader, data: word(epoch) }, { blockHash: calledBlock.hash }, { tracer: 'callTracer' }]);
      assert.equal(traced.output, readerAnswer(theirs), `debug_traceCall BLOCKHASH(${epoch})`);
    }
    // The fork's first tipset stands in for the upstream's at the fork epoch.
    const first = (await rpc(fork.url, 'eth_getBlockByNumber', [hex(forkEpoch), false])).hash;
    assert.equal(await provider.call({ to: reader, data: word(forkEpoch), blockTag: calledBlock.hash }), readerAnswer(first));
    // The live chain has no reader there.
    assert.equal(await provider.call({ to: reader, data: word(1), blockTag: hex(called.block) }), '0x');
  });

  test('an upstream miner read on a dropped tipset is the upstream\'s at the fork point under what the dropped tipsets wrote, whatever the chain wrote after the revert', async () => {
    const fork = await newFork();
    const [written, untouched] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    const upstreamKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
    const atForkPoint = await rpc(upstream.url, 'Filecoin.StateGetActor', [untouched, upstreamKey]);
    const snapshot = await rpc(fork.url, 'evm_snapshot');
    // Both miners first touched after the branch's base: one written on the dropped tipset, the other never read there.
    await rpc(fork.url, 'anvil_setBalance', [masked(written), '0x1111']);
    await rpc(fork.url, 'evm_mine');
    const dropped = await rpc(fork.url, 'Filecoin.ChainHead');
    const droppedHash = (await rpc(fork.url, 'eth_getBlockByNumber', ['latest', false])).hash;
    const reads = async () => ({
      written: await rpc(fork.url, 'Filecoin.StateGetActor', [written, dropped.Cids]),
      writtenState: await rpc(fork.url, 'Filecoin.StateReadState', [written, dropped.Cids]),
      writtenBalance: await rpc(fork.url, 'eth_getBalance', [masked(written), { blockHash: droppedHash }]),
    });
    const before = await reads();
    assert.equal(before.writtenBalance, '0x1111');
    assert.equal(await rpc(fork.url, 'evm_revert', [snapshot]), true);
    // The chain writes both miners after the revert.
    await rpc(fork.url, 'anvil_setBalance', [masked(written), '0x2222']);
    await rpc(fork.url, 'anvil_setBalance', [masked(untouched), '0x3333']);
    // Empty tipsets over its epochs, at once (likely the same second): other blocks, as their state differs (X1).
    await mineOver(fork.url, 2);
    assert.equal(await rpc(fork.url, 'eth_getBalance', [masked(untouched), 'latest']), '0x3333');
    assert.notDeepEqual((await rpc(fork.url, 'Filecoin.ChainGetTipSetByHeight', [dropped.Height, null])).Cids, dropped.Cids);

    assert.deepEqual(await reads(), before);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateGetActor', [untouched, dropped.Cids]), atForkPoint);
    assert.equal(BigInt(await rpc(fork.url, 'eth_getBalance', [masked(untouched), { blockHash: droppedHash }])), BigInt(atForkPoint.Balance));
    assert.deepEqual(
      (await rpc(fork.url, 'Filecoin.StateReadState', [untouched, dropped.Cids])).State,
      (await rpc(upstream.url, 'Filecoin.StateReadState', [untouched, upstreamKey])).State,
    );
  });
});
