// Deploys the StorageNFT collection, then mints a token for data/artwork-1.txt: on fvm-devnet it
// uploads the file, has a storage provider store it (devnet_proposeDeal) and mints once the deal is
// active. With DEAL_ID (and PIECE_CID) set, it mints for that existing deal instead, as on calibnet.
// `npm run deploy` (with `npx fvm-devnet` running).
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CID } from 'multiformats/cid';
import { DEVNET_URL, compile, connect, deploy, marketDeal, send, until } from '../lib/devnet.mjs';

/** The example's files and their piece CIDs, as `npx fvm-devnet piece data/<file>` prints them. */
export const ARTWORKS = [
  { file: 'data/artwork-1.txt', cid: 'baga6ea4seaqdnme3komko54ozlpv22oxo2dvooh573h265knwi7a6uub2wqh4dy' },
  { file: 'data/artwork-2.txt', cid: 'baga6ea4seaqcb3wl55ctjej4o5oyl73hgp4zspp6yogpqz75gqrj4ikq744y2ga' },
];

export async function deployCollection(signer, contracts) {
  return deploy(signer, contracts, 'StorageNFT', ['Stored Artworks', 'STORED']);
}

/**
 * Stores an artwork with a storage provider of fvm-devnet: uploads the file (PUT /piece/<cid>, as a
 * client hands data to a provider) and proposes a deal for it (devnet_proposeDeal); resolves with
 * the deal ID once the provider has sealed it.
 */
export async function storeOnDevnet(rpc, { file, cid }) {
  const bytes = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)));
  const upload = await fetch(`${DEVNET_URL}/piece/${cid}`, { method: 'PUT', body: bytes });
  if (!upload.ok) throw new Error(`upload of ${file} failed: ${upload.status} ${await upload.text()}`);
  const { dealId } = await rpc('devnet_proposeDeal', [{ pieceCid: cid }]);
  await until(`deal ${dealId} to be sealed`, async () => ((await marketDeal(rpc, dealId))?.State.SectorStartEpoch > 0 ? true : undefined));
  return dealId;
}

/** The token's metadata URI: here simply the piece, served by the provider. */
export const tokenUri = (cid) => `${DEVNET_URL}/piece/${cid}`;

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { signer, rpc, close } = connect();
  const owner = signer(0);
  const collection = await deployCollection(owner, compile());
  console.log(`StorageNFT ${await collection.getAddress()}`);
  const artwork = process.env.PIECE_CID ? { cid: process.env.PIECE_CID } : ARTWORKS[0];
  const dealId = process.env.DEAL_ID ? Number(process.env.DEAL_ID) : await storeOnDevnet(rpc, artwork);
  await send(collection.mint(owner.address, dealId, CID.parse(artwork.cid).bytes, tokenUri(artwork.cid)));
  console.log(`token ${dealId} minted to ${owner.address}, backed by deal ${dealId} (${artwork.cid})`);
  close();
}
