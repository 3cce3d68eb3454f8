/** Runs tasks one at a time, in the order they were queued: the devnet's single writer. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Tasks queued and not settled yet. */
  private pending = 0;
  /** Of those, the reads (`read`); and the answers of reads that settled while more reads waited. */
  private reads = 0;
  private heldAnswers: (() => void)[] = [];
  private flushScheduled = false;
  /** Told when the last task queued settles (`quiet`). */
  private idleWaiters: (() => void)[] = [];

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.enqueue(this.tail, () => {
      // The reads before this task are answered now, not after it.
      this.answerHeldReads();
      return task();
    });
  }

  /**
   * Like run, for a task that only reads (eth_call). Calls that concurrent clients sent together run
   * back to back and are answered together: on an idle queue a read starts only once the event loop
   * has taken in the requests that are ready now (setImmediate), and its answer waits for the reads
   * queued after it, up to the next write. Interleaved with parsing and answering HTTP requests, a
   * call finds the EVM's code and data gone from the CPU's caches and costs about half as much again
   * (README, "Where an eth_call spends its time"). An answer is held only while the reads after it
   * run without a pause: once the event loop gets a turn (a read waiting on a fork's upstream, say),
   * the held answers go out. Tasks queued after a read, reads or writes, still run after it.
   */
  read<T>(task: () => Promise<T>): Promise<T> {
    const start = this.pending === 0 ? new Promise((resolve) => setImmediate(resolve)) : this.tail;
    this.reads++;
    return new Promise<T>((resolve, reject) => {
      this.enqueue(start, task).then(
        (value) => this.answer(() => resolve(value)),
        (error) => this.answer(() => reject(error)),
      );
    });
  }

  /**
   * Resolves once nothing is queued or running, a turn of the event loop after the last task
   * settled, or once `maxWaitMs` have passed if that comes first: work that may wait (a replay's
   * next slice: replay.ts) then queues behind every other client's task, the next step of one that
   * takes several too (a send's estimate runs, its admission, its tipset), which queues within that
   * turn. The bound keeps a queue that is never quiet (clients looping calls) from holding that work
   * back until they stop (review R4).
   */
  async quiet(maxWaitMs = Infinity): Promise<void> {
    const deadline = performance.now() + maxWaitMs;
    do {
      if (this.pending > 0 && !(await this.idleBefore(deadline))) return;
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.pending > 0 && performance.now() < deadline);
  }

  /** Resolves true once the last task queued settles, false if `deadline` (performance.now()) comes first. */
  private idleBefore(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const idle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const late = () => {
        this.idleWaiters.splice(this.idleWaiters.indexOf(idle), 1);
        resolve(false);
      };
      const timer = deadline === Infinity ? undefined : setTimeout(late, Math.max(0, deadline - performance.now()));
      this.idleWaiters.push(idle);
    });
  }

  /** Gives a read's answer, or holds it while more reads wait (read). */
  private answer(give: () => void): void {
    this.reads--;
    if (this.reads > 0) {
      this.scheduleFlush();
      this.heldAnswers.push(give);
      return;
    }
    this.answerHeldReads();
    give();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.answerHeldReads();
    });
  }

  private answerHeldReads(): void {
    for (const answer of this.heldAnswers.splice(0)) answer();
  }

  private enqueue<T>(after: Promise<unknown>, task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = after.then(task);
    const settled = () => {
      if (--this.pending === 0 && this.idleWaiters.length > 0) for (const idle of this.idleWaiters.splice(0)) idle();
    };
    // The queue goes on after a failed task; the failure reaches only its caller.
    this.tail = result.then(settled, settled);
    return result;
  }
}
