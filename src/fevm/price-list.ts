// The FVM price list of the network versions calibnet runs (nv25–nv28 use TEEP_PRICES, which is
// WATERMELON_PRICES with new seal-proof prices): ref-fvm `fvm/src/gas/price_list.rs` at commit
// ef0a9937 (fvm 4.8). "L<n>" below is the line of that file a figure comes from; each charge
// function is the price list's method of the same name. All figures are whole gas units; the list's
// milligas per-byte prices (0.4 gas/byte) are rounded up per charge.

/** L84: on_chain_message_compute, a fixed 38 863. */
const ON_CHAIN_MESSAGE_COMPUTE = 38_863;
/** L85–88: on_chain_message_storage, 1 300 × (36 + size). */
export const ON_CHAIN_MESSAGE_STORAGE_BASE = 36;
export const STORAGE_GAS_PER_BYTE = 1_300;
/** L96: send_transfer_funds. */
export const SEND_TRANSFER_FUNDS = 6_000;
/** L97: send_invoke_method. */
export const SEND_INVOKE_METHOD = 75_000;
/** L99: actor_lookup (reading an actor from the state tree the first time in a message). */
export const ACTOR_LOOKUP = 500_000;
/** L100: actor_update (writing an actor the first time in a message). */
export const ACTOR_UPDATE = 475_000;
/** L101: actor_create_storage. */
const ACTOR_CREATE_STORAGE = 650_000;
/** L103: address_lookup. */
const ADDRESS_LOOKUP = 1_050_000;
/** L104: address_assignment. */
const ADDRESS_ASSIGNMENT = 1_000_000;
/** L119: secp256k1_recover_cost. */
export const SECP256K1_RECOVER = 1_637_292;
/** L107–117: sig_cost, the verify_signature syscall's (a flat figure and one per byte of the plaintext). */
const SIG_COST = { secp256k1: { flat: 1_637_292, perByte: 10 }, bls: { flat: 16_598_605, perByte: 26 } } as const;
/** L127–146: hashing_cost per byte (flat 0). */
const HASH_PER_BYTE = { sha256: 7, blake2b256: 10, keccak256: 33, ripemd160: 35 } as const;
/** L225–231: lookback_cost (randomness, tipset CIDs): flat 5 800 × 19 + 15 000 + 21 000, 75 per epoch. */
const LOOKBACK_FLAT = 5_800 * 19 + 15_000 + 21_000;
const LOOKBACK_PER_EPOCH = 75;
/** L233–246: block_allocate 2/byte, block_memcpy 0.4/byte, block_memory_retention_minimum 10/byte. */
const BLOCK_ALLOCATE_PER_BYTE = 2;
const BLOCK_MEMCPY_MILLIGAS_PER_BYTE = 400;
const BLOCK_RETENTION_PER_BYTE = 10;
/** L248–258: block_open flat (benchmarked at 187 440 per read). */
const BLOCK_OPEN = 187_440;
/** L260–263: block_persist_storage, 334 000 + 3 340/byte. */
const BLOCK_PERSIST_STORAGE = 334_000;
const BLOCK_PERSIST_PER_BYTE = 3_340;
/** L265: block_persist_compute. */
const BLOCK_PERSIST_COMPUTE = 172_000;
/** L290: wasm_rules.memory_copy_per_byte_cost (0.4 gas). */
const MEMORY_COPY_MILLIGAS_PER_BYTE = 400;
/** L278: wasm_rules.instruction_default, most Wasm instructions. */
const WASM_INSTRUCTION = 4;
/** L291: wasm_rules.memory_fill_per_byte_cost (0.4 gas), for an actor's initial memory and table (8 bytes an element, L29). */
const MEMORY_FILL_MILLIGAS_PER_BYTE = 400;
const TABLE_ELEMENT_SIZE = 8;
/** L293: wasm_rules.host_call_cost, each syscall. */
export const HOST_CALL = 14_000;
/** L296–299: event_per_entry, 2 000 + 1 400 per entry. */
const EVENT_PER_ENTRY_FLAT = 2_000;
const EVENT_PER_ENTRY = 1_400;
/** L301–304: utf8_validation, 500 + 16/byte. */
const UTF8_FLAT = 500;
const UTF8_PER_BYTE = 16;
/** L307: actors that are never charged a lookup or update (FIP-0055). */
export const PRELOADED_ACTORS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 10, 99];
/** L309–310: ipld_cbor_scan_per_cid, ipld_cbor_scan_per_field (a DAG-CBOR block's links found on block_create). */
const CBOR_SCAN_PER_CID = 400;
const CBOR_SCAN_PER_FIELD = 35;
/** L311–312: ipld_link_tracked, ipld_link_checked. */
export const IPLD_LINK_TRACKED = 300;
export const IPLD_LINK_CHECKED = 300;
/** L36, L43: the largest CBOR overheads of an event and of one of its entries. */
const EVENT_OVERHEAD = 12;
const EVENT_ENTRY_OVERHEAD = 9;

const milli = (milligasPerByte: number, size: number) => Math.ceil((milligasPerByte * size) / 1000);
const memcpy = (size: number) => milli(BLOCK_MEMCPY_MILLIGAS_PER_BYTE, size);

/** L623 on_chain_message: including a message of `size` signed bytes, plus updating its sender. */
export function onChainMessage(size: number): number {
  return ON_CHAIN_MESSAGE_COMPUTE + ACTOR_UPDATE + STORAGE_GAS_PER_BYTE * (ON_CHAIN_MESSAGE_STORAGE_BASE + size);
}

/** L647 on_method_return at depth 1: the return value stored on chain. */
export function onChainReturn(size: number): number {
  return STORAGE_GAS_PER_BYTE * size;
}

/** L671 on_create_actor: storage, plus the address's assignment and lookup when the FVM assigns one. */
export function onCreateActor(newAddress: boolean): number {
  return ACTOR_CREATE_STORAGE + (newAddress ? ADDRESS_ASSIGNMENT + ADDRESS_LOOKUP : 0);
}

/** ref-fvm create_actor: on_create_actor, then the new actor looked up and stored in the state tree. */
export const actorCreatedGas = (newAddress: boolean): number => onCreateActor(newAddress) + ACTOR_LOOKUP + ACTOR_UPDATE;

/**
 * Instantiating an actor's Wasm module and running `instructions` plain instructions: its initial
 * memory and table filled (ref-fvm syscalls/mod.rs charge_for_init, price list L603–617), then the
 * instructions; in milligas, as the FVM adds them, rounded up once.
 */
export function onWasmInvocation(memoryPages: number, tableElements: number, instructions: number): number {
  const fill = MEMORY_FILL_MILLIGAS_PER_BYTE * (memoryPages * 65_536 + tableElements * TABLE_ELEMENT_SIZE);
  return Math.ceil((fill + 1000 * WASM_INSTRUCTION * instructions) / 1000);
}

/** L688 on_verify_signature: checking a signature of `type` over `plaintext` bytes. */
export function onVerifySignature(type: keyof typeof SIG_COST, plaintext: number): number {
  return SIG_COST[type].flat + SIG_COST[type].perByte * plaintext;
}

/** L728 on_hashing. */
export function onHashing(hash: keyof typeof HASH_PER_BYTE, size: number): number {
  return HASH_PER_BYTE[hash] * size;
}

/** L844 on_get_randomness / L1011 on_tipset_cid. */
export function onLookback(epochs: number): number {
  return LOOKBACK_FLAT + LOOKBACK_PER_EPOCH * Math.max(0, epochs);
}

/** L854 on_block_open_base + L864 on_block_open: loading a block from the state store. */
export function onBlockOpen(size: number, links: number): number {
  const compute = IPLD_LINK_TRACKED * links;
  const open = BLOCK_ALLOCATE_PER_BYTE * size + memcpy(size);
  const retentionSurcharge = Math.max(0, BLOCK_RETENTION_PER_BYTE * size - (compute + open));
  return IPLD_LINK_CHECKED + BLOCK_OPEN + compute + open + retentionSurcharge;
}

/** L884 on_block_read: copying a loaded block into the actor's memory. */
export function onBlockRead(size: number): number {
  return memcpy(size);
}

/** L894 on_block_create: a new block in the actor's memory. */
export function onBlockCreate(size: number, links: number): number {
  const compute = memcpy(size) + BLOCK_ALLOCATE_PER_BYTE * size + IPLD_LINK_CHECKED * links;
  return compute + Math.max(0, BLOCK_RETENTION_PER_BYTE * size - compute);
}

/**
 * ipld/cbor.rs scan_for_reachable_links: block_create of a DAG-CBOR block walks its `fields` (each
 * CBOR header, a CID's tag among them) and pays for each of its `cids`; other codecs are not scanned.
 */
export function onCborScan(fields: number, cids: number): number {
  return CBOR_SCAN_PER_FIELD * fields + CBOR_SCAN_PER_CID * cids;
}

/** L909 on_block_link: hashing a block (blake2b-256) and committing it to the state store. */
export function onBlockLink(size: number): number {
  const initial = memcpy(size) + BLOCK_ALLOCATE_PER_BYTE * size + onHashing('blake2b256', size) + IPLD_LINK_TRACKED;
  return initial + BLOCK_PERSIST_COMPUTE + BLOCK_PERSIST_STORAGE + BLOCK_PERSIST_PER_BYTE * size;
}

/** A block written through the blockstore: created, then linked (put = block_create + block_link). */
export function onBlockPut(size: number, links: number): number {
  return onBlockCreate(size, links) + onBlockLink(size);
}

/** L1041 on_actor_event: validating, storing and returning one event. */
export function onActorEvent(entries: number, keySize: number, valueSize: number): number {
  const size = EVENT_OVERHEAD + EVENT_ENTRY_OVERHEAD * entries + keySize + valueSize;
  const mem = memcpy(size) + BLOCK_ALLOCATE_PER_BYTE * size;
  const validate = EVENT_PER_ENTRY_FLAT + EVENT_PER_ENTRY * entries + UTF8_FLAT + UTF8_PER_BYTE * keySize;
  return mem * 2 + validate + onHashing('blake2b256', size) + mem;
}

/** wasm_rules.memory_copy_per_byte_cost: bytes copied inside an actor's memory. */
export function onMemoryCopy(size: number): number {
  return milli(MEMORY_COPY_MILLIGAS_PER_BYTE, size);
}
