// The continued fault fee for faults a forked miner inherited. An fvm-devnet upstream whose storage
// provider has two faulty sectors, forked a few epochs later, twice: one fork reads the miner at
// once, the other only two proving periods later. The upstream's cron charges the fault fee at each
// of its proving periods' ends; the first fork charges the same at the same ends (the close of the
// miner's last deadline), the second runs both when it first reads the miner, before it answers.
// "Charged" is what f099 received plus the miner's fee debt (debt is burnt as it is repaid).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, mineTo, rpc } from '../helpers/fork-calls.js';
import { stopForkSuite } from '../helpers/fork-suite.js';

const PROVING_PERIOD = 2880;
const DEADLINE = 60;

/** The fault fee charged so far (burnt and owed), and the miner's faulty sectors, at the node's head. */
async function charges(url: string, miner: string) {
  const { State } = await rpc(url, 'Filecoin.StateReadState', [miner, null]);
  const burnt = (await rpc(url, 'Filecoin.StateGetActor', ['f099', null])).Balance;
  return { charged: BigInt(burnt) + BigInt(State.FeeDebt), faulty: (await rpc(url, 'Filecoin.StateMinerSectorCount', [miner, null])).Faulty };
}

describe('fork: the fault fee for faults a forked miner inherited', () => {
  let upstream: DevnetProcess;
  let early: DevnetProcess;
  let late: DevnetProcess;
  let miner: string;
  let forkEpoch: number;

  before(async () => {
    upstream = await startDevnet(['--storage-providers', '1']);
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2]]);
    forkEpoch = (await head(upstream.url)) + 5;
    await mineTo(upstream.url, forkEpoch);
    // No disk cache: neither fork may find what the other read.
    const args = ['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--no-fork-cache'];
    [early, late] = await Promise.all([startDevnet(args), startDevnet(args)]);
  });

  after(() => stopForkSuite([early, late, upstream], undefined));

  test('is charged at each proving period end as upstream, read at once or caught up late', async () => {
    const atFork = await charges(early.url, miner);
    assert.equal(atFork.faulty, 2);
    assert.deepEqual(await charges(upstream.url, miner), atFork);
    // Two proving periods: two period ends on each.
    const end = forkEpoch + 2 * PROVING_PERIOD;
    await Promise.all([mineTo(upstream.url, end), mineTo(early.url, end), mineTo(late.url, end)]);
    const upstreamCharged = (await charges(upstream.url, miner)).charged - atFork.charged;
    assert.ok(upstreamCharged > 0n);
    assert.deepEqual(await charges(early.url, miner), { charged: atFork.charged + upstreamCharged, faulty: 2 });
    // The late fork reads the miner only now: the two period ends it missed are charged first.
    assert.deepEqual(await charges(late.url, miner), { charged: atFork.charged + upstreamCharged, faulty: 2 });
    const caughtUp = end + DEADLINE;
    await Promise.all([mineTo(upstream.url, caughtUp), mineTo(early.url, caughtUp), mineTo(late.url, caughtUp)]);
    const theirs = await charges(upstream.url, miner);
    assert.deepEqual(await charges(early.url, miner), theirs);
    assert.deepEqual(await charges(late.url, miner), theirs);
  });
});
