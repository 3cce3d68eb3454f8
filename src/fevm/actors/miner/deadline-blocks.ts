// A miner's deadlines as builtin-actors lays them out in its state (actors/miner/src/deadlines.rs,
// deadline_state.rs, partition_state.rs): Deadlines [[48 Deadline CIDs]] → Deadline [partitions AMT,
// expirations AMT, partitions posted, early terminations, live and total sector counts, faulty
// power, optimistic PoSt AMT, sectors and partitions snapshots, optimistic PoSt snapshot, live
// power, daily fee] → partitions AMT (bit width 3) of Partition [sectors, unproven, faults,
// recoveries, terminated, expirations AMT, early-terminated AMT, live, unproven, faulty and
// recovering power]. A Partition's expiration queue (bit width 4) holds, by epoch, an ExpirationSet
// [on-time sectors, early sectors, on-time pledge, active power, faulty power] of the sectors that
// leave then (state.ts `sectorExpiration`: at the end of their deadline, as builtin-actors quantizes them).
// What the devnet does not keep (the Deadline's queue of partitions by expiration, snapshots,
// optimistic PoSts) is an empty AMT. A Partition's Sectors are its live sectors and the dead ones the
// miner keeps (deadSectors: terminated or expired, never compacted), which are its Terminated.
// Lotus reads a miner's partitions through these blocks, and so does a fork of this node that only
// has a gateway's methods (ChainReadObj).
import { buildAmt, type Amt } from '../../../common/amt.js';
import { encodeBitfield } from '../../../common/bitfield.js';
import { cidOf, encodeBigInt, encodeCbor, type CID } from '../../../common/cbor.js';
import { WPOST_PERIOD_DEADLINES } from './policy.js';
import { dailyFeeOf, loadMiner, postSubmissionsAt, sectorExpiration, sectorsPower, type MinerState, type SectorOnChainInfo } from './state.js';

/** Bit widths of builtin-actors' AMTs in a miner's deadlines. */
const BIT_WIDTH = { partitions: 3, deadlineExpirations: 5, optimisticPoSts: 2, sectors: 5, partitionExpirations: 4, earlyTerminations: 3 };

/** A miner's Deadlines block and every block it links to, by CID string. */
interface DeadlineBlocks {
  root: CID;
  blocks: Map<string, Uint8Array>;
}

/** The blocks at `epoch`: the partitions proven are those of the challenge windows open then (postSubmissionsAt). */
export function deadlineBlocks(state: MinerState, epoch: number): DeadlineBlocks {
  const m = loadMiner(state);
  const posted = postSubmissionsAt(m, epoch);
  const blocks = new Map<string, Uint8Array>();
  const keep = (amt: Amt) => {
    for (const [cid, bytes] of amt.blocks) blocks.set(cid, bytes);
    return amt.root;
  };
  const put = (value: unknown) => {
    const bytes = encodeCbor(value);
    const cid = cidOf(bytes);
    blocks.set(cid.toString(), bytes);
    return cid;
  };
  const empty = (bitWidth: number) => keep(buildAmt([], bitWidth));
  const powerOf = (sectors: SectorOnChainInfo[]) => {
    const { raw, qa } = sectorsPower(m.sectorSize, sectors);
    return [encodeBigInt(raw), encodeBigInt(qa)];
  };
  const numbers = (sectors: SectorOnChainInfo[]) => encodeBitfield(sectors.map((s) => s.sectorNumber));
  /** A partition's ExpirationSets by epoch: each sector on time or early, as sectorExpiration says. */
  const expirations = (live: SectorOnChainInfo[]) => {
    const byEpoch = new Map<number, { onTime: SectorOnChainInfo[]; early: SectorOnChainInfo[] }>();
    for (const s of live) {
      const { onTime, early } = sectorExpiration(s, m.provingPeriodOffset);
      const epoch = early || onTime;
      const set = byEpoch.get(epoch) ?? { onTime: [], early: [] };
      (early ? set.early : set.onTime).push(s);
      byEpoch.set(epoch, set);
    }
    const sets = [...byEpoch].map(([epoch, { onTime, early }]): [number, unknown] => {
      const all = [...onTime, ...early];
      const pledge = onTime.reduce((sum, s) => sum + s.initialPledge, 0n);
      return [epoch, [numbers(onTime), numbers(early), encodeBigInt(pledge), powerOf(all.filter((s) => s.faultEpoch === undefined)), powerOf(all.filter((s) => s.faultEpoch !== undefined))]];
    });
    return keep(buildAmt(new Map(sets), BIT_WIDTH.partitionExpirations));
  };
  const none = encodeBitfield([]);
  const zeroPower = powerOf([]);
  const sectors = [...m.sectors.values()];
  const deadSectors = [...(m.deadSectors?.values() ?? [])];
  const due: CID[] = [];
  for (let d = 0; d < WPOST_PERIOD_DEADLINES; d++) {
    const inDeadline = sectors.filter((s) => s.deadline === d);
    const deadInDeadline = deadSectors.filter((s) => s.deadline === d);
    const byPartition = new Map<number, { live: SectorOnChainInfo[]; dead: SectorOnChainInfo[] }>();
    const partitionOf = (s: SectorOnChainInfo) => byPartition.get(s.partition) ?? byPartition.set(s.partition, { live: [], dead: [] }).get(s.partition)!;
    for (const s of inDeadline) partitionOf(s).live.push(s);
    for (const s of deadInDeadline) partitionOf(s).dead.push(s);
    const partitions = new Map(
      [...byPartition].map(([index, { live, dead }]) => {
        const faulty = live.filter((s) => s.faultEpoch !== undefined);
        const recovering = live.filter((s) => s.recovering);
        const partition = [numbers([...live, ...dead]), none, numbers(faulty), numbers(recovering), numbers(dead), expirations(live), empty(BIT_WIDTH.earlyTerminations), powerOf(live), zeroPower, powerOf(faulty), powerOf(recovering)];
        return [index, partition];
      }),
    );
    const faulty = inDeadline.filter((s) => s.faultEpoch !== undefined);
    const deadline = [
      keep(buildAmt(partitions, BIT_WIDTH.partitions)),
      empty(BIT_WIDTH.deadlineExpirations),
      encodeBitfield(posted?.get(d) ?? []),
      none,
      inDeadline.length,
      inDeadline.length + deadInDeadline.length,
      powerOf(faulty),
      empty(BIT_WIDTH.optimisticPoSts),
      empty(BIT_WIDTH.sectors),
      empty(BIT_WIDTH.partitions),
      empty(BIT_WIDTH.optimisticPoSts),
      powerOf(inDeadline),
      encodeBigInt(dailyFeeOf(inDeadline)),
    ];
    due.push(put(deadline));
  }
  return { root: put([due]), blocks };
}
