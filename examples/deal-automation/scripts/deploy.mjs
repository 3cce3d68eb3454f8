// Uploads the example's dataset, deploys ReplicaKeeper for it, funds its market escrow and runs its first
// maintain(), which proposes one deal per replica. `npm run deploy` (with `npx fvm-devnet` running).
// PIECE_CID / PIECE_SIZE / CAR_SIZE name another piece (`npx fvm-devnet piece <file> --upload` prints
// them: piece CID, piece size, payload size); LOCATION_REF says where providers download it from
// (default: the node's /piece/<cid>, where the upload put it).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CID } from 'multiformats/cid';
import { parseEther } from 'ethers';
import { compile, connect, deploy, DEVNET_URL, send } from '../lib/devnet.mjs';

/** The example's data: `npx fvm-devnet piece data/dataset.txt` prints this piece CID and size, and its payload size (carSize). */
export const DATASET = { cid: 'baga6ea4seaqjh6voplfpga4pgejkqhkmowgom53ra37ztxccnuzuk7liyhs52ja', size: 512, carSize: 383 };
/** 180 days of 30-second epochs: the shortest deal the market accepts. */
export const MIN_DEAL_DURATION = 518_400;

/**
 * Uploads data/dataset.txt to the node's piece store, as `npx fvm-devnet piece data/dataset.txt
 * --upload` does: the node then serves it at /piece/<cid>, the location the keeper's proposals give
 * (getExtraParams). A provider publishes a deal only once it has downloaded the data from there and
 * checked its piece CID, as Boost does.
 */
export async function uploadDataset(url = DEVNET_URL) {
  const body = readFileSync(new URL('../data/dataset.txt', import.meta.url));
  const res = await fetch(`${url}/piece/${DATASET.cid}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
  if (!res.ok) throw new Error(`uploading data/dataset.txt: HTTP ${res.status} ${await res.text()}`);
}

/**
 * Deploys a keeper of `replicas` copies of `piece` (the dataset: uploaded first) and puts `escrow`
 * attoFIL in its market escrow. Providers download the piece's `carSize` bytes from
 * `piece.locationRef`, by default the node's /piece/<cid>.
 */
export async function deployKeeper(signer, contracts, { piece = DATASET, replicas = 2, pricePerEpoch = 1_000_000_000n, startDelay = 100, renewWindow = 2880, escrow = parseEther('1'), url = DEVNET_URL } = {}) {
  if (piece === DATASET) await uploadDataset(url);
  const keeper = await deploy(signer, contracts, 'ReplicaKeeper', [
    CID.parse(piece.cid).bytes,
    piece.size,
    piece.cid, // the label: storage providers expect the data's CID
    piece.locationRef ?? `${url}/piece/${piece.cid}`,
    piece.carSize,
    replicas,
    pricePerEpoch,
    MIN_DEAL_DURATION,
    startDelay,
    renewWindow,
  ]);
  await send(keeper.fund({ value: escrow }));
  return keeper;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { signer, close } = connect();
  const { PIECE_CID, PIECE_SIZE, CAR_SIZE, LOCATION_REF } = process.env;
  const piece = PIECE_CID ? { cid: PIECE_CID, size: Number(PIECE_SIZE), carSize: Number(CAR_SIZE ?? 0), locationRef: LOCATION_REF } : { ...DATASET, locationRef: LOCATION_REF };
  const keeper = await deployKeeper(signer(0), compile(), { piece });
  console.log(`ReplicaKeeper ${await keeper.getAddress()}: ${await keeper.replicas()} replicas of ${piece.cid}, 1 FIL in market escrow`);
  const receipt = await send(keeper.maintain());
  for (const log of receipt.logs.map((l) => keeper.interface.parseLog(l)).filter((l) => l?.name === 'ReplicaProposed')) {
    console.log(`replica ${log.args.slot}: deal proposed, starting at epoch ${log.args.startEpoch}`);
  }
  console.log('Call maintain() again whenever you like (a keeper bot would, every few hours): it replaces lost and expiring replicas.');
  close();
}
