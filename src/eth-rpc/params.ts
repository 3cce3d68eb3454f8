// Parameter parsers: JSON-RPC values in, domain values (bytes, bigints, epochs) out. A bad value
// throws InvalidParamsError naming the parameter.
import { DevnetError, InvalidParamsError } from '../common/errors.js';
import { evenHexToBytes } from '../common/hex.js';

export interface Param<T> {
  name: string;
  optional?: boolean;
  parse(value: unknown): T;
}

export function invalid(name: string, why: string): InvalidParamsError {
  return new InvalidParamsError(`invalid argument '${name}': ${why}`);
}

const SHOWN = 80;

/**
 * A bad value as an error message shows it: its JSON cut to 80 characters. It walks only as far as
 * it prints, so a value nested thousands deep or megabytes long costs no more than a short one
 * (JSON.stringify would overflow the stack or copy it all).
 */
export function describeValue(value: unknown): string {
  let text = '';
  const walk = (v: unknown): void => {
    if (text.length > SHOWN) return;
    if (Array.isArray(v)) {
      text += '[';
      for (let i = 0; i < v.length && text.length <= SHOWN; i++) {
        if (i) text += ',';
        walk(v[i]);
      }
      text += ']';
    } else if (v !== null && typeof v === 'object') {
      text += '{';
      let first = true;
      for (const key in v) {
        if (text.length > SHOWN) break;
        text += `${first ? '' : ','}${JSON.stringify(key.slice(0, SHOWN + 1))}:`;
        first = false;
        walk((v as Record<string, unknown>)[key]);
      }
      text += '}';
    } else if (typeof v === 'string') text += JSON.stringify(v.slice(0, SHOWN + 1));
    else text += String(v);
  };
  walk(value);
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
}

function hexString(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]*$/.test(value)) throw invalid(name, `expected a 0x-prefixed hex string, got ${describeValue(value)}`);
  return value;
}

export function parseQuantity(name: string, value: unknown): bigint {
  const hex = hexString(name, value);
  if (hex.length < 3 || hex.length > 66) throw invalid(name, `expected a hex quantity, got ${describeValue(value)}`);
  return BigInt(hex);
}

export function parseSafeNumber(name: string, value: unknown): number {
  const n = parseQuantity(name, value);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(name, 'number too large');
  return Number(n);
}

export function parseData(name: string, value: unknown): Uint8Array {
  const bytes = typeof value === 'string' ? evenHexToBytes(value) : undefined;
  if (bytes) return bytes;
  // Not 0x and an even number of hex digits: hexString throws unless it is hex at all; if it is, the count is odd.
  hexString(name, value);
  throw invalid(name, 'hex data must have an even number of digits');
}

/** Bytes as Lotus's JSON carries them: standard base64. */
export function parseBase64(name: string, value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw invalid(name, 'expected base64 bytes');
  return new Uint8Array(Buffer.from(value, 'base64'));
}

export function parseFixedData(name: string, value: unknown, length: number): Uint8Array {
  const bytes = parseData(name, value);
  if (bytes.length !== length) throw invalid(name, `expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

/** A storage slot: hex of up to 32 bytes; an odd digit count is padded, as Lotus pads it ("0x0"). */
function parseStorageKey(name: string, value: unknown): bigint {
  const hex = hexString(name, value);
  if (hex.length > 66) throw new DevnetError('supplied storage key is too long');
  return hex.length > 2 ? BigInt(hex) : 0n;
}

/** A JSON number that is a non-negative safe integer, as Lotus's uint64 and epoch parameters are; `what` names it in the error. */
export function parseNonNegative(name: string, value: unknown, what = 'integer'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(name, `expected a non-negative ${what}`);
  return value;
}

/** A count or a time: Hardhat's helpers, Otterscan and Lotus send plain numbers, viem and Foundry hex quantities. */
function parseNumberOrQuantity(name: string, value: unknown): number {
  return typeof value === 'number' ? parseNonNegative(name, value) : parseSafeNumber(name, value);
}

/**
 * An amount of a cheat code (a balance, a base fee) as Anvil's U256 takes it: a hex quantity, a
 * decimal string, or a JSON number (`cast rpc anvil_setBalance <a> 1000` sends one). A JSON number
 * above 2^53 - 1 is refused, saying what to send: JSON.parse has already rounded it (Anvil reads it
 * exactly up to 2^128), so the amount it holds may not be the one sent.
 */
function parseAmount(name: string, value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
    throw invalid(name, `got the JSON number ${value}, above 2^53 - 1, where JSON numbers are not exact here: send the amount as a hex or decimal string (\`cast to-hex <amount>\` gives the hex)`);
  }
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(value)) {
    const n = BigInt(value);
    if (n >= 1n << 256n) throw invalid(name, 'number too large');
    return n;
  }
  throw invalid(name, `expected an amount (a hex quantity, a decimal string or a JSON number), got ${describeValue(value)}`);
}

/**
 * Lotus's EthUint64 (chain/types/ethtypes/eth_types.go UnmarshalJSON): a JSON number, a decimal string
 * or a 0x-prefixed hex string. eth_feeHistory's block count, a transaction's index in its block and
 * trace_filter's after and count are one, so `"5"` is five there, as Lotus's itests send it.
 */
function parseEthUint64(name: string, value: unknown): number {
  if (typeof value === 'number') return parseNonNegative(name, value);
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) {
    const n = BigInt(value);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(name, 'number too large');
    return Number(n);
  }
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) throw invalid(name, `expected a number, a decimal string or a 0x-prefixed hex string, got ${describeValue(value)}`);
  return parseSafeNumber(name, value);
}

export const parseAddress = (name: string, value: unknown) => parseFixedData(name, value, 20);
export const parseHash = (name: string, value: unknown) => parseFixedData(name, value, 32);

export type BlockTag = 'latest' | 'earliest' | 'pending' | 'safe' | 'finalized';
/** `requireCanonical` (EIP-1898): a tipset a revert or reorg dropped is refused, as Lotus refuses a non-canonical one. */
export type BlockRef = { tag: BlockTag } | { number: number } | { hash: Uint8Array; requireCanonical?: boolean };
const BLOCK_TAGS = new Set(['latest', 'earliest', 'pending', 'safe', 'finalized']);

/** A block tag, a hex number, a block hash, or an EIP-1898 object. */
export function parseBlockRef(name: string, value: unknown, { allowHash = true } = {}): BlockRef {
  if (typeof value === 'string' && BLOCK_TAGS.has(value)) return { tag: value as BlockTag };
  if (typeof value === 'string' && value.length === 66 && allowHash) return { hash: parseHash(name, value) };
  // Lotus also takes decimal block numbers here.
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return { number: Number(value) };
  if (typeof value === 'string') return { number: parseSafeNumber(name, value) };
  if (allowHash && value && typeof value === 'object') {
    // Lotus's EthBlockNumberOrHash (ethtypes UnmarshalJSON): one of the two, its blockNumber an EthUint64,
    // which may be a JSON number too (`{ "blockNumber": 12 }`), where a bare block parameter may not.
    const obj = value as Record<string, unknown>;
    if (obj.blockHash !== undefined && obj.blockNumber !== undefined) throw invalid(name, 'cannot specify both blockNumber and blockHash');
    if (obj.blockHash !== undefined) return { hash: parseHash(`${name}.blockHash`, obj.blockHash), requireCanonical: obj.requireCanonical === true };
    if (typeof obj.blockNumber === 'number') return { number: parseNonNegative(`${name}.blockNumber`, obj.blockNumber, 'block number') };
    if (obj.blockNumber !== undefined) return parseBlockRef(`${name}.blockNumber`, obj.blockNumber, { allowHash: false });
  }
  // A JSON number is refused as Lotus refuses it (its block parameters are strings): say what to send instead.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    throw invalid(name, `expected a block number as a string ("0x${value.toString(16)}" or "${value}"), a tag or a hash, got the JSON number ${value}`);
  }
  throw invalid(name, `expected a block number, tag or hash, got ${describeValue(value)}`);
}

export function parseObject(name: string, value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'expected an object');
  return value as Record<string, unknown>;
}

// Ready-made Param definitions for method tables.
export const address = (name: string): Param<Uint8Array> => ({ name, parse: (v) => parseAddress(name, v) });
export const hash = (name: string): Param<Uint8Array> => ({ name, parse: (v) => parseHash(name, v) });
export const data = (name: string): Param<Uint8Array> => ({ name, parse: (v) => parseData(name, v) });
export const storageKey = (name: string): Param<bigint> => ({ name, parse: (v) => parseStorageKey(name, v) });
export const amount = (name: string): Param<bigint> => ({ name, parse: (v) => parseAmount(name, v) });
export const safeNumber = (name: string): Param<number> => ({ name, parse: (v) => parseSafeNumber(name, v) });
export const nonNegative = (name: string, what?: string): Param<number> => ({ name, parse: (v) => parseNonNegative(name, v, what) });
export const numberOrQuantity = (name: string): Param<number> => ({ name, parse: (v) => parseNumberOrQuantity(name, v) });
export const ethUint64 = (name: string): Param<number> => ({ name, parse: (v) => parseEthUint64(name, v) });
/** A JSON list whose entries `item` parses, each named `name[i]`; `what` says what the list holds. */
export const listOf = <T>(name: string, item: (name: string) => Param<T>, what = 'a list'): Param<T[]> => ({
  name,
  parse: (v) => {
    if (!Array.isArray(v)) throw invalid(name, `expected ${what}`);
    return v.map((entry, i) => item(`${name}[${i}]`).parse(entry));
  },
});
export const blockRef = (name: string, options?: { allowHash?: boolean }): Param<BlockRef> => ({
  name,
  parse: (v) => parseBlockRef(name, v, options),
});
export const bool = (name: string): Param<boolean> => ({
  name,
  parse: (v) => {
    if (typeof v !== 'boolean') throw invalid(name, 'expected a boolean');
    return v;
  },
});
export const string = (name: string): Param<string> => ({
  name,
  parse: (v) => {
    if (typeof v !== 'string') throw invalid(name, 'expected a string');
    return v;
  },
});
export const object = (name: string): Param<Record<string, unknown>> => ({ name, parse: (v) => parseObject(name, v) });
export const optional = <T>(param: Param<T>): Param<T | undefined> => ({ ...param, optional: true });
