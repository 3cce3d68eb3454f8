// The node's wallet for native accounts: importing Lotus KeyInfos, signing as Lotus wallets sign
// (checked with iso-filecoin, an independent implementation), and MpoolPushMessage.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Signature } from 'iso-filecoin/signature';
import { accountFromPrivateKey, verify } from 'iso-filecoin/wallet';
import { FilAddress } from '../../src/common/address.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const FIL = 10n ** 18n;
const secretSecp = new Uint8Array(32).fill(3);
const secretBls = new Uint8Array(32).fill(5);
const secp = accountFromPrivateKey(secretSecp, 'SECP256K1', 'testnet');
const bls = accountFromPrivateKey(secretBls, 'BLS', 'testnet');
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fund = [
  { address: FilAddress.parse(secp.address.toString()), balance: 100n * FIL },
  { address: FilAddress.parse(bls.address.toString()), balance: 100n * FIL },
];

describe('Filecoin.Wallet*', () => {
  test('imports keys as Lotus exports them and lists them', async (t) => {
    // Without storage providers, whose owner keys the node holds from the start; it still holds the
    // verified registry's root key and verifier, and its deal client.
    const { result, error } = await setupRpc(t, { storageProviders: 0 });
    const registry = deriveNodeKeys(DEFAULT_MNEMONIC);
    const held = [registry.rootKey, registry.verifier, registry.dealClient].map((key) => key.address.toString());
    assert.equal(await result('Filecoin.WalletImport', [{ Type: 'secp256k1', PrivateKey: b64(secretSecp) }]), secp.address.toString());
    // Lotus keeps BLS secrets little-endian.
    const lotusBls = b64(secretBls.slice().reverse());
    assert.equal(await result('Filecoin.WalletImport', [{ Type: 'bls', PrivateKey: lotusBls }]), bls.address.toString());
    assert.deepEqual((await result('Filecoin.WalletList')).sort(), [...held, secp.address.toString(), bls.address.toString()].sort());
    assert.equal(await result('Filecoin.WalletHas', [secp.address.toString()]), true);
    assert.equal(await result('Filecoin.WalletHas', ['t1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y']), false);
    assert.equal((await error('Filecoin.WalletImport', [{ Type: 'ed25519', PrivateKey: '' }])).code, -32602);
  });

  test('WalletSign signs as Lotus wallets do, for held keys only', async (t) => {
    const { result, error } = await setupRpc(t);
    await result('Filecoin.WalletImport', [{ Type: 'secp256k1', PrivateKey: b64(secretSecp) }]);
    await result('Filecoin.WalletImport', [{ Type: 'bls', PrivateKey: b64(secretBls.slice().reverse()) }]);
    const data = new TextEncoder().encode('fvm-devnet');
    for (const account of [secp, bls]) {
      const signed = await result('Filecoin.WalletSign', [account.address.toString(), b64(data)]);
      const signature = Signature.fromLotus(signed);
      assert.equal(verify(signature, data, account.publicKey), true, `${account.type} signature verifies`);
    }
    assert.equal((await error('Filecoin.WalletSign', ['t1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y', b64(data)])).message, 'key not found for t1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y');
  });

  test('MpoolPushMessage fills nonce and gas, signs and mines, with consecutive nonces', async (t) => {
    const { result, devnet } = await setupRpc(t, { fund });
    await result('Filecoin.WalletImport', [{ Type: 'secp256k1', PrivateKey: b64(secretSecp) }]);
    await result('Filecoin.WalletImport', [{ Type: 'bls', PrivateKey: b64(secretBls.slice().reverse()) }]);
    const send = (from: string, to: string) =>
      result('Filecoin.MpoolPushMessage', [{ From: from, To: to, Value: FIL.toString(), Method: 0 }, null]);
    const pushed = await Promise.all([send(secp.address.toString(), bls.address.toString()), send(secp.address.toString(), bls.address.toString()), send(bls.address.toString(), secp.address.toString())]);
    assert.deepEqual(pushed.map((p) => p.Message.Nonce).sort(), [0, 0, 1]);
    assert.ok(pushed.every((p) => p.Message.GasLimit > 0));
    for (const p of pushed) {
      const lookup = await result('Filecoin.StateSearchMsg', [null, p.CID, -1, true]);
      assert.equal(lookup.Receipt.ExitCode, 0);
    }
    assert.equal(await result('Filecoin.MpoolGetNonce', [secp.address.toString()]), 2);
    assert.equal(devnet.poolContent().pending.length, 0);
  });
});
