// What builtin-actors' runtime gives every actor (runtime/src/builtin/shared.rs and the caller checks):
// resolving an address to an actor ID, refusing callers, the illegal-argument error, state
// transactions' error context, and printing ID addresses and token amounts as its messages do.
import { FilAddress } from '../../common/address.js';
import type { ActorKind } from '../actor.js';
import { codesOf } from '../code-table.js';
import { ExitCode } from '../exit-code.js';
import { METHOD_SEND } from '../message.js';
import { ActorError, methodNumber, type ActorRuntime, type SendReply } from './runtime.js';

/** An ID address as builtin-actors print addresses (mainnet prefix). */
export const fAddress = (id: number): string => FilAddress.fromId(id).toString('f');

/**
 * rt.transaction: runs a state change; what fails inside shows under builtin-actors' "state transaction
 * failed" context.
 */
export async function transaction<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ActorError) throw new ActorError(error.exitCode, `state transaction failed: ${error.message}`);
    throw error;
  }
}

/** A send's return value, or an abort with the send's exit code (after `context: `), as extract_send_result does. */
export function sendResult(reply: SendReply, context?: string): unknown {
  if (reply.exitCode !== ExitCode.Ok) throw new ActorError(reply.exitCode, `${context ? `${context}: ` : ''}send aborted with code ${reply.exitCode}`);
  return reply.returnValue;
}

/** actor_error!(illegal_argument; …): exit 16 with `message`. */
export const illegalArgument = (message: string): ActorError => new ActorError(ExitCode.ErrIllegalArgument, message);

/** validate_immediate_caller_is, of one actor. */
export const requireCaller = (rt: ActorRuntime, allowed: number | undefined): void => requireCallerIn(rt, allowed === undefined ? [] : [allowed]);

/** validate_immediate_caller_type, of one kind: refused with the caller's code CID (the chain's: a fork's upstream's). */
export function requireCallerKind(rt: ActorRuntime, kind: ActorKind): void {
  if (rt.caller.kind !== kind) throw new ActorError(ExitCode.ErrForbidden, `caller cid type ${codesOf(rt.ctx).codeOf(rt.caller.kind).toString()} not one of supported`);
}

/** validate_immediate_caller_is, of several actors. */
export function requireCallerIn(rt: ActorRuntime, allowed: readonly number[]): void {
  if (!allowed.includes(rt.caller.id)) throw new ActorError(ExitCode.ErrForbidden, `caller ${fAddress(rt.caller.id)} is not one of supported`);
}

/**
 * The actor ID an address names; an f1/f3/f410 address with no actor gets one by a zero send, as
 * builtin-actors' resolve_to_actor_id does. With `checkExistence`, an ID without an actor is not found.
 */
export async function resolveToActorId(rt: ActorRuntime, address: FilAddress, checkExistence: boolean): Promise<number> {
  let id = rt.state.lookupId(address);
  if (id === undefined) {
    const reply = await rt.send(address, METHOD_SEND);
    if (reply.exitCode !== ExitCode.Ok) {
      throw new ActorError(reply.exitCode, `failed to send zero balance to address ${address.toString('f')}: send aborted with code ${reply.exitCode}`);
    }
    id = rt.state.lookupId(address);
  }
  if (id === undefined) throw new ActorError(ExitCode.ErrIllegalArgument, `failed to resolve or initialize address ${address.toString('f')}`);
  if (checkExistence && !rt.state.getActor(id)) throw new ActorError(ExitCode.ErrNotFound, `no code for address ${address.toString('f')}`);
  return id;
}

const AUTHENTICATE_MESSAGE = methodNumber('AuthenticateMessage');

/**
 * Asks `signer`'s actor, read-only, whether `signature` (its data, without the type byte) signs `message`, as
 * builtin-actors' paych and verifreg do: extract_send_result then deserialize_block under "proposal
 * authentication failed" (the signer's exit code, 24 with no answer, 21 for an answer not a boolean).
 */
export async function authenticateMessage(rt: ActorRuntime, signer: FilAddress, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  const reply = await rt.send(signer, AUTHENTICATE_MESSAGE, [signature, message], { readOnly: true });
  sendResult(reply, 'proposal authentication failed');
  if (!reply.returnBlock) throw new ActorError(ExitCode.ErrAssertionFailed, 'proposal authentication failed: return expected');
  if (typeof reply.returnValue !== 'boolean') throw new ActorError(ExitCode.ErrSerialization, 'proposal authentication failed: expected a boolean');
  return reply.returnValue;
}
