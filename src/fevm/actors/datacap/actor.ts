// The datacap actor (f07, builtin-actors actors/datacap): an FRC-46 token of verified storage, one
// whole token per byte. Only the governor (verifreg f06) mints and destroys, and tokens only move to
// or from the governor. Every mint and transfer calls the recipient's FRC-46 receiver hook after the
// ledger changed; if the hook fails the whole method fails, and its answer comes back as recipient_data.
import { FilAddress } from '../../../common/address.js';
import { encodeBigInt } from '../../../common/cbor.js';
import { bytesToHex } from '../../../common/hex.js';
import { DATACAP_ACTOR_ID } from '../../actor.js';
import { ErrorNumber } from '../../../filecoin-precompiles/runtime.js';
import { ExitCode } from '../../exit-code.js';
import { METHOD_SEND } from '../../message.js';
import { address, bigInt, bytes, list, tuple } from '../params.js';
import { ActorError, methodTable, type ActorRuntime, type BuiltinActor } from '../runtime.js';
import { fAddress, requireCaller, transaction } from '../shared.js';
import { RECEIVER_HOOK_METHOD, receiverHookParams, TOKEN_PRECISION, type TokensReceived } from './frc46.js';
import {
  allowanceOf,
  balanceOf,
  changeAllowance,
  changeBalance,
  changeSupply,
  checkAllowanceDelta,
  checkAmount,
  EMPTY_DATACAP_STATE,
  INFINITE_ALLOWANCE,
  insufficientAllowance,
  moveTokens,
  setAllowance,
  useAllowance,
  type DatacapState,
} from './state.js';

const stateOf = (rt: ActorRuntime): DatacapState => rt.self().datacap ?? EMPTY_DATACAP_STATE;
const save = (rt: ActorRuntime, state: DatacapState): void => rt.update({ datacap: state });

const resolveId = (rt: ActorRuntime, addr: FilAddress): number | undefined => rt.state.lookupId(addr);

/** The holder an address names, creating an account for an f1/f3/f410 address that has none yet (frc46 resolve_or_init). */
async function resolveOrInit(rt: ActorRuntime, addr: FilAddress): Promise<number> {
  const id = resolveId(rt, addr);
  if (id !== undefined) return id;
  await rt.send(addr, METHOD_SEND);
  const created = resolveId(rt, addr);
  if (created === undefined) throw new ActorError(ExitCode.ErrNotFound, `error calling other actor: address could not be initialized: \`${addr.toString('f')}\``);
  return created;
}

/** Whether two addresses name the same actor (fvm_actor_utils same_address). */
function sameAddress(rt: ActorRuntime, a: FilAddress, b: FilAddress): boolean {
  if (a.protocol === b.protocol) return a.key === b.key;
  const idA = resolveId(rt, a);
  return idA !== undefined && idA === resolveId(rt, b);
}

function checkGovernor(rt: ActorRuntime): void {
  requireCaller(rt, stateOf(rt).governor);
}

/**
 * The token library's exit code for a send that failed as a syscall (frc42_dispatch's
 * From<&MessagingError>), which differs from the rest of builtin-actors': no receiver is
 * USR_NOT_FOUND here.
 */
function messagingExitCode(errno: ErrorNumber): number {
  switch (errno) {
    case ErrorNumber.IllegalArgument:
      return ExitCode.ErrIllegalArgument;
    case ErrorNumber.Forbidden:
    case ErrorNumber.IllegalOperation:
      return ExitCode.ErrForbidden;
    case ErrorNumber.AssertionFailed:
      return ExitCode.ErrAssertionFailed;
    case ErrorNumber.InsufficientFunds:
      return ExitCode.ErrInsufficientFunds;
    case ErrorNumber.IllegalCid:
    case ErrorNumber.NotFound:
    case ErrorNumber.InvalidHandle:
      return ExitCode.ErrNotFound;
    case ErrorNumber.Serialization:
    case ErrorNumber.IllegalCodec:
      return ExitCode.ErrSerialization;
    default:
      return ExitCode.ErrUnspecified;
  }
}

/** Calls the recipient's receiver hook; its return block is the recipient data. A failure aborts the method. */
async function callReceiverHook(rt: ActorRuntime, recipient: FilAddress, received: TokensReceived): Promise<Uint8Array> {
  const reply = await rt.send(recipient, RECEIVER_HOOK_METHOD, receiverHookParams(received));
  if (reply.syscallError !== undefined) {
    throw new ActorError(messagingExitCode(reply.syscallError), `receiver hook to Address("${recipient.toString('f')}") failed: syscall error ${reply.syscallError}`);
  }
  if (reply.exitCode !== ExitCode.Ok) {
    const returned = reply.returnBlock?.data ?? new Uint8Array();
    throw new ActorError(
      reply.exitCode,
      `receiver hook error from Address("${recipient.toString('f')}"): exit_code=ExitCode { value: ${reply.exitCode} }, return_data=RawBytes { ${bytesToHex(returned).slice(2)} }`,
    );
  }
  return reply.returnBlock?.data ?? new Uint8Array();
}

/** The recipient of a transfer: it must already have an ID, and be the governor unless the governor sends. */
function resolveRecipient(rt: ActorRuntime, to: FilAddress, message: string): number {
  const id = resolveId(rt, to);
  if (id === undefined) throw new ActorError(ExitCode.ErrIllegalArgument, message);
  return id;
}

function transferNotAllowed(from: string, to: number, governor: number): ActorError {
  return new ActorError(ExitCode.ErrForbidden, `transfer not allowed from ${from} to ${fAddress(to)} (governor is ${fAddress(governor)})`);
}

const noHookData = new Uint8Array();

export const datacapActor: BuiltinActor = {
  methods: methodTable({
    Name: { noParams: true, run: () => 'DataCap' },
    Symbol: { noParams: true, run: () => 'DCAP' },
    Granularity: { noParams: true, run: () => TOKEN_PRECISION },
    TotalSupply: { noParams: true, run: (rt) => encodeBigInt(stateOf(rt).supply) },

    Balance: {
      run(rt, params) {
        const id = resolveId(rt, address(params, 'Balance params'));
        return encodeBigInt(id === undefined ? 0n : balanceOf(stateOf(rt), id));
      },
    },

    Allowance: {
      run(rt, params) {
        const [owner, operator] = tuple(params, 2, 'GetAllowanceParams');
        const ownerId = resolveId(rt, address(owner, 'owner'));
        const operatorId = resolveId(rt, address(operator, 'operator'));
        return encodeBigInt(ownerId === undefined || operatorId === undefined ? 0n : allowanceOf(stateOf(rt), ownerId, operatorId));
      },
    },

    Mint: {
      async run(rt, params) {
        const [toParam, amountParam, operatorsParam] = tuple(params, 3, 'MintParams');
        const to = address(toParam, 'to');
        const amount = bigInt(amountParam, 'amount');
        const operators = list(operatorsParam, 'operators').map((o, i) => address(o, `operators[${i}]`));
        let toId = 0;
        await transaction(async () => {
          checkGovernor(rt);
          checkAmount(amount, 'mint');
          toId = await resolveOrInit(rt, to);
          let state = changeSupply(changeBalance(stateOf(rt), toId, amount), amount);
          // The operators (the market, for verified deals) may spend all of it.
          for (const operator of operators) state = setAllowance(state, toId, await resolveOrInit(rt, operator), INFINITE_ALLOWANCE);
          save(rt, state);
        });
        const governor = stateOf(rt).governor;
        const recipientData = await callReceiverHook(rt, to, { from: DATACAP_ACTOR_ID, to: toId, operator: governor, amount, operatorData: noHookData, tokenData: noHookData });
        const state = stateOf(rt);
        return [encodeBigInt(balanceOf(state, toId)), encodeBigInt(state.supply), recipientData];
      },
    },

    Destroy: {
      async run(rt, params) {
        const [ownerParam, amountParam] = tuple(params, 2, 'DestroyParams');
        const owner = address(ownerParam, 'owner');
        const amount = bigInt(amountParam, 'amount');
        return transaction(async () => {
          checkGovernor(rt);
          return burn(rt, await resolveOrInit(rt, owner), amount);
        });
      },
    },

    Transfer: {
      async run(rt, params) {
        const [toParam, amountParam, operatorData] = tuple(params, 3, 'TransferParams');
        const to = address(toParam, 'to');
        const amount = bigInt(amountParam, 'amount');
        const data = bytes(operatorData, 'operator_data');
        const from = rt.caller.id;
        const toId = resolveRecipient(rt, to, 'to must be ID address');
        await transaction(() => {
          const state = stateOf(rt);
          if (toId !== state.governor && from !== state.governor) throw transferNotAllowed(fAddress(from), toId, state.governor);
          checkAmount(amount, 'transfer');
          save(rt, moveTokens(state, from, toId, amount));
        });
        const recipientData = await callReceiverHook(rt, to, { from, to: toId, operator: from, amount, operatorData: data, tokenData: noHookData });
        const state = stateOf(rt);
        return [encodeBigInt(balanceOf(state, from)), encodeBigInt(balanceOf(state, toId)), recipientData];
      },
    },

    TransferFrom: {
      async run(rt, params) {
        const [fromParam, toParam, amountParam, operatorData] = tuple(params, 4, 'TransferFromParams');
        const from = address(fromParam, 'from');
        const to = address(toParam, 'to');
        const amount = bigInt(amountParam, 'amount');
        const data = bytes(operatorData, 'operator_data');
        const operator = rt.caller.id;
        const operatorAddress = FilAddress.fromId(operator);
        const toId = resolveRecipient(rt, to, 'to must be an ID address');
        let fromId = 0;
        await transaction(async () => {
          const governor = stateOf(rt).governor;
          if (toId !== governor) throw transferNotAllowed(from.toString('f'), toId, governor);
          checkAmount(amount, 'transfer');
          if (sameAddress(rt, operatorAddress, from)) throw invalidOperator(operatorAddress);
          const resolved = resolveId(rt, from);
          if (resolved === undefined) throw insufficientAllowance(from, operator, 0n, amount);
          fromId = resolved;
          await resolveOrInit(rt, to);
          save(rt, moveTokens(useAllowance(stateOf(rt), fromId, operator, amount), fromId, toId, amount));
        });
        const recipientData = await callReceiverHook(rt, to, { from: fromId, to: toId, operator, amount, operatorData: data, tokenData: noHookData });
        const state = stateOf(rt);
        return [encodeBigInt(balanceOf(state, fromId)), encodeBigInt(balanceOf(state, toId)), encodeBigInt(allowanceOf(state, fromId, operator)), recipientData];
      },
    },

    IncreaseAllowance: { run: (rt, params) => adjustAllowance(rt, params, 'IncreaseAllowanceParams', 'increase allowance delta', 1n) },
    DecreaseAllowance: { run: (rt, params) => adjustAllowance(rt, params, 'DecreaseAllowanceParams', 'decrease allowance delta', -1n) },

    RevokeAllowance: {
      run(rt, params) {
        const [operatorParam] = tuple(params, 1, 'RevokeAllowanceParams');
        const operatorId = resolveId(rt, address(operatorParam, 'operator'));
        if (operatorId === undefined) return encodeBigInt(0n);
        const state = stateOf(rt);
        const old = allowanceOf(state, rt.caller.id, operatorId);
        if (old !== 0n) save(rt, setAllowance(state, rt.caller.id, operatorId, 0n));
        return encodeBigInt(old);
      },
    },

    Burn: {
      run(rt, params) {
        const [amountParam] = tuple(params, 1, 'BurnParams');
        const amount = bigInt(amountParam, 'amount');
        return transaction(() => burn(rt, rt.caller.id, amount));
      },
    },

    BurnFrom: {
      run(rt, params) {
        const [ownerParam, amountParam] = tuple(params, 2, 'BurnFromParams');
        const owner = address(ownerParam, 'owner');
        const amount = bigInt(amountParam, 'amount');
        const operator = rt.caller.id;
        return transaction(() => {
          checkAmount(amount, 'burn');
          const operatorAddress = FilAddress.fromId(operator);
          if (sameAddress(rt, operatorAddress, owner)) throw invalidOperator(operatorAddress);
          const ownerId = resolveId(rt, owner);
          if (ownerId === undefined) throw insufficientAllowance(owner, owner, 0n, amount);
          const state = changeSupply(changeBalance(useAllowance(stateOf(rt), ownerId, operator, amount), ownerId, -amount), -amount);
          save(rt, state);
          return [encodeBigInt(balanceOf(state, ownerId)), encodeBigInt(allowanceOf(state, ownerId, operator))];
        });
      },
    },
  }),
};

function invalidOperator(operator: FilAddress): ActorError {
  return new ActorError(ExitCode.ErrIllegalArgument, `operator cannot be the same as the debited address ${operator.toString('f')}`);
}

/** Burns a holder's tokens (Burn, and Destroy for the governor); BurnReturn `[balance]`. */
function burn(rt: ActorRuntime, owner: number, amount: bigint): unknown {
  checkAmount(amount, 'burn');
  const state = changeSupply(changeBalance(stateOf(rt), owner, -amount), -amount);
  save(rt, state);
  return [encodeBigInt(balanceOf(state, owner))];
}

/** IncreaseAllowance / DecreaseAllowance by the caller for an operator: `[operator, delta]` → the new allowance. */
async function adjustAllowance(rt: ActorRuntime, params: unknown, what: string, name: string, sign: bigint): Promise<unknown> {
  const [operatorParam, deltaParam] = tuple(params, 2, what);
  const operator = address(operatorParam, 'operator');
  const delta = bigInt(deltaParam, name);
  return transaction(async () => {
    checkAllowanceDelta(delta, name);
    const operatorId = await resolveOrInit(rt, operator);
    const state = changeAllowance(stateOf(rt), rt.caller.id, operatorId, sign * delta);
    save(rt, state);
    return encodeBigInt(allowanceOf(state, rt.caller.id, operatorId));
  });
}

