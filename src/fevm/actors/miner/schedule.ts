// The miner's cron events (rt.enrollCron), standing for builtin-actors' per-deadline cron: sector
// expirations at their expiration epoch, pre-commit clean-up when proving is too late, the fault
// fee at the end of each proving period while some sector is faulty, a requested worker change at
// the first deadline end once it is due; and a forked miner's deadline closes (window-post.ts),
// which the fork's cron hands out (devnet/fork/miner-deadlines.ts).
import type { ActorRuntime } from '../runtime.js';

export type MinerCronEvent =
  | { readonly type: 'expire'; readonly sectors: readonly number[] }
  | { readonly type: 'precommit-expiry'; readonly sectors: readonly number[] }
  | { readonly type: 'fault-fee' }
  | { readonly type: 'worker-change' }
  | { readonly type: 'deadline' };

/** Enrolls one expiration event per expiration epoch. */
export function scheduleExpirations(rt: ActorRuntime, sectors: readonly { sectorNumber: number; expiration: number }[]): void {
  const byEpoch = new Map<number, number[]>();
  for (const s of sectors) byEpoch.set(s.expiration, [...(byEpoch.get(s.expiration) ?? []), s.sectorNumber]);
  for (const [epoch, numbers] of byEpoch) rt.enrollCron(epoch, { type: 'expire', sectors: numbers } satisfies MinerCronEvent);
}

export function schedulePreCommitCleanUp(rt: ActorRuntime, epoch: number, sectors: readonly number[]): void {
  rt.enrollCron(epoch, { type: 'precommit-expiry', sectors } satisfies MinerCronEvent);
}
