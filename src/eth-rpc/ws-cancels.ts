// go-jsonrpc's cancel of one request over a WebSocket. A Go client (Lotus's own API clients) whose
// call's context ends sends the notification {"method":"xrpc.cancel","params":[id]} and waits on for
// the answer (filecoin-project/go-jsonrpc 50fb7274 client.go setupRequestChan). Lotus's server
// cancels that request's handler context (websocket.go cancelCtx, sending nothing back), the handler
// returns ctx.Err(), and the answer goes out under the request's id: code 1, `context canceled`.
// The same cancel naming a channel request (ChainNotify, MpoolSub, SubscribeActorEventsRaw) ends its
// handler's context, so its channel closes (Subscriptions.cancelChannel).
// Over HTTP there is no such notification: closing the connection is the cancel.
import { RequestCancelledError } from '../common/errors.js';

/** A request's id as a cancel names it: go-jsonrpc keys its handlers by the id JSON decodes (5 and "5" differ). */
export type RequestId = string | number;

const CANCEL_METHOD = 'xrpc.cancel';

/**
 * One WebSocket's requests that a cancel can end: only those of a method that waits (RpcMethod.waits)
 * have a signal of their own here, so other requests pay nothing. Each signal aborts on a cancel
 * naming its request, or once the socket has gone (`gone`).
 */
export class WaitCancels {
  /** Every waiting request's, all aborted once the socket has gone. */
  private readonly waiting = new Set<AbortController>();
  /**
   * By id, the latest request under each; an earlier one under the same id waits on uncancellable, as
   * go-jsonrpc v0.10.1's handleCall overwrites its map's entry (websocket.go 50fb727). Lotus b835fab70
   * pins v0.10.2, not read here; a later websocket.go cancels the earlier request instead.
   */
  private readonly byId = new Map<RequestId, AbortController>();

  constructor(
    private readonly gone: AbortSignal,
    /** Ends the channel opened by request `id`, if one is open (a cancel naming no wait). */
    private readonly cancelChannel: (id: RequestId) => void,
  ) {
    gone.addEventListener('abort', () => {
      for (const own of this.waiting) own.abort(gone.reason);
    }, { once: true });
  }

  /** Runs the request `id` with a signal of its own, forgotten once it has answered. */
  async run(id: RequestId, work: (signal: AbortSignal) => unknown): Promise<unknown> {
    // What a client sent before closing still runs (server.ts), with the socket's signal, aborted.
    if (this.gone.aborted) return work(this.gone);
    const own = new AbortController();
    this.waiting.add(own);
    this.byId.set(id, own);
    try {
      return await work(own.signal);
    } finally {
      this.waiting.delete(own);
      if (this.byId.get(id) === own) this.byId.delete(id);
    }
  }

  /** Cancels the request named by an `xrpc.cancel`'s params, if it is waiting or has a channel open; as Lotus, nothing is answered. */
  cancel(params: unknown): void {
    const id = Array.isArray(params) ? params[0] : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const waiting = this.byId.get(id);
    if (waiting) waiting.abort(new RequestCancelledError());
    else this.cancelChannel(id);
  }
}

/** Whether a WebSocket message is go-jsonrpc's cancel (a single object; Lotus reads it with or without an id). */
export function isCancel(body: unknown): body is { params?: unknown } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as { method?: unknown }).method === CANCEL_METHOD;
}
