// The builtin-actors manifest: the block that names each actor kind's code CID, as a network's
// system actor names it in its state (BuiltinActors) and Lotus serves it (ChainReadObj,
// StateActorManifestCID). A real manifest is [version, data CID] with data = [[name, code CID], …]
// from the actors bundle; the devnet's lists its own (identity) code CIDs the same way, for its
// actors version and, as Lotus holds the bundles of the versions a network has passed, for each
// earlier one that had a bundle (v8 on). Each built on first use: start-up's hashes run in code not yet optimised.
import { cidOf, encodeCbor, type CID } from '../common/cbor.js';
import { ACTORS_VERSION, codeCid } from './actor.js';
import { actorKindsOf } from './network-version.js';

interface Manifest {
  cid: CID;
  /** The manifest's two blocks by CID string, for ChainReadObj. */
  blocks: ReadonlyMap<string, Uint8Array>;
}

/** The first actors version shipped as a bundle with a manifest (before it, Lotus has none: StateActorManifestCID fails). */
export const FIRST_MANIFEST_VERSION = 8;

const built = new Map<number, Manifest>();

/** The manifest of an actors version from FIRST_MANIFEST_VERSION to the devnet's. */
export function actorsManifest(version = ACTORS_VERSION): Manifest {
  let manifest = built.get(version);
  if (!manifest) {
    const dataBlock = encodeCbor(actorKindsOf(version).map((kind) => [kind, codeCid(kind, version)]));
    const dataCid = cidOf(dataBlock);
    const manifestBlock = encodeCbor([1, dataCid]);
    const cid = cidOf(manifestBlock);
    manifest = { cid, blocks: new Map([[cid.toString(), manifestBlock], [dataCid.toString(), dataBlock]]) };
    built.set(version, manifest);
  }
  return manifest;
}

/** A block of any of the manifests (ChainReadObj): the devnet's own first, the one read most. */
export function manifestBlock(key: string): Uint8Array | undefined {
  for (let version = ACTORS_VERSION; version >= FIRST_MANIFEST_VERSION; version--) {
    const block = actorsManifest(version).blocks.get(key);
    if (block) return block;
  }
  return undefined;
}
