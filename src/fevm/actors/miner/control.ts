// The miner's MinerInfo methods (builtin-actors actors/miner/src/lib.rs): the getters any caller may
// use, and the owner / worker / beneficiary / peer changes with builtin-actors' caller checks, delays
// and messages. Withdrawals go to the beneficiary; fee debt is repaid from the available balance.
import { FilAddress, idAddressBytes, Protocol } from '../../../common/address.js';
import { encodeBigInt } from '../../../common/cbor.js';
import { ExitCode } from '../../exit-code.js';
import { METHOD_SEND } from '../../message.js';
import { address, bigInt, bytes, i64, list, tuple } from '../params.js';
import { ActorError, type ActorRuntime, type MethodSpec } from '../runtime.js';
import { fAddress, illegalArgument, requireCallerIn } from '../shared.js';
import { burnFunds, notifyPledgeChanged, readMiner, resolveId, sendOrAbort, writeMiner } from './access.js';
import {
  MAX_CONTROL_ADDRESSES,
  MAX_MULTIADDR_DATA,
  MAX_PEER_ID_LENGTH,
  TERMINATION_LIFETIME_CAP,
  WORKER_KEY_CHANGE_DELAY,
  WPOST_CHALLENGE_WINDOW,
  deadlineEndAfter,
  faultFeeFor,
  terminationFeeFor,
} from './policy.js';
import type { MinerCronEvent } from './schedule.js';
import { availableBalance, beneficiaryAvailable, controllingIds, loadedVestingFunds, repayPartialDebt, unlockedBalance, unlockVestedFunds, vestingFundValue, vestingTable, type FullMinerState } from './state.js';

function checkControlAddresses(addresses: readonly unknown[]): void {
  if (addresses.length > MAX_CONTROL_ADDRESSES) {
    throw illegalArgument(`control addresses length ${addresses.length} exceeds max control addresses length ${MAX_CONTROL_ADDRESSES}`);
  }
}

export function checkPeerInfo(peerId: Uint8Array, multiaddrs: readonly Uint8Array[]): void {
  if (peerId.length > MAX_PEER_ID_LENGTH) throw illegalArgument(`peer ID size of ${peerId.length} exceeds maximum size of ${MAX_PEER_ID_LENGTH}`);
  let total = 0;
  for (const ma of multiaddrs) {
    if (ma.length === 0) throw illegalArgument('invalid empty multiaddr');
    total += ma.length;
  }
  if (total > MAX_MULTIADDR_DATA) throw illegalArgument(`multiaddr size of ${total} exceeds maximum of ${MAX_MULTIADDR_DATA}`);
}

/**
 * resolve_worker_address (builtin-actors v18 actors/miner/src/lib.rs): the worker must be an account
 * with a BLS key (it signs alongside a BLS-VRF); unless named by its f3, the account is asked for its
 * key (PubkeyAddress).
 */
export async function resolveWorker(rt: ActorRuntime, raw: FilAddress): Promise<number> {
  const id = resolveId(rt, raw);
  if (id === undefined) throw illegalArgument(`unable to resolve address: ${raw.toString('f')}`);
  const kind = rt.state.getActor(id)!.kind;
  if (kind !== 'account') throw illegalArgument(`worker actor type must be an account, was ${kind}`);
  if (raw.protocol !== Protocol.BLS) {
    const key = FilAddress.fromBytes((await sendOrAbort(rt, id, ACCOUNT_PUBKEY_ADDRESS, undefined)) as Uint8Array);
    // Rust prints an address protocol as its number.
    if (key.protocol !== Protocol.BLS) throw illegalArgument(`worker account ${id} must have BLS pubkey, was ${key.protocol}`);
  }
  return id;
}

/** The account actor's PubkeyAddress (method 2). */
const ACCOUNT_PUBKEY_ADDRESS = 2;

function resolveControlAddresses(rt: ActorRuntime, addresses: FilAddress[]): number[] {
  return addresses.map((a) => {
    const id = resolveId(rt, a);
    if (id === undefined) throw illegalArgument(`unable to resolve control address: ${a.toString('f')}`);
    return id;
  });
}

const multiaddrList = (value: unknown, what: string) => list(value, what).map((m, i) => bytes(m, `${what}[${i}]`));

/** The worker change whose effective epoch has come (process_pending_worker). */
export function withPendingWorker(m: FullMinerState, epoch: number): FullMinerState {
  if (!m.pendingWorkerKey || epoch < m.pendingWorkerKey.effectiveAt) return m;
  return { ...m, worker: m.pendingWorkerKey.newWorker, pendingWorkerKey: undefined };
}

/**
 * The cron work of a requested worker change, at the last epoch of the deadline its effective epoch
 * falls in: builtin-actors applies the change in the deadline cron (handle_proving_deadline, then
 * process_pending_worker), which runs at every deadline's end while the miner holds a pre-commit
 * deposit, initial pledge or locked funds (State::continue_deadline_cron) and is enrolled again at a
 * pre-commit otherwise. So a miner holding none of them waits, looked at again a deadline later.
 */
export function applyPendingWorker(rt: ActorRuntime): void {
  const m = readMiner(rt);
  if (!m.pendingWorkerKey || rt.ctx.epoch < m.pendingWorkerKey.effectiveAt) return;
  const cronRuns = m.preCommitDeposits > 0n || m.initialPledge > 0n || (m.lockedFunds ?? 0n) > 0n;
  if (cronRuns) writeMiner(rt, withPendingWorker(m, rt.ctx.epoch));
  else rt.enrollCron(rt.ctx.epoch + WPOST_CHALLENGE_WINDOW, { type: 'worker-change' } satisfies MinerCronEvent);
}

/** Repays fee debt from the unlocked balance (repay_debts_or_abort); returns the amount to burn. */
export function repayDebtsOrAbort(rt: ActorRuntime, m: FullMinerState): { state: FullMinerState; burn: bigint } {
  if (m.feeDebt === 0n) return { state: m, burn: 0n };
  const unlocked = unlockedBalance(m, rt.self().balance);
  if (unlocked < m.feeDebt) {
    throw new ActorError(ExitCode.ErrInsufficientFunds, `unlocked balance can not repay fee debt (${unlocked} < ${m.feeDebt})`);
  }
  return { state: { ...m, feeDebt: 0n }, burn: m.feeDebt };
}

export const controlMethods: Record<string, MethodSpec> = {
  ControlAddresses: {
    noParams: true,
    legacy: 2,
    internalOnly: true,
    run(rt) {
      const m = readMiner(rt);
      return [idAddressBytes(m.owner), idAddressBytes(m.worker), m.controlAddresses.map(idAddressBytes)];
    },
  },
  GetOwner: {
    noParams: true,
    run(rt) {
      const m = readMiner(rt);
      return [idAddressBytes(m.owner), m.pendingOwner === undefined ? null : idAddressBytes(m.pendingOwner)];
    },
  },
  IsControllingAddress: {
    run(rt, params) {
      const id = resolveId(rt, address(params, 'IsControllingAddress params'));
      return id !== undefined && controllingIds(readMiner(rt)).includes(id);
    },
  },
  GetSectorSize: { noParams: true, run: (rt) => Number(readMiner(rt).sectorSize) },
  GetAvailableBalance: { noParams: true, run: (rt) => encodeBigInt(availableBalance(readMiner(rt), rt.self().balance)) },
  // The vesting table as it stands: funds vested but not yet unlocked (by cron or a withdrawal) included.
  GetVestingFunds: { noParams: true, run: (rt) => [loadedVestingFunds(vestingTable(readMiner(rt))).map(vestingFundValue)] },
  GetPeerID: { noParams: true, run: (rt) => [readMiner(rt).peerId] },
  GetMultiaddrs: { noParams: true, run: (rt) => [[...readMiner(rt).multiaddrs]] },
  // FIP-0098's getters for collateral contracts (actors v16+): the miner's total initial pledge, and
  // the most a sector of the given power and pledge can cost to terminate (its fee at the age cap).
  InitialPledge: { noParams: true, run: (rt) => encodeBigInt(readMiner(rt).initialPledge) },
  MaxTerminationFee: {
    run(_rt, params) {
      const [rawPower, rawPledge] = tuple(params, 2, 'MaxTerminationFee params');
      const power = bigInt(rawPower, 'power');
      const pledge = bigInt(rawPledge, 'initial_pledge');
      return encodeBigInt(terminationFeeFor(pledge, TERMINATION_LIFETIME_CAP, faultFeeFor(power)));
    },
  },

  ChangeWorkerAddress: {
    legacy: 3,
    async run(rt, params) {
      const [rawWorker, rawControl] = tuple(params, 2, 'ChangeWorkerAddress params');
      const controls = list(rawControl, 'new_control_addresses').map((a, i) => address(a, `new_control_addresses[${i}]`));
      checkControlAddresses(controls);
      const newWorker = await resolveWorker(rt, address(rawWorker, 'new_worker'));
      const controlIds = resolveControlAddresses(rt, controls);
      let m = readMiner(rt);
      requireCallerIn(rt, [m.owner]);
      m = { ...m, controlAddresses: controlIds };
      if (newWorker !== m.worker && !m.pendingWorkerKey) {
        const effectiveAt = rt.ctx.epoch + WORKER_KEY_CHANGE_DELAY;
        m = { ...m, pendingWorkerKey: { newWorker, effectiveAt } };
        // It takes effect at that deadline's end (its last epoch), without a confirmation.
        rt.enrollCron(deadlineEndAfter(effectiveAt - 1, m.provingPeriodOffset), { type: 'worker-change' } satisfies MinerCronEvent);
      }
      writeMiner(rt, m);
    },
  },
  ConfirmChangeWorkerAddress: {
    noParams: true,
    legacy: 21,
    run(rt) {
      const m = readMiner(rt);
      requireCallerIn(rt, [m.owner]);
      writeMiner(rt, withPendingWorker(m, rt.ctx.epoch));
    },
  },
  ChangeOwnerAddress: {
    legacy: 23,
    run(rt, params) {
      const newOwner = address(params, 'ChangeOwnerAddress params');
      if (newOwner.protocol !== Protocol.ID) throw illegalArgument('owner address must be an ID address');
      const newId = newOwner.id!;
      let m = readMiner(rt);
      if (rt.caller.id === m.owner || m.pendingOwner === undefined) {
        requireCallerIn(rt, [m.owner]);
        m = { ...m, pendingOwner: newId };
      } else {
        const pending = m.pendingOwner;
        requireCallerIn(rt, [pending]);
        if (newId !== pending) throw illegalArgument(`expected confirmation of ${fAddress(pending)} got ${newOwner.toString('f')}`);
        // The beneficiary follows the owner if it was the owner; a pending beneficiary change is dropped.
        m = { ...m, beneficiary: m.beneficiary === m.owner ? pending : m.beneficiary, pendingBeneficiary: undefined, owner: pending };
      }
      if (m.pendingOwner === m.owner) m = { ...m, pendingOwner: undefined };
      writeMiner(rt, m);
    },
  },
  ChangePeerID: {
    legacy: 4,
    run(rt, params) {
      const [newId] = tuple(params, 1, 'ChangePeerID params');
      const peerId = bytes(newId, 'new_id');
      checkPeerInfo(peerId, []);
      const m = readMiner(rt);
      requireCallerIn(rt, controllingIds(m));
      writeMiner(rt, { ...m, peerId });
    },
  },
  ChangeMultiaddrs: {
    legacy: 18,
    run(rt, params) {
      const [raw] = tuple(params, 1, 'ChangeMultiaddrs params');
      const multiaddrs = multiaddrList(raw, 'new_multi_addrs');
      checkPeerInfo(new Uint8Array(), multiaddrs);
      const m = readMiner(rt);
      requireCallerIn(rt, controllingIds(m));
      writeMiner(rt, { ...m, multiaddrs });
    },
  },

  ChangeBeneficiary: {
    legacy: 30,
    run(rt, params) {
      const [rawBeneficiary, rawQuota, rawExpiration] = tuple(params, 3, 'ChangeBeneficiary params');
      const requested = address(rawBeneficiary, 'new_beneficiary');
      const quota = bigInt(rawQuota, 'new_quota');
      const expiration = i64(rawExpiration, 'new_expiration');
      const caller = rt.caller.id;
      const nominee = resolveId(rt, requested);
      if (nominee === undefined) throw illegalArgument(`unable to resolve address: ${requested.toString('f')}`);
      let m = readMiner(rt);
      if (caller === m.owner) {
        if (nominee !== m.owner) {
          if (quota <= 0n) throw illegalArgument(`beneficial quota ${quota} must bigger than zero`);
        } else {
          if (quota !== 0n) throw illegalArgument(`owner beneficial quota ${quota} must be zero`);
          if (expiration !== 0) throw illegalArgument(`owner beneficial expiration ${expiration} must be zero`);
        }
        m = {
          ...m,
          pendingBeneficiary: {
            newBeneficiary: nominee,
            newQuota: quota,
            newExpiration: expiration,
            // A current beneficiary with nothing left to take need not approve.
            approvedByBeneficiary: beneficiaryAvailable(m.beneficiaryTerm, rt.ctx.epoch) === 0n,
            approvedByNominee: false,
          },
        };
      } else if (m.pendingBeneficiary) {
        const pending = m.pendingBeneficiary;
        if (caller !== m.beneficiary && caller !== pending.newBeneficiary) {
          throw new ActorError(ExitCode.ErrForbidden, `message caller ${fAddress(caller)} is neither proposal beneficiary${requested.toString('f')} nor current beneficiary${fAddress(m.beneficiary)}`);
        }
        if (pending.newBeneficiary !== nominee) throw illegalArgument(`new beneficiary address must be equal expect ${fAddress(pending.newBeneficiary)}, but got ${requested.toString('f')}`);
        if (pending.newQuota !== quota) throw illegalArgument(`new beneficiary quota must be equal expect ${pending.newQuota}, but got ${quota}`);
        if (pending.newExpiration !== expiration) throw illegalArgument(`new beneficiary expire date must be equal expect ${pending.newExpiration}, but got ${expiration}`);
      } else {
        throw new ActorError(ExitCode.ErrForbidden, 'No changeBeneficiary proposal exists');
      }
      let pending = m.pendingBeneficiary!;
      if (caller === m.beneficiary) pending = { ...pending, approvedByBeneficiary: true };
      if (caller === nominee) pending = { ...pending, approvedByNominee: true };
      if (pending.approvedByBeneficiary && pending.approvedByNominee) {
        const usedQuota = nominee !== m.beneficiary ? 0n : m.beneficiaryTerm.usedQuota;
        m = { ...m, beneficiary: nominee, beneficiaryTerm: { quota: pending.newQuota, usedQuota, expiration: pending.newExpiration }, pendingBeneficiary: undefined };
      } else {
        m = { ...m, pendingBeneficiary: pending };
      }
      writeMiner(rt, m);
    },
  },
  GetBeneficiary: {
    noParams: true,
    legacy: 31,
    run(rt) {
      const m = readMiner(rt);
      const t = m.beneficiaryTerm;
      const p = m.pendingBeneficiary;
      return [
        [idAddressBytes(m.beneficiary), [encodeBigInt(t.quota), encodeBigInt(t.usedQuota), t.expiration]],
        p ? [idAddressBytes(p.newBeneficiary), encodeBigInt(p.newQuota), p.newExpiration, p.approvedByBeneficiary, p.approvedByNominee] : null,
      ];
    },
  },

  WithdrawBalance: {
    legacy: 16,
    async run(rt, params) {
      const [rawAmount] = tuple(params, 1, 'WithdrawBalance params');
      const requested = bigInt(rawAmount, 'amount_requested');
      if (requested < 0n) throw illegalArgument(`negative fund requested for withdrawal: ${requested}`);
      let m = readMiner(rt);
      requireCallerIn(rt, [m.owner, m.beneficiary]);
      // What has vested is unlocked first, so that it can be withdrawn; it leaves the network's locked total.
      const vested = unlockVestedFunds(m, rt.ctx.epoch);
      m = vested.state;
      const available = availableBalance(m, rt.self().balance);
      const repaid = repayDebtsOrAbort(rt, m);
      m = repaid.state;
      let amount = available < requested ? available : requested;
      if (amount < 0n) throw new ActorError(ExitCode.ErrIllegalState, `negative amount to withdraw: ${amount}`);
      if (m.beneficiary !== m.owner) {
        const remaining = beneficiaryAvailable(m.beneficiaryTerm, rt.ctx.epoch);
        if (remaining === 0n) {
          const t = m.beneficiaryTerm;
          throw new ActorError(ExitCode.ErrForbidden, `beneficiary expiration of epoch ${t.expiration} passed or quota of ${t.quota} depleted with ${t.usedQuota} used`);
        }
        if (remaining < amount) amount = remaining;
        if (amount > 0n) m = { ...m, beneficiaryTerm: { ...m.beneficiaryTerm, usedQuota: m.beneficiaryTerm.usedQuota + amount } };
      }
      writeMiner(rt, m);
      if (amount > 0n) await sendOrAbort(rt, m.beneficiary, METHOD_SEND, undefined, amount);
      await burnFunds(rt, repaid.burn);
      await notifyPledgeChanged(rt, -vested.unlocked);
      return encodeBigInt(amount);
    },
  },
  RepayDebt: {
    noParams: true,
    legacy: 22,
    async run(rt) {
      const m = readMiner(rt);
      requireCallerIn(rt, controllingIds(m));
      // Repays as much as the vesting funds and then the unlocked balance (with any value sent) cover.
      const repaid = repayPartialDebt(m, rt.ctx.epoch, rt.self().balance);
      writeMiner(rt, repaid.state);
      await notifyPledgeChanged(rt, -repaid.unlocked);
      await burnFunds(rt, repaid.burn);
    },
  },
};
