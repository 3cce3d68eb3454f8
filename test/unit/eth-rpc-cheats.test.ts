// Anvil's and Hardhat's cheat codes through the HTTP layer, and the Filecoin state they leave:
// snapshots cover actors and chain, code makes an EVM actor, impersonation sends without keys.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { hexToBytes } from '../../src/common/hex.js';
import { Wallet } from 'ethers';
import { CALL, devWallet, RECIPIENT, signTx } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { startDevnet, testConfig } from '../../src/index.js';

const FIL = 10n ** 18n;
const OTHER = '0x' + '42'.repeat(20);
// Runtime code that returns the 32-byte word 0x2a: PUSH1 2a PUSH1 0 MSTORE PUSH1 20 PUSH1 0 RETURN.
const RETURNS_42 = '0x602a60005260206000f3';
// Runtime code that returns slot 1: PUSH1 1 SLOAD PUSH1 0 MSTORE PUSH1 20 PUSH1 0 RETURN.
const RETURNS_SLOT_1 = '0x60015460005260206000f3';
// Runtime code that returns TIMESTAMP and NUMBER: TIMESTAMP PUSH1 0 MSTORE NUMBER PUSH1 20 MSTORE PUSH1 40 PUSH1 0 RETURN.
const RETURNS_TIME_AND_NUMBER = '0x426000524360205260406000f3';

describe('snapshots', () => {
  test('evm_revert restores balances, nonces, actors and the chain, and uses the snapshot up', async (t) => {
    const { result, send, devnet } = await setupRpc(t);
    const id = await result('evm_snapshot');
    assert.equal(id, '0x0');
    const before = await result('eth_getBalance', [RECIPIENT, 'latest']);
    await send({ nonce: 0, value: FIL });
    await result('anvil_setBalance', [OTHER, '0x64']);
    assert.equal(await result('eth_blockNumber'), '0x1');
    assert.equal(await result('evm_revert', [id]), true);
    assert.equal(await result('eth_blockNumber'), '0x0');
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), before);
    assert.equal(await result('eth_getBalance', [OTHER, 'latest']), '0x0');
    assert.equal(await result('eth_getTransactionCount', [devWallet.address, 'latest']), '0x0');
    // The actor the transfer created is gone too.
    assert.equal(devnet.stateAt(0).lookupId(FilAddress.fromEthAddress(hexToBytes(RECIPIENT))), undefined);
    // A used or unknown snapshot: false and nothing changed, as Anvil 1.7.1 and Hardhat answer (H7);
    // hardhat-network-helpers turns the false into its InvalidSnapshotError.
    const again = await result('evm_snapshot');
    await result('evm_mine');
    assert.equal(await result('evm_revert', [id]), false);
    assert.equal(await result('anvil_revert', ['0x99']), false);
    assert.equal(await result('eth_blockNumber'), '0x1');
    assert.equal(await result('evm_revert', [again]), true);
    assert.equal(await result('eth_blockNumber'), '0x0');
    // The chain goes on from the snapshot: the same nonce is valid again.
    await send({ nonce: 0, value: 2n });
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x2');
  });

  test('evm_revert keeps the pool, as Anvil, but for the messages of a sender made after the snapshot (H6)', async (t) => {
    const { result, send } = await setupRpc(t);
    await result('evm_setAutomine', [false]);
    const kept = await send({ nonce: 0 });
    const id = await result('evm_snapshot');
    await result('anvil_setBalance', [OTHER, '0x' + FIL.toString(16)]);
    await result('anvil_impersonateAccount', [OTHER]);
    const gone = await result('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1' }]);
    assert.deepEqual(await result('txpool_status'), { pending: '0x2', queued: '0x0' });
    assert.equal(await result('evm_revert', [id]), true);
    // OTHER's actor is gone with the snapshot (its ID free for another): its message goes too.
    assert.deepEqual(await result('txpool_status'), { pending: '0x1', queued: '0x0' });
    assert.equal(await result('eth_getTransactionByHash', [gone]), null);
    assert.equal((await result('eth_getTransactionByHash', [kept])).hash, kept);
    await result('evm_mine');
    assert.equal((await result('eth_getTransactionReceipt', [kept])).status, '0x1');
    // anvil_reset empties it, as Anvil's does.
    await send({ nonce: 1 });
    await result('anvil_reset');
    assert.deepEqual(await result('txpool_status'), { pending: '0x0', queued: '0x0' });
  });

  test('anvil_reset goes back to genesis', async (t) => {
    const { result, send } = await setupRpc(t);
    await send({ nonce: 0 });
    await result('anvil_mine', ['0x3']);
    assert.equal(await result('eth_blockNumber'), '0x4');
    assert.equal(await result('anvil_reset'), null);
    assert.equal(await result('eth_blockNumber'), '0x0');
  });

  // newuser3 U4: hardhat-network-helpers' reset(url, block) then reset(), as a suite forks for one
  // describe block; Hardhat node and Anvil 1.7.1 (anvil_reset: reset_to_in_mem) leave the fork then.
  test('anvil_reset without forking on a node that anvil_reset forked: back to its own genesis, the fork left', async (t) => {
    const upstream = await startDevnet(testConfig({ chainId: 314159n }));
    t.after(() => upstream.close());
    await upstream.devnet.mine();
    await upstream.devnet.mine();
    const { result, send, devnet } = await setupRpc(t);
    const genesis = await result('eth_getBlockByNumber', ['0x0', false]);
    await send({ nonce: 0, value: FIL });
    await result('hardhat_reset', [{ forking: { jsonRpcUrl: upstream.url, blockNumber: 2 } }]);
    assert.equal(await result('eth_blockNumber'), '0x2');
    assert.ok(devnet.fork);
    await result('eth_sendTransaction', [{ from: devWallet.address, to: OTHER, value: '0x5' }]);
    assert.equal(await result('eth_getBalance', [OTHER, 'latest']), '0x5');

    // Two at once, as a suite's after hooks may send them: the first goes home, the second resets there.
    assert.deepEqual(await Promise.all([result('hardhat_reset', []), result('anvil_reset')]), [null, null]);
    assert.equal(devnet.fork, undefined);
    assert.equal((await result('anvil_metadata')).forkedNetwork, null);
    assert.equal(await result('eth_blockNumber'), '0x0');
    assert.deepEqual(await result('eth_getBlockByNumber', ['0x0', false]), genesis);
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x0');
    assert.equal(await result('eth_getBalance', [OTHER, 'latest']), '0x0');
    assert.equal(await result('eth_getTransactionCount', [devWallet.address, 'latest']), '0x0');
    // The chain goes on from there: its first transaction again, and a reset comes back to the same genesis.
    await send({ nonce: 0, value: 2n * FIL });
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x' + (2n * FIL).toString(16));
    await result('anvil_reset');
    assert.deepEqual(await result('eth_getBlockByNumber', ['0x0', false]), genesis);
    assert.equal(await result('eth_blockNumber'), '0x0');
  });
});

describe('mining and time', () => {
  test('anvil_mine with an interval, evm_mine with a timestamp, evm_increaseTime and evm_setNextBlockTimestamp', async (t) => {
    const { result, error, devnet } = await setupRpc(t);
    const genesis = await result('eth_getBlockByNumber', ['latest', false]);
    await result('hardhat_mine', ['0x3', '0x64']);
    const third = await result('eth_getBlockByNumber', ['0x3', false]);
    const second = await result('eth_getBlockByNumber', ['0x2', false]);
    assert.equal(BigInt(third.timestamp) - BigInt(second.timestamp), 100n);
    const target = Number(third.timestamp) + 1000;
    await result('evm_mine', [target]);
    assert.equal(Number((await result('eth_getBlockByNumber', ['latest', false])).timestamp), target);
    assert.match((await error('evm_setNextBlockTimestamp', [Number(genesis.timestamp)])).message, /not after/);
    await result('evm_setNextBlockTimestamp', ['0x' + (target + 5).toString(16)]);
    await result('evm_mine');
    assert.equal(Number((await result('eth_getBlockByNumber', ['latest', false])).timestamp), target + 5);
    // evm_increaseTime answers the total it has moved time by (with the tipsets above, which ran
    // ahead of the clock and took chain time with them), a JSON number as Anvil answers it (L3);
    // the next tipset is that far ahead.
    const total = await result('evm_increaseTime', [3600]);
    assert.equal(typeof total, 'number');
    assert.ok(total >= 3600);
    assert.equal(await result('evm_increaseTime', ['0x10']), total + 16);
    assert.equal(await result('anvil_increaseTime', [0]), total + 16);
    await result('evm_mine');
    const latest = Number((await result('eth_getBlockByNumber', ['latest', false])).timestamp);
    assert.ok(latest >= target + 5 + 3616, `${latest} is not 3616 s after ${target + 5}`);
    assert.ok(devnet.chainTime() >= latest);
  });

  test('an eth_call runs at the time and epoch it would: on the head the next tipset\'s, as the clock is moved; on a tipset mined over since, its own', async (t) => {
    const { result } = await setupRpc(t);
    await result('anvil_setCode', [OTHER, RETURNS_TIME_AND_NUMBER]);
    const seen = async (block: string) => {
      const out: string = await result('eth_call', [{ to: OTHER }, block]);
      return { timestamp: Number(BigInt(out.slice(0, 66))), number: Number(BigInt('0x' + out.slice(66))) };
    };
    const head = await result('eth_getBlockByNumber', ['latest', false]);
    assert.equal((await seen('latest')).number, Number(head.number) + 1);
    // The same head, the clock moved: calls after see the new time.
    const target = Number(head.timestamp) + 1000;
    await result('evm_setNextBlockTimestamp', ['0x' + target.toString(16)]);
    assert.deepEqual(await seen('latest'), { timestamp: target, number: Number(head.number) + 1 });
    assert.deepEqual(await seen(head.number), { timestamp: target, number: Number(head.number) + 1 });
    // That tipset, no longer the head, runs calls as itself.
    await result('evm_mine');
    assert.deepEqual(await seen(head.number), { timestamp: Number(head.timestamp), number: Number(head.number) });
    const mined = await result('eth_getBlockByNumber', ['latest', false]);
    assert.equal(Number(mined.timestamp), target);
    assert.equal((await seen('latest')).number, Number(mined.number) + 1);
  });

  test('after anvil_mine of 10 tipsets in one go, evm_increaseTime(3600) + mine is at least 3600 s later', async (t) => {
    const { result } = await setupRpc(t);
    const timestamp = async () => Number((await result('eth_getBlockByNumber', ['latest', false])).timestamp);
    await result('anvil_mine', ['0xa']);
    const before = await timestamp();
    await result('evm_increaseTime', [3600]);
    await result('evm_mine');
    assert.ok((await timestamp()) - before >= 3600, `${(await timestamp()) - before} s`);
  });

  test('evm_setBlockGasLimit is refused: Filecoin fixes the block gas limit', async (t) => {
    const { result, error } = await setupRpc(t);
    const { code, message } = await error('evm_setBlockGasLimit', ['0x1000']);
    assert.equal(code, 1);
    assert.match(message, /fixed on Filecoin \(10000000000\)/);
    assert.equal((await result('eth_getBlockByNumber', ['latest', false])).gasLimit, '0x2540be400');
  });

  test('evm_setAutomine(false) keeps transactions pending until mined; txpool shows them', async (t) => {
    const { result, send } = await setupRpc(t);
    assert.equal(await result('anvil_getAutomine'), true);
    await result('evm_setAutomine', [false]);
    assert.equal(await result('hardhat_getAutomine'), false);
    const hash = await send({ nonce: 0 });
    await send({ nonce: 2 });
    assert.equal(await result('eth_getTransactionReceipt', [hash]), null);
    assert.deepEqual(await result('txpool_status'), { pending: '0x1', queued: '0x1' });
    const content = await result('txpool_content');
    const [sender] = Object.keys(content.pending);
    assert.equal(content.pending[sender]['0'].hash, hash);
    assert.ok(content.queued[sender]['2']);
    await result('evm_mine');
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    assert.equal(await result('anvil_dropTransaction', [content.queued[sender]['2'].hash]), content.queued[sender]['2'].hash);
    assert.deepEqual(await result('txpool_status'), { pending: '0x0', queued: '0x0' });
  });
});

describe('Anvil\'s and Hardhat\'s names answer as each tool does (H11)', () => {
  test('anvil_* impersonation, mining and dropTransaction answer null or the hash; hardhat_* true, and hardhat_dropTransaction whether it dropped, refusing a mined one', async (t) => {
    const { result, error, send } = await setupRpc(t);
    for (const [anvil, hardhat, params] of [
      ['anvil_impersonateAccount', 'hardhat_impersonateAccount', [OTHER]],
      ['anvil_stopImpersonatingAccount', 'hardhat_stopImpersonatingAccount', [OTHER]],
      ['anvil_mine', 'hardhat_mine', ['0x2']],
    ] as const) {
      assert.equal(await result(anvil, [...params]), null, anvil);
      assert.equal(await result(hardhat, [...params]), true, hardhat);
    }
    const mined = await send({ nonce: 0 });
    await result('evm_setAutomine', [false]);
    const [first, second] = [await send({ nonce: 1 }), await send({ nonce: 2 })];
    // Hardhat 2.29: true, then false for the same hash or an unknown one, and -32602 for a mined one.
    assert.equal(await result('hardhat_dropTransaction', [first]), true);
    assert.equal(await result('hardhat_dropTransaction', [first]), false);
    assert.equal(await result('hardhat_dropTransaction', ['0x' + '11'.repeat(32)]), false);
    const refused = await error('hardhat_dropTransaction', [mined]);
    assert.deepEqual([refused.code, refused.message], [-32602, `Transaction ${mined} cannot be dropped because it's already mined`]);
    // Anvil 1.7.1: the hash, then null.
    assert.equal(await result('anvil_dropTransaction', [second]), second);
    assert.equal(await result('anvil_dropTransaction', [second]), null);
    assert.equal(await result('anvil_dropTransaction', [mined]), null);
  });
});

describe('state cheat codes', () => {
  test('anvil_setCode makes an EVM actor with an ID and an f410 address; storage and nonce can be set', async (t) => {
    const { result, error, devnet } = await setupRpc(t);
    await result('anvil_setCode', [OTHER, RETURNS_42]);
    const actor = devnet.stateAt(devnet.head.epoch).getActor(devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(OTHER)))!)!;
    assert.equal(actor.kind, 'evm');
    assert.equal(actor.delegated!.toString(), await result('Filecoin.EthAddressToFilecoinAddress', [OTHER]));
    assert.equal(await result('eth_getCode', [OTHER, 'latest']), RETURNS_42);
    assert.equal(await result('eth_call', [{ to: OTHER }, 'latest']), '0x' + '00'.repeat(31) + '2a');
    await result('hardhat_setStorageAt', [OTHER, '0x1', '0x' + '00'.repeat(31) + '07']);
    assert.equal(await result('eth_getStorageAt', [OTHER, '0x1', 'latest']), '0x' + '00'.repeat(31) + '07');
    await result('anvil_setNonce', [OTHER, '0x5']);
    assert.equal(await result('eth_getTransactionCount', [OTHER, 'latest']), '0x5');
    assert.match((await error('anvil_setStorageAt', [RECIPIENT, '0x1', '0x01'])).message, /not a contract/);
    assert.match((await error('anvil_setBalance', ['0xff00000000000000000000000000000000bc614e', '0x1'])).message, /no actor/);
  });

  // newuser3 U5: hardhat-network-helpers' setCode(a, "0x") on an account leaves it one, as Hardhat and Anvil do.
  test('anvil_setCode with empty code leaves an account or a new address as it is; a contract keeps its actor, without code; an account given code keeps its nonce', async (t) => {
    const { result, devnet } = await setupRpc(t);
    const kindAt = (eth: string) => {
      const state = devnet.stateAt(devnet.head.epoch);
      const id = state.lookupId(FilAddress.fromEthAddress(hexToBytes(eth)));
      return id === undefined ? undefined : state.getActor(id)!.kind;
    };
    await result('hardhat_setCode', [devWallet.address, '0x']);
    assert.equal(kindAt(devWallet.address), 'ethaccount');
    const hash = await result('eth_sendTransaction', [{ from: devWallet.address, to: RECIPIENT, value: '0x1' }]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    await result('anvil_setCode', [OTHER, '0x']);
    assert.equal(kindAt(OTHER), undefined);
    await result('anvil_setBalance', [OTHER, '0x' + FIL.toString(16)]);
    await result('anvil_setCode', [OTHER, '0x']);
    assert.equal(kindAt(OTHER), 'placeholder');
    await result('anvil_impersonateAccount', [OTHER]);
    const sent = await result('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1' }]);
    assert.equal((await result('eth_getTransactionReceipt', [sent])).status, '0x1');
    assert.equal(kindAt(OTHER), 'ethaccount');
    // A contract's code removed: an EthAccount (newuser3 U8; the next test).
    const contract = '0x' + '43'.repeat(20);
    await result('anvil_setCode', [contract, RETURNS_42]);
    await result('anvil_setCode', [contract, '0x']);
    assert.equal(kindAt(contract), 'ethaccount');
    assert.equal(await result('eth_getCode', [contract, 'latest']), '0x');
    assert.equal(await result('eth_call', [{ to: contract }, 'latest']), '0x');
    // An account given code keeps its nonce as the contract's (its CREATE addresses follow it), as Anvil and Hardhat keep it.
    const account = '0x' + '44'.repeat(20);
    await result('anvil_setNonce', [account, '0x7']);
    await result('anvil_setCode', [account, RETURNS_42]);
    assert.equal(kindAt(account), 'evm');
    assert.equal(await result('eth_getTransactionCount', [account, 'latest']), '0x7');
  });

  // newuser3 U8: a suite etches code, clears it with setCode(a, "0x") and sends from the address, as
  // on Anvil 1.7.1 and Hardhat's node, which keep the account's balance, nonce and slots.
  test('anvil_setCode with empty code makes a contract an EthAccount that sends, with its balance and nonce; code set again reads its slots, after a dump and load too', async (t) => {
    const a = await setupRpc(t);
    const contract = '0x' + '45'.repeat(20);
    const actorAt = (devnet: typeof a.devnet) => {
      const state = devnet.stateAt(devnet.head.epoch);
      return state.getActor(state.lookupId(FilAddress.fromEthAddress(hexToBytes(contract)))!)!;
    };
    const word = (n: number) => '0x' + n.toString(16).padStart(64, '0');
    await a.result('anvil_setCode', [contract, RETURNS_SLOT_1]);
    await a.result('anvil_setStorageAt', [contract, '0x1', word(7)]);
    await a.result('anvil_setStorageAt', [contract, '0x1234', word(9)]);
    await a.result('anvil_setBalance', [contract, '0x' + (10n * FIL).toString(16)]);
    const contractActor = actorAt(a.devnet);
    await a.result('anvil_setCode', [contract, '0x']);
    const account = actorAt(a.devnet);
    assert.equal(account.kind, 'ethaccount');
    assert.equal(account.id, contractActor.id);
    assert.equal(await a.result('eth_getCode', [contract, 'latest']), '0x');
    assert.equal(await a.result('eth_getBalance', [contract, 'latest']), '0x' + (10n * FIL).toString(16));
    assert.equal(await a.result('eth_getTransactionCount', [contract, 'latest']), '0x1');
    // An account has no storage to read (Lotus answers zero; Anvil still shows the slots).
    assert.equal(await a.result('eth_getStorageAt', [contract, '0x1', 'latest']), word(0));
    await a.result('anvil_addBalance', [contract, '0x1']);
    await a.result('anvil_impersonateAccount', [contract]);
    const sent = await a.result('eth_sendTransaction', [{ from: contract, to: RECIPIENT, value: '0x1' }]);
    assert.equal((await a.result('eth_getTransactionReceipt', [sent])).status, '0x1');
    assert.equal(await a.result('eth_getTransactionCount', [contract, 'latest']), '0x2');
    const b = await setupRpc(t);
    assert.equal(await b.result('anvil_loadState', [await a.result('anvil_dumpState')]), true);
    for (const { result, devnet } of [a, b]) {
      await result('anvil_setCode', [contract, RETURNS_SLOT_1]);
      assert.equal(await result('eth_call', [{ to: contract }, 'latest']), word(7));
      assert.equal(await result('eth_getStorageAt', [contract, '0x1234', 'latest']), word(9));
      assert.equal(await result('eth_getTransactionCount', [contract, 'latest']), '0x2');
      // The storage's KAMT shape (what its reads and writes cost) is the contract's again.
      assert.deepEqual(actorAt(devnet).storageShape, contractActor.storageShape);
    }
  });

  test('anvil_setCode at a Filecoin actor\'s masked ID (a miner, the market, an f1 account) is refused, empty code too, and changes nothing', async (t) => {
    const f1 = FilAddress.parse('t1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y');
    const { result, error, devnet } = await setupRpc(t, { fund: [{ address: f1, balance: 10n * FIL }] });
    const f1Id = devnet.stateAt(devnet.head.epoch).lookupId(f1)!;
    const maskedIds = ['0xff000000000000000000000000000000000003e8', '0xff00000000000000000000000000000000000005', '0xff' + f1Id.toString(16).padStart(38, '0')];
    for (const masked of maskedIds) {
      const balance = await result('eth_getBalance', [masked, 'latest']);
      for (const code of ['0x', RETURNS_42]) {
        assert.deepEqual(await error('anvil_setCode', [masked, code]), { code: 1, message: 'code can only be set at an f410 address, not a masked ID' }, masked);
      }
      assert.equal(await result('eth_getBalance', [masked, 'latest']), balance);
      assert.equal(await result('eth_getCode', [masked, 'latest']), '0x');
    }
  });

  test('impersonation sends from an f410 address and from a native account without their keys', async (t) => {
    const { result, error, devnet } = await setupRpc(t, { fund: [{ address: FilAddress.parse('t1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y'), balance: 10n * FIL }] });
    await result('anvil_setBalance', [OTHER, '0x' + (10n * FIL).toString(16)]);
    assert.match((await error('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1' }])).message, /does not impersonate/);
    await result('anvil_impersonateAccount', [OTHER]);
    const hash = await result('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x5' }]);
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.from, OTHER);
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x5');
    await result('anvil_stopImpersonatingAccount', [OTHER]);
    assert.match((await error('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1' }])).message, /does not impersonate/);

    // A native f1 account, impersonated through its masked ID address.
    const id = devnet.stateAt(0).lookupId(FilAddress.parse('t1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y'))!;
    const masked = '0xff' + id.toString(16).padStart(38, '0');
    await result('anvil_autoImpersonateAccount', [true]);
    const nativeHash = await result('eth_sendTransaction', [{ from: masked, to: RECIPIENT, value: '0x6' }]);
    assert.equal((await result('eth_getTransactionReceipt', [nativeHash])).status, '0x1');
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0xb');
    // An Ethereum account named by its masked ID sends as its f410 address.
    const ethId = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(OTHER)))!;
    const ethMasked = '0xff' + ethId.toString(16).padStart(38, '0');
    const viaId = await result('eth_sendTransaction', [{ from: ethMasked, to: RECIPIENT, value: '0x1' }]);
    assert.equal((await result('eth_getTransactionReceipt', [viaId])).from, OTHER);
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0xc');
    // A contract cannot send on Filecoin, impersonated or not.
    await result('anvil_setCode', [OTHER, RETURNS_42]);
    assert.match((await error('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1' }])).message, /contract cannot send/);
  });

  test('an impersonated send with a lone gasPrice is a legacy transaction, as Anvil sends it, whose message is Lotus\'s for one', async (t) => {
    const { result } = await setupRpc(t);
    await result('anvil_setBalance', [OTHER, '0x' + (10n * FIL).toString(16)]);
    await result('anvil_impersonateAccount', [OTHER]);
    const gasPrice = '0x3b9aca00';
    const legacy = await result('eth_getTransactionByHash', [await result('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1', gasPrice }])]);
    assert.equal(legacy.type, '0x0');
    assert.equal(legacy.gasPrice, gasPrice);
    assert.equal(legacy.maxFeePerGas, undefined);
    // Lotus's message of a legacy EIP-155 transaction: fee cap and premium the gas price, the signature's marker byte 0x02.
    const head = await result('Filecoin.ChainHead', []);
    const [signed] = (await result('Filecoin.ChainGetBlockMessages', [head.Cids[0]])).SecpkMessages;
    assert.deepEqual([signed.Message.GasFeeCap, signed.Message.GasPremium], [BigInt(gasPrice).toString(), BigInt(gasPrice).toString()]);
    assert.equal(Buffer.from(signed.Signature.Data, 'base64')[0], 0x02);
    // Without a fee, or with EIP-1559 fees: an EIP-1559 transaction, as before.
    const dynamic = await result('eth_getTransactionByHash', [await result('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1' }])]);
    assert.equal(dynamic.type, '0x2');
  });

  test('an impersonated send with automine off waits in the pool like any other, and mines on request', async (t) => {
    const { result } = await setupRpc(t);
    await result('anvil_setBalance', [OTHER, '0x' + (10n * FIL).toString(16)]);
    await result('anvil_impersonateAccount', [OTHER]);
    await result('evm_setAutomine', [false]);
    const hash = await result('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x3' }]);
    assert.equal(await result('eth_getTransactionReceipt', [hash]), null);
    assert.equal((await result('eth_getTransactionByHash', [hash])).blockNumber, null);
    await result('evm_mine');
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
  });

  test('metadata, node info, the next base fee and the minimum fee cap', async (t) => {
    const { result, error, send } = await setupRpc(t, {}, { txDefaults: CALL });
    const metadata = await result('anvil_metadata');
    assert.equal(metadata.chainId, 31415926);
    assert.equal(metadata.latestBlockNumber, 0);
    // hardhat_metadata stays unanswered, as on Lotus: hardhat-ethers then estimates every gas limit.
    assert.equal((await error('hardhat_metadata')).code, -32601);
    assert.equal((await result('anvil_nodeInfo')).environment.chainId, 31415926);
    await result('anvil_setNextBlockBaseFeePerGas', ['0x3e8']);
    await result('evm_mine');
    assert.equal((await result('eth_getBlockByNumber', ['latest', false])).baseFeePerGas, '0x3e8');
    await result('anvil_setMinGasPrice', ['0x' + (10n ** 10n).toString(16)]);
    await assert.rejects(send({ nonce: 0, to: RECIPIENT }), /gas fee cap too low/);
  });
});

// review2 Q1 (P9 under instant mining): a later transaction its sender could not fund stays pending
// (Lotus's createMessageChains); once funded, here by anvil_setBalance, the next tipset takes it,
// which instant mining makes at once since no send announces it.
describe('instant mining and a transaction held for funds', () => {
  test('anvil_setBalance funding the sender mines the held transaction at once', async (t) => {
    const { app, result } = await setupRpc(t);
    const sender = new Wallet('0x' + '3c'.repeat(32));
    await result('anvil_setBalance', [sender.address, '0x' + (10n ** 17n).toString(16)]);
    // 0.1 FIL: the first sends all but its 0.01 FIL gas reserve, so that what it leaves, less the gas it
    // uses, is under the second's reserve (0.01 FIL) both when selected and once mined.
    const feeCap = 10n ** 9n;
    const first = await signTx({ nonce: 0, to: OTHER, value: 10n ** 17n - 10_000_000n * feeCap, maxFeePerGas: feeCap }, { signer: sender });
    const second = await signTx({ nonce: 1, to: OTHER, value: 1n, maxFeePerGas: feeCap }, { signer: sender });
    // One batch: both join the pool before the instant tipset runs.
    const answers = (await app.inject({ method: 'POST', url: '/', payload: [first, second].map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })) })).json() as { result: string }[];
    assert.equal((await result('eth_getTransactionReceipt', [answers[0]!.result])).status, '0x1');
    assert.equal(await result('eth_getTransactionReceipt', [answers[1]!.result]), null);
    await result('anvil_setBalance', [sender.address, '0x' + FIL.toString(16)]);
    let receipt = null;
    // Up to 10 s: the follow-up tipset runs after the cheat code answers, later on a loaded machine.
    for (let i = 0; i < 500 && !receipt; i++) {
      receipt = await result('eth_getTransactionReceipt', [answers[1]!.result]);
      if (!receipt) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(receipt?.status, '0x1');
  });
});
