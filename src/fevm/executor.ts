// Applies Filecoin messages to the state tree as the FVM does: sender checks, gas charged up front,
// the nonce bumped, the call run in a checkpoint (undone on failure), then burn, tip and refund.
import { FilAddress, Protocol } from '../common/address.js';
import {
  BURNT_FUNDS_ACTOR_ID,
  EAM_ACTOR_ID,
  REWARD_ACTOR_ID,
  canSend,
  type Actor,
} from './actor.js';
import { createExternal } from './actors/eam.js';
import { EvmActor } from './actors/evm/evm-actor.js';
import { createActor, createPlaceholder, ethAddressOf, resolveAddress, transfer } from './actors/lifecycle.js';
import { ExitCode } from './exit-code.js';
import { ACTOR_INVOCATION_GAS, BLOCK_GAS_LIMIT, computeGasOutputs, inclusionGas } from './gas.js';
import { decodeBytesParams, METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT, METHOD_SEND, type Message } from './message.js';
import type { StateOverlay } from './state-tree.js';
import type { ExecutionContext, InvocationResult, MessageReceipt } from './types.js';

/** Methods at or above this number are "exported" (FRC-42); accounts accept any of them. */
const FIRST_EXPORTED_METHOD = 1 << 24;

const noReturn = (exitCode: number, gasUsed = 0): InvocationResult => ({ exitCode, returnData: new Uint8Array(), gasUsed, events: [] });

export class Executor {
  private constructor(private readonly evm: EvmActor) {}

  static async create(chainId: bigint): Promise<Executor> {
    return new Executor(await EvmActor.create(chainId));
  }

  /**
   * Applies one signed message of `chainSize` serialized bytes. The receipt says what happened; the
   * state always advances (fees, nonce) unless the sender could not pay or the nonce was wrong.
   */
  async applyMessage(state: StateOverlay, msg: Message, chainSize: number, ctx: ExecutionContext): Promise<MessageReceipt> {
    // Checked before anything else, and nothing is charged (ref-fvm preflight_message).
    const inclusion = inclusionGas(chainSize);
    if (msg.gasLimit < inclusion) return noReturn(ExitCode.SysErrOutOfGas);
    const sender = resolveAddress(state, msg.from);
    if (!sender || !canSend(sender)) return noReturn(ExitCode.SysErrSenderInvalid);
    if (msg.nonce !== sender.nonce) return noReturn(ExitCode.SysErrSenderStateInvalid);
    const gasCost = BigInt(msg.gasLimit) * msg.gasFeeCap;
    if (sender.balance < gasCost) return noReturn(ExitCode.SysErrSenderStateInvalid);

    // Gas is paid up front and the nonce moves whatever the call does. A Placeholder that sends
    // becomes an EthAccount.
    state.putActor({
      ...sender,
      kind: sender.kind === 'placeholder' ? 'ethaccount' : sender.kind,
      balance: sender.balance - gasCost,
      nonce: sender.nonce + 1,
    });

    let result = await this.invokeInCheckpoint(state, sender, msg, msg.gasLimit - inclusion, ctx);
    result = { ...result, gasUsed: Math.min(msg.gasLimit, inclusion + result.gasUsed) };

    const fees = computeGasOutputs(result.gasUsed, msg.gasLimit, ctx.baseFee, msg.gasFeeCap, msg.gasPremium);
    credit(state, BURNT_FUNDS_ACTOR_ID, fees.baseFeeBurn + fees.overEstimationBurn);
    // The tip would go to the block's miner through the reward actor; the devnet keeps it there.
    credit(state, REWARD_ACTOR_ID, fees.minerTip);
    credit(state, sender.id, fees.refund);
    return { exitCode: result.exitCode, returnData: result.returnData, gasUsed: result.gasUsed, events: result.events };
  }

  /**
   * Runs a message without a signature, fees or nonce checks, as eth_call and gas estimation do
   * (Lotus applies them as implicit messages), and leaves the state unchanged.
   */
  async call(state: StateOverlay, msg: Message, ctx: ExecutionContext): Promise<InvocationResult> {
    const mark = state.checkpoint();
    try {
      let sender = resolveAddress(state, msg.from);
      // Lotus (v1.36.2+) estimates for senders that do not exist yet through an ephemeral placeholder.
      if (!sender) {
        const eth = msg.from.ethAddress;
        if (!eth) return noReturn(ExitCode.SysErrSenderInvalid);
        sender = createPlaceholder(state, eth);
      }
      const gasLimit = msg.gasLimit > 0 ? msg.gasLimit : BLOCK_GAS_LIMIT;
      // As if the message had been sent: the nonce moves (a deployment's address depends on it), and
      // a sender short of the value is funded for the call, as Ethereum nodes do for eth_call.
      sender = {
        ...sender,
        kind: sender.kind === 'placeholder' ? 'ethaccount' : sender.kind,
        nonce: sender.nonce + 1,
        balance: sender.balance < msg.value ? msg.value : sender.balance,
      };
      state.putActor(sender);
      msg = { ...msg, nonce: sender.nonce - 1 };
      return await this.invoke(state, sender, msg, gasLimit, ctx);
    } finally {
      state.revertTo(mark);
    }
  }

  private async invokeInCheckpoint(state: StateOverlay, sender: Actor, msg: Message, gasLimit: number, ctx: ExecutionContext): Promise<InvocationResult> {
    state.checkpoint();
    const result = await this.invoke(state, sender, msg, gasLimit, ctx);
    if (result.exitCode === ExitCode.Ok) state.commit();
    else state.revert();
    return result.exitCode === ExitCode.Ok ? result : { ...result, events: [] };
  }

  /** Sends `msg` from `sender` to its receiver and runs the receiver's method. */
  private async invoke(state: StateOverlay, sender: Actor, msg: Message, gasLimit: number, ctx: ExecutionContext): Promise<InvocationResult> {
    if (gasLimit < ACTOR_INVOCATION_GAS) return noReturn(ExitCode.SysErrOutOfGas, gasLimit);
    const receiver = resolveAddress(state, msg.to) ?? autoCreate(state, msg.to);
    if (!receiver) return noReturn(ExitCode.SysErrInvalidReceiver, ACTOR_INVOCATION_GAS);

    if (receiver.id === EAM_ACTOR_ID && msg.method === METHOD_CREATE_EXTERNAL) {
      const initcode = decodeBytesParams(msg.params);
      if (!initcode) return noReturn(ExitCode.ErrSerialization, ACTOR_INVOCATION_GAS);
      return createExternal(state, this.evm, { sender: state.getActor(sender.id)!, nonce: msg.nonce, initcode, value: msg.value, gasLimit }, ctx);
    }

    if (receiver.kind === 'evm' && msg.method === METHOD_INVOKE_CONTRACT) {
      const input = decodeBytesParams(msg.params);
      if (!input) return noReturn(ExitCode.ErrSerialization, ACTOR_INVOCATION_GAS);
      const caller = ethAddressOf(sender);
      return this.evm.run(state, { caller, origin: caller, to: ethAddressOf(receiver), input, value: msg.value, gasLimit }, ctx);
    }

    const accepts =
      msg.method === METHOD_SEND ||
      (['account', 'ethaccount', 'placeholder'].includes(receiver.kind) && msg.method >= FIRST_EXPORTED_METHOD);
    if (!accepts) return noReturn(ExitCode.ErrUnhandledMessage, ACTOR_INVOCATION_GAS);
    if (!transfer(state, sender.id, receiver.id, msg.value)) return noReturn(ExitCode.SysErrInsufficientFunds, ACTOR_INVOCATION_GAS);
    return noReturn(ExitCode.Ok, ACTOR_INVOCATION_GAS);
  }
}

/** The FVM creates the receiver of a send to an unknown f410 (a Placeholder) or key address (an Account). */
function autoCreate(state: StateOverlay, to: FilAddress): Actor | undefined {
  const eth = to.ethAddress;
  if (eth) return createPlaceholder(state, eth);
  if (to.protocol === Protocol.Secp256k1 || to.protocol === Protocol.BLS) return createActor(state, 'account', { robust: to });
  return undefined;
}

function credit(state: StateOverlay, id: number, amount: bigint): void {
  if (amount === 0n) return;
  const actor = state.getActor(id)!;
  state.putActor({ ...actor, balance: actor.balance + amount });
}
