// Fees and execution through the HTTP layer: eth_gasPrice, eth_maxPriorityFeePerGas,
// eth_feeHistory (lotus-eth-rpc.md §5, node/impl/eth/gas.go), eth_estimateGas and eth_call.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { getCreateAddress, Wallet, type TransactionRequest } from 'ethers';
import type { createDevnet, DevnetConfig } from '../../src/index.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { CALL, devWallet as wallet, signTx, TRANSFER } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const second = new Wallet(DEV_ACCOUNTS[1]!.privateKey);
const ME = wallet.address.toLowerCase();
const FRESH = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
/** Deploys runtime `mstore(0, 42) return(0, 32)`. */
const RETURN_42_INITCODE = '0x600a600c600039600a6000f3602a60005260206000f3';
/** Deploys runtime `mstore(0, 0xaa) revert(0, 32)`. */
const REVERT_AA_INITCODE = '0x600a600c600039600a6000f3' + '60aa60005260206000fd';
const hex = (n: bigint | number) => `0x${n.toString(16)}`;

const setup = (t: TestContext, overrides: Partial<DevnetConfig> = {}) => setupRpc(t, overrides, { txDefaults: CALL });

describe('eth_gasPrice and eth_maxPriorityFeePerGas', () => {
  test('on an idle chain the premium is Lotus\'s one-block floor, 200000 (0x30d40); the gas price is the head base fee plus it', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    assert.equal(await result('eth_maxPriorityFeePerGas'), '0x30d40');
    assert.equal(await result('eth_gasPrice'), hex(100_000_000n + 200_000n));
    await devnet.mine();
    assert.equal(await result('eth_gasPrice'), hex(87_500_000n + 200_000n));
    assert.equal(await result('eth_maxPriorityFeePerGas'), '0x30d40');
  });

  // Sent as Hardhat's AutomaticGasPriceProvider sends them: eth_feeHistory("0x1", "latest", [50]), its
  // baseFeePerGas[1] the next tipset's; eth_gasPrice when that fails (audit24 H4).
  test('a base fee set for the next tipset (setNextBlockBaseFeePerGas) counts in eth_gasPrice and eth_feeHistory\'s next entry until mined', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    await devnet.mine();
    const history = () => result('eth_feeHistory', ['0x1', 'latest', [50]]);
    assert.deepEqual((await history()).baseFeePerGas, [hex(87_500_000n), hex(87_500_000n)]);
    await result('hardhat_setNextBlockBaseFeePerGas', [hex(10n ** 9n)]);
    assert.deepEqual((await history()).baseFeePerGas, [hex(87_500_000n), hex(10n ** 9n)]);
    assert.equal(await result('eth_gasPrice'), hex(10n ** 9n + 200_000n));
    // A lower one leaves Lotus's answer, the head's base fee plus the premium.
    await result('hardhat_setNextBlockBaseFeePerGas', ['0x3e8']);
    assert.equal(await result('eth_gasPrice'), hex(87_500_000n + 200_000n));
    await devnet.mine();
    assert.deepEqual((await history()).baseFeePerGas, ['0x3e8', '0x3e8']);
  });

  test('the premium follows what the two tipsets before the head paid, as Lotus\'s GasEstimateGasPremium(1) reads it', async (t) => {
    // node/impl/gasutils/gasutils.go: the premiums of the 2 × 1 tipsets before the one asked for (the
    // walk starts at its parent), highest first, walked for 52.5 % of their gas target; a few small
    // messages do not fill it, so the answer is the mean of the two lowest.
    const { result, devnet } = await setup(t, { noMining: true });
    const send = async (nonce: number, maxPriorityFeePerGas: bigint) =>
      devnet.sendRawTransaction(Uint8Array.from(Buffer.from((await signTx({ nonce, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas }, { defaults: TRANSFER })).slice(2), 'hex')));
    await send(0, 2_000_000_000n);
    await devnet.mine();
    // The head's own messages are not read yet (Lotus starts at the head's parent): the floor.
    assert.equal(await result('eth_maxPriorityFeePerGas'), '0x30d40');
    await send(1, 300_000n);
    await devnet.mine();
    // One message in the window: its premium alone.
    assert.equal(await result('eth_maxPriorityFeePerGas'), hex(2_000_000_000n));
    assert.equal(await result('eth_gasPrice'), hex(76_562_500n + 2_000_000_000n));
    await devnet.mine();
    assert.equal(await result('eth_maxPriorityFeePerGas'), hex((2_000_000_000n + 300_000n) / 2n));
    // Two tipsets on, the 2e9 message is out of the window: 300000 alone.
    await devnet.mine();
    assert.equal(await result('eth_maxPriorityFeePerGas'), hex(300_000n));
    // Premiums under Lotus's MinGasPremium (100000) give way to the floor.
    await send(2, 1_000n);
    await devnet.mine();
    await devnet.mine();
    await devnet.mine();
    assert.equal(await result('eth_maxPriorityFeePerGas'), '0x30d40');
  });
});

describe('eth_feeHistory', () => {
  test('on empty tipsets: blockCount+1 base fees (the newest repeated), zero ratios, rewards of 100000', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    for (let i = 0; i < 4; i++) await devnet.mine();
    const history = await result('eth_feeHistory', ['0x3', 'latest', [10, 50, 90]]);
    // Epochs 2, 3, 4: each 7/8 of the one before, the change floored (Go's big.Div).
    const fees = [76_562_500n, 66_992_187n, 58_618_163n];
    assert.deepEqual(history, {
      oldestBlock: '0x2',
      baseFeePerGas: [...fees.map(hex), hex(fees[2])],
      gasUsedRatio: [0, 0, 0],
      reward: [
        ['0x186a0', '0x186a0', '0x186a0'],
        ['0x186a0', '0x186a0', '0x186a0'],
        ['0x186a0', '0x186a0', '0x186a0'],
      ],
    });
  });

  test('without percentiles there is no reward field; a plain number and a past newest block work', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    for (let i = 0; i < 3; i++) await devnet.mine();
    const history = await result('eth_feeHistory', [2, '0x2']);
    assert.deepEqual(history, {
      oldestBlock: '0x1',
      baseFeePerGas: [hex(87_500_000n), hex(76_562_500n), hex(76_562_500n)],
      gasUsedRatio: [0, 0],
    });
  });

  test('a block count beyond the chain returns what exists, stopping before genesis as Lotus does', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    // A chain of its genesis alone counts it (a Lotus node is past it within seconds): the row Hardhat's
    // fee provider reads as eth_feeHistory("0x1", "latest", [50]) sends it (audit24 H5).
    assert.deepEqual(await result('eth_feeHistory', ['0x1', 'latest', [50]]), {
      oldestBlock: '0x0',
      baseFeePerGas: [hex(100_000_000n), hex(100_000_000n)],
      gasUsedRatio: [0],
      reward: [['0x186a0']],
    });
    await devnet.mine();
    assert.deepEqual(await result('eth_feeHistory', ['0xa', 'latest', []]), {
      oldestBlock: '0x1',
      baseFeePerGas: [hex(87_500_000n), hex(87_500_000n)],
      gasUsedRatio: [0],
      reward: [[]],
    });
    // Genesis alone, or no block at all: nothing counted, Lotus's oldestBlock 1 and the newest block's base fee.
    assert.deepEqual(await result('eth_feeHistory', ['0x2', '0x0', [50]]), { oldestBlock: '0x1', baseFeePerGas: [hex(100_000_000n)], gasUsedRatio: [], reward: [] });
    assert.deepEqual(await result('eth_feeHistory', ['0x0', 'latest']), { oldestBlock: '0x1', baseFeePerGas: [hex(87_500_000n)], gasUsedRatio: [] });
  });

  test('gasUsedRatio is gas used over 10e9, and the reward is the effective premium', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    await send(devnet, { nonce: 0, to: FRESH, value: 1n, gasLimit: 10_000_000, maxPriorityFeePerGas: 3_000n });
    await devnet.mine();
    const block = await result('eth_getBlockByNumber', ['latest', false]);
    const history = await result('eth_feeHistory', ['0x1', 'latest', [0, 100]]);
    assert.deepEqual(history.gasUsedRatio, [Number(BigInt(block.gasUsed)) / 10_000_000_000]);
    assert.deepEqual(history.reward, [['0xbb8', '0xbb8']]);
    // A premium above fee cap - base fee is cut to what the fee cap leaves.
    const capped = BigInt(block.baseFeePerGas) + 500n;
    await send(devnet, { nonce: 1, to: FRESH, value: 1n, gasLimit: 10_000_000, maxFeePerGas: capped + 400_000n, maxPriorityFeePerGas: capped + 400_000n });
    await devnet.mine();
    const next = await result('eth_getBlockByNumber', ['latest', false]);
    const reward = (await result('eth_feeHistory', ['0x1', 'latest', [50]])).reward[0][0];
    assert.equal(reward, hex(capped + 400_000n - BigInt(next.baseFeePerGas)));
  });

  test('rewards at gas-weighted percentiles follow Lotus\'s walk (calculateRewardsAndGasUsed)', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    // Two transfers in one tipset: the low premium one carries calldata, so it uses more gas.
    await send(devnet, { nonce: 0, to: FRESH, value: 1n, gasLimit: 10_000_000, maxPriorityFeePerGas: 1_000n, data: '0x' + 'ab'.repeat(64) });
    await send(devnet, { nonce: 0, to: FRESH, value: 1n, gasLimit: 10_000_000, maxPriorityFeePerGas: 5_000n }, second);
    await devnet.mine();
    const block = await result('eth_getBlockByNumber', ['latest', true]);
    const receipts = await Promise.all(block.transactions.map((tx: { hash: string }) => result('eth_getTransactionReceipt', [tx.hash])));
    const gas = receipts.map((r: { gasUsed: string }) => Number(BigInt(r.gasUsed)));
    assert.ok(gas[0] > gas[1], `expected the low-premium transfer to use more gas: ${gas}`);
    const history = await result('eth_feeHistory', ['0x1', 'latest', [0, 25, 50, 75, 100]]);
    // Lotus: threshold = total × p / 100; while sum < threshold, add the next transaction's gas and
    // move on; the reward is the premium of the transaction the walk stopped at.
    const total = gas[0] + gas[1];
    const premiums = [1_000n, 5_000n];
    const lotus = [0, 25, 50, 75, 100].map((p) => {
      const threshold = Math.floor((total * p) / 100);
      let sum = 0;
      let idx = 0;
      while (sum < threshold && idx < premiums.length - 1) sum += gas[idx++];
      return hex(premiums[idx]);
    });
    assert.deepEqual(lotus, ['0x3e8', '0x1388', '0x1388', '0x1388', '0x1388']);
    assert.deepEqual(history.reward, [lotus]);
  });

  // Lotus node/impl/eth/gas.go EthFeeHistory (b835fab70): the count first, then each percentile, in Go's %f.
  test('more than 1024 blocks and percentiles out of order or range are refused in Lotus\'s words', async (t) => {
    const { error } = await setup(t);
    assert.deepEqual(await error('eth_feeHistory', ['0x401', 'latest']), { code: 1, message: 'block count should be smaller than 1024' });
    assert.deepEqual(await error('eth_feeHistory', ['0x401', 'latest', [50, 10]]), { code: 1, message: 'block count should be smaller than 1024' });
    assert.deepEqual(await error('eth_feeHistory', ['0x1', 'latest', [75, 50]]), { code: 1, message: 'invalid reward percentile: 50.000000 should be larger than 75.000000' });
    assert.deepEqual(await error('eth_feeHistory', ['0x1', 'latest', [12.5, 101]]), { code: 1, message: 'invalid reward percentile: 101.000000 should be between 0 and 100' });
    assert.deepEqual(await error('eth_feeHistory', ['0x1', 'latest', [-1]]), { code: 1, message: 'invalid reward percentile: -1.000000 should be between 0 and 100' });
    assert.deepEqual(await error('eth_feeHistory', ['0x1', 'latest', Array(101).fill(1)]), { code: 1, message: 'length of the reward percentile array cannot be greater than 100' });
    assert.equal((await error('eth_feeHistory', ['0x1', 'latest', ['50']])).code, -32602);
    assert.equal((await error('eth_feeHistory', ['0x1', '0x' + '12'.repeat(32)])).code, -32602);
  });

  // Lotus's EthUint64 takes a number, a decimal or a hex string (itests/eth_fee_history_test.go:TestEthFeeHistory sends "5" and 5).
  test('the block count is a number, a decimal or a hex string', async (t) => {
    const { result, error, devnet } = await setup(t, { noMining: true });
    for (let i = 0; i < 3; i++) await devnet.mine();
    for (const count of [2, '2', '0x2']) assert.equal((await result('eth_feeHistory', [count, 'latest'])).gasUsedRatio.length, 2, String(count));
    for (const count of ['0x', '-1', '2.5', 2.5, 'two', '0X2']) assert.equal((await error('eth_feeHistory', [count, 'latest'])).code, -32602, String(count));
  });

  async function send(devnet: Awaited<ReturnType<typeof createDevnet>>, tx: TransactionRequest & { nonce: number }, signer: Wallet = wallet) {
    const raw = await signTx(tx, { defaults: TRANSFER, signer });
    await devnet.sendRawTransaction(Uint8Array.from(Buffer.from(raw.slice(2), 'hex')));
  }
});

describe('eth_estimateGas', () => {
  test('a transfer estimate is enough to send it, and a block parameter is accepted', async (t) => {
    const { result, send } = await setup(t);
    const estimate = await result('eth_estimateGas', [{ from: ME, to: FRESH, value: '0x1' }]);
    assert.match(estimate, /^0x[0-9a-f]+$/);
    assert.equal(await result('eth_estimateGas', [{ from: ME, to: FRESH, value: '0x1' }, 'latest']), estimate);
    const hash = await send({ nonce: 0, to: FRESH, value: 1n, gasLimit: Number(BigInt(estimate)) });
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
  });

  test('F21: the search pass pays the gas reserve (fee cap × limit) first, so a transfer of (nearly) the whole balance fails, as on Lotus', async (t) => {
    // node/impl/eth/gas.go ethGasSearch runs GasEstimateMessageGas's message (premium and fee cap
    // filled) with CallWithGas; ref-fvm's preflight takes fee cap × limit before the value moves.
    const { result, error } = await setup(t);
    const holder = new Wallet('0x' + '11'.repeat(32)).address.toLowerCase();
    const ONE_FIL = 10n ** 18n;
    await result('eth_sendTransaction', [{ from: ME, to: holder, value: hex(ONE_FIL) }]);
    assert.equal(BigInt(await result('eth_getBalance', [holder, 'latest'])), ONE_FIL);
    for (const value of [ONE_FIL, ONE_FIL - 1000n]) {
      const err = await error('eth_estimateGas', [{ from: holder, to: FRESH, value: hex(value) }]);
      assert.equal(err.code, 1);
      assert.match(err.message, /^gas search failed: message execution failed \(exit=\[SysErrInsufficientFunds\(6\)\]/);
    }
    assert.match(await result('eth_estimateGas', [{ from: holder, to: FRESH, value: hex(ONE_FIL / 2n) }]), /^0x[0-9a-f]+$/);
    // A balance that does not even cover the reserve fails the preflight itself.
    const poor = new Wallet('0x' + '22'.repeat(32)).address.toLowerCase();
    await result('eth_sendTransaction', [{ from: ME, to: poor, value: '0x3e8' }]);
    const err = await error('eth_estimateGas', [{ from: poor, to: FRESH, value: '0x1' }]);
    assert.match(err.message, /^gas search failed: message execution failed \(exit=\[SysErrSenderStateInvalid\(2\)\]/);
  });

  test('a block parameter that names no block is refused, as Lotus resolves it before estimating on the head (F5)', async (t) => {
    // node/impl/eth/gas.go EthEstimateGas: GetTipsetByBlockNumberOrHash, errors returned as they are.
    const { result, error } = await setup(t);
    const tx = { from: ME, to: FRESH, value: '0x1' };
    assert.deepEqual(await error('eth_estimateGas', [tx, 'earliest']), { code: 1, message: 'block param "earliest" is not supported' });
    assert.deepEqual(await error('eth_estimateGas', [tx, '0x9999']), { code: 1, message: "requested a future epoch (beyond 'latest')" });
    assert.match((await error('eth_estimateGas', [tx, '0x' + '12'.repeat(32)])).message, /^failed to get tipset by hash: /);
    // A past block is resolved, and the estimate is still the head's.
    assert.equal(await result('eth_estimateGas', [tx, '0x0']), await result('eth_estimateGas', [tx]));
  });

  test('from a masked ID address: refused as Lotus refuses it, unless the node impersonates it (F13)', async (t) => {
    // chain/types/ethtypes/eth_types.go EthCall.ToFilecoinMessage: the sender must be an f410.
    const { result, error } = await setup(t);
    const id = Number((await result('Filecoin.StateLookupID', [await result('Filecoin.EthAddressToFilecoinAddress', [ME]), null])).slice(2));
    const masked = `0xff${'0'.repeat(22)}${id.toString(16).padStart(16, '0')}`;
    const tx = { from: masked, to: FRESH, value: '0x1' };
    assert.deepEqual(await error('eth_call', [tx, 'latest']), { code: 1, message: 'failed to convert ethcall to filecoin message: expected a class 4 address, got: 0' });
    assert.deepEqual(await error('eth_estimateGas', [tx]), { code: 1, message: 'expected a class 4 address, got: 0' });
    // Impersonated, it runs: ethers' and Hardhat's signers estimate before eth_sendTransaction.
    await result('anvil_impersonateAccount', [masked]);
    assert.equal(await result('eth_call', [tx, 'latest']), '0x');
    const gas = await result('eth_estimateGas', [tx]);
    const hash = await result('eth_sendTransaction', [{ ...tx, gas }]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
  });

  test('a revert is code 3 with the revert bytes', async (t) => {
    const { error, send } = await setup(t);
    await send({ nonce: 0, to: null, data: REVERT_AA_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    const err = await error('eth_estimateGas', [{ from: ME, to: contract }]);
    assert.equal(err.code, 3);
    assert.equal(err.data, '0x' + '00'.repeat(31) + 'aa');
  });
});

describe('eth_call', () => {
  test('returns the output of a contract; a deployment call returns 0x', async (t) => {
    const { result, send } = await setup(t);
    await send({ nonce: 0, to: null, data: RETURN_42_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    assert.equal(await result('eth_call', [{ to: contract }, 'latest']), '0x' + '00'.repeat(31) + '2a');
    assert.equal(await result('eth_call', [{ from: ME, to: contract, data: '0x1234' }, 'latest']), '0x' + '00'.repeat(31) + '2a');
    assert.equal(await result('eth_call', [{ from: ME, data: RETURN_42_INITCODE }, 'latest']), '0x');
    // At genesis the contract does not exist yet.
    assert.equal(await result('eth_call', [{ to: contract }, '0x0']), '0x');
  });

  test('BASEFEE and GASPRICE read 0 inside eth_call and the estimate\'s run, as Lotus runs a zero fee cap at a zero base fee', async (t) => {
    // chain/stmgr/call.go callInternal; EthCall's message has fee cap and premium 0 (ethtypes EthCall.ToFilecoinMessage).
    const { result, error, send } = await setup(t);
    // Runtime: mstore(0, basefee) mstore(32, gasprice) return(0, 64).
    await send({ nonce: 0, to: null, data: '0x600d600c600039600d6000f3' + '486000523a60205260406000f3' });
    const reader = getCreateAddress({ from: wallet.address, nonce: 0 });
    assert.equal(await result('eth_call', [{ from: ME, to: reader }, 'latest']), '0x' + '00'.repeat(64));
    // Runtime: if (basefee == 0) revert(); a view that requires a base fee fails in calls and estimates.
    await send({ nonce: 1, to: null, data: '0x600a600c600039600a6000f3' + '48600857600080fd5b00' });
    const guarded = getCreateAddress({ from: wallet.address, nonce: 1 });
    assert.equal((await error('eth_call', [{ from: ME, to: guarded }, 'latest'])).code, 3);
    assert.match((await error('eth_estimateGas', [{ from: ME, to: guarded }])).message, /exit=\[33\]/);
    // A mined transaction runs at the tipset's base fee: it passes.
    const hash = await send({ nonce: 2, to: guarded, gasLimit: 10_000_000 });
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
  });

  test('at an earlier block NUMBER and TIMESTAMP are that block\'s, as Lotus runs a call; on the head, the next tipset\'s (F14)', async (t) => {
    // chain/stmgr/call.go callInternal: Epoch ts.Height(), Timestamp ts.MinTimestamp().
    const { result, send, devnet } = await setup(t);
    // Runtime: mstore(0, number) mstore(32, timestamp) return(0, 64).
    await send({ nonce: 0, to: null, data: '0x600d600c600039600d6000f3' + '436000524260205260406000f3' });
    const clock = getCreateAddress({ from: wallet.address, nonce: 0 });
    await devnet.mine();
    await devnet.mine();
    const words = (answer: string) => [BigInt(answer.slice(0, 66)), BigInt('0x' + answer.slice(66))];
    const block1 = await result('eth_getBlockByNumber', ['0x1', false]);
    assert.deepEqual(words(await result('eth_call', [{ to: clock }, '0x1'])), [1n, BigInt(block1.timestamp)]);
    assert.deepEqual(words(await result('eth_call', [{ to: clock }, { blockHash: block1.hash }])), [1n, BigInt(block1.timestamp)]);
    const head = await result('eth_getBlockByNumber', ['latest', false]);
    const [number, timestamp] = words(await result('eth_call', [{ to: clock }, 'latest']));
    assert.equal(number, BigInt(head.number) + 1n);
    assert.ok(timestamp > BigInt(head.timestamp));
  });

  test('a revert is code 3 with data and Lotus\'s message', async (t) => {
    const { error, send } = await setup(t);
    await send({ nonce: 0, to: null, data: REVERT_AA_INITCODE });
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 });
    const err = await error('eth_call', [{ to: contract }, 'latest']);
    assert.equal(err.code, 3);
    assert.equal(err.data, '0x' + '00'.repeat(31) + 'aa');
    assert.match(err.message, /^message execution failed \(exit=\[33\], revert reason=\[0x0{62}aa\], vm error=\[/);
  });

  test('exactly 2 params', async (t) => {
    const { error } = await setup(t);
    assert.equal((await error('eth_call', [{ to: FRESH }])).code, -32602);
  });
});
