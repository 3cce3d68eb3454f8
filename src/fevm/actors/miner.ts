// The state of a storage miner actor, the parts the devnet models (builtin-actors actors/miner/src/
// state.rs MinerInfo): who controls the miner, how it is reached and the shape of its proofs. Owner,
// worker, control addresses and beneficiary are actor IDs, as the miner actor stores them.

/** 32 GiB, the sector size of the devnet's storage providers. */
export const SECTOR_SIZE_32GIB = 32n << 30n;

/**
 * Window PoSt by sector size: the proof type (go-state-types abi RegisteredPoStProof,
 * StackedDrgWindow…V1_1) and the sectors per partition (filecoin-proofs' WINDOW_POST_SECTOR_COUNT).
 */
const WINDOW_POST: Record<string, { proofType: number; partitionSectors: number }> = {
  [String(2n << 10n)]: { proofType: 10, partitionSectors: 2 },
  [String(8n << 20n)]: { proofType: 11, partitionSectors: 2 },
  [String(512n << 20n)]: { proofType: 12, partitionSectors: 2 },
  [String(32n << 30n)]: { proofType: 13, partitionSectors: 2349 },
  [String(64n << 30n)]: { proofType: 14, partitionSectors: 2300 },
};

export function windowPoSt(sectorSize: bigint): { proofType: number; partitionSectors: number } {
  const windowPost = WINDOW_POST[String(sectorSize)];
  if (!windowPost) throw new RangeError(`no window PoSt for sectors of ${sectorSize} bytes`);
  return windowPost;
}

export interface MinerState {
  readonly owner: number;
  readonly worker: number;
  readonly controlAddresses: readonly number[];
  readonly beneficiary: number;
  readonly sectorSize: bigint;
  /** The libp2p peer ID, as bytes (a multihash). */
  readonly peerId: Uint8Array;
  /** Multiaddrs, each as bytes. */
  readonly multiaddrs: readonly Uint8Array[];
  readonly windowPoStProofType: number;
  readonly windowPoStPartitionSectors: number;
  /** The epoch at which the miner's last consensus fault ends; -1 without one. */
  readonly consensusFaultElapsed: number;
}

/** The CBOR value of a miner's state: its MinerInfo fields, in builtin-actors' order, minus pending changes. */
export function minerStateValue(state: MinerState): unknown {
  return [
    state.owner,
    state.worker,
    [...state.controlAddresses],
    state.peerId,
    [...state.multiaddrs],
    state.windowPoStProofType,
    Number(state.sectorSize),
    state.windowPoStPartitionSectors,
    state.consensusFaultElapsed,
    state.beneficiary,
  ];
}
