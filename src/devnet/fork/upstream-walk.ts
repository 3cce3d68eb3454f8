// The upstream's whole tables read block by block, for an upstream that serves no list method (a Lotus
// gateway serves StateReadState and ChainReadObj): the market's Proposals and States AMTs, its
// PendingDealAllocationIds, EscrowTable and LockedTable HAMTs, the registry's Allocations and Claims
// (HAMTs by owner of HAMTs by ID), decoded as builtin-actors lays them out. Each block is a round
// trip (the blocks of one level are read together), so a walk stops with an error past
// WALK_MAX_BLOCKS blocks rather than take minutes.
import { CID } from 'multiformats/cid';
import { FilAddress } from '../../common/address.js';
import { readAmt } from '../../common/amt.js';
import { decodeBigInt } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { actorIdOfKey, hamtEntries } from '../../common/hamt.js';
import { readDealProposal } from '../../fevm/actors/market/deal-proposal.js';
import type { DealState } from '../../fevm/actors/market/state.js';
import { bytes, cid, i64, tuple, u64 } from '../../fevm/actors/params.js';
import type { Allocation, Claim } from '../../fevm/actors/verifreg/state.js';
import type { ForkedDeal } from './upstream-tables.js';
import type { Upstream } from './upstream.js';

/** The most blocks one walk reads (a few tens of thousands of entries); a larger table is refused. */
const WALK_MAX_BLOCKS = 2000;

/** A link in Lotus's JSON. */
type Link = { '/': string };
const rootOf = (link: Link): CID => CID.parse(link['/']);

/** Reads a walk's blocks, counting them; past the limit, an error that says what to do instead. */
export class BlockWalk {
  private read = 0;

  constructor(
    private readonly upstream: Pick<Upstream, 'readObj'>,
    /** What is walked ("market deals") and what a user can do instead, for the error. */
    private readonly what: string,
    private readonly instead: string,
    private readonly maxBlocks = WALK_MAX_BLOCKS,
  ) {}

  readonly load = (block: CID): Promise<Uint8Array> => {
    if (++this.read > this.maxBlocks) {
      throw new DevnetError(`the upstream's ${this.what} are too many to list through a gateway (more than ${this.maxBlocks} state blocks, one ChainReadObj each): ${this.instead}`);
    }
    return this.upstream.readObj(block, `${this.what} block ${block.toString()}`);
  };
}

const idOfAddressBytes = (key: Uint8Array, what: string): number => {
  const id = FilAddress.fromBytes(key).id;
  if (id === undefined) throw new DevnetError(`upstream ${what}: a key is not an ID address`);
  return id;
};

/** builtin-actors DealState: [sector_number, sector_start_epoch, last_updated_epoch, slash_epoch]. */
function readDealState(value: unknown, what: string): DealState {
  const [sectorNumber, sectorStartEpoch, lastUpdatedEpoch, slashEpoch] = tuple(value, 4, what);
  return { sectorNumber: u64(sectorNumber, `${what}.sector_number`), sectorStartEpoch: i64(sectorStartEpoch, `${what}.sector_start_epoch`), lastUpdatedEpoch: i64(lastUpdatedEpoch, `${what}.last_updated_epoch`), slashEpoch: i64(slashEpoch, `${what}.slash_epoch`) };
}

/** Every deal of the market's State (Lotus's JSON): proposal, state once activated, pending allocation. */
export async function walkDeals(walk: BlockWalk, market: { Proposals: Link; States: Link; PendingDealAllocationIds: Link }): Promise<Map<number, ForkedDeal>> {
  const [proposals, states, pending] = await Promise.all([
    readAmt(rootOf(market.Proposals), walk.load),
    readAmt(rootOf(market.States), walk.load),
    hamtEntries(rootOf(market.PendingDealAllocationIds), walk.load),
  ]);
  const allocations = new Map(pending.map(([key, id]) => [actorIdOfKey(key), u64(id, 'PendingDealAllocationIds value')]));
  const deals = new Map<number, ForkedDeal>();
  for (const [id, value] of proposals) {
    const what = `deal ${id}`;
    const p = readDealProposal(value, `${what} proposal`);
    const proposal = { ...p, client: idOfAddressBytes(p.client.bytes, `${what} client`), provider: idOfAddressBytes(p.provider.bytes, `${what} provider`) };
    const state = states.get(id);
    const allocationId = allocations.get(id);
    deals.set(id, { proposal, ...(state === undefined ? {} : { state: readDealState(state, `${what} state`) }), ...(allocationId === undefined ? {} : { allocationId }) });
  }
  return deals;
}

/** Every participant's escrow and locked amounts (the market's EscrowTable and LockedTable, by ID address bytes). */
export async function walkBalances(walk: BlockWalk, market: { EscrowTable: Link; LockedTable: Link }): Promise<Map<number, { escrow: bigint; locked: bigint }>> {
  const table = async (root: Link, what: string) =>
    new Map((await hamtEntries(rootOf(root), walk.load)).map(([key, amount]) => [idOfAddressBytes(key, what), decodeBigInt(bytes(amount, `${what} value`))]));
  const escrow = await table(market.EscrowTable, 'EscrowTable');
  const locked = await table(market.LockedTable, 'LockedTable');
  return new Map([...escrow].map(([id, amount]) => [id, { escrow: amount, locked: locked.get(id) ?? 0n }]));
}

/** A registry table by owner of records by ID (HAMT of HAMTs, keys as varints); the owners' tables are read together. */
async function walkOwned<T>(walk: BlockWalk, root: Link, read: (value: unknown, what: string) => T): Promise<Map<number, Map<number, T>>> {
  const owners = await hamtEntries(rootOf(root), walk.load);
  const tables = await Promise.all(owners.map(async ([ownerKey, link]): Promise<[number, Map<number, T>]> => {
    const owner = actorIdOfKey(ownerKey);
    const records = await hamtEntries(cid(link, `table of f0${owner}`), walk.load);
    return [owner, new Map(records.map(([key, value]) => [actorIdOfKey(key), read(value, `record ${actorIdOfKey(key)} of f0${owner}`)]))];
  }));
  return new Map(tables);
}

/** builtin-actors Allocation: [client, provider, data, size, term_min, term_max, expiration]. */
function readAllocation(value: unknown, what: string): Allocation {
  const f = tuple(value, 7, what);
  return { client: u64(f[0], `${what}.client`), provider: u64(f[1], `${what}.provider`), data: cid(f[2], `${what}.data`), size: u64(f[3], `${what}.size`), termMin: i64(f[4], `${what}.term_min`), termMax: i64(f[5], `${what}.term_max`), expiration: i64(f[6], `${what}.expiration`) };
}

/** builtin-actors Claim: [provider, client, data, size, term_min, term_max, term_start, sector]. */
function readClaim(value: unknown, what: string): Claim {
  const f = tuple(value, 8, what);
  return { provider: u64(f[0], `${what}.provider`), client: u64(f[1], `${what}.client`), data: cid(f[2], `${what}.data`), size: u64(f[3], `${what}.size`), termMin: i64(f[4], `${what}.term_min`), termMax: i64(f[5], `${what}.term_max`), termStart: i64(f[6], `${what}.term_start`), sector: u64(f[7], `${what}.sector`) };
}

export const walkAllocations = (walk: BlockWalk, registry: { Allocations: Link }) => walkOwned(walk, registry.Allocations, readAllocation);
export const walkClaims = (walk: BlockWalk, registry: { Claims: Link }) => walkOwned(walk, registry.Claims, readClaim);
