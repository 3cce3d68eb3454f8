// `fvm-devnet deal <file>`: makes a storage deal for a file on a running node, as a client would with
// Boost: the file's piece CID is computed here, the file is uploaded (PUT /piece/<cid>) so the provider
// holds the data and serves it back, and the deal is proposed (devnet_proposeDeal). The node's storage
// provider publishes it at once and seals it in the next tipsets.
import { promises as fs } from 'node:fs';
import { Command, Option } from 'commander';
import { uploadPiece } from './piece-upload.js';

interface DealAnswer {
  dealId: number;
  provider: string;
  message: { '/': string };
}

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const answer = (await res.json()) as { result?: T; error?: { message: string } };
  if (answer.error) throw new Error(answer.error.message);
  return answer.result as T;
}

const integer = (what: string) => (text: string) => {
  if (!/^\d+$/.test(text)) throw new Error(`${what} must be a whole number`);
  return Number(text);
};

export function dealCommand(defaultRpcUrl: string): Command {
  return new Command('deal')
    .description('upload a file to a running node and make a storage deal for it with one of its storage providers')
    .argument('<file>', "the data (at least 65 bytes, at most the node's --max-piece-size, 64 MiB by default)")
    .option('--rpc <url>', 'the node', defaultRpcUrl)
    .option('--client <address>', "the client (f1/f3 whose key the node holds, or a contract's 0x/f410); default: the node's deal client")
    .option('--provider <address>', 'the storage provider (t0…); default: the first whose ask accepts the deal')
    .addOption(new Option('--start-epoch <epoch>', 'when the deal starts; default: 100 epochs from now').argParser(integer('--start-epoch')))
    .addOption(new Option('--duration <epochs>', 'how long the deal lasts').default(518400, '518400, 180 days').argParser(integer('--duration')))
    .option('--price <attoFIL>', 'storage price per epoch', '0')
    .option('--verified', 'a verified deal (the client needs datacap: devnet_addVerifiedClient)')
    .action(async (file: string, opts: { rpc: string; client?: string; provider?: string; startEpoch?: number; duration: number; price: string; verified?: boolean }) => {
      const payload = await fs.readFile(file);
      const piece = await uploadPiece(opts.rpc, payload);
      const startEpoch = opts.startEpoch ?? Number(await rpc<string>(opts.rpc, 'eth_blockNumber', [])) + 100;
      const deal = await rpc<DealAnswer>(opts.rpc, 'devnet_proposeDeal', [
        {
          pieceCid: piece.cid.toString(),
          pieceSize: piece.size,
          client: opts.client,
          provider: opts.provider,
          startEpoch,
          endEpoch: startEpoch + opts.duration,
          storagePricePerEpoch: opts.price,
          verifiedDeal: Boolean(opts.verified),
        },
      ]);
      const lines = [
        `Deal ID:       ${deal.dealId}`,
        `Provider:      ${deal.provider}`,
        `Piece CID:     ${piece.cid}`,
        `Piece size:    ${piece.size} (padded)`,
        `Publish msg:   ${deal.message['/']}`,
        `Retrieval:     ${piece.url}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
