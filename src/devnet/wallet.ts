// The keys the node holds for native (f1/f3) accounts, imported with Filecoin.WalletImport, and the
// signatures Lotus's wallet makes with them: secp256k1 over blake2b-256 of the data (65 bytes r‖s‖v),
// BLS over the data itself (96-byte G2 signature, min-pk, Filecoin's NUL domain).
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { FilAddress, Protocol } from '../common/address.js';
import { InvalidAddressError } from '../common/errors.js';
import { blake2b256 } from '../common/hashes.js';
import { concatBytes } from '../common/hex.js';
import { messageCid, SigType, type Message, type Signature, type SignedMessage } from '../fevm/message.js';
import { secp256k1Address } from '../fevm/signature.js';

export type KeyType = 'secp256k1' | 'bls';

interface Key {
  address: FilAddress;
  type: KeyType;
  /** Big-endian scalar. */
  secret: Uint8Array;
}

export class NativeWallet {
  private readonly keys = new Map<string, Key>();

  /**
   * Adds a key as Lotus exports it (KeyInfo): a secp256k1 secret as is, a BLS secret little-endian,
   * as Lotus stores BLS keys. Returns the key's address.
   */
  import(type: KeyType, privateKey: Uint8Array): FilAddress {
    if (privateKey.length !== 32) throw new InvalidAddressError('a private key has 32 bytes');
    const secret = type === 'bls' ? privateKey.slice().reverse() : privateKey.slice();
    const address =
      type === 'bls'
        ? FilAddress.fromPayload(Protocol.BLS, bls12_381.longSignatures.getPublicKey(secret).toBytes())
        : secp256k1Address(secp256k1.getPublicKey(secret, false));
    this.keys.set(address.key, { address, type, secret });
    return address;
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
    const recovered = secp256k1.sign(blake2b256(data), key.secret, { prehash: false, format: 'recovered' });
    // noble puts the recovery id first; Filecoin puts it last.
    return { type: SigType.Secp256k1, data: concatBytes(recovered.subarray(1), recovered.subarray(0, 1)) };
  }

  /** Signs a message's CID, as Lotus wallets sign messages. */
  signMessage(address: FilAddress, message: Message): SignedMessage {
    return { message, signature: this.sign(address, messageCid(message).bytes) };
  }
}
