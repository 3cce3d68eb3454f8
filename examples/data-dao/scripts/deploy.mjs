// Deploys DataDAO with dev accounts 1, 2 and 3 as members, 10 FIL of treasury and a reward of
// 3 FIL per dataset stored, and has the genesis verifier grant it DataCap. `npm run deploy` (with
// `npx fvm-devnet` running).
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatEther, parseEther } from 'ethers';
import { DEVNET_URL, compile, connect, deploy } from '../lib/devnet.mjs';

/** The example's datasets and their pieces, as `npx fvm-devnet piece data/<file>` prints them. */
export const DATASETS = [
  { file: 'data/dataset-a.csv', cid: 'baga6ea4seaqoprba4zm4lxqfc7oj3gchih7pcrsdnc5i5uineuziku6ele2lcma', size: 1048576 },
  { file: 'data/dataset-b.csv', cid: 'baga6ea4seaqmfmtgyxyii7rd7h3vterq3fzievhlmhfh7sevupugjhop4txokoq', size: 256 },
];

export async function deployDao(signer, contracts, members, { reward = parseEther('3'), treasury = parseEther('10') } = {}) {
  return deploy(signer, contracts, 'DataDAO', [members, reward], { value: treasury });
}

/**
 * DataCap for the DAO: on fvm-devnet the genesis verifier grants it (devnet_addVerifiedClient, a
 * real AddVerifiedClient message); on calibnet a notary does, after an application.
 */
export async function grantDataCap(rpc, dao, bytes) {
  return rpc('devnet_addVerifiedClient', [await dao.getAddress(), String(bytes)]);
}

/** Hands a dataset's bytes to the storage providers (PUT /piece/<cid>), as a client does before a deal. */
export async function upload({ file, cid }) {
  const bytes = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)));
  const res = await fetch(`${DEVNET_URL}/piece/${cid}`, { method: 'PUT', body: bytes });
  if (!res.ok) throw new Error(`upload of ${file} failed: ${res.status} ${await res.text()}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { signer, rpc, provider, close } = connect();
  const members = [signer(1), signer(2), signer(3)].map((s) => s.address);
  const dao = await deployDao(signer(0), compile(), members);
  const { datacap } = await grantDataCap(rpc, dao, 1 << 20);
  console.log(`DataDAO ${await dao.getAddress()}: members ${members.join(', ')}`);
  console.log(`treasury ${formatEther(await provider.getBalance(await dao.getAddress()))} FIL, DataCap ${datacap} bytes, reward ${formatEther(await dao.reward())} FIL per dataset stored`);
  close();
}
