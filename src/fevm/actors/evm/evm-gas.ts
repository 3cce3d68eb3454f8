// What the EVM actor costs in FVM gas: the price list's charges for what builtin-actors' EVM actor
// does through syscalls (load and flush its state as IPLD blocks, hash, send, emit events), plus the
// Wasm work of its interpreter, which the FVM meters per Wasm instruction and which is calibrated
// here per EVM opcode against published calibnet and Lotus figures (README "Gas").
//
// The EVM actor's state (builtin-actors actors/evm/src/interpreter/system.rs): a state block
// (bytecode CID, KAMT root, nonce, …) at the actor's state root, the bytecode as a raw block, and
// storage in a KAMT (bit width 5, one pair per bucket, extensions) keyed by the big-endian slot
// (kamt-shape.ts: its nodes, each at the size of its block). An invocation opens the state block,
// the KAMT root and the bytecode; SLOAD/SSTORE open the nodes on the way to their slot once; when
// the storage changed, the flush at the end (or before a send) writes each node on the way to a
// changed slot, the root and the state block again and sets the state root (an actor update).
// After a send that succeeded the contract reloads its state if its state root moved (a
// DELEGATECALL's callee, which is the same actor, flushed).
import { p256 } from '@noble/curves/nist.js';
import { varint } from 'multiformats';
import { cborBytesSize, cborHeadSize, CID, CID_LINK_BYTES, DAG_CBOR, decodeCbor, encodeBigInt } from '../../../common/cbor.js';
import { bytesToBigint } from '../../../common/hex.js';
import type { Actor } from '../../actor.js';
import { byteLength, pointersOf, rootOf, storageShapeOf, walk, type KamtNode } from './kamt-shape.js';
import { ACCOUNT_INVOCATION, blockCreateGas, blockLoadGas, blockPutGas, builtinInvocationGas, eamWorkGas, GET_ROOT, INIT_MAPPING, paramsReadGas, returnReadGas, SET_ROOT, stateLoadGas, wasmInvocationGas } from '../../builtin-method-gas.js';
import {
  actorCreatedGas,
  HOST_CALL,
  onActorEvent,
  onCborScan,
  onHashing,
  onMemoryCopy,
  SECP256K1_RECOVER,
  SEND_INVOKE_METHOD,
} from '../../price-list.js';

// --- Calibrated: the Wasm work the FVM meters (4 gas per Wasm instruction), per unit of work ---

/**
 * The Wasm instructions the EVM actor runs around its method, per invocation: builtin-actors'
 * trampoline, decoding the params, System::load's bookkeeping, encoding the return. Calibrated:
 * with the module's instantiation below and the price list's charges (the params and return
 * blocks and the gas_available syscall included), a self-call level of Lotus's RecCall canary (an
 * EXTCODESIZE's GetBytecode plus the InvokeContract) costs ~2.9 M, so that its boundaries come
 * out as Lotus's (itests/fevm_bundle_canary_test.go, b835fab70: 254 levels pass, 261 fail; 254
 * pass here, as with the 48 000 fitted before those blocks were charged). The FVM charges them
 * at 4 gas an instruction (wasm_rules).
 */
const EVM_INVOCATION_INSTRUCTIONS = 36_000;
/**
 * Invoking the EVM actor: its Wasm module in the v18 bundle (calibnet's, Lotus
 * build/actors/v18.tar.zst) has 17 pages of memory and a table of 486 elements, which the FVM fills
 * at instantiation (ref-fvm charge_for_init: 447 200), the trampoline's two syscalls
 * (debug::enabled, message_context), and the instructions above.
 */
export const EVM_INVOCATION = wasmInvocationGas('evm', EVM_INVOCATION_INSTRUCTIONS) + 2 * HOST_CALL;
/** The FVM's charge for one Wasm instruction (price list wasm_rules.instruction_default). */
const WASM_GAS = 4;
/**
 * The interpreter's work per EVM opcode, by class, in Wasm instructions times their 4 gas: one
 * documented table. Its relative sizes follow the work each class does in builtin-actors'
 * interpreter (dispatch and stack checks; U256 arithmetic on 4 limbs); its scale is calibrated on
 * Lotus's RecCall canary at d=251 (b835fab70), where each level first recurses 251 times inside the
 * contract (77 opcodes a step): 164 levels pass and 173 fail, which takes ~35 000 gas a step, about
 * 450 a plain opcode (~110 Wasm instructions).
 */
export const OPCODE_CLASSES = {
  /** PUSH, DUP, SWAP, POP, JUMPDEST, PC, MSIZE, STOP. */
  stack: 95 * WASM_GAS,
  /** ADD, SUB, comparisons, bitwise logic, shifts, BYTE, SIGNEXTEND, ISZERO, CLZ. */
  arithmetic: 190 * WASM_GAS,
  /** MUL. */
  multiply: 380 * WASM_GAS,
  /** DIV, SDIV, MOD, SMOD. */
  divide: 1_420 * WASM_GAS,
  /** ADDMOD, MULMOD, EXP (EXP adds per exponent byte). */
  modular: 2_360 * WASM_GAS,
  /** JUMP, JUMPI. */
  jump: 235 * WASM_GAS,
  /** MLOAD, MSTORE, MSTORE8, TLOAD, TSTORE, the call frame's own data (CALLDATALOAD, CALLER, …). */
  memory: 355 * WASM_GAS,
  /** Reading the chain, the message or the gas left through a syscall (BLOCKHASH, GAS, …). */
  syscall: 355 * WASM_GAS + HOST_CALL,
  /** BALANCE, EXTCODESIZE, EXTCODECOPY, EXTCODEHASH: their syscalls depend on the target (fevm-evm.ts). */
  target: 355 * WASM_GAS,
  /** SLOAD, SSTORE: KAMT traversal in memory (the node loads are charged apart). */
  storage: 7_100 * WASM_GAS,
  /** CALL family, CREATE family, LOG, KECCAK256, RETURN, REVERT: setting up the operation. */
  complex: 2_360 * WASM_GAS,
} as const;

type OpcodeClass = keyof typeof OPCODE_CLASSES;

const CLASS_OF: Record<string, OpcodeClass> = {};
const assign = (cls: OpcodeClass, names: string) => names.split(' ').forEach((name) => (CLASS_OF[name] = cls));
assign('arithmetic', 'ADD SUB LT GT SLT SGT EQ ISZERO AND OR XOR NOT BYTE SHL SHR SAR SIGNEXTEND CLZ');
assign('multiply', 'MUL');
assign('divide', 'DIV SDIV MOD SMOD');
assign('modular', 'ADDMOD MULMOD EXP');
assign('jump', 'JUMP JUMPI');
// COINBASE and GASLIMIT are constants; TIMESTAMP, NUMBER, CHAINID, BASEFEE and GASPRICE read the
// network context, one syscall an invocation (fevm-evm.ts OPCODE_CHARGES; builtin-actors v18
// instructions/context.rs, ref-fvm sdk/src/network.rs NETWORK_CONTEXT).
assign(
  'memory',
  'MLOAD MSTORE MSTORE8 MCOPY TLOAD TSTORE ADDRESS CALLER CALLVALUE CALLDATALOAD CALLDATASIZE CALLDATACOPY CODESIZE CODECOPY RETURNDATASIZE RETURNDATACOPY COINBASE GASLIMIT TIMESTAMP NUMBER CHAINID BASEFEE GASPRICE',
);
// GAS asks the FVM what is left (builtin-actors v18 instructions/context.rs gas: rt.gas_available(),
// ref-fvm sdk/src/gas.rs available: the gas::available syscall).
assign('syscall', 'SELFBALANCE ORIGIN BLOCKHASH PREVRANDAO GAS');
assign('target', 'BALANCE EXTCODESIZE EXTCODECOPY EXTCODEHASH');
assign('storage', 'SLOAD SSTORE');
assign('complex', 'KECCAK256 LOG0 LOG1 LOG2 LOG3 LOG4 CREATE CREATE2 CALL CALLCODE DELEGATECALL STATICCALL RETURN REVERT SELFDESTRUCT INVALID');

/** The interpreter's work for one opcode, by its @ethereumjs name. */
export function opcodeGas(name: string): number {
  return OPCODE_CLASSES[CLASS_OF[name] ?? 'stack'];
}

/** EXP's work per byte of the exponent (multiply-and-square on U256). */
export const EXP_PER_BYTE = 4_700 * WASM_GAS;
/** Growing the interpreter's memory: Wasm memory filled, 0.4 gas per byte (wasm_rules). */
export const memoryGrowthGas = (bytes: number) => onMemoryCopy(bytes);
/** Copying into or out of EVM memory (CALLDATACOPY, CODECOPY, MCOPY, RETURN data, …). */
export const copyGas = (bytes: number) => onMemoryCopy(bytes);

// --- Modelled from the price list: the EVM actor's IPLD blocks and syscalls ---

/** The size of the EVM actor's state block (dag-cbor) and its links; its KAMT's blocks are kamt-shape.ts's. */
const STATE_BLOCK_BYTES = 120;
const STATE_BLOCK_LINKS = 2;
/**
 * The Wasm work of System::flush beyond its syscalls (serialising the KAMT and the state block:
 * 8 350 instructions at 4 gas). Calibrated: with the charges modelled here, Lotus's
 * RecursiveDelegatecall canary (each level a flush, a GetBytecode, a delegate invocation with its
 * params and return blocks, and a reload) comes out as Lotus's (itests/fevm_bundle_canary_test.go,
 * b835fab70: 228 levels pass, 229 and 1000 stop at 222) with the KAMT's blocks at their real sizes
 * (kamt-shape.ts) and GAS a syscall. Of the values tried, 4 200–5 000 and 7 000–8 900 fit, 3 800,
 * 6 000–6 600 and 9 500 on do not (229 stops at 223 or 224): 8 350 is within the wider range.
 */
const FLUSH_WORK = 8_350 * 4;

const STATE_BLOCK = { bytes: STATE_BLOCK_BYTES, links: STATE_BLOCK_LINKS };

/** An invocation of the EVM actor loading itself: the state root, the state block, the KAMT root and the bytecode. */
export function evmLoadGas(bytecodeSize: number, root: KamtNode): number {
  return EVM_INVOCATION + GET_ROOT + blockLoadGas(STATE_BLOCK) + blockLoadGas(root) + blockLoadGas({ bytes: bytecodeSize, links: 0 });
}

/**
 * System::reload after a send that succeeded (not in a read-only frame): the state root read again,
 * and when it moved (`root`, the KAMT root it now has), the state block and the KAMT root loaded.
 */
export function evmReloadGas(root: KamtNode | undefined): number {
  return GET_ROOT + (root ? blockLoadGas(STATE_BLOCK) + blockLoadGas(root) : 0);
}

/** SLOAD/SSTORE opening a KAMT node below the root (the first time in an invocation). */
export const kamtNodeLoadGas = (node: KamtNode): number => blockLoadGas(node);

/**
 * Flushing changed storage: the KAMT's nodes on the way to each slot changed since the last flush
 * (`changed`: those ref-fvm's KAMT marks dirty and writes, as they now are), its root (`root`), the
 * state block, then the new state root (set_root and, once per message, the actor update;
 * `actorUpdate` says what that costs).
 */
export function evmFlushGas(root: KamtNode, changed: Iterable<bigint>, actorUpdate: number): number {
  let gas = blockPutGas(root);
  const written = new Set<bigint>();
  const write = (id: bigint, node: KamtNode) => {
    if (written.has(id)) return;
    written.add(id);
    gas += blockPutGas(node);
  };
  for (const slot of changed) walk(root, slot, false, write);
  return gas + evmStateFlushGas(actorUpdate);
}

/**
 * Flushing a state whose storage did not change (a CREATE's nonce): the state block and the new
 * state root; the KAMT keeps the root it was loaded with (ref-fvm ipld/kamt Kamt::flush, flushed_cid).
 */
export function evmStateFlushGas(actorUpdate: number): number {
  return FLUSH_WORK + blockPutGas(STATE_BLOCK) + SET_ROOT + actorUpdate;
}

/**
 * TransientData in the state block (builtin-actors v18 state.rs): the transient KAMT root's CID and
 * its lifespan (the origin's ID, the message's nonce), with their CBOR headers.
 */
const TRANSIENT_DATA_BYTES = 50;
/** What TransientData adds to writing, and to loading, the state block: its bytes and its link. */
const TRANSIENT_STATE_PUT = blockPutGas({ bytes: STATE_BLOCK_BYTES + TRANSIENT_DATA_BYTES, links: STATE_BLOCK_LINKS + 1 }) - blockPutGas(STATE_BLOCK);
const TRANSIENT_STATE_LOAD = blockLoadGas({ bytes: STATE_BLOCK_BYTES + TRANSIENT_DATA_BYTES, links: STATE_BLOCK_LINKS + 1 }) - blockLoadGas(STATE_BLOCK);

/**
 * What transient storage (TSTORE) adds to a flush (system.rs flush): nothing while it holds no
 * value (no TransientData); else the state block's TransientData, and when it changed since the last
 * flush its KAMT's blocks (transient_slots.flush(): `root` and the nodes below it).
 */
export function transientFlushGas(root: KamtNode | undefined, changed: boolean): number {
  if (!root) return 0;
  return TRANSIENT_STATE_PUT + (changed ? treePutGas(root) : 0);
}

/** Writing a KAMT's blocks: the node and those below it. */
function treePutGas(node: KamtNode): number {
  let gas = blockPutGas(node);
  for (const pointer of pointersOf(node)) if ('node' in pointer) gas += treePutGas(pointer.node);
  return gas;
}

/**
 * Loading a state whose TransientData is the running message's (System::load, lifespans equal): the
 * bigger state block, and the transient KAMT's root loaded.
 */
export function transientLoadGas(root: KamtNode): number {
  return TRANSIENT_STATE_LOAD + blockLoadGas(root);
}

/** A new contract's bytecode: keccak256 of it (the EVM hash) and the raw block it is stored in. */
export function bytecodeStoreGas(size: number): number {
  return HOST_CALL + onHashing('keccak256', size) + blockPutGas({ bytes: size, links: 0 });
}

// A deployment's charges by the FVM frame they fall in (ref-fvm books a send's invocation and value
// transfer in the callee's frame, its syscall and params put in the caller's): the creating
// contract's (a message's: the top frame), the EAM's, Init's and the new contract's. Lotus's
// trace_* reports the EAM frame's own gas for a create (node/impl/eth/trace.go traceEthCreate), so
// each function below names the EAM's part apart (the `eamOwn…` ones) and counts it into its total.

/**
 * The EAM's own part of a new contract's creation (builtin-actors v18 eam create_actor): its
 * invocation by a contract's CREATE (a message's is the message's), its work, get_code_cid_for_type
 * and its send to Init; over a Placeholder, asking for its code and type and reading it
 * (`placeholderRead`).
 */
export function eamOwnCreationGas(fromContract: boolean, placeholderRead: number | undefined, native: boolean): number {
  const overPlaceholder = placeholderRead === undefined ? 0 : 2 * HOST_CALL + placeholderRead;
  return (fromContract ? SEND_INVOKE_METHOD : 0) + eamWorkGas(native) + 2 * HOST_CALL + overPlaceholder;
}

/**
 * What a deployment costs before the constructor runs (builtin-actors v18 eam create_actor, init
 * exec4): a contract's send syscall; the EAM's part (eamOwnCreationGas); Init's invocation, its
 * state loaded, the addresses mapped (INIT_MAPPING: new_actor_address, the map, its state written),
 * create_actor; the actor created in the state tree and the constructor's invocation.
 * `fromContract`: CREATE/CREATE2 send to the EAM themselves; a top-level CreateExternal's send is the
 * message's. `placeholder`: over a Placeholder, the EAM reads it and create_actor writes it
 * (what those first accesses cost), with no storage charge (ref-fvm call_manager/default.rs
 * create_actor), and four syscalls more (the EAM asks for its code and type, Init for its code and
 * the Placeholder's); else a new actor, looked up, updated and stored. `native`: a CreateExternal
 * from an f1/f3 account.
 */
export function contractCreationGas(fromContract: boolean, placeholder?: { read: number; write: number }, native = false): number {
  const eam = eamOwnCreationGas(fromContract, placeholder?.read, native);
  const created = placeholder ? 2 * HOST_CALL + placeholder.write : actorCreatedGas(false);
  // Init: its invocation, its state, the mapping, create_actor (the syscall and the actor's creation), the send to the constructor.
  const init = SEND_INVOKE_METHOD + builtinInvocationGas('init') + stateLoadGas('init') + INIT_MAPPING + HOST_CALL + created + HOST_CALL + SEND_INVOKE_METHOD;
  return (fromContract ? HOST_CALL : 0) + eam + init + EVM_INVOCATION;
}

/**
 * The EVM actor sent Resurrect, which loads its state block to see whether it is dead
 * (builtin-actors evm/src/interpreter/system.rs:135-149): its frame's part.
 */
function resurrectCheckGas(): number {
  return SEND_INVOKE_METHOD + EVM_INVOCATION + GET_ROOT + blockLoadGas(STATE_BLOCK);
}

/**
 * The EAM's own part of a create onto an actor already there (refusedCreationGas): its invocation
 * by a contract, its work, the code and type of the actor there asked for (two syscalls; `lookup`,
 * its actor lookup) and, for a contract there, its send of Resurrect.
 */
export function eamOwnRefusalGas(fromContract: boolean, lookup: number, resurrect: boolean, native: boolean): number {
  return (fromContract ? SEND_INVOKE_METHOD : 0) + eamWorkGas(native) + 2 * HOST_CALL + lookup + (resurrect ? HOST_CALL : 0);
}

/**
 * What a create onto an actor the EAM does not create over costs (builtin-actors eam/src/lib.rs:132-154):
 * a contract's send syscall and the EAM's part (eamOwnRefusalGas): its work, then it asks for the
 * code and type of the actor there; a live EVM actor is sent Resurrect, which refuses (its frame:
 * resurrectCheckGas); any other actor the EAM refuses itself. No Exec4, no new actor.
 */
export function refusedCreationGas(fromContract: boolean, lookup: number, resurrect: boolean, native = false): number {
  return (fromContract ? HOST_CALL : 0) + eamOwnRefusalGas(fromContract, lookup, resurrect, native) + (resurrect ? resurrectCheckGas() : 0);
}

/**
 * What a deployment onto a dead contract costs before the constructor runs (eam/src/lib.rs:132-145):
 * the EAM reads the actor (`lookup`) and sends Resurrect, which finds it dead and runs the
 * constructor in the same actor; its state root set again is the actor's `update`. No Init, no
 * Exec4, no new actor.
 */
export function resurrectionGas(fromContract: boolean, lookup: number, update: number, native = false): number {
  return refusedCreationGas(fromContract, lookup, true, native) + update;
}

// --- Exact (the price list): the blocks a send carries between actors ---
// Params, return values and revert data travel as IPLD blocks: the sender puts one (block_create)
// and the receiver reads it; the FVM charges nothing per byte in between (ref-fvm call_manager:
// on_method_invocation and, below the top, on_method_return count links only). ref-fvm sdk send.rs
// (block_create of the params, build_response's block_read of the return), message.rs params_raw
// (block_stat, block_read), vm.rs exit (block_create of the error's data); builtin-actors v18
// runtime/src/runtime/fvm.rs trampoline (params_raw before the method, put_block of its return,
// exit with an error's data).

/**
 * call_actor's params block put by the calling contract (precompiles/fvm.rs call_actor_shared; sdk
 * send.rs): a DAG-CBOR one has its links checked and is scanned (each item's header a field, each
 * CID one more charge: ref-fvm ipld/cbor.rs), CBOR and raw ones are not.
 */
export function actorParamsPutGas(codec: number, data: Uint8Array): number {
  if (codec !== DAG_CBOR) return blockCreateGas(data.length);
  const counts = { fields: 0, cids: 0 };
  scanItem(decodeCbor(data), counts);
  return blockCreateGas(data.length, counts.cids) + onCborScan(counts.fields, counts.cids);
}

/** Counts a decoded DAG-CBOR item's headers (fields) and CIDs as ref-fvm's scan meets them. */
function scanItem(item: unknown, counts: { fields: number; cids: number }): void {
  counts.fields += 1;
  if (CID.asCID(item)) counts.cids += 1;
  else if (Array.isArray(item)) for (const entry of item) scanItem(entry, counts);
  else if (item !== null && typeof item === 'object' && !(item instanceof Uint8Array)) {
    for (const value of Object.values(item)) {
      counts.fields += 1;
      scanItem(value, counts);
    }
  }
}

/** A CALL's or STATICCALL's input put as its send's params: an IPLD_RAW block (call.rs), none when empty. */
export const callParamsPutGas = (input: number): number => (input > 0 ? blockCreateGas(input) : 0);

/**
 * A contract frame ending (the trampoline): the `data` it returns or reverts with (the EVM's bytes,
 * a CBOR byte string: InvokeContractReturn, DelegateCallReturn) put in a block, and when it `exits` with an error (a revert or an abort; not running out of gas,
 * which ends it where it stands) the exit syscall.
 */
export function frameEndGas(data: number | undefined, exits: boolean): number {
  return (data === undefined ? 0 : blockCreateGas(cborBytesSize(data))) + (exits ? HOST_CALL : 0);
}

/**
 * The size of a DELEGATECALL's params block, DAG-CBOR [code CID, input, caller, value]
 * (builtin-actors v18 actors/evm/src/types.rs DelegateCallParams): the array's header, the bytecode's
 * CID (tag, header, multibase 0 and 38 bytes), the input and the 20-byte caller as byte strings, the value's big-int bytes.
 */
export function delegateParamsSize(input: number, value: bigint): number {
  return 1 + CID_LINK_BYTES + cborBytesSize(input) + cborBytesSize(20) + cborBytesSize(encodeBigInt(value).length);
}

/** Putting DelegateCallParams (call.rs: serialize_dag_cbor): one link, and five fields and a CID scanned. */
export const delegateParamsPutGas = (size: number): number => blockCreateGas(size, 1) + onCborScan(5, 1);

/** GetBytecode's return, a CBOR CID (43 bytes, as above) or null for a dead contract; GetBytecodeHash's, 32 bytes. */
const bytecodeReturnSize = (dead: boolean) => (dead ? 1 : CID_LINK_BYTES);
const BYTECODE_HASH_RETURN_SIZE = cborBytesSize(32);

/** A block put by one actor and read by the one it returns to. */
export const returnedGas = (size: number) => blockCreateGas(size) + returnReadGas(size);

/** What GetBytecode (GetBytecodeHash with `hashOnly`) returns: its block's size. */
export const bytecodeSendReturnSize = (hashOnly: boolean, dead: boolean): number => (hashOnly ? BYTECODE_HASH_RETURN_SIZE : bytecodeReturnSize(dead));

/**
 * The part of a GetBytecode or GetBytecodeHash send that the FVM books in the send's own frame: the
 * callee's invocation, its state read and the return it puts (the sender's syscall and its read of
 * the return are the sender's).
 */
export const bytecodeSendGas = (hashOnly: boolean, dead: boolean): number => SEND_INVOKE_METHOD + evmStateReadGas() + blockCreateGas(bytecodeSendReturnSize(hashOnly, dead));

/**
 * The size of the EVM actor's ConstructorParams ([creator, initcode]: builtin-actors v18 evm types.rs),
 * which the EAM wraps into Exec4Params or sends with Resurrect.
 */
const constructorParamsSize = (initcode: number) => 1 + cborBytesSize(20) + cborBytesSize(initcode);

/**
 * A deployment's way to the EAM (builtin-actors v18 eam/src/lib.rs, evm lifecycle.rs): a contract's
 * CREATE puts CreateParams [initcode, nonce] (CREATE2: Create2Params [initcode, salt]) as its send's
 * params, a message's CreateExternal carries the initcode itself: the block's size.
 */
function createParamsSize(fromContract: boolean, create2: boolean, initcode: number, nonce: bigint): number {
  return fromContract ? 1 + cborBytesSize(initcode) + (create2 ? cborBytesSize(32) : cborHeadSize(Number(nonce))) : cborBytesSize(initcode);
}

/**
 * The EAM reading a deployment's params (createParamsSize) and hashing: a CREATE2's initcode, then
 * the new address's preimage (CREATE: the RLP of [creator, nonce]; CREATE2: 0xff, creator, salt and
 * the initcode's hash). In the EAM's frame.
 */
export function eamOwnEntryGas(fromContract: boolean, create2: boolean, initcode: number, nonce: bigint): number {
  const rlpNonce = nonce < 128n ? 1 : 1 + byteLength(nonce);
  const preimage = create2 ? 1 + 20 + 32 + 32 : 1 + 21 + rlpNonce;
  const hashes = (create2 ? HOST_CALL + onHashing('keccak256', initcode) : 0) + HOST_CALL + onHashing('keccak256', preimage);
  return paramsReadGas(createParamsSize(fromContract, create2, initcode, nonce)) + hashes;
}

/** The params' way to the EAM: a contract puts them (in its own frame), the EAM reads them and hashes (eamOwnEntryGas). */
export function eamEntryGas(fromContract: boolean, create2: boolean, initcode: number, nonce: bigint): number {
  return (fromContract ? blockCreateGas(createParamsSize(true, create2, initcode, nonce)) : 0) + eamOwnEntryGas(fromContract, create2, initcode, nonce);
}

/**
 * A native (f1/f3) account's CreateExternal (eam/src/lib.rs resolve_caller_external), the EAM's part:
 * it asks the account for its key address (PubkeyAddress, a read-only send's syscall; the account,
 * the message's sender, is looked up already), reads the answer, the address's `keyBytes` as a CBOR
 * byte string, and hashes them (hash_20, keccak) into the Ethereum address the contract's address
 * derives from.
 */
export function eamOwnNativeDeployerGas(keyBytes: number): number {
  return HOST_CALL + returnReadGas(cborBytesSize(keyBytes)) + HOST_CALL + onHashing('keccak256', keyBytes);
}

/** A native account's CreateExternal: the EAM's part and the account's PubkeyAddress frame (its invocation, its answer put). */
export function nativeDeployerGas(keyBytes: number): number {
  return eamOwnNativeDeployerGas(keyBytes) + SEND_INVOKE_METHOD + ACCOUNT_INVOCATION + blockCreateGas(cborBytesSize(keyBytes));
}

/** Exec4Params [EVM code CID, ConstructorParams, subaddress]: its size. */
const exec4ParamsSize = (initcode: number): number => 1 + CID_LINK_BYTES + cborBytesSize(constructorParamsSize(initcode)) + cborBytesSize(20);

/** The EAM putting Exec4Params (a CBOR block: no links scanned), in its frame. */
export const exec4ParamsPutGas = (initcode: number): number => blockCreateGas(exec4ParamsSize(initcode));

/**
 * The initcode's next two trips in a new contract's creation: the EAM puts Exec4Params, Init reads
 * it and puts the ConstructorParams as the constructor's params, which the new contract reads.
 */
export function exec4ParamsGas(initcode: number): number {
  const constructor = constructorParamsSize(initcode);
  return exec4ParamsPutGas(initcode) + paramsReadGas(exec4ParamsSize(initcode)) + blockCreateGas(constructor) + paramsReadGas(constructor);
}

/**
 * One actor passing a failed constructor's end back (not running out of gas) with `data` (its revert
 * bytes; undefined for an abort): it reads what the send exited with (extract_send_result keeps the
 * data) and exits with it in turn (the trampoline: the block put again, the exit syscall). The EAM's
 * part of creationFailureGas.
 */
export function eamOwnFailureGas(data: number | undefined): number {
  const block = data === undefined ? 0 : cborBytesSize(data);
  return (block > 0 ? returnedGas(block) : 0) + HOST_CALL;
}

/** A constructor that failed (not by running out of gas): Init and then the EAM each pass its end back (eamOwnFailureGas). */
export const creationFailureGas = (data: number | undefined): number => 2 * eamOwnFailureGas(data);

/** The EAM putting Resurrect's params, the ConstructorParams, in its frame. */
export const resurrectParamsPutGas = (initcode: number): number => blockCreateGas(constructorParamsSize(initcode));

/** Resurrect's params: the EAM puts the ConstructorParams, the dead contract reads them. */
export const resurrectParamsGas = (initcode: number): number => resurrectParamsPutGas(initcode) + paramsReadGas(constructorParamsSize(initcode));

/** Init's Exec4Return [ID address, robust address] for actor `id`, and the EAM's Return [actor ID, robust address (none for a resurrection), Ethereum address]: their sizes. */
function creationReturnSizes(id: number, exec4: boolean): { exec4Return: number; eamReturn: number } {
  return {
    exec4Return: 1 + cborBytesSize(1 + varint.encodingLength(id)) + cborBytesSize(21),
    eamReturn: 1 + cborHeadSize(id) + (exec4 ? cborBytesSize(21) : 1) + cborBytesSize(20),
  };
}

/** The EAM's part of a creation's way back (creationReturnGas): reading Init's Exec4Return, putting its own Return. */
export function eamOwnReturnGas(id: number, exec4: boolean): number {
  const { exec4Return, eamReturn } = creationReturnSizes(id, exec4);
  return (exec4 ? returnReadGas(exec4Return) : 0) + blockCreateGas(eamReturn);
}

/**
 * What a creation returns on its way back (`exec4`: through Init, else a resurrection): Init's
 * Exec4Return to the EAM, and the EAM's Return to the creating contract (a message's is the
 * receipt's: put, and read by no one). The contract's actor ID is `id`.
 */
export function creationReturnGas(fromContract: boolean, id: number, exec4: boolean): number {
  const { exec4Return, eamReturn } = creationReturnSizes(id, exec4);
  return eamOwnReturnGas(id, exec4) + (exec4 ? blockCreateGas(exec4Return) : 0) + (fromContract ? returnReadGas(eamReturn) : 0);
}

/** KECCAK256 through the hash syscall. */
export const keccakGas = (size: number) => HOST_CALL + onHashing('keccak256', size);

/**
 * LOGn: one actor event with n topic entries ("t1".."t4", 32 bytes each) and a data entry ("d"),
 * which an empty data region leaves out (builtin-actors v18 interpreter/instructions/log_event.rs).
 */
export function logGas(topics: number, dataSize: number): number {
  const data = dataSize > 0 ? 1 : 0;
  return HOST_CALL + onActorEvent(topics + data, 2 * topics + data, 32 * topics + dataSize);
}

/** A CALL leaving the contract: the send syscall and the callee's method invocation. */
export const SEND_SYSCALL = HOST_CALL + SEND_INVOKE_METHOD;

/**
 * The Ethereum precompiles that the EVM actor hands to syscalls cost what the price list says;
 * the others run in Wasm inside the actor and are charged their Ethereum gas times
 * WASM_GAS_PER_PRECOMPILE_GAS (modelled, not calibrated). An input the actor refuses before its
 * syscall or its verification costs neither (builtin-actors precompiles/evm.rs, secp256r1.rs).
 */
const WASM_GAS_PER_PRECOMPILE_GAS = 444;

/** P256VERIFY's address, 0x…0100. */
export const P256VERIFY = 0x100;

export function ethPrecompileGas(address: number, input: Uint8Array, output: Uint8Array, ethGas: bigint): number {
  switch (address) {
    case 0x01: // ecrecover: recover_secp_public_key, then keccak of the key it recovered
      if (output.length > 0) return 2 * HOST_CALL + SECP256K1_RECOVER + onHashing('keccak256', 64);
      return reachesRecovery(input) ? HOST_CALL + SECP256K1_RECOVER : 0;
    case 0x02:
      return HOST_CALL + onHashing('sha256', input.length);
    case 0x03:
      return HOST_CALL + onHashing('ripemd160', input.length);
    case 0x04:
      return copyGas(input.length);
    case P256VERIFY:
      return reachesP256Verification(input) ? Number(ethGas) * WASM_GAS_PER_PRECOMPILE_GAS : 0;
    default:
      return Number(ethGas) * WASM_GAS_PER_PRECOMPILE_GAS;
  }
}

/** The `index`th 32-byte word of a precompile's input, zeros past its end (builtin-actors ValueReader). */
function inputWord(input: Uint8Array, index: number): bigint {
  const word = new Uint8Array(32);
  word.set(input.subarray(32 * index, 32 * index + 32));
  return bytesToBigint(word);
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Whether ecrecover makes its syscall: v (a word) 27 or 28, r and s in [1, N) (evm.rs ec_recover_internal). */
function reachesRecovery(input: Uint8Array): boolean {
  const [v, r, s] = [inputWord(input, 1), inputWord(input, 2), inputWord(input, 3)];
  return (v === 27n || v === 28n) && r > 0n && r < SECP256K1_N && s > 0n && s < SECP256K1_N;
}

/**
 * Whether P256VERIFY verifies (secp256r1.rs verify_impl): 160 bytes, r and s in [1, n), the key's
 * coordinates below p and a point of the curve; anything else returns at once.
 */
function reachesP256Verification(input: Uint8Array): boolean {
  if (input.length !== 160) return false;
  const [r, s, x, y] = [inputWord(input, 1), inputWord(input, 2), inputWord(input, 3), inputWord(input, 4)];
  const n = p256.Point.Fn.ORDER;
  const p = p256.Point.Fp.ORDER;
  if (r === 0n || r >= n || s === 0n || s >= n || x >= p || y >= p) return false;
  try {
    p256.Point.fromAffine({ x, y }).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/**
 * An EVM actor method that only reads its state block (GetBytecode, GetBytecodeHash: builtin-actors
 * evm/src/lib.rs bytecode, bytecode_hash): its invocation, the state root and the block.
 */
export function evmStateReadGas(): number {
  return EVM_INVOCATION + GET_ROOT + blockLoadGas(STATE_BLOCK);
}

/**
 * GetStorageAt sent to a contract (builtin-actors v18 evm/src/lib.rs storage_at): its invocation,
 * System::load (the state root and block, and unless it is dead its KAMT root) and the nodes on the
 * way to the slot.
 */
export function evmStorageAtGas(contract: Actor, slot: bigint): number {
  if (contract.evm?.dead) return evmStateReadGas();
  const root = rootOf(storageShapeOf(contract));
  let gas = evmStateReadGas() + blockLoadGas(root);
  walk(root, slot, true, (_id, node) => (gas += kamtNodeLoadGas(node)));
  return gas;
}

/** Reading a contract's bytecode block from another actor (EXTCODESIZE, EXTCODECOPY: ext.rs get_evm_bytecode). */
export const bytecodeReadGas = (size: number) => blockLoadGas({ bytes: size, links: 0 });

/**
 * A Filecoin precompile (0xfe…): the ABI decoding around its work (modelled). The syscalls each
 * branch makes are charged where it makes them (precompile-runtime.ts): none for an ID address or a
 * refused input.
 */
export const FILECOIN_PRECOMPILE_WORK = 20_000;
