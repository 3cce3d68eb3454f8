// call_actor (0xfe00…03): calls any actor as the calling contract. Only through DELEGATECALL (so
// that the contract itself is the FVM caller and pays the value). Input is abi.encode without a
// selector:
//   uint64 method, uint256 value, uint64 flags, uint64 codec, bytes params, bytes address
// with the address as raw Filecoin address bytes (call_actor_id, 0xfe00…05, has a uint64 actor ID
// inline instead). Rules (builtin-actors precompiles/fvm.rs call_actor_shared):
//   - methods 1..1023 are refused (only 0 = METHOD_SEND or an exported method ≥ 1024);
//   - flags may only hold READ_ONLY (1);
//   - codec 0x51 (CBOR) sends params as a CBOR block; codec 0 requires empty params; others fail
//     (0x71 DAG-CBOR included: the code checks fvm_ipld_encoding::CBOR, whatever its comment says).
// Output is abi.encode(int256 exit_code, uint64 codec, bytes data), data padded to a word:
// exit_code 0 is success, > 0 the callee's exit code (not a precompile failure: the DELEGATECALL
// still returns 1), < 0 minus an FVM syscall error number (-6 NotFound, -5 InsufficientFunds, …).
import { FilAddress } from '../common/address.js';
import { PrecompileError, WordReader, encodeWords } from './abi.js';
import { CBOR, SendFlags, type IpldBlock, type PrecompileRuntime } from './runtime.js';

/** EVM_MAX_RESERVED_METHOD: methods up to here are the EVM actor's own and cannot be called this way. */
const MAX_RESERVED_METHOD = 1023n;
const METHOD_SEND = 0n;

export function callActor(input: Uint8Array, runtime: PrecompileRuntime): Promise<Uint8Array> {
  return callActorShared(input, runtime, false);
}

/** call_actor and call_actor_id: the same but for how the last word names the receiver. */
export async function callActorShared(input: Uint8Array, runtime: PrecompileRuntime, byId: boolean): Promise<Uint8Array> {
  if (runtime.callKind !== 'delegatecall') {
    throw new PrecompileError('CallForbidden', 'call_actor must be reached through DELEGATECALL');
  }
  const reader = new WordReader(input);
  const method = reader.readUint(64, 'method');
  const value = reader.readU256();
  const flags = reader.readUint(64, 'flags');
  if ((flags & ~SendFlags.READ_ONLY) !== 0n) throw new PrecompileError('InvalidInput', `invalid send flags ${flags}`);
  const codec = reader.readUint(64, 'codec');
  const paramsOffset = reader.readUint(32, 'params offset');
  const idOrAddressOffset = reader.readUint(64, 'address offset or actor id');

  reader.seek(paramsOffset);
  const paramsLength = reader.readUint(32, 'params length');
  const paramBytes = reader.readPadded(Number(paramsLength));

  let to: FilAddress | undefined;
  if (byId) {
    // An ID no devnet actor can have: the send finds nothing.
    to = idOrAddressOffset <= BigInt(Number.MAX_SAFE_INTEGER) ? FilAddress.fromId(Number(idOrAddressOffset)) : undefined;
  } else {
    reader.seek(idOrAddressOffset);
    const addressLength = reader.readUint(32, 'address length');
    const addressBytes = reader.readPadded(Number(addressLength));
    try {
      to = FilAddress.fromBytes(addressBytes);
    } catch (error) {
      throw new PrecompileError('InvalidInput', `not a Filecoin address: ${(error as Error).message}`);
    }
  }

  if (method <= MAX_RESERVED_METHOD && method !== METHOD_SEND) {
    throw new PrecompileError('InvalidInput', `method ${method} is reserved`);
  }
  // The devnet's method numbers are JavaScript numbers: any u64 is sent (the receiver answers, as on
  // calibnet: a builtin actor 22, an account's fallback 0) unless a double cannot hold it exactly.
  // FRC-42 numbers are below 2^32.
  if (BigInt(Number(method)) !== method) {
    throw new PrecompileError('InvalidInput', `method ${method} is beyond the devnet's method numbers`);
  }
  let params: IpldBlock | undefined;
  if (codec === BigInt(CBOR)) params = { codec: CBOR, data: paramBytes };
  else if (codec !== 0n || paramBytes.length > 0) {
    throw new PrecompileError('InvalidInput', codec === 0n ? 'codec 0 requires empty params' : `unsupported codec 0x${codec.toString(16)}`);
  }

  const result = await runtime.callActor({ to, method: Number(method), value, flags, params, gasLimit: runtime.gasAvailable });
  if (result.type === 'syscall-error') return encodeResult(-BigInt(result.errno), undefined);
  return encodeResult(BigInt(result.exitCode), result.returnBlock);
}

/** abi.encode(int256 exit_code, uint64 codec, bytes data): the data's offset is always 0x60. */
function encodeResult(exitCode: bigint, block: IpldBlock | undefined): Uint8Array {
  const data = block?.data ?? new Uint8Array();
  return encodeWords([exitCode, BigInt(block?.codec ?? 0), 0x60n, BigInt(data.length)], data);
}
