// Null rounds: anvil_mine over more than MAX_TIPSETS_MINED epochs mines one tipset at the end, whose
// parent is the old head, and runs the cron work due at each epoch between, in order, at that epoch.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { hexToBytes } from '../../src/common/hex.js';
import { MAX_TIPSETS_MINED } from '../../src/devnet/cheats.js';
import { nextCronEpoch } from '../../src/fevm/actors/cron.js';
import { nextBaseFee } from '../../src/fevm/gas.js';
import { createDevnet, testConfig, type Devnet } from '../../src/index.js';
import { installCronProbe, PROBE_ACCOUNT, scheduleProbe } from '../helpers/cron-probe.js';
import { signTx } from '../helpers/dev-wallet.js';

async function devnetFor(t: TestContext, overrides: Parameters<typeof testConfig>[0] = {}): Promise<Devnet> {
  const devnet = await createDevnet(testConfig(overrides));
  t.after(() => devnet.close());
  return devnet;
}

const balanceAt = (devnet: Devnet, epoch: number) => devnet.stateAt(epoch).getActor(PROBE_ACCOUNT)!.balance;

describe('mining many epochs', () => {
  test(`up to ${MAX_TIPSETS_MINED} epochs, every epoch gets a tipset`, async (t) => {
    const devnet = await devnetFor(t);
    await devnet.cheats.mine(MAX_TIPSETS_MINED);
    assert.equal(devnet.head.epoch, MAX_TIPSETS_MINED);
    assert.equal(devnet.chain.all().length, MAX_TIPSETS_MINED + 1);
  });

  test('beyond, the epochs before the last are null rounds and one tipset follows the head', async (t) => {
    const devnet = await devnetFor(t, { noMining: true });
    const genesis = devnet.head;
    // A pending transaction goes into the tipset that ends the run.
    const hash = await devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 0 })));
    await devnet.cheats.mine(1_000_000);
    const head = devnet.head;
    assert.equal(head.epoch, 1_000_000);
    assert.deepEqual(devnet.chain.all(), [genesis, head]);
    assert.equal(devnet.chain.parentOf(head), genesis);
    assert.deepEqual(head.header.parents, [genesis.blockCid]);
    assert.equal(head.header.parentWeight, 1n);
    assert.equal(devnet.chain.messageByTxHash(hash)?.tipset, head);
    assert.equal(devnet.poolContent().pending.length, 0);
    // The base fee follows from the parent tipset's, as Lotus computes it across null rounds.
    assert.equal(head.baseFee, nextBaseFee(genesis.baseFee, []));
    // One second an epoch without an interval, so the last is at least a million seconds on.
    assert.ok(head.timestamp >= genesis.timestamp + 1_000_000, `${head.timestamp - genesis.timestamp}`);
    assert.equal(devnet.chain.isNullRound(1), true);
    assert.equal(devnet.chain.isNullRound(999_999), true);
    // And the chain goes on one epoch at a time.
    const next = await devnet.mine();
    assert.equal(next.epoch, 1_000_001);
    assert.equal(devnet.chain.parentOf(next), head);
  });

  test('the interval sets the timestamps of the null rounds and of the last tipset', async (t) => {
    const devnet = await devnetFor(t);
    const runs = installCronProbe(t);
    await scheduleProbe(devnet, [[400_000, { tag: 'a' }]]);
    const start = devnet.head.timestamp;
    await devnet.cheats.mine(1_000_000, { seconds: 12, fromFirst: true });
    // Anvil's spacing: every epoch 12 s after the one before, the first included (12 s after the
    // head, or after the clock once it has passed the head).
    const first = devnet.head.timestamp - (1_000_000 - 1) * 12;
    assert.ok(first >= start + 12 && first <= Math.max(start, Math.floor(Date.now() / 1000)) + 12, `first at +${first - start}`);
    assert.deepEqual(
      runs.map((r) => [r.epoch, r.timestamp - first]),
      [[400_000, (400_000 - 1) * 12]],
    );
  });
});

describe('cron work in null rounds', () => {
  test('runs at each epoch it is due, in order, under the base fee of the tipset that follows', async (t) => {
    const devnet = await devnetFor(t);
    const runs = installCronProbe(t);
    const failures: [number, number][] = [];
    // The probe's; any other is one of the genesis providers' deposit unlocks, refused in null rounds no
    // reward precedes (devnet-storage-providers' test counts them), and nothing else may fail.
    const others: string[] = [];
    devnet.events.on('cronError', (epoch, actor, error) => {
      if (actor === PROBE_ACCOUNT) failures.push([epoch, actor]);
      else others.push(`t0${actor}: ${(error as Error).message}`);
    });
    await scheduleProbe(devnet, [
      [500_000, { tag: 'b' }],
      [10, { tag: 'a' }],
      [500_000, { tag: 'c' }],
      [100, { tag: 'p', every: 250_000 }],
      [300, { tag: 'x', fail: true }],
      [999_999, { tag: 'd' }],
      [1_000_000, { tag: 'e' }],
      [1_000_001, { tag: 'f' }],
    ]);
    const before = balanceAt(devnet, 0);
    await devnet.cheats.mine(1_000_000);
    assert.deepEqual(
      runs.map((r) => [r.epoch, r.event.tag]),
      [
        [10, 'a'],
        [100, 'p'],
        [300, 'x'],
        [250_100, 'p'],
        [500_000, 'b'],
        [500_000, 'c'],
        [500_100, 'p'],
        [750_100, 'p'],
        [999_999, 'd'],
        [1_000_000, 'e'],
      ],
    );
    assert.ok(runs.every((r) => r.baseFee === devnet.head.baseFee));
    // The failed run was undone and reported at its null round; the others are in the state's history.
    assert.deepEqual(failures, [[300, PROBE_ACCOUNT]]);
    for (const other of others) assert.match(other, /^t0\d+: send to f04 method 6 aborted with code 20$/); // UpdatePledgeTotal refused
    assert.equal(balanceAt(devnet, 9), before);
    assert.equal(balanceAt(devnet, 10), before + 1n);
    assert.equal(balanceAt(devnet, 300), before + 2n);
    assert.equal(balanceAt(devnet, 499_999), before + 3n);
    assert.equal(balanceAt(devnet, 500_000), before + 5n);
    assert.equal(balanceAt(devnet, 999_999), before + 8n);
    assert.equal(balanceAt(devnet, 1_000_000), before + 9n);
    // What is due later stays scheduled: f at the next epoch, p 250 000 epochs after its last run.
    assert.equal(nextCronEpoch(devnet.stateAt(devnet.head.epoch)), 1_000_001);
    await devnet.mine();
    assert.deepEqual(runs.at(-1)!.event.tag, 'f');
    assert.equal(nextCronEpoch(devnet.stateAt(devnet.head.epoch)), 1_000_100);
  });

  test('work a handler enrolls for its own epoch runs at the next one, null round or not', async (t) => {
    const devnet = await devnetFor(t);
    const runs = installCronProbe(t);
    await scheduleProbe(devnet, [[1500, { tag: 'r', every: 0 }]]);
    await devnet.cheats.mine(2000);
    assert.equal(devnet.chain.all().length, 2);
    assert.deepEqual(
      runs.map((r) => r.epoch),
      Array.from({ length: 501 }, (_, i) => 1500 + i),
    );
  });

  test('with tipsets at every epoch, work runs in the tipset of its epoch', async (t) => {
    const devnet = await devnetFor(t);
    const runs = installCronProbe(t);
    await scheduleProbe(devnet, [[3, { tag: 'a' }]]);
    await devnet.cheats.mine(5);
    assert.deepEqual(
      runs.map((r) => [r.epoch, r.timestamp]),
      [[3, devnet.chain.atEpoch(3)!.timestamp]],
    );
  });
});
