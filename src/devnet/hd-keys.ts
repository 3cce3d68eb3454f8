// The node's keys from its mnemonic, as BIP-39 and BIP-32 define them: the dev accounts', the
// storage providers' and the node's own (each a parent path such as m/44'/60'/0'/0 and an index).
//
// Written on Node's HMAC-SHA512 and public keys (common/secp256k1.ts) rather than an HD-wallet
// library, because start-up waits for it: a library computes the public key (an elliptic-curve
// multiplication) and fingerprint of every level of every path, where BIP-32 needs private keys only
// down a hardened path, one public key for the parent of non-hardened children, and one per child
// for its address; and JavaScript curve code spends ~60 ms on its first multiplication. The keys are those
// of any BIP-32 wallet (test/unit/devnet-accounts.test.ts checks them against ethers').
// With the default mnemonic, a start reads the keys the build derived (scripts/default-keys.ts)
// rather than deriving them again.
import { createHmac, pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { DevnetError } from '../common/errors.js';
import { bigintToBytes, bytesToBigint, bytesToHex, concatBytes, hexToBytes, padStart } from '../common/hex.js';
import { publicKeyEthAddress, publicKeyOf } from '../common/secp256k1.js';
import { DEFAULT_MNEMONIC } from '../config.js';

interface HdKey {
  /** The secp256k1 secret, 32 bytes big-endian. */
  privateKey: Uint8Array;
  /** The uncompressed public key (65 bytes), what Ethereum and f1 addresses hash. */
  publicKey: Uint8Array;
  /**
   * Its Ethereum address, when the build derived the key (dist/default-keys.json): the dev accounts'
   * ten Keccak-256 hashes in JavaScript not yet optimised were ~5 ms of a start.
   */
  ethAddress?: Uint8Array;
}

/** A node of the tree: its secret and chain code (BIP-32's extended private key). */
interface ExtendedKey {
  secret: bigint;
  chainCode: Uint8Array;
}

const HARDENED = 0x8000_0000;
/** n, the order of secp256k1's group. */
const ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const MASTER_HMAC_KEY = 'Bitcoin seed';

/** Parents by mnemonic and path: the node asks for more keys of a path later (a new storage provider, cheat codes). */
const parents = new Map<string, { extended: ExtendedKey; compressedPublicKey: Uint8Array }>();

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** I = HMAC-SHA512(key, data) split into a secret (added to `base`) and a chain code (BIP-32 CKDpriv). */
function extend(key: Uint8Array | string, data: Uint8Array, base: bigint): ExtendedKey {
  const i = new Uint8Array(createHmac('sha512', key).update(data).digest());
  const tweak = bytesToBigint(i, 0, 32);
  const secret = (tweak + base) % ORDER;
  // BIP-32 skips such an index; the odds are below 2^-127, so a key that hits one is refused.
  if (tweak >= ORDER || secret === 0n) throw new DevnetError('this mnemonic derives an invalid key (BIP-32: try another index)');
  return { secret, chainCode: i.subarray(32) };
}

/** Seeds by mnemonic: start-up derives keys on three paths of one mnemonic, and each seed costs ~2 ms. */
const seeds = new Map<string, Uint8Array>();

function seedOf(mnemonic: string): Uint8Array {
  let seed = seeds.get(mnemonic);
  if (!seed) {
    // Words in any case, as wallets (and ethers) take them: "Test test … junk" is the default mnemonic.
    const phrase = mnemonic.normalize('NFKD').toLowerCase();
    if (!validateMnemonic(phrase, wordlist)) throw new DevnetError('invalid mnemonic: expected BIP-39 English words with a valid checksum');
    // BIP-39: PBKDF2-HMAC-SHA512 of the NFKD words, salt "mnemonic", 2048 rounds (Node's, ~1 ms; JavaScript's take tens).
    seed = pbkdf2Sync(phrase, 'mnemonic', 2048, 64, 'sha512');
    seeds.set(mnemonic, seed);
  }
  return seed;
}

function secretBytes(secret: bigint): Uint8Array {
  return padStart(bigintToBytes(secret), 32);
}

/**
 * The child indices of a parent path such as m/44'/60'/0'/0, a hardened one (') offset by 2^31. A
 * text that is not such a path is refused rather than read as another: Number('') and Number('x')
 * are index 0 (Anvil's m/44'/60'/0'/0/ would derive each account one level deeper).
 */
export function derivationSteps(path: string): number[] {
  const steps = path.split('/').slice(1);
  const valid = (step: string) => /^\d+'?$/.test(step) && Number.parseInt(step, 10) < HARDENED;
  if (!path.startsWith('m/') || !steps.every(valid)) throw new DevnetError(`expected a BIP-32 path such as m/44'/60'/0'/0 (each step below 2^31, ' for hardened), got ${path}`);
  return steps.map((step) => Number.parseInt(step, 10) + (step.endsWith("'") ? HARDENED : 0));
}

function parent(mnemonic: string, path: string) {
  const id = `${mnemonic}\n${path}`;
  let found = parents.get(id);
  if (!found) {
    const indices = derivationSteps(path);
    let node = extend(MASTER_HMAC_KEY, seedOf(mnemonic), 0n);
    for (const index of indices) {
      const hardened = index >= HARDENED;
      const data = hardened ? concatBytes(new Uint8Array(1), secretBytes(node.secret)) : publicKeyOf(secretBytes(node.secret), true);
      node = extend(node.chainCode, concatBytes(data, u32(index)), node.secret);
    }
    found = { extended: node, compressedPublicKey: publicKeyOf(secretBytes(node.secret), true) };
    parents.set(id, found);
  }
  return found;
}

/** The key at `${path}/${index}` (a non-hardened child) of the mnemonic's tree. */
export function hdKey(mnemonic: string, path: string, index: number): HdKey {
  const built = mnemonic === DEFAULT_MNEMONIC ? builtDefaultKeys().keys.get(`${path}/${index}`) : undefined;
  if (built) return { privateKey: hexToBytes(built[0]), publicKey: hexToBytes(built[1]), ethAddress: hexToBytes(built[2]) };
  return deriveHdKey(mnemonic, path, index);
}

/** hdKey, always derived. */
function deriveHdKey(mnemonic: string, path: string, index: number): HdKey {
  const { extended, compressedPublicKey } = parent(mnemonic, path);
  const { secret } = extend(extended.chainCode, concatBytes(compressedPublicKey, u32(index)), extended.secret);
  const privateKey = secretBytes(secret);
  return { privateKey, publicKey: publicKeyOf(privateKey, false) };
}

/**
 * The default mnemonic's keys the build derived, by `path/index`: private key, public key and
 * Ethereum address in hex. A start needs ~15 keys, ~15 ms of curve multiplications and cold hashing when derived.
 * With them, the storage providers' peer keys (Ed25519 public keys, storage-providers/keys.ts
 * peerKeyOf): two cost a start ~2.5 ms of OpenSSL's key set-up.
 */
export interface DefaultKeysFile {
  mnemonic: string;
  keys: Record<string, [privateKey: string, publicKey: string, ethAddress: string]>;
  peerKeys: Record<string, string>;
}

/** Beside the bundle (dist/); running from the sources there is none, and every key is derived. */
export const DEFAULT_KEYS_FILE = 'default-keys.json';

let defaultKeys: { keys: Map<string, [string, string, string]>; peerKeys: Map<string, string> } | undefined;

function builtDefaultKeys(): NonNullable<typeof defaultKeys> {
  if (!defaultKeys) {
    let file: DefaultKeysFile | undefined;
    try {
      file = JSON.parse(readFileSync(new URL(`./${DEFAULT_KEYS_FILE}`, import.meta.url), 'utf8')) as DefaultKeysFile;
    } catch {
      file = undefined;
    }
    const ours = file?.mnemonic === DEFAULT_MNEMONIC;
    defaultKeys = { keys: new Map(ours ? Object.entries(file!.keys) : []), peerKeys: new Map(ours ? Object.entries(file!.peerKeys) : []) };
  }
  return defaultKeys;
}

/** The peer key of the provider key at `${path}/${index}` the build derived (the default mnemonic's), if it did. */
export function builtPeerKey(mnemonic: string, path: string, index: number): Uint8Array | undefined {
  const built = mnemonic === DEFAULT_MNEMONIC ? builtDefaultKeys().peerKeys.get(`${path}/${index}`) : undefined;
  return built === undefined ? undefined : hexToBytes(built);
}

/**
 * What the build writes to DEFAULT_KEYS_FILE: the default mnemonic's first `count` keys on each path,
 * and the peer keys `peerKeyOf` gives the first `count` keys of `peerPath`.
 */
export function defaultKeysFile(paths: readonly string[], count: number, peerPath: string, peerKeyOf: (privateKey: Uint8Array) => Uint8Array): DefaultKeysFile {
  const keys: DefaultKeysFile['keys'] = {};
  const peerKeys: DefaultKeysFile['peerKeys'] = {};
  for (const path of paths) {
    for (let index = 0; index < count; index++) {
      const key = deriveHdKey(DEFAULT_MNEMONIC, path, index);
      keys[`${path}/${index}`] = [bytesToHex(key.privateKey), bytesToHex(key.publicKey), bytesToHex(publicKeyEthAddress(key.publicKey))];
      if (path === peerPath) peerKeys[`${path}/${index}`] = bytesToHex(peerKeyOf(key.privateKey));
    }
  }
  return { mnemonic: DEFAULT_MNEMONIC, keys, peerKeys };
}
