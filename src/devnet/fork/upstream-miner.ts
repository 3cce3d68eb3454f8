// A storage provider's miner actor as the fork holds it: its MinerInfo (Filecoin.StateMinerInfo),
// its funds (the State's pledge, deposits and fee debt, Filecoin.StateReadState) and the sector
// numbers it has used. Its sectors, deadlines and partitions come with its proving state, read when
// first needed (upstream-proving.ts, fork-tables.ts).
import { base58btc } from 'multiformats/bases/base58';
import { FilAddress } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import { deadlineInfo, WPOST_PROVING_PERIOD } from '../../fevm/actors/miner/policy.js';
import type { MinerState } from '../../fevm/actors/miner/state.js';

/** api.MinerInfo as Lotus's JSON writes it (the fields the devnet keeps). */
export interface LotusMinerInfo {
  Owner: string;
  Worker: string;
  NewWorker: string;
  WorkerChangeEpoch: number;
  ControlAddresses: string[] | null;
  PeerId: string | null;
  Multiaddrs: string[] | null;
  WindowPoStProofType: number;
  SectorSize: number;
  WindowPoStPartitionSectors: number;
  ConsensusFaultElapsed: number;
  PendingOwnerAddress: string | null;
  Beneficiary: string;
  BeneficiaryTerm: { Quota: string; UsedQuota: string; Expiration: number };
  PendingBeneficiaryTerm: { NewBeneficiary: string; NewQuota: string; NewExpiration: number; ApprovedByBeneficiary: boolean; ApprovedByNominee: boolean } | null;
}

/** The miner State's fields about funds and proving (go-state-types miner.State). */
export interface LotusMinerFunds {
  InitialPledge: string;
  PreCommitDeposits: string;
  FeeDebt: string;
  ProvingPeriodStart: number;
}

/** MinerInfo names its actors by ID address. */
function idOf(address: string, field: string): number {
  const id = FilAddress.parse(address).id;
  if (id === undefined) throw new DevnetError(`upstream Filecoin.StateMinerInfo: ${field} ${address} is not an ID address`);
  return id;
}

export function minerStateFromLotus(info: LotusMinerInfo, funds: LotusMinerFunds, allocatedSectors: number[], forkEpoch: number): MinerState {
  const pending = info.PendingBeneficiaryTerm;
  const provingPeriodOffset = ((funds.ProvingPeriodStart % WPOST_PROVING_PERIOD) + WPOST_PROVING_PERIOD) % WPOST_PROVING_PERIOD;
  return {
    owner: idOf(info.Owner, 'Owner'),
    worker: idOf(info.Worker, 'Worker'),
    controlAddresses: (info.ControlAddresses ?? []).map((a) => idOf(a, 'ControlAddresses')),
    beneficiary: idOf(info.Beneficiary, 'Beneficiary'),
    sectorSize: BigInt(info.SectorSize),
    peerId: info.PeerId ? base58btc.baseDecode(info.PeerId) : new Uint8Array(),
    multiaddrs: (info.Multiaddrs ?? []).map((m) => new Uint8Array(Buffer.from(m, 'base64'))),
    windowPoStProofType: info.WindowPoStProofType,
    windowPoStPartitionSectors: info.WindowPoStPartitionSectors,
    consensusFaultElapsed: info.ConsensusFaultElapsed,
    // Lotus shows "no change pending" as address.Undef ("<empty>").
    ...(info.NewWorker && info.NewWorker !== '<empty>' ? { pendingWorkerKey: { newWorker: idOf(info.NewWorker, 'NewWorker'), effectiveAt: info.WorkerChangeEpoch } } : {}),
    ...(info.PendingOwnerAddress ? { pendingOwner: idOf(info.PendingOwnerAddress, 'PendingOwnerAddress') } : {}),
    beneficiaryTerm: { quota: BigInt(info.BeneficiaryTerm.Quota), usedQuota: BigInt(info.BeneficiaryTerm.UsedQuota), expiration: info.BeneficiaryTerm.Expiration },
    ...(pending
      ? {
          pendingBeneficiary: {
            newBeneficiary: idOf(pending.NewBeneficiary, 'NewBeneficiary'),
            newQuota: BigInt(pending.NewQuota),
            newExpiration: pending.NewExpiration,
            approvedByBeneficiary: pending.ApprovedByBeneficiary,
            approvedByNominee: pending.ApprovedByNominee,
          },
        }
      : {}),
    provingPeriodOffset,
    initialPledge: BigInt(funds.InitialPledge),
    preCommitDeposits: BigInt(funds.PreCommitDeposits),
    feeDebt: BigInt(funds.FeeDebt),
    // New sectors on the fork take numbers the upstream has not used.
    allocatedSectors,
    // Its upstream storage provider proves it until the fork takes it over (window-post.ts).
    postsRequired: true,
    // The upstream's record of proven partitions (its proving state) holds for the challenge window open at the fork point.
    upstreamPostWindow: deadlineInfo(forkEpoch, provingPeriodOffset).open,
    // The upstream's cron closed its deadlines through the fork epoch.
    deadlinesClosedThrough: forkEpoch,
  };
}
