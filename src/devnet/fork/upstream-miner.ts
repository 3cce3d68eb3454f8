// A storage provider's miner actor as the fork holds it: its MinerInfo (Filecoin.StateMinerInfo),
// its funds (the State's pledge, deposits, fee debt and vesting funds, Filecoin.StateReadState) and
// the sector numbers it has used. Its sectors, deadlines and partitions come with its proving state, read when
// first needed (upstream-proving.ts, fork-tables.ts).
import { base58btc } from 'multiformats/bases/base58';
import { FilAddress } from '../../common/address.js';
import { decodeBigInt } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { deadlineInfo, WPOST_PROVING_PERIOD } from '../../fevm/actors/miner/policy.js';
import type { MinerState, VestingFund } from '../../fevm/actors/miner/state.js';

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
  LockedFunds?: string;
  /** Whether the miner's deadline cron runs (builtin-actors' deadline_cron_active). */
  DeadlineCronActive?: boolean;
  /**
   * Actors v16+: the first fund inline and the block of the others (a list of [epoch, amount]);
   * earlier versions: the block of a struct holding that list; null (or absent: a devnet) for none.
   */
  VestingFunds?: { Head: { Epoch: number; Amount: string }; Tail: { '/': string } } | { '/': string } | null;
}

/** The block of vesting funds a miner State names, if it names one (read with ChainReadObj). */
export function vestingBlockOf(funds: LotusMinerFunds): string | undefined {
  const vesting = funds.VestingFunds;
  if (!vesting) return undefined;
  return '/' in vesting ? vesting['/'] : vesting.Tail['/'];
}

/** The vesting funds in epoch order, from the State and its block's dag-cbor (`block`, when it names one). */
export function vestingFundsOf(funds: LotusMinerFunds, block: unknown): VestingFund[] {
  const vesting = funds.VestingFunds;
  if (!vesting) return [];
  // Before v16 the block is a struct of one field, the list.
  const list = ('/' in vesting ? (block as unknown[])[0] : block) as [number, Uint8Array][];
  if (!Array.isArray(list)) throw new DevnetError('upstream miner VestingFunds block is not a list of funds');
  const rest = list.map(([epoch, amount]) => ({ epoch, amount: decodeBigInt(amount) }));
  // A head drawn down to zero by penalties is kept as the state keeps it; GetVestingFunds leaves it out (state.ts loadedVestingFunds).
  const head = '/' in vesting ? [] : [{ epoch: vesting.Head.Epoch, amount: BigInt(vesting.Head.Amount) }];
  return [...head, ...rest];
}

/** MinerInfo names its actors by ID address. */
function idOf(address: string, field: string): number {
  const id = FilAddress.parse(address).id;
  if (id === undefined) throw new DevnetError(`upstream Filecoin.StateMinerInfo: ${field} ${address} is not an ID address`);
  return id;
}

export function minerStateFromLotus(info: LotusMinerInfo, funds: LotusMinerFunds, allocatedSectors: number[], forkEpoch: number, vestingFunds: VestingFund[] = []): MinerState {
  const lockedFunds = BigInt(funds.LockedFunds ?? 0);
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
    // The upstream's block rewards still vesting: locked, and vesting at their epochs on the fork.
    ...(lockedFunds > 0n ? { lockedFunds, vestingFunds } : {}),
    // New sectors on the fork take numbers the upstream has not used.
    allocatedSectors,
    ...(funds.DeadlineCronActive === undefined ? {} : { deadlineCronActive: funds.DeadlineCronActive }),
    // Its upstream storage provider proves it until the fork takes it over (window-post.ts).
    postsRequired: true,
    // The upstream's record of proven partitions (its proving state) holds for the challenge window open at the fork point.
    upstreamPostWindow: deadlineInfo(forkEpoch, provingPeriodOffset).open,
    // The upstream's cron closed its deadlines through the fork epoch.
    deadlinesClosedThrough: forkEpoch,
  };
}
