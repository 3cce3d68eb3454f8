// What a fork answers about a forked miner does not depend on when it first read the miner. An
// fvm-devnet upstream whose storage provider holds a deal in a sector it then faults, with two more
// faulty sectors, forked a few epochs later three times; none of the forks proves the provider. The
// early fork reads the miner at once, so its deadlines close as it mines (faulting nothing more:
// the upstream's provider is taken to keep proving it). The others read it first later, one after a
// proving period's end (a fault fee due), one after the faulty sectors' 42 days (they terminate and
// the deal is slashed): each then answers at once what the early fork answers at the same head, its
// missed closes run at their own epochs (the deal paid up to its sector's termination, not to the
// read). Their first reads are of the miner's power and available balance, which need its proving
// state as well. A revert to before a first read takes the miner again on the next one. The same
// against an upstream answering as a Lotus gateway (the proving state walked from its blocks).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { answerOrError, head, mineTo, mineUntilActive, rpc } from '../helpers/fork-calls.js';
import { stopForkSuite } from '../helpers/fork-suite.js';

const SEAL_DELAY = 3;
const PROVING_PERIOD = 2880;
/** builtin-actors' FAULT_MAX_AGE: 42 days of epochs. */
const FAULT_MAX_AGE = 42 * PROVING_PERIOD;

for (const gatewayOnly of [false, true]) describe(`fork: a forked miner's deadline closes, whenever the fork first reads it${gatewayOnly ? ' (upstream started with --gateway-only)' : ''}`, () => {
  let upstream: DevnetProcess;
  let early: DevnetProcess;
  let afterPeriod: DevnetProcess;
  let afterTermination: DevnetProcess;
  let miner: string;
  let client: string;
  let dealId: number;
  let dealSector: number;
  let forkEpoch: number;

  /** What a node answers about the miner, its deal and the funds its closes move, at its head; power and balance read first. */
  async function view(url: string) {
    const power = await rpc(url, 'Filecoin.StateMinerPower', [miner, null]);
    const available = await rpc(url, 'Filecoin.StateMinerAvailableBalance', [miner, null]);
    const deadlines = await rpc(url, 'Filecoin.StateMinerDeadlines', [miner, null]);
    return {
      power,
      available,
      balance: (await rpc(url, 'Filecoin.StateGetActor', [miner, null])).Balance,
      sectors: await rpc(url, 'Filecoin.StateMinerSectors', [miner, null, null]),
      count: await rpc(url, 'Filecoin.StateMinerSectorCount', [miner, null]),
      faults: await rpc(url, 'Filecoin.StateMinerFaults', [miner, null]),
      deadlines,
      partitions: await Promise.all(deadlines.map((_: unknown, i: number) => rpc(url, 'Filecoin.StateMinerPartitions', [miner, i, null]))),
      deal: await answerOrError(rpc(url, 'Filecoin.StateMarketStorageDeal', [dealId, null])),
      escrow: await Promise.all([client, miner].map((a) => rpc(url, 'Filecoin.StateMarketBalance', [a, null]))),
      burnt: (await rpc(url, 'Filecoin.StateGetActor', ['f099', null])).Balance,
    };
  }

  before(async () => {
    upstream = await startDevnet(['--storage-providers', '1', '--seal-delay', String(SEAL_DELAY), ...(gatewayOnly ? ['--gateway-only'] : [])]);
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    const piece = computePieceCid(new Uint8Array(3000).map((_, i) => i % 251));
    ({ dealId } = await rpc(upstream.url, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, storagePricePerEpoch: '1000000' }]));
    const deal = await mineUntilActive(upstream.url, dealId, SEAL_DELAY);
    client = deal.Proposal.Client;
    dealSector = deal.State.SectorNumber;
    await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2, dealSector]]);
    forkEpoch = (await head(upstream.url)) + 5;
    await mineTo(upstream.url, forkEpoch);
    // No disk cache: no fork may find what another read.
    const args = ['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--no-fork-cache'];
    [early, afterPeriod, afterTermination] = await Promise.all([startDevnet(args), startDevnet(args), startDevnet(args)]);
  });

  after(() => stopForkSuite([early, afterPeriod, afterTermination, upstream], undefined));

  test('a miner read first after a proving period, or after its faulty sectors terminated, answers as one read at once', async () => {
    const atFork = await view(early.url);
    assert.deepEqual(atFork.count, { Live: 11, Active: 8, Faulty: 3 });
    assert.equal(atFork.deal.State.SectorNumber, dealSector);

    // After a proving period's end: the fault fee for the three faulty sectors was charged.
    const periodLater = forkEpoch + PROVING_PERIOD + 100;
    await Promise.all([mineTo(early.url, periodLater), mineTo(afterPeriod.url, periodLater), mineTo(afterTermination.url, periodLater)]);
    const earlyView = await view(early.url);
    // The fees come from the miner's vesting funds first (builtin-actors repay_partial_debt_in_priority_order),
    // so its balance pays them all, burnt, while its available balance does not move for them.
    assert.ok(BigInt(earlyView.burnt) > BigInt(atFork.burnt));
    assert.equal(BigInt(atFork.balance) - BigInt(earlyView.balance), BigInt(earlyView.burnt) - BigInt(atFork.burnt));
    assert.deepEqual(await view(afterPeriod.url), earlyView);

    // A revert to before a first read: the next read takes the miner again, caught up as before.
    const snapshot = await rpc(afterTermination.url, 'evm_snapshot');
    assert.deepEqual(await view(afterTermination.url), earlyView);
    await rpc(afterTermination.url, 'evm_revert', [snapshot]);
    assert.deepEqual(await view(afterTermination.url), earlyView);
    // Back to a chain that has not read the miner: a fresh fork, at the same head.
    await afterTermination.stop();
    afterTermination = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--no-fork-cache']);

    // Past the faulty sectors' 42 days (at their deadline's next close): they are terminated, and the
    // deal in one of them is slashed (its client paid up to the termination, the provider's collateral burnt).
    const terminated = forkEpoch + FAULT_MAX_AGE + PROVING_PERIOD;
    await Promise.all([mineTo(early.url, terminated), mineTo(afterPeriod.url, terminated), mineTo(afterTermination.url, terminated)]);
    const theirs = await view(early.url);
    assert.deepEqual(theirs.count, { Live: 8, Active: 8, Faulty: 0 });
    assert.match(theirs.deal.error, /not found/);
    assert.deepEqual(await view(afterPeriod.url), theirs);
    assert.deepEqual(await view(afterTermination.url), theirs);
    // The upstream, at its head before all this, still has them.
    assert.equal((await rpc(upstream.url, 'Filecoin.StateMinerSectorCount', [miner, null])).Faulty, 3);
  });
});
