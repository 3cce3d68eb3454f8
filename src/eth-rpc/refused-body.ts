// A request body refused for its size (--max-body-size) is read to its end and dropped before the
// answer goes out. Fastify refuses it on its Content-Length, before reading it, and closes the
// connection after answering; closed with the client's bytes unread, the socket is reset, and a
// client that writes its whole body before reading (fetch, ethers, curl) gets EPIPE or ECONNRESET
// instead of the -32600 answer (readme1 M3, session 40). Bounded: past DRAIN_FACTOR times the limit
// the answer goes at once, and the time a body may take is --request-timeout's, as for any request.
import type { IncomingMessage } from 'node:http';

/** How much of a refused body is read and dropped, in multiples of --max-body-size, before answering anyway. */
const DRAIN_FACTOR = 4;

/** Reads and drops what is left of `request`'s body, up to DRAIN_FACTOR × `maxBodyBytes` bytes, then calls `answer` once. */
export function drainRefusedBody(request: IncomingMessage, maxBodyBytes: number, answer: () => void): void {
  if (request.complete || request.destroyed) return answer();
  const bound = DRAIN_FACTOR * maxBodyBytes;
  let read = 0;
  const done = () => {
    request.off('data', onData).off('end', done).off('close', done);
    answer();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > bound) done();
  };
  request.on('data', onData).once('end', done).once('close', done);
  request.resume();
}
