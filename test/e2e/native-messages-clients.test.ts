// A tipset that holds native Filecoin messages beside an Ethereum transaction, as calibnet's blocks
// do all the time, read the way an indexer or explorer reads every transaction of a block: viem's
// getBlock({ includeTransactions: true }) and getBlockReceipts, ethers' getBlock(n, true) and
// web3.js's getBlock(n, true). Each message is a transaction of the block, as Lotus shows it
// (node/impl/eth ethTxFromNativeMessage): its Ethereum hash, the masked ID of an f1 sender or
// receiver, the eth address of an f410 receiver, a type-2 envelope with a zero signature and the
// method as handle_filecoin_method(method, codec, params) calldata.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JsonRpcProvider } from 'ethers';
import { createPublicClient, http, type Hex } from 'viem';
import { Web3 } from 'web3';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { rawRpc } from '../helpers/raw-rpc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { devnetChain, devnetClients } from '../helpers/viem-devnet.js';

/** The calldata Lotus gives a native method-0 send without params: handle_filecoin_method(0, 0, ""). */
const BARE_SEND_INPUT = '0x868e10c4' + [0, 0, 0x60, 0].map((n) => n.toString(16).padStart(64, '0')).join('');

interface SeenTransaction {
  hash: string;
  from: string;
  to: string | null;
  value: bigint;
  input: string;
  type: number;
}

describe('native messages in a block, as viem, ethers and web3.js read its transactions', () => {
  // Tipsets on request: the three sends go into one tipset.
  const devnet = useDevnet(['--no-mining']);
  let ok: ReturnType<typeof rawRpc>['ok'];
  let height: bigint;
  let expected: SeenTransaction[];

  /** The masked ID address of an f1 address, in Lotus's layout built here: 0xff, 11 zero bytes, the actor ID in 8 bytes big-endian. */
  const masked = async (address: string): Promise<string> => {
    const id = await ok<string>('Filecoin.StateLookupID', address, null);
    return '0xff' + '00'.repeat(11) + BigInt(id.slice(2)).toString(16).padStart(16, '0');
  };

  before(async () => {
    ({ ok } = rawRpc(devnet.url));
    const wallet = await ok<string>('Filecoin.WalletDefaultAddress');
    const fresh = await ok<string>('Filecoin.WalletNew', 'secp256k1');
    const receiver = DEV_ACCOUNTS[1]!;
    const receiverF410 = await ok<string>('Filecoin.EthAddressToFilecoinAddress', receiver.address);
    const push = async (to: string, value: bigint) => {
      const message = { From: wallet, To: to, Value: value.toString(), Method: 0, Params: null };
      const signed = await ok<{ CID: { '/': string } }>('Filecoin.MpoolPushMessage', message, null);
      return ok<Hex>('Filecoin.EthGetTransactionHashByCid', signed.CID);
    };
    const toF1 = await push(fresh, 10n ** 18n);
    const toF410 = await push(receiverF410, 1000n);
    const { walletClient } = devnetClients(devnet.url, 2);
    const evm = await walletClient.sendTransaction({ to: receiver.address, value: 7n });
    await ok('evm_mine');
    const receipt = await ok<{ blockNumber: Hex }>('eth_getTransactionReceipt', evm);
    height = BigInt(receipt.blockNumber);

    const sender = await masked(wallet);
    expected = byHash([
      { hash: toF1, from: sender, to: await masked(fresh), value: 10n ** 18n, input: BARE_SEND_INPUT, type: 2 },
      { hash: toF410, from: sender, to: receiver.address.toLowerCase(), value: 1000n, input: BARE_SEND_INPUT, type: 2 },
      { hash: evm, from: DEV_ACCOUNTS[2]!.address.toLowerCase(), to: receiver.address.toLowerCase(), value: 7n, input: '0x', type: 2 },
    ]);
  });

  /** The block's transactions as the client gave them, in hash order (the pool picks the block's order). */
  const byHash = (transactions: SeenTransaction[]): SeenTransaction[] => [...transactions].sort((a, b) => a.hash.localeCompare(b.hash));
  const seen = (t: { hash: string; from: string; to?: string | null; value: bigint | string | number; input?: string; data?: string; type: unknown }): SeenTransaction => ({
    hash: t.hash,
    from: t.from.toLowerCase(),
    to: t.to?.toLowerCase() ?? null,
    value: BigInt(t.value),
    input: t.input ?? t.data!,
    type: Number(t.type === 'eip1559' ? 2 : t.type),
  });

  test('viem: getBlock({ includeTransactions: true }) holds the messages as transactions; getBlockReceipts has their receipts', async () => {
    const client = createPublicClient({ chain: devnetChain(devnet.url), transport: http(devnet.url) });
    const block = await client.getBlock({ blockNumber: height, includeTransactions: true });
    assert.deepEqual(byHash(block.transactions.map(seen)), expected);
    // The f1 sender's two messages (from its masked ID, 0xff…), picked by the hashes expected.
    const messages = block.transactions.filter((t) => expected.some((e) => e.hash === t.hash && e.from.startsWith('0xff')));
    assert.equal(messages.length, 2, 'the two native messages are not among the transactions');
    for (const t of messages) {
      assert.deepEqual([t.r, t.s, t.yParity], ['0x0', '0x0', 0], `${t.hash}: a message's signature is not an Ethereum one`);
    }
    const receipts = await client.getBlockReceipts({ blockNumber: height });
    const status = new Map<string, [string, string]>(receipts.map((r) => [r.transactionHash, [r.status, r.from.toLowerCase()]]));
    assert.deepEqual(expected.map((t) => status.get(t.hash)), expected.map((t) => ['success', t.from]));
  });

  test('ethers: getBlock(n, true) prefetches them; getTransaction and getTransactionReceipt of a message by its hash', async () => {
    const provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true });
    try {
      const block = await provider.getBlock(height, true);
      assert.deepEqual(byHash(block!.prefetchedTransactions.map(seen)), expected);
      const message = expected.find((t) => t.from.startsWith('0xff'))!;
      assert.deepEqual(seen((await provider.getTransaction(message.hash))!), message);
      const receipt = await provider.getTransactionReceipt(message.hash);
      assert.equal(receipt?.status, 1);
      assert.equal(receipt?.blockNumber, Number(height));
    } finally {
      provider.destroy();
    }
  });

  test('web3.js: getBlock(n, true) holds them', async () => {
    const web3 = new Web3(devnet.url);
    const block = await web3.eth.getBlock(height, true);
    assert.deepEqual(byHash(block.transactions.map((t) => seen(t as Parameters<typeof seen>[0]))), expected);
  });
});
