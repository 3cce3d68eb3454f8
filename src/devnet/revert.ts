// A failed eth_call, gas estimate or StateCall, worded as Lotus words it (api/api_errors.go, ethtypes.ParseEthRevert).
import { AbiCoder } from 'ethers';
import type { FilAddress } from '../common/address.js';
import { ExecutionRevertedError } from '../common/errors.js';
import { bytesToHex } from '../common/hex.js';
import { ExitCode, formatExitCode } from '../fevm/exit-code.js';
import type { InvocationResult } from '../fevm/types.js';

/** Solidity's Error(string) selector. */
export const ERROR_SELECTOR = '0x08c379a0';
/** Solidity's Panic(uint256) selector. */
export const PANIC_SELECTOR = '0x4e487b71';
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

export function executionFailed(result: InvocationResult, to: FilAddress, method: number): ExecutionRevertedError {
  // Only EVM failures carry revert bytes; other failures have no reason part and empty data.
  const isEvm = result.exitCode >= ExitCode.EvmReverted && result.exitCode <= ExitCode.EvmSelfdestructFailed;
  const reason = isEvm ? `, revert reason=[${revertReason(result.returnData)}]` : '';
  return new ExecutionRevertedError(
    `message execution failed (exit=[${formatExitCode(result.exitCode)}]${reason}, vm error=[${vmError(result, to, method)}])`,
    isEvm ? result.returnData : new Uint8Array(),
  );
}

/**
 * A failed message's error as Lotus gives it (InvocResult.Error, the `vm error` above): ref-fvm's
 * ApplyFailure text (fvm/src/executor/mod.rs, call_manager/backtrace.rs at fvm@v4.8.2), the
 * receiver's frame, then those below it the devnet knows (a failed constructor's), numbered from the
 * top, then aerrors' ` (RetCode=N)` (lotus chain/vm/fvm.go, chain/actors/aerrors). The FVM prints
 * actors' ID addresses with its default network, mainnet (filecoin-ffi sets none): `f0…` on calibnet too.
 */
export function vmError(result: Pick<InvocationResult, 'exitCode' | 'error' | 'failedActor' | 'innerFrames'>, to: FilAddress, method: number): string {
  const actor = result.failedActor !== undefined ? `f0${result.failedActor}` : to.toString();
  const what = result.error ? `${result.error} (${result.exitCode})` : `exit ${formatExitCode(result.exitCode)}`;
  const frames = [`${actor} (method ${method}) -- ${what}`, ...(result.innerFrames ?? []).map((f) => `f0${f.actor} (method ${f.method}) -- ${f.message} (${result.exitCode})`)];
  return `message failed with backtrace:\n${frames.map((frame, i) => `${String(i).padStart(2, '0')}: ${frame}`).join('\n')}\n (RetCode=${result.exitCode})`;
}
