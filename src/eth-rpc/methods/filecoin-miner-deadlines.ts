// The Lotus state methods of a miner's deadlines, partitions and pre-committed sectors:
// Filecoin.StateMinerDeadlines, StateMinerPartitions, StateMinerSectorCount, StateMinerRecoveries,
// StateAllMinerFaults, StateMinerInitialPledgeCollateral, StateMinerInitialPledgeForSector,
// StateMinerPreCommitDepositForPower, StateMinerCreationDeposit,
// StateSectorPreCommitInfo, StateSectorExpiration (lotus api/api_full.go, node/impl/full/state.go),
// in Lotus's JSON shapes. Window PoSt is simulated for the devnet's own miners (no proof submissions):
// a sector declared recovered is recovering until the end of its deadline's next occurrence.
import { DevnetError } from '../../common/errors.js';
import { MARKET_ACTOR_ID } from '../../fevm/actor.js';
import { CREATE_MINER_DEPOSIT } from '../../fevm/actors/power.js';
import { initialPledgeFor, preCommitDepositFor, qaPowerForWeight, shapeBySealProof, WPOST_PERIOD_DEADLINES } from '../../fevm/actors/miner/policy.js';
import { dailyFeeOf, loadMiner, postSubmissionsAt, sectorExpiration, type SectorOnChainInfo, type SectorPreCommit } from '../../fevm/actors/miner/state.js';
import { defineMethod } from '../define-method.js';
import { cidJson, idJson } from '../lotus-json.js';
import { keptStateOf, keptTipsetOf, tipsetState } from '../dropped-tipsets.js';
import { epoch, filAddress, goFields, integer, tipsetKey, unsigned } from '../lotus-params.js';
import { describeValue, invalid, type Param } from '../params.js';
import { allActors } from './filecoin-state-actors.js';
import { bitfieldJson } from '../../common/bitfield-json.js';
import { minerAt } from './filecoin-miners.js';

/** Lotus quotes pledges and deposits 10 % above what the actor asks (initialPledgeNum / initialPledgeDen). */
const withMargin = (amount: bigint) => (amount * 110n) / 100n;

const numbers = (sectors: readonly SectorOnChainInfo[]) => bitfieldJson(sectors.map((s) => s.sectorNumber));

const deadlineIndex: Param<number> = {
  name: 'deadlineIndex',
  parse: (v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= WPOST_PERIOD_DEADLINES) {
      throw invalid('deadlineIndex', `expected a deadline index from 0 to ${WPOST_PERIOD_DEADLINES - 1}`);
    }
    return v;
  },
};

/** miner.SectorPreCommitInfo as Lotus takes it: what the pledge and deposit quotes read of it. */
interface PreCommitQuote {
  sectorSize: bigint;
  dealIds: number[];
  expiration: number;
}

const preCommitInfo = (name: string): Param<PreCommitQuote> => ({
  name,
  parse: (v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalid(name, 'expected a SectorPreCommitInfo object');
    const { SealProof, DealIDs, Expiration } = goFields(v, ['SealProof', 'DealIDs', 'Expiration']);
    const shape = typeof SealProof === 'number' ? shapeBySealProof(SealProof) : undefined;
    if (!shape) throw invalid(`${name}.SealProof`, `unsupported seal proof ${describeValue(SealProof)}`);
    const expiration = integer(`${name}.Expiration`).parse(Expiration);
    if (DealIDs !== undefined && DealIDs !== null && !(Array.isArray(DealIDs) && DealIDs.every((d) => Number.isSafeInteger(d) && d >= 0))) {
      throw invalid(`${name}.DealIDs`, 'expected a list of deal IDs or null');
    }
    return { sectorSize: shape.sectorSize, dealIds: (DealIDs as number[] | null | undefined) ?? [], expiration };
  },
});

function preCommitJson(p: SectorPreCommit) {
  return {
    Info: {
      SealProof: p.sealProof,
      SectorNumber: p.sectorNumber,
      SealedCID: cidJson(p.sealedCid),
      SealRandEpoch: p.sealRandEpoch,
      DealIDs: p.dealIds.length ? [...p.dealIds] : null,
      Expiration: p.expiration,
      UnsealedCid: p.unsealedCid ? cidJson(p.unsealedCid) : null,
    },
    PreCommitDeposit: p.preCommitDeposit.toString(),
    PreCommitEpoch: p.preCommitEpoch,
  };
}

/** SectorExpiration (state.ts `sectorExpiration`) of a sector of a miner with this proving-period offset. */
function expirationJson(s: SectorOnChainInfo, offset: number) {
  const { onTime, early } = sectorExpiration(s, offset);
  return { OnTime: onTime, Early: early };
}

export const filecoinMinerDeadlines = [
  // PostSubmissions: the partitions a Window PoSt proved in the deadline's current challenge window
  // (only a forked miner submits them; the devnet's own are proven by simulation).
  defineMethod('Filecoin.StateMinerDeadlines', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const tipset = keptTipsetOf(devnet, key);
    const miner = minerAt(tipsetState(devnet, tipset), address, devnet.codes).miner;
    const postSubmissions = postSubmissionsAt(miner, tipset.epoch);
    const sectors = [...loadMiner(miner).sectors.values()];
    return Array.from({ length: WPOST_PERIOD_DEADLINES }, (_, d) => ({
      PostSubmissions: bitfieldJson(postSubmissions?.get(d) ?? []),
      DisputableProofCount: 0,
      DailyFee: dailyFeeOf(sectors.filter((s) => s.deadline === d)).toString(),
    }));
  }),

  // The deadline's partitions in order (null when it has none); AllSectors also holds the terminated and
  // expired sectors the miner keeps (deadSectors, never compacted), as builtin-actors' partitions do.
  defineMethod('Filecoin.StateMinerPartitions', [filAddress('address'), deadlineIndex, tipsetKey('tipsetKey')], ({ devnet }, address, index, key) => {
    const m = loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner);
    const sectors = [...m.sectors.values()].filter((s) => s.deadline === index);
    const dead = [...(m.deadSectors?.values() ?? [])].filter((s) => s.deadline === index);
    if (sectors.length + dead.length === 0) return null;
    const count = Math.max(...[...sectors, ...dead].map((s) => s.partition)) + 1;
    return Array.from({ length: count }, (_, partition) => {
      const live = sectors.filter((s) => s.partition === partition);
      return {
        AllSectors: numbers([...live, ...dead.filter((s) => s.partition === partition)]),
        FaultySectors: numbers(live.filter((s) => s.faultEpoch !== undefined)),
        RecoveringSectors: numbers(live.filter((s) => s.recovering)),
        LiveSectors: numbers(live),
        ActiveSectors: numbers(live.filter((s) => s.faultEpoch === undefined)),
      };
    });
  }),

  defineMethod('Filecoin.StateMinerSectorCount', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const sectors = [...loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner).sectors.values()];
    const faulty = sectors.filter((s) => s.faultEpoch !== undefined).length;
    return { Live: sectors.length, Active: sectors.length - faulty, Faulty: faulty };
  }),

  // Sectors declared recovered and not yet proven: only a forked miner has them (the devnet's own recover at once).
  defineMethod('Filecoin.StateMinerRecoveries', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) =>
    numbers([...loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner).sectors.values()].filter((s) => s.recovering)),
  ),

  // Lotus answers "fixme" here; the devnet answers what the method describes: every miner's faults
  // declared within `lookback` epochs of the tipset, one entry per miner and fault epoch.
  defineMethod('Filecoin.StateAllMinerFaults', [epoch('lookback'), tipsetKey('tipsetKey')], ({ devnet }, lookback, key) => {
    const tipset = keptTipsetOf(devnet, key);
    const cutoff = tipset.epoch - lookback;
    const faults: { Miner: string; Epoch: number }[] = [];
    for (const actor of allActors(tipsetState(devnet, tipset))) {
      if (!actor.miner) continue;
      const epochs = new Set([...loadMiner(actor.miner).sectors.values()].map((s) => s.faultEpoch).filter((e): e is number => e !== undefined && e >= cutoff));
      for (const e of [...epochs].sort((a, b) => a - b)) faults.push({ Miner: idJson(actor.id), Epoch: e });
    }
    return faults.length ? faults : null;
  }),

  // The pledge of a sector with these deals until its expiration (verified deals weigh in, as in
  // Lotus's calculateSectorWeight), at the devnet's fixed rate, plus Lotus's 10 %.
  defineMethod(
    'Filecoin.StateMinerInitialPledgeCollateral',
    [filAddress('address'), preCommitInfo('sectorPreCommitInfo'), tipsetKey('tipsetKey')],
    ({ devnet }, address, info, key) => {
      const tipset = keptTipsetOf(devnet, key);
      const state = tipsetState(devnet, tipset);
      const miner = minerAt(state, address, devnet.codes);
      const market = state.getActor(MARKET_ACTOR_ID)?.market;
      let verifiedWeight = 0n;
      for (const id of info.dealIds) {
        const deal = market?.proposals.get(id);
        if (!deal) throw new DevnetError(`verifying deals for activation: failed to get proposal for deal ${id}: not found`);
        if (deal.provider !== miner.id) throw new DevnetError(`verifying deals for activation: deal ${id} has provider t0${deal.provider}, not ${address.toString('t')}`);
        if (deal.verifiedDeal) verifiedWeight += BigInt(deal.pieceSize) * BigInt(deal.endEpoch - deal.startEpoch);
      }
      const qa = qaPowerForWeight(info.sectorSize, info.expiration - tipset.epoch, 0n, verifiedWeight);
      return withMargin(initialPledgeFor(qa)).toString();
    },
  ),

  // What replaces it since DDO (lotus b835fab70 api/api_full.go:465-471, node/impl/full/state.go
  // StateMinerInitialPledgeForSector): the pledge of a sector of this size and duration holding
  // `verifiedSize` bytes of verified data, at the devnet's fixed rate, plus Lotus's 10 %.
  defineMethod(
    'Filecoin.StateMinerInitialPledgeForSector',
    [integer('sectorDuration'), unsigned('sectorSize'), unsigned('verifiedSize'), tipsetKey('tipsetKey')],
    ({ devnet }, duration, size, verified, key) => {
      // Lotus's checks, in its order and words.
      if (duration <= 0) throw new DevnetError('sector duration must greater than 0');
      if (size === 0) throw new DevnetError('sector size must be non-zero');
      if (verified > size) throw new DevnetError('verified size must be less than or equal to sector size');
      keptTipsetOf(devnet, key);
      const qa = qaPowerForWeight(BigInt(size), duration, 0n, BigInt(verified) * BigInt(duration));
      return withMargin(initialPledgeFor(qa)).toString();
    },
  ),

  defineMethod(
    'Filecoin.StateMinerPreCommitDepositForPower',
    [filAddress('address'), preCommitInfo('sectorPreCommitInfo'), tipsetKey('tipsetKey')],
    ({ devnet }, address, info, key) => {
      minerAt(keptStateOf(devnet, key), address, devnet.codes);
      return withMargin(preCommitDepositFor(info.sectorSize)).toString();
    },
  ),

  // What CreateMiner must be sent (FIP-0077): Lotus's pledge of ConsensusMinerMinPower / 10, without margin.
  defineMethod('Filecoin.StateMinerCreationDeposit', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    keptTipsetOf(devnet, key);
    return CREATE_MINER_DEPOSIT.toString();
  }),

  // null when the sector is not pre-committed (Lotus v1).
  defineMethod('Filecoin.StateSectorPreCommitInfo', [filAddress('address'), integer('sectorNumber'), tipsetKey('tipsetKey')], ({ devnet }, address, n, key) => {
    const precommit = loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner).precommits.get(n);
    return precommit ? preCommitJson(precommit) : null;
  }),

  defineMethod('Filecoin.StateSectorExpiration', [filAddress('address'), integer('sectorNumber'), tipsetKey('tipsetKey')], ({ devnet }, address, n, key) => {
    const m = loadMiner(minerAt(keptStateOf(devnet, key), address, devnet.codes).miner);
    const sector = m.sectors.get(n);
    if (!sector) throw new DevnetError(`failed to find sector ${n}`);
    return expirationJson(sector, m.provingPeriodOffset);
  }),
];
