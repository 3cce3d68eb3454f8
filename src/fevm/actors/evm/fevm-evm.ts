// @ethereumjs/evm made to behave as the FEVM (builtin-actors actors/evm, nv27 / actors v17):
//   - a subclass, FevmEvm, that keeps the stack of messages being run (the precompiles need the
//     current one's call kind and contract) and routes CALLs the way the EVM actor's call.rs does:
//     builtin (native) actors fail, unknown masked IDs succeed without moving value, static calls
//     never create a Placeholder, an EVM actor named by its masked ID runs at its f410 address;
//   - customPrecompiles: the Filecoin ones at 0xfe00…01–06 (src/filecoin-precompiles), no KZG at
//     0x0a (a reserved address without a precompile: success, empty output), BLS 0x0b–0x11 through
//     EIP-2537 on top of Cancun;
//   - customOpcodes: GAS in FVM gas, BLOCKHASH from tipset hashes, EXTCODESIZE/HASH/COPY with
//     native actors as 0xfe and accounts/precompiles as existing-but-empty, SELFDESTRUCT as FEVM's
//     (send the balance, die at the end of the message), and CALLCODE, BLOBHASH, BLOBBASEFEE removed
//     (undefined instructions, exit 35).
// GASPRICE, PREVRANDAO, COINBASE and GASLIMIT come from the block and tx context evm-actor.ts passes.
import { createCustomCommon, Mainnet, type Common } from '@ethereumjs/common';
import {
  EVM,
  EVMError,
  EVMMockBlockchain,
  NobleBN254,
  getOpcodesForHF,
  paramsEVM,
  type EVMOpts,
  type EVMResult,
  type ExecResult,
  type Message,
  type PrecompileFunc,
  type PrecompileInput,
} from '@ethereumjs/evm';
import { Address, KECCAK256_NULL } from '@ethereumjs/util';
import { isMaskedId } from '../../../common/address.js';
import { keccak256 } from '../../../common/hashes.js';
import { bigintToBytes, bytesToBigint, bytesToHex, equalBytes, padStart } from '../../../common/hex.js';
import {
  FILECOIN_PRECOMPILES,
  isReservedPrecompileAddress,
  runFilecoinPrecompile,
  type FilecoinPrecompileEntry,
} from '../../../filecoin-precompiles/index.js';
import type { Actor, EvmState } from '../../actor.js';
import { ACTOR_INVOCATION_GAS, EVM_GAS_SCALE, FILECOIN_PRECOMPILE_GAS } from '../../gas.js';
import { createPlaceholder, resolveEthAddress, transfer } from '../lifecycle.js';
import { CONSOLE_ADDRESS, decodeConsoleLog } from './console-log.js';
import { FevmPrecompileRuntime, type PrecompileHost } from './precompile-runtime.js';
import type { EvmStateAdapter } from './state-adapter.js';

/** What the EVM needs from the EVM actor around it. */
export interface FevmHost extends PrecompileHost {
  /** A contract ran SELFDESTRUCT: check it for a tombstone when the message ends. */
  noteSelfDestruct(actorId: number): void;
  /** A contract called console.log with this line. */
  consoleLog(line: string): void;
}

/** An EVM actor's state while a SELFDESTRUCT waits for the end of the message. */
export interface TombstonedEvmState extends EvmState {
  selfDestructed?: true;
}

type CustomOpcode = NonNullable<EVMOpts['customOpcodes']>[number];
type OpcodeTable = ReturnType<typeof getOpcodesForHF>;
type OpHandler = OpcodeTable['handlers'] extends Map<number, infer H> ? H : never;
type RunState = Parameters<OpHandler>[0];
type EVMErrorType = ConstructorParameters<typeof EVMError>[0];

/** The EVM actor exit code of a failed SELFDESTRUCT transfer (EVM_CONTRACT_SELFDESTRUCT_FAILED = 40). */
export const SELFDESTRUCT_FAILED = 'selfdestruct failed' as EVMErrorType;
/** A CALL the FVM refuses (a builtin actor's InvokeContract: USR_UNHANDLED_MESSAGE). */
export const CALL_REFUSED = 'call refused' as EVMErrorType;
/** A Filecoin precompile refused its input or caller. */
export const PRECOMPILE_FAILED = 'precompile failed' as EVMErrorType;

const EMPTY = new Uint8Array();
/** keccak256(0xfe): the "code hash" of every native actor (builtin-actors BytecodeHash::NATIVE_ACTOR). */
const NATIVE_ACTOR_CODE = new Uint8Array([0xfe]);
const NATIVE_ACTOR_CODE_HASH = keccak256(NATIVE_ACTOR_CODE);
/** Actor kinds the EVM treats as accounts: EXTCODESIZE 0, EXTCODEHASH keccak(""), CALLs succeed. */
const ACCOUNT_KINDS = new Set(['account', 'ethaccount', 'placeholder']);

const BLOCKHASH_WINDOW = 256n;
const ADDRESS_MASK = (1n << 160n) - 1n;

export class FevmEvm extends EVM {
  /** The messages being run, innermost last. */
  private readonly frames: Message[] = [];
  private hostRef: FevmHost | undefined;

  get host(): FevmHost {
    if (!this.hostRef) throw new Error('the EVM has no host');
    return this.hostRef;
  }

  set host(host: FevmHost) {
    this.hostRef = host;
  }

  /** Where the top-level deployment being run goes, when the EAM chose it rather than CREATE's rule. */
  createAddress: Uint8Array | undefined;

  protected override async _generateAddress(message: Message): Promise<Address> {
    if (message.depth === 0 && this.createAddress) return new Address(this.createAddress);
    return super._generateAddress(message);
  }

  /** The innermost message being run (for a precompile: the message that called it). */
  get currentFrame(): Message | undefined {
    return this.frames[this.frames.length - 1];
  }

  protected override async _executeCall(message: Message & { to: Address }): Promise<EVMResult> {
    const target = message.codeAddress.bytes;
    // console.log: no actor there, so the call does nothing on FEVM; the node prints the line.
    if (equalBytes(target, CONSOLE_ADDRESS)) {
      const line = decodeConsoleLog(message.data);
      if (line !== undefined) this.host.consoleLog(line);
      return success();
    }
    // Reserved addresses go to the precompiles (one that is missing runs no code and succeeds).
    if (!isReservedPrecompileAddress(target)) {
      const { state } = this.host;
      const actor = resolveEthAddress(state, target);
      if (isMaskedId(target)) {
        // ref-fvm: NotFound. call.rs walks away with success, and no value moves.
        if (!actor) return success();
        // A builtin actor does not handle InvokeContract (USR_UNHANDLED_MESSAGE), nor is it
        // DELEGATECALL-able: the CALL returns 0.
        if (!ACCOUNT_KINDS.has(actor.kind) && actor.kind !== 'evm') return refused(message.gasLimit);
        // An EVM actor named by its ID runs as itself, at its f410 address.
        const eth = actor.delegated?.ethAddress;
        if (!message.delegatecall && eth) message.to = new Address(eth);
      } else if (!actor && message.isStatic && !message.delegatecall) {
        // Creating the Placeholder is not allowed read-only (ReadOnly): call.rs walks away with success.
        return success();
      }
    }
    this.frames.push(message);
    try {
      return await super._executeCall(message);
    } finally {
      this.frames.pop();
    }
  }
}

function success(): EVMResult {
  return { execResult: { executionGasUsed: 0n, returnValue: EMPTY } };
}

function refused(gasLimit: bigint): EVMResult {
  const gas = BigInt(Math.ceil(ACTOR_INVOCATION_GAS / EVM_GAS_SCALE));
  return { execResult: { executionGasUsed: gas < gasLimit ? gas : gasLimit, returnValue: EMPTY, exceptionError: new EVMError(CALL_REFUSED) } };
}

/** The EVM the EVM actor runs contracts on; `host` must be set before it runs anything. */
export function createFevmEvm(chainId: bigint, stateManager: EvmStateAdapter): FevmEvm {
  // Cancun's instruction set (PUSH0, MCOPY, TLOAD/TSTORE) plus the BLS12-381 precompiles of nv27.
  const common = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: 'cancun', eips: [2537] });
  common.updateParams(paramsEVM);
  return new FevmEvm({
    common,
    stateManager,
    blockchain: new EVMMockBlockchain(),
    bn254: new NobleBN254(),
    customOpcodes: fevmOpcodes(common),
    customPrecompiles: [
      // No point evaluation (EIP-4844) on FEVM.
      { address: '0x000000000000000000000000000000000000000a' },
      ...FILECOIN_PRECOMPILES.map((entry) => ({ address: bytesToHex(entry.address), function: filecoinPrecompile(entry) })),
    ],
  });
}

/**
 * A Filecoin precompile as @ethereumjs/evm runs one. It charges FVM gas, not the CALL's gas
 * argument (which only bounds call_actor's send); a failure returns 0 from the CALL with empty
 * return data and does not consume the call's gas.
 */
function filecoinPrecompile(entry: FilecoinPrecompileEntry): PrecompileFunc {
  return async (input: PrecompileInput): Promise<ExecResult> => {
    const evm = input._EVM as FevmEvm;
    const message = evm.currentFrame;
    if (!message) throw new Error(`${entry.name} ran outside a message`);
    const runtime = new FevmPrecompileRuntime(evm.host, message, Number(input.gasLimit) * EVM_GAS_SCALE);
    const outcome = await runFilecoinPrecompile(entry.run, input.data, runtime);
    const gas = BigInt(Math.ceil((FILECOIN_PRECOMPILE_GAS + runtime.gasUsed) / EVM_GAS_SCALE));
    const executionGasUsed = gas < input.gasLimit ? gas : input.gasLimit;
    if (!outcome.ok) return { executionGasUsed, returnValue: EMPTY, exceptionError: new EVMError(PRECOMPILE_FAILED) };
    return { executionGasUsed, returnValue: outcome.output, logs: runtime.logs };
  };
}

/** The FEVM's opcode changes, keeping @ethereumjs's gas functions (warm/cold access, memory). */
function fevmOpcodes(common: Common): CustomOpcode[] {
  const table = getOpcodesForHF(common);
  const replace = (opcode: number, logicFunction: OpHandler): CustomOpcode => {
    const info = table.opcodes.get(opcode)!;
    const gasFunction = info.dynamicGas ? table.dynamicGasHandlers.get(opcode) : undefined;
    return { opcode, opcodeName: info.name, baseFee: info.fee, gasFunction, logicFunction };
  };
  return [
    // Undefined on FEVM: executing them aborts with EVM_CONTRACT_UNDEFINED_INSTRUCTION (35).
    { opcode: 0xf2 }, // CALLCODE
    { opcode: 0x49 }, // BLOBHASH
    { opcode: 0x4a }, // BLOBBASEFEE
    replace(0x3b, extcodesize),
    replace(0x3c, extcodecopy),
    replace(0x3f, extcodehash),
    replace(0x40, blockhash),
    replace(0x5a, gas),
    replace(0xff, selfdestruct),
  ];
}

function hostOf(runState: RunState): FevmHost {
  return (runState.interpreter._evm as FevmEvm).host;
}

function addressFromWord(word: bigint): Uint8Array {
  return padStart(bigintToBytes(word & ADDRESS_MASK), 20);
}

/** What EXT* opcodes see at an address (builtin-actors instructions/ext.rs get_contract_type). */
function contractView(runState: RunState, eth: Uint8Array): { code: Uint8Array; hash: Uint8Array | undefined } {
  // An existing precompile exists but has no code.
  if (runState.interpreter._evm.getPrecompile(new Address(eth))) return { code: EMPTY, hash: KECCAK256_NULL };
  const actor: Actor | undefined = resolveEthAddress(hostOf(runState).state, eth);
  if (!actor) return { code: EMPTY, hash: undefined };
  if (actor.kind === 'evm' && actor.evm) return { code: actor.evm.bytecode, hash: actor.evm.bytecodeHash };
  // Accounts are never "empty" (EIP-161) on Filecoin: they exist, so keccak("").
  if (ACCOUNT_KINDS.has(actor.kind)) return { code: EMPTY, hash: KECCAK256_NULL };
  // A native actor's "bytecode" is the single byte 0xfe.
  return { code: NATIVE_ACTOR_CODE, hash: NATIVE_ACTOR_CODE_HASH };
}

function extcodesize(runState: RunState): void {
  const eth = addressFromWord(runState.stack.pop());
  runState.stack.push(BigInt(contractView(runState, eth).code.length));
}

function extcodecopy(runState: RunState): void {
  const [word, memOffset, codeOffset, length] = runState.stack.popN(4);
  if (length === 0n) return;
  const { code } = contractView(runState, addressFromWord(word));
  const data = new Uint8Array(Number(length));
  if (codeOffset < BigInt(code.length)) data.set(code.subarray(Number(codeOffset), Number(codeOffset) + data.length));
  runState.memory.write(Number(memOffset), data.length, data);
}

function extcodehash(runState: RunState): void {
  const { hash } = contractView(runState, addressFromWord(runState.stack.pop()));
  runState.stack.push(hash ? bytesToBigint(hash) : 0n);
}

/** The tipset hash (tipset key CID digest) for curr−256 ≤ n < curr, else 0 (builtin-actors context.rs). */
function blockhash(runState: RunState): void {
  const n = runState.stack.pop();
  const { ctx } = hostOf(runState);
  const current = BigInt(ctx.epoch);
  const hash = n >= current - BLOCKHASH_WINDOW && n < current && n >= 0n ? ctx.tipsetHash?.(Number(n)) : undefined;
  runState.stack.push(hash ? bytesToBigint(hash.subarray(0, 32)) : 0n);
}

/** The gas left in FVM gas units (billions), not EVM gas. */
function gas(runState: RunState): void {
  runState.stack.push(runState.gasLeft * BigInt(EVM_GAS_SCALE));
}

/**
 * FEVM SELFDESTRUCT (builtin-actors instructions/lifecycle.rs; pre-Cancun, not EIP-6780): send the
 * whole balance to the beneficiary with METHOD_SEND (an unknown f410 gets a Placeholder; an unknown
 * masked ID fails the call with exit 40), then mark the contract; it dies when the message ends.
 */
function selfdestruct(runState: RunState): void {
  const beneficiary = addressFromWord(runState.stack.pop());
  const host = hostOf(runState);
  const { state } = host;
  const self = resolveEthAddress(state, runState.interpreter.getAddress().bytes);
  if (!self?.evm) throw new Error('SELFDESTRUCT from an address with no EVM actor');
  if (!equalBytes(beneficiary, runState.interpreter.getAddress().bytes)) {
    let receiver = resolveEthAddress(state, beneficiary);
    if (!receiver) {
      if (isMaskedId(beneficiary)) throw new EVMError(SELFDESTRUCT_FAILED);
      receiver = createPlaceholder(state, beneficiary);
    }
    transfer(state, self.id, receiver.id, self.balance);
  }
  const after = state.getActor(self.id)!;
  const evm: TombstonedEvmState = { ...after.evm!, selfDestructed: true };
  state.putActor({ ...after, evm });
  host.noteSelfDestruct(self.id);
  throw new EVMError(EVMError.errorMessages.STOP);
}
