// The Lotus sector and proving methods of the genesis storage providers, through the JSON-RPC server:
// StateMinerSectors, StateSectorGetInfo, StateMinerActiveSectors, StateMinerFaults,
// StateSectorPartition, StateMinerProvingDeadline, StateReadState of a miner, and StateMinerInfo
// with a pending worker change.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveStorageProviderKeys } from '../../src/devnet/storage-providers/keys.js';
import { presealCommR } from '../../src/fevm/actors/miner/genesis-sectors.js';
import { MAX_SECTOR_EXPIRATION_EXTENSION, WPOST_PROVING_PERIOD, deadlineInfo, provingPeriodOffset, provingPeriodStart } from '../../src/fevm/actors/miner/policy.js';
import { declarationsFor } from '../../src/fevm/actors/miner/proving.js';
import { loadMiner } from '../../src/fevm/actors/miner/state.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { bitfieldJson } from '../../src/common/bitfield-json.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const base64 = (value: unknown) => Buffer.from(encodeCbor(value)).toString('base64');

describe('Filecoin.StateMinerSectors and StateSectorGetInfo', () => {
  test('the genesis sectors in Lotus\'s SectorOnChainInfo shape; a filter picks some; a missing sector is null', async (t) => {
    const { result } = await setupRpc(t);
    const sectors = await result('Filecoin.StateMinerSectors', ['t0111', null, null]);
    assert.equal(sectors.length, 10);
    const offsetOf111 = provingPeriodOffset(FilAddress.fromId(111), 0);
    assert.deepEqual(sectors[0], {
      SectorNumber: 0,
      SealProof: 8,
      SealedCID: { '/': presealCommR(111, 0).toString() },
      Activation: 0,
      // Lotus's presealExp (chain/gen/genesis/miners.go): 1278 proving periods of lifetime less one from the
      // miner's first period start (provingPeriodStart(0, offset)), less an epoch.
      Expiration: (MAX_SECTOR_EXPIRATION_EXTENSION / WPOST_PROVING_PERIOD - 1) * WPOST_PROVING_PERIOD + provingPeriodStart(0, offsetOf111) - 1,
      DealWeight: '0',
      VerifiedDealWeight: '0',
      // The 1 attoFIL that builtin-actors' InternalSectorSetupForPreseal locks with the zero estimates Lotus passes it.
      InitialPledge: '1',
      ExpectedDayReward: null,
      ExpectedStoragePledge: null,
      PowerBaseEpoch: 0,
      ReplacedDayReward: null,
      SectorKeyCID: null,
      Flags: 1,
      DailyFee: '0',
    });
    // Run lengths: 2 unset, 3 set (sectors 2, 3, 4).
    const some = await result('Filecoin.StateMinerSectors', ['t0111', [2, 3], null]);
    assert.deepEqual(some.map((s: { SectorNumber: number }) => s.SectorNumber), [2, 3, 4]);
    assert.deepEqual(await result('Filecoin.StateSectorGetInfo', ['t0111', 3, null]), sectors[3]);
    assert.equal(await result('Filecoin.StateSectorGetInfo', ['t0111', 42, null]), null);
    assert.deepEqual(await result('Filecoin.StateSectorPartition', ['t0111', 3, null]), { Deadline: 3, Partition: 0 });
  });

  test('a filter that sets more numbers than any request needs is refused at once, not listed', async (t) => {
    const { error } = await setupRpc(t);
    const refused = await error('Filecoin.StateMinerSectors', ['t0111', [0, Number.MAX_SAFE_INTEGER], null]);
    assert.equal(refused.code, -32602);
    assert.match(refused.message, /bitfield/);
  });
});

describe('Filecoin.StateMinerFaults and StateMinerActiveSectors', () => {
  test('a fault declared by the owner shows in the faults and leaves the active sectors', async (t) => {
    const { result, devnet } = await setupRpc(t);
    assert.deepEqual(await result('Filecoin.StateMinerFaults', ['t0111', null]), [0]);
    const [key] = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 1);
    const miner = loadMiner(devnet.stateAt(0).getActor(111)!.miner!);
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: key.address.toString(), To: 't0111', Value: '0', Method: 10, Params: base64(declarationsFor(miner, [1, 2, 7])) }, null]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, pushed.CID, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.deepEqual(await result('Filecoin.StateMinerFaults', ['t0111', null]), [1, 2, 4, 1]);
    const active = await result('Filecoin.StateMinerActiveSectors', ['t0111', null]);
    assert.deepEqual(active.map((s: { SectorNumber: number }) => s.SectorNumber), [0, 3, 4, 5, 6, 8, 9]);
    const power = await result('Filecoin.StateMinerPower', ['t0111', null]);
    assert.equal(power.MinerPower.RawBytePower, (7n * (32n << 30n)).toString());
  });

  test('go-bitfield JSON runs', () => {
    assert.deepEqual(bitfieldJson([]), [0]);
    assert.deepEqual(bitfieldJson([0, 1, 2, 8, 9]), [0, 3, 5, 2]);
  });
});

describe('Filecoin.StateMinerProvingDeadline', () => {
  // fidaudit6 D9: builtin-actors' assign_proving_period_offset hashes the address as CBOR (header included).
  test('a miner\'s proving period offset is builtin-actors\': t0111 made at epoch 0 has 625, so deadline 37 of the period from -2255 is open at epoch 1', async (t) => {
    assert.deepEqual([provingPeriodOffset(FilAddress.fromId(111), 0), provingPeriodOffset(FilAddress.fromId(113), 0), provingPeriodOffset(FilAddress.fromId(122), 3)], [625, 1811, 2595]);
    const { result, devnet } = await setupRpc(t);
    assert.equal(loadMiner(devnet.stateAt(0).getActor(111)!.miner!).provingPeriodOffset, 625);
    await result('evm_mine');
    const info = await result('Filecoin.StateMinerProvingDeadline', ['t0111', null]);
    assert.deepEqual([info.CurrentEpoch, info.PeriodStart, info.Index], [1, -2255, 37]);
  });

  test('the open deadline of the miner\'s proving period, in dline.Info\'s shape', async (t) => {
    const { result, devnet } = await setupRpc(t);
    const offset = loadMiner(devnet.stateAt(0).getActor(111)!.miner!).provingPeriodOffset;
    const d = deadlineInfo(0, offset);
    const info = await result('Filecoin.StateMinerProvingDeadline', ['t0111', null]);
    assert.deepEqual(info, {
      CurrentEpoch: 0,
      PeriodStart: d.periodStart,
      Index: d.index,
      Open: d.open,
      Close: d.close,
      Challenge: d.open - 20,
      FaultCutoff: d.open - 70,
      WPoStPeriodDeadlines: 48,
      WPoStProvingPeriod: 2880,
      WPoStChallengeWindow: 60,
      WPoStChallengeLookback: 20,
      FaultDeclarationCutoff: 70,
    });
    assert.ok(info.Open <= 0 && 0 < info.Close && info.Close - info.Open === 60);
    assert.ok(info.Index >= 0 && info.Index < 48);
  });
});

describe('Filecoin.StateReadState and StateMinerInfo of a miner', () => {
  test('the miner State with its funds and links; a pending worker change shows in MinerInfo', async (t) => {
    const { result } = await setupRpc(t);
    const state = await result('Filecoin.StateReadState', ['t0111', null]);
    // 1 attoFIL for each of its 10 pre-sealed sectors (Lotus's genesis), and its creation deposit
    // vesting (no block reward yet); what else its worker sent is available.
    assert.equal(state.State.InitialPledge, '10');
    assert.deepEqual([state.State.PreCommitDeposits, state.State.LockedFunds, state.State.FeeDebt], ['0', CREATE_MINER_DEPOSIT.toString(), '0']);
    assert.match(state.State.Sectors['/'], /^bafy/);
    // Lotus's genesis pre-commits the provider's sectors, which starts its deadline cron, and their pledge keeps it on.
    assert.equal(state.State.DeadlineCronActive, true);
    const [key] = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 1);
    // The owner asks for another worker: a new BLS account (builtin-actors resolve_worker_address
    // takes no other), which a transfer creates.
    const worker = await result('Filecoin.WalletNew', ['bls']);
    const funded = await result('Filecoin.MpoolPushMessage', [{ From: key.address.toString(), To: worker, Value: '1', Method: 0, Params: null }, null]);
    await result('Filecoin.StateSearchMsg', [null, funded.CID, -1, true]);
    const workerId = await result('Filecoin.StateLookupID', [worker, null]);
    const params = base64([FilAddress.parse(worker).bytes, []]);
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: key.address.toString(), To: 't0111', Value: '0', Method: 3, Params: params }, null]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, pushed.CID, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    const info = await result('Filecoin.StateMinerInfo', ['t0111', null]);
    assert.equal(info.NewWorker, workerId);
    assert.equal(info.WorkerChangeEpoch, lookup.Height + 900);
    assert.equal(info.Worker, 't0110');
  });
});
