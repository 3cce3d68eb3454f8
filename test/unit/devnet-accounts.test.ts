// Dev accounts: the well-known keys of the "test … junk" mnemonic at m/44'/60'/0'/0/i, with their
// f410 addresses (go-address encoding, checked against an independent encoder and Lotus's vector).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { HDNodeWallet } from 'ethers';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/common/hex.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { DERIVATION_PATH, deriveAccounts } from '../../src/devnet/accounts.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';

/** RFC 4648 base32, lowercase, no padding (go-address's encoding). */
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** t410f… of an Ethereum address: checksum = blake2b-32 over protocol 4 ‖ namespace 10 ‖ address. */
function t410(eth: Uint8Array): string {
  const checksum = blake2b(concatBytes(new Uint8Array([0x04, 0x0a]), eth), { dkLen: 4 });
  return `t410f${base32(concatBytes(eth, checksum))}`;
}

describe('deriveAccounts', () => {
  test('the independent f410 encoder reproduces Lotus\'s test vector', () => {
    assert.equal(t410(hexToBytes('0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef')), 't410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa');
  });

  test('the default mnemonic gives the well-known dev accounts, with their keys and f410 addresses', () => {
    const accounts = deriveAccounts(DEFAULT_MNEMONIC, 10);
    assert.equal(accounts.length, 10);
    accounts.forEach((account, i) => {
      const expected = DEV_ACCOUNTS[i]!;
      assert.equal(bytesToHex(account.address), expected.address.toLowerCase());
      assert.equal(account.privateKey, expected.privateKey);
      assert.equal(account.filAddress.toString(), t410(account.address));
      assert.deepEqual(account.filAddress.ethAddress, account.address);
    });
    assert.equal(accounts[0].filAddress.toString(), 't410f6op5nzi2vwepn5gonk4ie4tzz773sitggxp4hiy');
  });

  test('another mnemonic gives other accounts, derived at m/44\'/60\'/0\'/0/i', () => {
    const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
    const accounts = deriveAccounts(mnemonic, 3);
    assert.equal(DERIVATION_PATH, "m/44'/60'/0'/0");
    accounts.forEach((account, i) => {
      const wallet = HDNodeWallet.fromPhrase(mnemonic, undefined, `m/44'/60'/0'/0/${i}`);
      assert.equal(bytesToHex(account.address), wallet.address.toLowerCase());
      assert.equal(account.privateKey, wallet.privateKey);
    });
    assert.notEqual(bytesToHex(accounts[0].address), DEV_ACCOUNTS[0]!.address.toLowerCase());
  });

  test('a count of 1 gives the first account only', () => {
    const [only, ...rest] = deriveAccounts(DEFAULT_MNEMONIC, 1);
    assert.equal(rest.length, 0);
    assert.equal(bytesToHex(only.address), DEV_ACCOUNTS[0]!.address.toLowerCase());
  });

  test('an invalid mnemonic is refused', () => {
    assert.throws(() => deriveAccounts('not a valid mnemonic at all', 1));
  });
});
