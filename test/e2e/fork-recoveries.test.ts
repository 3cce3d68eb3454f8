// Recovering sectors of a forked miner. An fvm-devnet recovers its own miners' declared sectors at
// once, so the upstream here is itself a fork (a miner whose PoSts are required recovers as
// builtin-actors does: recovering until its partition's next Window PoSt). On that upstream a forked
// provider's worker is impersonated, two sectors are faulted and one of them declared recovered;
// then a second fork forks it, from its full-node methods (StateMinerPartitions' RecoveringSectors)
// and from it started --gateway-only (the partition's Recoveries in the walked blocks). The
// recovering sector reads as recovering on the second fork, and through the next proving period
// both nodes, proving the provider, recover it while the other sector stays faulty.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, hex, masked, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

const DEADLINES = 48;

/** Has a node's agent act for a forked provider: the node reads it (its power) and impersonates its worker. */
async function impersonateWorker(url: string, miner: string): Promise<void> {
  await rpc(url, 'Filecoin.StateMinerPower', [miner, null]);
  await rpc(url, 'anvil_impersonateAccount', [masked((await rpc(url, 'Filecoin.StateMinerInfo', [miner, null])).Worker)]);
}

/** Mines to `epoch`, at most 1000 epochs at a time, so that the agents prove every deadline. */
async function mineTo(url: string, epoch: number): Promise<void> {
  for (let at = await head(url); at < epoch; at = await head(url)) await rpc(url, 'anvil_mine', [hex(Math.min(1000, epoch - at))]);
}

/** What the proving methods say of the miner's faults and recoveries. */
async function recoveryView(url: string, miner: string, key: unknown) {
  const { Deadline } = await rpc(url, 'Filecoin.StateSectorPartition', [miner, 1, key]);
  return {
    faults: await rpc(url, 'Filecoin.StateMinerFaults', [miner, key]),
    recoveries: await rpc(url, 'Filecoin.StateMinerRecoveries', [miner, key]),
    partitions: await rpc(url, 'Filecoin.StateMinerPartitions', [miner, Deadline, key]),
    count: await rpc(url, 'Filecoin.StateMinerSectorCount', [miner, key]),
  };
}

for (const gateway of [false, true]) {
  describe(`fork: recovering sectors of an upstream ${gateway ? 'gateway' : 'full node'}`, () => {
    let origin: DevnetProcess;
    let upstream: DevnetProcess;
    let fork: DevnetProcess;
    let miner: string;
    let forkKey: unknown;
    /** The upstream's view at the fork point (a full node's methods). */
    let atFork: Awaited<ReturnType<typeof recoveryView>>;

    useForkSuite('fvm-fork-recoveries-', () => [fork, upstream, origin]);

    before(async () => {
      origin = await startDevnet([]);
      [miner] = await rpc(origin.url, 'Filecoin.StateListMiners', [null]);
      upstream = await startDevnet([...(gateway ? ['--gateway-only'] : []), '--fork-url', origin.url, '--fork-block-number', String(await head(origin.url)), '--storage-providers', '0']);
      await impersonateWorker(upstream.url, miner);
      await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2]]);
      await rpc(upstream.url, 'devnet_recoverSectors', [miner, [1]]);
      const forkEpoch = await head(upstream.url);
      forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
      // A gateway serves none of these methods but the sector count: the fork walks the miner's blocks.
      if (!gateway) atFork = await recoveryView(upstream.url, miner, forkKey);
      fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
    });

    test('a sector declared recovered upstream reads as recovering, still faulty, on the fork', async () => {
      const mine = await recoveryView(fork.url, miner, null);
      assert.deepEqual(mine.faults, [1, 2]);
      assert.deepEqual(mine.recoveries, [1, 1]);
      assert.deepEqual(mine.count, { Live: 10, Active: 8, Faulty: 2 });
      assert.ok(mine.partitions.some((p: { RecoveringSectors: number[] }) => p.RecoveringSectors.join() === '1,1'));
      if (gateway) assert.deepEqual(await rpc(upstream.url, 'Filecoin.StateMinerSectorCount', [miner, forkKey]), mine.count);
      else assert.deepEqual(mine, atFork);
    });

    test('the next proving period recovers it on the fork as on the upstream; the other fault stays', async () => {
      for (const node of [upstream, fork]) {
        if (node === fork) await impersonateWorker(fork.url, miner);
        await mineTo(node.url, (await head(node.url)) + (DEADLINES + 1) * 60);
      }
      const mine = await recoveryView(fork.url, miner, null);
      assert.deepEqual(mine.faults, [2, 1]);
      assert.deepEqual(mine.recoveries, [0]);
      assert.deepEqual(mine.count, { Live: 10, Active: 9, Faulty: 1 });
      if (gateway) assert.deepEqual(await rpc(upstream.url, 'Filecoin.StateMinerSectorCount', [miner, null]), mine.count);
      else assert.deepEqual(mine, await recoveryView(upstream.url, miner, null));
      // Power counts the recovered sector again.
      const power = async (url: string) => (await rpc(url, 'Filecoin.StateMinerPower', [miner, null])).MinerPower;
      assert.deepEqual(await power(fork.url), await power(upstream.url));
      assert.equal(BigInt((await power(fork.url)).RawBytePower), 9n * (32n << 30n));
    });
  });
}
