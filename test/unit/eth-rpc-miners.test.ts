// The Lotus state methods of storage providers: StateListMiners, StateMinerInfo, StateMinerPower and
// StateMinerAvailableBalance, in Lotus's JSON shapes, for the miners created at genesis.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bitfieldFromRuns } from '../../src/common/bitfield-json.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveStorageProviderKeys, peerIdString } from '../../src/devnet/storage-providers/keys.js';
import { codeCid } from '../../src/fevm/actor.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { PLEDGE_32GIB } from '../helpers/pledge.js';

const FIL = 10n ** 18n;
const TEN_SECTORS = (10n * (32n << 30n)).toString();

describe('Filecoin.StateListMiners', () => {
  test('lists the genesis miners as ID addresses, at any tipset', async (t) => {
    const { result } = await setupRpc(t);
    assert.deepEqual(await result('Filecoin.StateListMiners', [null]), ['t0111', 't0113']);
    const head = await result('Filecoin.ChainHead');
    assert.deepEqual(await result('Filecoin.StateListMiners', [head.Cids]), ['t0111', 't0113']);
  });

  test('--storage-providers 0 lists none', async (t) => {
    const { result } = await setupRpc(t, { storageProviders: 0 });
    assert.deepEqual(await result('Filecoin.StateListMiners', [null]), []);
  });
});

describe('Filecoin.StateMinerInfo', () => {
  test('has the fields of Lotus api.MinerInfo', async (t) => {
    const { result } = await setupRpc(t);
    const [key] = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 1);
    const info = await result('Filecoin.StateMinerInfo', ['t0111', null]);
    assert.deepEqual(info, {
      Owner: 't0110',
      Worker: 't0110',
      NewWorker: '<empty>',
      ControlAddresses: null,
      WorkerChangeEpoch: -1,
      PeerId: peerIdString(key.peerId),
      Multiaddrs: null,
      WindowPoStProofType: 13,
      SectorSize: 34359738368,
      WindowPoStPartitionSectors: 2349,
      ConsensusFaultElapsed: -1,
      PendingOwnerAddress: null,
      Beneficiary: 't0110',
      BeneficiaryTerm: { Quota: '0', UsedQuota: '0', Expiration: 0 },
      PendingBeneficiaryTerm: null,
    });
    assert.match(info.PeerId, /^12D3KooW/);
    // The owner is the account of the provider's key, which the node holds.
    assert.equal(await result('Filecoin.StateAccountKey', [info.Owner, null]), key.address.toString());
    assert.ok((await result('Filecoin.WalletList')).includes(key.address.toString()));
  });

  test('a miner is found by any of its addresses; other actors are not miners', async (t) => {
    const { result, error } = await setupRpc(t);
    const byId = await result('Filecoin.StateMinerInfo', ['t0113', null]);
    assert.equal(byId.Owner, 't0112');
    assert.equal((await error('Filecoin.StateMinerInfo', ['not-an-address', null])).code, -32602);
    const account = await error('Filecoin.StateMinerInfo', ['t0110', null]);
    assert.equal(account.code, 1);
    assert.match(account.message, /failed to load miner actor state: unknown actor code/);
    assert.match((await error('Filecoin.StateMinerInfo', ['t0999', null])).message, /failed to load miner actor: actor not found/);
  });
});

describe('Filecoin.StateMinerPower', () => {
  test('a miner\'s claim, the network totals and whether it has the minimum power', async (t) => {
    const { result } = await setupRpc(t, { storageProviders: 3 });
    const power = await result('Filecoin.StateMinerPower', ['t0111', null]);
    const total = (3n * BigInt(TEN_SECTORS)).toString();
    assert.deepEqual(power, {
      MinerPower: { RawBytePower: TEN_SECTORS, QualityAdjPower: TEN_SECTORS },
      TotalPower: { RawBytePower: total, QualityAdjPower: total },
      HasMinPower: true,
    });
  });

  test('below the consensus minimum, any power counts while fewer than 4 miners reach it, as Lotus\'s MinerNominalPowerMeetsConsensusMinimum', async (t) => {
    const { result, devnet } = await setupRpc(t);
    /** t0111's raw power set to `raw`, with `above` miners counted as reaching the minimum (2 KiB). */
    const setPower = (raw: bigint, above: number) =>
      devnet.cheats.editState((state) => {
        const actor = state.getActor(4)!;
        const claims = actor.power!.claims.map(([id, claim]) => [id, id === 111 ? { rawBytePower: raw, qualityAdjPower: raw } : claim] as const);
        state.putActor({ ...actor, power: { ...actor.power!, claims, minerAboveMinPowerCount: above } });
      });
    const hasMinPower = async () => (await result('Filecoin.StateMinerPower', ['t0111', null])).HasMinPower;
    // The boundary (power.ts CONSENSUS_MINER_MIN_MINERS): with 3 miners reaching the minimum any power counts, with 4 not.
    await setPower(1024n, 3);
    assert.equal(await hasMinPower(), true);
    await setPower(1024n, 4);
    assert.equal(await hasMinPower(), false);
    await setPower(0n, 3);
    assert.equal(await hasMinPower(), false);
    await setPower(2048n, 4);
    assert.equal(await hasMinPower(), true);
  });

  test('a chain whose power actor has no state (saved before storage providers) has no power', async (t) => {
    const { result, devnet } = await setupRpc(t, { storageProviders: 0 });
    await devnet.cheats.editState((state) => {
      const { power: _, ...bare } = state.getActor(4)!;
      state.putActor(bare);
    });
    assert.equal(devnet.stateAt(0).getActor(4)!.power, undefined);
    assert.deepEqual(await result('Filecoin.StateListMiners', [null]), []);
    const power = await result('Filecoin.StateMinerPower', ['t0100', null]);
    assert.deepEqual(power.TotalPower, { RawBytePower: '0', QualityAdjPower: '0' });
  });

  test('as in Lotus, an address without a claim has no power and no error', async (t) => {
    const { result, error } = await setupRpc(t);
    const power = await result('Filecoin.StateMinerPower', ['t0100', null]);
    assert.deepEqual(power.MinerPower, { RawBytePower: '0', QualityAdjPower: '0' });
    assert.equal(power.TotalPower.RawBytePower, (2n * BigInt(TEN_SECTORS)).toString());
    assert.equal(power.HasMinPower, false);
    assert.equal((await error('Filecoin.StateMinerPower', ['t0x', null])).code, -32602);
  });
});

describe('Filecoin.StateMinerAvailableBalance', () => {
  test('the miner\'s balance, as a string; FIL its owner sends it becomes available', async (t) => {
    const { result, error } = await setupRpc(t);
    // A genesis provider's: what its worker sent for its sectors (a deposit and a pledge each, 1 FIL less
    // 15 693 250 560 attoFIL at builtin-actors' capped rate), less the 1 attoFIL of each that stays locked (Lotus's pre-seal pledge).
    const genesisFunds = 20n * PLEDGE_32GIB - 10n;
    assert.equal(await result('Filecoin.StateMinerAvailableBalance', ['t0111', null]), genesisFunds.toString());
    const [key] = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 1);
    // The node signs for the owner key it holds.
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: key.address.toString(), To: 't0111', Value: (5n * FIL).toString(), Method: 0 }, null]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, pushed.CID, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.equal(await result('Filecoin.StateMinerAvailableBalance', ['t0111', null]), (genesisFunds + 5n * FIL).toString());
    // At the genesis tipset it had only its genesis funds.
    const genesis = await result('Filecoin.ChainGetTipSetByHeight', [0, null]);
    assert.equal(await result('Filecoin.StateMinerAvailableBalance', ['t0111', genesis.Cids]), genesisFunds.toString());
    assert.match((await error('Filecoin.StateMinerAvailableBalance', ['t0100', null])).message, /failed to load miner actor state/);
  });
});

describe('Filecoin.StateReadState of the reward actor (f02)', () => {
  test('every field of go-state-types builtin/v18/reward State, for the devnet\'s fixed reward (fidaudit3 P7)', async (t) => {
    const { result } = await setupRpc(t);
    await result('evm_mine');
    const head = await result('Filecoin.ChainHead');
    const { State } = await result('Filecoin.StateReadState', ['t02', null]);
    const epochReward = 25n * FIL;
    const { TotalStoragePowerReward, ...rest } = State;
    assert.ok(BigInt(TotalStoragePowerReward) >= 5n * FIL, `${TotalStoragePowerReward} paid after a mined tipset`);
    assert.deepEqual(rest, {
      CumsumBaseline: '0',
      CumsumRealized: '0',
      EffectiveNetworkTime: 0,
      EffectiveBaselinePower: '2888888880000000000',
      ThisEpochReward: epochReward.toString(),
      ThisEpochRewardSmoothed: { PositionEstimate: (epochReward << 128n).toString(), VelocityEstimate: '0' },
      ThisEpochBaselinePower: '2888888880000000000',
      Epoch: head.Height + 1,
      SimpleTotal: (330_000_000n * FIL).toString(),
      BaselineTotal: (770_000_000n * FIL).toString(),
    });
  });
});

describe('Filecoin.StateGetActor and StateReadState of the miners and f04', () => {
  test('a miner has the storageminer code CID; f04\'s state has the power totals', async (t) => {
    const { result } = await setupRpc(t);
    const actor = await result('Filecoin.StateGetActor', ['t0111', null]);
    assert.deepEqual(actor.Code, { '/': codeCid('storageminer').toString() });
    const power = await result('Filecoin.StateGetActor', ['t04', null]);
    assert.deepEqual(power.Code, { '/': codeCid('storagepower').toString() });
    const powerState = await result('Filecoin.StateReadState', ['t04', null]);
    const total = (2n * BigInt(TEN_SECTORS)).toString();
    // Every field of go-state-types builtin/v18/power State (fidaudit3 P7).
    const { CronEventQueue, Claims, ...figures } = powerState.State;
    const pledges = await Promise.all(['t0111', 't0113'].map(async (miner) => BigInt((await result('Filecoin.StateReadState', [miner, null])).State.InitialPledge)));
    // The miners' pledges, summed (the genesis miners' sectors have none).
    const pledge = (pledges[0]! + pledges[1]!).toString();
    const head = await result('Filecoin.ChainHead');
    assert.deepEqual(figures, {
      TotalRawBytePower: total,
      TotalBytesCommitted: total,
      TotalQualityAdjPower: total,
      TotalQABytesCommitted: total,
      TotalPledgeCollateral: pledge,
      ThisEpochRawBytePower: total,
      ThisEpochQualityAdjPower: total,
      ThisEpochPledgeCollateral: pledge,
      // As CurrentTotalPower answers it: a Q.128 position, no velocity.
      ThisEpochQAPowerSmoothed: { PositionEstimate: (BigInt(total) << 128n).toString(), VelocityEstimate: '0' },
      MinerCount: 2,
      MinerAboveMinPowerCount: 2,
      RampStartEpoch: 0,
      RampDurationEpochs: 0,
      FirstCronEpoch: head.Height === 0 ? 0 : head.Height + 1,
      ProofValidationBatch: null,
    });
    for (const link of [CronEventQueue, Claims]) assert.match(link['/'], /^bafy/);
    // The state heads differ per miner (they hold different keys and peer IDs).
    const other = await result('Filecoin.StateGetActor', ['t0113', null]);
    assert.notDeepEqual(actor.Head, other.Head);
  });
});

describe('Filecoin.StateMinerSectorAllocated, StateMinerAllocated', () => {
  test("true for each number of the miner's sectors, false past them; a non-miner is refused as StateMinerInfo is", async (t) => {
    const { result, error } = await setupRpc(t);
    const numbers: number[] = (await result('Filecoin.StateMinerSectors', ['t0111', null, null])).map((s: { SectorNumber: number }) => s.SectorNumber);
    assert.ok(numbers.length > 0);
    for (const n of numbers) assert.equal(await result('Filecoin.StateMinerSectorAllocated', ['t0111', n, null]), true, `sector ${n}`);
    assert.equal(await result('Filecoin.StateMinerSectorAllocated', ['t0111', Math.max(...numbers) + 1, null]), false);
    assert.match((await error('Filecoin.StateMinerSectorAllocated', ['t0110', 0, null])).message, /failed to load miner actor state: unknown actor code/);
    // StateMinerAllocated: the same numbers as a go-bitfield run list (unset, set, … runs).
    const runs: number[] = await result('Filecoin.StateMinerAllocated', ['t0111', null]);
    assert.deepEqual(bitfieldFromRuns(runs), [...numbers].sort((a, b) => a - b));
  });
});
