// What a method of a builtin actor costs, as the FVM charges it (README "Gas"): the price list's
// charges for what builtin-actors v18 does through syscalls, at the sizes of the devnet's own state.
// A method's invocation instantiates its actor's Wasm module (each kind's module in calibnet's v18
// bundle, Lotus build/actors/v18.tar.zst: its minimum memory and table, ref-fvm charge_for_init) and
// runs the trampoline (runtime/src/runtime/fvm.rs: debug::enabled and message_context, then
// params_raw's block_stat and block_read of the params); the method loads its state (get_root, the
// state block opened and read), opens the nodes of the tables it reads on the way to its entry,
// writes its state back when it changed it (the state block put, set_root, the actor's update once
// a message) and puts its return value as a block. The actors' own Wasm instructions (decoding,
// walking, encoding: tens of thousands at 4 gas) are not counted, but PublishStorageDeals' per deal,
// fitted to builtin-actors' own trace of it.
import { FilAddress, idAddressBytes } from '../common/address.js';
import { blockShape, cborBytesSize, cborHeadSize, CID, CID_LINK_BYTES, cidOf, countLinks, encodeBigInt, encodeCbor, type BlockShape, type PathBlock } from '../common/cbor.js';
import { amtPath } from '../common/amt.js';
import { actorIdKey, buildHamt, hamtBlocks, hamtPath } from '../common/hamt.js';
import { bytesToHex } from '../common/hex.js';
import type { Actor, ActorKind } from './actor.js';
import { storedProposalCid, storedProposalValue, type StoredProposal } from './actors/market/deal-proposal.js';
import {
  BALANCE_TABLE_BIT_WIDTH,
  dealOpsByEpochHamt,
  dealStateValue,
  EMPTY_MARKET_STATE,
  MARKET_HAMT_BIT_WIDTH,
  PROPOSALS_AMT_BIT_WIDTH,
  STATES_AMT_BIT_WIDTH,
  type MarketState,
} from './actors/market/state.js';
import { DATACAP_HAMT_BIT_WIDTH, EMPTY_DATACAP_STATE, type DatacapState } from './actors/datacap/state.js';
import { minerInfoValue, sameVesting, vestingTable, vestingTailValue, type VestingFund } from './actors/miner/state.js';
import { MULTISIG_HAMT_BIT_WIDTH, transactionValue, type MultisigTransaction } from './actors/multisig/state.js';
import { lanesAmt, type LaneState } from './actors/paych/state.js';
import { CLAIMS_HAMT_BIT_WIDTH } from './actors/power.js';
import { allocationValue, claimValue, EMPTY_VERIFREG_STATE, VERIFREG_HAMT_BIT_WIDTH, type VerifregState } from './actors/verifreg/state.js';
import { LazyMap } from './lazy-map.js';
import type { StateOverlay } from './state-tree.js';
import { HOST_CALL, IPLD_LINK_CHECKED, IPLD_LINK_TRACKED, onBlockCreate, onBlockOpen, onBlockPut, onBlockRead, onHashing, onVerifySignature, onWasmInvocation } from './price-list.js';

/**
 * Each kind's Wasm module in calibnet's v18 bundle (builtin-actors-calibrationnet.car): pages of
 * memory and table elements the module declares as its minimum, which the FVM fills at 0.4 gas a
 * byte (8 bytes an element) when it instantiates the module for an invocation.
 */
const WASM_MODULES: Record<ActorKind, readonly [pages: number, tableElements: number]> = {
  system: [17, 189],
  init: [17, 311],
  cron: [17, 261],
  account: [17, 320],
  storagepower: [17, 396],
  storageminer: [18, 478],
  storagemarket: [17, 392],
  paymentchannel: [17, 330],
  multisig: [17, 335],
  reward: [17, 268],
  verifiedregistry: [17, 325],
  datacap: [17, 355],
  placeholder: [16, 1],
  evm: [17, 486],
  eam: [17, 136],
  ethaccount: [17, 77],
};

/** Instantiating the kind's Wasm module and running `instructions` instructions. */
export const wasmInvocationGas = (kind: ActorKind, instructions = 0): number => onWasmInvocation(...WASM_MODULES[kind], instructions);

/** Opening and reading one block: the block_open and block_read syscalls. */
export function blockLoadGas({ bytes, links }: BlockShape): number {
  return 2 * HOST_CALL + onBlockOpen(bytes, links) + onBlockRead(bytes);
}

/** Writing one block: the block_create and block_link syscalls. */
export function blockPutGas({ bytes, links }: BlockShape): number {
  return 2 * HOST_CALL + onBlockPut(bytes, links);
}

/** The get_root syscall (an actor's state root). */
export const GET_ROOT = HOST_CALL + IPLD_LINK_TRACKED;
/** The set_root syscall (an actor's new state root). */
export const SET_ROOT = HOST_CALL + IPLD_LINK_CHECKED;

/** An actor putting a block it sends on (params, return or revert data): the block_create syscall. */
export const blockCreateGas = (size: number, links = 0): number => HOST_CALL + onBlockCreate(size, links);
/** An invoked actor reading its params (params_raw: block_stat, block_read); nothing without params. */
export const paramsReadGas = (size: number): number => (size > 0 ? 2 * HOST_CALL + onBlockRead(size) : 0);
/** A sender reading the block its send returned (build_response: block_read). */
export const returnReadGas = (size: number): number => HOST_CALL + onBlockRead(size);
/** A builtin actor's send: its params put as a block (none without params) and the send syscall; the FVM's charges for the send are the executor's. */
export const sendSyscallGas = (paramsSize: number | undefined): number => (paramsSize ? blockCreateGas(paramsSize) : 0) + HOST_CALL;

/**
 * An account or Ethereum account receiving a method: its Wasm module instantiated and the two
 * syscalls builtin-actors' trampoline makes before it dispatches (debug::enabled, message_context).
 */
export const ACCOUNT_INVOCATION = wasmInvocationGas('account') + 2 * HOST_CALL;

/**
 * A Placeholder receiving a method (an InvokeContract to an f410 with no code): its module has 16
 * pages of memory and a table of one element, and its `invoke` returns 0 at once: 15 instructions
 * run with the stack limiter's thunk around it (fvm-wasm-instrument stack_limiter). 419 494, charged
 * beside the send's method invocation.
 */
export const PLACEHOLDER_INVOCATION = wasmInvocationGas('placeholder', 15);

/** Invoking a builtin actor of `kind` up to its dispatch: its module instantiated and, but for a Placeholder's, the trampoline's two syscalls. */
export function builtinInvocationGas(kind: ActorKind): number {
  return kind === 'placeholder' ? PLACEHOLDER_INVOCATION : wasmInvocationGas(kind) + 2 * HOST_CALL;
}

/** A builtin actor invoked that refuses the method: its trampoline reads the params, then exits. */
export const refusedMethodGas = (kind: ActorKind, paramsSize: number): number => builtinInvocationGas(kind) + paramsReadGas(paramsSize) + ABORT_EXIT;

/**
 * What the Account actor's constructor does when a send creates an f1/f3 account (ref-fvm
 * call_manager/default.rs create_account_actor_from_send invokes it with the address as its params;
 * builtin-actors v18 actors/account constructor, runtime/src/runtime/mod.rs create): the params
 * block read, get_root, its State `[address]` put and set_root.
 */
export function accountConstructorGas(address: FilAddress): number {
  const params = encodeCbor(address.bytes).length;
  const state = encodeCbor([address.bytes]).length;
  return paramsReadGas(params) + GET_ROOT + blockPutGas({ bytes: state, links: 0 }) + SET_ROOT;
}

/**
 * An account checking a signature of `plaintext` bytes made with its key (AuthenticateMessage, how the
 * market authenticates each deal's client): the verify_signature syscall (builtin-actors v18 runtime
 * fvm.rs; fvm_sdk's default verify-signature feature, which Lotus's FVM links), which charges its
 * price before it looks at the signature or the signer (ref-fvm kernel/default.rs verify_signature).
 */
export function signatureVerificationGas(bls: boolean, plaintext: number): number {
  return HOST_CALL + onVerifySignature(bls ? 'bls' : 'secp256k1', plaintext);
}

// --- State blocks (builtin-actors v18 State structs), sized with devnet-like values ---

const LINK = cidOf(new Uint8Array());
const AMOUNT = encodeBigInt(10n ** 21n);
const POWER = encodeBigInt(2n ** 40n);
/** A FilterEstimate's or a cumulative figure's Q.128 fixed-point magnitude. */
const Q128 = encodeBigInt(2n ** 160n);
const ID_ADDRESS = new Uint8Array(3);
/** A value's dag-cbor size and links. */
const valueShape = (value: unknown): BlockShape => ({ bytes: encodeCbor(value).length, links: countLinks(value) });
const stateBlock = (fields: unknown[]): BlockShape => valueShape(fields);

/** The state block each kind loads and writes; the kinds without state have none. */
const STATE_BLOCKS: Partial<Record<ActorKind, BlockShape>> = {
  system: stateBlock([LINK]),
  init: stateBlock([LINK, 1_000, 'calibrationnet']),
  cron: stateBlock([[[ID_ADDRESS, 5], [ID_ADDRESS, 9]]]),
  account: stateBlock([new Uint8Array(21)]),
  storagepower: stateBlock([POWER, POWER, POWER, POWER, AMOUNT, POWER, POWER, AMOUNT, [Q128, Q128], 1, 0, 0, 0, LINK, 1_000, LINK, null]),
  storageminer: stateBlock([LINK, AMOUNT, AMOUNT, null, AMOUNT, AMOUNT, LINK, LINK, LINK, LINK, 1_000, 0, LINK, new Uint8Array(), false]),
  storagemarket: stateBlock([LINK, LINK, LINK, LINK, LINK, 1_000, LINK, 1_000, AMOUNT, AMOUNT, AMOUNT, LINK, LINK]),
  multisig: stateBlock([[ID_ADDRESS, ID_ADDRESS], 2, 1, AMOUNT, 0, 0, LINK]),
  paymentchannel: stateBlock([ID_ADDRESS, ID_ADDRESS, AMOUNT, 1_000, 0, LINK]),
  reward: stateBlock([Q128, Q128, 1_000, POWER, AMOUNT, [Q128, Q128], POWER, 1_000, AMOUNT, AMOUNT, AMOUNT]),
  verifiedregistry: stateBlock([ID_ADDRESS, LINK, LINK, LINK, 1, LINK]),
  datacap: stateBlock([ID_ADDRESS, [AMOUNT, LINK, LINK, 5]]),
};

/** A method loading its actor's state (rt.state / rt.transaction): get_root, the state block opened and read. */
export function stateLoadGas(kind: ActorKind): number {
  const block = STATE_BLOCKS[kind];
  return block ? GET_ROOT + blockLoadGas(block) : 0;
}

/** A method writing its actor's state back: the state block put and set_root (the actor's update is the message's, StateAccess). */
export function stateWriteGas(kind: ActorKind): number {
  const block = STATE_BLOCKS[kind];
  return block ? blockPutGas(block) + SET_ROOT : 0;
}

// --- Tables: the nodes a method opens on the way to its entries, at the devnet's own sizes ---
// Priced from the tables' shapes, never kept: a table's version changes with each method that writes it.

/** HAMTs of up to this many entries are priced exactly (built for the walk, then dropped); larger ones by their shape. */
const EXACT_HAMT_ENTRIES = 16;

/** A HAMT or AMT node: [bitfield, pointers] or [bitmap, links, values], without its pointers' and values' bytes. */
const nodeFrame = (bitmapBytes: number) => 1 + cborBytesSize(bitmapBytes);

/**
 * The blocks a read of `key` opens in a HAMT of bit width `bitWidth` over `table` (`keyOf`, `valueOf`:
 * the key's bytes and the value as the HAMT stores them). A forked table (a LazyMap: the devnet holds
 * only what the fork read) is not walked. Up to EXACT_HAMT_ENTRIES entries the HAMT is built; a larger
 * one is priced by the shape a uniform hash gives it: nodes of links down to the node whose buckets
 * hold what is left, each entry the size of the one read (`absent`: a typical value for a key not there).
 */
function hamtTablePath<K, V>(name: string, table: ReadonlyMap<K, V>, key: K, bitWidth: number, keyOf: (key: K) => Uint8Array, valueOf: (value: V) => unknown, absent?: V): PathBlock[] {
  if (table instanceof LazyMap) return [];
  if (table.size <= EXACT_HAMT_ENTRIES) {
    // Each node named by its table and its CID: two tables holding the same entries (the empty ones
    // all do) are two loads, each node opened (ref-fvm charges every block_open).
    const path = hamtPath(hamtBlocks(buildHamt([...table].map(([k, v]) => [keyOf(k), valueOf(v)] as const), bitWidth)), keyOf(key), bitWidth);
    return path.map((block) => ({ ...block, cid: `${name}@${block.cid}` }));
  }
  const slots = 1 << bitWidth;
  // The entry read; for a key the table does not hold (one about to be added), `absent` as its value, else the table's first.
  const own = table.get(key) ?? absent;
  const [sampleKey, sampleValue] = own === undefined ? table.entries().next().value! : [key, own];
  const entry = valueOf(sampleValue);
  const entryBytes = encodeCbor([keyOf(sampleKey), entry]).length;
  const node = (depth: number) => (depth === 0 ? `${name}/0` : `${name}/${depth}/${bytesToHex(keyOf(key))}`);
  const path: PathBlock[] = [];
  let remaining = table.size;
  for (; remaining > 3 * slots; remaining = Math.ceil(remaining / slots)) {
    path.push({ cid: node(path.length), bytes: nodeFrame(slots / 8) + cborHeadSize(slots) + slots * CID_LINK_BYTES, links: slots });
  }
  const buckets = Math.min(slots, remaining);
  path.push({ cid: node(path.length), bytes: nodeFrame(slots / 8) + cborHeadSize(buckets) + buckets + remaining * entryBytes, links: remaining * countLinks(entry) });
  return path;
}

/**
 * The blocks a read of entry `id` opens in an AMT by ID of bit width `bitWidth` whose IDs run below
 * `nextId`: the root, then the node on the way at each level, each inner node a link for each of its
 * child ranges below nextId (as if every ID there were present), and the leaf with its range's
 * entries (`shapeOf`: each one's CBOR size and links). A forked table's leaf (the devnet holds only
 * what the fork read) is sized as full of entries like the one read.
 */
function amtTablePath<V>(name: string, table: ReadonlyMap<number, V>, nextId: number, id: number, bitWidth: number, shapeOf: (value: V) => BlockShape): PathBlock[] {
  const width = 1 << bitWidth;
  let height = 0;
  while (nextId - 1 >= width ** (height + 1)) height++;
  const count = table instanceof LazyMap ? nextId : table.size;
  const rootHead = 1 + cborHeadSize(bitWidth) + cborHeadSize(height) + cborHeadSize(count);
  const frame = (links: number, values: number, valueBytes: number) => nodeFrame(width / 8) + cborHeadSize(links) + links * CID_LINK_BYTES + cborHeadSize(values) + valueBytes;
  if (id >= width ** (height + 1)) return [{ cid: `${name}/root`, bytes: rootHead + frame(0, 0, 0), links: 0 }];
  const nodes: { bytes: number; links: number; cid: string }[] = [];
  for (let level = height; level > 0; level--) {
    const span = width ** level;
    const start = Math.floor(id / (span * width)) * span * width;
    const children = Math.max(1, Math.min(width, Math.ceil((nextId - start) / span)));
    nodes.push({ cid: `${name}/${level}/${start}`, bytes: frame(children, 0, 0), links: children });
  }
  const start = Math.floor(id / width) * width;
  let entries: BlockShape[];
  if (table instanceof LazyMap) {
    const own = table.get(id);
    entries = own === undefined ? [] : Array<BlockShape>(Math.max(1, Math.min(width, nextId - start))).fill(shapeOf(own));
  } else {
    entries = [];
    for (let i = start; i < Math.min(start + width, nextId); i++) {
      const value = table.get(i);
      if (value !== undefined) entries.push(shapeOf(value));
    }
  }
  nodes.push({ cid: `${name}/0/${start}`, bytes: frame(0, entries.length, entries.reduce((n, e) => n + e.bytes, 0)), links: entries.reduce((n, e) => n + e.links, 0) });
  // The top node lives in the root block.
  const [top, ...below] = nodes;
  return [{ cid: `${name}/root`, bytes: rootHead + top.bytes, links: top.links }, ...below];
}

/** Each stored proposal's, once (proposals are immutable and shared by every version of the table). */
const proposalShapes = new WeakMap<StoredProposal, BlockShape>();
function proposalShape(deal: StoredProposal): BlockShape {
  let shape = proposalShapes.get(deal);
  if (!shape) proposalShapes.set(deal, (shape = valueShape(storedProposalValue(deal))));
  return shape;
}

const marketOf = (actor: Actor): MarketState => actor.market ?? EMPTY_MARKET_STATE;
const proposalsPath = (market: MarketState, id: number) => amtTablePath('proposals', market.proposals, market.nextId, id, PROPOSALS_AMT_BIT_WIDTH, proposalShape);
const statesPath = (market: MarketState, id: number) => amtTablePath('states', market.states, market.nextId, id, STATES_AMT_BIT_WIDTH, (s) => valueShape(dealStateValue(s)));
const balancePath = (name: string, table: ReadonlyMap<number, bigint>, id: number) => hamtTablePath(name, table, id, BALANCE_TABLE_BIT_WIDTH, idAddressBytes, encodeBigInt, 10n ** 18n);

/**
 * A table of tables (the registry's claims by provider, DataCap's allowances by owner): the outer HAMT
 * to each owner's bucket (its value a link), then the owner's HAMT to each record's.
 */
function ownedTablePaths<V>(name: string, table: ReadonlyMap<number, ReadonlyMap<number, V>>, reads: readonly (readonly [owner: number, records: readonly number[]])[], bitWidth: number, valueOf: (value: V) => unknown): PathBlock[] {
  return reads.flatMap(([owner, records]) => {
    const own = table.get(owner);
    const outer = hamtTablePath(name, table, owner, bitWidth, actorIdKey, () => LINK, new Map<number, V>());
    return own ? [...outer, ...records.flatMap((id) => hamtTablePath(`${name}/${owner}`, own, id, bitWidth, actorIdKey, valueOf))] : outer;
  });
}

/** The root a load of a table of tables opens (a HAMT's load opens its root); a forked table: none, as hamtTablePath. */
function hamtRootPath(name: string, table: ReadonlyMap<number, unknown>, bitWidth: number): PathBlock[] {
  // Its entries are links to the owners' tables; the key is any (the root is the same for all).
  return hamtTablePath<number, unknown>(name, table, 0, bitWidth, actorIdKey, () => LINK, null).slice(0, 1);
}

/** A claim's proof type, which the devnet's claims do not keep: a small integer, one CBOR byte whatever it is. */
const CLAIM_PROOF_TYPE = 0;

/** A getter's deal ID param; undefined when it is not one (the method refuses it). */
const dealIdOf = (params: unknown): number | undefined => (typeof params === 'number' ? params : typeof params === 'bigint' && params <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(params) : undefined);

/** What a method's reads of its tables cost: its actor as the method found it, its params, the state it runs on. */
type TableWalk = (actor: Actor, params: unknown, state: StateOverlay) => number;

/** Each block opened and read. */
const loadsGas = (blocks: readonly BlockShape[]): number => blocks.reduce((gas, block) => gas + blockLoadGas(block), 0);

/** A deal getter (market get_proposal): the Proposals AMT from its root to the deal's leaf. */
const proposalWalk: TableWalk = (actor, params) => {
  const id = dealIdOf(params);
  return id === undefined ? 0 : loadsGas(proposalsPath(marketOf(actor), id));
};

/** GetDealActivation, GetDealSector: the States AMT to the deal, and the Proposals AMT when it has no state. */
const dealStateWalk: TableWalk = (actor, params) => {
  const id = dealIdOf(params);
  if (id === undefined) return 0;
  const market = marketOf(actor);
  return loadsGas(statesPath(market, id)) + (market.states.has(id) ? 0 : loadsGas(proposalsPath(market, id)));
};

/**
 * GetBalance: the account resolved (rt.resolve_address: a syscall unless it is an ID address, which
 * the SDK answers itself), then the escrow and locked tables, each to the account's bucket (BalanceTable::get).
 */
const balanceWalk: TableWalk = (actor, params, state) => {
  const address = params instanceof Uint8Array ? addressOf(params) : undefined;
  if (!address) return 0;
  const resolve = address.id === undefined ? HOST_CALL : 0;
  const id = state.lookupId(address);
  if (id === undefined) return resolve;
  const market = marketOf(actor);
  return resolve + loadsGas(balancePath('escrow', market.escrow, id)) + loadsGas(balancePath('locked', market.locked, id));
};

/** An address param; undefined when its bytes are not one (the method refuses them). */
function addressOf(bytes: Uint8Array): FilAddress | undefined {
  try {
    return FilAddress.fromBytes(bytes);
  } catch {
    return undefined;
  }
}

/** MinerRawPower (builtin-actors power miner_raw_power): the Claims HAMT to the miner's bucket. */
const claimWalk: TableWalk = (actor, params) => {
  const id = dealIdOf(params);
  const power = actor.power;
  // A fork's claims are the upstream's, read as the fork goes: not walked, as any forked table.
  if (id === undefined || !power || power.upstreamClaims) return 0;
  return loadsGas(hamtTablePath('claims', new Map(power.claims), id, CLAIMS_HAMT_BIT_WIDTH, idAddressBytes, (c) => [CLAIM_PROOF_TYPE, encodeBigInt(c.rawBytePower), encodeBigInt(c.qualityAdjPower)], { rawBytePower: 0n, qualityAdjPower: 0n }));
};

/** DataCap's Balance (frc46_token balance_of): the owner resolved, then the balances HAMT to its bucket. */
const datacapBalanceWalk: TableWalk = (actor, params, state) => {
  const address = params instanceof Uint8Array ? addressOf(params) : undefined;
  const datacap = actor.datacap;
  if (!address || !datacap) return 0;
  const resolve = address.id === undefined ? HOST_CALL : 0;
  const id = state.lookupId(address);
  if (id === undefined) return resolve;
  return resolve + loadsGas(datacapBalancePaths(datacap, [id]));
};

/**
 * VerifRegAPI's GetClaims (builtin-actors verifreg get_claims): the Claims HAMT by provider to the
 * provider's bucket, then the provider's own HAMT by claim ID to each claim's bucket, each node once.
 */
const claimsWalk: TableWalk = (actor, params) => {
  const registry = actor.verifreg;
  const [providerParam, idsParam] = Array.isArray(params) ? params : [];
  const provider = dealIdOf(providerParam);
  if (!registry || provider === undefined) return 0;
  const ids = (Array.isArray(idsParam) ? idsParam : []).map(dealIdOf).filter((id) => id !== undefined);
  return loadsGas(distinct(ownedTablePaths('claims', registry.claims, [[provider, ids]], VERIFREG_HAMT_BIT_WIDTH, claimValue)));
};

/** DataCap's Allowance: the owner and the operator resolved, then the allowances HAMT to the owner's and its HAMT to the operator's bucket. */
const datacapAllowanceWalk: TableWalk = (actor, params, state) => {
  const [owner, operator] = (Array.isArray(params) ? params : []).map((p) => (p instanceof Uint8Array ? addressOf(p) : undefined));
  if (!owner || !operator) return 0;
  const resolve = (owner.id === undefined ? HOST_CALL : 0) + (operator.id === undefined ? HOST_CALL : 0);
  const [ownerId, operatorId] = [state.lookupId(owner), state.lookupId(operator)];
  if (ownerId === undefined || operatorId === undefined) return resolve;
  return resolve + loadsGas(distinct(datacapAllowancePaths(actor.datacap ?? EMPTY_DATACAP_STATE, [[ownerId, [operatorId]]])));
};

/** A miner method reading its MinerInfo (get_miner_info: the info block the state links). */
const minerInfoWalk: TableWalk = (actor) => (actor.miner ? blockLoadGas(valueShape(minerInfoValue(actor.miner))) : 0);

/**
 * A miner's vesting table as builtin-actors v18 keeps it (vesting_state.rs VestingFunds): the next
 * fund inline in the state block, the rest a block of `[epoch, amount]` entries the state links;
 * none without funds.
 */
const vestingTail = (funds: readonly VestingFund[]): BlockShape | undefined => {
  const tail = vestingTailValue(funds);
  return tail && valueShape(tail);
};

/** GetVestingFunds (VestingFunds::load): the rest of the table opened. */
const vestingWalk: TableWalk = (actor) => {
  const tail = actor.miner && vestingTail(vestingTable(actor.miner));
  return tail ? blockLoadGas(tail) : 0;
};

/** The tables each method walks, by kind and method name (builtin-actors v18 market, power, DataCap, verified registry and miner lib.rs). */
const TABLE_WALKS: Partial<Record<ActorKind, Record<string, TableWalk>>> = {
  storagemarket: {
    ...Object.fromEntries(
      ['GetDealDataCommitment', 'GetDealClient', 'GetDealProvider', 'GetDealLabel', 'GetDealTerm', 'GetDealTotalPrice', 'GetDealClientCollateral', 'GetDealProviderCollateral', 'GetDealVerified'].map((name) => [name, proposalWalk]),
    ),
    GetDealActivation: dealStateWalk,
    GetDealSector: dealStateWalk,
    GetBalance: balanceWalk,
  },
  storagepower: { MinerRawPower: claimWalk },
  datacap: { Balance: datacapBalanceWalk, Allowance: datacapAllowanceWalk },
  verifiedregistry: { GetClaims: claimsWalk },
  storageminer: {
    ...Object.fromEntries(
      ['ControlAddresses', 'GetOwner', 'IsControllingAddress', 'GetSectorSize', 'GetPeerID', 'GetMultiaddrs', 'GetBeneficiary', 'ChangeWorkerAddress', 'ConfirmChangeWorkerAddress', 'ChangeOwnerAddress', 'ChangePeerID', 'ChangeMultiaddrs', 'ChangeBeneficiary', 'WithdrawBalance', 'RepayDebt'].map((name) => [
        name,
        minerInfoWalk,
      ]),
    ),
    GetVestingFunds: vestingWalk,
  },
};

/** What a method's reads of its tables cost: each node on the way opened and read (the state block is stateLoadGas's). */
export function tableReadGas(actor: Actor, method: string, params: unknown, state: StateOverlay): number {
  const walk = TABLE_WALKS[actor.kind]?.[method];
  return walk ? walk(actor, params, state) : 0;
}

// --- Tables changed: the nodes a method opened to change them, and wrote back ---

/** What a method that changed its state paid in its tables: its actor before and after the method, its params. */
type TableChange = (before: Actor, after: Actor, params: unknown, state: StateOverlay) => number;

/** The blocks of several paths, each node of a table once (a table's library keeps the nodes it loaded); the paths name each node by its table. */
const distinct = (blocks: readonly PathBlock[]): PathBlock[] => [...new Map(blocks.map((block) => [block.cid, block])).values()];
const putsGas = (blocks: readonly BlockShape[]): number => blocks.reduce((gas, block) => gas + blockPutGas(block), 0);

const pendingPath = (market: MarketState, cid: CID) => hamtTablePath('pending', market.pendingProposals, cid.toString(), MARKET_HAMT_BIT_WIDTH, (key) => CID.parse(key).bytes, () => null, cid);
const allocationPath = (market: MarketState, id: number) => hamtTablePath('allocations', market.pendingDealAllocationIds, id, MARKET_HAMT_BIT_WIDTH, actorIdKey, (allocation) => allocation, 1);

/** AddBalance, WithdrawBalance: the account resolved, its escrow bucket read (and its locked one to withdraw) and written. */
const escrowChange =
  (locked: boolean): TableChange =>
  (before, after, params, state) => {
    const raw = locked && Array.isArray(params) ? params[0] : params;
    const address = raw instanceof Uint8Array ? addressOf(raw) : undefined;
    const id = address && state.lookupId(address);
    if (!address || id === undefined) return 0;
    const [was, is] = [marketOf(before), marketOf(after)];
    const reads = loadsGas(balancePath('escrow', was.escrow, id)) + (locked ? loadsGas(balancePath('locked', was.locked, id)) : 0);
    return (address.id === undefined ? HOST_CALL : 0) + reads + putsGas(balancePath('escrow', is.escrow, id));
  };

/**
 * The Wasm instructions of PublishStorageDeals per deal, at 4 gas: fitted to builtin-actors' own
 * trace of one with five unverified deals against an empty state (issue 1020, 2023-01-17:
 * wasm_exec 14 756 184 for the whole message, which the trace does not split by actor, so the
 * instructions of its other invocations — five AuthenticateMessage, ControlAddresses,
 * ThisEpochReward, CurrentTotalPower — are counted here too).
 */
const PUBLISH_WASM_PER_DEAL = Math.round(14_756_184 / 5);

/**
 * PublishStorageDeals (builtin-actors v18 market publish_storage_deals), beyond its sends (the
 * provider's control addresses, the reward and power figures, each client's AuthenticateMessage,
 * DataCap's transfer for verified deals): the provider resolved and its code checked (two syscalls);
 * for each deal its proposal serialised and hashed for its CID (rt.hash: blake2b-256), its client
 * resolved (a syscall), the client's and the provider's balances checked (balance_covered: the escrow
 * and locked tables loaded for each, to their buckets), its CID looked up in the pending proposals
 * (has_pending_deal: that set loaded), then in the transaction both balances locked (maybe_lock_balance:
 * both tables loaded again, the locked one written); then once the pending proposals, the Proposals
 * AMT and, for verified deals, the allocation IDs loaded and written with the new entries (each node
 * once), and the deals' ops scheduled by start epoch (a HAMT by epoch of HAMT sets of deal IDs, sized
 * with this message's deals alone: the devnet schedules them in its cron queue). Each table load opens
 * its nodes again, as ref-fvm charges each block_open; the balance paths are priced at the tables as
 * the message found them (and the locked table as it left it), the locks in between moving amounts only.
 */
const publishChange: TableChange = (before, after) => {
  const [was, is] = [marketOf(before), marketOf(after)];
  // The deals it published: the IDs it took (a forked market's tables are not asked for keys they never had).
  const added: [number, StoredProposal][] = [];
  for (let id = was.nextId; id < is.nextId; id++) {
    const deal = is.proposals.get(id);
    if (deal) added.push([id, deal]);
  }
  const cids = added.map(([, deal]) => storedProposalCid(deal));
  // A party's escrow and locked buckets read, and its locked bucket written: each priced once, paid at each load.
  const balanceReads = new Map<number, number>();
  const balanceRead = (id: number) =>
    balanceReads.get(id) ?? balanceReads.set(id, loadsGas(balancePath('escrow', was.escrow, id)) + loadsGas(balancePath('locked', was.locked, id))).get(id)!;
  const lockWrites = new Map<number, number>();
  const lockWrite = (id: number) => lockWrites.get(id) ?? lockWrites.set(id, putsGas(balancePath('locked', is.locked, id))).get(id)!;
  const perDeal = added.reduce((gas, [, deal], i) => {
    const checks = balanceRead(deal.client) + balanceRead(deal.provider) + loadsGas(pendingPath(was, cids[i]));
    const locks = balanceRead(deal.client) + lockWrite(deal.client) + balanceRead(deal.provider) + lockWrite(deal.provider);
    return gas + 2 * HOST_CALL + onHashing('blake2b256', proposalShape(deal).bytes) + PUBLISH_WASM_PER_DEAL + checks + locks;
  }, 0);
  const verified = added.filter(([, deal]) => deal.verifiedDeal);
  const reads = distinct([...cids.flatMap((cid) => pendingPath(was, cid)), ...added.flatMap(([id]) => proposalsPath(was, id)), ...verified.flatMap(([id]) => allocationPath(was, id))]);
  const writes = distinct([...added.flatMap(([id]) => proposalsPath(is, id)), ...cids.flatMap((cid) => pendingPath(is, cid)), ...verified.flatMap(([id]) => allocationPath(is, id))]);
  const byEpoch = new Map<number, number[]>();
  for (const [id, deal] of added) byEpoch.set(deal.startEpoch, [...(byEpoch.get(deal.startEpoch) ?? []), id]);
  const ops = dealOpsByEpochHamt(byEpoch).blocks.map(blockShape);
  return 2 * HOST_CALL + perDeal + loadsGas(reads) + putsGas(writes) + putsGas(ops);
};

/** The keys whose values differ between two versions of a table. */
function changedKeys<K, V>(before: ReadonlyMap<K, V>, after: ReadonlyMap<K, V>): K[] {
  if (before === after) return [];
  return [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key));
}

/** The owners, and each owner's records, whose values differ between two versions of a table of tables. */
const changedOwned = <V>(before: ReadonlyMap<number, ReadonlyMap<number, V>>, after: ReadonlyMap<number, ReadonlyMap<number, V>>) =>
  changedKeys(before, after)
    .map((owner) => [owner, changedKeys(before.get(owner) ?? new Map<number, V>(), after.get(owner) ?? new Map<number, V>())] as const)
    .filter(([, records]) => records.length > 0);

const datacapBalancePaths = (datacap: DatacapState, owners: readonly number[]) =>
  owners.flatMap((owner) => hamtTablePath('datacap balances', datacap.balances, owner, DATACAP_HAMT_BIT_WIDTH, actorIdKey, encodeBigInt, 10n ** 18n));

/** The allowances HAMT by owner to each owner's bucket, then each owner's HAMT by operator to the operators'. */
const datacapAllowancePaths = (datacap: DatacapState, changes: readonly (readonly [owner: number, operators: readonly number[]])[]) =>
  ownedTablePaths('allowances', datacap.allowances, changes, DATACAP_HAMT_BIT_WIDTH, encodeBigInt);

/**
 * A DataCap method that moved tokens or allowances (frc46_token: mint, transfer, burn, allowance
 * changes): the balances and allowances it changed, read on the way to their buckets and written
 * again (each node once; the token's state is saved before its receiver hook is sent).
 */
const datacapChange: TableChange = (before, after) => {
  const [was, is] = [before.datacap ?? EMPTY_DATACAP_STATE, after.datacap ?? EMPTY_DATACAP_STATE];
  const owners = changedKeys(was.balances, is.balances);
  const allowances = changedOwned(was.allowances, is.allowances);
  const reads = distinct([...datacapBalancePaths(was, owners), ...datacapAllowancePaths(was, allowances)]);
  const writes = distinct([...datacapBalancePaths(is, owners), ...datacapAllowancePaths(is, allowances)]);
  return loadsGas(reads) + putsGas(writes);
};

type RegistryTable = 'allocations' | 'claims';
const registryOf = (actor: Actor): VerifregState => actor.verifreg ?? EMPTY_VERIFREG_STATE;

/** The paths of a registry table (a HAMT by owner of HAMTs by record ID, bit width 5 both) to the records `changes` names. */
function registryPaths(registry: VerifregState, table: RegistryTable, changes: readonly (readonly [owner: number, records: readonly number[]])[]): PathBlock[] {
  return table === 'allocations'
    ? ownedTablePaths(table, registry.allocations, changes, VERIFREG_HAMT_BIT_WIDTH, allocationValue)
    : ownedTablePaths(table, registry.claims, changes, VERIFREG_HAMT_BIT_WIDTH, claimValue);
}

/**
 * A verified registry method that changed its state (builtin-actors v18 verifreg lib.rs, state.rs:
 * MapMap, bit widths 5 and 5): each table it changed read on the way to each record changed (the
 * owner's bucket, then the record's in the owner's HAMT; twice for a table it `reloads` to write)
 * and written again on the same paths; each table it `loads` and left alone, its root opened (a
 * HAMT's load opens its root). `extraLoads`: state blocks it loads besides the one every method loads.
 */
const registryChange =
  (loads: readonly RegistryTable[], extraLoads = 0, reloads: readonly RegistryTable[] = []): TableChange =>
  (before, after) => {
    const [was, is] = [registryOf(before), registryOf(after)];
    let gas = extraLoads * stateLoadGas('verifiedregistry');
    for (const table of ['allocations', 'claims'] as const) {
      const changes = changedOwned<unknown>(was[table], is[table]);
      if (changes.length > 0) {
        const loadCount = reloads.includes(table) ? 2 : 1;
        gas += loadCount * loadsGas(distinct(registryPaths(was, table, changes))) + putsGas(distinct(registryPaths(is, table, changes)));
      }
      else if (loads.includes(table)) gas += loadsGas(hamtRootPath(table, was[table], VERIFREG_HAMT_BIT_WIDTH));
    }
    return gas;
  };

/** A miner method changing its MinerInfo: the new info block written (save_info). */
const minerInfoChange: TableChange = (_before, after) => (after.miner ? blockPutGas(valueShape(minerInfoValue(after.miner))) : 0);

/**
 * WithdrawBalance, RepayDebt: the funds that vested unlocked (unlock_vested_funds, when the table's
 * next fund has vested: the rest opened, and written again unless nothing is left), and for a
 * withdrawal by a beneficiary its quota's use written in the MinerInfo (save_info).
 */
const vestingChange: TableChange = (before, after) => {
  const [was, is] = [before.miner, after.miner];
  if (!was || !is) return 0;
  const changed = !sameVesting(was, is);
  const [from, to] = changed ? [vestingTail(vestingTable(was)), vestingTail(vestingTable(is))] : [];
  const unlock = from ? blockLoadGas(from) + (to ? blockPutGas(to) : 0) : 0;
  return unlock + (was.beneficiaryTerm !== is.beneficiaryTerm ? blockPutGas(valueShape(minerInfoValue(is))) : 0);
};

/** What the methods that change their tables pay there, by kind and method name. */
const TABLE_CHANGES: Partial<Record<ActorKind, Record<string, TableChange>>> = {
  storagemarket: { AddBalance: escrowChange(false), WithdrawBalance: escrowChange(true), PublishStorageDeals: publishChange },
  storageminer: {
    ...Object.fromEntries(['ChangeWorkerAddress', 'ConfirmChangeWorkerAddress', 'ChangeOwnerAddress', 'ChangePeerID', 'ChangeMultiaddrs', 'ChangeBeneficiary'].map((name) => [name, minerInfoChange])),
    WithdrawBalance: vestingChange,
    RepayDebt: vestingChange,
  },
  datacap: Object.fromEntries(['Mint', 'Destroy', 'Transfer', 'TransferFrom', 'IncreaseAllowance', 'DecreaseAllowance', 'RevokeAllowance', 'Burn', 'BurnFrom'].map((name) => [name, datacapChange])),
  verifiedregistry: {
    // DataCap's receiver hook: the state read (rt.state) and its claims loaded for the claims to
    // extend, then the state again in the transaction that inserts the client's allocations (their
    // table loaded only for that) and puts the extended claims (put_claims: the claims loaded again).
    Receive: registryChange(['claims'], 1, ['claims']),
    ClaimAllocations: registryChange(['claims', 'allocations']),
    RemoveExpiredAllocations: registryChange(['allocations']),
    ExtendClaimTerms: registryChange(['claims']),
    RemoveExpiredClaims: registryChange(['claims']),
  },
};

/** What a method that changed its actor's state paid in its tables (`before` and `after`: the actor around the method). */
export function tableChangeGas(before: Actor, after: Actor, method: string, params: unknown, state: StateOverlay): number {
  const change = TABLE_CHANGES[after.kind]?.[method];
  return change ? change(before, after, params, state) : 0;
}

// --- A multisig's pending transactions (builtin-actors v18 multisig lib.rs, state.rs) ---

/** A TxnID as the PendingTxns HAMT keys it: an i64 varint, zigzag (integer_encoding), so 2n for n ≥ 0. */
const txnIdKey = (id: number): Uint8Array => actorIdKey(2 * id);
const pendingTxnPath = (pending: ReadonlyMap<number, MultisigTransaction>, id: number) =>
  hamtTablePath('pending txns', pending, id, MULTISIG_HAMT_BIT_WIDTH, txnIdKey, transactionValue);

/** A multisig's transaction reading the pending transaction `id` (get_transaction): the nodes on its way opened. */
export const pendingTxnReadGas = (pending: ReadonlyMap<number, MultisigTransaction>, id: number): number => loadsGas(pendingTxnPath(pending, id));

/** The flush after a multisig's transaction set or deleted the pending transaction `id`: the nodes on its way, as `after` has them, written. */
export const pendingTxnWriteGas = (after: ReadonlyMap<number, MultisigTransaction>, id: number): number => putsGas(pendingTxnPath(after, id));

/**
 * A multisig's transaction setting or deleting the pending transaction `id` (ptx.set / ptx.delete,
 * then flush): the nodes on its way in `before` opened and, as `after` has them, written again.
 */
export const pendingTxnChangeGas = (before: ReadonlyMap<number, MultisigTransaction>, after: ReadonlyMap<number, MultisigTransaction>, id: number): number =>
  pendingTxnReadGas(before, id) + pendingTxnWriteGas(after, id);

/** rt.hash_blake2b of `size` bytes, the hash syscall: a multisig's compute_proposal_hash (its ProposalHashData), a paych voucher's secret. */
export const blake2bSyscallGas = (size: number): number => HOST_CALL + onHashing('blake2b256', size);

/**
 * Each rt.transaction of a multisig method after its first (propose's and approve's approval, a
 * threshold met's deletion): the state loaded and written back once more; the first load and the
 * last write are the method's (invoke-builtin.ts), the actor's update once a message.
 */
export const MULTISIG_TRANSACTION = stateLoadGas('multisig') + stateWriteGas('multisig');

// --- A payment channel's lanes (builtin-actors v18 paych lib.rs: Array<LaneState>, bit width 3) ---

/** The constructor's empty lanes AMT flushed: its root block put. */
export const emptyLanesGas = (): number => putsGas([blockShape(lanesAmt(new Map()).blocks.values().next().value!)]);

/** The blocks of the lanes AMT on the way to each of `ids` (find_lane), each once. */
const lanePaths = (lanes: ReadonlyMap<bigint, LaneState>, ids: readonly bigint[]): PathBlock[] => {
  const amt = lanesAmt(lanes);
  return distinct(ids.flatMap((id) => amtPath(amt, id)));
};

/** UpdateChannelState loading the lanes AMT and reading the voucher's lane and the lanes it merges (the nodes on their way opened). */
export const laneReadGas = (lanes: ReadonlyMap<bigint, LaneState>, ids: readonly bigint[]): number => loadsGas(lanePaths(lanes, ids));

/** UpdateChannelState's flush of the lanes it set: the nodes on their way, as `after` has them, written. */
export const laneWriteGas = (after: ReadonlyMap<bigint, LaneState>, ids: readonly bigint[]): number => putsGas(lanePaths(after, ids));

// --- Creating actors: the EAM's create and Init's Exec and Exec4 (builtin-actors v18 eam, init) ---

/**
 * The EAM's own work on a create (builtin-actors v18 eam/src/lib.rs), beyond the params it reads, the
 * hashes it makes and an f1/f3 deployer's key (evm-gas.ts eamEntryGas, nativeDeployerGas): its
 * invocation, the caller's code and type asked for (validate_immediate_caller_type,
 * resolve_caller_external: two syscalls), the caller's Ethereum address looked up
 * (lookup_delegated_address; not for a `native` f1/f3 deployer, whose key is asked for instead) and
 * the new f4 address resolved (resolve_address).
 */
export const eamWorkGas = (native: boolean): number => builtinInvocationGas('eam') + (native ? 3 : 4) * HOST_CALL;

/**
 * Init's address map (HAMT[Address]ActorID, bit width 5), where Exec maps a new actor's robust f2 and
 * Exec4 its f4 and f2 to its ID, and the Wasm instructions of Init and the EAM around it. Calibrated,
 * not derived: on calibnet the map holds an address for each actor, millions, and the nodes on the
 * way are opened and written again; priced by the price list at the devnet's size the map would cost
 * ~2.7 M at 20 addresses, ~13 M at 1 000 and ~30 M at calibnet's, more than calibnet's whole
 * deployments of small contracts (10–18 M; filecoin-docs' SimpleCoin 17 522 415). So the figure the
 * deployment was fitted with is kept: the 5 770 000 of the EAM's flat 1 000 000 and Exec4's
 * 4 770 000 (a small coin's deployment at 0.81 of SimpleCoin's), less the exact charges now itemised
 * around it (the EAM's work and get_code_cid_for_type; Init's invocation, state loaded and written,
 * new_actor_address). Exec pays it too (no published figure of its own: one address mapped, no EAM).
 */
const ADDRESS_MAPPING_WORK = 5_770_000 - (eamWorkGas(false) + HOST_CALL) - (builtinInvocationGas('init') + stateLoadGas('init') + HOST_CALL + stateWriteGas('init'));

/**
 * Init's own work on an Exec or Exec4 between its state's load and create_actor: new_actor_address (a
 * syscall), the addresses mapped (ADDRESS_MAPPING_WORK) and its state written back (Init is
 * preloaded: no actor update).
 */
export const INIT_MAPPING = HOST_CALL + ADDRESS_MAPPING_WORK + stateWriteGas('init');

/** An aborting method's exit syscall (the trampoline's vm::exit with the error's code and message). */
export const ABORT_EXIT = HOST_CALL;
