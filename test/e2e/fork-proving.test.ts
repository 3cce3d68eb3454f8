// Forked storage providers' proving state: an fvm-devnet upstream (a full node) with its simulated
// storage providers, one of them with faulty sectors, forked at an epoch. On the fork the miners'
// sectors, deadlines, partitions, counts and faults read as the upstream's at the fork epoch; then
// the fork proves them itself: a provider whose worker is impersonated submits its Window PoSts
// (the node's agent acts for it), one nobody proves any more is faulted at its deadlines' close,
// a forked sector can be terminated, and sectors expire at their deadline's close after their
// expiration. The upstream is untouched, and a restart with the upstream
// stopped answers the same from the disk cache. Against a --gateway-only upstream (no sector lists,
// no partitions) the fork reads the same proving state by walking the miner's state blocks, the
// epochs that faults count from included (their partition's expiration queue).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bitfieldFromRuns } from '../../src/common/bitfield-json.js';
import { FAULT_MAX_AGE } from '../../src/fevm/actors/miner/policy.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, hex, masked, rpc } from '../helpers/fork-calls.js';
import { stopForkSuite, useForkSuite } from '../helpers/fork-suite.js';

const DEADLINES = 48;

/** Has the fork's agent act for a forked provider: the fork reads it (its power) and impersonates its worker. */
async function impersonateWorker(url: string, miner: string): Promise<string> {
  await rpc(url, 'Filecoin.StateMinerPower', [miner, null]);
  const worker = masked((await rpc(url, 'Filecoin.StateMinerInfo', [miner, null])).Worker);
  await rpc(url, 'anvil_impersonateAccount', [worker]);
  return worker;
}


/**
 * Mines to `epoch` in bulk (anvil_mine, at most 1000 epochs at a time, so every epoch gets a tipset):
 * the agents handle each tipset before the next, so a provider they prove has its Window PoSt in
 * every deadline with nothing to wait for.
 */
async function mineTo(url: string, epoch: number): Promise<void> {
  for (let at = await head(url); at < epoch; at = await head(url)) await rpc(url, 'anvil_mine', [hex(Math.min(1000, epoch - at))]);
}

/** Everything the proving-state methods answer about a miner at a tipset (null: the head). */
async function provingView(url: string, miner: string, key: unknown) {
  const sectors: { SectorNumber: number }[] = await rpc(url, 'Filecoin.StateMinerSectors', [miner, null, key]);
  return {
    sectors,
    active: await rpc(url, 'Filecoin.StateMinerActiveSectors', [miner, key]),
    count: await rpc(url, 'Filecoin.StateMinerSectorCount', [miner, key]),
    deadlines: await rpc(url, 'Filecoin.StateMinerDeadlines', [miner, key]),
    partitions: await Promise.all(Array.from({ length: DEADLINES }, (_, d) => rpc(url, 'Filecoin.StateMinerPartitions', [miner, d, key]))),
    places: await Promise.all(sectors.map((s) => rpc(url, 'Filecoin.StateSectorPartition', [miner, s.SectorNumber, key]))),
    faults: await rpc(url, 'Filecoin.StateMinerFaults', [miner, key]),
    recoveries: await rpc(url, 'Filecoin.StateMinerRecoveries', [miner, key]),
  };
}

describe('fork: forked storage providers\' sectors, deadlines and partitions (full-node upstream)', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let forkEpoch: number;
  let forkKey: unknown;
  /** The proven provider (its worker impersonated throughout) and the one left unproven. */
  let proven: string;
  let unproven: string;
  const atFork: Record<string, Awaited<ReturnType<typeof provingView>>> = {};
  const forkArgs = () => ['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0'];

  useForkSuite('fvm-fork-proving-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet([]);
    [proven, unproven] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    // Two of the unproven provider's sectors are faulty upstream at the fork epoch.
    await rpc(upstream.url, 'devnet_faultSectors', [unproven, [1, 2]]);
    await rpc(upstream.url, 'anvil_mine', [hex(3)]);
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
    for (const miner of [proven, unproven]) atFork[miner] = await provingView(upstream.url, miner, forkKey);
    // After the fork epoch: the fork must not see this.
    await rpc(upstream.url, 'devnet_faultSectors', [proven, [5]]);
    fork = await startDevnet(forkArgs());
  });

  test('a forked miner\'s sectors, deadlines, partitions, counts and faults read as the upstream\'s at the fork epoch', async () => {
    assert.deepEqual(atFork[unproven].count, { Live: 10, Active: 8, Faulty: 2 });
    assert.deepEqual(atFork[unproven].faults, [1, 2]);
    for (const miner of [proven, unproven]) assert.deepEqual(await provingView(fork.url, miner, null), atFork[miner], miner);
  });

  test('an impersonated provider proves its forked sectors; one nobody proves is faulted at its deadlines\' close', async () => {
    const workers: Record<string, string> = {};
    for (const miner of [proven, unproven]) workers[miner] = await impersonateWorker(fork.url, miner);
    // A proving period with both proven, then one more (and a deadline) with the unproven provider's worker no longer impersonated.
    await mineTo(fork.url, (await head(fork.url)) + DEADLINES * 60);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [unproven, null]), { Live: 10, Active: 8, Faulty: 2 });
    await rpc(fork.url, 'anvil_stopImpersonatingAccount', [workers[unproven]]);
    await mineTo(fork.url, (await head(fork.url)) + (DEADLINES + 1) * 60);

    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [proven, null]), { Live: 10, Active: 10, Faulty: 0 });
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [unproven, null]), { Live: 10, Active: 0, Faulty: 10 });
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerFaults', [unproven, null]), [0, 10]);
    const power = async (miner: string) => BigInt((await rpc(fork.url, 'Filecoin.StateMinerPower', [miner, null])).MinerPower.RawBytePower);
    assert.equal(await power(unproven), 0n);
    assert.equal(await power(proven), 10n * (32n << 30n));
  });

  test('a forked sector terminated on the fork leaves the miner\'s live sectors and its power, not its sectors AMT or partition', async () => {
    const [sector] = atFork[proven].sectors;
    const place = await rpc(fork.url, 'Filecoin.StateSectorPartition', [proven, sector.SectorNumber, null]);
    await rpc(fork.url, 'devnet_terminateSectors', [proven, [sector.SectorNumber]]);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [proven, null]), { Live: 9, Active: 9, Faulty: 0 });
    // As on Lotus until a CompactPartitions: still in the sectors AMT and its partition.
    assert.equal((await rpc(fork.url, 'Filecoin.StateSectorGetInfo', [proven, sector.SectorNumber, null])).SectorNumber, sector.SectorNumber);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateSectorPartition', [proven, sector.SectorNumber, null]), place);
    const active: { SectorNumber: number }[] = await rpc(fork.url, 'Filecoin.StateMinerActiveSectors', [proven, null]);
    assert.equal(active.some((s) => s.SectorNumber === sector.SectorNumber), false);
  });

  test('the upstream is untouched', async () => {
    assert.deepEqual(await rpc(upstream.url, 'Filecoin.StateMinerSectorCount', [unproven, null]), { Live: 10, Active: 8, Faulty: 2 });
    assert.deepEqual(await rpc(upstream.url, 'Filecoin.StateMinerSectorCount', [proven, null]), { Live: 10, Active: 9, Faulty: 1 });
  });

  test('a restart at the same epoch reads the same proving state from the disk cache with the upstream stopped', async () => {
    await fork.stop();
    await upstream.stop();
    fork = await startDevnet(forkArgs());
    for (const miner of [proven, unproven]) assert.deepEqual(await provingView(fork.url, miner, null), atFork[miner], miner);
  });
});

describe('fork: forked sectors expire at their deadline\'s close', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let miner: string;
  let expiration: number;

  useForkSuite('fvm-fork-expiry-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet([]);
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    // The upstream's pre-sealed sectors all expire at one epoch: fork a little before it.
    ({ Expiration: expiration } = await rpc(upstream.url, 'Filecoin.StateSectorGetInfo', [miner, 0, null]));
    await rpc(upstream.url, 'anvil_mine', [hex(expiration - 1000 - (await head(upstream.url)))]);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(await head(upstream.url)), '--storage-providers', '0']);
  });

  test('a proven provider\'s sectors are proven until their expiration, then leave with their power', async () => {
    await impersonateWorker(fork.url, miner);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [miner, null]), { Live: 10, Active: 10, Faulty: 0 });
    await mineTo(fork.url, expiration);
    // Proven until their expiration epoch, and still there (one deadline at most closes at it): they leave at the close of their deadlines.
    const atExpiration = await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [miner, null]);
    assert.equal(atExpiration.Faulty, 0);
    assert.ok(atExpiration.Live >= 9, JSON.stringify(atExpiration));
    await mineTo(fork.url, expiration + (DEADLINES + 1) * 60);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [miner, null]), { Live: 0, Active: 0, Faulty: 0 });
    // Expired, not compacted: still in the sectors AMT (as on Lotus), none active.
    assert.equal((await rpc(fork.url, 'Filecoin.StateMinerSectors', [miner, null, null])).length, 10);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerActiveSectors', [miner, null]), []);
    assert.equal((await rpc(fork.url, 'Filecoin.StateMinerPower', [miner, null])).MinerPower.RawBytePower, '0');
    // The upstream, at its head before the expiration, still has them.
    assert.equal((await rpc(upstream.url, 'Filecoin.StateMinerSectorCount', [miner, null])).Live, 10);
  });
});

describe('fork: forked storage providers of a --gateway-only upstream', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let miner: string;
  let forkEpoch: number;
  let forkKey: unknown;
  const forkArgs = () => ['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0'];

  useForkSuite('fvm-fork-proving-gw-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(['--gateway-only']);
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2]]);
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
    fork = await startDevnet(forkArgs());
  });

  test('a gateway lists no sectors nor partitions: the fork walks the miner\'s state blocks (StateReadState, ChainReadObj)', async () => {
    await assert.rejects(rpc(upstream.url, 'Filecoin.StateMinerPartitions', [miner, 0, null]), /method 'Filecoin.StateMinerPartitions' not found/);
    await assert.rejects(rpc(upstream.url, 'Filecoin.StateMinerSectors', [miner, null, null]), /method 'Filecoin.StateMinerSectors' not found/);
    // What the gateway serves reads the same on the fork.
    for (const [method, params] of [
      ['Filecoin.StateMinerSectorCount', [miner]],
      ['Filecoin.StateMinerDeadlines', [miner]],
      ['Filecoin.StateSectorGetInfo', [miner, 1]],
    ] as const) {
      assert.deepEqual(await rpc(fork.url, method, [...params, null]), await rpc(upstream.url, method, [...params, forkKey]), method);
    }
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerSectorCount', [miner, null]), { Live: 10, Active: 8, Faulty: 2 });
    // And what it does not: the partitions, each sector's place, the faults, as the upstream's blocks lay them out.
    const sectors: { SectorNumber: number }[] = await rpc(fork.url, 'Filecoin.StateMinerSectors', [miner, null, null]);
    assert.equal(sectors.length, 10);
    for (const { SectorNumber } of sectors) {
      const { Deadline, Partition } = await rpc(fork.url, 'Filecoin.StateSectorPartition', [miner, SectorNumber, null]);
      const partitions = await rpc(fork.url, 'Filecoin.StateMinerPartitions', [miner, Deadline, null]);
      assert.ok(bitfieldFromRuns(partitions[Partition].LiveSectors).includes(SectorNumber), `sector ${SectorNumber}`);
    }
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerFaults', [miner, null]), [1, 2]);
  });

  test('a restart with the gateway stopped reads the walked proving state from the disk cache', async () => {
    const before = await provingView(fork.url, miner, null);
    assert.equal(before.sectors.length, 10);
    await fork.stop();
    await upstream.stop();
    fork = await startDevnet(forkArgs());
    assert.deepEqual(await provingView(fork.url, miner, null), before);
  });
});

describe('fork: a forked sector\'s fault counts from the same epoch from a full node and from a gateway', () => {
  let upstreams: DevnetProcess[] = [];
  let forks: DevnetProcess[] = [];
  let miner: string;
  let forkEpoch: number;
  let forkKey: unknown;

  before(async () => {
    // Two upstreams driven alike, one answering as a gateway; their faults are 10 epochs older than the fork.
    upstreams = await Promise.all([startDevnet([]), startDevnet(['--gateway-only'])]);
    for (const upstream of upstreams) {
      [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
      await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2]]);
      await rpc(upstream.url, 'anvil_mine', ['0xa']);
    }
    forkEpoch = await head(upstreams[0].url);
    assert.equal(await head(upstreams[1].url), forkEpoch);
    forkKey = (await rpc(upstreams[0].url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
    forks = await Promise.all(upstreams.map((u) => startDevnet(['--fork-url', u.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--no-fork-cache'])));
  });

  after(() => stopForkSuite([...forks, ...upstreams], undefined));

  test('StateSectorExpiration of a faulty sector on either fork is the full-node upstream\'s: early, 42 days after the end of its fault\'s deadline', async () => {
    for (const sector of [1, 2]) {
      const theirs = await rpc(upstreams[0].url, 'Filecoin.StateSectorExpiration', [miner, sector, forkKey]);
      // The fault, before the fork epoch, counts from the end of its deadline: within a proving period.
      assert.ok(theirs.Early > 0 && theirs.Early - FAULT_MAX_AGE < forkEpoch + 2880, JSON.stringify(theirs));
      await assert.rejects(rpc(upstreams[1].url, 'Filecoin.StateSectorExpiration', [miner, sector, forkKey]), /not found/);
      for (const fork of forks) assert.deepEqual(await rpc(fork.url, 'Filecoin.StateSectorExpiration', [miner, sector, null]), theirs, `sector ${sector} on ${fork === forks[0] ? 'the full node' : 'the gateway'}'s fork`);
    }
  });
});
