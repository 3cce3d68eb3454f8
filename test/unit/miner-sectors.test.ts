// Sector onboarding through the Executor: PreCommitSectorBatch2 (28) then ProveCommitSectors3 (34)
// for committed-capacity sectors and sectors with pieces, verified pieces claimed at a verifreg
// double (ClaimAllocations 9), notifications to a market double (SectorContentChanged), pledge,
// power at f04 and the checks builtin-actors makes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { FilAddress } from '../../src/common/address.js';
import { encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { CRON_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { enrollCron } from '../../src/fevm/actors/cron.js';
import { ActorError, methodNumber } from '../../src/fevm/actors/runtime.js';
import { nextDeadlineOccurrence } from '../../src/fevm/actors/miner/proving.js';
import { deadlineEndAfter, MAX_PROVE_COMMIT_DURATION, PRE_COMMIT_CHALLENGE_DELAY, provingPeriodStart, WPOST_CHALLENGE_WINDOW, WPOST_PROVING_PERIOD } from '../../src/fevm/actors/miner/policy.js';
import { addLockedFunds, deadlineCronActive, minerStateValue } from '../../src/fevm/actors/miner/state.js';
import { SECTOR_CONTENT_CHANGED } from '../../src/fevm/actors/miner/sectors.js';
import { claimOf, CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { FIL, MINER, NETWORK_LOCKED_REWARDS, OWNER, PLEDGE_32GIB, PLEDGE_PER_BYTE, createMiner, double, minerHarness, precommit, type MinerHarness } from '../helpers/miner-harness.js';

const GIB32 = 32n << 30n;
const pieceCid = (seed: string) => CID.createV1(0xf101, createDigest(0x1012, blake2b256(new TextEncoder().encode(seed))));

/**
 * Where builtin-actors' cron cleans up a pre-commit due at `epoch` (state.rs add_pre_commit_clean_ups):
 * QuantSpec { unit: the challenge window, offset: the proving period's start }.quantize_up, popped by
 * the cron at the last epoch of the deadline that opens there.
 */
function cleanUpEnd(epoch: number, periodStart: number): number {
  const offset = periodStart % WPOST_CHALLENGE_WINDOW;
  const remainder = (epoch - offset) % WPOST_CHALLENGE_WINDOW;
  const quantized = remainder === 0 ? epoch : epoch - remainder + WPOST_CHALLENGE_WINDOW;
  return quantized + WPOST_CHALLENGE_WINDOW - 1;
}

const proveParams = (activations: unknown[], options: { requireActivation?: boolean; requireNotification?: boolean } = {}) => [
  activations,
  activations.map(() => new Uint8Array([1])),
  new Uint8Array(),
  null,
  options.requireActivation ?? false,
  options.requireNotification ?? false,
];

const powerOf = (h: MinerHarness) => claimOf(h.state.getActor(POWER_ACTOR_ID)!.power!, MINER)!;

async function preCommitted(h: MinerHarness, sectors: number[]) {
  const sent = await h.send(OWNER, MINER, 28, [sectors.map((n) => precommit(h, n))], 20n * FIL);
  assert.equal(sent.exitCode, 0);
  h.epoch += PRE_COMMIT_CHALLENGE_DELAY + 1;
}

describe('PreCommitSectorBatch2 (28)', () => {
  test('locks a deposit per sector, allocates the numbers and schedules the clean-up', async () => {
    const h = await minerHarness();
    const sent = await h.send(OWNER, MINER, 28, [[precommit(h, 100), precommit(h, 101)]], 5n * FIL);
    assert.equal(sent.exitCode, 0);
    const m = h.miner();
    assert.deepEqual([...m.precommits.keys()], [100, 101]);
    assert.equal(m.preCommitDeposits, 2n * PLEDGE_32GIB);
    assert.ok(m.allocatedSectors.includes(100));
    // A number cannot be used twice.
    assert.equal((await h.send(OWNER, MINER, 28, [[precommit(h, 100)]])).exitCode, ExitCode.ErrIllegalArgument);
  });

  test('rejects what builtin-actors rejects', async () => {
    const h = await minerHarness();
    const stranger = h.accounts[0];
    assert.equal((await h.send(stranger, MINER, 28, [[precommit(h, 100)]], 5n * FIL)).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(OWNER, MINER, 28, [[]])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, 28, [[precommit(h, 100), precommit(h, 100)]], 5n * FIL)).exitCode, ExitCode.ErrIllegalArgument);
    const wrongProof = precommit(h, 100);
    wrongProof[0] = 9; // a 64 GiB seal proof on a 32 GiB miner
    // builtin-actors' message as it prints it: the literal %d, the sector's Window PoSt type (64 GiB
    // V1P1, 14), then the miner's (32 GiB V1P1, 13) where it says "seal proof type".
    assert.equal((await h.send(OWNER, MINER, 28, [[wrongProof]], 5n * FIL)).exitCode, ExitCode.ErrIllegalArgument);
    const message = { version: 0, to: FilAddress.fromId(MINER), from: FilAddress.fromId(OWNER), nonce: 0, value: 5n * FIL, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method: 28, params: encodeCbor([[wrongProof]]) };
    const refused = await h.executor.call(h.state, message, h.ctx());
    assert.deepEqual([refused.exitCode, refused.error], [ExitCode.ErrIllegalArgument, 'sector Window PoSt proof type %d must match miner Window PoSt proof type 14 (seal proof type 13)']);
    const future = precommit(h, 100);
    future[3] = h.epoch;
    assert.equal((await h.send(OWNER, MINER, 28, [[future]], 5n * FIL)).exitCode, ExitCode.ErrIllegalArgument);
    const short = precommit(h, 100);
    short[5] = h.epoch + 1000;
    assert.equal((await h.send(OWNER, MINER, 28, [[short]], 5n * FIL)).exitCode, ExitCode.ErrIllegalArgument);
    // No funds for the deposit.
    assert.equal((await h.send(OWNER, MINER, 28, [[precommit(h, 100)]])).exitCode, ExitCode.ErrInsufficientFunds);
    // Builtin callers only: an f1 message uses the internal number 28, there is no exported one.
    assert.equal(h.miner().precommits.size, 0);
  });

  test('a pre-commit never proven is removed by the cron at the end of the deadline its clean-up epoch quantizes up to, its deposit burnt', async () => {
    const h = await minerHarness();
    await h.send(OWNER, MINER, 28, [[precommit(h, 100)]], 5n * FIL);
    const burnt = h.balance(99);
    const due = cleanUpEnd(h.epoch + MAX_PROVE_COMMIT_DURATION + 8 * 120, provingPeriodStart(h.epoch, h.miner().provingPeriodOffset));
    await h.advanceTo(due);
    assert.equal(h.miner().precommits.size, 1);
    await h.advanceTo(due + 1);
    assert.equal(h.miner().precommits.size, 0);
    assert.equal(h.miner().preCommitDeposits, 0n);
    assert.equal(h.balance(99) - burnt, PLEDGE_32GIB);
  });
});

describe("The deadline cron (builtin-actors' deadline_cron_active, StateReadState's DeadlineCronActive)", () => {
  const cronActive = (h: MinerHarness, miner = MINER) => (minerStateValue(h.miner(miner), h.epoch) as unknown[]).at(-1);

  test('a pre-commit starts it: a miner that has only pre-committed shows it active', async () => {
    const h = await minerHarness();
    const [owner] = h.accounts;
    const miner = await createMiner(h, owner!, CREATE_MINER_DEPOSIT + 5n * FIL);
    // Its creation deposit is locked, but it has not pre-committed.
    assert.equal(cronActive(h, miner), false);
    assert.equal((await h.send(owner!, miner, 28, [[precommit(h, 1, { miner })]])).exitCode, ExitCode.Ok);
    assert.equal(cronActive(h, miner), true);
  });

  test('a pre-commit that expires with nothing else locked stops it at the deadline end that cleans it up, until the next pre-commit', async () => {
    // A genesis provider (its sectors pre-committed at genesis) that has nothing locked: no rewards, and
    // its pre-seal pledge (1 attoFIL a sector) gone, as once its sectors have expired.
    const h = await minerHarness();
    h.depositWithdrawn();
    const provider = h.state.getActor(MINER)!;
    h.state.putActor({ ...provider, balance: 0n, miner: { ...h.miner(), initialPledge: 0n } });
    assert.equal(h.miner().lockedFunds ?? 0n, 0n);
    await h.send(OWNER, MINER, 28, [[precommit(h, 100)]], 5n * FIL);
    const due = cleanUpEnd(h.epoch + MAX_PROVE_COMMIT_DURATION + 8 * 120, provingPeriodStart(h.epoch, h.miner().provingPeriodOffset));
    await h.advanceTo(due);
    assert.equal(cronActive(h), true);
    await h.advanceTo(due + 1);
    assert.equal(h.miner().preCommitDeposits, 0n);
    assert.equal(cronActive(h), false);
    assert.equal((await h.send(OWNER, MINER, 28, [[precommit(h, 101)]], 5n * FIL)).exitCode, 0);
    assert.equal(cronActive(h), true);
  });

  test('a message that leaves nothing locked stops it at the end of that deadline, not at once', async () => {
    // Only vesting funds locked (no pre-seal pledge, no pre-commit deposit), held in its balance, and a fee debt of all of them.
    const h = await minerHarness();
    h.depositWithdrawn();
    const { state: vesting } = addLockedFunds({ ...h.miner(), initialPledge: 0n }, h.epoch, FIL);
    const provider = h.state.getActor(MINER)!;
    h.state.putActor({ ...provider, balance: provider.balance + FIL, miner: { ...vesting, feeDebt: FIL } });
    assert.equal(cronActive(h), true);
    // RepayDebt draws the debt from the vesting funds first (repay_partial_debt_in_priority_order).
    assert.equal((await h.send(OWNER, MINER, methodNumber('RepayDebt'))).exitCode, ExitCode.Ok);
    assert.deepEqual([h.miner().lockedFunds, h.miner().feeDebt], [0n, 0n]);
    const end = deadlineEndAfter(h.epoch - 1, h.miner().provingPeriodOffset);
    assert.equal(cronActive(h), true);
    await h.advanceTo(end);
    assert.equal(cronActive(h), true);
    await h.advanceTo(end + 1);
    assert.equal(cronActive(h), false);
  });

  test('a state file written before the flag was kept: on for a miner that has pre-committed and still has something locked', async () => {
    const h = await minerHarness();
    h.depositWithdrawn();
    // A miner's state as such a file holds it: no flag (the genesis provider's own is on), and here no pre-seal pledge.
    const { deadlineCronActive: written, ...old } = { ...h.miner(), allocatedSectors: [100], initialPledge: 0n };
    assert.equal(written, true);
    assert.equal(deadlineCronActive({ ...old, preCommitDeposits: FIL }), true);
    assert.equal(deadlineCronActive({ ...old, lockedFunds: FIL }), true);
    assert.equal(deadlineCronActive(old), false);
    assert.equal(deadlineCronActive({ ...old, allocatedSectors: [], lockedFunds: FIL }), false);
  });
});

describe('ProveCommitSectors3 (34)', () => {
  test('committed capacity: the sector goes on chain with pledge and power; the deposit is released', async () => {
    const h = await minerHarness();
    await preCommitted(h, [100]);
    const before = powerOf(h);
    const proven = await h.send(OWNER, MINER, 34, proveParams([[100, []]]));
    assert.equal(proven.exitCode, 0);
    assert.deepEqual(proven.value, [1, []]);
    const m = h.miner();
    const sector = m.sectors.get(100)!;
    assert.equal(sector.activation, h.epoch);
    assert.equal(sector.dealWeight, 0n);
    assert.equal(sector.initialPledge, PLEDGE_32GIB);
    // Beside its 10 genesis sectors' pre-seal pledge, 1 attoFIL each.
    assert.equal(m.initialPledge, PLEDGE_32GIB + 10n);
    assert.equal(m.preCommitDeposits, 0n);
    assert.equal(m.precommits.size, 0);
    assert.deepEqual(powerOf(h), { rawBytePower: before.rawBytePower + GIB32, qualityAdjPower: before.qualityAdjPower + GIB32 });
    // Beside the two genesis providers' pre-seal pledge, 1 attoFIL a sector.
    assert.equal(h.state.getActor(POWER_ACTOR_ID)!.power!.totalPledgeCollateral, NETWORK_LOCKED_REWARDS + PLEDGE_32GIB + 20n);
  });

  test('verified pieces are claimed at verifreg, counted 10×, and every notify receiver hears of its pieces', async (t) => {
    const h = await minerHarness();
    const verifreg = double(t, 'verifiedregistry', {
      // [sector_results: BatchReturn, sector_claims: [claimed_space]]
      9: (_rt, params) => {
        const [sectors] = params as [unknown[][]];
        return [[sectors.length, []], sectors.map((s) => encodeBigInt((s[2] as unknown[][]).reduce((sum, c) => sum + BigInt(c[3] as number), 0n)))];
      },
    });
    const market = double(t, 'storagemarket', {
      [SECTOR_CONTENT_CHANGED]: (_rt, params) => (params as unknown[][]).map((s) => (s[2] as unknown[]).map(() => true)),
    });
    await preCommitted(h, [100]);
    const half = Number(GIB32 / 2n);
    const f05 = FilAddress.fromId(MARKET_ACTOR_ID).bytes;
    const pieces = [
      [pieceCid('verified'), half, [h.accounts[0], 7], [[f05, encodeCbor(11)]]],
      [pieceCid('plain'), half, null, [[f05, encodeCbor(12)]]],
    ];
    const proven = await h.send(OWNER, MINER, 34, proveParams([[100, pieces]], { requireNotification: true }), 10n * FIL);
    assert.equal(proven.exitCode, 0, JSON.stringify(proven));
    assert.deepEqual(verifreg.calls[0].params, [[[100, h.miner().sectors.get(100)!.expiration, [[h.accounts[0], 7, pieceCid('verified'), half]]]], false]);
    assert.equal(verifreg.calls[0].caller, MINER);
    const expiration = h.miner().sectors.get(100)!.expiration;
    assert.deepEqual(market.calls[0].params, [[100, expiration, [[pieceCid('verified'), half, encodeCbor(11)], [pieceCid('plain'), half, encodeCbor(12)]]]]);
    const sector = h.miner().sectors.get(100)!;
    const duration = BigInt(expiration - h.epoch);
    assert.equal(sector.verifiedDealWeight, BigInt(half) * duration);
    assert.equal(sector.dealWeight, BigInt(half) * duration);
    // QA = raw + 9 × verified space.
    const qa = GIB32 + 9n * BigInt(half);
    assert.equal(powerOf(h).qualityAdjPower - powerOf(h).rawBytePower, qa - GIB32);
    assert.equal(sector.initialPledge, qa * PLEDGE_PER_BYTE);
  });

  test('a rejected notification aborts with 1004 under require_notification_success, and is ignored otherwise', async (t) => {
    const h = await minerHarness();
    double(t, 'storagemarket', { [SECTOR_CONTENT_CHANGED]: (_rt, params) => (params as unknown[][]).map((s) => (s[2] as unknown[]).map(() => false)) });
    await preCommitted(h, [100]);
    const f05 = FilAddress.fromId(MARKET_ACTOR_ID).bytes;
    const pieces = [[pieceCid('a'), 2048, null, [[f05, encodeCbor(1)]]]];
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, pieces]], { requireNotification: true }), 2n * FIL)).exitCode, 1004);
    assert.equal(h.miner().sectors.has(100), false);
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, pieces]]), 2n * FIL)).exitCode, 0);
    assert.equal(h.miner().sectors.get(100)!.hasData, true);
  });

  test('a receiver that aborts gives 1002; one with no answer gives 1003', async (t) => {
    const h = await minerHarness();
    await preCommitted(h, [100]);
    // An account accepts the method but answers nothing.
    const account = FilAddress.fromId(h.accounts[1]).bytes;
    const pieces = [[pieceCid('a'), 2048, null, [[account, new Uint8Array()]]]];
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, pieces]], { requireNotification: true }), 2n * FIL)).exitCode, 1003);
    double(t, 'storagemarket', {
      [SECTOR_CONTENT_CHANGED]: () => {
        throw new ActorError(ExitCode.ErrIllegalArgument, 'no');
      },
    });
    const f05 = FilAddress.fromId(MARKET_ACTOR_ID).bytes;
    const toMarket = [[pieceCid('a'), 2048, null, [[f05, encodeCbor(1)]]]];
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, toMarket]], { requireNotification: true }), 2n * FIL)).exitCode, 1002);
  });

  test('a failed ClaimAllocations fails the message', async (t) => {
    const h = await minerHarness();
    const verifreg = double(t, 'verifiedregistry', {
      9: () => {
        throw new ActorError(ExitCode.ErrIllegalArgument, 'claim failed with all-or-nothing');
      },
    });
    await preCommitted(h, [100]);
    const verified = [[pieceCid('a'), 2048, [h.accounts[0], 1], []]];
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, verified]], { requireActivation: true }), 2n * FIL)).exitCode, ExitCode.ErrIllegalArgument);
    assert.deepEqual((verifreg.calls[0].params as unknown[])[1], true);
    assert.equal(h.miner().sectors.has(100), false);
  });

  test('checks: caller, timing, proofs, pledge funds, pieces that do not fit', async () => {
    const h = await minerHarness();
    await h.send(OWNER, MINER, 28, [[precommit(h, 100), precommit(h, 101)]], 2n * FIL);
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, []]]))).exitCode, ExitCode.ErrForbidden, 'too early');
    h.epoch += PRE_COMMIT_CHALLENGE_DELAY + 1;
    assert.equal((await h.send(h.accounts[0], MINER, 34, proveParams([[100, []]]))).exitCode, ExitCode.ErrForbidden);
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[102, []]]))).exitCode, ExitCode.ErrNotFound);
    assert.equal((await h.send(OWNER, MINER, 34, [[[100, []]], [], new Uint8Array(), null, false, false])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(OWNER, MINER, 34, [[[100, []]], [new Uint8Array([1])], new Uint8Array([1]), null, false, false])).exitCode, ExitCode.ErrIllegalArgument);
    const tooBig = [[pieceCid('a'), Number(GIB32), null, []], [pieceCid('b'), 2048, null, []]];
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, tooBig]]))).exitCode, ExitCode.ErrIllegalArgument);
    // With 1 FIL beside its genesis sectors' pledge and its creation deposit, the miner cannot pledge two sectors (just under 1 FIL each) once their deposits are released.
    const miner = h.state.getActor(MINER)!;
    h.state.putActor({ ...miner, balance: 1n * FIL + h.miner().initialPledge + CREATE_MINER_DEPOSIT });
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, []], [101, []]]))).exitCode, ExitCode.ErrInsufficientFunds);
    // Aggregate proofs must be SnarkPackV2 (1).
    const aggregate = [[[100, []]], [], new Uint8Array([1]), 1, false, false];
    assert.equal((await h.send(OWNER, MINER, 34, aggregate, FIL)).exitCode, 0);
  });

  test('a sector proven twice in one message aborts it with 20 (illegal state), as builtin-actors\' delete_precommitted_sectors does; nothing changes', async () => {
    const h = await minerHarness();
    await preCommitted(h, [100, 101]);
    const before = { miner: h.miner(), power: powerOf(h) };
    const proven = await h.send(OWNER, MINER, 34, proveParams([[100, []], [101, []], [100, []]]));
    assert.equal(proven.exitCode, ExitCode.ErrIllegalState);
    assert.deepEqual(h.miner(), before.miner);
    assert.deepEqual(powerOf(h), before.power);
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, []], [101, []]]))).exitCode, 0);
  });

  test('pre-commits with deal IDs fail validation (the market path of old); the rest of the batch goes on', async () => {
    const h = await minerHarness();
    await h.send(OWNER, MINER, 28, [[precommit(h, 100, { dealIds: [5] }), precommit(h, 101)]], 5n * FIL);
    h.epoch += PRE_COMMIT_CHALLENGE_DELAY + 1;
    const proven = await h.send(OWNER, MINER, 34, proveParams([[100, []], [101, []]]));
    assert.deepEqual(proven.value, [1, [[0, ExitCode.ErrIllegalArgument]]]);
    assert.deepEqual([...h.miner().sectors.keys()].filter((n) => n >= 100), [101]);
    assert.equal((await h.send(OWNER, MINER, 34, proveParams([[100, []]]))).exitCode, ExitCode.ErrIllegalArgument);
  });
});

describe('FIP-0100 daily fee', () => {
  /** A miner whose tipsets carry the circulating supply `supply`, with `sectors` proven (100 by default). */
  async function provenWithSupply(supply: bigint, sectors = [100]) {
    const h = await minerHarness();
    const ctx = h.ctx;
    h.ctx = () => ({ ...ctx(), circulatingSupply: () => supply });
    await preCommitted(h, sectors);
    assert.equal((await h.send(OWNER, MINER, 34, proveParams(sectors.map((n) => [n, []])))).exitCode, 0);
    const sector = h.miner().sectors.get(sectors[0]!)!;
    // Charged at the close of the sector's deadline (builtin-actors v18 handle_proving_deadline), its last epoch.
    const closeOf = (n: number) => nextDeadlineOccurrence(h.miner().provingPeriodOffset, h.miner().sectors.get(n)!.deadline, h.epoch).last;
    return { h, sector, due: closeOf(sectors[0]!), closeOf };
  }

  test('is fixed at onboarding from the circulating supply and the power, and charged at the close of its deadline once a proving period', async () => {
    const supply = 10n ** 9n * FIL;
    const { h, sector, due } = await provenWithSupply(supply);
    // builtin-actors miner/src/policy.rs daily_proof_fee: 161 817 × 10^-30 of the supply per QA byte.
    assert.equal(sector.dailyFee, (161_817n * supply * GIB32) / 10n ** 30n);
    const burnt = h.balance(99);
    await h.advanceTo(due);
    assert.equal(h.balance(99), burnt, 'nothing before the deadline ends');
    await h.advanceTo(due + 1);
    assert.equal(h.balance(99) - burnt, sector.dailyFee);
    await h.advanceTo(due + WPOST_PROVING_PERIOD + 1);
    assert.equal(h.balance(99) - burnt, 2n * sector.dailyFee, 'again a proving period later');
  });

  test('is capped at half the day\'s expected reward of the power (1/40 of its pledge here); unknown supply (a fork, a call) is no fee', async () => {
    const { h, sector, due } = await provenWithSupply(10n ** 13n * FIL);
    assert.ok(sector.dailyFee > PLEDGE_32GIB / 40n);
    const burnt = h.balance(99);
    await h.advanceTo(due + 1);
    assert.equal(h.balance(99) - burnt, PLEDGE_32GIB / 40n);
    const plain = await minerHarness();
    await preCommitted(plain, [100]);
    await plain.send(OWNER, MINER, 34, proveParams([[100, []]]));
    assert.equal(plain.miner().sectors.get(100)!.dailyFee, 0n);
  });

  test('each deadline pays at its own close, not all at the proving period\'s end', async () => {
    // Sectors 100 and 101 are in deadlines 4 and 5 (number mod 48).
    const { h, closeOf } = await provenWithSupply(10n ** 9n * FIL, [100, 101]);
    const fee = (n: number) => h.miner().sectors.get(n)!.dailyFee;
    const [first, second] = [closeOf(100), closeOf(101)].sort((a, b) => a - b);
    assert.notEqual(first, second);
    const burnt = h.balance(99);
    await h.advanceTo(first + 1);
    const firstSector = closeOf(100) === first ? 100 : 101;
    const secondSector = firstSector === 100 ? 101 : 100;
    assert.equal(h.balance(99) - burnt, fee(firstSector), 'only the deadline that closed');
    assert.deepEqual(h.miner().dailyFeeDeadlines, [4, 5]);
    await h.advanceTo(second + 1);
    assert.equal(h.balance(99) - burnt, fee(100) + fee(101));
    await h.advanceTo(first + WPOST_PROVING_PERIOD + 1);
    assert.equal(h.balance(99) - burnt, 2n * fee(firstSector) + fee(secondSector), 'a proving period later, the first again');
    assert.equal(h.miner().faultCronEpoch, undefined, 'no period-end event: no sector is faulty');
  });

  test('a chain saved while the fee was charged at the period\'s end pays it there once more, then at its deadline\'s close', async () => {
    const { h, sector, due } = await provenWithSupply(10n ** 9n * FIL);
    // As such a chain holds it: a period-end event, and no deadline's event.
    const periodEnd = provingPeriodStart(h.epoch, h.miner().provingPeriodOffset) + WPOST_PROVING_PERIOD - 1;
    const cron = h.state.getActor(CRON_ACTOR_ID)!;
    h.state.putActor({ ...cron, cron: { queue: [] } });
    enrollCron(h.state, periodEnd, { actor: MINER, event: { type: 'fault-fee' } });
    const { dailyFeeDeadlines: _, ...saved } = h.miner();
    h.state.putActor({ ...h.state.getActor(MINER)!, miner: { ...saved, faultCronEpoch: periodEnd } });
    const burnt = h.balance(99);
    await h.advanceTo(periodEnd + 1);
    assert.equal(h.balance(99) - burnt, sector.dailyFee, 'the period that ended');
    assert.deepEqual(h.miner().dailyFeeDeadlines, [sector.deadline]);
    const next = due > periodEnd ? due : due + WPOST_PROVING_PERIOD;
    await h.advanceTo(next + 1);
    assert.equal(h.balance(99) - burnt, 2n * sector.dailyFee, 'then at its deadline\'s close');
  });
});
