// End to end with viem 2: public, wallet and WebSocket clients against the devnet CLI on a real port.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BaseError,
  ContractFunctionRevertedError,
  MethodNotFoundRpcError,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
  encodeEventTopics,
  getContractAddress,
  http,
  parseEther,
  parseEventLogs,
  webSocket,
  hexToBigInt,
  keccak256,
  numberToHex,
  parseTransaction,
  serializeTransaction,
  type TransactionSerializedEIP1559,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  type Chain,
  type Account,
  type Transport,
  type Log,
  type RpcLog,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ACCOUNTS, DEV_ACCOUNT_BALANCE, DEVNET_CHAIN_ID, pollUntil, within } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const WAIT_MS = 10_000;

/** The first `revert` in a viem error chain, which is what a dapp inspects. */
function revertedError(err: unknown): ContractFunctionRevertedError {
  assert.ok(err instanceof BaseError, `expected a viem BaseError, got ${String(err)}`);
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  assert.ok(reverted instanceof ContractFunctionRevertedError, `no ContractFunctionRevertedError in: ${err.message}`);
  return reverted;
}

describe('viem 2 against the devnet CLI', () => {
  const devnet = useDevnet();
  let artifacts: Record<string, CompiledContract>;
  let chain: Chain;
  let publicClient: PublicClient<Transport, Chain>;
  let walletClient: WalletClient<Transport, Chain, Account>;
  let wsClient: ReturnType<typeof makeWsClient>;
  const account = privateKeyToAccount(DEV_ACCOUNTS[1]!.privateKey);

  function makeWsClient(c: Chain, url: string) {
    return createPublicClient({ chain: c, transport: webSocket(url, { reconnect: false, retryCount: 0 }) });
  }

  before(async () => {
    artifacts = await compileFixtures();
    chain = defineChain({
      id: DEVNET_CHAIN_ID,
      name: 'fvm-devnet',
      nativeCurrency: { name: 'testnet filecoin', symbol: 'tFIL', decimals: 18 },
      rpcUrls: { default: { http: [devnet.url], webSocket: [devnet.wsUrl] } },
    });
    publicClient = createPublicClient({ chain, transport: http(devnet.url), cacheTime: 0, pollingInterval: 100 });
    walletClient = createWalletClient({ chain, account, transport: http(devnet.url), cacheTime: 0, pollingInterval: 100 });
    wsClient = makeWsClient(chain, devnet.wsUrl);
  });

  after(async () => {
    if (wsClient) {
      const rpc = await wsClient.transport.getRpcClient().catch(() => undefined);
      rpc?.close();
    }
  });

  async function deployCounter(): Promise<Address> {
    const { abi, bytecode } = artifacts.Counter!;
    const nonce = await publicClient.getTransactionCount({ address: account.address });
    const hash = await walletClient.deployContract({ abi, bytecode, args: [] });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    const expected = getContractAddress({ from: account.address, nonce: BigInt(nonce) });
    assert.equal(receipt.contractAddress?.toLowerCase(), expected.toLowerCase());
    return expected;
  }

  async function increment(address: Address): Promise<Hex> {
    const hash = await walletClient.writeContract({ address, abi: artifacts.Counter!.abi, functionName: 'increment' });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    return hash;
  }

  test('chain id and a dev account balance', async () => {
    assert.equal(await publicClient.getChainId(), DEVNET_CHAIN_ID);
    assert.equal(await publicClient.getBalance({ address: account.address }), DEV_ACCOUNT_BALANCE);
  });

  test('getBlockReceipts (eth_getBlockReceipts) gives the receipts of a block', async () => {
    const hash = await walletClient.sendTransaction({ to: DEV_ACCOUNTS[4]!.address, value: 7n });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const receipts = await publicClient.getBlockReceipts({ blockNumber: receipt.blockNumber });
    assert.deepEqual(receipts.map((r) => r.transactionHash), [hash]);
    assert.equal(receipts[0]!.status, 'success');
    assert.equal(receipts[0]!.gasUsed, receipt.gasUsed);
    assert.deepEqual((await publicClient.getBlockReceipts({ blockHash: receipt.blockHash })).map((r) => r.transactionHash), [hash]);
  });

  test('deployContract, writeContract + waitForTransactionReceipt, readContract', async () => {
    const address = await deployCounter();
    assert.equal(await publicClient.getCode({ address }), artifacts.Counter!.deployedBytecode);
    const abi = artifacts.Counter!.abi;
    assert.equal(await publicClient.readContract({ address, abi, functionName: 'count' }), 0n);

    const hash = await walletClient.writeContract({ address, abi, functionName: 'increment' });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.transactionHash, hash);
    assert.equal(receipt.from.toLowerCase(), account.address.toLowerCase());
    assert.equal(receipt.to?.toLowerCase(), address.toLowerCase());
    const events = parseEventLogs({ abi, logs: receipt.logs, eventName: 'Incremented' }) as unknown as {
      args: { by: Address; newCount: bigint };
    }[];
    assert.equal(events.length, 1);
    assert.equal(events[0]!.args.by.toLowerCase(), account.address.toLowerCase());
    assert.equal(events[0]!.args.newCount, 1n);
    assert.equal(await publicClient.readContract({ address, abi, functionName: 'count' }), 1n);

    const value = parseEther('3');
    const depositHash = await walletClient.writeContract({ address, abi, functionName: 'deposit', value });
    assert.equal((await publicClient.waitForTransactionReceipt({ hash: depositHash })).status, 'success');
    assert.equal(await publicClient.getBalance({ address }), value);
  });

  test('a custom error surfaces as ContractFunctionRevertedError TooLarge(value, max)', async () => {
    const address = await deployCounter();
    const abi = artifacts.Counter!.abi;
    for (const attempt of [
      () => publicClient.simulateContract({ account, address, abi, functionName: 'set', args: [5000n] }),
      () => walletClient.writeContract({ address, abi, functionName: 'set', args: [5000n] }),
    ]) {
      await assert.rejects(attempt(), (err: unknown) => {
        const reverted = revertedError(err);
        assert.equal(reverted.data?.errorName, 'TooLarge');
        assert.deepEqual(reverted.data?.args, [5000n, 1000n]);
        return true;
      });
    }
    const { request } = await publicClient.simulateContract({ account, address, abi, functionName: 'set', args: [999n] });
    const hash = await walletClient.writeContract(request);
    assert.equal((await publicClient.waitForTransactionReceipt({ hash })).status, 'success');
    assert.equal(await publicClient.readContract({ address, abi, functionName: 'count' }), 999n);
  });

  test('require(false, "nope") surfaces as reason "nope"', async () => {
    const address = await deployCounter();
    await assert.rejects(publicClient.readContract({ address, abi: artifacts.Counter!.abi, functionName: 'fail' }), (err: unknown) => {
      const reverted = revertedError(err);
      assert.equal(reverted.reason, 'nope');
      assert.equal(reverted.data?.errorName, 'Error');
      assert.deepEqual(reverted.data?.args, ['nope']);
      return true;
    });
  });

  test('sending more FIL than the account holds fails at the gas estimate, as on calibnet, and sends nothing', async () => {
    const poor = privateKeyToAccount('0x' + '5e'.repeat(32) as Hex);
    const poorWallet = createWalletClient({ chain, account: poor, transport: http(devnet.url), cacheTime: 0 });
    await publicClient.waitForTransactionReceipt({ hash: await walletClient.sendTransaction({ to: poor.address, value: parseEther('1') }) });
    // Lotus estimates with free gas and the real value (gasutils.go): the transfer fails with exit 6.
    await assert.rejects(poorWallet.sendTransaction({ to: DEV_ACCOUNTS[5]!.address, value: parseEther('2') }), (err: unknown) => {
      assert.ok(err instanceof BaseError);
      assert.match(err.message, /SysErrInsufficientFunds\(6\)/);
      return true;
    });
    assert.equal(await publicClient.getTransactionCount({ address: poor.address }), 0);
    assert.equal(await publicClient.getBalance({ address: poor.address }), parseEther('1'));
    await assert.rejects(publicClient.call({ account: poor, to: DEV_ACCOUNTS[5]!.address, value: parseEther('2') }), /SysErrInsufficientFunds\(6\)/);
  });

  test('a key with no actor has no pending nonce (Lotus MpoolGetNonce: P1); once funded, viem reads it and sends', async () => {
    const fresh = privateKeyToAccount(('0x' + '6f'.repeat(32)) as Hex);
    const freshWallet = createWalletClient({ chain, account: fresh, transport: http(devnet.url), cacheTime: 0 });
    await assert.rejects(publicClient.getTransactionCount({ address: fresh.address, blockTag: 'pending' }), /failed to get nonce from mpool: resolution lookup failed \(t410f[a-z2-7]+\): resolve address t410f[a-z2-7]+: actor not found/);
    assert.equal(await publicClient.getTransactionCount({ address: fresh.address }), 0);
    // viem's send path reads the pending nonce first, so an unfunded key fails there, as on calibnet.
    await assert.rejects(freshWallet.sendTransaction({ to: DEV_ACCOUNTS[5]!.address, value: 1n }), /failed to get nonce from mpool/);
    await publicClient.waitForTransactionReceipt({ hash: await walletClient.sendTransaction({ to: fresh.address, value: parseEther('1') }) });
    assert.equal(await publicClient.getTransactionCount({ address: fresh.address, blockTag: 'pending' }), 0);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await freshWallet.sendTransaction({ to: DEV_ACCOUNTS[5]!.address, value: 1n }) });
    assert.equal(receipt.status, 'success');
    assert.equal(await publicClient.getTransactionCount({ address: fresh.address, blockTag: 'pending' }), 1);
  });

  test('a transaction\'s high-s twin (s = n − s, parity flipped) is accepted and mined from the same sender, as Lotus accepts it (P2)', async () => {
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const fees = await publicClient.estimateFeesPerGas();
    const signed = await account.signTransaction({ type: 'eip1559', chainId: chain.id, nonce, to: DEV_ACCOUNTS[6]!.address, value: 1n, gas: 10_000_000n, ...fees });
    const { r, s, yParity, ...fields } = parseTransaction(signed as TransactionSerializedEIP1559);
    const twin = serializeTransaction(fields, { r: r!, s: numberToHex(n - hexToBigInt(s!), { size: 32 }), yParity: yParity === 0 ? 1 : 0 });
    const hash = await publicClient.sendRawTransaction({ serializedTransaction: twin });
    assert.equal(hash, keccak256(twin));
    assert.notEqual(hash, keccak256(signed));
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.deepEqual([receipt.status, receipt.from], ['success', account.address.toLowerCase()]);
  });

  test("multicall() and batch.multicall through Multicall3 at the address viem's filecoin chain names", async () => {
    // As viem's `filecoin` chain declares it (calibnet and mainnet both have it there).
    const withMulticall = defineChain({ ...chain, contracts: { multicall3: { address: '0xcA11bde05977b3631167028862bE2a173976CA11' } } });
    const client = createPublicClient({ chain: withMulticall, transport: http(devnet.url), cacheTime: 0 });
    const address = await deployCounter();
    await increment(address);
    const abi = artifacts.Counter!.abi;
    const [count, failed, tooLarge] = await client.multicall({
      contracts: [
        { address, abi, functionName: 'count' },
        { address, abi, functionName: 'fail' },
        { address, abi, functionName: 'set', args: [5000n] },
      ],
    });
    assert.deepEqual(count, { status: 'success', result: 1n });
    assert.equal(failed.status, 'failure');
    assert.equal(revertedError(failed.error).reason, 'nope');
    assert.equal(tooLarge.status, 'failure');
    assert.equal(revertedError(tooLarge.error).data?.errorName, 'TooLarge');
    // Reads made in the same tick go out as one aggregate3 call.
    const batched = createPublicClient({ chain: withMulticall, transport: http(devnet.url), cacheTime: 0, batch: { multicall: true } });
    const reads = await Promise.all([1, 2, 3].map(() => batched.readContract({ address, abi, functionName: 'count' })));
    assert.deepEqual(reads, [1n, 1n, 1n]);
  });

  // What viem asks that Lotus's API (api/api_full.go, api/eth_aliases.go) does not serve: -32601 naming
  // the method, as calibnet answers, where Anvil answers each (audit26 V6; README's viem bullet).
  test('simulateCalls, simulateBlocks, createAccessList, getProof, getBlobBaseFee and fillTransaction answer method not found, as Lotus; a local-account send still goes', async () => {
    const from = account.address;
    const calls: [string, () => Promise<unknown>][] = [
      ['eth_simulateV1', () => publicClient.simulateCalls({ account: from, calls: [{ to: from, value: 1n }] })],
      ['eth_simulateV1', () => publicClient.simulateBlocks({ blocks: [{ calls: [{ account: from, to: from, value: 1n }] }] })],
      ['eth_createAccessList', () => publicClient.createAccessList({ account: from, to: from })],
      ['eth_getProof', () => publicClient.getProof({ address: from, storageKeys: [] })],
      ['eth_blobBaseFee', () => publicClient.getBlobBaseFee()],
      ['eth_fillTransaction', () => walletClient.fillTransaction({ to: from, value: 1n })],
    ];
    for (const [method, call] of calls) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof BaseError, String(err));
        const notFound = err.walk((e) => e instanceof MethodNotFoundRpcError);
        assert.ok(notFound instanceof MethodNotFoundRpcError, `${method}: ${err.message}`);
        assert.equal(notFound.code, -32601);
        assert.equal(notFound.details, `method '${method}' not found`);
        return true;
      });
    }
    // viem's local-account send asks eth_fillTransaction first, takes the -32601 and fills the transaction itself.
    const hash = await walletClient.sendTransaction({ to: from, value: 1n });
    assert.equal((await publicClient.waitForTransactionReceipt({ hash, timeout: WAIT_MS })).status, 'success');
  });

  // EIP-5792 (wagmi's useSendCalls) with the node's dev account as the wallet: neither Lotus nor Anvil
  // has wallet_* methods, so viem sends the calls one by one only when told it may.
  test('sendCalls (wallet_sendCalls) and getCapabilities answer method not found; with experimental_fallback each call is its own transaction', async () => {
    const from = DEV_ACCOUNTS[2]!.address;
    const nodeWallet = createWalletClient({ chain, account: from, transport: http(devnet.url), cacheTime: 0, pollingInterval: 100 });
    const notFound = (method: string) => (err: unknown) => {
      assert.ok(err instanceof BaseError, String(err));
      const found = err.walk((e) => e instanceof MethodNotFoundRpcError);
      assert.ok(found instanceof MethodNotFoundRpcError, `${method}: ${err.message}`);
      assert.equal(found.details, `method '${method}' not found`);
      return true;
    };
    await assert.rejects(nodeWallet.getCapabilities(), notFound('wallet_getCapabilities'));
    const calls = [
      { to: DEV_ACCOUNTS[3]!.address, value: 5n },
      { to: DEV_ACCOUNTS[4]!.address, value: 7n },
    ];
    const before = await Promise.all(calls.map(({ to }) => publicClient.getBalance({ address: to })));
    await assert.rejects(nodeWallet.sendCalls({ calls }), notFound('wallet_sendCalls'));
    const nonce = await publicClient.getTransactionCount({ address: from });

    const { id } = await nodeWallet.sendCalls({ calls, experimental_fallback: true });
    const status = await nodeWallet.waitForCallsStatus({ id, timeout: WAIT_MS, pollingInterval: 100 });
    assert.equal(status.status, 'success');
    assert.deepEqual(status.receipts?.map((r) => r.status), ['success', 'success']);
    // viem's fallback sends each call as its own eth_sendTransaction, one after the other: with instant
    // mining each is mined in its own tipset, not as one atomic batch.
    assert.notEqual(status.receipts![0]!.blockNumber, status.receipts![1]!.blockNumber);
    assert.equal(await publicClient.getTransactionCount({ address: from }), nonce + 2);
    const after = await Promise.all(calls.map(({ to }) => publicClient.getBalance({ address: to })));
    assert.deepEqual(after, [before[0]! + 5n, before[1]! + 7n]);
  });

  test('getLogs and a contract event filter with getFilterChanges', async () => {
    const address = await deployCounter();
    const abi = artifacts.Counter!.abi;
    const filter = await publicClient.createContractEventFilter({ address, abi, eventName: 'Incremented' });

    const hash = await increment(address);
    const receipt = await publicClient.getTransactionReceipt({ hash });
    const event = abi.find((item) => item.type === 'event' && item.name === 'Incremented');
    const logs = await publicClient.getLogs({ address, event, fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber });
    assert.equal(logs.length, 1);
    const log = logs[0]! as unknown as Log & { args: { by: Address; newCount: bigint } };
    assert.equal(log.transactionHash, hash);
    assert.equal(log.blockNumber, receipt.blockNumber);
    assert.equal(log.blockHash, receipt.blockHash);
    assert.equal(log.args.by.toLowerCase(), account.address.toLowerCase());
    assert.equal(log.args.newCount, 1n);
    // Filtering on the indexed argument excludes other senders.
    const none = await publicClient.getLogs({
      address, event, args: { by: DEV_ACCOUNTS[2]!.address }, fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber,
    });
    assert.equal(none.length, 0);

    const changes = await pollUntil('the event filter to collect the log', async () => {
      const c = await publicClient.getFilterChanges({ filter });
      return c.length > 0 ? c : undefined;
    });
    assert.equal(changes.length, 1);
    const change = changes[0]! as unknown as Log & { eventName: string; args: { by: Address; newCount: bigint } };
    assert.equal(change.eventName, 'Incremented');
    assert.equal(change.transactionHash, hash);
    assert.equal(change.args.newCount, 1n);
    assert.deepEqual(await publicClient.getFilterChanges({ filter }), []);
    assert.equal(await publicClient.uninstallFilter({ filter }), true);
  });

  test('eth_subscribe logs over WebSocket delivers Incremented', async () => {
    const address = await deployCounter();
    const abi = artifacts.Counter!.abi;
    const topics = encodeEventTopics({ abi, eventName: 'Incremented' });
    let onLog!: (log: RpcLog) => void;
    const received = new Promise<RpcLog>((resolve) => (onLog = resolve));
    const errors: unknown[] = [];
    // transport.subscribe resolves once the node has answered eth_subscribe, so the transaction
    // below cannot race the subscription.
    const sub = await wsClient.transport.subscribe({
      params: ['logs', { address, topics }],
      onData: (data: any) => onLog(data.result as RpcLog),
      onError: (err: unknown) => errors.push(err),
    });
    try {
      assert.match(sub.subscriptionId, /^0x[0-9a-f]+$/i);
      const hash = await increment(address);
      const log = await within('the Incremented log notification', WAIT_MS, received);
      assert.deepEqual(errors, []);
      assert.equal(log.transactionHash, hash);
      assert.equal(log.address.toLowerCase(), address.toLowerCase());
      const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] }) as unknown as {
        eventName: string; args: { by: Address; newCount: bigint };
      };
      assert.equal(decoded.eventName, 'Incremented');
      assert.equal(decoded.args.by.toLowerCase(), account.address.toLowerCase());
      assert.equal(decoded.args.newCount, 1n);
    } finally {
      const res = await sub.unsubscribe();
      assert.equal(res.result, true);
    }
  });

  test('newHeads over WebSocket delivers the block of a new transaction', async () => {
    type RpcHead = { number: Hex; hash: Hex; parentHash: Hex };
    const heads: RpcHead[] = [];
    let waiting: { min: bigint; resolve: (h: RpcHead) => void } | undefined;
    const sub = await wsClient.transport.subscribe({
      params: ['newHeads'],
      onData: (data: any) => {
        const head = data.result as RpcHead;
        heads.push(head);
        if (waiting && BigInt(head.number) >= waiting.min) waiting.resolve(head);
      },
    });
    try {
      const before = await publicClient.getBlockNumber();
      const hash = await walletClient.sendTransaction({ to: DEV_ACCOUNTS[3]!.address, value: 1n });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      assert.ok(receipt.blockNumber > before, `receipt block ${receipt.blockNumber} > ${before}`);
      const head = await within(
        `a newHeads notification for block >= ${receipt.blockNumber}`,
        WAIT_MS,
        new Promise<RpcHead>((resolve) => {
          const seen = heads.find((h) => BigInt(h.number) >= receipt.blockNumber);
          if (seen) resolve(seen);
          else waiting = { min: receipt.blockNumber, resolve };
        }),
      );
      const block = await publicClient.getBlock({ blockNumber: BigInt(head.number) });
      assert.equal(head.hash, block.hash);
      assert.equal(head.parentHash, block.parentHash);
      // The transaction's block itself was announced, with the hash the chain reports for it.
      const inclusion = heads.find((h) => BigInt(h.number) === receipt.blockNumber);
      assert.ok(inclusion, `heads seen: ${heads.map((h) => BigInt(h.number)).join(', ')}`);
      assert.equal(inclusion.hash, receipt.blockHash);
    } finally {
      await sub.unsubscribe();
    }
  });
});
