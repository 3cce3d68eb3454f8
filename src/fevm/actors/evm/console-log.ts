// Hardhat's console.log (console.sol, also forge-std's console): a STATICCALL to a fixed address with
// the ABI-encoded arguments. On FEVM the call does nothing; the devnet also decodes it so that the
// node can print the line, as Anvil and Hardhat do.
import { format } from 'node:util';
import { AbiCoder, getAddress, id } from 'ethers';
import { hexToBytes } from '../../../common/hex.js';

/** address(bytes20(uint160(uint256(keccak256("console.log"))))) — console.sol's CONSOLE_ADDRESS. */
export const CONSOLE_ADDRESS = hexToBytes('0x000000000000000000636f6e736f6c652e6c6f67');

const PARAM_TYPES = ['uint256', 'string', 'bool', 'address'];

/** Every console.sol signature, by selector: log(...) with up to four of the basic types, and the typed ones. */
let signatures: Map<string, string[]> | undefined;
function signatureTable(): Map<string, string[]> {
  if (signatures) return signatures;
  signatures = new Map();
  const add = (name: string, types: string[]) => signatures!.set(id(`${name}(${types.join(',')})`).slice(0, 10), types);
  add('log', []);
  let combos: string[][] = [[]];
  for (let n = 1; n <= 4; n++) {
    combos = combos.flatMap((c) => PARAM_TYPES.map((t) => [...c, t]));
    for (const types of combos) {
      add('log', types);
      // Older console.sol versions spelled uint256 as uint (a different selector).
      if (types.includes('uint256')) add('log', types.map((t) => (t === 'uint256' ? 'uint' : t)));
    }
  }
  for (const t of ['int256', 'bytes']) add('log', [t]);
  for (const [name, t] of [['logInt', 'int256'], ['logUint', 'uint256'], ['logString', 'string'], ['logBool', 'bool'], ['logAddress', 'address'], ['logBytes', 'bytes'], ['logInt', 'int'], ['logUint', 'uint']]) add(name, [t]);
  for (let size = 1; size <= 32; size++) add(`logBytes${size}`, [`bytes${size}`]);
  return signatures;
}

function show(value: unknown, type: string): unknown {
  if (type === 'address') return getAddress(value as string);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** The line a console.log call prints, or undefined when the input is not one. */
export function decodeConsoleLog(input: Uint8Array): string | undefined {
  if (input.length < 4) return undefined;
  const hex = Buffer.from(input).toString('hex');
  const types = signatureTable().get(`0x${hex.slice(0, 8)}`);
  if (!types) return undefined;
  try {
    const values = AbiCoder.defaultAbiCoder().decode(types, `0x${hex.slice(8)}`).map((v, i) => show(v, types[i]));
    // As Hardhat prints them: a first string argument is a format string (%s, %d, …).
    return format(...(values as [unknown, ...unknown[]]));
  } catch {
    return undefined;
  }
}
