// The EVM actor: runs contract bytecode on @ethereumjs/evm against the state tree, and turns the
// outcome into what the FVM reports (exit code, return bytes, gas, actor events).
import { createCustomCommon, Mainnet } from '@ethereumjs/common';
import { createEVM, type EVM, type EVMResult } from '@ethereumjs/evm';
import { Address, createZeroAddress } from '@ethereumjs/util';
import { RAW } from '../../../common/cbor.js';
import { ExitCode } from '../../exit-code.js';
import { ACTOR_INVOCATION_GAS, BLOCK_GAS_LIMIT, EVM_GAS_SCALE } from '../../gas.js';
import type { StateOverlay } from '../../state-tree.js';
import type { ActorEvent, ExecutionContext, InvocationResult } from '../../types.js';
import { resolveEthAddress } from '../lifecycle.js';
import { EvmStateAdapter } from './state-adapter.js';

/** FIP-0049 entry flags: index both key and value. */
const FLAG_INDEXED_ALL = 0x03;

/** @ethereumjs/evm's error texts -> the EVM actor's exit codes (builtin-actors actors/evm/src/lib.rs). */
const EXIT_CODES: Record<string, number> = {
  revert: ExitCode.EvmReverted,
  'out of gas': ExitCode.SysErrOutOfGas,
  'code store out of gas': ExitCode.SysErrOutOfGas,
  'invalid opcode': ExitCode.EvmUndefinedInstruction,
  'stack underflow': ExitCode.EvmStackUnderflow,
  'stack overflow': ExitCode.EvmStackOverflow,
  'invalid JUMP': ExitCode.EvmBadJumpdest,
  'insufficient balance': ExitCode.SysErrInsufficientFunds,
  'static state change': ExitCode.ErrReadOnly,
  'value out of range': ExitCode.EvmIllegalMemoryAccess,
  'code size to deposit exceeds maximum code size': ExitCode.ErrIllegalArgument,
  'invalid bytecode deployed': ExitCode.ErrIllegalArgument,
  'create collision': ExitCode.ErrForbidden,
};

export interface EvmCall {
  caller: Uint8Array;
  origin: Uint8Array;
  /** Absent for a deployment. */
  to?: Uint8Array;
  input: Uint8Array;
  value: bigint;
  /** FVM gas available to the call. */
  gasLimit: number;
}

export interface EvmCallResult extends InvocationResult {
  /** The address of the contract a successful deployment created. */
  created?: Uint8Array;
}

export class EvmActor {
  private constructor(
    private readonly evm: EVM,
    private readonly adapter: EvmStateAdapter,
  ) {}

  static async create(chainId: bigint): Promise<EvmActor> {
    const adapter = new EvmStateAdapter();
    const common = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: 'cancun' });
    const evm = await createEVM({ common, stateManager: adapter });
    return new EvmActor(evm, adapter);
  }

  /** Runs one call or deployment. The caller's nonce is the executor's business, not the EVM's. */
  async run(state: StateOverlay, call: EvmCall, ctx: ExecutionContext): Promise<EvmCallResult> {
    const evmGasLimit = Math.floor((call.gasLimit - ACTOR_INVOCATION_GAS) / EVM_GAS_SCALE);
    if (evmGasLimit <= 0) {
      return { exitCode: ExitCode.SysErrOutOfGas, returnData: new Uint8Array(), gasUsed: call.gasLimit, events: [] };
    }
    this.adapter.use(state);
    let result: EVMResult;
    try {
      result = await this.evm.runCall({
        caller: new Address(call.caller),
        origin: new Address(call.origin),
        to: call.to ? new Address(call.to) : undefined,
        data: call.input,
        value: call.value,
        gasLimit: BigInt(evmGasLimit),
        gasPrice: ctx.baseFee,
        skipNonceIncrement: true,
        block: blockContext(ctx),
      });
    } catch (err) {
      if ((err as Error).message?.includes('insufficient balance')) {
        return { exitCode: ExitCode.SysErrInsufficientFunds, returnData: new Uint8Array(), gasUsed: ACTOR_INVOCATION_GAS, events: [] };
      }
      throw err;
    }
    const exec = result.execResult;
    const gasUsed = Math.min(call.gasLimit, ACTOR_INVOCATION_GAS + Number(exec.executionGasUsed) * EVM_GAS_SCALE);
    if (exec.exceptionError) {
      const exitCode = EXIT_CODES[exec.exceptionError.error] ?? ExitCode.EvmInvalidInstruction;
      return {
        exitCode,
        returnData: exec.returnValue,
        gasUsed: exitCode === ExitCode.SysErrOutOfGas ? call.gasLimit : gasUsed,
        events: [],
      };
    }
    return {
      exitCode: ExitCode.Ok,
      returnData: exec.returnValue,
      gasUsed,
      events: (exec.logs ?? []).map(([address, topics, data]) => toActorEvent(state, address, topics, data)),
      created: result.createdAddress?.bytes,
    };
  }
}

function blockContext(ctx: ExecutionContext) {
  return {
    header: {
      number: BigInt(ctx.epoch),
      coinbase: createZeroAddress(),
      timestamp: BigInt(ctx.timestamp),
      difficulty: 0n,
      prevRandao: new Uint8Array(32),
      gasLimit: BigInt(BLOCK_GAS_LIMIT),
      baseFeePerGas: ctx.baseFee,
      getBlobGasPrice: () => undefined,
    },
  };
}

/** A LOGn as the FVM records it: an event with entries t1..t4 (topics) and d (data), raw codec. */
function toActorEvent(state: StateOverlay, address: Uint8Array, topics: Uint8Array[], data: Uint8Array): ActorEvent {
  const emitter = resolveEthAddress(state, address);
  if (!emitter) throw new Error('a log from an address with no actor');
  const entries = topics.map((topic, i) => ({ flags: FLAG_INDEXED_ALL, key: `t${i + 1}`, codec: RAW, value: topic }));
  entries.push({ flags: FLAG_INDEXED_ALL, key: 'd', codec: RAW, value: data });
  return { emitter: emitter.id, entries };
}
