// The node's wallet for native accounts: Filecoin.WalletNew, WalletImport, WalletExport,
// WalletDelete, WalletList, WalletHas, WalletDefaultAddress, WalletSetDefault, WalletSign,
// WalletSignMessage, WalletVerify, WalletValidateAddress, and Filecoin.MpoolPushMessage, which signs
// with it (lotus node/impl/full/wallet.go, chain/wallet). Keys live in memory only.
import type { FilAddress } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import type { Devnet } from '../../devnet/devnet.js';
import { deterministicAddress } from '../../fevm/actors/lifecycle.js';
import { signedMessageCid, SigType, type Signature } from '../../fevm/message.js';
import { signingBytes, verifyWalletSignature, type KeyType } from '../../devnet/wallet.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { addressJson, bytesJson, signedMessageJson } from '../lotus-json.js';
import { filAddress, goFields, message, sendSpec } from '../lotus-params.js';
import { invalid, parseBase64, type Param } from '../params.js';
import { mpoolPushMessage } from './filecoin-mpool.js';

const KEY_TYPES: readonly KeyType[] = ['secp256k1', 'bls', 'delegated'];

const keyType = (name: string): Param<KeyType> => ({
  name,
  parse: (v) => {
    if (!KEY_TYPES.includes(v as KeyType)) throw invalid(name, 'expected "secp256k1", "bls" or "delegated"');
    return v as KeyType;
  },
});

/** Lotus's KeyInfo: {"Type": "secp256k1" | "bls" | "delegated", "PrivateKey": base64}. */
const keyInfo: Param<{ type: KeyType; privateKey: Uint8Array }> = {
  name: 'keyInfo',
  parse: (v) => {
    const { Type, PrivateKey } = goFields(v, ['Type', 'PrivateKey']);
    return { type: keyType('keyInfo.Type').parse(Type), privateKey: parseBase64('keyInfo.PrivateKey', PrivateKey) };
  },
};

const base64Data = (name: string): Param<Uint8Array> => ({ name, parse: (v) => parseBase64(name, v) });

/** crypto.Signature: {"Type": 1 | 2 | 3, "Data": base64}. */
const signature = (name: string): Param<Signature> => ({
  name,
  parse: (v) => {
    const { Type, Data } = goFields(v, ['Type', 'Data']);
    if (Type !== SigType.Secp256k1 && Type !== SigType.BLS && Type !== SigType.Delegated) throw invalid(`${name}.Type`, 'expected 1, 2 or 3');
    return { type: Type, data: parseBase64(`${name}.Data`, Data ?? '') };
  },
});

/**
 * The held key WalletSign and WalletSignMessage sign for `address` with (lotus node/impl/full/wallet.go):
 * an ID resolved first as ResolveToDeterministicAddress does; what does not resolve fails with
 * Lotus's text (its error wraps the empty address, not the cause), a key the wallet lacks as
 * MultiWallet's "key not found" (chain/wallet/multi.go), after `prefix`.
 */
function heldKey(devnet: Devnet, address: FilAddress, prefix: string): FilAddress {
  const key = keyAddress(devnet, address);
  mustHold(devnet, key, prefix);
  return key;
}

/** Refuses a key address (already resolved) the node's wallet does not hold, in Lotus's words after `prefix`. */
function mustHold(devnet: Devnet, key: FilAddress, prefix: string): void {
  if (!devnet.wallet.has(key)) throw new DevnetError(`${prefix}key not found for ${key.toString()}`);
}

/** The key address an address resolves to (an ID to its account's), as Lotus's wallet methods resolve it first. */
function keyAddress(devnet: Devnet, address: FilAddress): FilAddress {
  const key = deterministicAddress(devnet.stateAt(devnet.head.epoch), address);
  if (!key) throw new DevnetError('failed to resolve ID address: %!w(address.Address=<empty>)');
  return key;
}

export const filecoinWallet = [
  defineWriteMethod('Filecoin.WalletNew', [keyType('keyType')], async ({ devnet }, type) => addressJson(await devnet.wallet.generate(type))),
  defineWriteMethod('Filecoin.WalletImport', [keyInfo], async ({ devnet }, key) => addressJson(await devnet.wallet.import(key.type, key.privateKey))),

  defineMethod('Filecoin.WalletExport', [filAddress('address')], ({ devnet }, address) => {
    const key = devnet.wallet.export(address);
    if (!key) throw new DevnetError(`failed to find key to export: key not found for ${address.toString()}`);
    return { Type: key.type, PrivateKey: Buffer.from(key.privateKey).toString('base64') };
  }),

  defineWriteMethod('Filecoin.WalletDelete', [filAddress('address')], async ({ devnet }, address) => {
    await devnet.wallet.delete(address);
    return null;
  }),

  defineMethod('Filecoin.WalletList', [], ({ devnet }) => devnet.wallet.list().map(addressJson)),
  defineMethod('Filecoin.WalletHas', [filAddress('address')], ({ devnet }, address) => devnet.wallet.has(address)),

  defineMethod('Filecoin.WalletDefaultAddress', [], ({ devnet }) => {
    const address = devnet.wallet.defaultAddress;
    if (!address) throw new DevnetError('failed to get default key: key info not found');
    return addressJson(address);
  }),

  defineWriteMethod('Filecoin.WalletSetDefault', [filAddress('address')], async ({ devnet }, address) => {
    if (!(await devnet.wallet.setDefault(address))) throw new DevnetError('key info not found');
    return null;
  }),

  defineMethod('Filecoin.WalletSign', [filAddress('address'), base64Data('data')], ({ devnet }, address, data) => {
    const key = heldKey(devnet, address, '');
    const sig = devnet.wallet.sign(key, data);
    return { Type: sig.type, Data: bytesJson(sig.data) };
  }),

  defineMethod('Filecoin.WalletSignMessage', [filAddress('address'), message('message')], ({ devnet }, address, msg) => {
    // Lotus takes the signing bytes by the address's protocol before its wallet looks the key up
    // (b835fab70 node/impl/full/wallet.go:50-67): a delegated address's message that stands for no
    // transaction is refused as such, whether the node holds that key or not.
    const key = keyAddress(devnet, address);
    const bytes = signingBytes(msg, key.protocol, devnet.chainId);
    mustHold(devnet, key, 'failed to sign message: ');
    const signed = { message: msg, signature: devnet.wallet.sign(key, bytes) };
    return signedMessageJson(signed, signedMessageCid(signed));
  }),

  defineMethod('Filecoin.WalletVerify', [filAddress('address'), base64Data('data'), signature('signature')], (_ctx, address, data, sig) =>
    verifyWalletSignature(address, sig, data),
  ),

  // The address parsed (Lotus address.NewFromString); one that does not parse is refused naming the parameter.
  defineMethod('Filecoin.WalletValidateAddress', [filAddress('address')], (_ctx, address) => addressJson(address)),

  defineWriteMethod('Filecoin.MpoolPushMessage', [message('message'), sendSpec('spec')], async ({ devnet }, msg, spec) => {
    const signed = await mpoolPushMessage(devnet, msg, spec);
    return signedMessageJson(signed, signedMessageCid(signed));
  }),
];
