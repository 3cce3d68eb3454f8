// What every miner method shares: reading and writing the miner's state, address resolution, and
// the sends that keep the power actor and burnt funds in step.
import { FilAddress } from '../../../common/address.js';
import { encodeBigInt } from '../../../common/cbor.js';
import { BURNT_FUNDS_ACTOR_ID, POWER_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { METHOD_SEND } from '../../message.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { fAddress } from '../shared.js';
import { deadlineEndAfter } from './policy.js';
import type { MinerCronEvent } from './schedule.js';
import { deadlineCronActive, deadlineCronStops, loadMiner, postSubmissionsAt, sameVesting, vestingHead, type FullMinerState, type MinerState } from './state.js';

/** Power actor methods the miner calls (actors/power/src/lib.rs). */
const POWER_UPDATE_CLAIMED_POWER = 3;
const POWER_UPDATE_PLEDGE_TOTAL = 6;

export function readMiner(rt: ActorRuntime): FullMinerState {
  const miner = rt.self().miner;
  if (!miner) throw new ActorError(ExitCode.ErrIllegalState, 'failed to load miner state');
  const m = loadMiner(miner);
  return m.upstreamPostWindow === undefined ? m : { ...m, postSubmissions: postSubmissionsAt(m, rt.ctx.epoch) };
}

/**
 * builtin-actors' deadline cron (deadline_cron_active) starts at a pre-commit (sectors.ts) and stops at
 * a deadline's end where nothing is locked (handle_proving_deadline, continue_deadline_cron). The devnet
 * runs no cron at every deadline end: a write that leaves a running cron nothing locked enrolls a
 * 'cron-stop' event at this deadline's end, and the miner's cron work at a deadline's end stops it
 * there, as builtin-actors' handler checks after its own work.
 */
function settleDeadlineCron(rt: ActorRuntime, was: MinerState | undefined, is: FullMinerState): FullMinerState {
  if (!deadlineCronStops(is)) return is;
  const end = deadlineEndAfter(rt.ctx.epoch - 1, is.provingPeriodOffset);
  if (rt.caller.kind === 'cron' && end === rt.ctx.epoch) return { ...is, deadlineCronActive: false };
  if (!was || !deadlineCronStops(was)) rt.enrollCron(end, { type: 'cron-stop' } satisfies MinerCronEvent);
  return is;
}

/**
 * builtin-actors' deadline cron unlocks vested funds at every deadline's end; the devnet runs it only
 * where it unlocks something: a 'vest' event at the deadline end after the vesting table's first
 * epoch (a deadline's last epoch unlocks what vested before it), enrolled whenever that first epoch
 * changes (an unlock, new rewards), or the deadline cron starts (the first pre-commit: at the end of
 * the current deadline at the earliest, where builtin-actors enrolls it).
 */
function enrollVesting(rt: ActorRuntime, was: MinerState | undefined, is: FullMinerState): void {
  if (!deadlineCronActive(is)) return;
  const starting = was !== undefined && !deadlineCronActive(was);
  if (was && !starting && sameVesting(was, is)) return;
  const head = vestingHead(is);
  if (head === undefined || (was && !starting && head === vestingHead(was))) return;
  const due = starting ? firstVestDue(is, rt.ctx.epoch)! : deadlineEndAfter(head, is.provingPeriodOffset);
  // A forked miner's deadline closes caught up late are past: its next close unlocks what they leave (a
  // starting cron's first end is this deadline's, at this epoch at the earliest).
  if (due > rt.ctx.epoch || starting) rt.enrollCron(due, { type: 'vest' } satisfies MinerCronEvent);
}

/**
 * Where a deadline cron starting at `epoch` first unlocks the miner's vesting funds: the deadline end
 * after the table's first epoch, the end of the current deadline at the earliest (none with nothing
 * vesting). A pre-commit starts the cron (enrollVesting), as do the genesis sectors' pre-commits
 * (devnet/genesis.ts).
 */
export function firstVestDue(m: FullMinerState, epoch: number): number | undefined {
  const head = vestingHead(m);
  return head === undefined ? undefined : deadlineEndAfter(Math.max(head, epoch - 1), m.provingPeriodOffset);
}

/**
 * Writes the miner's state; fields set to undefined (a change no longer pending) are left out. The
 * first message that changes a forked miner takes it over: from then on only the fork's PoSts prove
 * it (window-post.ts).
 */
export function writeMiner(rt: ActorRuntime, state: FullMinerState): void {
  const was = rt.self().miner;
  state = settleDeadlineCron(rt, was, state);
  enrollVesting(rt, was, state);
  if (state.postsRequired && state.takenOverAt === undefined && rt.caller.kind !== 'cron') {
    // From here on each deadline's record is the miner's own (readMiner kept what still holds of the upstream's).
    state = { ...state, upstreamPostWindow: undefined, takenOverAt: rt.ctx.epoch };
  }
  // A copy field by field: the block reward writes the miner at every tipset.
  const written: Record<string, unknown> = {};
  for (const key in state) {
    const value = state[key as keyof FullMinerState];
    if (value !== undefined) written[key] = value;
  }
  rt.update({ miner: written as unknown as FullMinerState });
}

/** rt.resolve_address: the ID an address names, if the actor exists. */
export function resolveId(rt: ActorRuntime, address: FilAddress): number | undefined {
  return rt.state.lookupId(address);
}

/** Aborts with the callee's exit code when a send failed (extract_send_result). */
export async function sendOrAbort(rt: ActorRuntime, to: number, method: number, params: unknown, value = 0n): Promise<unknown> {
  const reply = await rt.send(FilAddress.fromId(to), method, params, { value });
  if (reply.exitCode !== ExitCode.Ok) throw new ActorError(reply.exitCode, `send to ${fAddress(to)} method ${method} aborted with code ${reply.exitCode}`);
  return reply.returnValue;
}

/** request_update_power: tells the power actor how the miner's claim changed. */
export async function updateClaimedPower(rt: ActorRuntime, raw: bigint, qa: bigint): Promise<void> {
  if (raw === 0n && qa === 0n) return;
  await sendOrAbort(rt, POWER_ACTOR_ID, POWER_UPDATE_CLAIMED_POWER, [encodeBigInt(raw), encodeBigInt(qa)]);
}

/** notify_pledge_changed: tells the power actor how the miner's locked pledge changed. */
export async function notifyPledgeChanged(rt: ActorRuntime, delta: bigint): Promise<void> {
  if (delta === 0n) return;
  await sendOrAbort(rt, POWER_ACTOR_ID, POWER_UPDATE_PLEDGE_TOTAL, encodeBigInt(delta));
}

export async function burnFunds(rt: ActorRuntime, amount: bigint): Promise<void> {
  if (amount > 0n) await sendOrAbort(rt, BURNT_FUNDS_ACTOR_ID, METHOD_SEND, undefined, amount);
}
