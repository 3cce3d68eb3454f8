// Transactions through the HTTP layer: sending (raw and signed by the node), finding them again,
// receipts with Lotus's fields (lotus-eth-rpc.md §3.4, §6.1), and the send errors of §7, none of
// which may change the chain.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { decodeRlp, encodeRlp, getCreateAddress, keccak256, Transaction, Wallet, type TransactionRequest } from 'ethers';
import type { DevnetConfig } from '../../src/index.js';
import { devWallet as wallet, RECIPIENT, signTx } from '../helpers/dev-wallet.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { t410 } from '../helpers/f410.js';
import { setupRpc, type RpcResponse } from '../helpers/rpc-harness.js';

const ME = wallet.address.toLowerCase();
const SECOND = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const ZERO_HASH = '0x' + '00'.repeat(32);
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** A key no message has funded: it has no actor. */
const UNFUNDED = new Wallet('0x' + '11'.repeat(32));
const ZERO_BLOOM = '0x' + '00'.repeat(256);
/** PUSH1 0 PUSH1 0 REVERT. */
const REVERTING_INITCODE = '0x60006000fd';
/** Deploys runtime `mstore(0, 42) return(0, 32)`. */
const RETURN_42_INITCODE = '0x600a600c600039600a6000f3602a60005260206000f3';

const setup = (t: TestContext, overrides: Partial<DevnetConfig> = {}) => setupRpc(t, overrides, { errorHasNoResult: true });

/** A transfer to RECIPIENT (dev-wallet.ts's TRANSFER) signed by the dev wallet unless `signer`. */
const sign = (tx: TransactionRequest & { nonce: number }, signer?: Wallet): Promise<string> => signTx(tx, { signer });

/** `raw` (type 2) with r = 5, from which no key recovers: 5³ + 7 is not a square mod p, so no point has x = 5. */
function noKeyRecovers(raw: string): string {
  const fields = decodeRlp('0x' + raw.slice(4)) as string[];
  fields[10] = '0x05';
  return '0x02' + encodeRlp(fields).slice(2);
}

/** Lotus's receipt effectiveGasPrice: (BaseFeeBurn + MinerTip + OverEstimationBurn) / gasUsed (chain/vm/burn.go). */
function lotusEffectiveGasPrice(gasUsed: bigint, gasLimit: bigint, baseFee: bigint, feeCap: bigint, premium: bigint): bigint {
  const baseFeeToPay = baseFee > feeCap ? feeCap : baseFee;
  const baseFeeBurn = baseFeeToPay * gasUsed;
  const tipPerGas = premium < feeCap - baseFeeToPay ? premium : feeCap - baseFeeToPay;
  const minerTip = tipPerGas * gasLimit;
  let gasBurned = 0n;
  let over = gasLimit - (11n * gasUsed) / 10n;
  if (over >= 0n) {
    if (over > gasUsed) over = gasUsed;
    gasBurned = ((gasLimit - gasUsed) * over) / gasUsed;
  }
  return (baseFeeBurn + minerTip + baseFeeToPay * gasBurned) / gasUsed;
}

describe('eth_getTransactionByHash and eth_getTransactionReceipt', () => {
  test('a mined transfer: transaction and receipt fields', async (t) => {
    const { result } = await setup(t);
    const raw = await sign({ nonce: 0, value: 1234n, gasLimit: 20_000_000 });
    const hash = await result('eth_sendRawTransaction', [raw]);
    const block = await result('eth_getBlockByNumber', ['latest', false]);

    const tx = await result('eth_getTransactionByHash', [hash]);
    assert.equal(tx.hash, hash);
    assert.equal(tx.blockHash, block.hash);
    assert.equal(tx.blockNumber, '0x1');
    assert.equal(tx.transactionIndex, '0x0');
    assert.equal(tx.from, ME);
    assert.equal(tx.to, RECIPIENT);
    assert.equal(tx.value, '0x4d2');
    assert.equal(tx.nonce, '0x0');
    assert.equal(tx.gas, '0x1312d00');
    assert.equal(tx.type, '0x2');
    assert.equal(tx.chainId, '0x1df5e76');
    assert.equal(tx.input, '0x');
    assert.equal(tx.maxFeePerGas, '0x3b9aca00');
    assert.equal(tx.maxPriorityFeePerGas, '0x30d40');
    assert.equal('gasPrice' in tx, false);
    assert.match(tx.v, /^0x[01]$/);
    // Quantities, as Lotus (EthBigInt) and geth (hexutil.Big) print them: no leading zeros (F15).
    const { signature } = Transaction.from(raw);
    assert.deepEqual([tx.r, tx.s], [signature!.r, signature!.s].map((word) => `0x${BigInt(word).toString(16)}`));

    const receipt = await result('eth_getTransactionReceipt', [hash]);
    assert.equal(receipt.transactionHash, hash);
    assert.equal(receipt.transactionIndex, '0x0');
    assert.equal(receipt.blockHash, block.hash);
    assert.equal(receipt.blockNumber, '0x1');
    assert.equal(receipt.from, ME);
    assert.equal(receipt.to, RECIPIENT);
    assert.equal(receipt.root, ZERO_HASH);
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.contractAddress, null);
    assert.equal(receipt.cumulativeGasUsed, '0x0');
    assert.deepEqual(receipt.logs, []);
    assert.equal(receipt.logsBloom, ZERO_BLOOM);
    assert.equal(receipt.type, '0x2');
    assert.equal(receipt.gasUsed, block.gasUsed);
    const gasUsed = BigInt(receipt.gasUsed);
    assert.ok(gasUsed > 0n && gasUsed <= 20_000_000n);
    assert.equal(
      BigInt(receipt.effectiveGasPrice),
      lotusEffectiveGasPrice(gasUsed, 20_000_000n, BigInt(block.baseFeePerGas), 10n ** 9n, 200_000n),
    );
  });

  test('a deployment has contractAddress (CREATE of sender and nonce) and to null; a failed one has status 0 and no address', async (t) => {
    const { result } = await setup(t);
    const ok = await result('eth_sendRawTransaction', [await sign({ nonce: 0, to: null, value: 0n, data: RETURN_42_INITCODE, gasLimit: 100_000_000 })]);
    const failed = await result('eth_sendRawTransaction', [await sign({ nonce: 1, to: null, value: 0n, data: REVERTING_INITCODE, gasLimit: 100_000_000 })]);
    const okReceipt = await result('eth_getTransactionReceipt', [ok]);
    assert.equal(okReceipt.status, '0x1');
    assert.equal(okReceipt.to, null);
    assert.equal(okReceipt.contractAddress, getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase());
    assert.deepEqual(okReceipt.logs, []);
    assert.equal((await result('eth_getTransactionByHash', [ok])).to, null);
    assert.equal((await result('eth_getTransactionByHash', [ok])).input, RETURN_42_INITCODE);

    const failedReceipt = await result('eth_getTransactionReceipt', [failed]);
    assert.equal(failedReceipt.status, '0x0');
    assert.equal(failedReceipt.contractAddress, null);
    assert.deepEqual(failedReceipt.logs, []);
    assert.equal(failedReceipt.logsBloom, ZERO_BLOOM);
    assert.equal(failedReceipt.cumulativeGasUsed, '0x0');
  });

  test('a pending transaction has null block fields and no receipt; unknown hashes are null', async (t) => {
    const { result } = await setup(t, { noMining: true });
    const hash = await result('eth_sendRawTransaction', [await sign({ nonce: 0 })]);
    const tx = await result('eth_getTransactionByHash', [hash]);
    assert.equal(tx.hash, hash);
    assert.equal(tx.blockHash, null);
    assert.equal(tx.blockNumber, null);
    assert.equal(tx.transactionIndex, null);
    assert.equal(tx.from, ME);
    assert.equal(await result('eth_getTransactionReceipt', [hash]), null);
    assert.equal(await result('evm_mine'), '0x0');
    assert.equal((await result('eth_getTransactionReceipt', [hash])).blockNumber, '0x1');
    assert.equal((await result('eth_getTransactionByHash', [hash])).blockNumber, '0x1');
    const unknown = '0x' + '34'.repeat(32);
    assert.equal(await result('eth_getTransactionByHash', [unknown]), null);
    assert.equal(await result('eth_getTransactionReceipt', [unknown]), null);
  });

  test('legacy transactions: EIP-155 and Homestead show gasPrice and no 1559 fee fields', async (t) => {
    const { result } = await setup(t);
    const eip155 = await result('eth_sendRawTransaction', [
      await wallet.signTransaction({ type: 0, chainId: 31415926n, nonce: 0, gasPrice: 10n ** 9n, gasLimit: 10_000_000, to: RECIPIENT, value: 1n }),
    ]);
    const tx = await result('eth_getTransactionByHash', [eip155]);
    assert.equal(tx.type, '0x0');
    assert.equal(tx.gasPrice, '0x3b9aca00');
    assert.equal('maxFeePerGas' in tx, false);
    assert.equal('maxPriorityFeePerGas' in tx, false);
    assert.equal(tx.chainId, '0x1df5e76');
    const eip155V = [35n, 36n].map((base) => `0x${(base + 2n * 31415926n).toString(16)}`);
    assert.ok(eip155V.includes(tx.v), `v ${tx.v} does not encode chain id 31415926`);
    const receipt = await result('eth_getTransactionReceipt', [eip155]);
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.type, '0x0');

    const homestead = await result('eth_sendRawTransaction', [
      await wallet.signTransaction({ type: 0, chainId: 0n, nonce: 1, gasPrice: 10n ** 9n, gasLimit: 10_000_000, to: RECIPIENT, value: 1n }),
    ]);
    const old = await result('eth_getTransactionByHash', [homestead]);
    assert.equal(old.chainId, '0x0');
    assert.ok(['0x1b', '0x1c'].includes(old.v));
    assert.equal((await result('eth_getTransactionReceipt', [homestead])).status, '0x1');
  });
});

describe('F10: a fee cap under the base fee waits in the pool, as Lotus\'s block producer leaves it (chain/messagepool/selection.go)', () => {
  test('instant mining answers its hash with no tipset; its later nonce waits behind it; the tipset whose base fee it covers takes it', async (t) => {
    const { result } = await setup(t);
    const baseFee = BigInt(await result('eth_baseFee'));
    assert.ok(baseFee > 1_000n);
    const low = await result('eth_sendRawTransaction', [await sign({ nonce: 0, maxFeePerGas: 1_000n, maxPriorityFeePerGas: 1_000n })]);
    assert.equal(await result('eth_blockNumber'), '0x0');
    assert.equal(await result('eth_getTransactionReceipt', [low]), null);
    assert.equal((await result('eth_getTransactionByHash', [low])).blockNumber, null);
    // Pending but not selectable: none selected ([]; Lotus's null is for an empty pool).
    assert.deepEqual(await result('Filecoin.MpoolSelect', [null, 1]), []);
    // Nonce 1 pays well but too little to carry nonce 0's loss (× 3): both wait.
    const next = await result('eth_sendRawTransaction', [await sign({ nonce: 1 })]);
    assert.equal(await result('eth_getTransactionReceipt', [next]), null);
    // Another sender's transaction is mined at once, without them.
    const other = await result('eth_sendRawTransaction', [await sign({ nonce: 0 }, new Wallet(DEV_ACCOUNTS[1]!.privateKey))]);
    assert.equal((await result('eth_getTransactionReceipt', [other])).blockNumber, '0x1');
    assert.equal(await result('eth_getTransactionReceipt', [low]), null);
    // A tipset whose base fee the fee cap covers takes both, in nonce order.
    await result('anvil_setNextBlockBaseFeePerGas', ['0x3e8']);
    await result('evm_mine');
    const [lowReceipt, nextReceipt] = [await result('eth_getTransactionReceipt', [low]), await result('eth_getTransactionReceipt', [next])];
    assert.equal(lowReceipt.blockNumber, '0x2');
    assert.equal(lowReceipt.status, '0x1');
    assert.equal(nextReceipt.blockNumber, '0x2');
    assert.equal(nextReceipt.transactionIndex, '0x1');
  });
});

describe('eth_getTransactionByBlockNumberAndIndex / ByBlockHashAndIndex', () => {
  test('find a transaction by position; an index out of range is an error, not null', async (t) => {
    const { result, error } = await setup(t);
    const hash = await result('eth_sendRawTransaction', [await sign({ nonce: 0 })]);
    const blockHash = (await result('eth_getBlockByNumber', ['0x1', false])).hash;
    assert.equal((await result('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x0'])).hash, hash);
    assert.equal((await result('eth_getTransactionByBlockNumberAndIndex', ['latest', '0x0'])).hash, hash);
    assert.equal((await result('eth_getTransactionByBlockHashAndIndex', [blockHash, '0x0'])).hash, hash);
    // The index is Lotus's EthUint64: a plain number or a decimal string too.
    for (const index of [0, '0']) {
      assert.equal((await result('eth_getTransactionByBlockNumberAndIndex', ['0x1', index])).hash, hash);
      assert.equal((await result('eth_getTransactionByBlockHashAndIndex', [blockHash, index])).hash, hash);
    }
    assert.equal((await error('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x'])).code, -32602);
    assert.deepEqual(await error('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x1']), {
      code: 1,
      message: 'index 1 out of range: tipset contains 1 messages',
    });
    assert.equal((await error('eth_getTransactionByBlockNumberAndIndex', ['0x0', '0x0'])).code, 1);
    assert.equal((await error('eth_getTransactionByBlockHashAndIndex', [blockHash, '0x5'])).code, 1);
    assert.equal((await error('eth_getTransactionByBlockHashAndIndex', ['0x' + '77'.repeat(32), '0x0'])).code, 1);
    assert.equal((await error('eth_getTransactionByBlockNumberAndIndex', ['0x9', '0x0'])).code, 1);
  });
});

describe('eth_sendRawTransaction errors change nothing', () => {
  async function expectRejected(
    t: TestContext,
    raw: (ctx: Awaited<ReturnType<typeof setup>>) => Promise<string>,
    expected: string | RegExp | ((message: string) => void),
    code = 1,
  ) {
    const ctx = await setup(t);
    // One mined transaction first, so that there is a nonce to be too low against.
    await ctx.result('eth_sendRawTransaction', [await sign({ nonce: 0 })]);
    const snapshot = async () => ({
      block: await ctx.result('eth_blockNumber'),
      mine: await ctx.result('eth_getBalance', [ME, 'latest']),
      recipient: await ctx.result('eth_getBalance', [RECIPIENT, 'latest']),
      nonce: await ctx.result('eth_getTransactionCount', [ME, 'pending']),
      pool: ctx.devnet.poolContent().pending.length,
    });
    const before = await snapshot();
    const err = await ctx.error('eth_sendRawTransaction', [await raw(ctx)]);
    assert.equal(err.code, code);
    if (typeof expected === 'string') assert.equal(err.message, expected);
    else if (expected instanceof RegExp) assert.match(err.message, expected);
    else expected(err.message);
    assert.deepEqual(await snapshot(), before);
  }

  test('wrong chain id (EIP-1559)', (t) => expectRejected(t, () => sign({ nonce: 1, chainId: 1n }), 'failed to convert to unsigned msg: invalid chain id: 1'));

  test('wrong chain id (legacy EIP-155)', (t) =>
    expectRejected(
      t,
      () => wallet.signTransaction({ type: 0, chainId: 1n, nonce: 1, gasPrice: 10n ** 9n, gasLimit: 10_000_000, to: RECIPIENT }),
      'failed to parse legacy transaction: failed to validate EIP155 chain id: invalid chain id, expected 31415926, got 1',
    ));

  test('nonce too low after a mined transaction', (t) =>
    expectRejected(t, () => sign({ nonce: 0, value: 99n }), 'minimum expected nonce is 1, got 0: message nonce too low'));

  test('a key with no actor fails the pool\'s nonce lookup (P1: Lotus messagepool.go addTs -> getStateNonce)', (t) =>
    expectRejected(
      t,
      () => sign({ nonce: 0 }, UNFUNDED),
      `failed to look up actor state nonce: resolution lookup failed (${t410(UNFUNDED.address)}): resolve address ${t410(UNFUNDED.address)}: actor not found: validation failure`,
    ));

  test('a gas limit below the cost of storing the message on chain', (t) =>
    expectRejected(
      t,
      () => sign({ nonce: 1, gasLimit: 21_000 }),
      (message) => {
        const m = /^verify msg failed: message will not be included in a block: 'GasLimit' field cannot be less than the cost of storing a message on chain 21000 < (\d+)$/.exec(message);
        assert.ok(m, message);
        // Lotus's price list since nv18: 38863 + 475000 + 1300 × (36 + size in bytes), for a message of 100 to 300 bytes.
        const minimum = Number(m[1]);
        assert.equal((minimum - 513_863) % 1_300, 0, `${minimum} is not an inclusion cost`);
        const size = (minimum - 513_863) / 1_300 - 36;
        assert.ok(size >= 100 && size <= 300, `message size ${size}`);
      },
    ));

  test('a signature whose s is n or more', (t) =>
    expectRejected(
      t,
      async () => {
        const raw = await sign({ nonce: 1 });
        const fields = decodeRlp('0x' + raw.slice(4)) as string[];
        fields[11] = '0x' + 'ff'.repeat(32);
        return '0x02' + encodeRlp(fields).slice(2);
      },
      'failed to calculate sender: invalid signature values',
    ));

  test('a high-s twin of a signed transaction (s\' = n − s, parity flipped) is accepted from the same sender, as Lotus (P2: go-crypto EcRecover)', async (t) => {
    const { result, error } = await setup(t);
    const raw = await sign({ nonce: 0 });
    const fields = decodeRlp('0x' + raw.slice(4)) as string[];
    fields[9] = fields[9] === '0x' ? '0x01' : '0x';
    fields[11] = '0x' + (SECP256K1_N - BigInt(fields[11])).toString(16).padStart(64, '0');
    const twin = '0x02' + encodeRlp(fields).slice(2);
    const hash = await result('eth_sendRawTransaction', [twin]);
    assert.equal(hash, keccak256(twin));
    assert.notEqual(hash, keccak256(raw));
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    assert.deepEqual([receipt.status, receipt.from], ['0x1', ME]);
    // Its low-s twin now has a used nonce.
    assert.match((await error('eth_sendRawTransaction', [raw])).message, /^minimum expected nonce is 1, got 0/);
  });

  test('a signature that recovers no key', (t) => expectRejected(t, async () => noKeyRecovers(await sign({ nonce: 1 })), 'failed to calculate sender: invalid signature'));

  test('garbage bytes', (t) => expectRejected(t, async () => '0xdeadbeef', /^failed to parse transaction/));

  test('an EIP-2930 transaction', (t) =>
    expectRejected(
      t,
      () => wallet.signTransaction({ type: 1, chainId: 31415926n, nonce: 1, gasPrice: 10n ** 9n, gasLimit: 10_000_000, to: RECIPIENT }),
      'EIP-2930 transaction is not supported',
    ));

  test('a raw transaction that is not hex is -32602', (t) => expectRejected(t, async () => 'not hex', /^invalid argument 'rawTransaction'/, -32602));
});

describe('eth_sendRawTransaction batches', () => {
  test("a batch answers each transaction as it would alone and admits one sender's nonces in order", async (t) => {
    const { app, result } = await setup(t);
    const unfunded = new Wallet('0x' + '11'.repeat(32));
    // One mined transaction first, so that there is a nonce to be too low against.
    await result('eth_sendRawTransaction', [await sign({ nonce: 0 })]);
    let nonce = 1;
    for (let round = 0; round < 2; round++) {
      const valid = async () => {
        const raw = await sign({ nonce: nonce++ });
        return { raw, expected: { result: keccak256(raw) } };
      };
      const entries = [
        await valid(),
        await valid(),
        { raw: noKeyRecovers(await sign({ nonce })), expected: { error: { code: 1, message: 'failed to calculate sender: invalid signature' } } },
        await valid(),
        { raw: await sign({ nonce, chainId: 1n }), expected: { error: { code: 1, message: 'failed to convert to unsigned msg: invalid chain id: 1' } } },
        { raw: await sign({ nonce: 0, value: 5n }), expected: { error: { code: 1, message: `minimum expected nonce is ${nonce - 3}, got 0: message nonce too low` } } },
        { raw: await sign({ nonce: 0 }, unfunded), expected: { error: { code: 1, message: `failed to look up actor state nonce: resolution lookup failed (${t410(unfunded.address)}): resolve address ${t410(unfunded.address)}: actor not found: validation failure` } } },
        ...(await Promise.all(Array.from({ length: 40 }, (_, i) => sign({ nonce: nonce + i })))).map((raw) => ({ raw, expected: { result: keccak256(raw) } })),
      ];
      nonce += 40;
      const payload = entries.map(({ raw }, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [raw] }));
      const answers = (await app.inject({ method: 'POST', url: '/', payload })).json() as RpcResponse[];
      assert.deepEqual(
        answers.map(({ result, error }) => (error ? { error } : { result })),
        entries.map((e) => e.expected),
      );
      assert.equal(await result('eth_getTransactionCount', [ME, 'latest']), `0x${nonce.toString(16)}`);
    }
  });
});

describe('eth_sendTransaction', () => {
  test('signs for a dev account and mines the transaction', async (t) => {
    const { result } = await setup(t);
    const hash = await result('eth_sendTransaction', [{ from: SECOND, to: RECIPIENT, value: '0x64' }]);
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.from, SECOND);
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x64');
    assert.equal(await result('eth_getTransactionCount', [SECOND, 'latest']), '0x1');
  });

  test('an account the node holds no key for is an error and nothing is mined', async (t) => {
    const { result, error } = await setup(t);
    assert.deepEqual(await error('eth_sendTransaction', [{ from: RECIPIENT, to: SECOND, value: '0x1' }]), {
      code: 1,
      message: `the node holds no key for ${RECIPIENT} and does not impersonate it`,
    });
    assert.equal((await error('eth_sendTransaction', [{ to: SECOND, value: '0x1' }])).code, -32602);
    assert.equal(await result('eth_blockNumber'), '0x0');
  });

  test('what Lotus refuses of a wallet-signed transaction is refused for the node to sign too, in its words', async (t) => {
    const { result, error } = await setup(t);
    const transfer = { from: SECOND, to: RECIPIENT, value: '0x1' };
    const accessList = [{ address: RECIPIENT, storageKeys: [ZERO_HASH] }];
    const refused: [Record<string, unknown>, string][] = [
      // web3.js makes an access-list transaction type 0x1 (EIP-2930).
      [{ ...transfer, type: '0x1', accessList, gasPrice: '0x3b9aca00' }, 'EIP-2930 transaction is not supported'],
      [{ ...transfer, type: '0x3' }, 'unsupported transaction type'],
      [{ ...transfer, type: '0x4' }, 'unsupported transaction type'],
      [{ ...transfer, accessList }, 'access list should be an empty list'],
      // audit21 A1: viem's and ethers' JSON-RPC accounts send an EIP-7702 or blob transaction with no
      // type; geth, Anvil and the wallets take its fields for the type.
      [{ ...transfer, authorizationList: [{ address: RECIPIENT, chainId: '0x1', nonce: '0x0', r: ZERO_HASH, s: ZERO_HASH, yParity: '0x0' }] }, 'unsupported transaction type'],
      [{ ...transfer, type: '0x2', authorizationList: [] }, 'unsupported transaction type'],
      [{ ...transfer, blobVersionedHashes: [`0x01${'a9'.repeat(31)}`], maxFeePerBlobGas: '0x1' }, 'unsupported transaction type'],
      [{ ...transfer, maxFeePerBlobGas: '0x1' }, 'unsupported transaction type'],
    ];
    for (const [tx, message] of refused) {
      for (const method of ['eth_sendTransaction', 'eth_signTransaction', 'eth_sendUnsignedTransaction']) {
        assert.deepEqual(await error(method, [tx]), { code: 1, message }, `${method} ${JSON.stringify(tx)}`);
      }
    }
    assert.equal(await result('eth_blockNumber'), '0x0');
    // An empty access list, and the types Lotus takes, are signed as before: type 0, or only a gas
    // price, as a legacy EIP-155 transaction (geth's and Anvil's choice; web3.js sends type 0x0 for a
    // gasPrice), Lotus's message of it paying the gas price as fee cap and premium (W2).
    const sent: [Record<string, unknown>, string][] = [
      [{ ...transfer, accessList: [] }, '0x2'],
      [{ ...transfer, type: '0x2' }, '0x2'],
      [{ ...transfer, type: '0x0', gasPrice: '0x3b9aca00' }, '0x0'],
      [{ ...transfer, gasPrice: '0x3b9aca00' }, '0x0'],
      [{ ...transfer, type: '0x0' }, '0x0'],
      [{ ...transfer, gasPrice: '0x3b9aca00', maxPriorityFeePerGas: '0x1' }, '0x2'],
      [{ ...transfer, authorizationList: null }, '0x2'],
    ];
    for (const [tx, type] of sent) {
      const hash = await result('eth_sendTransaction', [tx]);
      assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1', JSON.stringify(tx));
      const mined = await result('eth_getTransactionByHash', [hash]);
      assert.equal(mined.type, type, JSON.stringify(tx));
      if (type === '0x0') {
        assert.ok([2n * 31415926n + 35n, 2n * 31415926n + 36n].includes(BigInt(mined.v)), `EIP-155 v ${mined.v}`);
        if (tx.gasPrice) assert.equal(mined.gasPrice, tx.gasPrice);
        const message = await result('Filecoin.ChainGetMessage', [await result('Filecoin.EthGetMessageCidByTransactionHash', [hash])]);
        assert.equal(message.GasFeeCap, message.GasPremium);
        assert.equal(message.GasFeeCap, BigInt(mined.gasPrice).toString());
      }
    }
    // eth_signTransaction gives the envelope asked for: a legacy one is RLP (no type byte) with an EIP-155 v.
    const signed = Transaction.from(await result('eth_signTransaction', [{ ...transfer, type: '0x0', gasPrice: '0x3b9aca00', gas: '0x2dc6c0', nonce: '0x30' }]));
    assert.equal(signed.type, 0);
    assert.equal(signed.chainId, 31415926n);
    assert.equal(signed.gasPrice, 1_000_000_000n);
    assert.equal(signed.from?.toLowerCase(), transfer.from.toLowerCase());
  });

  test('a batch of sends from one dev account (as ethers batches them) all succeed with consecutive nonces', async (t) => {
    const { app, result } = await setup(t);
    const payload = [1, 2, 3].map((i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendTransaction', params: [{ from: SECOND, to: RECIPIENT, value: `0x${i}` }] }));
    const answers = (await app.inject({ method: 'POST', url: '/', payload })).json() as RpcResponse[];
    assert.deepEqual(
      answers.map((a) => a.error),
      [undefined, undefined, undefined],
    );
    assert.equal(await result('eth_getTransactionCount', [SECOND, 'latest']), '0x3');
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x6');
  });
});
