// The Lotus methods of miners' deadlines and sectors, deal data and verified claims, and builtin
// params through the JSON-RPC server: StateMinerDeadlines, StateMinerPartitions,
// StateMinerSectorCount, StateMinerRecoveries, StateAllMinerFaults, StateSectorExpiration,
// StateMinerInitialPledgeCollateral, StateMinerInitialPledgeForSector, StateMinerPreCommitDepositForPower, StateSectorPreCommitInfo,
// StateMarketProposalPending, StateComputeDataCID, StateGetAllAllocations, StateGetAllClaims,
// StateDecodeParams and StateEncodeParams.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Proof, ZeroComm } from '@web3-storage/data-segment';
import { FilAddress } from '../../src/common/address.js';
import { encodeBitfield } from '../../src/common/bitfield.js';
import { encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { pieceCidFromRoot } from '../../src/devnet/storage-providers/piece-cid.js';
import { sealedCid } from '../../src/devnet/storage-providers/sector-params.js';
import { codeCid } from '../../src/fevm/actor.js';
import { deadlineEndAtOrAfter, EPOCHS_IN_DAY, FAULT_MAX_AGE, WPOST_PROVING_PERIOD } from '../../src/fevm/actors/miner/policy.js';
import { nextDeadlineOccurrence } from '../../src/fevm/actors/miner/proving.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';
import { PLEDGE_32GIB } from '../helpers/pledge.js';

const FIL = 10n ** 18n;
const MINER = 't0111';
const dealClient = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const base64 = (value: unknown) => Buffer.from(encodeCbor(value)).toString('base64');

describe('deadlines, partitions and faults', () => {
  test('a faulty sector shows in its partition, the counts, the faults of all miners and its early expiration', async (t) => {
    const { result, error } = await setupRpc(t);
    const deadlines = await result('Filecoin.StateMinerDeadlines', [MINER, null]);
    assert.equal(deadlines.length, 48);
    assert.deepEqual(deadlines[0], { PostSubmissions: [0], DisputableProofCount: 0, DailyFee: '0' });
    // The genesis sectors 0…9 sit in deadlines 0…9, partition 0.
    const healthy = { AllSectors: [3, 1], FaultySectors: [0], RecoveringSectors: [0], LiveSectors: [3, 1], ActiveSectors: [3, 1] };
    assert.deepEqual(await result('Filecoin.StateMinerPartitions', [MINER, 3, null]), [healthy]);
    assert.equal(await result('Filecoin.StateMinerPartitions', [MINER, 47, null]), null);
    assert.deepEqual(await result('Filecoin.StateMinerSectorCount', [MINER, null]), { Live: 10, Active: 10, Faulty: 0 });
    const expiration = (await result('Filecoin.StateSectorGetInfo', [MINER, 3, null])).Expiration;
    // fidaudit6 D5: at the end of the sector's deadline (3) at or after the epoch, as builtin-actors'
    // expiration queue holds it and Lotus answers it.
    const offset = (await result('Filecoin.StateMinerProvingDeadline', [MINER, null])).PeriodStart % WPOST_PROVING_PERIOD;
    const deadlineEnd = (epoch: number) => deadlineEndAtOrAfter(epoch, (offset + WPOST_PROVING_PERIOD) % WPOST_PROVING_PERIOD, 3);
    assert.ok(deadlineEnd(expiration) >= expiration && deadlineEnd(expiration) < expiration + WPOST_PROVING_PERIOD);
    assert.deepEqual(await result('Filecoin.StateSectorExpiration', [MINER, 3, null]), { OnTime: deadlineEnd(expiration), Early: 0 });
    assert.equal(await result('Filecoin.StateAllMinerFaults', [100, null]), null);

    await result('devnet_faultSectors', [MINER, [3]]);
    const head = (await result('Filecoin.ChainHead')).Height;
    assert.deepEqual(await result('Filecoin.StateMinerPartitions', [MINER, 3, null]), [{ ...healthy, FaultySectors: [3, 1], ActiveSectors: [0] }]);
    assert.deepEqual(await result('Filecoin.StateMinerSectorCount', [MINER, null]), { Live: 10, Active: 9, Faulty: 1 });
    assert.deepEqual(await result('Filecoin.StateMinerRecoveries', [MINER, null]), [0]);
    assert.deepEqual(await result('Filecoin.StateAllMinerFaults', [100, null]), [{ Miner: MINER, Epoch: head }]);
    await result('evm_mine');
    assert.equal(await result('Filecoin.StateAllMinerFaults', [0, null]), null);
    assert.deepEqual(await result('Filecoin.StateSectorExpiration', [MINER, 3, null]), { OnTime: 0, Early: deadlineEnd(head) + FAULT_MAX_AGE }, 'the end of its deadline 42 periods on (fidaudit6 D5)');

    assert.match((await error('Filecoin.StateSectorExpiration', [MINER, 99, null])).message, /failed to find sector 99/);
    const bad = await error('Filecoin.StateMinerPartitions', [MINER, 48, null]);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'deadlineIndex'/);
    assert.match((await error('Filecoin.StateMinerDeadlines', ['t0100', null])).message, /is not a miner/);
  });
});

describe('pledge quotes and pre-commits', () => {
  test('a CC sector is quoted its pledge and deposit (builtin-actors\' cap: 29 103 830 attoFIL a byte) plus Lotus\'s 10 %; its pre-commit reads back', async (t) => {
    const pledge = PLEDGE_32GIB;
    const { result, error } = await setupRpc(t);
    const head = (await result('Filecoin.ChainHead')).Height;
    const expiration = head + 300 * EPOCHS_IN_DAY;
    const info = { SealProof: 8, SectorNumber: 100, SealedCID: { '/': sealedCid(111, 100).toString() }, SealRandEpoch: head, DealIDs: null, Expiration: expiration, UnsealedCid: null };
    assert.equal(await result('Filecoin.StateMinerInitialPledgeCollateral', [MINER, info, null]), ((pledge * 11n) / 10n).toString());
    assert.equal(await result('Filecoin.StateMinerPreCommitDepositForPower', [MINER, info, null]), ((pledge * 11n) / 10n).toString());
    // readme2 N3 (session 40): Lotus's replacement since DDO, by duration, size and verified bytes
    // (lotus b835fab70 api/api_full.go:471): a 32 GiB CC sector the same, a fully verified one 10 times.
    const duration = 300 * EPOCHS_IN_DAY;
    const forSector = (verified: number) => result('Filecoin.StateMinerInitialPledgeForSector', [duration, 32 * 2 ** 30, verified, null]);
    assert.equal(await forSector(0), ((pledge * 11n) / 10n).toString());
    assert.equal(await forSector(32 * 2 ** 30), ((pledge * 110n) / 10n).toString());
    assert.equal((await error('Filecoin.StateMinerInitialPledgeForSector', [0, 32 * 2 ** 30, 0, null])).message, 'sector duration must greater than 0');
    assert.equal((await error('Filecoin.StateMinerInitialPledgeForSector', [duration, 0, 0, null])).message, 'sector size must be non-zero');
    assert.equal((await error('Filecoin.StateMinerInitialPledgeForSector', [duration, 2048, 4096, null])).message, 'verified size must be less than or equal to sector size');
    const bad = await error('Filecoin.StateMinerInitialPledgeCollateral', [MINER, { ...info, SealProof: 99 }, null]);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'sectorPreCommitInfo.SealProof'/);

    assert.equal(await result('Filecoin.StateSectorPreCommitInfo', [MINER, 100, null]), null);
    const owner = (await result('Filecoin.StateMinerInfo', [MINER, null])).Owner;
    const ownerKey = await result('Filecoin.StateAccountKey', [owner, null]);
    const params = [[[8, 100, sealedCid(111, 100), head, [], expiration, null]]];
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: ownerKey, To: MINER, Value: (2n * FIL).toString(), Method: 28, Params: base64(params) }, null]);
    assert.equal((await result('Filecoin.StateSearchMsg', [null, pushed.CID, -1, true])).Receipt.ExitCode, 0);
    assert.deepEqual(await result('Filecoin.StateSectorPreCommitInfo', [MINER, 100, null]), {
      Info: { SealProof: 8, SectorNumber: 100, SealedCID: info.SealedCID, SealRandEpoch: head, DealIDs: null, Expiration: expiration, UnsealedCid: null },
      PreCommitDeposit: pledge.toString(),
      PreCommitEpoch: head + 1,
    });
  });
});

// fidaudit6 D4: FIP-0077's creation deposit (Lotus StateMinerCreationDeposit: ConsensusMinerMinPower / 10's pledge).
describe('the miner creation deposit', () => {
  test('StateMinerCreationDeposit is what CreateMiner must be sent: less is refused with builtin-actors\' words, and the new miner locks it', async (t) => {
    const { result, error } = await setupRpc(t);
    const deposit = BigInt(await result('Filecoin.StateMinerCreationDeposit', [null]));
    const { ConsensusMinerMinPower } = await result('Filecoin.StateGetNetworkParams');
    // builtin-actors' capped pledge of a tenth of it: the per-byte cap floored first (monies.rs initial_pledge_for_power).
    assert.equal(deposit, (BigInt(ConsensusMinerMinPower) / 10n) * (FIL / (32n << 30n)));
    assert.equal(deposit, 5_937_181_320n);
    const owner = await result('Filecoin.StateAccountKey', [(await result('Filecoin.StateMinerInfo', [MINER, null])).Owner, null]);
    const worker = await result('Filecoin.WalletNew', ['bls']);
    await result('Filecoin.MpoolPushMessage', [{ From: owner, To: worker, Value: FIL.toString(), Method: 0, Params: null }, null]);
    const create = (value: bigint) => ({ From: owner, To: 't04', Value: value.toString(), Method: 2, Params: base64([FilAddress.parse(owner).bytes, FilAddress.parse(worker).bytes, 13, new Uint8Array([1]), []]) });
    const refused = await error('Filecoin.MpoolPushMessage', [create(deposit - 1n), null]);
    assert.match(refused.message, new RegExp(`not enough balance to lock for create miner deposit: sent balance ${deposit - 1n} < deposit ${deposit}`));
    const miners = await result('Filecoin.StateListMiners', [null]);
    await result('Filecoin.MpoolPushMessage', [create(deposit), null]);
    const [miner] = (await result('Filecoin.StateListMiners', [null])).filter((m: string) => !miners.includes(m));
    assert.equal(await result('Filecoin.StateMinerAvailableBalance', [miner, null]), '0');
    assert.equal(BigInt((await result('Filecoin.StateReadState', [miner, null])).State.LockedFunds), deposit);
  });
});

describe('deal data and verified claims', () => {
  test('a verified deal is pending, its data CID is the sector CommD, its allocation becomes a claim', async (t) => {
    const { result, error, devnet } = await setupRpc(t, { sealDelay: 3 });
    const [p1, p2] = [randomVerifiedPiece(), randomVerifiedPiece()];
    await result('devnet_addVerifiedClient', [dealClient, String(p1.size)]);
    const { dealId } = await result('devnet_proposeDeal', [{ pieceCid: p1.cid.toString(), pieceSize: p1.size, provider: MINER, verifiedDeal: true }]);
    const second = await result('devnet_proposeDeal', [{ pieceCid: p2.cid.toString(), pieceSize: p2.size, provider: MINER }]);
    const [proposalCid] = [...devnet.stateAt(devnet.head.epoch).getActor(5)!.market!.pendingProposals.values()];
    assert.equal(await result('Filecoin.StateMarketProposalPending', [{ '/': proposalCid.toString() }, null]), true);
    assert.equal(await result('Filecoin.StateMarketProposalPending', [{ '/': p1.cid.toString() }, null]), false);

    // Two 1 MiB pieces side by side, zeros after them, up to a 32 GiB sector.
    const level = Math.log2(p1.size / 32);
    let node = Proof.computeNode(p1.cid.multihash.digest, p2.cid.multihash.digest);
    for (let l = level + 1; l < 30; l++) node = Proof.computeNode(node, ZeroComm.fromLevel(l));
    assert.deepEqual(await result('Filecoin.StateComputeDataCID', [MINER, 8, [dealId, second.dealId], null]), { '/': pieceCidFromRoot(node).toString() });
    assert.equal(await result('Filecoin.StateComputeDataCID', [MINER, 8, [], null]), null);
    assert.match((await error('Filecoin.StateComputeDataCID', ['t0113', 8, [dealId], null])).message, /receipt for VerifyDealsForActivation had exit code 18/);
    assert.match((await error('Filecoin.StateComputeDataCID', [MINER, 8, [999], null])).message, /exit code 17/);
    assert.equal((await error('Filecoin.StateComputeDataCID', [MINER, 8, ['x'], null])).code, -32602);

    const allocations = await result('Filecoin.StateGetAllAllocations', [null]);
    assert.deepEqual(Object.keys(allocations), ['1']);
    assert.equal(allocations['1'].Data['/'], p1.cid.toString());
    assert.deepEqual(await result('Filecoin.StateGetAllClaims', [null]), {});
    for (let i = 0; i < 4; i++) await result('evm_mine');
    await devnet.storageProviders.settled();
    assert.deepEqual(await result('Filecoin.StateGetAllAllocations', [null]), {});
    const claims = await result('Filecoin.StateGetAllClaims', [null]);
    assert.deepEqual(Object.keys(claims), ['1']);
    assert.equal(claims['1'].Provider, 111);
    assert.deepEqual(claims, await result('Filecoin.StateGetClaims', [MINER, null]));
  });
});

describe('StateDecodeParams and StateEncodeParams', () => {
  test('builtin methods\' params round-trip through Lotus\'s Go JSON', async (t) => {
    const { result, error } = await setupRpc(t);
    const withdraw = { ProviderOrClientAddress: 't0100', Amount: '12345' };
    const marketCode = { '/': codeCid('storagemarket').toString() };
    const encoded = await result('Filecoin.StateEncodeParams', [marketCode, 3, withdraw]);
    assert.equal(encoded, base64([FilAddress.fromId(100).bytes, encodeBigInt(12345n)]));
    // G6c: Go's encoding/json takes a struct's keys in any case.
    assert.equal(await result('Filecoin.StateEncodeParams', [marketCode, 3, { providerOrClientAddress: 't0100', AMOUNT: '12345' }]), encoded);
    assert.deepEqual(await result('Filecoin.StateDecodeParams', ['t05', 3, encoded, null]), withdraw);
    // The FRC-42 number of the same method decodes the same way.
    assert.deepEqual(await result('Filecoin.StateDecodeParams', ['t05', 2280458852, encoded, null]), withdraw);

    const faults = { Faults: [{ Deadline: 3, Partition: 0, Sectors: [3, 2] }] };
    const minerCode = { '/': codeCid('storageminer').toString() };
    const faultParams = await result('Filecoin.StateEncodeParams', [minerCode, 10, faults]);
    assert.deepEqual(await result('Filecoin.StateDecodeParams', [MINER, 10, faultParams, null]), faults);
    const create = { Owner: 't0100', Worker: 't0100', WindowPoStProofType: 13, Peer: 'AAEC', Multiaddrs: [] };
    const powerParams = await result('Filecoin.StateEncodeParams', [{ '/': codeCid('storagepower').toString() }, 2, create]);
    assert.deepEqual(await result('Filecoin.StateDecodeParams', ['t04', 2, powerParams, null]), create);
    assert.deepEqual(await result('Filecoin.StateDecodeParams', ['t05', 2, base64(FilAddress.fromId(100).bytes), null]), 't0100');

    assert.match((await error('Filecoin.StateDecodeParams', ['t05', 99, '', null])).message, /unknown method 99 for actor .*: actor metadata not found/);
    const badJson = await error('Filecoin.StateEncodeParams', [marketCode, 3, { ...withdraw, Amount: 12 }]);
    assert.equal(badJson.code, -32602);
    assert.match(badJson.message, /params\.Amount/);
    const badCbor = await error('Filecoin.StateDecodeParams', ['t05', 3, base64([1, 2, 3]), null]);
    assert.equal(badCbor.code, -32602);
  });
});

describe('FIP-0100 daily fee', () => {
  test('a sector sealed here has its DailyFee from the circulating supply of its proof\'s parent tipset; its deadline sums it', async (t) => {
    const { result, devnet } = await setupRpc(t, { sealDelay: 1 });
    const piece = randomVerifiedPiece();
    const { dealId } = await result('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: MINER }]);
    for (let i = 0; i < 4; i++) await result('evm_mine');
    await devnet.storageProviders.settled();
    const { State } = await result('Filecoin.StateMarketStorageDeal', [dealId, null]);
    const sector = await result('Filecoin.StateSectorGetInfo', [MINER, State.SectorNumber, null]);
    const parent = await result('Filecoin.ChainGetTipSetByHeight', [sector.Activation - 1, null]);
    const supply = BigInt(await result('Filecoin.StateCirculatingSupply', [parent.Cids]));
    // builtin-actors miner/src/policy.rs daily_proof_fee on a 32 GiB sector of unverified data (QA = raw).
    assert.equal(BigInt(sector.DailyFee), (161_817n * supply * (32n << 30n)) / 10n ** 30n);
    assert.ok(BigInt(sector.DailyFee) > 0n);
    const { Deadline } = await result('Filecoin.StateSectorPartition', [MINER, State.SectorNumber, null]);
    const deadlines = await result('Filecoin.StateMinerDeadlines', [MINER, null]);
    assert.equal(deadlines[Deadline].DailyFee, sector.DailyFee, 'the only sector with a fee in its deadline');
    // What the proving tipset's actors were given, in Lotus's parts (chain/stmgr/supply.go GetVMCirculatingSupplyDetailed):
    // the figure at its parent's key, whose state every State* method reads there.
    const vm = await result('Filecoin.StateVMCirculatingSupplyInternal', [parent.Cids]);
    // The fee's own figure; StateCirculatingSupply of the parent sums the same state, at the parent's height (no multisig vests here).
    assert.equal(BigInt(vm.FilCirculating), supply);
    assert.equal(BigInt(sector.DailyFee), (161_817n * BigInt(vm.FilCirculating) * (32n << 30n)) / 10n ** 30n);
    const part = (name: string) => BigInt(vm[name]);
    assert.equal(part('FilVested') + part('FilMined') + part('FilReserveDisbursed') - part('FilBurnt') - part('FilLocked'), supply);
    assert.equal(vm.FilBurnt, (await result('Filecoin.StateGetActor', ['t099', parent.Cids])).Balance);
    assert.equal(vm.FilMined, (await result('Filecoin.StateReadState', ['t02', parent.Cids])).State.TotalStoragePowerReward);
    assert.equal(vm.FilLocked, (await result('Filecoin.StateReadState', ['t04', parent.Cids])).State.TotalPledgeCollateral);
    assert.ok(part('FilMined') > 0n && part('FilBurnt') > 0n);
    // The pledge is locked from the proof on: the head's parent holds it (beside the genesis sectors' pre-seal
    // pledge, 1 attoFIL each), with three quarters of each block reward, vesting in the winners' LockedFunds
    // (builtin-actors apply_rewards); not the creation deposit each genesis miner locks too, which its
    // constructor locks without telling the power actor (builtin-actors miner lib.rs constructor).
    const miners: string[] = await result('Filecoin.StateListMiners', [null]);
    const vesting = await Promise.all(miners.map(async (m) => BigInt((await result('Filecoin.StateReadState', [m, null])).State.LockedFunds)));
    assert.ok(vesting.every((locked) => locked > CREATE_MINER_DEPOSIT));
    const locked = vesting.reduce((a, b) => a + b - CREATE_MINER_DEPOSIT, BigInt(sector.InitialPledge) + 20n);
    assert.equal(BigInt((await result('Filecoin.StateVMCirculatingSupplyInternal', [null])).FilLocked), locked);
  });
});

describe('fidaudit6 D3: fault and recovery cut-offs, recoveries at the next Window PoSt', () => {
  test('a late DeclareFaults fails with builtin-actors\' text; devnet_faultSectors waits until it is accepted; a recovery restores the power at the deadline\'s end', async (t) => {
    const { result, error } = await setupRpc(t);
    const SECTOR = 5;
    const { Deadline, Partition } = await result('Filecoin.StateSectorPartition', [MINER, SECTOR, null]);
    const { PeriodStart } = await result('Filecoin.StateMinerProvingDeadline', [MINER, null]);
    const offset = ((PeriodStart % WPOST_PROVING_PERIOD) + WPOST_PROVING_PERIOD) % WPOST_PROVING_PERIOD;
    const head = async () => (await result('Filecoin.ChainHead')).Height as number;
    const mineTo = async (epoch: number) => {
      const n = epoch - (await head());
      if (n > 0) await result('anvil_mine', [n]);
    };
    const raw = async () => BigInt((await result('Filecoin.StateMinerPower', [MINER, null])).MinerPower.RawBytePower);

    // The next message lands at the fault cut-off of the sector's deadline: late.
    const late = nextDeadlineOccurrence(offset, Deadline, (await head()) + 10);
    await mineTo(late.faultCutoff - 1);
    const { Worker } = await result('Filecoin.StateMinerInfo', [MINER, null]);
    const params = base64([[[Deadline, Partition, encodeBitfield([SECTOR])]]]);
    const refused = await error('Filecoin.MpoolPushMessage', [{ From: Worker, To: MINER, Value: '0', Method: 10, Params: params }, null]);
    assert.match(refused.message, new RegExp(`failed fault declaration at deadline ${Deadline}: late fault or recovery declaration \\(16\\)`));

    // The cheat waits, as a provider's worker does, until the deadline has closed.
    const before = await raw();
    await result('devnet_faultSectors', [MINER, [SECTOR]]);
    assert.ok((await head()) > late.last, 'declared after the deadline closed');
    assert.equal(await raw(), before - (32n << 30n));

    // A recovery: the sector is recovering, without power, until the next occurrence of its deadline ends.
    await result('devnet_recoverSectors', [MINER, [SECTOR]]);
    const proof = nextDeadlineOccurrence(offset, Deadline, await head());
    assert.deepEqual(await result('Filecoin.StateMinerRecoveries', [MINER, null]), [SECTOR, 1]);
    assert.equal(await raw(), before - (32n << 30n));
    await mineTo(proof.last - 1);
    assert.equal(await raw(), before - (32n << 30n));
    await mineTo(proof.last);
    assert.equal(await raw(), before, 'proven at the deadline\'s last epoch');
  });
});
