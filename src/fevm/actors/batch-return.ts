// builtin-actors' BatchReturn (runtime/src/util/batch_return.rs): how many items of a batch
// succeeded and the exit code of each one that failed, by index; `[success_count, [[idx, code]…]]`
// in CBOR. The market, the miner and the verified registry answer batches with it.
import { list, tuple, u64 } from './params.js';

export interface BatchReturn {
  readonly successCount: number;
  readonly failCodes: readonly { readonly idx: number; readonly code: number }[];
}

const batchSize = (b: BatchReturn): number => b.successCount + b.failCodes.length;
export const allOk = (b: BatchReturn): boolean => b.failCodes.length === 0;
export const batchOk = (count: number): BatchReturn => ({ successCount: count, failCodes: [] });

/** Builds a batch return item by item, in order. */
export class BatchBuilder {
  private successCount = 0;
  private readonly failCodes: { idx: number; code: number }[] = [];

  succeed(): void {
    this.successCount++;
  }

  fail(code: number): void {
    this.failCodes.push({ idx: this.successCount + this.failCodes.length, code });
  }

  add(ok: boolean, code = 0): void {
    if (ok) this.succeed();
    else this.fail(code);
  }

  build(): BatchReturn {
    return { successCount: this.successCount, failCodes: [...this.failCodes] };
  }
}

/** The items of `items` that succeeded. */
export function successes<T>(batch: BatchReturn, items: readonly T[]): T[] {
  const failed = new Set(batch.failCodes.map((f) => f.idx));
  return items.filter((_, i) => !failed.has(i));
}

/** util::stack: a batch over the successes of the one before it, as one batch over the first one's items. */
export function stack(batches: readonly BatchReturn[]): BatchReturn {
  let base = batches[0];
  for (const next of batches.slice(1)) {
    const surviving: number[] = [];
    const failed = new Set(base.failCodes.map((f) => f.idx));
    for (let i = 0; i < batchSize(base); i++) if (!failed.has(i)) surviving.push(i);
    const failCodes = [...base.failCodes, ...next.failCodes.map((f) => ({ idx: surviving[f.idx], code: f.code }))].sort((a, b) => a.idx - b.idx);
    base = { successCount: next.successCount, failCodes };
  }
  return base;
}

export const batchValue = (b: BatchReturn): unknown => [b.successCount, b.failCodes.map((f) => [f.idx, f.code])];

export function readBatch(value: unknown, what: string): BatchReturn {
  const [count, fails] = tuple(value, 2, what);
  return {
    successCount: u64(count, `${what} success_count`),
    failCodes: list(fails, `${what} fail_codes`).map((f, i) => {
      const [idx, code] = tuple(f, 2, `${what} fail_codes[${i}]`);
      return { idx: u64(idx, 'idx'), code: u64(code, 'code') };
    }),
  };
}

/** As builtin-actors prints a batch in messages. */
export function batchText(batch: BatchReturn): string {
  const summary = `Batch successes ${batch.successCount} / ${batchSize(batch)}`;
  if (allOk(batch)) return summary;
  return `${summary}, Batch failing: [${batch.failCodes.map((f) => `code=${f.code} at idx=${f.idx}`).join(', ')}]`;
}
