// End to end with ethers 5 (what fevm-hardhat-kit, hardhat-deploy and older dApp templates use), set up
// as its docs set it up: JsonRpcProvider, provider.getSigner(), a Wallet, ContractFactory, tx.wait(),
// WebSocketProvider; against the devnet CLI on a real port.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ethers } from 'ethers5';
import { FilAddress } from '../../src/common/address.js';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, pollUntil, within } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const { BigNumber, utils } = ethers;
const WAIT_MS = 10_000;

/**
 * The revert bytes of a Lotus execution error (JSON-RPC code 3), however deep ethers 5 wrapped it: the
 * README's workaround, since ethers 5 looks for them only in messages that contain "reverted".
 */
function revertData(err: any): string | undefined {
  for (let e = err; e; e = e.error) if (e.code === 3 && typeof e.data === 'string') return e.data;
  return undefined;
}

describe('ethers 5 against the devnet CLI', () => {
  const devnet = useDevnet();
  let provider: ethers.providers.JsonRpcProvider;
  let signer: ethers.providers.JsonRpcSigner;
  let wallet: ethers.Wallet;
  let counter: CompiledContract;

  before(async () => {
    counter = (await compileFixtures()).Counter!;
    provider = new ethers.providers.JsonRpcProvider(devnet.url);
    signer = provider.getSigner();
    wallet = new ethers.Wallet(DEV_ACCOUNTS[1]!.privateKey, provider);
  });

  async function deployCounter(by: ethers.Signer = signer): Promise<ethers.Contract> {
    const contract = await new ethers.ContractFactory(counter.abi, counter.bytecode, by).deploy();
    await contract.deployed();
    return contract;
  }

  test('the network, and getSigner() is the first dev account', async () => {
    const network = await provider.getNetwork();
    assert.equal(network.chainId, DEVNET_CHAIN_ID);
    assert.equal(await signer.getAddress(), DEV_ACCOUNTS[0]!.address);
    assert.deepEqual(await provider.listAccounts(), DEV_ACCOUNTS.map((a) => a.address));
  });

  test('getFeeData follows ethers 5\'s own rule: 1.5 gwei premium, twice the base fee on top', async () => {
    const block = await provider.getBlock('latest');
    const fees = await provider.getFeeData();
    assert.ok(block.baseFeePerGas, 'baseFeePerGas');
    assert.ok(fees.lastBaseFeePerGas!.eq(block.baseFeePerGas));
    assert.ok(fees.maxPriorityFeePerGas!.eq(utils.parseUnits('1.5', 'gwei')));
    assert.ok(fees.maxFeePerGas!.eq(block.baseFeePerGas.mul(2).add(fees.maxPriorityFeePerGas!)));
    assert.ok(fees.gasPrice!.eq(await provider.send('eth_gasPrice', [])));
  });

  test('sends from getSigner() and from a Wallet, and tx.wait() returns the receipt', async () => {
    const to = ethers.Wallet.createRandom().address;
    const fromSigner = await signer.sendTransaction({ to, value: utils.parseEther('1') });
    const receipt = await fromSigner.wait();
    assert.equal(receipt.status, 1);
    assert.ok(receipt.confirmations >= 1, `confirmations ${receipt.confirmations}`);
    assert.equal(receipt.from, DEV_ACCOUNTS[0]!.address);

    const before = await wallet.getBalance();
    const fromWallet = await wallet.sendTransaction({ to, value: 1000 });
    assert.equal(fromWallet.type, 2);
    const walletReceipt = await fromWallet.wait();
    assert.equal(walletReceipt.status, 1);
    const fee = before.sub(await wallet.getBalance()).sub(1000);
    // Filecoin pays the premium on the whole gas limit: ethers 5's 1.5 gwei makes it about a
    // hundredth of a tFIL, as on calibnet.
    assert.ok(fee.gte(fromWallet.maxPriorityFeePerGas!.mul(fromWallet.gasLimit)), `fee ${fee}`);

    const legacy = await wallet.sendTransaction({ to, value: 1000, type: 0 });
    assert.equal((await legacy.wait()).status, 1);
    assert.ok((await provider.getBalance(to)).eq(utils.parseEther('1').add(2000)));

    // waitForTransaction, as hardhat-deploy waits.
    const sent = await wallet.sendTransaction({ to, value: 1 });
    const waited = await provider.waitForTransaction(sent.hash, 1, WAIT_MS);
    assert.equal(waited.transactionHash, sent.hash);
    assert.equal(waited.status, 1);
  });

  test("FilForwarder's forward from a 0x account, as docs.filecoin.io's filforwarder page and its `forward` task send it", async () => {
    // FILCAT/FilForwarder's tasks/forward.js: the destination's address bytes, the value in FIL, at the
    // address every Filecoin network has it (the devnet from genesis). The page's examples: a new t3,
    // an existing account, and an ID address with no actor, which reverts at the estimate.
    const forwarder = new ethers.Contract('0x2b3ef6906429b580b7b2080de5ca893bc282c225', ['function forward(bytes destination) payable'], wallet);
    const t3 = 't3tejq3lb3szsq7spvttqohsfpsju2jof2dbive2qujgz2idqaj2etuolzgbmro3owsmpuebmoghwxgt6ricvq';
    const t1 = await provider.send('Filecoin.WalletNew', ['secp256k1']);
    for (const [destination, amount] of [[t3, '9.0'], [t1, '42.5']] as const) {
      const tx = await forwarder.forward(FilAddress.parse(destination).bytes, { value: utils.parseEther(amount) });
      assert.equal((await tx.wait()).status, 1);
      assert.equal(await provider.send('Filecoin.WalletBalance', [destination]), utils.parseEther(amount).toString());
    }
    await assert.rejects(forwarder.forward(FilAddress.parse('t010135').bytes, { value: utils.parseEther('1') }), (err: any) => err.code === 'UNPREDICTABLE_GAS_LIMIT');
  });

  test('ContractFactory deploys Counter at the CREATE address; calls, estimates and events', async () => {
    const nonce = await signer.getTransactionCount();
    const contract = await deployCounter();
    assert.equal(contract.address, utils.getContractAddress({ from: DEV_ACCOUNTS[0]!.address, nonce }));
    assert.equal(await provider.getCode(contract.address), counter.deployedBytecode);
    const deployment = await contract.deployTransaction.wait();
    assert.equal(deployment.contractAddress, contract.address);

    const gas = await contract.estimateGas.increment!();
    assert.ok(gas.gt(1_000_000), `estimate ${gas}`);
    assert.ok((await contract.callStatic.increment!()).eq(1));
    const receipt = await (await contract.increment!()).wait();
    const event = receipt.events?.find((e: ethers.Event) => e.event === 'Incremented');
    assert.equal(event?.args?.by, DEV_ACCOUNTS[0]!.address);
    assert.ok(event?.args?.newCount.eq(1));
    assert.ok((await contract.count!()).eq(1));

    const fromWallet = await deployCounter(wallet);
    await (await fromWallet.increment!()).wait();
    assert.ok((await fromWallet.count!()).eq(1));

    const logs = await provider.getLogs({ address: contract.address, fromBlock: 0, topics: [contract.interface.getEventTopic('Incremented')] });
    assert.equal(logs.length, 1);
    assert.ok(contract.interface.parseLog(logs[0]!).args.newCount.eq(1));
    assert.equal((await contract.queryFilter(contract.filters.Incremented!(), 0)).length, 1);
  });

  test("reverts: ethers 5 decodes a call's revert data, which Lotus's error message carries; a send's is in the error it wraps", async () => {
    const contract = await deployCounter();
    const tooLarge = contract.interface.encodeErrorResult('TooLarge', [5000, 1000]);

    // eth_call: Lotus's message names the contract as reverted ("… contract reverted at <pc> (33)"),
    // which is what ethers 5 looks for before it takes the JSON-RPC error's data as revert data.
    await assert.rejects(contract.callStatic.set!(5000), (err: any) => {
      assert.equal(err.code, 'CALL_EXCEPTION');
      assert.equal(err.data, tooLarge);
      assert.equal(err.errorName, 'TooLarge');
      assert.deepEqual(err.errorArgs.map(String), ['5000', '1000']);
      return true;
    });
    await assert.rejects(contract.fail!(), (err: any) => {
      assert.equal(err.code, 'CALL_EXCEPTION');
      // Error(string): ethers 5 reads its argument as the reason.
      assert.equal(err.reason, 'nope');
      assert.equal(err.data.slice(0, 10), '0x08c379a0');
      return true;
    });
    // A send fails at its estimate: UNPREDICTABLE_GAS_LIMIT, from getSigner() or a Wallet.
    for (const from of [signer, wallet]) {
      await assert.rejects(contract.connect(from).set!(5000), (err: any) => {
        assert.equal(err.code, 'UNPREDICTABLE_GAS_LIMIT');
        assert.equal(revertData(err), tooLarge);
        return true;
      });
    }
    // Given its own gas limit, it is mined with status 0 and wait() throws, as on Ethereum.
    const tx = await contract.connect(wallet).set!(5000, { gasLimit: 30_000_000 });
    await assert.rejects(tx.wait(), (err: any) => {
      assert.equal(err.code, 'CALL_EXCEPTION');
      assert.equal(err.receipt.status, 0);
      return true;
    });
  });

  test('WebSocketProvider: contract events and new blocks', async () => {
    const ws = new ethers.providers.WebSocketProvider(devnet.wsUrl);
    try {
      const contract = await deployCounter();
      const seen: string[] = [];
      const blocks: number[] = [];
      contract.connect(ws).on('Incremented', (by: string, newCount: ethers.BigNumber) => void seen.push(`${by} ${newCount}`));
      ws.on('block', (n: number) => void blocks.push(n));
      // ethers subscribes as it gets the listeners: wait until the node has both subscriptions.
      await pollUntil('the two eth_subscribe calls', async () => (devnet.output().split('eth_subscribe').length > 2 ? true : undefined));
      const first = await (await contract.increment!()).wait();
      await (await contract.increment!()).wait();
      const by = DEV_ACCOUNTS[0]!.address;
      await pollUntil('both Incremented events', async () => (seen.length >= 2 ? true : undefined));
      assert.deepEqual(seen, [`${by} 1`, `${by} 2`]);
      await pollUntil('the block events', async () => (blocks.includes(first.blockNumber) ? true : undefined));
    } finally {
      await within('the WebSocket to close', WAIT_MS, ws.destroy());
    }
  });

  test('_signTypedData and signMessage with getSigner()', async () => {
    const domain = { name: 'fvm-devnet', version: '1', chainId: DEVNET_CHAIN_ID };
    const types = { Mail: [{ name: 'contents', type: 'string' }] };
    const signature = await signer._signTypedData(domain, types, { contents: 'hello' });
    assert.equal(utils.verifyTypedData(domain, types, { contents: 'hello' }, signature), DEV_ACCOUNTS[0]!.address);
    assert.equal(utils.verifyMessage('hello', await signer.signMessage('hello')), DEV_ACCOUNTS[0]!.address);
    assert.ok(BigNumber.from(await provider.send('eth_chainId', [])).eq(DEVNET_CHAIN_ID));
  });
});
