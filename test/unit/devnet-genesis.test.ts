// The genesis state: builtin singleton actors at their IDs, reserved IDs, and funded dev accounts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import type { DevAccount } from '../../src/devnet/accounts.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { resolveEthAddress } from '../../src/fevm/actors/lifecycle.js';

function account(byte: number): DevAccount {
  const address = new Uint8Array(20).fill(byte);
  return { address, filAddress: FilAddress.fromDelegated(EAM_NAMESPACE, address), privateKey: '' };
}

describe('createGenesisState', () => {
  test('the builtin singletons sit at their IDs (builtin-actors singletons.rs) with no balance', () => {
    const state = createGenesisState([], 0n).at(0);
    const expected: [number, string][] = [
      [0, 'system'],
      [1, 'init'],
      [2, 'reward'],
      [3, 'cron'],
      [4, 'storagepower'],
      [5, 'storagemarket'],
      [6, 'verifiedregistry'],
      [7, 'datacap'],
      [10, 'eam'],
      [99, 'account'],
    ];
    for (const [id, kind] of expected) {
      const actor = state.getActor(id);
      assert.ok(actor, `no actor at ID ${id}`);
      assert.equal(actor.kind, kind, `actor ${id}`);
      assert.equal(actor.balance, 0n);
      assert.equal(actor.nonce, 0);
    }
    for (const id of [8, 9, 11, 98, 100]) assert.equal(state.getActor(id), undefined, `unexpected actor at ${id}`);
    assert.equal(state.nextId(), 100);
  });

  test('dev accounts are funded EthAccounts from ID 100 on, found by their f410 and 0x addresses', () => {
    const accounts = [account(0x11), account(0x22), account(0x33)];
    const tree = createGenesisState(accounts, 123n);
    assert.equal(tree.epoch, 0);
    const state = tree.at(0);
    accounts.forEach((acc, i) => {
      const id = state.lookupId(acc.filAddress);
      assert.equal(id, 100 + i);
      const actor = state.getActor(id!)!;
      assert.equal(actor.kind, 'ethaccount');
      assert.equal(actor.balance, 123n);
      assert.equal(actor.nonce, 0);
      assert.ok(actor.delegated?.equals(acc.filAddress));
      assert.equal(resolveEthAddress(state, acc.address)?.id, 100 + i);
    });
    assert.equal(state.nextId(), 103);
    assert.equal(resolveEthAddress(state, new Uint8Array(20).fill(0x44)), undefined);
  });
});
