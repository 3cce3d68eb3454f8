// On a fork, Lotus's traces (trace_transaction, trace_filter) of what the upstream executed at or
// before the fork epoch are the upstream's, as it answers them; what the upstream included after
// the fork epoch is not the fork's, and the fork's own messages are traced locally. (trace_block and
// trace_replayBlockTransactions go by their block's number: fork-routes.ts.)
import { quantity } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import { UpstreamAnswerError } from '../devnet/fork/upstream.js';
import { parsed, unlessUnknown, type Local } from './fork-lookups.js';
import { parseTraceFilter, tooManyTraces, TRACE_FILTER_MAX_RESULTS, type TraceFilter } from './methods/trace.js';
import { hash, parseObject } from './params.js';

/**
 * trace_transaction of a transaction the fork does not hold: Lotus traces it in the block that
 * included it, so the upstream's traces count when that block is at or before the fork epoch.
 */
export async function traceTransaction(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const txHash = parsed(() => hash('transactionHash').parse(args[0]));
  if (!txHash || devnet.chain.messageByTxHash(txHash) || devnet.pendingTransaction(txHash)) return local(args);
  const tx = await unlessUnknown(fork.upstream.call<{ blockNumber: string | null } | null>('eth_getTransactionByHash', [args[0]]));
  if (!tx?.blockNumber || Number(tx.blockNumber) > fork.point.epoch) return local(args);
  return fork.upstream.call('trace_transaction', args);
}

/** The upstream's trace_filter criteria for the part of `filter` at or before the fork epoch, numbers in hex as Lotus reads them. */
function upstreamCriteria(raw: Record<string, unknown>, filter: TraceFilter, forkEpoch: number): Record<string, unknown> {
  return {
    ...raw,
    fromBlock: quantity(filter.fromBlock),
    toBlock: quantity(Math.min(filter.toBlock, forkEpoch)),
    after: filter.after === undefined ? undefined : quantity(filter.after),
    count: filter.count === undefined ? undefined : quantity(filter.count),
  };
}

/** The limit a Lotus upstream names when it refuses a trace_filter count above its EthTraceFilterMaxResults. */
function refusedCountLimit(error: unknown): number | undefined {
  if (!(error instanceof UpstreamAnswerError)) return undefined;
  const limit = /^invalid response count, requested \d+, maximum supported is (\d+)$/.exec(error.rpcMessage);
  return limit ? Number(limit[1]) : undefined;
}

/**
 * How many traces the upstream matches with `criteria`, counted up to `limit` in pages: of Lotus's
 * default EthTraceFilterMaxResults, or of the smaller limit an upstream set names when it refuses that.
 */
async function upstreamMatchCount(fork: Fork, criteria: Record<string, unknown>, limit: number): Promise<number> {
  let counted = 0;
  let pageSize = TRACE_FILTER_MAX_RESULTS;
  while (counted < limit) {
    const page = Math.min(limit - counted, pageSize);
    let found: unknown[];
    try {
      found = await fork.upstream.call<unknown[]>('trace_filter', [{ ...criteria, after: quantity(counted), count: quantity(page) }]);
    } catch (error) {
      const upstreamLimit = refusedCountLimit(error);
      if (upstreamLimit === undefined || upstreamLimit < 1 || upstreamLimit >= page) throw error;
      pageSize = upstreamLimit;
      continue;
    }
    counted += found.length;
    if (found.length < page) break;
  }
  return counted;
}

/**
 * trace_filter from a block at or before the fork epoch: the upstream's traces up to the fork epoch,
 * then the fork's own, `after` and `count` counting through both as through one chain.
 */
export async function traceFilter(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const forkEpoch = fork.point.epoch;
  const raw = parsed(() => parseObject('filter', args[0]));
  const filter = raw && parsed(() => parseTraceFilter(devnet, raw));
  // A bad filter, or a count the node refuses or answers with nothing, is the local answer.
  if (!raw || !filter || filter.fromBlock > forkEpoch || filter.count === 0 || (filter.count ?? 0) > TRACE_FILTER_MAX_RESULTS) return local(args);
  const criteria = upstreamCriteria(raw, filter, forkEpoch);
  const before = await fork.upstream.call<unknown[]>('trace_filter', [criteria]);
  if (filter.toBlock <= forkEpoch) return before;
  const { after = 0, count } = filter;
  if (count !== undefined && before.length === count) return before;
  // The upstream's matches that `after` skipped: all it had when it answered some, else (it had no more than `after`) counted.
  const skipped = before.length > 0 || after === 0 ? after : await upstreamMatchCount(fork, criteria, after);
  const rest = (await local([
    {
      ...raw,
      fromBlock: quantity(forkEpoch + 1),
      after: quantity(after - skipped),
      count: count === undefined ? undefined : quantity(count - before.length),
    },
  ])) as unknown[];
  const traces = [...before, ...rest];
  if (count === undefined && traces.length > TRACE_FILTER_MAX_RESULTS) throw tooManyTraces();
  return traces;
}
