// The Lotus state methods of storage providers: Filecoin.StateListMiners, StateMinerInfo,
// StateMinerPower, StateMinerAvailableBalance, StateMinerSectors, StateSectorGetInfo,
// StateMinerActiveSectors, StateMinerFaults, StateMinerProvingDeadline, StateSectorPartition,
// StateMinerSectorAllocated, StateMinerAllocated
// (lotus api/api_full.go, node/impl/full/state.go), in Lotus's JSON shapes.
import { FilAddress } from '../../common/address.js';
import { cidOf, encodeCbor, type CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { peerIdString } from '../../devnet/storage-providers/keys.js';
import { POWER_ACTOR_ID, type Actor } from '../../fevm/actor.js';
import type { CodeTable } from '../../fevm/code-table.js';
import { deadlineInfo, FAULT_DECLARATION_CUTOFF, WPOST_CHALLENGE_LOOKBACK, WPOST_CHALLENGE_WINDOW, WPOST_PERIOD_DEADLINES, WPOST_PROVING_PERIOD } from '../../fevm/actors/miner/policy.js';
import { activeSectors, availableBalance, deadlineCronActive, faultySectors, loadMiner, minerStateValue, sectorInAmt, vestedFunds, vestingTailValue, type MinerState, type SectorInfo, type SectorOnChainInfo, type VestingFund } from '../../fevm/actors/miner/state.js';
import { claimOf, EMPTY_POWER_STATE, minerMeetsConsensus, type Claim } from '../../fevm/actors/power.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import type { StateReader } from '../../fevm/state-tree.js';
import { defineMethod } from '../define-method.js';
import { bitfieldFromRuns, bitfieldJson, isRunList } from '../../common/bitfield-json.js';
import { cidJson, idJson } from '../lotus-json.js';
import { keptStateOf, keptTipsetOf, tipsetState } from '../dropped-tipsets.js';
import { filAddress, integer, tipsetKey } from '../lotus-params.js';
import { invalid, type Param } from '../params.js';

/** A Go nil slice marshals to null: Lotus shows an empty list from the miner's state as null. */
const listJson = <T, U>(items: readonly T[], f: (item: T) => U): U[] | null => (items.length ? items.map(f) : null);

const claimJson = (claim: Claim) => ({ RawBytePower: claim.rawBytePower.toString(), QualityAdjPower: claim.qualityAdjPower.toString() });

/** The miner actor `address` names, with Lotus's wording when there is none (node/impl/full/state.go). */
export function minerAt(state: StateReader, address: FilAddress, codes: CodeTable): Actor & { miner: MinerState } {
  const actor = resolveAddress(state, address);
  if (!actor) throw new DevnetError(`failed to load miner actor: actor not found (${address.toString('t')})`);
  if (!actor.miner) throw new DevnetError(`failed to load miner actor state: unknown actor code ${codes.codeOf(actor.kind).toString()} (${address.toString('t')} is not a miner)`);
  return actor as Actor & { miner: MinerState };
}

/**
 * Reads a miner's proving state, so that what its deadline closes change (its power, funds and
 * balance) reads as it stands: a fork runs a forked miner's closes once it has read that state,
 * catching up those it missed (devnet/fork/fork-source.ts), and the answer must not depend on when
 * the fork first read the miner.
 */
function afterItsCloses(miner: MinerState): void {
  void loadMiner(miner).sectors.size;
}

/** api.MinerInfo: the miner's MinerInfo with its pending changes spelled out. */
function minerInfoJson(state: MinerState) {
  const info = loadMiner(state);
  const pending = info.pendingBeneficiary;
  return {
    Owner: idJson(info.owner),
    Worker: idJson(info.worker),
    // No worker key change pending: Lotus shows address.Undef.
    NewWorker: info.pendingWorkerKey ? idJson(info.pendingWorkerKey.newWorker) : '<empty>',
    ControlAddresses: listJson(info.controlAddresses, idJson),
    WorkerChangeEpoch: info.pendingWorkerKey?.effectiveAt ?? -1,
    PeerId: info.peerId.length ? peerIdString(info.peerId) : null,
    Multiaddrs: listJson(info.multiaddrs, (m) => Buffer.from(m).toString('base64')),
    WindowPoStProofType: info.windowPoStProofType,
    SectorSize: Number(info.sectorSize),
    WindowPoStPartitionSectors: info.windowPoStPartitionSectors,
    ConsensusFaultElapsed: info.consensusFaultElapsed,
    PendingOwnerAddress: info.pendingOwner === undefined ? null : idJson(info.pendingOwner),
    Beneficiary: idJson(info.beneficiary),
    BeneficiaryTerm: { Quota: info.beneficiaryTerm.quota.toString(), UsedQuota: info.beneficiaryTerm.usedQuota.toString(), Expiration: info.beneficiaryTerm.expiration },
    PendingBeneficiaryTerm: pending
      ? {
          NewBeneficiary: idJson(pending.newBeneficiary),
          NewQuota: pending.newQuota.toString(),
          NewExpiration: pending.newExpiration,
          ApprovedByBeneficiary: pending.approvedByBeneficiary,
          ApprovedByNominee: pending.approvedByNominee,
        }
      : null,
  };
}

/** miner.SectorOnChainInfo as Lotus marshals it (DeprecatedDealIDs is not shown; the v16+ reward fields are null). */
function sectorJson(s: SectorInfo) {
  return {
    SectorNumber: s.sectorNumber,
    SealProof: s.sealProof,
    SealedCID: cidJson(s.sealedCid),
    Activation: s.activation,
    Expiration: s.expiration,
    DealWeight: s.dealWeight.toString(),
    VerifiedDealWeight: s.verifiedDealWeight.toString(),
    InitialPledge: s.initialPledge.toString(),
    ExpectedDayReward: null,
    ExpectedStoragePledge: null,
    PowerBaseEpoch: s.powerBaseEpoch,
    ReplacedDayReward: null,
    SectorKeyCID: null,
    Flags: s.flags,
    DailyFee: s.dailyFee.toString(),
  };
}

const bySectorNumber = (a: SectorOnChainInfo, b: SectorOnChainInfo) => a.sectorNumber - b.sectorNumber;

/** A bitfield parameter in go-bitfield's JSON (run lengths), or null for none. */
const bitfieldParam = (name: string): Param<Set<number> | undefined> => ({
  name,
  parse: (v) => {
    if (v === null || v === undefined) return undefined;
    if (!isRunList(v)) throw invalid(name, 'expected a bitfield as a list of run lengths');
    return new Set(bitfieldFromRuns(v));
  },
});

/** The block of a vesting table's funds after the first (VestingFunds' tail), which ChainReadObj serves; none for an empty table. */
export function vestingTailBlock(funds: readonly VestingFund[]): Uint8Array | undefined {
  const tail = vestingTailValue(funds);
  return tail && encodeCbor(tail);
}

/** go-state-types' VestingFunds (actors v16+): the first fund inline, the others in `tail` (vestingTailBlock); null for none. */
function vestingFundsJson(funds: readonly VestingFund[], tail: Uint8Array | undefined) {
  if (!tail) return null;
  return { Head: { Epoch: funds[0]!.epoch, Amount: funds[0]!.amount.toString() }, Tail: cidJson(cidOf(tail)) };
}

/**
 * The StateReadState view of a miner: go-state-types miner.State, its AMTs and HAMTs as the CIDs of
 * the devnet's values, but for its Deadlines, laid out as builtin-actors does (deadline-blocks.ts),
 * and its vesting table (vestingTable) and that table's tail block, which the caller has built to serve it.
 */
export function minerStateJson(state: MinerState, epoch: number, deadlines: CID, vesting: readonly VestingFund[], vestingTail: Uint8Array | undefined) {
  const m = loadMiner(state);
  const link = (value: unknown) => cidJson(cidOf(encodeCbor(value)));
  const [info, , , , , , precommits, cleanUp, allocated, sectors, periodStart, deadline] = minerStateValue(m, epoch, vesting) as unknown[];
  return {
    Info: link(info),
    PreCommitDeposits: m.preCommitDeposits.toString(),
    LockedFunds: (m.lockedFunds ?? 0n).toString(),
    VestingFunds: vestingFundsJson(vesting, vestingTail),
    FeeDebt: m.feeDebt.toString(),
    InitialPledge: m.initialPledge.toString(),
    PreCommittedSectors: link(precommits),
    PreCommittedSectorsCleanUp: link(cleanUp),
    AllocatedSectors: link(allocated),
    Sectors: link(sectors),
    ProvingPeriodStart: periodStart,
    CurrentDeadline: deadline,
    Deadlines: cidJson(deadlines),
    EarlyTerminations: [0],
    DeadlineCronActive: deadlineCronActive(m),
  };
}

export const filecoinMiners = [
  defineMethod('Filecoin.StateListMiners', [tipsetKey('tipsetKey')], ({ devnet }, key) =>
    devnet.minerIdsIn(keptStateOf(devnet, key)).map((id) => idJson(id)),
  ),

  defineMethod('Filecoin.StateMinerInfo', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) =>
    minerInfoJson(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner),
  ),

  // As Lotus (stmgr.GetPowerRaw): an address without a claim has no power, and no error.
  defineMethod('Filecoin.StateMinerPower', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = keptStateOf(devnet, key);
    // A chain saved before the devnet had storage providers has a power actor without state.
    const power = state.getActor(POWER_ACTOR_ID)?.power ?? EMPTY_POWER_STATE;
    const actor = resolveAddress(state, address);
    if (actor?.miner) afterItsCloses(actor.miner);
    const claim = actor === undefined ? undefined : claimOf(power, actor.id);
    return {
      MinerPower: claimJson(claim ?? { rawBytePower: 0n, qualityAdjPower: 0n }),
      TotalPower: claimJson({ rawBytePower: power.totalRawBytePower, qualityAdjPower: power.totalQualityAdjPower }),
      // Lotus's MinerNominalPowerMeetsConsensusMinimum: below the minimum, any power counts while
      // fewer than ConsensusMinerMinMiners miners reach it.
      HasMinPower: claim !== undefined && minerMeetsConsensus(power, claim),
    };
  }),

  // The balance less locked funds, initial pledge, pre-commit deposits and fee debt, plus what has vested
  // by the tipset's height and is still locked (Lotus node/impl/full/state.go); only a forked miner has vesting funds.
  defineMethod('Filecoin.StateMinerAvailableBalance', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const tipset = keptTipsetOf(devnet, key);
    const miner = minerAt(tipsetState(devnet, tipset), address, devnet.codes);
    afterItsCloses(miner.miner);
    return (availableBalance(miner.miner, miner.balance) + vestedFunds(miner.miner, tipset.epoch)).toString();
  }),

  // Every sector of the sectors AMT, as Lotus: the live ones and those terminated or expired (deadSectors).
  defineMethod('Filecoin.StateMinerSectors', [filAddress('address'), bitfieldParam('sectorFilter'), tipsetKey('tipsetKey')], ({ devnet }, address, filter, key) => {
    const m = loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner);
    const sectors = [...m.sectors.values(), ...(m.deadSectors?.values() ?? [])];
    return sectors.filter((s) => !filter || filter.has(s.sectorNumber)).sort(bySectorNumber).map(sectorJson);
  }),

  defineMethod('Filecoin.StateMinerActiveSectors', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) =>
    activeSectors(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner).sort(bySectorNumber).map(sectorJson),
  ),

  // As Lotus: null when the sectors AMT has no such sector (a terminated or expired one it still has).
  defineMethod('Filecoin.StateSectorGetInfo', [filAddress('address'), integer('sectorNumber'), tipsetKey('tipsetKey')], ({ devnet }, address, sectorNumber, key) => {
    const { miner } = minerAt(keptStateOf(devnet, key), address, devnet.codes);
    // On a fork, an upstream sector the fork did not seal itself.
    const sector = sectorInAmt(miner, sectorNumber)?.sector ?? miner.upstreamSectors?.get(sectorNumber);
    return sector ? sectorJson(sector) : null;
  }),

  // Whether the miner's AllocatedSectors bitfield holds the number: one a precommit or a claim ever took,
  // sealed or not, live or not (Lotus node/impl/full/state.go:1699 StateMinerSectorAllocated, IsAllocated).
  defineMethod('Filecoin.StateMinerSectorAllocated', [filAddress('address'), integer('sectorNumber'), tipsetKey('tipsetKey')], ({ devnet }, address, sectorNumber, key) =>
    loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner).allocatedSectors.includes(sectorNumber),
  ),

  // The miner's AllocatedSectors as a go-bitfield run list (Lotus node/impl/full/state.go:1088 StateMinerAllocated).
  defineMethod('Filecoin.StateMinerAllocated', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) =>
    bitfieldJson(loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner).allocatedSectors),
  ),

  // A dead sector stays in its partition (terminated), where Lotus's FindSector still finds it.
  defineMethod('Filecoin.StateSectorPartition', [filAddress('address'), integer('sectorNumber'), tipsetKey('tipsetKey')], ({ devnet }, address, sectorNumber, key) => {
    const sector = sectorInAmt(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner, sectorNumber)?.sector;
    if (!sector) throw new DevnetError(`sector ${sectorNumber} not due at any deadline`);
    return { Deadline: sector.deadline, Partition: sector.partition };
  }),

  defineMethod('Filecoin.StateMinerFaults', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) =>
    bitfieldJson(faultySectors(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner).map((s) => s.sectorNumber)),
  ),

  // dline.Info of the deadline open at the tipset (Lotus: DeadlineInfo(height).NextNotElapsed()).
  defineMethod('Filecoin.StateMinerProvingDeadline', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const tipset = keptTipsetOf(devnet, key);
    const miner = loadMiner(minerAt(tipsetState(devnet, tipset), address, devnet.codes).miner);
    const d = deadlineInfo(tipset.epoch, miner.provingPeriodOffset);
    return {
      CurrentEpoch: d.currentEpoch,
      PeriodStart: d.periodStart,
      Index: d.index,
      Open: d.open,
      Close: d.close,
      Challenge: d.challenge,
      FaultCutoff: d.faultCutoff,
      WPoStPeriodDeadlines: WPOST_PERIOD_DEADLINES,
      WPoStProvingPeriod: WPOST_PROVING_PERIOD,
      WPoStChallengeWindow: WPOST_CHALLENGE_WINDOW,
      WPoStChallengeLookback: WPOST_CHALLENGE_LOOKBACK,
      FaultDeclarationCutoff: FAULT_DECLARATION_CUTOFF,
    };
  }),
];
