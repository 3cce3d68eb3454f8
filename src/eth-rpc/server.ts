// The HTTP and WebSocket server: JSON-RPC on POST / (and /rpc/v0, /rpc/v1, /rpc/v2, Lotus's paths), WebSocket on
// the same paths, CORS on every route (cors.ts), and the explorer page for a browser's GET /
// (explorer-routes.ts). Built without listening, so tests can inject requests.
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { DevnetError, InvalidRequestError, ParseError } from '../common/errors.js';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_BATCH_RESPONSE_BYTES, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_FILTERS, DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WS_LIVENESS, type WsLiveness } from '../config.js';
import type { Devnet } from '../devnet/devnet.js';
import { SELF_HEADER } from '../devnet/fork/upstream.js';
import { BatchAnswer } from './batch-answer.js';
import { capConnections } from './connection-cap.js';
import { registerCors } from './cors.js';
import { drainRefusedBody } from './refused-body.js';
import { ExplorerFiles, explorerRoutes, wantsExplorerPage } from './explorer-routes.js';
import { pieceRoutes } from './piece-routes.js';
import type { LoggingSwitch, RpcContext, RpcMethod } from './define-method.js';
import { Dispatcher, type CallObserver, type JsonRpcResponse } from './dispatch.js';
import { toJsonRpcError } from './errors.js';
import { droppedTipsets } from './dropped-tipsets.js';
import { Filters } from './filters.js';
import { keptLogs } from './logs.js';
import { allMethods, v0Methods, v2Methods } from './methods/index.js';
import { withoutPaychManager } from './methods/filecoin-paych.js';
import { SubscriptionCount, Subscriptions } from './subscriptions.js';
import { withLookbackCap } from './gateway-lookback.js';
import { GATEWAY_METHODS, V0_GATEWAY_FORMS, V2_GATEWAY_FORMS } from './gateway-methods.js';
import { withDiscover } from './methods/rpc-discover.js';
import { withGatewayPushes } from './gateway-pushes.js';
import { withGatewayStatefulCalls } from './gateway-stateful.js';
import { answerJson } from './plain-json.js';
import { isListAnswer, ListAnswers } from './list-answers.js';
import { isCancel, WaitCancels } from './ws-cancels.js';
import { SocketInbox } from './ws-inbox.js';
import { watchSocket } from './ws-liveness.js';

// /rpc/v0 is where the lotus CLI connects; the devnet answers it as /rpc/v1 but for the Msig*
// builders, which v0 pushes (v0Methods). /rpc/v2 is Lotus's v2 API: tipsets chosen by selectors.
const V0_PATH = '/rpc/v0';
const V2_PATH = '/rpc/v2';
const PATHS = ['/', V0_PATH, '/rpc/v1', V2_PATH];
/** What fastify sends with a JSON answer it serialises itself. */
const JSON_TYPE = 'application/json; charset=utf-8';

interface ServerOptions {
  log: Logger;
  observe?: CallObserver;
  logging?: LoggingSwitch;
  /** Origins browsers may call from (--allow-origin); empty: any. */
  allowOrigins?: readonly string[];
  /** Serve the explorer page at GET / (--no-explorer turns it off). */
  explorer?: boolean;
  /** Largest request body or WebSocket message, in bytes (--max-body-size). */
  maxBodyBytes?: number;
  /** Most requests in one batch (--max-batch). */
  maxBatch?: number;
  /** Most bytes of answers to one batch (--max-batch-bytes). */
  maxBatchResponseBytes?: number;
  /** Most polling filters on the node (--max-filters). */
  maxFilters?: number;
  /** Most WebSocket subscriptions on the node (--max-subscriptions). */
  maxSubscriptions?: number;
  /** Time allowed to receive a request's headers and body, ms; 0: none (--request-timeout). */
  requestTimeoutMs?: number;
  /** Most TCP connections open at once (--max-connections). */
  maxConnections?: number;
  /** Answer only the Filecoin.* methods a Lotus gateway serves (--gateway-only). */
  gatewayOnly?: boolean;
  /** Serve Lotus's payment channel manager; false: every Paych* call answers ErrPaymentChannelDisabled (--no-paych-manager). */
  paychManager?: boolean;
  /** WebSocket pings and the most unsent bytes a socket may hold (--ws-ping-interval, --ws-max-buffered). */
  wsLiveness?: WsLiveness;
}

const inGateway = (method: RpcMethod) =>
  !method.name.startsWith('Filecoin.') || GATEWAY_METHODS.has(method.name) || V0_GATEWAY_FORMS.has(method.name) || V2_GATEWAY_FORMS.has(method.name);

/**
 * With --gateway-only, no Filecoin.* method outside the gateway's set, the gateway's lookback cap,
 * filters and subscriptions per WebSocket only, and sends pushed untrusted; on every path, as Lotus's
 * v2 proxy checks the eth_ methods as its v1 proxy does (gateway/proxy_v2.go) and withLookbackCap
 * leaves v2's selectors alone.
 */
function gatewayFilter(methods: RpcMethod[], gatewayOnly: boolean) {
  return gatewayOnly ? methods.filter(inGateway).map((m) => withGatewayStatefulCalls(withLookbackCap(withGatewayPushes(m)))) : methods;
}

/**
 * /rpc/v0's Filecoin.* methods outside the gateway, as a Lotus gateway answers them: it registers v0's
 * whole API (gateway/handler.go: v0's wrapper over a v1 proxy holding the gateway's methods only), so
 * the others are found, their params checked by go-jsonrpc, and answered by the proxy's empty slot:
 * api.ErrNotSupported, code 1 `method not supported` (HTTP 200), on a fork too, whatever tipset they
 * name. Left out of rpc.discover, as the gateway's Discover lists its own methods.
 */
function notSupportedOnGateway(methods: RpcMethod[]): RpcMethod[] {
  return methods
    // eth_sendTransaction's alias is the devnet's own: Lotus has no such method to find.
    .filter((method) => !inGateway(method) && method.name !== 'Filecoin.EthSendTransaction')
    .map(({ name, params, channel }): RpcMethod => ({
      name,
      params,
      channel,
      neverForwarded: true,
      handler: () => {
        throw new DevnetError('method not supported');
      },
    }));
}

/**
 * A single request's "method not found", which a Lotus gateway (go-jsonrpc's rpcError) sends with
 * HTTP 500; --gateway-only does the same. The normal devnet keeps HTTP 200, which Ethereum tools expect.
 */
function isMethodNotFound(answer: JsonRpcResponse | BatchAnswer): boolean {
  return !(answer instanceof BatchAnswer) && 'error' in answer && answer.error.code === -32601;
}

/**
 * The signal of the connection `socket`, aborted once it closes: an HTTP client drops a request it
 * gave up on (a timeout of its own, Ctrl-C) by closing its connection, so that work done for it
 * alone stops (RpcContext.signal).
 */
function clientGone(socket: Socket): AbortSignal {
  const gone = new AbortController();
  // Each of the connection's waits (StateWaitMsg) listens to it until it answers: Node's "possible
  // memory leak" warning past 10 listeners would be false for 11 pipelined waits.
  setMaxListeners(0, gone.signal);
  if (socket.destroyed) gone.abort();
  else socket.once('close', () => gone.abort());
  return gone.signal;
}

/**
 * Node's HTTP timeouts for a request that must arrive within `requestTimeoutMs` (B10 of audit14: a body
 * that trickles in was held forever, as fastify turns Node's 300 s off). The headers' own limit (Node's
 * 60 s) may not exceed it, and the connections are checked often enough for the limit to bite on time
 * (Node checks every 30 s by default). A WebSocket leaves the HTTP server's checks once upgraded.
 */
function httpTimeouts(requestTimeoutMs: number) {
  if (requestTimeoutMs === 0) return { requestTimeout: 0 };
  return { requestTimeout: requestTimeoutMs, headersTimeout: Math.min(60_000, requestTimeoutMs), connectionsCheckingInterval: Math.min(30_000, Math.max(100, requestTimeoutMs / 10)) };
}

export async function buildServer(
  devnet: Devnet,
  {
    log,
    observe,
    logging = { enabled: true },
    allowOrigins = [],
    explorer = true,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    maxBatch = DEFAULT_MAX_BATCH,
    maxBatchResponseBytes = DEFAULT_MAX_BATCH_RESPONSE_BYTES,
    maxFilters = DEFAULT_MAX_FILTERS,
    maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS,
    requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
    maxConnections = DEFAULT_MAX_CONNECTIONS,
    gatewayOnly = false,
    paychManager = true,
    wsLiveness = DEFAULT_WS_LIVENESS,
  }: ServerOptions,
): Promise<FastifyInstance> {
  const timeouts = httpTimeouts(requestTimeoutMs);
  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes, requestTimeout: timeouts.requestTimeout, http: timeouts });
  // File descriptors stay for --state's saves; a refusal is logged (connection-cap.ts).
  capConnections(app.server, maxConnections, log);
  const served = (methods: RpcMethod[]) => gatewayFilter(paychManager ? methods : withoutPaychManager(methods), gatewayOnly);
  const v0Served = gatewayOnly ? [...withDiscover(served(v0Methods)), ...notSupportedOnGateway(v0Methods)] : withDiscover(served(v0Methods));
  const v0 = new Dispatcher(v0Served, log, observe, maxBatch, maxBatchResponseBytes);
  const v1 = new Dispatcher(withDiscover(served(allMethods)), log, observe, maxBatch, maxBatchResponseBytes);
  const v2 = new Dispatcher(withDiscover(served(v2Methods)), log, observe, maxBatch, maxBatchResponseBytes);
  const filters = new Filters(devnet, { maxFilters });
  // Both hear every revert from the start: the dropped tipsets, to keep what a revert drops answerable by
  // hash, and the kept logs, to let go of its tipsets' (made while it runs, its listeners would miss it).
  droppedTipsets(devnet);
  keptLogs(devnet);
  const subscriptionCount = new SubscriptionCount(maxSubscriptions);
  const answerText = (answer: JsonRpcResponse | BatchAnswer) => (answer instanceof BatchAnswer ? answer.json() : answerJson(answer));
  const listAnswers = new ListAnswers();
  const errorBody = (err: unknown) => ({ jsonrpc: '2.0', id: null, error: toJsonRpcError(err, log) });
  // Each HTTP connection's requests share one context, made with its first request: a request pays
  // a lookup, not an object, a signal and a 'close' listener of its own.
  const httpContexts = new WeakMap<Socket, RpcContext>();
  const httpContext = (socket: Socket) => {
    let ctx = httpContexts.get(socket);
    if (!ctx) httpContexts.set(socket, (ctx = { devnet, filters, logging, nodeSubscriptions: subscriptionCount, signal: clientGone(socket) }));
    return ctx;
  };

  // Parse JSON ourselves: a malformed body is a JSON-RPC parse error, not an HTTP 400. Whatever the
  // content type; JSON's own is named too, because fastify caches the parser it finds for a named
  // type but parses the Content-Type header again on every request the catch-all takes.
  app.removeAllContentTypeParsers();
  const asString = (_req: FastifyRequest, body: string, done: (err: null, body: string) => void) => done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, asString);
  app.addContentTypeParser('*', { parseAs: 'string' }, asString);
  // Fastify's own refusals of a request (4xx) are bad requests; anything else is a devnet bug: -32603, logged.
  app.setErrorHandler((err: { code?: string; statusCode?: number; message: string }, request, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const tooLarge = new InvalidRequestError(`request body too large (max ${maxBodyBytes} bytes, --max-body-size)`);
      drainRefusedBody(request.raw, maxBodyBytes, () => reply.code(200).send(errorBody(tooLarge)));
      return reply;
    }
    const refused = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500;
    return reply.code(200).send(errorBody(refused ? new InvalidRequestError(err.message) : err));
  });
  // At shutdown each WebSocket client is told the node is going away (1001, RFC 6455) before the
  // plugin's own hook closes them without a code (1005). Added first, so it runs first.
  app.addHook('preClose', (done) => {
    for (const client of app.websocketServer.clients) client.close(1001, 'the node is shutting down');
    done();
  });
  // A larger WebSocket message closes the socket (code 1009): ws refuses it before it is read.
  await app.register(websocket, { options: { maxPayload: maxBodyBytes } });
  // Before any route, so that its hooks cover them all; after the WebSocket plugin, whose hooks
  // close the socket of a handshake refused with 403.
  await registerCors(app, allowOrigins, log);
  await app.register(pieceRoutes, { store: devnet.pieces });
  const explorerFiles = explorer ? new ExplorerFiles() : undefined;
  if (explorerFiles) await app.register(explorerRoutes, { files: explorerFiles });

  /**
   * Sends an answer's JSON text as fastify would send the object, without its serialising step per
   * request; a list answer's bytes are written into memory reused once the socket has taken them.
   */
  const sendAnswer = (reply: FastifyReply, answer: JsonRpcResponse | BatchAnswer | undefined) => {
    if (answer === undefined) return reply.code(204).send();
    if (gatewayOnly && isMethodNotFound(answer)) reply.code(500);
    if (answer instanceof BatchAnswer || !isListAnswer(answer)) return reply.type(JSON_TYPE).send(answerText(answer));
    const bytes = listAnswers.write(answer);
    reply.raw.once('finish', () => listAnswers.release(bytes));
    return reply.type(JSON_TYPE).send(bytes);
  };

  // Not an async handler: the answer is sent from the dispatcher's own promise, without the hops
  // fastify takes to settle a handler's promise that resolves to the reply. A failure (an answer
  // JSON cannot encode) reaches the error handler, as a rejected handler's would.
  const post = (dispatcher: Dispatcher) => (request: FastifyRequest, reply: FastifyReply) => {
    // The name goes back with the 508, which tells the asking fork its upstream is itself (a 508 without it is a host's or proxy's).
    if (request.headers[SELF_HEADER] === devnet.upstreamName) {
      reply.code(508).header(SELF_HEADER, devnet.upstreamName).send(errorBody(new DevnetError('this node is the fork\'s upstream: a node cannot fork itself')));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(String(request.body ?? ''));
    } catch {
      reply.send(errorBody(new ParseError('parse error: the request body is not valid JSON')));
      return;
    }
    dispatcher
      .handle(body, httpContext(request.raw.socket))
      .then((answer) => sendAnswer(reply, answer))
      .catch((err: unknown) => reply.send(err));
  };

  for (const url of PATHS) {
    const dispatcher = url === V0_PATH ? v0 : url === V2_PATH ? v2 : v1;
    app.post(url, post(dispatcher));
    app.route({
      method: 'GET',
      url,
      handler: (request, reply) => {
        if (explorerFiles && url === '/' && wantsExplorerPage(request)) return explorerFiles.send(reply, 'index.html');
        return reply.send(errorBody(new InvalidRequestError('send JSON-RPC requests with POST, or open a WebSocket')));
      },
      wsHandler: (socket) => {
        // Cut by the node (too far behind, or silent): what the socket sent and has not started is
        // dropped. A client's own close is not a cut: what it sent before closing runs, as in geth.
        let cut = false;
        const send = watchSocket(socket, wsLiveness, () => {
          cut = true;
          subscriptions.close();
        });
        const subscriptions = new Subscriptions(devnet, send, subscriptionCount, filters);
        // Its requests' work that is for the client alone (a replay, a reset) stops once it has gone.
        const gone = new AbortController();
        // A wait sent as a notification or with `"id": null` has no id to cancel it by: it listens
        // here, so the warning past 10 listeners would be false, as on an HTTP connection.
        setMaxListeners(0, gone.signal);
        const cancels = new WaitCancels(gone.signal, (id) => subscriptions.cancelChannel(id));
        const inbox = new SocketInbox(
          () => !cut,
          (data: Buffer) => {
            let body: unknown;
            try {
              body = JSON.parse(data.toString());
            } catch {
              send(JSON.stringify(errorBody(new ParseError('parse error: the message is not valid JSON'))));
              return Promise.resolve();
            }
            if (isCancel(body)) {
              cancels.cancel(body.params);
              return Promise.resolve();
            }
            return new Promise<void>((started) => {
              dispatcher.handle(body, { devnet, filters, subscriptions, nodeSubscriptions: subscriptionCount, logging, signal: gone.signal, cancels }, started).then(
                (answer) => answer !== undefined && send(answerText(answer)),
                (err: unknown) => {
                  started();
                  send(JSON.stringify(errorBody(err)));
                },
              );
            });
          },
        );
        socket.on('message', (data: Buffer) => inbox.push(data));
        socket.on('close', () => {
          subscriptions.close();
          // A gateway's filters are its connections' (gateway-stateful.ts).
          if (gatewayOnly) subscriptions.uninstallFilters();
          gone.abort();
        });
      },
    });
  }
  return app;
}
