// The node's BIP-32 keys (src/devnet/hd-keys.ts) against ethers' HD wallet, an independent
// implementation, on every path the node uses and on two mnemonics.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { HDNodeWallet } from 'ethers';
import { base58btc } from 'multiformats/bases/base58';
import { bytesToHex } from '../../src/common/hex.js';
import { DEFAULT_MNEMONIC, DERIVATION_PATH, defaultConfig } from '../../src/config.js';
import { DEFAULT_KEYS_FILE, hdKey, type DefaultKeysFile } from '../../src/devnet/hd-keys.js';
import { NODE_KEYS_DERIVATION_PATH, nodePeerId } from '../../src/devnet/node-keys.js';
import { peerKeyOf, SP_DERIVATION_PATH } from '../../src/devnet/storage-providers/keys.js';

const OTHER_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('hdKey', () => {
  for (const mnemonic of [DEFAULT_MNEMONIC, OTHER_MNEMONIC]) {
    test(`private and public keys equal ethers' at ${mnemonic.split(' ')[0]}… on the dev, provider and node paths`, () => {
      for (const path of [DERIVATION_PATH, SP_DERIVATION_PATH, NODE_KEYS_DERIVATION_PATH]) {
        for (const index of [0, 1, 7]) {
          const expected = HDNodeWallet.fromPhrase(mnemonic, undefined, `${path}/${index}`);
          const key = hdKey(mnemonic, path, index);
          assert.equal(bytesToHex(key.privateKey), expected.privateKey, `${path}/${index}`);
          assert.equal(bytesToHex(key.publicKey), expected.signingKey.publicKey, `${path}/${index}`);
        }
      }
    });
  }

  test('asking again gives the same key (the parent is remembered, not the child)', () => {
    assert.deepEqual(hdKey(DEFAULT_MNEMONIC, SP_DERIVATION_PATH, 3), hdKey(DEFAULT_MNEMONIC, SP_DERIVATION_PATH, 3));
  });

  test('words in capitals give the keys ethers gives for them (wallets take any case)', () => {
    const shouted = DEFAULT_MNEMONIC.replace(/^test/, 'Test').toUpperCase();
    const expected = HDNodeWallet.fromPhrase(shouted, undefined, `${DERIVATION_PATH}/0`);
    assert.equal(bytesToHex(hdKey(shouted, DERIVATION_PATH, 0).privateKey), expected.privateKey);
  });

  test('a mnemonic with a word outside the list, or a bad checksum, is refused', () => {
    assert.throws(() => hdKey('not a valid mnemonic at all', DERIVATION_PATH, 0), /invalid mnemonic/);
    assert.throws(() => hdKey(DEFAULT_MNEMONIC.replace(/junk$/, 'test'), DERIVATION_PATH, 0), /invalid mnemonic/);
  });

  // A library caller's config.derivationPath: Anvil's form with the slash, or a step that is no index, would derive other keys.
  test('a path that is not a BIP-32 parent path is refused, not derived as another', () => {
    for (const path of [`${DERIVATION_PATH}/`, "m/44'/x/0'/0", "44'/60'/0'/0", 'm', "m/44'/60'/2147483648'/0", "m/44''/60'"]) {
      assert.throws(() => hdKey(OTHER_MNEMONIC, path, 0), /^DevnetError: expected a BIP-32 path such as m\/44'\/60'\/0'\/0 /, path);
    }
  });
});

describe('the default keys the build wrote (npm test builds first)', () => {
  test("are ethers' keys and addresses for the first dev-account count of indexes on the dev, provider and node paths", () => {
    const file = JSON.parse(readFileSync(new URL(`../../dist/${DEFAULT_KEYS_FILE}`, import.meta.url), 'utf8')) as DefaultKeysFile;
    assert.equal(file.mnemonic, DEFAULT_MNEMONIC);
    const paths = [DERIVATION_PATH, SP_DERIVATION_PATH, NODE_KEYS_DERIVATION_PATH];
    const count = defaultConfig().accounts;
    assert.deepEqual(Object.keys(file.keys).sort(), paths.flatMap((path) => Array.from({ length: count }, (_, i) => `${path}/${i}`)).sort());
    for (const path of paths) {
      const parent = HDNodeWallet.fromPhrase(DEFAULT_MNEMONIC, undefined, path);
      for (let i = 0; i < count; i++) {
        const expected = parent.deriveChild(i);
        assert.deepEqual(file.keys[`${path}/${i}`], [expected.privateKey, expected.signingKey.publicKey, expected.address.toLowerCase()], `${path}/${i}`);
      }
    }
  });

  test("hold the storage providers' peer keys for the same indexes, as peerKeyOf derives them", () => {
    const file = JSON.parse(readFileSync(new URL(`../../dist/${DEFAULT_KEYS_FILE}`, import.meta.url), 'utf8')) as DefaultKeysFile;
    const count = defaultConfig().accounts;
    assert.deepEqual(Object.keys(file.peerKeys).sort(), Array.from({ length: count }, (_, i) => `${SP_DERIVATION_PATH}/${i}`).sort());
    for (let i = 0; i < count; i++) {
      const key = hdKey(DEFAULT_MNEMONIC, SP_DERIVATION_PATH, i);
      assert.equal(file.peerKeys[`${SP_DERIVATION_PATH}/${i}`], bytesToHex(peerKeyOf(key.privateKey)), `${SP_DERIVATION_PATH}/${i}`);
    }
  });
});

describe("the node's peer ID (Filecoin.ID)", () => {
  test("an Ed25519 libp2p peer ID (identity multihash of its protobuf key, base58btc \"12D3KooW…\") of the key at m/44'/461'/1'/0/3: one per mnemonic", () => {
    const id = nodePeerId(DEFAULT_MNEMONIC);
    assert.equal(nodePeerId(DEFAULT_MNEMONIC), id);
    assert.match(id, /^12D3KooW/);
    const bytes = base58btc.baseDecode(id);
    // Identity multihash (0x00) of 36 bytes: the protobuf PublicKey of type Ed25519 (0x08 0x01) and its 32-byte key.
    assert.deepEqual([...bytes.subarray(0, 6)], [0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);
    assert.deepEqual(bytes.subarray(6), peerKeyOf(hdKey(DEFAULT_MNEMONIC, NODE_KEYS_DERIVATION_PATH, 3).privateKey));
    assert.notEqual(nodePeerId('legal winner thank year wave sausage worth useful legal winner thank yellow'), id);
  });
});
