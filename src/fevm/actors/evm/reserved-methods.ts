// The EVM actor's Constructor (1), Resurrect (2), GetStorageAt (5) and InvokeContractDelegate (6) as a
// send from outside the EVM reaches them: a native account's message, a builtin actor's send (a
// multisig's proposal). call_actor refuses methods 1–1023 before sending (fe00-03-call-actor.ts).
// As builtin-actors v18 runs them (actors/evm/src/lib.rs; the dispatcher, runtime/src/dispatch.rs):
// the params first — none (16), InvokeContractDelegate's not DAG-CBOR (16), not the method's type
// (21) — then the method's caller check (18): Init for Constructor, the EAM for Resurrect, the system
// actor f00 for GetStorageAt (Lotus's eth_getStorageAt sends it so), the contract itself for
// InvokeContractDelegate. Only GetStorageAt can then run from outside: the devnet's creations and
// DELEGATECALLs run the other three inside the EVM, never as sends.
import { DAG_CBOR, decodeCbor, encodeCbor } from '../../../common/cbor.js';
import { bigintToBytes, bytesToBigint, EMPTY_BYTES } from '../../../common/hex.js';
import { CBOR, type IpldBlock } from '../../../filecoin-precompiles/runtime.js';
import { EAM_ACTOR_ID, INIT_ACTOR_ID, SYSTEM_ACTOR_ID, type Actor } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import type { StateReader } from '../../state-tree.js';
import type { ActorSend, SendResult } from '../../types.js';
import { ActorError } from '../runtime.js';
import { bigInt, bytes, cid, serializationError, tuple } from '../params.js';
import { EVM_INVOCATION, evmStorageAtGas } from './evm-gas.js';

const EVM_CONSTRUCTOR = 1;
export const EVM_RESURRECT = 2;
const EVM_GET_STORAGE_AT = 5;
const EVM_INVOKE_CONTRACT_DELEGATE = 6;

interface ReservedMethod {
  /** The codec the dispatcher requires of the params block (WithCodec), if any. */
  codec?: number;
  /** Checks the decoded params' shape (serde's tuple structs); throws a serialization error. */
  decode(value: unknown): unknown;
  /** The one caller validate_immediate_caller_is lets through. */
  caller(receiver: Actor): number;
}

/** EthAddress: strict_bytes into [u8; 20]. */
const ethAddress = (value: unknown, what: string): Uint8Array => {
  const address = bytes(value, what);
  if (address.length !== 20) throw serializationError(`${what}: expected 20 bytes`);
  return address;
};

/** ConstructorParams (ResurrectParams is the same): [creator EthAddress, initcode RawBytes]. */
const constructorParams = (value: unknown) => {
  const [creator, initcode] = tuple(value, 2, 'ConstructorParams');
  return [ethAddress(creator, 'creator'), bytes(initcode, 'initcode')];
};

const METHODS = new Map<number, ReservedMethod>([
  [EVM_CONSTRUCTOR, { decode: constructorParams, caller: () => INIT_ACTOR_ID }],
  [EVM_RESURRECT, { decode: constructorParams, caller: () => EAM_ACTOR_ID }],
  [
    EVM_GET_STORAGE_AT,
    {
      // GetStorageAtParams: [storage_key U256], a byte string of at most 32 bytes.
      decode: (value) => {
        const [key] = tuple(value, 1, 'GetStorageAtParams');
        const slot = bytes(key, 'storage_key');
        if (slot.length > 32) throw serializationError('storage_key: expected at most 32 bytes');
        return slot;
      },
      caller: () => SYSTEM_ACTOR_ID,
    },
  ],
  [
    EVM_INVOKE_CONTRACT_DELEGATE,
    {
      codec: DAG_CBOR,
      // DelegateCallParams: [code Cid, input bytes, caller EthAddress, value TokenAmount].
      decode: (value) => {
        const [code, input, caller, amount] = tuple(value, 4, 'DelegateCallParams');
        return [cid(code, 'code'), bytes(input, 'input'), ethAddress(caller, 'caller'), bigInt(amount, 'value')];
      },
      caller: (receiver) => receiver.id,
    },
  ],
]);

/** Whether `method` is one of the four this module answers. */
export const isReservedEvmMethod = (method: number): boolean => METHODS.has(method);

/**
 * A send of one of the four methods to the EVM actor `receiver` from `sender`: its exit code, return
 * and gas as the actor answers it. GetStorageAt from f00 answers the slot's value (zero once the
 * contract is dead, System::load), as a U256: big-endian bytes without leading zeros.
 */
export function invokeReservedEvmMethod(state: StateReader, sender: Actor, receiver: Actor, send: ActorSend): SendResult {
  const method = METHODS.get(send.method)!;
  const params = send.params;
  if (!params || (method.codec !== undefined && params.codec !== method.codec)) return failed(ExitCode.ErrIllegalArgument);
  let decoded: unknown;
  try {
    decoded = method.decode(decodeParams(params));
  } catch (error) {
    if (error instanceof ActorError) return failed(error.exitCode);
    // Not CBOR at all: serde's decoding error, USR_SERIALIZATION as well.
    return failed(ExitCode.ErrSerialization);
  }
  if (sender.id !== method.caller(receiver)) return failed(ExitCode.ErrForbidden);
  if (send.method !== EVM_GET_STORAGE_AT) throw new Error(`EVM method ${send.method} from its own caller reached as a send: the devnet runs it inside the EVM`);
  const slot = bytesToBigint(decoded as Uint8Array);
  const evm = receiver.evm!;
  const value = evm.dead ? 0n : state.getStorage(receiver.id, evm.storageGeneration, slot);
  // A U256 as builtin-actors serialises it: big-endian, no leading zeros (zero is no bytes).
  const block: IpldBlock = { codec: CBOR, data: encodeCbor(bigintToBytes(value)) };
  return { exitCode: ExitCode.Ok, returnData: block.data, returnBlock: block, gasUsed: evmStorageAtGas(receiver, slot), events: [] };
}

/** A failure before the method reads any state: the invocation's gas, no return. */
const failed = (exitCode: number): SendResult => ({ exitCode, returnData: EMPTY_BYTES, gasUsed: EVM_INVOCATION, events: [] });

/** A CBOR or DAG-CBOR block's value (IpldBlock::deserialize); any other codec fails to deserialize. */
function decodeParams(block: IpldBlock): unknown {
  if (block.codec !== CBOR && block.codec !== DAG_CBOR) throw serializationError('params: unsupported codec');
  return decodeCbor(block.data);
}
