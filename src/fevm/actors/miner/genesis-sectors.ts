// The sectors a genesis storage provider starts with, as Lotus's genesis pre-seals them
// (chain/gen/genesis/miners.go SetupStorageMiners): committed capacity (no pieces, no deals), each
// pre-committed with its worker's funds and set up by builtin-actors' InternalSectorSetupForPreseal
// (lib.rs internal_sector_setup_preseal) at epoch 0.
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { encodeCbor } from '../../../common/cbor.js';
import { blake2b256 } from '../../../common/hashes.js';
import { initialPledgeFor, MAX_SECTOR_EXPIRATION_EXTENSION, preCommitDepositFor, provingPeriodStart, shapeByPoStProof, WPOST_PROVING_PERIOD } from './policy.js';
import type { MinerCronEvent } from './schedule.js';
import { newSector } from './sectors.js';
import { loadMiner, sectorPower, type MinerActor, type SectorOnChainInfo } from './state.js';

const FIL_COMMITMENT_SEALED = 0xf102;
const POSEIDON_BLS12_381_A1_FC1 = 0xb401;

/**
 * What a pre-sealed sector locks as initial pledge: 1 attoFIL. InternalSectorSetupForPreseal computes
 * the pledge from the reward and power estimates it is given, and Lotus's genesis gives it none (its
 * params carry only the sector numbers) in a VM whose circulating supply is zero, so
 * initial_pledge_for_power is its floor (monies.rs expected_reward_for_power_clamped_at_atto_fil).
 */
const PRESEAL_SECTOR_PLEDGE = 1n;

/** A stand-in CommR for a pre-sealed sector: a sealed-commitment CID over a hash of the miner and sector number. */
export function presealCommR(minerId: number, sectorNumber: number): CID {
  const digest = blake2b256(encodeCbor(['fvm-devnet-preseal', minerId, sectorNumber]));
  return CID.createV1(FIL_COMMITMENT_SEALED, createDigest(POSEIDON_BLS12_381_A1_FC1, digest));
}

/**
 * Lotus's pre-sealed sector expiration: the last epoch before the proving period that starts
 * (max extension in whole periods − 1) periods after the miner's first one (miners.go presealExp).
 */
export function presealExpiration(provingPeriodOffset: number): number {
  const periods = Math.floor(MAX_SECTOR_EXPIRATION_EXTENSION / WPOST_PROVING_PERIOD);
  return (periods - 1) * WPOST_PROVING_PERIOD + provingPeriodStart(0, provingPeriodOffset) - 1;
}

interface GenesisSectors {
  /**
   * The miner with its sectors and what its worker sent it: for each sector, the pre-commit deposit and
   * initial pledge Lotus computes before pre-committing (miners.go: PreCommitDepositForPower +
   * InitialPledgeForPower; here the devnet's fixed rates). Activation returned the deposits; only
   * PRESEAL_SECTOR_PLEDGE of each sector stays locked, the rest is available.
   */
  miner: MinerActor;
  /** The pledge locked, which the power actor's TotalPledgeCollateral counts (notify_pledge_changed). */
  pledge: bigint;
  expiration: { epoch: number; event: MinerCronEvent };
}

export function genesisSectors(actor: MinerActor, count: number): GenesisSectors {
  const m = loadMiner(actor.miner);
  const expiration = presealExpiration(m.provingPeriodOffset);
  const sealProof = shapeByPoStProof(m.windowPoStProofType)!.sealProofs[0];
  const sectors = new Map<number, SectorOnChainInfo>();
  let funds = 0n;
  for (let n = 0; n < count; n++) {
    const precommit = { sectorNumber: n, sealProof, sealedCid: presealCommR(actor.id, n), expiration };
    const sector = newSector(m, precommit, 0, { unverifiedSpace: 0n, verifiedSpace: 0n }, false, PRESEAL_SECTOR_PLEDGE);
    sectors.set(n, sector);
    funds += preCommitDepositFor(m.sectorSize) + initialPledgeFor(sectorPower(m.sectorSize, sector).qa);
  }
  const numbers = [...sectors.keys()];
  const pledge = PRESEAL_SECTOR_PLEDGE * BigInt(count);
  return {
    // The pre-commits start the deadline cron; the pledge keeps it running while the sectors live.
    miner: { ...actor, balance: actor.balance + funds, miner: { ...m, sectors, allocatedSectors: numbers, initialPledge: m.initialPledge + pledge, deadlineCronActive: true } },
    pledge,
    expiration: { epoch: expiration, event: { type: 'expire', sectors: numbers } },
  };
}
