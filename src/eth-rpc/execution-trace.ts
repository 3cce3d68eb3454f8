// Lotus's types.ExecutionTrace, and the sends it shows for a contract creation. builtin-actors
// creates a contract in three sends: to the EAM (f010) — Create (2) [initcode, nonce] for a
// contract's CREATE, Create2 (3) [initcode, salt] for CREATE2, or the message itself, CreateExternal
// (4) with the initcode, for a deployment —, from the EAM to Init (f01) Exec4 (3) [EVM code CID,
// constructor params, the new eth address], and from Init to the new actor its Constructor (1)
// [creator, initcode], under which the constructor's own calls run (actors/eam, actors/init).
import { FilAddress } from '../common/address.js';
import { DAG_CBOR, encodeCbor, type CID } from '../common/cbor.js';
import { EAM_ACTOR_ID, INIT_ACTOR_ID, type Actor } from '../fevm/actor.js';
import { actorHead } from '../fevm/actor-state.js';
import type { CodeTable } from '../fevm/code-table.js';
import { METHOD_CONSTRUCTOR, METHOD_EXEC4 } from '../fevm/message.js';
import { EVM_RESURRECT } from '../fevm/actors/evm/reserved-methods.js';
import { CBOR, type IpldBlock } from '../filecoin-precompiles/runtime.js';
import { actorJson, addressJson, bytesJson } from './lotus-json.js';

/** A send as the trace shows it (types.MessageTrace), and what it returned. */
export interface TracedSend {
  from: FilAddress;
  to: FilAddress;
  value: bigint;
  method: number;
  params?: IpldBlock;
  gas: number;
  readOnly: boolean;
  exitCode: number;
  returnBlock?: IpldBlock;
  /** The receiver as the FVM invoked it (before the value moved); absent when the send reached no actor. */
  invoked?: Actor;
}

/**
 * Actors' Heads, by actor: an actor object never changes, and a trace invokes the same one again and
 * again (a loop's calls to one contract), each Head a hash of its state (its code's too, for a contract).
 */
const heads = new WeakMap<Actor, CID>();

function headOf(actor: Actor): CID {
  let head = heads.get(actor);
  if (!head) heads.set(actor, (head = actorHead(actor)));
  return head;
}

/**
 * types.ExecutionTrace (no gas charges). InvokedActor is the receiver as it was when invoked
 * (types.ActorTrace: its ID and types.Actor), left out when the send invoked none (`omitempty`).
 */
export function traceJson(send: TracedSend, subcalls: unknown[], codes: CodeTable): unknown {
  const { invoked } = send;
  return {
    Msg: {
      From: addressJson(send.from),
      To: addressJson(send.to),
      Value: send.value.toString(),
      Method: send.method,
      Params: send.params ? bytesJson(send.params.data) : null,
      ParamsCodec: send.params?.codec ?? 0,
      GasLimit: send.gas,
      ReadOnly: send.readOnly,
    },
    MsgRct: { ExitCode: send.exitCode, Return: send.returnBlock ? bytesJson(send.returnBlock.data) : null, ReturnCodec: send.returnBlock?.codec ?? 0 },
    ...(invoked && { InvokedActor: { Id: invoked.id, State: actorJson(invoked, headOf(invoked), codes) } }),
    GasCharges: null,
    Subcalls: subcalls.length ? subcalls : null,
  };
}

const ACCOUNT_PUBKEY_ADDRESS = 2;

const dagCbor = (value: unknown): IpldBlock => ({ codec: DAG_CBOR, data: encodeCbor(value) });

/** A creation, as the EAM saw it. */
export interface Creation {
  /** The creator's eth address (the creating contract, or the deployer's f410 or masked ID). */
  creator: Uint8Array;
  initcode: Uint8Array;
  value: bigint;
  gas: number;
  /** The new contract: its actor ID and eth address. */
  id: number;
  eth: Uint8Array;
  /** Its f2 address: Init's Exec4 return; undefined when the devnet gave it none (see below). */
  robust?: FilAddress;
  /** The EAM deployed onto a dead contract: Resurrect (2) on it instead of Init's Exec4. */
  resurrected?: boolean;
  /** A deployment from an f1/f3 account, which the EAM first asks for its key (PubkeyAddress, read-only): the account as the message began. */
  account?: { id: number; key: FilAddress; actor: Actor };
  /** The chain's code CIDs: its EVM code CID the EAM's Exec4 names (a fork's is its upstream's), and the invoked actors' codes. */
  codes: CodeTable;
  /** Init as the creation began, and what held the address before, where known (see creationActor). */
  init?: Actor;
  prior?: Actor;
}

/** The EAM's Return: [actor ID, robust address or null, eth address]. */
export const eamReturn = (c: Creation) => dagCbor([c.id, c.robust?.bytes ?? null, c.eth]);

/** How a creation failed: the exit code each send passes up, and the constructor's revert data (extract_send_result). */
export interface CreationFailure {
  exitCode: number;
  returnBlock?: IpldBlock;
}

/**
 * The EAM's sends for a creation: Init's Exec4 and, under it, the new actor's Constructor, whose
 * subcalls are the constructor's own calls. Exec4's return names the f2 address; the devnet gives
 * none to a contract a CREATE or CREATE2 made, so that return is left out there. A failed creation
 * (`failure`) shows the same sends, each with the failure's exit code and return. A deployment from
 * an account first asks it for its key address, read-only (eam resolve_caller_external).
 */
export function eamSubcalls(c: Creation, constructorCalls: unknown[], failure?: CreationFailure): unknown[] {
  if (!c.account) return eamSends(c, constructorCalls, failure);
  const { actor } = c.account;
  const pubkeyAddress: TracedSend = {
    from: FilAddress.fromId(EAM_ACTOR_ID),
    to: FilAddress.fromId(c.account.id),
    value: 0n,
    method: ACCOUNT_PUBKEY_ADDRESS,
    gas: c.gas,
    readOnly: true,
    exitCode: 0,
    returnBlock: { codec: CBOR, data: encodeCbor(c.account.key.bytes) },
    // The value has moved to the EAM by then.
    invoked: { ...actor, balance: actor.balance - c.value },
  };
  return [traceJson(pubkeyAddress, [], c.codes), ...eamSends(c, constructorCalls, failure)];
}

/**
 * The new contract as its Constructor is invoked: made by Init's Exec4 (ref-fvm create_actor) with
 * the EVM code, the empty state (EMPTY_ARR_CID), no nonce or balance and its f410 address, or a
 * Placeholder that held the address turned into it, keeping its balance and nonce. For Resurrect,
 * the dead contract. `prior`: what held the address before the creation, as the tracer saw it.
 */
function creationActor(c: Creation): Actor {
  if (c.prior?.kind === 'evm') return c.prior;
  return { id: c.id, kind: 'evm', nonce: c.prior?.nonce ?? 0, balance: c.prior?.balance ?? 0n, delegated: FilAddress.fromEthAddress(c.eth) };
}

function eamSends(c: Creation, constructorCalls: unknown[], failure?: CreationFailure): unknown[] {
  const eam = FilAddress.fromId(EAM_ACTOR_ID);
  const constructorParams = encodeCbor([c.creator, c.initcode]);
  const common = { value: c.value, gas: c.gas, readOnly: false, exitCode: failure?.exitCode ?? 0, returnBlock: failure?.returnBlock };
  if (c.resurrected) {
    const resurrect = { ...common, from: eam, to: FilAddress.fromId(c.id), method: EVM_RESURRECT, params: { codec: DAG_CBOR, data: constructorParams }, invoked: creationActor(c) };
    return [traceJson(resurrect, constructorCalls, c.codes)];
  }
  const init = FilAddress.fromId(INIT_ACTOR_ID);
  const construct = { ...common, from: init, to: FilAddress.fromId(c.id), method: METHOD_CONSTRUCTOR, params: { codec: DAG_CBOR, data: constructorParams }, invoked: creationActor(c) };
  const exec4: TracedSend = {
    ...common,
    from: eam,
    to: init,
    method: METHOD_EXEC4,
    params: dagCbor([c.codes.codeOf('evm'), constructorParams, c.eth]),
    returnBlock: failure ? failure.returnBlock : c.robust ? dagCbor([FilAddress.fromId(c.id).bytes, c.robust.bytes]) : undefined,
    invoked: c.init,
  };
  return [traceJson(exec4, [traceJson(construct, constructorCalls, c.codes)], c.codes)];
}
