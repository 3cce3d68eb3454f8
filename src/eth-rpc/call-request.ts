// The transaction object of eth_call, eth_estimateGas and eth_sendTransaction, parsed.
import { MessageRejectedError } from '../common/errors.js';
import type { CallRequest } from '../devnet/calls.js';
import { invalid, parseAddress, parseData, parseQuantity, parseSafeNumber, type Param } from './params.js';

export interface ParsedCallRequest extends CallRequest {
  nonce?: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

/** The fields of a call request whose names its errors carry (`transaction.to`). */
const FIELDS = ['from', 'to', 'gas', 'value', 'input', 'data', 'nonce', 'gasPrice', 'maxFeePerGas', 'maxPriorityFeePerGas', 'type'] as const;

/** Each field's name in errors, and the object's own (`object`): made once per parameter, not per request. */
type FieldNames = Record<(typeof FIELDS)[number] | 'object', string>;

const fieldNames = (name: string): FieldNames => Object.fromEntries([['object', name], ...FIELDS.map((field) => [field, `${name}.${field}`])]) as FieldNames;

/** A field's value parsed; absent or null: undefined. */
const given = <T>(value: unknown, name: string, parse: (n: string, v: unknown) => T): T | undefined => (value === undefined || value === null ? undefined : parse(name, value));

/**
 * Each field read by its name, not through a key in a variable: objects JSON.parse makes from the
 * same client's requests share a shape, which a named read is compiled for, where a keyed read of
 * ten different keys goes through V8's megamorphic cache.
 */
function parseFields(names: FieldNames, value: unknown): ParsedCallRequest {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(names.object, 'expected a transaction object');
  const tx = value as Record<string, unknown>;
  // `input` wins over `data` when both are given (Lotus EthCall).
  const input = given(tx.input, names.input, parseData) ?? given(tx.data, names.data, parseData);
  const gasPrice = given(tx.gasPrice, names.gasPrice, parseQuantity);
  return {
    from: given(tx.from, names.from, parseAddress),
    to: given(tx.to, names.to, parseAddress) ?? null,
    gas: given(tx.gas, names.gas, parseSafeNumber),
    value: given(tx.value, names.value, parseQuantity),
    input,
    nonce: given(tx.nonce, names.nonce, parseSafeNumber),
    maxFeePerGas: given(tx.maxFeePerGas, names.maxFeePerGas, parseQuantity) ?? gasPrice,
    maxPriorityFeePerGas: given(tx.maxPriorityFeePerGas, names.maxPriorityFeePerGas, parseQuantity) ?? gasPrice,
  };
}

export const callRequest = (name: string): Param<ParsedCallRequest> => {
  const names = fieldNames(name);
  return { name, parse: (v) => parseFields(names, v) };
};

/** Whether a request gives a field only an EIP-7702 (authorizationList) or EIP-4844 (blobs) transaction carries; read by name, as parseFields reads. */
const givesTypedField = (raw: Record<string, unknown>): boolean =>
  raw.authorizationList != null || raw.blobVersionedHashes != null || raw.maxFeePerBlobGas != null || raw.blobs != null;

/**
 * The transaction the node signs for its sender (eth_sendTransaction, eth_signTransaction,
 * eth_sendUnsignedTransaction): `from` is required, and what Lotus refuses of the same transaction
 * signed by a wallet is refused in its words (lotus chain/types/ethtypes/eth_transactions.go
 * ParseEthTransaction, eth_1559_transactions.go), so that code that sends it here fails as it would
 * on calibnet. A request without a `type` is the type its fields make it, as geth, viem and ethers
 * infer it: an `authorizationList` makes an EIP-7702 transaction, blob fields an EIP-4844 one (geth
 * 02b73d4ea7 internal/ethapi/transaction_args.go ToTransaction), both refused by Lotus (audit21 A1).
 * `type` 0, or only a `gasPrice` (no EIP-1559 fee), makes a legacy transaction, as geth and Anvil sign
 * it (web3.js sends `type: '0x0'` for a `gasPrice`): Lotus takes those too (EIP-155), at the gas price
 * as both fee cap and premium (chain/types/ethtypes/eth_legacy_homestead_transactions.go
 * ToUnsignedFilecoinMessage). Every other request becomes an EIP-1559 transaction.
 */
export const transactionToSign = (name: string): Param<ParsedCallRequest & { from: Uint8Array; type: 0 | 2 }> => {
  const names = fieldNames(name);
  return {
    name,
    parse: (value) => {
      const tx = parseFields(names, value);
      if (!tx.from) throw invalid(names.from, 'the sender is required');
      const raw = value as Record<string, unknown>;
      const typeNumber = given(raw.type, names.type, parseSafeNumber);
      if (typeNumber === 1) throw new MessageRejectedError('EIP-2930 transaction is not supported');
      if (typeNumber !== undefined && typeNumber !== 0 && typeNumber !== 2) throw new MessageRejectedError('unsupported transaction type');
      if (givesTypedField(raw)) throw new MessageRejectedError('unsupported transaction type');
      if (Array.isArray(raw.accessList) && raw.accessList.length > 0) throw new MessageRejectedError('access list should be an empty list');
      const legacy = typeNumber === 0 || (typeNumber === undefined && raw.gasPrice != null && raw.maxFeePerGas == null && raw.maxPriorityFeePerGas == null);
      return { ...tx, from: tx.from, type: legacy ? 0 : 2 };
    },
  };
};
