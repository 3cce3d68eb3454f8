// The miner's sector status methods of actors v18 (nv28, builtin-actors actors/miner/src/lib.rs
// generate_sector_location, validate_sector_status, get_nominal_sector_expiration; types.rs), exported
// for any caller: a contract through call_actor, a Lotus message, StateCall. GenerateSectorLocation
// finds where a sector is (the expensive search, meant for eth_call); ValidateSectorStatus checks a
// status at that location (cheap, meant for contracts); GetNominalSectorExpiration reads the sectors AMT.
//
// What the sectors AMT holds here: the live sectors (`sectors`, committed ones included before their
// first PoSt) and the dead ones (`deadSectors`); a pre-committed sector is not in it yet.
import { decodeCbor, encodeCbor } from '../../../common/cbor.js';
import { ExitCode } from '../../exit-code.js';
import { bytes, serializationError, tuple } from '../params.js';
import { ActorError, type MethodSpec } from '../runtime.js';
import { readMiner } from './access.js';
import { WPOST_PERIOD_DEADLINES } from './policy.js';
import { sectorInAmt, type FullMinerState, type SectorOnChainInfo } from './state.js';

/** SectorStatusCode (a u8 on the wire). */
const SectorStatus = { Dead: 0, Active: 1, Faulty: 2 } as const;

/** NO_DEADLINE and NO_PARTITION: the location of a sector no partition holds. */
const NO_LOCATION = -1n;

/** A sector and whether it is dead, if the sectors AMT holds it (none past the safe integers). */
const inAmt = (m: FullMinerState, number: bigint) => (number <= BigInt(Number.MAX_SAFE_INTEGER) ? sectorInAmt(m, Number(number)) : undefined);

function statusOf(found: { sector: SectorOnChainInfo; dead: boolean }): number {
  if (found.dead) return SectorStatus.Dead;
  return found.sector.faultEpoch === undefined ? SectorStatus.Active : SectorStatus.Faulty;
}

/** A SectorNumber: any u64 (the AMT simply has no sector past the devnet's numbers). */
function sectorNumber(value: unknown, what: string): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n || n >= 1n << 64n) throw serializationError(`${what}: expected an unsigned integer`);
  return n;
}

function statusCode(value: unknown): number {
  if (value !== SectorStatus.Dead && value !== SectorStatus.Active && value !== SectorStatus.Faulty) {
    throw serializationError(`status: expected a SectorStatusCode (0, 1 or 2)`);
  }
  return value;
}

/** The aux_data of a location: the CBOR of SectorLocation [deadline, partition], two i64s. */
function locationOf(auxData: Uint8Array): [bigint, bigint] {
  const invalid = (why: string) => new ActorError(ExitCode.ErrIllegalArgument, `invalid aux_data: ${why}`);
  let value: unknown;
  try {
    value = decodeCbor(auxData);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid('expected a tuple of 2');
  return value.map((v) => {
    const n = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
    if (typeof n !== 'bigint' || n < -(1n << 63n) || n >= 1n << 63n) throw invalid('expected an i64');
    return n;
  }) as [bigint, bigint];
}

const asU64 = (n: bigint) => BigInt.asUintN(64, n);

/** Whether a partition exists: one the miner has put a sector in (no partition is ever removed here). */
function partitionExists(m: FullMinerState, deadline: number, partition: bigint): boolean {
  const at = (s: SectorOnChainInfo) => s.deadline === deadline && BigInt(s.partition) === partition;
  for (const s of m.sectors.values()) if (at(s)) return true;
  for (const s of m.deadSectors?.values() ?? []) if (at(s)) return true;
  return false;
}

export const sectorStatusMethods: Record<string, MethodSpec> = {
  GenerateSectorLocation: {
    run(rt, params) {
      const [rawNumber] = tuple(params, 1, 'GenerateSectorLocation params');
      const number = sectorNumber(rawNumber, 'sector_number');
      const found = inAmt(readMiner(rt), number);
      const location = found ? [found.sector.deadline, found.sector.partition] : [-1, -1];
      return [found ? statusOf(found) : SectorStatus.Dead, encodeCbor(location)];
    },
  },

  ValidateSectorStatus: {
    run(rt, params) {
      const [rawNumber, rawStatus, rawAux] = tuple(params, 3, 'ValidateSectorStatus params');
      const number = sectorNumber(rawNumber, 'sector_number');
      const status = statusCode(rawStatus);
      const [deadline, partition] = locationOf(bytes(rawAux, 'aux_data'));
      const m = readMiner(rt);
      if ((deadline === NO_LOCATION) !== (partition === NO_LOCATION)) {
        throw new ActorError(ExitCode.ErrIllegalArgument, 'invalid sector location: deadline and partition must both be NO or both be set');
      }
      if (deadline === NO_LOCATION) {
        // No location proves a sector dead only if the AMT has never held it (or compaction removed it).
        if (!inAmt(m, number)) return status === SectorStatus.Dead;
        throw new ActorError(ExitCode.ErrNotFound, `sector ${number} not found at NO_DEADLINE, NO_PARTITION`);
      }
      if (asU64(deadline) >= BigInt(WPOST_PERIOD_DEADLINES)) {
        throw new ActorError(ExitCode.ErrIllegalArgument, `failed to load deadline: invalid deadline index ${asU64(deadline)} of ${WPOST_PERIOD_DEADLINES}`);
      }
      if (!partitionExists(m, Number(deadline), asU64(partition))) throw new ActorError(ExitCode.ErrNotFound, `no partition ${asU64(partition)}`);
      const found = inAmt(m, number);
      if (!found || found.sector.deadline !== Number(deadline) || BigInt(found.sector.partition) !== partition) {
        throw new ActorError(ExitCode.ErrNotFound, `sector ${number} not found at deadline ${deadline} partition ${partition}`);
      }
      return status === statusOf(found);
    },
  },

  GetNominalSectorExpiration: {
    run(rt, params) {
      const number = sectorNumber(params, 'sector number');
      const found = inAmt(readMiner(rt), number);
      if (!found) throw new ActorError(ExitCode.ErrNotFound, `sector ${number} not found`);
      return found.sector.expiration;
    },
  },
};
