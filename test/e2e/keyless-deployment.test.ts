// Keyless deployments ("Nick's method"): a pre-EIP-155 (Homestead) creation transaction whose
// signature was made up, so its sender is whatever key recovers from it and nobody holds; anyone funds
// that sender and broadcasts the transaction, and the contract lands at the same address on every
// chain. Arachnid's deterministic-deployment-proxy (Foundry's CREATE2 deployer 0x4e59…956C) is deployed
// so, as its README says (fund 0x3fab…5362, then eth_sendRawTransaction). Lotus accepts Homestead
// transactions (FIP-0091, lotus#11969), so the method works on calibnet, but Arachnid's transaction
// allows 100 000 gas, under a Filecoin message's storage cost: refused there and here, which is why no
// Filecoin chain has that proxy (README, Foundry). The same method with a gas limit the FEVM needs works.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { getCreate2Address, getCreateAddress, JsonRpcProvider, keccak256, Signature, toBeHex, Transaction, Wallet } from 'ethers';
import { cast, castOk } from '../helpers/foundry.js';
import { useDevnet } from '../helpers/use-devnet.js';

/** Arachnid/deterministic-deployment-proxy's README: its signed deployment transaction and its one-time sender. */
const ARACHNID_DEPLOYMENT =
  '0xf8a58085174876e800830186a08080b853604580600e600039806000f350fe7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf31ba02222222222222222222222222222222222222222222222222222222222222222a02222222222222222222222222222222222222222222222222222222222222222';
const ARACHNID_SIGNER = '0x3fAB184622Dc19b6109349B94811493BF2a45362';
/** Init code of a contract whose code is the one byte 0x2a. */
const CHILD_INIT_CODE = '0x602a60005360016000f3';

describe('keyless (pre-EIP-155) deployments against the devnet', () => {
  const devnet = useDevnet();
  let provider: JsonRpcProvider;
  let funder: Wallet;
  const rpc = (): string[] => ['--rpc-url', devnet.url];

  before(() => {
    provider = devnet.provider;
    funder = devnet.wallet;
  });

  test("Arachnid's deployment, its sender funded as its README says: refused below a message's storage cost, as on calibnet", async () => {
    const deployment = Transaction.from(ARACHNID_DEPLOYMENT);
    assert.deepEqual([deployment.from, deployment.chainId, deployment.gasLimit, deployment.gasPrice], [ARACHNID_SIGNER, 0n, 100_000n, 100_000_000_000n]);
    await (await funder.sendTransaction({ to: ARACHNID_SIGNER, value: deployment.gasLimit * deployment.gasPrice! })).wait();
    const refused = await cast(['publish', ARACHNID_DEPLOYMENT, ...rpc()]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /'GasLimit' field cannot be less than the cost of storing a message on chain 100000 < \d+/);
    assert.equal(await provider.getCode(getCreateAddress({ from: ARACHNID_SIGNER, nonce: 0 })), '0x');
    assert.equal(await provider.getTransactionCount(ARACHNID_SIGNER), 0);
  });

  test('the same proxy signed keylessly with FEVM gas: cast publish deploys it at CREATE(sender, 0), and a CREATE2 through it lands where tools compute', async () => {
    // Arachnid's transaction with 30 M gas and the same made-up signature (v 27, r = s = 0x22…).
    const arachnid = Transaction.from(ARACHNID_DEPLOYMENT);
    const keyless = Transaction.from({
      type: 0,
      nonce: 0,
      gasPrice: arachnid.gasPrice,
      gasLimit: 30_000_000n,
      to: null,
      value: 0n,
      data: arachnid.data,
      chainId: 0n,
      signature: Signature.from({ r: `0x${'22'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, v: 27 }),
    });
    const sender = keyless.from!;
    await (await funder.sendTransaction({ to: sender, value: keyless.gasLimit * keyless.gasPrice! })).wait();
    const receipt = JSON.parse(await castOk(['publish', keyless.serialized, '--json', ...rpc()])) as { status: string; contractAddress: string };
    const proxy = getCreateAddress({ from: sender, nonce: 0 });
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.contractAddress.toLowerCase(), proxy.toLowerCase());
    // Its code is the init code's 69 bytes after its first 14, the proxy Arachnid's transaction deploys.
    assert.equal(await provider.getCode(proxy), `0x${arachnid.data.slice(2 + 2 * 14)}`);
    // The transaction reads back as Lotus shows a Homestead one: type 0, chain id 0, v 27.
    const sent = await provider.send('eth_getTransactionByHash', [keyless.hash]);
    assert.deepEqual([sent.type, sent.chainId, sent.v], ['0x0', '0x0', '0x1b']);

    const salt = toBeHex(7, 32);
    await (await funder.sendTransaction({ to: proxy, data: salt + CHILD_INIT_CODE.slice(2) })).wait();
    assert.equal(await provider.getCode(getCreate2Address(proxy, salt, keccak256(CHILD_INIT_CODE))), '0x2a');
  });
});
