// The JSON-RPC sequence MetaMask's controllers send to a custom network (observed with
// network-controller 25, gas-fee-controller 25 and transaction-controller 61; see
// shared/reference/tool-quirks.md), replayed against the devnet CLI request by request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Interface, Wallet } from 'ethers';
import { compileFixtures } from '../helpers/solc.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { useDevnet } from '../helpers/use-devnet.js';

describe('MetaMask request sequence', () => {
  const node = useDevnet();
  let id = 0;
  const rpc = async (method: string, params: unknown[] = []): Promise<any> => {
    const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    const body = (await res.json()) as { result?: unknown; error?: { message: string } };
    assert.equal(body.error, undefined, `${method}: ${body.error?.message}`);
    return body.result;
  };
  const wallet = new Wallet(DEV_ACCOUNTS[1].privateKey);

  /** What MetaMask does for one transaction, from gas estimate to confirmation; returns the receipt. */
  async function sendLikeMetaMask(to: string, data: string, value: bigint) {
    await rpc('eth_getCode', [to, 'latest']);
    const block = await rpc('eth_getBlockByNumber', ['latest', false]);
    const gas = await rpc('eth_estimateGas', [{ from: wallet.address, to, data, value: '0x' + value.toString(16) }]);
    // Without its hosted gas API, MetaMask prices from eth_gasPrice; on an EIP-1559 network it uses it as both caps.
    const gasPrice = BigInt(await rpc('eth_gasPrice'));
    assert.ok(gasPrice > BigInt(block.baseFeePerGas));
    const nonce = Number(await rpc('eth_getTransactionCount', [wallet.address, 'pending']));
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: 31415926n,
      nonce,
      to,
      data,
      value,
      gasLimit: BigInt(gas),
      maxFeePerGas: gasPrice,
      maxPriorityFeePerGas: gasPrice - BigInt(block.baseFeePerGas),
    });
    const hash = await rpc('eth_sendRawTransaction', [raw]);
    // MetaMask polls the receipt, the block number and the receipt's block until confirmed.
    let receipt: any = null;
    for (let i = 0; i < 50 && !receipt; i++) receipt = await rpc('eth_getTransactionReceipt', [hash]);
    assert.ok(receipt, 'receipt available');
    await rpc('eth_blockNumber');
    const minedIn = await rpc('eth_getBlockByHash', [receipt.blockHash, false]);
    assert.ok(minedIn.transactions.includes(hash));
    return receipt;
  }

  test('adding the network detects EIP-1559 from the latest block', async () => {
    const number = await rpc('eth_blockNumber');
    const block = await rpc('eth_getBlockByNumber', [number, false]);
    assert.match(block.baseFeePerGas, /^0x[0-9a-f]+$/);
    assert.equal(await rpc('eth_chainId'), '0x1df5e76');
    assert.equal(BigInt(await rpc('eth_getBalance', [wallet.address, 'latest'])), 10_000n * 10n ** 18n);
  });

  test('a type-2 FIL transfer goes through and confirms', async () => {
    const receipt = await sendLikeMetaMask(DEV_ACCOUNTS[7].address, '0x', 10n ** 15n);
    assert.equal(receipt.status, '0x1');
  });

  test('a contract call goes through and confirms', async () => {
    const { Counter } = await compileFixtures();
    const deploy = await new Wallet(DEV_ACCOUNTS[2].privateKey).signTransaction({
      type: 2,
      chainId: 31415926n,
      nonce: 0,
      data: Counter.bytecode,
      gasLimit: 500_000_000n,
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 200_000n,
    });
    const deployHash = await rpc('eth_sendRawTransaction', [deploy]);
    const counter = (await rpc('eth_getTransactionReceipt', [deployHash])).contractAddress;
    const receipt = await sendLikeMetaMask(counter, new Interface(Counter.abi).encodeFunctionData('increment'), 0n);
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.logs.length, 1);
  });
});
