// Signatures with a dev account's key, as Anvil and Hardhat make them for the accounts they hold:
// EIP-191 messages (eth_sign, personal_sign) and EIP-712 typed data (eth_signTypedData_v4).
import { concat, keccak256, SigningKey, TypedDataEncoder, hashMessage, type TypedDataField } from 'ethers';
import { hexToBytes } from '../common/hex.js';

/** EIP-712 typed data as eth_signTypedData_v4 carries it. */
export interface TypedData {
  types: Record<string, TypedDataField[]>;
  primaryType: string;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
}

/** The 65-byte r ‖ s ‖ v signature (v 27 or 28) of keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ message). */
export function signPersonalMessage(privateKey: string, message: Uint8Array): Uint8Array {
  return hexToBytes(new SigningKey(privateKey).sign(hashMessage(message)).serialized);
}

/**
 * The signature of keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(primaryType, message)). Throws
 * ethers' error when the message does not fit its types.
 */
export function signTypedData(privateKey: string, data: TypedData): Uint8Array {
  // The domain's type follows from its fields; EIP712Domain is not one of the message's types.
  const { EIP712Domain: _domainType, ...types } = data.types;
  const digest = keccak256(concat(['0x1901', TypedDataEncoder.hashDomain(data.domain), TypedDataEncoder.from(types).hashStruct(data.primaryType, data.message)]));
  return hexToBytes(new SigningKey(privateKey).sign(digest).serialized);
}
