// MetaMask's own published controllers (network-controller 25, gas-fee-controller 25,
// transaction-controller 61, approval-controller 8) driven against the devnet CLI: add the devnet as a
// custom network, let NetworkController look it up (EIP-1559 from the latest block's baseFeePerGas), read a
// balance through the controller's provider, and have TransactionController add, approve, sign, publish and
// confirm a 1559 value transfer and a contract call, and speed up a pending one (refused at its 10 %, as
// Lotus refuses it; taken at 25 %). See shared/reference/tool-quirks.md (MetaMask).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { Contract, ContractFactory, JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { Messenger, MOCK_ANY_NAMESPACE } from '@metamask/messenger';
import { NetworkController, RpcEndpointType } from '@metamask/network-controller';
import { GasFeeController } from '@metamask/gas-fee-controller';
import { ApprovalController } from '@metamask/approval-controller';
import { TransactionController, TransactionStatus, type TransactionMeta } from '@metamask/transaction-controller';
import { compileFixtures } from '../helpers/solc.js';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';

/** The root messenger, standing in for the extension's: any namespace, actions and events typed loosely. */
type RootMessenger = Messenger<typeof MOCK_ANY_NAMESPACE, any, any>;

const CHAIN_ID_HEX = '0x1df5e76' as const;
const WAIT_MS = 20_000;
const POLL_MS = 50;

/** Polls `check` every POLL_MS until it returns something other than undefined, for at most `ms`. */
async function until<T>(what: string, check: () => T | undefined, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

describe('MetaMask controllers against the devnet', () => {
  let node: DevnetProcess;
  let networkController: NetworkController;
  let gasFeeController: GasFeeController;
  let approvalController: ApprovalController;
  let transactionController: TransactionController;
  let networkClientId: string;
  /** Every JSON-RPC request the controllers sent to the node, with its response (for failure messages). */
  const rpcLog: { request: unknown; response: unknown }[] = [];
  /** URLs NetworkController's RPC service was asked to reach other than the node (none expected). */
  const otherRpcUrls: string[] = [];
  /** URLs the controllers fetched on their own (MetaMask's hosted APIs); all refused. */
  const hostedApiUrls: string[] = [];
  const owner = new Wallet(DEV_ACCOUNTS[0].privateKey);
  const recipient = Wallet.createRandom().address;

  const realFetch = globalThis.fetch;
  const urlOf = (input: Parameters<typeof fetch>[0]): string =>
    typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  /**
   * The fetch handed to NetworkController's RPC service: records the JSON-RPC traffic to the node and
   * refuses anything else.
   */
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = urlOf(input);
    if (!url.startsWith(node.url.replace(/\/$/, ''))) {
      otherRpcUrls.push(url);
      throw new TypeError(`refused: ${url}`);
    }
    const res = await realFetch(input, init);
    const text = await res.clone().text();
    let request: unknown = init?.body;
    let response: unknown = text;
    try {
      request = JSON.parse(String(init?.body));
      response = JSON.parse(text);
    } catch {
      // keep the raw text
    }
    rpcLog.push({ request, response });
    return res;
  };
  /**
   * The global fetch while the controllers run: they call MetaMask's hosted APIs with it (the gas API's
   * suggested fees for the chain, its list of OP-stack chains). Those are refused at once, as offline, so
   * the test never depends on the network; the controllers fall back to the node (eth_gasPrice).
   */
  const offlineFetch: typeof fetch = async (input) => {
    hostedApiUrls.push(urlOf(input));
    throw new TypeError(`offline: ${urlOf(input)}`);
  };
  let latestSeen = -1;
  const onLatestBlock = (blockNumber: string): void => {
    latestSeen = Number(blockNumber);
  };
  const rpcLogTail = (n = 12): string => JSON.stringify(rpcLog.slice(-n), null, 1);

  before(async () => {
    node = await startDevnet();
    globalThis.fetch = offlineFetch;

    // One root messenger; each controller gets a child messenger with the actions and events it may use.
    const root: RootMessenger = new Messenger({ namespace: MOCK_ANY_NAMESPACE });
    // What the extension's other controllers would answer (no Sentry, no accounts/keyring/flag controllers).
    root.registerActionHandler('ErrorReportingService:captureException', (error: unknown) => {
      console.error('[metamask-controllers] captured exception:', error);
    });
    const internalAccount = {
      id: 'dev-account-0',
      address: owner.address.toLowerCase(),
      type: 'eip155:eoa',
      options: {},
      methods: ['eth_signTransaction'],
      scopes: ['eip155:0'],
      metadata: { name: 'Dev 0', importTime: 0, keyring: { type: 'HD Key Tree' } },
    };
    root.registerActionHandler('AccountsController:getSelectedAccount', () => internalAccount);
    root.registerActionHandler('AccountsController:getState', () => ({
      internalAccounts: { accounts: { [internalAccount.id]: internalAccount }, selectedAccount: internalAccount.id },
    }));
    root.registerActionHandler('RemoteFeatureFlagController:getState', () => ({ remoteFeatureFlags: {}, cacheTimestamp: 0 }));

    const networkMessenger = new Messenger<'NetworkController', any, any, RootMessenger>({ namespace: 'NetworkController', parent: root });
    root.delegate({ messenger: networkMessenger, actions: ['ErrorReportingService:captureException'], events: [] });
    networkController = new NetworkController({
      messenger: networkMessenger,
      infuraProjectId: 'unused',
      getRpcServiceOptions: () => ({ fetch: recordingFetch, btoa }),
      // MetaMask's block tracker polls every 20 s by default; a devnet mines on demand, so poll faster.
      getBlockTrackerOptions: () => ({ pollingInterval: 200 }),
    });

    // "Add network" as the wallet does for a custom RPC, then switch to it (this runs the network lookup).
    const configuration = networkController.addNetwork({
      chainId: CHAIN_ID_HEX,
      name: 'fvm-devnet',
      nativeCurrency: 'tFIL',
      blockExplorerUrls: [],
      defaultRpcEndpointIndex: 0,
      rpcEndpoints: [{ type: RpcEndpointType.Custom, url: node.url, name: 'fvm-devnet' }],
    });
    networkClientId = configuration.rpcEndpoints[0].networkClientId;
    await networkController.setActiveNetwork(networkClientId);
    // The extension keeps the selected network's block tracker running (its account tracker listens to it);
    // without a listener the tracker serves a cached block, and MetaMask's middleware pins 'latest' to it.
    networkController.getNetworkClientById(networkClientId).blockTracker.on('latest', onLatestBlock);

    const approvalMessenger = new Messenger<'ApprovalController', any, any, RootMessenger>({ namespace: 'ApprovalController', parent: root });
    approvalController = new ApprovalController({
      messenger: approvalMessenger,
      showApprovalRequest: () => undefined,
    });

    const gasFeeMessenger = new Messenger<'GasFeeController', any, any, RootMessenger>({ namespace: 'GasFeeController', parent: root });
    root.delegate({
      messenger: gasFeeMessenger,
      actions: ['NetworkController:getState', 'NetworkController:getNetworkClientById', 'NetworkController:getEIP1559Compatibility'],
      events: ['NetworkController:networkDidChange'],
    });
    gasFeeController = new GasFeeController({
      messenger: gasFeeMessenger,
      getProvider: () => {
        const { provider } = networkController.getProviderAndBlockTracker();
        assert.ok(provider, 'the devnet is the selected network');
        return provider;
      },
      getCurrentNetworkEIP1559Compatibility: async () => (await networkController.getEIP1559Compatibility()) ?? false,
      getCurrentNetworkLegacyGasAPICompatibility: () => false,
      // The extension's endpoint; refused here (offlineFetch), as the API fails for a chain it does not know.
      EIP1559APIEndpoint: 'https://gas.api.cx.metamask.io/networks/<chain_id>/suggestedGasFees',
    });

    const txMessenger = new Messenger<'TransactionController', any, any, RootMessenger>({ namespace: 'TransactionController', parent: root });
    root.delegate({
      messenger: txMessenger,
      actions: [
        'AccountsController:getSelectedAccount',
        'AccountsController:getState',
        'ApprovalController:addRequest',
        'NetworkController:findNetworkClientIdByChainId',
        'NetworkController:getNetworkClientById',
        'RemoteFeatureFlagController:getState',
      ],
      events: ['NetworkController:stateChange'],
    });
    transactionController = new TransactionController({
      messenger: txMessenger,
      disableHistory: true,
      disableSendFlowHistory: true,
      disableSwaps: true,
      transactionHistoryLimit: 40,
      getCurrentNetworkEIP1559Compatibility: async () => (await networkController.getEIP1559Compatibility()) ?? false,
      getNetworkClientRegistry: () => networkController.getNetworkClientRegistry(),
      getNetworkState: () => networkController.state,
      getGasFeeEstimates: (options) => gasFeeController.fetchGasFeeEstimates(options),
      getPermittedAccounts: async () => [owner.address.toLowerCase()],
      // These call MetaMask's hosted APIs (simulation, first-time interaction, incoming transactions).
      isSimulationEnabled: () => false,
      isFirstTimeInteractionEnabled: () => false,
      incomingTransactions: { isEnabled: () => false },
      // The keyring: sign the @ethereumjs/tx transaction's hash with an ethers Wallet holding dev key 0.
      sign: async (tx, from) => {
        assert.equal(getAddress(from), owner.address, 'asked to sign for the dev account');
        const signature = owner.signingKey.sign(tx.getHashedMessageToSign());
        return tx.addSignature(BigInt(signature.yParity), BigInt(signature.r), BigInt(signature.s));
      },
      hooks: {},
    });

  });

  after(async () => {
    try {
      if (networkClientId) networkController.getNetworkClientById(networkClientId).blockTracker.removeListener('latest', onLatestBlock);
      transactionController?.destroy();
      gasFeeController?.destroy();
      await networkController?.destroy();
    } finally {
      globalThis.fetch = realFetch;
      await node?.stop();
    }
  });

  /** Adds a transaction from dev account 0 through TransactionController, approves it and waits until it is confirmed. */
  async function sendThroughMetaMask(txParams: { to: string; value?: string; data?: string }): Promise<TransactionMeta> {
    const { result, transactionMeta } = await transactionController.addTransaction(
      { from: owner.address.toLowerCase(), ...txParams },
      { networkClientId, origin: 'metamask', requireApproval: true },
    );
    // The user clicks "Confirm" on the approval request TransactionController raised.
    await until('the approval request', () => (approvalController.has({ id: transactionMeta.id }) ? true : undefined));
    const accepted = approvalController.accept(transactionMeta.id, undefined, { waitForResult: true });
    const hash = await result;
    await accepted;
    assert.match(hash, /^0x[0-9a-f]{64}$/);
    const find = (): TransactionMeta | undefined => transactionController.state.transactions.find((t) => t.id === transactionMeta.id);
    const confirmed = await until('the transaction to be confirmed or fail', () => {
      const meta = find();
      return meta && [TransactionStatus.confirmed, TransactionStatus.failed, TransactionStatus.dropped].includes(meta.status) ? meta : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; status ${find()?.status}; last requests: ${rpcLogTail()}`);
    });
    assert.equal(confirmed.status, TransactionStatus.confirmed, `status ${confirmed.status}: ${JSON.stringify('error' in confirmed ? confirmed.error : undefined)}; last requests: ${rpcLogTail()}`);
    assert.equal(confirmed.hash, hash);
    return confirmed;
  }

  test('NetworkController looks the custom network up as available and EIP-1559', async () => {
    assert.equal(networkController.state.selectedNetworkClientId, networkClientId);
    const metadata = networkController.state.networksMetadata[networkClientId];
    assert.equal(metadata?.status, 'available', `lookup: ${JSON.stringify(metadata)}; requests: ${rpcLogTail()}`);
    assert.equal(metadata?.EIPS[1559], true);
    assert.equal(await networkController.getEIP1559Compatibility(networkClientId), true);
    const { provider } = networkController.getNetworkClientById(networkClientId);
    assert.equal(await provider.request({ method: 'eth_chainId' }), CHAIN_ID_HEX);
    assert.equal(Number(CHAIN_ID_HEX), DEVNET_CHAIN_ID);
    assert.deepEqual(otherRpcUrls, []);
  });

  test("reads dev account 0's balance through the controller's provider", async () => {
    const { provider } = networkController.getNetworkClientById(networkClientId);
    const balance = BigInt((await provider.request({ method: 'eth_getBalance', params: [owner.address, 'latest'] })) as string);
    assert.ok(balance > 10n ** 21n, `balance ${balance}`);
  });

  test('GasFeeController falls back to eth_gasPrice on the custom network', async () => {
    const state = await gasFeeController.fetchGasFeeEstimates({ networkClientId });
    assert.equal(state.gasEstimateType, 'eth_gasPrice', JSON.stringify(state));
    assert.ok(hostedApiUrls.includes('https://gas.api.cx.metamask.io/networks/31415926/suggestedGasFees'), 'tried the gas API first');
    const gasPrice = (state.gasFeeEstimates as { gasPrice: string }).gasPrice;
    // In gwei, as MetaMask keeps it: the devnet's base fee (>= 1e8 attoFIL = 0.1 gwei) plus its premium.
    assert.ok(Number(gasPrice) > 0.1, `gasPrice ${gasPrice} gwei`);
  });

  test('TransactionController sends a 1559 value transfer and sees it confirmed', async () => {
    const reader = new JsonRpcProvider(node.url, DEVNET_CHAIN_ID, { staticNetwork: true });
    try {
      const value = 10n ** 18n;
      const before = await reader.getBalance(owner.address);
      const meta = await sendThroughMetaMask({ to: recipient.toLowerCase(), value: '0x' + value.toString(16) });
      assert.equal(meta.txParams.type, '0x2', 'sent as an EIP-1559 transaction');
      assert.ok(meta.txParams.maxFeePerGas && meta.txParams.maxPriorityFeePerGas, JSON.stringify(meta.txParams));
      assert.ok(BigInt(meta.txParams.gas!) > 21_000n, `gas limit in Filecoin units: ${meta.txParams.gas}`);
      assert.equal(meta.txReceipt?.status, '0x1');
      assert.equal(await reader.getBalance(recipient), value);
      const spent = before - (await reader.getBalance(owner.address));
      assert.ok(spent > value, `spent ${spent} = value + fees`);
      const receipt = await reader.getTransactionReceipt(meta.hash!);
      assert.equal(receipt?.status, 1);
      assert.equal(receipt?.type, 2);
    } finally {
      reader.destroy();
    }
  });

  test('TransactionController calls a contract (Counter.increment) and sees it confirmed', async () => {
    const { Counter } = await compileFixtures();
    const reader = new JsonRpcProvider(node.url, DEVNET_CHAIN_ID, { staticNetwork: true });
    try {
      // Deployed by another dev account with ethers, so MetaMask's nonce for account 0 stays its own.
      const deployer = new Wallet(DEV_ACCOUNTS[1].privateKey, reader);
      const deployed = await new ContractFactory(Counter.abi, Counter.bytecode, deployer).deploy();
      await deployed.waitForDeployment();
      const address = await deployed.getAddress();
      const deployBlock = (await deployed.deploymentTransaction()!.wait())!.blockNumber;
      // As a user would: the wallet has seen the block with the deployment before the call is made (MetaMask
      // reads the recipient's code at the block its tracker last saw, to tell a contract call from a send).
      await until('the block tracker to reach the deployment', () => (latestSeen >= deployBlock ? true : undefined));
      const counter = new Contract(address, Counter.abi, reader);
      assert.equal(await counter.getFunction('count')(), 0n);

      const data = counter.interface.encodeFunctionData('increment');
      const meta = await sendThroughMetaMask({ to: address.toLowerCase(), data });
      assert.equal(meta.type, 'contractInteraction');
      assert.equal(meta.txParams.type, '0x2');
      assert.equal(meta.txReceipt?.status, '0x1');
      assert.equal(await counter.getFunction('count')(), 1n);
      const receipt = await reader.getTransactionReceipt(meta.hash!);
      assert.equal(receipt?.logs.length, 1, 'Incremented event');
      assert.deepEqual(otherRpcUrls, [], 'every JSON-RPC request went to the devnet');
      for (const url of hostedApiUrls) assert.equal(new URL(url).host, 'gas.api.cx.metamask.io', url);
    } finally {
      reader.destroy();
    }
  });

  // Lotus's pool replaces a pending message only for a premium of at least floor(1.1 × the old) + 1
  // (chain/messagepool/messagepool.go, ComputeMinRBF); TransactionController's speed-up and cancel
  // multiply the fees by exactly 1.1 (SPEED_UP_RATE, CANCEL_RATE; utils/retry.cjs rounds down).
  test('Speed up (exactly 10 % more) is refused as Lotus refuses it; a speed-up by 25 % replaces the transaction', async () => {
    const reader = new JsonRpcProvider(node.url, DEVNET_CHAIN_ID, { staticNetwork: true });
    try {
      // Manual mining, so that the transaction waits in the pool as it does on calibnet for up to 30 s.
      await reader.send('evm_setAutomine', [false]);
      const { result, transactionMeta } = await transactionController.addTransaction(
        { from: owner.address.toLowerCase(), to: recipient.toLowerCase(), value: '0x1' },
        { networkClientId, origin: 'metamask', requireApproval: true },
      );
      await until('the approval request', () => (approvalController.has({ id: transactionMeta.id }) ? true : undefined));
      const accepted = approvalController.accept(transactionMeta.id, undefined, { waitForResult: true });
      const hash = await result;
      await accepted;
      assert.equal((await reader.getTransaction(hash))?.blockNumber, null, 'the transaction is pending');
      const { maxFeePerGas, maxPriorityFeePerGas, nonce } = transactionController.state.transactions.find((t) => t.id === transactionMeta.id)!.txParams;
      const premium = BigInt(maxPriorityFeePerGas!);

      await assert.rejects(
        transactionController.speedUpTransaction(transactionMeta.id),
        (error: Error) => {
          // MetaMask's provider wraps the node's error: "Internal JSON-RPC error.", the node's in its data.
          const wanted = `increase GasPremium to ${(premium * 110n) / 100n + 1n} from ${(premium * 11n) / 10n} to trigger replace by fee: replace by fee has too low GasPremium`;
          assert.ok(inspect(error, { depth: 6 }).includes(wanted), `${inspect(error, { depth: 6 })}\nlast requests: ${rpcLogTail()}`);
          return true;
        },
      );

      const raise = (hex: string): string => '0x' + ((BigInt(hex) * 125n) / 100n).toString(16);
      await transactionController.speedUpTransaction(transactionMeta.id, { maxFeePerGas: raise(maxFeePerGas!), maxPriorityFeePerGas: raise(maxPriorityFeePerGas!) });
      const speedUp = transactionController.state.transactions.find((t) => t.type === 'retry' && t.txParams.nonce === nonce && t.hash);
      assert.ok(speedUp?.hash, `no speed-up transaction: ${inspect(transactionController.state.transactions.map((t) => [t.type, t.status, t.txParams.nonce, t.hash]))}`);
      // Automatic mining again mines the pool: the speed-up, not the transaction it replaced.
      await reader.send('evm_setAutomine', [true]);
      assert.equal((await reader.getTransactionReceipt(speedUp.hash))?.status, 1);
      assert.equal(await reader.getTransactionReceipt(hash), null, 'the replaced transaction was mined');
      assert.equal((await reader.getTransaction(speedUp.hash))?.maxPriorityFeePerGas, (premium * 125n) / 100n);
    } finally {
      await reader.send('evm_setAutomine', [true]);
      reader.destroy();
    }
  });
});
