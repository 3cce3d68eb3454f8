// A failed eth_call or gas estimate, worded as Lotus words it (api/api_errors.go, ethtypes.ParseEthRevert).
import { AbiCoder } from 'ethers';
import { ExecutionRevertedError } from '../common/errors.js';
import { bytesToHex } from '../common/hex.js';
import { ExitCode, formatExitCode } from '../fevm/exit-code.js';
import type { InvocationResult } from '../fevm/types.js';

const ERROR_SELECTOR = '0x08c379a0';
const PANIC_SELECTOR = '0x4e487b71';
const PANIC_NAMES: Record<number, string> = {
  0x01: 'Assert()',
  0x11: 'ArithmeticOverflow()',
  0x12: 'DivideByZero()',
  0x21: 'InvalidEnumVariant()',
  0x22: 'InvalidStorageArray()',
  0x31: 'PopEmptyArray()',
  0x32: 'ArrayIndexOutOfBounds()',
  0x41: 'OutOfMemory()',
  0x51: 'CalledUninitializedFunction()',
};

/** The revert reason as Lotus prints it: Error(msg), a Panic name, `none`, or the raw hex. */
export function revertReason(data: Uint8Array): string {
  if (data.length === 0) return 'none';
  const hex = bytesToHex(data);
  try {
    if (hex.startsWith(ERROR_SELECTOR)) return `Error(${AbiCoder.defaultAbiCoder().decode(['string'], '0x' + hex.slice(10))[0]})`;
    if (hex.startsWith(PANIC_SELECTOR)) {
      const code = Number(AbiCoder.defaultAbiCoder().decode(['uint256'], '0x' + hex.slice(10))[0]);
      return PANIC_NAMES[code] ?? `Panic(0x${code.toString(16)})`;
    }
  } catch {
    // Not well-formed: fall through to the raw bytes.
  }
  return hex;
}

export function executionFailed(result: InvocationResult, receiver: string, method: number): ExecutionRevertedError {
  // Only EVM failures carry revert bytes; other failures have no reason part and empty data.
  const isEvm = result.exitCode >= ExitCode.EvmReverted && result.exitCode <= ExitCode.EvmSelfdestructFailed;
  const exit = formatExitCode(result.exitCode);
  const reason = isEvm ? `, revert reason=[${revertReason(result.returnData)}]` : '';
  const what = result.error ? `${result.error} (${result.exitCode})` : `exit ${exit}`;
  const backtrace = `message failed with backtrace:\n00: ${receiver} (method ${method}) -- ${what}`;
  return new ExecutionRevertedError(
    `message execution failed (exit=[${exit}]${reason}, vm error=[${backtrace}])`,
    isEvm ? result.returnData : new Uint8Array(),
  );
}
