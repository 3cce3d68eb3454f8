// The keys the node holds for native accounts (Filecoin.WalletNew, WalletImport) and the signatures
// Lotus's wallet makes with them: secp256k1 over blake2b-256 of the data (65 bytes r‖s‖v), BLS over
// the data itself (96-byte G2 signature, min-pk, Filecoin's NUL domain), delegated (f410) keys with
// secp256k1 over keccak-256 of the data; a message from a delegated key is signed as the EIP-1559
// transaction it stands for, as Lotus's wallet does. One key is the default (WalletDefaultAddress).
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../common/address.js';
import { InvalidAddressError } from '../common/errors.js';
import { blake2b256, keccak256 } from '../common/hashes.js';
import { concatBytes } from '../common/hex.js';
import { publicKeyEthAddress, recoverPublicKey } from '../common/secp256k1.js';
import { unsignedEip1559 } from '../fevm/eth-tx.js';
import { messageCid, SigType, type Message, type Signature, type SignedMessage } from '../fevm/message.js';
import { secp256k1Address, verifySignature } from '../fevm/signature.js';

export type KeyType = 'secp256k1' | 'bls' | 'delegated';

interface Key {
  address: FilAddress;
  type: KeyType;
  /** Big-endian scalar. */
  secret: Uint8Array;
}

/** The f410 address of an uncompressed secp256k1 public key: its Ethereum address under the EAM. */
function delegatedAddress(publicKey: Uint8Array): FilAddress {
  return FilAddress.fromDelegated(EAM_NAMESPACE, publicKeyEthAddress(publicKey));
}

/** A secp256k1 signature as Filecoin lays it out: r‖s‖v. */
function secpSign(digest: Uint8Array, secret: Uint8Array): Uint8Array {
  const recovered = secp256k1.sign(digest, secret, { prehash: false, format: 'recovered' });
  // noble puts the recovery id first; Filecoin puts it last.
  return concatBytes(recovered.subarray(1), recovered.subarray(0, 1));
}

/**
 * What a wallet signs for a message from a key of `protocol`: the CID bytes of a native one, the
 * unsigned EIP-1559 transaction of one from a delegated key (Lotus messagesigner.SigningBytes, by the
 * sender's protocol), which refuses a message that stands for no transaction (unsignedEip1559).
 */
export function signingBytes(message: Message, protocol: Protocol, chainId: bigint): Uint8Array {
  return protocol === Protocol.Delegated ? unsignedEip1559(message, chainId) : messageCid(message).bytes;
}

export class NativeWallet {
  private readonly keys = new Map<string, Key>();
  private defaultKey: string | undefined;

  /**
   * Adds a key as Lotus exports it (KeyInfo): a secp256k1 or delegated secret as is, a BLS secret
   * little-endian, as Lotus stores BLS keys. Returns the key's address.
   */
  import(type: KeyType, privateKey: Uint8Array): FilAddress {
    if (privateKey.length !== 32) throw new InvalidAddressError('a private key has 32 bytes');
    const secret = type === 'bls' ? privateKey.slice().reverse() : privateKey.slice();
    let address: FilAddress;
    if (type === 'bls') address = FilAddress.fromPayload(Protocol.BLS, bls12_381.longSignatures.getPublicKey(secret).toBytes());
    else if (type === 'delegated') address = delegatedAddress(secp256k1.getPublicKey(secret, false));
    else address = secp256k1Address(secp256k1.getPublicKey(secret, false));
    this.keys.set(address.key, { address, type, secret });
    return address;
  }

  /** Holds a secp256k1 key the node derived itself and whose f1 address it knows (no public key to compute at start-up). */
  hold(key: { address: FilAddress; privateKey: Uint8Array }): void {
    this.keys.set(key.address.key, { address: key.address, type: 'secp256k1', secret: key.privateKey.slice() });
  }

  /** A new random key (Filecoin.WalletNew); the first key made this way becomes the default if there is none. */
  generate(type: KeyType): FilAddress {
    const secret = type === 'bls' ? bls12_381.utils.randomSecretKey() : secp256k1.utils.randomSecretKey();
    // BLS keys are imported little-endian, as Lotus stores them.
    const address = this.import(type, type === 'bls' ? secret.slice().reverse() : secret);
    this.defaultKey ??= address.key;
    return address;
  }

  /** The key as Lotus's KeyInfo holds it (Filecoin.WalletExport): BLS secrets little-endian. */
  export(address: FilAddress): { type: KeyType; privateKey: Uint8Array } | undefined {
    const key = this.keys.get(address.key);
    if (!key) return undefined;
    return { type: key.type, privateKey: key.type === 'bls' ? key.secret.slice().reverse() : key.secret.slice() };
  }

  /** Forgets a key (and that it was the default); forgetting an unknown key does nothing, as in Lotus. */
  delete(address: FilAddress): void {
    this.keys.delete(address.key);
    if (this.defaultKey === address.key) this.defaultKey = undefined;
  }

  get defaultAddress(): FilAddress | undefined {
    return this.defaultKey === undefined ? undefined : this.keys.get(this.defaultKey)?.address;
  }

  /** Makes a held key the default; false if the node holds no such key. */
  setDefault(address: FilAddress): boolean {
    if (!this.keys.has(address.key)) return false;
    this.defaultKey = address.key;
    return true;
  }

  has(address: FilAddress): boolean {
    return this.keys.has(address.key);
  }

  list(): FilAddress[] {
    return [...this.keys.values()].map((key) => key.address);
  }

  /** Signs arbitrary bytes (Filecoin.WalletSign). */
  sign(address: FilAddress, data: Uint8Array): Signature {
    const key = this.keys.get(address.key);
    if (!key) throw new InvalidAddressError(`the node holds no key for ${address.toString()}`);
    if (key.type === 'bls') {
      const bls = bls12_381.longSignatures;
      return { type: SigType.BLS, data: bls.sign(bls.hash(data), key.secret).toBytes() };
    }
    if (key.type === 'delegated') return { type: SigType.Delegated, data: secpSign(keccak256(data), key.secret) };
    return { type: SigType.Secp256k1, data: secpSign(blake2b256(data), key.secret) };
  }

  /** Signs a message as Lotus wallets do: its CID, or for a delegated key its Ethereum transaction on `chainId`. */
  signMessage(address: FilAddress, message: Message, chainId: bigint): SignedMessage {
    return { message, signature: this.sign(address, signingBytes(message, address.protocol, chainId)) };
  }
}

/**
 * The wallet as the node serves it (Filecoin.Wallet*, the agents): reads and signatures at once,
 * changes to its keys as operations of the miner's queue, so that they land between tipsets in the
 * order they were asked for.
 */
export interface NodeWallet {
  has(address: FilAddress): boolean;
  list(): FilAddress[];
  readonly defaultAddress: FilAddress | undefined;
  export(address: FilAddress): { type: KeyType; privateKey: Uint8Array } | undefined;
  sign(address: FilAddress, data: Uint8Array): Signature;
  signMessage(address: FilAddress, message: Message, chainId: bigint): SignedMessage;
  generate(type: KeyType): Promise<FilAddress>;
  import(type: KeyType, privateKey: Uint8Array): Promise<FilAddress>;
  delete(address: FilAddress): Promise<void>;
  setDefault(address: FilAddress): Promise<boolean>;
}

/** `wallet` served with each change of its keys run by `write` (a task of the miner's queue). */
export function servedWallet(wallet: NativeWallet, write: <T>(change: () => T) => Promise<T>): NodeWallet {
  return {
    has: (address) => wallet.has(address),
    list: () => wallet.list(),
    get defaultAddress() {
      return wallet.defaultAddress;
    },
    export: (address) => wallet.export(address),
    sign: (address, data) => wallet.sign(address, data),
    signMessage: (address, message, chainId) => wallet.signMessage(address, message, chainId),
    generate: (type) => write(() => wallet.generate(type)),
    import: (type, privateKey) => write(() => wallet.import(type, privateKey)),
    delete: (address) => write(() => wallet.delete(address)),
    setDefault: (address) => write(() => wallet.setDefault(address)),
  };
}

/**
 * Whether `signature` signs `data` for `address` as Lotus's sigs.Verify checks it (Filecoin.WalletVerify):
 * secp256k1 and BLS as the FVM checks them, delegated by recovering the Ethereum address from keccak-256.
 */
export function verifyWalletSignature(address: FilAddress, signature: Signature, data: Uint8Array): boolean {
  if (signature.type !== SigType.Delegated) return verifySignature(signature.type, signature.data, data, address);
  const sig = signature.data;
  if (address.protocol !== Protocol.Delegated || sig.length !== 65 || sig[64] > 1) return false;
  const publicKey = recoverPublicKey(keccak256(data), sig.subarray(0, 64), sig[64]);
  return publicKey !== null && delegatedAddress(publicKey).equals(address);
}
