// HTTP access to the piece store, registered as an encapsulated fastify plugin (its body parser and
// error handler apply to these routes only, not to JSON-RPC):
//   GET /piece/<cid>  the payload, as Boost's booster-http and Curio serve pieces (HEAD too)
//   PUT /piece/<cid>  uploads a payload; kept only if its CommP is <cid>
// Errors are short text bodies: 400 for a bad CID or a payload whose CommP differs, 404 for a
// piece not stored, 413 for a payload over the store's limit.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { parsePieceCid, PieceError } from '../devnet/storage-providers/piece-cid.js';
import { PieceTooLargeError, type PieceStore } from '../devnet/storage-providers/piece-store.js';

export interface PieceRoutesOptions {
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

export async function pieceRoutes(app: FastifyInstance, { store }: PieceRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof PieceTooLargeError) return text(reply, 413, err.message);
    if (err instanceof PieceError) return text(reply, 400, err.message);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return text(reply, 413, `a piece payload may have at most ${store.maxPayloadBytes} bytes`);
    if (err.statusCode && err.statusCode < 500) return text(reply, err.statusCode, err.message);
    return text(reply, 500, `internal error: ${err.message}`);
  });

  app.get<{ Params: { cid: string } }>('/piece/:cid', async (request, reply) => {
    const cid = parsePieceCid(request.params.cid);
    const piece = store.get(cid);
    if (!piece) return text(reply, 404, `piece ${cid} not found`);
    // Boost and Curio answer application/piece with the piece CID as a quoted ETag.
    return reply
      .type('application/piece')
      .header('etag', `"${cid}"`)
      .send(Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.byteLength));
  });

  app.put<{ Params: { cid: string } }>('/piece/:cid', { bodyLimit: store.maxPayloadBytes }, async (request) => {
    const expected = parsePieceCid(request.params.cid);
    const payload = (request.body as Buffer | undefined) ?? new Uint8Array();
    const piece = store.put(payload, expected);
    const answer: PieceUploadAnswer = { pieceCid: piece.cid.toString(), pieceSize: piece.size, payloadSize: piece.bytes.length };
    return answer;
  });
}
