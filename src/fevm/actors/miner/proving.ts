// Faults, recoveries, terminations and the miner's cron work (actor.ts dispatches it; builtin-actors actors/miner/src/lib.rs
// declare_faults, declare_faults_recovered, terminate_sectors, handle_proving_deadline).
//
// The devnet simulates window PoSt for its own miners: a healthy sector is always proven, so it keeps
// its power; nothing is submitted (a forked miner's sectors are proven by the PoSts it submits:
// window-post.ts). Declarations are checked as builtin-actors does: a fault or recovery past its
// deadline's fault cut-off, a termination in the current or next deadline, are refused. A declared
// recovery marks the sectors recovering; an own miner's simulated PoSt recovers them at the end of
// the declared deadline (a 'recover' cron event), a forked miner's next PoSt does (window-post.ts).
// Simplifications:
// the fault fee (policy.ts faultFeeFor) is charged at the end of each proving period for every sector
// faulty then (a forked miner's at the deadline close that ends the period, window-post.ts); FIP-0100's
// daily fee is charged at each deadline's close, as builtin-actors does, by a cron event of the
// deadlines that hold sectors paying one (a forked miner's closes charge it); a
// fault FAULT_MAX_AGE old terminates its sector at the end of the sector's deadline (state.ts
// faultExpiration, a 'fault-max-age' event); penalties the unlocked balance cannot pay become fee debt.
import { decodeBitfield, encodeBitfield } from '../../../common/bitfield.js';
import { MARKET_ACTOR_ID } from '../../actor.js';
import { FilAddress } from '../../../common/address.js';
import { ExitCode } from '../../exit-code.js';
import { bytes, list, tuple, u64 } from '../params.js';
import { ActorError, type ActorRuntime, type MethodSpec } from '../runtime.js';
import { requireCallerIn } from '../shared.js';
import { burnFunds, notifyPledgeChanged, readMiner, updateClaimedPower, writeMiner } from './access.js';
import { repayDebtsOrAbort } from './control.js';
import {
  FAULT_DECLARATION_CUTOFF,
  WPOST_CHALLENGE_WINDOW,
  WPOST_PERIOD_DEADLINES,
  WPOST_PROVING_PERIOD,
  dailyFeePayable,
  deadlineEndAtOrAfter,
  faultFeeFor,
  provingPeriodStart,
  terminationFeeFor,
} from './policy.js';
import { scheduleExpirations, type MinerCronEvent } from './schedule.js';
import { controllingIds, faultCountedFrom, faultExpiration, repayPartialDebt, sectorExpiration, sectorPower, sectorsPower, type FullMinerState, type SectorOnChainInfo } from './state.js';

/** Market OnMinerSectorsTerminate (actors/market/src/lib.rs, v13+: [epoch, sectors bitfield]). */
const MARKET_ON_MINER_SECTORS_TERMINATE = 7;

/** A FaultDeclaration / RecoveryDeclaration / TerminationDeclaration: [deadline, partition, sectors]. */
interface Declaration {
  deadline: number;
  partition: number;
  sectors: number[];
}

function readDeclarations(params: unknown, what: string): Declaration[] {
  const [raw] = tuple(params, 1, `${what} params`);
  return list(raw, what).map((d, i) => {
    const [deadline, partition, sectors] = tuple(d, 3, `${what}[${i}]`);
    const decl = { deadline: u64(deadline, 'deadline'), partition: u64(partition, 'partition'), sectors: readBitfield(sectors, `${what}[${i}].sectors`) };
    if (decl.deadline >= WPOST_PERIOD_DEADLINES) {
      throw new ActorError(ExitCode.ErrIllegalArgument, `failed to process deadline ${decl.deadline}, partition ${decl.partition}: invalid deadline ${decl.deadline}`);
    }
    return decl;
  });
}

function readBitfield(value: unknown, what: string): number[] {
  try {
    return decodeBitfield(bytes(value, what));
  } catch (error) {
    if (error instanceof ActorError) throw error;
    throw new ActorError(ExitCode.ErrSerialization, `failed to decode ${what}: ${(error as Error).message}`);
  }
}

/**
 * Deadline `index`'s next occurrence that has not elapsed at `epoch` (builtin-actors v18
 * actors/miner/src/lib.rs:5103-5120 declaration_deadline_info, deadline_info.rs:136-150
 * next_not_elapsed): its open and last epochs and its fault cut-off. The one not elapsed is the one
 * whose last epoch is the first at or after `epoch`, where the expiration queues quantise to.
 */
export function nextDeadlineOccurrence(offset: number, index: number, epoch: number): { open: number; last: number; faultCutoff: number } {
  const last = deadlineEndAtOrAfter(epoch, offset, index);
  const open = last - WPOST_CHALLENGE_WINDOW + 1;
  return { open, last, faultCutoff: open - FAULT_DECLARATION_CUTOFF };
}

/** Whether a fault or recovery of deadline `index` may be declared at `epoch` (lib.rs:5123-5129 validate_fr_declaration_deadline). */
export function beforeFaultCutoff(offset: number, index: number, epoch: number): boolean {
  return epoch < nextDeadlineOccurrence(offset, index, epoch).faultCutoff;
}

/** Whether deadline `index` may be changed at `epoch`: not the current or next one (deadlines.rs:65-80 deadline_is_mutable). */
export function deadlineIsMutable(offset: number, index: number, epoch: number): boolean {
  return epoch < nextDeadlineOccurrence(offset, index, epoch).open - WPOST_CHALLENGE_WINDOW;
}

/**
 * The declared sectors, deadline by deadline as builtin-actors takes them: each deadline first passes
 * `check` (its cut-off or mutability), then each sector must be a live one of the declared deadline and partition.
 */
function declaredSectors(m: FullMinerState, declarations: Declaration[], action: string, check: (deadline: number) => void): SectorOnChainInfo[] {
  const byDeadline = [...declarations].sort((a, b) => a.deadline - b.deadline);
  return byDeadline.flatMap((d) => {
    check(d.deadline);
    return d.sectors.map((n) => {
      const sector = m.sectors.get(n);
      if (!sector || sector.deadline !== d.deadline || sector.partition !== d.partition) {
        throw new ActorError(ExitCode.ErrIllegalArgument, `failed to ${action} for deadline ${d.deadline}: sectors not all included in partition ${d.partition}`);
      }
      return sector;
    });
  });
}

/** A fault or recovery declaration's check: refused once its deadline's fault cut-off has passed (lib.rs:2574-2581, 2704-2711). */
const cutoffCheck = (rt: ActorRuntime, m: FullMinerState, what: 'fault' | 'recovery') => (deadline: number) => {
  if (!beforeFaultCutoff(m.provingPeriodOffset, deadline, rt.ctx.epoch)) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `failed ${what} declaration at deadline ${deadline}: late fault or recovery declaration`);
  }
};

/** The end of the proving period `epoch` is in: when the fault fee falls due. */
function periodEnd(m: FullMinerState, epoch: number): number {
  return provingPeriodStart(epoch, m.provingPeriodOffset) + WPOST_PROVING_PERIOD - 1;
}

/**
 * Enrolls an own miner's period-end cron (the fault fee, chargeAtPeriodEnd) unless it has one; a
 * forked miner's deadline closes charge it.
 */
function enrollPeriodEnd(rt: ActorRuntime, m: FullMinerState, epoch: number): FullMinerState {
  if (m.postsRequired || m.faultCronEpoch !== undefined) return m;
  const due = periodEnd(m, epoch);
  rt.enrollCron(due, { type: 'fault-fee' } satisfies MinerCronEvent);
  return { ...m, faultCronEpoch: due };
}

/**
 * Enrolls a 'daily-fee' event at the next close of each deadline of `sectors` that holds one paying a
 * daily fee and has no event yet (an own miner's: a forked miner's closes charge it, closeDeadline).
 */
export function enrollDailyFees(rt: ActorRuntime, m: FullMinerState, sectors: readonly SectorOnChainInfo[], epoch: number): FullMinerState {
  if (m.postsRequired) return m;
  const enrolled = new Set(m.dailyFeeDeadlines);
  const before = enrolled.size;
  for (const s of sectors) {
    if (s.dailyFee === 0n || enrolled.has(s.deadline)) continue;
    enrolled.add(s.deadline);
    rt.enrollCron(nextDeadlineOccurrence(m.provingPeriodOffset, s.deadline, epoch).last, { type: 'daily-fee', deadline: s.deadline } satisfies MinerCronEvent);
  }
  return enrolled.size === before ? m : { ...m, dailyFeeDeadlines: [...enrolled].sort((a, b) => a - b) };
}

/**
 * A 'daily-fee' event at the close of `deadline` (builtin-actors v18 handle_proving_deadline): the
 * deadline's live sectors pay their daily fee (those expiring at this close left just before, as the
 * expiration queue runs first there), and its next close is enrolled while some still owe one.
 */
export async function chargeDeadlineDailyFee(rt: ActorRuntime, deadline: number): Promise<void> {
  const m = readMiner(rt);
  const owing: SectorOnChainInfo[] = [];
  for (const s of m.sectors.values()) if (s.deadline === deadline && s.dailyFee > 0n) owing.push(s);
  if (owing.length === 0) {
    writeMiner(rt, { ...m, dailyFeeDeadlines: m.dailyFeeDeadlines?.filter((d) => d !== deadline) });
    return;
  }
  await chargeDailyFee(rt, owing, m);
  rt.enrollCron(nextDeadlineOccurrence(m.provingPeriodOffset, deadline, rt.ctx.epoch + 1).last, { type: 'daily-fee', deadline } satisfies MinerCronEvent);
}

/** Marks sectors faulty from `epoch` (by default now): they lose their power and the fault fee is scheduled. */
export async function recordFaults(rt: ActorRuntime, sectors: SectorOnChainInfo[], epoch = rt.ctx.epoch): Promise<void> {
  let m = readMiner(rt);
  const newlyFaulty = sectors.filter((s) => s.faultEpoch === undefined);
  const updated = new Map(m.sectors);
  for (const s of newlyFaulty) updated.set(s.sectorNumber, { ...s, faultEpoch: epoch });
  const { raw, qa } = sectorsPower(m.sectorSize, newlyFaulty);
  m = { ...m, sectors: updated };
  // A forked miner pays the fee at its proving period's last deadline close (chargeContinuedFaults),
  // and its deadline closes end its old faults.
  writeMiner(rt, raw > 0n ? enrollPeriodEnd(rt, m, epoch) : m);
  if (!m.postsRequired) {
    const faulted = newlyFaulty.map((s) => updated.get(s.sectorNumber)!);
    const byDue = new Map<number, number[]>();
    for (const s of faulted) {
      const due = faultExpiration(s, m.provingPeriodOffset);
      byDue.set(due, [...(byDue.get(due) ?? []), s.sectorNumber]);
    }
    for (const [due, numbers] of byDue) rt.enrollCron(due, { type: 'fault-max-age', sectors: numbers } satisfies MinerCronEvent);
  }
  await updateClaimedPower(rt, -raw, -qa);
}

/** Faulty sectors declared recovered, which the partition's next Window PoSt recovers (window-post.ts), or an own miner's simulated one. */
function markRecovering(rt: ActorRuntime, sectors: SectorOnChainInfo[]): void {
  const m = readMiner(rt);
  const updated = new Map(m.sectors);
  for (const s of sectors) updated.set(s.sectorNumber, { ...s, recovering: true });
  writeMiner(rt, { ...m, sectors: updated });
}

/** Recovering sectors among `sectors` stay faulty and are no longer recovering (builtin-actors' retracted recoveries). */
export function retractRecoveries(rt: ActorRuntime, sectors: SectorOnChainInfo[]): void {
  const retracted = sectors.filter((s) => s.recovering);
  if (retracted.length === 0) return;
  const m = readMiner(rt);
  const updated = new Map(m.sectors);
  for (const { recovering: _, ...faulty } of retracted) updated.set(faulty.sectorNumber, faulty);
  writeMiner(rt, { ...m, sectors: updated });
}

/** An own miner's simulated Window PoSt at the end of a deadline with declared recoveries: the sectors still recovering regain their power. */
export async function recoverDeclared(rt: ActorRuntime, numbers: readonly number[]): Promise<void> {
  const m = readMiner(rt);
  await recoverSectors(
    rt,
    numbers.flatMap((n) => m.sectors.get(n) ?? []).filter((s) => s.recovering),
  );
}

/** Faulty sectors healthy again: they regain their power. */
export async function recoverSectors(rt: ActorRuntime, sectors: SectorOnChainInfo[]): Promise<void> {
  const m = readMiner(rt);
  const updated = new Map(m.sectors);
  for (const { faultEpoch: _, recovering: __, ...healthy } of sectors) updated.set(healthy.sectorNumber, healthy);
  writeMiner(rt, { ...m, sectors: updated });
  const { raw, qa } = sectorsPower(m.sectorSize, sectors);
  await updateClaimedPower(rt, raw, qa);
}

/**
 * A penalty joins the fee debt, which is repaid from the vesting funds first, then the unlocked
 * balance (builtin-actors apply_penalty, repay_partial_debt_in_priority_order); what neither covers
 * stays debt. The miner is written, the payment burnt, and the power actor's pledge total loses what
 * left the vesting table and the pledge `released` with it (a termination's). `at` is the epoch the
 * vesting is read at: a forked miner's deadline close caught up late is charged as at its own epoch.
 */
async function chargePenalty(rt: ActorRuntime, m: FullMinerState, penalty: bigint, released = 0n, at = rt.ctx.epoch): Promise<void> {
  const repaid = repayPartialDebt({ ...m, feeDebt: m.feeDebt + penalty }, at, rt.self().balance);
  writeMiner(rt, repaid.state);
  await burnFunds(rt, repaid.burn);
  await notifyPledgeChanged(rt, -released - repaid.unlocked);
}

/**
 * Removes sectors before their expiration: their power goes, their pledge is released, the
 * termination fee is charged, and the market hears of the sectors that held data.
 */
export async function terminate(rt: ActorRuntime, sectors: SectorOnChainInfo[]): Promise<void> {
  if (sectors.length === 0) return;
  const m = readMiner(rt);
  // The age counts from activation, which an extension or a replica update leaves as it is (they
  // move powerBaseEpoch): builtin-actors v18 actors/miner/src/lib.rs process_early_terminations.
  const fee = sectors.reduce((sum, s) => sum + terminationFeeFor(s.initialPledge, rt.ctx.epoch - s.activation, faultFeeFor(sectorPower(m.sectorSize, s).qa)), 0n);
  const { state, pledge, power } = withoutSectors(m, sectors);
  await chargePenalty(rt, state, fee, pledge);
  const withData = sectors.filter((s) => s.hasData).map((s) => s.sectorNumber);
  if (withData.length > 0) {
    const reply = await rt.send(FilAddress.fromId(MARKET_ACTOR_ID), MARKET_ON_MINER_SECTORS_TERMINATE, [rt.ctx.epoch, encodeBitfield(withData)]);
    // As builtin-actors: the market's failure aborts a message, but not cron work.
    if (reply.exitCode !== ExitCode.Ok && rt.caller.kind !== 'cron') {
      throw new ActorError(reply.exitCode, `failed to notify market of terminated sectors: exit code ${reply.exitCode}`);
    }
  }
  for (const s of sectors) rt.emit('sector-terminated', [{ key: 'sector', value: s.sectorNumber, indexed: true }]);
  await updateClaimedPower(rt, -power.raw, -power.qa);
}

/**
 * The expiration events of `numbers`: the sectors whose on-time end has come (state.ts
 * sectorExpiration: the end of their deadline at or after their expiration) leave: power and pledge
 * go, no fee. A faulty sector due to end early first waits for its termination (chargeAtPeriodEnd); an
 * event of a chain saved before expirations were put at their deadline's end moves there.
 */
export async function expire(rt: ActorRuntime, numbers: readonly number[]): Promise<void> {
  const m = readMiner(rt);
  const epoch = rt.ctx.epoch;
  const onTime: SectorOnChainInfo[] = [];
  const moved: { sectorNumber: number; due: number }[] = [];
  for (const n of numbers) {
    const s = m.sectors.get(n);
    const due = s && sectorExpiration(s, m.provingPeriodOffset).onTime;
    if (!s || !due) continue;
    if (due <= epoch) onTime.push(s);
    else if (s.expiration <= epoch) moved.push({ sectorNumber: n, due });
  }
  scheduleExpirations(rt, moved, (s) => s.due);
  if (onTime.length === 0) return;
  const { state, pledge, power } = withoutSectors(m, onTime);
  writeMiner(rt, state);
  await notifyPledgeChanged(rt, -pledge);
  await updateClaimedPower(rt, -power.raw, -power.qa);
}

/**
 * The miner without `sectors` (terminated or expired: now dead) and what they held: their pledge, and
 * the power of those not faulty (a faulty sector's is gone already).
 */
function withoutSectors(m: FullMinerState, sectors: readonly SectorOnChainInfo[]): { state: FullMinerState; pledge: bigint; power: { raw: bigint; qa: bigint } } {
  const remaining = new Map(m.sectors);
  for (const s of sectors) remaining.delete(s.sectorNumber);
  const pledge = sectors.reduce((sum, s) => sum + s.initialPledge, 0n);
  const state = { ...m, sectors: remaining, deadSectors: withDead(m, sectors), initialPledge: m.initialPledge - pledge };
  return { state, pledge, power: sectorsPower(m.sectorSize, sectors.filter((s) => s.faultEpoch === undefined)) };
}

/** The miner's dead sectors with `sectors` added, each without its fault (state.ts deadSectors). */
function withDead(m: FullMinerState, sectors: readonly SectorOnChainInfo[]): ReadonlyMap<number, SectorOnChainInfo> {
  const dead = new Map(m.deadSectors);
  for (const { faultEpoch: _, recovering: __, ...healthy } of sectors) dead.set(healthy.sectorNumber, healthy);
  return dead;
}

/** Pre-commits never proven: removed, their deposits burnt. */
export async function expirePreCommits(rt: ActorRuntime, numbers: readonly number[]): Promise<void> {
  const m = readMiner(rt);
  const precommits = new Map(m.precommits);
  let burnt = 0n;
  for (const n of numbers) {
    const p = precommits.get(n);
    if (!p) continue;
    precommits.delete(n);
    burnt += p.preCommitDeposit;
  }
  writeMiner(rt, { ...m, precommits, preCommitDeposits: m.preCommitDeposits - burnt });
  await burnFunds(rt, burnt);
}

/** The fault fee for `sectors`, from the vesting funds and the unlocked balance; what they cannot pay becomes fee debt. */
async function payFaultFee(rt: ActorRuntime, sectors: readonly SectorOnChainInfo[], at = rt.ctx.epoch): Promise<void> {
  const m = readMiner(rt);
  const fee = sectors.reduce((sum, s) => sum + faultFeeFor(sectorPower(m.sectorSize, s).qa), 0n);
  await chargePenalty(rt, m, fee, 0n, at);
}

/**
 * FIP-0100's daily fee of `sectors` (builtin-actors v18 actors/miner/src/lib.rs:4298-4316
 * handle_proving_deadline): each deadline's at most half the day's expected reward of its power
 * (policy.ts dailyFeePayable), from the vesting funds and the balance, the rest fee debt, as at `at`.
 */
export async function chargeDailyFee(rt: ActorRuntime, sectors: readonly SectorOnChainInfo[], m = readMiner(rt), at = rt.ctx.epoch): Promise<void> {
  const byDeadline = new Map<number, { fee: bigint; qa: bigint }>();
  for (const s of sectors) {
    if (s.dailyFee === 0n) continue;
    const d = byDeadline.get(s.deadline) ?? { fee: 0n, qa: 0n };
    byDeadline.set(s.deadline, { fee: d.fee + s.dailyFee, qa: d.qa + sectorPower(m.sectorSize, s).qa });
  }
  const payable = [...byDeadline.values()].reduce((sum, d) => sum + dailyFeePayable(d.fee, d.qa), 0n);
  if (payable === 0n) return;
  await chargePenalty(rt, m, payable, 0n, at);
}

const faultySectors = (m: FullMinerState) => [...m.sectors.values()].filter((s) => s.faultEpoch !== undefined);

/** Faulty sectors among `sectors` whose fault has reached FAULT_MAX_AGE by `epoch` (state.ts faultExpiration). */
export const tooOldFaults = (m: FullMinerState, sectors: readonly SectorOnChainInfo[], epoch: number) =>
  sectors.filter((s) => s.faultEpoch !== undefined && faultExpiration(s, m.provingPeriodOffset) <= epoch);

/** A 'fault-max-age' event: those of `numbers` still faulty since then terminate (a recovered and re-faulted sector has a later due). */
export async function terminateOldFaults(rt: ActorRuntime, numbers: readonly number[]): Promise<void> {
  const m = readMiner(rt);
  await terminate(rt, tooOldFaults(m, numbers.flatMap((n) => m.sectors.get(n) ?? []), rt.ctx.epoch));
}

/**
 * The end of a proving period of an own miner with faults: old faults terminate, the others pay the
 * fault fee. A chain saved while the daily fee was charged here too (before 'daily-fee' events) pays
 * it here once more for the sectors whose deadline has no event, and enrolls their deadlines' events.
 */
export async function chargeAtPeriodEnd(rt: ActorRuntime): Promise<void> {
  const epoch = rt.ctx.epoch;
  // Faults of a chain saved before they had 'fault-max-age' events end here.
  const before = readMiner(rt);
  await terminate(rt, tooOldFaults(before, faultySectors(before), epoch));
  const stillFaulty = faultySectors(readMiner(rt));
  // Each fault is charged from the end of the deadline it began in, as a forked miner's are (chargeContinuedFaults).
  await payFaultFee(rt, stillFaulty.filter((s) => faultCountedFrom(s, before.provingPeriodOffset) < epoch));
  const scheduled = new Set(readMiner(rt).dailyFeeDeadlines);
  const unscheduled = [...readMiner(rt).sectors.values()].filter((s) => s.dailyFee > 0n && !scheduled.has(s.deadline));
  await chargeDailyFee(rt, unscheduled);
  let m: FullMinerState = { ...enrollDailyFees(rt, readMiner(rt), unscheduled, epoch + 1), faultCronEpoch: undefined };
  if (stillFaulty.length > 0) {
    const next = periodEnd(m, epoch + 1);
    rt.enrollCron(next, { type: 'fault-fee' } satisfies MinerCronEvent);
    m = { ...m, faultCronEpoch: next };
  }
  writeMiner(rt, m);
}

/**
 * A forked miner's deadline close at `close` (window-post.ts closeOne), when it ends a proving
 * period: the sectors faulty before it pay the fault fee, those it inherited from the upstream too.
 * builtin-actors charges each deadline's continued faults at that deadline's close (lib.rs
 * handle_proving_deadline); here, as for the devnet's own miners, all of them at the period's end.
 */
export async function chargeContinuedFaults(rt: ActorRuntime, close: number): Promise<void> {
  const m = readMiner(rt);
  if (close !== periodEnd(m, close)) return;
  const faulty = faultySectors(m).filter((s) => faultCountedFrom(s, m.provingPeriodOffset) < close);
  if (faulty.length > 0) await payFaultFee(rt, faulty, close);
}

export const provingMethods: Record<string, MethodSpec> = {
  DeclareFaults: {
    legacy: 10,
    internalOnly: true,
    async run(rt, params) {
      const declarations = readDeclarations(params, 'faults');
      const m = readMiner(rt);
      requireCallerIn(rt, controllingIds(m));
      const declared = declaredSectors(m, declarations, 'declare faults', cutoffCheck(rt, m, 'fault'));
      // A recovering sector declared faulty again is no longer recovering (partition.rs record_faults' retracted recoveries).
      retractRecoveries(rt, declared);
      await recordFaults(rt, declared);
    },
  },
  DeclareFaultsRecovered: {
    legacy: 11,
    internalOnly: true,
    async run(rt, params) {
      const declarations = readDeclarations(params, 'recoveries');
      let m = readMiner(rt);
      const repaid = repayDebtsOrAbort(rt, m);
      m = repaid.state;
      requireCallerIn(rt, controllingIds(m));
      if (m.consensusFaultElapsed > rt.ctx.epoch) throw new ActorError(ExitCode.ErrForbidden, 'recovery not allowed during active consensus fault');
      // Sectors that are not faulty (or already recovering) are ignored, as builtin-actors does.
      const declared = declaredSectors(m, declarations, 'declare recoveries', cutoffCheck(rt, m, 'recovery')).filter((s) => s.faultEpoch !== undefined && !s.recovering);
      writeMiner(rt, m);
      await burnFunds(rt, repaid.burn);
      // The power comes back with the partition's next PoSt (lib.rs:688 record_proven_sectors →
      // deadline_state.rs:1265 recover_faults): a forked miner's own, an own miner's simulated one at
      // the end of the declared deadline's next occurrence.
      markRecovering(rt, declared);
      if (!m.postsRequired) {
        const byDeadline = new Map<number, number[]>();
        for (const s of declared) byDeadline.set(s.deadline, [...(byDeadline.get(s.deadline) ?? []), s.sectorNumber]);
        for (const [deadline, sectors] of byDeadline) {
          rt.enrollCron(nextDeadlineOccurrence(m.provingPeriodOffset, deadline, rt.ctx.epoch).last, { type: 'recover', sectors } satisfies MinerCronEvent);
        }
      }
    },
  },
  TerminateSectors: {
    legacy: 9,
    internalOnly: true,
    async run(rt, params) {
      const declarations = readDeclarations(params, 'terminations');
      const m = readMiner(rt);
      requireCallerIn(rt, controllingIds(m));
      // Not in the current or next deadline, which are being proven (lib.rs:2432-2446).
      const mutable = (deadline: number) => {
        if (!deadlineIsMutable(m.provingPeriodOffset, deadline, rt.ctx.epoch)) {
          throw new ActorError(ExitCode.ErrIllegalArgument, `cannot terminate sectors in immutable deadline ${deadline}`);
        }
      };
      await terminate(rt, declaredSectors(m, declarations, 'terminate sectors', mutable));
      return [true];
    },
  },
};

/** FaultDeclaration-shaped params for `sectors` of a miner: grouped by their deadline and partition. */
export function declarationsFor(m: FullMinerState, sectors: readonly number[]): unknown {
  const groups = new Map<string, Declaration>();
  for (const n of sectors) {
    const s = m.sectors.get(n);
    if (!s) throw new Error(`miner has no sector ${n}`);
    const key = `${s.deadline}/${s.partition}`;
    const group = groups.get(key) ?? { deadline: s.deadline, partition: s.partition, sectors: [] };
    group.sectors.push(n);
    groups.set(key, group);
  }
  return [[...groups.values()].map((g) => [g.deadline, g.partition, encodeBitfield(g.sectors)])];
}
