// The Safe singleton factory at its calibnet and mainnet address, as Safe's tooling and hardhat-deploy
// meet it (audit18 K3): on a node with calibnet's chain id, its code is what its pre-signed deployment
// returns, a CREATE2 through it lands where they compute it, and the pre-signed deployment itself, replayed
// by a tool that funds its signer first, is refused as calibnet refuses it (its nonce is used).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { getCreate2Address, JsonRpcProvider, keccak256, Transaction, Wallet, ZeroHash } from 'ethers';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { useDevnet } from '../helpers/use-devnet.js';

const FACTORY = '0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7';
/** safe-global/safe-singleton-factory artifacts/314159/deployment.json (its pre-signed deployment for calibnet). */
const CALIBNET_DEPLOYMENT =
  '0xf8a78083030dc38402e6c2738080b853604580600e600039806000f350fe7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf383099681a0dfa6ebad42267e7e5badac4c84cb4efbf2130ecefcd54b0f060c87c2b84c1b11a05feeff9e14f70c0e8e666290931315da98c297b08b5623b010f87d460af7d65f';
/** Init code of a contract whose code is the one byte 0x2a. */
const INIT_CODE = '0x602a60005360016000f3';

describe('the Safe singleton factory', () => {
  const node = useDevnet(['--chain-id', '314159']);
  let provider: JsonRpcProvider;

  before(() => {
    provider = node.provider;
  });

  test('is at its calibnet address with the code its pre-signed deployment returns', async () => {
    const deployment = Transaction.from(CALIBNET_DEPLOYMENT);
    assert.equal(deployment.chainId, 314159n);
    assert.equal(deployment.from, '0xE1CB04A0fA36DdD16a06ea828007E35e1a3cBC37');
    // Its init code, PUSH1 0x45 DUP1 PUSH1 0x0e PUSH1 0 CODECOPY DUP1 PUSH1 0 RETURN POP INVALID, returns the
    // 69 bytes after its 14 (a deployment eth_call answers the EAM's return on Lotus, not the code).
    assert.equal(deployment.data.slice(0, 2 + 2 * 14), '0x604580600e600039806000f350fe');
    const runtime = `0x${deployment.data.slice(2 + 2 * 14, 2 + 2 * (14 + 0x45))}`;
    assert.equal(await provider.getCode(FACTORY), runtime);
  });

  test('a CREATE2 through it (salt, then init code) lands at the address tools compute', async () => {
    const deployer = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
    const salt = ZeroHash;
    const expected = getCreate2Address(FACTORY, salt, keccak256(INIT_CODE));
    // The factory answers the new address (20 bytes), as hardhat-deploy and Safe's tooling read it.
    assert.equal((await provider.call({ to: FACTORY, data: salt + INIT_CODE.slice(2) })).toLowerCase(), expected.toLowerCase());
    const receipt = await (await deployer.sendTransaction({ to: FACTORY, data: salt + INIT_CODE.slice(2) })).wait();
    assert.equal(receipt?.status, 1);
    assert.equal(await provider.getCode(expected), '0x2a');
  });

  test('its pre-signed deployment, replayed once its signer is funded, is refused: its nonce is used', async () => {
    const signer = Transaction.from(CALIBNET_DEPLOYMENT).from!;
    assert.equal(await provider.getTransactionCount(signer), 1);
    // What hardhat-deploy does before replaying it: fund the signer for gas limit × gas price.
    const funder = new Wallet(DEV_ACCOUNTS[1]!.privateKey, provider);
    await (await funder.sendTransaction({ to: signer, value: 10n ** 16n })).wait();
    await assert.rejects(provider.send('eth_sendRawTransaction', [CALIBNET_DEPLOYMENT]), /minimum expected nonce is 1, got 0: message nonce too low/);
  });
});
