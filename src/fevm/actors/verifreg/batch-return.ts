// builtin-actors' BatchReturn (runtime/src/util/batch_return.rs): how many items of a batch
// succeeded, and the exit code of each one that failed, by index.

export interface BatchReturn {
  readonly successCount: number;
  readonly failCodes: readonly { readonly idx: number; readonly code: number }[];
}

/** Collects the outcome of each item in order. */
export class BatchResults {
  private successCount = 0;
  private readonly failCodes: { idx: number; code: number }[] = [];
  private index = 0;

  succeed(): void {
    this.successCount++;
    this.index++;
  }

  fail(code: number): void {
    this.failCodes.push({ idx: this.index++, code });
  }

  result(): BatchReturn {
    return { successCount: this.successCount, failCodes: [...this.failCodes] };
  }
}

export const allOk = (batch: BatchReturn): boolean => batch.failCodes.length === 0;

export const batchOk = (count: number): BatchReturn => ({ successCount: count, failCodes: [] });

/** The items of `items` that succeeded. */
export function successes<T>(batch: BatchReturn, items: readonly T[]): T[] {
  const failed = new Set(batch.failCodes.map((f) => f.idx));
  return items.filter((_, i) => !failed.has(i));
}

/** `[success_count, [[idx, code]…]]` */
export const batchReturnValue = (batch: BatchReturn): unknown => [batch.successCount, batch.failCodes.map(({ idx, code }) => [idx, code])];

/** As builtin-actors prints a batch in messages. */
export function batchReturnText(batch: BatchReturn): string {
  const size = batch.successCount + batch.failCodes.length;
  const summary = `Batch successes ${batch.successCount} / ${size}`;
  if (allOk(batch)) return summary;
  return `${summary}, Batch failing: [${batch.failCodes.map((f) => `code=${f.code} at idx=${f.idx}`).join(', ')}]`;
}
