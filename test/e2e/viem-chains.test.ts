// viem's own Filecoin chains (`filecoinCalibration`, id 314159; `filecoin`, id 314) as code written for
// calibnet or mainnet imports them from 'viem/chains', pointed at the devnet's URL, as the README's
// viem bullet describes: refused with the default chain id (a JSON-RPC account stops at viem's own
// chain check, a local account's signed transaction at the node's), unchanged with `--chain-id
// 314159`. Multicall3 is where `filecoin` names it; `filecoinCalibration` names none.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BaseError, ChainMismatchError, createPublicClient, createWalletClient, defineChain, http, parseAbi, type Chain } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { filecoin, filecoinCalibration } from 'viem/chains';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { useDevnet } from '../helpers/use-devnet.js';

const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11';
const MULTICALL3_ABI = parseAbi(['function getChainId() view returns (uint256)']);
const TO = DEV_ACCOUNTS[5]!.address;

/** `chain` with its RPC URL swapped for the devnet's, the only change such code needs. */
const atDevnet = (chain: Chain, url: string): Chain => defineChain({ ...chain, rpcUrls: { default: { http: [url] } } });

describe("viem's filecoinCalibration and filecoin chains against the devnet's default chain id", () => {
  const devnet = useDevnet();

  test('a JSON-RPC account stops at ChainMismatchError, a local account at the node\'s "invalid chain id"', async () => {
    for (const chain of [filecoinCalibration, filecoin]) {
      const jsonRpc = createWalletClient({ chain, account: DEV_ACCOUNTS[0]!.address, transport: http(devnet.url) });
      await assert.rejects(jsonRpc.sendTransaction({ to: TO, value: 1n }), (err: BaseError) => {
        assert.ok(err.walk((e) => e instanceof ChainMismatchError), err.message);
        assert.match(err.shortMessage, new RegExp(`current chain of the wallet \\(id: ${DEVNET_CHAIN_ID}\\) does not match the target chain for the transaction \\(id: ${chain.id}`));
        return true;
      });
      const local = createWalletClient({ chain, account: privateKeyToAccount(DEV_ACCOUNTS[1]!.privateKey), transport: http(devnet.url) });
      await assert.rejects(local.sendTransaction({ to: TO, value: 1n }), (err: BaseError) => {
        assert.equal(err.details, `failed to convert to unsigned msg: invalid chain id: ${chain.id}`, err.message);
        return true;
      });
    }
  });

  test("multicall() finds Multicall3 through filecoin's contracts, not through filecoinCalibration's", async () => {
    const contracts = [{ address: MULTICALL3, abi: MULTICALL3_ABI, functionName: 'getChainId' }] as const;
    const viaFilecoin = createPublicClient({ chain: filecoin, transport: http(devnet.url), cacheTime: 0 });
    assert.deepEqual(await viaFilecoin.multicall({ contracts }), [{ result: BigInt(DEVNET_CHAIN_ID), status: 'success' }]);
    const viaCalibration = createPublicClient({ chain: filecoinCalibration, transport: http(devnet.url), cacheTime: 0 });
    await assert.rejects(viaCalibration.multicall({ contracts }), /does not support contract "multicall3"/);
  });
});

describe('viem\'s filecoinCalibration against `fvm-devnet --chain-id 314159`', () => {
  const devnet = useDevnet(['--chain-id', '314159']);

  test('JSON-RPC and local accounts send, and multicall() works once the chain names Multicall3', async () => {
    const chain = atDevnet(filecoinCalibration, devnet.url);
    const client = createPublicClient({ chain, transport: http(), cacheTime: 0 });
    const senders = [
      createWalletClient({ chain, account: DEV_ACCOUNTS[0]!.address, transport: http() }),
      createWalletClient({ chain, account: privateKeyToAccount(DEV_ACCOUNTS[1]!.privateKey), transport: http() }),
    ];
    for (const wallet of senders) {
      const hash = await wallet.sendTransaction({ to: TO, value: 1n });
      assert.equal((await client.waitForTransactionReceipt({ hash })).status, 'success');
    }
    const withMulticall = createPublicClient({ chain: { ...chain, contracts: { multicall3: { address: MULTICALL3 } } }, transport: http(), cacheTime: 0 });
    const [chainId] = await withMulticall.multicall({ contracts: [{ address: MULTICALL3, abi: MULTICALL3_ABI, functionName: 'getChainId' }], allowFailure: false });
    assert.equal(chainId, 314159n);
  });
});
