// The reward actor (f02): the block reward of each mined tipset (a fixed 5 FIL plus the gas premiums)
// to its winner (mining/election.ts, test/unit/mining-election.test.ts), through AwardBlockReward and
// the miner's ApplyRewards.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { FilAddress } from '../../src/common/address.js';
import { decodeBigInt, encodeBigInt } from '../../src/common/cbor.js';
import { REWARD_ACTOR_ID } from '../../src/fevm/actor.js';
import { actorHead } from '../../src/fevm/actor-state.js';
import { transfer } from '../../src/fevm/actors/lifecycle.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { BLOCK_REWARD, THIS_EPOCH_REWARD, creditGasReward } from '../../src/fevm/actors/reward.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { MINER, minerHarness } from '../helpers/miner-harness.js';

// V8's own check that two objects share a hidden class (map): f02's writers must make one, or the
// executor's optimized code is thrown away when it meets another (docs/performance.md, ninth pass).
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

describe('block reward', () => {
  test('the winner gets the reward plus pending premiums', async () => {
    const h = await minerHarness();
    creditGasReward(h.state, 1000n);
    h.epoch = 2;
    assert.equal(await h.executor.awardBlockReward(h.state, h.ctx(), MINER), ExitCode.Ok);
    // Beside the genesis sectors' pledge and the creation deposit it holds.
    assert.equal(h.balance(MINER), h.miner().initialPledge + CREATE_MINER_DEPOSIT + BLOCK_REWARD + 1000n);
    assert.equal(h.state.getActor(REWARD_ACTOR_ID)!.reward!.pendingGasReward, 0n);
    assert.equal(h.balance(REWARD_ACTOR_ID), 0n);
  });

  test('f02\'s Head moves with its State (what was paid), as Lotus\'s does', async () => {
    const h = await minerHarness();
    const before = actorHead(h.state.getActor(REWARD_ACTOR_ID)!);
    h.epoch = 2;
    await h.executor.awardBlockReward(h.state, h.ctx(), MINER);
    assert.notDeepEqual(actorHead(h.state.getActor(REWARD_ACTOR_ID)!), before);
  });

  test('f02 keeps its fields, in one order and one V8 map, through credits, transfers and awards', async () => {
    const h = await minerHarness();
    const f02 = () => h.state.getActor(REWARD_ACTOR_ID)!;
    const expected = ['id', 'kind', 'nonce', 'balance', 'reward'];
    creditGasReward(h.state, 1000n);
    const credited = f02();
    assert.deepEqual(Object.keys(credited), expected);
    assert.ok(transfer(h.state, h.accounts[0]!, REWARD_ACTOR_ID, 7n));
    assert.deepEqual(Object.keys(f02()), expected);
    assert.ok(haveSameMap(f02(), credited), 'a transfer to f02 made another map than a credit');
    h.epoch = 2;
    await h.executor.awardBlockReward(h.state, h.ctx(), MINER);
    assert.deepEqual(Object.keys(f02()), expected);
    assert.ok(haveSameMap(f02(), credited), 'AwardBlockReward made another map than a credit');
    assert.equal(h.balance(REWARD_ACTOR_ID), 7n);
    // Spread copies took new maps while V8 warmed their code up: the writes many times over keep one.
    for (let epoch = 3; epoch < 200; epoch++) {
      creditGasReward(h.state, 1n);
      assert.ok(transfer(h.state, h.accounts[0]!, REWARD_ACTOR_ID, 1n));
      assert.ok(haveSameMap(f02(), credited), `the writes of epoch ${epoch} made another map`);
      h.epoch = epoch;
      await h.executor.awardBlockReward(h.state, h.ctx(), MINER);
      assert.ok(haveSameMap(f02(), credited), `AwardBlockReward at epoch ${epoch} made another map`);
    }
  });

  test('AwardBlockReward (2) is for the system actor; ThisEpochReward (3) reports the epoch reward', async () => {
    const h = await minerHarness();
    const params = [FilAddress.fromId(MINER).bytes, encodeBigInt(0n), encodeBigInt(0n), 1];
    assert.equal((await h.send(h.accounts[0], REWARD_ACTOR_ID, 2, params)).exitCode, ExitCode.ErrForbidden);
    const [[position], baseline] = (await h.send(h.accounts[0], REWARD_ACTOR_ID, 3)).value as [[Uint8Array, Uint8Array], Uint8Array];
    assert.equal(decodeBigInt(position) >> 128n, THIS_EPOCH_REWARD);
    assert.ok(decodeBigInt(baseline) > 0n);
  });

  test('mining tipsets pays the genesis providers in turn', async (t) => {
    const devnet = await createDevnet(testConfig());
    t.after(() => devnet.close());
    const [a, b] = devnet.claimedMinerIdsAt(0);
    const genesis = devnet.stateAt(0);
    const earned = (state: typeof genesis, id: number) => state.getActor(id)!.balance - genesis.getActor(id)!.balance;
    await devnet.mine();
    await devnet.mine();
    const state = devnet.stateAt(2);
    assert.equal(earned(state, a) + earned(state, b), 2n * BLOCK_REWARD);
    assert.equal(earned(state, a), BLOCK_REWARD);
  });
});
