// Window PoSt for a miner whose sectors are proven only by the proofs it submits (a forked miner:
// MinerState.postsRequired), as builtin-actors does (actors/miner/src/lib.rs submit_windowed_post,
// handle_proving_deadline): SubmitWindowedPoSt records the partitions proven in the current deadline,
// and at each deadline's last epoch the miner's cron faults the healthy sectors of the partitions no
// PoSt proved, then removes the deadline's sectors whose expiration has come (expirations fall due at
// their deadline's end, as builtin-actors quantizes them) and terminates its sectors faulty for
// FAULT_MAX_AGE; the close that ends a proving period charges the fault fee for the sectors faulty
// before it, those the upstream had faulted too (proving.ts chargeContinuedFaults). A PoSt recovers
// the recovering sectors (declared recovered) of the partitions it proves and does not skip; a
// deadline's close retracts the recoveries of the partitions no PoSt proved. The proofs' bytes are
// not verified: the devnet seals no data.
// The fork's cron hands out a forked miner's deadline closes once the fork has taken it (read its
// proving state, devnet/fork/miner-deadlines.ts); a miner taken after the fork epoch first runs every
// close since the fork epoch, each at its own epoch, so what a miner's deadlines did never depends on
// when the fork read it. Until the first
// message that changes the miner (takenOverAt) its upstream storage provider is taken to keep
// proving it, so its closes fault nothing.
import { decodeBitfield } from '../../../common/bitfield.js';
import { ExitCode } from '../../exit-code.js';
import { bytes, i64, list, tuple, u64 } from '../params.js';
import { ActorError, type ActorRuntime, type MethodSpec } from '../runtime.js';
import { requireCallerIn } from '../shared.js';
import { notifyPledgeChanged, readMiner, writeMiner } from './access.js';
import { withPendingWorker } from './control.js';
import { deadlineEndAfter, deadlineInfo, WPOST_CHALLENGE_WINDOW, WPOST_PERIOD_DEADLINES } from './policy.js';
import { chargeContinuedFaults, chargeDailyFee, expire, recordFaults, recoverSectors, retractRecoveries, terminate, tooOldFaults } from './proving.js';
import { controllingIds, unlockVestedFunds } from './state.js';

/** The partitions a SubmitWindowedPoStParams proves, with the sectors each skips. */
function readSubmission(params: unknown): { deadline: number; partitions: { index: number; skipped: number[] }[]; proofType: number; chainCommitEpoch: number } {
  const [deadline, partitions, proofs, chainCommitEpoch] = tuple(params, 5, 'SubmitWindowedPoSt params');
  const proofList = list(proofs, 'proofs');
  if (proofList.length !== 1) throw new ActorError(ExitCode.ErrIllegalArgument, `expected exactly one proof, got ${proofList.length}`);
  const [proofType] = tuple(proofList[0], 2, 'proofs[0]');
  return {
    deadline: u64(deadline, 'deadline'),
    partitions: list(partitions, 'partitions').map((p, i) => {
      const [index, skipped] = tuple(p, 2, `partitions[${i}]`);
      return { index: u64(index, `partitions[${i}].index`), skipped: decodeBitfield(bytes(skipped, `partitions[${i}].skipped`)) };
    }),
    proofType: u64(proofType, 'proofs[0].post_proof'),
    chainCommitEpoch: i64(chainCommitEpoch, 'chain_commit_epoch'),
  };
}

export const windowPostMethods: Record<string, MethodSpec> = {
  SubmitWindowedPoSt: {
    legacy: 5,
    internalOnly: true,
    async run(rt, params) {
      const post = readSubmission(params);
      const epoch = rt.ctx.epoch;
      if (post.deadline >= WPOST_PERIOD_DEADLINES) throw new ActorError(ExitCode.ErrIllegalArgument, `invalid deadline ${post.deadline} of ${WPOST_PERIOD_DEADLINES}`);
      const m = readMiner(rt);
      requireCallerIn(rt, controllingIds(m));
      if (post.proofType !== m.windowPoStProofType) {
        throw new ActorError(ExitCode.ErrIllegalArgument, `expected proof of type ${m.windowPoStProofType}, got ${post.proofType}`);
      }
      const current = deadlineInfo(epoch, m.provingPeriodOffset);
      if (post.deadline !== current.index) throw new ActorError(ExitCode.ErrIllegalArgument, `invalid deadline ${post.deadline} at epoch ${epoch}, expected ${current.index}`);
      if (post.chainCommitEpoch < current.challenge) throw new ActorError(ExitCode.ErrIllegalArgument, `expected chain commit epoch ${post.chainCommitEpoch} to be after ${current.challenge}`);
      if (post.chainCommitEpoch >= epoch) throw new ActorError(ExitCode.ErrIllegalArgument, `chain commit epoch ${post.chainCommitEpoch} must be less than the current epoch ${epoch}`);
      const indexes = post.partitions.map((p) => p.index);
      if (new Set(indexes).size !== indexes.length) throw new ActorError(ExitCode.ErrIllegalArgument, 'duplicate partitions proven');
      const proven = m.postSubmissions?.get(post.deadline) ?? [];
      const again = indexes.filter((i) => proven.includes(i));
      if (again.length) throw new ActorError(ExitCode.ErrIllegalArgument, `partition already proven: ${again.join(', ')}`);
      const inDeadline = [...m.sectors.values()].filter((s) => s.deadline === post.deadline);
      for (const { index, skipped } of post.partitions) {
        const inPartition = new Set(inDeadline.filter((s) => s.partition === index).map((s) => s.sectorNumber));
        if (inPartition.size === 0) throw new ActorError(ExitCode.ErrNotFound, `no such partition ${index}`);
        if (!skipped.every((n) => inPartition.has(n))) {
          throw new ActorError(ExitCode.ErrIllegalArgument, `failed to add skipped faults to partition ${index}: skipped faults contains sectors outside partition`);
        }
      }
      // A proof must cover some sector: one of the partitions' that is healthy or recovering, and not skipped now.
      const skippedNow = new Set(post.partitions.flatMap((p) => p.skipped));
      const covered = inDeadline.filter((s) => indexes.includes(s.partition) && !skippedNow.has(s.sectorNumber));
      if (!covered.some((s) => s.faultEpoch === undefined || s.recovering)) {
        throw new ActorError(ExitCode.ErrIllegalArgument, 'cannot prove partitions with no active sectors');
      }
      // The devnet's own miners are proven by simulation: a PoSt to one changes nothing but its skipped sectors.
      if (m.postsRequired) {
        const submissions = new Map(m.postSubmissions ?? []);
        submissions.set(post.deadline, [...proven, ...indexes].sort((a, b) => a - b));
        writeMiner(rt, { ...m, postSubmissions: submissions });
        await recoverSectors(
          rt,
          covered.filter((s) => s.recovering),
        );
      }
      // Sectors the proof skipped are faulty from now on (a recovering one stays faulty, its recovery retracted).
      const skipped = inDeadline.filter((s) => skippedNow.has(s.sectorNumber));
      retractRecoveries(rt, skipped);
      await recordFaults(rt, skipped);
    },
  },
};


/**
 * The deadline cron (handle_proving_deadline → advance_deadline): every deadline close since the
 * miner's last one, in order. The fork's cron runs each at its own epoch (its deadline's last), and
 * so does a forked miner's catch-up when the fork takes it late (devnet/fork/fork-source.ts take);
 * an entry that comes after a later close already ran (cron's schedule reaching the closes a
 * catch-up ran) finds none.
 */
export async function closeDeadline(rt: ActorRuntime): Promise<void> {
  const epoch = rt.ctx.epoch;
  const m = readMiner(rt);
  const last = m.deadlinesClosedThrough ?? epoch - 1;
  for (let close = deadlineEndAfter(last, m.provingPeriodOffset); close <= epoch; close += WPOST_CHALLENGE_WINDOW) {
    // A pending worker change is applied first, as builtin-actors' deadline cron does (process_pending_worker).
    writeMiner(rt, withPendingWorker(readMiner(rt), close));
    await closeOne(rt, close);
  }
  // The upstream's record of proven partitions held at most until its deadline's close.
  writeMiner(rt, { ...readMiner(rt), upstreamPostWindow: undefined, deadlinesClosedThrough: Math.max(last, epoch) });
}

/**
 * One deadline's close at `close`: once the fork has taken the miner over, faults for what no PoSt
 * proved (before its expirations, as builtin-actors detects missed proofs before it pops expired
 * sectors); then the sectors whose expiration has come expire, those faulty for FAULT_MAX_AGE
 * terminate, and at a proving period's end the faulty ones pay the fault fee. A close the miner
 * missed had no PoSt: the fork could not prove sectors it had not read.
 */
async function closeOne(rt: ActorRuntime, close: number): Promise<void> {
  const m = readMiner(rt);
  const { index } = deadlineInfo(close, m.provingPeriodOffset);
  const inDeadline = () => [...readMiner(rt).sectors.values()].filter((s) => s.deadline === index);
  if (m.takenOverAt !== undefined && close >= m.takenOverAt) {
    const proven = new Set(close === rt.ctx.epoch ? (m.postSubmissions?.get(index) ?? []) : []);
    const unproven = inDeadline().filter((s) => !proven.has(s.partition));
    retractRecoveries(rt, unproven);
    await recordFaults(
      rt,
      unproven.filter((s) => s.faultEpoch === undefined),
      close,
    );
  }
  await expire(
    rt,
    inDeadline()
      .filter((s) => s.expiration <= close)
      .map((s) => s.sectorNumber),
  );
  await terminate(rt, tooOldFaults(readMiner(rt), inDeadline(), close));
  await chargeContinuedFaults(rt, close);
  await chargeDailyFee(rt, inDeadline(), readMiner(rt), close);
  // What has vested unlocks at each close and leaves the network's locked total (builtin-actors handle_proving_deadline).
  const after = unlockVestedFunds(readMiner(rt), close);
  const submissions = new Map(after.state.postSubmissions ?? []);
  submissions.delete(index);
  writeMiner(rt, { ...after.state, postSubmissions: submissions });
  await notifyPledgeChanged(rt, -after.unlocked);
}
