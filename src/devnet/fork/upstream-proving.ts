// A forked miner's proving state, read from a full node at the fork point: every sector
// (Filecoin.StateMinerSectors) placed in its deadline and partition (StateMinerPartitions of each of
// the 48 deadlines), which of them are faulty, and the partitions already proven in each deadline
// (StateMinerDeadlines' PostSubmissions). A Lotus gateway serves neither StateMinerSectors nor
// StateMinerPartitions: against one the answer is null, "the upstream cannot tell", and the fork
// knows the miner's sectors one by one only (upstream-tables.ts `sector`).
import { CID } from 'multiformats/cid';
import { bitfieldFromRuns } from '../../common/bitfield-json.js';
import { DevnetError } from '../../common/errors.js';
import { FAULT_MAX_AGE, WPOST_PERIOD_DEADLINES } from '../../fevm/actors/miner/policy.js';
import type { SectorInfo, SectorOnChainInfo } from '../../fevm/actors/miner/state.js';
import type { ForkPoint } from './fork-point.js';
import { UpstreamAnswerError, type Upstream } from './upstream.js';

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

/** go-jsonrpc's answer to a method the server does not have (a gateway's to a full-node method). */
const isMethodNotFound = (error: unknown) => error instanceof UpstreamAnswerError && error.rpcCode === -32601;

export class UpstreamProving {
  constructor(
    private readonly upstream: Upstream,
    readonly point: ForkPoint,
  ) {}

  private call<T>(method: string, params: unknown[]): Promise<T> {
    return this.upstream.call<T>(method, [...params, this.point.stateKey]);
  }

  /** The miner's proving state; null when the upstream is a gateway (it serves no sector list). */
  async provingState(miner: number): Promise<ForkedProving | null> {
    const address = `f0${miner}`;
    let sectors: LotusSector[] | null;
    try {
      sectors = await this.call<LotusSector[] | null>('Filecoin.StateMinerSectors', [address, null]);
    } catch (error) {
      if (isMethodNotFound(error)) return null;
      throw error;
    }
    const [deadlines, ...partitions] = await Promise.all([
      this.call<{ PostSubmissions: number[] }[]>('Filecoin.StateMinerDeadlines', [address]),
      ...Array.from({ length: WPOST_PERIOD_DEADLINES }, (_, d) => this.call<LotusPartition[] | null>('Filecoin.StateMinerPartitions', [address, d])),
    ]);
    const byNumber = new Map((sectors ?? []).map((s) => [s.SectorNumber, sectorFromLotus(s)]));
    const placed: SectorOnChainInfo[] = [];
    const faulty: SectorOnChainInfo[] = [];
    partitions.forEach((inDeadline, deadline) =>
      (inDeadline ?? []).forEach((p, partition) => {
        const faults = new Set(bitfieldFromRuns(p.FaultySectors));
        for (const n of bitfieldFromRuns(p.LiveSectors)) {
          const info = byNumber.get(n);
          if (!info) throw new DevnetError(`upstream Filecoin.StateMinerPartitions lists sector ${n} of ${address}, which StateMinerSectors does not`);
          const sector = { ...info, hasData: info.dealWeight > 0n || info.verifiedDealWeight > 0n, deadline, partition };
          (faults.has(n) ? faulty : placed).push(sector);
        }
      }),
    );
    return {
      sectors: [...placed, ...(await this.withFaultEpochs(address, faulty))],
      postSubmissions: deadlines.flatMap((d, index): [number, number[]][] => {
        const proven = bitfieldFromRuns(d.PostSubmissions);
        return proven.length ? [[index, proven]] : [];
      }),
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
}
