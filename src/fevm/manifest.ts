// The builtin-actors manifest: the block that names each actor kind's code CID, as a network's
// system actor names it in its state (BuiltinActors) and Lotus serves it (ChainReadObj,
// StateActorManifestCID). A real manifest is [version, data CID] with data = [[name, code CID], …]
// from the actors bundle; the devnet's lists its own (identity) code CIDs the same way.
import { cidOf, encodeCbor, type CID } from '../common/cbor.js';
import { ACTOR_KINDS, codeCid } from './actor.js';

const dataBlock = encodeCbor(ACTOR_KINDS.map((kind) => [kind, codeCid(kind)]));
const manifestBlock = encodeCbor([1, cidOf(dataBlock)]);

/** The manifest's CID. */
export const MANIFEST_CID: CID = cidOf(manifestBlock);

/** The manifest's two blocks by CID string, for ChainReadObj. */
export const MANIFEST_BLOCKS: ReadonlyMap<string, Uint8Array> = new Map([
  [MANIFEST_CID.toString(), manifestBlock],
  [cidOf(dataBlock).toString(), dataBlock],
]);
