// What a storage provider puts on chain to onboard a batch of sectors, as Curio does: one
// PreCommitSectorBatch2 (28), then one ProveCommitSectors3 (34) with each sector's pieces, their
// verified allocations and the actors to notify (the market, with the deal ID, for deals). The devnet
// seals no data: the sealed CID (CommR) is a deterministic stand-in, the unsealed CID (CommD) is the
// real one for the sector's pieces, and each proof is a placeholder the devnet's miner actor does not check.
import { Proof, ZeroComm } from '@web3-storage/data-segment';
import { FilAddress } from '../../common/address.js';
import { CID, encodeCbor } from '../../common/cbor.js';
import { blake2b256 } from '../../common/hashes.js';
import * as Digest from 'multiformats/hashes/digest';
import { shapeBySize } from '../../fevm/actors/miner/policy.js';
import { pieceCidFromRoot } from './piece-cid.js';

/** fil-commitment-sealed, poseidon-bls12_381-a2-fc1: the codec and multihash of sealed CIDs. */
const FIL_COMMITMENT_SEALED = 0xf102;
const POSEIDON_BLS12_381_A2_FC1 = 0xb401;

/** The seal proof (StackedDrg…V1_1) of a sector size. */
export function sealProofType(sectorSize: bigint): number {
  const shape = shapeBySize(sectorSize);
  if (!shape) throw new RangeError(`no seal proof for sectors of ${sectorSize} bytes`);
  return shape.sealProofs[0]!;
}

/** A piece going into a sector: its commitment, its padded size, and who must hear it was sealed. */
export interface SectorPiece {
  cid: CID;
  size: number;
  /** [client actor ID, allocation ID] of a verified piece. */
  allocation?: [client: number, id: number];
  notify: { address: FilAddress; payload: Uint8Array }[];
}

export interface SectorPlan {
  sectorNumber: number;
  sectorSize: bigint;
  expiration: number;
  /** In sector order, each at the next offset aligned to its size. */
  pieces: SectorPiece[];
}

/** A stand-in CommR, distinct per miner and sector. */
export function sealedCid(minerId: number, sectorNumber: number): CID {
  const digest = blake2b256(new TextEncoder().encode(`fvm-devnet sealed sector ${minerId}/${sectorNumber}`));
  digest[31] &= 0x3f;
  return CID.createV1(FIL_COMMITMENT_SEALED, Digest.create(POSEIDON_BLS12_381_A2_FC1, digest));
}

/**
 * CommD of a sector holding `pieces` in order, each at the next offset aligned to its size, zeros
 * around them (as filecoin-ffi's GenerateUnsealedCID lays them out). Sizes are padded powers of two.
 */
export function unsealedCidOfPieces(pieces: readonly { cid: CID; size: number }[], sectorSize: bigint): CID {
  // Levels count up from the 32-byte leaves: a piece of size p is the root of level log2(p / 32).
  const placed: { offset: bigint; level: number; root: Uint8Array }[] = [];
  let offset = 0n;
  for (const { cid, size } of pieces) {
    const bytes = BigInt(size);
    offset = ((offset + bytes - 1n) / bytes) * bytes;
    placed.push({ offset, level: Math.log2(size / 32), root: cid.multihash.digest });
    offset += bytes;
  }
  if (offset > sectorSize) throw new RangeError(`pieces of ${offset} bytes do not fit a sector of ${sectorSize}`);
  const node = (level: number, start: bigint): Uint8Array => {
    const end = start + (32n << BigInt(level));
    const inside = placed.filter((p) => p.offset >= start && p.offset < end);
    if (inside.length === 0) return ZeroComm.fromLevel(level);
    if (inside.length === 1 && inside[0].offset === start && inside[0].level === level) return inside[0].root;
    const half = start + (16n << BigInt(level));
    return Proof.computeNode(node(level - 1, start), node(level - 1, half));
  };
  return pieceCidFromRoot(node(Math.log2(Number(sectorSize / 32n)), 0n));
}

/** PreCommitSectorBatch2 params for a batch of sectors: [[seal_proof, number, sealed_cid, seal_rand_epoch, deal_ids, expiration, unsealed_cid]…]. */
export function preCommitParams(minerId: number, plans: readonly SectorPlan[], epoch: number): unknown {
  const info = ({ sectorNumber, sectorSize, expiration, pieces }: SectorPlan) =>
    [sealProofType(sectorSize), sectorNumber, sealedCid(minerId, sectorNumber), epoch - 1, [], expiration, unsealedCidOfPieces(pieces, sectorSize)];
  return [plans.map(info)];
}

/**
 * ProveCommitSectors3 params for a batch of sectors (one proof each). Activation must succeed (the
 * agent splits a batch whose proof fails); notifications need not, as Lotus's sealing sends them
 * (RequireNotificationSuccess is false by default): a client contract that refuses SectorContentChanged
 * is called, its refusal ignored, and its data claimed, as on calibnet.
 */
export function proveCommitParams(plans: readonly SectorPlan[]): unknown {
  const piece = ({ cid, size, allocation, notify }: SectorPiece) => [cid, size, allocation ?? null, notify.map((n) => [n.address.bytes, n.payload])];
  const activations = plans.map((plan) => [plan.sectorNumber, plan.pieces.map(piece)]);
  const proofs = plans.map((plan) => encodeCbor(`fvm-devnet proof ${plan.sectorNumber}`));
  return [activations, proofs, new Uint8Array(), null, true, false];
}
