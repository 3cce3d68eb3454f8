// The verified registry (f06) through the executor: the genesis root key (the multisig t080) and
// verifier, AddVerifier and RemoveVerifier proposed through the root key multisig, AddVerifiedClient
// and their checks, allocations made by datacap transfers (the receiver hook and its policy),
// ClaimAllocations from a miner, claims (GetClaims, ExtendClaimTerms) and the removal of expired
// allocations and claims, with builtin-actors' exit codes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { GENESIS_VERIFIER_ALLOWANCE } from '../../src/devnet/node-keys.js';
import { DATACAP_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../src/fevm/actor.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { ACTOR_LOOKUP } from '../../src/fevm/price-list.js';
import {
  allocationRequests,
  CLIENTS,
  datacapState,
  F06,
  F080,
  grant,
  KEYS,
  MiB,
  MiBn,
  OTHER_PIECE,
  PIECE,
  proposeAsRoot,
  returned,
  TERM_MAX,
  TERM_MIN,
  TOKENS,
  transferForAllocations,
  verifregState,
  verifregWorld,
  type World,
} from '../helpers/verifreg-world.js';

const big = (value: unknown) => decodeBigInt(value as Uint8Array);
/** The root key multisig's signer, an account of a node-held f1 key. */
const rootSigner = KEYS.rootKey.address;
const verifier = KEYS.verifier.address;

describe('verifreg method numbers', () => {
  test('exported numbers match the fact sheet and filecoin-solidity', () => {
    assert.equal(methodNumber('AddVerifiedClient'), 3916220144);
    assert.equal(methodNumber('RemoveExpiredAllocations'), 2421068268);
    assert.equal(methodNumber('GetClaims'), 2199871187);
    assert.equal(methodNumber('ExtendClaimTerms'), 1752273514);
    assert.equal(methodNumber('RemoveExpiredClaims'), 2873373899);
    assert.equal(methodNumber('Receive'), 3726118371);
  });
});

describe('genesis', () => {
  test('the root key is the multisig t080 of one node-held f1 signer (threshold 1, no funds); a verifier with a large allowance', async () => {
    const w = await verifregWorld();
    const state = verifregState(w);
    assert.equal(state.rootKey, 80);
    assert.equal(w.rootId, 80);
    assert.deepEqual([...state.verifiers], [[w.verifierId, GENESIS_VERIFIER_ALLOWANCE]]);
    assert.equal(state.nextAllocationId, 1);
    const multisig = w.state.getActor(80)!;
    assert.equal(multisig.kind, 'multisig');
    assert.equal(multisig.balance, 0n);
    assert.deepEqual(multisig.multisig, { signers: [w.rootSignerId], numApprovalsThreshold: 1, nextTxId: 0, initialBalance: 0n, startEpoch: 0, unlockDuration: 0, pendingTxs: new Map() });
    assert.equal(w.state.getActor(w.rootSignerId)!.kind, 'account');
    assert.equal(datacapState(w).governor, VERIFREG_ACTOR_ID);
  });
});

describe('AddVerifier (2) and RemoveVerifier (3)', () => {
  test('the root key adds and removes verifiers through a proposal of its signer; events tell their balance', async () => {
    const w = await verifregWorld();
    const [newVerifier] = CLIENTS;
    const added = await proposeAsRoot(w, F06, 2, [newVerifier.bytes, encodeBigInt(1n << 40n)]);
    assert.deepEqual(added.proposed, [0, true, 0, new Uint8Array()]);
    assert.equal(verifregState(w).verifiers.get(w.clientIds[0]), 1n << 40n);
    const events = added.receipt.events.filter((e) => e.emitter === VERIFREG_ACTOR_ID);
    assert.equal(events.length, 1);
    assert.deepEqual(decodeCbor(events[0].entries[0].value), 'verifier-balance');
    assert.equal((await proposeAsRoot(w, F06, 3, newVerifier.bytes)).proposed[2], 0);
    assert.equal(verifregState(w).verifiers.has(w.clientIds[0]), false);
    assert.equal((await proposeAsRoot(w, F06, 3, newVerifier.bytes)).proposed[2], ExitCode.ErrIllegalArgument);
  });

  test('with a second signer and two approvals, AddVerifier waits for the approval, then applies', async () => {
    const w = await verifregWorld();
    const [a, b] = CLIENTS;
    // AddSigner(a, increase threshold), sent by the multisig to itself: now 2 of 2.
    assert.equal((await proposeAsRoot(w, F080, 5, [a.bytes, true])).proposed[2], 0);
    assert.equal(w.state.getActor(80)!.multisig!.numApprovalsThreshold, 2);
    const { proposed } = await proposeAsRoot(w, F06, 2, [b.bytes, encodeBigInt(1n << 30n)]);
    assert.equal(proposed[1], false);
    assert.equal(verifregState(w).verifiers.has(w.clientIds[1]), false);
    const approved = await w.send(a, F080, 3, [proposed[0], new Uint8Array()]);
    assert.equal(approved.exitCode, 0);
    assert.deepEqual(returned(approved), [true, 0, new Uint8Array()]);
    assert.equal(verifregState(w).verifiers.get(w.clientIds[1]), 1n << 30n);
  });

  test('others may not (18), the signer by itself neither, as on Lotus; the root is no verifier; a client is no verifier; small allowances are refused (16)', async () => {
    const w = await verifregWorld();
    const [a, b] = CLIENTS;
    assert.equal((await w.send(rootSigner, F06, 2, [a.bytes, encodeBigInt(MiBn)])).exitCode, ExitCode.ErrForbidden);
    assert.equal((await w.send(verifier, F06, 2, [a.bytes, encodeBigInt(MiBn)])).exitCode, ExitCode.ErrForbidden);
    assert.equal((await w.send(verifier, F06, 3, verifier.bytes)).exitCode, ExitCode.ErrForbidden);
    assert.equal((await proposeAsRoot(w, F06, 2, [F080.bytes, encodeBigInt(MiBn)])).proposed[2], ExitCode.ErrIllegalArgument);
    assert.equal((await proposeAsRoot(w, F06, 2, [a.bytes, encodeBigInt(MiBn - 1n)])).proposed[2], ExitCode.ErrIllegalArgument);
    await grant(w, b, MiBn);
    assert.equal((await proposeAsRoot(w, F06, 2, [b.bytes, encodeBigInt(MiBn)])).proposed[2], ExitCode.ErrIllegalArgument);
    assert.equal(verifregState(w).verifiers.size, 1);
  });

  test('internal methods are not for contracts: AddVerifier is exported under no FRC-42 number', async () => {
    const w = await verifregWorld();
    assert.equal((await proposeAsRoot(w, F06, methodNumber('AddVerifier'), [CLIENTS[0].bytes, encodeBigInt(MiBn)])).proposed[2], ExitCode.ErrUnhandledMessage);
  });
});

describe('AddVerifiedClient (4 and 3916220144)', () => {
  test('mints datacap to the client and lowers the verifier\'s allowance', async () => {
    const w = await verifregWorld();
    const receipt = await w.send(verifier, F06, 'AddVerifiedClient', [CLIENTS[0].bytes, encodeBigInt(1n << 30n)]);
    assert.equal(receipt.exitCode, 0);
    assert.equal(receipt.returnData.length, 0);
    assert.equal(w.datacap(w.clientIds[0]), (1n << 30n) * TOKENS);
    assert.equal(verifregState(w).verifiers.get(w.verifierId), GENESIS_VERIFIER_ALLOWANCE - (1n << 30n));
    // verifier-balance with the client.
    const event = receipt.events.find((e) => e.emitter === VERIFREG_ACTOR_ID)!;
    assert.deepEqual(event.entries.map((e) => e.key), ['$type', 'verifier', 'balance', 'client']);
    assert.equal(decodeCbor(event.entries[3].value), w.clientIds[0]);
  });

  test('checks: caller a verifier (17), client not root or a verifier, allowance within cap and above minimum (16)', async () => {
    const w = await verifregWorld();
    const [a, b] = CLIENTS;
    assert.equal((await w.send(a, F06, 4, [b.bytes, encodeBigInt(MiBn)])).exitCode, ExitCode.ErrNotFound);
    assert.equal((await w.send(verifier, F06, 4, [F080.bytes, encodeBigInt(MiBn)])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await w.send(verifier, F06, 4, [verifier.bytes, encodeBigInt(MiBn)])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await w.send(verifier, F06, 4, [a.bytes, encodeBigInt(MiBn - 1n)])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal((await w.send(verifier, F06, 4, [a.bytes, encodeBigInt(GENESIS_VERIFIER_ALLOWANCE + 1n)])).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(datacapState(w).supply, 0n);
  });
});

describe('RemoveVerifiedClientDataCap (7)', () => {
  // A secp256k1 signature of nobody's: type 1, then 65 zero bytes.
  const badSignature = Uint8Array.from([1, ...new Uint8Array(65)]);
  const removal = (client: Uint8Array, first: Uint8Array, second: Uint8Array) => [client, encodeBigInt(MiBn), [first, badSignature], [second, badSignature]];

  test('checks: the root key only (18), two different verifiers (16), each a verifier (17), both signatures (16, the proposal IDs used up revert with it)', async () => {
    const w = await verifregWorld();
    const [a, b] = CLIENTS;
    await grant(w, a, MiBn);
    assert.equal((await w.send(verifier, F06, 7, removal(a.bytes, verifier.bytes, b.bytes))).exitCode, ExitCode.ErrForbidden);
    // A signature type byte other than 1 or 2 fails to decode (fvm_shared), before any check.
    const typeThree = [a.bytes, encodeBigInt(MiBn), [verifier.bytes, Uint8Array.from([3, 1])], [b.bytes, badSignature]];
    assert.equal((await w.send(verifier, F06, 7, typeThree)).exitCode, ExitCode.ErrSerialization);
    assert.equal((await proposeAsRoot(w, F06, 7, removal(a.bytes, verifier.bytes, verifier.bytes))).proposed[2], ExitCode.ErrIllegalArgument);
    assert.equal((await proposeAsRoot(w, F06, 7, removal(a.bytes, verifier.bytes, b.bytes))).proposed[2], ExitCode.ErrNotFound);
    await proposeAsRoot(w, F06, 2, [b.bytes, encodeBigInt(MiBn)]);
    assert.equal((await proposeAsRoot(w, F06, 7, removal(a.bytes, verifier.bytes, b.bytes))).proposed[2], ExitCode.ErrIllegalArgument);
    assert.equal(verifregState(w).removeDataCapProposalIds, undefined);
    assert.equal(w.datacap(w.clientIds[0]), MiBn * TOKENS);
  });
});

async function allocate(w: World, clientIndex: number, requests: Parameters<typeof allocationRequests>[1], bytes?: bigint) {
  const total = bytes ?? BigInt(requests.reduce((sum, r) => sum + r.size, 0));
  return transferForAllocations(w, CLIENTS[clientIndex], total, allocationRequests(w, requests));
}

describe('allocations from datacap transfers (Receive)', () => {
  test('each request becomes an allocation with a global sequential ID; the registry holds the datacap', async () => {
    const w = await verifregWorld();
    await grant(w, CLIENTS[0], 8n * MiBn);
    await grant(w, CLIENTS[1], 8n * MiBn);
    const first = await allocate(w, 0, [{ provider: w.minerId, size: 2 * MiB }, { provider: w.otherMinerId, size: MiB, data: OTHER_PIECE }]);
    assert.equal(first.exitCode, 0);
    assert.deepEqual(decodeCbor(returned(first)[2]), [[2, []], [0, []], [1, 2]]);
    const second = await allocate(w, 1, [{ provider: w.minerId, size: 4 * MiB }]);
    assert.deepEqual(decodeCbor(returned(second)[2]), [[1, []], [0, []], [3]]);
    const state = verifregState(w);
    assert.equal(state.nextAllocationId, 4);
    assert.deepEqual(state.allocations.get(w.clientIds[0])!.get(2), {
      client: w.clientIds[0],
      provider: w.otherMinerId,
      data: OTHER_PIECE,
      size: MiB,
      termMin: TERM_MIN,
      termMax: TERM_MIN + 100_000,
      expiration: w.ctx.epoch + 1000,
    });
    assert.equal(w.datacap(VERIFREG_ACTOR_ID), 7n * MiBn * TOKENS);
    assert.equal(w.datacap(w.clientIds[0]), 5n * MiBn * TOKENS);
    // Events: one "allocation" per new allocation.
    const types = first.events.filter((e) => e.emitter === VERIFREG_ACTOR_ID).map((e) => decodeCbor(e.entries[0].value));
    assert.deepEqual(types, ['allocation', 'allocation']);
  });

  test("each provider's code is asked for (check_miner_id): a second miner costs its lookup, 500 000, the first time in the message", async () => {
    const gasFor = async (second: 'minerId' | 'otherMinerId') => {
      const w = await verifregWorld();
      await grant(w, CLIENTS[0], 8n * MiBn);
      const receipt = await allocate(w, 0, [{ provider: w.minerId, size: MiB }, { provider: w[second], size: MiB }]);
      assert.equal(receipt.exitCode, 0);
      return receipt.gasUsed;
    };
    // The same sizes either way (IDs 111 and 112): only the lookup differs.
    assert.equal((await gasFor('otherMinerId')) - (await gasFor('minerId')), ACTOR_LOOKUP);
  });

  test('policy: size, terms, expiration, provider and total are checked (16); nothing moves', async () => {
    const w = await verifregWorld();
    await grant(w, CLIENTS[0], 2n * MiBn);
    const epoch = w.ctx.epoch;
    const cases: Parameters<typeof allocationRequests>[1][] = [
      [{ provider: w.minerId, size: MiB - 1 }],
      [{ provider: w.minerId, size: MiB, termMin: TERM_MIN - 1 }],
      [{ provider: w.minerId, size: MiB, termMax: TERM_MAX + 1 }],
      [{ provider: w.minerId, size: MiB, termMin: TERM_MIN + 10, termMax: TERM_MIN }],
      [{ provider: w.minerId, size: MiB, expiration: epoch - 1 }],
      [{ provider: w.minerId, size: MiB, expiration: epoch + 172800 + 1 }],
      [{ provider: w.clientIds[1], size: MiB }],
      [{ provider: 9999, size: MiB }],
    ];
    for (const requests of cases) {
      const receipt = await allocate(w, 0, requests);
      assert.equal(receipt.exitCode, ExitCode.ErrIllegalArgument, JSON.stringify(requests));
    }
    assert.equal((await allocate(w, 0, [{ provider: w.minerId, size: MiB }], 2n * MiBn)).exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(w.datacap(w.clientIds[0]), 2n * MiBn * TOKENS);
    assert.equal(verifregState(w).allocations.size, 0);
  });

  test('only the datacap actor may call the hook (18), with the FRC-46 type', async () => {
    const w = await verifregWorld();
    const payload = encodeCbor([w.clientIds[0], VERIFREG_ACTOR_ID, w.clientIds[0], encodeBigInt(TOKENS), new Uint8Array(), new Uint8Array()]);
    assert.equal((await w.send(CLIENTS[0], F06, 'Receive', [2233613279, payload])).exitCode, ExitCode.ErrForbidden);
  });
});

/** A sector claiming allocation `id` of client 0: `[sector, expiry, [[client, id, data, size]]]`. */
const sector = (w: World, number: number, id: number, size: number, expiry = w.ctx.epoch + TERM_MIN + 10, data = PIECE) => [number, expiry, [[w.clientIds[0], id, data, size]]];

describe('ClaimAllocations (9)', () => {
  async function withAllocations(w: World) {
    await grant(w, CLIENTS[0], 8n * MiBn);
    const receipt = await allocate(w, 0, [{ provider: w.minerId, size: 2 * MiB }, { provider: w.minerId, size: MiB }, { provider: w.otherMinerId, size: MiB }]);
    assert.equal(receipt.exitCode, 0);
  }

  test('a miner claims its allocations: claims with the same IDs, allocations gone, datacap burned', async () => {
    const w = await verifregWorld();
    await withAllocations(w);
    const supply = datacapState(w).supply;
    const result = await w.fromMiner(9, [[sector(w, 7, 1, 2 * MiB), sector(w, 8, 2, MiB)], false]);
    assert.equal(result.exitCode, 0, result.error);
    const [batch, claimed] = decodeCbor<[unknown, Uint8Array[]]>(result.returnData);
    assert.deepEqual(batch, [2, []]);
    assert.deepEqual(claimed.map(big), [2n * MiBn, MiBn]);
    const state = verifregState(w);
    assert.deepEqual(state.claims.get(w.minerId)!.get(1), {
      provider: w.minerId,
      client: w.clientIds[0],
      data: PIECE,
      size: 2 * MiB,
      termMin: TERM_MIN,
      termMax: TERM_MIN + 100_000,
      termStart: w.ctx.epoch,
      sector: 7,
    });
    assert.deepEqual([...state.allocations.get(w.clientIds[0])!.keys()], [3]);
    assert.equal(w.datacap(VERIFREG_ACTOR_ID), MiBn * TOKENS);
    assert.equal(datacapState(w).supply, supply - 3n * MiBn * TOKENS);
    assert.deepEqual(result.events.filter((e) => e.emitter === VERIFREG_ACTOR_ID).map((e) => decodeCbor(e.entries[0].value)), ['claim', 'claim']);
  });

  test('per sector: missing (17), wrong provider, data, size, expired or a term that does not fit (18)', async () => {
    const w = await verifregWorld();
    await withAllocations(w);
    const result = await w.fromMiner(9, [
      [
        sector(w, 1, 99, 2 * MiB),
        sector(w, 2, 3, MiB),
        sector(w, 3, 1, 2 * MiB, undefined, OTHER_PIECE),
        sector(w, 4, 1, MiB),
        sector(w, 5, 1, 2 * MiB, w.ctx.epoch + TERM_MIN - 1),
        sector(w, 6, 1, 2 * MiB, w.ctx.epoch + TERM_MIN + 100_001),
      ],
      false,
    ]);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(decodeCbor<unknown[]>(result.returnData)[0], [0, [[0, 17], [1, 18], [2, 18], [3, 18], [4, 18], [5, 18]]]);
    w.setEpoch(w.ctx.epoch + 1001);
    const late = await w.fromMiner(9, [[sector(w, 9, 1, 2 * MiB)], false]);
    assert.deepEqual(decodeCbor<unknown[]>(late.returnData)[0], [0, [[0, 18]]]);
    assert.equal(verifregState(w).claims.size, 0);
  });

  test('all_or_nothing aborts on any failure (16); no sectors is 16; only miners may call (18)', async () => {
    const w = await verifregWorld();
    await withAllocations(w);
    const aborted = await w.fromMiner(9, [[sector(w, 1, 1, 2 * MiB), sector(w, 2, 99, MiB)], true]);
    assert.equal(aborted.exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(aborted.error, 'claim failed with all-or-nothing: Batch successes 1 / 2, Batch failing: [code=17 at idx=1]');
    assert.equal(verifregState(w).claims.size, 0);
    const empty = await w.fromMiner(9, [[], false]);
    assert.equal(empty.error, 'claim allocations called with no claims');
    const fromAccount = await w.send(CLIENTS[0], F06, 9, [[sector(w, 1, 1, 2 * MiB)], false]);
    assert.equal(fromAccount.exitCode, ExitCode.ErrForbidden);
  });
});

describe('claims: GetClaims (10), ExtendClaimTerms (11), RemoveExpiredClaims (12)', () => {
  async function claimed(w: World) {
    await grant(w, CLIENTS[0], 8n * MiBn);
    await allocate(w, 0, [{ provider: w.minerId, size: 2 * MiB }, { provider: w.minerId, size: MiB }]);
    const result = await w.fromMiner(9, [[sector(w, 1, 1, 2 * MiB), sector(w, 2, 2, MiB)], true]);
    assert.equal(result.exitCode, 0);
  }

  test('GetClaims answers the claims found and a batch result', async () => {
    const w = await verifregWorld();
    await claimed(w);
    const receipt = await w.send(CLIENTS[1], F06, 'GetClaims', [w.minerId, [2, 5, 1]]);
    const [batch, claims] = returned(receipt);
    assert.deepEqual(batch, [2, [[1, 17]]]);
    assert.deepEqual(claims.map((c: unknown[]) => [c[0], c[1], c[3], c[7]]), [[w.minerId, w.clientIds[0], MiB, 2], [w.minerId, w.clientIds[0], 2 * MiB, 1]]);
  });

  test('ExtendClaimTerms: the client raises term_max; others are forbidden; beyond the limit or lower is 16', async () => {
    const w = await verifregWorld();
    await claimed(w);
    const terms = [[w.minerId, 1, TERM_MIN + 200_000], [w.minerId, 2, TERM_MAX + 1], [w.minerId, 2, TERM_MIN], [w.minerId, 7, TERM_MAX]];
    const receipt = await w.send(CLIENTS[0], F06, 11, [terms]);
    assert.deepEqual(returned(receipt), [1, [[1, 16], [2, 16], [3, 17]]]);
    assert.equal(verifregState(w).claims.get(w.minerId)!.get(1)!.termMax, TERM_MIN + 200_000);
    const other = await w.send(CLIENTS[1], F06, 11, [[[w.minerId, 2, TERM_MAX]]]);
    assert.deepEqual(returned(other), [0, [[0, 18]]]);
  });

  test('a client pays datacap to extend a claim past its original term_max (an extension request)', async () => {
    const w = await verifregWorld();
    await claimed(w);
    const ops = encodeCbor([[], [[w.minerId, 2, TERM_MAX]]]);
    const receipt = await transferForAllocations(w, CLIENTS[1], 0n, ops);
    assert.equal(receipt.exitCode, ExitCode.ErrIllegalArgument, 'the claim\'s size must be paid');
    await grant(w, CLIENTS[1], MiBn);
    const paid = await transferForAllocations(w, CLIENTS[1], MiBn, ops);
    assert.equal(paid.exitCode, 0);
    assert.deepEqual(decodeCbor(returned(paid)[2]), [[0, []], [1, []], []]);
    const claim = verifregState(w).claims.get(w.minerId)!.get(2)!;
    assert.equal(claim.termMax, TERM_MAX);
    assert.equal(claim.client, w.clientIds[0], 'the claim keeps its client');
    // Extensions are burned at once.
    assert.equal(w.datacap(VERIFREG_ACTOR_ID), 0n);
  });

  test('RemoveExpiredClaims: forbidden before term_start + term_max, removed after, by anyone', async () => {
    const w = await verifregWorld();
    await claimed(w);
    const early = await w.send(CLIENTS[2], F06, 12, [w.minerId, [1, 9]]);
    assert.deepEqual(returned(early), [[1, 9], [0, [[0, 18], [1, 17]]]]);
    w.setEpoch(w.ctx.epoch + TERM_MIN + 100_000);
    const all = await w.send(CLIENTS[2], F06, 'RemoveExpiredClaims', [w.minerId, []]);
    assert.deepEqual(returned(all), [[1, 2], [2, []]]);
    assert.equal(verifregState(w).claims.size, 0);
  });
});

describe('RemoveExpiredAllocations (8)', () => {
  test('before expiration: forbidden; after: removed and the datacap goes back to the client', async () => {
    const w = await verifregWorld();
    await grant(w, CLIENTS[0], 4n * MiBn);
    await allocate(w, 0, [{ provider: w.minerId, size: 2 * MiB }, { provider: w.minerId, size: MiB, expiration: w.ctx.epoch + 5000 }]);
    const early = await w.send(CLIENTS[1], F06, 8, [w.clientIds[0], [1, 3]]);
    assert.equal(early.exitCode, 0);
    const [considered, results, recovered] = returned(early);
    assert.deepEqual([considered, results, big(recovered)], [[1, 3], [0, [[0, 18], [1, 17]]], 0n]);
    w.setEpoch(w.ctx.epoch + 1000);
    const removed = await w.send(CLIENTS[1], F06, 'RemoveExpiredAllocations', [w.clientIds[0], []]);
    assert.deepEqual(returned(removed).slice(0, 2), [[1], [1, []]]);
    assert.equal(big(returned(removed)[2]), 2n * MiBn);
    assert.equal(w.datacap(w.clientIds[0]), 3n * MiBn * TOKENS);
    assert.equal(w.datacap(VERIFREG_ACTOR_ID), MiBn * TOKENS);
    assert.deepEqual([...verifregState(w).allocations.get(w.clientIds[0])!.keys()], [2]);
    const types = removed.events.filter((e) => e.emitter === VERIFREG_ACTOR_ID).map((e) => decodeCbor(e.entries[0].value));
    assert.deepEqual(types, ['allocation-removed']);
    assert.equal(w.state.getActor(DATACAP_ACTOR_ID)!.datacap!.supply, 4n * MiBn * TOKENS);
  });

  test('a client ID with no actor fails in the datacap transfer back: its receiver hook finds nobody (17)', async () => {
    const w = await verifregWorld();
    const receipt = await w.send(CLIENTS[1], F06, 8, [5000, []]);
    assert.equal(receipt.exitCode, ExitCode.ErrNotFound);
  });
});
