// The genesis state: builtin singleton actors at their IDs, reserved IDs, and funded dev accounts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import type { DevAccount } from '../../src/devnet/accounts.js';
import { createGenesisState, ETH_NULL_ADDRESS_BALANCE } from '../../src/devnet/genesis.js';
import { keccak256 } from '../../src/common/hashes.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { resolveEthAddress } from '../../src/fevm/actors/lifecycle.js';
import { deriveStorageProviderKeys } from '../../src/devnet/storage-providers/keys.js';
import { POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import { queuedCron } from '../../src/fevm/actors/cron.js';
import { deadlineEndAfter } from '../../src/fevm/actors/miner/policy.js';
import { availableBalance, loadMiner, vestingTable } from '../../src/fevm/actors/miner/state.js';
import { PLEDGE_32GIB } from '../helpers/pledge.js';

const FIL = 10n ** 18n;
const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

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
    for (const id of [8, 9, 11, 98, 105]) assert.equal(state.getActor(id), undefined, `unexpected actor at ${id}`);
    // Multicall3, the Safe singleton factory's signer and the factory, FilForwarder, then the null address's EthAccount are the last genesis actors.
    assert.deepEqual([100, 101, 102, 103, 104].map((id) => state.getActor(id)?.kind), ['evm', 'ethaccount', 'evm', 'evm', 'ethaccount']);
    assert.equal(state.nextId(), 105);
  });

  test('the null address 0x00…00 is an EthAccount with 1 000 FIL, the last genesis actor (Lotus genesis_eth.go SetupEthNullAddresses; calibnet holds FIL there)', () => {
    const state = createGenesisState([account(0x11)], 1n).at(0);
    const eth0 = resolveEthAddress(state, new Uint8Array(20))!;
    assert.equal(eth0.kind, 'ethaccount');
    assert.equal(eth0.id, state.nextId() - 1);
    assert.ok(eth0.delegated?.equals(FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20))));
    assert.equal(eth0.balance, ETH_NULL_ADDRESS_BALANCE);
    assert.equal(eth0.balance, 1_000n * 10n ** 18n);
    assert.equal(eth0.nonce, 0);
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
    assert.equal(state.nextId(), 108);
    assert.equal(resolveEthAddress(state, new Uint8Array(20).fill(0x44)), undefined);
  });

  test('Multicall3 sits at 0xcA11…CA11 with its Ethereum code, after every other genesis actor', () => {
    const accounts = [account(0x11), account(0x22)];
    const state = createGenesisState(accounts, 1n).at(0);
    const multicall = resolveEthAddress(state, hexToBytes('0xcA11bde05977b3631167028862bE2a173976CA11'));
    assert.equal(multicall?.id, 102);
    assert.equal(multicall.kind, 'evm');
    assert.equal(multicall.balance, 0n);
    assert.equal(multicall.evm?.bytecode.length, 3808);
    // The code hash Multicall3 has on Ethereum and wherever its presigned deployment ran.
    assert.equal(bytesToHex(multicall.evm!.bytecodeHash), '0xd5c15df687b16f2ff992fc8d767b4216323184a2bbc6ee2f9c398c318e770891');
    assert.equal(bytesToHex(keccak256(multicall.evm!.bytecode)), bytesToHex(multicall.evm!.bytecodeHash));
  });

  // audit21 A3 (the lead's decision): FilForwarder, which wallets call to pay an f1/f3 from a 0x
  // account, compiled from FILCAT/FilForwarder's source (src/devnet/fil-forwarder.ts).
  test('FilForwarder sits at 0x2B3e…c225 with its compiled code, after the Safe singleton factory', () => {
    const state = createGenesisState([account(0x11)], 1n).at(0);
    const forwarder = resolveEthAddress(state, hexToBytes('0x2B3ef6906429b580b7b2080de5CA893BC282c225'))!;
    assert.deepEqual([forwarder.id, forwarder.kind, forwarder.balance, forwarder.evm?.bytecode.length], [104, 'evm', 0n, 2347]);
    assert.equal(bytesToHex(keccak256(forwarder.evm!.bytecode)), bytesToHex(forwarder.evm!.bytecodeHash));
  });

  // audit18 K3 (the lead's decision): calibnet's and mainnet's Safe singleton factory
  // (safe-global/safe-singleton-factory artifacts/314159, 314), its signer past its one deployment.
  test('the Safe singleton factory sits at 0x914d…45643d7 with its code; its signer has sent its deployment (nonce 1)', () => {
    const state = createGenesisState([account(0x11)], 1n).at(0);
    const factory = resolveEthAddress(state, hexToBytes('0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7'))!;
    assert.deepEqual([factory.id, factory.kind, factory.balance, factory.evm?.bytecode.length], [103, 'evm', 0n, 69]);
    // The code hash of Arachnid's deterministic-deployment-proxy, whose code the factory's deployment returns.
    assert.equal(bytesToHex(factory.evm!.bytecodeHash), '0x2fa86add0aed31f33a762c9d88e807c475bd51d0f52bd0955754b2608f7e4989');
    const signer = resolveEthAddress(state, hexToBytes('0xE1CB04A0fA36DdD16a06ea828007E35e1a3cBC37'))!;
    assert.deepEqual([signer.id, signer.kind, signer.nonce, signer.balance], [102, 'ethaccount', 1, 0n]);
  });

  // Lotus's genesis sends each miner's CreateMiner the creation deposit, which its constructor locks
  // (chain/gen/genesis/miners.go, util.go CalculateMinerCreationDepositForGenesis; builtin-actors miner lib.rs constructor).
  test('a storage provider\'s miner holds its creation deposit locked beside its sectors\' funds; its owner keeps its balance', () => {
    const keys = deriveStorageProviderKeys(DEV_MNEMONIC, 2);
    const state = createGenesisState([account(0x11)], 1n, [], { keys, ownerBalance: 7n * FIL }).at(0);
    for (const key of keys) {
      const owner = state.getActor(state.lookupId(key.address)!)!;
      assert.equal(owner.balance, 7n * FIL);
      const miner = state.getActor(owner.id + 1)!;
      const m = loadMiner(miner.miner!);
      // builtin-actors' capped pledge of 204 bytes (29 103 830 attoFIL a byte), as a Lotus 2k genesis miner locks.
      assert.equal(m.lockedFunds, 5_937_181_320n);
      assert.equal(vestingTable(m).reduce((sum, f) => sum + f.amount, 0n), 5_937_181_320n);
      // What its worker sent for its 10 sectors (a deposit and a pledge of 32 GiB each, 1 FIL less
      // 15 693 250 560 attoFIL at that rate) less the 1 attoFIL a sector stays pledged is available; the deposit is not.
      const sectorFunds = 20n * PLEDGE_32GIB;
      assert.equal(miner.balance, sectorFunds + 5_937_181_320n);
      assert.equal(availableBalance(m, miner.balance), sectorFunds - 10n);
      // The deadline cron the pre-commits start unlocks the first step at the end of the deadline after it.
      const due = deadlineEndAfter(vestingTable(m)[0]!.epoch, m.provingPeriodOffset);
      assert.ok(queuedCron(state, miner.id).some(([epoch, events]) => epoch === due && events.some((e) => (e as { type: string }).type === 'vest')));
    }
    // Not in the power actor's pledge total: the pre-seal pledge alone.
    assert.equal(state.getActor(POWER_ACTOR_ID)!.power!.totalPledgeCollateral, 20n);
  });
});
