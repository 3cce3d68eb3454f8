/** Runs tasks one at a time, in the order they were queued: the devnet's single writer. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The queue goes on after a failed task; the failure reaches only its caller.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
