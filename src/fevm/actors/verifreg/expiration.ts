// Which allocations or claims may be removed (builtin-actors verifreg expiration.rs): a record is
// removable from its expiration epoch on (an allocation's expiration, a claim's term_start + term_max).
import { ExitCode } from '../../exit-code.js';
import { batchOk, BatchBuilder, type BatchReturn } from '../batch-return.js';
import { getOwned, type OwnedTable } from './state.js';

/**
 * For each requested ID: removable once expired (success), forbidden before, not found if the owner
 * has no such record (verifreg expiration.rs check_expired). With no IDs, every expired record of the
 * owner is considered.
 */
export function selectExpired<T>(table: OwnedTable<T>, owner: number, ids: number[], epoch: number, expiration: (record: T) => number): { considered: number[]; results: BatchReturn } {
  if (ids.length === 0) {
    const considered = [...(table.get(owner) ?? [])].filter(([, record]) => epoch >= expiration(record)).map(([id]) => id);
    return { considered, results: batchOk(considered.length) };
  }
  const results = new BatchBuilder();
  for (const id of ids) {
    const record = getOwned(table, owner, id);
    if (!record) results.fail(ExitCode.ErrNotFound);
    else if (epoch >= expiration(record)) results.succeed();
    else results.fail(ExitCode.ErrForbidden);
  }
  return { considered: ids, results: results.build() };
}

