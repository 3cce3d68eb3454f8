// End to end with web3.js 4, set up as its quickstart sets it up (`new Web3(url)`, node-signed sends
// from eth_accounts, a local wallet, `new web3.eth.Contract(abi).deploy({ data }).send({ from })`),
// against the devnet CLI on a real port.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { getCreateAddress, verifyTypedData } from 'ethers';
import { ContractExecutionError, TransactionRevertedWithoutReasonError, Web3 } from 'web3';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, pollUntil, within } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const WAIT_MS = 10_000;

describe('web3.js 4 against the devnet CLI', () => {
  const devnet = useDevnet();
  let web3: Web3;
  let counter: CompiledContract;
  let from: string;

  before(async () => {
    counter = (await compileFixtures()).Counter!;
    web3 = new Web3(devnet.url);
    from = (await web3.eth.getAccounts())[0]!;
  });

  /** Deploys Counter as web3's docs do, signed by the node for a dev account or by web3's wallet. */
  async function deployCounter(sender = from) {
    const deployed = await new web3.eth.Contract(counter.abi).deploy({ data: counter.bytecode }).send({ from: sender });
    assert.ok(deployed.options.address, 'deployed address');
    return new web3.eth.Contract(counter.abi, deployed.options.address);
  }

  test('chain id, network id and the dev accounts', async () => {
    assert.equal(await web3.eth.getChainId(), BigInt(DEVNET_CHAIN_ID));
    assert.equal(await web3.eth.net.getId(), BigInt(DEVNET_CHAIN_ID));
    assert.deepEqual(await web3.eth.getAccounts(), DEV_ACCOUNTS.map((a) => a.address));
    // EIP-1102's request (eth_requestAccounts), as Anvil and Hardhat answer it (U84).
    assert.deepEqual(await web3.eth.requestAccounts(), DEV_ACCOUNTS.map((a) => a.address.toLowerCase()));
  });

  test('a node-signed sendTransaction from a dev account moves value and resolves with its receipt', async () => {
    const to = web3.eth.accounts.create().address;
    const value = web3.utils.toWei('1.5', 'ether');
    const before = await web3.eth.getBalance(from);
    const receipt = await web3.eth.sendTransaction({ from, to, value });
    assert.equal(receipt.status, 1n);
    assert.equal(receipt.from, from.toLowerCase());
    assert.equal(await web3.eth.getBalance(to), BigInt(value));
    const fee = before - (await web3.eth.getBalance(from)) - BigInt(value);
    assert.ok(fee > 0n, `fee ${fee}`);
    // Filecoin gas: millions, not Ethereum's 21 000 (web3 asked the node's estimate).
    assert.ok(BigInt(receipt.gasUsed) > 1_000_000n, `gasUsed ${receipt.gasUsed}`);
  });

  // What web3 wraps but Lotus's API (api/api_full.go) does not have: -32601 naming the method, as calibnet answers (W7).
  test('web3 methods for what Lotus does not serve (coinbase, mining, hash rate, peers, pending list, access lists, personal) answer method not found', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['eth_coinbase', () => web3.eth.getCoinbase()],
      ['eth_mining', () => web3.eth.isMining()],
      ['eth_hashrate', () => web3.eth.getHashRate()],
      ['net_peerCount', () => web3.eth.net.getPeerCount()],
      ['eth_pendingTransactions', () => web3.eth.getPendingTransactions()],
      ['eth_createAccessList', () => web3.eth.createAccessList({ from, to: from })],
      ['personal_listAccounts', () => web3.eth.personal.getAccounts()],
    ];
    for (const [method, call] of calls) {
      await assert.rejects(call(), (err: { code?: number; message?: string; cause?: { code?: number; message?: string } }) => {
        const rpc = err.cause ?? err;
        assert.equal(rpc.code, -32601, `${method}: ${JSON.stringify(rpc)}`);
        assert.equal(rpc.message, `method '${method}' not found`);
        return true;
      });
    }
  });

  // web3's own smart-contract tutorial sends with `gasPrice` and no type: web3 infers type 0x0 and the
  // node signs a legacy EIP-155 transaction, as Anvil and geth do, the same one web3's wallet would (W2).
  test('a node-signed send and signTransaction with a gasPrice are legacy transactions', async () => {
    const to = web3.eth.accounts.create().address;
    const gasPrice = await web3.eth.getGasPrice();
    const receipt = await web3.eth.sendTransaction({ from, to, value: 1n, gasPrice });
    assert.equal(receipt.status, 1n);
    assert.equal(receipt.type, 0n);
    const tx = await web3.eth.getTransaction(receipt.transactionHash);
    assert.equal(tx.type, 0n);
    assert.equal(tx.gasPrice, gasPrice);
    const signed = await web3.eth.signTransaction({ from, to, value: 1n, gasPrice, gas: 3_000_000n });
    assert.equal(signed.tx.type, 0n);
    assert.equal(signed.tx.gasPrice, gasPrice);
    assert.ok([2n * 31415926n + 35n, 2n * 31415926n + 36n].includes(BigInt(signed.tx.v!)), `EIP-155 v ${signed.tx.v}`);
    assert.match(signed.raw, /^0xf8/);
  });

  test('web3.eth.accounts.wallet signs locally; what Lotus refuses is refused from the wallet and the node alike', async () => {
    const [account] = web3.eth.accounts.wallet.add(DEV_ACCOUNTS[1]!.privateKey);
    const to = web3.eth.accounts.create().address;
    // web3 fills the nonce, the gas (eth_estimateGas) and EIP-1559 fees itself.
    const receipt = await web3.eth.sendTransaction({ from: account!.address, to, value: 1000n });
    assert.equal(receipt.status, 1n);
    const tx = await web3.eth.getTransaction(receipt.transactionHash);
    assert.equal(tx.from, account!.address.toLowerCase());
    assert.equal(tx.type, 2n);
    // A legacy transaction (gasPrice given) is kept as one, as Lotus keeps it.
    const legacy = await web3.eth.sendTransaction({ from: account!.address, to, value: 1000n, gasPrice: await web3.eth.getGasPrice() });
    assert.equal(legacy.status, 1n);
    assert.equal((await web3.eth.getTransaction(legacy.transactionHash)).type, 0n);
    assert.equal(await web3.eth.getBalance(to), 2000n);

    // Lotus refuses EIP-2930 transactions (web3's type 1, its choice for an access list with a gas
    // price) and EIP-1559 ones with a non-empty access list: signed by web3's wallet or by the node
    // alike, so that what fails on calibnet fails here.
    const accessList = [{ address: to, storageKeys: [] }];
    const gasPrice = await web3.eth.getGasPrice();
    for (const sender of [account!.address, from]) {
      await assert.rejects(async () => void (await web3.eth.sendTransaction({ from: sender, to, value: 1n, accessList, type: 1, gasPrice })), /EIP-2930 transaction is not supported/);
      await assert.rejects(async () => void (await web3.eth.sendTransaction({ from: sender, to, value: 1n, accessList, type: 2 })), /access list should be an empty list/);
    }
    assert.equal(await web3.eth.getBalance(to), 2000n);
  });

  test('deploys Counter at the CREATE address, then calls, estimates and sends', async () => {
    const nonce = await web3.eth.getTransactionCount(from);
    const contract = await deployCounter();
    assert.equal(contract.options.address, getCreateAddress({ from, nonce }));
    assert.equal(await web3.eth.getCode(contract.options.address!), counter.deployedBytecode);

    const gas = await contract.methods.increment().estimateGas({ from });
    assert.ok(gas > 1_000_000n, `estimate ${gas}`);
    const receipt = await contract.methods.increment().send({ from });
    assert.equal(receipt.status, 1n);
    const event = receipt.events?.Incremented;
    assert.ok(event, 'Incremented in the receipt');
    assert.equal(event.returnValues.by, from);
    assert.equal(event.returnValues.newCount, 1n);
    assert.equal(await contract.methods.count().call(), 1n);

    // Deployed and called from web3's wallet.
    const [account] = web3.eth.accounts.wallet.add(DEV_ACCOUNTS[2]!.privateKey);
    const own = await deployCounter(account!.address);
    await own.methods.increment().send({ from: account!.address });
    assert.equal(await own.methods.count().call(), 1n);
  });

  test('reverts are ContractExecutionError with the revert data, decoded by web3', async () => {
    const contract = await deployCounter();
    const expectedData = web3.eth.abi.encodeFunctionSignature('TooLarge(uint256,uint256)') + web3.eth.abi.encodeParameters(['uint256', 'uint256'], [5000, 1000]).slice(2);

    /** The JSON-RPC error (Lotus's code 3 and data) that web3 decoded, from its ContractExecutionError. */
    const executionError = (err: unknown): any => {
      assert.ok(err instanceof ContractExecutionError, (err as Error)?.constructor?.name);
      return err.innerError;
    };
    await assert.rejects(async () => void (await contract.methods.fail().call()), (err) => {
      const inner = executionError(err);
      assert.equal(inner.code, 3);
      assert.match(inner.message, /^message execution failed \(exit=\[33\], revert reason=\[Error\(nope\)\]/);
      assert.equal(inner.errorName, 'Error');
      assert.equal(inner.errorArgs.message, 'nope');
      return true;
    });
    const tooLarge = (err: unknown) => {
      const inner = executionError(err);
      assert.equal(inner.data, expectedData);
      assert.equal(inner.errorName, 'TooLarge');
      assert.equal(inner.errorArgs.value, 5000n);
      assert.equal(inner.errorArgs.max, 1000n);
      return true;
    };
    await assert.rejects(async () => void (await contract.methods.set(5000).call({ from })), tooLarge);
    // A send fails at its gas estimate with the same error, node-signed or from web3's wallet.
    await assert.rejects(async () => void (await contract.methods.set(5000).send({ from })), tooLarge);
    const [account] = web3.eth.accounts.wallet.add(DEV_ACCOUNTS[3]!.privateKey);
    await assert.rejects(async () => void (await contract.methods.set(5000).send({ from: account!.address })), tooLarge);
    // Given its own gas, it is mined and fails on chain: status 0, which web3 reports.
    await assert.rejects(async () => void (await contract.methods.set(5000).send({ from, gas: '30000000' })), (err: any) => {
      assert.ok(err instanceof TransactionRevertedWithoutReasonError, err?.constructor?.name);
      assert.equal(err.receipt.status, 0n);
      return true;
    });
  });

  test('getPastLogs and getPastEvents find the events', async () => {
    const contract = await deployCounter();
    await contract.methods.increment().send({ from });
    await contract.methods.deposit().send({ from, value: '7' });
    const address = contract.options.address!;
    const logs = await web3.eth.getPastLogs({ address, fromBlock: 'earliest', toBlock: 'latest' });
    assert.equal(logs.length, 2);
    const events = await contract.getPastEvents('allEvents', { fromBlock: 0 });
    assert.deepEqual(events.map((e: any) => e.event), ['Incremented', 'Deposited']);
    const deposits = await contract.getPastEvents('Deposited', { filter: { from }, fromBlock: 0 });
    assert.equal((deposits[0] as any).returnValues.amount, 7n);
  });

  test('over WebSocket: contract events, new block headers, and confirmations from newHeads', async () => {
    const ws = new Web3(devnet.wsUrl);
    try {
      const contract = await deployCounter();
      const watched = new ws.eth.Contract(counter.abi, contract.options.address);
      const seen: bigint[] = [];
      const events = watched.events.Incremented();
      events.on('data', (event: any) => void seen.push(event.returnValues.newCount));
      await within('the events subscription', WAIT_MS, new Promise((resolve) => events.on('connected', resolve)));
      const heads = await ws.eth.subscribe('newBlockHeaders');
      const headNumbers: bigint[] = [];
      heads.on('data', (head) => void headNumbers.push(BigInt(head.number!)));

      const first = await contract.methods.increment().send({ from });
      await contract.methods.increment().send({ from });
      await pollUntil('both Incremented events', async () => (seen.length >= 2 ? true : undefined));
      assert.deepEqual(seen, [1n, 2n]);
      await pollUntil('the new block headers', async () => (headNumbers.includes(first.blockNumber as bigint) ? true : undefined));

      // A 'confirmation' listener over WebSocket counts the blocks newHeads announces.
      const confirmations: bigint[] = [];
      const sending = ws.eth.sendTransaction({ from, to: from, value: 1n });
      sending.on('confirmation', ({ confirmations: n }) => void confirmations.push(BigInt(n)));
      await sending;
      await web3.eth.sendTransaction({ from, to: from, value: 1n });
      await pollUntil('a second confirmation', async () => (confirmations.some((n) => n >= 2n) ? true : undefined));
      await events.unsubscribe();
      await heads.unsubscribe();
    } finally {
      ws.provider?.disconnect();
    }
  });

  test('eth_signTypedData_v4 and eth_sign with a dev account', async () => {
    const chainId = Number(await web3.eth.getChainId());
    const typedData = {
      types: {
        EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'chainId', type: 'uint256' }],
        Mail: [{ name: 'contents', type: 'string' }],
      },
      primaryType: 'Mail',
      domain: { name: 'fvm-devnet', chainId },
      message: { contents: 'hello' },
    };
    const signature = await web3.eth.signTypedData(from, typedData);
    assert.equal(verifyTypedData({ name: 'fvm-devnet', chainId }, { Mail: typedData.types.Mail }, typedData.message, signature as string), from);
    const signed = await web3.eth.sign(web3.utils.utf8ToHex('hello'), from);
    assert.equal(web3.eth.accounts.recover('hello', signed as string), from);
  });

  test('getFeeHistory, gas price and the fee data web3 computes', async () => {
    await web3.eth.sendTransaction({ from, to: from, value: 1n });
    const head = await web3.eth.getBlockNumber();
    const history = await web3.eth.getFeeHistory(2, head, [25, 75]);
    assert.equal(history.oldestBlock, head - 1n);
    // Lotus repeats the newest base fee for the block after it (deferred execution).
    assert.equal(history.baseFeePerGas.length, 3);
    assert.equal(history.baseFeePerGas[2], history.baseFeePerGas[1]);
    assert.equal(history.gasUsedRatio.length, 2);
    assert.equal(history.reward.length, 2);
    assert.equal(history.reward[0]!.length, 2);
    const block = await web3.eth.getBlock('latest');
    const premium = await web3.eth.getMaxPriorityFeePerGas();
    assert.equal(await web3.eth.getGasPrice(), block.baseFeePerGas! + premium);
    const fees = await web3.eth.calculateFeeData();
    assert.equal(fees.maxPriorityFeePerGas, premium);
    assert.equal(fees.maxFeePerGas, block.baseFeePerGas! * 2n + premium);
  });
});
