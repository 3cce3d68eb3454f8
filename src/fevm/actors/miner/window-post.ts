// Window PoSt for a miner whose sectors are proven only by the proofs it submits (a forked miner:
// MinerState.postsRequired), as builtin-actors does (actors/miner/src/lib.rs submit_windowed_post,
// handle_proving_deadline): SubmitWindowedPoSt records the partitions proven in the current deadline,
// and at each deadline's last epoch the miner's cron removes the deadline's sectors whose expiration
// has come (expirations fall due at their deadline's end, as builtin-actors quantizes them) and
// faults the healthy sectors of the partitions no PoSt proved. The proofs' bytes are not verified:
// the devnet seals no data. The deadline cron starts with the first message that changes the miner
// (access.ts writeMiner), so a miner the fork only reads stays as the upstream had it.
import { decodeBitfield } from '../../../common/bitfield.js';
import { ExitCode } from '../../exit-code.js';
import { bytes, i64, list, tuple, u64 } from '../params.js';
import { ActorError, type ActorRuntime, type MethodSpec } from '../runtime.js';
import { readMiner, validateCallerIs, writeMiner } from './access.js';
import { deadlineInfo, WPOST_CHALLENGE_WINDOW, WPOST_PERIOD_DEADLINES } from './policy.js';
import { expire, recordFaults } from './proving.js';
import { scheduleDeadlineClose } from './schedule.js';
import { controllingIds } from './state.js';

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
      validateCallerIs(rt, controllingIds(m));
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
      for (const index of indexes) {
        if (!inDeadline.some((s) => s.partition === index)) throw new ActorError(ExitCode.ErrNotFound, `no such partition ${index}`);
      }
      // The devnet's own miners are proven by simulation: a PoSt to one changes nothing but its skipped sectors.
      if (m.postsRequired) {
        const submissions = new Map(m.postSubmissions ?? []);
        submissions.set(post.deadline, [...proven, ...indexes].sort((a, b) => a - b));
        writeMiner(rt, { ...m, postSubmissions: submissions });
      }
      // Sectors the proof skipped are faulty from now on.
      const skipped = post.partitions.flatMap((p) => p.skipped.map((n) => inDeadline.find((s) => s.sectorNumber === n && s.partition === p.index)));
      await recordFaults(rt, skipped.filter((s) => s !== undefined));
    },
  },
};

/** The deadline cron (handle_proving_deadline): expirations, then faults for what no PoSt proved; the next deadline's cron while the miner has sectors. */
export async function closeDeadline(rt: ActorRuntime): Promise<void> {
  const epoch = rt.ctx.epoch;
  const { index } = deadlineInfo(epoch, readMiner(rt).provingPeriodOffset);
  const inDeadline = () => [...readMiner(rt).sectors.values()].filter((s) => s.deadline === index);
  await expire(
    rt,
    inDeadline()
      .filter((s) => s.expiration <= epoch)
      .map((s) => s.sectorNumber),
  );
  const proven = new Set(readMiner(rt).postSubmissions?.get(index) ?? []);
  await recordFaults(
    rt,
    inDeadline().filter((s) => s.faultEpoch === undefined && !proven.has(s.partition)),
  );
  const m = readMiner(rt);
  const submissions = new Map(m.postSubmissions ?? []);
  submissions.delete(index);
  const next = m.sectors.size > 0 || m.precommits.size > 0 ? scheduleDeadlineClose(rt, epoch + WPOST_CHALLENGE_WINDOW, m.provingPeriodOffset) : undefined;
  writeMiner(rt, { ...m, postSubmissions: submissions, deadlineCronEpoch: next });
}
