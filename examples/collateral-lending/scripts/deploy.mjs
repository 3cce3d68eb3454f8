// Deploys CollateralPool (10 % interest, due a day of epochs after borrowing) and deposits 50 FIL
// from a lender; prints what a 10 FIL loan would owe. `npm run deploy` (with `npx fvm-devnet` running).
import { pathToFileURL } from 'node:url';
import { encode } from '@ipld/dag-cbor';
import { formatEther, getBytes, parseEther } from 'ethers';
import { compile, connect, deploy, send } from '../lib/devnet.mjs';

/** The miner actor's ChangeBeneficiary, by the method number f1 messages (and `lotus-miner`) use. */
const CHANGE_BENEFICIARY = 30;

export async function deployPool(signer, contracts, { interestBps = 1000, loanTerm = 2880, collectionGrace = 2880 } = {}) {
  return deploy(signer, contracts, 'CollateralPool', [interestBps, loanTerm, collectionGrace]);
}

/**
 * The miner's owner proposes the pool as beneficiary, as `lotus-miner actor propose-change-beneficiary`
 * does: a ChangeBeneficiary message from the owner's key (which fvm-devnet holds for its storage
 * providers, so Filecoin.MpoolPushMessage signs it). Resolves once it is mined with exit code 0.
 */
export async function proposeBeneficiary(rpc, minerId, params) {
  const { Owner } = await rpc('Filecoin.StateMinerInfo', [`t0${minerId}`, null]);
  const ownerKey = await rpc('Filecoin.StateAccountKey', [Owner, null]);
  const message = { From: ownerKey, To: `t0${minerId}`, Value: '0', Method: CHANGE_BENEFICIARY, Params: Buffer.from(getBytes(params)).toString('base64') };
  const { CID } = await rpc('Filecoin.MpoolPushMessage', [message, null]);
  const { Receipt } = await rpc('Filecoin.StateWaitMsg', [CID, 1, 100, true]);
  if (Receipt.ExitCode !== 0) throw new Error(`ChangeBeneficiary failed with exit code ${Receipt.ExitCode}`);
  return CID;
}

/**
 * Once the pool's quota is used up, the owner makes itself the beneficiary again (ChangeBeneficiary
 * to the owner, quota 0, expiration 0); no approval from the pool is needed then.
 */
export async function reclaimBeneficiary(rpc, minerId) {
  const { Owner } = await rpc('Filecoin.StateMinerInfo', [`t0${minerId}`, null]);
  // [new beneficiary (the owner's ID address), quota (big integer 0: empty bytes), expiration]
  return proposeBeneficiary(rpc, minerId, encode([idAddress(Number(Owner.slice(2))), new Uint8Array(), 0]));
}

/** An ID address as bytes: protocol 0, then the ID in unsigned LEB128. */
function idAddress(id) {
  const bytes = [0];
  do {
    const low = id & 0x7f;
    id = Math.floor(id / 128);
    bytes.push(id ? low | 0x80 : low);
  } while (id);
  return Uint8Array.from(bytes);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { signer, close } = connect();
  const pool = await deployPool(signer(0), compile());
  await send(pool.connect(signer(1)).deposit({ value: parseEther('50') }));
  const [owed, expiration] = await pool.loanTerms(parseEther('10'));
  console.log(`CollateralPool ${await pool.getAddress()}: ${formatEther(await pool.totalAssets())} FIL from lenders`);
  console.log(`A 10 FIL loan borrowed now owes ${formatEther(owed)} FIL; the pool stays beneficiary until epoch ${expiration}`);
  close();
}
