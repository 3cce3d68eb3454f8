// A genesis state with storage providers and a few funded f1 accounts, and messages applied to it
// through the Executor (no signatures: applyMessage does not check them), for the miner, power and
// reward actor tests. Doubles for the market and verified registry stand in through overrideBuiltinActor.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { CID } from 'multiformats/cid';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { deriveAccounts } from '../../src/devnet/accounts.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { deriveStorageProviderKeys } from '../../src/devnet/storage-providers/keys.js';
import { POWER_ACTOR_ID, type ActorKind } from '../../src/fevm/actor.js';
import { overrideBuiltinActor } from '../../src/fevm/actors/builtin.js';
import { enrollCron } from '../../src/fevm/actors/cron.js';
import { presealCommR } from '../../src/fevm/actors/miner/genesis-sectors.js';
import { MAX_PROVE_COMMIT_DURATION, MIN_SECTOR_EXPIRATION } from '../../src/fevm/actors/miner/policy.js';
import { availableBalance, loadMiner, type FullMinerState } from '../../src/fevm/actors/miner/state.js';
import { methodNumber, methodTable, type ActorRuntime, type BuiltinActor } from '../../src/fevm/actors/runtime.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { Executor } from '../../src/fevm/executor.js';
import type { StateOverlay } from '../../src/fevm/state-tree.js';
import type { ExecutionContext } from '../../src/fevm/types.js';
import { blake2b160 } from '../../src/common/hashes.js';

export const FIL = 10n ** 18n;
export { PLEDGE_32GIB, PLEDGE_PER_BYTE } from './pledge.js';
/**
 * What the power actor's pledge total holds beside the genesis sectors' pre-seal pledge: the locked block
 * rewards of the rest of the chain, as every Lotus epoch adds to them. Without it the genesis providers'
 * creation deposits, which never joined the total, could not vest: their unlocks would take it below zero,
 * which the power actor refuses (X2), and every cron run past their first step would abort.
 */
export const NETWORK_LOCKED_REWARDS = 1_000n * FIL;
const MNEMONIC = 'test test test test test test test test test test test junk';
let executorPromise: Promise<Executor> | undefined;

/** Dev accounts 100–101; provider 0: owner 102, miner 103; provider 1: owner 104, miner 105; f1 accounts from 106. */
export const OWNER = 102;
export const MINER = 103;
export const OTHER_MINER = 105;

export interface Call {
  exitCode: number;
  value: unknown;
  error?: string;
}

export interface MinerHarness {
  executor: Executor;
  state: StateOverlay;
  epoch: number;
  /** f1 accounts funded at genesis, by ID. */
  accounts: number[];
  /** A new f3 (BLS) account, by ID: what builtin-actors takes as a miner's worker. */
  blsAccount(): number;
  ctx(): ExecutionContext;
  /** Applies a message from actor `from` (an account) and decodes its return. */
  send(from: number, to: number | FilAddress, method: number, params?: unknown, value?: bigint): Promise<Call>;
  /** Runs cron (and the block reward) at the current epoch, then moves to the next one. */
  endEpoch(): Promise<void>;
  /** Moves to `epoch`, running cron for every epoch on the way (cron skips empty epochs). */
  advanceTo(epoch: number): Promise<void>;
  miner(id?: number): FullMinerState;
  balance(id: number): bigint;
  /**
   * Leaves a genesis provider's miner as once its creation deposit has vested and its owner has
   * withdrawn it: nothing vesting, its balance less the deposit. For tests of a miner with nothing
   * locked but what they lock.
   */
  depositWithdrawn(id?: number): void;
}

export async function minerHarness(accountCount = 3): Promise<MinerHarness> {
  executorPromise ??= Executor.create(31415926n);
  const executor = await executorPromise;
  const dev = deriveAccounts(MNEMONIC, 2);
  const fund = Array.from({ length: accountCount }, (_, i) => ({
    address: FilAddress.fromPayload(Protocol.Secp256k1, blake2b160(new TextEncoder().encode(`miner-test-${i}`))),
    balance: 1_000n * FIL,
  }));
  const keys = deriveStorageProviderKeys(MNEMONIC, 2);
  const tree = createGenesisState(dev, 1_000n * FIL, [], { keys, ownerBalance: 1_000n * FIL });
  const state = tree.stage();
  // The providers' miners hold only what is locked, as if each owner had withdrawn the rest of what its
  // worker sent at genesis (WithdrawBalance): each test funds what it needs.
  for (const id of [MINER, OTHER_MINER]) {
    const miner = state.getActor(id)!;
    state.putActor({ ...miner, balance: miner.balance - availableBalance(miner.miner!, miner.balance) });
  }
  const power = state.getActor(POWER_ACTOR_ID)!;
  state.putActor({ ...power, power: { ...power.power!, totalPledgeCollateral: power.power!.totalPledgeCollateral! + NETWORK_LOCKED_REWARDS } });
  const accounts = fund.map((f) => {
    const id = state.allocateId();
    state.putActor({ id, kind: 'account', nonce: 0, balance: f.balance, robust: f.address });
    state.putAddress(f.address, id);
    return id;
  });
  let blsAccounts = 0;
  const h: MinerHarness = {
    executor,
    state,
    epoch: 1,
    accounts,
    blsAccount() {
      // A BLS public key's 48 bytes (never verified here).
      const address = FilAddress.fromPayload(Protocol.BLS, new Uint8Array(48).fill(++blsAccounts));
      const id = state.allocateId();
      state.putActor({ id, kind: 'account', nonce: 0, balance: 1_000n * FIL, robust: address });
      state.putAddress(address, id);
      return id;
    },
    ctx: () => ({ epoch: h.epoch, timestamp: 1_700_000_000 + h.epoch * 30, chainId: 31415926n, baseFee: 100n }),
    async send(from, to, method, params, value = 0n) {
      const sender = state.getActor(from)!;
      const receipt = await executor.applyMessage(
        state,
        {
          version: 0,
          to: typeof to === 'number' ? FilAddress.fromId(to) : to,
          from: sender.robust ?? FilAddress.fromId(from),
          nonce: sender.nonce,
          value,
          gasLimit: 10_000_000_000,
          gasFeeCap: 100n,
          gasPremium: 0n,
          method,
          params: params === undefined ? new Uint8Array() : encodeCbor(params),
        },
        200,
        h.ctx(),
      );
      return { exitCode: receipt.exitCode, value: receipt.returnData.length ? decodeCbor(receipt.returnData) : undefined };
    },
    async endEpoch() {
      const failures = await executor.runCron(state, h.ctx());
      if (failures.length) throw failures[0].error;
      h.epoch++;
    },
    async advanceTo(epoch) {
      while (h.epoch < epoch) {
        const ctx = h.ctx();
        const failures = await executor.runCron(state, ctx);
        if (failures.length) throw failures[0].error;
        h.epoch++;
      }
    },
    miner: (id = MINER) => loadMiner(state.getActor(id)!.miner!),
    balance: (id) => state.getActor(id)!.balance,
    depositWithdrawn(id = MINER) {
      const actor = state.getActor(id)!;
      const m = loadMiner(actor.miner!);
      // Only the deposit is locked (no reward yet): taking it off leaves nothing vesting.
      assert.equal(m.lockedFunds, CREATE_MINER_DEPOSIT, `t0${id} holds more than its creation deposit locked`);
      assert.equal(m.vestingGrants, undefined);
      state.putActor({ ...actor, balance: actor.balance - CREATE_MINER_DEPOSIT, miner: { ...m, lockedFunds: 0n, vestingFunds: undefined, vestingDrawn: undefined } });
    },
  };
  return h;
}

/** Stands a double in for `kind` for the rest of test `t`: `methods` by number, each returning a CBOR value. */
export function double(t: TestContext, kind: ActorKind, methods: Record<number, (rt: ActorRuntime, params: unknown) => unknown>): { calls: { method: number; params: unknown; caller: number }[] } {
  const calls: { method: number; params: unknown; caller: number }[] = [];
  const table = methodTable({});
  for (const [number, run] of Object.entries(methods)) {
    table.set(Number(number), {
      name: `double ${number}`,
      params: 'raw',
      run: (rt, params) => {
        calls.push({ method: Number(number), params, caller: rt.caller.id });
        return run(rt, params);
      },
    });
  }
  const actor: BuiltinActor = { methods: table };
  t.after(overrideBuiltinActor(kind, actor));
  return { calls };
}

/** Makes the miner's sector `sector` expire at `epoch` with 1 FIL of pledge (the miner's balance and pledge that FIL), its expiration enrolled in cron. */
export function expireAt(h: MinerHarness, sector: number, epoch: number): void {
  const miner = h.state.getActor(MINER)!;
  const m = h.miner();
  const expiring = { ...m.sectors.get(sector)!, expiration: epoch, initialPledge: FIL };
  h.state.putActor({ ...miner, balance: FIL, miner: { ...m, initialPledge: FIL, sectors: new Map([...m.sectors, [sector, expiring]]) } });
  enrollCron(h.state, epoch, { actor: MINER, event: { type: 'expire', sectors: [sector] } });
}

/** A new miner created through the power actor (CreateMiner) for `owner`, with a new BLS worker; `value` pays its creation deposit, the rest its balance. Its ID. */
export async function createMiner(h: MinerHarness, owner: number, value: bigint): Promise<number> {
  const id = (n: number) => FilAddress.fromId(n).bytes;
  const created = await h.send(owner, POWER_ACTOR_ID, methodNumber('CreateMiner'), [id(owner), id(h.blsAccount()), 13, new Uint8Array([1]), []], value);
  assert.equal(created.exitCode, ExitCode.Ok);
  return FilAddress.fromBytes((created.value as Uint8Array[])[0]!).id!;
}

/** PreCommitSectorBatch2's entry for a 32 GiB sector `sector` of `miner` (MINER unless given), sealed at the previous epoch, expiring just past the shortest commitment. */
export function precommit(h: MinerHarness, sector: number, extra: { miner?: number; dealIds?: number[]; unsealed?: CID } = {}) {
  const expiration = h.epoch + MAX_PROVE_COMMIT_DURATION + MIN_SECTOR_EXPIRATION + 1000;
  return [8, sector, presealCommR(extra.miner ?? MINER, sector), h.epoch - 1, extra.dealIds ?? [], expiration, extra.unsealed ?? null];
}
