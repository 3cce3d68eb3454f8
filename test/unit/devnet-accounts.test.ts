// Dev accounts: the well-known keys of the "test … junk" mnemonic at m/44'/60'/0'/0/i, with their
// f410 addresses (go-address encoding, checked against an independent encoder and Lotus's vector).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HDNodeWallet } from 'ethers';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { DEFAULT_MNEMONIC, DERIVATION_PATH } from '../../src/config.js';
import { deriveAccounts } from '../../src/devnet/accounts.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { t410 } from '../helpers/f410.js';

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
