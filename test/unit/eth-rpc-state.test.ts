// Account state at a block through the HTTP layer: eth_getBalance, eth_getTransactionCount,
// eth_getCode, eth_getStorageAt (lotus-eth-rpc.md §4.3).
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { getCreate2Address, getCreateAddress, keccak256 } from 'ethers';
import { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import type { DevnetConfig } from '../../src/index.js';
import { CALL, devWallet as wallet } from '../helpers/dev-wallet.js';
import { t410 } from '../helpers/f410.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const ME = wallet.address.toLowerCase();
const FRESH = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
const ZERO_WORD = '0x' + '00'.repeat(32);
const GENESIS_BALANCE = '0x21e19e0c9bab2400000'; // 10 000 FIL
/** Runtime: log2(mem[0..32] = calldata word, topic0 = 0x11…11, topic1 = calldata word); stop. */
const RUNTIME = '600035' + '80' + '600052' + '7f' + '11'.repeat(32) + '6020' + '6000' + 'a2' + '00';
/** sstore(0, 0x2a), then return the runtime (46 bytes at offset 17). */
const INITCODE = '0x' + '602a600055' + '602e601160003960' + '2e6000f3' + RUNTIME;

const setup = (t: TestContext, overrides: Partial<DevnetConfig> = {}) => setupRpc(t, overrides, { txDefaults: CALL });

describe('eth_getBalance', () => {
  test('dev accounts at genesis, a fresh address after a transfer, and past blocks keep their values', async (t) => {
    const { result, error, send } = await setup(t);
    assert.equal(await result('eth_getBalance', [ME, 'latest']), GENESIS_BALANCE);
    assert.equal(await result('eth_getBalance', [FRESH, 'latest']), '0x0');
    await send({ nonce: 0, to: FRESH, value: 1_000_000n, gasLimit: 10_000_000 });
    assert.equal(await result('eth_getBalance', [FRESH, 'latest']), '0xf4240');
    assert.equal(await result('eth_getBalance', [FRESH, '0x1']), '0xf4240');
    assert.equal(await result('eth_getBalance', [FRESH, '0x0']), '0x0');
    assert.equal(await result('eth_getBalance', [ME, '0x0']), GENESIS_BALANCE);
    // Lotus refuses 'earliest' outside log ranges (F5).
    assert.deepEqual(await error('eth_getBalance', [ME, 'earliest']), { code: 1, message: 'block param "earliest" is not supported' });
    // The sender paid the value and some gas.
    assert.ok(BigInt(await result('eth_getBalance', [ME, 'latest'])) < BigInt(GENESIS_BALANCE) - 1_000_000n);
    // EIP-1898 block objects work too.
    const hash = (await result('eth_getBlockByNumber', ['0x0', false])).hash;
    assert.equal(await result('eth_getBalance', [FRESH, { blockHash: hash }]), '0x0');
    assert.equal(await result('eth_getBalance', [FRESH, { blockNumber: '0x1' }]), '0xf4240');
  });

  test('a masked ID address names the actor with that ID', async (t) => {
    const { result } = await setup(t);
    // The first dev account is actor 100 (0x64).
    assert.equal(await result('eth_getBalance', ['0xff00000000000000000000000000000000000064', 'latest']), GENESIS_BALANCE);
  });

  test('an address with no actor reads as 0x0 / 0x / 0x0 / zero word, masked IDs of any size included', async (t) => {
    const { result } = await setup(t);
    // lotus-eth-rpc.md §4.3 (no actor) and §3.3: Lotus itself shows a missing recipient as
    // 0xff0000000000000000000000ffffffffffffffff, the masked ID of 2^64 - 1.
    for (const nobody of ['0xff00000000000000000000000000000000000999', '0xff0000000000000000000000ffffffffffffffff']) {
      assert.equal(await result('eth_getBalance', [nobody, 'latest']), '0x0', nobody);
      assert.equal(await result('eth_getCode', [nobody, 'latest']), '0x', nobody);
      assert.equal(await result('eth_getTransactionCount', [nobody, 'latest']), '0x0', nobody);
      assert.equal(await result('eth_getStorageAt', [nobody, '0x00', 'latest']), ZERO_WORD, nobody);
    }
  });

  test('a future block is an error; the block parameter is required', async (t) => {
    const { error } = await setup(t);
    assert.equal((await error('eth_getBalance', [ME, '0x5'])).code, 1);
    assert.equal((await error('eth_getBalance', [ME])).code, -32602);
  });
});

describe('eth_getTransactionCount', () => {
  test('latest is the state nonce; pending counts the pool', async (t) => {
    const { result, send, devnet } = await setup(t, { noMining: true });
    await send({ nonce: 0, to: FRESH, value: 1n, gasLimit: 10_000_000 });
    await send({ nonce: 1, to: FRESH, value: 1n, gasLimit: 10_000_000 });
    // A future nonce does not count: the pool's run stops at the gap.
    await send({ nonce: 3, to: FRESH, value: 1n, gasLimit: 10_000_000 });
    assert.equal(await result('eth_getTransactionCount', [ME, 'latest']), '0x0');
    assert.equal(await result('eth_getTransactionCount', [ME, 'pending']), '0x2');
    await devnet.mine();
    assert.equal(await result('eth_getTransactionCount', [ME, 'latest']), '0x2');
    assert.equal(await result('eth_getTransactionCount', [ME, '0x0']), '0x0');
    assert.equal(await result('eth_getTransactionCount', [ME, 'pending']), '0x2');
    assert.equal(await result('eth_getTransactionCount', [FRESH, 'latest']), '0x0');
  });

  test('pending of an address with no actor is an error, as Lotus\'s MpoolGetNonce (P1); latest is 0; funded, both are 0', async (t) => {
    const { result, error, send } = await setup(t);
    const unknown = await error('eth_getTransactionCount', [FRESH, 'pending']);
    assert.equal(unknown.code, 1);
    const f410 = t410(FRESH);
    assert.equal(unknown.message, `failed to get nonce from mpool: resolution lookup failed (${f410}): resolve address ${f410}: actor not found`);
    assert.equal(await result('eth_getTransactionCount', [FRESH, 'latest']), '0x0');
    // A masked ID with no actor: looked up by its ID.
    assert.equal((await error('eth_getTransactionCount', ['0xff00000000000000000000000000000000099999', 'pending'])).message, 'failed to get nonce from mpool: actor not found');
    assert.equal((await error('Filecoin.MpoolGetNonce', [f410])).message, `resolution lookup failed (${f410}): resolve address ${f410}: actor not found`);
    assert.equal((await error('Filecoin.MpoolGetNonce', ['t099999'])).message, 'actor not found');
    // Funds make it a placeholder actor: then it has a nonce.
    await send({ nonce: 0, to: FRESH, value: 1n, gasLimit: 10_000_000 });
    assert.equal(await result('eth_getTransactionCount', [FRESH, 'pending']), '0x0');
    assert.equal(await result('Filecoin.MpoolGetNonce', [f410]), 0);
    // So does anvil_setBalance on a new address (hardhat-network-helpers' setBalance before impersonating).
    const other = '0x' + '77'.repeat(20);
    await result('anvil_setBalance', [other, '0x1']);
    assert.equal(await result('eth_getTransactionCount', [other, 'pending']), '0x0');
  });

  test("a contract's count is its EVM nonce, which starts at 1", async (t) => {
    const { result, send } = await setup(t);
    await send({ nonce: 0, to: null, data: INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    assert.equal(await result('eth_getTransactionCount', [contract, 'latest']), '0x1');
    assert.equal(await result('eth_getTransactionCount', [ME, 'latest']), '0x1');
  });
});

describe('a deployment that leaves no code (P3: builtin-actors actors/evm/src/lib.rs initialize_evm_contract)', () => {
  /** The identity CID builtin-actors' EVM actor code has on the devnet (fil/18/evm). */
  const EVM_CODE = CID.createV1(0x55, identity.digest(new TextEncoder().encode('fil/18/evm'))).toString();
  /** Runtime: CREATE2(value 0, empty initcode, salt 0), return the address. Initcode: copy it out and return it. */
  const FACTORY_RUNTIME = '6000600060006000f560005260206000f3';
  const FACTORY = '0x6011600c60003960116000f3' + FACTORY_RUNTIME;

  test('empty initcode, a constructor returning nothing and a CREATE2 of empty initcode each make an EVM actor with empty bytecode', async (t) => {
    const { result, send } = await setup(t);
    const actorOf = async (eth: string) => result('Filecoin.StateGetActor', [await result('Filecoin.EthAddressToFilecoinAddress', [eth]), null]);
    for (const [nonce, data] of [[0, '0x'], [1, '0x00']] as const) {
      const receipt = await result('eth_getTransactionReceipt', [await send({ nonce, to: null, data })]);
      assert.equal(receipt.status, '0x1');
      const contract = getCreateAddress({ from: wallet.address, nonce }).toLowerCase();
      assert.equal(receipt.contractAddress, contract);
      const actor = await actorOf(contract);
      assert.deepEqual([actor.Code['/'], actor.Nonce], [EVM_CODE, 0]);
      assert.equal(await result('eth_getCode', [contract, 'latest']), '0x');
      // The EVM nonce (latest) is 1, the actor's (pending, Lotus's MpoolGetNonce) 0.
      assert.deepEqual([await result('eth_getTransactionCount', [contract, 'latest']), await result('eth_getTransactionCount', [contract, 'pending'])], ['0x1', '0x0']);
    }
    await send({ nonce: 2, to: null, data: FACTORY });
    const factory = getCreateAddress({ from: wallet.address, nonce: 2 });
    const child = getCreate2Address(factory, ZERO_WORD, keccak256('0x'));
    assert.equal(await result('eth_call', [{ to: factory }, 'latest']), '0x' + child.slice(2).toLowerCase().padStart(64, '0'));
    await send({ nonce: 3, to: factory, data: '0x' });
    assert.equal((await actorOf(child)).Code['/'], EVM_CODE);
    // A second CREATE2 to the same address collides: it pushes 0.
    assert.equal(await result('eth_call', [{ to: factory }, 'latest']), ZERO_WORD);
  });
});

describe('a constructor that SELFDESTRUCTs (review R2: the ForceSend helper)', () => {
  test('runs as the EVM actor the EAM made: the value goes to the beneficiary, the contract is dead', async (t) => {
    const { result, send } = await setup(t);
    // PUSH20 <beneficiary> SELFDESTRUCT, deployed with 5 attoFIL.
    const beneficiary = '0x' + '5b'.repeat(20);
    const initcode = '0x73' + beneficiary.slice(2) + 'ff';
    assert.equal(await result('eth_call', [{ from: ME, data: initcode, value: '0x5' }, 'latest']), '0x');
    const receipt = await result('eth_getTransactionReceipt', [await send({ nonce: 0, to: null, data: initcode, value: 5n })]);
    assert.equal(receipt.status, '0x1');
    assert.equal(await result('eth_getBalance', [beneficiary, 'latest']), '0x5');
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    assert.equal(await result('eth_getCode', [contract, 'latest']), '0x');
    assert.equal(await result('eth_getBalance', [contract, 'latest']), '0x0');
  });
});

describe('eth_getCode and eth_getStorageAt', () => {
  test('a contract has its runtime code and its storage; accounts and unknown addresses have none', async (t) => {
    const { result, send } = await setup(t);
    await send({ nonce: 0, to: null, data: INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    assert.equal(await result('eth_getCode', [contract, 'latest']), '0x' + RUNTIME);
    // At genesis too, where Lotus refuses (fidaudit F8b): a devnet's genesis is what forge reads before its first transactions.
    assert.equal(await result('eth_getCode', [contract, '0x0']), '0x');
    assert.equal(await result('eth_getCode', [ME, 'latest']), '0x');
    assert.equal(await result('eth_getCode', [FRESH, 'latest']), '0x');

    assert.equal(await result('eth_getStorageAt', [contract, '0x00', 'latest']), '0x' + '00'.repeat(31) + '2a');
    assert.equal(await result('eth_getStorageAt', [contract, '0x' + '00'.repeat(32), 'latest']), '0x' + '00'.repeat(31) + '2a');
    assert.equal(await result('eth_getStorageAt', [contract, '0x01', 'latest']), ZERO_WORD);
    assert.equal(await result('eth_getStorageAt', [contract, '0x00', '0x0']), ZERO_WORD);
    assert.equal(await result('eth_getStorageAt', [ME, '0x00', 'latest']), ZERO_WORD);
    assert.equal(await result('eth_getStorageAt', [FRESH, '0x00', 'latest']), ZERO_WORD);
  });

  test('a storage position as an odd-length quantity ("0x0", as ethers sends it) reads that slot, as Lotus pads it', async (t) => {
    const { result, send } = await setup(t);
    await send({ nonce: 0, to: null, data: INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    // ethers 6 getStorage(addr, 0) sends position "0x0"; Lotus's EthBytes pads odd hex with a 0.
    assert.equal(await result('eth_getStorageAt', [contract, '0x0', 'latest']), '0x' + '00'.repeat(31) + '2a');
  });

  test('a storage key over 32 bytes is refused as Lotus words it', async (t) => {
    const { error } = await setup(t);
    assert.deepEqual(await error('eth_getStorageAt', [ME, '0x' + '00'.repeat(33), 'latest']), { code: 1, message: 'supplied storage key is too long' });
  });
});
