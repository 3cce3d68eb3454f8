// --max-connections: past the cap Node drops a new connection at once (net.Server.maxConnections),
// which the client sees as a bare reset. So that a user whose tests leak providers can tell why the
// node "stopped answering", the first refusal of a burst is logged, naming the flag; the burst's
// other refusals are counted and reported once a connection is taken again.
import type { Server } from 'node:net';
import type { Logger } from 'pino';

/** Sets `server`'s cap to `maxConnections` and logs its refusals, one line per burst. */
export function capConnections(server: Server, maxConnections: number, log: Logger): void {
  server.maxConnections = maxConnections;
  let refused = 0;
  server.on('drop', () => {
    if (refused++ === 0) log.warn(`refused a connection: ${maxConnections} connections are open (--max-connections); clients that keep connections open hold the node's places`);
  });
  server.on('connection', () => {
    if (refused > 1) log.warn(`refused ${refused - 1} more connections (--max-connections ${maxConnections}) before one was taken again`);
    refused = 0;
  });
}
