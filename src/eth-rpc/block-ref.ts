// Which tipset a block parameter names. A number may name a null round (an epoch without a tipset):
// as in Lotus, methods about the block itself refuse it, and state reads take the tipset before it.
import { cidFromDigest } from '../common/cbor.js';
import { DevnetError, NullRoundError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import type { StateReader } from '../fevm/state-tree.js';
import type { Tipset } from '../mining/tipset.js';
import { branchDown, droppedTipsets, pointState, statePointOf, type StatePoint } from './dropped-tipsets.js';
import type { BlockRef, BlockTag } from './params.js';

/**
 * The block a parameter names, for methods about that block (eth_getBlockByNumber, its transactions,
 * receipts and traces): a null round is an error (Lotus code 12).
 *
 * 'latest' and 'pending' name the head: the devnet executes each tipset as it mines it. 'safe' and
 * 'finalized' are Lotus's (mining/finality.ts); 'earliest' is refused, as Lotus does.
 */
export function resolveBlock(devnet: Devnet, ref: BlockRef): Tipset {
  const tipset = resolveStateBlock(devnet, ref);
  if ('number' in ref && tipset.epoch !== ref.number) throw new NullRoundError(ref.number);
  return tipset;
}

/**
 * The block a parameter names for methods that read the block and not its state (eth_getBlockByHash,
 * its receipts, transaction count and transactions): by hash, also a tipset a revert or reorg dropped,
 * as Lotus answers a reorged tipset from its blockstore (dropped-tipsets.ts).
 */
export function resolveKeptBlock(devnet: Devnet, ref: BlockRef): Tipset {
  if (!('hash' in ref)) return resolveBlock(devnet, ref);
  const onChain = devnet.chain.byBlockHash(ref.hash);
  if (onChain) return onChain;
  const dropped = droppedTipsets(devnet).byBlockHash(ref.hash);
  if (!dropped) throw new DevnetError(`failed to get tipset by hash: ${cannotFindTipset(ref.hash)}`);
  // Lotus's words (node/impl/eth/tipsetresolver.go GetTipsetByBlockNumberOrHash).
  if (ref.requireCanonical) throw new DevnetError('tipset is not canonical');
  return dropped;
}

/**
 * The block whose state a parameter names, for state reads and calls (eth_getBalance, eth_call, …):
 * a null round reads as the tipset before it, as Lotus resolves it.
 */
export function resolveStateBlock(devnet: Devnet, ref: BlockRef): Tipset {
  if ('tag' in ref) return taggedBlock(devnet, ref.tag);
  if ('number' in ref) {
    if (ref.number > devnet.head.epoch) throw new DevnetError("requested a future epoch (beyond 'latest')");
    return tipsetAtHeight(devnet, ref.number, 'before');
  }
  const tipset = devnet.chain.byBlockHash(ref.hash);
  if (!tipset) throw new DevnetError(`failed to get tipset by hash: ${cannotFindTipset(ref.hash)}`);
  return tipset;
}

/**
 * The state of the block a parameter names: as resolveStateBlock, and by hash also a
 * tipset a revert or reorg dropped (unless requireCanonical, resolveKeptBlock), read in the state its
 * revert kept (dropped-tipsets.ts), as Lotus reads a reorged tipset's state from its blockstore (lotus
 * b835fab70 node/impl/eth/lookup.go EthGetBalance: GetTipsetByBlockNumberOrHash, then TipSetState).
 */
export function resolveBlockState(devnet: Devnet, ref: BlockRef): StateReader {
  return pointState(devnet, resolveStatePoint(devnet, ref));
}

/** The block whose state a parameter names as resolveBlockState finds it; one a revert dropped as a call runs on it (eth_call). */
export function resolveStatePoint(devnet: Devnet, ref: BlockRef): StatePoint {
  if (!('hash' in ref)) return { tipset: resolveStateBlock(devnet, ref) };
  // By hash resolveKeptBlock finds a tipset on the chain as resolveStateBlock does (requireCanonical is for a dropped one).
  return statePointOf(devnet, resolveKeptBlock(devnet, ref));
}

/**
 * Lotus's words for a block hash it does not hold: the hash is looked up as a tipset CID
 * (EthHash.ToCid) in its blockstore (lotus b835fab70 chain/store/store.go GetTipSetByCid), whose
 * callers prefix them (node/impl/eth/tipsetresolver.go: `failed to get tipset by hash: `).
 */
export function cannotFindTipset(hash: Uint8Array): string {
  const cid = cidFromDigest(hash).toString();
  return `cannot find tipset with cid ${cid}: ipld: could not find ${cid}`;
}

/**
 * Checks the block parameter of a method that runs on the head whatever it names (eth_estimateGas:
 * Lotus resolves it, node/impl/eth/gas.go EthEstimateGas, and estimates on the head as its gas
 * search does): what Lotus cannot resolve is refused, with its error. A hash resolves as a block read
 * does (resolveKeptBlock: a tipset a revert dropped too, unless requireCanonical), strict: false
 * (a null round's number names the tipset before it). On a fork, the upstream's blocks before the
 * fork epoch are checked by fork-routes.ts, which leaves the parameter out for them.
 */
export function checkBlockParam(devnet: Devnet, ref: BlockRef): void {
  if ('hash' in ref) resolveKeptBlock(devnet, ref);
  else resolveStateBlock(devnet, ref);
}

/**
 * The tipset at `epoch` or, for a null round, the one before or after it. A fork's chain begins at
 * the fork epoch: an epoch before it is the upstream's history, which the fork answers from the
 * upstream where it can (fork-routes.ts) and refuses here.
 */
export function tipsetAtHeight(devnet: Devnet, epoch: number, nullRound: 'before' | 'after'): Tipset {
  const first = devnet.chain.first;
  if (epoch < first.epoch) throw new DevnetError(`epoch ${epoch} is before the fork epoch ${first.epoch}: this fork does not hold the upstream's tipsets`);
  return nullRound === 'before' ? devnet.chain.atOrBefore(epoch)! : devnet.chain.atOrAfter(epoch)!;
}

/**
 * The tipset at `height` on the chain up to `from`, the null round rule as in tipsetAtHeight, refused
 * in Lotus's words when the height is negative or above `from` (lotus b835fab70 chain/store/store.go
 * GetTipsetByHeight, which ChainGetTipSetByHeight, ChainGetTipSetAfterHeight and v2's height
 * selectors call). A `from` a revert dropped is walked back through its own branch (Lotus walks the
 * tipset's parents), down to the chain where the branch left it.
 */
export function tipsetAtHeightFrom(devnet: Devnet, height: number, from: Tipset, nullRound: 'before' | 'after'): Tipset {
  if (height < 0) throw new DevnetError(`height ${height} is negative`);
  if (height > from.epoch) throw new DevnetError(`looking for tipset with height greater than start point, req: ${height}, head: ${from.epoch}`);
  const { dropped, below } = branchDown(devnet, from, height);
  if (below.epoch < height) return nullRound === 'before' ? below : dropped[dropped.length - 1];
  // Otherwise `below` is at the height or on the chain, whose tipsets up to it are its ancestors.
  return below.epoch === height ? below : tipsetAtHeight(devnet, height, nullRound);
}

/**
 * The tipset a block tag names. 'earliest' names none: Lotus refuses it wherever a block parameter
 * names a tipset (node/impl/eth/tipsetresolver.go getTipSetByTag); only log ranges take it, as 0
 * (log-criteria.ts).
 */
export function taggedBlock(devnet: Devnet, tag: BlockTag): Tipset {
  switch (tag) {
    case 'earliest':
      throw new DevnetError('block param "earliest" is not supported');
    case 'safe':
      return devnet.finality().safe;
    case 'finalized':
      return devnet.finality().finalized;
    default:
      return devnet.head;
  }
}
