// The init actor's Exec (f01 method 2, builtin-actors actors/init): creates an actor of a builtin kind
// at a new ID and robust f2 address, then runs its constructor with the params and the value the
// caller sent. Anyone may exec a multisig or a payment channel; a miner is only
// for the power actor, which the devnet's CreateMiner builds directly. Exec4 is the EAM's path,
// which the executor runs itself (eam.ts).
import { FilAddress } from '../../common/address.js';
import type { ActorKind } from '../actor.js';
import { codesOf } from '../code-table.js';
import { ExitCode } from '../exit-code.js';
import { bytes, cid, tuple } from './params.js';
import { newActorAddress } from './lifecycle.js';
import { INIT_MAPPING } from '../builtin-method-gas.js';
import { HOST_CALL } from '../price-list.js';
import { ActorError, EncodedParams, methodTable, type ActorRuntime, type BuiltinActor } from './runtime.js';
import { sendResult } from './shared.js';

/** The init actor's method numbers (builtin-actors init Method). */
export const InitMethod = { Exec: 2 } as const;

/** The kinds anyone may create through Exec (can_exec; miners only from the power actor). */
const EXECUTABLE: readonly ActorKind[] = ['multisig', 'paymentchannel'];

/**
 * ExecParams `[code_cid, constructor_params]` → ExecReturn `[id_address, robust_address]`. Charged
 * as builtin-actors v18 init exec runs: the caller's code asked for, the type of the code to exec
 * (a syscall), then Init's mapping of the new robust address (INIT_MAPPING) and the actor created.
 */
async function exec(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [rawCode, rawParams] = tuple(params, 2, 'ExecParams');
  const code = cid(rawCode, 'code_cid');
  const constructorParams = bytes(rawParams, 'constructor_params');
  // The caller's code (get_actor_code_cid), then can_exec's get_builtin_actor_type of the code to exec.
  rt.actorCode(rt.caller.id);
  rt.chargeGas(HOST_CALL);
  // The chain's code CIDs: a fork's are its upstream's, and a code CID not in its manifest names no kind.
  const codes = codesOf(rt.ctx);
  const kind = codes.kindOf(code);
  if (!kind || !EXECUTABLE.includes(kind)) {
    // A builtin kind the devnet does not model (an upstream's manifest naming an actor newer than
    // the devnet's): refused as can_exec refuses, the reason said.
    const unmodelled = kind ? undefined : codes.nameOf(code);
    const reason = unmodelled ? ` (${unmodelled}: fvm-devnet does not model ${unmodelled} actors)` : '';
    throw new ActorError(ExitCode.ErrForbidden, `called type ${codes.codeOf(rt.caller.kind).toString()} cannot exec actor type ${code.toString()}${reason}`);
  }
  const robust = newActorAddress(rt.state, rt.caller.id);
  rt.chargeGas(INIT_MAPPING);
  const actor = rt.createActor(kind, robust);
  sendResult(await rt.send(FilAddress.fromId(actor.id), 1, new EncodedParams(constructorParams), { value: rt.valueReceived }), 'constructor failed');
  return [FilAddress.fromId(actor.id).bytes, robust.bytes];
}

export const initActor: BuiltinActor = {
  methods: methodTable({
    Exec: { legacy: InitMethod.Exec, internalOnly: true, run: exec },
  }),
};
