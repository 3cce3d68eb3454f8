// Forked miners' deadline closes do not depend on when the fork read the miner. An fvm-devnet
// upstream whose storage provider has two faulty sectors, forked a little before its sectors expire;
// two forks at that epoch, neither of which proves the provider: one reads the miner at once, the
// other only after mining past the expiration. The first closes the miner's deadlines as it mines
// (faulting nothing: the upstream's provider is taken to keep proving it), the second catches the
// closes up at its first close after the read; then both answer the same sectors, faults and power.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, rpc } from '../helpers/fork-calls.js';
import { stopForkSuite } from '../helpers/fork-suite.js';

const DEADLINE = 60;
const head = async (url: string) => Number(await rpc(url, 'eth_blockNumber'));
const mineTo = async (url: string, epoch: number) => {
  await rpc(url, 'anvil_mine', [hex(epoch - (await head(url)))]);
  assert.equal(await head(url), epoch);
};

/** What the fork answers about the miner's sectors, faults and power at its head. */
async function minerView(url: string, miner: string) {
  return {
    sectors: await rpc(url, 'Filecoin.StateMinerSectors', [miner, null, null]),
    count: await rpc(url, 'Filecoin.StateMinerSectorCount', [miner, null]),
    faults: await rpc(url, 'Filecoin.StateMinerFaults', [miner, null]),
    power: await rpc(url, 'Filecoin.StateMinerPower', [miner, null]),
  };
}

describe("fork: a forked miner's deadline closes, whenever the fork reads it", () => {
  let upstream: DevnetProcess;
  let early: DevnetProcess;
  let late: DevnetProcess;
  let miner: string;
  let expiration: number;

  before(async () => {
    upstream = await startDevnet([]);
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    // The upstream's pre-sealed sectors all expire at one epoch: fork a little before it, two of them faulty.
    ({ Expiration: expiration } = await rpc(upstream.url, 'Filecoin.StateSectorGetInfo', [miner, 0, null]));
    await mineTo(upstream.url, expiration - 1010);
    await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2]]);
    await mineTo(upstream.url, expiration - 1000);
    // No disk cache: neither fork may find what the other read.
    const args = ['--fork-url', upstream.url, '--fork-block-number', String(expiration - 1000), '--storage-providers', '0', '--no-fork-cache'];
    [early, late] = await Promise.all([startDevnet(args), startDevnet(args)]);
  });

  after(() => stopForkSuite([early, late, upstream], undefined));

  test('read at once or after the expiration, the miner ends with the same sectors, faults and power', async () => {
    assert.deepEqual(await rpc(early.url, 'Filecoin.StateMinerSectorCount', [miner, null]), { Live: 10, Active: 8, Faulty: 2 });
    // Unproven on the fork, but not taken over: its deadlines close without faulting anything.
    await mineTo(early.url, expiration - 1);
    assert.deepEqual(await rpc(early.url, 'Filecoin.StateMinerSectorCount', [miner, null]), { Live: 10, Active: 8, Faulty: 2 });
    // Past the expiration, every deadline has closed once more: every sector has expired, faulty ones too.
    const past = expiration + 49 * DEADLINE;
    await mineTo(early.url, past);
    await mineTo(late.url, past);
    assert.deepEqual((await minerView(early.url, miner)).count, { Live: 0, Active: 0, Faulty: 0 });
    // The late fork reads the miner now: as the upstream had it at the fork epoch, until its next deadline close catches up.
    assert.deepEqual((await minerView(late.url, miner)).count, { Live: 10, Active: 8, Faulty: 2 });
    await mineTo(early.url, past + DEADLINE);
    await mineTo(late.url, past + DEADLINE);
    const theirs = await minerView(early.url, miner);
    assert.deepEqual(await minerView(late.url, miner), theirs);
    assert.deepEqual(theirs.sectors, []);
    assert.equal(theirs.power.MinerPower.RawBytePower, '0');
    // The upstream, at its head before the expiration, still has them.
    assert.equal((await rpc(upstream.url, 'Filecoin.StateMinerSectorCount', [miner, null])).Live, 10);
  });
});
