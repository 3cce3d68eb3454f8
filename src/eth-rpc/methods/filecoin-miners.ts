// The Lotus state methods of storage providers: Filecoin.StateListMiners, StateMinerInfo,
// StateMinerPower, StateMinerAvailableBalance (lotus api/api_full.go), in Lotus's JSON shapes.
import { FilAddress } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import type { Devnet } from '../../devnet/devnet.js';
import { peerIdString } from '../../devnet/storage-providers.js';
import { codeCid, POWER_ACTOR_ID, type Actor } from '../../fevm/actor.js';
import type { MinerState } from '../../fevm/actors/miner.js';
import { claimOf, EMPTY_POWER_STATE, meetsConsensusMinimum, type Claim } from '../../fevm/actors/power.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import type { StateReader } from '../../fevm/state-tree.js';
import { defineMethod } from '../define-method.js';
import { addressJson } from '../lotus-json.js';
import { filAddress, tipsetKey, tipsetOf } from '../lotus-params.js';

const idJson = (id: number) => addressJson(FilAddress.fromId(id));

/** A Go nil slice marshals to null: Lotus shows an empty list from the miner's state as null. */
const listJson = <T, U>(items: readonly T[], f: (item: T) => U): U[] | null => (items.length ? items.map(f) : null);

const claimJson = (claim: Claim) => ({ RawBytePower: claim.rawBytePower.toString(), QualityAdjPower: claim.qualityAdjPower.toString() });

/** The miner actor `address` names, with Lotus's wording when there is none (node/impl/full/state.go). */
function minerAt(state: StateReader, address: FilAddress): Actor & { miner: MinerState } {
  const actor = resolveAddress(state, address);
  if (!actor) throw new DevnetError(`failed to load miner actor: actor not found (${address.toString('t')})`);
  if (!actor.miner) throw new DevnetError(`failed to load miner actor state: unknown actor code ${codeCid(actor.kind).toString()} (${address.toString('t')} is not a miner)`);
  return actor as Actor & { miner: MinerState };
}

function stateOf(devnet: Devnet, key: Parameters<typeof tipsetOf>[1]): StateReader {
  return devnet.stateAt(tipsetOf(devnet, key).epoch);
}

/** api.MinerInfo: the miner's MinerInfo with its pending changes spelled out. */
function minerInfoJson(info: MinerState) {
  return {
    Owner: idJson(info.owner),
    Worker: idJson(info.worker),
    // No worker key change pending: Lotus shows address.Undef.
    NewWorker: '<empty>',
    ControlAddresses: listJson(info.controlAddresses, idJson),
    WorkerChangeEpoch: -1,
    PeerId: info.peerId.length ? peerIdString(info.peerId) : null,
    Multiaddrs: listJson(info.multiaddrs, (m) => Buffer.from(m).toString('base64')),
    WindowPoStProofType: info.windowPoStProofType,
    SectorSize: Number(info.sectorSize),
    WindowPoStPartitionSectors: info.windowPoStPartitionSectors,
    ConsensusFaultElapsed: info.consensusFaultElapsed,
    PendingOwnerAddress: null,
    Beneficiary: idJson(info.beneficiary),
    // The owner is the beneficiary: an empty term.
    BeneficiaryTerm: { Quota: '0', UsedQuota: '0', Expiration: 0 },
    PendingBeneficiaryTerm: null,
  };
}

export const filecoinMiners = [
  defineMethod('Filecoin.StateListMiners', [tipsetKey('tipsetKey')], ({ devnet }, key) =>
    devnet.minersAt(tipsetOf(devnet, key).epoch).map((miner) => idJson(miner.id)),
  ),

  defineMethod('Filecoin.StateMinerInfo', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) =>
    minerInfoJson(minerAt(stateOf(devnet, key), address).miner),
  ),

  // As Lotus (stmgr.GetPowerRaw): an address without a claim has no power, and no error.
  defineMethod('Filecoin.StateMinerPower', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = stateOf(devnet, key);
    // A chain saved before the devnet had storage providers has a power actor without state.
    const power = state.getActor(POWER_ACTOR_ID)?.power ?? EMPTY_POWER_STATE;
    const id = resolveAddress(state, address)?.id;
    const claim = id === undefined ? undefined : claimOf(power, id);
    return {
      MinerPower: claimJson(claim ?? { rawBytePower: 0n, qualityAdjPower: 0n }),
      TotalPower: claimJson({ rawBytePower: power.totalRawBytePower, qualityAdjPower: power.totalQualityAdjPower }),
      HasMinPower: claim !== undefined && meetsConsensusMinimum(claim),
    };
  }),

  // Nothing is pledged, locked or in debt until sealing exists: all of the balance is available.
  defineMethod('Filecoin.StateMinerAvailableBalance', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) =>
    minerAt(stateOf(devnet, key), address).balance.toString(),
  ),
];
