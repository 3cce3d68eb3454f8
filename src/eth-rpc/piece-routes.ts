// HTTP access to the piece store, registered as an encapsulated fastify plugin (its body parser and
// error handler apply to these routes only, not to JSON-RPC):
//   GET /piece/<cid>  the payload, streamed from its file, as Boost's booster-http and Curio serve pieces
//   HEAD /piece/<cid> its headers, without reading the file
//   (both by the v1 piece CID deals use, a deal's zero-padded one included, or the v2 one, FRC-0069,
//   which PDP and Synapse use)
//   PUT /piece/<cid>  uploads a payload, streamed to disk; kept only if its CommP is <cid>
// Errors are short text bodies: 400 for a bad CID or a payload whose CommP differs, 404 for a
// piece not stored, 413 for a payload over the per-piece limit (--max-piece-size, which the store
// checks: fastify's bodyLimit binds only parsers that buffer the body), 507 Insufficient Storage when the
// store's limit (--piece-store-limit) or the disk has no room for it, or when the store's temporary
// directory cannot be made (its $TMPDIR removed under the running node). (Curio's PDP upload answers a
// storage failure with a plain 500, pdp/handlers_upload.go; 507 says which failure it is.)
import type { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { parseAnyPieceCid, parsePieceCid, PieceError } from '../devnet/storage-providers/piece-cid.js';
import { PieceStoreFullError, PieceStoreUnavailableError, PieceTooLargeError, type PieceStore, type StoredPiece } from '../devnet/storage-providers/piece-store.js';

interface PieceRoutesOptions {
  store: PieceStore;
}

/** What PUT answers, and what an uploader gets back. */
export interface PieceUploadAnswer {
  pieceCid: string;
  /** Padded piece size. */
  pieceSize: number;
  payloadSize: number;
}

const text = (reply: FastifyReply, status: number, message: string) => reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);

/** The headers GET and HEAD answer: Boost and Curio answer application/piece with the piece CID as a quoted ETag. */
const pieceHeaders = (reply: FastifyReply, piece: StoredPiece) =>
  reply.type('application/piece').header('etag', `"${piece.cid}"`).header('content-length', piece.payloadSize);

export async function pieceRoutes(app: FastifyInstance, { store }: PieceRoutesOptions): Promise<void> {
  // The body reaches the handler as the request's stream, which the store writes to disk as it comes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof PieceTooLargeError) return text(reply, 413, err.message);
    if (err instanceof PieceStoreFullError || err instanceof PieceStoreUnavailableError) return text(reply, 507, err.message);
    if (err instanceof PieceError) return text(reply, 400, err.message);
    if (err.statusCode && err.statusCode < 500) return text(reply, err.statusCode, err.message);
    return text(reply, 500, `internal error: ${err.message}`);
  });

  app.get<{ Params: { cid: string } }>('/piece/:cid', { exposeHeadRoute: false }, async (request, reply) => {
    const { cid, payloadSize } = parseAnyPieceCid(request.params.cid);
    // A v1 CID may be a deal's piece, the data zero-padded to it.
    const piece = store.get(cid) ?? (payloadSize === undefined ? await store.findPadded(cid) : undefined);
    // A v2 CID names the payload's length too: another length is another piece.
    const payload = piece && (payloadSize ?? piece.payloadSize) === piece.payloadSize ? await store.read(piece.cid) : undefined;
    if (!piece || !payload) return text(reply, 404, `piece ${request.params.cid} not found`);
    return pieceHeaders(reply, piece).send(payload);
  });

  app.head<{ Params: { cid: string } }>('/piece/:cid', async (request, reply) => {
    const { cid, payloadSize } = parseAnyPieceCid(request.params.cid);
    const piece = (await store.find(cid)) ?? (payloadSize === undefined ? await store.findPadded(cid) : undefined);
    if (!piece || (payloadSize ?? piece.payloadSize) !== piece.payloadSize) return reply.code(404).send();
    return pieceHeaders(reply, piece).send();
  });

  app.put<{ Params: { cid: string } }>('/piece/:cid', async (request) => {
    const body = request.body as Readable | undefined;
    try {
      const expected = parsePieceCid(request.params.cid);
      const length = request.headers['content-length'] === undefined ? undefined : Number(request.headers['content-length']);
      // Not destroyed when the store stops reading early: the rest is drained below, so that the
      // client, still sending, reads the answer rather than a reset connection.
      const piece = await store.put(body ? body.iterator({ destroyOnReturn: false }) : new Uint8Array(), expected, length);
      const answer: PieceUploadAnswer = { pieceCid: piece.cid.toString(), pieceSize: piece.size, payloadSize: piece.payloadSize };
      return answer;
    } catch (err) {
      body?.resume();
      throw err;
    }
  });
}
