// The miner's sector status methods of actors v18 (nv28) through the Executor, from an f1 account as
// any caller may: GenerateSectorLocation, ValidateSectorStatus and GetNominalSectorExpiration on
// every state a sector number can be in (unknown, pre-committed, committed, faulty, terminated,
// expired), and the exit codes builtin-actors v18 gives bad params (actors/miner/src/lib.rs, types.rs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { PRE_COMMIT_CHALLENGE_DELAY, deadlineEndAtOrAfter } from '../../src/fevm/actors/miner/policy.js';
import { declarationsFor, nextDeadlineOccurrence } from '../../src/fevm/actors/miner/proving.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { FIL, MINER, OWNER, double, expireAt, minerHarness, precommit, type MinerHarness } from '../helpers/miner-harness.js';

// The FRC-42 numbers builtin-actors v18 exports them under.
const GENERATE = 1321604665;
const VALIDATE = 3092458564;
const NOMINAL = 3010055991;
const DEAD = 0;
const ACTIVE = 1;
const FAULTY = 2;
const NO_LOCATION = encodeCbor([-1, -1]);

async function locate(h: MinerHarness, sector: number): Promise<{ status: number; auxData: Uint8Array; location: unknown }> {
  const sent = await h.send(h.accounts[0], MINER, GENERATE, [sector]);
  assert.equal(sent.exitCode, 0);
  const [status, auxData] = sent.value as [number, Uint8Array];
  return { status, auxData, location: decodeCbor(auxData) };
}

async function validate(h: MinerHarness, sector: number, status: number, auxData: Uint8Array): Promise<{ exitCode: number; valid?: boolean }> {
  const sent = await h.send(h.accounts[0], MINER, VALIDATE, [sector, status, auxData]);
  return sent.exitCode === 0 ? { exitCode: 0, valid: sent.value as boolean } : { exitCode: sent.exitCode };
}

/** Which statuses ValidateSectorStatus confirms at a location: exactly one, or none for a sector not there. */
async function confirmed(h: MinerHarness, sector: number, auxData: Uint8Array): Promise<number[]> {
  const valid: number[] = [];
  for (const status of [DEAD, ACTIVE, FAULTY]) {
    const answer = await validate(h, sector, status, auxData);
    assert.equal(answer.exitCode, 0, `status ${status}`);
    if (answer.valid) valid.push(status);
  }
  return valid;
}

const nominal = (h: MinerHarness, sector: unknown) => h.send(h.accounts[0], MINER, NOMINAL, sector);

describe('sector status methods (actors v18)', () => {
  test('their FRC-42 numbers are builtin-actors v18 method_hash! of their names', () => {
    assert.equal(methodNumber('GenerateSectorLocation'), GENERATE);
    assert.equal(methodNumber('ValidateSectorStatus'), VALIDATE);
    assert.equal(methodNumber('GetNominalSectorExpiration'), NOMINAL);
  });

  test('a proven sector: Active at its deadline and partition, its expiration from the sectors AMT', async () => {
    const h = await minerHarness();
    const sector = h.miner().sectors.get(3)!;
    const found = await locate(h, 3);
    assert.equal(found.status, ACTIVE);
    assert.deepEqual(found.location, [sector.deadline, sector.partition]);
    assert.deepEqual(await confirmed(h, 3, found.auxData), [ACTIVE]);
    assert.deepEqual(await nominal(h, 3), { exitCode: 0, value: sector.expiration });
    // Another sector's location does not hold this one.
    const other = h.miner().sectors.get(4)!;
    assert.notEqual(other.deadline, sector.deadline);
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor([other.deadline, other.partition]))).exitCode, ExitCode.ErrNotFound);
  });

  test('a faulty sector is Faulty until it recovers; a recovered one Active again', async () => {
    const h = await minerHarness();
    assert.equal((await h.send(OWNER, MINER, 10, declarationsFor(h.miner(), [2]))).exitCode, 0);
    const found = await locate(h, 2);
    assert.equal(found.status, FAULTY);
    assert.deepEqual(await confirmed(h, 2, found.auxData), [FAULTY]);
    assert.equal((await h.send(OWNER, MINER, 11, declarationsFor(h.miner(), [2]))).exitCode, 0);
    // Recovering: still among the partition's faults until its deadline's next (simulated) Window PoSt.
    assert.equal((await locate(h, 2)).status, FAULTY);
    await h.advanceTo(nextDeadlineOccurrence(h.miner().provingPeriodOffset, h.miner().sectors.get(2)!.deadline, h.epoch).last + 1);
    assert.equal((await locate(h, 2)).status, ACTIVE);
    assert.deepEqual(await confirmed(h, 2, found.auxData), [ACTIVE]);
  });

  test('a terminated sector stays in the AMT and its partition: Dead there, its nominal expiration unchanged', async (t) => {
    const h = await minerHarness();
    double(t, 'storagemarket', { 7: () => undefined });
    const sector = h.miner().sectors.get(5)!;
    const before = await locate(h, 5);
    // A faulty sector terminated is dead, not faulty.
    assert.equal((await h.send(OWNER, MINER, 10, declarationsFor(h.miner(), [5]))).exitCode, 0);
    assert.equal((await h.send(OWNER, MINER, 9, declarationsFor(h.miner(), [5]))).exitCode, 0);
    const after = await locate(h, 5);
    assert.equal(after.status, DEAD);
    assert.deepEqual(after.location, before.location);
    // A location found while it lived still names it: a contract that kept it learns it died.
    assert.deepEqual(await confirmed(h, 5, before.auxData), [DEAD]);
    assert.deepEqual(await nominal(h, 5), { exitCode: 0, value: sector.expiration });
    // No location cannot vouch for a sector the AMT holds.
    assert.equal((await validate(h, 5, DEAD, NO_LOCATION)).exitCode, ExitCode.ErrNotFound);
  });

  test('an expired sector is Dead at its location', async () => {
    const h = await minerHarness();
    expireAt(h, 3, 50);
    const before = await locate(h, 3);
    // It leaves at the end of its deadline at or after its expiration (fidaudit6 D5).
    await h.advanceTo(deadlineEndAtOrAfter(50, h.miner().provingPeriodOffset, h.miner().sectors.get(3)!.deadline) + 1);
    assert.equal(h.miner().sectors.has(3), false);
    const after = await locate(h, 3);
    assert.equal(after.status, DEAD);
    assert.deepEqual(after.location, before.location);
    assert.deepEqual(await confirmed(h, 3, before.auxData), [DEAD]);
    assert.deepEqual(await nominal(h, 3), { exitCode: 0, value: 50 });
  });

  test('a pre-committed sector is not in the AMT yet; once committed it is Active in its partition', async () => {
    const h = await minerHarness();
    const params = precommit(h, 100);
    const expiration = params[5] as number;
    assert.equal((await h.send(OWNER, MINER, 28, [[params]], 20n * FIL)).exitCode, 0);
    const pending = await locate(h, 100);
    assert.equal(pending.status, DEAD);
    assert.deepEqual(pending.location, [-1, -1]);
    assert.deepEqual(await confirmed(h, 100, NO_LOCATION), [DEAD]);
    assert.equal((await nominal(h, 100)).exitCode, ExitCode.ErrNotFound);

    h.epoch += PRE_COMMIT_CHALLENGE_DELAY + 1;
    const proveParams = [[[100, []]], [new Uint8Array([1])], new Uint8Array(), null, false, false];
    assert.equal((await h.send(OWNER, MINER, 34, proveParams)).exitCode, 0);
    const committed = await locate(h, 100);
    const sector = h.miner().sectors.get(100)!;
    assert.equal(committed.status, ACTIVE);
    assert.deepEqual(committed.location, [sector.deadline, sector.partition]);
    assert.deepEqual(await confirmed(h, 100, committed.auxData), [ACTIVE]);
    assert.deepEqual(await nominal(h, 100), { exitCode: 0, value: expiration });
  });

  test('an unknown sector number: Dead with no location, which proves it dead only', async () => {
    const h = await minerHarness();
    const found = await locate(h, 999);
    assert.equal(found.status, DEAD);
    assert.deepEqual(found.location, [-1, -1]);
    assert.deepEqual(await confirmed(h, 999, found.auxData), [DEAD]);
    assert.equal((await nominal(h, 999)).exitCode, ExitCode.ErrNotFound);
    // Past the safe integers, still a u64: no such sector.
    assert.equal((await h.send(h.accounts[0], MINER, GENERATE, [2n ** 63n])).exitCode, 0);
    assert.equal((await nominal(h, 2n ** 64n - 1n)).exitCode, ExitCode.ErrNotFound);
  });

  test('bad params get builtin-actors exit codes: none 16, undecodable 21, bad aux_data or location 16, nothing there 17', async () => {
    const h = await minerHarness();
    const sector = h.miner().sectors.get(3)!;
    const here = encodeCbor([sector.deadline, sector.partition]);
    const from = h.accounts[0];
    // No params: the dispatcher's "method expects arguments".
    for (const method of [GENERATE, VALIDATE, NOMINAL]) assert.equal((await h.send(from, MINER, method)).exitCode, ExitCode.ErrIllegalArgument);
    // So does every other method that takes params (the dispatcher's rule, not these methods'): the
    // owner's DeclareFaults (10), the market's AddBalance (2).
    assert.equal((await h.send(OWNER, MINER, 10)).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(from, 5, 2)).exitCode, ExitCode.ErrIllegalArgument);
    // Params that do not decode.
    assert.equal((await h.send(from, MINER, GENERATE, 3)).exitCode, ExitCode.ErrSerialization);
    assert.equal((await h.send(from, MINER, GENERATE, [-3])).exitCode, ExitCode.ErrSerialization);
    assert.equal((await h.send(from, MINER, NOMINAL, [3])).exitCode, ExitCode.ErrSerialization);
    assert.equal((await h.send(from, MINER, NOMINAL, -1)).exitCode, ExitCode.ErrSerialization);
    assert.equal((await h.send(from, MINER, VALIDATE, [3, 3, here])).exitCode, ExitCode.ErrSerialization);
    assert.equal((await h.send(from, MINER, VALIDATE, [3, ACTIVE, [sector.deadline, sector.partition]])).exitCode, ExitCode.ErrSerialization);
    assert.equal((await h.send(from, MINER, VALIDATE, [3, ACTIVE])).exitCode, ExitCode.ErrSerialization);
    // aux_data that is no SectorLocation.
    assert.equal((await validate(h, 3, ACTIVE, new Uint8Array([0xff]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor([sector.deadline]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor(['a', 0]))).exitCode, ExitCode.ErrIllegalArgument);
    // A location half NO, or out of range.
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor([-1, 0]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor([0, -1]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor([48, 0]))).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor([-2, 0]))).exitCode, ExitCode.ErrIllegalArgument);
    // No such partition, or the sector not in it.
    assert.equal((await validate(h, 3, ACTIVE, encodeCbor([sector.deadline, 7]))).exitCode, ExitCode.ErrNotFound);
    assert.equal((await validate(h, 999, DEAD, here)).exitCode, ExitCode.ErrNotFound);
    assert.equal((await validate(h, 3, ACTIVE, NO_LOCATION)).exitCode, ExitCode.ErrNotFound);
  });
});
