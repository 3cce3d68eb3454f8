// The FVM price list (src/fevm/price-list.ts) against ref-fvm fvm/src/gas/price_list.rs at commit
// ef0a9937 (TEEP_PRICES = WATERMELON_PRICES for everything here; nv25–nv28). Each expected figure is
// worked out by hand from the lines cited.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTOR_LOOKUP,
  ACTOR_UPDATE,
  HOST_CALL,
  onActorEvent,
  onBlockCreate,
  onBlockLink,
  onBlockOpen,
  onBlockRead,
  onCborScan,
  onChainMessage,
  onChainReturn,
  onCreateActor,
  onHashing,
  onLookback,
  PRELOADED_ACTORS,
  SECP256K1_RECOVER,
  SEND_INVOKE_METHOD,
  SEND_TRANSFER_FUNDS,
} from '../../src/fevm/price-list.js';
import { StateAccess } from '../../src/fevm/state-access.js';

describe('FVM price list', () => {
  test('on_chain_message (L84–88, L100, L623): 38 863 + 475 000 + 1 300 × (36 + size)', () => {
    assert.equal(onChainMessage(0), 38_863 + 475_000 + 46_800);
    assert.equal(onChainMessage(150), 38_863 + 475_000 + 1_300 * 186);
    // The calibnet deploy that failed on inclusion alone: 7 248 signed bytes.
    assert.equal(onChainMessage(7_248), 9_983_063);
  });

  test('ipld_cbor_scan_per_field 35, ipld_cbor_scan_per_cid 400 (L309–310): a DAG-CBOR block scanned on block_create', () => {
    assert.equal(onCborScan(5, 1), 5 * 35 + 400);
    assert.equal(onCborScan(0, 0), 0);
  });

  test('send_invoke_method (L97), send_transfer_funds (L96), host_call_cost (L293)', () => {
    assert.equal(SEND_INVOKE_METHOD, 75_000);
    assert.equal(SEND_TRANSFER_FUNDS, 6_000);
    assert.equal(HOST_CALL, 14_000);
  });

  test('actor lookup, update and creation (L99–104, L671)', () => {
    assert.equal(ACTOR_LOOKUP, 500_000);
    assert.equal(ACTOR_UPDATE, 475_000);
    assert.equal(onCreateActor(false), 650_000);
    // Address assignment 1 000 000 and address lookup 1 050 000 when the FVM assigns the address.
    assert.equal(onCreateActor(true), 2_700_000);
  });

  test('return values stored on chain: 1 300 per byte (L91–94, L647)', () => {
    assert.equal(onChainReturn(33), 42_900);
  });

  test('hashing per byte (L127–146): keccak 33, sha256 7, blake2b 10, ripemd160 35; secp256k1 recovery (L119)', () => {
    assert.equal(onHashing('keccak256', 100), 3_300);
    assert.equal(onHashing('sha256', 100), 700);
    assert.equal(onHashing('blake2b256', 100), 1_000);
    assert.equal(onHashing('ripemd160', 100), 3_500);
    assert.equal(SECP256K1_RECOVER, 1_637_292);
  });

  test('block_open (L248–258, L854, L864): 300 + 187 440, then at least 10 gas per byte retained', () => {
    assert.equal(onBlockOpen(0, 0), 187_740);
    // 100 bytes, 2 links: 600 + 240 (alloc) + 40 (memcpy) = 880 < 1 000 retention: surcharge 120.
    assert.equal(onBlockOpen(100, 2), 187_740 + 1_000);
    assert.equal(onBlockRead(1_000), 400);
  });

  test('block_create (L894) and block_link (L909): 334 000 + 172 000 + 3 340 per byte stored', () => {
    assert.equal(onBlockCreate(100, 0), 1_000);
    // memcpy 40 + alloc 200 + blake2b 1 000 + link 300 + persist 172 000 + 334 000 + 334 000.
    assert.equal(onBlockLink(100), 1_540 + 172_000 + 334_000 + 334_000);
    // Per byte: 3 340 storage + 12.4 compute.
    assert.equal(onBlockLink(1_100) - onBlockLink(100), 3_340_000 + 12_400);
  });

  test('on_actor_event (L1041): validation, memory, hashing', () => {
    // 2 entries, keys "t1" + "d" (3 bytes), values 32 + 32: size 12 + 18 + 3 + 64 = 97.
    const mem = 39 + 194;
    assert.equal(onActorEvent(2, 3, 64), 2 * mem + 2_000 + 2_800 + 500 + 48 + 970 + mem);
  });

  test('lookback (L225–231): 5 800 × 19 + 36 000 + 75 per epoch', () => {
    assert.equal(onLookback(0), 146_200);
    assert.equal(onLookback(10), 146_950);
  });
});

describe('StateAccess (state_access_tracker.rs)', () => {
  test('the first read of an actor is a lookup, the first write an update; preloaded actors are free', () => {
    const access = new StateAccess();
    assert.equal(access.read(1001), ACTOR_LOOKUP);
    assert.equal(access.read(1001), 0);
    assert.equal(access.write(1001), ACTOR_UPDATE);
    assert.equal(access.write(1002), ACTOR_LOOKUP + ACTOR_UPDATE);
    assert.equal(access.write(1002), 0);
    for (const id of PRELOADED_ACTORS) assert.equal(access.write(id), 0);
  });

  test("a message's sender is already updated and its receiver already read", () => {
    const access = StateAccess.forMessage(1001, 1002);
    assert.equal(access.write(1001), 0);
    assert.equal(access.read(1002), 0);
    // f1 -> f1 transfer (FIP-0057): value transfer + the receiver's update = 481 000.
    assert.equal(SEND_TRANSFER_FUNDS + access.write(1001) + access.write(1002), 481_000);
  });

  test('a created actor is updated already; a failed send forgets what it accessed, nothing before it', () => {
    const access = new StateAccess();
    assert.equal(access.read(1001), ACTOR_LOOKUP);
    const mark = access.mark();
    access.created(1003);
    assert.equal(access.write(1003), 0);
    assert.equal(access.write(1001), ACTOR_UPDATE);
    assert.equal(access.read(1002), ACTOR_LOOKUP);
    access.revertTo(mark);
    assert.equal(access.read(1001), 0);
    assert.equal(access.write(1001), ACTOR_UPDATE);
    assert.equal(access.read(1002), ACTOR_LOOKUP);
    assert.equal(access.write(1003), ACTOR_LOOKUP + ACTOR_UPDATE);
  });
});
