// How the FVM sends of a trace look to Ethereum tools, shared by debug_trace* (geth shapes) and
// trace_* (Lotus's OpenEthereum shapes). As Lotus shows them (node/impl/eth/trace.go):
// InvokeContract carries EVM calldata (the CBOR byte string unwrapped) and returns EVM output; the
// EAM's CreateExternal carries init code; any other method shows as a call of
// handle_filecoin_method(uint64 method, uint64 codec, bytes params), returning
// abi.encode(uint32 exit code, uint64 codec, bytes data).
import { maskedIdAddress, type FilAddress } from '../common/address.js';
import { decodePayload } from '../common/cbor.js';
import { EAM_ACTOR_ID } from '../fevm/actor.js';
import { handleFilecoinMethodInput } from '../fevm/actors/evm/handle-filecoin-method.js';
import type { SendFrame } from '../fevm/actors/evm/tracer.js';
import { METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT } from '../fevm/message.js';
import { encodeWords } from '../filecoin-precompiles/abi.js';
import type { IpldBlock } from '../filecoin-precompiles/runtime.js';

const EMPTY = new Uint8Array();

/** A contract deployment: the message the EAM's CreateExternal received. */
export function isCreateSend(frame: SendFrame): boolean {
  return frame.toAddress.id === EAM_ACTOR_ID && frame.method === METHOD_CREATE_EXTERNAL;
}

/** A send of EVM calldata (InvokeContract) rather than a native method. */
export function isEvmSend(frame: SendFrame): boolean {
  return frame.method === METHOD_INVOKE_CONTRACT;
}

/**
 * Ethereum tools' view of a send's input: calldata, init code (an InvokeContract's or CreateExternal's
 * params as Lotus's decodePayload reads them: bytes after the string, which the actors refuse,
 * ignored), or the handle_filecoin_method encoding.
 */
export function sendInput(frame: SendFrame): Uint8Array {
  if (isEvmSend(frame) || isCreateSend(frame)) {
    const bytes = decodePayload(frame.params?.data ?? EMPTY, frame.params?.codec ?? 0);
    if (bytes) return bytes;
  }
  return handleFilecoinMethodInput(frame.method, frame.params);
}

/** abi.encode(uint32 exit code, uint64 codec, bytes data): a native method's return (Lotus encodeFilecoinReturnAsABI). */
export function nativeOutput(exitCode: number, block: IpldBlock | undefined): Uint8Array {
  const data = block?.data ?? EMPTY;
  return encodeWords([BigInt(exitCode), BigInt(block?.codec ?? 0), 0x60n, BigInt(data.length)], data);
}

/** The Ethereum address a Filecoin address names for the EVM (its f410, or the masked ID). */
function ethViewOf(address: FilAddress): Uint8Array | undefined {
  const eth = address.ethAddress;
  if (eth) return eth;
  return address.id !== undefined ? maskedIdAddress(address.id) : undefined;
}

/** The address the send went to: its receiver as the EVM sees it, else the address as named. */
export function sendTo(frame: SendFrame): Uint8Array | undefined {
  return frame.to ?? ethViewOf(frame.toAddress);
}
