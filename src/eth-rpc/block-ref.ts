// Which tipset a block parameter names.
import { DevnetError } from '../common/errors.js';
import { bytesToHex } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Tipset } from '../mining/tipset.js';
import type { BlockRef } from './params.js';

/**
 * 'latest', 'pending', 'safe' and 'finalized' all name the head: the devnet executes each tipset as
 * it mines it and has a single miner, so nothing it shows can be reorganised away.
 */
export function resolveBlock(devnet: Devnet, ref: BlockRef): Tipset {
  if ('tag' in ref) return ref.tag === 'earliest' ? devnet.chain.atEpoch(0)! : devnet.head;
  if ('number' in ref) {
    const tipset = devnet.chain.atEpoch(ref.number);
    if (!tipset) throw new DevnetError("requested a future epoch (beyond 'latest')");
    return tipset;
  }
  const tipset = devnet.chain.byBlockHash(ref.hash);
  if (!tipset) throw new DevnetError(`failed to get tipset by hash: no tipset with hash ${bytesToHex(ref.hash)}`);
  return tipset;
}
