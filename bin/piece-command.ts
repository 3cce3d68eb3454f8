// `fvm-devnet piece <file> [--upload] [--rpc <url>]`: a file's piece CID and padded size, computed
// offline; with --upload, the file is also stored on a running node (PUT /piece/<cid>).
// node:fs's `promises` loads node:fs/promises when first read: the node's start does not need it.
import { promises as fs } from 'node:fs';
import { Command } from 'commander';
import { computeFilePieceCid, pieceCidV2, type PieceInfo } from '../src/devnet/storage-providers/piece-cid.js';
import { uploadPiece } from './piece-upload.js';

function printPiece(piece: PieceInfo, payloadSize: number, uploadedTo?: string): void {
  const lines = [
    `Piece CID:     ${piece.cid}`,
    // FRC-0069's, which PDP (addPieces) and Synapse take; deals take the v1 above.
    `Piece CID v2:  ${pieceCidV2(piece, payloadSize)}`,
    `Piece size:    ${piece.size} (padded)`,
    `Payload size:  ${payloadSize} bytes`,
  ];
  if (uploadedTo) lines.push(`Uploaded:      ${uploadedTo}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function pieceCommand(defaultRpcUrl: string): Command {
  return new Command('piece')
    .description("print a file's piece CID (CommP) and padded piece size; with --upload, store it on a running node")
    .argument('<file>', "the data (at least 65 bytes; to upload, at most the node's --max-piece-size, 64 MiB by default)")
    .option('--upload', 'upload the file to a running fvm-devnet (PUT /piece/<cid>)')
    .option('--rpc <url>', 'the node to upload to', defaultRpcUrl)
    .action(async (file: string, opts: { upload?: boolean; rpc: string }) => {
      if (!opts.upload) {
        const piece = await computeFilePieceCid(file);
        printPiece(piece, piece.payloadSize);
        return;
      }
      // The node says whether the payload fits (413 over its --max-piece-size), not a fixed limit here.
      const payload = await fs.readFile(file);
      const piece = await uploadPiece(opts.rpc, payload);
      printPiece(piece, payload.length, piece.url);
    });
}
