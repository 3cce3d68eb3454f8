// Cross-origin access for pages served elsewhere (a dApp on a dev server at http://localhost:3000).
// @fastify/cors answers preflights (OPTIONS) and adds the CORS headers on every route of the
// server, JSON-RPC, pieces and any route added later, because it is registered before any route.
// Any origin is allowed by default, as Anvil and Hardhat node do; --allow-origin narrows that list.
//
// A narrowed list is also enforced on the server: CORS headers only stop a browser from reading an
// answer, and a "simple" cross-origin POST (text/plain, which this server parses as JSON) is sent
// without a preflight. Anvil and geth refuse such bodies (they accept JSON content types only);
// here a request whose Origin is not allowed is refused with 403 and never reaches JSON-RPC. So is
// a WebSocket handshake, which browsers make from any page without CORS (geth refuses a WebSocket
// origin outside --ws.origins the same way). A preflight from such an origin gets an answer
// without Access-Control-Allow-Origin, so the browser names the cause in its console. Requests
// without an Origin (curl, Node.js clients) and pages served by the node itself are always served.
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

const ANY_ORIGIN = '*';
/** How long a browser may reuse a preflight's answer, seconds (Chromium caps it at 7 200). */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * An origin as --allow-origin takes it: `*` (any), `null` (file: pages, sandboxed frames), or a
 * scheme, host and optional port, normalised as browsers send it (`http://LocalHost:3000/` ->
 * `http://localhost:3000`).
 */
export function parseOrigin(text: string): string {
  if (text === ANY_ORIGIN || text === 'null') return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${text} is not an origin: expected scheme://host[:port], e.g. http://localhost:3000`);
  }
  if (url.origin === 'null' || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new Error(`${text} is not an origin: expected scheme://host[:port] without a path, e.g. http://localhost:3000`);
  }
  return url.origin;
}

/** Registers CORS on `app` (before any route); `allowOrigins` empty or with `*` allows any origin. */
export async function registerCors(app: FastifyInstance, allowOrigins: readonly string[], log: Logger): Promise<void> {
  const anyOrigin = allowOrigins.length === 0 || allowOrigins.includes(ANY_ORIGIN);
  await app.register(cors, {
    origin: anyOrigin ? ANY_ORIGIN : [...allowOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT'],
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
  if (anyOrigin) return;

  const refused = new Set<string>();
  app.addHook('onRequest', async (request, reply) => {
    const { origin, host } = request.headers;
    if (origin === undefined || request.method === 'OPTIONS' || allowOrigins.includes(origin) || origin === `http://${host}`) return;
    if (!refused.has(origin)) {
      refused.add(origin);
      log.warn({ origin }, `refused requests from ${origin}: not an allowed origin (--allow-origin)`);
    }
    return reply.code(403).type('text/plain; charset=utf-8').send(`origin ${origin} is not allowed: start fvm-devnet with --allow-origin ${origin}\n`);
  });
}
