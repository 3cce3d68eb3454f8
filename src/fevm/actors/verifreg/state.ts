// The verified registry's state (builtin-actors actors/verifreg/src/state.rs): the root key, the
// verifiers and their allowances, allocations by client and claims by provider (a claim keeps its
// allocation's ID), and the next allocation ID. Immutable: each change returns a new state.
import { encodeBigInt, type CID } from '../../../common/cbor.js';
import { actorIdKey, buildHamt } from '../../../common/hamt.js';
import { idAddressBytes } from '../../../common/address.js';
import { concatBytes } from '../../../common/hex.js';
import { copyMap } from '../../lazy-map.js';

/** Space a client reserved with a provider, paid for with datacap the registry holds until it is claimed. */
export interface Allocation {
  readonly client: number;
  readonly provider: number;
  readonly data: CID;
  /** Padded piece size, bytes. */
  readonly size: number;
  readonly termMin: number;
  readonly termMax: number;
  /** The last epoch at which the provider may claim it. */
  readonly expiration: number;
}

/** An allocation a provider committed in a sector. */
export interface Claim {
  readonly provider: number;
  readonly client: number;
  readonly data: CID;
  readonly size: number;
  readonly termMin: number;
  readonly termMax: number;
  readonly termStart: number;
  readonly sector: number;
}

/** A table keyed twice: owner (client or provider) → ID → record. */
export type OwnedTable<T> = ReadonlyMap<number, ReadonlyMap<number, T>>;

export interface VerifregState {
  /** The ID of the root key; absent only on a chain saved before the registry had state. */
  readonly rootKey?: number;
  /** Verifier ID → remaining allowance, bytes. */
  readonly verifiers: ReadonlyMap<number, bigint>;
  readonly allocations: OwnedTable<Allocation>;
  readonly nextAllocationId: number;
  readonly claims: OwnedTable<Claim>;
  /** The next RemoveVerifiedClientDataCap proposal ID of each (verifier, client) pair, keyed `verifier:client`; absent = none used. */
  readonly removeDataCapProposalIds?: ReadonlyMap<string, number>;
}

export const EMPTY_VERIFREG_STATE: VerifregState = { verifiers: new Map(), allocations: new Map(), nextAllocationId: 1, claims: new Map() };

export const getOwned = <T>(table: OwnedTable<T>, owner: number, id: number): T | undefined => table.get(owner)?.get(id);

export function putOwned<T>(table: OwnedTable<T>, owner: number, id: number, record: T): OwnedTable<T> {
  const next = copyMap(table);
  next.set(owner, new Map(table.get(owner) ?? []).set(id, record));
  return next;
}

export function removeOwned<T>(table: OwnedTable<T>, owner: number, id: number): OwnedTable<T> {
  const inner = new Map(table.get(owner) ?? []);
  inner.delete(id);
  const next = copyMap(table);
  if (inner.size === 0) next.delete(owner);
  else next.set(owner, inner);
  return next;
}

/** The epoch from which an allocation or claim may be removed (verifreg expiration.rs). */
export const allocationExpiration = (allocation: Allocation): number => allocation.expiration;
export const claimExpiration = (claim: Claim): number => claim.termStart + claim.termMax;

/** Allocation `[client, provider, data, size, term_min, term_max, expiration]`. */
export const allocationValue = (a: Allocation): unknown => [a.client, a.provider, a.data, a.size, a.termMin, a.termMax, a.expiration];

/** Claim `[provider, client, data, size, term_min, term_max, term_start, sector]`. */
export const claimValue = (c: Claim): unknown => [c.provider, c.client, c.data, c.size, c.termMin, c.termMax, c.termStart, c.sector];

const tableValue = <T>(table: OwnedTable<T>, value: (record: T) => unknown) =>
  [...table].map(([owner, records]) => [owner, [...records].map(([id, record]) => [id, value(record)])]);

/** builtin-actors' HAMT bit width for the registry's tables (fvm_shared HAMT_BIT_WIDTH). */
export const VERIFREG_HAMT_BIT_WIDTH = 5;

/**
 * An owned table (allocations, claims) as builtin-actors' registry keeps it: a HAMT by owner ID of
 * the roots of HAMTs by record ID (keys as varints) of the records' tuples. Its root, and every block.
 */
function ownedTableHamt<T>(table: OwnedTable<T>, value: (record: T) => unknown): { root: CID; blocks: Uint8Array[] } {
  const blocks: Uint8Array[] = [];
  const owners = [...table].map(([owner, records]) => {
    const own = buildHamt([...records].map(([id, record]) => [actorIdKey(id), value(record)]), VERIFREG_HAMT_BIT_WIDTH);
    blocks.push(...own.blocks);
    return [actorIdKey(owner), own.root] as const;
  });
  const all = buildHamt(owners, VERIFREG_HAMT_BIT_WIDTH);
  return { root: all.root, blocks: [...blocks, ...all.blocks] };
}

export const allocationsHamt = (state: VerifregState) => ownedTableHamt(state.allocations, allocationValue);
export const claimsHamt = (state: VerifregState) => ownedTableHamt(state.claims, claimValue);

/** A `verifier:client` pair as builtin-actors' AddrPairKey: the two ID addresses' bytes. */
export function proposalPairKey(pair: string): Uint8Array {
  const [verifier, client] = pair.split(':').map(Number) as [number, number];
  return concatBytes(idAddressBytes(verifier), idAddressBytes(client));
}

/** RemoveDataCapProposalIDs' entries: AddrPairKey to RmDcProposalID `[id]`, the next ID each pair signs. */
const proposalIdEntries = (state: VerifregState): [Uint8Array, [number]][] =>
  [...(state.removeDataCapProposalIds ?? [])].map(([pair, id]) => [proposalPairKey(pair), [id]]);

/** RemoveDataCapProposalIDs as builtin-actors keeps it: a HAMT of proposalIdEntries. */
export const removeDataCapProposalIdsHamt = (state: VerifregState) => buildHamt(proposalIdEntries(state), VERIFREG_HAMT_BIT_WIDTH);

/**
 * The CBOR value of the state: `[root_key, verifiers, remove_data_cap_proposal_ids, allocations,
 * next_allocation_id, claims]`, the HAMTs shown as their entries.
 */
export function verifregStateValue(state: VerifregState): unknown {
  return [
    state.rootKey === undefined ? null : idAddressBytes(state.rootKey),
    [...state.verifiers].map(([id, allowance]) => [id, encodeBigInt(allowance)]),
    proposalIdEntries(state),
    tableValue(state.allocations, allocationValue),
    state.nextAllocationId,
    tableValue(state.claims, claimValue),
  ];
}
