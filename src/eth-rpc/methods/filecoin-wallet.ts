// The node's wallet for native accounts: Filecoin.WalletImport, WalletList, WalletHas, WalletSign,
// WalletSignMessage, and Filecoin.MpoolPushMessage, which signs with it. Only keys imported into
// this node are used; nothing is generated or exported.
import { addressJson, bytesJson, signedMessageJson } from '../lotus-json.js';
import { signedMessageCid } from '../../fevm/message.js';
import { defineMethod } from '../define-method.js';
import { filAddress, message } from '../lotus-params.js';
import { invalid, object, optional, type Param } from '../params.js';
import type { KeyType } from '../../devnet/wallet.js';

/** Lotus's KeyInfo: {"Type": "secp256k1" | "bls", "PrivateKey": base64}. */
const keyInfo: Param<{ type: KeyType; privateKey: Uint8Array }> = {
  name: 'keyInfo',
  parse: (v) => {
    const { Type, PrivateKey } = (v ?? {}) as Record<string, unknown>;
    if (Type !== 'secp256k1' && Type !== 'bls') throw invalid('keyInfo.Type', 'expected "secp256k1" or "bls"');
    if (typeof PrivateKey !== 'string') throw invalid('keyInfo.PrivateKey', 'expected base64');
    return { type: Type, privateKey: new Uint8Array(Buffer.from(PrivateKey, 'base64')) };
  },
};

const base64Data: Param<Uint8Array> = {
  name: 'data',
  parse: (v) => {
    if (typeof v !== 'string') throw invalid('data', 'expected base64 bytes');
    return new Uint8Array(Buffer.from(v, 'base64'));
  },
};

export const filecoinWallet = [
  defineMethod('Filecoin.WalletImport', [keyInfo], ({ devnet }, key) => addressJson(devnet.wallet.import(key.type, key.privateKey))),
  defineMethod('Filecoin.WalletList', [], ({ devnet }) => devnet.wallet.list().map(addressJson)),
  defineMethod('Filecoin.WalletHas', [filAddress('address')], ({ devnet }, address) => devnet.wallet.has(address)),

  defineMethod('Filecoin.WalletSign', [filAddress('address'), base64Data], ({ devnet }, address, data) => {
    const signature = devnet.wallet.sign(address, data);
    return { Type: signature.type, Data: bytesJson(signature.data) };
  }),

  defineMethod('Filecoin.WalletSignMessage', [filAddress('address'), message('message')], ({ devnet }, address, msg) => {
    const signed = devnet.wallet.signMessage(address, msg);
    return signedMessageJson(signed, signedMessageCid(signed));
  }),

  defineMethod('Filecoin.MpoolPushMessage', [message('message'), optional(object('spec'))], async ({ devnet }, msg) => {
    const signed = await devnet.pushWithWallet(msg);
    return signedMessageJson(signed, signedMessageCid(signed));
  }),
];
