// Lotus's syntactic check of a message, types.Message.ValidForBlockInclusion (chain/types/message.go):
// with no minimum gas, what the pool checks first (messagepool.go checkMessage) and MpoolCheckMessages
// reports as its validity check; with the message's on-chain cost as minimum, the pool's later check
// and a block's.
import { FilAddress, Protocol } from '../common/address.js';
import { TOTAL_FILECOIN } from '../fevm/actors/market/policy.js';
import { BLOCK_GAS_LIMIT } from '../fevm/gas.js';
import type { Message } from '../fevm/message.js';

/**
 * Lotus's ZeroAddress (build/buildconstants/params_shared_vals.go): the BLS address of the point at
 * infinity, whose compressed form is 0xc0 and zeros, f3yaaa…by2smx7a. No message may be sent to it.
 */
const ZERO_ADDRESS = FilAddress.fromPayload(Protocol.BLS, Uint8Array.from({ length: 48 }, (_, i) => (i === 0 ? 0xc0 : 0)));

/** The first rule the message breaks, in Lotus's words, `minGas` its least gas limit; undefined if it breaks none. */
export function blockInclusionError(m: Message, minGas = 0): string | undefined {
  if (m.version !== 0) return "'Version' unsupported";
  if (m.to.equals(ZERO_ADDRESS)) return "invalid 'To' address";
  if (m.value < 0n) return "'Value' field cannot be negative";
  if (m.value > TOTAL_FILECOIN) return "'Value' field cannot be greater than total filecoin supply";
  if (m.gasFeeCap < 0n) return "'GasFeeCap' field cannot be negative";
  if (m.gasPremium < 0n) return "'GasPremium' field cannot be negative";
  if (m.gasPremium > m.gasFeeCap) return "'GasFeeCap' less than 'GasPremium'";
  if (m.gasLimit > BLOCK_GAS_LIMIT) return `'GasLimit' field cannot be greater than a block's gas limit (${m.gasLimit} > ${BLOCK_GAS_LIMIT})`;
  if (m.gasLimit <= 0) return `'GasLimit' field ${m.gasLimit} must be positive`;
  if (m.gasLimit < minGas) return `'GasLimit' field cannot be less than the cost of storing a message on chain ${m.gasLimit} < ${minGas}`;
  return undefined;
}
