// The payment channel actor through the executor: creation by the init actor's Exec (f01 method 2),
// vouchers signed by the payer (secp256k1 and BLS) redeemed by the payee (lanes, nonces, merges,
// secrets, time locks, the extra call, min settle height), Settle, Collect paying both parties and
// deleting the channel, and builtin-actors' exit codes and messages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import { cidOf, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { NativeWallet } from '../../src/devnet/wallet.js';
import { codeCid, INIT_ACTOR_ID } from '../../src/fevm/actor.js';
import { actorHead } from '../../src/fevm/actor-state.js';
import { createActor } from '../../src/fevm/actors/lifecycle.js';
import { lanesAmt, PaychMethod, paychStateValue, SETTLE_DELAY, type PaychState } from '../../src/fevm/actors/paych/state.js';
import { laneReadGas, laneWriteGas } from '../../src/fevm/builtin-method-gas.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import type { Signature } from '../../src/fevm/message.js';
import { compileSolidity, FIXTURE_CONTRACTS_DIR } from '../helpers/solc.js';
import { CLIENTS, deployContract, FIL, KEYS, returned, verifregWorld, type World } from '../helpers/verifreg-world.js';

const F01 = FilAddress.fromId(INIT_ACTOR_ID);
const PAYER = KEYS.dealClient.address;
const PAYEE = KEYS.verifier.address;
const [OUTSIDER] = CLIENTS;

const wallet = new NativeWallet();
wallet.hold(KEYS.dealClient);
wallet.hold(KEYS.verifier);
wallet.hold(KEYS.rootKey);

interface Channel {
  id: number;
  address: FilAddress;
  robust: FilAddress;
}

interface Voucher {
  channel?: FilAddress;
  timeLockMin?: number;
  timeLockMax?: number;
  secretHash?: Uint8Array;
  extra?: [FilAddress, number, Uint8Array];
  lane?: number | bigint;
  nonce?: number | bigint;
  amount: bigint;
  minSettleHeight?: number;
  merges?: [number | bigint, number | bigint][];
}

/** The SignedVoucher tuple, signed by `signer` (null: unsigned) as Lotus's PaychVoucherCreate signs it: the tuple with a null signature. */
function voucherTuple(channel: Channel, v: Voucher, signer: FilAddress | ((bytes: Uint8Array) => Signature) | null = PAYER): unknown[] {
  const fields = [
    (v.channel ?? channel.robust).bytes,
    v.timeLockMin ?? 0,
    v.timeLockMax ?? 0,
    v.secretHash ?? new Uint8Array(),
    v.extra ? [v.extra[0].bytes, v.extra[1], v.extra[2]] : null,
    v.lane ?? 0,
    v.nonce ?? 1,
    encodeBigInt(v.amount),
    v.minSettleHeight ?? 0,
    (v.merges ?? []).map(([lane, nonce]) => [lane, nonce]),
  ];
  if (signer === null) return [...fields, null];
  const signing = encodeCbor([...fields, null]);
  const signature = typeof signer === 'function' ? signer(signing) : wallet.sign(signer, signing);
  return [...fields, new Uint8Array([signature.type, ...signature.data])];
}

/** Exec of a payment channel from `from` to `to`, funded with `value`; the receipt, and the channel when it was made. */
async function open(w: World, value = 10n * FIL, from = PAYER, to = PAYEE) {
  const receipt = await w.send(from, F01, 2, [codeCid('paymentchannel'), encodeCbor([from.bytes, to.bytes])], value);
  if (receipt.exitCode !== 0) return { receipt };
  const [id, robust] = returned(receipt) as [Uint8Array, Uint8Array];
  const address = FilAddress.fromBytes(id);
  return { receipt, channel: { id: address.id!, address, robust: FilAddress.fromBytes(robust) } as Channel };
}

async function opened(w: World, value = 10n * FIL): Promise<Channel> {
  const { receipt, channel } = await open(w, value);
  assert.equal(receipt.exitCode, 0, 'Exec');
  return channel!;
}

const stateOf = (w: World, channel: Channel): PaychState => w.state.getActor(channel.id)!.paych!;
const balanceOf = (w: World, address: FilAddress) => w.state.getActor(w.state.lookupId(address)!)!.balance;
const update = (w: World, from: FilAddress, channel: Channel, voucher: unknown[], secret: Uint8Array = new Uint8Array()) => w.send(from, channel.address, PaychMethod.UpdateChannelState, [voucher, secret]);
const redeem = (w: World, channel: Channel, v: Voucher, secret?: Uint8Array) => update(w, PAYEE, channel, voucherTuple(channel, v), secret);

/** What a message would answer, run as a call (the state left as it was): its exit code and builtin-actors' message. */
async function outcome(w: World, from: FilAddress, to: FilAddress, method: number, params?: unknown): Promise<[number, string | undefined]> {
  const nonce = w.state.getActor(w.state.lookupId(from)!)!.nonce;
  const message = { version: 0, to, from, nonce, value: 0n, gasLimit: 10_000_000_000, gasFeeCap: 1000n, gasPremium: 100n, method, params: params === undefined ? new Uint8Array() : encodeCbor(params) };
  const result = await w.executor.call(w.state, message, w.ctx);
  return [result.exitCode, result.error];
}
const updateOutcome = (w: World, from: FilAddress, channel: Channel, voucher: unknown[], secret: Uint8Array = new Uint8Array()) => outcome(w, from, channel.address, PaychMethod.UpdateChannelState, [voucher, secret]);
const redeemOutcome = (w: World, channel: Channel, v: Voucher, secret?: Uint8Array) => updateOutcome(w, PAYEE, channel, voucherTuple(channel, v), secret);

describe('creation through Init Exec (f01 method 2)', () => {
  test('an f1 payer opens a channel to an f1 payee: ID and f2 back, parties as IDs, the value its balance, an empty lanes AMT', async () => {
    const w = await verifregWorld();
    const channel = await opened(w, 7n * FIL);
    const actor = w.state.getActor(channel.id)!;
    assert.equal(actor.kind, 'paymentchannel');
    assert.equal(channel.robust.protocol, 2);
    assert.equal(w.state.lookupId(channel.robust), channel.id);
    assert.equal(actor.balance, 7n * FIL);
    assert.deepEqual(stateOf(w, channel), { from: w.state.lookupId(PAYER), to: w.state.lookupId(PAYEE), toSend: 0n, settlingAt: 0, minSettleHeight: 0, lanes: new Map() });
    // The Head is the CID of builtin-actors' State tuple, its LaneStates the root of an empty AMT of bit width 3.
    const empty = encodeCbor([3, 0, 0, [new Uint8Array(1), [], []]]);
    assert.deepEqual((paychStateValue(actor.paych!) as unknown[])[5], cidOf(empty));
    assert.deepEqual(actorHead(actor), cidOf(encodeCbor(paychStateValue(actor.paych!))));
  });

  test('a payee with no actor yet gets an account; an ID with no actor is 17; only Init may construct (18)', async () => {
    const w = await verifregWorld();
    const fresh = FilAddress.parse('f1ys5qqiciehcml3sp764ymbbytfn3qoar5fo3iwy');
    const { receipt } = await open(w, 0n, PAYER, fresh);
    assert.equal(receipt.exitCode, 0);
    assert.equal(w.state.getActor(w.state.lookupId(fresh)!)!.kind, 'account');
    const before = w.state.nextId();
    assert.equal((await open(w, 0n, PAYER, FilAddress.fromId(9_999))).receipt.exitCode, ExitCode.ErrNotFound);
    assert.equal(w.state.nextId(), before);
    const channel = await opened(w);
    // validate_immediate_caller_type(Init): the caller's code named.
    assert.deepEqual(await outcome(w, PAYER, channel.address, 1, [PAYER.bytes, PAYEE.bytes]), [ExitCode.ErrForbidden, `caller cid type ${codeCid('account')} not one of supported`]);
  });
});

describe('UpdateChannelState (2): vouchers', () => {
  test("the payee redeems the payer's vouchers: ToSend moves by what each adds, per lane, the nonce kept", async () => {
    const w = await verifregWorld();
    const channel = await opened(w);
    assert.equal((await redeem(w, channel, { lane: 0, nonce: 1, amount: 2n * FIL })).exitCode, 0);
    assert.equal((await redeem(w, channel, { lane: 0, nonce: 2, amount: 3n * FIL })).exitCode, 0);
    assert.equal((await redeem(w, channel, { lane: 1, nonce: 1, amount: 1n * FIL })).exitCode, 0);
    const state = stateOf(w, channel);
    assert.equal(state.toSend, 4n * FIL);
    assert.deepEqual([...state.lanes], [
      [0n, { redeemed: 3n * FIL, nonce: 2n }],
      [1n, { redeemed: 1n * FIL, nonce: 1n }],
    ]);
    // The payer may submit the payee's voucher too: the signer is then the payee.
    const byPayee = voucherTuple(channel, { lane: 2, nonce: 1, amount: 1n }, PAYEE);
    assert.equal((await update(w, PAYER, channel, byPayee)).exitCode, 0);
  });

  test('a stale nonce, an unsigned voucher, a signature of another key, another channel, an outsider: refused with builtin-actors codes', async () => {
    const w = await verifregWorld();
    const channel = await opened(w);
    assert.equal((await redeem(w, channel, { nonce: 5, amount: 1n })).exitCode, 0);
    assert.deepEqual(await redeemOutcome(w, channel, { nonce: 5, amount: 2n }), [ExitCode.ErrIllegalArgument, 'voucher has an outdated nonce, existing: 5, voucher: 5, cannot redeem']);
    assert.deepEqual(await updateOutcome(w, PAYEE, channel, voucherTuple(channel, { nonce: 6, amount: 2n }, null)), [ExitCode.ErrIllegalArgument, 'voucher has no signature']);
    const forged = voucherTuple(channel, { nonce: 6, amount: 2n }, KEYS.rootKey.address);
    assert.deepEqual(await updateOutcome(w, PAYEE, channel, forged), [ExitCode.ErrIllegalArgument, 'proposal authentication failed: send aborted with code 16']);
    assert.equal((await update(w, PAYEE, channel, forged)).exitCode, ExitCode.ErrIllegalArgument);
    const other = await opened(w);
    assert.deepEqual(await redeemOutcome(w, channel, { channel: other.address, nonce: 6, amount: 2n }), [
      ExitCode.ErrIllegalArgument,
      `voucher payment channel address ${other.id} does not match receiver f0${channel.id}`,
    ]);
    const [outsider] = await updateOutcome(w, OUTSIDER, channel, voucherTuple(channel, { nonce: 6, amount: 2n }));
    assert.equal(outsider, ExitCode.ErrForbidden);
    assert.equal(stateOf(w, channel).toSend, 1n);
  });

  test('time locks, amounts, the balance and a voucher lowering ToSend below zero', async () => {
    const w = await verifregWorld();
    const channel = await opened(w, 5n * FIL);
    const epoch = w.ctx.epoch;
    const refusals: [Voucher, string][] = [
      [{ timeLockMin: epoch + 1, amount: 1n }, 'cannot use this voucher yet'],
      [{ timeLockMax: epoch - 1, amount: 1n }, 'this voucher has expired'],
      [{ amount: -1n }, 'voucher amount must be non-negative, was -0.000000000000000001 FIL'],
      [{ amount: 6n * FIL }, 'not enough funds in channel to cover voucher'],
    ];
    for (const [voucher, message] of refusals) {
      assert.deepEqual(await redeemOutcome(w, channel, voucher), [ExitCode.ErrIllegalArgument, message]);
    }
    assert.equal((await redeem(w, channel, { timeLockMin: epoch, timeLockMax: epoch, lane: 0, nonce: 1, amount: 3n * FIL })).exitCode, 0);
    // A lane merging lane 0 takes its 3 FIL off what it adds: lane 1 for nothing leaves ToSend 0, lane 2 likewise would leave it negative.
    assert.equal((await redeem(w, channel, { lane: 1, nonce: 1, amount: 0n, merges: [[0, 2]] })).exitCode, 0);
    assert.equal(stateOf(w, channel).toSend, 0n);
    assert.deepEqual(await redeemOutcome(w, channel, { lane: 2, nonce: 1, amount: 0n, merges: [[0, 3]] }), [ExitCode.ErrIllegalArgument, 'voucher would leave channel balance negative']);
  });

  test('merges: a lane merged takes the merge nonce and its redeemed amount counts; its own lane, an unknown or stale lane refused', async () => {
    const w = await verifregWorld();
    const channel = await opened(w);
    assert.equal((await redeem(w, channel, { lane: 0, nonce: 1, amount: 2n * FIL })).exitCode, 0);
    for (const [merges, message] of [
      [[[1, 2]], "voucher cannot merge lanes into it's own lane"],
      [[[7, 2]], 'voucher specifies invalid merge lane 7'],
      [[[0, 1]], 'merged lane in voucher has outdated nonce, cannot redeem'],
    ] as [[number, number][], string][]) {
      assert.deepEqual(await redeemOutcome(w, channel, { lane: 1, nonce: 1, amount: 3n * FIL, merges }), [ExitCode.ErrIllegalArgument, message]);
    }
    assert.equal((await redeem(w, channel, { lane: 1, nonce: 1, amount: 3n * FIL, merges: [[0, 4]] })).exitCode, 0);
    const state = stateOf(w, channel);
    // Lane 1's 3 FIL less lane 0's 2 FIL already counted: ToSend 3 FIL.
    assert.equal(state.toSend, 3n * FIL);
    assert.deepEqual(state.lanes.get(0n), { redeemed: 2n * FIL, nonce: 4n });
  });

  test('lanes and nonces are u64: lanes 2^53 and 2^63 − 1 redeemed with nonces past 2^53, kept whole; a lane of 2^63 refused as find_lane does (16)', async () => {
    const w = await verifregWorld();
    const channel = await opened(w, 5n * FIL);
    const [low, top, nonce] = [2n ** 53n, 2n ** 63n - 1n, 2n ** 53n + 1n];
    assert.equal((await redeem(w, channel, { lane: low, nonce, amount: 1n })).exitCode, 0);
    assert.equal((await redeem(w, channel, { lane: top, nonce: 2n ** 64n - 1n, amount: 2n })).exitCode, 0);
    const state = stateOf(w, channel);
    assert.equal(state.toSend, 3n);
    assert.deepEqual([...state.lanes], [
      [low, { redeemed: 1n, nonce }],
      [top, { redeemed: 2n, nonce: 2n ** 64n - 1n }],
    ]);
    // The lanes AMT 21 levels high (8^21 = 2^63): both lanes split at the root, each a chain of 20 nodes below it.
    const lanes = lanesAmt(state.lanes);
    assert.deepEqual((decodeCbor(lanes.blocks.get(lanes.root.toString())!) as unknown[]).slice(0, 3), [3, 20, 2]);
    assert.equal(lanes.blocks.size, 41);
    assert.deepEqual(await redeemOutcome(w, channel, { lane: low, nonce, amount: 1n }), [
      ExitCode.ErrIllegalArgument,
      'voucher has an outdated nonce, existing: 9007199254740993, voucher: 9007199254740993, cannot redeem',
    ]);
    assert.deepEqual(await redeemOutcome(w, channel, { lane: 2n ** 63n, amount: 1n }), [ExitCode.ErrIllegalArgument, 'maximum lane ID is 2^63-1']);
    assert.deepEqual(await redeemOutcome(w, channel, { lane: 0, amount: 3n, merges: [[2n ** 63n, 1]] }), [ExitCode.ErrIllegalArgument, 'maximum lane ID is 2^63-1']);
    assert.equal(stateOf(w, channel).toSend, 3n);
  });

  test('a secret: its blake2b-256 must be the hash the voucher names, at most 256 bytes', async () => {
    const w = await verifregWorld();
    const channel = await opened(w);
    const secret = new TextEncoder().encode('open sesame');
    const voucher = { secretHash: blake2b256(secret), amount: 1n };
    assert.deepEqual(await redeemOutcome(w, channel, voucher, new TextEncoder().encode('open barley')), [ExitCode.ErrIllegalArgument, 'incorrect secret']);
    assert.deepEqual(await redeemOutcome(w, channel, voucher, new Uint8Array(257)), [ExitCode.ErrIllegalArgument, 'secret must be at most 256 bytes long']);
    assert.equal((await redeem(w, channel, voucher, secret)).exitCode, 0);
  });

  test('the extra call: sent before the lanes change; its failure fails the voucher with its exit code', async () => {
    const w = await verifregWorld();
    const channel = await opened(w);
    // An account takes any exported method (its fallback); an internal method it does not have is 22.
    assert.equal((await redeem(w, channel, { nonce: 1, amount: 1n, extra: [PAYER, methodNumber('CheckVoucher'), encodeCbor(0)] })).exitCode, 0);
    const failing: Voucher = { nonce: 2, amount: 2n, extra: [PAYER, 3, encodeCbor(0)] };
    assert.deepEqual(await redeemOutcome(w, channel, failing), [ExitCode.ErrUnhandledMessage, 'spend voucher verification failed: send aborted with code 22']);
    // Empty data is still a params block: the account's PubkeyAddress (2), which takes none, refuses it (16).
    const empty: Voucher = { nonce: 2, amount: 2n, extra: [PAYER, 2, new Uint8Array()] };
    assert.deepEqual(await redeemOutcome(w, channel, empty), [ExitCode.ErrIllegalArgument, 'spend voucher verification failed: send aborted with code 16']);
    assert.equal((await redeem(w, channel, failing)).exitCode, ExitCode.ErrUnhandledMessage);
    assert.equal(stateOf(w, channel).toSend, 1n);
  });

  test('a BLS payer signs vouchers too; an EthAccount payer cannot (its AuthenticateMessage returns nothing: 24; a delegated signature does not even decode: 21)', async () => {
    const w = await verifregWorld();
    const blsWallet = new NativeWallet();
    const bls = blsWallet.generate('bls');
    assert.equal((await w.send(PAYER, bls, 0, undefined, 100n * FIL)).exitCode, 0);
    const { receipt, channel } = await open(w, 10n * FIL, bls, PAYEE);
    assert.equal(receipt.exitCode, 0);
    const signed = voucherTuple(channel!, { amount: 1n * FIL }, (bytes) => blsWallet.sign(bls, bytes));
    assert.equal((await update(w, PAYEE, channel!, signed)).exitCode, 0);

    const eth = FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0xe1));
    const ethAccount = createActor(w.state, 'ethaccount', { delegated: eth, balance: 100n * FIL });
    const fromEth = await w.send(PAYEE, F01, 2, [codeCid('paymentchannel'), encodeCbor([eth.bytes, PAYEE.bytes])], 1n * FIL);
    assert.equal(fromEth.exitCode, 0);
    const [id] = returned(fromEth) as [Uint8Array];
    const ethChannel = { id: FilAddress.fromBytes(id).id!, address: FilAddress.fromBytes(id), robust: FilAddress.fromBytes(id) };
    assert.equal(stateOf(w, ethChannel).from, ethAccount.id);
    const refused = voucherTuple(ethChannel, { amount: 1n }, () => ({ type: 1, data: new Uint8Array(65) }));
    assert.deepEqual(await updateOutcome(w, PAYEE, ethChannel, refused), [ExitCode.ErrAssertionFailed, 'proposal authentication failed: return expected']);
    // A delegated key's signature (type 3, as Lotus's wallet signs for an f4) is no Signature builtin-actors v18 decodes: 21.
    const delegated = voucherTuple(ethChannel, { amount: 1n }, () => ({ type: 3, data: new Uint8Array(65) }));
    const [code, message] = await updateOutcome(w, PAYEE, ethChannel, delegated);
    assert.equal(code, ExitCode.ErrSerialization);
    assert.match(message!, /Invalid signature type byte \(must be 1 or 2\)/);
  });

  test("a contract payer: its handle_filecoin_method answers AuthenticateMessage in a read-only call, as calibnet's EVM actor does", async () => {
    const w = await verifregWorld();
    const approval = new Uint8Array(65).fill(7);
    const source = readFileSync(join(FIXTURE_CONTRACTS_DIR, 'ChannelPayer.sol'), 'utf8');
    const payer = await deployContract(w, (await compileSolidity({ 'ChannelPayer.sol': source })).ChannelPayer!, 'ChannelPayer', [approval]);
    // Anyone may open a channel naming the contract as payer; the payee funds it here.
    const receipt = await w.send(PAYEE, F01, 2, [codeCid('paymentchannel'), encodeCbor([payer.address.bytes, PAYEE.bytes])], 2n * FIL);
    assert.equal(receipt.exitCode, 0);
    const [id] = returned(receipt) as [Uint8Array];
    const channel = { id: FilAddress.fromBytes(id).id!, address: FilAddress.fromBytes(id), robust: FilAddress.fromBytes(id) };
    const signedBy = (data: Uint8Array) => voucherTuple(channel, { amount: 1n * FIL }, () => ({ type: 1, data }));
    assert.deepEqual(await updateOutcome(w, PAYEE, channel, signedBy(new Uint8Array(65).fill(8))), [ExitCode.ErrIllegalArgument, 'proposal authentication failed: send aborted with code 16']);
    assert.equal((await update(w, PAYEE, channel, signedBy(approval))).exitCode, 0);
    assert.equal(stateOf(w, channel).toSend, 1n * FIL);
  });

  test('gas: the lanes AMT read on the way to the lanes the voucher names and written back', async () => {
    const w = await verifregWorld();
    const channel = await opened(w);
    const first = await redeem(w, channel, { lane: 0, nonce: 1, amount: 1n });
    // Lanes 0..8 make the AMT two levels high: the voucher on lane 9 opens the root and a child and writes both.
    for (let lane = 1; lane <= 8; lane++) assert.equal((await redeem(w, channel, { lane, nonce: 1, amount: 1n })).exitCode, 0);
    const before = stateOf(w, channel).lanes;
    const ninth = await redeem(w, channel, { lane: 9, nonce: 1, amount: 1n });
    const after = stateOf(w, channel).lanes;
    assert.equal(lanesAmt(after).blocks.size, 3);
    // Beside the lanes' AMT the two vouchers cost the same (their lanes one CBOR byte each).
    const lanesFirst = laneReadGas(new Map(), [0n]) + laneWriteGas(new Map([[0n, { redeemed: 1n, nonce: 1n }]]), [0n]);
    const lanesNinth = laneReadGas(before, [9n]) + laneWriteGas(after, [9n]);
    assert.ok(lanesNinth > lanesFirst);
    assert.equal(ninth.gasUsed - first.gasUsed, lanesNinth - lanesFirst);
  });
});

describe('Settle (3) and Collect (4)', () => {
  test('settle starts SETTLE_DELAY epochs; vouchers stop at it; collect pays ToSend to the payee, the rest back, and deletes the channel', async () => {
    const w = await verifregWorld();
    const channel = await opened(w, 10n * FIL);
    assert.equal((await redeem(w, channel, { amount: 4n * FIL })).exitCode, 0);
    assert.deepEqual(await outcome(w, PAYEE, channel.address, PaychMethod.Collect), [ExitCode.ErrForbidden, 'payment channel not settling or settled']);
    assert.equal((await w.send(OUTSIDER, channel.address, PaychMethod.Settle)).exitCode, ExitCode.ErrForbidden);
    assert.equal((await w.send(PAYER, channel.address, PaychMethod.Settle)).exitCode, 0);
    const settlingAt = w.ctx.epoch + SETTLE_DELAY;
    assert.equal(stateOf(w, channel).settlingAt, settlingAt);
    assert.deepEqual(await outcome(w, PAYEE, channel.address, PaychMethod.Settle), [ExitCode.ErrIllegalState, 'channel already settling']);
    // Before settlingAt a voucher still counts; from it on, none does (32).
    assert.equal((await redeem(w, channel, { nonce: 2, amount: 5n * FIL })).exitCode, 0);
    w.setEpoch(settlingAt);
    assert.deepEqual(await redeemOutcome(w, channel, { nonce: 3, amount: 6n * FIL }), [32, 'no vouchers can be processed after settling at epoch']);

    // The payer collects: the payee's balance moves by ToSend exactly, the payer's by the rest less its fee.
    const [payer, payee] = [balanceOf(w, PAYER), balanceOf(w, PAYEE)];
    const collected = await w.send(PAYER, channel.address, PaychMethod.Collect);
    assert.equal(collected.exitCode, 0);
    assert.equal(balanceOf(w, PAYEE), payee + 5n * FIL);
    const refund = balanceOf(w, PAYER) - payer;
    assert.ok(refund > 4n * FIL && refund < 5n * FIL, `${refund}`);
    assert.equal(w.state.getActor(channel.id), undefined);
    // Init's map keeps the f2 (Lotus's StateLookupID still answers it); nothing is there.
    assert.equal(w.state.lookupId(channel.robust), channel.id);
    // A message to it finds no receiver (SysErrInvalidReceiver, as ref-fvm answers a send to an ID with no actor).
    assert.equal((await w.send(PAYEE, channel.address, PaychMethod.Collect)).exitCode, ExitCode.SysErrInvalidReceiver);
    assert.equal((await w.send(PAYEE, channel.robust, 0, undefined, 1n)).exitCode, ExitCode.SysErrInvalidReceiver);
  });

  test("a voucher's min settle height moves MinSettleHeight, and SettlingAt when it is later", async () => {
    const w = await verifregWorld();
    const channel = await opened(w);
    const far = w.ctx.epoch + 10 * SETTLE_DELAY;
    assert.equal((await redeem(w, channel, { nonce: 1, amount: 1n, minSettleHeight: far })).exitCode, 0);
    assert.equal(stateOf(w, channel).minSettleHeight, far);
    assert.equal((await w.send(PAYEE, channel.address, PaychMethod.Settle)).exitCode, 0);
    assert.equal(stateOf(w, channel).settlingAt, far);
    assert.equal((await redeem(w, channel, { nonce: 2, amount: 1n, minSettleHeight: far + 5 })).exitCode, 0);
    assert.deepEqual([stateOf(w, channel).settlingAt, stateOf(w, channel).minSettleHeight], [far + 5, far + 5]);
  });
});
