// The miner actor's MinerInfo methods through the Executor: getters (FRC-42 numbers, any caller),
// owner / worker / beneficiary / peer changes with builtin-actors' caller checks and delays,
// WithdrawBalance to the beneficiary and RepayDebt.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeBigInt, encodeBigInt } from '../../src/common/cbor.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { unlockVestedAndUnvestedFunds, unlockVestedFunds } from '../../src/fevm/actors/miner/state.js';
import { TERMINATION_LIFETIME_CAP, WORKER_KEY_CHANGE_DELAY, WPOST_CHALLENGE_WINDOW, deadlineInfo, faultFeeFor, terminationFeeFor } from '../../src/fevm/actors/miner/policy.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { FIL, MINER, OWNER, minerHarness } from '../helpers/miner-harness.js';

const id = (n: number) => FilAddress.fromId(n).bytes;
const m = (name: string) => methodNumber(name);

describe('miner getters', () => {
  test('answer any caller with builtin-actors\' shapes', async () => {
    const h = await minerHarness();
    const stranger = h.accounts[0];
    assert.deepEqual((await h.send(stranger, MINER, m('GetOwner'))).value, [id(OWNER), null]);
    assert.equal((await h.send(stranger, MINER, m('GetSectorSize'))).value, 32 * 2 ** 30);
    assert.equal((await h.send(stranger, MINER, m('IsControllingAddress'), id(OWNER))).value, true);
    assert.equal((await h.send(stranger, MINER, m('IsControllingAddress'), id(stranger))).value, false);
    // An address with no actor is not controlling (and no error).
    assert.equal((await h.send(stranger, MINER, m('IsControllingAddress'), id(9999))).value, false);
    const [peer] = (await h.send(stranger, MINER, m('GetPeerID'))).value as [Uint8Array];
    assert.deepEqual(peer, h.miner().peerId);
    assert.deepEqual((await h.send(stranger, MINER, m('GetMultiaddrs'))).value, [[]]);
    // Its creation deposit, vesting from genesis (and no reward yet).
    const [deposit] = (await h.send(stranger, MINER, m('GetVestingFunds'))).value as [[number, Uint8Array][]];
    assert.deepEqual(deposit, h.miner().vestingFunds!.map((f) => [f.epoch, encodeBigInt(f.amount)]));
    assert.equal(deposit.reduce((sum, [, amount]) => sum + decodeBigInt(amount), 0n), CREATE_MINER_DEPOSIT);
    assert.deepEqual((await h.send(stranger, MINER, m('GetBeneficiary'))).value, [[id(OWNER), [new Uint8Array(), new Uint8Array(), 0]], null]);
    assert.equal(decodeBigInt((await h.send(stranger, MINER, m('GetAvailableBalance'))).value as Uint8Array), 0n);
  });

  test('the available balance excludes pledge and fee debt', async () => {
    const h = await minerHarness();
    await h.send(OWNER, MINER, 0, undefined, 10n * FIL);
    const miner = h.state.getActor(MINER)!;
    // 3 FIL of pledge beside its genesis sectors'.
    h.state.putActor({ ...miner, miner: { ...h.miner(), initialPledge: h.miner().initialPledge + 3n * FIL, feeDebt: 1n * FIL } });
    assert.equal(decodeBigInt((await h.send(OWNER, MINER, m('GetAvailableBalance'))).value as Uint8Array), 6n * FIL);
  });
});

describe('locked (vesting) funds, which a forked miner brings from the upstream (fidaudit4 V13)', () => {
  const amount = (value: unknown) => decodeBigInt(value as Uint8Array);
  /** The miner with 10 FIL, 6 of them locked: 1 vesting at epoch 5, 2 at 20, 3 at 40. */
  async function vesting() {
    const h = await minerHarness();
    h.depositWithdrawn();
    await h.send(OWNER, MINER, 0, undefined, 10n * FIL);
    const vestingFunds = [5, 20, 40].map((epoch, i) => ({ epoch, amount: BigInt(i + 1) * FIL }));
    h.state.putActor({ ...h.state.getActor(MINER)!, miner: { ...h.miner(), lockedFunds: 6n * FIL, vestingFunds } });
    return h;
  }

  test('are not available, are listed by GetVestingFunds, and WithdrawBalance unlocks what vested before the epoch first', async () => {
    const h = await vesting();
    assert.equal(amount((await h.send(OWNER, MINER, m('GetAvailableBalance'))).value), 4n * FIL);
    assert.deepEqual((await h.send(OWNER, MINER, m('GetVestingFunds'))).value, [[5, 20, 40].map((epoch, i) => [epoch, encodeBigInt(BigInt(i + 1) * FIL)])]);
    await h.advanceTo(21);
    // Vested at 5 and 20 (before 21): 3 FIL more to withdraw; 3 FIL stays locked until after 40.
    assert.equal(amount((await h.send(OWNER, MINER, m('WithdrawBalance'), [encodeBigInt(100n * FIL)])).value), 7n * FIL);
    // What stays: the locked 3 FIL and the genesis sectors' pledge.
    assert.equal(h.balance(MINER), 3n * FIL + h.miner().initialPledge);
    assert.deepEqual([h.miner().lockedFunds, h.miner().vestingFunds], [3n * FIL, [{ epoch: 40, amount: 3n * FIL }]]);
    assert.equal(amount((await h.send(OWNER, MINER, m('GetAvailableBalance'))).value), 0n);
  });

  test('a penalty\'s debt unlocks what has vested and, earliest first, what has not up to the debt (builtin-actors unlock_vested_and_unvested_funds)', async () => {
    const m = (await vesting()).miner();
    // At epoch 10: the fund of epoch 5 has vested; 2.5 FIL more come from those not vested, all 2 of epoch 20's and 0.5 of epoch 40's.
    const after = unlockVestedAndUnvestedFunds(m, 10, 25n * FIL / 10n);
    assert.deepEqual([after.state.lockedFunds, after.state.vestingFunds, after.unlocked], [25n * FIL / 10n, [{ epoch: 40, amount: 25n * FIL / 10n }], 35n * FIL / 10n]);
    // No debt: nothing at all, not even what has vested (the target is zero).
    assert.equal(unlockVestedAndUnvestedFunds(m, 21, 0n).state, m);
    // Without a target (unlock_vested_funds): only what has vested; before anything vests, nothing.
    assert.deepEqual(unlockVestedFunds(m, 21).state.vestingFunds, [{ epoch: 40, amount: 3n * FIL }]);
    assert.equal(unlockVestedFunds(m, 5).state, m);
  });
});

describe('InitialPledge and MaxTerminationFee (FIP-0098, actors v16+)', () => {
  const fee = (value: unknown) => decodeBigInt(value as Uint8Array);
  const GIB_32 = 32n << 30n;

  test('any caller reads the pledge and the fee of a sector terminated at the 140-day cap (fidaudit F9)', async () => {
    const h = await minerHarness();
    const stranger = h.accounts[0];
    // builtin-actors v18 actors/miner/src/lib.rs: method_hash!("InitialPledge"), method_hash!("MaxTerminationFee").
    assert.equal(m('InitialPledge'), 3180523767);
    assert.equal(m('MaxTerminationFee'), 4127382196);
    // A genesis provider's: 1 attoFIL for each of its 10 pre-sealed sectors (Lotus's genesis).
    assert.equal(fee((await h.send(stranger, MINER, m('InitialPledge'))).value), 10n);
    const miner = h.state.getActor(MINER)!;
    h.state.putActor({ ...miner, miner: { ...h.miner(), initialPledge: 3n * FIL } });
    assert.equal(fee((await h.send(stranger, MINER, m('InitialPledge'))).value), 3n * FIL);
    const maxFee = async (power: bigint, pledge: bigint) => fee((await h.send(stranger, MINER, m('MaxTerminationFee'), [encodeBigInt(power), encodeBigInt(pledge)])).value);
    // 8.5% of the pledge, above both floors.
    assert.equal(await maxFee(GIB_32, 10n * FIL), (85n * FIL) / 100n);
    // No power: no fault fee, 8.5% still above 2%.
    assert.equal(await maxFee(0n, FIL), (85n * FIL) / 1000n);
    // A pledge small for the power: 105% of the power's fault fee is the floor.
    assert.equal(await maxFee(GIB_32, FIL), (faultFeeFor(GIB_32) * 105n) / 100n);
    assert.equal(await maxFee(GIB_32, 10n * FIL), terminationFeeFor(10n * FIL, TERMINATION_LIFETIME_CAP + 1, faultFeeFor(GIB_32)));
  });

  test('params as builtin-actors takes them: none for InitialPledge, [power, initial_pledge] for MaxTerminationFee', async () => {
    const h = await minerHarness();
    const stranger = h.accounts[0];
    // Present where none are taken, or missing: 16 (runtime/src/dispatch.rs); malformed: 21.
    assert.equal((await h.send(stranger, MINER, m('InitialPledge'), [])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(stranger, MINER, m('MaxTerminationFee'))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(stranger, MINER, m('MaxTerminationFee'), [encodeBigInt(1n)])).exitCode, ExitCode.ErrSerialization);
    assert.equal((await h.send(stranger, MINER, m('MaxTerminationFee'), [1, encodeBigInt(1n)])).exitCode, ExitCode.ErrSerialization);
  });
});

describe('ChangeOwnerAddress (23)', () => {
  test('proposed by the owner, confirmed by the nominee; the beneficiary follows the owner', async () => {
    const h = await minerHarness();
    const [nominee, stranger] = h.accounts;
    assert.equal((await h.send(stranger, MINER, 23, id(nominee))).exitCode, ExitCode.ErrForbidden);
    // The new owner must be given as an ID address.
    assert.equal((await h.send(OWNER, MINER, 23, h.state.getActor(nominee)!.robust!.bytes)).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, 23, id(nominee))).exitCode, 0);
    assert.equal(h.miner().pendingOwner, nominee);
    assert.deepEqual((await h.send(stranger, MINER, m('GetOwner'))).value, [id(OWNER), id(nominee)]);
    // The nominee must confirm with its own address.
    assert.equal((await h.send(nominee, MINER, 23, id(stranger))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(nominee, MINER, m('ChangeOwnerAddress'), id(nominee))).exitCode, 0);
    assert.equal(h.miner().owner, nominee);
    assert.equal(h.miner().beneficiary, nominee);
    assert.equal(h.miner().pendingOwner, undefined);
  });
});

describe('ChangeWorkerAddress (3) and ConfirmChangeWorkerAddress (21)', () => {
  test('the owner sets control addresses at once and a worker after WORKER_KEY_CHANGE_DELAY (900 epochs)', async () => {
    const h = await minerHarness();
    const [secpWorker, control] = h.accounts;
    const newWorker = h.blsAccount();
    // fidaudit2 G4: a worker must be a BLS account (builtin-actors resolve_worker_address).
    assert.equal((await h.send(OWNER, MINER, 3, [id(secpWorker), [id(control)]])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(control, MINER, 3, [id(newWorker), [id(control)]])).exitCode, ExitCode.ErrForbidden);
    // The worker must be an account.
    assert.equal((await h.send(OWNER, MINER, 3, [id(MINER), []])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, 3, [id(newWorker), Array(11).fill(id(control))])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, 3, [id(newWorker), [id(control)]])).exitCode, 0);
    assert.deepEqual(h.miner().controlAddresses, [control]);
    assert.deepEqual(h.miner().pendingWorkerKey, { newWorker, effectiveAt: h.epoch + WORKER_KEY_CHANGE_DELAY });
    // A control address now controls the miner.
    assert.equal((await h.send(control, MINER, m('IsControllingAddress'), id(control))).value, true);
    // Too early: the confirmation changes nothing.
    assert.equal((await h.send(OWNER, MINER, 21)).exitCode, 0);
    assert.equal(h.miner().worker, OWNER);
    h.epoch += WORKER_KEY_CHANGE_DELAY;
    assert.equal((await h.send(newWorker, MINER, 21)).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(OWNER, MINER, m('ConfirmChangeWorkerAddress'))).exitCode, 0);
    assert.equal(h.miner().worker, newWorker);
    assert.equal(h.miner().pendingWorkerKey, undefined);
  });

  // fidaudit6 D2: builtin-actors applies the change in the deadline cron (handle_proving_deadline → process_pending_worker).
  test('without a confirmation, the change lands at the end of the deadline its effective epoch falls in, once the miner\'s deadline cron runs (it holds pledge)', async () => {
    const h = await minerHarness();
    h.depositWithdrawn();
    const withPledge = (pledge: bigint) => {
      const miner = h.state.getActor(MINER)!;
      h.state.putActor({ ...miner, balance: miner.balance + pledge, miner: { ...h.miner(), initialPledge: pledge } });
    };
    withPledge(FIL);
    const newWorker = h.blsAccount();
    assert.equal((await h.send(OWNER, MINER, 3, [id(newWorker), []])).exitCode, 0);
    const effectiveAt = h.epoch + WORKER_KEY_CHANGE_DELAY;
    const last = deadlineInfo(effectiveAt, h.miner().provingPeriodOffset).close - 1;
    assert.ok(last >= effectiveAt && last < effectiveAt + WPOST_CHALLENGE_WINDOW);
    await h.advanceTo(last);
    assert.equal(h.miner().worker, OWNER);
    await h.endEpoch();
    assert.equal(h.miner().worker, newWorker);
    assert.equal(h.miner().pendingWorkerKey, undefined);

    // A miner holding no pledge, deposit or locked funds has no deadline cron: the change waits until it has.
    const next = h.blsAccount();
    withPledge(0n);
    assert.equal((await h.send(OWNER, MINER, 3, [id(next), []])).exitCode, 0);
    const due = deadlineInfo(h.epoch + WORKER_KEY_CHANGE_DELAY, h.miner().provingPeriodOffset).close - 1;
    await h.advanceTo(due + 3 * WPOST_CHALLENGE_WINDOW);
    assert.equal(h.miner().worker, newWorker);
    withPledge(FIL);
    await h.advanceTo(due + 4 * WPOST_CHALLENGE_WINDOW + 1);
    assert.equal(h.miner().worker, next);
  });
});

describe('ChangePeerID (4) and ChangeMultiaddrs (18)', () => {
  test('controlling addresses only; sizes checked', async () => {
    const h = await minerHarness();
    const [stranger] = h.accounts;
    assert.equal((await h.send(stranger, MINER, 4, [new Uint8Array([1, 2, 3])])).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(OWNER, MINER, 4, [new Uint8Array(129)])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, 4, [new Uint8Array([1, 2, 3])])).exitCode, 0);
    assert.deepEqual((await h.send(stranger, MINER, m('GetPeerID'))).value, [new Uint8Array([1, 2, 3])]);
    assert.equal((await h.send(OWNER, MINER, 18, [[new Uint8Array()]])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, m('ChangeMultiaddrs'), [[new Uint8Array([4, 127, 0, 0, 1])]])).exitCode, 0);
    assert.deepEqual((await h.send(stranger, MINER, m('GetMultiaddrs'))).value, [[new Uint8Array([4, 127, 0, 0, 1])]]);
    assert.equal((await h.send(stranger, MINER, 4, 'not a tuple')).exitCode, ExitCode.ErrSerialization);
  });
});

describe('ChangeBeneficiary (30), GetBeneficiary (31) and WithdrawBalance (16)', () => {
  test('the owner proposes, the nominee approves; withdrawals go to the beneficiary within its quota', async () => {
    const h = await minerHarness();
    const [nominee, stranger] = h.accounts;
    await h.send(OWNER, MINER, 0, undefined, 10n * FIL);
    const expiration = h.epoch + 1000;
    assert.equal((await h.send(stranger, MINER, 30, [id(nominee), encodeBigInt(FIL), expiration])).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(OWNER, MINER, 30, [id(nominee), encodeBigInt(0n), expiration])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, 30, [id(nominee), encodeBigInt(3n * FIL), expiration])).exitCode, 0);
    const [, proposed] = (await h.send(stranger, MINER, 31)).value as unknown[];
    // The owner is the current beneficiary with nothing to take, so only the nominee must approve.
    assert.deepEqual(proposed, [id(nominee), encodeBigInt(3n * FIL), expiration, true, false]);
    assert.equal((await h.send(nominee, MINER, 30, [id(nominee), encodeBigInt(2n * FIL), expiration])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(nominee, MINER, m('ChangeBeneficiary'), [id(nominee), encodeBigInt(3n * FIL), expiration])).exitCode, 0);
    assert.equal(h.miner().beneficiary, nominee);
    assert.deepEqual((await h.send(stranger, MINER, m('GetBeneficiary'))).value, [[id(nominee), [encodeBigInt(3n * FIL), new Uint8Array(), expiration]], null]);

    // Only the owner or the beneficiary may withdraw; the FIL goes to the beneficiary, capped by the quota.
    assert.equal((await h.send(stranger, MINER, 16, [encodeBigInt(FIL)])).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(OWNER, MINER, 16, [encodeBigInt(-1n)])).exitCode, ExitCode.ErrIllegalArgument);
    const before = h.balance(nominee);
    const withdrawn = await h.send(OWNER, MINER, 16, [encodeBigInt(5n * FIL)]);
    assert.equal(withdrawn.exitCode, 0);
    assert.equal(decodeBigInt(withdrawn.value as Uint8Array), 3n * FIL);
    assert.equal(h.balance(nominee) - before, 3n * FIL);
    assert.equal(h.miner().beneficiaryTerm.usedQuota, 3n * FIL);
    // The quota is spent.
    assert.equal((await h.send(nominee, MINER, m('WithdrawBalance'), [encodeBigInt(FIL)])).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(stranger, MINER, 30, [id(OWNER), encodeBigInt(0n), 0])).exitCode, ExitCode.ErrForbidden);
  });

  test('with the owner as beneficiary, WithdrawBalance pays the owner what is available', async () => {
    const h = await minerHarness();
    await h.send(OWNER, MINER, 0, undefined, 10n * FIL);
    const before = h.balance(OWNER);
    const withdrawn = await h.send(OWNER, MINER, 16, [encodeBigInt(20n * FIL)]);
    assert.equal(decodeBigInt(withdrawn.value as Uint8Array), 10n * FIL);
    // The owner paid gas for the message (gas fee cap 100 attoFIL), and received 10 FIL; the genesis
    // sectors' pledge and the creation deposit, still vesting, stay.
    assert.ok(h.balance(OWNER) - before > 9n * FIL);
    assert.equal(h.balance(MINER), h.miner().initialPledge + CREATE_MINER_DEPOSIT);
  });
});

describe('RepayDebt (22)', () => {
  test('repays fee debt from vesting funds first, then burns from the unlocked balance; controlling addresses only', async () => {
    const h = await minerHarness();
    const miner = h.state.getActor(MINER)!;
    h.state.putActor({ ...miner, miner: { ...h.miner(), feeDebt: 4n * FIL } });
    assert.equal((await h.send(h.accounts[0], MINER, 22)).exitCode, ExitCode.ErrForbidden);
    const burntBefore = h.balance(99);
    assert.equal((await h.send(OWNER, MINER, m('RepayDebt'), undefined, 3n * FIL)).exitCode, 0);
    // The vesting creation deposit paid first (repay_partial_debt_in_priority_order), then the 3 FIL sent.
    assert.equal(h.miner().feeDebt, FIL - CREATE_MINER_DEPOSIT);
    assert.equal(h.miner().lockedFunds, 0n);
    // Both burnt (the message's base fee burns beside them).
    assert.ok(h.balance(99) - burntBefore >= 3n * FIL + CREATE_MINER_DEPOSIT);
  });
});
