// A cron handler for tests, installed on the account actor kind for the length of a test: it records
// every run, adds 1 attoFIL to the account's balance (so each run shows in the state's history) and
// follows the event's instructions ({ every } re-enrolls that many epochs later, { fail } throws).
import type { TestContext } from 'node:test';
import { enrollCron } from '../../src/fevm/actors/cron.js';
import { builtinActor } from '../../src/fevm/actors/builtin.js';
import type { ActorRuntime, BuiltinActor } from '../../src/fevm/actors/runtime.js';
import type { Devnet } from '../../src/index.js';

/** The owner account of the first storage provider: an f1 account, so the probe's handler runs for it. */
export const PROBE_ACCOUNT = 110;

export interface CronRun {
  epoch: number;
  timestamp: number;
  baseFee: bigint;
  event: CronProbeEvent;
}

export interface CronProbeEvent {
  tag: string;
  every?: number;
  fail?: boolean;
}

/** Installs the probe until `t` ends; returns the runs it records, in order. */
export function installCronProbe(t: TestContext): CronRun[] {
  const runs: CronRun[] = [];
  const account = builtinActor('account') as BuiltinActor & { cron?: BuiltinActor['cron'] };
  const before = account.cron;
  account.cron = (rt: ActorRuntime, event: unknown) => {
    const e = event as CronProbeEvent;
    runs.push({ epoch: rt.ctx.epoch, timestamp: rt.ctx.timestamp, baseFee: rt.ctx.baseFee, event: e });
    rt.update({ balance: rt.self().balance + 1n });
    if (e.every !== undefined) rt.enrollCron(rt.ctx.epoch + e.every, e);
    if (e.fail) throw new Error(`probe ${e.tag} fails`);
  };
  t.after(() => {
    account.cron = before;
  });
  return runs;
}

/** Schedules probe events at epochs, as an actor's enrollCron would, in one state edit at the head. */
export async function scheduleProbe(devnet: Devnet, entries: [epoch: number, event: CronProbeEvent][]): Promise<void> {
  await devnet.cheats.editState((overlay) => {
    for (const [epoch, event] of entries) enrollCron(overlay, epoch, { actor: PROBE_ACCOUNT, event });
  });
}
