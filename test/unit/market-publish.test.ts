// The storage market's escrow and PublishStorageDeals: who may add and withdraw, the checks on each
// deal with builtin-actors' exit codes and messages, locking, DataCap allocations for verified deals,
// and the client notification that makes a publish all-or-nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { cidOf, decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { decodeBitfield, encodeBitfield } from '../../src/common/bitfield.js';
import { concatBytes } from '../../src/common/hex.js';
import { BURNT_FUNDS_ACTOR_ID, DATACAP_ACTOR_ID, MARKET_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../src/fevm/actor.js';
import { createActor } from '../../src/fevm/actors/lifecycle.js';
import { readDealProposal, storedProposalCid } from '../../src/fevm/actors/market/deal-proposal.js';
import { proposalError } from '../../src/fevm/actors/market/publish.js';
import { ActorError, methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { ABORT_EXIT, ACCOUNT_INVOCATION, blockCreateGas, paramsReadGas, signatureVerificationGas, stateLoadGas } from '../../src/fevm/builtin-method-gas.js';
import { FIL, MarketHarness, MIN_DURATION, pieceCid, proposalCbor, setupMarket as setup, type ProposalFields } from '../helpers/market-harness.js';

const ADD_BALANCE = 2;
const WITHDRAW_BALANCE = 3;
const GET_BALANCE = methodNumber('GetBalance');
const AUTHENTICATE_MESSAGE = methodNumber('AuthenticateMessage');

const balanceOf = async (h: MarketHarness, from: number, who: FilAddress) => {
  const r = await h.call(from, MARKET_ACTOR_ID, GET_BALANCE, who.bytes);
  const [escrow, locked] = decodeCborTuple(r.returnData);
  return { escrow, locked };
};
const decodeCborTuple = (data: Uint8Array) => (decodeCbor(data) as Uint8Array[]).map(decodeBigInt);

describe("a client's signature (the account's AuthenticateMessage, which the market sends for each deal)", () => {
  test("costs the account's invocation, its params and state read, and the verify_signature syscall, even for a signature it refuses", async () => {
    const { h, client, fields, signed } = await setup();
    const [proposal, signature] = signed(fields()) as [unknown, Uint8Array];
    const plaintext = encodeCbor(proposal);
    const authenticate = (sig: Uint8Array) => h.call(MARKET_ACTOR_ID, client.actor.id, AUTHENTICATE_MESSAGE, [sig.subarray(1), plaintext]);
    const checked = await authenticate(signature);
    assert.equal(checked.exitCode, 0);
    const work = (sig: Uint8Array) => ACCOUNT_INVOCATION + paramsReadGas(encodeCbor([sig.subarray(1), plaintext]).length) + stateLoadGas('account') + signatureVerificationGas(false, plaintext.length);
    // It answers `true`, a 1-byte block.
    assert.equal(checked.gasUsed, work(signature) + blockCreateGas(1));
    // The syscall charges its price before it looks at the signature (ref-fvm kernel/default.rs); the refusal exits.
    const short = await authenticate(signature.subarray(0, 60));
    assert.equal(short.exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(short.gasUsed, work(signature.subarray(0, 60)) + ABORT_EXIT);
  });
});

describe('market escrow', () => {
  test('AddBalance credits the named address; GetBalance answers [escrow, locked]', async () => {
    const { h, client, provider, owner } = await setup();
    assert.deepEqual(await balanceOf(h, owner.actor.id, client.address), { escrow: 100n * FIL, locked: 0n });
    assert.deepEqual(await balanceOf(h, owner.actor.id, provider), { escrow: 10n * FIL, locked: 0n });
    assert.equal(h.balance(MARKET_ACTOR_ID), 110n * FIL);
  });

  test('AddBalance without value and for an unknown address fail as builtin-actors does', async () => {
    const { h, client } = await setup();
    const zero = await h.call(client.actor.id, MARKET_ACTOR_ID, ADD_BALANCE, client.address.bytes, 0n);
    assert.equal(zero.exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(zero.error, 'balance to add must be greater than zero was: 0 FIL');
    const unknown = await h.call(client.actor.id, MARKET_ACTOR_ID, ADD_BALANCE, FilAddress.fromId(999).bytes, 1n);
    assert.equal(unknown.exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(unknown.error, 'failed to resolve address f0999');
  });

  test('a client withdraws at most what is not locked, to itself; nobody else may', async () => {
    const { h, client, owner, fields, signed, publish } = await setup();
    assert.equal((await publish([signed(fields())])).exitCode, 0);
    const locked = 2n * FIL + 1000n * BigInt(MIN_DURATION);
    const before = h.balance(client.actor.id);
    const r = await h.call(client.actor.id, MARKET_ACTOR_ID, WITHDRAW_BALANCE, [client.address.bytes, encodeBigInt(1000n * FIL)]);
    assert.equal(r.exitCode, 0);
    assert.equal(decodeBigInt(decodeCbor(r.returnData) as Uint8Array), 100n * FIL - locked);
    assert.equal(h.balance(client.actor.id), before + 100n * FIL - locked);
    assert.deepEqual(await balanceOf(h, client.actor.id, client.address), { escrow: locked, locked });

    const other = await h.call(owner.actor.id, MARKET_ACTOR_ID, WITHDRAW_BALANCE, [client.address.bytes, encodeBigInt(1n)]);
    assert.equal(other.exitCode, ExitCode.ErrForbidden);
    assert.equal(other.error, `caller f0${owner.actor.id} is not one of supported`);
    const negative = await h.call(client.actor.id, MARKET_ACTOR_ID, WITHDRAW_BALANCE, [client.address.bytes, encodeBigInt(-1n)]);
    assert.equal(negative.exitCode, ExitCode.ErrIllegalArgument);
  });

  test("a miner's escrow is withdrawn by its owner or worker and paid to its owner", async () => {
    const { h, owner, client } = await setup();
    const worker = h.newClient();
    const miner = h.newMiner(owner.actor.id, worker.actor.id);
    const minerAddress = FilAddress.fromId(miner.id);
    assert.equal((await h.call(worker.actor.id, MARKET_ACTOR_ID, ADD_BALANCE, minerAddress.bytes, 5n * FIL)).exitCode, 0);
    const ownerBefore = h.balance(owner.actor.id);
    const r = await h.call(worker.actor.id, MARKET_ACTOR_ID, WITHDRAW_BALANCE, [minerAddress.bytes, encodeBigInt(2n * FIL)]);
    assert.equal(r.exitCode, 0);
    assert.equal(h.balance(owner.actor.id), ownerBefore + 2n * FIL);
    assert.equal(h.balance(miner.id), 0n);
    const byClient = await h.call(client.actor.id, MARKET_ACTOR_ID, WITHDRAW_BALANCE, [minerAddress.bytes, encodeBigInt(1n)]);
    assert.equal(byClient.exitCode, ExitCode.ErrForbidden);
  });

  test('AddBalance and GetBalance run through the executor for an f1 client', async () => {
    const { h, client } = await setup();
    const message = (method: number, params: unknown, value: bigint) => ({
      version: 0, to: FilAddress.fromId(MARKET_ACTOR_ID), from: client.address, nonce: 0, value, gasLimit: 10_000_000_000,
      gasFeeCap: 0n, gasPremium: 0n, method, params: encodeCbor(params),
    });
    const receipt = await h.executor.applyMessage(h.state, message(methodNumber('AddBalance'), client.address.bytes, 3n * FIL), 200, h.ctx);
    assert.equal(receipt.exitCode, 0);
    const read = await h.executor.call(h.state, message(GET_BALANCE, client.address.bytes, 0n), h.ctx);
    assert.deepEqual(decodeCborTuple(read.returnData), [103n * FIL, 0n]);
  });
});

describe('PublishStorageDeals', () => {
  test('publishes, locks funds, notifies the client, emits deal-published and returns [ids, valid bitfield]', async () => {
    const { h, client, miner, fields, signed, publish } = await setup();
    const r = await publish([signed(fields()), signed(fields({ pieceCid: pieceCid(2) }))]);
    assert.equal(r.exitCode, 0, r.error);
    const [ids, valid] = decodeCbor(r.returnData) as [number[], Uint8Array];
    assert.deepEqual(ids, [0, 1]);
    assert.deepEqual(decodeBitfield(valid), [0, 1]);
    const market = h.market;
    assert.equal(market.nextId, 2);
    assert.equal(market.proposals.get(0)!.client, client.actor.id);
    assert.equal(market.proposals.get(0)!.provider, miner.id);
    assert.equal(market.locked.get(client.actor.id), 2n * (2n * FIL + 1000n * BigInt(MIN_DURATION)));
    assert.equal(market.locked.get(miner.id), 2n * FIL);
    assert.equal(market.pendingProposals.size, 2);
    assert.equal(market.totalClientStorageFee, 2n * 1000n * BigInt(MIN_DURATION));
    assert.deepEqual(MarketHarness.events(r.events), [
      ['deal-published', { id: 0, client: client.actor.id, provider: miner.id }],
      ['deal-published', { id: 1, client: client.actor.id, provider: miner.id }],
    ]);
    // The proposal is stored normalized: its CID is that of the ID-address form.
    const stored = market.proposals.get(0)!;
    assert.ok(market.pendingProposals.has(storedProposalCid(stored).toString()));
  });

  test('the caller must control the provider, which must be a miner', async () => {
    const { h, client, fields, signed, publish } = await setup();
    const notControlling = await publish([signed(fields())], client.actor.id);
    assert.equal(notControlling.exitCode, ExitCode.ErrForbidden);
    assert.match(notControlling.error!, /^caller f0\d+ is not worker or control address of provider \d+$/);
    const notMiner = await publish([signed(fields({ provider: client.address }))]);
    assert.equal(notMiner.exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(notMiner.error, 'deal provider is not a storage miner actor');
    const unknown = await publish([signed(fields({ provider: FilAddress.fromId(4242) }))]);
    assert.equal(unknown.exitCode, ExitCode.ErrNotFound);
    assert.equal(unknown.error, 'failed to resolve provider address f04242');
    const empty = await publish([]);
    assert.equal(empty.exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(empty.error, 'Empty deals parameter');
    assert.equal(h.market.nextId, 0);
  });

  test('invalid deals are dropped; when none is left the publish fails with "All deal proposals invalid"', async () => {
    const { h, client, fields, signed, publish } = await setup();
    const badSignature = [proposalCbor(fields()), concatBytes(new Uint8Array([1]), client.sign(new Uint8Array([1])))];
    const rejected = [
      badSignature,
      signed(fields({ label: 'x'.repeat(257) })),
      signed(fields({ pieceSize: 1000 })),
      signed(fields({ start: h.epoch - 1 })),
      signed(fields({ end: h.epoch + 100 + MIN_DURATION - 1 })),
      signed(fields({ price: 2_000_000_001n * FIL })),
      signed(fields({ clientCollateral: 1000n * FIL })), // more than the client's escrow
      signed(fields({ providerCollateral: 11n * FIL })), // more than the provider's escrow
    ];
    const all = await publish(rejected);
    assert.equal(all.exitCode, ExitCode.ErrIllegalArgument);
    // Each dropped deal is named with its reason.
    assert.equal(
      all.error,
      'All deal proposals invalid (' +
        [
          'deal 0: proposal authentication failed: AuthenticateMessage exited with 16',
          'deal 1: deal label can be at most 256 bytes, is 257',
          'deal 2: proposal piece size is invalid: padded piece size must be a power of 2',
          'deal 3: Deal start epoch has already elapsed.',
          'deal 4: Deal duration out of bounds.',
          'deal 5: Storage price out of bounds.',
          'deal 6: client balance insufficient',
          'deal 7: provider balance insufficient',
        ].join('; ') +
        ')',
    );

    const mixed = await publish([rejected[0], signed(fields()), rejected[3]]);
    assert.equal(mixed.exitCode, 0);
    const [ids, valid] = decodeCbor(mixed.returnData) as [number[], Uint8Array];
    assert.deepEqual(ids, [0]);
    assert.deepEqual(decodeBitfield(valid), [1]);
  });

  test('each policy check has builtin-actors’ message', async () => {
    const { h, fields } = await setup();
    const check = (overrides: Partial<ProposalFields>) => proposalError(readDealProposal(proposalCbor(fields(overrides)), 'p'), h.epoch);
    assert.equal(check({}), undefined);
    assert.equal(check({ label: 'é'.repeat(129) }), 'deal label can be at most 256 bytes, is 258');
    assert.equal(check({ label: new Uint8Array(256) }), undefined);
    assert.equal(check({ pieceSize: 64 }), 'proposal piece size is invalid: minimum piece size is 128 bytes');
    assert.equal(check({ pieceSize: 3072 }), 'proposal piece size is invalid: padded piece size must be a power of 2');
    assert.equal(check({ pieceCid: cidOf(new Uint8Array([1])) }), 'proposal PieceCID undefined');
    assert.equal(check({ end: h.epoch + 100 }), 'proposal end before proposal start');
    assert.equal(check({ start: h.epoch - 1 }), 'Deal start epoch has already elapsed.');
    assert.equal(check({ end: h.epoch + 100 + 1278 * 2880 + 1 }), 'Deal duration out of bounds.');
    assert.equal(check({ end: h.epoch + 100 + 1278 * 2880 }), undefined);
    assert.equal(check({ price: -1n }), 'Storage price out of bounds.');
    assert.equal(check({ providerCollateral: 2_000_000_001n * FIL }), 'Provider collateral out of bounds.');
    assert.equal(check({ clientCollateral: -1n }), 'Client collateral out of bounds.');
  });

  test('duplicates are dropped, within a message and across messages', async () => {
    const { h, fields, signed, publish } = await setup();
    const deal = signed(fields());
    const first = await publish([deal, deal]);
    assert.deepEqual(decodeCbor(first.returnData), [[0], encodeBitfield([0])]);
    const again = await publish([deal]);
    assert.equal(again.exitCode, ExitCode.ErrIllegalArgument);
    assert.match(again.error ?? '', /^All deal proposals invalid \(deal 0: cannot publish duplicate deal with cid /);
    assert.equal(h.market.nextId, 1);
  });

  test('an EthAccount client cannot authenticate (it answers AuthenticateMessage with nothing)', async () => {
    const { h, fields, signed, publish, client } = await setup();
    const eth = createActor(h.state, 'ethaccount', { delegated: FilAddress.fromEthAddress(new Uint8Array(20).fill(7)) });
    await h.call(client.actor.id, MARKET_ACTOR_ID, ADD_BALANCE, FilAddress.fromId(eth.id).bytes, 10n * FIL);
    const r = await publish([signed(fields({ client: FilAddress.fromId(eth.id) }))]);
    assert.equal(r.exitCode, ExitCode.ErrIllegalArgument);
    assert.equal(r.error, 'All deal proposals invalid (deal 0: proposal authentication failed)');
  });

  test('a client that refuses MarketNotifyDeal fails the whole publish, and nothing is published', async () => {
    const { h, fields, signed, publish, client } = await setup();
    const contract = createActor(h.state, 'evm', { delegated: FilAddress.fromEthAddress(new Uint8Array(20).fill(9)) });
    h.double(contract.id, {
      AuthenticateMessage: { run: () => true },
      MarketNotifyDeal: { run: () => { throw new ActorError(33, 'refused'); } },
    });
    await h.call(client.actor.id, MARKET_ACTOR_ID, ADD_BALANCE, FilAddress.fromId(contract.id).bytes, 10n * FIL);
    const contractDeal = [proposalCbor(fields({ client: FilAddress.fromId(contract.id), pieceCid: pieceCid(3) })), new Uint8Array([2, 0xde, 0xad])];
    const before = h.market;
    const r = await publish([signed(fields()), contractDeal]);
    assert.equal(r.exitCode, ExitCode.ErrIllegalArgument);
    assert.match(r.error!, /^failed to notify deal with proposal cid bafy2bzace\w+: ActorError\(exit_code: ExitCode \{ value: 33 \}, msg: send aborted with code 33\)$/);
    assert.equal(h.market, before);
    assert.deepEqual(r.events, []);

    // The contract's AuthenticateMessage saw the proposal as submitted, and MarketNotifyDeal the normalized one.
    const notify = h.received.find(([id, m]) => id === contract.id && m === methodNumber('MarketNotifyDeal'))!;
    const [proposalBytes, dealId] = notify[2] as [Uint8Array, number];
    assert.equal(dealId, 1);
    assert.equal(readDealProposal(decodeCbor(proposalBytes), 'p').client.id, contract.id);
  });

  test('a verified deal moves the client’s DataCap to verifreg with an allocation request and keeps the allocation ID', async () => {
    const { h, client, miner, fields, signed, publish } = await setup();
    const balances = new Map([[client.actor.id, 4096n * FIL]]);
    h.datacap(balances, { id: 7 });
    const start = h.epoch + 100;
    const r = await publish([signed(fields({ verified: true })), signed(fields({ verified: true, pieceCid: pieceCid(2) })), signed(fields({ verified: true, pieceCid: pieceCid(3) }))]);
    assert.equal(r.exitCode, 0, r.error);
    // The third deal needs more DataCap than is left, and is dropped.
    assert.deepEqual(decodeBitfield((decodeCbor(r.returnData) as [unknown, Uint8Array])[1]), [0, 1]);
    const transfer = h.received.find(([id, m]) => id === DATACAP_ACTOR_ID && m === methodNumber('TransferFrom'))!;
    const [from, to, amount, operatorData] = transfer[2] as Uint8Array[];
    assert.equal(FilAddress.fromBytes(from).id, client.actor.id);
    assert.equal(FilAddress.fromBytes(to).id, VERIFREG_ACTOR_ID);
    assert.equal(decodeBigInt(amount), 4096n * FIL);
    assert.deepEqual(decodeCbor(operatorData), [
      [
        [miner.id, pieceCid(), 2048, MIN_DURATION, MIN_DURATION + 90 * 2880, start],
        [miner.id, pieceCid(2), 2048, MIN_DURATION, MIN_DURATION + 90 * 2880, start],
      ],
      [],
    ]);
    assert.deepEqual([...h.market.pendingDealAllocationIds], [[0, 7], [1, 8]]);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), 0n);
  });
});

