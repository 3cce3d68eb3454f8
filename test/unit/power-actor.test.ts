// The power actor (f04) through the Executor: CreateMiner (2 / FRC-42) and the exported getters,
// UpdateClaimedPower's caller check, CurrentTotalPower.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { decodeBigInt, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { postProofName, provingPeriodStart } from '../../src/fevm/actors/miner/policy.js';
import { addPledgeTotal, CREATE_MINER_DEPOSIT, EMPTY_POWER_STATE } from '../../src/fevm/actors/power.js';
import { ActorError, methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { FIL, MINER, OTHER_MINER, minerHarness } from '../helpers/miner-harness.js';

const TEN_SECTORS = 10n * (32n << 30n);
const m = (name: string) => methodNumber(name);
const id = (n: number) => FilAddress.fromId(n).bytes;

describe('power getters', () => {
  test('counts, network and miner power, with FRC-42 numbers', async () => {
    const h = await minerHarness();
    const caller = h.accounts[0];
    assert.equal((await h.send(caller, POWER_ACTOR_ID, m('MinerCount'))).value, 2);
    assert.equal((await h.send(caller, POWER_ACTOR_ID, m('MinerConsensusCount'))).value, 2);
    assert.equal(decodeBigInt((await h.send(caller, POWER_ACTOR_ID, m('NetworkRawPower'))).value as Uint8Array), 2n * TEN_SECTORS);
    assert.deepEqual((await h.send(caller, POWER_ACTOR_ID, m('MinerRawPower'), MINER)).value, [encodeBigInt(TEN_SECTORS), true]);
    assert.deepEqual((await h.send(caller, POWER_ACTOR_ID, m('MinerPower'), OTHER_MINER)).value, [encodeBigInt(TEN_SECTORS), encodeBigInt(TEN_SECTORS)]);
    assert.equal((await h.send(caller, POWER_ACTOR_ID, m('MinerRawPower'), 9999)).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(caller, POWER_ACTOR_ID, m('MinerPower'), 9999)).exitCode, ExitCode.ErrNotFound);
  });

  test('UpdateClaimedPower (3) is for miners only; CurrentTotalPower (9) is internal', async () => {
    const h = await minerHarness();
    const sent = await h.send(h.accounts[0], POWER_ACTOR_ID, 3, [encodeBigInt(1n), encodeBigInt(1n)]);
    assert.equal(sent.exitCode, ExitCode.ErrForbidden);
    const total = (await h.send(h.accounts[0], POWER_ACTOR_ID, 9)).value as unknown[];
    assert.equal(decodeBigInt(total[0] as Uint8Array), 2n * TEN_SECTORS);
    assert.equal(decodeBigInt(total[1] as Uint8Array), 2n * TEN_SECTORS);
  });
});

describe('CreateMiner', () => {
  test('creates a miner with an f2 address, forwards the value and adds an empty claim', async () => {
    const h = await minerHarness();
    const [owner] = h.accounts;
    const params = [id(owner), id(h.blsAccount()), 13, new Uint8Array([0, 1, 2]), [new Uint8Array([4, 1])]];
    const created = await h.send(owner, POWER_ACTOR_ID, m('CreateMiner'), params, 3n * FIL);
    assert.equal(created.exitCode, 0);
    const [idBytes, robustBytes] = created.value as [Uint8Array, Uint8Array];
    const minerId = FilAddress.fromBytes(idBytes).id!;
    const robust = FilAddress.fromBytes(robustBytes);
    assert.equal(robust.protocol, Protocol.Actor);
    assert.equal(h.state.lookupId(robust), minerId);
    const actor = h.state.getActor(minerId)!;
    assert.equal(actor.kind, 'storageminer');
    assert.equal(actor.balance, 3n * FIL);
    assert.equal(actor.miner!.owner, owner);
    assert.equal(actor.miner!.sectorSize, 32n << 30n);
    assert.equal((await h.send(owner, POWER_ACTOR_ID, m('MinerCount'))).value, 3);
    assert.deepEqual((await h.send(owner, POWER_ACTOR_ID, m('MinerRawPower'), minerId)).value, [new Uint8Array(), false]);
    // The legacy number works too; a second miner gets another f2.
    const again = await h.send(owner, POWER_ACTOR_ID, 2, params, CREATE_MINER_DEPOSIT);
    assert.notDeepEqual((again.value as Uint8Array[])[1], robustBytes);
  });

  test('checks the proof type, the owner and the worker', async () => {
    const h = await minerHarness();
    const [owner] = h.accounts;
    const send = h.send;
    // Each with the creation deposit, which builtin-actors checks before the owner and the worker.
    h.send = (from, to, method, params, value = CREATE_MINER_DEPOSIT) => send(from, to, method, params, value);
    assert.equal((await h.send(owner, POWER_ACTOR_ID, 2, [id(owner), id(owner), 3, new Uint8Array(), []])).exitCode, ExitCode.ErrIllegalArgument);
    // U98: the refused type named as builtin-actors prints it ({:?} of fvm_shared 4's RegisteredPoStProof):
    // a Winning PoSt type by its name; 8, the V1 32 GiB Window PoSt type (filecoin-solidity's
    // StackedDRGWindow32GiBV1), left the enum and is Invalid(8), as is any unknown number.
    for (const [proofType, name] of [[3, 'StackedDRGWinning32GiBV1'], [8, 'Invalid(8)'], [99, 'Invalid(99)']] as const) {
      const params = encodeCbor([id(owner), id(h.blsAccount()), proofType, new Uint8Array(), []]);
      const message = { version: 0, to: FilAddress.fromId(POWER_ACTOR_ID), from: FilAddress.fromId(owner), nonce: 0, value: CREATE_MINER_DEPOSIT, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method: 2, params };
      const refused = await h.executor.call(h.state, message, h.ctx());
      assert.deepEqual([refused.exitCode, refused.error], [ExitCode.ErrIllegalArgument, `proof type ${name} not allowed for new miner actors`]);
    }
    assert.equal(postProofName(13), 'StackedDRGWindow32GiBV1P1');
    // An owner key address with no actor behind it does not resolve.
    const unknown = FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(7)).bytes;
    assert.equal((await h.send(owner, POWER_ACTOR_ID, 2, [unknown, id(owner), 13, new Uint8Array(), []])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(owner, POWER_ACTOR_ID, 2, [id(owner), id(MINER), 13, new Uint8Array(), []])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await h.send(owner, POWER_ACTOR_ID, 2, [id(owner), id(owner), 13, new Uint8Array(200), []])).exitCode, ExitCode.ErrIllegalArgument);
    // fidaudit2 G4: the worker must be a BLS account (builtin-actors v18 actors/miner/src/lib.rs
    // resolve_worker_address): an f1 account by its ID is asked for its key and refused (16); an f3 passes.
    assert.equal((await h.send(owner, POWER_ACTOR_ID, 2, [id(owner), id(owner), 13, new Uint8Array(), []])).exitCode, ExitCode.ErrIllegalArgument);
    const bls = h.blsAccount();
    assert.equal((await h.send(owner, POWER_ACTOR_ID, 2, [id(owner), id(bls), 13, new Uint8Array(), []])).exitCode, 0);
    assert.equal((await h.send(owner, POWER_ACTOR_ID, 2, [id(owner), h.state.getActor(bls)!.robust!.bytes, 13, new Uint8Array(), []])).exitCode, 0);
  });

  // fidaudit6 D4: FIP-0077 (builtin-actors v17+ miner constructor, calculate_create_miner_deposit).
  test('needs the creation deposit, which the new miner locks, vesting over 180 days as block rewards do', async () => {
    const h = await minerHarness();
    const [owner] = h.accounts;
    const params = [id(owner), id(h.blsAccount()), 13, new Uint8Array(), []];
    // The pledge of a tenth of the consensus minimum (204 bytes of 2 KiB) at builtin-actors' cap, 1 FIL / 32 GiB
    // floored to 29 103 830 attoFIL a byte before the power multiplies it (monies.rs INITIAL_PLEDGE_MAX_PER_BYTE),
    // as a Lotus 2k genesis miner locks it; flooring once, 204 FIL / 32 GiB, is 93 attoFIL more (5 937 181 413).
    assert.equal(CREATE_MINER_DEPOSIT, 5_937_181_320n);
    for (const value of [0n, CREATE_MINER_DEPOSIT - 1n]) {
      const refused = await h.send(owner, POWER_ACTOR_ID, 2, params, value);
      assert.equal(refused.exitCode, ExitCode.ErrInsufficientFunds);
    }
    const created = await h.send(owner, POWER_ACTOR_ID, 2, params, FIL);
    assert.equal(created.exitCode, 0);
    const minerId = FilAddress.fromBytes((created.value as Uint8Array[])[0]!).id!;
    const miner = h.miner(minerId);
    assert.equal(miner.lockedFunds, CREATE_MINER_DEPOSIT);
    const funds = miner.vestingFunds!;
    assert.equal(funds.reduce((sum, f) => sum + f.amount, 0n), CREATE_MINER_DEPOSIT);
    // A step a day on the proving period's 12-hour marks, the last 180 days on at most.
    const periodStart = provingPeriodStart(h.epoch, miner.provingPeriodOffset);
    assert.ok(funds.every((f, i) => (f.epoch - periodStart) % 1440 === 0 && (i === 0 || f.epoch - funds[i - 1]!.epoch === 2880)));
    assert.ok(funds[0]!.epoch > h.epoch + 2880 - 1 && funds[0]!.epoch <= h.epoch + 2880 + 1440);
    assert.ok(funds.at(-1)!.epoch >= h.epoch + 180 * 2880 && funds.at(-1)!.epoch < h.epoch + 181 * 2880);
    // Locked: available is what was sent less the deposit.
    assert.equal(decodeBigInt((await h.send(owner, minerId, m('GetAvailableBalance'))).value as Uint8Array), FIL - CREATE_MINER_DEPOSIT);
  });
});

// builtin-actors actors/power/src/lib.rs update_pledge_total (b0a3bdd6): the total may reach zero, never below.
describe('UpdatePledgeTotal', () => {
  test('refuses a change that would take the total below zero, with USR_ILLEGAL_STATE and builtin-actors\' message, its amount in attoFIL where builtin-actors prints FIL (X2)', () => {
    const state = { ...EMPTY_POWER_STATE, totalPledgeCollateral: 20n };
    assert.equal(addPledgeTotal(state, -20n).totalPledgeCollateral, 0n);
    assert.throws(
      () => addPledgeTotal(state, -21n),
      (e: unknown) => e instanceof ActorError && e.exitCode === ExitCode.ErrIllegalState && e.message === 'negative total pledge collateral -1',
    );
  });
});
