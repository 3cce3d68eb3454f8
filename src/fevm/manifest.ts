// The builtin-actors manifest: the block that names each actor kind's code CID, as a network's
// system actor names it in its state (BuiltinActors) and Lotus serves it (ChainReadObj,
// StateActorManifestCID). A real manifest is [version, data CID] with data = [[name, code CID], …]
// from the actors bundle; the devnet's lists its own (identity) code CIDs the same way. Built on
// first use: three methods need it, and start-up's hashes run in code not yet optimised.
import { cidOf, encodeCbor, type CID } from '../common/cbor.js';
import { ACTOR_KINDS, codeCid } from './actor.js';

export interface Manifest {
  cid: CID;
  /** The manifest's two blocks by CID string, for ChainReadObj. */
  blocks: ReadonlyMap<string, Uint8Array>;
}

let built: Manifest | undefined;

export function actorsManifest(): Manifest {
  if (!built) {
    const dataBlock = encodeCbor(ACTOR_KINDS.map((kind) => [kind, codeCid(kind)]));
    const dataCid = cidOf(dataBlock);
    const manifestBlock = encodeCbor([1, dataCid]);
    const cid = cidOf(manifestBlock);
    built = { cid, blocks: new Map([[cid.toString(), manifestBlock], [dataCid.toString(), dataBlock]]) };
  }
  return built;
}
