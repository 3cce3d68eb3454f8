// The builtin-actor framework: FRC-42 method numbers, the storable state encoding, the cron queue, and
// a builtin method run through the executor (the account actor's AuthenticateMessage, signed with a real
// secp256k1 key), with the internal-method and read-only rules.
import { StateAccess } from '../../src/fevm/state-access.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { FilAddress } from '../../src/common/address.js';
import { cidOf, decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { concatBytes } from '../../src/common/hex.js';
import { fromStorable, toStorable } from '../../src/common/storable.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { enrollCron, nextCronEpoch, queuedCron, takeDueCron } from '../../src/fevm/actors/cron.js';
import { createActor } from '../../src/fevm/actors/lifecycle.js';
import { accountActor } from '../../src/fevm/actors/account.js';
import { builtinActor } from '../../src/fevm/actors/builtin.js';
import { invokeBuiltin } from '../../src/fevm/actors/invoke-builtin.js';
import { methodNumber, methodTable, type ActorRuntime } from '../../src/fevm/actors/runtime.js';
import { Executor } from '../../src/fevm/executor.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { secp256k1Address } from '../../src/fevm/signature.js';
import type { Message } from '../../src/fevm/message.js';
import type { ExecutionContext } from '../../src/fevm/types.js';

const ctx: ExecutionContext = { epoch: 1, timestamp: 1_700_000_000, chainId: 31415926n, baseFee: 100n };

describe('FRC-42 method numbers', () => {
  test('match the numbers builtin-actors and filecoin-solidity use', () => {
    assert.equal(methodNumber('Constructor'), 1);
    assert.equal(methodNumber('PublishStorageDeals'), 2236929350);
    assert.equal(methodNumber('AuthenticateMessage'), 2643134072);
    assert.equal(methodNumber('Receive'), 3726118371);
    assert.equal(methodNumber('MarketNotifyDeal'), 4186741094);
    assert.equal(methodNumber('IsControllingAddress'), 348244887);
  });
});

describe('storable values', () => {
  test('round-trip big integers, maps, bytes and CIDs through dag-cbor', () => {
    const cid = cidOf(new Uint8Array([1, 2, 3]));
    const value = { a: 1n << 100n, b: -5n, m: new Map([[7, { x: [1n, cid] }]]), bytes: new Uint8Array([9]), s: 'text', n: null };
    const back = fromStorable(decodeCbor(encodeCbor(toStorable(value))));
    assert.deepEqual(back, value);
  });

  test('drops undefined object fields', () => {
    assert.deepEqual(fromStorable(toStorable({ a: undefined, b: 1 })), { b: 1 });
  });
});

describe('cron queue', () => {
  test('keeps entries by epoch and hands out only what is due', () => {
    const state = createGenesisState([], 0n).stage();
    enrollCron(state, 30, { actor: 100, event: 'c' });
    enrollCron(state, 10, { actor: 100, event: 'a' });
    enrollCron(state, 10, { actor: 101, event: 'b' });
    assert.equal(nextCronEpoch(state), 10);
    assert.deepEqual(takeDueCron(state, 9), []);
    assert.deepEqual(takeDueCron(state, 20), [{ actor: 100, event: 'a' }, { actor: 101, event: 'b' }]);
    assert.equal(nextCronEpoch(state), 30);
    assert.deepEqual(queuedCron(state, 100), [[30, ['c']]]);
  });
});

describe('builtin methods through the executor', () => {
  const key = secp256k1.utils.randomSecretKey();
  const keyAddress = secp256k1Address(secp256k1.getPublicKey(key, false));
  const sign = (data: Uint8Array) => {
    const sig = secp256k1.sign(blake2b256(data), key, { prehash: false, format: 'recovered' });
    // noble's recovered format puts the recovery byte first; Filecoin puts it last.
    return concatBytes(sig.subarray(1), sig.subarray(0, 1));
  };
  const setup = async () => {
    const state = createGenesisState([], 0n).stage();
    const account = createActor(state, 'account', { robust: keyAddress, balance: 10n ** 18n });
    const contract = createActor(state, 'evm', { balance: 0n });
    return { state, account, contract, executor: await Executor.create(31415926n) };
  };
  const message = (from: FilAddress, method: number, params: unknown, to = keyAddress): Message => ({
    version: 0,
    to,
    from,
    nonce: 0,
    value: 0n,
    gasLimit: 10_000_000_000,
    gasFeeCap: 0n,
    gasPremium: 0n,
    method,
    params: params === undefined ? new Uint8Array() : encodeCbor(params),
  });

  test('AuthenticateMessage accepts the key’s signature and refuses another', async () => {
    const { state, account, executor } = await setup();
    const data = new TextEncoder().encode('deal proposal bytes');
    const ok = await executor.call(state, message(FilAddress.fromId(account.id), methodNumber('AuthenticateMessage'), [sign(data), data]), ctx);
    assert.equal(ok.exitCode, ExitCode.Ok);
    const bad = await executor.call(state, message(FilAddress.fromId(account.id), methodNumber('AuthenticateMessage'), [sign(data), new Uint8Array([1])]), ctx);
    assert.equal(bad.exitCode, ExitCode.ErrIllegalArgument);
    assert.match(bad.error ?? '', /signature invalid/);
  });

  test('malformed params are a serialization error', async () => {
    const { state, account, executor } = await setup();
    const result = await executor.call(state, message(FilAddress.fromId(account.id), methodNumber('AuthenticateMessage'), [1]), ctx);
    assert.equal(result.exitCode, ExitCode.ErrSerialization);
  });

  test('an internal method is refused to an EVM caller and allowed to an account', async () => {
    const { state, account, contract, executor } = await setup();
    const fromAccount = await executor.call(state, message(FilAddress.fromId(account.id), 2, undefined), ctx);
    assert.equal(fromAccount.exitCode, ExitCode.Ok);
    const send = { fromId: contract.id, to: keyAddress, method: 2, value: 0n, readOnly: false, gasLimit: 10_000_000 };
    const noSends = async () => assert.fail('no send expected');
    const fromContract = await invokeBuiltin(accountActor, { state, access: new StateAccess(), ctx, sender: contract, receiver: account, send }, noSends);
    assert.equal(fromContract.exitCode, ExitCode.ErrForbidden);
  });

  test('a read-only call that writes is undone and fails with USR_READ_ONLY', async () => {
    const { state, account } = await setup();
    const writer = { methods: methodTable({ Write: { noParams: true, run: (rt: ActorRuntime) => rt.update({ nonce: 7 }) } }) };
    const send = { fromId: account.id, to: keyAddress, method: methodNumber('Write'), value: 0n, readOnly: true, gasLimit: 10_000_000 };
    const result = await invokeBuiltin(writer, { state, access: new StateAccess(), ctx, sender: account, receiver: account, send }, async () => assert.fail());
    assert.equal(result.exitCode, ExitCode.ErrReadOnly);
    assert.equal(state.getActor(account.id)!.nonce, 0);
  });

  // builtin-actors runtime/src/dispatch.rs: a method with a params argument refuses a send without
  // params, one without refuses a send with any, both 16, before the method runs (and so before it
  // checks its caller). A message's empty params are none (ref-fvm executor/default.rs).
  test('params missing for a method that takes them, or sent to one that takes none: 16, before the method runs', async () => {
    const { state, account, executor } = await setup();
    const from = FilAddress.fromId(account.id);
    const missing = await executor.call(state, message(from, methodNumber('AuthenticateMessage'), undefined), ctx);
    assert.deepEqual([missing.exitCode, missing.error], [ExitCode.ErrIllegalArgument, 'method expects arguments']);
    const extra = await executor.call(state, message(from, 2, [1]), ctx);
    assert.deepEqual([extra.exitCode, extra.error], [ExitCode.ErrIllegalArgument, 'method expects no arguments']);
    const none = await executor.call(state, message(from, 2, undefined), ctx);
    assert.equal(none.exitCode, ExitCode.Ok);
    // The verified registry's Receive takes only DataCap's hook (18 for anyone else), but sent no params it answers 16 first.
    const hook = await executor.call(state, message(from, methodNumber('Receive'), undefined, FilAddress.fromId(6)), ctx);
    assert.deepEqual([hook.exitCode, hook.error], [ExitCode.ErrIllegalArgument, 'method expects arguments']);
    const hookWithParams = await executor.call(state, message(from, methodNumber('Receive'), [1, new Uint8Array()], FilAddress.fromId(6)), ctx);
    assert.equal(hookWithParams.exitCode, ExitCode.ErrForbidden);
    // Params that are no UniversalReceiverParams fail to decode (21) before that check too, as
    // builtin-actors decodes a method's typed params in its dispatcher; so does the market's
    // AddBalance's address before its value check (16).
    const hookMalformed = await executor.call(state, message(from, methodNumber('Receive'), [1], FilAddress.fromId(6)), ctx);
    assert.equal(hookMalformed.exitCode, ExitCode.ErrSerialization);
    const addBalance = await executor.call(state, message(from, methodNumber('AddBalance'), 5, FilAddress.fromId(5)), ctx);
    assert.equal(addBalance.exitCode, ExitCode.ErrSerialization);
    const addNothing = await executor.call(state, message(from, methodNumber('AddBalance'), from.bytes, FilAddress.fromId(5)), ctx);
    assert.equal(addNothing.exitCode, ExitCode.ErrIllegalArgument);
  });

  // The internal methods other builtin actors call decode their params before checking that caller,
  // as every builtin-actors method (reward award_block_reward, market batch_activate_deals and
  // on_miner_sectors_terminate, verifreg claim_allocations): garbage from an account is 21, a
  // well-formed call from it 18.
  test('internal methods: malformed params 21 before the caller check, well-formed 18', async () => {
    const { state, account, executor } = await setup();
    const from = FilAddress.fromId(account.id);
    const zero = new Uint8Array();
    const internal: [string, number, number, unknown][] = [
      ['reward AwardBlockReward', 2, 2, [from.bytes, zero, zero, 1]],
      ['market BatchActivateDeals', 5, 6, [[], false]],
      ['market OnMinerSectorsTerminate', 5, 7, [1, zero]],
      ['verifreg ClaimAllocations', 6, 9, [[], false]],
    ];
    for (const [name, actor, method, wellFormed] of internal) {
      const garbage = await executor.call(state, message(from, method, [1], FilAddress.fromId(actor)), ctx);
      assert.equal(garbage.exitCode, ExitCode.ErrSerialization, `${name} with [1]`);
      const fromAccount = await executor.call(state, message(from, method, wellFormed, FilAddress.fromId(actor)), ctx);
      assert.equal(fromAccount.exitCode, ExitCode.ErrForbidden, `${name} from an account`);
    }
  });

  test('every method declares its params as its handler reads them', () => {
    for (const kind of ['account', 'init', 'storagemarket', 'storageminer', 'multisig', 'storagepower', 'reward', 'verifiedregistry', 'datacap'] as const) {
      for (const method of builtinActor(kind)!.methods.values()) {
        assert.equal(method.params, method.run.length < 2 ? 'none' : 'required', `${kind} ${method.name}`);
      }
    }
  });

  test('an unknown internal method is unhandled; from an EVM caller it is forbidden first (G6a)', async () => {
    const { state, account, contract, executor } = await setup();
    const result = await executor.call(state, message(FilAddress.fromId(account.id), 5, undefined), ctx);
    assert.equal(result.exitCode, ExitCode.ErrUnhandledMessage);
    // actor_dispatch! runs restrict_internal_api before it looks the method up: 1024 from a contract is 18, not 22.
    const noSends = async () => assert.fail('no send expected');
    for (const [actor, method] of [[account, 1024], [account, 5], [state.getActor(5)!, 1024]] as const) {
      const send = { fromId: contract.id, to: FilAddress.fromId(actor.id), method, value: 0n, readOnly: false, gasLimit: 10_000_000 };
      const fromContract = await invokeBuiltin(builtinActor(actor.kind)!, { state, access: new StateAccess(), ctx, sender: contract, receiver: actor, send }, noSends);
      assert.equal(fromContract.exitCode, ExitCode.ErrForbidden, `method ${method} on ${actor.kind}`);
    }
  });
});
