// The message pool against a genesis state: Lotus's admission rules and their wording
// (chain/messagepool/messagepool.go, chain/types/message.go; lotus-eth-rpc.md §7), selection of
// each sender's consecutive run, removal, pruning and the next nonce.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode as encodeCbor } from '@ipld/dag-cbor';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../../src/common/address.js';
import { MessageRejectedError } from '../../src/common/errors.js';
import type { DevAccount } from '../../src/devnet/accounts.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { resolveAddress } from '../../src/fevm/actors/lifecycle.js';
import { chainSize, encodeSignedMessage, messageCid, signedMessageCid, SigType, type SignedMessage } from '../../src/fevm/message.js';
import type { StateTree } from '../../src/fevm/state-tree.js';
import { Mempool, type PendingMessage } from '../../src/mining/mempool.js';

const ATTO_PER_FIL = 10n ** 18n;
/** Lotus's price list for chain inclusion since nv18: compute base with the sender's update + (storage base + size) × storage multiplier. */
const inclusionCost = (size: number): number => 38_863 + 475_000 + (36 + size) * 1_300;

function account(byte: number): DevAccount {
  const address = new Uint8Array(20).fill(byte);
  return { address, filAddress: FilAddress.fromDelegated(EAM_NAMESPACE, address), privateKey: '' };
}

const ALICE = account(0xa1);
const BOB = account(0xb0);
const STRANGER = account(0xcc);
const RECIPIENT = FilAddress.fromId(1000);

interface MessageOptions {
  from?: FilAddress;
  nonce?: number;
  gasLimit?: number;
  feeCap?: bigint;
  premium?: bigint;
  value?: bigint;
  /** Overrides the serialized size that inclusion gas is charged on. */
  size?: number;
}

function message({ from = ALICE.filAddress, nonce = 0, gasLimit = 1_000_000, feeCap = 1_000n, premium = 100n, value = 0n, size }: MessageOptions = {}): PendingMessage {
  const signed: SignedMessage = {
    message: { version: 0, to: RECIPIENT, from, nonce, value, gasLimit, gasFeeCap: feeCap, gasPremium: premium, method: 0, params: new Uint8Array() },
    signature: { type: SigType.Delegated, data: new Uint8Array(65) },
  };
  return { cid: signedMessageCid(signed), signed, chainSize: size ?? chainSize(signed) };
}

/** A genesis state in which Alice and Bob hold `balance` each. */
function genesis(balance = ATTO_PER_FIL): StateTree {
  return createGenesisState([ALICE, BOB], balance);
}

/** Commits a contract (an EVM actor at nonce 1, funded) as epoch 1; its f410 address. */
function addContract(tree: StateTree): FilAddress {
  const contract = FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0xee));
  const overlay = tree.stage();
  const id = overlay.allocateId();
  overlay.putActor({ id, kind: 'evm', nonce: 1, balance: ATTO_PER_FIL, delegated: contract });
  overlay.putAddress(contract, id);
  tree.commit(overlay, 1);
  return contract;
}

/** Commits a new nonce for `who` as epoch `epoch`. */
function setNonce(tree: StateTree, who: DevAccount, nonce: number, epoch: number): void {
  const overlay = tree.stage();
  const actor = resolveAddress(overlay, who.filAddress)!;
  overlay.putActor({ ...actor, nonce });
  tree.commit(overlay, epoch);
}

function rejects(pool: Mempool, pending: PendingMessage, tree: StateTree, expected: string | RegExp): void {
  assert.throws(
    () => pool.add(pending, tree.at(tree.epoch)),
    (err: unknown) => {
      assert.ok(err instanceof MessageRejectedError, `expected a MessageRejectedError, got ${String(err)}`);
      assert.equal(err.code, 1);
      if (typeof expected === 'string') assert.equal(err.message, expected);
      else assert.match(err.message, expected);
      return true;
    },
  );
}

const nonces = (messages: PendingMessage[]) => messages.map((m) => `${m.signed.message.from.toString()}#${m.signed.message.nonce}`);

describe('Mempool.add: checkMessage rules', () => {
  test('a fee cap below 100 attoFIL is "gas fee cap too low"; exactly 100 is accepted', () => {
    const tree = genesis();
    const pool = new Mempool();
    rejects(pool, message({ feeCap: 99n, premium: 0n }), tree, 'gas fee cap too low');
    assert.equal(pool.size, 0);
    pool.add(message({ feeCap: 100n, premium: 0n }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test('a fee cap below the premium is refused with Lotus\'s wording; equal is accepted', () => {
    const tree = genesis();
    const pool = new Mempool();
    rejects(pool, message({ feeCap: 1_000n, premium: 1_001n }), tree, "message not valid for block inclusion: 'GasFeeCap' less than 'GasPremium'");
    pool.add(message({ feeCap: 1_000n, premium: 1_000n }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test('a gas limit above the block gas limit (10e9) is refused; exactly 10e9 is accepted', () => {
    const tree = genesis();
    const pool = new Mempool();
    rejects(
      pool,
      message({ gasLimit: 10_000_000_001, feeCap: 100n, premium: 0n }),
      tree,
      "message not valid for block inclusion: 'GasLimit' field cannot be greater than a block's gas limit (10000000001 > 10000000000)",
    );
    pool.add(message({ gasLimit: 10_000_000_000, feeCap: 100n, premium: 0n }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test('a gas limit of 0 and a value of all the FIL there will ever be are refused first, as Lotus\'s checkMessage (P5)', () => {
    const tree = genesis();
    const pool = new Mempool();
    rejects(pool, message({ gasLimit: 0 }), tree, "message not valid for block inclusion: 'GasLimit' field 0 must be positive");
    const supply = 2_000_000_000n * ATTO_PER_FIL;
    rejects(pool, message({ value: supply + 1n }), tree, "message not valid for block inclusion: 'Value' field cannot be greater than total filecoin supply");
    rejects(pool, message({ value: supply }), tree, 'cannot send more filecoin than will ever exist');
    // Before the state's checks: a stranger's gets the same answer.
    rejects(pool, message({ from: STRANGER.filAddress, value: supply }), tree, 'cannot send more filecoin than will ever exist');
    pool.add(message({ value: supply - 1n }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test('a gas limit below the cost of storing the message on chain is refused; exactly that cost is accepted', () => {
    const tree = genesis();
    const pool = new Mempool();
    const min = inclusionCost(200);
    assert.equal(min, 820_663);
    rejects(
      pool,
      message({ gasLimit: min - 1, size: 200 }),
      tree,
      `verify msg failed: message will not be included in a block: 'GasLimit' field cannot be less than the cost of storing a message on chain ${min - 1} < ${min}`,
    );
    pool.add(message({ gasLimit: min, size: 200 }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test('a message larger than 64 KiB is refused as Lotus words it', () => {
    const tree = genesis();
    const pool = new Mempool();
    const gasLimit = inclusionCost(70_000);
    // Lotus checkMessage: `mpool message too large (%dB): %w` with ErrMessageTooBig = "message too big".
    rejects(pool, message({ size: 65_537, gasLimit, feeCap: 100n, premium: 0n }), tree, 'mpool message too large (65537B): message too big');
    pool.add(message({ size: 65_536, gasLimit, feeCap: 100n, premium: 0n }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test("a BLS message counts its signature in the 64 KiB (Lotus's SignedMessage.Size), which its chain size leaves out (X16)", () => {
    const blsFrom = FilAddress.fromPayload(Protocol.BLS, new Uint8Array(48).fill(1));
    const sized = (params: number): PendingMessage => {
      const signed: SignedMessage = {
        message: { ...message().signed.message, from: blsFrom, gasLimit: inclusionCost(70_000), params: encodeCbor(new Uint8Array(params)) },
        signature: { type: SigType.BLS, data: new Uint8Array(96) },
      };
      return { cid: signedMessageCid(signed), signed, chainSize: chainSize(signed) };
    };
    const over = sized(65_400);
    const signedSize = encodeSignedMessage(over.signed).length;
    assert.ok(over.chainSize <= 65_536 && signedSize > 65_536, `chain size ${over.chainSize}, signed size ${signedSize}`);
    rejects(new Mempool(), over, genesis(), `mpool message too large (${signedSize}B): message too big`);
    // Under the limit, signed: on to the state checks (its sender has no actor).
    rejects(new Mempool(), sized(65_300), genesis(), /^failed to look up actor state nonce: /);
  });

  test("a message to Lotus's ZeroAddress (f3yaaa…by2smx7a) is not valid for block inclusion (X15)", () => {
    const zero = FilAddress.parse('t3yaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaby2smx7a');
    const pending = message();
    const toZero = { ...pending, signed: { ...pending.signed, message: { ...pending.signed.message, to: zero } } };
    rejects(new Mempool(), toZero, genesis(), "message not valid for block inclusion: invalid 'To' address");
  });
});

describe('Mempool.add: state checks (addTs)', () => {
  test('a nonce below the state nonce is "message nonce too low" with both numbers', () => {
    const tree = genesis();
    setNonce(tree, ALICE, 3, 1);
    const pool = new Mempool();
    rejects(pool, message({ nonce: 1 }), tree, 'minimum expected nonce is 3, got 1: message nonce too low');
    rejects(pool, message({ nonce: 2 }), tree, 'minimum expected nonce is 3, got 2: message nonce too low');
    pool.add(message({ nonce: 3 }), tree.at(1));
    // A future nonce is accepted too: RPC submissions have no nonce-gap limit.
    pool.add(message({ nonce: 9 }), tree.at(1));
    assert.equal(pool.size, 2);
  });

  test('not enough funds: the requirement is gasLimit × feeCap, worded with FIL amounts', () => {
    const tree = genesis(ATTO_PER_FIL);
    const pool = new Mempool();
    // 2_000_000 × 10^12 = 2 FIL > 1 FIL.
    rejects(
      pool,
      message({ gasLimit: 2_000_000, feeCap: 10n ** 12n }),
      tree,
      'failed to check balance: not enough funds (required: 2 FIL, balance: 1 FIL): not enough funds to execute transaction',
    );
    // 1_000_000 × 10^12 = exactly the balance.
    pool.add(message({ gasLimit: 1_000_000, feeCap: 10n ** 12n }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test('the value is not part of the balance requirement (a shortfall fails on chain instead)', () => {
    const tree = genesis(ATTO_PER_FIL);
    const pool = new Mempool();
    pool.add(message({ value: 100n * ATTO_PER_FIL, gasLimit: 1_000_000, feeCap: 1_000n }), tree.at(0));
    assert.equal(pool.size, 1);
  });

  test('a sender with no actor fails the state nonce lookup, as Lotus\'s addTs (P1)', () => {
    const tree = genesis();
    const pool = new Mempool();
    const stranger = STRANGER.filAddress.toString();
    rejects(pool, message({ from: STRANGER.filAddress }), tree, `failed to look up actor state nonce: resolution lookup failed (${stranger}): resolve address ${stranger}: actor not found: validation failure`);
    rejects(pool, message({ from: FilAddress.fromId(9999) }), tree, 'failed to look up actor state nonce: actor not found: validation failure');
  });

  test('pending messages of the sender count against its balance; the one being replaced does not', () => {
    const tree = genesis(ATTO_PER_FIL);
    const pool = new Mempool();
    // Each needs 800_000 × 10^12 = 0.8 FIL.
    pool.add(message({ nonce: 0, gasLimit: 800_000, feeCap: 10n ** 12n, premium: 1_000n }), tree.at(0));
    rejects(
      pool,
      message({ nonce: 1, gasLimit: 800_000, feeCap: 10n ** 12n }),
      tree,
      'failed to check balance: not enough funds including pending messages (required: 1.6 FIL, balance: 1 FIL): validation failure',
    );
    // Replacing nonce 0 with the same cost is fine: its own old version is not counted.
    pool.add(message({ nonce: 0, gasLimit: 800_000, feeCap: 10n ** 12n, premium: 2_000n }), tree.at(0));
    assert.equal(pool.size, 1);
    // Another sender's pending messages do not count.
    pool.add(message({ from: BOB.filAddress, nonce: 0, gasLimit: 800_000, feeCap: 10n ** 12n }), tree.at(0));
    assert.equal(pool.size, 2);
    // Nor do those that left the pool (mined or dropped).
    pool.remove(pool.pending().filter((p) => p.signed.message.from.equals(ALICE.filAddress)));
    pool.add(message({ nonce: 1, gasLimit: 800_000, feeCap: 10n ** 12n }), tree.at(0));
    assert.equal(pool.size, 2);
  });

  test('a sender that is not an account cannot send: Lotus says it is not a valid top-level sender', () => {
    const tree = genesis();
    const contract = addContract(tree);
    const pool = new Mempool();
    // lotus messagepool.go addTs: "sender actor %s is not a valid top-level sender".
    rejects(pool, message({ from: contract, nonce: 1 }), tree, `sender actor ${contract.toString()} is not a valid top-level sender`);
  });
});

describe('Mempool.add: duplicates and replace-by-fee (addLocked)', () => {
  test('the same message twice is "message with nonce already exists"', () => {
    const tree = genesis();
    const pool = new Mempool();
    const first = message({ nonce: 0 });
    pool.add(first, tree.at(0));
    rejects(
      pool,
      message({ nonce: 0 }),
      tree,
      `failed to add locked: message from ${ALICE.filAddress.toString()} with nonce 0 already in mpool: message with nonce already exists`,
    );
    assert.equal(pool.size, 1);
  });

  test('a replacement needs a premium of at least floor(old × 1.1) + 1', () => {
    const tree = genesis();
    const pool = new Mempool();
    const original = message({ nonce: 0, premium: 1_000n, feeCap: 10_000n });
    pool.add(original, tree.at(0));
    // 1_000 × 1.1 = 1_100 exactly is not enough.
    rejects(
      pool,
      message({ nonce: 0, premium: 1_100n, feeCap: 10_000n }),
      tree,
      `failed to add locked: message from ${ALICE.filAddress.toString()} with nonce 0 already in mpool, increase GasPremium to 1101 from 1100 to trigger replace by fee: replace by fee has too low GasPremium`,
    );
    assert.deepEqual(pool.pending().map((p) => p.cid.toString()), [original.cid.toString()]);
    const replacement = message({ nonce: 0, premium: 1_101n, feeCap: 10_000n });
    pool.add(replacement, tree.at(0));
    assert.deepEqual(pool.pending().map((p) => p.cid.toString()), [replacement.cid.toString()]);
  });

  test('the replacement bound is floored: old premium 15 needs 17', () => {
    const tree = genesis();
    const pool = new Mempool();
    pool.add(message({ nonce: 0, premium: 15n }), tree.at(0));
    rejects(pool, message({ nonce: 0, premium: 16n }), tree, /increase GasPremium to 17 from 16 to trigger replace by fee/);
    pool.add(message({ nonce: 0, premium: 17n }), tree.at(0));
    assert.equal(pool.size, 1);
    assert.equal(pool.pending()[0].signed.message.gasPremium, 17n);
  });

  test('at most 1000 pending messages per sender', () => {
    const tree = genesis();
    const pool = new Mempool();
    for (let nonce = 0; nonce < 1000; nonce++) pool.add(message({ nonce, feeCap: 100n, premium: 0n }), tree.at(0));
    rejects(pool, message({ nonce: 1000, feeCap: 100n, premium: 0n }), tree, 'failed to add locked: too many pending messages for actor');
    // Another sender is not affected, and replacing an existing nonce is still possible.
    pool.add(message({ from: BOB.filAddress, nonce: 0 }), tree.at(0));
    pool.add(message({ nonce: 999, feeCap: 100n, premium: 1n }), tree.at(0));
    assert.equal(pool.size, 1001);
  });
});

describe('Mempool.add: the order of the checks follows Lotus', () => {
  test('fee cap below premium is reported before the fee cap minimum (ValidForBlockInclusion runs first)', () => {
    const tree = genesis();
    rejects(new Mempool(), message({ feeCap: 50n, premium: 60n }), tree, "message not valid for block inclusion: 'GasFeeCap' less than 'GasPremium'");
  });

  test('a nonce that is too low is reported before a gas limit below the inclusion cost (addTs checks the nonce first)', () => {
    const tree = genesis();
    setNonce(tree, ALICE, 2, 1);
    rejects(new Mempool(), message({ nonce: 0, gasLimit: 1_000, size: 200 }), tree, 'minimum expected nonce is 2, got 0: message nonce too low');
  });

  // lotus b835fab70 chain/messagepool/messagepool.go addTs: IsValidForSending, then verifyMsgBeforeAdd's
  // ValidForBlockInclusion with the message's on-chain cost, then checkBalance, then addLocked (X13).
  test('a sender that is not a valid top-level sender is reported before a gas limit below the inclusion cost', () => {
    const tree = genesis();
    const contract = addContract(tree);
    rejects(new Mempool(), message({ from: contract, nonce: 1, gasLimit: 1_000, size: 200 }), tree, `sender actor ${contract.toString()} is not a valid top-level sender`);
  });

  test('a gas limit below the inclusion cost is reported before a balance that cannot fund the gas', () => {
    const tree = genesis(1n);
    rejects(new Mempool(), message({ gasLimit: 1_000, size: 200 }), tree, /^verify msg failed: message will not be included in a block: 'GasLimit' field cannot be less than the cost of storing a message on chain 1000 < /);
  });

  test('a balance that cannot fund the gas is reported before a replacement whose premium is too low', () => {
    const tree = genesis(ATTO_PER_FIL);
    const pool = new Mempool();
    pool.add(message({ nonce: 0, premium: 1_000n }), tree.at(0));
    rejects(pool, message({ nonce: 0, gasLimit: 800_000, feeCap: 10n ** 13n, premium: 1_000n }), tree, /^failed to check balance: not enough funds \(required: 8 FIL, balance: 1 FIL\)/);
  });
});

describe('Mempool.select', () => {
  test("returns each sender's consecutive run from its state nonce and stops at a gap", () => {
    const tree = genesis();
    const pool = new Mempool();
    for (const nonce of [3, 0, 1]) pool.add(message({ nonce }), tree.at(0));
    for (const nonce of [1, 0]) pool.add(message({ from: BOB.filAddress, nonce }), tree.at(0));
    const a = ALICE.filAddress.toString();
    const b = BOB.filAddress.toString();
    assert.deepEqual(nonces(pool.select(tree.at(0))), [`${a}#0`, `${a}#1`, `${b}#0`, `${b}#1`]);
    // select does not take anything out of the pool.
    assert.equal(pool.size, 5);
    // Filling the gap releases what waited behind it.
    pool.add(message({ nonce: 2 }), tree.at(0));
    assert.deepEqual(nonces(pool.select(tree.at(0))), [`${a}#0`, `${a}#1`, `${a}#2`, `${a}#3`, `${b}#0`, `${b}#1`]);
  });

  test('starts at the state nonce, not at the smallest pending nonce', () => {
    const tree = genesis();
    const pool = new Mempool();
    for (const nonce of [0, 1, 2]) pool.add(message({ nonce }), tree.at(0));
    setNonce(tree, ALICE, 1, 1);
    const a = ALICE.filAddress.toString();
    assert.deepEqual(nonces(pool.select(tree.at(1))), [`${a}#1`, `${a}#2`]);
    setNonce(tree, ALICE, 5, 2);
    assert.deepEqual(pool.select(tree.at(2)), []);
  });

  test("off the head: pooled senders by their IDs there, restored messages in their senders' queues over the pool's at their nonce; the pool left as it was (MpoolSelect)", () => {
    const tree = genesis();
    const pool = new Mempool();
    const pooled = message({ nonce: 1, premium: 100n });
    pool.add(pooled, tree.at(0));
    const idOf = (who: DevAccount) => resolveAddress(tree.at(0), who.filAddress)!.id;
    // Alice's nonce 0 fills her gap and her nonce 1 stands in for the pool's; Bob has nothing pooled.
    const restored = [message({ nonce: 0 }), message({ nonce: 1, premium: 200n }), message({ from: BOB.filAddress, nonce: 0 })];
    const senders = [ALICE, ALICE, BOB].map((who, i) => ({ senderId: idOf(who), pending: restored[i] }));
    assert.deepEqual(pool.select(tree.at(0), undefined, { senderIdThere: (id) => id, restored: senders }), restored);
    // A pooled sender with no actor in the other state is left out.
    const ready = new Mempool();
    const first = message({ nonce: 0 });
    ready.add(first, tree.at(0));
    assert.deepEqual(ready.select(tree.at(0), undefined, { senderIdThere: (id) => id, restored: [] }), [first]);
    assert.deepEqual(ready.select(tree.at(0), undefined, { senderIdThere: () => undefined, restored: [] }), []);
    assert.deepEqual(pool.select(tree.at(0)), []);
    assert.equal(pool.size, 1);
  });

  test('off the head: a pooled sender whose ID there names another actor is read as that actor, its nonce and balance (MpoolSelect at a dropped key)', () => {
    const tree = genesis();
    const pool = new Mempool();
    const idOf = (who: DevAccount) => resolveAddress(tree.at(0), who.filAddress)!.id;
    const pooled = message({ nonce: 3 });
    pool.add(pooled, tree.at(0));
    // Alice's nonce is 0 on the head; Bob's, the actor her address names there, is 3.
    setNonce(tree, BOB, 3, 1);
    const asBob = (id: number) => (id === idOf(ALICE) ? idOf(BOB) : id);
    assert.deepEqual(pool.select(tree.at(1), undefined, { senderIdThere: asBob, restored: [] }), [pooled]);
    assert.deepEqual(pool.select(tree.at(1), undefined, { senderIdThere: (id) => id, restored: [] }), []);
    // Past Bob's nonce there, nothing of hers runs.
    setNonce(tree, BOB, 4, 2);
    assert.deepEqual(pool.select(tree.at(2), undefined, { senderIdThere: asBob, restored: [] }), []);
  });

  test('a sender whose first pending nonce is ahead of its state nonce contributes nothing', () => {
    const tree = genesis();
    const pool = new Mempool();
    pool.add(message({ nonce: 1 }), tree.at(0));
    pool.add(message({ nonce: 2 }), tree.at(0));
    assert.deepEqual(pool.select(tree.at(0)), []);
  });

  test('a run stops at the first message the balance cannot fund after the earlier ones\' reserves and values (P9: Lotus createMessageChains)', () => {
    // Each reserve is 1M × 1 000 = 10^9; Alice holds 1 FIL.
    const tree = genesis(ATTO_PER_FIL);
    const pool = new Mempool();
    const first = message({ nonce: 0, value: ATTO_PER_FIL - 15n * 10n ** 8n });
    // Both are admitted: the pool counts reserves only (2 × 10^9 ≤ 1 FIL).
    assert.equal(pool.add(first, tree.at(0), 1_000n), true);
    assert.equal(pool.add(message({ nonce: 1 }), tree.at(0), 1_000n), false);
    // After the first's reserve and value, 0.5 × 10^9 is left: under the second's reserve.
    assert.deepEqual(pool.select(tree.at(0), 1_000n), [first]);
    assert.deepEqual(pool.select(tree.at(0)), [first]);
    assert.equal(pool.size, 2);
    // Funded, the second is taken; a value beyond what is left still is (it fails on chain, exit 6).
    const overlay = tree.stage();
    overlay.putActor({ ...resolveAddress(overlay, ALICE.filAddress)!, balance: 2n * ATTO_PER_FIL });
    tree.commit(overlay, 1);
    pool.add(message({ nonce: 2, value: 10n * ATTO_PER_FIL }), tree.at(1));
    assert.deepEqual(pool.select(tree.at(1), 1_000n).map((m) => m.signed.message.nonce), [0, 1, 2]);
  });

  test('keeps the total gas limit within the block gas limit', () => {
    const tree = genesis(10_000n * ATTO_PER_FIL);
    const pool = new Mempool();
    for (const nonce of [0, 1, 2]) pool.add(message({ nonce, gasLimit: 4_000_000_000, feeCap: 100n, premium: 0n }), tree.at(0));
    const selected = pool.select(tree.at(0));
    assert.deepEqual(selected.map((m) => m.signed.message.nonce), [0, 1]);
    assert.ok(selected.reduce((n, m) => n + m.signed.message.gasLimit, 0) <= 10_000_000_000);
  });
});

describe('Mempool.select at a base fee (F10: Lotus chain/messagepool/selection.go)', () => {
  const a = ALICE.filAddress.toString();
  const b = BOB.filAddress.toString();

  test('a fee cap under the base fee holds its message and its sender\'s later nonces; a fee cap at the base fee is taken', () => {
    const tree = genesis();
    const pool = new Mempool();
    // Nonce 0 loses 1 × 1M × 3 at a base fee of 1 000; nonce 1 earns only 1 × 1M, too little to carry it.
    pool.add(message({ nonce: 0, feeCap: 999n, premium: 100n }), tree.at(0));
    pool.add(message({ nonce: 1, feeCap: 5_000n, premium: 1n }), tree.at(0));
    pool.add(message({ from: BOB.filAddress, nonce: 0, feeCap: 5_000n, premium: 100n }), tree.at(0));
    assert.deepEqual(nonces(pool.select(tree.at(0), 1_000n)), [`${b}#0`]);
    // At exactly its fee cap a message earns nothing, and nothing is not less than nothing; Bob's
    // message earns 100 a gas unit, the sender's chain of two 0.5: Bob's runs first (H5, P6).
    assert.deepEqual(nonces(pool.select(tree.at(0), 999n)), [`${b}#0`, `${a}#0`, `${a}#1`]);
    // Without a base fee, the run by nonce (txpool's pending).
    assert.deepEqual(nonces(pool.select(tree.at(0))), [`${a}#0`, `${a}#1`, `${b}#0`]);
  });

  test('later messages that earn enough carry an underpaid one (their chain earns its loss × 3 plus what they earn)', () => {
    const tree = genesis(10_000n * ATTO_PER_FIL);
    const pool = new Mempool();
    // Nonce 0 loses (1 000 − 2 000) × 1M × 3 = 3e9; nonce 1 earns min(10 000 − 2 000, 2 999) × 1M = 2.999e9.
    pool.add(message({ nonce: 0, feeCap: 1_000n, premium: 100n }), tree.at(0));
    assert.equal(pool.add(message({ nonce: 1, feeCap: 10_000n, premium: 2_999n }), tree.at(0), 2_000n), false);
    assert.deepEqual(pool.select(tree.at(0), 2_000n), []);
    // Nonce 2 earns 1M more: the chain of the three earns 0, not less than nothing, so all three go.
    assert.equal(pool.add(message({ nonce: 2, feeCap: 10_000n, premium: 1n }), tree.at(0), 2_000n), true);
    assert.deepEqual(nonces(pool.select(tree.at(0), 2_000n)), [`${a}#0`, `${a}#1`, `${a}#2`]);
  });

  test('a paying run is taken up to an underpaid message that nothing after it carries', () => {
    const tree = genesis();
    const pool = new Mempool();
    pool.add(message({ nonce: 0, feeCap: 5_000n, premium: 100n }), tree.at(0));
    pool.add(message({ nonce: 1, feeCap: 1_000n, premium: 100n }), tree.at(0));
    pool.add(message({ nonce: 2, feeCap: 5_000n, premium: 100n }), tree.at(0));
    assert.deepEqual(nonces(pool.select(tree.at(0), 2_000n)), [`${a}#0`]);
    // add answers whether the next tipset takes the message.
    assert.equal(pool.add(message({ from: BOB.filAddress, nonce: 0, feeCap: 1_999n, premium: 0n }), tree.at(0), 2_000n), false);
    assert.equal(pool.add(message({ from: BOB.filAddress, nonce: 1, feeCap: 2_000n, premium: 0n }), tree.at(0), 2_000n), false);
  });
});

describe('Mempool.add: whether the next tipset takes the message', () => {
  /** Adds `pending` and checks add's answer against select's, which walks each run from the state nonce. */
  function addAndCompare(pool: Mempool, pending: PendingMessage, tree: StateTree, epoch: number, baseFee?: bigint): boolean {
    const ready = pool.add(pending, tree.at(epoch), baseFee);
    assert.equal(ready, pool.select(tree.at(epoch), baseFee).includes(pending), `nonce ${pending.signed.message.nonce}`);
    return ready;
  }

  test('as select says, however the run grew: message by message, past a gap filled, after a replacement, a removal, a new state nonce or balance, a base fee', () => {
    // Each reserve is 1M × 1 000 = 10^9; Alice holds 10^10.
    const tree = genesis(10n ** 10n);
    const pool = new Mempool();
    const added = (nonce: number, options: MessageOptions = {}, epoch = 0, baseFee?: bigint) => addAndCompare(pool, message({ nonce, ...options }), tree, epoch, baseFee);
    assert.equal(added(0), true);
    assert.equal(added(1), true);
    // Its value leaves nothing after its reserve (10^10 − 3 × 10^9 − 7 × 10^9): the next is not funded.
    assert.equal(added(2, { value: 7n * 10n ** 9n }), true);
    assert.equal(added(3), false);
    // A replacement without the value funds it; a message after a gap waits, and joins once it is filled.
    assert.equal(added(2, { premium: 111n }), true);
    assert.equal(added(3, { premium: 111n }), true);
    assert.equal(added(5), false);
    assert.equal(added(4), true);
    assert.equal(nonces(pool.select(tree.at(0))).length, 6);
    assert.equal(added(6), true);
    // One of Alice's messages leaves the pool: her run starts again from her state nonce.
    const first = pool.pendingFor(resolveAddress(tree.at(0), ALICE.filAddress)!.id)[0]!;
    pool.remove([first]);
    assert.equal(added(7), false);
    assert.equal(added(0, { premium: 200n }), true);
    // A new state nonce, and a new balance at the same nonce.
    setNonce(tree, ALICE, 3, 1);
    pool.prune(tree.at(1));
    assert.equal(added(8, {}, 1), true);
    // Nonces 3 to 8 reserve 6 × 10^9 of the 7 × 10^9 left: the seventh is funded.
    const overlay = tree.stage();
    overlay.putActor({ ...resolveAddress(overlay, ALICE.filAddress)!, balance: 7n * 10n ** 9n });
    tree.commit(overlay, 2);
    assert.equal(added(9, {}, 2), true);
    // At a base fee above the fee caps, the producer weighs the runs (reward chains): Alice's loses
    // throughout; Bob's underpaid first message is carried by the two after it.
    assert.equal(added(9, { premium: 200n }, 2, 1_001n), false);
    assert.equal(addAndCompare(pool, message({ from: BOB.filAddress, nonce: 0 }), tree, 2, 1_001n), false);
    assert.equal(addAndCompare(pool, message({ from: BOB.filAddress, nonce: 1, feeCap: 2_000n }), tree, 2, 1_001n), true);
    assert.equal(addAndCompare(pool, message({ from: BOB.filAddress, nonce: 2, feeCap: 2_000n }), tree, 2, 1_001n), true);
  });

  test('as select says when the sender\'s state nonce or balance changed with its messages still pending (cheat codes, no tipset)', () => {
    const tree = genesis(10n ** 10n);
    const pool = new Mempool();
    const added = (nonce: number, options: MessageOptions = {}, epoch = 0) => addAndCompare(pool, message({ nonce, ...options }), tree, epoch);
    // Reserves 4 × 10^9 and a value of 5.5 × 10^9 leave 0.5 × 10^9: not the next reserve.
    for (const nonce of [0, 1, 2, 3]) assert.equal(added(nonce, nonce === 1 ? { value: 55n * 10n ** 8n } : {}), true);
    assert.equal(added(4), false);
    // From state nonce 2 (nothing pruned), without nonce 1's value, nonce 4 is funded; then nonce 5.
    setNonce(tree, ALICE, 2, 1);
    assert.equal(added(4, { premium: 111n }, 1), true);
    assert.equal(added(5, {}, 1), true);
    // Nonce 6 sends 2.5 × 10^9; the balance then falls to 8 × 10^9 at that nonce (the pool still counts
    // the reserves of nonces 0 and 1): 0.5 × 10^9 is left after nonce 6, not nonce 7's reserve.
    assert.equal(added(6, { value: 25n * 10n ** 8n }, 1), true);
    const overlay = tree.stage();
    overlay.putActor({ ...resolveAddress(overlay, ALICE.filAddress)!, balance: 8n * 10n ** 9n });
    tree.commit(overlay, 2);
    assert.equal(added(7, {}, 2), false);
    // Bob's run stops at a gap at nonce 3; his state nonce moves past it: a message after the gap is in his run.
    const bob = (nonce: number, epoch: number) => addAndCompare(pool, message({ from: BOB.filAddress, nonce }), tree, epoch);
    for (const nonce of [0, 1, 2]) assert.equal(bob(nonce, 2), true);
    assert.equal(bob(4, 2), false);
    assert.equal(bob(5, 2), false);
    setNonce(tree, BOB, 4, 3);
    assert.equal(bob(6, 3), true);
  });
});

describe('Mempool.remove, prune, nextNonce, pending', () => {
  test('remove drops exactly the given messages', () => {
    const tree = genesis();
    const pool = new Mempool();
    const m0 = message({ nonce: 0 });
    const m1 = message({ nonce: 1 });
    const b0 = message({ from: BOB.filAddress, nonce: 0 });
    for (const m of [m0, m1, b0]) pool.add(m, tree.at(0));
    pool.remove([m0, b0]);
    assert.equal(pool.size, 1);
    assert.deepEqual(pool.pending().map((p) => p.cid.toString()), [m1.cid.toString()]);
    // Removing what is not there is harmless.
    pool.remove([m0]);
    assert.equal(pool.size, 1);
  });

  test('prune drops what the state nonce has moved past and keeps the rest', () => {
    const tree = genesis();
    const pool = new Mempool();
    for (const nonce of [0, 1, 3]) pool.add(message({ nonce }), tree.at(0));
    pool.add(message({ from: BOB.filAddress, nonce: 0 }), tree.at(0));
    setNonce(tree, ALICE, 2, 1);
    pool.prune(tree.at(1));
    const a = ALICE.filAddress.toString();
    const b = BOB.filAddress.toString();
    assert.deepEqual(nonces(pool.pending()).sort(), [`${a}#3`, `${b}#0`].sort());
    assert.equal(pool.size, 2);
  });

  test('nextNonce counts the consecutive pending run from the state nonce', () => {
    const tree = genesis();
    const pool = new Mempool();
    const key = tree.at(0).lookupId(ALICE.filAddress)!;
    assert.equal(pool.nextNonce(key, 0), 0);
    assert.equal(pool.nextNonce(key, 7), 7);
    for (const nonce of [0, 1, 3]) pool.add(message({ nonce }), tree.at(0));
    assert.equal(pool.nextNonce(key, 0), 2);
    // Another sender's queue is its own.
    assert.equal(pool.nextNonce(tree.at(0).lookupId(BOB.filAddress)!, 0), 0);
  });
});

describe('Mempool.getByCid, getByTxHash', () => {
  /** `pending` as an Ethereum transaction with this hash (only the hash is read). */
  const withHash = (pending: PendingMessage, byte: number): PendingMessage => ({ ...pending, ethTx: { hash: new Uint8Array(32).fill(byte) } as PendingMessage['ethTx'] });

  test('find a pending message by CID and hash until it leaves by remove, replacement, prune or clear', () => {
    const tree = genesis();
    const pool = new Mempool();
    const [m0, m1, m2] = [0, 1, 2].map((nonce, i) => withHash(message({ nonce }), i + 1));
    for (const m of [m0, m1, m2]) pool.add(m, tree.at(0));
    const native = message({ from: BOB.filAddress });
    pool.add(native, tree.at(0));
    assert.equal(pool.getByCid(m1.cid), m1);
    assert.equal(pool.getByTxHash(m1.ethTx!.hash), m1);
    assert.equal(pool.getByCid(native.cid), native);
    assert.equal(pool.getByTxHash(new Uint8Array(32).fill(9)), undefined);

    pool.remove([m0]);
    assert.equal(pool.getByCid(m0.cid), undefined);
    assert.equal(pool.getByTxHash(m0.ethTx!.hash), undefined);

    const replacement = withHash(message({ nonce: 1, premium: 200n }), 7);
    pool.add(replacement, tree.at(0));
    assert.equal(pool.getByCid(m1.cid), undefined);
    assert.equal(pool.getByTxHash(m1.ethTx!.hash), undefined);
    assert.equal(pool.getByTxHash(replacement.ethTx!.hash), replacement);

    setNonce(tree, ALICE, 2, 1);
    pool.prune(tree.at(1));
    assert.equal(pool.getByCid(replacement.cid), undefined);
    assert.equal(pool.getByTxHash(m2.ethTx!.hash), m2);

    pool.clear();
    assert.equal(pool.getByCid(native.cid), undefined);
    assert.equal(pool.getByTxHash(m2.ethTx!.hash), undefined);
  });

  test('a message a replacement pushed out is kept (P8): readable by CID, pending while its nonce is, kept by clear (Lotus MpoolClear leaves its blockstore), forgotten by forgetReplaced', () => {
    const tree = genesis();
    const pool = new Mempool();
    const first = message({ nonce: 0, premium: 100n });
    pool.add(first, tree.at(0));
    assert.equal(pool.getReplaced(first.cid), undefined);
    const second = message({ nonce: 0, premium: 200n });
    pool.add(second, tree.at(0));
    assert.equal(pool.getByCid(first.cid), undefined);
    assert.equal(pool.getReplaced(first.cid)?.pending, first);
    assert.equal(pool.getReplaced(first.cid)?.senderId, resolveAddress(tree.at(0), ALICE.filAddress)!.id);
    // Waited for, it is still pending as long as its nonce is (its replacement in the pool).
    assert.equal(pool.stillPending(first.cid), true);
    pool.remove([second]);
    assert.equal(pool.stillPending(first.cid), false);
    assert.equal(pool.getReplaced(first.cid)?.pending, first);
    pool.clear();
    assert.equal(pool.getReplaced(first.cid)?.pending, first);
    assert.deepEqual(pool.replacedSince(), [{ pending: first, senderId: resolveAddress(tree.at(0), ALICE.filAddress)!.id }]);
    pool.forgetReplaced();
    assert.equal(pool.getReplaced(first.cid), undefined);
    assert.equal(pool.replacedCount, 0);
  });

  test('every replaced message is kept, in the order replaced, past the 4096 it once kept; forgetReplaced(n) keeps the first n', () => {
    const tree = genesis();
    const pool = new Mempool();
    const firsts: PendingMessage[] = [];
    for (let nonce = 0; nonce < 4200; nonce++) {
      const first = message({ nonce, premium: 100n });
      const second = message({ nonce, premium: 200n });
      pool.add(first, tree.at(0));
      pool.add(second, tree.at(0));
      pool.remove([second]);
      firsts.push(first);
    }
    assert.equal(pool.replacedCount, 4200);
    assert.equal(pool.getReplaced(firsts[0]!.cid)?.pending, firsts[0]);
    assert.deepEqual(pool.replacedSince(4198).map((m) => m.pending), firsts.slice(4198));
    // Kept again (a saved chain read back): one kept already stays as it was, once.
    pool.keepReplaced({ pending: firsts[5]!, senderId: 7 });
    assert.equal(pool.replacedCount, 4200);
    pool.forgetReplaced(10);
    assert.equal(pool.replacedCount, 10);
    assert.equal(pool.getReplaced(firsts[9]!.cid)?.pending, firsts[9]);
    assert.equal(pool.getReplaced(firsts[10]!.cid), undefined);
  });

  test("getByUnsignedCid: a signed message, pending or replaced, by its unsigned CID; none by any message's own CID, which is never an unsigned one but a BLS message's (skipped)", () => {
    const tree = genesis();
    const pool = new Mempool();
    /** `pending` signed with `type` (the pool does not check signatures: submission does). */
    const signedAs = (pending: PendingMessage, type: SigType): PendingMessage => {
      const signed = { ...pending.signed, signature: { type, data: new Uint8Array(type === SigType.BLS ? 96 : 65) } };
      return { ...pending, cid: signedMessageCid(signed), signed };
    };
    const replaced = message({ nonce: 0, premium: 100n });
    const delegated = message({ nonce: 0, premium: 200n });
    const secp = signedAs(message({ nonce: 1 }), SigType.Secp256k1);
    const bls = signedAs(message({ from: BOB.filAddress }), SigType.BLS);
    for (const m of [replaced, delegated, secp, bls]) pool.add(m, tree.at(0));
    assert.equal(pool.getReplaced(replaced.cid)?.pending, replaced);
    for (const m of [replaced, delegated, secp]) {
      const unsigned = messageCid(m.signed.message);
      assert.notEqual(unsigned.toString(), m.cid.toString());
      assert.equal(pool.getByUnsignedCid(unsigned), m);
    }
    // A BLS message's CID is its unsigned one: getByCid finds it; the walk skips it.
    assert.equal(bls.cid.toString(), messageCid(bls.signed.message).toString());
    for (const m of [replaced, delegated, secp, bls]) assert.equal(pool.getByUnsignedCid(m.cid), undefined, `by its own CID ${m.cid}`);
  });

  test('messages that came and left with no lookup in between are not found; those still pending are', () => {
    const tree = genesis(10n ** 24n);
    const pool = new Mempool();
    // More than the pool keeps track of without a lookup: most leave again at once, as mined ones do.
    const mined = Array.from({ length: 600 }, (_, nonce) => withHash(message({ nonce }), nonce % 250));
    for (const m of mined) {
      pool.add(m, tree.at(0));
      if (m.signed.message.nonce < 590) pool.remove([m]);
    }
    const replaced = mined[590]!;
    const replacement = withHash(message({ nonce: 590, premium: 200n }), 252);
    pool.add(replacement, tree.at(0));
    setNonce(tree, ALICE, 595, 1);
    pool.prune(tree.at(1));
    for (const m of mined.slice(0, 595)) assert.equal(pool.getByCid(m.cid), undefined);
    assert.equal(pool.getByTxHash(replaced.ethTx!.hash), undefined);
    assert.equal(pool.getByTxHash(replacement.ethTx!.hash), undefined);
    for (const m of mined.slice(595)) {
      assert.equal(pool.getByCid(m.cid), m);
      assert.equal(pool.getByTxHash(m.ethTx!.hash), m);
    }
    assert.deepEqual(pool.pending(), mined.slice(595));
  });
});
