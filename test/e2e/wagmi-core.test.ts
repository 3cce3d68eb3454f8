// wagmi core (@wagmi/core 2, what a React or vanilla dApp's hooks call) set up as a dApp sets it up
// against the devnet: createConfig with the chain defined by id 31415926 and an `http` transport to
// the node, and wagmi's `mock` connector for a dev account (the node signs its eth_sendTransaction,
// as a wallet would). Each action's answer is checked against what the node reports: balance, fees,
// a deployment, a write and its receipt, a read, the event watcher, and the revert reasons
// simulateContract and writeContract decode from the node's revert data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  connect,
  createConfig,
  deployContract,
  estimateFeesPerGas,
  getBalance,
  getChainId,
  http,
  mock,
  readContract,
  simulateContract,
  waitForTransactionReceipt,
  watchContractEvent,
  writeContract,
  type Config,
} from '@wagmi/core';
import { BaseError, ContractFunctionRevertedError, defineChain, type Address, type Log } from 'viem';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, pollUntil } from '../helpers/devnet-process.js';
import { compileFixtures } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const ACCOUNT = DEV_ACCOUNTS[3]!.address;

/** The revert wagmi decoded from a call or send that failed: its error name (or reason) and args. */
function decodedRevert(err: unknown): { errorName?: string; reason?: string; args?: readonly unknown[] } {
  assert.ok(err instanceof BaseError, String(err));
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  assert.ok(revert, `no ContractFunctionRevertedError in: ${err.message}`);
  return { errorName: revert.data?.errorName, reason: revert.reason, args: revert.data?.args };
}

describe('wagmi core against the devnet (createConfig, http transport, mock connector)', () => {
  const devnet = useDevnet();
  let config: Config;
  let counter: Address;

  test('connect: the mock connector\'s account on the chain the node reports', async () => {
    const chain = defineChain({
      id: DEVNET_CHAIN_ID,
      name: 'Filecoin Local Testnet',
      nativeCurrency: { name: 'testnet filecoin', symbol: 'tFIL', decimals: 18 },
      rpcUrls: { default: { http: [devnet.url] } },
    });
    config = createConfig({ chains: [chain], connectors: [mock({ accounts: [ACCOUNT] })], transports: { [chain.id]: http(devnet.url) } });
    const connection = await connect(config, { connector: config.connectors[0]! });
    assert.deepEqual(connection, { accounts: [ACCOUNT], chainId: DEVNET_CHAIN_ID });
    assert.equal(getChainId(config), Number(await devnet.provider.send('eth_chainId', [])));
  });

  test('getBalance and estimateFeesPerGas answer what eth_getBalance, eth_maxPriorityFeePerGas and the head\'s base fee say', async () => {
    const balance = await getBalance(config, { address: ACCOUNT });
    assert.equal(balance.value, BigInt(await devnet.provider.send('eth_getBalance', [ACCOUNT, 'latest'])));
    assert.equal(balance.symbol, 'tFIL');
    const fees = await estimateFeesPerGas(config);
    const premium = BigInt(await devnet.provider.send('eth_maxPriorityFeePerGas', []));
    const { baseFeePerGas } = await devnet.provider.send('eth_getBlockByNumber', ['latest', false]);
    assert.equal(fees.maxPriorityFeePerGas, premium);
    // viem's default: the head's base fee × 1.2, plus the premium.
    assert.equal(fees.maxFeePerGas, (BigInt(baseFeePerGas) * 12n) / 10n + premium);
  });

  test('deployContract and waitForTransactionReceipt: the Counter is on chain at the receipt\'s address', async () => {
    const { Counter } = await compileFixtures();
    const hash = await deployContract(config, { abi: Counter!.abi, bytecode: Counter!.bytecode });
    const receipt = await waitForTransactionReceipt(config, { hash });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.from.toLowerCase(), ACCOUNT.toLowerCase());
    counter = receipt.contractAddress!;
    assert.equal(await devnet.provider.send('eth_getCode', [counter, 'latest']), Counter!.deployedBytecode);
  });

  test('writeContract, then readContract and watchContractEvent see the new count', async (t) => {
    const { Counter } = await compileFixtures();
    const seen: Log[] = [];
    const unwatch = watchContractEvent(config, { address: counter, abi: Counter!.abi, eventName: 'Incremented', pollingInterval: 100, onLogs: (logs) => seen.push(...logs) });
    t.after(unwatch);
    const hash = await writeContract(config, { address: counter, abi: Counter!.abi, functionName: 'increment' });
    const receipt = await waitForTransactionReceipt(config, { hash });
    assert.equal(receipt.status, 'success');
    assert.equal(await readContract(config, { address: counter, abi: Counter!.abi, functionName: 'count' }), 1n);
    const [log] = await pollUntil('the watcher to see the Incremented log', async () => (seen.length > 0 ? (seen as (Log & { args: { by: Address; newCount: bigint } })[]) : undefined));
    assert.equal(log!.transactionHash, hash);
    assert.deepEqual([log!.args.by.toLowerCase(), log!.args.newCount], [ACCOUNT.toLowerCase(), 1n]);
  });

  test('simulateContract and writeContract decode a custom error and a require reason from the node\'s revert data', async () => {
    const { Counter } = await compileFixtures();
    const set = { address: counter, abi: Counter!.abi, functionName: 'set', args: [1001n] } as const;
    await assert.rejects(simulateContract(config, set), (err) => {
      assert.deepEqual(decodedRevert(err), { errorName: 'TooLarge', reason: undefined, args: [1001n, 1000n] });
      return true;
    });
    await assert.rejects(writeContract(config, set), (err) => {
      assert.deepEqual(decodedRevert(err), { errorName: 'TooLarge', reason: undefined, args: [1001n, 1000n] });
      return true;
    });
    const fail = { address: counter, abi: Counter!.abi, functionName: 'fail' } as const;
    await assert.rejects(simulateContract(config, fail), (err) => {
      assert.equal(decodedRevert(err).reason, 'nope');
      return true;
    });
    // writeContract does not simulate: its revert comes from eth_estimateGas.
    await assert.rejects(writeContract(config, fail), (err) => {
      assert.equal(decodedRevert(err).reason, 'nope');
      return true;
    });
  });
});
