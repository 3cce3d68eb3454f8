// A new miner actor and its state: what the power actor's CreateMiner (through Init Exec and the
// miner's constructor in builtin-actors) and the devnet's genesis storage providers both make.
import { FilAddress } from '../../../common/address.js';
import type { StateOverlay } from '../../state-tree.js';
import { createActor } from '../lifecycle.js';
import { provingPeriodOffset, provingPeriodStart, shapeByPoStProof } from './policy.js';
import { loadMiner, rewardVestingTable, type MinerActor } from './state.js';

interface NewMiner {
  owner: number;
  worker: number;
  controlAddresses?: number[];
  windowPoStProofType: number;
  peerId: Uint8Array;
  multiaddrs?: Uint8Array[];
  epoch: number;
  /** The f2 address Init gives it (CreateMiner's Exec). */
  robust: FilAddress;
  /** The creation deposit it locks (FIP-0077), vesting as block rewards do. */
  deposit: bigint;
}

export function createMinerActor(state: StateOverlay, miner: NewMiner): MinerActor {
  const shape = shapeByPoStProof(miner.windowPoStProofType);
  if (!shape) throw new RangeError(`no sector size for window PoSt proof ${miner.windowPoStProofType}`);
  const actor = createActor(state, 'storageminer', { robust: miner.robust });
  const offset = provingPeriodOffset(FilAddress.fromId(actor.id), miner.epoch);
  // The miner constructor's add_locked_funds(deposit, REWARD_VESTING_SPEC), from the proving period's start.
  const vestingFunds = rewardVestingTable(miner.deposit, miner.epoch, provingPeriodStart(miner.epoch, offset));
  // No sectors, no pledge, no debt: loadMiner's defaults.
  const info = loadMiner({
    owner: miner.owner,
    worker: miner.worker,
    controlAddresses: miner.controlAddresses ?? [],
    beneficiary: miner.owner,
    sectorSize: shape.sectorSize,
    peerId: miner.peerId,
    multiaddrs: miner.multiaddrs ?? [],
    windowPoStProofType: shape.windowPoStProofType,
    windowPoStPartitionSectors: shape.partitionSectors,
    consensusFaultElapsed: -1,
    provingPeriodOffset: offset,
    lockedFunds: miner.deposit,
    vestingFunds,
  });
  const created = { ...actor, miner: info };
  state.putActor(created);
  return created;
}
