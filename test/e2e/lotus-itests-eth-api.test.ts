// Lotus's own Eth API tests, ported: what lotus itests (b835fab70) eth_fee_history_test.go,
// eth_balance_test.go, eth_transactions_test.go, eth_hash_lookup_test.go, eth_api_test.go and
// eth_api_f3_test.go assert, against the real node over HTTP with ethers and raw JSON-RPC. Lotus's
// "latest" is the head's parent and its receipts come a tipset after inclusion; here the head is
// "latest" and receipts are immediate (README, "Where it differs from Lotus, on purpose").
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { encode as encodeCbor } from '@ipld/dag-cbor';
import { blake2b } from '@noble/hashes/blake2.js';
import { ContractFactory, getCreateAddress, JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { CID } from 'multiformats/cid';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { rawRpc } from '../helpers/raw-rpc.js';
import { useDevnet } from '../helpers/use-devnet.js';

type Hex = string;
/** A quantity as JSON-RPC writes it: no leading zeros. */
const toBeHex = (n: number | bigint) => '0x' + n.toString(16);
/** Lotus's EthHashFromCid of a tipset key (TipSetKey.Cid): blake2b-256 of the CBOR byte string of its block CIDs. */
const tipsetKeyHash = (cids: string[]) => '0x' + Buffer.from(blake2b(encodeCbor(Buffer.concat(cids.map((c) => CID.parse(c).bytes))), { dkLen: 32 })).toString('hex');
const INVOKE_EVM = 3844450837;
/** The input Lotus shows for a native message that is not an InvokeEVM with CBOR bytes: handle_filecoin_method(method, codec, params). */
const filecoinMethodInput = (method: number, codec: number, params: string) =>
  '0x868e10c4' +
  [method, codec, 0x60, params.length / 2].map((n) => n.toString(16).padStart(64, '0')).join('') +
  params.padEnd(Math.ceil(params.length / 64) * 64, '0');

describe("Lotus's Eth API itests (b835fab70)", () => {
  const node = useDevnet();
  let provider: JsonRpcProvider;
  let signer: NonceManager;
  let matrix: CompiledContract;
  let wallet: string;
  let ok: ReturnType<typeof rawRpc>['ok'], failure: ReturnType<typeof rawRpc>['failure'];
  /** A native message from the node's funded f1 wallet, pushed as `lotus send` pushes it; answers its CID. */
  const pushNative = async (message: Record<string, unknown>): Promise<{ '/': string }> =>
    (await ok<{ CID: { '/': string } }>('Filecoin.MpoolPushMessage', { From: wallet, Value: '0', ...message }, null)).CID;
  const ethHashOf = (cid: { '/': string }) => ok<Hex>('Filecoin.EthGetTransactionHashByCid', cid);

  before(async () => {
    ({ ok, failure } = rawRpc(node.url));
    provider = node.provider;
    signer = new NonceManager(node.wallet);
    matrix = (await compileFixtures()).EventMatrix!;
    wallet = await ok('Filecoin.WalletDefaultAddress');
  });

  // eth_balance_test.go
  test('TestEthGetBalance*: a new address, one funded with 0, a native account by its masked ID, a builtin actor, and at the blocks around a transfer', async () => {
    const fresh = Wallet.createRandom().address;
    assert.equal(await ok('eth_getBalance', fresh, 'latest'), '0x0');
    const zero = Wallet.createRandom().address;
    await (await signer.sendTransaction({ to: zero, value: 0n })).wait();
    assert.equal(await ok('eth_getBalance', zero, 'latest'), '0x0');
    const id = await ok<string>('Filecoin.StateLookupID', wallet, null);
    const masked = await ok<Hex>('Filecoin.FilecoinAddressToEthAddress', id);
    assert.equal(BigInt(await ok('eth_getBalance', masked, 'latest')), BigInt(await ok<string>('Filecoin.WalletBalance', wallet)));
    const market = await ok<Hex>('Filecoin.FilecoinAddressToEthAddress', 't05');
    const before = BigInt(await ok('eth_getBalance', market, 'latest'));
    await ok('Filecoin.StateWaitMsg', await pushNative({ To: 't05', Value: '10' }), 0, -1, true);
    assert.equal(BigInt(await ok('eth_getBalance', market, 'latest')), before + 10n);
    assert.equal(BigInt(await ok('eth_getBalance', market, 'latest')), BigInt(await ok<string>('Filecoin.WalletBalance', 't05')));
    // TestEthBalanceCorrectLookup: 0 at the inclusion tipset's parent, the value from that tipset on.
    const target = Wallet.createRandom().address;
    const receipt = (await (await signer.sendTransaction({ to: target, value: 100n })).wait())!;
    assert.equal(await ok('eth_getBalance', target, toBeHex(receipt.blockNumber - 1)), '0x0');
    assert.equal(await ok('eth_getBalance', target, toBeHex(receipt.blockNumber)), '0x64');
  });

  // eth_fee_history_test.go
  test('TestEthFeeHistory: counts as numbers, decimal or hex strings; newest by decimal or hex; null rounds skipped; empty tipsets\' reward Lotus\'s minimum premium', async () => {
    const start = Number(await ok('eth_blockNumber'));
    for (let i = 0; i < 3; i++) await ok('evm_mine');
    await ok('anvil_mine', '0x3ea'); // 1 001 epochs: 1 000 null rounds, then a tipset
    for (let i = 0; i < 12; i++) await ok('evm_mine');
    // The chain's tipset heights, walked from the head by parent (Lotus's test walks Parents()).
    const heights: number[] = [];
    for (let block = await ok('eth_getBlockByNumber', 'latest', false); Number(block.number) > 0; block = await ok('eth_getBlockByHash', block.parentHash, false)) heights.unshift(Number(block.number));
    /** Lotus's calculateExpectations: the count answered and the oldest height, from the tipset at or before `newest`. */
    const expectations = (count: number, newest: number) => {
      let latest = heights.length - 1;
      while (heights[latest]! > newest) latest--;
      const oldest = Math.max(0, latest - count + 1);
      return { count: latest - oldest + 1, oldest: heights[oldest]! };
    };
    const check = (history: { oldestBlock: Hex; baseFeePerGas: Hex[]; gasUsedRatio: number[]; reward?: Hex[][] }, count: number, newest: number) => {
      const want = expectations(count, newest);
      assert.equal(history.baseFeePerGas.length, want.count + 1);
      assert.equal(history.gasUsedRatio.length, want.count);
      assert.equal(Number(history.oldestBlock), want.oldest);
    };
    const head = heights.at(-1)!;
    const nullRound = start + 10;
    assert.equal((await failure('eth_getBlockByNumber', toBeHex(nullRound), false)).code, 12);
    for (const count of [5, '5', '0x5']) {
      for (const newest of [toBeHex(nullRound), String(nullRound)]) {
        const history = await ok('eth_feeHistory', count, newest);
        check(history, 5, nullRound);
        assert.equal(history.reward, undefined);
      }
    }
    check(await ok('eth_feeHistory', 5, 'latest'), 5, head);
    check(await ok('eth_feeHistory', '0x10', toBeHex(head - 2)), 16, head - 2);
    check(await ok('eth_feeHistory', '0x30', 'latest'), 0x30, head);
    check(await ok('eth_feeHistory', '0x30', String(start + 2)), 0x30, start + 2);
    const rewards = await ok('eth_feeHistory', 5, String(head), [25, 50, 75]);
    check(rewards, 5, head);
    assert.deepEqual(rewards.reward, Array(5).fill(Array(3).fill(toBeHex(100_000))));
    assert.deepEqual(await failure('eth_feeHistory', 1025, String(head), [25, 50, 75]), { code: 1, message: 'block count should be smaller than 1024' });
    assert.deepEqual(await failure('eth_feeHistory', 5, String(head), [75, 50]), { code: 1, message: 'invalid reward percentile: 50.000000 should be larger than 75.000000' });
    assert.deepEqual((await ok('eth_feeHistory', 5, String(head), [])).reward, Array(5).fill([]));
  });

  // eth_fee_history_test.go:TestEthBaseFee: empty tipsets take an eighth off the base fee, down to Lotus's minimum, 100.
  test('TestEthBaseFee: after 110 empty tipsets the base fee is the minimum, 100', async () => {
    await ok('anvil_mine', '0x6e');
    assert.equal(await ok('eth_baseFee'), toBeHex(100));
  });

  // eth_transactions_test.go:TestGetBlockByNumber
  test('TestGetBlockByNumber: a future block and a null round are errors; a balance at a null round is the tipset\'s before it', async () => {
    const target = Wallet.createRandom().address;
    await (await signer.sendTransaction({ to: target, value: 10n ** 18n })).wait();
    const latest = Number(await ok('eth_blockNumber'));
    assert.ok(await ok('eth_getBlockByNumber', toBeHex(latest), true));
    await failure('eth_getBlockByNumber', toBeHex(latest + 10_000), true);
    await ok('anvil_mine', '0x3ea');
    const nullRound = latest + 5;
    assert.deepEqual(await failure('eth_getBlockByNumber', toBeHex(nullRound), true), { code: 12, message: `requested epoch was a null round (${nullRound})`, data: nullRound });
    assert.equal(await ok('eth_getBalance', target, toBeHex(nullRound)), toBeHex(10n ** 18n));
  });

  // eth_transactions_test.go:TestEthTxFromNativeAccount_*
  test('TestEthTxFromNativeAccount_*: a native message\'s input as Lotus shows it, and the reverted address as the `to` of an invalid receiver', async () => {
    const asTx = async (message: Record<string, unknown>) => {
      const cid = await pushNative(message);
      await ok('Filecoin.StateWaitMsg', cid, 0, -1, true);
      return ok<{ input: Hex; to: Hex; from: Hex }>('eth_getTransactionByHash', await ethHashOf(cid));
    };
    const self = { To: wallet, Value: '100' };
    const selfAsEth = await ok<Hex>('Filecoin.FilecoinAddressToEthAddress', wallet, 'latest');
    const plain = await asTx({ ...self, Method: INVOKE_EVM });
    assert.equal(plain.input, '0x');
    assert.equal(plain.to, selfAsEth);
    assert.equal(plain.from, selfAsEth);
    const cbor = Buffer.from(encodeCbor(new Uint8Array([1, 2, 3, 4]))).toString('base64');
    assert.equal((await asTx({ ...self, Method: INVOKE_EVM, Params: cbor })).input, '0x01020304');
    const raw = Buffer.from([1, 2, 3, 4]).toString('base64');
    assert.equal((await asTx({ ...self, Method: INVOKE_EVM, Params: raw })).input, filecoinMethodInput(INVOKE_EVM, 0x51, '01020304'));
    assert.equal((await asTx({ ...self, Method: INVOKE_EVM + 1, Params: raw })).input, filecoinMethodInput(INVOKE_EVM + 1, 0x51, '01020304'));
    // An actor address nobody created (t2 of blake2b-160("foobar")): exit 5, `to` Lotus's reverted address.
    const cid = await pushNative({ To: 't25pggxheb2x2u2e4uja2j2rxmsy6j5wt2utxozlq', Value: '100', Method: INVOKE_EVM + 1, Params: raw, GasLimit: 10_000_000, GasFeeCap: '1000000000' });
    const lookup = await ok<{ Receipt: { ExitCode: number } }>('Filecoin.StateWaitMsg', cid, 0, -1, true);
    assert.equal(lookup.Receipt.ExitCode, 5);
    assert.equal((await ok<{ to: Hex }>('eth_getTransactionByHash', await ethHashOf(cid))).to, '0xff0000000000000000000000ffffffffffffffff');
  });

  // eth_hash_lookup_test.go
  test('TestTransactionHashLookup*: a pending transaction by its hash and message CID, then mined; unknown hashes and CIDs are null', async () => {
    await ok('evm_setAutomine', false);
    let hash: Hex;
    try {
      const sent = await signer.sendTransaction({ to: DEV_ACCOUNTS[2]!.address, value: 5n });
      hash = sent.hash;
      const pending = await ok<{ hash: Hex; blockHash: Hex | null; blockNumber: Hex | null }>('eth_getTransactionByHash', hash);
      assert.equal(pending.hash, hash);
      assert.equal(pending.blockHash, null);
      assert.equal(pending.blockNumber, null);
      const cid = await ok<{ '/': string }>('Filecoin.EthGetMessageCidByTransactionHash', hash);
      const message = await ok<{ From: string; Nonce: number; Value: string }>('Filecoin.ChainGetMessage', cid);
      assert.equal(message.Nonce, sent.nonce);
      assert.equal(message.Value, '5');
      await ok('evm_mine');
    } finally {
      await ok('evm_setAutomine', true);
    }
    const mined = await ok<{ hash: Hex; blockHash: Hex; blockNumber: Hex; transactionIndex: Hex }>('eth_getTransactionByHash', hash);
    assert.equal(mined.hash, hash);
    assert.ok(Number(mined.blockNumber) > 0);
    assert.match(mined.blockHash, /^0x[0-9a-f]{64}$/);
    assert.equal(mined.transactionIndex, '0x0');
    assert.equal(await ok('eth_getTransactionReceipt', '0x0123456789012345678901234567890123456789012345678901234567890123'), null);
    // TestTransactionHashLookupNonexistentMessage
    const fake = { '/': 'bafy2bzacecapjnxnyw4talwqv5ajbtbkzmzqiosztj5cb3sortyp73ndjl76e' };
    assert.equal(await ok('Filecoin.EthGetTransactionHashByCid', fake), null);
    const fakeHash = '0x' + Buffer.from(CID.parse(fake['/']).multihash.digest).toString('hex');
    assert.equal(await ok('Filecoin.EthGetMessageCidByTransactionHash', fakeHash), null);
  });

  test('TestTransactionHashLookupSecpFilecoinMessage: a native transfer found by its CID\'s hash, in its block by hash and by number, with the `to` and input Lotus shows', async () => {
    const to = await ok<string>('Filecoin.WalletNew', 'secp256k1');
    const cid = await pushNative({ To: to, Value: '1000' });
    const hash = await ethHashOf(cid);
    assert.equal(hash, '0x' + Buffer.from(CID.parse(cid['/']).multihash.digest).toString('hex'));
    await ok('Filecoin.StateWaitMsg', cid, 0, -1, true);
    assert.equal((await ok<{ transactionHash: Hex }>('eth_getTransactionReceipt', hash)).transactionHash, hash);
    const tx = await ok<{ hash: Hex; to: Hex; input: Hex; blockHash: Hex; blockNumber: Hex; transactionIndex: Hex }>('eth_getTransactionByHash', hash);
    const toEth = await ok<Hex>('Filecoin.FilecoinAddressToEthAddress', await ok<string>('Filecoin.StateLookupID', to, null));
    assert.equal(tx.to, toEth);
    assert.equal(tx.input, filecoinMethodInput(0, 0, ''));
    assert.equal((await ok('eth_getTransactionByBlockHashAndIndex', tx.blockHash, tx.transactionIndex)).hash, hash);
    assert.equal((await ok('eth_getTransactionByBlockNumberAndIndex', tx.blockNumber, tx.transactionIndex)).to, toEth);
    assert.deepEqual(await ok('Filecoin.EthGetMessageCidByTransactionHash', hash), cid);
  });

  test('TestEthGetTransactionHashLookupIgnoresReplacementMessages: the replaced transaction\'s hash finds nothing once its replacement is mined', async () => {
    const contract = await new ContractFactory(matrix.abi, matrix.bytecode, signer).deploy();
    await contract.waitForDeployment();
    await ok('evm_setAutomine', false);
    const key = new Wallet(DEV_ACCOUNTS[0]!.privateKey);
    const nonce = await provider.getTransactionCount(key.address, 'pending');
    const base = { to: await contract.getAddress(), data: contract.interface.encodeFunctionData('many', [4]), nonce, chainId: 31415926n, gasLimit: 100_000_000n, type: 2 };
    let original: Hex, replacement: Hex, originalCid: { '/': string };
    try {
      original = await ok('eth_sendRawTransaction', await key.signTransaction({ ...base, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 10n ** 6n }));
      originalCid = await ok('Filecoin.EthGetMessageCidByTransactionHash', original);
      replacement = await ok('eth_sendRawTransaction', await key.signTransaction({ ...base, maxFeePerGas: 2n * 10n ** 9n, maxPriorityFeePerGas: 2n * 10n ** 6n }));
      assert.notEqual(original, replacement);
      await ok('evm_mine');
    } finally {
      await ok('evm_setAutomine', true);
    }
    signer.reset();
    const receipt = await ok<{ status: Hex; logs: unknown[] }>('eth_getTransactionReceipt', replacement);
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.logs.length, 4);
    assert.equal((await ok<{ hash: Hex }>('eth_getTransactionByHash', replacement)).hash, replacement);
    assert.equal(await ok('eth_getTransactionByHash', original), null);
    assert.equal(await ok('eth_getTransactionReceipt', original), null);
    assert.equal(await ok('Filecoin.StateSearchMsg', null, originalCid, -1, false), null);
  });

  // eth_api_test.go
  test('TestEthGetGenesis, TestNetVersion and the address conversions: block 0 is the genesis tipset; f1 addresses resolve once they exist and are final', async () => {
    const genesis = await ok<{ Cids: { '/': string }[] }>('Filecoin.ChainGetGenesis');
    const block = await ok<{ hash: Hex }>('eth_getBlockByNumber', '0x0', true);
    assert.equal(block.hash, tipsetKeyHash(genesis.Cids.map((c) => c['/'])));
    assert.equal(await ok('net_version'), '31415926');
    const f410 = await ok<string>('Filecoin.EthAddressToFilecoinAddress', DEV_ACCOUNTS[1]!.address);
    assert.match(f410, /^t410f/);
    assert.equal((await ok<Hex>('Filecoin.FilecoinAddressToEthAddress', f410)).toLowerCase(), DEV_ACCOUNTS[1]!.address.toLowerCase());
    assert.equal(await ok('Filecoin.FilecoinAddressToEthAddress', 't05'), '0xff00000000000000000000000000000000000005');
    assert.equal(await ok('Filecoin.EthAddressToFilecoinAddress', '0xff00000000000000000000000000000000000005'), 't05');
    const secp = await ok<string>('Filecoin.WalletNew', 'secp256k1');
    assert.match((await failure('Filecoin.FilecoinAddressToEthAddress', secp, 'latest')).message, /actor not found/);
    await ok('Filecoin.StateWaitMsg', await pushNative({ To: secp, Value: '1' }), 0, -1, true);
    const id = await ok<string>('Filecoin.StateLookupID', secp, null);
    assert.equal(await ok('Filecoin.FilecoinAddressToEthAddress', secp, 'latest'), await ok('Filecoin.FilecoinAddressToEthAddress', id));
    // TestFilecoinAddressToEthAddressFinalised: not yet at 'finalized' (F3 trails the head by 10 epochs here), then final.
    assert.match((await failure('Filecoin.FilecoinAddressToEthAddress', secp, 'finalized')).message, /sufficient epochs have passed/);
    await ok('anvil_mine', '0xb');
    assert.equal(await ok('Filecoin.FilecoinAddressToEthAddress', secp, 'finalized'), await ok('Filecoin.FilecoinAddressToEthAddress', id));
  });

  // eth_api_f3_test.go: reads at a block before a contract, an account or any message existed.
  test('TestEthAPIWithF3\'s reads at an earlier block: no code, zero storage and balance, no ID; an empty tipset has no transaction 0 and no receipts', async () => {
    await ok('evm_mine');
    const empty = await ok<{ number: Hex }>('eth_getBlockByNumber', 'latest', false);
    const from = DEV_ACCOUNTS[0]!.address;
    const nonce = await provider.getTransactionCount(from, 'pending');
    const contract = await new ContractFactory(matrix.abi, matrix.bytecode, signer).deploy();
    await contract.waitForDeployment();
    assert.equal(await contract.getAddress(), getCreateAddress({ from, nonce }));
    const address = await contract.getAddress();
    assert.notEqual(await ok('eth_getCode', address, 'latest'), '0x');
    assert.equal(await ok('eth_getCode', address, empty.number), '0x');
    assert.equal(await ok('eth_getStorageAt', address, '0x0', empty.number), '0x' + '00'.repeat(32));
    const secp = await ok<string>('Filecoin.WalletNew', 'secp256k1');
    await ok('Filecoin.StateWaitMsg', await pushNative({ To: secp, Value: '1' }), 0, -1, true);
    const masked = await ok<Hex>('Filecoin.FilecoinAddressToEthAddress', secp, 'latest');
    assert.equal(await ok('eth_getBalance', masked, 'latest'), '0x1');
    assert.equal(await ok('eth_getBalance', masked, empty.number), '0x0');
    assert.match((await failure('Filecoin.FilecoinAddressToEthAddress', secp, empty.number)).message, /^failed to lookup ID address for given Filecoin address/);
    assert.deepEqual(await failure('eth_getTransactionByBlockNumberAndIndex', empty.number, '0x0'), { code: 1, message: 'index 0 out of range: tipset contains 0 messages' });
    assert.deepEqual(await ok('eth_getBlockReceipts', empty.number), []);
    assert.equal(await ok('eth_getBlockTransactionCountByNumber', empty.number), '0x0');
  });
});
