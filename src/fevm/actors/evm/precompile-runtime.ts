// The PrecompileRuntime of src/filecoin-precompiles, for one precompile call inside the EVM actor:
// addresses resolve against the state the message runs on, randomness comes from the devnet beacon,
// and call_actor sends through the executor as the calling contract, in a checkpoint of its own
// (a callee that fails leaves nothing behind; the precompile still succeeds).
import type { Message } from '@ethereumjs/evm';
import type { FilAddress } from '../../../common/address.js';
import {
  SendFlags,
  type ActorCall,
  type ActorCallResult,
  type CallKind,
  ErrorNumber,
  type PrecompileRuntime,
} from '../../../filecoin-precompiles/runtime.js';
import { MAX_BLOCK_SIZE } from '../../block-limit.js';
import { ACTOR_LOOKUP, HOST_CALL, IPLD_LINK_TRACKED, onLookback } from '../../price-list.js';
import { beaconRandomness, DEFAULT_BEACON_SEED } from '../../randomness.js';
import type { StateAccess } from '../../state-access.js';
import type { StateOverlay } from '../../state-tree.js';
import type { ActorSend, ExecutionContext, SendOutcome } from '../../types.js';
import { resolveEthAddress } from '../lifecycle.js';
import { actorParamsPutGas } from './evm-gas.js';
import { returnReadGas } from '../../builtin-method-gas.js';
import { SentEvent } from './events.js';

/** What the EVM actor offers a precompile call: the running message's state and context, and sends. */
export interface PrecompileHost {
  readonly state: StateOverlay;
  readonly ctx: ExecutionContext;
  /** The actors the running message has read and written (first accesses are charged). */
  readonly access: StateAccess;
  send(send: ActorSend): Promise<SendOutcome>;
}

const I64_MAX = (1n << 63n) - 1n;
/** A charge no message can pay (ref-fvm's saturated u64 milligas). */
const SATURATED_GAS = Number.MAX_SAFE_INTEGER;

export class FevmPrecompileRuntime implements PrecompileRuntime {
  /** FVM gas the precompile used beyond its flat cost: its syscalls, their lookups, sends and lookback. */
  gasUsed = 0;
  /** The events of what call_actor ran, for the calling frame's logs. */
  readonly logs: SentEvent[] = [];

  constructor(
    private readonly host: PrecompileHost,
    /** The EVM message that reached the precompile. */
    private readonly message: Message,
    /** The CALL's gas argument (saturated, as System::call_gas_limit reads it). */
    private readonly gasArgument: number,
    /** The caller's gas left once the precompile's flat cost is paid. */
    private readonly gasLeft: number,
    /** The calling contract writes its changed state before it sends (System::send_raw): the gas of that. */
    private readonly flushCaller: () => number,
  ) {}

  /** A send's gas limit (System::call_gas_limit): the gas argument, at most 63/64 of the caller's gas left. */
  get gasAvailable(): number {
    const left = Math.max(0, this.gasLeft - this.gasUsed);
    return Math.min(this.gasArgument, Math.floor((63 * left) / 64));
  }

  get callKind(): CallKind {
    if (this.message.delegatecall) return 'delegatecall';
    return this.message.isStatic ? 'staticcall' : 'call';
  }

  get epoch(): number {
    return this.host.ctx.epoch;
  }

  resolveAddress(address: FilAddress | undefined): number | undefined {
    // ref-fvm charges the syscall only (on_resolve_address is free).
    this.gasUsed += HOST_CALL;
    return address && this.host.state.lookupId(address);
  }

  lookupDelegatedAddress(id: bigint): FilAddress | undefined {
    // ref-fvm kernel lookup_delegated_address: get_actor charges the lookup, found or not (an ID
    // no devnet actor can have is not remembered, so it is charged each time).
    this.gasUsed += HOST_CALL;
    if (id > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.gasUsed += ACTOR_LOOKUP;
      return undefined;
    }
    this.gasUsed += this.host.access.read(Number(id));
    return this.host.state.getActor(Number(id))?.delegated;
  }

  /**
   * ref-fvm kernel get_randomness_from_beacon charges how far back it reaches before Lotus draws:
   * a lookback beyond i64 is refused uncharged, a future epoch's (negative) is charged as a
   * saturated u64, more than any message has, and a negative epoch draws the genesis tipset's
   * entry (Lotus chain/rand getBeaconEntryV2), here epoch 0's.
   */
  beaconRandomness(epoch: bigint): Uint8Array | undefined {
    this.gasUsed += HOST_CALL;
    const lookback = BigInt(this.host.ctx.epoch) - epoch;
    if (lookback > I64_MAX) return undefined;
    if (lookback < 0n) {
      this.gasUsed += SATURATED_GAS;
      return undefined;
    }
    this.gasUsed += onLookback(Number(lookback));
    return beaconRandomness(this.host.ctx.seed ?? DEFAULT_BEACON_SEED, epoch < 0n ? 0 : Number(epoch));
  }

  async callActor(call: ActorCall): Promise<ActorCallResult> {
    const { state } = this.host;
    // Through DELEGATECALL the message's `to` is the contract whose code is running.
    const caller = resolveEthAddress(state, this.message.to!.bytes);
    if (!caller) throw new Error('call_actor from an address with no actor');
    // call_gas_limit asks the FVM for the gas available, a syscall (System::call_gas_limit).
    this.gasUsed += HOST_CALL;
    const requested = Math.max(0, Math.min(call.gasLimit, this.gasAvailable));
    // send_raw flushes the caller once the limit is taken (precompiles/fvm.rs call_actor_shared), on
    // the caller's gas; a failed send keeps it. The callee then gets no more than the caller has left
    // (ref-fvm call manager push_limit).
    this.gasUsed += this.flushCaller() + HOST_CALL;
    // The SDK's send makes the params block first (fvm_sdk send.rs): over the FVM's limit that fails, before any lookup.
    if (call.params && call.params.data.length > MAX_BLOCK_SIZE) return { type: 'syscall-error', errno: ErrorNumber.LimitExceeded };
    // Putting it (block_create) is the caller's, before the send takes its gas.
    if (call.params) this.gasUsed += actorParamsPutGas(call.params.codec, call.params.data);
    const gasLimit = Math.min(requested, Math.max(0, this.gasLeft - this.gasUsed));
    // An ID beyond the devnet's: the send looks it up and finds nothing.
    if (!call.to) {
      this.gasUsed += ACTOR_LOOKUP;
      return { type: 'syscall-error', errno: ErrorNumber.NotFound };
    }
    // A read-only frame makes every send read-only (ref-fvm kernel send).
    const readOnly = (call.flags & SendFlags.READ_ONLY) !== 0n || this.message.isStatic;
    state.checkpoint();
    let outcome: SendOutcome;
    try {
      outcome = await this.host.send({ fromId: caller.id, to: call.to, method: call.method, value: call.value, params: call.params, readOnly, gasLimit });
    } catch (error) {
      state.revert();
      throw error;
    }
    if (outcome.type === 'syscall-error') {
      state.revert();
      this.gasUsed += outcome.gasUsed;
      return { type: 'syscall-error', errno: outcome.errno };
    }
    const { result } = outcome;
    // What the callee answered comes back as a block the caller reads (build_response).
    this.gasUsed += result.gasUsed + (result.returnBlock ? returnReadGas(result.returnBlock.data.length) : 0);
    if (result.exitCode !== 0) {
      state.revert();
      return { type: 'returned', exitCode: result.exitCode, returnBlock: result.returnBlock };
    }
    state.commit();
    // send_raw reloads the caller after a send that succeeded: get_state_root (System::reload).
    if (!this.message.isStatic) this.gasUsed += HOST_CALL + IPLD_LINK_TRACKED;
    // A contract's logs and builtin actors' own events (verifreg's allocation, …) join the caller's logs.
    for (const event of result.events) this.logs.push(new SentEvent(event));
    return { type: 'returned', exitCode: 0, returnBlock: result.returnBlock };
  }
}
