// A Uniswap-v2-style exchange a Solidity developer writes to learn it (test/fixtures/mini-swap),
// compiled with solc-js and driven with ethers 6 through the node's signers, as against Anvil: a
// factory that makes its pair with CREATE2, found by a router from the pair's init code hash
// computed off-chain; getAmountsOut and a swap against the reserves; and an LP token's EIP-2612
// permit signed by the node (eth_signTypedData_v4) and spent by removeLiquidityWithPermit. (U94,
// newuser18 s57: no test deployed contracts that make contracts with CREATE2 and find them again by
// a hash computed off-chain.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  Contract,
  ContractFactory,
  Signature,
  getCreate2Address,
  keccak256,
  solidityPackedKeccak256,
  type JsonRpcSigner,
} from 'ethers';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { compileSolidity, REPO_ROOT, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const SUPPLY = 10n ** 24n;
const LIQUIDITY = 10n ** 21n;

describe('a Uniswap-v2-style factory, pair and router written as a user writes them', () => {
  const devnet = useDevnet();
  let artifacts: Record<string, CompiledContract>;
  let owner: JsonRpcSigner;
  let tokenA: Contract;
  let tokenB: Contract;
  let factory: Contract;
  let router: Contract;
  let pair: Contract;

  async function deploy(name: string, args: unknown[] = []): Promise<Contract> {
    const { abi, bytecode } = artifacts[name]!;
    return (await (await new ContractFactory(abi, bytecode, owner).deploy(...args)).waitForDeployment()) as Contract;
  }

  async function mined(pending: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
    await (await pending).wait();
  }

  before(async () => {
    artifacts = await compileSolidity({ 'MiniSwap.sol': readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'mini-swap', 'MiniSwap.sol'), 'utf8') });
    owner = await devnet.provider.getSigner(DEV_ACCOUNTS[1]!.address);
    tokenA = await deploy('Token', ['Token A', SUPPLY]);
    tokenB = await deploy('Token', ['Token B', SUPPLY]);
    factory = await deploy('Factory');
  });

  test('createPair lands where CREATE2 of the factory, the sorted tokens and the init code hash computed off-chain says; the router finds it', async () => {
    const [a, b] = [await tokenA.getAddress(), await tokenB.getAddress()];
    await mined(factory.getFunction('createPair')(a, b));
    const [t0, t1] = a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
    const initCodeHash = keccak256(artifacts['Pair']!.bytecode);
    const expected = getCreate2Address(await factory.getAddress(), solidityPackedKeccak256(['address', 'address'], [t0, t1]), initCodeHash);
    assert.equal(await factory.getFunction('getPair')(a, b), expected);
    pair = new Contract(expected, artifacts['Pair']!.abi, owner);
    assert.equal(await pair.getFunction('factory')(), await factory.getAddress());
    assert.deepEqual([await pair.getFunction('token0')(), await pair.getFunction('token1')()], [t0, t1]);
    router = await deploy('Router', [await factory.getAddress(), initCodeHash]);
    assert.equal(await router.getFunction('pairFor')(b, a), expected);
  });

  test('getAmountsOut quotes from the reserves; swapExactTokensForTokens pays that amount before its deadline', async () => {
    const [a, b, pairAddress, me] = [await tokenA.getAddress(), await tokenB.getAddress(), await pair.getAddress(), await owner.getAddress()];
    await mined(tokenA.getFunction('transfer')(pairAddress, LIQUIDITY));
    await mined(tokenB.getFunction('transfer')(pairAddress, 2n * LIQUIDITY));
    await mined(pair.getFunction('mint')(me));
    const [r0, r1, stamp] = await pair.getFunction('getReserves')();
    const latest = (await devnet.provider.getBlock('latest'))!;
    assert.equal(stamp, BigInt(latest.timestamp));
    const [reserveIn, reserveOut] = a.toLowerCase() < b.toLowerCase() ? [r0, r1] : [r1, r0];

    const amountIn = 10n ** 18n;
    const quoted: bigint[] = [...(await router.getFunction('getAmountsOut')(amountIn, [a, b]))];
    const out = (amountIn * 997n * reserveOut) / (reserveIn * 1000n + amountIn * 997n);
    assert.deepEqual(quoted, [amountIn, out]);

    const before = await tokenB.getFunction('balanceOf')(me);
    await mined(tokenA.getFunction('approve')(await router.getAddress(), amountIn));
    await mined(router.getFunction('swapExactTokensForTokens')(amountIn, out, [a, b], me, latest.timestamp + 600));
    assert.equal(await tokenB.getFunction('balanceOf')(me), before + out);
    await assert.rejects(router.getFunction('swapExactTokensForTokens')(amountIn, 0n, [a, b], me, latest.timestamp - 1), (err: any) => err.reason === 'EXPIRED');
  });

  test("removeLiquidityWithPermit spends the LP token's permit the node signed (eth_signTypedData_v4)", async () => {
    const [a, b, me] = [await tokenA.getAddress(), await tokenB.getAddress(), await owner.getAddress()];
    const liquidity: bigint = await pair.getFunction('balanceOf')(me);
    const deadline = (await devnet.provider.getBlock('latest'))!.timestamp + 600;
    const domain = { name: 'Mini LP', version: '1', chainId: DEVNET_CHAIN_ID, verifyingContract: await pair.getAddress() };
    const types = { Permit: ['owner', 'spender', 'value', 'nonce', 'deadline'].map((name) => ({ name, type: name === 'owner' || name === 'spender' ? 'address' : 'uint256' })) };
    const permit = { owner: me, spender: await router.getAddress(), value: liquidity, nonce: 0n, deadline };
    const { v, r, s } = Signature.from(await owner.signTypedData(domain, types, permit));

    await mined(router.getFunction('removeLiquidityWithPermit')(a, b, liquidity, me, deadline, v, r, s));
    assert.equal(await pair.getFunction('balanceOf')(me), 0n);
    assert.equal(await pair.getFunction('nonces')(me), 1n);
    assert.equal(await pair.getFunction('totalSupply')(), 0n);
    // Everything the pair held comes back to its only provider, the swap's input and what is left of B.
    assert.equal(await tokenA.getFunction('balanceOf')(me), SUPPLY);
    assert.equal(await tokenB.getFunction('balanceOf')(me), SUPPLY);
  });
});
