// On a fork, eth_feeHistory over a range reaching the fork epoch: the blocks at or before it are the
// upstream's (its own eth_feeHistory of them), those after it the fork's, joined as one answer.
import { quantity } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import { parsed, type Local } from './fork-lookups.js';
import type { NamedBlock } from './fork-routes.js';
import { feeHistoryBlockCount, MAX_FEE_HISTORY_BLOCKS, percentilesRefused, rewardPercentiles } from './methods/eth-execution.js';

/** eth_feeHistory's answer. */
interface FeeHistory {
  oldestBlock: string;
  baseFeePerGas: string[];
  gasUsedRatio: number[];
  reward?: string[][];
}

/**
 * eth_feeHistory(count, newest, percentiles) with `newest` named on the fork: the upstream's answer
 * when it is at or before the fork epoch; else the fork's tipsets after the fork epoch, and, when the
 * count reaches further back, the upstream's up to the fork epoch before them.
 */
export async function feeHistory(devnet: Devnet, fork: Fork, args: unknown[], newest: NamedBlock, local: Local): Promise<unknown> {
  const count = parsed(() => feeHistoryBlockCount.parse(args[0]));
  const percentiles = args[2] === undefined || args[2] === null ? [] : parsed(() => rewardPercentiles.parse(args[2]));
  const percentilesOk = percentiles !== undefined && percentilesRefused(percentiles) === undefined;
  // Bad parameters, and a newest block beyond the head, get the local error.
  if (count === undefined || count < 1 || count > MAX_FEE_HISTORY_BLOCKS || !percentilesOk || newest.epoch > devnet.head.epoch) return local(args);
  const forkEpoch = fork.point.epoch;
  const upstreamPart = (blocks: number, upTo: unknown) => fork.upstream.call<FeeHistory>('eth_feeHistory', [quantity(blocks), upTo, ...args.slice(2)]);
  if (newest.epoch <= forkEpoch) return upstreamPart(count, newest.upstreamParam);
  const own = devnet.chain.lastUpTo(newest.epoch, count).filter((t) => t.epoch > forkEpoch).length;
  if (own === count) return local(args);
  const [before, after] = await Promise.all([upstreamPart(count - own, quantity(forkEpoch)), local([quantity(own), ...args.slice(1)]) as Promise<FeeHistory>]);
  return {
    oldestBlock: before.oldestBlock,
    // The upstream's last base fee stands for the block after the fork epoch's: the fork's part gives that block's own.
    baseFeePerGas: [...before.baseFeePerGas.slice(0, -1), ...after.baseFeePerGas],
    gasUsedRatio: [...before.gasUsedRatio, ...after.gasUsedRatio],
    ...(after.reward ? { reward: [...(before.reward ?? []), ...after.reward] } : {}),
  };
}
