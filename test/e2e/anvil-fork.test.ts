// `anvil --fork-url <the devnet>`, driven by viem's test client as a user's suite drives an Anvil
// that forks calibnet: the devnet as the upstream serves what Anvil asks (the fork block, state at
// it, the history before it, traces, and an older block to re-fork at), with an ERC-20 and some
// history on the devnet. Anvil 1.7.1 (the devDependency); Anvil asks eth_getAccountInfo first and
// takes Lotus's -32601 for its three single reads. (newuser9 s49: README's Foundry bullet says
// this works; nothing ran it before.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ContractFactory, Wallet, type Contract } from 'ethers';
import { BaseError, ContractFunctionRevertedError, createTestClient, http, publicActions, walletActions, type Address, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { startAnvil, type AnvilProcess } from '../helpers/foundry.js';
import { compileFixtures } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { devnetChain } from '../helpers/viem-devnet.js';

const SUPPLY = 1_000_000n;
const HOLDER = Wallet.createRandom().address as Address;

describe('anvil --fork-url <the devnet>, with viem’s test client', () => {
  const devnet = useDevnet();
  let anvil: AnvilProcess | undefined;
  let home: string | undefined;
  let token: Address;
  let abi: any[];
  /** The blocks of the two transfers to HOLDER (1, then 2), and the failed transfer's hash. */
  let firstTransferBlock: bigint;
  let secondTransferBlock: bigint;
  let failedHash: Hash;

  before(async () => {
    const artifact = (await compileFixtures()).PermitToken!;
    abi = artifact.abi;
    const deployed = (await (await new ContractFactory(artifact.abi, artifact.bytecode, devnet.wallet).deploy('Devnet USD', SUPPLY)).waitForDeployment()) as Contract;
    token = (await deployed.getAddress()) as Address;
    firstTransferBlock = BigInt((await (await deployed.transfer!(HOLDER, 1n)).wait()).blockNumber);
    secondTransferBlock = BigInt((await (await deployed.transfer!(HOLDER, 2n)).wait()).blockNumber);
    // A transaction mined with status 0: more than the sender holds, its own gas limit skipping the estimate.
    const failed = await deployed.transfer!(HOLDER, SUPPLY * 2n, { gasLimit: 50_000_000n });
    failedHash = failed.hash as Hash;
    await assert.rejects(failed.wait(), { code: 'CALL_EXCEPTION' });
    // Anvil as a user runs it, its fork cache on: in a home of its own, since the cache in ~/.foundry is
    // keyed by chain id and block, and another devnet's chain at those numbers may be there.
    home = mkdtempSync(join(tmpdir(), 'anvil-fork-home-'));
    anvil = await startAnvil(['--fork-url', devnet.url], { HOME: home });
  });
  after(async () => {
    await anvil?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const client = () => {
    const url = anvil!.url;
    return createTestClient({ mode: 'anvil', chain: devnetChain(url, 'anvil forking fvm-devnet'), transport: http(url), cacheTime: 0, account: privateKeyToAccount(DEV_ACCOUNTS[0]!.privateKey) })
      .extend(publicActions)
      .extend(walletActions);
  };
  const balanceOf = (blockNumber?: bigint) => client().readContract({ address: token, abi, functionName: 'balanceOf', args: [HOLDER], blockNumber }) as Promise<bigint>;

  test('the fork starts at the devnet’s head, keeps its chain id, and reads its state, blocks, transactions, logs and traces', async () => {
    const c = client();
    assert.equal(await c.getChainId(), DEVNET_CHAIN_ID);
    assert.equal(await c.getBlockNumber(), BigInt(await rpc(devnet.url, 'eth_blockNumber')));
    assert.equal(await balanceOf(), 3n);
    assert.equal(await balanceOf(firstTransferBlock), 1n);
    // A devnet block with its EIP-1559 transaction (no gasPrice, as Lotus answers) read through the fork.
    const block = await c.getBlock({ blockNumber: secondTransferBlock, includeTransactions: true });
    assert.equal(block.transactions.length, 1);
    assert.equal(block.transactions[0]!.to?.toLowerCase(), token.toLowerCase());
    const receipt = await c.getTransactionReceipt({ hash: failedHash });
    assert.equal(receipt.status, 'reverted');
    const logs = await c.getLogs({ address: token, fromBlock: 0n, toBlock: secondTransferBlock });
    assert.equal(logs.length, 3, 'the mint and the two transfers');
    // Anvil passes a transaction of the devnet's history to the devnet's trace_transaction.
    const traces: { action: { to: string } }[] = await rpc(anvil!.url, 'trace_transaction', [block.transactions[0]!.hash]);
    assert.equal(traces[0]!.action.to, token.toLowerCase());
  });

  test('on the fork: a send, a reverted call decoded by viem, snapshot and revert, and a reset to an older devnet block', async () => {
    const c = client();
    const snapshot = await c.snapshot();
    const hash = await c.writeContract({ address: token, abi, functionName: 'transfer', args: [HOLDER, 5n] });
    assert.equal((await c.waitForTransactionReceipt({ hash })).status, 'success');
    assert.equal(await balanceOf(), 8n);
    const error = await c.simulateContract({ address: token, abi, functionName: 'transfer', args: [HOLDER, SUPPLY * 2n] }).then(
      () => assert.fail('the transfer of more than the supply did not revert'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof BaseError, String(error));
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    assert.equal(reverted?.data?.errorName, 'ERC20InsufficientBalance');
    await c.revert({ id: snapshot });
    assert.equal(await balanceOf(), 3n);
    // Anvil forks the devnet again at that block (anvil_reset with forking.blockNumber).
    await c.reset({ blockNumber: firstTransferBlock });
    assert.equal(await c.getBlockNumber(), firstTransferBlock);
    assert.equal(await balanceOf(), 1n);
  });
});
