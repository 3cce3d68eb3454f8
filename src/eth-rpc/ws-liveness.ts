// A WebSocket client that stops answering or stops reading must not hold the node's memory: its
// subscriptions would go on queueing notifications for it without end. So the node pings each
// socket every interval and cuts one that has not answered the previous ping (a peer gone without
// closing TCP never will), and closes a socket whose unsent data passes a limit (code 1008, its
// reason naming the flag). Either way the socket's subscriptions are freed at once.
import type { WebSocket } from 'ws';
import type { WsLiveness } from '../config.js';

function everyInterval(check: () => void, intervalMs: number): () => void {
  const timer = setInterval(check, intervalMs).unref();
  return () => clearInterval(timer);
}

/** Policy violation: what a socket too far behind is closed with. */
const WS_CLOSE_TOO_FAR_BEHIND = 1008;

/**
 * Watches `socket`; `drop` frees what it holds (it may be called before the close event, and
 * again with it). Returns how to send on the socket: nothing once it is closing, and a send that
 * leaves more than the limit unsent closes it.
 */
export function watchSocket(socket: WebSocket, { pingIntervalMs, maxBufferedBytes, repeat = everyInterval }: WsLiveness, drop: () => void): (message: string) => void {
  let answered = true;
  socket.on('pong', () => {
    answered = true;
  });
  if (pingIntervalMs > 0) {
    const stop = repeat(() => {
      if (!answered) {
        drop();
        socket.terminate();
        return;
      }
      answered = false;
      socket.ping();
    }, pingIntervalMs);
    socket.once('close', stop);
  }
  return (message) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(message);
    if (socket.bufferedAmount > maxBufferedBytes) {
      drop();
      // The close frame waits behind the unsent data; ws cuts the socket if the peer never takes it.
      socket.close(WS_CLOSE_TOO_FAR_BEHIND, `more than ${maxBufferedBytes} bytes unsent (--ws-max-buffered)`);
    }
  };
}
