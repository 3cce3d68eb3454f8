// Signing with the dev accounts' keys, as Anvil and Hardhat sign for the accounts they hold (ethers'
// JsonRpcSigner and viem's JSON-RPC accounts call these): eth_sign, personal_sign,
// eth_signTypedData_v4, eth_signTransaction. Lotus serves none of them; eth_signTypedData and
// eth_signTypedData_v3, which Anvil does not implement either, stay unknown methods.
import { bytesToHex } from '../../common/hex.js';
import { signPersonalMessage, signTypedData, type TypedData } from '../../devnet/dev-signer.js';
import { transactionToSign } from '../call-request.js';
import { defineMethod } from '../define-method.js';
import { address, data, invalid, type Param } from '../params.js';

/** EIP-712 typed data: an object, or that object as a JSON string (what ethers and viem send). */
const typedData = (name: string): Param<TypedData> => ({
  name,
  parse: (value) => {
    let parsed = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        throw invalid(name, 'expected EIP-712 typed data (an object or its JSON)');
      }
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(name, 'expected EIP-712 typed data (an object or its JSON)');
    const { types, primaryType, domain, message } = parsed as Record<string, unknown>;
    const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (!isObject(types)) throw invalid(`${name}.types`, 'expected an object');
    if (typeof primaryType !== 'string') throw invalid(`${name}.primaryType`, 'expected a string');
    if (!isObject(domain)) throw invalid(`${name}.domain`, 'expected an object');
    // The domain alone (primaryType EIP712Domain) needs no message: viem sends none.
    if (primaryType === 'EIP712Domain' && message === undefined) return { types, primaryType, domain, message: {} } as TypedData;
    if (!isObject(message)) throw invalid(`${name}.message`, 'expected an object');
    return { types, primaryType, domain, message } as TypedData;
  },
});

export const ethSign = [
  defineMethod('eth_sign', [address('address'), data('message')], ({ devnet }, signer, message) =>
    bytesToHex(signPersonalMessage(devnet.devAccountKey(signer), message)),
  ),

  // MetaMask's order: the message first, then the address.
  defineMethod('personal_sign', [data('message'), address('address')], ({ devnet }, message, signer) =>
    bytesToHex(signPersonalMessage(devnet.devAccountKey(signer), message)),
  ),

  defineMethod('eth_signTypedData_v4', [address('address'), typedData('typedData')], ({ devnet }, signer, typed) => {
    const key = devnet.devAccountKey(signer);
    try {
      return bytesToHex(signTypedData(key, typed));
    } catch (err) {
      // ethers names what does not fit the types (a missing field, a bad value, an unknown type).
      throw invalid('typedData', (err as { shortMessage?: string; message: string }).shortMessage ?? (err as Error).message);
    }
  }),

  defineMethod('eth_signTransaction', [transactionToSign('transaction')], async ({ devnet }, tx) => bytesToHex(await devnet.signTransaction(tx))),
];
