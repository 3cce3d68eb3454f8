// On a fork, what happened at or before the fork epoch happened upstream: blocks, transactions,
// receipts and logs from then (and state reads of earlier blocks) are the upstream's answers,
// passed through as it gave them. Everything after the fork epoch, and the state at it (the
// upstream's with the dev accounts funded), is the fork's own.
import { quantity } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import { taggedBlock } from './block-ref.js';
import { keptByBlockHash, keptTipsetOf } from './dropped-tipsets.js';
import type { RpcMethod } from './define-method.js';
import { blockEpochOf, parsed, routeForkLookup, unlessUnknown, upstreamEpochOf, type Local } from './fork-lookups.js';
import { actorEventsOnFork, eventsRootOnFork } from './fork-events.js';
import { feeHistory } from './fork-fee-history.js';
import { routeTipsetSelector } from './fork-selectors.js';
import { routeTipsetKeys } from './fork-tipsets.js';
import { traceFilter, traceTransaction } from './fork-traces.js';
import { ethereumName } from './lotus-aliases.js';
import { onlyTraceType } from './methods/trace.js';
import { checkBlockRange } from './log-criteria.js';
import { integer, tipsetKey } from './lotus-params.js';
import { beyondLookback } from './message-lookback.js';
import { hash, parseBlockRef } from './params.js';

/** Methods about a block, by the position of their block parameter: the block at the fork epoch is the upstream's too. */
const BLOCK_METHODS: Record<string, number> = {
  eth_getBlockByNumber: 0,
  eth_getBlockTransactionCountByNumber: 0,
  eth_getTransactionByBlockNumberAndIndex: 0,
  eth_getBlockReceipts: 0,
  trace_block: 0,
  trace_replayBlockTransactions: 0,
};

/**
 * Lotus's tipset lookups by height, [height, tipsetKey]: at or before the fork epoch the upstream's
 * chain answers, looked up from its tipset at the fork epoch (the fork's first one, an ancestor of
 * every tipset the key can name; the upstream knows none of the fork's own).
 */
const BY_HEIGHT = new Set(['Filecoin.ChainGetTipSetByHeight', 'Filecoin.ChainGetTipSetAfterHeight']);

/** State reads, by the position of their block parameter: before the fork epoch they read the upstream. */
const STATE_METHODS: Record<string, number> = {
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getTransactionCount: 1,
  eth_getStorageAt: 2,
  eth_call: 1,
};

/** Lookups by hash: what the fork does not know may be the upstream's. */
const BY_HASH = new Set(['eth_getTransactionByHash', 'eth_getTransactionReceipt']);

/**
 * The same with a lookback limit (Lotus's gateway calls them with its 20 epochs), by their twins with
 * none: a transaction of the upstream's history is the upstream's, found if the limit (counted from
 * the fork's head) reaches it.
 */
const LIMITED_BY_HASH: Record<string, string> = {
  // As ethereumName spells Filecoin.EthGetTransactionByHashLimited and EthGetTransactionReceiptLimited.
  eth_getTransactionByHashLimited: 'eth_getTransactionByHash',
  eth_getTransactionReceiptLimited: 'eth_getTransactionReceipt',
};

/**
 * Lookups by block hash, the same: the fork's first tipset stands in for the upstream's at the fork
 * epoch, under its hash, without its messages: the upstream describes it.
 */
const BY_BLOCK_HASH = new Set(['eth_getBlockByHash', 'eth_getBlockTransactionCountByHash', 'eth_getTransactionByBlockHashAndIndex']);

/**
 * A lookup by hash from the upstream: what it has after the fork epoch (or pending) is not in the
 * fork's history, nor what it does not know, so the local method answers those as an unknown hash;
 * any other refusal (a gateway's rate limit, its lookback) is the upstream's error.
 */
async function upstreamByHash(fork: Fork, method: string, args: unknown[], local: Local): Promise<unknown> {
  // A block's transaction count does not say the block's number: its header does.
  const countOnly = method === 'eth_getBlockTransactionCountByHash';
  const answer = await unlessUnknown(fork.upstream.call(countOnly ? 'eth_getBlockByHash' : method, countOnly ? [args[0], false] : args));
  const epoch = blockEpochOf(answer);
  if (epoch === undefined || epoch > fork.point.epoch) return local(args);
  return countOnly ? fork.upstream.call(method, args) : answer;
}

/**
 * A state read at a block named by hash (EIP-1898 `{ blockHash }`, as `cast --block <hash>` sends
 * it): a hash the fork does not hold may be of an upstream block before the fork epoch, whose state
 * the upstream answers; the fork's own blocks (those a revert dropped among them, which the upstream
 * cannot know), and hashes the upstream places after the fork epoch or does not know, are the local
 * method's.
 */
async function stateAtBlockHash(devnet: Devnet, fork: Fork, method: string, blockHash: Uint8Array, args: unknown[], local: Local): Promise<unknown> {
  if (keptByBlockHash(devnet, blockHash)) return local(args);
  const epoch = await upstreamEpochOf(fork, blockHash);
  return epoch !== undefined && epoch < fork.point.epoch ? fork.upstream.call(method, args) : local(args);
}

/**
 * A read of a block named by hash (eth_getLogs' `blockHash`, eth_getBlockReceipts'): the upstream's
 * answer for its blocks at or before the fork epoch (the fork's first tipset among them: it stands in
 * for the upstream's under its hash, without its messages), the local method's for the fork's own
 * blocks and for hashes the upstream does not place there.
 */
async function readOfBlockHash(devnet: Devnet, fork: Fork, method: string, blockHash: Uint8Array, args: unknown[], local: Local): Promise<unknown> {
  // A tipset a revert dropped is the fork's own (a revert stays above the fork epoch).
  const held = keptByBlockHash(devnet, blockHash);
  if (held) return held.epoch > fork.point.epoch ? local(args) : fork.upstream.call(method, args);
  const epoch = await upstreamEpochOf(fork, blockHash);
  return epoch !== undefined && epoch <= fork.point.epoch ? fork.upstream.call(method, args) : local(args);
}

/**
 * eth_estimateGas given a block: Lotus resolves it, then estimates on the head (block-ref.ts
 * checkBlockParam). A block of the upstream's before the fork epoch (by number, or by a hash the fork
 * does not keep that the upstream places at or before it) resolves on the fork's chain too, so the
 * estimate runs without it; the local method checks any other (a dropped tipset of the fork's, a
 * hash the upstream places after the fork epoch or does not know).
 */
async function estimateAtBlock(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const ref = parsed(() => parseBlockRef('block', args[1]));
  if (!ref || 'tag' in ref) return local(args);
  if ('number' in ref) return local(ref.number < devnet.chain.first.epoch ? args.slice(0, 1) : args);
  if (keptByBlockHash(devnet, ref.hash)) return local(args);
  const epoch = await upstreamEpochOf(fork, ref.hash);
  return local(epoch !== undefined && epoch <= fork.point.epoch ? args.slice(0, 1) : args);
}

/** Upstream-only: the upstream's genesis is the fork's. */
const UPSTREAM_ONLY = new Set(['Filecoin.ChainGetGenesis']);

/** The epoch a block parameter names on the fork, and the parameter to pass the upstream for that block. */
export interface NamedBlock {
  epoch: number;
  upstreamParam: unknown;
}

/**
 * The block a block parameter names by number or tag, the one parser of them here: a tag other than
 * 'earliest' names one of the fork's tipsets (on a young fork, its first: the upstream's at the fork
 * epoch), which the upstream knows by its number; a hash or a bad parameter names none here.
 */
function namedBlock(devnet: Devnet, raw: unknown): NamedBlock | undefined {
  const ref = parsed(() => parseBlockRef('block', raw));
  if (!ref || 'hash' in ref) return undefined; // the local method answers a bad parameter; a hash is not a number
  if ('number' in ref || ref.tag === 'earliest') return { epoch: 'number' in ref ? ref.number : 0, upstreamParam: raw };
  const { epoch } = taggedBlock(devnet, ref.tag);
  return { epoch, upstreamParam: quantity(epoch) };
}

/**
 * An end of eth_getLogs' range, named as Lotus takes it (log-criteria.ts): left out, 'latest',
 * 'earliest' or a hex number; any other tag is refused, by the local method.
 */
function logRangeEnd(devnet: Devnet, raw: unknown): NamedBlock | undefined {
  const named = raw === undefined || raw === null || raw === '' ? 'latest' : raw;
  const lotusTakes = named === 'latest' || named === 'earliest' || (typeof named === 'string' && named.startsWith('0x'));
  return lotusTakes ? namedBlock(devnet, named) : undefined;
}

/**
 * eth_getLogs over a range: the part at or before the fork epoch from the upstream, the rest from the
 * fork, the range's width checked as a whole first. An end left out is 'latest', which on a young fork
 * names the upstream's block at the fork epoch.
 */
async function getLogs(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const filter = args[0] as Record<string, unknown> | undefined;
  if (!filter || typeof filter !== 'object') return local(args);
  if (filter.blockHash !== undefined) {
    const blockHash = parsed(() => hash('blockHash').parse(filter.blockHash));
    return blockHash ? readOfBlockHash(devnet, fork, 'eth_getLogs', blockHash, args, local) : local(args);
  }
  const from = logRangeEnd(devnet, filter.fromBlock);
  const to = logRangeEnd(devnet, filter.toBlock);
  if (!from || !to || from.epoch > fork.point.epoch) return local(args);
  checkBlockRange(from.epoch, to.epoch);
  const upstreamPart = { ...filter, fromBlock: from.upstreamParam };
  if (to.epoch <= fork.point.epoch) return fork.upstream.call('eth_getLogs', [{ ...upstreamPart, toBlock: to.upstreamParam }]);
  const [before, after] = await Promise.all([
    fork.upstream.call<unknown[]>('eth_getLogs', [{ ...upstreamPart, toBlock: quantity(fork.point.epoch) }]),
    local([{ ...filter, fromBlock: quantity(fork.point.epoch + 1) }]) as Promise<unknown[]>,
  ]);
  return [...before, ...after];
}

/** Answers `method(args)` from the upstream or with `local`, as the fork epoch divides them. */
export async function routeForkCall(devnet: Devnet, rpcMethod: RpcMethod, args: unknown[], local: Local): Promise<unknown> {
  const { fork } = devnet;
  if (!fork) return local(args);
  const forkEpoch = fork.point.epoch;
  const called = rpcMethod.name;
  const atUpstreamKey = routeTipsetKeys(devnet, fork, rpcMethod, args, local) ?? routeTipsetSelector(devnet, fork, rpcMethod, args, local);
  if (atUpstreamKey) return atUpstreamKey;
  const lookup = routeForkLookup(devnet, fork, called, args, local);
  if (lookup) return lookup;
  const method = ethereumName(called);
  if (UPSTREAM_ONLY.has(method)) return fork.upstream.call(method, args);
  if (method in BLOCK_METHODS) {
    const position = BLOCK_METHODS[method];
    // eth_getBlockReceipts takes a block hash too (EIP-1898).
    if (method === 'eth_getBlockReceipts') {
      const ref = parsed(() => parseBlockRef('block', args[position]));
      if (ref && 'hash' in ref) return readOfBlockHash(devnet, fork, method, ref.hash, args, local);
    }
    const block = namedBlock(devnet, args[position]);
    if (!block || block.epoch > forkEpoch) return local(args);
    // Trace types other than Lotus's one are refused before any block is read, so locally.
    if (method === 'trace_replayBlockTransactions' && !onlyTraceType(args[1])) return local(args);
    const upstreamArgs = args.map((arg, i) => (i === position ? block.upstreamParam : arg));
    // The fork epoch's block by its number as a tag names it (other spellings go as the client wrote them).
    const forkEpochBlock = method === 'eth_getBlockByNumber' && block.upstreamParam === quantity(forkEpoch);
    return forkEpochBlock ? fork.forkEpochBlock(upstreamArgs) : fork.upstream.call(method, upstreamArgs);
  }
  if (BY_HEIGHT.has(method)) {
    const height = args[0];
    if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0 || height > forkEpoch) return local(args);
    keptTipsetOf(devnet, tipsetKey('tipsetKey').parse(args[1])); // a key the fork does not know is still an error
    return fork.upstream.call(method, [height, fork.point.tipsetKey]);
  }
  if (method in STATE_METHODS) {
    const raw = args[STATE_METHODS[method]];
    const ref = parsed(() => parseBlockRef('block', raw));
    if (ref && 'hash' in ref) return stateAtBlockHash(devnet, fork, method, ref.hash, args, local);
    // A tag names one of the fork's tipsets, never one before the fork epoch.
    const block = namedBlock(devnet, raw);
    return block && block.epoch < forkEpoch ? fork.upstream.call(method, args) : local(args);
  }
  if (BY_HASH.has(method)) {
    const answer = await local(args);
    return answer === null ? upstreamByHash(fork, method, args, local) : answer;
  }
  if (method in LIMITED_BY_HASH) {
    const answer = await local(args);
    const limit = parsed(() => integer('limit').parse(args[1]));
    if (answer !== null || limit === undefined) return answer;
    const upstream = await upstreamByHash(fork, LIMITED_BY_HASH[method], [args[0]], async () => null);
    const epoch = blockEpochOf(upstream);
    return epoch !== undefined && !beyondLookback(epoch, limit, devnet.head.epoch) ? upstream : null;
  }
  if (BY_BLOCK_HASH.has(method)) {
    // All its parameters are checked first: a bad one (a transaction index) is the local error, not the upstream's refusal.
    const blockHash = parsed(() => rpcMethod.params.map((param, i) => param.parse(args[i])))?.[0] as Uint8Array | undefined;
    if (!blockHash) return local(args);
    const held = keptByBlockHash(devnet, blockHash);
    return held && held.epoch > forkEpoch ? local(args) : upstreamByHash(fork, method, args, local);
  }
  if (method === 'eth_getLogs') return getLogs(devnet, fork, args, local);
  if (method === 'eth_feeHistory') {
    const newest = namedBlock(devnet, args[1]);
    return newest ? feeHistory(devnet, fork, args, newest, local) : local(args);
  }
  if (method === 'Filecoin.GetActorEventsRaw') return actorEventsOnFork(devnet, fork, args, local);
  if (method === 'Filecoin.ChainGetEvents') return eventsRootOnFork(devnet, fork, args, local);
  if (method === 'trace_transaction') return traceTransaction(devnet, fork, args, local);
  if (method === 'trace_filter') return traceFilter(devnet, fork, args, local);
  if (method === 'eth_estimateGas') return estimateAtBlock(devnet, fork, args, local);
  return local(args);
}
