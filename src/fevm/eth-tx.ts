// Ethereum transactions as Lotus accepts them (EIP-1559 and legacy Homestead / EIP-155), turned into
// the Filecoin message Lotus would make (chain/types/ethtypes/eth_transactions.go).
import { createCustomCommon, Mainnet, type Common } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { createTxFromRLP, type FeeMarket1559Tx, type LegacyTx } from '@ethereumjs/tx';
import { EAM_NAMESPACE, FilAddress } from '../common/address.js';
import { encodeCbor } from '../common/cbor.js';
import { MessageRejectedError } from '../common/errors.js';
import { keccak256 } from '../common/hashes.js';
import { bigintToBytes, bytesToBigint, concatBytes, padStart } from '../common/hex.js';
import { EAM_ACTOR_ID } from './actor.js';
import {
  METHOD_CREATE_EXTERNAL,
  METHOD_INVOKE_CONTRACT,
  SigType,
  type Message,
  type SignedMessage,
} from './message.js';

/** Lotus's RLP input limit. */
const MAX_TX_BYTES = 2 << 20;

export interface EthTransaction {
  /** 2 for EIP-1559, 0 for legacy. */
  type: 0 | 2;
  /** keccak256 of the signed bytes: the Ethereum transaction hash. */
  hash: Uint8Array;
  /** 0 for Homestead transactions, which carry none. */
  chainId: bigint;
  nonce: number;
  from: Uint8Array;
  to: Uint8Array | null;
  value: bigint;
  input: Uint8Array;
  gasLimit: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  v: bigint;
  r: bigint;
  s: bigint;
}

const commons = new Map<bigint, Common>();
function commonFor(chainId: bigint): Common {
  let common = commons.get(chainId);
  if (!common) {
    common = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: 'cancun' });
    commons.set(chainId, common);
  }
  return common;
}

/** The chain id a legacy v encodes: none (0) for Homestead's 27/28, otherwise (v - 35) / 2. */
function legacyChainId(v: bigint): bigint {
  return v === 27n || v === 28n ? 0n : (v - 35n) / 2n;
}

/** Decodes and checks a signed raw transaction for this chain; errors carry Lotus's wording. */
export function decodeEthTransaction(raw: Uint8Array, chainId: bigint): EthTransaction {
  if (raw.length === 0) throw new MessageRejectedError('empty transaction');
  if (raw.length > MAX_TX_BYTES) throw new MessageRejectedError('transaction too large');
  const first = raw[0];
  if (first === 0x01) throw new MessageRejectedError('EIP-2930 transaction is not supported');
  if (first !== 0x02 && first <= 0x7f) throw new MessageRejectedError('unsupported transaction type');

  if (first === 0x02) {
    const fields = decodeList(raw.subarray(1), 12);
    if ((fields[8] as unknown[]).length !== 0) throw new MessageRejectedError('access list should be an empty list');
    const txChainId = bytesToBigint(fields[0] as Uint8Array);
    if (txChainId !== chainId) throw new MessageRejectedError(`failed to convert to unsigned msg: invalid chain id: ${txChainId}`);
    const v = bytesToBigint(fields[9] as Uint8Array);
    if (v > 1n) throw new MessageRejectedError('EIP-1559 transactions only support 0 or 1 for v');
  } else {
    const fields = decodeList(raw, 9);
    const txChainId = legacyChainId(bytesToBigint(fields[6] as Uint8Array));
    if (txChainId !== 0n && txChainId !== chainId) {
      throw new MessageRejectedError(
        `failed to calculate sender: failed to validate EIP155 chain id: invalid chain id, expected ${chainId}, got ${txChainId}`,
      );
    }
  }

  let tx: LegacyTx | FeeMarket1559Tx;
  let from: Uint8Array;
  try {
    tx = createTxFromRLP(raw, { common: commonFor(chainId) }) as LegacyTx | FeeMarket1559Tx;
    from = tx.getSenderAddress().bytes;
  } catch (err) {
    throw new MessageRejectedError(`failed to calculate sender: ${(err as Error).message.split('\n')[0]}`);
  }
  if (tx.gasLimit > BigInt(Number.MAX_SAFE_INTEGER) || tx.nonce > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MessageRejectedError('gas limit or nonce out of range');
  }
  const is1559 = first === 0x02;
  const fee1559 = tx as FeeMarket1559Tx;
  const legacy = tx as LegacyTx;
  return {
    type: is1559 ? 2 : 0,
    hash: keccak256(raw),
    chainId: is1559 ? chainId : legacyChainId(legacy.v!),
    nonce: Number(tx.nonce),
    from,
    to: tx.to ? tx.to.bytes : null,
    value: tx.value,
    input: tx.data,
    gasLimit: Number(tx.gasLimit),
    maxFeePerGas: is1559 ? fee1559.maxFeePerGas : legacy.gasPrice,
    maxPriorityFeePerGas: is1559 ? fee1559.maxPriorityFeePerGas : legacy.gasPrice,
    v: tx.v!,
    r: tx.r!,
    s: tx.s!,
  };
}

function decodeList(bytes: Uint8Array, expected: number): unknown[] {
  let decoded: unknown;
  try {
    decoded = RLP.decode(bytes);
  } catch (err) {
    throw new MessageRejectedError(`failed to parse transaction: ${(err as Error).message}`);
  }
  if (!Array.isArray(decoded) || decoded.length !== expected) {
    throw new MessageRejectedError(`failed to parse transaction: not a RLP list with ${expected} elements`);
  }
  return decoded;
}

/**
 * The message Lotus makes of a transaction: a deployment goes to the EAM's CreateExternal, anything
 * else (plain value transfers included) is an InvokeContract; the input is wrapped as a CBOR byte string.
 */
export function toFilecoinMessage(tx: EthTransaction): SignedMessage {
  const message: Message = {
    version: 0,
    to: tx.to === null ? FilAddress.fromId(EAM_ACTOR_ID) : FilAddress.fromEthAddress(tx.to),
    from: FilAddress.fromDelegated(EAM_NAMESPACE, tx.from),
    nonce: tx.nonce,
    value: tx.value,
    gasLimit: tx.gasLimit,
    gasFeeCap: tx.maxFeePerGas,
    gasPremium: tx.maxPriorityFeePerGas,
    method: tx.to === null ? METHOD_CREATE_EXTERNAL : METHOD_INVOKE_CONTRACT,
    params: tx.input.length === 0 ? new Uint8Array() : encodeCbor(tx.input),
  };
  return { message, signature: { type: SigType.Delegated, data: delegatedSignature(tx) } };
}

/** The signature bytes of a delegated-signature message; their shape tells the transaction type apart. */
function delegatedSignature(tx: EthTransaction): Uint8Array {
  const rs = concatBytes(padStart(bigintToBytes(tx.r), 32), padStart(bigintToBytes(tx.s), 32));
  if (tx.type === 2) return concatBytes(rs, new Uint8Array([Number(tx.v)]));
  if (tx.chainId === 0n) return concatBytes(new Uint8Array([0x01]), rs, new Uint8Array([Number(tx.v)]));
  return concatBytes(new Uint8Array([0x02]), rs, bigintToBytes(tx.v));
}
