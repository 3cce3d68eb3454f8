// Replacing a pending transaction ("speed up") from code, as README's replace-by-fee paragraph tells a
// user to: Lotus's pool wants a priority fee of at least floor(1.1 × the pending one's) + 1
// (chain/messagepool/messagepool.go, ComputeMinRBF), so exactly 10 % more, which geth takes, is refused
// with Lotus's words (ethers, cast), and 25 % more replaces it: ethers' tx.wait() of the replaced one
// throws TRANSACTION_REPLACED with the replacement's receipt, viem's waitForTransactionReceipt calls
// onReplaced and answers the replacement's receipt. Manual mining keeps the transactions pending.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Wallet, isError } from 'ethers';
import { createPublicClient, createWalletClient, defineChain, http, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { cast, castOk } from '../helpers/foundry.js';
import { useDevnet } from '../helpers/use-devnet.js';

const SINK = '0x000000000000000000000000000000000000bEEF';
const PREMIUM = 100_000n;
/** Lotus's least replacement premium for PREMIUM, and what 10 % more (geth's bump) gives. */
const LEAST = (PREMIUM * 110n) / 100n + 1n;
const TEN_PERCENT = (PREMIUM * 11n) / 10n;
const refusal = (given: bigint): RegExp =>
  new RegExp(`increase GasPremium to ${LEAST} from ${given} to trigger replace by fee: replace by fee has too low GasPremium`);

describe('replace-by-fee from ethers, viem and cast (--no-mining)', () => {
  const devnet = useDevnet(['--no-mining']);
  const mine = (): Promise<unknown> => devnet.provider.send('evm_mine', []);
  /** A fee cap the next tipsets take whatever they do to the base fee. */
  const feeCap = async (): Promise<bigint> => 4n * BigInt(await devnet.provider.send('eth_gasPrice', []));

  test('ethers: 10 % more is refused; 25 % more replaces it, and wait() of the first throws TRANSACTION_REPLACED', async () => {
    const wallet = new Wallet(DEV_ACCOUNTS[4]!.privateKey, devnet.provider);
    const maxFeePerGas = await feeCap();
    const first = await wallet.sendTransaction({ to: SINK, value: 1n, maxPriorityFeePerGas: PREMIUM, maxFeePerGas });
    const again = { to: SINK, value: 2n, nonce: first.nonce, gasLimit: first.gasLimit, maxFeePerGas: maxFeePerGas * 2n };
    await assert.rejects(wallet.sendTransaction({ ...again, maxPriorityFeePerGas: TEN_PERCENT }), refusal(TEN_PERCENT));
    const second = await wallet.sendTransaction({ ...again, maxPriorityFeePerGas: (PREMIUM * 125n) / 100n });
    assert.equal(await devnet.provider.send('eth_getTransactionByHash', [first.hash]), null, 'the replaced transaction is still pending');
    const waited = first.wait();
    await mine();
    await assert.rejects(waited, (error: unknown) => {
      assert.ok(isError(error, 'TRANSACTION_REPLACED'), String(error));
      assert.equal(error.reason, 'replaced');
      assert.equal(error.replacement.hash, second.hash);
      assert.equal(error.receipt.status, 1);
      return true;
    });
  });

  test("viem: waitForTransactionReceipt of the first calls onReplaced and answers the replacement's receipt", async () => {
    const chain = defineChain({ id: DEVNET_CHAIN_ID, name: 'fvm-devnet', nativeCurrency: { name: 'testnet filecoin', symbol: 'tFIL', decimals: 18 }, rpcUrls: { default: { http: [devnet.url] } } });
    const account = privateKeyToAccount(DEV_ACCOUNTS[5]!.privateKey);
    // viem looks for a replacement only once it has read the replaced transaction (its
    // eth_getTransactionByHash answered it): the replacement is sent when the node has answered that.
    let first: Hash | undefined;
    let readPending!: () => void;
    const firstRead = new Promise<void>((resolve) => (readPending = resolve));
    const onFetchResponse = async (response: Response): Promise<void> => {
      const body = (await response.clone().json()) as { result?: { hash?: string } | null };
      if (first !== undefined && body.result?.hash === first) readPending();
    };
    const client = createPublicClient({ chain, transport: http(devnet.url, { onFetchResponse }), pollingInterval: 50, cacheTime: 0 });
    const wallet = createWalletClient({ chain, transport: http(devnet.url), account });
    const maxFeePerGas = await feeCap();
    const nonce = await client.getTransactionCount({ address: account.address });
    first = await wallet.sendTransaction({ to: SINK, value: 1n, nonce, maxPriorityFeePerGas: PREMIUM, maxFeePerGas });
    let replacedBy: { reason: string; hash: Hash } | undefined;
    // Waiting from before the replacement, as an app does: viem reads the first transaction while it is pending.
    const receipt = client.waitForTransactionReceipt({ hash: first, timeout: 15_000, onReplaced: (r) => (replacedBy = { reason: r.reason, hash: r.transaction.hash }) });
    await Promise.race([firstRead, receipt]);
    const second = await wallet.sendTransaction({ to: SINK, value: 1n, nonce, maxPriorityFeePerGas: (PREMIUM * 125n) / 100n, maxFeePerGas: maxFeePerGas * 2n });
    await mine();
    assert.equal((await receipt).transactionHash, second);
    assert.deepEqual(replacedBy, { reason: 'repriced', hash: second });
  });

  test('cast send --nonce --priority-gas-price: 10 % more is refused, floor(1.1 ×) + 1 replaces it', async () => {
    const sender = DEV_ACCOUNTS[6]!;
    const rpc = ['--rpc-url', devnet.url, '--private-key', sender.privateKey, '--async', '--gas-price', String(await feeCap())];
    const first = await castOk(['send', SINK, '--value', '1', '--priority-gas-price', String(PREMIUM), ...rpc]);
    const { nonce } = (await devnet.provider.getTransaction(first))!;
    const same = ['send', SINK, '--value', '1', '--nonce', String(nonce), ...rpc];
    const refused = await cast([...same, '--priority-gas-price', String(TEN_PERCENT)]);
    assert.notEqual(refused.code, 0, refused.stdout);
    assert.match(refused.stderr, refusal(TEN_PERCENT));
    const second = await castOk([...same, '--priority-gas-price', String(LEAST)]);
    await mine();
    assert.equal((await devnet.provider.getTransactionReceipt(second))?.status, 1);
    assert.equal(await devnet.provider.getTransactionReceipt(first), null);
  });
});
