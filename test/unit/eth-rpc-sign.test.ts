// Signing for the dev accounts through the HTTP layer: eth_sign, personal_sign, eth_signTypedData_v4
// and eth_signTransaction sign as the key's owner would (checked against ethers signing locally);
// other addresses and bad input get clear errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexlify, recoverAddress, toUtf8Bytes, Transaction, verifyTypedData } from 'ethers';
import { devWallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const FROM = devWallet.address;
const OTHER = '0x' + '42'.repeat(20);
const PERMIT = {
  types: {
    EIP712Domain: [
      { name: 'name', type: 'string' },
      { name: 'version', type: 'string' },
      { name: 'chainId', type: 'uint256' },
      { name: 'verifyingContract', type: 'address' },
    ],
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  },
  primaryType: 'Permit',
  domain: { name: 'Token', version: '1', chainId: 31415926, verifyingContract: RECIPIENT },
  message: { owner: FROM, spender: RECIPIENT, value: '1000', nonce: 0, deadline: '99999999999' },
};

describe('signing for the dev accounts', () => {
  test('personal_sign and eth_sign give the EIP-191 signature the key would', async (t) => {
    const { result } = await setupRpc(t);
    const message = hexlify(toUtf8Bytes('hello'));
    const expected = await devWallet.signMessage('hello');
    assert.equal(await result('personal_sign', [message, FROM]), expected);
    assert.equal(await result('eth_sign', [FROM.toLowerCase(), message]), expected);
  });

  test('eth_signTypedData_v4 takes typed data as an object or as JSON', async (t) => {
    const { result } = await setupRpc(t);
    const { EIP712Domain: _, ...types } = PERMIT.types;
    const expected = await devWallet.signTypedData(PERMIT.domain, types, PERMIT.message);
    assert.equal(await result('eth_signTypedData_v4', [FROM, PERMIT]), expected);
    assert.equal(await result('eth_signTypedData_v4', [FROM, JSON.stringify(PERMIT)]), expected);
    assert.equal(verifyTypedData(PERMIT.domain, types, PERMIT.message, expected), FROM);
  });

  // As Anvil signs them (U83): viem's JSON-RPC accounts (wagmi) send both unchanged.
  test('eth_signTypedData_v4 hashes only the types the primary type uses and the domain\'s EIP-712 fields, and signs the domain alone for primaryType EIP712Domain', async (t) => {
    const { result } = await setupRpc(t);
    const { EIP712Domain: _, ...types } = PERMIT.types;
    const expected = await devWallet.signTypedData(PERMIT.domain, types, PERMIT.message);
    const withUnused = { ...PERMIT, types: { ...PERMIT.types, Unused: [{ name: 'x', type: 'uint256' }] } };
    assert.equal(await result('eth_signTypedData_v4', [FROM, withUnused]), expected);
    // A domain key that is none of EIP-712's five is left out, as Anvil leaves it.
    assert.equal(await result('eth_signTypedData_v4', [FROM, { ...PERMIT, domain: { ...PERMIT.domain, foo: 'bar' } }]), expected);
    // A type used through an array field stays in; one used by nothing does not.
    const batch = {
      ...PERMIT,
      types: { ...PERMIT.types, Batch: [{ name: 'permits', type: 'Permit[2]' }], Unused: [{ name: 'x', type: 'uint256' }] },
      primaryType: 'Batch',
      message: { permits: [PERMIT.message, PERMIT.message] },
    };
    const batchTypes = { Batch: batch.types.Batch, Permit: PERMIT.types.Permit };
    assert.equal(await result('eth_signTypedData_v4', [FROM, batch]), await devWallet.signTypedData(PERMIT.domain, batchTypes, batch.message));
    // eth-sig-util's full-domain vector: keccak256(0x1901 ‖ domainSeparator), no message hash; viem sends no message.
    const domainOnly = {
      types: { EIP712Domain: [...PERMIT.types.EIP712Domain, { name: 'salt', type: 'bytes32' }] },
      primaryType: 'EIP712Domain',
      domain: { name: 'example.metamask.io', version: '1', chainId: 1, verifyingContract: '0x0000000000000000000000000000000000000000' },
    };
    const signature = await result('eth_signTypedData_v4', [FROM, domainOnly]);
    assert.equal(recoverAddress('0x122d1c8ef94b76dad44dcb03fa772361e20855c63311a15d5afe02d1b38f6077', signature), FROM);
    assert.equal(await result('eth_signTypedData_v4', [FROM, { ...domainOnly, message: {} }]), signature);
  });

  test('eth_signTransaction fills nonce, gas and fees and signs without sending', async (t) => {
    const { result, send } = await setupRpc(t);
    await send({ nonce: 0 });
    const raw = await result('eth_signTransaction', [{ from: FROM, to: RECIPIENT, value: '0x5' }]);
    const tx = Transaction.from(raw);
    assert.equal(tx.from, FROM);
    assert.equal(tx.nonce, 1);
    assert.equal(tx.type, 2);
    assert.equal(tx.value, 5n);
    assert.ok(tx.gasLimit > 1_000_000n);
    // Nothing was sent: the pending nonce has not moved, and the raw transaction is accepted.
    assert.equal(await result('eth_getTransactionCount', [FROM, 'pending']), '0x1');
    const hash = await result('eth_sendRawTransaction', [raw]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
  });

  test('an impersonated address has no key; any other address neither; each says so', async (t) => {
    const { result, error } = await setupRpc(t);
    await result('anvil_impersonateAccount', [OTHER]);
    const impersonated = await error('personal_sign', ['0x00', OTHER]);
    assert.equal(impersonated.code, 1);
    assert.match(impersonated.message, /is impersonated: the node sends for it but holds no key to sign with/);
    assert.match((await error('eth_signTransaction', [{ from: OTHER, to: RECIPIENT }])).message, /impersonated/);
    await result('anvil_stopImpersonatingAccount', [OTHER]);
    const unknown = await error('eth_sign', [OTHER, '0x00']);
    assert.match(unknown.message, /holds no key for 0x4242424242424242424242424242424242424242: it signs only for its dev accounts/);
  });

  test('bad input is -32602 naming the parameter', async (t) => {
    const { error } = await setupRpc(t);
    const check = async (method: string, params: unknown[], name: RegExp) => {
      const { code, message } = await error(method, params);
      assert.equal(code, -32602, `${method} ${JSON.stringify(params)}`);
      assert.match(message, name, `${method}: ${message}`);
    };
    await check('personal_sign', ['hello', FROM], /'message'/);
    await check('personal_sign', ['0x00', '0x1234'], /'address'/);
    await check('eth_sign', [FROM], /address|message|param/);
    await check('eth_signTypedData_v4', [FROM, '{not json'], /'typedData'/);
    await check('eth_signTypedData_v4', [FROM, { ...PERMIT, primaryType: 7 }], /'typedData.primaryType'/);
    await check('eth_signTypedData_v4', [FROM, { ...PERMIT, message: { owner: 'nope' } }], /'typedData'/);
    await check('eth_signTypedData_v4', [FROM, { ...PERMIT, message: undefined }], /'typedData.message'/);
    await check('eth_signTypedData_v4', [FROM, { ...PERMIT, types: { Permit: [{ name: 'owner', type: 'constructor' }] } }], /'typedData'.*constructor/);
    await check('eth_signTransaction', [{ to: RECIPIENT }], /'transaction.from'/);
    await check('eth_signTransaction', [{ from: FROM, value: 'lots' }], /'transaction.value'/);
  });
});
