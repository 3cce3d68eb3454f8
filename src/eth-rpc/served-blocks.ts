// State blocks the node's Filecoin.StateReadState answers link to and lays out exactly as
// builtin-actors does (a miner's AllocatedSectors bitfield, its Deadlines with their partitions,
// the datacap token's allowances HAMT, the market's deal, balance, pending-proposal, ProviderSectors
// and DealOpsByEpoch tables, the registry's allocations and claims), kept so that
// Filecoin.ChainReadObj serves them as Lotus serves any block of the state (a fork of this node reads
// a miner's allocated sector numbers, through a gateway its partitions, a client's datacap
// allowances, the pending proposals, deals by sector and the market's scheduled deal work, and lists
// the deals, balances, allocations and claims that way). The other links of the devnet's states stand for
// HAMTs and AMTs it does not build, so they are not served. Content-addressed, so one store per node
// is only a cache.
import { cidOf, type CID } from '../common/cbor.js';
import type { Devnet } from '../devnet/devnet.js';

/** At most this many blocks are kept per node; the oldest go first. */
const MAX_BLOCKS = 10_000;

const served = new WeakMap<Devnet, Map<string, Uint8Array>>();

/** Keeps a block for ChainReadObj. */
export function serveBlock(devnet: Devnet, bytes: Uint8Array): CID {
  const cid = cidOf(bytes);
  let blocks = served.get(devnet);
  if (!blocks) served.set(devnet, (blocks = new Map()));
  blocks.delete(cid.toString());
  blocks.set(cid.toString(), bytes);
  if (blocks.size > MAX_BLOCKS) blocks.delete(blocks.keys().next().value!);
  return cid;
}

export const servedBlock = (devnet: Devnet, cid: CID): Uint8Array | undefined => served.get(devnet)?.get(cid.toString());

/** Keeps the blocks of a structure (a HAMT's nodes) for ChainReadObj. */
export function serveBlocks(devnet: Devnet, blocks: Iterable<Uint8Array>): void {
  for (const block of blocks) serveBlock(devnet, block);
}
