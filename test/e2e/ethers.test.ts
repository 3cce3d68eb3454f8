// End to end with ethers 6: the devnet CLI on a real port, driven through JsonRpcProvider, WebSocketProvider and Wallet.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  Contract,
  ContractFactory,
  HDNodeWallet,
  JsonRpcProvider,
  Mnemonic,
  Wallet,
  WebSocketProvider,
  getCreateAddress,
  hexlify,
  isError,
  keccak256,
  parseEther,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type JsonRpcSigner,
  type Log,
} from 'ethers';
import {
  DEV_ACCOUNTS,
  DEV_ACCOUNT_BALANCE,
  DEV_MNEMONIC,
  DEVNET_CHAIN_ID,
  pollUntil,
} from '../helpers/devnet-process.js';
import { FilAddress, maskedIdAddress } from '../../src/common/address.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

describe('ethers 6 against the devnet CLI', () => {
  const devnet = useDevnet();
  let provider: JsonRpcProvider;
  let wallet: Wallet;
  let artifacts: Record<string, CompiledContract>;

  before(async () => {
    artifacts = await compileFixtures();
    provider = devnet.provider;
    wallet = devnet.wallet;
  });

  async function deploy(name: string, args: unknown[] = []): Promise<Contract> {
    const { abi, bytecode } = artifacts[name]!;
    const contract = await new ContractFactory(abi, bytecode, wallet).deploy(...args);
    await contract.waitForDeployment();
    return contract as Contract;
  }

  /** Waits for a contract transaction and returns its receipt. */
  async function mined(pending: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
    const receipt = await (await pending).wait();
    assert.ok(receipt, 'receipt');
    return receipt;
  }

  /**
   * A provider polling every 200 ms, as a dApp's listeners use one, its node signer and a Counter that signer
   * deployed, for `body`; the provider is destroyed after it, once idle. `served(method)` counts the node's log lines
   * naming `method` (ethers installs filters and reads block numbers after its calls return).
   */
  async function withListeningProvider(body: (events: JsonRpcProvider, signer: JsonRpcSigner, counter: Contract, served: (method: string) => number) => Promise<void>): Promise<void> {
    const { abi, bytecode } = artifacts['Counter']!;
    const events = new InFlightProvider(devnet.url, undefined, { cacheTimeout: -1, pollingInterval: 200 });
    try {
      const signer = await events.getSigner();
      const counter = (await new ContractFactory(abi, bytecode, signer).deploy()) as Contract;
      await counter.waitForDeployment();
      await body(events, signer, counter, (method) => devnet.output().split(method).length);
      await untilIdle(events);
    } finally {
      events.destroy();
    }
  }

  /** A JsonRpcProvider that counts the requests it has sent and not yet had answered. */
  class InFlightProvider extends JsonRpcProvider {
    inFlight = 0;
    override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
      this.inFlight++;
      try {
        return await super.send(method, params);
      } finally {
        this.inFlight--;
      }
    }
  }

  /**
   * Takes the provider's listeners off until it has none and no request under way, twice in a row. ethers'
   * filter subscriber, removed while it polls, listens for the next block again when that poll ends (and
   * installs a new filter then); destroy() would tear that one down with an eth_uninstallFilter it never
   * awaits, rejected as "provider destroyed", an unhandled rejection after the test.
   */
  async function untilIdle(events: InFlightProvider): Promise<void> {
    let idleProbes = 0;
    await pollUntil('ethers to let go of its listeners and requests', async () => {
      await events.removeAllListeners();
      idleProbes = events.inFlight === 0 && (await events.listenerCount()) === 0 ? idleProbes + 1 : 0;
      return idleProbes >= 2 ? true : undefined;
    }, { intervalMs: 100 });
  }

  /**
   * Waits until `delivered()`, mining an empty block whenever it is not yet. ethers polls its filter only
   * when its block poller reports a new block, and drops a block that comes while that poll is under way
   * (or while the poller, left without listeners, restarts from the head): on a live chain the next block
   * brings the last logs, on an automining one none comes unless mined.
   */
  async function untilDelivered(what: string, delivered: () => boolean): Promise<void> {
    await pollUntil(what, async () => {
      if (delivered()) return true;
      await provider.send('evm_mine', []);
      return undefined;
    });
  }

  test('the dev account constants are the mnemonic\'s first 10 keys', () => {
    const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
    DEV_ACCOUNTS.forEach((account, i) => {
      const derived = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`);
      assert.equal(derived.address, account.address, `address ${i}`);
      assert.equal(derived.privateKey, account.privateKey, `private key ${i}`);
    });
  });

  test('chain id is 31415926', async () => {
    const network = await provider.getNetwork();
    assert.equal(network.chainId, BigInt(DEVNET_CHAIN_ID));
    assert.equal(await provider.send('eth_chainId', []), '0x' + DEVNET_CHAIN_ID.toString(16));
  });

  test('the 10 dev accounts hold 10000 FIL each', async () => {
    for (const { address } of DEV_ACCOUNTS) {
      assert.equal(await provider.getBalance(address), DEV_ACCOUNT_BALANCE, address);
    }
  });

  test('sending FIL to a fresh address moves value and charges a fee', async () => {
    const to = Wallet.createRandom().address;
    const value = parseEther('1.5');
    const senderBefore = await provider.getBalance(wallet.address);
    assert.equal(await provider.getBalance(to), 0n);

    const tx = await wallet.sendTransaction({ to, value });
    const receipt = await tx.wait();
    assert.ok(receipt, 'receipt');
    assert.equal(receipt.status, 1);
    assert.equal(receipt.hash, tx.hash);
    assert.equal(receipt.from, wallet.address);
    assert.equal(receipt.to, to);
    assert.ok(receipt.gasUsed > 0n, 'gasUsed > 0');
    assert.ok(receipt.gasUsed <= tx.gasLimit, 'gasUsed <= gasLimit');

    assert.equal(await provider.getBalance(to), value);
    const senderAfter = await provider.getBalance(wallet.address);
    const fee = senderBefore - senderAfter - value;
    assert.ok(fee > 0n, `fee ${fee} > 0`);
    assert.ok(fee <= tx.gasLimit * tx.maxFeePerGas!, 'fee <= gasLimit * maxFeePerGas');
    // effectiveGasPrice is the total fee divided by gasUsed, rounded down (Lotus; exact on Ethereum).
    const reported = receipt.gasUsed * receipt.gasPrice;
    assert.ok(reported <= fee && fee < reported + receipt.gasUsed, `fee ${fee} vs gasUsed*effectiveGasPrice ${reported}`);

    const mined = await provider.getTransaction(tx.hash);
    assert.ok(mined, 'transaction by hash');
    assert.equal(mined.blockNumber, receipt.blockNumber);
    assert.equal(mined.value, value);
    assert.equal(mined.to, to);
  });

  test('deploys Counter with a ContractFactory at the CREATE address', async () => {
    const nonce = await provider.getTransactionCount(wallet.address);
    const counter = await deploy('Counter');
    const address = await counter.getAddress();
    assert.equal(address, getCreateAddress({ from: wallet.address, nonce }));
    assert.equal(await provider.getCode(address), artifacts.Counter!.deployedBytecode);
    const receipt = await counter.deploymentTransaction()!.wait();
    assert.equal(receipt!.status, 1);
    assert.equal(receipt!.contractAddress, address);
    assert.equal(await counter.count(), 0n);
    assert.equal(await counter.MAX(), 1000n);
  });

  test('increment emits Incremented; logs via getLogs, queryFilter and a polling filter', async () => {
    const counter = await deploy('Counter');
    const address = await counter.getAddress();
    const topic = counter.interface.getEvent('Incremented')!.topicHash;

    // Installed before the transactions it should see.
    const filterId: string = await provider.send('eth_newFilter', [{ address, topics: [topic] }]);
    assert.match(filterId, /^0x[0-9a-f]+$/i);

    const receipt = await mined(counter.increment());
    assert.equal(receipt.status, 1);
    assert.equal(receipt.logs.length, 1);
    const parsed = counter.interface.parseLog(receipt.logs[0]!)!;
    assert.equal(parsed.name, 'Incremented');
    assert.equal(parsed.args.by, wallet.address);
    assert.equal(parsed.args.newCount, 1n);
    assert.equal(await counter.count(), 1n);

    const range = { fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber };
    const logs = await provider.getLogs({ address, topics: [topic], ...range });
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.transactionHash, receipt.hash);
    assert.equal(logs[0]!.blockNumber, receipt.blockNumber);
    assert.equal(logs[0]!.blockHash, receipt.blockHash);
    assert.equal(logs[0]!.address, address);
    assert.deepEqual(logs[0]!.topics, [topic, '0x' + wallet.address.slice(2).toLowerCase().padStart(64, '0')]);
    assert.equal(logs[0]!.data, counter.interface.getAbiCoder().encode(['uint256'], [1n]));

    const events = await counter.queryFilter(counter.filters.Incremented(wallet.address), receipt.blockNumber, receipt.blockNumber);
    assert.equal(events.length, 1);
    assert.ok('args' in events[0]!, 'decoded event');
    assert.equal(events[0]!.args.by, wallet.address);
    assert.equal(events[0]!.args.newCount, 1n);
    // The indexed `by` topic filters: nothing was incremented by account 1.
    const none = await counter.queryFilter(counter.filters.Incremented(DEV_ACCOUNTS[1]!.address), receipt.blockNumber, receipt.blockNumber);
    assert.equal(none.length, 0);

    const changes = await pollUntil('the filter to collect the log', async () => {
      const c: Log[] = await provider.send('eth_getFilterChanges', [filterId]);
      return c.length > 0 ? c : undefined;
    });
    assert.equal(changes.length, 1);
    const change = changes[0]! as unknown as Record<string, string>;
    assert.equal(change.transactionHash, receipt.hash);
    assert.equal(change.address!.toLowerCase(), address.toLowerCase());
    assert.equal(BigInt(change.blockNumber!), BigInt(receipt.blockNumber));
    assert.equal(change.data, counter.interface.getAbiCoder().encode(['uint256'], [1n]));

    // The buffer was drained; the next transaction is reported on the next poll.
    assert.deepEqual(await provider.send('eth_getFilterChanges', [filterId]), []);
    const second = await mined(counter.increment());
    const next = await pollUntil('the filter to collect the second log', async () => {
      const c: Record<string, string>[] = await provider.send('eth_getFilterChanges', [filterId]);
      return c.length > 0 ? c : undefined;
    });
    assert.equal(next.length, 1);
    assert.equal(next[0]!.transactionHash, second.hash);
    assert.equal(next[0]!.data, counter.interface.getAbiCoder().encode(['uint256'], [2n]));

    assert.equal(await provider.send('eth_uninstallFilter', [filterId]), true);
    await assert.rejects(provider.send('eth_getFilterChanges', [filterId]));
  });

  test('as ethers\' docs do it: getSigner, deploy, waitForDeployment, contract.on and provider.on("block")', () =>
    withListeningProvider(async (events, signer, counter, served) => {
      const seen: [string, bigint][] = [];
      const blocks: number[] = [];
      // ethers installs its filter (eth_newFilter) and takes its first block number after on() returns:
      // wait until the node has served both.
      const [filtersBefore, blockNumbersBefore] = [served('eth_newFilter'), served('eth_blockNumber')];
      await counter.on('Incremented', (by: string, newCount: bigint) => void seen.push([by, newCount]));
      await events.on('block', (n: number) => void blocks.push(n));
      await pollUntil('ethers to install its filter', async () => (served('eth_newFilter') > filtersBefore ? true : undefined));
      await pollUntil('ethers to poll the block number', async () => (served('eth_blockNumber') > blockNumbersBefore ? true : undefined));
      const firstBlock = await events.getBlockNumber();
      await mined(counter.increment());
      const second = await mined(counter.increment());
      await untilDelivered('contract.on to deliver both events', () => seen.length >= 2);
      assert.deepEqual(seen, [[await signer.getAddress(), 1n], [await signer.getAddress(), 2n]]);
      await pollUntil('provider.on("block") to report the second block', async () => (blocks.includes(second.blockNumber) ? true : undefined));
      assert.ok(blocks.every((n) => n >= firstBlock), `blocks ${blocks} from ${firstBlock} on`);
      // Removing the listener uninstalls the filter (after removeAllListeners returns).
      const uninstallsBefore = served('eth_uninstallFilter');
      await events.removeAllListeners();
      await pollUntil('ethers to uninstall its filter', async () => (served('eth_uninstallFilter') > uninstallsBefore ? true : undefined));
    }));

  // review R32: ethers' filter (eth_newFilter without fromBlock) starts at the head it was installed at;
  // a revert below that head (Hardhat's loadFixture) must not leave it deaf until the chain grows back.
  test('contract.on goes on delivering after an evm_revert below the block it started at', () =>
    withListeningProvider(async (events, _signer, counter, served) => {
      const snapshot = await events.send('evm_snapshot', []);
      for (let i = 0; i < 3; i++) await mined(counter.increment());
      const seen: bigint[] = [];
      const filtersBefore = served('eth_newFilter');
      await counter.on('Incremented', (_by: string, newCount: bigint) => void seen.push(newCount));
      await pollUntil('ethers to install its filter', async () => (served('eth_newFilter') > filtersBefore ? true : undefined));
      assert.equal(await events.send('evm_revert', [snapshot]), true);
      // ethers polls its filter on each block above the highest number it saw, so the chain grows back
      // past it (4 tipsets on 3 reverted); the first two are below where the filter was installed.
      for (let i = 0; i < 4; i++) await mined(counter.increment());
      await untilDelivered('contract.on to deliver the increments after the revert', () => seen.includes(4n));
      assert.ok(seen.includes(1n) && seen.includes(2n), `seen ${seen}`);
      const uninstallsBefore = served('eth_uninstallFilter');
      await events.removeAllListeners();
      await pollUntil('ethers to uninstall its filter', async () => (served('eth_uninstallFilter') > uninstallsBefore ? true : undefined));
    }));

  // ethers' WebSocketProvider listens through eth_subscribe: logs for contract.on, newHeads for
  // "block", newPendingTransactions for "pending" (ethers 6 SocketProvider), no filter polled.
  test('over a WebSocketProvider: contract.on, provider.on("block") and provider.on("pending") deliver each increment', async () => {
    const ws = new WebSocketProvider(devnet.wsUrl, undefined, { cacheTimeout: -1 });
    try {
      const { abi, bytecode } = artifacts['Counter']!;
      const signer = await ws.getSigner();
      const counter = (await new ContractFactory(abi, bytecode, signer).deploy()) as Contract;
      await counter.waitForDeployment();
      const seen: bigint[] = [];
      const blocks: number[] = [];
      const pending: string[] = [];
      // ethers sends each eth_subscribe after on() returns: wait until the node has served all three.
      const subscribes = (): number => devnet.output().split('eth_subscribe').length;
      const before = subscribes();
      await counter.on('Incremented', (_by: string, newCount: bigint) => void seen.push(newCount));
      await ws.on('block', (n: number) => void blocks.push(n));
      await ws.on('pending', (hash: string) => void pending.push(hash));
      await pollUntil('ethers to subscribe three times', async () => (subscribes() >= before + 3 ? true : undefined));
      const receipts = [await mined(counter.increment()), await mined(counter.increment())];
      await pollUntil('each increment, its block and its pending hash to be delivered', async () =>
        seen.length >= 2 && receipts.every((r) => blocks.includes(r.blockNumber) && pending.includes(r.hash)) ? true : undefined);
      assert.deepEqual(seen, [1n, 2n]);
    } finally {
      // destroy() with the listeners on: it marks the provider destroyed before ethers' unsubscribe
      // callbacks run, so they send nothing. removeAllListeners() first would send eth_unsubscribe
      // unawaited, and destroy() would cancel those requests into unhandled rejections.
      await ws.destroy();
    }
  });

  test('a custom error revert decodes to TooLarge(value, max)', async () => {
    const counter = await deploy('Counter');
    const expectedData = counter.interface.encodeErrorResult('TooLarge', [5000n, 1000n]);

    // eth_call
    await assert.rejects(counter.set.staticCall(5000n), (err: any) => {
      assert.equal(err.code, 'CALL_EXCEPTION');
      assert.equal(err.data, expectedData);
      assert.equal(err.revert?.name, 'TooLarge');
      assert.deepEqual([...err.revert.args], [5000n, 1000n]);
      const parsed = counter.interface.parseError(err.data)!;
      assert.equal(parsed.name, 'TooLarge');
      assert.deepEqual([...parsed.args], [5000n, 1000n]);
      return true;
    });
    // Sending it fails in eth_estimateGas with the same revert data.
    await assert.rejects(counter.set(5000n), (err: any) => {
      assert.equal(err.code, 'CALL_EXCEPTION');
      assert.equal(err.data, expectedData);
      assert.equal(counter.interface.parseError(err.data)!.name, 'TooLarge');
      return true;
    });
    assert.equal(await counter.count(), 0n);

    const receipt = await mined(counter.set(1000n));
    assert.equal(receipt.status, 1);
    assert.equal(await counter.count(), 1000n);
  });

  test('require(false, "nope") reverts with reason "nope"', async () => {
    const counter = await deploy('Counter');
    await assert.rejects(counter.fail(), (err: any) => {
      assert.equal(err.code, 'CALL_EXCEPTION');
      assert.equal(err.reason, 'nope');
      assert.equal(err.revert?.name, 'Error');
      assert.deepEqual([...err.revert.args], ['nope']);
      assert.equal(err.data, counter.interface.encodeErrorResult('Error', ['nope']));
      return true;
    });
  });

  test('a payable function receives FIL', async () => {
    const counter = await deploy('Counter');
    const address = await counter.getAddress();
    const value = parseEther('2');
    const receipt = await mined(counter.deposit({ value }));
    assert.equal(receipt.status, 1);
    assert.equal(await provider.getBalance(address), value);
    assert.equal(await counter.totalDeposited(), value);
    const parsed = counter.interface.parseLog(receipt.logs[0]!)!;
    assert.equal(parsed.name, 'Deposited');
    assert.equal(parsed.args.from, wallet.address);
    assert.equal(parsed.args.amount, value);
  });

  test('contract-to-contract calls: nested CALL, STATICCALL, value and bubbled reverts', async () => {
    const counter = await deploy('Counter');
    const counterAddress = await counter.getAddress();
    const caller = await deploy('CounterCaller', [counterAddress]);
    const callerAddress = await caller.getAddress();
    assert.equal(await caller.getFunction('target')(), counterAddress);

    const receipt = await mined(caller.incrementTwice());
    assert.equal(receipt.status, 1);
    assert.equal(await counter.count(), 2n);
    assert.equal(await caller.readCount(), 2n);
    const events = receipt.logs.map((log) => ({ address: log.address, parsed: counter.interface.parseLog(log)! }));
    assert.deepEqual(
      events.map((e) => [e.address, e.parsed.name, e.parsed.args.by, e.parsed.args.newCount]),
      [
        [counterAddress, 'Incremented', callerAddress, 1n],
        [counterAddress, 'Incremented', callerAddress, 2n],
      ],
    );

    // The callee's custom error bubbles up through the caller.
    await assert.rejects(caller.setThrough.staticCall(5000n), (err: any) => {
      assert.equal(err.data, counter.interface.encodeErrorResult('TooLarge', [5000n, 1000n]));
      return true;
    });
    // ...or is caught with a low-level call, returning the revert data.
    const [ok, data] = await caller.trySet.staticCall(5000n);
    assert.equal(ok, false);
    const parsed = counter.interface.parseError(data)!;
    assert.equal(parsed.name, 'TooLarge');
    assert.deepEqual([...parsed.args], [5000n, 1000n]);

    const value = parseEther('0.25');
    assert.equal((await mined(caller.depositThrough({ value }))).status, 1);
    assert.equal(await provider.getBalance(counterAddress), value);
    assert.equal(await provider.getBalance(callerAddress), 0n);
    assert.equal(await counter.totalDeposited(), value);
  });

  test('CREATE inside the EVM: a factory deploys Counter children with new', async () => {
    const factory = await deploy('CounterFactory');
    const factoryAddress = await factory.getAddress();

    for (const [i, initial] of [7n, 42n].entries()) {
      const receipt = await mined(factory.create(initial));
      assert.equal(receipt.status, 1);
      // A contract's nonce starts at 1 (EIP-161), so children land at CREATE(factory, 1), (factory, 2).
      const expected = getCreateAddress({ from: factoryAddress, nonce: i + 1 });
      assert.equal(await factory.children(i), expected);
      const created = receipt.logs
        .filter((log) => log.address === factoryAddress)
        .map((log) => factory.interface.parseLog(log)!);
      assert.equal(created.length, 1);
      assert.equal(created[0]!.name, 'ChildCreated');
      assert.equal(created[0]!.args.child, expected);
      assert.equal(created[0]!.args.initialCount, initial);

      assert.equal(await provider.getCode(expected), artifacts.Counter!.deployedBytecode);
      const child = new Contract(expected, artifacts.Counter!.abi, provider);
      assert.equal(await child.count(), initial);
    }
    assert.equal(await factory.childCount(), 2n);
  });

  // Lotus's parse errors (chain/types/ethtypes ParseEthTransaction, parseEip1559Tx, parseLegacyTx; P5a).
  test('raw transactions that do not parse are refused with Lotus\'s texts', async () => {
    for (const [raw, text] of [
      ['0x', 'empty data'],
      ['0x02c0', 'not an EIP-1559 transaction: should have 12 elements in the rlp list'],
      ['0xc0', 'failed to parse legacy transaction: not a Legacy transaction: should have 9 elements in the rlp list'],
    ]) {
      await assert.rejects(provider.send('eth_sendRawTransaction', [raw]), (err: Error & { error?: { message: string } }) => {
        assert.equal(err.error?.message, text);
        return true;
      });
    }
  });

  // review2 Q1: under instant mining (the default) the held transaction is mined by the tipset after
  // the one that funds its sender, as calibnet's next tipset takes it, though no send announces it.
  test('with automine, a transaction held for funds is mined once a transfer funds its sender', async () => {
    const sender = Wallet.createRandom(provider);
    await (await wallet.sendTransaction({ to: sender.address, value: parseEther('1') })).wait();
    const feeCap = 3n * BigInt(await provider.send('eth_baseFee', []));
    const tx = { type: 2, chainId: DEVNET_CHAIN_ID, maxFeePerGas: feeCap, maxPriorityFeePerGas: 100_000n, to: wallet.address, gasLimit: 10_000_000n };
    const first = await sender.signTransaction({ ...tx, nonce: 0, value: parseEther('1') - 10_000_000n * feeCap });
    const second = await sender.signTransaction({ ...tx, nonce: 1, value: 1n });
    // Sent together (ethers batches them), both reach the pool before the instant tipset runs.
    const [firstHash, secondHash] = await Promise.all([first, second].map((raw) => provider.send('eth_sendRawTransaction', [raw]) as Promise<string>));
    assert.equal((await provider.waitForTransaction(firstHash!, 1, 10_000))?.status, 1);
    assert.equal(await provider.getTransactionReceipt(secondHash!), null);
    await (await wallet.sendTransaction({ to: sender.address, value: parseEther('1') })).wait();
    assert.equal((await provider.waitForTransaction(secondHash!, 1, 10_000))?.status, 1);
  });

  // U90: ethers' getSigner(address) takes only an address eth_accounts lists; Anvil lists the
  // impersonated ones after its dev accounts, so an Anvil user's getSigner of an impersonated account works.
  test('as on Anvil: anvil_impersonateAccount, then provider.getSigner(address) sends as it; once stopped, getSigner refuses it', async () => {
    const whale = Wallet.createRandom().address;
    await provider.send('anvil_setBalance', [whale, '0x' + parseEther('5').toString(16)]);
    await provider.send('anvil_impersonateAccount', [whale]);
    const signer = await provider.getSigner(whale);
    const receipt = await (await signer.sendTransaction({ to: wallet.address, value: parseEther('1') })).wait();
    assert.equal(receipt?.status, 1);
    assert.equal(receipt?.from, whale);
    await provider.send('anvil_stopImpersonatingAccount', [whale]);
    await assert.rejects(provider.getSigner(whale), /invalid account/);
  });

  // U91: an f1/f3 account deploys through the EAM's CreateExternal, which takes a native sender's
  // CREATE address from the keccak of its key address, not from its masked ID (builtin-actors
  // actors/eam/src/lib.rs at 84bbc5f4, resolve_caller_external and compute_address_create_external):
  // as `lotus evm deploy` from an f1 on calibnet. ethers' ContractFactory (and Hardhat's
  // deployContract) predicts from the sender's address and nonce, so its contract has no code.
  test('a deployment from an impersonated f1 account (its masked ID) lands at the EAM\'s address for its key, the receipt\'s contractAddress, not where ethers predicts', async () => {
    const key: string = await provider.send('Filecoin.WalletDefaultAddress', []);
    const id = FilAddress.parse(await provider.send('Filecoin.StateLookupID', [key, null])).id!;
    const masked = hexlify(maskedIdAddress(id));
    await provider.send('anvil_impersonateAccount', [masked]);
    const nonce = await provider.getTransactionCount(masked);
    const { abi, bytecode } = artifacts['Counter']!;
    let predicted: Contract;
    let receipt: ContractTransactionReceipt;
    try {
      predicted = (await new ContractFactory(abi, bytecode, await provider.getSigner(masked)).deploy()) as Contract;
      receipt = (await predicted.deploymentTransaction()!.wait())!;
    } finally {
      await provider.send('anvil_stopImpersonatingAccount', [masked]);
    }

    const keyEthAddress = '0x' + keccak256(FilAddress.parse(key).bytes).slice(-40);
    assert.equal(receipt.contractAddress, getCreateAddress({ from: keyEthAddress, nonce }));
    assert.notEqual(await provider.getCode(receipt.contractAddress!), '0x');
    // ethers' contract is at CREATE(masked ID, nonce), where nothing was deployed: the user's symptom.
    assert.equal(await provider.getCode(await predicted.getAddress()), '0x');
  });

  // U93: an f410 address impersonated by its masked ID sends as the f410 address (its message's
  // sender is the same actor; Lotus shows a delegated sender's 0x address as `from`), so ethers'
  // ContractFactory, which predicts CREATE(tx.from, tx.nonce), finds its contract, unlike the f1
  // case above. The address is only funded (a Placeholder): its first message makes it an EthAccount.
  // A contract impersonated is refused when it sends, with the reason, not a VM exit.
  test('an f410 address impersonated by its masked ID deploys where ethers predicts; an impersonated contract is refused with the reason', async () => {
    const fresh = Wallet.createRandom();
    await (await wallet.sendTransaction({ to: fresh.address, value: parseEther('10') })).wait();
    const f410 = await provider.send('Filecoin.EthAddressToFilecoinAddress', [fresh.address]);
    const id = FilAddress.parse(await provider.send('Filecoin.StateLookupID', [f410, null])).id!;
    const masked = hexlify(maskedIdAddress(id));
    const { abi, bytecode } = artifacts['Counter']!;
    let counter: Contract;
    await provider.send('anvil_impersonateAccount', [masked]);
    try {
      counter = (await new ContractFactory(abi, bytecode, await provider.getSigner(masked)).deploy()) as Contract;
      assert.equal(counter.deploymentTransaction()!.from, fresh.address);
      await counter.waitForDeployment();
      await mined(counter.getFunction('increment')());
    } finally {
      await provider.send('anvil_stopImpersonatingAccount', [masked]);
    }
    // Read through the provider: once impersonation stops, a masked ID `from` in eth_call is refused, as Lotus refuses it.
    assert.equal(await (counter.connect(provider) as Contract).getFunction('count')(), 1n);
    assert.equal(await provider.getTransactionCount(fresh.address), 2);
    assert.equal(await provider.getTransactionCount(masked), 2);

    const target = await counter.getAddress();
    await provider.send('anvil_impersonateAccount', [target]);
    try {
      await assert.rejects((await provider.getSigner(target)).sendTransaction({ to: wallet.address, value: 0n }), /a contract cannot send messages on Filecoin, so it cannot be impersonated/);
    } finally {
      await provider.send('anvil_stopImpersonatingAccount', [target]);
    }
  });

  // review R2: a constructor that SELFDESTRUCTs, as the ForceSend helper test suites fund a contract
  // with (constructor(address to) payable { selfdestruct(to); }), runs as an EVM actor does on calibnet.
  test('a constructor that SELFDESTRUCTs sends its value to the beneficiary (ForceSend)', async () => {
    const beneficiary = Wallet.createRandom().address;
    const initcode = '0x73' + beneficiary.slice(2).toLowerCase() + 'ff';
    const receipt = await (await wallet.sendTransaction({ data: initcode, value: 7n })).wait();
    assert.equal(receipt?.status, 1);
    assert.equal(await provider.getBalance(beneficiary), 7n);
    assert.equal(await provider.getCode(receipt!.contractAddress!), '0x');
  });

  // builtin-actors' EVM constructor keeps what it returns, nothing too (P3): calibnet shows an EVM actor.
  test('a deployment whose constructor returns no code is an EVM actor with empty bytecode', async () => {
    const deployment = await wallet.sendTransaction({ data: '0x00' });
    const receipt = await deployment.wait();
    assert.equal(receipt?.status, 1);
    const contract = receipt!.contractAddress!;
    assert.equal(await provider.getCode(contract), '0x');
    const f410 = await provider.send('Filecoin.EthAddressToFilecoinAddress', [contract]);
    const actor = await provider.send('Filecoin.StateGetActor', [f410, null]);
    const code = await provider.send('Filecoin.StateGetActor', [await provider.send('Filecoin.EthAddressToFilecoinAddress', [await (await deploy('Counter')).getAddress()]), null]);
    assert.deepEqual(actor.Code, code.Code);
    assert.equal(await provider.getTransactionCount(contract), 1);
  });

  // Lotus's block producer takes a sender's messages only as far as its balance funds them, each
  // one's gas reserve after the earlier ones' reserves and values (createMessageChains, P9): a later
  // transaction that no longer fits stays pending, its nonce unused, until the account is funded.
  test('a transaction whose gas reserve no longer fits after the sender\'s earlier one stays pending until funded', async () => {
    const sender = Wallet.createRandom(provider);
    await (await wallet.sendTransaction({ to: sender.address, value: parseEther('1') })).wait();
    const feeCap = 3n * BigInt(await provider.send('eth_baseFee', []));
    const tx = { type: 2, chainId: DEVNET_CHAIN_ID, maxFeePerGas: feeCap, maxPriorityFeePerGas: 100_000n, to: wallet.address };
    await provider.send('evm_setAutomine', [false]);
    try {
      // Both are admitted (the pool counts gas reserves only); after the first's reserve and value,
      // half of the second's reserve is left.
      const first = await sender.sendTransaction({ ...tx, nonce: 0, gasLimit: 2_000_000n, value: parseEther('1') - 2_000_000n * feeCap - 10_000_000n * feeCap });
      const second = await sender.sendTransaction({ ...tx, nonce: 1, gasLimit: 20_000_000n, value: 1n });
      await provider.send('evm_mine', []);
      assert.equal((await provider.getTransactionReceipt(first.hash))?.status, 1);
      assert.equal(await provider.getTransactionReceipt(second.hash), null);
      assert.deepEqual([await provider.getTransactionCount(sender.address, 'latest'), await provider.getTransactionCount(sender.address, 'pending')], [1, 2]);
      assert.equal((await provider.getTransaction(second.hash))?.blockNumber, null);

      await wallet.sendTransaction({ to: sender.address, value: parseEther('1') });
      // The tipset that takes the funding selects on the state before it; the next one takes the transaction.
      await provider.send('evm_mine', []);
      await provider.send('evm_mine', []);
      assert.equal((await provider.getTransactionReceipt(second.hash))?.status, 1);
    } finally {
      await provider.send('evm_setAutomine', [true]);
    }
  });
});

// README (U41): calibnet's public endpoints are Lotus gateways, which keep filters for WebSocket
// connections only, so ethers' listeners over HTTP (eth_newFilter, FilterIdEventSubscriber) get the
// refusal; `{ polling: true }` makes them read eth_getLogs each block instead.
describe('ethers 6 listeners against --gateway-only', () => {
  const gateway = useDevnet(['--gateway-only']);
  let artifacts: Record<string, CompiledContract>;

  before(async () => {
    artifacts = await compileFixtures();
  });

  test("contract.on over a JsonRpcProvider hands over nothing, ethers printing '@TODO' each block; with { polling: true } it hands over each increment", async (t) => {
    // What ethers prints of its failed polls, kept rather than printed.
    const todo: unknown[] = [];
    const print = console.log;
    console.log = (...args: unknown[]) => void (args[0] === '@TODO' ? todo.push(args[1]) : print(...args));
    const byFilter = new JsonRpcProvider(gateway.url, undefined, { cacheTimeout: -1, pollingInterval: 100 });
    const byLogs = new JsonRpcProvider(gateway.url, undefined, { cacheTimeout: -1, pollingInterval: 100, polling: true });
    t.after(() => {
      // Not destroy(): removing the listener uninstalls the filter ethers never got, and that
      // promise's refusal would be unhandled (README). Paused, it polls no more.
      byFilter.pause();
      byLogs.destroy();
      console.log = print;
    });
    const { abi, bytecode } = artifacts['Counter']!;
    const counter = (await new ContractFactory(abi, bytecode, new Wallet(DEV_ACCOUNTS[0]!.privateKey, byLogs)).deploy()) as Contract;
    await counter.waitForDeployment();
    const address = await counter.getAddress();
    const viaFilter: bigint[] = [];
    const viaLogs: bigint[] = [];
    await new Contract(address, abi, byFilter).on('Incremented', (_by: string, n: bigint) => void viaFilter.push(n));
    await new Contract(address, abi, byLogs).on('Incremented', (_by: string, n: bigint) => void viaLogs.push(n));
    // The polling listener counts from the head it reads when it starts: increment until it has
    // handed over two, then until it has the last.
    let count = 0n;
    await pollUntil('the polling listener to hand over two increments, the last one last', async () => {
      if (viaLogs.length >= 2 && viaLogs.at(-1) === count) return true;
      if (viaLogs.length < 2) {
        await (await counter.getFunction('increment')()).wait();
        count++;
      }
      return undefined;
    });

    assert.deepEqual(viaLogs, Array.from({ length: viaLogs.length }, (_, i) => count - BigInt(viaLogs.length - 1 - i)));
    assert.deepEqual(viaFilter, []);
    // One eth_newFilter, refused; ethers prints the refusal again on each block and never asks again.
    assert.equal(gateway.output().match(/^eth_newFilter {2}error 1: EthNewFilter not supported: stateful methods are only available on websocket connections$/gm)?.length, 1);
    assert.ok(todo.length >= 2, `printed ${todo.length} times`);
    for (const e of todo) {
      assert.ok(isError(e, 'UNKNOWN_ERROR'), String(e));
      assert.equal(e.shortMessage, 'could not coalesce error');
      assert.match(JSON.stringify(e.error), /stateful methods are only available on websocket connections/);
    }
  });
});

// U87: a Lotus gateway pushes what it is sent as the full node's untrusted push (gateway/proxy_eth_v1.go:
// EthSendRawTransactionUntrusted), whose pool holds at most 100 of a sender's messages, not 1 000.
describe('ethers 6 sends against --gateway-only --no-mining', () => {
  const gateway = useDevnet(['--gateway-only', '--no-mining']);

  test("a sender's 101st pending transaction is refused as calibnet's public endpoints refuse it", async () => {
    const wallet = new Wallet(DEV_ACCOUNTS[2]!.privateKey, gateway.provider);
    const fees = { to: DEV_ACCOUNTS[3]!.address, value: 1n, gasLimit: 10_000_000n, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 200_000n, chainId: BigInt(DEVNET_CHAIN_ID) };
    for (let nonce = 0; nonce < 100; nonce++) await wallet.sendTransaction({ ...fees, nonce });
    assert.equal(Object.keys((await gateway.provider.send('txpool_content', [])).pending[wallet.address.toLowerCase()]).length, 100);
    await assert.rejects(wallet.sendTransaction({ ...fees, nonce: 100 }), (e: unknown) => {
      assert.ok(isError(e, 'UNKNOWN_ERROR'), String(e));
      assert.match(JSON.stringify(e.error), /failed to add locked: too many pending messages for actor/);
      return true;
    });
  });
});
