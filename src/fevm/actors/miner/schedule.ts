// The miner's cron events (rt.enrollCron), standing for builtin-actors' per-deadline cron: sector
// expirations at the end of their deadline at or after their expiration epoch, pre-commit clean-up when proving is too late
// (at the end of the deadline its epoch quantizes up to), the fault
// fee at the end of each proving period while some sector is faulty ('fault-fee', proving.ts
// chargeAtPeriodEnd), FIP-0100's daily fee at the close of each deadline holding sectors that pay one
// ('daily-fee', proving.ts chargeDeadlineDailyFee), a requested worker change at
// the first deadline end once it is due, an own miner's declared recoveries at the end of their
// deadline (its simulated Window PoSt), faults that reach FAULT_MAX_AGE at the end of their sector's
// deadline, vested funds unlocked ('vest') and the deadline cron stopped once nothing is locked
// ('cron-stop', both access.ts); and a forked miner's deadline closes (window-post.ts),
// which the fork's cron hands out (devnet/fork/miner-deadlines.ts).
import type { ActorRuntime } from '../runtime.js';
import { deadlineEndAfter, deadlineInfo } from './policy.js';

export type MinerCronEvent =
  | { readonly type: 'expire'; readonly sectors: readonly number[] }
  | { readonly type: 'precommit-expiry'; readonly sectors: readonly number[] }
  | { readonly type: 'fault-fee' }
  | { readonly type: 'daily-fee'; readonly deadline: number }
  | { readonly type: 'recover'; readonly sectors: readonly number[] }
  | { readonly type: 'fault-max-age'; readonly sectors: readonly number[] }
  | { readonly type: 'worker-change' }
  | { readonly type: 'vest' }
  | { readonly type: 'cron-stop' }
  | { readonly type: 'deadline' };

/**
 * Enrolls one expiration event per epoch, each sector's at `dueOf(sector)`: where builtin-actors'
 * expiration queue puts it, the end of its deadline at or after its expiration (proving.ts expire).
 */
export function scheduleExpirations<S extends { sectorNumber: number }>(rt: ActorRuntime, sectors: readonly S[], dueOf: (sector: S) => number): void {
  const byEpoch = new Map<number, number[]>();
  for (const s of sectors) {
    const due = dueOf(s);
    byEpoch.set(due, [...(byEpoch.get(due) ?? []), s.sectorNumber]);
  }
  for (const [epoch, numbers] of byEpoch) rt.enrollCron(epoch, { type: 'expire', sectors: numbers } satisfies MinerCronEvent);
}

/**
 * Pre-commits to clean up from `epoch` on: builtin-actors' clean-up queue quantizes it up to a deadline's
 * opening (state.rs quant_spec_every_deadline), popped by the cron at the end of the deadline it opens.
 */
export function schedulePreCommitCleanUp(rt: ActorRuntime, epoch: number, provingPeriodOffset: number, sectors: readonly number[]): void {
  const opening = deadlineInfo(epoch, provingPeriodOffset);
  const quantized = opening.open === epoch ? epoch : opening.close;
  rt.enrollCron(deadlineEndAfter(quantized, provingPeriodOffset), { type: 'precommit-expiry', sectors } satisfies MinerCronEvent);
}
