// A WebSocket's requests, started in the order they came. The messages of one TCP read arrive in one
// turn of the event loop; run back to back, a burst of heavy reads would hold every other client
// for as long as they all take (audit15 C2: 300 block-receipt reads, 14.7 s). So once the socket's
// work in this turn passes 10 ms the rest wait for the next turn, after other clients' requests;
// and a socket that is closing (closed for being too far behind: ws-liveness.ts) gets no more run.
// A request is started without waiting for the one before to end: a client's concurrent sends still
// go to the pool together.
import { LONG_RUN_MS } from '../fevm/run-budget.js';

export class SocketInbox {
  /** Messages not started yet, from `next` on (a started one's slot is cleared). */
  private readonly waiting: (Buffer | undefined)[] = [];
  private next = 0;
  /** When the socket's work in this turn of the event loop began; undefined before any. */
  private turnStartedAt: number | undefined;
  /** The rest wait for the next turn. */
  private deferred = false;

  constructor(
    private readonly isOpen: () => boolean,
    /** Answers one message (its own errors included). */
    private readonly run: (message: Buffer) => unknown,
  ) {}

  push(message: Buffer): void {
    this.waiting.push(message);
    if (!this.deferred) this.runWaiting();
  }

  private runWaiting(): void {
    this.deferred = false;
    while (this.next < this.waiting.length) {
      if (!this.isOpen()) break;
      if (this.turnStartedAt === undefined) {
        this.turnStartedAt = performance.now();
        setImmediate(() => (this.turnStartedAt = undefined));
      } else if (performance.now() - this.turnStartedAt >= LONG_RUN_MS) {
        this.deferred = true;
        setImmediate(() => this.runWaiting());
        return;
      }
      const message = this.waiting[this.next]!;
      this.waiting[this.next++] = undefined;
      void this.run(message);
    }
    // All started, or the socket is closing: what is left is dropped.
    this.waiting.length = 0;
    this.next = 0;
  }
}
