// The datacap actor (f07) through the executor: FRC-46 queries, allowances, burns, the rule that
// tokens only move to or from the governor (f06), minting only by the governor, and the receiver
// hook every mint and transfer calls (an account accepts it; a contract answers through
// handle_filecoin_method, and a refusal aborts the whole method).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeBigInt, decodeCbor, encodeBigInt } from '../../src/common/cbor.js';
import { MARKET_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../src/fevm/actor.js';
import { FRC46_TOKEN_TYPE, RECEIVER_HOOK_METHOD, tokenAmountDebug } from '../../src/fevm/actors/datacap/frc46.js';
import { INFINITE_ALLOWANCE } from '../../src/fevm/actors/datacap/state.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import {
  allocationRequests,
  CLIENTS,
  datacapState,
  deployDataCapClient,
  F06,
  F07,
  grant,
  invoke,
  KEYS,
  MiB,
  MiBn,
  returned,
  TOKENS,
  verifregState,
  verifregWorld,
  view,
} from '../helpers/verifreg-world.js';

const big = (value: unknown) => decodeBigInt(value as Uint8Array);

describe('datacap method numbers (FRC-42, builtin-actors actors/datacap)', () => {
  test('match the fact sheet and filecoin-solidity', () => {
    const expected: Record<string, number> = {
      Mint: 116935346,
      Destroy: 2624896501,
      Name: 48890204,
      Symbol: 2061153854,
      Granularity: 3936767397,
      TotalSupply: 114981429,
      Balance: 3261979605,
      Transfer: 80475954,
      TransferFrom: 3621052141,
      IncreaseAllowance: 1777121560,
      DecreaseAllowance: 1529376545,
      RevokeAllowance: 2765635761,
      Burn: 1434719642,
      BurnFrom: 2979674018,
      Allowance: 4205072950,
    };
    for (const [name, number] of Object.entries(expected)) assert.equal(methodNumber(name), number, name);
    assert.equal(RECEIVER_HOOK_METHOD, 3726118371);
    assert.equal(FRC46_TOKEN_TYPE, 2233613279);
  });

  test('TokenAmount prints as Rust Debug does', () => {
    assert.equal(tokenAmountDebug(TOKENS), 'TokenAmount(1.0)');
    assert.equal(tokenAmountDebug(-TOKENS), 'TokenAmount(-1.0)');
    assert.equal(tokenAmountDebug(1n), 'TokenAmount(0.000000000000000001)');
    assert.equal(tokenAmountDebug(15n * 10n ** 17n), 'TokenAmount(1.5)');
  });
});

describe('datacap queries', () => {
  test('Name, Symbol, Granularity, TotalSupply, Balance and Allowance', async () => {
    const w = await verifregWorld();
    const [client] = CLIENTS;
    assert.equal(returned(await w.send(client, F07, 'Name')), 'DataCap');
    assert.equal(returned(await w.send(client, F07, 'Symbol')), 'DCAP');
    assert.equal(returned(await w.send(client, F07, 'Granularity')), 10n ** 18n);
    assert.equal(big(returned(await w.send(client, F07, 'TotalSupply'))), 0n);
    await grant(w, client, 4n * MiBn);
    assert.equal(big(returned(await w.send(client, F07, 'TotalSupply'))), 4n * MiBn * TOKENS);
    assert.equal(big(returned(await w.send(client, F07, 'Balance', client.bytes))), 4n * MiBn * TOKENS);
    // An address that names no actor has nothing, and is not created by asking.
    const nobody = FilAddress.fromEthAddress(new Uint8Array(20).fill(0x77));
    assert.equal(big(returned(await w.send(client, F07, 'Balance', nobody.bytes))), 0n);
    assert.equal(w.state.lookupId(nobody), undefined);
    // AddVerifiedClient mints with the market as operator, with an "infinite" allowance.
    const market = FilAddress.fromId(MARKET_ACTOR_ID);
    assert.equal(big(returned(await w.send(client, F07, 'Allowance', [client.bytes, market.bytes]))), INFINITE_ALLOWANCE);
    assert.equal(INFINITE_ALLOWANCE, 10n ** 39n);
    assert.equal(big(returned(await w.send(client, F07, 'Allowance', [client.bytes, CLIENTS[1].bytes]))), 0n);
  });
});

describe('datacap governor rules', () => {
  test('Mint and Destroy are for the governor only (18)', async () => {
    const w = await verifregWorld();
    const [client] = CLIENTS;
    const mint = await w.send(client, F07, 'Mint', [client.bytes, encodeBigInt(TOKENS), []]);
    assert.equal(mint.exitCode, ExitCode.ErrForbidden);
    const destroy = await w.send(client, F07, 'Destroy', [client.bytes, encodeBigInt(0n)]);
    assert.equal(destroy.exitCode, ExitCode.ErrForbidden);
    assert.equal(datacapState(w).supply, 0n);
  });

  test('a transfer neither to nor from the governor is forbidden (18); the balance stays', async () => {
    const w = await verifregWorld();
    const [a, b] = CLIENTS;
    await grant(w, a, MiBn);
    const receipt = await w.send(a, F07, 'Transfer', [b.bytes, encodeBigInt(TOKENS), new Uint8Array()]);
    assert.equal(receipt.exitCode, ExitCode.ErrForbidden);
    assert.equal(w.datacap(w.clientIds[0]), MiBn * TOKENS);
  });

  test('a transfer to an address without an actor is refused (16)', async () => {
    const w = await verifregWorld();
    await grant(w, CLIENTS[0], MiBn);
    const nobody = FilAddress.fromEthAddress(new Uint8Array(20).fill(0x55));
    const receipt = await w.send(CLIENTS[0], F07, 'Transfer', [nobody.bytes, encodeBigInt(TOKENS), new Uint8Array()]);
    assert.equal(receipt.exitCode, ExitCode.ErrIllegalArgument);
  });

  test('amounts must be whole tokens and not negative (16); more than the balance is 19', async () => {
    const w = await verifregWorld();
    const [client] = CLIENTS;
    await grant(w, client, MiBn);
    const ops = allocationRequests(w, [{ provider: w.minerId, size: MiB }]);
    assert.equal((await w.send(client, F07, 'Transfer', [F06.bytes, encodeBigInt(TOKENS + 1n), ops])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await w.send(client, F07, 'Transfer', [F06.bytes, encodeBigInt(-TOKENS), ops])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await w.send(client, F07, 'Transfer', [F06.bytes, encodeBigInt(2n * MiBn * TOKENS), ops])).exitCode, ExitCode.ErrInsufficientFunds);
    assert.equal((await w.send(client, F07, 'Burn', [encodeBigInt(TOKENS / 2n)])).exitCode, ExitCode.ErrIllegalArgument);
  });

  test('a transfer to f06 without allocation requests fails in the hook (21) and moves nothing', async () => {
    const w = await verifregWorld();
    await grant(w, CLIENTS[0], MiBn);
    const receipt = await w.send(CLIENTS[0], F07, 'Transfer', [F06.bytes, encodeBigInt(MiBn * TOKENS), new Uint8Array()]);
    assert.equal(receipt.exitCode, ExitCode.ErrSerialization);
    assert.equal(w.datacap(w.clientIds[0]), MiBn * TOKENS);
    assert.equal(w.datacap(VERIFREG_ACTOR_ID), 0n);
  });
});

describe('datacap allowances, TransferFrom and burns', () => {
  test('Increase, Decrease (floored at zero) and Revoke answer the allowance', async () => {
    const w = await verifregWorld();
    const [owner, operator] = CLIENTS;
    const inc = await w.send(owner, F07, 'IncreaseAllowance', [operator.bytes, encodeBigInt(5n * TOKENS)]);
    assert.equal(inc.exitCode, 0);
    assert.equal(big(returned(inc)), 5n * TOKENS);
    assert.equal(big(returned(await w.send(owner, F07, 'DecreaseAllowance', [operator.bytes, encodeBigInt(2n * TOKENS)]))), 3n * TOKENS);
    assert.equal(big(returned(await w.send(owner, F07, 'Allowance', [owner.bytes, operator.bytes]))), 3n * TOKENS);
    assert.equal(big(returned(await w.send(owner, F07, 'RevokeAllowance', [operator.bytes]))), 3n * TOKENS);
    assert.equal(big(returned(await w.send(owner, F07, 'RevokeAllowance', [operator.bytes]))), 0n);
    await w.send(owner, F07, 'IncreaseAllowance', [operator.bytes, encodeBigInt(TOKENS)]);
    assert.equal(big(returned(await w.send(owner, F07, 'DecreaseAllowance', [operator.bytes, encodeBigInt(9n * TOKENS)]))), 0n);
    assert.equal(datacapState(w).allowances.size, 0, 'zero allowances leave no entry');
    assert.equal((await w.send(owner, F07, 'IncreaseAllowance', [operator.bytes, encodeBigInt(-1n)])).exitCode, ExitCode.ErrIllegalArgument);
  });

  test('TransferFrom to f06 by an operator spends its allowance and creates allocations', async () => {
    const w = await verifregWorld();
    const [owner, operator] = CLIENTS;
    const [ownerId] = w.clientIds;
    await grant(w, owner, 4n * MiBn);
    const ops = allocationRequests(w, [{ provider: w.minerId, size: 2 * MiB }]);
    const params = [owner.bytes, F06.bytes, encodeBigInt(2n * MiBn * TOKENS), ops];
    const denied = await w.send(operator, F07, 'TransferFrom', params);
    assert.equal(denied.exitCode, ExitCode.ErrInsufficientFunds);
    await w.send(owner, F07, 'IncreaseAllowance', [operator.bytes, encodeBigInt(3n * MiBn * TOKENS)]);
    const receipt = await w.send(operator, F07, 'TransferFrom', params);
    assert.equal(receipt.exitCode, 0);
    const [fromBalance, toBalance, allowance, recipientData] = returned(receipt);
    assert.equal(big(fromBalance), 2n * MiBn * TOKENS);
    assert.equal(big(toBalance), 2n * MiBn * TOKENS);
    assert.equal(big(allowance), MiBn * TOKENS);
    // The registry's AllocationsResponse comes back as recipient_data.
    assert.deepEqual(decodeCbor(recipientData), [[1, []], [0, []], [1]]);
    assert.equal(verifregState(w).allocations.get(ownerId)?.get(1)?.client, ownerId);
    // To anyone but the governor: forbidden.
    const elsewhere = await w.send(operator, F07, 'TransferFrom', [owner.bytes, CLIENTS[2].bytes, encodeBigInt(TOKENS), new Uint8Array()]);
    assert.equal(elsewhere.exitCode, ExitCode.ErrForbidden);
  });

  test('an operator cannot be the owner (16)', async () => {
    const w = await verifregWorld();
    await grant(w, CLIENTS[0], MiBn);
    const ops = allocationRequests(w, [{ provider: w.minerId, size: MiB }]);
    const receipt = await w.send(CLIENTS[0], F07, 'TransferFrom', [CLIENTS[0].bytes, F06.bytes, encodeBigInt(MiBn * TOKENS), ops]);
    assert.equal(receipt.exitCode, ExitCode.ErrIllegalArgument);
  });

  test('Burn and BurnFrom lower the balance and the supply', async () => {
    const w = await verifregWorld();
    const [owner, operator] = CLIENTS;
    await grant(w, owner, MiBn);
    assert.deepEqual(returned(await w.send(owner, F07, 'Burn', [encodeBigInt(100n * TOKENS)])).map(big), [(MiBn - 100n) * TOKENS]);
    assert.equal((await w.send(operator, F07, 'BurnFrom', [owner.bytes, encodeBigInt(TOKENS)])).exitCode, ExitCode.ErrInsufficientFunds);
    await w.send(owner, F07, 'IncreaseAllowance', [operator.bytes, encodeBigInt(50n * TOKENS)]);
    const burned = await w.send(operator, F07, 'BurnFrom', [owner.bytes, encodeBigInt(20n * TOKENS)]);
    assert.deepEqual(returned(burned).map(big), [(MiBn - 120n) * TOKENS, 30n * TOKENS]);
    assert.equal(datacapState(w).supply, (MiBn - 120n) * TOKENS);
  });
});

describe('the FRC-46 receiver hook', () => {
  test('an f1 client accepts it; a mint creates the account of an unknown f1 address', async () => {
    const w = await verifregWorld();
    const fresh = FilAddress.fromPayload(1, new Uint8Array(20).fill(0x99));
    await grant(w, fresh, MiBn);
    const id = w.state.lookupId(fresh)!;
    assert.equal(w.state.getActor(id)!.kind, 'account');
    assert.equal(w.datacap(id), MiBn * TOKENS);
  });

  test('a contract client gets Receive through handle_filecoin_method with the FRC-46 payload', async () => {
    const w = await verifregWorld();
    const c = await deployDataCapClient(w);
    await grant(w, c.address, 2n * MiBn);
    assert.equal(await view(w, c, 'receivedCount'), 1n);
    assert.equal((await view(w, c, 'lastSender')).toLowerCase(), '0xff00000000000000000000000000000000000007');
    const [type, payload] = decodeCbor<[number, Uint8Array]>(Buffer.from((await view(w, c, 'lastReceiveParams')).slice(2), 'hex'));
    assert.equal(type, FRC46_TOKEN_TYPE);
    const [from, to, operator, amount, operatorData, tokenData] = decodeCbor<unknown[]>(payload);
    assert.deepEqual([from, to, operator], [7, c.id, VERIFREG_ACTOR_ID]);
    assert.equal(big(amount), 2n * MiBn * TOKENS);
    assert.deepEqual([operatorData, tokenData], [new Uint8Array(), new Uint8Array()]);
  });

  test('a contract that refuses the tokens aborts the mint: no datacap, the verifier keeps its allowance', async () => {
    const w = await verifregWorld();
    const c = await deployDataCapClient(w);
    assert.equal((await invoke(w, c, 'setRefuse', [true])).receipt.exitCode, 0);
    const before = verifregState(w).verifiers.get(w.verifierId);
    const receipt = await w.send(KEYS.verifier.address, F06, 4, [c.address.bytes, encodeBigInt(2n * MiBn)]);
    assert.equal(receipt.exitCode, 16, 'the hook\'s exit code');
    assert.equal(w.datacap(c.id), 0n);
    assert.equal(verifregState(w).verifiers.get(w.verifierId), before);
  });

  test('a contract client onboards data directly: Transfer to f06 with allocation requests through call_actor_id', async () => {
    const w = await verifregWorld();
    const c = await deployDataCapClient(w);
    await grant(w, c.address, 4n * MiBn);
    const ops = allocationRequests(w, [{ provider: w.minerId, size: MiB }, { provider: w.otherMinerId, size: 2 * MiB }]);
    const { encodeCbor } = await import('../../src/common/cbor.js');
    const params = encodeCbor([F06.bytes, encodeBigInt(3n * MiBn * TOKENS), ops]);
    // In a frame that reverts (the revert caught), the transfer, its allocations and their events are undone.
    const undone = await invoke(w, c, 'callActorUndone', [7, methodNumber('Transfer'), params]);
    assert.deepEqual([undone.receipt.exitCode, undone.receipt.events.length, verifregState(w).allocations.get(c.id)], [0, 0, undefined]);
    const { receipt, result } = await invoke(w, c, 'callActor', [7, methodNumber('Transfer'), params]);
    assert.equal(receipt.exitCode, 0);
    const [exitCode, codec, data] = result;
    assert.equal(exitCode, 0n);
    assert.equal(codec, 0x51n);
    const [fromBalance, toBalance, recipientData] = decodeCbor<Uint8Array[]>(Buffer.from(data.slice(2), 'hex'));
    assert.equal(big(fromBalance), MiBn * TOKENS);
    assert.equal(big(toBalance), 3n * MiBn * TOKENS);
    assert.deepEqual(decodeCbor(recipientData), [[2, []], [0, []], [1, 2]]);
    const allocations = verifregState(w).allocations.get(c.id)!;
    assert.deepEqual([...allocations.keys()], [1, 2]);
    assert.equal(allocations.get(2)!.provider, w.otherMinerId);
    // G1: the registry's allocation events reach the receipt through call_actor, as every event of a
    // call that did not abort does on the FVM (verifreg emit::allocation, one per allocation).
    const events = receipt.events.map((e) => [e.emitter, decodeCbor(e.entries[0].value), decodeCbor(e.entries[1].value)]);
    assert.deepEqual(events, [[6, 'allocation', 1], [6, 'allocation', 2]]);
  });
});
