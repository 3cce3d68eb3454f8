// The sectors a genesis storage provider starts with, as Lotus's genesis pre-seals them: committed
// capacity (no pieces, no deals), proven at epoch 0, with no pledge locked (the miner starts with no
// balance), expiring at the longest lifetime policy allows.
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { encodeCbor } from '../../../common/cbor.js';
import { blake2b256 } from '../../../common/hashes.js';
import { MAX_SECTOR_EXPIRATION_EXTENSION, shapeByPoStProof } from './policy.js';
import type { MinerCronEvent } from './schedule.js';
import { newSector } from './sectors.js';
import { loadMiner, type MinerActor, type SectorOnChainInfo } from './state.js';

const FIL_COMMITMENT_SEALED = 0xf102;
const POSEIDON_BLS12_381_A1_FC1 = 0xb401;

/** A stand-in CommR for a pre-sealed sector: a sealed-commitment CID over a hash of the miner and sector number. */
export function presealCommR(minerId: number, sectorNumber: number): CID {
  const digest = blake2b256(encodeCbor(['fvm-devnet-preseal', minerId, sectorNumber]));
  return CID.createV1(FIL_COMMITMENT_SEALED, createDigest(POSEIDON_BLS12_381_A1_FC1, digest));
}

export function genesisSectors(actor: MinerActor, count: number): { miner: MinerActor; expiration: { epoch: number; event: MinerCronEvent } } {
  const m = loadMiner(actor.miner);
  const expiration = MAX_SECTOR_EXPIRATION_EXTENSION;
  const sealProof = shapeByPoStProof(m.windowPoStProofType)!.sealProofs[0];
  const sectors = new Map<number, SectorOnChainInfo>();
  for (let n = 0; n < count; n++) {
    const precommit = { sectorNumber: n, sealProof, sealedCid: presealCommR(actor.id, n), expiration };
    sectors.set(n, newSector(m, precommit, 0, { unverifiedSpace: 0n, verifiedSpace: 0n }, false, false));
  }
  const numbers = [...sectors.keys()];
  return {
    // Lotus's genesis pre-commits them, which starts the deadline cron.
    miner: { ...actor, miner: { ...m, sectors, allocatedSectors: numbers, deadlineCronActive: true } },
    expiration: { epoch: expiration, event: { type: 'expire', sectors: numbers } },
  };
}
