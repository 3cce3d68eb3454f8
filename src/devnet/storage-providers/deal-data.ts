// A contract deal's data, received before the deal is published, as Boost receives it: the
// contract's proposal becomes an online deal whose transfer is an http download of `location_ref`,
// `car_size` bytes (boost storagemarket/contract_deal_monitor.go); the download must be that long
// (transport/httptransport/http_transport.go) and its CommP the proposal's piece CID
// (storagemarket/deal_commp.go, "commp mismatch"; data smaller than the proposal's PieceSize is
// checked zero-padded to it, as generatePieceCommitment pads it with PadCommP) before the deal is
// published. Where the download fails, a piece uploaded to the devnet (PUT /piece, `fvm-devnet
// piece --upload`) stands in, as data imported for an offline deal does in Boost. The piece lands in
// the node's piece store, so /piece/<cid> serves it (under the data's own piece CID).
import type { CID } from 'multiformats/cid';
import { paddedPieceCid, PieceError, type PieceInfo } from './piece-cid.js';
import { PieceMismatchError, type PieceStore } from './piece-store.js';

/** Where a contract says its data is (its ExtraParamsV1). */
export interface DealDataLocation {
  locationRef: string;
  carSize: number;
}

/** What the data must be: the proposal's piece. */
interface DealPiece {
  pieceCid: CID;
  pieceSize: number;
}

/**
 * Receives a deal's data into `store`: resolves with undefined once the piece is there, or with why
 * it is not (the provider then refuses the deal). A download gets `timeoutMs` in all (0: no limit);
 * `cancel` (the node closing) ends it at once, and the promise then rejects with its reason.
 */
export async function receiveDealData(store: PieceStore, piece: DealPiece, location: DealDataLocation, timeoutMs: number, cancel: AbortSignal): Promise<string | undefined> {
  cancel.throwIfAborted();
  const failure = await download(store, piece, location, timeoutMs, cancel);
  if (failure === undefined) return undefined;
  cancel.throwIfAborted();
  // Boost's offline deal: the data was imported by hand (here: uploaded), its piece the proposal's (once padded to it).
  const uploaded = await store.find(piece.pieceCid, piece.pieceSize);
  if (!uploaded) return `${failure}, and piece ${piece.pieceCid} was not uploaded to the devnet (PUT /piece/${piece.pieceCid})`;
  return uploaded.size <= piece.pieceSize ? undefined : `${failure}; piece ${piece.pieceCid} was uploaded, but its padded size is ${uploaded.size}, more than ${piece.pieceSize} as proposed`;
}

/** What a piece smaller than the proposal's is once zero-padded to its size, for a refusal's line. */
function padded(data: PieceInfo, piece: DealPiece): string {
  const cid = paddedPieceCid(data, piece.pieceSize);
  return cid ? `; zero-padded to ${piece.pieceSize}: ${cid}` : '';
}

/** The download is not what the deal says (its length). */
class TransferError extends Error {}

/** Downloads `location_ref` into the store under the proposal's piece CID: undefined once there, or why not. */
async function download(store: PieceStore, piece: DealPiece, { locationRef, carSize }: DealDataLocation, timeoutMs: number, cancel: AbortSignal): Promise<string | undefined> {
  if (!locationRef) return 'its extra params\' location_ref is empty';
  let url: URL;
  try {
    url = new URL(locationRef);
  } catch {
    return `its location_ref ${JSON.stringify(locationRef)} is no URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `its location_ref ${locationRef} is no http(s) URL`;
  // car_size 0 leaves the length to the server.
  const expected = carSize || undefined;
  // Ended by the node's close or by the timeout, whichever comes first (AbortSignal.any needs Node 20.3).
  const transfer = new AbortController();
  const close = () => transfer.abort(cancel.reason);
  cancel.addEventListener('abort', close);
  const timer = timeoutMs > 0 ? setTimeout(() => transfer.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs) : undefined;
  try {
    const response = await fetch(url, { signal: transfer.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return `cannot fetch ${locationRef}: HTTP ${response.status}`;
    }
    const header = response.headers.get('content-length');
    const length = header === null ? undefined : Number(header);
    if (expected !== undefined && length !== undefined && length !== expected) {
      await response.body.cancel();
      return `${locationRef} has ${length} bytes, not car_size ${expected}`;
    }
    const stored = await store.put(exactly(response.body, expected, locationRef), piece.pieceCid, length, piece.pieceSize);
    return stored.size <= piece.pieceSize ? undefined : `the data at ${locationRef} is piece ${stored.cid} of padded size ${stored.size}, more than ${piece.pieceSize} as proposed`;
  } catch (error) {
    if (cancel.aborted) throw cancel.reason;
    if (error instanceof PieceMismatchError) {
      return `commP mismatch: the data at ${locationRef} is piece ${error.computed.cid} (padded size ${error.computed.size}${padded(error.computed, piece)}), not ${piece.pieceCid}`;
    }
    if (error instanceof PieceError) return `the data at ${locationRef}: ${error.message}`;
    if (error instanceof TransferError) return error.message;
    if ((error as Error).name === 'TimeoutError') return `cannot fetch ${locationRef}: no answer within ${timeoutMs} ms (--request-timeout)`;
    // undici keeps the network's reason (ECONNREFUSED, ENOTFOUND) in the cause.
    const { message, cause } = error as Error & { cause?: Error & { code?: string } };
    return `cannot fetch ${locationRef}: ${message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
  } finally {
    clearTimeout(timer);
    cancel.removeEventListener('abort', close);
  }
}

/** A response body that must be `length` bytes long, if given: a TransferError past them or short of them, before the store keeps anything. */
async function* exactly(body: AsyncIterable<Uint8Array>, length: number | undefined, url: string): AsyncIterable<Uint8Array> {
  let received = 0;
  for await (const chunk of body) {
    received += chunk.length;
    if (length !== undefined && received > length) throw new TransferError(`${url} sent more than car_size ${length} bytes`);
    yield chunk;
  }
  if (length !== undefined && received !== length) throw new TransferError(`${url} sent ${received} bytes, not car_size ${length}`);
}
