// A WebSocket's requests, started in the order they came. The messages of one TCP read arrive in one
// turn of the event loop; run back to back, a burst of heavy reads would hold every other client
// for as long as they all take (audit15 C2: 300 block-receipt reads, 14.7 s). So once the socket's
// work in this turn passes 10 ms the rest wait for the next turn, after other clients' requests;
// and a socket the node cut (too far behind, or silent: ws-liveness.ts) gets no more run.
// A message starts once every request of the one before has started (a batch may take several
// turns: Dispatcher.handle), not once it is answered: a client's concurrent sends still go to the
// pool together, and its evm_mine after a batch of sends comes after them.
import { LONG_RUN_MS } from '../fevm/run-budget.js';

export class SocketInbox {
  /** Messages not started yet, oldest first. */
  private readonly waiting: Buffer[] = [];
  /** When the socket's work in this turn of the event loop began; undefined before any. */
  private turnStartedAt: number | undefined;
  private draining = false;

  constructor(
    /** False once the node has cut the socket. */
    private readonly isOpen: () => boolean,
    /** Answers one message (its own errors included); resolves once every request in it has started. */
    private readonly run: (message: Buffer) => Promise<void>,
  ) {}

  push(message: Buffer): void {
    this.waiting.push(message);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.waiting.length > 0 && this.isOpen()) {
      if (this.turnStartedAt === undefined) {
        this.turnStartedAt = performance.now();
        setImmediate(() => (this.turnStartedAt = undefined));
      } else if (performance.now() - this.turnStartedAt >= LONG_RUN_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      await this.run(this.waiting.shift()!);
    }
    // All started, or the socket is cut: what is left is dropped.
    this.waiting.length = 0;
    this.draining = false;
  }
}
