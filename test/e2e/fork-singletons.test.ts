// End to end: the builtin singletons a fork serves (t00 system, t01 init, t02 reward, t03 cron, t04
// power, t05 market, t06 verified registry, t07 datacap, t010 EAM, t099 burnt funds) read at the fork
// epoch as the upstream's at the fork tipset, field by field, and so do the network-wide Lotus
// methods; then the reward actor's State moves on with the fork's tipsets as builtin-actors'
// UpdateNetworkKPI moves it, and the power actor's smoothed QA power as its cron moves it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { nextEstimate, updateNetworkKpi, type RewardKpi } from '../../src/fevm/actors/reward-logic.js';
import { CID, cidOf, encodeCbor } from '../../src/common/cbor.js';

/** The figures of a reward State as StateReadState answers them (Lotus's JSON). */
function kpiOf(state: any): RewardKpi {
  return {
    cumsumBaseline: BigInt(state.CumsumBaseline),
    cumsumRealized: BigInt(state.CumsumRealized),
    effectiveNetworkTime: state.EffectiveNetworkTime,
    effectiveBaselinePower: BigInt(state.EffectiveBaselinePower),
    thisEpochReward: BigInt(state.ThisEpochReward),
    thisEpochRewardSmoothed: { position: BigInt(state.ThisEpochRewardSmoothed.PositionEstimate), velocity: BigInt(state.ThisEpochRewardSmoothed.VelocityEstimate) },
    thisEpochBaselinePower: BigInt(state.ThisEpochBaselinePower),
    epoch: state.Epoch,
    simpleTotal: BigInt(state.SimpleTotal),
    baselineTotal: BigInt(state.BaselineTotal),
  };
}

const SINGLETONS = ['t00', 't01', 't02', 't03', 't04', 't05', 't06', 't07', 't010', 't099'];

describe('a fork\'s singletons and network-wide figures', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let forkEpoch: number;
  let forkKey: unknown;

  useForkSuite('fvm-fork-singletons-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet([]);
    // Tipsets that pay block rewards to the upstream's providers.
    await rpc(upstream.url, 'anvil_mine', [hex(30)]);
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
  });

  test('StateReadState of every singleton at the fork epoch is the upstream\'s', async () => {
    for (const actor of SINGLETONS) {
      const [mine, theirs] = await Promise.all([rpc(fork.url, 'Filecoin.StateReadState', [actor, null]), rpc(upstream.url, 'Filecoin.StateReadState', [actor, forkKey])]);
      assert.deepEqual(mine, theirs, actor);
      // And the actor, its Head the upstream's.
      assert.deepEqual(await rpc(fork.url, 'Filecoin.StateGetActor', [actor, null]), await rpc(upstream.url, 'Filecoin.StateGetActor', [actor, forkKey]), actor);
    }
    // The upstream's providers were paid: the block rewards the fork starts from.
    const { State } = await rpc(fork.url, 'Filecoin.StateReadState', ['t02', null]);
    assert.equal(BigInt(State.TotalStoragePowerReward), 30n * 5n * 10n ** 18n);
  });

  test('the reward actor\'s State moves on at every epoch\'s cron, null rounds included, as builtin-actors\' UpdateNetworkKPI', async () => {
    const atFork = (await rpc(fork.url, 'Filecoin.StateReadState', ['t02', null])).State;
    const headAtFork = (await rpc(fork.url, 'Filecoin.StateGetActor', ['t02', null])).Head;
    const power = BigInt((await rpc(fork.url, 'Filecoin.StateReadState', ['t04', null])).State.TotalRawBytePower);
    assert.ok(power > 0n);
    // Three tipsets, then 1 500 epochs of which all but the last are null rounds.
    await rpc(fork.url, 'anvil_mine', [hex(3)]);
    await rpc(fork.url, 'anvil_mine', [hex(1500)]);
    const head = await rpc(fork.url, 'Filecoin.ChainHead');
    assert.equal(head.Height, forkEpoch + 3 + 1500);
    // Its parent is the third tipset: the epochs between were null rounds.
    const third = await rpc(fork.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch + 3, null]);
    assert.equal(third.Height, forkEpoch + 3);
    assert.deepEqual((await rpc(fork.url, 'Filecoin.ChainGetTipSet', [head.Cids])).Blocks[0].Parents, third.Cids);
    // Lotus runs cron at every epoch, null rounds included: one UpdateNetworkKPI an epoch (review R13).
    let kpi = kpiOf(atFork);
    for (let epoch = forkEpoch + 1; epoch <= forkEpoch + 1503; epoch++) kpi = updateNetworkKpi(kpi, epoch, power);
    const { State } = await rpc(fork.url, 'Filecoin.StateReadState', ['t02', null]);
    assert.deepEqual(kpiOf(State), kpi);
    assert.equal(State.Epoch, head.Height + 1);
    // No miner of the fork's own has power: nothing was paid, the upstream's total stays.
    assert.equal(State.TotalStoragePowerReward, atFork.TotalStoragePowerReward);
    // Its Head moved with its State, as Lotus's does every epoch.
    assert.notDeepEqual((await rpc(fork.url, 'Filecoin.StateGetActor', ['t02', null])).Head, headAtFork);
    // The smoothed estimate moved with the new epoch rewards.
    assert.notDeepEqual(State.ThisEpochRewardSmoothed, atFork.ThisEpochRewardSmoothed);
  });

  test("the power actor's State after the fork's crons: its smoothed QA power moved on by each, its HAMTs the upstream's roots with what the fork wrote", async () => {
    const theirs = (await rpc(upstream.url, 'Filecoin.StateReadState', ['t04', forkKey])).State;
    const head = await rpc(fork.url, 'Filecoin.ChainHead');
    assert.ok(head.Height > forkEpoch, 'the fork has mined');
    const { State } = await rpc(fork.url, 'Filecoin.StateReadState', ['t04', null]);
    // builtin-actors' on_epoch_tick_end: update_smoothed_estimate(1) at every epoch's cron, from the upstream's estimate.
    const qa = BigInt(State.TotalQualityAdjPower);
    let estimate = { position: BigInt(theirs.ThisEpochQAPowerSmoothed.PositionEstimate), velocity: BigInt(theirs.ThisEpochQAPowerSmoothed.VelocityEstimate) };
    for (let epoch = forkEpoch + 1; epoch <= head.Height; epoch++) estimate = nextEstimate(estimate, qa, 1);
    assert.deepEqual(State.ThisEpochQAPowerSmoothed, { PositionEstimate: estimate.position.toString(), VelocityEstimate: estimate.velocity.toString() });
    // The fork has no miner of its own: each table is the upstream's root with nothing written, as the market's tables read on a fork.
    for (const table of ['Claims', 'CronEventQueue']) assert.deepEqual(State[table], { '/': cidOf(encodeCbor([CID.parse(theirs[table]['/']), []])).toString() }, table);
    assert.deepEqual([State.RampStartEpoch, State.RampDurationEpochs, State.FirstCronEpoch], [theirs.RampStartEpoch, theirs.RampDurationEpochs, head.Height + 1]);
  });
});
