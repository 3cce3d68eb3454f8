// A forked miner's proving state at the fork point: every live sector placed in its deadline and
// partition, which of them are faulty, the partitions already proven in each deadline, and the dead
// sectors (terminated or expired) its partitions and sectors AMT still hold until CompactPartitions. From a
// full node through its state methods (StateMinerSectors, StateMinerPartitions of each of the 48
// deadlines, StateMinerDeadlines' PostSubmissions, StateSectorExpiration of faulty sectors). A Lotus
// gateway serves neither StateMinerSectors nor StateMinerPartitions: from one, by walking the
// miner's state as builtin-actors lays it out (StateReadState names the Deadlines block,
// ChainReadObj returns it, its Deadline blocks and their partitions AMTs) and reading each sector's
// info (StateSectorGetInfo: Lotus reads it from the sectors AMT, dead ones included).
import { CID } from 'multiformats/cid';
import { readAmt } from '../../common/amt.js';
import { decodeBitfield } from '../../common/bitfield.js';
import { bitfieldFromRuns } from '../../common/bitfield-json.js';
import { decodeCbor } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { FAULT_MAX_AGE, WPOST_PERIOD_DEADLINES } from '../../fevm/actors/miner/policy.js';
import type { SectorInfo, SectorOnChainInfo } from '../../fevm/actors/miner/state.js';
import type { LocatedPoint } from './fork-point.js';
import { isBlockNotFound, isMethodNotFound, type Upstream } from './upstream.js';

/** miner.SectorOnChainInfo as Lotus's JSON writes it (the fields the devnet keeps). */
export interface LotusSector {
  SectorNumber: number;
  SealProof: number;
  SealedCID: { '/': string };
  Activation: number;
  Expiration: number;
  DealWeight: string;
  VerifiedDealWeight: string;
  InitialPledge: string;
  PowerBaseEpoch: number;
  Flags: number;
  DailyFee?: string | null;
}

interface LotusPartition {
  AllSectors: number[];
  FaultySectors: number[];
  RecoveringSectors: number[];
  LiveSectors: number[];
  ActiveSectors: number[];
}

/** What the fork holds of a miner's proving state at the fork point. */
export interface ForkedProving {
  /** Live sectors, each with its deadline and partition; a faulty one with the epoch its fault counts from. */
  sectors: SectorOnChainInfo[];
  /** Partitions proven in each deadline's current challenge window, by deadline index (deadlines without any left out). */
  postSubmissions: [number, number[]][];
  /**
   * Terminated or expired sectors still in their partition (its Sectors less LiveSectors; builtin-actors
   * partition_state.rs keeps them, in Terminated, until CompactPartitions), each at its deadline and
   * partition: the sector status methods answer them Dead there, Lotus's sector methods list them.
   */
  deadSectors: SectorOnChainInfo[];
}

export function sectorFromLotus(s: LotusSector): SectorInfo {
  return {
    sectorNumber: s.SectorNumber,
    sealProof: s.SealProof,
    sealedCid: CID.parse(s.SealedCID['/']),
    activation: s.Activation,
    expiration: s.Expiration,
    dealWeight: BigInt(s.DealWeight),
    verifiedDealWeight: BigInt(s.VerifiedDealWeight),
    initialPledge: BigInt(s.InitialPledge),
    powerBaseEpoch: s.PowerBaseEpoch,
    flags: s.Flags,
    // Sectors older than FIP-0100 (nv25) have no daily fee.
    dailyFee: BigInt(s.DailyFee ?? 0),
  };
}

/** A sector in its deadline and partition; with a fault epoch if it is faulty, marked if it is also recovering. */
function placedSector(info: SectorInfo, deadline: number, partition: number, faultEpoch?: number, recovering = false): SectorOnChainInfo {
  const sector = { ...info, hasData: info.dealWeight > 0n || info.verifiedDealWeight > 0n, deadline, partition };
  if (faultEpoch === undefined) return sector;
  return recovering ? { ...sector, faultEpoch, recovering: true } : { ...sector, faultEpoch };
}


export class UpstreamProving {
  constructor(
    private readonly upstream: Upstream,
    readonly point: LocatedPoint,
  ) {}

  private call<T>(method: string, params: unknown[]): Promise<T> {
    return this.upstream.call<T>(method, [...params, this.point.stateKey]);
  }

  /**
   * The miner's proving state: through a full node's methods, or, from a gateway, by walking the
   * miner's state; null when the upstream cannot tell (it serves neither).
   */
  async provingState(miner: number): Promise<ForkedProving | null> {
    const address = `f0${miner}`;
    let sectors: LotusSector[] | null;
    try {
      sectors = await this.call<LotusSector[] | null>('Filecoin.StateMinerSectors', [address, null]);
    } catch (error) {
      if (isMethodNotFound(error)) return this.walk(address);
      throw error;
    }
    const [deadlines, ...partitions] = await Promise.all([
      this.call<{ PostSubmissions: number[] }[]>('Filecoin.StateMinerDeadlines', [address]),
      ...Array.from({ length: WPOST_PERIOD_DEADLINES }, (_, d) => this.call<LotusPartition[] | null>('Filecoin.StateMinerPartitions', [address, d])),
    ]);
    const byNumber = new Map((sectors ?? []).map((s) => [s.SectorNumber, sectorFromLotus(s)]));
    const placed: SectorOnChainInfo[] = [];
    const faulty: SectorOnChainInfo[] = [];
    const dead: SectorOnChainInfo[] = [];
    const infoOf = (n: number) => {
      const info = byNumber.get(n);
      if (!info) throw new DevnetError(`upstream Filecoin.StateMinerPartitions lists sector ${n} of ${address}, which StateMinerSectors does not`);
      return info;
    };
    partitions.forEach((inDeadline, deadline) =>
      (inDeadline ?? []).forEach((p, partition) => {
        const faults = new Set(bitfieldFromRuns(p.FaultySectors));
        // Recovering sectors are among the faults until their partition's next PoSt.
        const recoveries = new Set(bitfieldFromRuns(p.RecoveringSectors));
        const live = new Set(bitfieldFromRuns(p.LiveSectors));
        for (const n of live) {
          const sector = placedSector(infoOf(n), deadline, partition);
          if (!faults.has(n)) placed.push(sector);
          else faulty.push(recoveries.has(n) ? { ...sector, recovering: true } : sector);
        }
        for (const n of bitfieldFromRuns(p.AllSectors)) if (!live.has(n)) dead.push(placedSector(infoOf(n), deadline, partition));
      }),
    );
    return {
      sectors: [...placed, ...(await this.withFaultEpochs(address, faulty))],
      postSubmissions: deadlines.flatMap((d, index): [number, number[]][] => {
        const proven = bitfieldFromRuns(d.PostSubmissions);
        return proven.length ? [[index, proven]] : [];
      }),
      deadSectors: dead,
    };
  }

  /**
   * Faulty sectors with the epoch their fault counts from: a fault terminates the sector FAULT_MAX_AGE
   * after it, which Lotus shows as the early expiration (StateSectorExpiration). A faulty sector that
   * expires on time first shows no early one; its fault is counted from the fork epoch.
   */
  private async withFaultEpochs(address: string, faulty: SectorOnChainInfo[]): Promise<SectorOnChainInfo[]> {
    const expirations = await Promise.all(faulty.map((s) => this.call<{ OnTime: number; Early: number }>('Filecoin.StateSectorExpiration', [address, s.sectorNumber])));
    return faulty.map((s, i) => ({ ...s, faultEpoch: expirations[i].Early > 0 ? expirations[i].Early - FAULT_MAX_AGE : this.point.epoch }));
  }

  /**
   * The proving state as a gateway lets one read it: the miner's State names its Deadlines block
   * (StateReadState), whose Deadline blocks and partitions AMTs ChainReadObj returns, laid out as
   * builtin-actors does (fevm/actors/miner/deadline-blocks.ts); each sector's info, dead ones' too,
   * comes from StateSectorGetInfo. A faulty sector's fault counts from its early expiration less FAULT_MAX_AGE, as
   * from a full node, read from its partition's expiration queue (an AMT by epoch of ExpirationSets,
   * only for partitions with faults); from the fork epoch if it expires on time first.
   */
  private async walk(address: string): Promise<ForkedProving | null> {
    const { State } = await this.call<{ State: { Deadlines?: { '/': string } } }>('Filecoin.StateReadState', [address]);
    if (!State?.Deadlines) throw new DevnetError(`upstream Filecoin.StateReadState of ${address} names no Deadlines`);
    const read = (cid: CID) => this.upstream.readObj(cid, `block ${cid.toString()} of ${address}'s deadlines`);
    let root: Uint8Array;
    try {
      root = await read(CID.parse(State.Deadlines['/']));
    } catch (error) {
      // An upstream that does not keep the block (an fvm-devnet before it laid deadlines out as builtin-actors does) cannot
      // tell; any other failure is the upstream's, which must not be cached as an answer.
      if (isBlockNotFound(error)) return null;
      throw error;
    }
    const [due] = decodeCbor<[CID[]]>(root);
    const deadlines = await Promise.all(due.map(async (cid) => decodeCbor<[CID, CID, Uint8Array, ...unknown[]]>(await read(cid))));
    const placed: { number: number; deadline: number; partition: number; faultEpoch?: number; recovering: boolean; dead: boolean }[] = [];
    const postSubmissions: [number, number[]][] = [];
    await Promise.all(
      deadlines.map(async ([partitionsRoot, , posted], deadline) => {
        const proven = decodeBitfield(posted);
        if (proven.length) postSubmissions.push([deadline, proven]);
        for (const [partition, value] of await readAmt(partitionsRoot, read)) {
          const [sectors, , faults, recoveries, terminated, expirationsRoot] = value as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, CID];
          const gone = new Set(decodeBitfield(terminated));
          // Recovering sectors are among the faults until their next PoSt.
          const faulty = new Set(decodeBitfield(faults));
          const recovering = new Set(decodeBitfield(recoveries));
          const early = faulty.size ? await earlyExpirations(expirationsRoot, read) : new Map<number, number>();
          for (const number of decodeBitfield(sectors)) {
            if (gone.has(number)) {
              placed.push({ number, deadline, partition, recovering: false, dead: true });
              continue;
            }
            const faultEpoch = faulty.has(number) ? (early.has(number) ? early.get(number)! - FAULT_MAX_AGE : this.point.epoch) : undefined;
            placed.push({ number, deadline, partition, faultEpoch, recovering: recovering.has(number), dead: false });
          }
        }
      }),
    );
    // The partitions' blocks arrive in the network's order: sort so that the fork's maps and cache files are the same every time.
    placed.sort((a, b) => a.number - b.number);
    const infos = await Promise.all(placed.map((p) => this.call<LotusSector | null>('Filecoin.StateSectorGetInfo', [address, p.number])));
    const sectors = placed.map((p, i) => {
      const info = infos[i];
      if (!info) throw new DevnetError(`upstream Filecoin.StateSectorGetInfo has no sector ${p.number} of ${address}, which its partitions list`);
      return placedSector(sectorFromLotus(info), p.deadline, p.partition, p.faultEpoch, p.recovering);
    });
    return {
      sectors: sectors.filter((_, i) => !placed[i].dead),
      postSubmissions: postSubmissions.sort((a, b) => a[0] - b[0]),
      deadSectors: sectors.filter((_, i) => placed[i].dead),
    };
  }
}

/** A partition's sectors that leave early (their faults too old), with the epoch: its expiration queue's EarlySectors. */
async function earlyExpirations(root: CID, read: (cid: CID) => Promise<Uint8Array>): Promise<Map<number, number>> {
  const early = new Map<number, number>();
  for (const [epoch, set] of await readAmt(root, read)) {
    for (const number of decodeBitfield((set as Uint8Array[])[1])) early.set(number, epoch);
  }
  return early;
}
