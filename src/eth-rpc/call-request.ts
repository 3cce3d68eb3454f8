// The transaction object of eth_call, eth_estimateGas and eth_sendTransaction, parsed.
import type { CallRequest } from '../devnet/calls.js';
import { invalid, parseAddress, parseData, parseQuantity, parseSafeNumber, type Param } from './params.js';

export interface ParsedCallRequest extends CallRequest {
  nonce?: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

export function parseCallRequest(name: string, value: unknown): ParsedCallRequest {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'expected a transaction object');
  const tx = value as Record<string, unknown>;
  const field = <T>(key: string, parse: (n: string, v: unknown) => T): T | undefined =>
    tx[key] === undefined || tx[key] === null ? undefined : parse(`${name}.${key}`, tx[key]);
  // `input` wins over `data` when both are given (Lotus EthCall).
  const input = field('input', parseData) ?? field('data', parseData);
  const gasPrice = field('gasPrice', parseQuantity);
  return {
    from: field('from', parseAddress),
    to: field('to', parseAddress) ?? null,
    gas: field('gas', parseSafeNumber),
    value: field('value', parseQuantity),
    input,
    nonce: field('nonce', parseSafeNumber),
    maxFeePerGas: field('maxFeePerGas', parseQuantity) ?? gasPrice,
    maxPriorityFeePerGas: field('maxPriorityFeePerGas', parseQuantity) ?? gasPrice,
  };
}

export const callRequest = (name: string): Param<ParsedCallRequest> => ({ name, parse: (v) => parseCallRequest(name, v) });
