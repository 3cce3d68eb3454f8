// The Ethereum Address Manager (f010): CreateExternal deploys a contract for an Ethereum or native
// account at the CREATE address of (sender, nonce), and returns [actor id, robust f2 address, eth address];
// Create and Create2 sent as a StateCall from a contract's address deploy for that contract.
// Its methods sent otherwise (eamActor) answer as builtin-actors' dispatcher and caller checks do.
import { Protocol, FilAddress } from '../../common/address.js';
import { decodeCbor, encodeCbor } from '../../common/cbor.js';
import { generateAddress, generateAddress2 } from '@ethereumjs/util';
import { blake2b160, keccak256 } from '../../common/hashes.js';
import { bigintToBytes, concatBytes, EMPTY_BYTES } from '../../common/hex.js';
import { INIT_ACTOR_ID, SYSTEM_ACTOR_ID, type Actor } from '../actor.js';
import { ExitCode } from '../exit-code.js';
import type { StateOverlay } from '../state-tree.js';
import type { IpldBlock } from '../../filecoin-precompiles/runtime.js';
import { METHOD_CONSTRUCTOR, METHOD_EXEC4 } from '../message.js';
import type { ExecutionContext, InvocationResult } from '../types.js';
import type { EvmActor } from './evm/evm-actor.js';
import { ethAddressOf, resolveEthAddress } from './lifecycle.js';
import { EVM_RESURRECT } from './evm/reserved-methods.js';
import { bytes, serializationError, tuple, u64Big } from './params.js';
import { ActorError, methodTable, type ActorRuntime, type BuiltinActor } from './runtime.js';
import { fAddress, requireCaller, requireCallerKind } from './shared.js';

/** The EAM's Create (the EVM's CREATE: [initcode, nonce]) and Create2 (CREATE2: [initcode, salt]). */
export const EAM_CREATE = 2;
export const EAM_CREATE2 = 3;

interface CreateExternal {
  sender: Actor;
  /** The nonce of the message that deploys. */
  nonce: number;
  initcode: Uint8Array;
  value: bigint;
  gasLimit: number;
  /** The message's gas premium (GASPRICE in the constructor). */
  gasPremium?: bigint;
  /** Told what holds the address the contract goes at before it is made (a tracer's Constructor or Resurrect shows it). */
  onTarget?: (there: Actor | undefined) => void;
}

/**
 * A sender that is neither an Ethereum nor a native account (a contract, in an eth_call from its
 * address): ErrForbidden with builtin-actors' reason (actors/eam/src/lib.rs resolve_caller_external,
 * the caller's builtin type name, which ActorKind spells the same), which the FVM's backtrace prints.
 */
const disallowedCaller = (sender: Actor): InvocationResult => ({ exitCode: ExitCode.ErrForbidden, returnData: new Uint8Array(), gasUsed: 0, events: [], error: `disallowed caller type ${sender.kind}` });

export async function createExternal(state: StateOverlay, evm: EvmActor, create: CreateExternal, ctx: ExecutionContext): Promise<InvocationResult> {
  const { sender } = create;
  const native = sender.kind === 'account' && sender.robust !== undefined;
  if (sender.kind !== 'ethaccount' && !native) return disallowedCaller(sender);
  // The constructor sees the sender as the EVM does (a native account as its masked ID); a native
  // account's contract goes at the CREATE address of keccak(its key address)[12:] and the nonce.
  const caller = ethAddressOf(sender);
  const createAddress = native ? generateAddress(keccak256(sender.robust!.bytes).subarray(12), bigintToBytes(BigInt(create.nonce))) : undefined;
  return deploy(state, evm, create, caller, createAddress, ctx);
}

/** Create or Create2 as a top-level message from a contract: what its `params` (a CBOR block) ask. */
interface ContractCreate extends Omit<CreateExternal, 'initcode'> {
  method: typeof EAM_CREATE | typeof EAM_CREATE2;
  params: IpldBlock | undefined;
}

/**
 * Create or Create2 sent from a contract's address as a StateCall, which Lotus applies as an implicit
 * message (chain/stmgr/call.go callInternal: ApplyImplicitMessage, no sender check), so the contract is
 * the EAM's immediate caller (actors/eam/src/lib.rs create, create2): the contract at the CREATE
 * address of (its eth address, the params' nonce), or the CREATE2 address of (it, salt, initcode),
 * made as a deployment makes one. Params that do not decode: 21.
 */
export async function createFromContract(state: StateOverlay, evm: EvmActor, create: ContractCreate, ctx: ExecutionContext): Promise<InvocationResult> {
  const caller = ethAddressOf(create.sender);
  let initcode: Uint8Array;
  let address: Uint8Array;
  try {
    const params = decodeCbor<unknown>(create.params?.data ?? EMPTY_BYTES);
    if (create.method === EAM_CREATE) {
      const [code, nonce] = createParams(params);
      [initcode, address] = [code, generateAddress(caller, bigintToBytes(nonce))];
    } else {
      const [code, salt] = create2Params(params);
      [initcode, address] = [code, generateAddress2(caller, salt, code)];
    }
  } catch (error) {
    const refused = error instanceof ActorError ? error : serializationError((error as Error).message);
    return { exitCode: refused.exitCode, returnData: EMPTY_BYTES, gasUsed: 0, events: [], error: refused.message };
  }
  return deploy(state, evm, { ...create, initcode }, caller, address, ctx);
}

/**
 * Deploys `create.initcode` for `caller` (the constructor's creator) at `createAddress`, or when
 * undefined at the CREATE address the EVM derives from the caller and `create.nonce`: Init's Exec4
 * and the constructor, or the Resurrect of a dead contract there.
 */
async function deploy(state: StateOverlay, evm: EvmActor, create: CreateExternal, caller: Uint8Array, createAddress: Uint8Array | undefined, ctx: ExecutionContext): Promise<InvocationResult> {
  const { sender } = create;
  const address = createAddress ?? generateAddress(caller, bigintToBytes(BigInt(create.nonce)));
  // Deploying where a dead contract lies resurrects it: the same actor, and no new robust address.
  const there = resolveEthAddress(state, address);
  create.onTarget?.(there);
  const resurrecting = there?.evm?.dead === true;
  const call = { caller, origin: caller, input: create.initcode, value: create.value, gasLimit: create.gasLimit, gasPremium: create.gasPremium, createAddress };
  // The ID the init actor gives the new actor, which a failed constructor's backtrace names.
  const newId = state.nextId();
  const result = await evm.run(state, call, ctx);
  if (result.exitCode !== ExitCode.Ok || !result.created) {
    return result.error ? constructorFailed(result, resurrecting ? there!.id : undefined, newId) : { ...result, events: [] };
  }
  const contract = resolveEthAddress(state, result.created)!;
  if (resurrecting) return { ...result, returnData: encodeCbor([contract.id, null, result.created]) };
  const robust = robustAddress(sender, create.nonce);
  state.putAddress(robust, contract.id);
  state.putActor({ ...contract, robust });
  return { ...result, returnData: encodeCbor([contract.id, robust.bytes, result.created]) };
}

/**
 * A deployment whose constructor failed with `result.error`, as the FVM's backtrace shows it, each
 * frame with the constructor's exit code: CreateExternal failed with the send below it
 * (runtime/src/builtin/shared.rs extract_send_result: `send aborted with code N`); below it, over a
 * dead contract (`resurrected`, its ID), that actor's Resurrect (2), which ran the constructor there
 * (eam/src/lib.rs create_actor); else the init actor's Exec4 (3), failed with the same text
 * (init/src/lib.rs `constructor failed`), and the new actor's Constructor (1).
 */
function constructorFailed(result: InvocationResult, resurrected: number | undefined, newId: number): InvocationResult {
  const aborted = `send aborted with code ${result.exitCode}`;
  const innerFrames =
    resurrected !== undefined
      ? [{ actor: resurrected, method: EVM_RESURRECT, message: result.error! }]
      : [
          { actor: INIT_ACTOR_ID, method: METHOD_EXEC4, message: `constructor failed: ${aborted}` },
          { actor: newId, method: METHOD_CONSTRUCTOR, message: result.error! },
        ];
  return { ...result, events: [], error: aborted, innerFrames };
}

/**
 * The f2 address of the first actor a message creates (ref-fvm next_actor_address):
 * blake2b-160 of cbor(origin address) ‖ u64be(origin nonce) ‖ u64be(actors created so far, 0).
 */
function robustAddress(origin: Actor, nonce: number): FilAddress {
  const counters = new Uint8Array(16);
  new DataView(counters.buffer).setBigUint64(0, BigInt(nonce));
  const originAddress = origin.delegated ?? origin.robust ?? FilAddress.fromId(origin.id);
  return FilAddress.fromPayload(Protocol.Actor, blake2b160(concatBytes(encodeCbor(originAddress.bytes), counters)));
}

/**
 * The EAM's methods as builtin-actors v18 dispatches them (actors/eam/src/lib.rs, actor_dispatch_unrestricted!)
 * when a send other than a top-level CreateExternal (the executor's createExternal) reaches them: each
 * decodes its params (exit 21 when they do not), then checks its caller, exit 18 in its words. Only
 * the system actor constructs it; Create and Create2 are for contracts (the EVM's CREATE and CREATE2,
 * which the devnet's EVM runs itself, and a StateCall from a contract's address: createFromContract);
 * CreateExternal for the message's origin, which no send inside a message is. No contract sends them
 * (call_actor refuses methods 1-1023).
 */
export const eamActor: BuiltinActor = {
  unrestricted: true,
  methods: methodTable({
    Constructor: { legacy: METHOD_CONSTRUCTOR, internalOnly: true, noParams: true, run: (rt) => requireCaller(rt, SYSTEM_ACTOR_ID) },
    Create: {
      legacy: EAM_CREATE,
      internalOnly: true,
      run(rt, params) {
        createParams(params);
        return contractCreate(rt);
      },
    },
    Create2: {
      legacy: EAM_CREATE2,
      internalOnly: true,
      run(rt, params) {
        create2Params(params);
        return contractCreate(rt);
      },
    },
    CreateExternal: {
      legacy: 4,
      internalOnly: true,
      run(rt, params) {
        bytes(params, 'CreateExternalParams');
        // validate_immediate_caller_is(origin): a send inside a message never comes from its origin.
        throw new ActorError(ExitCode.ErrForbidden, `caller ${fAddress(rt.caller.id)} is not one of supported`);
      },
    },
  }),
};

/** CreateParams {initcode, nonce}. */
function createParams(params: unknown): [initcode: Uint8Array, nonce: bigint] {
  const [initcode, nonce] = tuple(params, 2, 'CreateParams');
  return [bytes(initcode, 'initcode'), u64Big(nonce, 'nonce')];
}

/** Create2Params {initcode, salt: 32 bytes}. */
function create2Params(params: unknown): [initcode: Uint8Array, salt: Uint8Array] {
  const [initcode, salt] = tuple(params, 2, 'Create2Params');
  const code = bytes(initcode, 'initcode');
  const salted = bytes(salt, 'salt');
  if (salted.length !== 32) throw serializationError('salt: expected 32 bytes');
  return [code, salted];
}

/**
 * Create and Create2 past their params: validate_immediate_caller_type(EVM). A contract reaches them
 * only as a top-level message (createFromContract): its CREATE and CREATE2 are the devnet's EVM's own,
 * and call_actor refuses methods 1-1023.
 */
function contractCreate(rt: ActorRuntime): never {
  requireCallerKind(rt, 'evm');
  throw new Error('a contract sends the EAM Create or Create2 only as a top-level message (Executor.invokeMethod)');
}
