// Node identity through the HTTP layer: web3_clientVersion, net_version, net_listening,
// eth_chainId, eth_syncing, eth_accounts (with impersonated addresses), eth_requestAccounts; and evm_mine.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { DevnetConfig } from '../../src/index.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { setupRpc } from '../helpers/rpc-harness.js';

/** These tests read whole answers, so only `call` is needed. */
const setup = async (t: TestContext, overrides: Partial<DevnetConfig> = {}) => (await setupRpc(t, overrides)).call;

describe('identity methods', () => {
  test('the default chain: 31415926 as hex and as a decimal net_version', async (t) => {
    const call = await setup(t);
    assert.equal((await call('eth_chainId')).result, '0x1df5e76');
    assert.equal((await call('net_version')).result, '31415926');
    assert.equal((await call('net_listening')).result, true);
    assert.equal((await call('eth_syncing')).result, false);
    // Hardhat's network helpers accept a node only if its version starts with "anvil" (or Hardhat's);
    // OpenZeppelin Upgrades takes it for a development network when "anvil" is its whole name.
    assert.equal((await call('web3_clientVersion')).result, 'anvil/fvm-devnet/v0.1.0');
  });

  test('another chain id shows in both', async (t) => {
    const call = await setup(t, { chainId: 314159n });
    assert.equal((await call('eth_chainId')).result, '0x4cb2f');
    assert.equal((await call('net_version')).result, '314159');
  });

  test('eth_accounts lists the dev accounts, lowercase, as many as configured', async (t) => {
    const call = await setup(t);
    assert.deepEqual((await call('eth_accounts')).result, DEV_ACCOUNTS.map((a) => a.address.toLowerCase()));
  });

  // U90: as Anvil lists them (ethers' provider.getSigner(address) looks the address up here).
  test('eth_accounts lists the impersonated addresses after the dev accounts, once each, until stopped', async (t) => {
    const call = await setup(t, { accounts: 2 });
    const dev = DEV_ACCOUNTS.slice(0, 2).map((a) => a.address.toLowerCase());
    const whale = '0x00000000000000000000000000000000000000aa';
    const masked = '0xff00000000000000000000000000000000000064';
    for (const address of [whale.toUpperCase().replace('0X', '0x'), dev[1], masked]) await call('anvil_impersonateAccount', [address]);
    assert.deepEqual((await call('eth_accounts')).result, [...dev, whale, masked]);
    assert.deepEqual((await call('eth_requestAccounts')).result, [...dev, whale, masked]);
    await call('hardhat_stopImpersonatingAccount', [whale]);
    await call('anvil_autoImpersonateAccount', [true]);
    assert.deepEqual((await call('eth_accounts')).result, [...dev, masked]);
  });

  // U84: as Anvil and Hardhat answer EIP-1102's request; Lotus has neither, so no Filecoin.Eth* alias.
  test('eth_requestAccounts answers the dev accounts, as eth_accounts', async (t) => {
    const call = await setup(t, { accounts: 3 });
    assert.deepEqual((await call('eth_requestAccounts')).result, (await call('eth_accounts')).result);
    assert.equal((await call('eth_requestAccounts')).result.length, 3);
    assert.equal((await call('Filecoin.EthRequestAccounts')).error?.code, -32601);
  });

  test('eth_accounts with 3 accounts', async (t) => {
    const call = await setup(t, { accounts: 3 });
    assert.deepEqual((await call('eth_accounts')).result, DEV_ACCOUNTS.slice(0, 3).map((a) => a.address.toLowerCase()));
  });

  test('these methods take no params', async (t) => {
    const call = await setup(t);
    for (const method of ['eth_chainId', 'net_version', 'eth_accounts', 'eth_requestAccounts', 'eth_blockNumber', 'evm_mine']) {
      assert.equal((await call(method, ['latest'])).error?.code, -32602, method);
    }
  });
});

describe('evm_mine', () => {
  test('mines one tipset in any mode and answers 0x0', async (t) => {
    const call = await setup(t, { noMining: true });
    assert.equal((await call('evm_mine')).result, '0x0');
    assert.equal((await call('eth_blockNumber')).result, '0x1');
    assert.equal((await call('evm_mine')).result, '0x0');
    assert.equal((await call('eth_blockNumber')).result, '0x2');
  });

  test('works in instant mode too', async (t) => {
    const call = await setup(t);
    await call('evm_mine');
    assert.equal((await call('eth_blockNumber')).result, '0x1');
  });
});
