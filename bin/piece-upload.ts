// The client side of the piece store: uploading a payload to a running node with PUT /piece/<cid>.
// `fvm-devnet piece --upload` uses it, and so can any command that must store data before a deal.
import type { CID } from 'multiformats/cid';
import { computePieceCid, type PieceInfo } from '../src/devnet/storage-providers/piece-cid.js';
import type { PieceUploadAnswer } from '../src/eth-rpc/piece-routes.js';

/** Where a node serves piece `cid`: /piece/<cid> on the JSON-RPC endpoint's origin. */
export function pieceUrl(rpcUrl: string, cid: CID): string {
  return new URL(`/piece/${cid}`, rpcUrl).toString();
}

/**
 * Computes the payload's CommP, uploads it under that CID (so the node checks it) and returns the
 * piece a deal names. Throws with the node's answer if the node refuses it.
 */
export async function uploadPiece(rpcUrl: string, payload: Uint8Array): Promise<PieceInfo & { url: string }> {
  const piece = computePieceCid(payload);
  const url = pieceUrl(rpcUrl, piece.cid);
  let res: Response;
  try {
    // fetch's types want an ArrayBuffer-backed view, which payloads read from files or built in memory are.
    res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: payload as Uint8Array<ArrayBuffer> });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new Error(`cannot reach the node at ${rpcUrl}: ${cause?.message ?? (err as Error).message}`);
  }
  const body = await res.text();
  if (!res.ok) throw new Error(`the node refused piece ${piece.cid} (HTTP ${res.status}): ${body.trim()}`);
  const answer = JSON.parse(body) as PieceUploadAnswer;
  if (answer.pieceCid !== piece.cid.toString()) throw new Error(`the node stored piece ${answer.pieceCid}, expected ${piece.cid}`);
  return { ...piece, url };
}
