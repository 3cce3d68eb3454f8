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
 * The signature of keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(primaryType, message)), or of
 * keccak256(0x1901 ‖ domainSeparator) when the primary type is EIP712Domain (the domain alone), as
 * MetaMask's eth-sig-util and Anvil (alloy-rs/core crates/dyn-abi/src/eip712/typed_data.rs) sign
 * them. The domain's type follows from which of EIP-712's five domain fields it has, others ignored,
 * as in Anvil (eth-sig-util takes types.EIP712Domain's fields instead: the same whenever the two
 * agree, as ethers and viem send them). Throws ethers' error when the message does not fit its types.
 */
export function signTypedData(privateKey: string, data: TypedData): Uint8Array {
  const parts = ['0x1901', TypedDataEncoder.hashDomain(domainFields(data.domain))];
  if (data.primaryType !== 'EIP712Domain') parts.push(TypedDataEncoder.from(typesUsedBy(data.types, data.primaryType)).hashStruct(data.primaryType, data.message));
  return hexToBytes(new SigningKey(privateKey).sign(keccak256(concat(parts))).serialized);
}

/**
 * The primary type and the struct types its fields name, at any depth and in arrays (`Person[]`):
 * ethers refuses types it cannot reach from one root ("ambiguous primary types or unused types"),
 * such as EIP712Domain or a type the message does not use, which MetaMask and Anvil leave out.
 */
function typesUsedBy(types: TypedData['types'], primaryType: string): TypedData['types'] {
  const used = new Map<string, TypedDataField[]>();
  const visit = (name: string): void => {
    // Own keys only: a field of type `constructor` names no type of the message's.
    const fields: unknown = Object.hasOwn(types, name) ? types[name] : undefined;
    if (used.has(name) || !Array.isArray(fields)) return;
    used.set(name, fields);
    for (const field of fields as { type?: unknown }[]) if (typeof field?.type === 'string') visit(field.type.replace(/(\[\d*\])+$/, ''));
  };
  visit(primaryType);
  return Object.fromEntries(used);
}

const DOMAIN_FIELDS = ['name', 'version', 'chainId', 'verifyingContract', 'salt'];

/** EIP-712's domain fields of `domain`: ethers refuses any other key, which Anvil ignores. */
function domainFields(domain: TypedData['domain']): TypedData['domain'] {
  return Object.fromEntries(DOMAIN_FIELDS.filter((field) => Object.hasOwn(domain, field)).map((field) => [field, domain[field]]));
}
