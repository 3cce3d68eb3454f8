// handle_filecoin_method: how an EVM actor answers a Filecoin method other than its own (any method
// above 1023 but InvokeContract), e.g. AuthenticateMessage or a market notification. The contract is
// invoked with calldata
//   0x868e10c4 ‖ abi.encode(uint64 method, uint64 codec, bytes params)
// (selector of handle_filecoin_method(uint64,uint64,bytes); codec that of the params block, 0 if none)
// and must answer abi.encode(uint32 exit_code, uint64 codec, bytes data): empty output means "no
// return", codec 0 only with empty data, else 0x51; a non-zero exit code fails the call with it.
// (builtin-actors actors/evm/src/lib.rs handle_filecoin_method_input / _output)
import { CBOR, type IpldBlock } from '../../../filecoin-precompiles/runtime.js';
import { WordReader, encodeWords, PrecompileError } from '../../../filecoin-precompiles/abi.js';
import { concatBytes } from '../../../common/hex.js';
import { ExitCode } from '../../exit-code.js';

/** Methods up to here are the EVM actor's own (builtin-actors EVM_MAX_RESERVED_METHOD). */
export const EVM_MAX_RESERVED_METHOD = 1023;
/** keccak256("handle_filecoin_method(uint64,uint64,bytes)")[0..4]. */
const HANDLE_FILECOIN_METHOD_SELECTOR = new Uint8Array([0x86, 0x8e, 0x10, 0xc4]);
/** Exit codes below this are the system's; an actor that exits with one gets SysErrIllegalExitCode. */
const FIRST_USER_EXIT_CODE = 16;

export function handleFilecoinMethodInput(method: number, params: IpldBlock | undefined): Uint8Array {
  const data = params?.data ?? new Uint8Array();
  return concatBytes(
    HANDLE_FILECOIN_METHOD_SELECTOR,
    encodeWords([BigInt(method), BigInt(params?.codec ?? 0), 0x60n, BigInt(data.length)], data),
  );
}

interface FilecoinMethodOutput {
  exitCode: number;
  returnBlock?: IpldBlock;
}

export function handleFilecoinMethodOutput(output: Uint8Array): FilecoinMethodOutput {
  if (output.length === 0) return { exitCode: ExitCode.Ok };
  let exitCode: number;
  let codec: bigint;
  let data: Uint8Array;
  try {
    const reader = new WordReader(output);
    exitCode = Number(reader.readUint(32, 'exit code'));
    codec = reader.readUint(64, 'codec');
    const offset = reader.readUint(32, 'return value offset');
    reader.seek(offset);
    const length = reader.readUint(32, 'return length');
    data = reader.readPadded(Number(length));
  } catch (error) {
    if (error instanceof PrecompileError) return { exitCode: ExitCode.ErrSerialization };
    throw error;
  }
  let returnBlock: IpldBlock | undefined;
  if (codec === 0n) {
    if (data.length > 0) return { exitCode: ExitCode.ErrSerialization };
  } else if (codec === BigInt(CBOR)) {
    returnBlock = { codec: CBOR, data };
  } else {
    return { exitCode: ExitCode.ErrSerialization };
  }
  if (exitCode !== ExitCode.Ok && exitCode < FIRST_USER_EXIT_CODE) exitCode = ExitCode.SysErrIllegalExitCode;
  return { exitCode, returnBlock };
}
