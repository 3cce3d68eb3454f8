// Lotus's lookback limits on finding a mined message (chain/stmgr/searchwait.go SearchForMessage)
// and on a block's receipts (node/impl/eth/transaction.go EthGetBlockReceiptsLimited): what the
// *Limited methods take, and a gateway passes its own 20 epochs as.
import { DevnetError } from '../common/errors.js';
import type { Tipset } from '../mining/tipset.js';

/** Lotus's api.LookbackNoLimit: search the whole chain. */
export const NO_LIMIT = -1;

/** Whether a message found at `epoch` is more than `limit` epochs before the tipset searched from, `from` (not found then). */
export function beyondLookback(epoch: number, limit: number, from: number): boolean {
  return limit !== NO_LIMIT && epoch + limit < from;
}

/** Refuses the receipts of a tipset more than `limit` epochs below the head (any limit but a negative one). */
export function checkReceiptsLookback(tipset: Tipset, limit: number, head: Tipset): void {
  if (limit > NO_LIMIT && tipset.epoch < head.epoch - limit) {
    throw new DevnetError(`tipset {${tipset.blockCid.toString()}} is older than the allowed lookback limit`);
  }
}
