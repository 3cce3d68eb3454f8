// The FRC-46 token conventions the datacap actor and its recipients share (filecoin-project
// actors-utils frc46_token, fvm_actor_utils receiver): the universal receiver hook a token sends to a
// recipient, its payload, the token's precision, and TokenAmount as builtin-actors print it in errors.
import { encodeBigInt, encodeCbor } from '../../../common/cbor.js';
import { bigInt, bytes, tuple, u64 } from '../params.js';
import { methodNumber } from '../runtime.js';

/** 10^18 token units make one whole token: one byte of DataCap. */
export const TOKEN_PRECISION = 10n ** 18n;

/** FRC-42 "Receive": the method a token calls on its recipient (UniversalReceiverHook). */
export const RECEIVER_HOOK_METHOD = methodNumber('Receive');

/** The FRC-46 receiver type: FRC-42("FRC46") as a u32. */
export const FRC46_TOKEN_TYPE = methodNumber('FRC46');

/** FRC46TokenReceived: who moved how many tokens to whom, with the operator's and the token's data. */
export interface TokensReceived {
  from: number;
  to: number;
  operator: number;
  amount: bigint;
  operatorData: Uint8Array;
  tokenData: Uint8Array;
}

/** UniversalReceiverParams `[type, payload]` carrying an FRC46TokenReceived. */
export function receiverHookParams(received: TokensReceived): unknown {
  const { from, to, operator, amount, operatorData, tokenData } = received;
  return [FRC46_TOKEN_TYPE, encodeCbor([from, to, operator, encodeBigInt(amount), operatorData, tokenData])];
}

/** Reads the FRC46TokenReceived inside decoded UniversalReceiverParams (the type is checked by the caller). */
export function readUniversalReceiverParams(params: unknown): { type: number; payload: Uint8Array } {
  const [type, payload] = tuple(params, 2, 'UniversalReceiverParams');
  return { type: u64(type, 'receiver type'), payload: bytes(payload, 'receiver payload') };
}

export function readTokensReceived(payload: unknown): TokensReceived {
  const [from, to, operator, amount, operatorData, tokenData] = tuple(payload, 6, 'receiver hook payload');
  return {
    from: u64(from, 'from'),
    to: u64(to, 'to'),
    operator: u64(operator, 'operator'),
    amount: bigInt(amount, 'amount'),
    operatorData: bytes(operatorData, 'operator_data'),
    tokenData: bytes(tokenData, 'token_data'),
  };
}

/** A TokenAmount as Rust's Debug prints it: whole units with the fraction, e.g. TokenAmount(1.5), TokenAmount(2.0). */
export function tokenAmountDebug(atto: bigint): string {
  const sign = atto < 0n ? '-' : '';
  const magnitude = atto < 0n ? -atto : atto;
  const fraction = (magnitude % TOKEN_PRECISION).toString().padStart(18, '0').replace(/0+$/, '');
  return `TokenAmount(${sign}${magnitude / TOKEN_PRECISION}.${fraction || '0'})`;
}
