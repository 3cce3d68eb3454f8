// The state of a storage miner actor (builtin-actors actors/miner/src/state.rs, types.rs,
// beneficiary.rs): who controls it (MinerInfo), its funds (pledge, pre-commit deposits, fee debt), its
// pre-committed and proven sectors. Owner, worker, control addresses and beneficiary are actor IDs,
// as the miner actor stores them. Values are immutable: every change writes new objects and Maps.
import { AppendedMap } from '../../../common/appended-map.js';
import { encodeBitfield } from '../../../common/bitfield.js';
import { encodeBigInt, type CID } from '../../../common/cbor.js';
import { SharedMap } from '../../../common/shared-map.js';
import type { Actor } from '../../actor.js';
import { deadlineEndAtOrAfter, deadlineInfo, EPOCHS_IN_DAY, FAULT_MAX_AGE, provingPeriodStart, qaPowerForWeight, WPOST_CHALLENGE_WINDOW } from './policy.js';

export { windowPoSt } from './policy.js';

/** 32 GiB, the sector size of the devnet's storage providers. */
export const SECTOR_SIZE_32GIB = 32n << 30n;

/** FIP-0045: QA power from the sector's weights (the only kind new sectors have). */
export const SECTOR_FLAG_SIMPLE_QA_POWER = 1;

export interface BeneficiaryTerm {
  readonly quota: bigint;
  readonly usedQuota: bigint;
  readonly expiration: number;
}

/** Funds that vest at an epoch (builtin-actors VestingFund). */
export interface VestingFund {
  readonly epoch: number;
  readonly amount: bigint;
}

export interface PendingBeneficiaryChange {
  readonly newBeneficiary: number;
  readonly newQuota: bigint;
  readonly newExpiration: number;
  readonly approvedByBeneficiary: boolean;
  readonly approvedByNominee: boolean;
}

/** SectorPreCommitInfo with its deposit and epoch (SectorPreCommitOnChainInfo). */
export interface SectorPreCommit {
  readonly sealProof: number;
  readonly sectorNumber: number;
  readonly sealedCid: CID;
  readonly sealRandEpoch: number;
  readonly dealIds: readonly number[];
  readonly expiration: number;
  /** CommD; undefined for a sector of zeros (CompactCommD). */
  readonly unsealedCid?: CID;
  readonly preCommitDeposit: bigint;
  readonly preCommitEpoch: number;
}

/** A sector's on-chain info as Lotus shows it (Filecoin.StateSectorGetInfo). */
export interface SectorInfo {
  readonly sectorNumber: number;
  readonly sealProof: number;
  readonly sealedCid: CID;
  readonly activation: number;
  readonly expiration: number;
  readonly dealWeight: bigint;
  readonly verifiedDealWeight: bigint;
  readonly initialPledge: bigint;
  readonly powerBaseEpoch: number;
  readonly flags: number;
  readonly dailyFee: bigint;
}

/** SectorOnChainInfo, plus where the sector is proven and whether it is faulty. */
export interface SectorOnChainInfo extends SectorInfo {
  /** Whether the sector holds pieces (the market hears of its termination). */
  readonly hasData: boolean;
  readonly deadline: number;
  readonly partition: number;
  /** The epoch the sector became faulty; undefined while it is healthy. */
  readonly faultEpoch?: number;
  /**
   * A faulty sector declared recovered, waiting for its partition's next Window PoSt (builtin-actors'
   * partition Recoveries): a forked miner's own PoSt, or an own miner's simulated one at the end of the
   * declared deadline (proving.ts).
   */
  readonly recovering?: true;
}

export interface MinerState {
  // MinerInfo
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
  // Fields below are absent in states saved before sectors existed: read them through loadMiner.
  readonly pendingWorkerKey?: { readonly newWorker: number; readonly effectiveAt: number };
  readonly pendingOwner?: number;
  readonly beneficiaryTerm?: BeneficiaryTerm;
  readonly pendingBeneficiary?: PendingBeneficiaryChange;
  readonly provingPeriodOffset?: number;
  readonly preCommitDeposits?: bigint;
  readonly initialPledge?: bigint;
  readonly feeDebt?: bigint;
  /**
   * Funds locked until they vest (builtin-actors locked_funds, and vesting_funds in epoch order): three
   * quarters of each block reward and the creation deposit, vesting over 180 days (addLockedFunds); a
   * forked miner's upstream table vests on the fork at the upstream's epochs.
   */
  readonly lockedFunds?: bigint;
  /** The vesting table as last brought up to date (settleVesting); read the whole table through vestingTable. */
  readonly vestingFunds?: readonly VestingFund[];
  /**
   * Amounts locked since, by the epoch they were locked at, their tables not merged in yet: each
   * merge writes a new table (up to ~360 funds), and the state keeps every version, so a reward
   * each tipset is kept as one entry here until something vests, a fee draws on the table, or
   * PENDING_GRANTS_MAX of them wait. An AppendedMap, whose versions share all but their last entry
   * (a chain read from a file too: state-tree.ts savedActor, common/storable.ts fromStorableChange).
   */
  readonly vestingGrants?: ReadonlyMap<number, bigint>;
  /**
   * Taken by fees from the table's earliest funds since it was last brought up to date: a fee each
   * deadline close would otherwise copy the table (up to ~360 funds) into every version the state
   * keeps (anvil_mine 1M with deals: 17 000 copies of ~90 funds, +18 MB). Read the table through
   * vestingTable.
   */
  readonly vestingDrawn?: bigint;
  readonly precommits?: ReadonlyMap<number, SectorPreCommit>;
  readonly sectors?: ReadonlyMap<number, SectorOnChainInfo>;
  /**
   * Sectors terminated or expired, as they were when they died (healthy: a partition forgets the
   * fault of a sector it terminates). builtin-actors keeps them in the sectors AMT and in their
   * partition (its terminated bitfield) until a CompactPartitions, which the devnet's miners never
   * send: GetNominalSectorExpiration, GenerateSectorLocation and ValidateSectorStatus see them.
   */
  readonly deadSectors?: ReadonlyMap<number, SectorOnChainInfo>;
  /** Every sector number ever pre-committed or committed (numbers are never reused). */
  readonly allocatedSectors?: readonly number[];
  /**
   * builtin-actors' deadline_cron_active (StateReadState's DeadlineCronActive): on from a pre-commit,
   * off at a deadline's end where nothing is locked (access.ts settleDeadlineCron). Absent in state
   * files written before the devnet kept it: deadlineCronActive derives it.
   */
  readonly deadlineCronActive?: boolean;
  /** The epoch of the fault-fee cron event already enrolled, if any. */
  readonly faultCronEpoch?: number;
  /** An own miner's deadlines with a 'daily-fee' cron event enrolled at their next close (proving.ts enrollDailyFees), ascending. */
  readonly dailyFeeDeadlines?: readonly number[];
  /**
   * On a fork, the upstream's sectors by number, read one by one on first touch (lazy-map.ts), for an
   * upstream that cannot list them (a gateway): readable, but not in `sectors`, so not proven,
   * faulted or counted here. Absent on a chain of its own.
   */
  readonly upstreamSectors?: ReadonlyMap<number, SectorInfo>;
  /**
   * A forked miner: its deadlines close on the fork (window-post.ts closeDeadline) once the fork holds
   * its proving state, and from the first message that changes it (takenOverAt) its sectors are proven
   * only by the Window PoSts it submits. The devnet's own miners are proven by simulation: their
   * healthy sectors always are.
   */
  readonly postsRequired?: boolean;
  /** Partitions proven by a Window PoSt in each deadline's current challenge window, by deadline index. */
  readonly postSubmissions?: ReadonlyMap<number, readonly number[]>;
  /**
   * On a fork, until the miner's first deadline close or first message: the epoch the challenge window
   * open at the fork point opened. postSubmissions is then the upstream's record, which holds for that
   * window only (postSubmissionsAt).
   */
  readonly upstreamPostWindow?: number;
  /** On a fork: the last epoch whose deadline close the miner has had (the fork epoch at first: the upstream's). */
  readonly deadlinesClosedThrough?: number;
  /**
   * On a fork: the epoch of the first message that changed the miner. Until then its upstream storage
   * provider is taken to prove it (its deadline closes fault nothing); from then on only the fork's PoSts do.
   */
  readonly takenOverAt?: number;
}

/** Fields that stay absent until they mean something. */
type OptionalMinerFields = 'pendingWorkerKey' | 'pendingOwner' | 'pendingBeneficiary' | 'deadlineCronActive' | 'faultCronEpoch' | 'dailyFeeDeadlines' | 'deadSectors' | 'upstreamSectors' | 'postsRequired' | 'postSubmissions' | 'upstreamPostWindow' | 'deadlinesClosedThrough' | 'takenOverAt' | 'lockedFunds' | 'vestingFunds' | 'vestingGrants' | 'vestingDrawn';

/** A MinerState with every field present. */
export type FullMinerState = Required<Omit<MinerState, OptionalMinerFields>> & Pick<MinerState, OptionalMinerFields>;

const ZERO_TERM: BeneficiaryTerm = { quota: 0n, usedQuota: 0n, expiration: 0 };

/** The miner's state with the defaults of a miner that has no sectors, no funds locked and no pending change. */
export function loadMiner(state: MinerState): FullMinerState {
  return {
    beneficiaryTerm: ZERO_TERM,
    provingPeriodOffset: 0,
    preCommitDeposits: 0n,
    initialPledge: 0n,
    feeDebt: 0n,
    precommits: new Map(),
    sectors: new Map(),
    allocatedSectors: [],
    ...state,
  };
}

/**
 * The partitions proven in the challenge windows open at `epoch`, by deadline. builtin-actors clears a
 * deadline's record at its close, so the upstream's record, read at the fork point, holds only for
 * the deadline open then, and only until it closes.
 */
export function postSubmissionsAt(m: MinerState, epoch: number): ReadonlyMap<number, readonly number[]> | undefined {
  if (m.upstreamPostWindow === undefined) return m.postSubmissions;
  const current = deadlineInfo(epoch, m.provingPeriodOffset ?? 0);
  const proven = current.open === m.upstreamPostWindow ? m.postSubmissions?.get(current.index) : undefined;
  return proven?.length ? new Map([[current.index, proven]]) : undefined;
}

/** A deadline's daily fee (FIP-0100): its live sectors', faulty ones included, as builtin-actors adds them with the sectors and removes them at expiration or termination. */
export function dailyFeeOf(sectors: readonly SectorOnChainInfo[]): bigint {
  return sectors.reduce((sum, s) => sum + s.dailyFee, 0n);
}

/** Whether builtin-actors keeps the miner's deadline cron at a deadline's end (state.rs continue_deadline_cron): a pre-commit deposit, pledge or vesting funds locked. */
function continuesDeadlineCron(m: MinerState): boolean {
  return (m.preCommitDeposits ?? 0n) !== 0n || (m.initialPledge ?? 0n) !== 0n || (m.lockedFunds ?? 0n) !== 0n;
}

/**
 * builtin-actors' DeadlineCronActive. A state file written before the devnet kept the flag: on for a
 * miner that has pre-committed and still has something locked (the cron stops at the next deadline
 * end once nothing is).
 */
export function deadlineCronActive(m: MinerState): boolean {
  return m.deadlineCronActive ?? ((m.allocatedSectors?.length ?? 0) > 0 && continuesDeadlineCron(m));
}

/** A running deadline cron that builtin-actors stops at this deadline's end: nothing is locked. */
export function deadlineCronStops(m: MinerState): boolean {
  return deadlineCronActive(m) && !continuesDeadlineCron(m);
}

/** The owner, the worker and the control addresses: who may act for the miner. */
export function controllingIds(info: MinerState): number[] {
  return [...info.controlAddresses, info.worker, info.owner];
}

/** Balance minus everything locked: vesting funds, pledge, pre-commit deposits (builtin-actors get_unlocked_balance). */
export function unlockedBalance(state: MinerState, balance: bigint): bigint {
  return balance - (state.lockedFunds ?? 0n) - (state.initialPledge ?? 0n) - (state.preCommitDeposits ?? 0n);
}

/** The unlocked balance less the fee debt; negative when in debt. */
export function availableBalance(state: MinerState, balance: bigint): bigint {
  return unlockedBalance(state, balance) - (state.feeDebt ?? 0n);
}

/** The vesting funds that vest before `epoch`, as Lotus counts them (go-state-types CheckVestedFunds). */
export function vestedFunds(state: MinerState, epoch: number): bigint {
  return vestingTable(state).reduce((sum, f) => (f.epoch < epoch ? sum + f.amount : sum), 0n);
}

/** REWARD_VESTING_SPEC's vest period: 180 days. */
const VEST_PERIOD = BigInt(180 * EPOCHS_IN_DAY);

/**
 * How many locked amounts may wait apart from the table (vestingGrants) before they are merged in. A
 * merge writes a new table (up to ~360 funds) that the state keeps: at 128 a miner winning every
 * other tipset made one every 256 tipsets, ~180 B of heap a tipset; a grant waiting costs one
 * object however many wait. The price is a read of the table (vestingTable) slower in proportion to
 * how many wait: warm, ~0.9 ms with 1 023 against ~0.15 with 127 (docs/performance.md, idleheap),
 * paid once a merge or a read, not a tipset. Once funds vest (a day after the first reward), each
 * vest merges them anyway.
 */
export const PENDING_GRANTS_MAX = 1024;

/**
 * Where `drawn`, taken from the earliest funds as unlockVestedAndUnvestedFunds takes it, stops: the
 * index of the first fund it does not take whole (funds.length when it takes them all) and what that
 * fund keeps, zero when the draw ends exactly at its end (builtin-actors keeps it as the head).
 */
function drawStop(funds: readonly VestingFund[], drawn: bigint): { index: number; kept: bigint } {
  let left = drawn;
  for (let i = 0; i < funds.length; i++) {
    const amount = funds[i]!.amount;
    if (amount >= left) return { index: i, kept: amount - left };
    left -= amount;
  }
  return { index: funds.length, kept: 0n };
}

/** `funds` less `drawn` taken from the earliest first (drawStop). */
function drawnFunds(funds: readonly VestingFund[], drawn: bigint | undefined): readonly VestingFund[] {
  if (!drawn) return funds;
  const { index, kept } = drawStop(funds, drawn);
  return index < funds.length ? [{ epoch: funds[index]!.epoch, amount: kept }, ...funds.slice(index + 1)] : [];
}

/** The vesting table with every amount merged in, by epoch (builtin-actors VestingFunds::load). */
export function vestingTable(state: MinerState): readonly VestingFund[] {
  const base = drawnFunds(state.vestingFunds ?? [], state.vestingDrawn);
  // The grants' tables summed first, then merged into the table once: a mergeFunds per grant would
  // copy the ~360-fund table up to PENDING_GRANTS_MAX times.
  return state.vestingGrants ? mergeFunds(base, grantsTable(state.vestingGrants, state.provingPeriodOffset ?? 0)) : base;
}

/**
 * The rewardVestingTables of `grants` (amounts by the epoch they were locked at) summed by epoch, as
 * merging them one by one sums them, without building them: 180 steps for each reward of each tipset
 * cost more than the rest of the tipset's vesting. Every step lies on the 12-hour grid (proving
 * periods start a whole day apart), so a slot of the grid stands for its epoch. A table's steps between
 * its first and its last are each `amount × a day / 180 days` rounded down (its quotient), plus one
 * where the remainder carries: the quotients are added to every other slot of their run through a
 * difference array, the carries counted with the remainders as plain numbers (they are below 180 days).
 * (A reward of a few attoFIL can vest 0 at its first step; builtin-actors' next reward loads such a
 * head away, which this sum keeps: the raw state's head only, no amount.)
 */
function grantsTable(grants: ReadonlyMap<number, bigint>, offset: number): VestingFund[] {
  const quantum = EPOCHS_IN_DAY / 2;
  const period = Number(VEST_PERIOD);
  const tables = [...grants]
    .filter(([, amount]) => amount > 0n)
    .map(([epoch, amount]) => ({ epoch, amount, first: vestStepEpoch(epoch + EPOCHS_IN_DAY, provingPeriodStart(epoch, offset)) }));
  if (tables.length === 0) return [];
  const origin = Math.min(...tables.map((t) => t.first));
  // The steps before the last, each a day later: those of less than 180 days elapsed.
  const stepsOf = (t: { epoch: number; first: number }) => Math.ceil((period - (t.first - t.epoch)) / EPOCHS_IN_DAY);
  const slots = Math.max(...tables.map((t) => (t.first - origin) / quantum + 2 * stepsOf(t))) + 1;
  const ends = new Array<bigint>(slots + 2).fill(0n);
  const quotients = new Array<bigint>(slots + 2).fill(0n);
  const carries = new Array<number>(slots).fill(0);
  const used = new Uint8Array(slots);
  for (const { epoch, amount, first } of tables) {
    const start = amount * BigInt(first - epoch);
    const day = amount * BigInt(EPOCHS_IN_DAY);
    const [dayQuotient, dayRemainder] = [day / VEST_PERIOD, Number(day % VEST_PERIOD)];
    const firstAmount = start / VEST_PERIOD;
    let remainder = Number(start % VEST_PERIOD);
    const steps = stepsOf({ epoch, first });
    const slot = (first - origin) / quantum;
    let carried = 0;
    for (let k = 1; k < steps; k++) {
      remainder += dayRemainder;
      used[slot + 2 * k] = 1;
      if (remainder >= period) {
        remainder -= period;
        carries[slot + 2 * k]!++;
        carried++;
      }
    }
    if (steps > 1) {
      quotients[slot + 2]! += dayQuotient;
      quotients[slot + 2 * steps]! -= dayQuotient;
    }
    // The first step vests what has elapsed to it; the last, the rest of the amount.
    ends[slot]! += firstAmount;
    ends[slot + 2 * steps]! += amount - firstAmount - BigInt(steps - 1) * dayQuotient - BigInt(carried);
    used[slot] = used[slot + 2 * steps] = 1;
  }
  const funds: VestingFund[] = [];
  for (let i = 0; i < slots; i++) {
    if (i >= 2) quotients[i]! += quotients[i - 2]!;
    if (used[i]) funds.push({ epoch: origin + i * quantum, amount: ends[i]! + quotients[i]! + BigInt(carries[i]!) });
  }
  return funds;
}

/** The miner with its vesting table brought up to date: the waiting amounts merged in. */
function settleVesting(m: FullMinerState): FullMinerState {
  return m.vestingGrants || m.vestingDrawn ? { ...m, vestingFunds: vestingTable(m), vestingGrants: undefined, vestingDrawn: undefined } : m;
}

/** The table without a first fund of no amount (builtin-actors VestingFunds::load leaves out a head drawn to zero). */
export function loadedVestingFunds(funds: readonly VestingFund[]): readonly VestingFund[] {
  return funds[0]?.amount === 0n ? funds.slice(1) : funds;
}

/** The table's first fund's epoch (a head drawn to zero included), without building the table. */
function tableHead(state: MinerState): number | undefined {
  const funds = state.vestingFunds ?? [];
  if (!state.vestingDrawn) return funds[0]?.epoch;
  return funds[drawStop(funds, state.vestingDrawn).index]?.epoch;
}

/** The epoch locked at first of the amounts waiting (vestingGrants' first key, taken without ordering the map). */
function firstGrant(grants: ReadonlyMap<number, bigint> | undefined): number | undefined {
  if (!grants) return undefined;
  if (grants instanceof AppendedMap) return grants.firstKey;
  return grants instanceof SharedMap ? (grants as SharedMap<number, bigint>).firstKey() : grants.keys().next().value;
}

/** Whether two versions of a miner hold the same vesting (its table, the rewards waiting, a fee's draw), so the same vestingHead: the proving period offset is fixed at creation. */
export function sameVesting(a: MinerState, b: MinerState): boolean {
  return a.vestingFunds === b.vestingFunds && a.vestingGrants === b.vestingGrants && a.vestingDrawn === b.vestingDrawn;
}

/** The epoch of the table's first fund, if any: the earliest grant's first step, or the table's first. */
export function vestingHead(state: MinerState): number | undefined {
  const table = tableHead(state);
  const first = firstGrant(state.vestingGrants);
  if (first === undefined) return table;
  const grant = vestStepEpoch(first + EPOCHS_IN_DAY, provingPeriodStart(first, state.provingPeriodOffset ?? 0));
  return table === undefined || grant < table ? grant : table;
}

/** What a change to the vesting table leaves: the miner's state and the funds it unlocked. */
interface Unlocked {
  readonly state: FullMinerState;
  readonly unlocked: bigint;
}

const withVesting = (m: FullMinerState, unlocked: bigint, funds: VestingFund[]): FullMinerState => ({
  ...m,
  lockedFunds: m.lockedFunds! - unlocked,
  vestingFunds: funds.length > 0 ? funds : undefined,
});

/**
 * Unlocks the vesting funds that vested before `epoch` (builtin-actors state.rs unlock_vested_funds):
 * they leave the locked funds for the unlocked balance.
 */
export function unlockVestedFunds(miner: FullMinerState, epoch: number): Unlocked {
  const head = vestingHead(miner);
  if (!miner.lockedFunds || head === undefined || head >= epoch) return { state: miner, unlocked: 0n };
  const m = settleVesting(miner);
  const funds = m.vestingFunds!;
  let i = 0;
  let unlocked = 0n;
  for (; i < funds.length && funds[i]!.epoch < epoch; i++) unlocked += funds[i]!.amount;
  return { state: withVesting(m, unlocked, funds.slice(i)), unlocked };
}

/**
 * Unlocks what vested before `epoch` and, earliest first, up to `target` of what has not (builtin-actors
 * state.rs unlock_vested_and_unvested_funds): nothing at all for a zero target.
 */
export function unlockVestedAndUnvestedFunds(miner: FullMinerState, epoch: number, target: bigint): Unlocked {
  if (target === 0n || !miner.lockedFunds) return { state: miner, unlocked: 0n };
  const head = vestingHead(miner);
  if (head === undefined) return { state: miner, unlocked: 0n };
  if (!miner.vestingGrants && head >= epoch) {
    // Nothing has vested: the draw is kept as an amount (vestingDrawn), the table not copied.
    const funds = miner.vestingFunds ?? [];
    const drawn = (miner.vestingDrawn ?? 0n) + target;
    if (drawStop(funds, drawn).index < funds.length) return { state: { ...miner, lockedFunds: miner.lockedFunds - target, vestingDrawn: drawn }, unlocked: target };
    // More than is left: all of it.
    const left = funds.reduce((sum, f) => sum + f.amount, 0n) - (miner.vestingDrawn ?? 0n);
    return { state: { ...miner, lockedFunds: miner.lockedFunds - left, vestingFunds: undefined, vestingDrawn: undefined }, unlocked: left };
  }
  // What vested, then the earliest funds up to the target; the fund it stops in is kept, even drawn to zero.
  const m = settleVesting(miner);
  let unlocked = 0n;
  let left = target;
  const kept: VestingFund[] = [];
  for (const fund of m.vestingFunds!) {
    if (kept.length > 0) kept.push(fund);
    else if (fund.epoch < epoch) unlocked += fund.amount;
    else if (fund.amount < left) {
      unlocked += fund.amount;
      left -= fund.amount;
    } else {
      unlocked += left;
      kept.push({ epoch: fund.epoch, amount: fund.amount - left });
    }
  }
  return { state: withVesting(m, unlocked, kept), unlocked };
}

/**
 * Pays the fee debt from the vesting funds first, then from the unlocked balance (builtin-actors
 * state.rs repay_partial_debt_in_priority_order); what neither covers stays debt. Returns what to burn
 * and what left the vesting table (for the power actor's pledge total).
 */
export function repayPartialDebt(m: FullMinerState, epoch: number, balance: bigint): Unlocked & { burn: bigint } {
  if (m.feeDebt === 0n) return { state: m, unlocked: 0n, burn: 0n };
  const { state, unlocked } = unlockVestedAndUnvestedFunds(m, epoch, m.feeDebt);
  const free = unlockedBalance(state, balance);
  const burn = free <= 0n ? 0n : free < state.feeDebt ? free : state.feeDebt;
  return { state: { ...state, feeDebt: state.feeDebt - burn }, unlocked, burn };
}

/**
 * Locks `amount` at `epoch` with REWARD_VESTING_SPEC (builtin-actors state.rs add_locked_funds): its
 * table (rewardVestingTable, quantized from the proving period's start) merged into the miner's, the
 * amounts of one epoch added; then what vested before `epoch` is unlocked. `unlocked` is that part.
 * While nothing has vested the amount waits in vestingGrants, which come to the same table.
 */
export function addLockedFunds(m: FullMinerState, epoch: number, amount: bigint): Unlocked {
  // The table as builtin-actors loads it to merge into: the draws applied (a grant waits on the table
  // as it is after them) and a head drawn to zero left out.
  if (m.vestingDrawn || m.vestingFunds?.[0]?.amount === 0n) {
    const settled = settleVesting(m);
    const funds = loadedVestingFunds(settled.vestingFunds ?? []);
    m = { ...settled, vestingFunds: funds.length > 0 ? funds : undefined };
  }
  if (amount === 0n) return unlockVestedFunds(m, epoch);
  const lockedFunds = (m.lockedFunds ?? 0n) + amount;
  const head = vestingHead(m);
  if ((head === undefined || head >= epoch) && !m.vestingGrants?.has(epoch)) {
    // One object more than the version before, which every version the state keeps shares.
    const grants = AppendedMap.with(m.vestingGrants, epoch, amount);
    const added = { ...m, lockedFunds, vestingGrants: grants };
    return { state: grants.size < PENDING_GRANTS_MAX ? added : settleVesting(added), unlocked: 0n };
  }
  const merged = mergeFunds(settleVesting(m).vestingFunds ?? [], rewardVestingTable(amount, epoch, provingPeriodStart(epoch, m.provingPeriodOffset)));
  return unlockVestedFunds({ ...m, lockedFunds, vestingFunds: merged, vestingGrants: undefined }, epoch);
}

/** Two vesting tables as one, by epoch, the amounts of one epoch added (add_locked_funds' merge_join_by). */
function mergeFunds(old: readonly VestingFund[], added: readonly VestingFund[]): VestingFund[] {
  const merged: VestingFund[] = [];
  let [i, j] = [0, 0];
  while (i < old.length || j < added.length) {
    const a = old[i];
    const b = added[j];
    if (b === undefined || (a !== undefined && a.epoch < b.epoch)) {
      merged.push(a!);
      i++;
    } else if (a === undefined || b.epoch < a.epoch) {
      merged.push(b);
      j++;
    } else {
      merged.push({ epoch: a.epoch, amount: a.amount + b.amount });
      i++;
      j++;
    }
  }
  return merged;
}

/**
 * The vesting table of `amount` locked at `epoch` as builtin-actors' REWARD_VESTING_SPEC vests it
 * (actors/miner/src/vesting_state.rs add_locked_funds): linearly over 180 days from `epoch`, one
 * step a day, each step's epoch rounded up to the next 12-hour mark counted from the proving
 * period's start `periodStart`.
 */
export function rewardVestingTable(amount: bigint, epoch: number, periodStart: number): VestingFund[] {
  const funds: VestingFund[] = [];
  if (amount <= 0n) return funds;
  // The target at each step, amount × elapsed / period rounded down, kept as quotient and remainder:
  // a step a day later adds amount × a day to the product, so no step divides (a reward each tipset makes 180).
  const first = vestStepEpoch(epoch + EPOCHS_IN_DAY, periodStart);
  const start = amount * BigInt(first - epoch);
  const day = amount * BigInt(EPOCHS_IN_DAY);
  const [dayQuotient, dayRemainder] = [day / VEST_PERIOD, day % VEST_PERIOD];
  let [quotient, remainder] = [start / VEST_PERIOD, start % VEST_PERIOD];
  let vested = 0n;
  for (let vestEpoch = first; vested < amount; vestEpoch += EPOCHS_IN_DAY) {
    const target = BigInt(vestEpoch - epoch) < VEST_PERIOD ? quotient : amount;
    funds.push({ epoch: vestEpoch, amount: target - vested });
    vested = target;
    quotient += dayQuotient;
    remainder += dayRemainder;
    if (remainder >= VEST_PERIOD) [quotient, remainder] = [quotient + 1n, remainder - VEST_PERIOD];
  }
  return funds;
}

/** A vesting step's epoch: `at` rounded up to the next 12-hour mark counted from the proving period's start (QuantSpec quantize_up). */
function vestStepEpoch(at: number, periodStart: number): number {
  const quantum = EPOCHS_IN_DAY / 2;
  return periodStart + Math.ceil((at - periodStart) / quantum) * quantum;
}

/** What a beneficiary other than the owner may still withdraw at `epoch` (BeneficiaryTerm.available). */
export function beneficiaryAvailable(term: BeneficiaryTerm, epoch: number): bigint {
  if (term.expiration <= epoch) return 0n;
  const left = term.quota - term.usedQuota;
  return left > 0n ? left : 0n;
}

/** A sector's raw and quality-adjusted power. */
export function sectorPower(sectorSize: bigint, sector: SectorOnChainInfo): { raw: bigint; qa: bigint } {
  const duration = sector.expiration - sector.powerBaseEpoch;
  return { raw: sectorSize, qa: qaPowerForWeight(sectorSize, duration, sector.dealWeight, sector.verifiedDealWeight) };
}

/** The powers of `sectors` added up. */
export function sectorsPower(sectorSize: bigint, sectors: Iterable<SectorOnChainInfo>): { raw: bigint; qa: bigint } {
  let raw = 0n;
  let qa = 0n;
  for (const s of sectors) {
    const power = sectorPower(sectorSize, s);
    raw += power.raw;
    qa += power.qa;
  }
  return { raw, qa };
}

/** Sectors that have power: proven and not faulty. */
export function activeSectors(state: MinerState): SectorOnChainInfo[] {
  return [...loadMiner(state).sectors.values()].filter((s) => s.faultEpoch === undefined);
}

/** A sector the sectors AMT holds: a live one, or a dead one (terminated or expired: `deadSectors`). */
export function sectorInAmt(state: MinerState, number: number): { sector: SectorOnChainInfo; dead: boolean } | undefined {
  const live = loadMiner(state).sectors.get(number);
  if (live) return { sector: live, dead: false };
  const dead = state.deadSectors?.get(number);
  return dead && { sector: dead, dead: true };
}

export function faultySectors(state: MinerState): SectorOnChainInfo[] {
  return [...loadMiner(state).sectors.values()].filter((s) => s.faultEpoch !== undefined);
}

export type MinerActor = Actor & { miner: MinerState };

const termValue = (t: BeneficiaryTerm) => [encodeBigInt(t.quota), encodeBigInt(t.usedQuota), t.expiration];

/** The CBOR value of a miner's MinerInfo, in builtin-actors' field order. */
export function minerInfoValue(state: MinerState): unknown {
  const m = loadMiner(state);
  return [
    m.owner,
    m.worker,
    [...m.controlAddresses],
    m.pendingWorkerKey ? [m.pendingWorkerKey.newWorker, m.pendingWorkerKey.effectiveAt] : null,
    m.peerId,
    [...m.multiaddrs],
    m.windowPoStProofType,
    Number(m.sectorSize),
    m.windowPoStPartitionSectors,
    m.consensusFaultElapsed,
    m.pendingOwner ?? null,
    m.beneficiary,
    termValue(m.beneficiaryTerm),
    m.pendingBeneficiary
      ? [m.pendingBeneficiary.newBeneficiary, encodeBigInt(m.pendingBeneficiary.newQuota), m.pendingBeneficiary.newExpiration, m.pendingBeneficiary.approvedByBeneficiary, m.pendingBeneficiary.approvedByNominee]
      : null,
  ];
}

/** The CBOR value of a SectorOnChainInfo, in builtin-actors' field order (16 fields, v16+). */
function sectorValue(s: SectorOnChainInfo): unknown {
  return [
    s.sectorNumber,
    s.sealProof,
    s.sealedCid,
    [],
    s.activation,
    s.expiration,
    encodeBigInt(s.dealWeight),
    encodeBigInt(s.verifiedDealWeight),
    encodeBigInt(s.initialPledge),
    null,
    null,
    s.powerBaseEpoch,
    null,
    null,
    s.flags,
    encodeBigInt(s.dailyFee),
  ];
}

/**
 * The CBOR value of a miner's state, shaped as builtin-actors' State tuple: [info, pre_commit_deposits,
 * locked_funds, vesting_funds, fee_debt, initial_pledge, pre_committed_sectors, pre_committed_sectors_cleanup,
 * allocated_sectors, sectors, proving_period_start, current_deadline, deadlines, early_terminations,
 * deadline_cron_active]. The AMTs and HAMTs are shown inline: sectors and pre-commits as lists, the
 * deadlines as a list of [deadline, partition, faulty sectors bitfield]; the vesting funds as
 * builtin-actors' [head, tail] (null for none), the tail's list inline; `vesting` is the miner's
 * vestingTable when the caller has built it already.
 */
export function minerStateValue(state: MinerState, epoch = 0, vesting?: readonly VestingFund[]): unknown {
  const m = loadMiner(state);
  const sectors = [...m.sectors.values()].sort((a, b) => a.sectorNumber - b.sectorNumber);
  const precommits = [...m.precommits.values()].sort((a, b) => a.sectorNumber - b.sectorNumber);
  const periodStart = provingPeriodStart(epoch, m.provingPeriodOffset);
  return [
    minerInfoValue(m),
    encodeBigInt(m.preCommitDeposits),
    encodeBigInt(m.lockedFunds ?? 0n),
    vestingFundsValue(vesting ?? vestingTable(m)),
    encodeBigInt(m.feeDebt),
    encodeBigInt(m.initialPledge),
    precommits.map((p) => [
      [p.sealProof, p.sectorNumber, p.sealedCid, p.sealRandEpoch, [...p.dealIds], p.expiration, p.unsealedCid ?? null],
      encodeBigInt(p.preCommitDeposit),
      p.preCommitEpoch,
    ]),
    [],
    encodeBitfield(m.allocatedSectors),
    sectors.map(sectorValue),
    periodStart,
    Math.floor((epoch - periodStart) / WPOST_CHALLENGE_WINDOW),
    faultsByPartition(sectors),
    encodeBitfield([]),
    deadlineCronActive(m),
  ];
}

/** A vesting fund as builtin-actors encodes it (vesting_state.rs VestingFund): `[epoch, amount]`. */
export const vestingFundValue = (f: VestingFund) => [f.epoch, encodeBigInt(f.amount)];

/**
 * The funds after the first (VestingFunds' tail: the block the state links, which ChainReadObj serves
 * and GetVestingFunds loads); none for an empty table.
 */
export const vestingTailValue = (funds: readonly VestingFund[]): unknown[] | undefined =>
  funds.length > 0 ? funds.slice(1).map(vestingFundValue) : undefined;

function vestingFundsValue(funds: readonly VestingFund[]): unknown {
  const tail = vestingTailValue(funds);
  return tail ? [vestingFundValue(funds[0]!), tail] : null;
}

function faultsByPartition(sectors: SectorOnChainInfo[]): unknown[] {
  const groups = new Map<string, { deadline: number; partition: number; faulty: number[] }>();
  for (const s of sectors) {
    const key = `${s.deadline}/${s.partition}`;
    const group = groups.get(key) ?? { deadline: s.deadline, partition: s.partition, faulty: [] };
    if (s.faultEpoch !== undefined) group.faulty.push(s.sectorNumber);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => a.deadline - b.deadline || a.partition - b.partition).map((g) => [g.deadline, g.partition, encodeBitfield(g.faulty)]);
}

/**
 * When a sector leaves its partition (Lotus's SectorExpiration): a healthy one on time, at the end of
 * its deadline at or after its expiration, as builtin-actors' expiration queue holds it
 * (expiration_queue.rs, quantized by the deadline; `offset`: the miner's proving-period offset); a
 * faulty one early, when its fault grows too old, unless it expires on time no later
 * (reschedule_as_faults). The other is 0.
 */
export function sectorExpiration(s: SectorOnChainInfo, offset: number): { onTime: number; early: number } {
  const onTime = deadlineEndAtOrAfter(s.expiration, offset, s.deadline);
  if (s.faultEpoch === undefined) return { onTime, early: 0 };
  const early = faultExpiration(s, offset);
  return onTime <= early ? { onTime, early: 0 } : { onTime: 0, early };
}

/**
 * When a faulty sector's fault has lasted too long: FAULT_MAX_AGE after the end of the deadline it
 * became faulty in (builtin-actors v18 actors/miner/src/lib.rs:2585 target_deadline.last() +
 * fault_max_age for a declared fault, state.rs:1122 dl_info.last() + fault_max_age for a missed PoSt,
 * lib.rs:686 for a skipped one): the end of the sector's deadline 42 periods later.
 * A fork reads an upstream fault's epoch back from its Early (upstream-proving.ts) as that deadline's end.
 */
export function faultExpiration(s: SectorOnChainInfo, offset: number): number {
  return faultCountedFrom(s, offset) + FAULT_MAX_AGE;
}

/**
 * The end of the deadline a faulty sector became faulty in: where builtin-actors first charges its
 * continued-fault fee (handle_proving_deadline) and counts its age from.
 */
export function faultCountedFrom(s: SectorOnChainInfo, offset: number): number {
  return deadlineEndAtOrAfter(s.faultEpoch!, offset, s.deadline);
}
