// Deploys ReputationOracle, observes every storage provider's power and prints their scores.
// `npm run deploy` (with `npx fvm-devnet` running).
import { pathToFileURL } from 'node:url';
import { actorId, compile, connect, deploy, send } from '../lib/devnet.mjs';

export async function deployOracle(signer, contracts) {
  return deploy(signer, contracts, 'ReputationOracle');
}

/** The storage providers' miner IDs (Filecoin.StateListMiners), e.g. [111, 113]. */
export async function minerIds(rpc) {
  return Promise.all((await rpc('Filecoin.StateListMiners', [null])).map((miner) => actorId(rpc, miner)));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { signer, rpc, close } = connect();
  const oracle = await deployOracle(signer(0), compile());
  console.log(`ReputationOracle ${await oracle.getAddress()}`);
  for (const id of await minerIds(rpc)) {
    await send(oracle.observe(id));
    const { power } = await oracle.providers(id);
    console.log(`t0${id}: raw power ${power / 2n ** 30n} GiB, score ${await oracle.score(id)}`);
  }
  close();
}
