// Lotus's eth_call and eth_estimateGas integration tests (itests/eth_call_estimate_test.go at
// b835fab70) ported: simulations from senders Lotus lets through without a sender check (a
// contract, an address with no actor, none at all), with Lotus's own compiled contracts
// (test/fixtures/lotus-itests), deployed by a native account through MpoolPushMessage as kit does;
// Ethereum accounts are ethers Wallets funded with a Filecoin send (kit.SendFunds). Each test names
// the itest it ports and asserts what Lotus asserts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet, id, toBeHex, zeroPadValue, type BaseWallet } from 'ethers';
import { lotusContractCode, lotusKitSuite } from '../helpers/lotus-contracts.js';

const FIL = 10n ** 18n;
const word = (n: number | bigint | string) => zeroPadValue(toBeHex(BigInt(n)), 32).slice(2);
const calldata = (signature: string, ...words: string[]) => id(signature).slice(0, 10) + words.join('');
/** itests' nonExistentAddr: 0xdeadbeef…<seed>, which no actor holds. */
const nonExistent = (seed: number) => '0xdeadbeef' + '00'.repeat(15) + seed.toString(16).padStart(2, '0');

describe("Lotus's eth_call and eth_estimateGas itests (itests/eth_call_estimate_test.go, b835fab70)", () => {
  const { kit, node } = lotusKitSuite();
  let provider: JsonRpcProvider;
  /** SimpleCoin, deployed by the native account (which it gives 10 000 coins). */
  let coin: { id: string; eth: string };
  let errors: { id: string; eth: string };
  /** A funded Ethereum account (a placeholder until it sends) and one with no actor. */
  let eoa: string;
  const eoa2 = Wallet.createRandom().address;
  const { rpc } = kit;
  /** kit.SendFunds: a Filecoin send to the account's f410 address. */
  async function fund(address: string, fil: bigint): Promise<void> {
    const { lookup } = await kit.push({ To: await rpc('Filecoin.EthAddressToFilecoinAddress', address), Value: (fil * FIL).toString(), Method: 0 });
    assert.equal(lookup.Receipt.ExitCode, 0);
  }
  const estimate = async (call: object) => BigInt(await rpc('eth_estimateGas', call, 'latest'));
  /** Sends `data` from `wallet` with `gasLimit` (nonce 0 unless given); the receipt's status. */
  async function send(wallet: BaseWallet, to: string, data: string, gasLimit: bigint, nonce = 0): Promise<number> {
    const tx = await wallet.connect(provider).sendTransaction({ to, data, gasLimit, nonce, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: BigInt(await rpc('eth_maxPriorityFeePerGas')) });
    return (await provider.getTransactionReceipt(tx.hash))!.status!;
  }

  before(async () => {
    provider = new JsonRpcProvider(node().url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    coin = await kit.deploy('SimpleCoin');
    errors = await kit.deploy('Errors');
    eoa = Wallet.createRandom().address;
    await fund(eoa, 10n);
  });
  after(() => provider?.destroy());

  test('TestEthCallSkipSender, TestEthEstimateGasSkipSender: from a contract, an address with no actor or none; value they lack is insufficient funds; reverts keep their reason', async () => {
    const initcode = lotusContractCode('SimpleCoin');
    const oneFil = toBeHex(FIL);
    const cases: [string, object, RegExp?][] = [
      // The EAM refuses a contract as a deployer (builtin-actors resolve_caller_external): Lotus's known gap.
      ['CreateFromContract', { from: coin.eth, data: initcode }, /disallowed caller/],
      ['CreateFromNonExistent', { from: nonExistent(1), data: initcode }],
      ['FromContract', { from: coin.eth, to: eoa }],
      ['FromContractWithGasPrice', { from: coin.eth, to: eoa, gasPrice: toBeHex(10n ** 9n) }],
      ['FromContractToSelf', { from: coin.eth, to: coin.eth, data: calldata('getBalance(address)', word(coin.eth)) }],
      ['FromContractWithValue', { from: coin.eth, to: eoa, value: oneFil }, /insufficient/i],
      ['FromNonExistent', { from: nonExistent(1), to: eoa }],
      ['FromNonExistentToContractWithData', { from: nonExistent(1), to: errors.eth, data: calldata('failRevertEmpty()') }, /revert reason=\[none\]/],
      ['FromNonExistentWithValue', { from: nonExistent(1), to: eoa, value: oneFil }, /insufficient/i],
      ['FromEOA', { from: eoa, to: eoa2 }],
      ['FromNil', { to: eoa }],
      ['ValueOverBalance', { from: eoa, to: nonExistent(1), value: toBeHex(11n * FIL) }, /insufficient/i],
      ['RevertDivideByZero', { from: eoa, to: errors.eth, data: calldata('failDivZero()') }, /DivideByZero/],
      ['RevertWithReason', { from: eoa, to: errors.eth, data: calldata('failRevertReason()') }, /my reason/],
    ];
    for (const [name, call, failure] of cases) {
      for (const [method, params] of [['eth_call', [call, 'latest']], ['eth_estimateGas', [call, 'latest']]] as const) {
        const { result, error } = await kit.raw(method, [...params]);
        if (!failure) {
          assert.equal(error, undefined, `${name} ${method}`);
          if (method === 'eth_estimateGas') assert.ok(BigInt(result) >= 21_000n && BigInt(result) < 10_000_000_000n, `${name}: ${result}`);
        } else assert.match(error?.message ?? '', failure, `${name} ${method}`);
      }
    }
    // The simulation's placeholder for a sender with no actor is not kept (TestSkipSenderStateIsolation).
    await assert.rejects(rpc('Filecoin.StateGetActor', await rpc('Filecoin.EthAddressToFilecoinAddress', nonExistent(1)), null), /actor not found/);
  });

  test('TestCrossContractCallbackIsolation, TestEthCallSenderIdentity: callbacks in a call from a contract or from no actor; the callee sees the requested sender', async () => {
    const contractB = await kit.deploy('ContractB');
    const contractA = await kit.deploy('ContractA');
    assert.equal((await kit.invoke(contractA.id, 'setContractB(address)', word(contractB.eth))).exit, 0);
    for (const from of [contractB.eth, nonExistent(0x10), eoa]) {
      assert.equal(BigInt(await rpc('eth_call', { from, to: contractA.eth, data: calldata('callBAndReadBack()') }, 'latest')), 42n, from);
    }
    assert.equal(BigInt(await rpc('eth_call', { from: nonExistent(0x11), to: contractA.eth, data: calldata('callBAndDouble()') }, 'latest')), 84n);

    // SimpleCoin's sendCoin answers whether msg.sender holds the coins: credit a contract and an address with no actor.
    for (const to of [contractB.eth, nonExistent(0x21)]) {
      assert.equal((await kit.invoke(coin.id, 'sendCoin(address,uint256)', word(to) + word(100))).exit, 0);
    }
    const spend = calldata('sendCoin(address,uint256)', word(eoa), word(10));
    for (const [from, sufficient] of [[contractB.eth, 1n], [nonExistent(0x21), 1n], [nonExistent(0x22), 0n]] as const) {
      assert.equal(BigInt(await rpc('eth_call', { from, to: coin.eth, data: spend }, 'latest')), sufficient, from);
    }
  });

  test('TestEthSkipSenderGasAccuracy, TestFEVMRecursiveActorCallEstimate: an estimate from a key with no actor is what a funded one gets and is enough once funded, recursion included', async () => {
    const sendCoin = calldata('sendCoin(address,uint256)', word(eoa), word(0));
    const unfunded = Wallet.createRandom();
    const gas = await estimate({ from: unfunded.address, to: coin.eth, data: sendCoin });
    const funded = Wallet.createRandom();
    await fund(funded.address, 1n);
    assert.equal(await estimate({ from: funded.address, to: coin.eth, data: sendCoin }), gas);
    await fund(unfunded.address, 1n);
    assert.equal(await send(unfunded, coin.eth, sendCoin, gas), 1);

    // Recursive calls need more than the gas they use (each level keeps 1/64 back): the estimate searches.
    const recursive = await kit.deploy('ExternalRecursiveCallSimple');
    const caller = Wallet.createRandom();
    await fund(caller.address, 1000n);
    let nonce = 0;
    for (const n of [1, 2, 5, 10, 20, 50, 100]) {
      const data = calldata('exec1(uint256)', word(n));
      const limit = await estimate({ from: caller.address, to: recursive.eth, data });
      assert.ok(limit <= 10_000_000_000n);
      assert.equal(await send(caller, recursive.eth, data, limit, nonce++), 1, `exec1(${n}) with the estimate, ${limit}`);
    }
  });
});
